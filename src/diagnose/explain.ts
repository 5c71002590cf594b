import {LAMBDA_REQUEST_PAYLOAD_LIMIT_BYTES} from '../gateway/errors.js'
import {ms} from './checklist.js'
import {type EvidenceSet, type FunctionErrorFacts, type PermissionFacts, seen} from './evidence.js'
import {limitsOf} from './findings.js'
import type {Cause, Verdict} from './verdicts.js'
import {shellQuote} from '../shell.js'

/** What to do: one sentence, the commands to run (copy-pasteable), and code to put in the handler. */
export interface Fix {
  summary: string
  commands: string[]
  code?: string
}

export interface Explanation {
  cause: string
  fix: Fix
}

interface Context {
  evidence: EvidenceSet
  functionName?: string
  configKey?: string
  apiName: string
  status: number
}

function contextOf(evidence: EvidenceSet): Context {
  const route = seen(evidence.route)
  const fn = seen(evidence.function)
  const functionName =
    route?.matched?.functionName ??
    fn?.functionName ??
    seen(evidence.permission)?.functionName ??
    seen(evidence.throttling)?.functionName ??
    seen(evidence.replay)?.functionName ??
    evidence.function?.facts?.functionName
  return {
    evidence,
    functionName,
    configKey: fn?.configKey ?? evidence.function?.facts?.configKey,
    apiName: evidence.gateway.facts.apiType === 'http' ? 'HTTP API' : 'REST API',
    status: evidence.gateway.facts.status,
  }
}

function functionLabel(ctx: Context): string {
  return ctx.functionName ?? 'the function'
}

/** The function error the evidence shows, replay first (it has the stack), then the trace. */
/** The function's exception: the replay's (this run), else the trace's. */
export function errorOf(evidence: EvidenceSet): FunctionErrorFacts | undefined {
  const replay = seen(evidence.replay)
  if (replay?.functionError) return replay.functionError
  const exception = seen(evidence.trace)?.exception
  if (exception) return {...exception, timedOut: false, responseTooLarge: false}
  return undefined
}

function deployStep(ctx: Context): string[] {
  return ctx.configKey ? ['tracegate deploy'] : []
}

/**
 * `allowed`: the causes the gateway's answer allows; `open`: those the evidence did not rule out (both only
 * matter for `unknown`).
 */
export function explain(verdict: Verdict, evidence: EvidenceSet, allowed: Cause[] = [], open: Cause[] = []): Explanation {
  const ctx = contextOf(evidence)
  switch (verdict) {
    case 'route-not-found':
      return routeNotFound(ctx)
    case 'payload-too-large':
      return payloadTooLarge(ctx)
    case 'invocation-rejected/throttled':
      return throttled(ctx)
    case 'invocation-rejected/permission':
      return permission(ctx)
    case 'function-error':
      return functionError(ctx)
    case 'function-timeout':
      return functionTimeout(ctx)
    case 'integration-timeout':
      return integrationTimeout(ctx)
    case 'malformed-response':
      return malformed(ctx)
    case 'ok':
      return ok(ctx)
    case 'unknown':
      return unknownCause(ctx, allowed, open)
  }
}

