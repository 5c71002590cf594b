import {CreateApiCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand} from '@aws-sdk/client-apigatewayv2'
import {AddPermissionCommand, CreateFunctionCommand} from '@aws-sdk/client-lambda'
import {BatchGetTracesCommand, GetTraceSummariesCommand} from '@aws-sdk/client-xray'
import {handlerZip, REGION, ROLE, type TestEmulator} from '../helpers.js'

export {REGION} from '../helpers.js'

/**
 * One handler for most table rows: the request body says what to do, so a single warm function answers
 * every row.
 *   {"return": v}          → returns v (the runtime JSON-serialises it; `undefined` becomes `null`)
 *   {"throw": "message"}   → throws an Error with that message
 *   {"sleepMs": n, ...}    → waits first
 *   header x-mode: echo    → {statusCode: 200, body: JSON.stringify(event)}
 */
export const BEHAVIOUR_SOURCE = `
exports.handler = async (event) => {
  const headers = event.headers || {}
  if (headers['x-mode'] === 'echo') return {statusCode: 200, headers: {'content-type': 'application/json'}, body: JSON.stringify(event)}
  const text = event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body) : '{}'
  const spec = JSON.parse(text)
  if (spec.sleepMs) await new Promise((resolve) => setTimeout(resolve, spec.sleepMs))
  if (spec.throw) throw new Error(spec.throw)
  if (spec.big) return {statusCode: 200, body: 'x'.repeat(spec.big)}
  return spec.return
}
`

export const HELLO_SOURCE = `exports.handler = async () => ({statusCode: 200, headers: {'content-type': 'text/plain'}, body: 'hello'})`

let counter = 0
export function uniqueName(prefix: string): string {
  counter++
  return `${prefix}-${process.pid}-${counter}`
}

export interface FunctionInput {
  name?: string
  source?: string
  zip?: Uint8Array
  handler?: string
  tracing?: 'Active' | 'PassThrough'
  timeout?: number
  environment?: Record<string, string>
}

/** CreateFunction through the real SDK; returns the function's name and ARN. */
export async function createFunction(t: TestEmulator, input: FunctionInput = {}): Promise<{name: string; arn: string}> {
  const name = input.name ?? uniqueName('fn')
  const created = await t.clients.lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Role: ROLE,
      Runtime: 'nodejs20.x',
      Handler: input.handler ?? 'index.handler',
      Code: {ZipFile: input.zip ?? handlerZip(input.source ?? BEHAVIOUR_SOURCE)},
      Timeout: input.timeout ?? 3,
      TracingConfig: {Mode: input.tracing ?? 'PassThrough'},
      ...(input.environment ? {Environment: {Variables: input.environment}} : {}),
    }),
  )
  return {name, arn: created.FunctionArn!}
}

export interface RouteInput {
  routeKey: string
  functionArn: string
  payloadFormatVersion?: '1.0' | '2.0'
  timeoutInMillis?: number
}

export interface ApiInput {
  routes: RouteInput[]
  /** Stage names to create; default `$default`. */
  stages?: string[]
  stageSettings?: {throttlingBurstLimit?: number; throttlingRateLimit?: number}
  stageVariables?: Record<string, string>
  /** Grant API Gateway `{apiId}/*` on every function (default true). */
  grant?: boolean
}

export interface DeployedApi {
  apiId: string
  endpoint: string
}

