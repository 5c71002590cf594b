import {describe, expect, test} from 'vitest'
import {consoleLine, logTail, reportLine} from '../../../src/local/runtime/logs.js'

describe('execution log', () => {
  test('console lines are time, request id, level and message, tab separated', () => {
    expect(consoleLine(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)), 'req', 'INFO', 'a\nb')).toBe('2024-01-02T03:04:05.006Z\treq\tINFO\ta\nb\n')
    expect(consoleLine(new Date(0), undefined, 'WARN', 'init')).toBe('1970-01-01T00:00:00.000Z\tundefined\tWARN\tinit\n')
  })

  test('REPORT carries duration, billed duration, memory, init duration, status and the X-Ray ids', () => {
    expect(
      reportLine({
        requestId: 'r',
        durationMs: 3000,
        billedMs: 3000,
        memoryMb: 128,
        maxMemoryUsedMb: 73,
        initDurationMs: 402.041,
        status: 'timeout',
        xray: {traceId: '1-5759e988-bd862e3fe1be46a994272793', segmentId: '53995c3f42cd8ad8', sampled: true},
      }),
    ).toBe(
      'REPORT RequestId: r\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 128 MB\tMax Memory Used: 73 MB\tInit Duration: 402.04 ms\tStatus: timeout\t' +
        '\nXRAY TraceId: 1-5759e988-bd862e3fe1be46a994272793\tSegmentId: 53995c3f42cd8ad8\tSampled: true\t\n',
    )
  })

  test('the tail keeps the last 4096 bytes, counted in bytes not characters', () => {
    const log = `${'é'.repeat(3000)}END`
    const tail = Buffer.from(logTail(log), 'base64')
    expect(tail.length).toBe(4096)
    expect(tail.subarray(-3).toString()).toBe('END')
    expect(Buffer.from(logTail('short'), 'base64').toString()).toBe('short')
  })
})