function routeNotFound(ctx: Context): Explanation {
  const answer = ctx.evidence.gateway.facts
  const route = seen(ctx.evidence.route)
  const stage = route ? ` in stage ${route.stage}` : ''
  const nearest = route && route.nearest.length > 0 ? ` Nearest deployed routes: ${route.nearest.join(', ')}.` : ''
  const answered =
    answer.apiType === 'rest' ? 'REST APIs answer 403 "Missing Authentication Token" for it.' : 'HTTP APIs answer 404 "Not Found" for it.'
  if (route?.stageExists === false) {
    const stages = route.stages ?? []
    return {
      cause: `The ${ctx.apiName} has no stage "${route.stage}"${stages.length > 0 ? ` (its stages: ${stages.join(', ')})` : ''}, so no route can match; ${answered}`,
      fix:
        stages.length > 0
          ? {summary: `Call a stage that exists, e.g. --stage ${shellQuote(stages[0])}, or deploy this one.`, commands: [`tracegate deploy --stage ${shellQuote(route.stage)}`]}
          : {summary: 'Deploy the stage.', commands: [`tracegate deploy --stage ${shellQuote(route.stage)}`]},
    }
  }
  const cause = `No route of the ${ctx.apiName} matches ${answer.method} ${answer.path}${stage}; ${answered}${nearest}`
  if (route?.undeployedConfigRoute) {
    return {
      cause,
      fix: {summary: `The route "${route.undeployedConfigRoute}" is in tracegate.json but not deployed: deploy it.`, commands: ['tracegate deploy']},
    }
  }
  const addRoute = `tracegate endpoint add ${shellQuote(`${answer.method} ${answer.path}`)}`
  if (route && route.nearest.length > 0) {
    return {
      cause,
      fix: {summary: `Check the method, the path and the stage: did you mean ${route.nearest[0]}? If this is a new endpoint, add its route to tracegate.json and deploy.`, commands: []},
    }
  }
  return {
    cause,
    fix: {summary: 'Check the method, the path and the stage (--stage), or add the route and deploy.', commands: [addRoute, 'tracegate deploy']},
  }
}

function payloadTooLarge(ctx: Context): Explanation {
  const answer = ctx.evidence.gateway.facts
  if (answer.requestBytes > LAMBDA_REQUEST_PAYLOAD_LIMIT_BYTES || answer.status === 413) {
    return {
      cause: `The request body is ${answer.requestBytes} bytes. Lambda accepts at most 6 MB (${LAMBDA_REQUEST_PAYLOAD_LIMIT_BYTES} bytes) per synchronous invocation, and API Gateway at most 10 MB, so the request never reaches the function.`,
      fix: {
        summary: 'Send less than 6 MB per request: upload large payloads to S3 (with a presigned URL) and send the object key instead.',
        commands: [],
      },
    }
  }
  return {
    cause: `${functionLabel(ctx)} returned more than Lambda's 6 MB response limit, so Lambda replaced the response with an error and API Gateway answers ${ctx.status}.`,
    fix: {
      summary: 'Return less than 6 MB: paginate the result, or store it in S3 and return a presigned URL.',
      commands: deployStep(ctx),
    },
  }
}

function throttled(ctx: Context): Explanation {
  const {evidence} = ctx
  const answer = evidence.gateway.facts
  const fn = functionLabel(ctx)
  const throttling = seen(evidence.throttling)
  if (throttling?.reservedConcurrency === 0) {
    return {
      cause: `${fn} has reserved concurrency 0, so Lambda throttles every invocation (TooManyRequestsException) and API Gateway answers ${ctx.status}.`,
      fix: {
        summary: 'Remove the reservation (or reserve more than 0):',
        commands: [
          `aws lambda delete-function-concurrency --function-name ${shellQuote(fn)}`,
          `aws lambda put-function-concurrency --function-name ${shellQuote(fn)} --reserved-concurrent-executions 10`,
        ],
      },
    }
  }
  const rejection = seen(evidence.replay)?.rejection
  if (rejection) {
    const reserved = rejection.reason?.startsWith('Reserved')
    return {
      cause: `Lambda throttles invocations of ${fn} (${rejection.code}${rejection.reason ? `, ${rejection.reason}` : ''}); API Gateway answers ${ctx.status} when Lambda refuses the invocation.`,
      fix: reserved
        ? {
            summary: "Raise the function's reserved concurrency:",
            commands: [`aws lambda put-function-concurrency --function-name ${shellQuote(fn)} --reserved-concurrent-executions 20`],
          }
        : {
            summary:
              "The account's concurrency (or invocation rate) is exhausted: reserve concurrency for this function, lower the load, or request a higher Lambda concurrency quota in Service Quotas.",
            commands: [`aws lambda put-function-concurrency --function-name ${shellQuote(fn)} --reserved-concurrent-executions 20`],
          },
    }
  }
  if (answer.status === 429) {
    const route = seen(evidence.route)
    const apiId = route?.apiId ?? '<api-id>'
    const stage = route?.stage ?? '<stage>'
    return {
      cause: `API Gateway throttled the request (stage or account rate limits) before it reached Lambda; the ${ctx.apiName} answers 429 "Too Many Requests".`,
      fix: {
        summary: "Send fewer requests per second, or raise the stage's throttling limits:",
        commands: [
          answer.apiType === 'http'
            ? `aws apigatewayv2 update-stage --api-id ${apiId} --stage-name ${shellQuote(stage)} --default-route-settings ThrottlingBurstLimit=200,ThrottlingRateLimit=100`
            : `aws apigateway update-stage --rest-api-id ${apiId} --stage-name ${shellQuote(stage)} --patch-operations op=replace,path=/*/*/throttling/rateLimit,value=100`,
        ],
      },
    }
  }
  return {
    cause: `Lambda most likely throttled the invocation of ${fn}: API Gateway answers ${ctx.status} when Lambda refuses an invocation, and the function's resource policy does allow it.`,
    fix: {
      summary:
        "Check the function's and the account's concurrency (ConcurrentExecutions and Throttles metrics); reserve concurrency for this function or request a higher quota.",
      commands: [`aws lambda get-function-concurrency --function-name ${shellQuote(fn)}`],
    },
  }
}

