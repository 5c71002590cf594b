/**
 * `tracegate invoke` as a service: resolve the URL (the project's API, found by its tag as deploy finds it),
 * send the request, and when the answer is a failure (or on --explain) gather evidence and diagnose it.
 * Returns a typed result; never prints (progress events only).
 */
import type {AwsClients} from '../aws/clients.js'
import type {InvokeApi} from '../aws/invoke.js'
import type {XRayReader} from '../aws/xray.js'
import type {ProjectConfig} from '../config/schema.js'
import {classifyAnswer} from '../diagnose/answer.js'
import {type Diagnosis, diagnose} from '../diagnose/diagnose.js'
import type {ApiType, EvidenceSet} from '../diagnose/evidence.js'
import {UserError} from '../errors.js'
import {integrationTimeoutMs} from '../gateway/errors.js'
import {type Progress, silentProgress, step} from '../progress.js'
import {VERSION} from '../version.js'
import {apiIdFromUrl, apiTypeFromHeaders, type DeployedApi, findProjectApi} from './api.js'
import {collectEvidence} from './collect.js'
import {type Budgets, type Clock, DEFAULT_BUDGETS, systemClock} from './collectors/context.js'
import {replayDecision} from './collectors/replay.js'
import {type LocalSources, localSources} from '../package/local-sources.js'
import {functionToMap, type SourceFramesResult, withSourceFrames} from './source-frames.js'
import {type FetchLike, newTraceId, sendRequest} from './http.js'
import {parseRequest, type RequestFlags, redactHeaders} from './request.js'
import {type ResponseView, traceIdOf, viewResponse} from './response.js'

export interface InvokeDeps {
  /** The project's deployed API (default: found by tag with deploy's lookup). */
  findApi?: (clients: AwsClients, project: ProjectConfig) => Promise<DeployedApi | undefined>
  invokeApi?: (clients: AwsClients) => Promise<InvokeApi>
  xray?: (clients: AwsClients) => Promise<XRayReader>
  fetch?: FetchLike
  clock?: Clock
  /**
   * Local source maps for the project's functions (default: bundled here, checked against the CodeSha256 of the
   * GetFunctionConfiguration the collectors make anyway: `deployedCodeSha256`).
   */
  sources?: (project: ProjectConfig, deployedCodeSha256: (functionName: string) => Promise<string | undefined>) => LocalSources
}

export interface InvokeOptions {
  /** `"GET /orders/42"`, `/orders/42` or a full URL. */
  target: string
  request?: RequestFlags
  stage?: string
  /** --replay (true), --no-replay (false), or neither. */
  replay?: boolean
  /** Diagnose even a successful answer. */
  explain?: boolean
  project?: ProjectConfig
  /** AWS access, created on first use: a full URL answered 2xx needs none. Rejects when none is configured. */
  aws?: () => Promise<AwsClients>
  progress?: Progress
  budgets?: Partial<Budgets>
  /** Most characters of the body to keep (default 16 KB). */
  bodyLimit?: number
  deps?: InvokeDeps
}

export interface InvokeRequestView {
  method: string
  url: string
  /** Headers sent; secrets (Authorization, Cookie, X-Api-Key, …) redacted. */
  headers: [string, string][]
  bodyBytes: number
  apiType: ApiType
  stage?: string
}

export interface InvokeResult {
  request: InvokeRequestView
  response: ResponseView
  /** Present when the answer was a failure (status ≥ 400) or --explain was given. */
  diagnosis?: Diagnosis
}

/** A failure (status ≥ 400): diagnosed, and the command exits with EXIT_CODES.diagnosed. */
export function isFailure(result: Pick<InvokeResult, 'response'>): boolean {
  return result.response.status >= 400
}

const DEFAULT_BODY_LIMIT = 16 * 1024

/** Where the request goes and what is known about the API it goes to. */
interface Resolved {
  url: string
  path: string
  query: string
  stage: string
  api?: DeployedApi
  apiProblem?: string
}

function joinUrl(base: string, path: string, query: string): string {
  return `${base.replace(/\/+$/, '')}${path}${query ? `?${query}` : ''}`
}

/** The stage a full URL addresses on a known API, and the path below it; `undefined` when it is another API. */
function locateOnApi(api: DeployedApi, url: URL, preferred?: string): {stage: string; path: string} | undefined {
  const stages = [...api.stages].sort((a, b) => (a === preferred ? -1 : b === preferred ? 1 : a === '$default' ? 1 : b === '$default' ? -1 : 0))
  for (const stage of stages) {
    const base = new URL(api.url(stage))
    if (base.host !== url.host) continue
    const basePath = base.pathname.replace(/\/+$/, '')
    if (url.pathname === basePath || url.pathname.startsWith(`${basePath}/`)) return {stage, path: url.pathname.slice(basePath.length) || '/'}
  }
  return undefined
}

