/**
 * The emulator's HTTP server (Node's `http`, no framework), bound to 127.0.0.1 only.
 *
 * Dispatch, in order:
 * 1. `/_tracegate/…` — the emulator's own endpoints: `GET /_tracegate/health`, `GET /_tracegate/code/{sha256}`
 *    (the `Code.Location` GetFunction hands out).
 * 2. Extensions — the data plane plugs in here (part 2: execute-api under `/_aws/execute-api/{apiId}` and by
 *    Host `{apiId}.execute-api.localhost`; Lambda Invoke). Each extension sees the parsed request first and
 *    returns true when it answered.
 * 3. The control plane — one route table per service. The service is the signing name in the SigV4
 *    credential scope when present, else inferred from the path (aws-semantics §2: no operation uses a host
 *    prefix, so paths are unique per service); IAM is `POST /` with an `Action` form field. Any credentials
 *    are accepted and the signature is not checked; the region comes from the credential scope.
 *
 * Errors are always in the protocol the SDK parses: JSON with `x-amzn-ErrorType` for restJson1 services, XML for
 * IAM — never HTML, for unknown paths and actions too.
 */
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import {UserError} from '../errors.js'
import {VERSION} from '../version.js'
import {DEFAULT_PORT, HEALTH_PATH} from './constants.js'
import {APIGATEWAY_V1_ROUTES, isApiGatewayV1Path} from './control/apigateway.js'
import {APIGATEWAYV2_ROUTES} from './control/apigatewayv2.js'
import {type ControlContext, DEFAULT_ACCOUNT_ID, DEFAULT_REGION} from './control/context.js'
import {handleIam, iamErrorResponse} from './control/iam.js'
import {requestId as newRequestId} from './control/ids.js'
import {LAMBDA_PATH_PREFIXES, LAMBDA_ROUTES} from './control/lambda.js'
import {DEFAULT_XRAY_OPTIONS, XRAY_PATHS, type XrayOptions, xrayRoutes} from './control/xray.js'
import {createDataPlane, type DataPlane, type DataPlaneOptions} from './dataplane/index.js'
import {restStore} from './rest-store.js'
import {openStore, type Store} from './store.js'
import {credentialScope, type EmulatorRequest, findRoute, json, type Route, ServiceError, type WireResponse} from './wire.js'

export {DEFAULT_PORT, HEALTH_PATH} from './constants.js'
/** Larger than Lambda's 69,905,067-byte CreateFunction request limit, so that limit is the one that answers. */
const MAX_BODY_BYTES = 69_905_067

export type ServiceName = 'lambda' | 'apigateway' | 'xray' | 'iam'

/** What extensions (the data plane) get from the emulator. */
export interface EmulatorEnv {
  store: Store
  accountId: string
  dataDir: string
  defaultRegion: string
  /** `http://127.0.0.1:{port}` once listening. */
  baseUrl: string
}

export interface EmulatorExtension {
  name: string
  /** Answers the request and returns true, or returns false to let the next handler try. */
  handle(request: EmulatorRequest, response: ServerResponse, env: EmulatorEnv): boolean | Promise<boolean>
  /** Called once the emulator listens (`env.baseUrl` is set), before `startEmulator` resolves. */
  start?(env: EmulatorEnv): void | Promise<void>
  close?(): void | Promise<void>
}

export interface RequestLogEntry {
  method: string
  path: string
  service?: string
  operation?: string
  status: number
  durationMs: number
}

export interface EmulatorOptions {
  /** 0 picks a free port. Default 4577. */
  port?: number
  /** Only 127.0.0.1 is supported: the emulator accepts any credentials, so it must not be reachable from outside. */
  host?: '127.0.0.1'
  dataDir: string
  accountId?: string
  /** Region for requests that carry no SigV4 scope (curl, health checks). */
  defaultRegion?: string
  xray?: Partial<XrayOptions>
  extensions?: EmulatorExtension[]
  /** The built-in data plane (execute-api, Lambda Invoke, runtime, X-Ray daemon, faults); false leaves it out. */
  dataPlane?: DataPlaneOptions | false
  /** Called after every request (the foreground `local start` prints these). */
  onRequest?: (entry: RequestLogEntry) => void
}