function permission(ctx: Context): Explanation {
  const p = seen(ctx.evidence.permission)
  const fn = functionLabel(ctx)
  const statusText = ctx.evidence.gateway.facts.apiType === 'rest' ? '500 (its log says "Invalid permissions on Lambda function")' : '500'
  if (!p) {
    return {
      cause: `API Gateway was most likely refused permission to invoke ${fn}; it answers ${statusText}.`,
      fix: {summary: 'Re-create the invoke permission for every route:', commands: ['tracegate deploy']},
    }
  }
  if (p.qualifier) return qualifiedPermission(p, statusText)
  const why = p.policyExists ? 'no statement in its resource policy allows that ARN' : 'the function has no resource policy at all'
  const cause = `API Gateway presents the source ARN ${p.sourceArn} when it invokes ${p.functionName}, and ${why}, so Lambda refuses the invocation and API Gateway answers ${statusText}.`
  const grant = p.grant
  const commands = ['tracegate deploy']
  if (grant) commands.push(addPermissionCommand(grant))
  return {
    cause,
    fix: {
      summary: grant
        ? `Add the invoke permission for ${grant.sourceArn}: tracegate deploy adds it for every configured route, or add this one statement directly.`
        : 'Add the invoke permission: tracegate deploy adds it for every configured route.',
      commands,
    },
  }
}

/**
 * The integration invokes an alias or version: Lambda checks that qualifier's policy only, and tracegate deploy grants
 * the function itself, so the fix is the one statement for the qualifier.
 */
function qualifiedPermission(p: PermissionFacts, statusText: string): Explanation {
  const target = `${p.functionName}:${p.qualifier}`
  const why = p.policyExists
    ? 'no statement in its resource policy allows that ARN'
    : `${target} has no resource policy of its own (a permission on ${p.functionName} itself does not cover it)`
  const cause = `API Gateway presents the source ARN ${p.sourceArn} when it invokes ${target}, and ${why}, so Lambda refuses the invocation and API Gateway answers ${statusText}.`
  return {
    cause,
    fix: {
      summary: `Add the invoke permission for ${p.sourceArn} to ${target} (the integration invokes ${p.qualifier}, whose own policy Lambda checks):`,
      commands: p.grant ? [addPermissionCommand(p.grant)] : [],
    },
  }
}

/** The AWS CLI statement that adds the missing grant (to the function, or to the alias or version it names). */
function addPermissionCommand(grant: NonNullable<PermissionFacts['grant']>): string {
  const region = grant.region ? ` --region ${grant.region}` : ''
  return `aws lambda add-permission --function-name ${shellQuote(grant.functionName)} --statement-id ${shellQuote(grant.statementId)} --action lambda:InvokeFunction --principal apigateway.amazonaws.com --source-arn ${shellQuote(grant.sourceArn)}${region}`
}

