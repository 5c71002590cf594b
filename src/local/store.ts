/**
 * The emulator's persistent state: one SQLite file (better-sqlite3, loaded lazily so nothing outside
 * `src/local/` pays for the native module, STACK.md §7) in the data directory.
 *
 * - WAL mode, `busy_timeout`, and every write inside a synchronous `BEGIN IMMEDIATE` transaction: requests are
 *   served on one thread and each transaction runs to completion before the next request's code runs, so
 *   read-modify-write sequences (AddPermission's size check + insert, RevisionId checks) never interleave and
 *   never lose a write; a second process on the same file waits on the lock instead of corrupting it.
 * - The schema is versioned with `PRAGMA user_version`; `MIGRATIONS[n]` upgrades version n to n+1.
 * - Code zips are stored once per SHA-256 (`code_blobs`) and dropped when no function references them.
 *
 * Records are plain camelCase objects; the services turn them into each AWS wire shape.
 */
import {createHash} from 'node:crypto'
import {mkdirSync} from 'node:fs'
import {createRequire} from 'node:module'
import {join} from 'node:path'
import type BetterSqlite3 from 'better-sqlite3'

export const STORE_FILE = 'emulator.sqlite'
export const SCHEMA_VERSION = 3

type Db = BetterSqlite3.Database

/** Configuration of a function's `$LATEST`, as the runtime (part 2) needs it. */
export interface FunctionConfigRecord {
  runtime: string
  role: string
  handler: string
  description: string
  timeout: number
  memorySize: number
  /** `null` when the function has no Environment. */
  environment: Record<string, string> | null
  tracingMode: 'Active' | 'PassThrough'
  architectures: string[]
  ephemeralStorageSize: number
  /** `DeadLetterConfig.TargetArn` as given (the emulator sends no events there). */
  deadLetterTargetArn?: string
  /** `KMSKeyArn` as given (the emulator does not encrypt environment variables). */
  kmsKeyArn?: string
  /** `VpcConfig` as given (the emulator has no VPCs: handlers reach the network as the emulator does). */
  vpc?: {subnetIds: string[]; securityGroupIds: string[]}
}

/** Fault injection for reproducing failures on purpose (`tracegate local fault`, part 2). */
export interface FaultSettings {
  /** Every invocation answers 429 TooManyRequestsException. */
  throttle?: boolean
  /** Added latency before the handler runs, in milliseconds. */
  delayMs?: number
}

export interface FunctionRecord {
  region: string
  name: string
  config: FunctionConfigRecord
  /** Hex SHA-256 of the code zip (the `code_blobs` key). Lambda's `CodeSha256` is the base64 of the same digest. */
  codeSha256: string
  codeSize: number
  revisionId: string
  /** Bumped on every code or configuration update (not on policy/tag changes): workers cached for an older
   *  generation must start cold. */
  generation: number
  /** Lambda's format: `2024-01-02T03:04:05.000+0000`. */
  lastModified: string
  tags: Record<string, string>
  reservedConcurrency: number | null
  fault: FaultSettings | null
  createdAt: string
  /**
   * Set on a published version's view of the function (`versionView`): its number, e.g. `"3"`. The code,
   * configuration, revision and LastModified are then the version's; absent means `$LATEST`.
   */
  version?: string
}

/** A published version: an immutable snapshot of `$LATEST`'s code and configuration (PublishVersion). */
export interface FunctionVersionRecord {
  region: string
  name: string
  /** 1, 2, …: never reused, even after a version is deleted. */
  version: number
  config: FunctionConfigRecord
  codeSha256: string
  codeSize: number
  revisionId: string
  lastModified: string
  /** The `$LATEST` generation it was published from: publishing again without a change returns this version. */
  fromGeneration: number
}

/** An alias: a name for a version, optionally sending a share of invocations to a second one (RoutingConfig). */
export interface AliasRecord {
  region: string
  name: string
  alias: string
  /** `$LATEST` or a version number. */
  functionVersion: string
  description: string
  /** `AdditionalVersionWeights`: version → share of invocations (0-1); null without a routing configuration. */
  weights: Record<string, number> | null
  revisionId: string
}

export interface PolicyStatementRecord {
  sid: string
  /** The statement exactly as GetPolicy returns it. */
  statement: Record<string, unknown>
}

/** An ApiGatewayV2 resource as stored: its wire (lowerCamelCase) members, minus computed ones (`apiEndpoint`). */
export type WireObject = Record<string, unknown>

export interface ApiRecord {
  apiId: string
  region: string
  data: WireObject
}

export interface RoleRecord {
  roleName: string
  roleId: string
  arn: string
  path: string
  createDate: string
  assumeRolePolicyDocument: string
  description?: string
  maxSessionDuration: number
  tags: {Key: string; Value: string}[]
  /** Inline policies by name (PutRolePolicy), documents as given. */
  inlinePolicies?: Record<string, string>
}

export interface SegmentInput {
  traceId: string
  id: string
  /** Present on subsegments sent on their own (`type: "subsegment"`). */
  parentId?: string
  kind: 'segment' | 'subsegment'
  startTime: number
  endTime?: number
  inProgress: boolean
  /** The document exactly as received (a JSON string). */
  document: string
}

export interface StoredSegment {
  id: string
  kind: 'segment' | 'subsegment'
  parentId?: string
  document: string
  startTime: number
  endTime?: number
  inProgress: boolean
}

export interface TraceRecord {
  traceId: string
  region: string
  /** Epoch seconds encoded in the trace id. */
  idTime: number
  firstStart: number
  lastEnd: number | null
  updatedAt: number
  segmentCount: number
}