function describeError(error: unknown): string {
  return error instanceof UserError ? error.message : String((error as Error)?.message ?? error)
}

export async function invokeEndpoint(options: InvokeOptions): Promise<InvokeResult> {
  const progress = options.progress ?? silentProgress
  const deps = options.deps ?? {}
  const clock = deps.clock ?? systemClock
  const budgets = {...DEFAULT_BUDGETS, ...options.budgets}
  const spec = parseRequest(options.target, options.request)
  const project = options.project

  let clientsPromise: Promise<AwsClients> | undefined
  const clients = () => {
    if (!options.aws) return Promise.reject(new UserError('AWS_UNCONFIGURED', 'No AWS access was configured for this call'))
    clientsPromise ??= options.aws()
    return clientsPromise
  }
  const findApi = deps.findApi ?? ((c: AwsClients, p: ProjectConfig) => findProjectApi(c, p))

  // 1. Where to send it.
  let resolved: Resolved
  if (spec.url) {
    const url = new URL(spec.url)
    resolved = {url: spec.url, path: url.pathname, query: spec.query, stage: options.stage ?? project?.api.stage ?? '$default'}
  } else {
    if (!project) {
      throw new UserError('CONFIG_NOT_FOUND', 'A route or path needs the project (tracegate.json) to find its API', {
        suggestion: 'Run the command in the project directory, or pass a full URL',
      })
    }
    const c = await clients()
    const api = await step(progress, 'resolve', `Find the API of ${project.name}`, () => findApi(c, project), (a) => a?.endpoint)
    if (!api) {
      throw new UserError('API_NOT_FOUND', `No API tagged tracegate:project=${project.name} in ${c.region}`, {
        suggestion: 'Deploy it first: tracegate deploy (or pass --region / --local if it lives elsewhere)',
      })
    }
    const stage = options.stage ?? project.api.stage
    resolved = {url: joinUrl(api.url(stage), spec.path ?? '/', spec.query), path: spec.path ?? '/', query: spec.query, stage, api}
  }

  // 2. Send it.
  const headers: [string, string][] = [...spec.headers]
  const has = (name: string) => headers.some(([n]) => n.toLowerCase() === name)
  if (!has('user-agent')) headers.push(['User-Agent', `tracegate/${VERSION}`])
  if (spec.body && !has('content-type') && isJson(spec.body)) headers.push(['Content-Type', 'application/json'])
  let sentTraceId: string | undefined
  if (!has('x-amzn-trace-id')) {
    sentTraceId = newTraceId(new Date(clock.now()))
    headers.push(['X-Amzn-Trace-Id', `Root=${sentTraceId};Sampled=1`])
  } else {
    sentTraceId = traceIdOf(headers.find(([n]) => n.toLowerCase() === 'x-amzn-trace-id')?.[1])
  }
  const sent = {method: spec.method, url: resolved.url, headers, body: spec.body}
  const label = `${spec.method} ${spec.url ? resolved.url : `${resolved.path}${resolved.query ? `?${resolved.query}` : ''}`}`
  const response = await step(
    progress,
    'request',
    label,
    // API Gateway gives up after 29-30 s (aws-semantics §5); wait a little longer for its answer.
    () => sendRequest(sent, {timeoutMs: integrationTimeoutMs('http') + 15_000, fetch: deps.fetch}),
    (r) => `${r.status} ${r.statusText}`.trim(),
  )
  const view = viewResponse(response, options.bodyLimit ?? DEFAULT_BODY_LIMIT)
  const failed = response.status >= 400

  // A full URL: is it the project's API? Then routes and stage are known.
  if (spec.url && project && (failed || options.explain) && options.aws) {
    try {
      const api = await findApi(await clients(), project)
      const located = api ? locateOnApi(api, new URL(resolved.url), options.stage) : undefined
      if (api && located) resolved = {...resolved, api, stage: located.stage, path: located.path}
      else resolved.apiProblem = api ? `the URL is not ${project.name}'s API (${api.endpoint})` : `no API is tagged tracegate:project=${project.name}`
    } catch (error) {
      resolved.apiProblem = `the project's API could not be read: ${describeError(error)}`
    }
  } else if (spec.url && !project) {
    resolved.apiProblem = 'no tracegate.json here, so the deployed routes are not known'
  }

  const apiType: ApiType = resolved.api?.apiType ?? apiTypeFromHeaders(response.headers) ?? project?.api.type ?? 'http'
  const request: InvokeRequestView = {
    method: spec.method,
    url: resolved.url,
    headers: redactHeaders(headers),
    bodyBytes: spec.body?.length ?? 0,
    apiType,
    stage: resolved.stage,
  }
  if (!failed && !options.explain) return {request, response: view}

  // 3. Evidence and diagnosis.
  const answer = classifyAnswer(apiType, response.status, response.headers, response.body.toString('utf8'))
  const evidence: EvidenceSet = {
    gateway: {
      source: 'gateway',
      status: 'seen',
      facts: {
        apiType,
        status: response.status,
        ...answer,
        errorType: response.headers['x-amzn-errortype'],
        requestId: response.headers['apigw-requestid'] ?? response.headers['x-amzn-requestid'],
        traceId: traceIdOf(response.headers['x-amzn-trace-id']),
        durationMs: response.durationMs,
        requestBytes: spec.body?.length ?? 0,
        method: spec.method,
        path: resolved.path,
      },
    },
  }
  let c: AwsClients | undefined
  let noAws: string | undefined
  try {
    c = await clients()
  } catch (error) {
    noAws = `no AWS access: ${describeError(error)}`
  }
  // One GetFunctionConfiguration per function for the whole run: the collectors and the source-map check share it.
  const aws = c ? oneLookupPerFunction(await (deps.invokeApi ?? (async (cl: AwsClients) => (await import('../aws/invoke.js')).createInvokeApi(cl)))(c)) : undefined
  const sources =
    aws && project ? (deps.sources ?? defaultSources)(project, async (name) => (await aws.getFunctionConfiguration(name))?.codeSha256) : undefined
  if (c && aws) {
    const collected = await collectEvidence(
      {
        apiType,
        region: c.region,
        stage: resolved.stage,
        api: resolved.api,
        apiProblem: resolved.apiProblem,
        apiId: resolved.api?.apiId ?? apiIdFromUrl(resolved.url),
        request: {...sent, path: resolved.path, query: resolved.query},
        response,
        traceIds: [traceIdOf(response.headers['x-amzn-trace-id']), sentTraceId].filter((id): id is string => id !== undefined),
        traceHeader: sentTraceId ? `Root=${sentTraceId};Sampled=1` : undefined,
        project,
        sources,
        replay: replayDecision(spec.method, options.replay),
        aws,
        xray: () => (deps.xray ?? defaultXray)(c as AwsClients),
        budgets,
        clock,
      },
      progress,
    )
    Object.assign(evidence, collected)
  } else {
    for (const source of ['route', 'permission', 'throttling', 'trace', 'replay'] as const) {
      ;(evidence as unknown as Record<string, unknown>)[source] = {source, status: 'error', note: noAws}
    }
  }
  // Frames in the deployed bundle → the project's files, when the local source is the deployed code.
  const sourced = sources ? await sourceFramesStep(progress, evidence, project, sources, budgets.sourceMap) : {evidence}
  const diagnosis = diagnose(sourced.evidence)
  if (sourced.note) diagnosis.notes.push(sourced.note)
  return {request, response: view, diagnosis}
}

