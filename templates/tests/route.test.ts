import assert from 'node:assert/strict'
import {readFile} from 'node:fs/promises'
import {test} from 'node:test'
import {handler} from '../src/__MODULE__.js'

type Event = Parameters<typeof handler>[0]

// A sample API Gateway event for __ROUTE__, served by __FUNCTION__: edit events/__EVENT__.json or add more events.
const event: Event = JSON.parse(await readFile(new URL('../events/__EVENT__.json', import.meta.url), 'utf8'))

test('__ROUTE__ answers with a well-formed proxy response', async () => {
  const response = await handler(event)
  assertProxyResponse(response)
  assert.ok(response.statusCode < 500, `expected a success or client error, got ${response.statusCode}`)
})

/** What API Gateway accepts from a Lambda proxy integration: a status, string headers and a string body. */
function assertProxyResponse(response: unknown): asserts response is ProxyResponse {
  assert.ok(typeof response === 'object' && response !== null, 'the response is an object')
  const {statusCode, headers, body} = response as Partial<ProxyResponse>
  assert.ok(Number.isInteger(statusCode) && Number(statusCode) >= 100 && Number(statusCode) <= 599, 'statusCode is an HTTP status')
  for (const [name, value] of Object.entries(headers ?? {})) assert.equal(typeof value, 'string', `header ${name} is a string`)
  assert.equal(typeof body, 'string', 'body is a string')
}

interface ProxyResponse {
  statusCode: number
  headers: Record<string, string>
  body: string
}
