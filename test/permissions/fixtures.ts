/**
 * Realistic Lambda resource-policy statements, in the key order the real service produces (aws-semantics §3),
 * as SAM, the Serverless Framework, the Lambda console, CDK and tracegate write them.
 */
import type {ApiSnapshot} from '../../src/permissions/audit.js'
import {statementIdFor} from '../../src/permissions/statement-id.js'

export const REGION = 'us-east-2'
export const ACCOUNT = '123456789012'
export const FUNCTION_NAME = 'orders-getOrder'
export const FUNCTION_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${FUNCTION_NAME}`

export const executeApi = (resource: string, region = REGION, account = ACCOUNT): string =>
  `arn:aws:execute-api:${region}:${account}:${resource}`

export interface ApiGatewayStatementOptions {
  sid: string
  sourceArn: string
  resource?: string
  sourceAccount?: string
  action?: string | string[]
}

/** What `aws lambda add-permission --principal apigateway.amazonaws.com --source-arn …` stores. */
export function apiGatewayStatement(o: ApiGatewayStatementOptions): Record<string, unknown> {
  const condition: Record<string, unknown> = {ArnLike: {'AWS:SourceArn': o.sourceArn}}
  if (o.sourceAccount) condition.StringEquals = {'AWS:SourceAccount': o.sourceAccount}
  return {
    Sid: o.sid,
    Effect: 'Allow',
    Principal: {Service: 'apigateway.amazonaws.com'},
    Action: o.action ?? 'lambda:InvokeFunction',
    Resource: o.resource ?? FUNCTION_ARN,
    Condition: condition,
  }
}

/** A statement tracegate itself would add for `sourceArn`. */
export function tracegateStatement(apiId: string, sourceArn: string): Record<string, unknown> {
  return apiGatewayStatement({sid: statementIdFor(apiId, sourceArn), sourceArn})
}

/** S3 bucket notifications: another service principal, never touched. */
export const s3Statement = {
  Sid: 's3-invoke',
  Effect: 'Allow',
  Principal: {Service: 's3.amazonaws.com'},
  Action: 'lambda:InvokeFunction',
  Resource: FUNCTION_ARN,
  Condition: {
    StringEquals: {'AWS:SourceAccount': ACCOUNT},
    ArnLike: {'AWS:SourceArn': 'arn:aws:s3:::orders-uploads'},
  },
}

/** An EventBridge rule target. */
export const eventsStatement = {
  Sid: 'AWSEvents_nightly-report_Id1',
  Effect: 'Allow',
  Principal: {Service: 'events.amazonaws.com'},
  Action: 'lambda:InvokeFunction',
  Resource: FUNCTION_ARN,
  Condition: {ArnLike: {'AWS:SourceArn': `arn:aws:events:${REGION}:${ACCOUNT}:rule/nightly-report`}},
}

/** Cross-account invoke by an IAM role. */
export const crossAccountStatement = {
  Sid: 'partner-invoke',
  Effect: 'Allow',
  Principal: {AWS: 'arn:aws:iam::210987654321:root'},
  Action: 'lambda:InvokeFunction',
  Resource: FUNCTION_ARN,
}

export function policyDocument(statements: unknown[]): string {
  return JSON.stringify({Version: '2012-10-17', Id: 'default', Statement: statements})
}

export function restApi(overrides: Partial<ApiSnapshot> & {apiId: string}): ApiSnapshot {
  return {type: 'rest', stages: ['Prod'], routeKeys: ['GET /orders/{id}', 'POST /orders'], ...overrides}
}

export function httpApi(overrides: Partial<ApiSnapshot> & {apiId: string}): ApiSnapshot {
  return {type: 'http', stages: ['$default'], routeKeys: ['GET /orders/{id}'], ...overrides}
}
