import {UserError} from '../errors.js'
import type {ApiType} from '../permissions/arn.js'
import type {ApiTarget} from './api-target.js'
import {httpApiTarget} from './http-api.js'
import type {ApiPlan, DeployApis} from './model.js'

/** The API target for the config's API type. REST APIs come with issue 9 (API Gateway v1 resources/methods). */
export function targetFor(type: ApiType, apis: DeployApis): ApiTarget<unknown, ApiPlan> {
  if (type === 'http') return httpApiTarget(apis.apiGatewayV2) as unknown as ApiTarget<unknown, ApiPlan>
  throw new UserError('API_TYPE_UNSUPPORTED', 'Deploying REST APIs ("api": {"type": "rest"}) is not supported yet', {
    suggestion: 'Use "type": "http" in tracegate.json for now (HTTP APIs are cheaper and faster for Lambda proxies)',
  })
}

/** The full URL of a route: the API URL plus the route's path (`$default` answers on every path). */
export function routeUrl(url: string, routeKey: string): string {
  if (routeKey === '$default') return `${url}/`
  const path = routeKey.slice(routeKey.indexOf(' ') + 1)
  return `${url}${path === '/' ? '/' : path}`
}