export interface RunningEmulator {
  url: string
  port: number
  dataDir: string
  accountId: string
  startedAt: Date
  store: Store
  /** `127.0.0.1:{port}` of the UDP X-Ray daemon handlers send to (absent without the data plane). */
  xrayDaemonAddress?: string
  close(): Promise<void>
}

export interface HealthReport {
  status: 'ok'
  service: 'tracegate-emulator'
  version: string
  pid: number
  port: number
  url: string
  dataDir: string
  accountId: string
  startedAt: string
  uptimeSeconds: number
  /** `apis` is every API: `httpApis` (ApiGatewayV2) plus `restApis` (API Gateway v1, their own tables). */
  counts: {functions: number; apis: number; httpApis: number; restApis: number; traces: number}
}

class BodyTooLargeError extends Error {}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    request.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLargeError())
        request.destroy()
        return
      }
      chunks.push(chunk)
    })
    request.on('end', () => resolve(Buffer.concat(chunks)))
    request.on('error', reject)
  })
}

const EMPTY_BODY = Buffer.alloc(0)

/**
 * A request with neither Content-Length nor Transfer-Encoding has no body (RFC 9112 §6.3), nor one with
 * `Content-Length: 0`: nothing to wait for. Reading such a body through stream events anyway (listeners, a
 * promise, the end event a tick later) cost about 40 us per request, as much as the rest of Node's HTTP handling.
 */
function hasNoBody(request: IncomingMessage): boolean {
  const length = request.headers['content-length']
  return request.headers['transfer-encoding'] === undefined && (length === undefined || length === '0')
}

function send(response: ServerResponse, wire: WireResponse, requestId: string): void {
  if (response.headersSent) return
  const body = wire.body ?? ''
  response.writeHead(wire.status, {
    'x-amzn-RequestId': requestId,
    ...wire.headers,
    'content-length': String(Buffer.byteLength(body)),
  })
  response.end(body)
}

/** A restJson1 error: code in `x-amzn-ErrorType`, members in the body (aws-semantics §1.1). */
function jsonError(error: ServiceError): WireResponse {
  return json(error.status, error.body, {'x-amzn-ErrorType': error.code, ...error.headers})
}

function unknownOperation(request: EmulatorRequest, service?: string): ServiceError {
  const where = service ? `${service} ` : ''
  const message = `The tracegate emulator does not implement ${where}${request.method} ${request.path}`
  return new ServiceError(404, 'UnknownOperationException', message, {message})
}

function inferService(request: EmulatorRequest): ServiceName | undefined {
  const scoped = request.signingService
  if (scoped === 'lambda' || scoped === 'apigateway' || scoped === 'xray' || scoped === 'iam') return scoped
  const path = request.path
  if (LAMBDA_PATH_PREFIXES.some((prefix) => path.startsWith(prefix))) return 'lambda'
  if (path.startsWith('/v2/') || isApiGatewayV1Path(path)) return 'apigateway'
  if (XRAY_PATHS.includes(path)) return 'xray'
  if (path === '/' && request.method === 'POST') return 'iam'
  return undefined
}

function parseRequest(
  req: IncomingMessage,
  body: Buffer,
  baseUrl: string,
  defaultRegion: string,
  accountId: string,
): EmulatorRequest {
  const raw = req.url ?? '/'
  const q = raw.indexOf('?')
  // A custom endpoint with a trailing slash makes the SDK send `//…` (aws-semantics §2, "Addressing").
  const path = (q < 0 ? raw : raw.slice(0, q)).replace(/^\/{2,}/, '/')
  const scope = credentialScope(req.headers.authorization)
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    path,
    query: new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)),
    headers: req.headers,
    body,
    region: scope.region ?? defaultRegion,
    signingService: scope.service,
    accountId,
    requestId: newRequestId(),
    baseUrl,
  }
}

