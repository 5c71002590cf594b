/** The emulator's Lambda runtime: what the control and data planes import. */

export {startXrayDaemon, type XrayDaemon, type XrayDaemonOptions} from './daemon.js'
export {
  checkInvokePayload,
  type FunctionErrorBody,
  InvokeRequestError,
  MAX_REQUEST_PAYLOAD_BYTES,
  MAX_RESPONSE_PAYLOAD_BYTES,
} from './errors.js'
export {configKeyOf, createRuntime} from './pool.js'
export {ISOLATIONS, type Isolation} from './isolation.js'
export {createSampler, type Sampler, SAMPLINGS, type Sampling} from './sampling.js'
export {decideTrace, newSegmentId, newTraceId, parseTraceHeader} from './tracing.js'
export type {FunctionSpec, InvokeOptions, InvokeResult, Runtime, RuntimeOptions, ThrottleReason} from './types.js'
