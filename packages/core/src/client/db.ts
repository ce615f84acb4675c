import { adapterFor, type Adapter, type ConnectOptions, type Connection, type Dialect, type DriverHandle, type MaybePromise, type PreparedQuery, type ProbeReport, type TransactionOptions } from '../adapter.js';
import { analyze, ensureCreated, ensureDeleted, runAfterMigrate, runDiff, runMigrate, type AfterMigrate } from '../engine/index.js';
import type { Analysis, EnsureCreatedResult, EnsureDeletedResult } from '../engine/ensure.js';
import type { DriftReport, MigrateReport } from '../diff/types.js';
import { ConfigError, DbKnownError, ValidationError } from '../errors.js';
import type { RawFragment } from '../query/compiler.js';
import { DIALECTS, dialectForUrl, loadAdapter } from '../resolve.js';
import { buildSchemaIR } from '../schema/model.js';
import type { SchemaIR } from '../schema/ir.js';
import { parseIgnoreList } from '../diff/ignore.js';
import { buildMetas, type ModelMeta } from './meta.js';
import { aggregate, aggregateNode, count, groupBy, groupByNode } from './aggregate.js';
import { assertUniqueWhere, checkArgKeys, finish, mapRows, planRead, READ_KEYS, readRows, readSpec, selectFor, type Args } from './read.js';
import { attachRelations } from './relations.js';
import { checkArgs } from './args.js';
import { refuseTransactionControl, toRawFragment } from './raw.js';
import { cachedRead } from './plan-cache.js';
import { chain, LazyQuery, settle, Runtime, isLazyQuery, type CallInfo, type ErrorEvent, type QueryEvent, type SemanticOp } from './runtime.js';
import type { ModelClient, SchemaShape } from './types.js';
import { compileCreate, compileDelete, compileDeleteMany, compileUpdate, create, createMany, deleteMany, remove, update, updateMany, upsert } from './write.js';

export type { QueryEvent, ErrorEvent };

type Models<S extends SchemaShape> = { [K in keyof S]: ModelClient<S, S[K]> };

export interface DbHandle<S extends SchemaShape> {
  readonly adapter: { readonly kind: Dialect; readonly capabilities: Adapter['capabilities'] };
  /** The schema's models by key, and the IR they compile to. */
  readonly $models: S;
  readonly $schema: SchemaIR;
  /**
   * Run `fn` in one transaction: commit when it resolves, roll back when it throws. Root `db` calls inside it join
   * it. `{ readOnly: true }` opens a transaction that only reads (the database refuses its writes); without it a
   * transaction may write, and on SQLite takes the write lock up front (waiting up to busy_timeout).
   */
  $transaction<T>(fn: (tx: Db<S>) => Promise<T>, opts?: TransactionOptions): Promise<T>;
  $transaction<P extends readonly PromiseLike<unknown>[]>(queries: P, opts?: TransactionOptions): Promise<{ -readonly [K in keyof P]: Awaited<P[K]> }>;
  $queryRaw<R = Record<string, unknown>>(query: TemplateStringsArray | RawFragment, ...values: unknown[]): Promise<R[]>;
  $executeRaw(query: TemplateStringsArray | RawFragment, ...values: unknown[]): Promise<number>;
  /** Runs SQL text as given: never pass user input in `sql`; values in `params` are still bound. */
  $queryRawUnsafe<R = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<R[]>;
  $executeRawUnsafe(sql: string, ...params: unknown[]): Promise<number>;
  /** A raw driver command, on dialects whose executor takes them (a document store's). */
  $runCommandRaw(command: Record<string, unknown>): Promise<unknown>;
  $on(event: 'query', listener: (e: QueryEvent) => void): () => void;
  $on(event: 'error', listener: (e: ErrorEvent) => void): () => void;
  $disconnect(): Promise<void>;
  /** Capabilities of the live database, for readiness probes (run once at boot). */
  $doctor(): Promise<ProbeReport>;
  /** Drift between the schema and the live database (what `forge diff --json` prints). */
  $diff(opts?: { ignore?: string | Array<string | RegExp> }): Promise<DriftReport>;
  /** Runtime push for embedded targets: create what is missing, add safe columns, report the rest under `pending`. */
  $migrate(): Promise<MigrateReport>;
  /**
   * For tests (seed 003): on a database with none of the schema's tables, create them all; nothing when all are
   * there; refused, naming both lists, when only some are.
   */
  $ensureCreated(): Promise<EnsureCreatedResult>;
  /** For tests: drop exactly the schema's tables and views (never another table), children first. */
  $ensureDeleted(): Promise<EnsureDeletedResult>;
  /** The typed operations (`create_table`, `add_column`, `alter_column`, ...) with their SQL that would bring this database to the schema; runs nothing. */
  $analyze(): Promise<Analysis>;
}

