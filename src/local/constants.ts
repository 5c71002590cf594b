/** Constants shared by the server and the lifecycle (kept apart so `--local` never loads the server module). */

/** Default port of `tracegate local start`. */
export const DEFAULT_PORT = 4577
export const HEALTH_PATH = '/_tracegate/health'
/** Path prefix of the execute-api data plane: `{baseUrl}/_aws/execute-api/{apiId}/…`. */
export const EXECUTE_API_PREFIX = '/_aws/execute-api'
