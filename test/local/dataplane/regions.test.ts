/**
 * Function names repeat across regions: `orders` in us-east-1 and `orders` in eu-west-1 are two functions, each
 * with its own code, configuration and warm execution environments.
 */
import {CreateFunctionCommand, InvokeCommand, type LambdaClient, UpdateFunctionCodeCommand} from '@aws-sdk/client-lambda'
import {afterAll, beforeAll, expect, test} from 'vitest'
import {clientsFor, handlerZip, ROLE, startTestEmulator, type TestEmulator} from '../helpers.js'

let t: TestEmulator
let east: LambdaClient
let west: LambdaClient

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
  east = clientsFor(t.emulator.url, 'us-east-1').lambda
  west = clientsFor(t.emulator.url, 'eu-west-1').lambda
  await create(east, 'east')
  await create(west, 'west')
})

afterAll(async () => {
  east.destroy()
  west.destroy()
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
