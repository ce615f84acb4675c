import type { ColumnIR, ForeignKeyIR, IndexIR, IndexMethod, ReferentialAction, SchemaIR, Snapshot, SnapshotColumn, SnapshotTable, TableIR, TypeCategory } from './schema/ir.js';
import type { DriftItem } from './diff/types.js';
import type { SqlCompiler } from './query/compiler.js';
import type { Expr, QueryNode } from './query/ast.js';

export type Dialect = 'sqlite' | 'postgres' | 'mysql' | 'duckdb' | 'mssql' | 'mongo';

/** What a dialect can do. diff-core, the planner, the client and the conformance suite read these flags. */
export interface Capabilities {
  dialect: Dialect;
  /** Compare column types by category in drift (off where columns have no enforced types). */
  compareTypes: boolean;
  /** DDL can run inside a transaction and roll back. */
  transactionalDdl: boolean;
  /** Every write statement (INSERT, UPDATE, DELETE) can return the rows it wrote. */
  returning: boolean;
  /**
   * Where `returning` is false, the statements that can still return their rows (MariaDB 10.5+: INSERT and
   * DELETE, not UPDATE); the client uses RETURNING for those and reads the rest back by key.
   */
  returningStatements?: ReadonlyArray<'insert' | 'delete'>;
  /** The deepest JSON document a json column takes, in nested objects and arrays (default 100; MariaDB: 31). */
  maxJsonDepth?: number;
  savepoints: boolean;
  partialIndexes: boolean;
  expressionIndexes: boolean;
  coveringIndexes: boolean;
  indexMethods: IndexMethod[];
  /** `ALTER TABLE ... ADD CONSTRAINT ... FOREIGN KEY` (some dialects only declare foreign keys in CREATE TABLE). */
  alterAddForeignKey: boolean;
  /** `ALTER TABLE ... DROP COLUMN`. */
  dropColumn: boolean;
  /**
   * The `onDelete` / `onUpdate` actions a foreign key can carry; absent means all of them. DuckDB: only
   * `restrict` and `noAction` (no CASCADE, SET NULL or SET DEFAULT; declaring one is a SchemaError before any DDL).
   */
  referentialActions?: ReadonlyArray<ReferentialAction>;
  /**
   * Tables whose foreign keys reference each other in a cycle (absent means true). False where a key can only be
   * declared in CREATE TABLE against a table that already exists and never added later (DuckDB).
   */
  foreignKeyCycles?: boolean;
  /**
   * More than one path of cascading keys (CASCADE, SET NULL, SET DEFAULT) between two tables, or one in a cycle
   * (absent means true). False on SQL Server, which refuses such a key (error 1785): the adapter refuses the schema
   * with a SchemaError before any DDL, and the reliability generator draws cascading keys as a forest.
   */
  multipleCascadePaths?: boolean;
  /**
   * `DROP COLUMN`, and `SET NOT NULL` on a column just added, on a table that has an index (or had one earlier in
   * the same transaction) or that a foreign key references (absent means true). DuckDB refuses both: the table's
   * indexes and referencing keys depend on it, even after the index is dropped in the same transaction.
   */
  alterIndexedTable?: boolean;
  /**
   * A column added to an existing table can carry its foreign key (`ADD COLUMN ... REFERENCES`, or ALTER ... ADD
   * FOREIGN KEY after it; absent means true). DuckDB declares keys only in CREATE TABLE: push adds the column
   * without its key and says so, and diff keeps reporting the key missing until the table is recreated.
   */
  addColumnReferences?: boolean;
  /** The most bind parameters one statement may carry (absent: 30,000). SQL Server takes 2,100. */
  maxBindParams?: number;
  /**
   * Rows per createMany statement where the executor writes large batches without bind parameters (DuckDB's
   * Appender); absent: 1,000 rows, fewer where `maxBindParams` says so.
   */
  bulkInsertRows?: number;
  /**
   * No column list to compare or add to and no foreign keys (a document store: each document carries its own fields).
   * Diff reports no column or foreign-key drift and push adds neither; collections and indexes are still compared.
   * Absent means false.
   */
  schemaless?: boolean;
  /**
   * The emitter's createIndex replaces a same-named index whose keys or options differ (MongoDB drops and recreates
   * it when the server answers 85/86), so push re-plans a drifted index instead of leaving a note. Absent: false.
   */
  recreateIndexes?: boolean;
  /**
   * The DDL enforces an `f.enum`'s values with a CHECK on the column (`CHECK (col IN (...))`), introspection reads
   * it back (`SnapshotColumn.enumCheck`) and `DdlEmitter.enumCheck` replaces it: diff reports values that differ or
   * a check that is missing, push widens it, diff apply narrows it. Absent: false (the client alone checks values).
   */
  enumChecks?: boolean;
  /**
   * The dialect has named enum types (Postgres `CREATE TYPE ... AS ENUM`): a field declared `f.enumOf(values, { type })`
   * gets a column of that type instead of text and a CHECK, introspection reads the types (`Snapshot.enumTypes`) and
   * `DdlEmitter.enumType` creates, widens, replaces and drops them. Absent: false (`type` is ignored, the field is a
   * plain `f.enumOf`).
   */
  enumTypes?: boolean;
  fullTextSearch: boolean;
  jsonPath: boolean;
  /**
   * Geo filters and ordering on `f.geoPoint()` fields (`near`, `withinPolygon`, `orderBy: { nearTo }`) compile
   * for this dialect. Absent: true. False where the compiler has no way to read a stored point yet.
   */
  geoQueries?: boolean;
  /**
   * Vector ordering on `f.vector()` fields (`orderBy: { embedding: { nearTo: [...], metric } }`) compiles for this
   * dialect. Absent: true. False where the database cannot rank stored vectors in a query (MongoDB: $vectorSearch
   * needs an Atlas Search index, which a plain server does not have).
   */
  vectorQueries?: boolean;
  /** Server-side cursors back findManyStream. */
  nativeCursor: boolean;
  views: boolean;
  materializedViews: boolean;
  maxIdentifierLength: number;
  /** Extra tables that always exist and are never the user's (PostGIS spatial_ref_sys, ...), matched per connection. */
  systemTables?: RegExp[];
}

