import {describe, expect, test} from 'vitest'
import type {TraceSummaryQuery, XRayReader, XRayTraceSummary} from '../../src/aws/xray.js'
import {recordingProgress} from '../../src/progress.js'
import {type FollowClock, type FollowEvent, followTraces} from '../../src/traces/follow.js'

const BASE = Date.UTC(2024, 4, 1, 10, 0, 0)

/** Time that only moves when the code under test sleeps. */
function fakeClock(start = BASE): FollowClock & {sleeps: number[]; t: number} {
  const clock = {
    t: start,
    sleeps: [] as number[],
    now: () => clock.t,
    async sleep(ms: number, signal?: AbortSignal) {
      clock.sleeps.push(ms)
      if (signal?.aborted) return
      clock.t += ms
    },
  }
  return clock
}

function traceId(n: number, atMs: number): string {
  return `1-${Math.floor(atMs / 1000).toString(16).padStart(8, '0')}-${n.toString(16).padStart(24, '0')}`
}

interface Indexed {
  summary: XRayTraceSummary
  /** When X-Ray has indexed it (searchable from then on). */
  visibleAt: number
}

/**
 * An X-Ray stand-in: summaries become searchable at `visibleAt`, windows select by trace start (TimeRangeType
 * TraceId, inclusive bounds), and scripted errors can be thrown for given polls.
 */
function fakeXRay(clock: FollowClock, errors: Record<number, Error> = {}) {
  const index: Indexed[] = []
  const queries: TraceSummaryQuery[] = []
  const reader: XRayReader = {
    async traceSummaries(query) {
      queries.push(query)
      const error = errors[queries.length]
      if (error) throw error
      const now = clock.now()
      const summaries = index
        .filter((e) => e.visibleAt <= now)
        .map((e) => e.summary)
        .filter((s) => {
          const start = (s.StartTime as Date).getTime()
          return start >= query.start.getTime() && start <= query.end.getTime()
        })
        // X-Ray does not promise an order: hand them back newest first to prove follow sorts.
        .reverse()
      return {summaries, tracesProcessed: summaries.length, truncated: false, pages: 1}
    },
    async traces() {
      throw new Error('follow must not fetch full traces')
    },
  }
  const add = (n: number, startMs: number, visibleAt: number, overrides: Partial<XRayTraceSummary> = {}) => {
    const existing = index.find((e) => e.summary.Id === traceId(n, startMs))
    const summary: XRayTraceSummary = {
      Id: traceId(n, startMs),
      StartTime: new Date(startMs),
      Duration: 0.05,
      ResponseTime: 0.05,
      Http: {HttpMethod: 'GET', HttpURL: `https://a1.execute-api.us-east-2.amazonaws.com/dev/orders/${n}`, HttpStatus: 200},
      ServiceIds: [{Name: 'orders-getOrder', Type: 'AWS::Lambda::Function'}],
      ...overrides,
    }
    if (existing) Object.assign(existing, {summary, visibleAt})
    else index.push({summary, visibleAt})
  }
  return {reader, queries, add}
}

function throttledError(): Error {
  return Object.assign(new Error('Rate exceeded'), {name: 'ThrottledException', $metadata: {httpStatusCode: 429}})
}

async function follow(
  options: {
    clock: ReturnType<typeof fakeClock>
    reader: XRayReader
    polls: number
    onPoll?: (poll: number) => void
  } & Partial<Parameters<typeof followTraces>[0]>,
) {
  const controller = new AbortController()
  const events: FollowEvent[] = []
  let sleeps = 0
  const clock: FollowClock = {
    now: options.clock.now,
    async sleep(ms, signal) {
      sleeps++
      options.onPoll?.(sleeps)
      if (sleeps >= options.polls) controller.abort()
      await options.clock.sleep(ms, signal)
    },
  }
  const stats = await followTraces({
    filterExpression: 'service("orders-getOrder")',
    since: new Date(BASE - 60_000),
    intervalMs: 2000,
    overlapMs: 10_000,
    ...options,
    xray: options.reader,
    clock,
    signal: controller.signal,
    onTrace: (event) => events.push(event),
  })
  return {events, stats}
}

