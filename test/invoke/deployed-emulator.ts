/**
 * A project deployed on an embedded emulator of its own, for the invoke end-to-end tests (HTTP and REST):
 * temp data and project dirs, `src/handlers.js` plus `tracegate.json`, one `deploy`, and the SDK client config
 * a test uses to break things from outside tracegate. `close()` removes it all.
 */
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {type AwsClients, createAwsClients} from '../../src/aws/clients.js'
import {parseProject} from '../../src/config/loader.js'
import type {ProjectConfig} from '../../src/config/schema.js'
import {createDeployApis} from '../../src/deploy/apis.js'
import {deploy} from '../../src/deploy/deploy.js'
import {type InvokeOptions, invokeEndpoint} from '../../src/invoke/invoke.js'
import {type RunningEmulator, startEmulator} from '../../src/local/server.js'

export interface DeployedEmulator {
  emulator: RunningEmulator
  projectDir: string
  project: ProjectConfig
  clients: AwsClients
  apiId: string
  /** For SDK clients of the test's own (`new LambdaClient(sdkConfig)`). */
  sdkConfig: {endpoint: string; region: string; credentials: {accessKeyId: string; secretAccessKey: string}; maxAttempts: number}
  invoke(target: string, options?: Partial<InvokeOptions>): ReturnType<typeof invokeEndpoint>
  close(): Promise<void>
}

export async function deployOnEmulator(o: {name: string; region: string; handlers: string; config: unknown}): Promise<DeployedEmulator> {
  const dataDir = mkdtempSync(join(tmpdir(), `tracegate-${o.name}-emu-`))
  const projectDir = mkdtempSync(join(tmpdir(), `tracegate-${o.name}-project-`))
  mkdirSync(dirname(join(projectDir, 'src/handlers.js')), {recursive: true})
  writeFileSync(join(projectDir, 'src/handlers.js'), o.handlers)
  const text = JSON.stringify(o.config, null, 2)
  writeFileSync(join(projectDir, 'tracegate.json'), text)
  const project = parseProject(text, join(projectDir, 'tracegate.json'))
  const emulator = await startEmulator({port: 0, dataDir})
  const clients = createAwsClients({region: o.region, endpoint: emulator.url, local: true})
  const result = await deploy({project, apis: await createDeployApis(clients), region: o.region})
  return {
    emulator,
    projectDir,
    project,
    clients,
    apiId: result.apiId ?? '',
    sdkConfig: {endpoint: emulator.url, region: o.region, credentials: {accessKeyId: 'tracegate', secretAccessKey: 'tracegate-local'}, maxAttempts: 1},
    // The emulator stores segments as they arrive: a short wait for the trace is enough.
    invoke: (target, options = {}) => invokeEndpoint({target, project, aws: async () => clients, budgets: {trace: 1000}, ...options}),
    async close() {
      await emulator.close()
      rmSync(dataDir, {recursive: true, force: true})
      rmSync(projectDir, {recursive: true, force: true})
    },
  }
}
