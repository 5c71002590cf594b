import assert from 'node:assert/strict'
import {readFile} from 'node:fs/promises'
import {test} from 'node:test'
import {handler} from '../src/__MODULE__.mjs'

// A sample API Gateway event for __ROUTE__: edit events/__EVENT__.json or add more events.
const event = JSON.parse(await readFile(new URL('../events/__EVENT__.json', import.meta.url), 'utf8'))

test('__ROUTE__ answers 200 with a JSON body', async () => {
  const response = await handler(event)
  assertProxyResponse(response)
  assert.equal(response.statusCode, 200)
  const body = JSON.parse(response.body)
  assert.deepEqual(body.pathParameters, event.pathParameters ?? {})
})

test('__ROUTE__ answers a body that is not JSON with 400, an error type and a plain-text message', async () => {
  const response = await handler({...event, body: '{"unfinished": ', isBase64Encoded: false})
  assertProxyResponse(response)
  assert.equal(response.statusCode, 400)
  assert.equal(response.headers['x-amzn-ErrorType'], 'BadRequestException')
  assert.match(response.headers['content-type'], /^text\/plain/)
  assert.equal(response.body, 'The request body is not valid JSON')
})

test('__ROUTE__ answers an unexpected error with 500 instead of failing the invocation', async (t) => {
  t.mock.method(console, 'error', () => {})
  const response = await handler(undefined)
  assertProxyResponse(response)
  assert.equal(response.statusCode, 500)
  assert.equal(response.headers['x-amzn-ErrorType'], 'InternalServerErrorException')
})

/** What API Gateway accepts from a Lambda proxy integration: a status, string headers and a string body. */
function assertProxyResponse(response) {
  assert.equal(typeof response, 'object')
  assert.ok(Number.isInteger(response.statusCode) && response.statusCode >= 100 && response.statusCode <= 599, 'statusCode is an HTTP status')
  for (const [name, value] of Object.entries(response.headers ?? {})) assert.equal(typeof value, 'string', `header ${name} is a string`)
  assert.equal(typeof response.body, 'string', 'body is a string')
}