export type TraceTimeRange = 'TraceId' | 'Event' | 'Service'

export interface Page<T> {
  items: T[]
  /** Opaque continuation key; undefined on the last page. */
  next?: string
}

export interface StoreCounts {
  functions: number
  apis: number
  traces: number
  roles: number
  codeBlobs: number
}

const MIGRATIONS: readonly string[] = [
  // 0 → 1
  `
  CREATE TABLE code_blobs (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    zip BLOB NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE functions (
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    config TEXT NOT NULL,
    code_sha256 TEXT NOT NULL REFERENCES code_blobs(sha256),
    revision_id TEXT NOT NULL,
    generation INTEGER NOT NULL,
    last_modified TEXT NOT NULL,
    tags TEXT NOT NULL,
    reserved_concurrency INTEGER,
    fault TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (region, name)
  );
  CREATE TABLE function_policy_statements (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    region TEXT NOT NULL,
    function_name TEXT NOT NULL,
    qualifier TEXT NOT NULL,
    sid TEXT NOT NULL,
    statement TEXT NOT NULL,
    UNIQUE (region, function_name, qualifier, sid),
    FOREIGN KEY (region, function_name) REFERENCES functions(region, name) ON DELETE CASCADE
  );
  CREATE TABLE apis (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    api_id TEXT NOT NULL UNIQUE,
    region TEXT NOT NULL,
    data TEXT NOT NULL
  );
  CREATE TABLE integrations (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    api_id TEXT NOT NULL REFERENCES apis(api_id) ON DELETE CASCADE,
    integration_id TEXT NOT NULL,
    data TEXT NOT NULL,
    UNIQUE (api_id, integration_id)
  );
  CREATE TABLE routes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    api_id TEXT NOT NULL REFERENCES apis(api_id) ON DELETE CASCADE,
    route_id TEXT NOT NULL,
    route_key TEXT NOT NULL,
    data TEXT NOT NULL,
    UNIQUE (api_id, route_id),
    UNIQUE (api_id, route_key)
  );
  CREATE TABLE stages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    api_id TEXT NOT NULL REFERENCES apis(api_id) ON DELETE CASCADE,
    stage_name TEXT NOT NULL,
    data TEXT NOT NULL,
    UNIQUE (api_id, stage_name)
  );
  CREATE TABLE roles (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    name_key TEXT NOT NULL UNIQUE,
    data TEXT NOT NULL
  );
  CREATE TABLE role_policy_attachments (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    name_key TEXT NOT NULL REFERENCES roles(name_key) ON DELETE CASCADE,
    policy_arn TEXT NOT NULL,
    UNIQUE (name_key, policy_arn)
  );
  CREATE TABLE traces (
    trace_id TEXT PRIMARY KEY,
    region TEXT NOT NULL,
    id_time REAL NOT NULL,
    first_start REAL NOT NULL,
    last_end REAL,
    updated_at REAL NOT NULL,
    segment_count INTEGER NOT NULL
  );
  CREATE INDEX traces_by_id_time ON traces(region, id_time);
  CREATE INDEX traces_by_update ON traces(region, updated_at);
  CREATE TABLE trace_segments (
    trace_id TEXT NOT NULL REFERENCES traces(trace_id) ON DELETE CASCADE,
    segment_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    parent_id TEXT,
    start_time REAL NOT NULL,
    end_time REAL,
    in_progress INTEGER NOT NULL,
    document TEXT NOT NULL,
    received_at REAL NOT NULL,
    PRIMARY KEY (trace_id, segment_id)
  );
  `,
  // 1 → 2: published versions and aliases
  `
  ALTER TABLE functions ADD COLUMN last_version INTEGER NOT NULL DEFAULT 0;
  CREATE TABLE function_versions (
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    config TEXT NOT NULL,
    code_sha256 TEXT NOT NULL REFERENCES code_blobs(sha256),
    revision_id TEXT NOT NULL,
    last_modified TEXT NOT NULL,
    from_generation INTEGER NOT NULL,
    PRIMARY KEY (region, name, version),
    FOREIGN KEY (region, name) REFERENCES functions(region, name) ON DELETE CASCADE
  );
  CREATE TABLE function_aliases (
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    alias TEXT NOT NULL,
    function_version TEXT NOT NULL,
    description TEXT NOT NULL,
    weights TEXT,
    revision_id TEXT NOT NULL,
    PRIMARY KEY (region, name, alias),
    FOREIGN KEY (region, name) REFERENCES functions(region, name) ON DELETE CASCADE
  );
  `,
  // 2 → 3: HTTP API deployments (each carries the routes and integrations it was made from)
  `
  CREATE TABLE deployments (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    api_id TEXT NOT NULL REFERENCES apis(api_id) ON DELETE CASCADE,
    deployment_id TEXT NOT NULL,
    data TEXT NOT NULL,
    UNIQUE (api_id, deployment_id)
  );
  `,
]

/** Lambda's `LastModified` format (aws-semantics §1.1): `2024-01-02T03:04:05.000+0000`. */
export function lambdaTimestamp(date = new Date()): string {
  return date.toISOString().replace('Z', '+0000')
}

export function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex')
}

function encodeCursor(value: number | string): string {
  return Buffer.from(JSON.stringify({k: value}), 'utf8').toString('base64url')
}

/** Returns undefined for a token this store did not issue. */
export function decodeCursor(token: string): number | string | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {k?: unknown}
    return typeof parsed.k === 'number' || typeof parsed.k === 'string' ? parsed.k : undefined
  } catch {
    return undefined
  }
}

