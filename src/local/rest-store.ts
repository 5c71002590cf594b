/**
 * The emulator's REST API (API Gateway v1) state, in the same SQLite file and through the same connection as
 * the rest of the store (`Store.db`), in tables of its own:
 *
 *   rest_apis      one row per REST API: its wire members (lowerCamelCase, as GetRestApi returns them)
 *   rest_children  its resources, deployments and stages, by kind and id
 *
 * The tables are created on first use (`CREATE TABLE IF NOT EXISTS`), outside `store.ts`'s versioned
 * migrations: they are additive, and an older store simply has none yet. Deleting an API deletes its
 * children (foreign key, cascade).
 *
 * A resource row carries its methods (`resourceMethods`, each with its `methodIntegration`), because every
 * read of them (GetResources with `embed=methods`, CreateDeployment's snapshot, the data plane) wants the
 * resource and its methods together. A deployment row carries the snapshot of the tree it was made from: a
 * stage serves its deployment's snapshot, never the live tree (aws-semantics: REST stages serve deployments).
 */
import type {Page, Store, WireObject} from './store.js'
import {decodeCursor, InvalidCursorError} from './store.js'

export type RestChildKind = 'resources' | 'deployments' | 'stages'

export interface RestApiRecord {
  apiId: string
  region: string
  data: WireObject
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS rest_apis (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    api_id TEXT NOT NULL UNIQUE,
    region TEXT NOT NULL,
    data TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS rest_children (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    api_id TEXT NOT NULL REFERENCES rest_apis(api_id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    child_id TEXT NOT NULL,
    data TEXT NOT NULL,
    UNIQUE (api_id, kind, child_id)
  );
`

function encodeCursor(seq: number): string {
  return Buffer.from(JSON.stringify({k: seq}), 'utf8').toString('base64url')
}

function seqCursor(token: string | undefined): number {
  if (token === undefined) return 0
  const key = decodeCursor(token)
  if (typeof key !== 'number') throw new InvalidCursorError()
  return key
}

function page<Row extends {seq: number}, T>(rows: Row[], limit: number, map: (row: Row) => T): Page<T> {
  const kept = rows.slice(0, limit)
  return {items: kept.map(map), next: rows.length > limit ? encodeCursor(kept[kept.length - 1].seq) : undefined}
}

export class RestStore {
  constructor(readonly store: Store) {
    store.db.exec(SCHEMA)
  }

  private get db() {
    return this.store.db
  }

  transaction<T>(fn: () => T): T {
    return this.store.transaction(fn)
  }

  /** True when the id is taken by a REST API or an HTTP/WebSocket API (they share execute-api's namespace). */
  idTaken(apiId: string): boolean {
    return this.getApi(apiId) !== undefined || this.store.getApi(apiId) !== undefined
  }

  insertApi(record: RestApiRecord): boolean {
    const result = this.db.prepare('INSERT OR IGNORE INTO rest_apis (api_id, region, data) VALUES (?, ?, ?)').run(record.apiId, record.region, JSON.stringify(record.data))
    return result.changes === 1
  }

  getApi(apiId: string): RestApiRecord | undefined {
    const row = this.db.prepare('SELECT api_id, region, data FROM rest_apis WHERE api_id = ?').get(apiId) as {api_id: string; region: string; data: string} | undefined
    return row ? {apiId: row.api_id, region: row.region, data: JSON.parse(row.data) as WireObject} : undefined
  }

  saveApi(record: RestApiRecord): void {
    this.db.prepare('UPDATE rest_apis SET data = ? WHERE api_id = ?').run(JSON.stringify(record.data), record.apiId)
  }

  deleteApi(apiId: string): boolean {
    return this.db.prepare('DELETE FROM rest_apis WHERE api_id = ?').run(apiId).changes === 1
  }

  listApis(region: string, options: {after?: string; limit: number}): Page<RestApiRecord> {
    const rows = this.db
      .prepare('SELECT seq, api_id, region, data FROM rest_apis WHERE region = ? AND seq > ? ORDER BY seq LIMIT ?')
      .all(region, seqCursor(options.after), options.limit + 1) as {seq: number; api_id: string; region: string; data: string}[]
    return page(rows, options.limit, (row) => ({apiId: row.api_id, region: row.region, data: JSON.parse(row.data) as WireObject}))
  }

  countApis(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM rest_apis').get() as {n: number}).n
  }

  insertChild(kind: RestChildKind, apiId: string, id: string, data: WireObject): boolean {
    const result = this.db
      .prepare('INSERT OR IGNORE INTO rest_children (api_id, kind, child_id, data) VALUES (?, ?, ?, ?)')
      .run(apiId, kind, id, JSON.stringify(data))
    return result.changes === 1
  }

  getChild(kind: RestChildKind, apiId: string, id: string): WireObject | undefined {
    const row = this.db.prepare('SELECT data FROM rest_children WHERE api_id = ? AND kind = ? AND child_id = ?').get(apiId, kind, id) as {data: string} | undefined
    return row ? (JSON.parse(row.data) as WireObject) : undefined
  }

  saveChild(kind: RestChildKind, apiId: string, id: string, data: WireObject): void {
    this.db.prepare('UPDATE rest_children SET data = ? WHERE api_id = ? AND kind = ? AND child_id = ?').run(JSON.stringify(data), apiId, kind, id)
  }

  deleteChild(kind: RestChildKind, apiId: string, id: string): boolean {
    return this.db.prepare('DELETE FROM rest_children WHERE api_id = ? AND kind = ? AND child_id = ?').run(apiId, kind, id).changes === 1
  }

  listChildren(kind: RestChildKind, apiId: string, options: {after?: string; limit: number}): Page<WireObject> {
    const rows = this.db
      .prepare('SELECT seq, data FROM rest_children WHERE api_id = ? AND kind = ? AND seq > ? ORDER BY seq LIMIT ?')
      .all(apiId, kind, seqCursor(options.after), options.limit + 1) as {seq: number; data: string}[]
    return page(rows, options.limit, (row) => JSON.parse(row.data) as WireObject)
  }

  allChildren(kind: RestChildKind, apiId: string): WireObject[] {
    const rows = this.db.prepare('SELECT data FROM rest_children WHERE api_id = ? AND kind = ? ORDER BY seq').all(apiId, kind) as {data: string}[]
    return rows.map((row) => JSON.parse(row.data) as WireObject)
  }
}

const stores = new WeakMap<Store, RestStore>()

/** The REST tables of `store` (created on first use; one `RestStore` per `Store`). */
export function restStore(store: Store): RestStore {
  let rest = stores.get(store)
  if (!rest) {
    rest = new RestStore(store)
    stores.set(store, rest)
  }
  return rest
}
