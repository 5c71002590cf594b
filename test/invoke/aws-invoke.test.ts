import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import {afterEach, describe, expect, test} from 'vitest'
import {createAwsClients} from '../../src/aws/clients.js'
import {createInvokeApi} from '../../src/aws/invoke.js'

let server: Server | undefined

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
  server = undefined
})

/** A fake Lambda endpoint: counts requests and answers with `handler`. */
async function fakeLambda(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{endpoint: string; hits: () => number}> {
  let hits = 0
  server = createServer((req, res) => {
    hits++
    req.resume()
    req.on('end', () => handler(req, res))
  })
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
  return {endpoint: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, hits: () => hits}
}

describe('InvokeApi.invoke', () => {
  test('a 429 from Lambda comes back as a rejection with its reason after exactly one request (no SDK retry)', async () => {
    const fake = await fakeLambda((_req, res) => {
      res.writeHead(429, {'content-type': 'application/json', 'x-amzn-errortype': 'TooManyRequestsException'})
      res.end(JSON.stringify({Type: 'User', message: 'Rate Exceeded.', Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded'}))
    })
    const api = await createInvokeApi(createAwsClients({region: 'us-east-1', endpoint: fake.endpoint, local: true}))
    const outcome = await api.invoke('orders-getOrder', '{}')
    expect(outcome).toEqual({
      kind: 'rejected',
      rejection: {code: 'TooManyRequestsException', httpStatus: 429, reason: 'ReservedFunctionConcurrentInvocationLimitExceeded', message: 'Rate Exceeded.'},
    })
    expect(fake.hits()).toBe(1)
  })

  test('a function error is an answer: status 200, X-Amz-Function-Error and the error payload', async () => {
    const fake = await fakeLambda((_req, res) => {
      res.writeHead(200, {'x-amz-function-error': 'Unhandled', 'x-amz-executed-version': '$LATEST', 'content-type': 'application/json'})
      res.end('{"errorType":"TypeError","errorMessage":"boom","trace":["TypeError: boom","    at handler (/var/task/index.js:3:9)"]}')
    })
    const api = await createInvokeApi(createAwsClients({region: 'us-east-1', endpoint: fake.endpoint, local: true}))
    const outcome = await api.invoke('orders-getOrder', '{}')
    expect(outcome.kind).toBe('answered')
    if (outcome.kind !== 'answered') return
    expect(outcome.answer.functionError).toBe('Unhandled')
    expect(JSON.parse(outcome.answer.payload ?? '')).toMatchObject({errorType: 'TypeError', errorMessage: 'boom'})
  })

  test('other reads keep the SDK retries (the override is per Invoke command)', async () => {
    const fake = await fakeLambda((_req, res) => {
      res.writeHead(500, {'content-type': 'application/json', 'x-amzn-errortype': 'ServiceException'})
      res.end('{"message":"internal"}')
    })
    const api = await createInvokeApi(createAwsClients({region: 'us-east-1', endpoint: fake.endpoint, local: true}))
    await expect(api.getReservedConcurrency('orders-getOrder')).rejects.toMatchObject({name: 'ServiceException'})
    // clients.ts gives local clients maxAttempts 2.
    expect(fake.hits()).toBe(2)
  })
})