function functionError(ctx: Context): Explanation {
  const e = errorOf(ctx.evidence)
  const status = ctx.evidence.gateway.facts.apiType === 'rest' ? '502' : '500'
  const answers = `the ${ctx.apiName} answers ${status} for an unhandled function error`
  const trace = seen(ctx.evidence.trace)
  const traceCommand = trace ? [`tracegate traces show ${trace.traceId}`] : []
  if (!e) {
    return {
      cause: `${functionLabel(ctx)} failed (its trace segment has a fault); ${answers}.`,
      fix: {summary: "Find the exception in the function's trace and logs, fix it, and deploy.", commands: [...traceCommand, ...deployStep(ctx)]},
    }
  }
  const frame = e.frames[0] ? describeFrame(e.frames[0]) : undefined
  const where = frame ? ` ${frame}` : ''
  return {
    cause: `${functionLabel(ctx)} threw ${e.type}: ${e.message}${where}; ${answers}.`,
    fix: {
      summary: `Fix the ${e.type}${where}. To answer a controlled error instead of API Gateway's generic ${status}, catch it and return a response:`,
      code: "return {statusCode: 500, headers: {'content-type': 'application/json'}, body: JSON.stringify({message: error.message})}",
      commands: [...deployStep(ctx), ...traceCommand],
    },
  }
}

/**
 * `at handler (file:///var/task/src/get-order.js:12:9)` → `in handler at src/get-order.js:12:9`. `/var/task` is
 * where Lambda unpacks the code, so paths below it are the project's own.
 */