export type Db<S extends SchemaShape> = DbHandle<S> & Models<S>;

export interface CreateDbOptions<S extends SchemaShape> {
  url?: string;
  driver?: DriverHandle;
  schema: S;
  /** Unknown keys in `where` throw at any depth (writes always check). */
  strict?: boolean;
  /** The dialect, when the URL prefix does not say it. */
  type?: Dialect;
  connectTimeoutMs?: number;
  /**
   * Custom SQL forge does not model, run after every `$migrate()` and `$ensureCreated()` that succeeded (under the
   * push lock, in one transaction where DDL is transactional): `(db) => db.$executeRawUnsafe('CREATE OR REPLACE ...')`
   * or `{ sql: '...' }`. It runs each time, so keep it idempotent.
   */
  afterMigrate?: AfterMigrate;
}

function modelClient(rt: Runtime, meta: ModelMeta, fixed: Connection | undefined): unknown {
  const conn = (c?: Connection) => c ?? fixed ?? rt.current();
  const info = (op: string, semanticOp: SemanticOp): CallInfo => ({ op, semanticOp, model: meta.key });
  // Validation errors thrown before any SQL still reach $on('error'); driver errors were already reported.
  const fail = (i: CallInfo, e: unknown): never => {
    if (e instanceof ValidationError) rt.reject(i, e);
    throw e;
  };
  const lazy = <T>(op: string, semanticOp: SemanticOp, args: unknown, fn: (c: Connection, i: CallInfo) => MaybePromise<T>) =>
    new LazyQuery<T>((c) => {
      const i = info(op, semanticOp);
      try {
        checkArgs(meta.key, op, args);
        const v = fn(conn(c), i);
        return v instanceof Promise ? v.catch((e) => fail(i, e)) : v;
      } catch (e) {
        return fail(i, e);
      }
    });
  const firstOf = (args: Args | undefined) => ({ ...args, take: 1 });
  const read = (c: Connection, args: Args | undefined, i: CallInfo) => cachedRead(rt, c, meta, args, i) ?? readRows(rt, c, meta, args, i);
  const readFirst = (c: Connection, args: Args | undefined, i: CallInfo) => cachedRead(rt, c, meta, args, i, true) ?? readRows(rt, c, meta, firstOf(args), i);
  const notFound = (op: string, args: Args | undefined) =>
    new DbKnownError('NOT_FOUND', `No ${meta.key} record matches ${JSON.stringify(args?.where ?? {}, (_k, v) => (typeof v === 'bigint' ? String(v) : v))} (${op})`, { model: meta.key });

  return {
    findMany: (args?: Args) =>
      lazy('findMany', 'select', args, (c, i) => {
        checkArgKeys(meta, 'findMany', args, READ_KEYS);
        return read(c, args, i);
      }),
    findFirst: (args?: Args) =>
      lazy('findFirst', 'select', args, (c, i) => {
        checkArgKeys(meta, 'findFirst', args, READ_KEYS);
        return chain(readFirst(c, args, i), (rows) => rows[0] ?? null);
      }),
    findFirstOrThrow: (args?: Args) =>
      lazy('findFirstOrThrow', 'select', args, (c, i) => {
        checkArgKeys(meta, 'findFirstOrThrow', args, READ_KEYS);
        return chain(readFirst(c, args, i), (rows) => rows[0] ?? rt.reject(i, notFound('findFirstOrThrow', args)));
      }),
    findUnique: (args: Args) =>
      lazy('findUnique', 'select', args, (c, i) => {
        checkArgKeys(meta, 'findUnique', args, READ_KEYS);
        assertUniqueWhere(meta, 'findUnique', args?.where);
        return chain(readFirst(c, args, i), (rows) => rows[0] ?? null);
      }),
    findUniqueOrThrow: (args: Args) =>
      lazy('findUniqueOrThrow', 'select', args, (c, i) => {
        checkArgKeys(meta, 'findUniqueOrThrow', args, READ_KEYS);
        assertUniqueWhere(meta, 'findUniqueOrThrow', args?.where);
        return chain(readFirst(c, args, i), (rows) => rows[0] ?? rt.reject(i, notFound('findUniqueOrThrow', args)));
      }),
    findManyStream: (args?: Args) => streamRows(rt, meta, args, fixed),
    count: (args?: Args) => lazy('count', 'select', args, (c, i) => count(rt, c, meta, args, i)),
    aggregate: (args: Args) => lazy('aggregate', 'select', args, (c, i) => aggregate(rt, c, meta, args ?? {}, i)),
    groupBy: (args: Args) => lazy('groupBy', 'select', args, (c, i) => groupBy(rt, c, meta, args ?? {}, i)),
    create: (args: Args) => lazy('create', 'insert', args, (c, i) => create(rt, c, meta, args ?? {}, i)),
    createMany: (args: Args) => lazy('createMany', 'insert', args, (c, i) => createMany(rt, c, meta, args, i)),
    update: (args: Args) => lazy('update', 'update', args, (c, i) => update(rt, c, meta, args ?? {}, i)),
    updateMany: (args: Args) => lazy('updateMany', 'update', args, (c, i) => updateMany(rt, c, meta, args, i)),
    upsert: (args: Args) => lazy('upsert', 'upsert', args, (c, i) => upsert(rt, c, meta, args ?? {}, i)),
    delete: (args: Args) => lazy('delete', 'delete', args, (c, i) => remove(rt, c, meta, args ?? {}, i)),
    deleteMany: (args: Args) => lazy('deleteMany', 'delete', args, (c, i) => deleteMany(rt, c, meta, args, i)),
    // Built on first use: most handles (every transaction's) never compile.
    get compile() {
      const value = compileClient(rt, meta);
      Object.defineProperty(this, 'compile', { value, enumerable: true });
      return value;
    },
  };
}