export class InvalidCursorError extends Error {
  constructor() {
    super('invalid pagination token')
    this.name = 'InvalidCursorError'
  }
}

interface FunctionRow {
  region: string
  name: string
  config: string
  code_sha256: string
  size: number
  revision_id: string
  generation: number
  last_modified: string
  tags: string
  reserved_concurrency: number | null
  fault: string | null
  created_at: string
}

function functionFromRow(row: FunctionRow): FunctionRecord {
  return {
    region: row.region,
    name: row.name,
    config: JSON.parse(row.config) as FunctionConfigRecord,
    codeSha256: row.code_sha256,
    codeSize: row.size,
    revisionId: row.revision_id,
    generation: row.generation,
    lastModified: row.last_modified,
    tags: JSON.parse(row.tags) as Record<string, string>,
    reservedConcurrency: row.reserved_concurrency,
    fault: row.fault ? (JSON.parse(row.fault) as FaultSettings) : null,
    createdAt: row.created_at,
  }
}

const FUNCTION_SELECT = `SELECT f.*, c.size FROM functions f JOIN code_blobs c ON c.sha256 = f.code_sha256`

interface VersionRow {
  region: string
  name: string
  version: number
  config: string
  code_sha256: string
  size: number
  revision_id: string
  last_modified: string
  from_generation: number
}

function versionFromRow(row: VersionRow): FunctionVersionRecord {
  return {
    region: row.region,
    name: row.name,
    version: row.version,
    config: JSON.parse(row.config) as FunctionConfigRecord,
    codeSha256: row.code_sha256,
    codeSize: row.size,
    revisionId: row.revision_id,
    lastModified: row.last_modified,
    fromGeneration: row.from_generation,
  }
}

const VERSION_SELECT = `SELECT v.*, c.size FROM function_versions v JOIN code_blobs c ON c.sha256 = v.code_sha256`

interface AliasRow {
  region: string
  name: string
  alias: string
  function_version: string
  description: string
  weights: string | null
  revision_id: string
}

function aliasFromRow(row: AliasRow): AliasRecord {
  return {
    region: row.region,
    name: row.name,
    alias: row.alias,
    functionVersion: row.function_version,
    description: row.description,
    weights: row.weights ? (JSON.parse(row.weights) as Record<string, number>) : null,
    revisionId: row.revision_id,
  }
}

export interface OpenStoreOptions {
  dataDir: string
  /** Defaults to `emulator.sqlite`. `:memory:` is accepted for throwaway stores. */
  file?: string
}

/** The statements `writeSegmentBatch` runs, compiled once per connection. */
export interface SegmentStatements {
  insertTrace: BetterSqlite3.Statement
  upsertSegment: BetterSqlite3.Statement
  updateTrace: BetterSqlite3.Statement
}

/**
 * Compiles the segment statements on `db`. Self-contained like `writeSegmentBatch` (the segment writer thread
 * runs its source text).
 */
export function prepareSegmentStatements(db: Db): SegmentStatements {
  return {
    insertTrace: db.prepare(
      `INSERT INTO traces (trace_id, region, id_time, first_start, last_end, updated_at, segment_count)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (trace_id) DO NOTHING`,
    ),
    // The WHERE keeps a complete segment when an in-progress copy of it arrives (no row changes then).
    upsertSegment: db.prepare(
      `INSERT INTO trace_segments (trace_id, segment_id, kind, parent_id, start_time, end_time, in_progress, document, received_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (trace_id, segment_id) DO UPDATE SET kind = excluded.kind, parent_id = excluded.parent_id,
         start_time = excluded.start_time, end_time = excluded.end_time, in_progress = excluded.in_progress,
         document = excluded.document, received_at = excluded.received_at
       WHERE NOT (trace_segments.in_progress = 0 AND excluded.in_progress = 1)`,
    ),
    updateTrace: db.prepare(
      `UPDATE traces SET
         first_start = (SELECT MIN(start_time) FROM trace_segments WHERE trace_id = @traceId),
         last_end = (SELECT MAX(end_time) FROM trace_segments WHERE trace_id = @traceId),
         segment_count = (SELECT COUNT(*) FROM trace_segments WHERE trace_id = @traceId),
         updated_at = @receivedAt
       WHERE trace_id = @traceId`,
    ),
  }
}

/**
 * Writes segment documents in order (call inside a transaction). A complete segment replaces an in-progress one
 * with the same id; an in-progress copy never replaces a complete one (aws-semantics §6.2). A trace's aggregates
 * (first start, last end, segment count, update time) are written once per batch: computed here for a trace the
 * batch creates, recomputed by SQL for one that already had segments (and only when the batch changed one).
 *
 * Self-contained on purpose (it uses only its arguments and JavaScript built-ins): the segment writer thread
 * (`dataplane/segments.ts`) runs this function from its source text, so both connections store alike.
 */
