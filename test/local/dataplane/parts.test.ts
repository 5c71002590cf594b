/** The data plane's pure parts (addressing, integration targets, throttling, segment records) and its start-up. */
import {createSocket} from 'node:dgram'
import {rmSync} from 'node:fs'
import {describe, expect, test} from 'vitest'
import {lambdaTargetOf} from '../../../src/local/dataplane/cache.js'
import {eventPayload, executeApiTarget} from '../../../src/local/dataplane/execute-api.js'
import {withTraceRoot} from '../../../src/local/dataplane/host.js'
import {createSegmentSink, segmentInputFor} from '../../../src/local/dataplane/segments.js'
import {ThrottleBuckets} from '../../../src/local/dataplane/throttle.js'
import {LAMBDA_REQUEST_PAYLOAD_LIMIT_BYTES} from '../../../src/gateway/errors.js'
import {startEmulator} from '../../../src/local/server.js'
import {openStore} from '../../../src/local/store.js'
import {tempDir} from '../helpers.js'

describe('executeApiTarget', () => {
  test.each([
    ['/_aws/execute-api/abc123/prod/orders?x=1', undefined, {apiId: 'abc123', path: '/prod/orders', rawQueryString: 'x=1', domainName: 'abc123.execute-api.localhost'}],
    ['/_aws/execute-api/abc123', undefined, {apiId: 'abc123', path: '', rawQueryString: '', domainName: 'abc123.execute-api.localhost'}],
    ['/orders/1', 'abc123.execute-api.localhost:4577', {apiId: 'abc123', path: '/orders/1', rawQueryString: '', domainName: 'abc123.execute-api.localhost'}],
    ['/orders/1', 'ABC123.Execute-Api.LocalHost', {apiId: 'abc123', path: '/orders/1', rawQueryString: '', domainName: 'abc123.execute-api.localhost'}],
  ])('%s (Host %s)', (url, host, expected) => {
    expect(executeApiTarget(url, host)).toEqual(expected)
  })

  test.each([
    ['/_aws/execute-api/', undefined],
    ['/2015-03-31/functions', '127.0.0.1:4577'],
    ['/x', 'abc.execute-api.us-east-1.amazonaws.com'],
  ])('%s (Host %s) is not an execute-api request', (url, host) => {
    expect(executeApiTarget(url, host)).toBeUndefined()
  })
})

describe('eventPayload', () => {
  test('is the event as JSON text', () => {
    const event = {version: '2.0', headers: {'x-a': 'é "quoted"'}, body: '\u2028'}
    expect(eventPayload(event)).toBe(JSON.stringify(event))
  })

  test('is undefined once the UTF-8 bytes, not the characters, pass Lambda\'s 6 MB request limit', () => {
    // 2-byte characters: under the limit in characters, over it in bytes.
    const overInBytes = 'é'.repeat(LAMBDA_REQUEST_PAYLOAD_LIMIT_BYTES / 2)
    expect(eventPayload({body: overInBytes})).toBeUndefined()
    const underInBytes = 'é'.repeat(LAMBDA_REQUEST_PAYLOAD_LIMIT_BYTES / 2 - 20)
    expect(eventPayload({body: underInBytes})).toBe(JSON.stringify({body: underInBytes}))
    expect(eventPayload({body: 'x'.repeat(LAMBDA_REQUEST_PAYLOAD_LIMIT_BYTES)})).toBeUndefined()
  })
})