export interface QueryOptions {
  /** Read integers as bigint where the driver would lose precision; set when a bigint column is selected. */
  safeIntegers?: boolean;
  /** At most one row is wanted (findFirst / findUnique): a driver may fetch just one. */
  firstOnly?: boolean;
}

export interface ExecResult {
  rowCount: number;
  /** The key the database generated for the last inserted row, where the driver reports one (an auto-increment rowid). */
  lastInsertId?: number | bigint;
}

/** A value now, or a promise of it: synchronous drivers answer without a promise (see `Connection.queryArraysSync`). */
export type MaybePromise<T> = T | Promise<T>;

/**
 * A query as its driver runs it: SQL text with bound values on the SQL dialects; a driver command (an object)
 * on a dialect without SQL. It is what `$on('query')` reports as `sql` and `params`.
 */
export interface PreparedQuery {
  readonly sql: string | Readonly<Record<string, unknown>>;
  readonly params: readonly unknown[];
}

/**
 * The one door between the client and a dialect. The client builds dialect-neutral query nodes
 * (`query/ast.ts`) and hands them here; it never builds SQL text or reads a driver result itself. The SQL
 * dialects share core's `SqlExecutor` (compile with the adapter's `SqlCompiler`, run on the `Connection`);
 * an adapter without SQL supplies its own and never sees SQL.
 */
