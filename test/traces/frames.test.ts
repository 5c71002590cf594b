import {describe, expect, test} from 'vitest'
import {formatFrame} from '../../src/traces/waterfall.js'

describe('formatFrame', () => {
  test('shows a frame as label (path:line)', () => {
    expect(formatFrame({label: 'totalOf', path: '/var/task/src/get-order.js', line: 27})).toBe('totalOf (/var/task/src/get-order.js:27)')
  })

  test('an ESM frame that Lambda cut to path "file" with no line shows its label alone, never "file:null"', () => {
    // Lambda's runtime parses `file:///var/runtime/index.mjs:1173:29` by splitting at the first colon.
    expect(formatFrame({label: 'start', path: 'file', line: null as unknown as number})).toBe('start')
    expect(formatFrame({label: 'start', path: 'file', line: Number.NaN})).toBe('start')
  })

  test('a frame with neither label nor path is anonymous', () => {
    expect(formatFrame({})).toBe('<anonymous>')
  })
})