function defaultSources(project: ProjectConfig, deployedCodeSha256: (functionName: string) => Promise<string | undefined>): LocalSources {
  return localSources({project, deployedCodeSha256})
}

/** The same API, with GetFunctionConfiguration asked once per function (later callers get the first answer). */
function oneLookupPerFunction(api: InvokeApi): InvokeApi {
  const lookups = new Map<string, ReturnType<InvokeApi['getFunctionConfiguration']>>()
  return {
    ...api,
    getFunctionConfiguration(name, signal) {
      let lookup = lookups.get(name)
      if (!lookup) {
        lookup = api.getFunctionConfiguration(name, signal)
        lookups.set(name, lookup)
      }
      return lookup
    },
  }
}

/** A progress step only when there is something to map (frames in a project function's bundle). */
async function sourceFramesStep(
  progress: Progress,
  evidence: EvidenceSet,
  project: ProjectConfig | undefined,
  sources: LocalSources,
  budgetMs: number,
): Promise<SourceFramesResult> {
  const functionName = functionToMap(evidence, project)
  if (!functionName) return {evidence}
  const label = 'Source lines'
  progress.emit({step: 'evidence:source', status: 'start', label})
  const started = performance.now()
  const result = await withSourceFrames(evidence, {project, sources, budgetMs})
  const durationMs = Math.round(performance.now() - started)
  // The note itself is in the diagnosis (stdout); the step says only what it means for the lines.
  if (result.note) progress.emit({step: 'evidence:source', status: 'warn', label, detail: 'lines refer to the deployed bundle', durationMs})
  else if (result.mapped) progress.emit({step: 'evidence:source', status: 'done', label, detail: 'the local source is the deployed code', durationMs})
  else progress.emit({step: 'evidence:source', status: 'skip', label, detail: 'the source map has no line for these frames', durationMs})
  return result
}

async function defaultXray(clients: AwsClients): Promise<XRayReader> {
  const [{xrayReader}, client] = await Promise.all([import('../aws/xray.js'), clients.xray()])
  // One attempt per call: the trace collector has its own time budget and polls.
  return xrayReader(client, {retry: {maxAttempts: 1}})
}

function isJson(body: Buffer): boolean {
  try {
    JSON.parse(body.toString('utf8'))
    return true
  } catch {
    return false
  }
}