export function writeSegmentBatch(statements: SegmentStatements, segments: readonly {region: string; segment: SegmentInput}[], receivedAt: number): void {
  /** Per trace, in order of first appearance: its region and the segments it would end up with if it is new. */
  const traces = new Map<string, {region: string; segments: Map<string, {startTime: number; endTime: number | null; inProgress: boolean}>}>()
  for (const {region, segment} of segments) {
    let trace = traces.get(segment.traceId)
    if (!trace) {
      trace = {region, segments: new Map()}
      traces.set(segment.traceId, trace)
    }
    const known = trace.segments.get(segment.id)
    if (known && !known.inProgress && segment.inProgress) continue
    trace.segments.set(segment.id, {startTime: segment.startTime, endTime: segment.endTime ?? null, inProgress: segment.inProgress})
  }
  /** Traces that existed before the batch: their aggregates are recomputed if one of their segments is written. */
  const existing = new Map<string, boolean>()
  // Trace rows first: trace_segments references traces.
  for (const [traceId, trace] of traces) {
    let firstStart = Number.POSITIVE_INFINITY
    let lastEnd: number | null = null
    for (const {startTime, endTime} of trace.segments.values()) {
      if (startTime < firstStart) firstStart = startTime
      if (endTime !== null && (lastEnd === null || endTime > lastEnd)) lastEnd = endTime
    }
    const idTime = Number.parseInt(traceId.split('-')[1] ?? '0', 16)
    const created = statements.insertTrace.run(traceId, trace.region, idTime, firstStart, lastEnd, receivedAt, trace.segments.size).changes > 0
    if (!created) existing.set(traceId, false)
  }
  for (const {segment} of segments) {
    const changes = statements.upsertSegment.run(
      segment.traceId,
      segment.id,
      segment.kind,
      segment.parentId ?? null,
      segment.startTime,
      segment.endTime ?? null,
      segment.inProgress ? 1 : 0,
      segment.document,
      receivedAt,
    ).changes
    if (changes > 0 && existing.has(segment.traceId)) existing.set(segment.traceId, true)
  }
  for (const [traceId, written] of existing) if (written) statements.updateTrace.run({traceId, receivedAt})
}

/** Pragmas every connection to the store sets (WAL itself is a property of the file). */
export const CONNECTION_PRAGMAS = ['journal_mode = WAL', 'synchronous = NORMAL', 'busy_timeout = 5000', 'foreign_keys = ON']

/** Where better-sqlite3 loads from (a worker thread that opens its own connection needs it). */
export function sqliteDriverPath(): string {
  return createRequire(import.meta.url).resolve('better-sqlite3')
}

export class Store {
  readonly db: Db
  readonly path: string

  /** Segment ingestion runs on every traced invocation: its statements are compiled once. */
  private segmentStatements: SegmentStatements | undefined

  constructor(db: Db, path: string) {
    this.db = db
    this.path = path
  }

  /** Runs `fn` in one `BEGIN IMMEDIATE` transaction (nested calls join the outer one). */
  transaction<T>(fn: () => T): T {
    if (this.db.inTransaction) return fn()
    return this.db.transaction(fn).immediate()
  }

  close(): void {
    if (this.db.open) this.db.close()
  }

  counts(): StoreCounts {
    const count = (table: string) => (this.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as {n: number}).n
    return {
      functions: count('functions'),
      apis: count('apis'),
      traces: count('traces'),
      roles: count('roles'),
      codeBlobs: count('code_blobs'),
    }
  }

  // ---- code ---------------------------------------------------------------------------------------------

  /** Stores a zip once per SHA-256; returns its hex digest and size. */
  putCode(zip: Buffer): {sha256: string; size: number} {
    const sha256 = sha256Hex(zip)
    this.db
      .prepare('INSERT OR IGNORE INTO code_blobs (sha256, size, zip, created_at) VALUES (?, ?, ?, ?)')
      .run(sha256, zip.length, zip, new Date().toISOString())
    return {sha256, size: zip.length}
  }

  getCode(sha256: string): Buffer | undefined {
    const row = this.db.prepare('SELECT zip FROM code_blobs WHERE sha256 = ?').get(sha256) as {zip: Buffer} | undefined
    return row?.zip
  }

  /** Drops zips no function references any more. */
  private collectCode(): void {
    this.db
      .prepare('DELETE FROM code_blobs WHERE sha256 NOT IN (SELECT code_sha256 FROM functions UNION SELECT code_sha256 FROM function_versions)')
      .run()
  }

  // ---- functions -------------------------------------------------------------------------------------------

  getFunction(region: string, name: string): FunctionRecord | undefined {
    const row = this.db.prepare(`${FUNCTION_SELECT} WHERE f.region = ? AND f.name = ?`).get(region, name) as
      | FunctionRow
      | undefined
    return row ? functionFromRow(row) : undefined
  }

