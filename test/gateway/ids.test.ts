import {randomBytes} from 'node:crypto'
import {describe, expect, test} from 'vitest'
import {HTTP_API_REQUEST_ID, httpApiRequestId, REST_REQUEST_ID, restExtendedRequestId, restRequestId} from '../../src/gateway/ids.js'

const zeros = (n: number) => new Uint8Array(n)
const counting = (n: number) => Uint8Array.from({length: n}, (_, i) => i * 17)

describe('request ids', () => {
  test('the shape patterns accept real AWS ids', () => {
    for (const id of ['JEvJkhfEoAMEVLw=', 'ATfSmjLgPHcESJw=', 'ATfSdF7nPHcErRA=']) expect(id).toMatch(HTTP_API_REQUEST_ID)
    expect('7c2af7db-31f3-42b5-8a6d-9ffc74e3b9e0').toMatch(REST_REQUEST_ID)
    expect('c6af9ac6-7b61-11e6-9a41-93e8deadbeef').not.toMatch(REST_REQUEST_ID)
  })

  test('HTTP API and extended request ids have the apigw-requestid shape', () => {
    for (const random of [zeros, counting, randomBytes]) {
      expect(httpApiRequestId(random)).toMatch(HTTP_API_REQUEST_ID)
      expect(restExtendedRequestId(random)).toMatch(HTTP_API_REQUEST_ID)
    }
  })

  test('REST request ids are version 4 UUIDs', () => {
    for (const random of [zeros, counting, randomBytes]) expect(restRequestId(random)).toMatch(REST_REQUEST_ID)
    expect(restRequestId(zeros)).toBe('00000000-0000-4000-8000-000000000000')
  })

  test('ids are pure functions of the random source', () => {
    expect(httpApiRequestId(counting)).toBe(httpApiRequestId(counting))
    expect(restRequestId(counting)).toBe(restRequestId(counting))
    expect(httpApiRequestId(zeros)).not.toBe(httpApiRequestId(counting))
  })

  test('restRequestId does not modify the bytes the source returned', () => {
    const bytes = new Uint8Array(16).fill(0xff)
    restRequestId(() => bytes)
    expect(Array.from(bytes)).toEqual(new Array(16).fill(0xff))
  })
})
