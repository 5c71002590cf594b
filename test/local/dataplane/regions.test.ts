/**
 * Function names repeat across regions: `orders` in us-east-1 and `orders` in eu-west-1 are two functions, each
 * with its own code, configuration and warm execution environments.
 */
import {CreateFunctionCommand, InvokeCommand, type LambdaClient, UpdateFunctionCodeCommand} from '@aws-sdk/client-lambda'
import {BatchGetTracesCommand, type XRayClient} from '@aws-sdk/client-xray'
import {afterAll, beforeAll, expect, test} from 'vitest'
import {clientsFor, handlerZip, ROLE, startTestEmulator, type TestEmulator} from '../helpers.js'

let t: TestEmulator
let east: LambdaClient
let west: LambdaClient
let eastXray: XRayClient
let westXray: XRayClient

const source = (answer: string) => `exports.handler = async () => ({answer: '${answer}', region: process.env.AWS_REGION})`

async function create(client: LambdaClient, answer: string): Promise<void> {
  await client.send(
    new CreateFunctionCommand({FunctionName: 'twin', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: {ZipFile: handlerZip(source(answer))}}),
  )
}

/** The payload, and whether the invocation started cold (its REPORT line has an Init Duration). */
async function invoke(client: LambdaClient): Promise<{answer: string; region: string; cold: boolean}> {
  const result = await client.send(new InvokeCommand({FunctionName: 'twin', LogType: 'Tail'}))
  const log = Buffer.from(result.LogResult ?? '', 'base64').toString('utf8')
  return {...JSON.parse(Buffer.from(result.Payload!).toString('utf8')), cold: log.includes('Init Duration')}
}

beforeAll(async () => {
  t = await startTestEmulator()
  ;({lambda: east, xray: eastXray} = clientsFor(t.emulator.url, 'us-east-1'))
  ;({lambda: west, xray: westXray} = clientsFor(t.emulator.url, 'eu-west-1'))
  await create(east, 'east')
  await create(west, 'west')
})

afterAll(async () => {
  for (const client of [east, west, eastXray, westXray]) client.destroy()
  await t.stop()
})

test('each region runs its own function, in its own environments', async () => {
  expect(await invoke(east)).toEqual({answer: 'east', region: 'us-east-1', cold: true})
  expect(await invoke(west)).toEqual({answer: 'west', region: 'eu-west-1', cold: true})
  expect(await invoke(east)).toEqual({answer: 'east', region: 'us-east-1', cold: false})
  expect(await invoke(west)).toEqual({answer: 'west', region: 'eu-west-1', cold: false})
})

test('updating the function in one region leaves the other one warm', async () => {
  await invoke(east)
  await west.send(new UpdateFunctionCodeCommand({FunctionName: 'twin', ZipFile: handlerZip(source('west v2'))}))
  expect(await invoke(west)).toEqual({answer: 'west v2', region: 'eu-west-1', cold: true})
  expect(await invoke(east)).toEqual({answer: 'east', region: 'us-east-1', cold: false})
})

/** Sends one subsegment to the X-Ray daemon as an instrumented handler does (UDP, header line, document). */
const DAEMON_CLIENT_SOURCE = `
const dgram = require('node:dgram')
exports.handler = async () => {
  const [host, port] = process.env.AWS_XRAY_DAEMON_ADDRESS.split(':')
  const header = Object.fromEntries(process.env._X_AMZN_TRACE_ID.split(';').map((part) => part.split('=')))
  const now = Date.now() / 1000
  const document = {type: 'subsegment', name: 'west-work', id: '0123456789abcdef', trace_id: header.Root, parent_id: header.Parent, start_time: now, end_time: now}
  const socket = dgram.createSocket('udp4')
  await new Promise((resolve) => socket.send('{"format": "json", "version": 1}\\n' + JSON.stringify(document), Number(port), host, resolve))
  socket.close()
  return header.Root
}`

test("a traced handler's daemon documents, which name no region, are stored in its function's region", async () => {
  await west.send(
    new CreateFunctionCommand({
      FunctionName: 'daemon-client',
      Runtime: 'nodejs20.x',
      Role: ROLE,
      Handler: 'index.handler',
      Code: {ZipFile: handlerZip(DAEMON_CLIENT_SOURCE)},
      TracingConfig: {Mode: 'Active'},
    }),
  )
  const result = await west.send(new InvokeCommand({FunctionName: 'daemon-client'}))
  const traceId = JSON.parse(Buffer.from(result.Payload!).toString('utf8')) as string
  /** The trace's documents as one text (BatchGetTraces nests the subsegment under the Invocation it names). */
  const documents = async (xray: XRayClient) => {
    const traces = await xray.send(new BatchGetTracesCommand({TraceIds: [traceId]}))
    return (traces.Traces?.[0]?.Segments ?? []).map((segment) => segment.Document).join('\n')
  }
  // The datagram may still be on its way when the invocation returns.
  const deadline = Date.now() + 5000
  while (!(await documents(westXray)).includes('"west-work"') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25))
  expect(await documents(westXray)).toContain('"name":"west-work"')
  expect(await documents(eastXray)).toBe('')
})