/** Opens the store, turning file-system failures into an error that names the data directory. */
function openStoreOrExplain(dataDir: string): Store {
  try {
    return openStore({dataDir})
  } catch (error) {
    const code = String((error as NodeJS.ErrnoException).code ?? '')
    if (['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EEXIST', 'SQLITE_CANTOPEN', 'SQLITE_READONLY', 'SQLITE_IOERR'].includes(code)) {
      throw new UserError('LOCAL_DATA_DIR_UNWRITABLE', `The emulator cannot write its data directory ${dataDir} (${code})`, {
        exit: 'emulator',
        suggestion: 'Pick a writable directory with --data-dir DIR or TRACEGATE_LOCAL_DIR',
        cause: error,
      })
    }
    throw error
  }
}

/** Starts the emulator. Resolves once it is listening; `close()` stops it and closes the store. */
export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const host = options.host ?? '127.0.0.1'
  if (host !== '127.0.0.1') throw new Error('The emulator binds to 127.0.0.1 only')
  const accountId = options.accountId ?? DEFAULT_ACCOUNT_ID
  if (!/^\d{12}$/.test(accountId)) {
    throw new UserError('LOCAL_ACCOUNT_INVALID', `Account id "${accountId}" is not 12 digits`, {
      suggestion: 'Use a 12-digit account id such as 000000000000',
    })
  }
  const defaultRegion = options.defaultRegion ?? DEFAULT_REGION
  const store = openStoreOrExplain(options.dataDir)
  const ctx: ControlContext = {store, accountId}
  const routes: Record<Exclude<ServiceName, 'iam'>, readonly Route<ControlContext>[]> = {
    lambda: LAMBDA_ROUTES,
    // ApiGatewayV2 (HTTP APIs, `/v2/…`) and API Gateway v1 (REST APIs, `/restapis…`, `/tags/…`) share a signing name.
    apigateway: [...APIGATEWAYV2_ROUTES, ...APIGATEWAY_V1_ROUTES],
    xray: xrayRoutes({...DEFAULT_XRAY_OPTIONS, ...options.xray}),
  }
  const dataPlane: DataPlane | undefined = options.dataPlane === false ? undefined : createDataPlane(options.dataPlane)
  const extensions = [...(options.extensions ?? []), ...(dataPlane ? [dataPlane] : [])]
  const startedAt = new Date()
  const env: EmulatorEnv = {store, accountId, dataDir: options.dataDir, defaultRegion, baseUrl: ''}
  let port = 0

  function health(): HealthReport {
    const counts = store.counts()
    const restApis = restStore(store).countApis()
    return {
      status: 'ok',
      service: 'tracegate-emulator',
      version: VERSION,
      pid: process.pid,
      port,
      url: env.baseUrl,
      dataDir: options.dataDir,
      accountId,
      startedAt: startedAt.toISOString(),
      uptimeSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
      counts: {functions: counts.functions, apis: counts.apis + restApis, httpApis: counts.apis, restApis, traces: counts.traces},
    }
  }

  function internal(request: EmulatorRequest): WireResponse | undefined {
    if (request.path === HEALTH_PATH && request.method === 'GET') return json(200, health())
    const code = /^\/_tracegate\/code\/([0-9a-f]{64})$/.exec(request.path)
    if (code && request.method === 'GET') {
      const zip = store.getCode(code[1])
      if (!zip) return json(404, {message: 'No code with that SHA-256'})
      return {status: 200, headers: {'content-type': 'application/zip'}, body: zip}
    }
    return undefined
  }

  async function dispatch(request: EmulatorRequest, response: ServerResponse): Promise<{service?: string; operation?: string; wire?: WireResponse}> {
    const own = internal(request)
    if (own) return {service: 'tracegate', wire: own}
    for (const extension of extensions) {
      if (await extension.handle(request, response, env)) return {service: extension.name}
    }
    if (request.path.startsWith('/_tracegate/')) {
      return {service: 'tracegate', wire: json(404, {message: `Unknown emulator endpoint ${request.path}`})}
    }
    const service = inferService(request)
    if (service === 'iam') {
      try {
        return {service, wire: handleIam(request, ctx)}
      } catch (error) {
        if (error instanceof ServiceError) return {service, wire: iamErrorResponse(error, request.requestId)}
        throw error
      }
    }
    const table = service ? routes[service] : undefined
    const found = table ? findRoute(table, request.method, request.path) : undefined
    if (!found) return {service, wire: jsonError(unknownOperation(request, service))}
    try {
      return {service, operation: found.route.operation, wire: await found.route.handle(request, found.params, ctx)}
    } catch (error) {
      if (error instanceof ServiceError) return {service, operation: found.route.operation, wire: jsonError(error)}
      throw error
    }
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now()
    let body: Buffer = EMPTY_BODY
    try {
      if (!hasNoBody(req)) body = await readBody(req)
    } catch (error) {
      const id = newRequestId()
      if (error instanceof BodyTooLargeError) {
        const message = `Request must be smaller than ${MAX_BODY_BYTES} bytes for the operation`
        res.setHeader('connection', 'close')
        send(res, jsonError(new ServiceError(413, 'RequestTooLargeException', message, {Type: 'User', message})), id)
      }
      return
    }
    const request = parseRequest(req, body, env.baseUrl, defaultRegion, accountId)
    let result: {service?: string; operation?: string; wire?: WireResponse}
    try {
      result = await dispatch(request, res)
    } catch (error) {
      const message = `Internal error in the tracegate emulator: ${(error as Error).message}`
      const failure = new ServiceError(500, 'ServiceException', message, {Type: 'Service', message})
      result = {wire: inferService(request) === 'iam' ? iamErrorResponse(failure, request.requestId) : jsonError(failure)}
      process.emitWarning(`tracegate emulator: ${request.method} ${request.path} failed: ${(error as Error).stack ?? error}`)
    }
    if (result.wire) send(res, result.wire, request.requestId)
    options.onRequest?.({
      method: request.method,
      path: request.path,
      service: result.service,
      operation: result.operation,
      status: result.wire?.status ?? res.statusCode,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
    })
  }

  const server: Server = createServer((req, res) => {
    void onRequest(req, res)
  })
  server.keepAliveTimeout = 5000

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(options.port ?? DEFAULT_PORT, host, () => {
        server.off('error', reject)
        resolve()
      })
    })
  } catch (error) {
    store.close()
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EADDRINUSE') {
      throw new UserError('LOCAL_PORT_IN_USE', `Port ${options.port} on ${host} is already in use by another program`, {
        exit: 'emulator',
        suggestion: 'Stop that program, or pick another port with --port',
        cause: error,
      })
    }
    if (code === 'EACCES') {
      throw new UserError('LOCAL_PORT_DENIED', `Not allowed to listen on port ${options.port}`, {
        exit: 'emulator',
        suggestion: 'Use a port above 1023, e.g. --port 4577',
        cause: error,
      })
    }
    throw error
  }
  port = (server.address() as AddressInfo).port
  env.baseUrl = `http://${host}:${port}`
  try {
    for (const extension of extensions) await extension.start?.(env)
  } catch (error) {
    await new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    })
    for (const extension of extensions) await extension.close?.()
    store.close()
    throw error
  }

  let closing: Promise<void> | undefined
  return {
    url: env.baseUrl,
    port,
    dataDir: options.dataDir,
    accountId,
    startedAt,
    store,
    xrayDaemonAddress: dataPlane?.xrayDaemonAddress,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve())
          server.closeAllConnections()
        })
        for (const extension of extensions) await extension.close?.()
        store.close()
      })()
      return closing
    },
  }
}
