#!/usr/bin/env node
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
// React (under Ink) runs its much slower development build unless told otherwise.
process.env.NODE_ENV ??= 'production'
const {execute} = await import('@oclif/core')
await execute({dir: import.meta.url})