export interface QueryExecutor {
  /** Present when prepared queries are SQL text: the client then caches text per statement shape. */
  readonly compiler?: SqlCompiler;
  prepare(node: QueryNode): PreparedQuery;
  /** A raw`...` fragment as a statement (`$queryRaw`, `$executeRaw`). */
  prepareRaw(fragment: Extract<Expr, { t: 'raw' }>): PreparedQuery;
  /** Rows as arrays in select-list order. */
  rows(conn: Connection, q: PreparedQuery, opts?: QueryOptions): MaybePromise<unknown[][]>;
  /** Rows as objects keyed by column name (raw queries). */
  objects(conn: Connection, q: PreparedQuery): Promise<Record<string, unknown>[]>;
  run(conn: Connection, q: PreparedQuery): MaybePromise<ExecResult>;
  /** Rows in chunks, constant memory. */
  stream(conn: Connection, q: PreparedQuery, chunkSize: number, opts?: QueryOptions): AsyncIterable<unknown[][]>;
  /** A raw driver command (`$runCommandRaw`), for dialects that have them. */
  command?(conn: Connection, command: Record<string, unknown>): Promise<unknown>;
  /**
   * A bulk path for createMany (without skipDuplicates): `rows` rows of `columns`, their encoded values in one
   * flat row-major array. Returns the statement to run (DuckDB's Appender), or `undefined` for the client to build
   * the multi-row INSERT as for every other executor.
   */
  prepareInsertRows?(table: string, columns: readonly string[], values: readonly unknown[], rows: number): PreparedQuery | undefined;
}

/** How `Connection.transaction` (and `db.$transaction(fn, opts)`) opens a transaction; the same names on every dialect. */
export interface TransactionOptions {
  /**
   * A transaction that only reads, and whose writes the database refuses: SQLite keeps a deferred read transaction
   * (no write lock, one snapshot; writes refused through `PRAGMA query_only` while it runs), Postgres and MySQL
   * begin `READ ONLY`. Only the outermost transaction sets it: a nested readOnly transaction inside a writing one is
   * refused, a nested one inside a readOnly one is read-only too.
   */
  readOnly?: boolean;
}