export function describeFrame(frame: string): string {
  const match = /^\s*at\s+(?:(.+?)\s+\()?(.+?)\)?\s*$/.exec(frame)
  if (!match) return `at ${frame.trim()}`
  // The emulator unpacks each code package under `…/code/{sha256}/`, as Lambda does under /var/task.
  const location = match[2]
    .replace(/^file:\/\//, '')
    .replace(/^\/var\/task\//, '')
    .replace(/^.*\/code\/[0-9a-f]{64}\//, '')
  return match[1] ? `in ${match[1]} at ${location}` : `at ${location}`
}

/** A timeout to suggest: room over what was observed, but under what API Gateway waits. */
function suggestedTimeoutSeconds(currentSeconds: number | undefined, observedMs: number | undefined, integrationTimeoutMs: number): number {
  const ceiling = Math.max(1, Math.floor(integrationTimeoutMs / 1000) - 1)
  const wanted = Math.max(currentSeconds === undefined ? 0 : currentSeconds * 2, observedMs === undefined ? 0 : Math.ceil((observedMs * 1.5) / 1000), 3)
  return Math.min(wanted, ceiling)
}

function functionTimeout(ctx: Context): Explanation {
  const limits = limitsOf(ctx.evidence)
  const current = limits.functionTimeoutMs === undefined ? undefined : limits.functionTimeoutMs / 1000
  const e = errorOf(ctx.evidence)
  const status = ctx.evidence.gateway.facts.apiType === 'rest' ? '502' : '500'
  const said = e ? ` ("${e.message}")` : ''
  const cause = `${functionLabel(ctx)} ran for its whole ${current === undefined ? '' : `${current} s `}timeout and Lambda stopped it${said}; the ${ctx.apiName} answers ${status} for a function that times out.`
  const next = suggestedTimeoutSeconds(current, undefined, limits.integrationTimeoutMs)
  const key = ctx.configKey
  if (current !== undefined && next <= current) {
    return {
      cause,
      fix: {
        summary: `The timeout (${current} s) is already at what API Gateway waits (${ms(limits.integrationTimeoutMs)}): make the handler faster, or move the slow work to an asynchronous invocation and answer 202.`,
        commands: deployStep(ctx),
      },
    }
  }
  return {
    cause,
    fix: {
      summary: `Raise ${functionLabel(ctx)}'s timeout${current === undefined ? '' : ` from ${current} s`} to ${next} s${key ? ` (functions.${key}.timeout in tracegate.json)` : ''} and deploy, or make the handler faster. Stay under API Gateway's ${ms(limits.integrationTimeoutMs)} integration timeout.`,
      code: key ? `"${key}": {"timeout": ${next}}` : undefined,
      commands: key ? ['tracegate deploy'] : [`aws lambda update-function-configuration --function-name ${shellQuote(functionLabel(ctx))} --timeout ${next}`],
    },
  }
}

function integrationTimeout(ctx: Context): Explanation {
  const {evidence} = ctx
  const limits = limitsOf(evidence)
  const answer = evidence.gateway.facts
  const observed = seen(evidence.replay)?.durationMs ?? seen(evidence.trace)?.functionDurationMs
  const ran = observed === undefined ? '' : ` (the function takes ${ms(observed)})`
  const answered = answer.apiType === 'rest' ? '504 "Endpoint request timed out"' : '503 "Service Unavailable"'
  const cause = `API Gateway waited ${ms(limits.integrationTimeoutMs)}, its integration timeout, without an answer from ${functionLabel(ctx)}${ran}, and answered ${answered}.`
  const route = seen(evidence.route)
  const commands: string[] = []
  let summary = `Make the function answer within ${ms(limits.integrationTimeoutMs)}: do the slow work asynchronously (an Event invocation or a queue) and answer 202.`
  if (answer.apiType === 'http' && limits.integrationTimeoutMs < 30_000 && route?.matched?.integrationId) {
    summary = `Raise the integration timeout to the HTTP API maximum (30 s), or make the function answer within ${ms(limits.integrationTimeoutMs)}.`
    commands.push(
      `aws apigatewayv2 update-integration --api-id ${route.apiId ?? '<api-id>'} --integration-id ${route.matched.integrationId} --timeout-in-millis 30000`,
    )
  }
  const ceiling = Math.max(1, Math.floor(limits.integrationTimeoutMs / 1000) - 1)
  if (limits.functionTimeoutMs === undefined || limits.functionTimeoutMs / 1000 > ceiling) {
    summary += ` Set the function's timeout below it (${ceiling} s) so a slow run ends as a function error you can see in its logs.`
  }
  return {cause, fix: {summary, commands}}
}

function malformed(ctx: Context): Explanation {
  const replay = seen(ctx.evidence.replay)
  const rule = replay?.malformedRule
  const answer = ctx.evidence.gateway.facts
  const status = answer.apiType === 'rest' ? '502 ("Malformed Lambda proxy response")' : '500'
  const cause = rule
    ? `${functionLabel(ctx)} returned a response API Gateway cannot use: ${rule}. The ${ctx.apiName} answers ${status} for it.`
    : `${functionLabel(ctx)} ran without an error, yet the ${ctx.apiName} answered ${status}: its response most likely breaks the proxy response rules.`
  const field = replay?.malformedField ?? ''
  let code = "return {statusCode: 200, headers: {'content-type': 'application/json'}, body: JSON.stringify(result)}"
  let summary = 'Return a proxy response: a numeric statusCode and a string body.'
  if (field.startsWith('statusCode')) summary = 'Return a numeric statusCode (e.g. 200) with the body as a string.'
  else if (field.startsWith('body')) summary = 'The body must be a string: JSON.stringify objects before returning them.'
  else if (field.startsWith('multiValueHeaders')) {
    summary = 'Each multiValueHeaders value must be an array of strings.'
    code = "return {statusCode: 200, multiValueHeaders: {'set-cookie': ['a=1', 'b=2']}, body: JSON.stringify(result)}"
  } else if (field.startsWith('headers')) {
    summary = 'Header values must be strings.'
    code = "return {statusCode: 200, headers: {'x-count': String(count)}, body: JSON.stringify(result)}"
  } else if (field.startsWith('cookies')) {
    summary = 'cookies must be an array of strings.'
    code = "return {statusCode: 200, cookies: ['session=abc; HttpOnly'], body: JSON.stringify(result)}"
  }
  if (!rule) summary += ' Run the same tracegate invoke command with --replay to see the exact rule broken.'
  return {cause, fix: {summary, code, commands: deployStep(ctx)}}
}

function ok(ctx: Context): Explanation {
  const answer = ctx.evidence.gateway.facts
  if (answer.status < 400) {
    return {
      cause: `The ${ctx.apiName} and ${functionLabel(ctx)} answered ${answer.status} in ${ms(answer.durationMs)}.`,
      fix: {summary: 'Nothing to fix.', commands: []},
    }
  }
  return {
    cause: `${functionLabel(ctx)} itself answered ${answer.status}; API Gateway passed its response through unchanged. The gateway and the integration work.`,
    fix: {summary: `Look at why the handler answers ${answer.status} for this request (its input, its logs).`, commands: []},
  }
}

const CAUSE_NAMES: Record<Cause, string> = {
  'route-not-found': 'no route matches',
  'payload-too-large': 'a payload over the limits',
  'invocation-rejected/throttled': 'Lambda throttled the invocation',
  'invocation-rejected/permission': 'API Gateway lacks invoke permission',
  'function-error': 'the function threw',
  'function-timeout': 'the function timed out',
  'integration-timeout': 'the integration timed out',
  'malformed-response': 'a malformed response',
  ok: "the function's own answer",
}

function unknownCause(ctx: Context, allowed: Cause[], open: Cause[]): Explanation {
  const {evidence} = ctx
  const answer = evidence.gateway.facts
  const fn = evidence.function
  if (fn?.status === 'seen' && !fn.facts.exists) {
    return {
      cause: `The route's integration targets ${fn.facts.functionName}, which does not exist, so API Gateway cannot invoke it.`,
      fix: {summary: 'Create the function and point the integration at it:', commands: ['tracegate deploy']},
    }
  }
  if (fn?.status === 'seen' && fn.facts.state && fn.facts.state !== 'Active') {
    return {
      cause: `${fn.facts.functionName} is ${fn.facts.state}, not Active; Lambda refuses to invoke it until it is.`,
      fix: {summary: 'Wait for the function to become Active, or redeploy it if it Failed:', commands: ['tracegate deploy']},
    }
  }
  const causes = open.filter((c) => c !== 'ok')
  let cause: string
  if (allowed.filter((c) => c !== 'ok').length === 0) {
    cause = `The ${ctx.apiName} answered ${answer.status}, which none of the Lambda proxy failure modes explains (a 403 usually comes from an API key, a resource policy, an authorizer or WAF).`
  } else if (causes.length === 0) {
    cause = `Every cause a ${answer.status} from the ${ctx.apiName} can have was checked and looks fine now: the failure did not reproduce.`
  } else {
    cause = `The evidence does not single out why the ${ctx.apiName} answered ${answer.status}. Still possible: ${causes.map((c) => CAUSE_NAMES[c]).join('; ')}.`
  }
  const steps: string[] = []
  const commands: string[] = []
  const replay = evidence.replay
  if (replay && replay.status !== 'seen') steps.push(replay.status === 'not-seen' ? 'run the same tracegate invoke command with --replay to run the function with the same event' : `replay failed: ${replay.note}`)
  const trace = evidence.trace
  const tracing = seen(evidence.function)?.tracingMode
  if (trace && trace.status !== 'seen' && tracing !== 'Active') steps.push('turn on active tracing ("tracing": "Active" in tracegate.json) and deploy, so the next failure leaves a trace')
  if (evidence.permission?.status === 'error') steps.push("allow yourself lambda:GetPolicy on the function, so the permission check can read its resource policy")
  if (evidence.throttling?.status === 'error') steps.push('allow yourself lambda:GetFunctionConcurrency, so the throttling check can run')
  if (seen(evidence.replay)?.outcome === 'ok' && steps.length === 0) {
    steps.push('the failure did not reproduce on replay: it may depend on load (account concurrency) or on state; run the request again and look at the function logs')
  }
  return {
    cause,
    fix: {summary: steps.length > 0 ? `To narrow it down: ${steps.join('; ')}.` : 'Look at the function logs and the API access logs for this request id.', commands},
  }
}
