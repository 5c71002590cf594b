import {UserError} from '../errors.js'
import type {ApiType} from '../permissions/arn.js'
import type {ApiTarget} from './api-target.js'
import {httpApiTarget} from './http-api.js'
import type {ApiPlan, DeployApis} from './model.js'
import {apiGatewayOf, restApiTarget} from './rest-api.js'

/** The API target for the config's API type: HTTP APIs (ApiGatewayV2) or REST APIs (API Gateway v1, rest-api.ts). */
export function targetFor(type: ApiType, apis: DeployApis): ApiTarget<unknown, ApiPlan> {
  if (type === 'http') return httpApiTarget(apis.apiGatewayV2) as unknown as ApiTarget<unknown, ApiPlan>
  if (type === 'rest') return restApiTarget(apiGatewayOf(apis)) as unknown as ApiTarget<unknown, ApiPlan>
  throw new UserError('API_TYPE_UNSUPPORTED', `Unknown API type "${type as string}"`, {suggestion: 'Use "type": "http" or "rest" in tracegate.json'})
}

/** The full URL of a route: the API URL plus the route's path (`$default` answers on every path). */
export function routeUrl(url: string, routeKey: string): string {
  if (routeKey === '$default') return `${url}/`
  const path = routeKey.slice(routeKey.indexOf(' ') + 1)
  return `${url}${path === '/' ? '/' : path}`
}
