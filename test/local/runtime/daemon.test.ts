import {createSocket} from 'node:dgram'
import {describe, expect, test} from 'vitest'
import {parseDaemonDatagram, startXrayDaemon} from '../../../src/local/runtime/daemon.js'
import {eventually} from './helpers.js'

const HEADER = '{"format": "json", "version": 1}\n'

describe('X-Ray daemon', () => {
  test.each([
    ['no header line', '{"id":"a"}', 'missing header line'],
    ['a header that is not JSON', 'nope\n{}', 'header is not JSON'],
    ['another format', '{"format":"xml","version":1}\n{}', 'header must be {"format":"json","version":1}'],
    ['a document that is not JSON', `${HEADER}{`, 'document is not JSON'],
    ['an array document', `${HEADER}[]`, 'document is not an object'],
  ])('rejects a datagram with %s', (_name, datagram, error) => {
    expect(parseDaemonDatagram(Buffer.from(datagram))).toEqual({error})
  })

  test('accepts the header with or without spaces', () => {
    expect(parseDaemonDatagram(Buffer.from('{"format":"json","version":1}\n{"id":"a"}'))).toEqual({document: {id: 'a'}})
    expect(parseDaemonDatagram(Buffer.from(`${HEADER}{"id":"b"}`))).toEqual({document: {id: 'b'}})
  })

  test('documents sent over UDP reach onSegments; malformed ones are reported, not delivered', async () => {
    const received: Record<string, unknown>[] = []
    const rejected: string[] = []
    const daemon = await startXrayDaemon({port: 0, onSegments: (docs) => received.push(...docs), onRejected: (reason) => rejected.push(reason)})
    try {
      expect(daemon.address).toBe(`127.0.0.1:${daemon.port}`)
      const socket = createSocket('udp4')
      const send = (text: string) => new Promise<void>((resolve) => socket.send(Buffer.from(text), daemon.port, '127.0.0.1', () => resolve()))
      await send('garbage')
      await send(`${HEADER}{"type":"subsegment","id":"0123456789abcdef","name":"work"}`)
      socket.close()
      await eventually(() => (received.length === 1 && rejected.length === 1 ? true : undefined))
      expect(received).toEqual([{type: 'subsegment', id: '0123456789abcdef', name: 'work'}])
      expect(rejected).toEqual(['missing header line'])
    } finally {
      await daemon.close()
    }
  })
})