/** CreateApi + one integration and route per entry + stages + AddPermission, as deploy does it. */
export async function createHttpApi(t: TestEmulator, input: ApiInput): Promise<DeployedApi> {
  const api = await t.clients.apigw.send(new CreateApiCommand({Name: uniqueName('api'), ProtocolType: 'HTTP'}))
  const apiId = api.ApiId!
  for (const route of input.routes) {
    const integration = await t.clients.apigw.send(
      new CreateIntegrationCommand({
        ApiId: apiId,
        IntegrationType: 'AWS_PROXY',
        IntegrationUri: route.functionArn,
        PayloadFormatVersion: route.payloadFormatVersion ?? '2.0',
        ...(route.timeoutInMillis ? {TimeoutInMillis: route.timeoutInMillis} : {}),
      }),
    )
    await t.clients.apigw.send(new CreateRouteCommand({ApiId: apiId, RouteKey: route.routeKey, Target: `integrations/${integration.IntegrationId}`}))
  }
  for (const stage of input.stages ?? ['$default']) {
    await t.clients.apigw.send(
      new CreateStageCommand({
        ApiId: apiId,
        StageName: stage,
        AutoDeploy: true,
        ...(input.stageSettings ? {DefaultRouteSettings: {ThrottlingBurstLimit: input.stageSettings.throttlingBurstLimit, ThrottlingRateLimit: input.stageSettings.throttlingRateLimit}} : {}),
        ...(input.stageVariables ? {StageVariables: input.stageVariables} : {}),
      }),
    )
  }
  if (input.grant !== false) {
    for (const arn of new Set(input.routes.map((r) => r.functionArn))) await grant(t, arn, apiId)
  }
  return {apiId, endpoint: api.ApiEndpoint!}
}

/** AddPermission for API Gateway with `SourceArn` `{apiId}/{pattern}` (default `*`, any stage/method/path). */
export async function grant(t: TestEmulator, functionArn: string, apiId: string, pattern = '*', statementId = `apigw-${apiId}-${counter++}`): Promise<string> {
  await t.clients.lambda.send(
    new AddPermissionCommand({
      FunctionName: functionArn,
      StatementId: statementId,
      Action: 'lambda:InvokeFunction',
      Principal: 'apigateway.amazonaws.com',
      SourceArn: `arn:aws:execute-api:${REGION}:000000000000:${apiId}/${pattern}`,
    }),
  )
  return statementId
}

export interface HttpAnswer {
  status: number
  headers: Headers
  body: string
}

export async function call(url: string, init: RequestInit = {}): Promise<HttpAnswer> {
  const response = await fetch(url, init)
  return {status: response.status, headers: response.headers, body: await response.text()}
}

/** POSTs a behaviour spec (see BEHAVIOUR_SOURCE) to `url`. */
export function behave(url: string, spec: Record<string, unknown>): Promise<HttpAnswer> {
  return call(url, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify(spec)})
}

export function echo(url: string, init: RequestInit = {}): Promise<{status: number; event: Record<string, unknown>; headers: Headers}> {
  const headers = new Headers(init.headers)
  headers.set('x-mode', 'echo')
  return call(url, {...init, headers}).then((answer) => ({status: answer.status, headers: answer.headers, event: JSON.parse(answer.body)}))
}

export type SegmentDoc = Record<string, unknown> & {subsegments?: SegmentDoc[]}

/** BatchGetTraces for one trace, documents parsed; polls until `ready` holds (X-Ray is eventually consistent). */
export async function traceDocuments(t: TestEmulator, traceId: string, ready: (docs: SegmentDoc[]) => boolean = (d) => d.length > 0): Promise<SegmentDoc[]> {
  const deadline = Date.now() + 5000
  for (;;) {
    const result = await t.clients.xray.send(new BatchGetTracesCommand({TraceIds: [traceId]}))
    const docs = (result.Traces?.[0]?.Segments ?? []).map((s) => JSON.parse(s.Document!) as SegmentDoc)
    if (ready(docs) || Date.now() > deadline) return docs
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

export async function traceSummaries(t: TestEmulator, filter?: string) {
  const now = Date.now() / 1000
  const result = await t.clients.xray.send(
    new GetTraceSummariesCommand({StartTime: new Date((now - 300) * 1000), EndTime: new Date((now + 60) * 1000), ...(filter ? {FilterExpression: filter} : {})}),
  )
  return result.TraceSummaries ?? []
}

/** `1-…` of a `Root=1-…;…` header. */
export function rootOf(header: string | null): string {
  const match = /Root=(1-[0-9a-f]{8}-[0-9a-f]{24})/.exec(header ?? '')
  if (!match) throw new Error(`no trace root in ${header}`)
  return match[1]
}