/** The connected dialect's `compile.<op>`, plus `compile.<dialect>.<op>` for every dialect forge knows. */
function compileClient(rt: Runtime, meta: ModelMeta): Record<string, unknown> {
  const ops = compileOps(rt, meta);
  for (const { dialect } of DIALECTS) {
    Object.defineProperty(ops, dialect, {
      enumerable: true,
      get: () => {
        const other: Record<string, (args?: Args) => Promise<PreparedQuery>> = {};
        for (const op of Object.keys(compileOps(rt, meta))) {
          other[op] = (args?: Args) => runtimeFor(rt, dialect).then((drt) => (compileOps(drt, drt.metas.get(meta.key)!)[op] as (a?: Args) => PreparedQuery)(args));
        }
        return other;
      },
    });
  }
  return ops;
}

/** `{ sql, params }` (or the executor's command) per operation, without running anything. */
function compileOps(rt: Runtime, meta: ModelMeta): Record<string, (args?: Args) => PreparedQuery> {
  const checked = (op: string, args: unknown) => checkArgs(meta.key, `compile.${op}`, args);
  const firstOf = (args: Args | undefined) => ({ ...args, take: 1 });
  return {
    findMany: (args?: Args) => (checked('findMany', args), compileRead(rt, meta, args)),
    findFirst: (args?: Args) => (checked('findFirst', args), compileRead(rt, meta, firstOf(args))),
    findUnique: (args?: Args) => {
      checked('findUnique', args);
      assertUniqueWhere(meta, 'findUnique', args?.where);
      return compileRead(rt, meta, firstOf(args));
    },
    count: (args?: Args) => (checked('count', args), rt.prepare(aggregateNode(rt, meta, { where: args?.where, _count: true }).node)),
    aggregate: (args?: Args) => (checked('aggregate', args), rt.prepare(aggregateNode(rt, meta, args ?? {}).node)),
    groupBy: (args?: Args) => (checked('groupBy', args), rt.prepare(groupByNode(rt, meta, args ?? {}).node)),
    create: (args?: Args) => (checked('create', args), compileCreate(rt, meta, args?.data)),
    update: (args?: Args) => (checked('update', args), compileUpdate(rt, meta, args ?? {})),
    delete: (args?: Args) => (checked('delete', args), compileDelete(rt, meta, args ?? {})),
    deleteMany: (args?: Args) => (checked('deleteMany', args), compileDeleteMany(rt, meta, args ?? {})),
  };
}

