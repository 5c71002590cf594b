/** How the emulator's HTTP server reads request bodies: not at all when there is none, every chunk otherwise. */
import {rmSync} from 'node:fs'
import {Agent, type IncomingMessage, request as httpRequest} from 'node:http'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {type RunningEmulator, startEmulator} from '../../src/local/server.js'
import {tempDir} from './helpers.js'

let emulator: RunningEmulator
let dataDir: string
beforeAll(async () => {
  dataDir = tempDir('tracegate-server-body-')
  emulator = await startEmulator({port: 0, dataDir, dataPlane: false})
})
afterAll(async () => {
  await emulator.close()
  rmSync(dataDir, {recursive: true, force: true})
})

function send(options: {method: string; path: string; headers?: Record<string, string>; chunks?: string[]; agent?: Agent}): Promise<{status: number; body: string; socket: unknown}> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${emulator.url}${options.path}`, {method: options.method, headers: options.headers, agent: options.agent}, (res: IncomingMessage) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        body += chunk
      })
      res.on('end', () => resolve({status: res.statusCode ?? 0, body, socket: req.socket}))
    })
    req.on('error', reject)
    for (const chunk of options.chunks ?? []) req.write(chunk)
    req.end()
  })
}

describe('request bodies', () => {
  test('a chunked body (no Content-Length) is read in full', async () => {
    const answer = await send({
      method: 'POST',
      path: '/2015-03-31/functions',
      headers: {'content-type': 'application/json', 'transfer-encoding': 'chunked'},
      chunks: ['{"FunctionName": "f",', ' "Runtime": "nodejs20.x"}'],
    })
    // Both chunks made one JSON object: the refusal names only the members neither chunk had.
    expect(answer.status).toBe(400)
    expect(JSON.parse(answer.body).message).toBe(
      "2 validation errors detected: Value null at 'role' failed to satisfy constraint: Member must not be null; Value null at 'code' failed to satisfy constraint: Member must not be null",
    )
  })

  test('requests without a body, and with Content-Length: 0, are answered and keep the connection usable', async () => {
    const agent = new Agent({keepAlive: true, maxSockets: 1})
    try {
      const first = await send({method: 'GET', path: '/_tracegate/health', agent})
      const second = await send({method: 'GET', path: '/2015-03-31/functions', headers: {'content-length': '0'}, agent})
      const third = await send({method: 'POST', path: '/2015-03-31/functions', headers: {'content-type': 'application/json'}, chunks: ['{not json'], agent})
      expect([first.status, second.status, third.status]).toEqual([200, 200, 400])
      expect(JSON.parse(second.body)).toEqual({Functions: []})
      expect(second.socket).toBe(first.socket)
      expect(third.socket).toBe(first.socket)
    } finally {
      agent.destroy()
    }
  })
})