/** One open connection (or pool) through which all SQL flows. Values are always bound parameters. */
export interface Connection {
  readonly dialect: Dialect;
  /**
   * The server's version string as read at connect (MySQL's `VERSION()`), where the adapter reads one:
   * `Adapter.forConnection` specialises by it. A connection that wraps another passes it on.
   */
  readonly serverVersion?: string;
  /**
   * The database's installed extensions, where the adapter tracks them (Postgres: read at connect and after
   * extension DDL). `Adapter.forConnection` reads it, e.g. to compile geo filters for PostGIS columns.
   */
  readonly extensions?: ReadonlySet<string>;
  /** The engine behind the wire protocol (CockroachDB on the Postgres wire, TiDB on MySQL's), read at connect (`EngineFacts`). */
  readonly engine?: EngineFacts;
  /** Rows as objects keyed by column alias. */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** Rows as arrays in select-list order: the fast path for the client. */
  queryArrays(sql: string, params?: readonly unknown[], opts?: QueryOptions): Promise<unknown[][]>;
  execute(sql: string, params?: readonly unknown[]): Promise<ExecResult>;
  /**
   * Synchronous drivers may run a statement right now: the result, or `undefined` when it
   * cannot (a transaction holds the connection), in which case the caller uses the async method. This keeps
   * the client's hot path at one promise per call.
   */
  queryArraysSync?(sql: string, params?: readonly unknown[], opts?: QueryOptions): unknown[][] | undefined;
  executeSync?(sql: string, params?: readonly unknown[]): ExecResult | undefined;
  /** Rows in chunks with constant memory (a server-side cursor where the driver has one). */
  stream(sql: string, params: readonly unknown[], chunkSize: number, opts?: QueryOptions): AsyncIterable<unknown[][]>;
  /**
   * Run `fn` in a transaction on one connection; commit on resolve, roll back on throw. Nested calls use savepoints
   * and run in their outer transaction's mode. Without options a transaction may write: on SQLite it takes the
   * write lock up front (BEGIN IMMEDIATE, waited for without blocking the event loop). `{ readOnly: true }`
   * refuses writes (see `TransactionOptions`).
   */
  transaction<T>(fn: (tx: Connection) => Promise<T>, opts?: TransactionOptions): Promise<T>;
  /**
   * Run `fn` on one pinned server session without opening a transaction, for what lives on a session rather
   * than in a transaction: named session locks, advisory locks held across statements that cannot run in a
   * transaction (a concurrent index build). Inside a transaction it
   * runs on the transaction's session.
   */
  withSession<T>(fn: (conn: Connection) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** True inside `transaction()`. */
  readonly inTransaction: boolean;
}

/** Typed DDL operations: the planner produces them, each adapter's emitter renders them. */
export type DdlOp =
  | { op: 'createTable'; table: TableIR }
  | { op: 'addColumn'; table: string; column: ColumnIR }
  | { op: 'dropColumn'; table: string; column: string; /** what introspection saw, for the down block */ was?: SnapshotColumn }
  | { op: 'createIndex'; table: string; index: IndexIR }
  | { op: 'dropIndex'; table: string; index: string; /** the live index, so the down block can recreate it */ was?: IndexIR }
  | { op: 'addForeignKey'; table: string; fk: ForeignKeyIR }
  | { op: 'dropForeignKey'; table: string; fk: string; /** the live key, so the down block can add it again */ was?: ForeignKeyIR }
  | { op: 'dropTable'; table: string }
  | { op: 'createView'; table: TableIR }
  | { op: 'createSearch'; table: TableIR; columns: ColumnIR[] }
  /** Drop a table's full-text object; `columns` (what it indexed) lets the down block rebuild it, absent when the table goes too. */
  | { op: 'dropSearch'; table: string; columns?: string[] }
  | { op: 'createExtension'; name: string };

/**
 * A rename, kept out of `DdlOp` so emitters written before renames existed stay exhaustive: an emitter
 * opts in with `DdlEmitter.rename`, and core reports clearly when the adapter has none.
 */
export type RenameOp =
  | { op: 'renameTable'; from: string; to: string }
  | { op: 'renameColumn'; table: string; from: string; to: string };

/**
 * Replace the value-list CHECK of one column (how an `f.enum` is enforced where `capabilities.enumChecks` is set):
 * drop the live one (`name`) if there is one, then add one over `values` (none: the column is left unchecked).
 * Kept out of `DdlOp` like `RenameOp`: an emitter opts in with `DdlEmitter.enumCheck`.
 */
export interface EnumCheckOp {
  op: 'setEnumCheck';
  table: string;
  column: string;
  /** The live CHECK's name, dropped first; absent when the column has none. */
  name?: string;
  /** The values the new CHECK allows; absent: no new CHECK. */
  values?: readonly string[];
  /** The live CHECK's values, so the down block can put it back; absent when there was none. */
  was?: readonly string[];
}

/** What differs about one column: its type, its nullability, its default. */
export type ColumnChange = 'type' | 'nullable' | 'default';

/**
 * Change one column's type, nullability or default in place (Postgres `ALTER COLUMN ... TYPE ... USING`, `SET / DROP
 * NOT NULL`, `SET / DROP DEFAULT`; MySQL `MODIFY COLUMN` with the full definition). Push never does it (it is
 * additive only); `diff apply` and `generate` do. Kept out of `DdlOp` like `RenameOp`: an emitter opts in with
 * `DdlEmitter.alterColumn`.
 */
export interface AlterColumnOp {
  op: 'alterColumn';
  table: string;
  /** The column as the schema declares it: what the up block makes. */
  column: ColumnIR;
  /** The column as the database holds it (introspected, or the previous migration's snapshot): what the down block restores. */
  was: SnapshotColumn;
  /** The column as the previous schema declared it, where known (generate plans from schema snapshots): the down block renders it like `column`. */
  wasColumn?: ColumnIR;
  /** What differs: the emitter writes only these changes. */
  changes: readonly ColumnChange[];
}

/** One table of a `RebuildTablesOp`. */
export interface RebuiltTable {
  /** The table as the schema declares it; only the columns the live table has are rebuilt (others are added after). */
  table: TableIR;
  /** The live table it replaces, with its indexes and keys: what the down block restores. */
  was: SnapshotTable;
  /** The live table's indexes other than its key, recreated on the new table. */
  indexes: readonly IndexIR[];
  /** Columns whose type, nullability or default change, by name. */
  changes: Readonly<Record<string, readonly ColumnChange[]>>;
  /** The previous schema's columns by name, where known (generate): the down block renders them like the schema's. */
  wasColumns?: Readonly<Record<string, ColumnIR>>;
  /** The columns of the table's full-text object, rebuilt after the copy; absent when it has none. */
  search?: readonly string[];
}

/**
 * Rebuild tables whose columns the dialect cannot alter (SQLite): a new table of the new shape, the rows copied
 * (cast where the type changes, NULLs backfilled with the default where a column becomes required), the old table
 * dropped, the new one renamed, its indexes and search triggers recreated; foreign keys off around it (never a
 * cascade on the drop) and checked before commit. An emitter opts in with `DdlEmitter.rebuildTables`.
 */
export interface RebuildTablesOp {
  op: 'rebuildTables';
  tables: readonly RebuiltTable[];
}

/** A column of a live enum type, so replacing the type can convert it: its default as the catalog reads it. */
export interface EnumTypeColumn {
  table: string;
  column: string;
  default?: string | null;
  /** The schema's column, when the schema keeps it on this type: its default is the one set after the conversion. */
  next?: ColumnIR;
}

/**
 * An enum type operation (where `capabilities.enumTypes` is set), kept out of `DdlOp` like `EnumCheckOp`: an emitter
 * opts in with `DdlEmitter.enumType`.
 * - `createEnumType` / `dropEnumType`: the type, with its values (`was` for the down of a drop).
 * - `addEnumValues`: `values` is the whole new list, which keeps `was` in its order; each new value goes in its place.
 *   Its down removes them again, which an enum type can only do by being replaced (`columns`).
 * - `replaceEnumType`: values removed or reordered: a new type under the name, every column in `columns` converted
 *   through text (rows holding a removed value make it fail, and nothing changes), the old type dropped.
 */
export type EnumTypeOp =
  | { op: 'createEnumType'; name: string; values: readonly string[] }
  | { op: 'addEnumValues'; name: string; values: readonly string[]; was: readonly string[]; columns: readonly EnumTypeColumn[] }
  | { op: 'replaceEnumType'; name: string; values: readonly string[]; was: readonly string[]; columns: readonly EnumTypeColumn[] }
  | { op: 'dropEnumType'; name: string; was: readonly string[] };

/** Any operation a plan or a migration file carries. */
export type MigrationOp = DdlOp | RenameOp;

export interface EmittedDdl {
  /** Statements to run, in order. Empty when the dialect cannot express the operation. */
  sql: string[];
  /** Shown instead of SQL when the operation is not emitted (e.g. a foreign key the dialect cannot ALTER ADD). */
  comment?: string;
  /** Must run outside a transaction (a concurrent index build). */
  noTransaction?: boolean;
}

/** What the live database offers, so emit can choose e.g. a spatial type where the extension is installed and TEXT without. */
export interface DdlEnv {
  /** Installed or loaded extensions. */
  extensions: string[];
  /**
   * Every table of the schema being applied. Lets an emitter look past the operation at hand: a foreign-key
   * column takes the referenced column's type (text or uuid), an index finds its columns' kinds.
   */
  tables?: TableIR[];
}

export interface DdlEmitter {
  emit(op: DdlOp, env?: DdlEnv): EmittedDdl;
  /** The inverse, for the down block; a comment-only result when there is none (a dropped table). */
  reverse(op: DdlOp, env?: DdlEnv): EmittedDdl;
  /** The native column type for a column (used in CREATE/ADD COLUMN and in the `-- down` of a DROP). */
  columnType(column: ColumnIR, env?: DdlEnv): string;
  /** The extensions the schema needs (`--enable-extensions`). */
  extensionsFor?(tables: TableIR[]): string[];
  /**
   * `ALTER TABLE ... RENAME TO` / `RENAME COLUMN ... TO` (rows kept). Absent: the adapter cannot rename, and
   * core refuses a `.renamedFrom()` with a message naming the dialect instead of dropping and re-adding.
   */
  rename?(op: RenameOp): EmittedDdl;
  /** The statements of an `EnumCheckOp` (or with `reverse`, its down). Absent where `capabilities.enumChecks` is not set. */
  enumCheck?(op: EnumCheckOp, reverse?: boolean): EmittedDdl;
  /** The statements of an `EnumTypeOp` (or with `reverse`, its down). Absent where `capabilities.enumTypes` is not set. */
  enumType?(op: EnumTypeOp, reverse?: boolean, env?: DdlEnv): EmittedDdl;
  /**
   * The statements of an `AlterColumnOp` (or with `reverse`, its down). Absent where the dialect cannot alter a column
   * in place: core then asks `rebuildTables`, and defers the change where that is absent too.
   */
  alterColumn?(op: AlterColumnOp, reverse?: boolean, env?: DdlEnv): EmittedDdl;
  /**
   * The statements of a `RebuildTablesOp` (or with `reverse`, the rebuild back to the live shapes). Statements that
   * must run outside the migration's transaction (SQLite `PRAGMA foreign_keys`) are ones the runner recognises.
   */
  rebuildTables?(op: RebuildTablesOp, reverse?: boolean, env?: DdlEnv): EmittedDdl;
  /**
   * Statements that bound how long each following DDL statement of the current transaction (or session) waits
   * for a lock held by another session (Postgres `SET LOCAL lock_timeout`, MySQL `lock_wait_timeout`). Absent
   * where the dialect has no such knob.
   */
  lockTimeout?(ms: number): string[];
  /** Index builds that do not block writes (Postgres CONCURRENTLY): run outside any transaction. Absent where there are none. */
  onlineIndex?: OnlineIndexDdl;
}

/** What the migration runner needs to build an index without blocking writes, outside a transaction. */
export interface OnlineIndexDdl {
  /** The non-blocking form of a CREATE INDEX / DROP INDEX statement this emitter wrote, or undefined when it has none. */
  concurrently(sql: string): string | undefined;
  /** The index a non-blocking CREATE INDEX statement builds (to clean up what a failed build left), or undefined. */
  indexBuilt(sql: string): string | undefined;
  /**
   * Try to take, and release, the session lock non-transactional statements run under (not the push lock: see
   * docs/migration-files.md). `sessionLock` must not wait: it answers one row whose first value is true when the
   * lock was taken (the runner retries), since a session queued in a lock call holds a snapshot that a
   * CONCURRENTLY build in the holding session would wait for.
   */
  sessionLock: string;
  sessionUnlock: string;
  /** Session-level lock wait bound (the transaction-local one ends with each transaction), and its reset. */
  sessionLockTimeout(ms: number): string[];
  resetLockTimeout: string[];
  /** One row per INVALID index named $1 in the current schema (what a failed or killed build leaves). */
  invalidIndexQuery: string;
  /** Drop an index without blocking writes. */
  dropIndex(name: string): string;
}

export interface ProbeReport {
  dialect: Dialect;
  version: string;
  features: Record<string, boolean | string>;
  /** Copy-pasteable next steps (install an extension, upgrade the server). */
  actions: string[];
  /**
   * Next steps that matter only to a schema using `feature` (PostGIS for geo points, FTS5 for searchable fields).
   * Doctor lists one as an action item when the schema uses the feature (or could not be loaded), and as a
   * line of facts otherwise.
   */
  featureActions?: FeatureAction[];
}

/** Something a schema may declare that needs more of the server than plain tables do (`schemaFeatures`). */
export type SchemaFeature = 'geoPoint' | 'vector' | 'searchable' | 'ginIndex' | 'gistIndex';

export interface FeatureAction {
  feature: SchemaFeature;
  action: string;
}

/** Encodes JS values for the driver and decodes driver values per field kind. */
export interface ValueCodec {
  encode(value: unknown, column: ColumnIR): unknown;
  decode(value: unknown, column: ColumnIR): unknown;
  /** True when `decode` is the identity for this column, so the row mapper can skip the call. */
  passthrough(column: ColumnIR): boolean;
}

/** A driver a user already owns, wrapped by a factory such as `pgDriver(pool)`. */
export interface DriverHandle {
  readonly __forgeDriver: true;
  readonly dialect: Dialect;
  /** Which client library the handle wraps (the adapter's own names). */
  readonly flavor: string;
  readonly client: unknown;
  readonly options?: Record<string, unknown>;
  /**
   * The adapter that serves this handle, for a driver whose adapter cannot be found by dialect (the browser's
   * sqlite-wasm adapter shares the dialect 'sqlite' with better-sqlite3's): createDb uses it instead of loading one.
   */
  readonly adapter?: Adapter;
}

export interface ConnectOptions {
  /** Give up connecting after this many milliseconds (an unreachable host fails fast). */
  connectTimeoutMs?: number;
  /** The push lock: `'auto'` (default: the engine's own lock, a `_forge_lock` row where that lock is a no-op), or forced. */
  lockStrategy?: LockStrategy;
  /** The lock row's lease (default 60 s, FORGE_LOCK_LEASE), renewed every third of it while a push runs. */
  lockLeaseMs?: number;
  /** How long a push waits for a lock row another live push holds before it fails naming the holder (default 60 s; 0 waits). */
  lockWaitMs?: number;
  /** Called while a push waits for the lock row another push holds (who holds it, when its lease ends). */
  onLockWait?: (holder: { holder: string; info: string; expiresInMs: number }) => void;
}

export type LockStrategy = 'auto' | 'native' | 'row';

/**
 * The server behind a wire protocol, from its version answer at connect: what forge must do differently there.
 * `ddl`: `'transactional'` (Postgres), `'autocommit'` (each DDL statement commits: MySQL, YugabyteDB), `'async'`
 * (a schema change may become visible after the statement returns, or on other nodes later: CockroachDB, TiDB, Vitess).
 */
export interface EngineFacts {
  name: 'postgres' | 'cockroachdb' | 'yugabytedb' | 'mysql' | 'mariadb' | 'tidb' | 'vitess';
  /** For messages: `CockroachDB v23.2.4`. */
  label: string;
  version: string;
  ddl: 'transactional' | 'autocommit' | 'async';
  /** Whether the dialect's own push lock (advisory lock, GET_LOCK) serialises pushes on this engine. */
  nativeLock: boolean;
  /** What forge does differently here, one sentence each (doctor lists them, push reports them as notes). */
  limits: string[];
  /**
   * Where the engine's own lock does not serialise pushes: the sentence saying so and what push takes instead, true
   * under `lockStrategy: 'auto'`. Kept out of `limits` so a forced strategy can say what it does instead
   * (`engineNotes`).
   */
  lockNote?: string;
}

// ---------------------------------------------------------------------------------------------------------
// Dialect facts (schema, diff and migrations). What core used to know about particular dialects, asked of
// the adapter instead, so core names no dialect: type categories, expression spelling, the ledger's DDL,
// the names forge's own search objects take, and how index names are scoped.
// ---------------------------------------------------------------------------------------------------------

/** Where index names live: in one namespace with tables (`'schema'`) or per table (`'table'`). */
export type IndexNamespace = 'schema' | 'table';

/** The names the full-text object of one table takes (what `createSearch` emits). */
export interface SearchObjectNames {
  /** Objects in the namespace of tables and indexes (`notes_fts`, `forge_notes_idx_fts`). */
  relations: string[];
  /** Columns added to the table itself (a generated search column). */
  columns: string[];
}

export interface DialectFacts {
  /** The drift category of a native type as this dialect's catalog spells it; `undefined` is never compared. */
  categoryOf(nativeType: string): TypeCategory | undefined;
  /**
   * The dialect's own spellings taken out of a predicate or index expression (schema text or the catalog's
   * echo) before core's generic normalisation: casts the catalog adds, identifier quotes it keeps or drops.
   * Used only to compare.
   */
  normalizeExpression(expr: string): string;
  /** One statement that creates the migration ledger `table` (columns `name`, `applied_at`) when it is missing. */
  ledgerDdl(table: string): string;
  /** The names `createSearch` gives the full-text object of `table`. */
  searchObjectNames(table: string): SearchObjectNames;
  /**
   * Names the database itself gives objects of a created table, in the namespace its indexes live in (a key's
   * index, a sequence; with per-table index names, the table's own: MySQL's `PRIMARY`). An index may not take one.
   */
  impliedRelationNames?(table: TableIR): string[];
  /** How index names are scoped: two objects sharing a name in one scope are a `SchemaError` before any DDL. */
  indexNamespace: IndexNamespace;
  /** The form in which the database compares two names (one that folds ASCII case lower-cases them); exact when absent. */
  identifierKey?(name: string): string;
  /**
   * Why the database refuses `name` as a table, column or index name even quoted (MySQL: a trailing space, a
   * character outside the Basic Multilingual Plane), or undefined when it takes it. Checked before any DDL.
   */
  identifierProblem?(name: string): string | undefined;
  /** Index options beyond SQL's that this dialect stores and reports (a document store's); drift compares only these. */
  documentIndexOptions?: ReadonlyArray<'partialFilterExpression' | 'collation' | 'wildcardProjection' | 'expireAfterSeconds'>;
}

export interface Adapter {
  readonly kind: Dialect;
  readonly capabilities: Capabilities;
  /** Dialect facts for diff, planning and migrations (see `DialectFacts`). */
  readonly facts: DialectFacts;
  connect(target: string | DriverHandle, opts?: ConnectOptions): Promise<Connection>;
  /** Read tables, columns, indexes, FKs and views in a fixed number of catalog queries. */
  introspect(conn: Connection): Promise<Snapshot>;
  readonly ddl: DdlEmitter;
  readonly compiler: SqlCompiler;
  /** Runs the client's query nodes (see `QueryExecutor`); SQL adapters use `new SqlExecutor(compiler)`. */
  readonly executor: QueryExecutor;
  readonly codec: ValueCodec;
  /** Serialise schema changes against concurrent pushes; `fn` runs inside whatever the lock needs (a transaction, a pinned session). */
  lock<T>(conn: Connection, fn: (conn: Connection) => Promise<T>): Promise<T>;
  /** Run one push statement so that its failure does not abort the rest (a SAVEPOINT where a failure aborts the transaction). */
  runIsolated(conn: Connection, sql: string): Promise<void>;
  /**
   * Drift of table-level objects only this dialect has (a MongoDB collection's `$jsonSchema` validator): items of
   * kind `table`, direction `mismatch`, with `property` naming the object. Absent on dialects with none.
   */
  tableDrift?(ir: SchemaIR, snap: Snapshot): DriftItem[];
  /**
   * What push settles of `tableDrift` (a `collMod` per drifted validator), run inside push's lock after its
   * statements: applied labels and failures, reported like push's own.
   */
  pushTableObjects?(conn: Connection, ir: SchemaIR): Promise<{ applied: string[]; failures: Array<{ label: string; sql: string; error: string }> }>;
  probe(conn: Connection): Promise<ProbeReport>;
  /** Map a driver error to DbKnownError where forge knows it; return it untouched otherwise. */
  mapError(e: unknown): unknown;
  /**
   * The adapter as it applies to the server behind `conn`, where what a dialect can do depends on the server's
   * flavour and version (MariaDB's RETURNING and JSON depth against MySQL 8's): the client calls it once per
   * handle. Absent, or returning `this`, when every server of the dialect is alike.
   */
  forConnection?(conn: Connection): Adapter;
}

/** `adapter` specialised for the server behind `conn` (see `Adapter.forConnection`). */
export function adapterFor(adapter: Adapter, conn: Connection): Adapter {
  return adapter.forConnection ? adapter.forConnection(conn) : adapter;
}