describe('followTraces', () => {
  test('overlapping windows never print a trace twice', async () => {
    const clock = fakeClock()
    const xray = fakeXRay(clock)
    for (let i = 0; i < 5; i++) xray.add(i, BASE - 5000 + i * 1000, BASE)
    const {events, stats} = await follow({clock, reader: xray.reader, polls: 6})
    expect(events.map((e) => e.trace.id)).toEqual([0, 1, 2, 3, 4].map((i) => traceId(i, BASE - 5000 + i * 1000)))
    expect(events.every((e) => e.kind === 'new')).toBe(true)
    expect(stats).toMatchObject({polls: 6, traces: 5, updates: 0})
    // Consecutive windows overlap by overlapMs and end at the poll time.
    for (let i = 1; i < xray.queries.length; i++) {
      expect(xray.queries[i].start.getTime()).toBe(xray.queries[i - 1].end.getTime() - 10_000)
    }
  })

  test('no gap at a window edge: a trace indexed late is still found by the next, overlapping window', async () => {
    const clock = fakeClock()
    const xray = fakeXRay(clock)
    // Starts just before the first poll, but X-Ray only indexes it 7 s later (after that poll's window).
    xray.add(1, BASE - 500, BASE + 7000)
    xray.add(2, BASE + 3000, BASE + 3500)
    const {events} = await follow({clock, reader: xray.reader, polls: 6})
    expect(events.map((e) => e.trace.id)).toEqual([traceId(2, BASE + 3000), traceId(1, BASE - 500)])
  })

  test('the first window starts at --since, not earlier', async () => {
    const clock = fakeClock()
    const xray = fakeXRay(clock)
    xray.add(1, BASE - 120_000, BASE - 100_000)
    const {events} = await follow({clock, reader: xray.reader, polls: 1, since: new Date(BASE - 60_000)})
    expect(events).toEqual([])
    expect(xray.queries[0].start.getTime()).toBe(BASE - 60_000)
  })

  test('an in-progress trace is printed, then printed again once it completes, even after it left the window', async () => {
    const clock = fakeClock()
    const xray = fakeXRay(clock)
    const start = BASE - 1000
    xray.add(7, start, BASE, {IsPartial: true, Duration: undefined, ResponseTime: undefined})
    const {events, stats} = await follow({
      clock,
      reader: xray.reader,
      polls: 12,
      onPoll: (poll) => {
        // Completes 20 s later: its start is long outside the 10 s overlap by then.
        if (poll === 10) xray.add(7, start, clock.t, {IsPartial: false, HasFault: true, Duration: 21, Http: {HttpStatus: 502}})
      },
    })
    expect(events.map((e) => [e.kind, e.trace.badge])).toEqual([
      ['new', 'partial'],
      ['updated', 'fault'],
    ])
    expect(stats).toMatchObject({traces: 1, updates: 1})
    // The poll that saw the completion still reached back to the trace's start.
    expect(xray.queries[10].start.getTime()).toBeLessThanOrEqual(start)
  })

  test('backs off while X-Ray throttles, then returns to the normal interval', async () => {
    const clock = fakeClock()
    const xray = fakeXRay(clock, {2: throttledError(), 3: throttledError(), 4: throttledError()})
    xray.add(1, BASE + 1000, BASE + 1000)
    const progress = recordingProgress()
    const {events, stats} = await follow({clock, reader: xray.reader, polls: 6, progress})
    expect(clock.sleeps).toEqual([2000, 4000, 8000, 16000, 2000, 2000])
    expect(stats.throttled).toBe(3)
    expect(events).toHaveLength(1)
    expect(progress.events.filter((e) => e.status === 'warn').map((e) => e.detail)).toEqual(['next poll in 4 s', 'next poll in 8 s', 'next poll in 16 s'])
    expect(progress.events.at(-1)).toMatchObject({status: 'info', label: 'X-Ray answers again; polling resumed'})
  })

  test('backoff is capped', async () => {
    const clock = fakeClock()
    const errors = Object.fromEntries(Array.from({length: 8}, (_, i) => [i + 1, throttledError()]))
    const xray = fakeXRay(clock, errors)
    await follow({clock, reader: xray.reader, polls: 8, maxBackoffMs: 10_000})
    expect(clock.sleeps).toEqual([4000, 8000, 10_000, 10_000, 10_000, 10_000, 10_000, 10_000])
  })

  test('a throttling error wrapped by the X-Ray reader (UserError with cause) is recognised', async () => {
    const clock = fakeClock()
    const wrapped = Object.assign(new Error('X-Ray kept throttling'), {name: 'UserError', code: 'XRAY_THROTTLED', cause: throttledError()})
    const xray = fakeXRay(clock, {1: wrapped})
    const {stats} = await follow({clock, reader: xray.reader, polls: 2})
    expect(stats.throttled).toBe(1)
  })

  test('any other error ends following with that error', async () => {
    const clock = fakeClock()
    const denied = Object.assign(new Error('not authorized'), {name: 'AccessDeniedException'})
    const xray = fakeXRay(clock, {2: denied})
    await expect(follow({clock, reader: xray.reader, polls: 5})).rejects.toBe(denied)
  })

  test('Ctrl-C (abort) during a call ends cleanly with the stats so far', async () => {
    const clock = fakeClock()
    const controller = new AbortController()
    const reader: XRayReader = {
      async traceSummaries(query) {
        controller.abort()
        throw Object.assign(new Error('aborted'), {name: 'AbortError', signal: query.signal})
      },
      async traces() {
        throw new Error('unused')
      },
    }
    const stats = await followTraces({
      xray: reader,
      filterExpression: 'fault',
      since: new Date(BASE),
      signal: controller.signal,
      clock,
      onTrace: () => {},
    })
    expect(stats).toEqual({polls: 0, traces: 0, updates: 0, throttled: 0})
    expect(clock.sleeps).toEqual([])
  })

  test('an already aborted signal makes no call', async () => {
    const controller = new AbortController()
    controller.abort()
    const clock = fakeClock()
    const xray = fakeXRay(clock)
    await followTraces({xray: xray.reader, filterExpression: 'ok', since: new Date(BASE), signal: controller.signal, clock, onTrace: () => {}})
    expect(xray.queries).toEqual([])
  })

  test('a service that returns traces outside the asked window still never gets one printed twice', async () => {
    const clock = fakeClock()
    const old = {Id: traceId(1, BASE - 3_600_000), StartTime: new Date(BASE - 3_600_000), Duration: 0.1}
    const reader: XRayReader = {
      traceSummaries: async () => ({summaries: [old], tracesProcessed: 1, truncated: false, pages: 1}),
      traces: async () => ({traces: [], unprocessedIds: [], calls: 0}),
    }
    const {events} = await follow({clock, reader, polls: 40})
    expect(events).toHaveLength(1)
  })

  test('over a long run, forgetting traces that left every window never re-prints one', async () => {
    const clock = fakeClock()
    const xray = fakeXRay(clock)
    for (let i = 0; i < 50; i++) xray.add(i, BASE + i * 2000, BASE + i * 2000)
    const {events} = await follow({clock, reader: xray.reader, polls: 60})
    expect(events).toHaveLength(50)
    expect(new Set(events.map((e) => e.trace.id)).size).toBe(50)
  })
})
