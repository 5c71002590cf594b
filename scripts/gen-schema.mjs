#!/usr/bin/env node
/**
 * Generates schema.json (the JSON Schema of tracegate.json, for editors) from the zod schema in
 * src/config/schema.ts with zod 4's z.toJSONSchema.
 *
 *   node --import tsx scripts/gen-schema.mjs          # from src/ (no build needed)
 *   node scripts/gen-schema.mjs                       # from dist/ (after npm run build)
 *   node --import tsx scripts/gen-schema.mjs --check  # exit 1 when the committed schema.json is stale
 *
 * test/config/schema-json.test.ts fails when the committed file differs from what this produces.
 */
import {readFileSync, writeFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {z} from 'zod'

export const SCHEMA_FILE = fileURLToPath(new URL('../schema.json', import.meta.url))

/**
 * Editor help the zod schema does not carry (hover text, and hints the loader checks more precisely).
 * Keyed by the path inside the generated schema; a path that no longer exists is an error, so this list cannot
 * silently drift from the schema.
 */
const ANNOTATIONS = {
  '': {
    title: 'tracegate project (tracegate.json)',
    description: 'A tracegate project: Lambda functions behind one API Gateway API (HTTP or REST).',
  },
  'properties.$schema': {description: 'The JSON Schema editors use to complete and check this file.'},
  'properties.name': {description: 'Project name. Lambda functions are named "{name}-{function}", the API "{name}"; resources are tagged tracegate:project={name}.'},
  'properties.region': {description: 'AWS region to deploy to. --region, AWS_REGION and AWS_DEFAULT_REGION take precedence.'},
  'properties.role': {description: 'ARN of the IAM execution role the functions run as.'},
  'properties.api': {description: 'The API Gateway API in front of the functions.'},
  'properties.api.properties.type': {description: '"http": an HTTP API (Lambda payload format 2.0). "rest": a REST API (payload format 1.0).'},
  'properties.api.properties.stage': {description: 'Stage name. HTTP APIs default to "$default"; REST APIs have no "$default" stage and default to "prod".'},
  'properties.api.properties.permissions': {description: '"route": one lambda:InvokeFunction statement per route, scoped by source ARN. "api": one statement per function for the whole API.'},
  'properties.defaults': {description: 'Settings every function inherits unless it sets its own.'},
  'properties.defaults.properties.runtime': {description: 'Lambda Node.js runtime.'},
  'properties.defaults.properties.memory': {description: 'Memory in MB (128-10240).'},
  'properties.defaults.properties.timeout': {description: 'Timeout in seconds (1-900). API Gateway itself stops waiting after 29 s (REST) or 30 s (HTTP).'},
  'properties.defaults.properties.tracing': {description: 'X-Ray tracing mode.'},
  'properties.functions': {
    description: 'Lambda functions by key; the deployed name is "{name}-{key}" (1-64 characters of A-Z a-z 0-9 _ -).',
    propertyNames: {type: 'string', pattern: '^[A-Za-z0-9_-]+$'},
  },
  'properties.functions.additionalProperties.properties.handler': {description: '"path/to/file.exportName", relative to tracegate.json, e.g. "src/get-order.handler".'},
  'properties.functions.additionalProperties.properties.routes': {description: 'Route keys served by this function: "METHOD /path" with {param} segments and a greedy {proxy+} last, or "$default" (HTTP APIs).'},
  'properties.functions.additionalProperties.properties.routes.items': {pattern: '^(\\$default|[A-Za-z]+ /\\S*)$'},
  'properties.functions.additionalProperties.properties.memory': {description: 'Memory in MB (128-10240); overrides defaults.memory.'},
  'properties.functions.additionalProperties.properties.timeout': {description: 'Timeout in seconds (1-900); overrides defaults.timeout.'},
  'properties.functions.additionalProperties.properties.runtime': {description: 'Lambda Node.js runtime; overrides defaults.runtime.'},
  'properties.functions.additionalProperties.properties.tracing': {description: 'X-Ray tracing mode; overrides defaults.tracing.'},
  'properties.functions.additionalProperties.properties.environment': {description: 'Environment variables of the function.'},
  'properties.functions.additionalProperties.properties.description': {description: 'Description of the Lambda function.'},
}

/** The JSON Schema object for a zod config schema. */
export function buildSchema(configSchema) {
  // "input": what a person writes (keys with defaults are optional). draft-07: the draft editors support best.
  const schema = z.toJSONSchema(configSchema, {io: 'input', target: 'draft-7'})
  for (const [path, extra] of Object.entries(ANNOTATIONS)) {
    let node = schema
    for (const key of path ? path.split('.') : []) {
      node = node?.[key]
      if (node === undefined) throw new Error(`gen-schema: "${path}" is not in the generated schema; update ANNOTATIONS`)
    }
    Object.assign(node, extra)
  }
  return schema
}

/** The exact text of schema.json. */
export function schemaText(configSchema) {
  return `${JSON.stringify(buildSchema(configSchema), null, 2)}\n`
}

/** The zod schema from src/ when TypeScript can be loaded (tsx, vitest), else from dist/. */
async function loadConfigSchema() {
  try {
    return (await import('../src/config/schema.ts')).configSchema
  } catch (error) {
    if (error?.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error
    return (await import('../dist/config/schema.js')).configSchema
  }
}

async function main(argv) {
  const text = schemaText(await loadConfigSchema())
  if (argv.includes('--check')) {
    let current = ''
    try {
      current = readFileSync(SCHEMA_FILE, 'utf8')
    } catch {}
    if (current !== text) {
      process.stderr.write('schema.json is stale: run "node --import tsx scripts/gen-schema.mjs"\n')
      process.exitCode = 1
      return
    }
    process.stdout.write('schema.json is up to date\n')
    return
  }
  writeFileSync(SCHEMA_FILE, text)
  process.stdout.write(`wrote ${SCHEMA_FILE}\n`)
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main(process.argv.slice(2))
