import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {ApiGatewayV2Client} from '@aws-sdk/client-apigatewayv2'
import {IAMClient} from '@aws-sdk/client-iam'
import {LambdaClient} from '@aws-sdk/client-lambda'
import {XRayClient} from '@aws-sdk/client-xray'
import {strToU8, zipSync} from 'fflate'
import {type EmulatorOptions, type RunningEmulator, startEmulator} from '../../src/local/server.js'

export const REGION = 'us-east-1'
export const ROLE = 'arn:aws:iam::000000000000:role/lambda-role'

export function tempDir(prefix = 'tracegate-local-'): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

/** Real SDK clients pointed at the emulator: dummy static credentials, no retries (STACK.md gotcha 10). */
export function clientsFor(url: string, region = REGION) {
  const config = {
    endpoint: url,
    region,
    credentials: {accessKeyId: 'AKIDTEST', secretAccessKey: 'secret'},
    maxAttempts: 1,
  }
  return {
    lambda: new LambdaClient(config),
    apigw: new ApiGatewayV2Client(config),
    iam: new IAMClient(config),
    xray: new XRayClient(config),
  }
}

export interface TestEmulator {
  emulator: RunningEmulator
  dataDir: string
  clients: ReturnType<typeof clientsFor>
  stop(): Promise<void>
}

/** Starts an emulator in-process on a random port with a fresh data directory. */
export async function startTestEmulator(options: Partial<EmulatorOptions> = {}): Promise<TestEmulator> {
  const dataDir = options.dataDir ?? tempDir()
  const emulator = await startEmulator({port: 0, ...options, dataDir})
  const clients = clientsFor(emulator.url)
  return {
    emulator,
    dataDir,
    clients,
    async stop() {
      for (const client of Object.values(clients)) client.destroy()
      await emulator.close()
      if (!options.dataDir) rmSync(dataDir, {recursive: true, force: true})
    },
  }
}

/** A real zip with one handler file; the same source always gives the same bytes (fixed mtime, STACK.md gotcha 14). */
export function handlerZip(source = 'exports.handler = async () => ({statusCode: 200})', file = 'index.js'): Uint8Array {
  return zipSync({[file]: strToU8(source)}, {mtime: new Date(2020, 0, 1)})
}