/** A connection stand-in for compiling only: anything that would reach a database says so. */
const NO_CONNECTION = new Proxy({} as Connection, {
  get(_t, key) {
    if (key === 'then') return undefined;
    throw new ValidationError(`compile.<dialect> has no connection: it builds SQL only (tried to use connection.${String(key)})`);
  },
});
const dialectRuntimes = new WeakMap<Runtime, Map<Dialect, Promise<Runtime>>>();

/**
 * The runtime that compiles for `dialect`: the handle's own for its dialect, else one over that adapter's static
 * capabilities with no connection (the adapter package is imported on first use; a missing one rejects naming it).
 */
function runtimeFor(rt: Runtime, dialect: Dialect): Promise<Runtime> {
  if (dialect === rt.adapter.kind) return Promise.resolve(rt);
  let byDialect = dialectRuntimes.get(rt);
  if (!byDialect) dialectRuntimes.set(rt, (byDialect = new Map()));
  let r = byDialect.get(dialect);
  if (!r) {
    r = loadAdapter(dialect).then((adapter) => new Runtime(adapter, NO_CONNECTION, rt.metas, rt.strict));
    r.catch(() => byDialect!.delete(dialect));
    byDialect.set(dialect, r);
  }
  return r;
}

function compileRead(rt: Runtime, meta: ModelMeta, args: Args | undefined): PreparedQuery {
  checkArgKeys(meta, 'compile', args, READ_KEYS);
  if (args?.cursor !== undefined) throw new ValidationError(`${meta.key}.compile: cursor pagination reads the cursor row first and cannot be compiled alone`);
  return rt.prepare(selectFor(rt, meta, args, readSpec(meta, args)));
}

async function* streamRows(rt: Runtime, meta: ModelMeta, args: Args | undefined, fixed: Connection | undefined): AsyncGenerator<Record<string, unknown>> {
  checkArgs(meta.key, 'findManyStream', args);
  checkArgKeys(meta, 'findManyStream', args, READ_KEYS);
  const chunkSize = args?.chunkSize ?? 1000;
  if (!Number.isSafeInteger(chunkSize) || chunkSize <= 0) throw new ValidationError(`${meta.key}.findManyStream: chunkSize must be a positive integer`);
  const conn = fixed ?? rt.current();
  const info: CallInfo = { op: 'findManyStream', semanticOp: 'stream', model: meta.key };
  if (!rt.adapter.capabilities.nativeCursor) {
    yield* pagedRows(rt, conn, meta, args ?? {}, chunkSize, info);
    return;
  }
  const spec = readSpec(meta, args);
  const node = await planRead(rt, conn, meta, args, spec, undefined, info);
  if (!node) return;
  const q = rt.prepare(node);
  for await (const chunk of rt.stream(conn, info, q, chunkSize, meta.hasBigint ? { safeIntegers: true } : undefined)) {
    const rows = mapRows(rt, meta, spec, chunk);
    await attachRelations(rt, conn, meta, rows, spec.relations, info);
    finish(rows, spec);
    yield* rows;
  }
}

