/**
 * `/_tracegate/health` counts every API the emulator serves: HTTP APIs (ApiGatewayV2's table) and REST APIs
 * (API Gateway v1's own tables, src/local/rest-store.ts), and `tracegate local status` shows the split.
 */
import {rmSync} from 'node:fs'
import {APIGatewayClient, CreateRestApiCommand} from '@aws-sdk/client-api-gateway'
import {CreateApiCommand} from '@aws-sdk/client-apigatewayv2'
import {afterEach, describe, expect, test} from 'vitest'
import {serveEmulator} from '../../src/local/lifecycle.js'
import type {HealthReport} from '../../src/local/server.js'
import {runCommand} from '../helpers/run-command.js'
import {clientsFor, REGION, tempDir} from './helpers.js'

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!()
})

describe('health counts', () => {
  test('apis is HTTP plus REST APIs, each also reported on its own; local status shows both', async () => {
    const dir = tempDir()
    cleanups.push(() => rmSync(dir, {recursive: true, force: true}))
    const serving = await serveEmulator({port: 0, dataDir: dir})
    cleanups.push(() => serving.stop())
    const url = serving.emulator.url
    const clients = clientsFor(url)
    const rest = new APIGatewayClient({endpoint: url, region: REGION, credentials: {accessKeyId: 'AKIDTEST', secretAccessKey: 'secret'}, maxAttempts: 1})
    cleanups.push(() => {
      rest.destroy()
      for (const client of Object.values(clients)) client.destroy()
    })

    const before = (await (await fetch(`${url}/_tracegate/health`)).json()) as HealthReport
    expect(before.counts).toEqual({functions: 0, apis: 0, httpApis: 0, restApis: 0, traces: 0})

    await clients.apigw.send(new CreateApiCommand({Name: 'orders-http', ProtocolType: 'HTTP'}))
    await rest.send(new CreateRestApiCommand({name: 'orders-rest'}))
    await rest.send(new CreateRestApiCommand({name: 'billing-rest'}))
    const health = (await (await fetch(`${url}/_tracegate/health`)).json()) as HealthReport
    expect(health.counts).toEqual({functions: 0, apis: 3, httpApis: 1, restApis: 2, traces: 0})

    const status = await runCommand(['local', 'status', '--data-dir', dir])
    expect(status.exitCode).toBe(0)
    expect(status.stdout).toMatch(/ {2}APIs {7}3 \(1 HTTP, 2 REST\)\n/)
    const json = await runCommand(['local', 'status', '--data-dir', dir, '--json'])
    expect(JSON.parse(json.stdout).counts).toMatchObject({apis: 3, httpApis: 1, restApis: 2})
  })
})
