#!/usr/bin/env node
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
// React (under Ink) runs its much slower development build unless told otherwise.
process.env.NODE_ENV ??= 'production'
// oclif checks its own `engines` with semver on every start (about a tenth of `tracegate --help`); tracegate's
// requirement (package.json engines, Node >= 20.19) is checked here instead, without loading semver.
process.env.OCLIF_DISABLE_ENGINE_WARNING ??= '1'
const [major, minor] = process.versions.node.split('.').map(Number)
if (major < 20 || (major === 20 && minor < 19)) {
  process.emitWarning(`tracegate needs Node.js 20.19 or later; this is ${process.versions.node}`)
}
// The `execute` entry point alone: the package index would also load Command, flags, the parser and ux, which
// `--help` never needs (commands load them from the manifest's modules when they run).
const {execute} = await import('@oclif/core/execute')
await execute({dir: import.meta.url})