/**
 * findManyStream where the driver has no cursor: pages of `chunkSize` rows (LIMIT / OFFSET), ordered by the
 * caller's orderBy with the primary key appended so pages never overlap or skip rows of equal sort keys.
 * Memory stays one page; unlike a cursor, rows written between pages may be seen or missed.
 */
async function* pagedRows(rt: Runtime, conn: Connection, meta: ModelMeta, args: Args, chunkSize: number, info: CallInfo): AsyncGenerator<Record<string, unknown>> {
  const { chunkSize: _omit, ...rest } = args;
  const given = args.orderBy === undefined ? [] : Array.isArray(args.orderBy) ? args.orderBy : [args.orderBy];
  const named = new Set(given.flatMap((o: object) => Object.keys(o)));
  const orderBy = [...given, ...meta.pkFields.filter((f) => !named.has(f)).map((f) => ({ [f]: 'asc' }))];
  let skip = args.skip ?? 0;
  let left: number = args.take ?? Number.POSITIVE_INFINITY;
  while (left > 0) {
    const take = Math.min(chunkSize, left);
    const rows = await readRows(rt, conn, meta, { ...rest, orderBy, skip, take }, info);
    yield* rows;
    if (rows.length < take) return;
    skip += take;
    left -= take;
  }
}

const TRANSACTION_OPTIONS = ['readOnly'];

/**
 * `$transaction`'s second argument, read by own keys only: unknown keys and values of the wrong type are refused
 * (a misspelt `readonly` must not silently open a transaction that writes). Undefined when there is nothing to pass.
 */
function transactionOptions(opts: unknown): TransactionOptions | undefined {
  if (opts === undefined) return undefined;
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) throw new ValidationError('$transaction(fn, options) takes an options object such as { readOnly: true }');
  if (Object.getPrototypeOf(opts) !== Object.prototype && Object.getPrototypeOf(opts) !== null) {
    throw new ValidationError('$transaction options must be a plain object such as { readOnly: true }');
  }
  for (const key of Object.keys(opts)) {
    if (!TRANSACTION_OPTIONS.includes(key)) throw new ValidationError(`Unknown $transaction option '${key}'; supported: ${TRANSACTION_OPTIONS.join(', ')}`);
  }
  const readOnly = Object.prototype.hasOwnProperty.call(opts, 'readOnly') ? (opts as { readOnly?: unknown }).readOnly : undefined;
  if (readOnly !== undefined && typeof readOnly !== 'boolean') throw new ValidationError(`$transaction option readOnly must be true or false, got ${typeof readOnly}`);
  return readOnly ? { readOnly: true } : undefined;
}

/** Build a db handle over an adapter and an open connection (createDb does the resolving and connecting). */
export function createDbWith<S extends SchemaShape>(adapter: Adapter, conn: Connection, schema: S, opts: { strict?: boolean; afterMigrate?: AfterMigrate } = {}): Db<S> {
  const ir = buildSchemaIR(schema);
  for (const key of Object.keys(ir.models)) {
    if (key.startsWith('$') || key === 'adapter') throw new ConfigError(`Schema key '${key}' is reserved on the db handle; rename it (e.g. '${key.replace(/^\$/, '')}Model')`);
  }
  // The adapter as it applies to this server (MariaDB's RETURNING and JSON depth differ from MySQL 8's).
  const rt = new Runtime(adapterFor(adapter, conn), conn, buildMetas(ir), !!opts.strict);
  return makeDb(rt, schema, ir, undefined, { afterMigrate: opts.afterMigrate });
}

