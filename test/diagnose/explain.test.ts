import {describe, expect, test} from 'vitest'
import {describeFrame} from '../../src/diagnose/explain.js'
import {shellQuote} from '../../src/shell.js'

describe('shellQuote', () => {
  test('leaves plain words alone and single-quotes anything a shell would expand', () => {
    expect(shellQuote('orders-getOrder')).toBe('orders-getOrder')
    expect(shellQuote('arn:aws:execute-api:us-east-1:1:abc/$default/GET/x')).toBe("'arn:aws:execute-api:us-east-1:1:abc/$default/GET/x'")
    expect(shellQuote('GET /orders/{id}')).toBe("'GET /orders/{id}'")
    expect(shellQuote("it's")).toBe("'it'\\''s'")
  })
})

describe('describeFrame', () => {
  test('turns a Node stack frame into a project-relative location', () => {
    expect(describeFrame('at handler (file:///var/task/src/get-order.js:12:9)')).toBe('in handler at src/get-order.js:12:9')
    expect(describeFrame('    at /var/task/index.js:3:1')).toBe('at index.js:3:1')
    expect(describeFrame(`at exports.boom (/tmp/data/runtime/code/${'ab'.repeat(32)}/src/handlers.js:5:41)`)).toBe('in exports.boom at src/handlers.js:5:41')
    expect(describeFrame('at async Runtime.handleOnceNonStreaming (file:///var/runtime/index.mjs:1173:29)')).toBe(
      'in async Runtime.handleOnceNonStreaming at /var/runtime/index.mjs:1173:29',
    )
  })
})
