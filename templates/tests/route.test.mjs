import assert from 'node:assert/strict'
import {readFile} from 'node:fs/promises'
import {test} from 'node:test'
import {handler} from '../src/__MODULE__.mjs'

// A sample API Gateway event for __ROUTE__, served by __FUNCTION__: edit events/__EVENT__.json or add more events.
const event = JSON.parse(await readFile(new URL('../events/__EVENT__.json', import.meta.url), 'utf8'))

test('__ROUTE__ answers with a well-formed proxy response', async () => {
  const response = await handler(event)
  assertProxyResponse(response)
  assert.ok(response.statusCode < 500, `expected a success or client error, got ${response.statusCode}`)
})

/** What API Gateway accepts from a Lambda proxy integration: a status, string headers and a string body. */
function assertProxyResponse(response) {
  assert.equal(typeof response, 'object')
  assert.ok(Number.isInteger(response.statusCode) && response.statusCode >= 100 && response.statusCode <= 599, 'statusCode is an HTTP status')
  for (const [name, value] of Object.entries(response.headers ?? {})) assert.equal(typeof value, 'string', `header ${name} is a string`)
  assert.equal(typeof response.body, 'string', 'body is a string')
}