function makeDb<S extends SchemaShape>(rt: Runtime, schema: S, ir: SchemaIR, fixed: Connection | undefined, hooks: { afterMigrate?: AfterMigrate } = {}): Db<S> {
  const conn = () => fixed ?? rt.current();
  const rawInfo = (op: string): CallInfo => ({ op, semanticOp: 'raw' });
  // A raw statement as the executor runs it, refused first if it would open or end a transaction.
  const fromTemplate = (method: string, q: unknown, values: unknown[]): PreparedQuery => {
    const prepared = rt.adapter.executor.prepareRaw(toRawFragment(method, q, values).node);
    if (typeof prepared.sql === 'string') refuseTransactionControl(method, prepared.sql);
    return prepared;
  };
  const fromText = (method: string, sql: unknown, params: unknown[]): PreparedQuery => {
    if (typeof sql !== 'string') throw new ValidationError(`${method}(sql, ...params) takes the SQL text as a string`);
    refuseTransactionControl(method, sql);
    return { sql, params };
  };
  const db: Record<string, unknown> = {
    adapter: { kind: rt.adapter.kind, capabilities: rt.adapter.capabilities },
    $models: schema,
    $schema: ir,
    async $transaction(arg: unknown, opts?: unknown) {
      const txOpts = transactionOptions(opts);
      const base = conn();
      if (base.inTransaction && !rt.adapter.capabilities.savepoints) {
        // Without savepoints a nested transaction could only be flattened into the outer one, so a failure inside
        // it would not undo just its own work: refuse instead of pretending.
        throw new ValidationError(
          `A nested $transaction needs savepoints, which ${rt.adapter.kind} does not have here: run the inner work on the outer transaction's tx, and let an error end the whole transaction`,
        );
      }
      if (Array.isArray(arg)) {
        if (!arg.every(isLazyQuery)) {
          throw new ValidationError('$transaction([...]) takes calls on this db such as db.user.create(...), not already-awaited values');
        }
        return base.transaction(async (tx) => {
          const out: unknown[] = [];
          for (const q of arg) out.push(await q.runWith(tx));
          return out;
        }, txOpts);
      }
      if (typeof arg !== 'function') throw new ValidationError('$transaction takes an async callback (tx) => { ... } or an array of queries');
      // `async`: a callback that returns a model call without awaiting it (`() => db.user.create(...)`) hands back a
      // lazy query; it must be started here, inside the transaction's context, not later by the connection's await
      // (outside it, a root call would queue behind the very transaction waiting for it).
      return base.transaction((tx) => rt.als.run(tx, async () => (arg as (tx: unknown) => Promise<unknown>)(makeDb(rt, schema, ir, tx, hooks))), txOpts);
    },
    // Every raw method returns a promise, also for bad arguments: a plain string rejects, it never throws.
    $queryRaw: (q: unknown, ...values: unknown[]) => settle(() => rt.objects(conn(), rawInfo('$queryRaw'), fromTemplate('$queryRaw', q, values))),
    $executeRaw: (q: unknown, ...values: unknown[]) => settle(() => rt.exec(conn(), rawInfo('$executeRaw'), fromTemplate('$executeRaw', q, values))),
    $queryRawUnsafe: (sql: string, ...params: unknown[]) => settle(() => rt.objects(conn(), rawInfo('$queryRawUnsafe'), fromText('$queryRawUnsafe', sql, params))),
    $executeRawUnsafe: (sql: string, ...params: unknown[]) => settle(() => rt.exec(conn(), rawInfo('$executeRawUnsafe'), fromText('$executeRawUnsafe', sql, params))),
    $runCommandRaw: (command: Record<string, unknown>) =>
      settle(() => {
        const ex = rt.adapter.executor;
        if (!ex.command) throw new ValidationError(`$runCommandRaw sends a raw driver command, which ${rt.adapter.kind} does not take: use $queryRaw\`...\` for SQL`);
        if (!command || typeof command !== 'object' || Array.isArray(command)) throw new ValidationError('$runCommandRaw takes a command object');
        return ex.command(conn(), command);
      }),
    $on(event: string, listener: (e: never) => void) {
      if (typeof listener !== 'function') throw new ValidationError('$on(event, listener) needs a function');
      const set = event === 'query' ? rt.queryListeners : event === 'error' ? rt.errorListeners : undefined;
      if (!set) throw new ValidationError(`$on: unknown event '${event}'; use 'query' or 'error'`);
      set.add(listener as never);
      return () => set.delete(listener as never);
    },
    $disconnect: () => rt.root.close(),
    $doctor: () => rt.adapter.probe(conn()),
    $diff: (opts: { ignore?: string | Array<string | RegExp> } = {}) =>
      runDiff({ adapter: rt.adapter, conn: conn(), ir }, { ignore: typeof opts.ignore === 'string' ? parseIgnoreList(opts.ignore) : opts.ignore }),
    $migrate: async () => {
      const ctx = { adapter: rt.adapter, conn: conn(), ir };
      const report = await runMigrate(ctx);
      if (hooks.afterMigrate && report.failures.length === 0) await runAfterMigrate(ctx, hooks.afterMigrate, { models: schema });
      return report;
    },
    $ensureCreated: async () => {
      const ctx = { adapter: rt.adapter, conn: conn(), ir };
      const result = await ensureCreated(ctx);
      if (hooks.afterMigrate) await runAfterMigrate(ctx, hooks.afterMigrate, { models: schema });
      return result;
    },
    $ensureDeleted: () => ensureDeleted({ adapter: rt.adapter, conn: conn(), ir }),
    $analyze: () => analyze({ adapter: rt.adapter, conn: conn(), ir }),
  };
  for (const [key, meta] of rt.metas) {
    if (!fixed) {
      db[key] = modelClient(rt, meta, undefined);
      continue;
    }
    // A transaction handle builds each model client on first use, so $transaction costs the same for 5 or 500 models.
    Object.defineProperty(db, key, {
      enumerable: true,
      configurable: true,
      get() {
        const client = modelClient(rt, meta, fixed);
        Object.defineProperty(db, key, { value: client, enumerable: true });
        return client;
      },
    });
  }
  return db as unknown as Db<S>;
}

