import {lazyApiGatewayApi} from '../aws/apigateway.js'
import {createApiGatewayV2Api} from '../aws/apigatewayv2.js'
import type {AwsClients} from '../aws/clients.js'
import type {Clock} from '../aws/errors.js'
import {createIamApi} from '../aws/iam.js'
import {createLambdaApi, type LambdaApiOptions} from '../aws/lambda.js'
import type {DeployApis} from './model.js'
import type {RestDeployApis} from './rest-api.js'

/**
 * The narrow AWS interfaces deploy and destroy use, built from the command's clients. The API Gateway v1
 * interface (REST APIs) loads its SDK only when first called.
 */
export async function createDeployApis(clients: AwsClients, options: {clock?: Clock} & LambdaApiOptions = {}): Promise<DeployApis & RestDeployApis> {
  const [lambda, iam, apiGatewayV2] = await Promise.all([
    createLambdaApi(clients, options),
    createIamApi(clients, options),
    createApiGatewayV2Api(clients, options),
  ])
  return {lambda, iam, apiGatewayV2, apiGateway: lazyApiGatewayApi(clients, options)}
}