describe('lambdaTargetOf', () => {
  test('reads a function ARN, with or without a qualifier', () => {
    expect(lambdaTargetOf('arn:aws:lambda:us-east-2:123456789012:function:orders-get')).toEqual({region: 'us-east-2', accountId: '123456789012', name: 'orders-get'})
    expect(lambdaTargetOf('arn:aws:lambda:us-east-2:123456789012:function:orders-get:live')).toMatchObject({name: 'orders-get', qualifier: 'live'})
  })

  test('reads the API Gateway service path form REST integrations use', () => {
    const uri = 'arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:f/invocations'
    expect(lambdaTargetOf(uri)).toEqual({region: 'eu-west-1', accountId: '123456789012', name: 'f'})
  })

  test('anything else is no Lambda target', () => {
    expect(lambdaTargetOf('https://example.com/orders')).toBeUndefined()
    expect(lambdaTargetOf('arn:aws:sqs:us-east-1:123456789012:queue')).toBeUndefined()
  })
})

describe('ThrottleBuckets', () => {
  test('lets the burst through at once, then the rate', () => {
    const buckets = new ThrottleBuckets()
    const settings = {burstLimit: 2, rateLimit: 1}
    expect([0, 0, 0].map((t) => buckets.take('k', settings, t))).toEqual([true, true, false])
    expect(buckets.take('k', settings, 500)).toBe(false)
    expect(buckets.take('k', settings, 1000)).toBe(true)
    expect(buckets.take('k', settings, 1000)).toBe(false)
  })

  test('keys are separate; no settings means no limit; a zero limit lets nothing through', () => {
    const buckets = new ThrottleBuckets()
    expect(buckets.take('a', {burstLimit: 1, rateLimit: 0.001}, 0)).toBe(true)
    expect(buckets.take('b', {burstLimit: 1, rateLimit: 0.001}, 0)).toBe(true)
    expect(Array.from({length: 100}, () => buckets.take('c', {}, 0)).every(Boolean)).toBe(true)
    expect(buckets.take('d', {burstLimit: 0, rateLimit: 100}, 0)).toBe(false)
    expect(buckets.take('e', {rateLimit: 0}, 0)).toBe(false)
  })

  test('changed settings take effect at once', () => {
    const buckets = new ThrottleBuckets()
    expect(buckets.take('k', {burstLimit: 1, rateLimit: 0.001}, 0)).toBe(true)
    expect(buckets.take('k', {burstLimit: 1, rateLimit: 0.001}, 0)).toBe(false)
    expect(buckets.take('k', {burstLimit: 5, rateLimit: 0.001}, 0)).toBe(true)
  })
})

describe('segmentInputFor', () => {
  const base = {id: '0123456789abcdef', trace_id: '1-5759e988-bd862e3fe1be46a994272793', name: 'fn', start_time: 1.5, end_time: 2}

  test('a segment and a subsegment become the records PutTraceSegments stores', () => {
    expect(segmentInputFor(base)).toEqual({
      input: {traceId: base.trace_id, id: base.id, kind: 'segment', parentId: undefined, startTime: 1.5, endTime: 2, inProgress: false, document: JSON.stringify(base)},
    })
    const sub = {...base, type: 'subsegment', parent_id: 'fedcba9876543210'}
    expect(segmentInputFor(sub)).toMatchObject({input: {kind: 'subsegment', parentId: 'fedcba9876543210'}})
  })

  test.each([
    [{...base, id: 'xyz'}, 'id must be 16 hexadecimal digits'],
    [{...base, trace_id: 'abc'}, 'invalid trace id abc'],
    [{...base, end_time: undefined}, 'a segment needs end_time or in_progress: true'],
    [{...base, type: 'subsegment'}, 'a subsegment needs parent_id'],
    [{...base, name: ''}, 'name must be 1 to 200 characters'],
  ])('refuses %j', (doc, error) => {
    expect(segmentInputFor(doc)).toEqual({error})
  })
})

