import type {Store} from '../store.js'

/** What every control-plane handler receives besides the request. */
export interface ControlContext {
  store: Store
  /** The emulator's account id (`000000000000` unless configured). */
  accountId: string
}

export const DEFAULT_ACCOUNT_ID = '000000000000'
export const DEFAULT_REGION = 'us-east-1'
