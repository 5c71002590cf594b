import {render} from 'ink-testing-library'
import {describe, expect, test} from 'vitest'
import {diagnose} from '../../src/diagnose/diagnose.js'
import type {InvokeResult} from '../../src/invoke/invoke.js'
import {paletteFor, stripAnsi} from '../../src/ui/colors.js'
import {diagnosisPanel, responsePanel} from '../../src/ui/invoke/model.js'
import {InvokeView} from '../../src/ui/invoke/Panels.js'
import {plainInvoke} from '../../src/ui/invoke/plain.js'
import {evidence, fn, noTrace, permissionAllowed, replayThrew, routeMatched, throttling} from '../diagnose/builders.js'

function result(overrides: Partial<InvokeResult> = {}): InvokeResult {
  return {
    request: {method: 'GET', url: 'https://a1b2c3d4e5.execute-api.us-east-2.amazonaws.com/orders/42', headers: [], bodyBytes: 0, apiType: 'http', stage: '$default'},
    response: {
      status: 500,
      statusText: 'Internal Server Error',
      durationMs: 143,
      headers: [['apigw-requestid', 'JEvJkhfEoAMEVLw=']],
      body: {text: '{\n  "message": "Internal Server Error"\n}', kind: 'json', bytes: 35, truncated: false},
    },
    diagnosis: diagnose(evidence({}, {route: routeMatched(), permission: permissionAllowed(), throttling: throttling(), function: fn(), trace: noTrace, replay: replayThrew()})),
    ...overrides,
  }
}

const plain = paletteFor({isTTY: false})

describe('plain rendering', () => {
  test('shows the response, the verdict with its confidence, the checklist marks and the fix', () => {
    const text = plainInvoke(result(), plain)
    expect(text).toContain('500 Internal Server Error  GET https://a1b2c3d4e5.execute-api.us-east-2.amazonaws.com/orders/42 · HTTP API · 143 ms')
    expect(text).toContain('apigw-requestid: JEvJkhfEoAMEVLw=')
    expect(text).toContain('✗ Function error (function-error, confidence high)')
    expect(text).toMatch(/✓ Route matches\s+GET \/orders\/\{id\}/)
    expect(text).toMatch(/\? Trace\s+no trace of orders-getOrder/)
    expect(text).toMatch(/✗ Replay\s+TypeError/)
    expect(text).toContain('    return {statusCode: 500')
    expect(text).toContain('    $ tracegate deploy')
  })

  test('a success has no diagnosis section', () => {
    const text = plainInvoke(result({diagnosis: undefined, response: {...result().response, status: 200, statusText: 'OK'}}), plain)
    expect(text).toContain('200 OK')
    expect(text).not.toContain('Evidence')
  })

  test('a cut body says how much was shown', () => {
    const view = responsePanel(result({response: {...result().response, body: {text: 'x'.repeat(2048), kind: 'text', bytes: 3 * 1024 * 1024, truncated: true}}}))
    expect(view.bodyNote).toBe('showing 2.0 KB of 3.0 MB')
  })
})

describe('Ink panels', () => {
  test('render the response panel and the diagnosis panel with ✓ ✗ ? and the fix', () => {
    const r = result()
    const {lastFrame, frames} = render(<InvokeView response={responsePanel(r)} diagnosis={diagnosisPanel(r)} width={120} />)
    const text = stripAnsi(lastFrame() || frames.join('\n'))
    expect(text).toContain('500 Internal Server Error')
    expect(text).toContain('Function error')
    expect(text).toContain('confidence high')
    expect(text).toMatch(/✓ Route matches/)
    expect(text).toMatch(/\? Trace/)
    expect(text).toMatch(/✗ Replay/)
    expect(text).toContain('$ tracegate deploy')
  })
})