/**
 * Open a database for a schema: `createDb({ url: process.env.DATABASE_URL, schema })` or
 * `createDb({ driver: pgDriver(pool), schema })`. Only the adapter for that dialect is loaded.
 */
export async function createDb<S extends SchemaShape>(opts: CreateDbOptions<S>): Promise<Db<S>> {
  if (!opts || typeof opts !== 'object') throw new ConfigError('createDb({ url, schema }) takes an options object');
  if (!opts.schema) throw new ConfigError('createDb needs a schema: createDb({ url, schema: { user: User } })');
  if (!opts.url && !opts.driver) throw new ConfigError('createDb needs a url (e.g. process.env.DATABASE_URL) or a driver (e.g. pgDriver(pool))');
  // Validate the schema before opening anything, so a bad model never leaves a connection behind.
  buildSchemaIR(opts.schema);
  const dialect: Dialect = opts.type ?? (opts.driver ? opts.driver.dialect : dialectForUrl(opts.url!).dialect);
  const adapter = opts.driver?.adapter ?? (await loadAdapter(dialect));
  const connectOpts: ConnectOptions = { connectTimeoutMs: opts.connectTimeoutMs };
  const conn = await adapter.connect(opts.driver ?? opts.url!, connectOpts);
  try {
    return createDbWith(adapter, conn, opts.schema, { strict: opts.strict, afterMigrate: opts.afterMigrate });
  } catch (e) {
    await conn.close();
    throw e;
  }
}
