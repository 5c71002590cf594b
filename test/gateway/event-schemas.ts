import {z} from 'zod'

/**
 * The constraints the Powertools for AWS Lambda (TypeScript) parser puts on API Gateway proxy events
 * (`APIGatewayProxyEventSchema`, `APIGatewayProxyEventV2Schema`, packages/parser/src/schemas), restated
 * for our tests: which fields are required, which may be null, which may only be absent. Handlers that
 * parse their event with Powertools must accept what the emulator sends.
 */

const stringMap = z.record(z.string(), z.string())
const stringArray = z.array(z.string())
const method = z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'])

const identityV1 = z.object({
  accessKey: z.string().nullish(),
  accountId: z.string().nullish(),
  apiKey: z.string().nullish(),
  apiKeyId: z.string().nullish(),
  caller: z.string().nullish(),
  cognitoAuthenticationProvider: z.string().nullish(),
  cognitoAuthenticationType: z.string().nullish(),
  cognitoIdentityId: z.string().nullish(),
  cognitoIdentityPoolId: z.string().nullish(),
  principalOrgId: z.string().nullish(),
  sourceIp: z.union([z.ipv4(), z.ipv6(), z.literal('test-invoke-source-ip')]).optional(),
  user: z.string().nullish(),
  userAgent: z.string().nullish(),
  userArn: z.string().nullish(),
})

const requestContextV1 = z.object({
  accountId: z.string(),
  apiId: z.string(),
  deploymentId: z.string().nullish(),
  authorizer: z
    .union([z.object({integrationLatency: z.number(), principalId: z.string()}), z.object({claims: z.record(z.string(), z.any()), scopes: stringArray.optional()})])
    .nullish(),
  stage: z.string(),
  protocol: z.string(),
  identity: identityV1,
  requestId: z.string(),
  requestTime: z.string(),
  requestTimeEpoch: z.number(),
  resourceId: z.string().nullish(),
  resourcePath: z.string(),
  domainName: z.string().nullish(),
  domainPrefix: z.string().nullish(),
  extendedRequestId: z.string().nullish(),
  httpMethod: method,
  path: z.string(),
})

export const proxyEventV1Schema = z.object({
  resource: z.string(),
  path: z.string(),
  httpMethod: method,
  headers: stringMap.nullish(),
  multiValueHeaders: z.record(z.string(), stringArray).nullish(),
  queryStringParameters: stringMap.nullable(),
  multiValueQueryStringParameters: z.record(z.string(), stringArray).nullable(),
  pathParameters: stringMap.nullish(),
  stageVariables: stringMap.nullish(),
  requestContext: requestContextV1,
  body: z.string().nullable(),
  isBase64Encoded: z.boolean(),
})

const requestContextV2 = z.object({
  accountId: z.string(),
  apiId: z.string(),
  domainName: z.string(),
  domainPrefix: z.string(),
  http: z.object({method, path: z.string(), protocol: z.string(), sourceIp: z.ipv4(), userAgent: z.string()}),
  requestId: z.string(),
  routeKey: z.string(),
  stage: z.string(),
  time: z.string(),
  timeEpoch: z.number(),
})

export const httpEventV2Schema = z.object({
  version: z.string(),
  routeKey: z.string(),
  rawPath: z.string(),
  rawQueryString: z.string(),
  cookies: stringArray.optional(),
  headers: stringMap,
  queryStringParameters: stringMap.optional(),
  requestContext: requestContextV2,
  body: z.string().optional(),
  pathParameters: stringMap.nullish(),
  isBase64Encoded: z.boolean(),
  stageVariables: stringMap.nullish(),
})