  /** Inserts a new function; returns false when one with that name exists in the region. */
  insertFunction(record: Omit<FunctionRecord, 'codeSize'>): boolean {
    const result = this.db
      .prepare(
        `INSERT OR IGNORE INTO functions (region, name, config, code_sha256, revision_id, generation, last_modified,
           tags, reserved_concurrency, fault, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        record.region,
        record.name,
        JSON.stringify(record.config),
        record.codeSha256,
        record.revisionId,
        record.generation,
        record.lastModified,
        JSON.stringify(record.tags),
        record.reservedConcurrency,
        record.fault ? JSON.stringify(record.fault) : null,
        record.createdAt,
      )
    return result.changes === 1
  }

  /** Writes every mutable column of an existing function (call inside `transaction` after reading it). */
  saveFunction(record: Omit<FunctionRecord, 'codeSize'>): void {
    this.db
      .prepare(
        `UPDATE functions SET config = ?, code_sha256 = ?, revision_id = ?, generation = ?, last_modified = ?,
           tags = ?, reserved_concurrency = ?, fault = ? WHERE region = ? AND name = ?`,
      )
      .run(
        JSON.stringify(record.config),
        record.codeSha256,
        record.revisionId,
        record.generation,
        record.lastModified,
        JSON.stringify(record.tags),
        record.reservedConcurrency,
        record.fault ? JSON.stringify(record.fault) : null,
        record.region,
        record.name,
      )
    this.collectCode()
  }

  /** Sets (or clears, with null) a function's fault injection; false when the function does not exist. */
  setFault(region: string, name: string, fault: FaultSettings | null): boolean {
    const result = this.db
      .prepare('UPDATE functions SET fault = ? WHERE region = ? AND name = ?')
      .run(fault ? JSON.stringify(fault) : null, region, name)
    return result.changes === 1
  }

  deleteFunction(region: string, name: string): boolean {
    return this.transaction(() => {
      const changes = this.db.prepare('DELETE FROM functions WHERE region = ? AND name = ?').run(region, name).changes
      this.collectCode()
      return changes === 1
    })
  }

  /** Functions of a region in name order, `limit` at a time, after the cursor `after`. */
  listFunctions(region: string, options: {after?: string; limit: number}): Page<FunctionRecord> {
    let after = ''
    if (options.after !== undefined) {
      const key = decodeCursor(options.after)
      if (typeof key !== 'string') throw new InvalidCursorError()
      after = key
    }
    const rows = this.db
      .prepare(`${FUNCTION_SELECT} WHERE f.region = ? AND f.name > ? ORDER BY f.name LIMIT ?`)
      .all(region, after, options.limit + 1) as FunctionRow[]
    const items = rows.slice(0, options.limit).map(functionFromRow)
    return {items, next: rows.length > options.limit ? encodeCursor(items[items.length - 1].name) : undefined}
  }

  /** Every function in every region (data plane lookups by ARN, status counts). */
  allFunctions(): FunctionRecord[] {
    return (this.db.prepare(`${FUNCTION_SELECT} ORDER BY f.region, f.name`).all() as FunctionRow[]).map(functionFromRow)
  }

  /** Sum of reserved concurrency in a region, optionally excluding one function. */
  reservedConcurrencyTotal(region: string, exceptName?: string): number {
    const row = this.db
      .prepare('SELECT COALESCE(SUM(reserved_concurrency), 0) AS n FROM functions WHERE region = ? AND name != ?')
      .get(region, exceptName ?? '') as {n: number}
    return row.n
  }

  // ---- versions and aliases ---------------------------------------------------------------------------------

  /** The function's published versions in number order, `limit` at a time after version `after`. */
  listVersions(region: string, name: string, options: {after?: number; limit: number}): FunctionVersionRecord[] {
    const rows = this.db
      .prepare(`${VERSION_SELECT} WHERE v.region = ? AND v.name = ? AND v.version > ? ORDER BY v.version LIMIT ?`)
      .all(region, name, options.after ?? 0, options.limit) as VersionRow[]
    return rows.map(versionFromRow)
  }

  getVersion(region: string, name: string, version: number): FunctionVersionRecord | undefined {
    const row = this.db.prepare(`${VERSION_SELECT} WHERE v.region = ? AND v.name = ? AND v.version = ?`).get(region, name, version) as
      | VersionRow
      | undefined
    return row ? versionFromRow(row) : undefined
  }

  /** The most recently published version that still exists. */
  latestVersion(region: string, name: string): FunctionVersionRecord | undefined {
    const row = this.db
      .prepare(`${VERSION_SELECT} WHERE v.region = ? AND v.name = ? ORDER BY v.version DESC LIMIT 1`)
      .get(region, name) as VersionRow | undefined
    return row ? versionFromRow(row) : undefined
  }

  /** Snapshots `fn` (`$LATEST`, as read in the same transaction) as its next version number. */
  insertVersion(fn: FunctionRecord, description: string, revisionId: string, lastModified: string): FunctionVersionRecord {
    return this.transaction(() => {
      const {n} = this.db
        .prepare('UPDATE functions SET last_version = last_version + 1 WHERE region = ? AND name = ? RETURNING last_version AS n')
        .get(fn.region, fn.name) as {n: number}
      this.db
        .prepare(
          `INSERT INTO function_versions (region, name, version, config, code_sha256, revision_id, last_modified, from_generation)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(fn.region, fn.name, n, JSON.stringify({...fn.config, description}), fn.codeSha256, revisionId, lastModified, fn.generation)
      return this.getVersion(fn.region, fn.name, n)!
    })
  }

  /** Deletes a version and the resource policy statements scoped to it. */
  deleteVersion(region: string, name: string, version: number): boolean {
    return this.transaction(() => {
      const changes = this.db.prepare('DELETE FROM function_versions WHERE region = ? AND name = ? AND version = ?').run(region, name, version).changes
      this.deleteScopedStatements(region, name, String(version))
      this.collectCode()
      return changes === 1
    })
  }

  getAlias(region: string, name: string, alias: string): AliasRecord | undefined {
    const row = this.db.prepare('SELECT * FROM function_aliases WHERE region = ? AND name = ? AND alias = ?').get(region, name, alias) as
      | AliasRow
      | undefined
    return row ? aliasFromRow(row) : undefined
  }

  /** Every alias of the function, in name order (ListAliases pages over them; there are few). */
  allAliases(region: string, name: string): AliasRecord[] {
    const rows = this.db.prepare('SELECT * FROM function_aliases WHERE region = ? AND name = ? ORDER BY alias').all(region, name) as AliasRow[]
    return rows.map(aliasFromRow)
  }

  /** Inserts an alias; returns false when one with that name exists. */
  insertAlias(record: AliasRecord): boolean {
    const result = this.db
      .prepare(
        `INSERT OR IGNORE INTO function_aliases (region, name, alias, function_version, description, weights, revision_id)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(record.region, record.name, record.alias, record.functionVersion, record.description, record.weights ? JSON.stringify(record.weights) : null, record.revisionId)
    return result.changes === 1
  }

  saveAlias(record: AliasRecord): void {
    this.db
      .prepare('UPDATE function_aliases SET function_version = ?, description = ?, weights = ?, revision_id = ? WHERE region = ? AND name = ? AND alias = ?')
      .run(record.functionVersion, record.description, record.weights ? JSON.stringify(record.weights) : null, record.revisionId, record.region, record.name, record.alias)
  }

  /** Deletes an alias and the resource policy statements scoped to it. */
  deleteAlias(region: string, name: string, alias: string): boolean {
    return this.transaction(() => {
      const changes = this.db.prepare('DELETE FROM function_aliases WHERE region = ? AND name = ? AND alias = ?').run(region, name, alias).changes
      this.deleteScopedStatements(region, name, alias)
      return changes === 1
    })
  }

  // ---- function resource policies ---------------------------------------------------------------------------

  /** Drops the resource policy of a version or alias (deleted with it). */
  private deleteScopedStatements(region: string, functionName: string, qualifier: string): void {
    this.db.prepare('DELETE FROM function_policy_statements WHERE region = ? AND function_name = ? AND qualifier = ?').run(region, functionName, qualifier)
  }

  listPolicyStatements(region: string, functionName: string, qualifier = '$LATEST'): PolicyStatementRecord[] {
    const rows = this.db
      .prepare(
        'SELECT sid, statement FROM function_policy_statements WHERE region = ? AND function_name = ? AND qualifier = ? ORDER BY seq',
      )
      .all(region, functionName, qualifier) as {sid: string; statement: string}[]
    return rows.map((row) => ({sid: row.sid, statement: JSON.parse(row.statement) as Record<string, unknown>}))
  }

  /** Returns false when the statement id already exists for that function and qualifier. */
  insertPolicyStatement(
    region: string,
    functionName: string,
    qualifier: string,
    sid: string,
    statement: Record<string, unknown>,
  ): boolean {
    const result = this.db
      .prepare(
        'INSERT OR IGNORE INTO function_policy_statements (region, function_name, qualifier, sid, statement) VALUES (?, ?, ?, ?, ?)',
      )
      .run(region, functionName, qualifier, sid, JSON.stringify(statement))
    return result.changes === 1
  }

  deletePolicyStatement(region: string, functionName: string, qualifier: string, sid: string): boolean {
    const result = this.db
      .prepare('DELETE FROM function_policy_statements WHERE region = ? AND function_name = ? AND qualifier = ? AND sid = ?')
      .run(region, functionName, qualifier, sid)
    return result.changes === 1
  }

  // ---- ApiGatewayV2 ------------------------------------------------------------------------------------------

  insertApi(record: ApiRecord): boolean {
    const result = this.db
      .prepare('INSERT OR IGNORE INTO apis (api_id, region, data) VALUES (?, ?, ?)')
      .run(record.apiId, record.region, JSON.stringify(record.data))
    return result.changes === 1
  }

  getApi(apiId: string): ApiRecord | undefined {
    const row = this.db.prepare('SELECT api_id, region, data FROM apis WHERE api_id = ?').get(apiId) as
      | {api_id: string; region: string; data: string}
      | undefined
    return row ? {apiId: row.api_id, region: row.region, data: JSON.parse(row.data) as WireObject} : undefined
  }

  saveApi(record: ApiRecord): void {
    this.db.prepare('UPDATE apis SET data = ? WHERE api_id = ?').run(JSON.stringify(record.data), record.apiId)
  }

  deleteApi(apiId: string): boolean {
    return this.db.prepare('DELETE FROM apis WHERE api_id = ?').run(apiId).changes === 1
  }

  listApis(region: string, options: {after?: string; limit: number}): Page<ApiRecord> {
    const after = this.seqCursor(options.after)
    const rows = this.db
      .prepare('SELECT seq, api_id, region, data FROM apis WHERE region = ? AND seq > ? ORDER BY seq LIMIT ?')
      .all(region, after, options.limit + 1) as {seq: number; api_id: string; region: string; data: string}[]
    return this.page(rows, options.limit, (row) => ({
      apiId: row.api_id,
      region: row.region,
      data: JSON.parse(row.data) as WireObject,
    }))
  }

  /** Every API in every region (the data plane resolves `{apiId}` without a region). */
  allApis(): ApiRecord[] {
    const rows = this.db.prepare('SELECT api_id, region, data FROM apis ORDER BY seq').all() as {
      api_id: string
      region: string
      data: string
    }[]
    return rows.map((row) => ({apiId: row.api_id, region: row.region, data: JSON.parse(row.data) as WireObject}))
  }

  /** A child resource of an API: `integrations`, `routes` or `stages`. */
  insertChild(kind: ApiChildKind, apiId: string, id: string, data: WireObject): boolean {
    const spec = CHILD_TABLES[kind]
    if (kind === 'routes') {
      const result = this.db
        .prepare('INSERT OR IGNORE INTO routes (api_id, route_id, route_key, data) VALUES (?, ?, ?, ?)')
        .run(apiId, id, String(data.routeKey), JSON.stringify(data))
      return result.changes === 1
    }
    const result = this.db
      .prepare(`INSERT OR IGNORE INTO ${spec.table} (api_id, ${spec.idColumn}, data) VALUES (?, ?, ?)`)
      .run(apiId, id, JSON.stringify(data))
    return result.changes === 1
  }

  getChild(kind: ApiChildKind, apiId: string, id: string): WireObject | undefined {
    const spec = CHILD_TABLES[kind]
    const row = this.db.prepare(`SELECT data FROM ${spec.table} WHERE api_id = ? AND ${spec.idColumn} = ?`).get(apiId, id) as
      | {data: string}
      | undefined
    return row ? (JSON.parse(row.data) as WireObject) : undefined
  }

  saveChild(kind: ApiChildKind, apiId: string, id: string, data: WireObject): void {
    const spec = CHILD_TABLES[kind]
    if (kind === 'routes') {
      this.db
        .prepare('UPDATE routes SET data = ?, route_key = ? WHERE api_id = ? AND route_id = ?')
        .run(JSON.stringify(data), String(data.routeKey), apiId, id)
      return
    }
    this.db.prepare(`UPDATE ${spec.table} SET data = ? WHERE api_id = ? AND ${spec.idColumn} = ?`).run(JSON.stringify(data), apiId, id)
  }

  deleteChild(kind: ApiChildKind, apiId: string, id: string): boolean {
    const spec = CHILD_TABLES[kind]
    return this.db.prepare(`DELETE FROM ${spec.table} WHERE api_id = ? AND ${spec.idColumn} = ?`).run(apiId, id).changes === 1
  }

  listChildren(kind: ApiChildKind, apiId: string, options: {after?: string; limit: number}): Page<WireObject> {
    const spec = CHILD_TABLES[kind]
    const after = this.seqCursor(options.after)
    const rows = this.db
      .prepare(`SELECT seq, data FROM ${spec.table} WHERE api_id = ? AND seq > ? ORDER BY seq LIMIT ?`)
      .all(apiId, after, options.limit + 1) as {seq: number; data: string}[]
    return this.page(rows, options.limit, (row) => JSON.parse(row.data) as WireObject)
  }

  /** Every child of one kind (route matching reads all routes of an API at once). */
  allChildren(kind: ApiChildKind, apiId: string): WireObject[] {
    const spec = CHILD_TABLES[kind]
    const rows = this.db.prepare(`SELECT data FROM ${spec.table} WHERE api_id = ? ORDER BY seq`).all(apiId) as {data: string}[]
    return rows.map((row) => JSON.parse(row.data) as WireObject)
  }

  routeIdForKey(apiId: string, routeKey: string): string | undefined {
    const row = this.db.prepare('SELECT route_id FROM routes WHERE api_id = ? AND route_key = ?').get(apiId, routeKey) as
      | {route_id: string}
      | undefined
    return row?.route_id
  }

  // ---- IAM ---------------------------------------------------------------------------------------------------

  /** IAM role names are unique case-insensitively. */
  insertRole(role: RoleRecord): boolean {
    const result = this.db
      .prepare('INSERT OR IGNORE INTO roles (name_key, data) VALUES (?, ?)')
      .run(role.roleName.toLowerCase(), JSON.stringify(role))
    return result.changes === 1
  }

  getRole(roleName: string): RoleRecord | undefined {
    const row = this.db.prepare('SELECT data FROM roles WHERE name_key = ?').get(roleName.toLowerCase()) as
      | {data: string}
      | undefined
    return row ? (JSON.parse(row.data) as RoleRecord) : undefined
  }

  saveRole(role: RoleRecord): void {
    this.db.prepare('UPDATE roles SET data = ? WHERE name_key = ?').run(JSON.stringify(role), role.roleName.toLowerCase())
  }

  listRoles(options: {after?: string; limit: number}): Page<RoleRecord> {
    const after = this.seqCursor(options.after)
    const rows = this.db
      .prepare('SELECT seq, data FROM roles WHERE seq > ? ORDER BY seq LIMIT ?')
      .all(after, options.limit + 1) as {seq: number; data: string}[]
    return this.page(rows, options.limit, (row) => JSON.parse(row.data) as RoleRecord)
  }

  deleteRole(roleName: string): boolean {
    return this.db.prepare('DELETE FROM roles WHERE name_key = ?').run(roleName.toLowerCase()).changes === 1
  }

  attachRolePolicy(roleName: string, policyArn: string): void {
    this.db
      .prepare('INSERT OR IGNORE INTO role_policy_attachments (name_key, policy_arn) VALUES (?, ?)')
      .run(roleName.toLowerCase(), policyArn)
  }

  detachRolePolicy(roleName: string, policyArn: string): boolean {
    return (
      this.db
        .prepare('DELETE FROM role_policy_attachments WHERE name_key = ? AND policy_arn = ?')
        .run(roleName.toLowerCase(), policyArn).changes === 1
    )
  }

  listAttachedRolePolicies(roleName: string, options: {after?: string; limit: number}): Page<string> {
    const after = this.seqCursor(options.after)
    const rows = this.db
      .prepare('SELECT seq, policy_arn FROM role_policy_attachments WHERE name_key = ? AND seq > ? ORDER BY seq LIMIT ?')
      .all(roleName.toLowerCase(), after, options.limit + 1) as {seq: number; policy_arn: string}[]
    return this.page(rows, options.limit, (row) => row.policy_arn)
  }

  // ---- X-Ray -------------------------------------------------------------------------------------------------

  /**
   * Stores one segment document. A complete segment replaces an in-progress one with the same id; an
   * in-progress copy never replaces a complete one (aws-semantics §6.2).
   */
  putSegment(region: string, segment: SegmentInput, receivedAt: number): void {
    this.putSegments([{region, segment}], receivedAt)
  }

  /**
   * Stores segment documents in order, in one transaction, with the rules of `putSegment` (see
   * `writeSegmentBatch`); the result is the same as storing them one by one.
   */
  putSegments(segments: readonly {region: string; segment: SegmentInput}[], receivedAt: number): void {
    if (segments.length === 0) return
    this.segmentStatements ??= prepareSegmentStatements(this.db)
    const statements = this.segmentStatements
    this.transaction(() => writeSegmentBatch(statements, segments, receivedAt))
  }

  getTrace(traceId: string): TraceRecord | undefined {
    const row = this.db.prepare('SELECT * FROM traces WHERE trace_id = ?').get(traceId) as TraceRow | undefined
    return row ? traceFromRow(row) : undefined
  }

  getSegments(traceId: string): StoredSegment[] {
    const rows = this.db
      .prepare(
        'SELECT segment_id, kind, parent_id, document, start_time, end_time, in_progress FROM trace_segments WHERE trace_id = ? ORDER BY start_time, segment_id',
      )
      .all(traceId) as {
      segment_id: string
      kind: 'segment' | 'subsegment'
      parent_id: string | null
      document: string
      start_time: number
      end_time: number | null
      in_progress: number
    }[]
    return rows.map((row) => ({
      id: row.segment_id,
      kind: row.kind,
      parentId: row.parent_id ?? undefined,
      document: row.document,
      startTime: row.start_time,
      endTime: row.end_time ?? undefined,
      inProgress: row.in_progress === 1,
    }))
  }

  /**
   * Traces of a region whose time (per `rangeType`) falls in [start, end], oldest first, `limit` at a time.
   * TraceId = the time in the trace id, Event = last update, Service = last segment end (aws-semantics §6.8).
   */
  listTraces(
    region: string,
    options: {start: number; end: number; rangeType: TraceTimeRange; after?: string; limit: number},
  ): Page<TraceRecord> {
    const column = options.rangeType === 'Event' ? 'updated_at' : options.rangeType === 'Service' ? 'last_end' : 'id_time'
    let afterTime = Number.NEGATIVE_INFINITY
    let afterId = ''
    if (options.after !== undefined) {
      const key = decodeCursor(options.after)
      if (typeof key !== 'string' || !key.includes('|')) throw new InvalidCursorError()
      const [time, id] = key.split('|')
      afterTime = Number(time)
      afterId = id
      if (!Number.isFinite(afterTime)) throw new InvalidCursorError()
    }
    const rows = this.db
      .prepare(
        `SELECT * FROM traces WHERE region = ? AND ${column} >= ? AND ${column} <= ?
           AND (${column} > ? OR (${column} = ? AND trace_id > ?))
         ORDER BY ${column}, trace_id LIMIT ?`,
      )
      .all(region, options.start, options.end, afterTime, afterTime, afterId, options.limit + 1) as TraceRow[]
    const items = rows.slice(0, options.limit).map(traceFromRow)
    let next: string | undefined
    if (rows.length > options.limit) {
      const last = rows[options.limit - 1]
      const time = column === 'updated_at' ? last.updated_at : column === 'last_end' ? last.last_end : last.id_time
      next = encodeCursor(`${time}|${last.trace_id}`)
    }
    return {items, next}
  }

  // ---- helpers -----------------------------------------------------------------------------------------------

  private seqCursor(token: string | undefined): number {
    if (token === undefined) return 0
    const key = decodeCursor(token)
    if (typeof key !== 'number') throw new InvalidCursorError()
    return key
  }

  private page<Row extends {seq: number}, T>(rows: Row[], limit: number, map: (row: Row) => T): Page<T> {
    const kept = rows.slice(0, limit)
    return {items: kept.map(map), next: rows.length > limit ? encodeCursor(kept[kept.length - 1].seq) : undefined}
  }
}

export type ApiChildKind = 'integrations' | 'routes' | 'stages' | 'deployments'

const CHILD_TABLES: Record<ApiChildKind, {table: string; idColumn: string}> = {
  integrations: {table: 'integrations', idColumn: 'integration_id'},
  routes: {table: 'routes', idColumn: 'route_id'},
  stages: {table: 'stages', idColumn: 'stage_name'},
  deployments: {table: 'deployments', idColumn: 'deployment_id'},
}

interface TraceRow {
  trace_id: string
  region: string
  id_time: number
  first_start: number
  last_end: number | null
  updated_at: number
  segment_count: number
}

function traceFromRow(row: TraceRow): TraceRecord {
  return {
    traceId: row.trace_id,
    region: row.region,
    idTime: row.id_time,
    firstStart: row.first_start,
    lastEnd: row.last_end,
    updatedAt: row.updated_at,
    segmentCount: row.segment_count,
  }
}

function migrate(db: Db): void {
  const current = db.pragma('user_version', {simple: true}) as number
  if (current > SCHEMA_VERSION) {
    throw new Error(
      `The emulator store was written by a newer tracegate (schema ${current}, this build knows ${SCHEMA_VERSION})`,
    )
  }
  for (let version = current; version < SCHEMA_VERSION; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version])
      db.pragma(`user_version = ${version + 1}`)
    }).immediate()
  }
}

/** Opens (creating if needed) the store in `dataDir` and brings its schema up to date. */
export function openStore(options: OpenStoreOptions): Store {
  const file = options.file ?? STORE_FILE
  const path = file === ':memory:' ? file : join(options.dataDir, file)
  if (file !== ':memory:') mkdirSync(options.dataDir, {recursive: true})
  const require = createRequire(import.meta.url)
  const Database = require('better-sqlite3') as typeof BetterSqlite3
  const db = new Database(path)
  try {
    for (const pragma of CONNECTION_PRAGMAS) db.pragma(pragma)
    migrate(db)
  } catch (error) {
    db.close()
    throw error
  }
  return new Store(db, path)
}