describe('segment sink', () => {
  const traceIdOf = (n: number) => `1-5759e988-${n.toString(16).padStart(24, '0')}`
  /** A daemon document: it names no function, so its region comes from traceRegion (or the default). */
  const daemonDocument = (n: number) => ({id: '0123456789abcdef', trace_id: traceIdOf(n), name: 'handler', start_time: 1, end_time: 2})

  test.each([
    ['a short document', 'x'.repeat(100), true],
    ['a 64 KB document of 2-byte characters (over the limit in bytes only)', 'é'.repeat(32 * 1024), false],
    ['a document just under 64 KB in bytes', 'é'.repeat(32 * 1024 - 100), true],
  ])('%s: stored only when it fits in 64 KB of UTF-8', (_label, annotation, stored) => {
    const document = {...daemonDocument(1), annotations: {text: annotation}}
    expect('input' in segmentInputFor(document)).toBe(stored)
  })

  test('remembers the region of the 10,000 most recently registered traces; registering one again makes it recent', () => {
    const dir = tempDir('tracegate-sink-')
    const store = openStore({dataDir: dir})
    try {
      const sink = createSegmentSink(store, 'us-east-1')
      for (let n = 0; n < 10_000; n++) sink.traceRegion(traceIdOf(n), 'eu-west-1')
      sink.traceRegion(traceIdOf(0), 'eu-west-1') // trace 0 is recent again, trace 1 the oldest
      for (let n = 10_000; n < 25_000; n++) {
        sink.traceRegion(traceIdOf(n), 'eu-west-1')
        if (n === 10_000) {
          // One over the limit: the oldest (trace 1) is forgotten, trace 0 is kept.
          sink.add([daemonDocument(0), daemonDocument(1), daemonDocument(2)])
          sink.flush()
          expect([0, 1, 2].map((t) => store.getTrace(traceIdOf(t))?.region)).toEqual(['eu-west-1', 'us-east-1', 'eu-west-1'])
        }
      }
      sink.add([daemonDocument(15_000), daemonDocument(14_999), daemonDocument(24_999)])
      sink.flush()
      expect([15_000, 14_999, 24_999].map((t) => store.getTrace(traceIdOf(t))?.region)).toEqual(['eu-west-1', 'us-east-1', 'eu-west-1'])
    } finally {
      store.close()
      rmSync(dir, {recursive: true, force: true})
    }
  })
})

describe('withTraceRoot', () => {
  test('keeps a header with a valid Root and starts a trace otherwise', () => {
    const header = 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1'
    expect(withTraceRoot(header)).toEqual({header, traceId: '1-5759e988-bd862e3fe1be46a994272793'})
    for (const given of [undefined, 'Root=nonsense', 'Sampled=1']) {
      const fresh = withTraceRoot(given)
      expect(fresh.traceId).toMatch(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/)
      expect(fresh.header).toBe(`Root=${fresh.traceId}`)
    }
    expect(withTraceRoot(undefined).traceId).not.toBe(withTraceRoot(undefined).traceId)
  })
})

describe('start-up', () => {
  test('a busy X-Ray daemon port is an emulator error naming the port, and the HTTP port is released', async () => {
    const socket = createSocket('udp4')
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()))
    const port = socket.address().port
    const dataDir = tempDir()
    try {
      await expect(startEmulator({port: 0, dataDir, dataPlane: {xrayDaemonPort: port}})).rejects.toMatchObject({
        code: 'LOCAL_XRAY_PORT_IN_USE',
        message: expect.stringContaining(`UDP port ${port}`),
        exitCode: 5,
      })
    } finally {
      socket.close()
      rmSync(dataDir, {recursive: true, force: true})
    }
  })

  test('the daemon listens on the configured port and the emulator reports it', async () => {
    const probe = createSocket('udp4')
    await new Promise<void>((resolve) => probe.bind(0, '127.0.0.1', () => resolve()))
    const port = probe.address().port
    await new Promise<void>((resolve) => probe.close(() => resolve()))
    const dataDir = tempDir()
    const emulator = await startEmulator({port: 0, dataDir, dataPlane: {xrayDaemonPort: port, standby: false}})
    try {
      expect(emulator.xrayDaemonAddress).toBe(`127.0.0.1:${port}`)
    } finally {
      await emulator.close()
      rmSync(dataDir, {recursive: true, force: true})
    }
  })
})
