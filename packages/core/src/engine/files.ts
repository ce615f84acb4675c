/**
 * `forge migrate`, `forge migrate status` and `forge migrate down [N]`: the migration files in the folder
 * against the ledger `_forge_migrations` (shared with `forge diff apply` and `forge rollback`). Files apply in
 * the order of their full names, each in a transaction of its own where DDL is transactional, all under the
 * push lock; a killed run committed nothing of the file it was in (or, where DDL commits per statement, says
 * what may have landed). Nothing here asks anyone anything: the caller's `consent` does.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Adapter, Connection, Dialect, OnlineIndexDdl } from '../adapter.js';
import { createDbWith } from '../client/db.js';
import type { SchemaShape } from '../client/types.js';
import { ConfigError } from '../errors.js';
import { LEDGER_TABLE } from '../diff/ignore.js';
import { errorText, MigrationError, runMigrationBlock } from '../migrations/apply.js';
import { codeMigrationOf, migrationFileOf, parseMigration, runsOutsideTransaction, type CodeMigrationModule, type CodeMigrations } from '../migrations/file.js';
import { deleteMigration, ensureLedger, migrationChecksum, readLedger, recordMigration, type LedgerRow } from '../migrations/ledger.js';
import { countFindings, lintStatements, needsConsent, type Finding, type LintState } from '../migrations/lint.js';
import { migrationNumber } from '../migrations/snapshot.js';
import type { EngineHooks } from './context.js';
import { recoverPendingMigrations } from './migrations.js';

type Ctx = { adapter: Adapter; conn: Connection };

/** `external`: a ledger row no forge file ever had (a `scripts/migrate` data migration records its own name). */
export type MigrationState = 'applied' | 'pending' | 'out-of-order' | 'missing-file' | 'edited' | 'external';

export interface MigrationStatusRow {
  name: string;
  state: MigrationState;
  appliedAt?: string;
  /** The file's checksum now (absent when the file is missing). */
  checksum?: string;
  /** The checksum the ledger recorded when it was applied (absent for rows from before checksums). */
  recordedChecksum?: string;
}

export interface MigrationStatus {
  dir: string;
  rows: MigrationStatusRow[];
  applied: string[];
  pending: string[];
  outOfOrder: string[];
  missing: string[];
  edited: string[];
  /** Ledger rows written by something other than forge (seed 004's data-migration scripts): listed, never an error. */
  external: string[];
  /** Every file is applied, none was edited, none is missing. */
  clean: boolean;
}

export interface MigrationFile {
  name: string;
  file: string;
  text: string;
  checksum: string;
  /** `sql`: an `-- up` / `-- down` file; `code`: a `.ts` / `.js` module exporting `up(db)` / `down(db)`. */
  kind: 'sql' | 'code';
}

/** The migration files of the folder (`.sql`, and `.ts` / `.js` code migrations), in the order they apply: by full name. */
export async function readMigrationFiles(dir: string): Promise<MigrationFile[]> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const found = new Map<string, { fileName: string; kind: 'sql' | 'code' }>();
  for (const fileName of entries.sort()) {
    const m = migrationFileOf(fileName);
    if (!m) continue;
    const other = found.get(m.name);
    if (other) {
      throw new ConfigError(`${dir} holds two migrations named ${m.name} (${other.fileName} and ${fileName}): one name, one file. Rename or remove one of them`);
    }
    found.set(m.name, { fileName, kind: m.kind });
  }
  const out: MigrationFile[] = [];
  for (const [name, { fileName, kind }] of [...found].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const file = path.join(dir, fileName);
    const text = await readFile(file, 'utf8');
    out.push({ name, file, text, checksum: migrationChecksum(text), kind });
  }
  return out;
}

/** Applied, pending, out of order, missing and edited, from the files and ledger rows given. */
export function statusOf(dir: string, files: MigrationFile[], ledger: LedgerRow[]): MigrationStatus {
  const byName = new Map(files.map((f) => [f.name, f]));
  const applied = new Map(ledger.map((r) => [r.name, r]));
  // Out of order: a numbered file older than the newest applied numbered one (branches merged). Files of
  // `forge diff apply` (<stamp>_drift) are applied where they are written and do not set the order.
  const newestApplied = ledger
    .map((r) => r.name)
    .filter((n) => migrationNumber(n) !== undefined)
    .sort()
    .at(-1);
  const rows: MigrationStatusRow[] = [];
  for (const r of ledger) {
    const f = byName.get(r.name);
    const row: MigrationStatusRow = { name: r.name, state: 'applied', appliedAt: r.appliedAt };
    if (r.checksum) row.recordedChecksum = r.checksum;
    const forgeName = migrationNumber(r.name) !== undefined || /^\d{8}T\d{6}_drift(_\d+)?$/.test(r.name);
    if (!f) row.state = r.checksum || forgeName ? 'missing-file' : 'external';
    else {
      row.checksum = f.checksum;
      if (r.checksum && r.checksum !== f.checksum) row.state = 'edited';
    }
    rows.push(row);
  }
  for (const f of files) {
    if (applied.has(f.name)) continue;
    const late = newestApplied !== undefined && migrationNumber(f.name) !== undefined && f.name < newestApplied;
    rows.push({ name: f.name, state: late ? 'out-of-order' : 'pending', checksum: f.checksum });
  }
  rows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const pick = (s: MigrationState) => rows.filter((r) => r.state === s).map((r) => r.name);
  const status: MigrationStatus = {
    dir,
    rows,
    applied: rows.filter((r) => r.state === 'applied' || r.state === 'edited').map((r) => r.name),
    pending: pick('pending'),
    outOfOrder: pick('out-of-order'),
    missing: pick('missing-file'),
    edited: pick('edited'),
    external: pick('external'),
    clean: false,
  };
  status.clean = !status.pending.length && !status.outOfOrder.length && !status.missing.length && !status.edited.length;
  return status;
}

/** `forge migrate status`: read-only (the ledger is neither created nor upgraded). */
export async function runMigrationStatus(ctx: Ctx, opts: { dir: string }): Promise<MigrationStatus> {
  const dir = path.resolve(opts.dir);
  return statusOf(dir, await readMigrationFiles(dir), await readLedger(ctx.conn, ctx.adapter));
}

/** The consent hook: sees the findings that need a human (rows counted), returns whether to go on. */
export type Consent = (findings: Finding[]) => Promise<boolean>;

/** The user said no (or could not be asked): nothing was changed. */
export class ConsentRefusedError extends Error {
  override readonly name = 'ConsentRefusedError';
  readonly code = 'CONSENT_REFUSED';
  constructor(
    message: string,
    readonly findings: Finding[],
  ) {
    super(message);
  }
}

/** Lint blocks, count the rows on the live database, and ask `consent` about those that need it. */
export async function previewFindings(
  ctx: Ctx,
  blocks: Array<{ name?: string; statements: string[] }>,
  consent: Consent | undefined,
  command: string,
): Promise<Finding[]> {
  const state: LintState = { tables: new Set(), columns: new Set() };
  const raw = blocks.flatMap((b) => lintStatements(b.statements, b.name, state));
  if (raw.length === 0) return [];
  const snap = await ctx.adapter.introspect(ctx.conn);
  const findings = await countFindings(ctx.conn, ctx.adapter, raw, snap);
  const asked = findings.filter(needsConsent);
  if (asked.length && consent && !(await consent(findings))) {
    throw new ConsentRefusedError(`${command}: not run; nothing was changed`, findings);
  }
  return findings;
}

/** Distinct, increasing ISO times for rows recorded in one run, so the ledger keeps their order. */
function clock(now: () => Date): () => string {
  let last = 0;
  return () => {
    const t = Math.max(now().getTime(), last + 1);
    last = t;
    return new Date(t).toISOString();
  };
}

/** The table a DDL statement locks, for messages: `ALTER TABLE "users" ...` → users. */
function lockedTable(sql: string): string | undefined {
  const m = /^\s*(?:ALTER\s+TABLE|DROP\s+TABLE(?:\s+IF\s+EXISTS)?|CREATE\s+(?:UNIQUE\s+)?INDEX\b.*?\bON|RENAME\s+TABLE)\s+(?:IF\s+EXISTS\s+)?("(?:[^"]|"")+"|`(?:[^`]|``)+`|[\w$]+)/is.exec(sql);
  return m ? m[1].replace(/^["`]|["`]$/g, '') : undefined;
}

/**
 * A statement that gave up waiting for a lock (Postgres `lock_timeout`, MySQL `lock_wait_timeout`) fails with
 * the driver's terse text; say which lock, how long forge waited, and how to find the session holding it.
 */
function explainLockTimeout(e: MigrationError, adapter: Adapter, ms: number | undefined, command: string): MigrationError {
  const text = `${e.message} ${(e.cause as Error | undefined)?.message ?? ''}`;
  if (!/lock timeout|lock wait timeout|lock_timeout|55P03/i.test(text)) return e;
  const table = lockedTable(e.statement);
  const lock = table ? `the lock on table ${table}` : 'a table lock';
  const find =
    adapter.kind === 'postgres' && table
      ? ` Find the session holding it: SELECT pid, state, xact_start, query FROM pg_stat_activity WHERE pid IN (SELECT pid FROM pg_locks WHERE relation = '${table.replace(/'/g, "''")}'::regclass AND granted);`
      : adapter.kind === 'mysql'
        ? ' Find the session holding it: SELECT * FROM performance_schema.metadata_locks WHERE OBJECT_TYPE = \'TABLE\';'
        : '';
  const message =
    `${e.migration}: gave up after waiting ${ms ?? '?'} ms for ${lock} (another session holds it, e.g. a long transaction reading ${table ?? 'the table'}), ` +
    `so the statement did not queue every other query behind it. ${e.applied.length ? `These statements of ${e.migration} stay applied (${e instanceof SegmentError ? 'they ran outside one transaction' : 'DDL is not transactional here'}): ${e.applied.join('; ')}.` : `Nothing of ${e.migration} was applied.`}${find}${e instanceof SegmentError ? e.note : ''} ` +
    `Let that transaction finish (or end it), then run ${command} again; lockTimeout in forge.config or FORGE_LOCK_TIMEOUT sets the wait.\n  statement: ${e.statement}`;
  const out = e instanceof SegmentError ? new SegmentError(message, e.migration, e.statement, e.applied, { cause: e.cause }) : new MigrationError(message, e.migration, e.statement, e.applied, { cause: e.cause });
  if (e instanceof SegmentError && out instanceof SegmentError) out.note = e.note;
  return out;
}

async function lockTimeout(adapter: Adapter, conn: Connection, ms: number | undefined): Promise<void> {
  if (!ms || !adapter.ddl.lockTimeout) return;
  for (const sql of adapter.ddl.lockTimeout(ms)) await conn.execute(sql);
}

export interface MigrateFilesResult {
  /** `code`: a code migration (its `statements` are empty). */
  applied: Array<{ name: string; statements: string[]; code?: true }>;
  /** The file that failed; the ones before it stay applied. */
  failed?: { name: string; error: MigrationError };
  findings: Finding[];
  status: MigrationStatus;
  /** Applied migrations whose file changed since (warned about, not refused). */
  edited: string[];
}

/** What a killed `diff apply` left where DDL commits per statement blocks both workflows until it is settled. */
async function settleDiffApply(ctx: Ctx, dir: string, command: string): Promise<void> {
  const { unrecorded } = await recoverPendingMigrations(ctx, dir, { keepUnrecorded: true });
  if (unrecorded.length) {
    throw new ConfigError(
      `a killed forge diff apply left ${unrecorded.join(', ')} pending, and on ${ctx.adapter.kind} some of its statements may have been applied. Run forge diff apply first (it records or finishes that migration), then ${command}`,
    );
  }
}

/**
 * `forge migrate`: every pending file in name order. An out-of-order file (older than the newest applied one)
 * is refused, naming it, unless `allowOutOfOrder`; a missing or edited applied file is reported, not fatal.
 * Code migrations (`.ts`) run through `code` (the CLI loads them with jiti).
 */
export async function runMigrateFiles(
  ctx: Ctx,
  opts: {
    dir: string;
    allowOutOfOrder?: boolean;
    consent?: Consent;
    lockTimeoutMs?: number;
    now?: () => Date;
    dry?: boolean;
    /** How `.ts` / `.js` migrations are loaded and typed; without it a pending code migration is refused. */
    code?: CodeMigrations;
  } & EngineHooks,
): Promise<MigrateFilesResult> {
  const { adapter, conn } = ctx;
  const dir = path.resolve(opts.dir);
  await settleDiffApply(ctx, dir, 'forge migrate');
  const files = await readMigrationFiles(dir);
  if (!opts.dry) await ensureLedger(conn, adapter);
  const status = statusOf(dir, files, await readLedger(conn, adapter));
  if (status.outOfOrder.length && !opts.allowOutOfOrder) {
    throw new ConfigError(
      `${status.outOfOrder.join(', ')} ${status.outOfOrder.length === 1 ? 'is' : 'are'} older than the newest applied migration (${status.applied.filter((n) => migrationNumber(n) !== undefined).at(-1)}): merged from another branch after it ran here. Nothing was applied. Check the file does not conflict with what ran since, then run forge migrate --allow-out-of-order to apply it`,
    );
  }
  const want = new Set([...status.pending, ...(opts.allowOutOfOrder ? status.outOfOrder : [])]);
  // Every file is read (and every code migration loaded) before anything runs: a broken one stops the command first.
  const todo = await prepareAll(files.filter((f) => want.has(f.name)), 'up', opts.code, 'forge migrate', adapter.capabilities.dialect);
  const findings = await previewFindings(ctx, todo.map((f) => ({ name: f.name, statements: f.sql?.statements ?? [] })), opts.consent, 'forge migrate');
  const result: MigrateFilesResult = { applied: [], findings, status, edited: status.edited };
  if (opts.dry || todo.length === 0) return result;
  const at = clock(opts.now ?? (() => new Date()));
  const models = lazyModels(opts.code);
  const done = (f: Runnable) => result.applied.push({ name: f.name, statements: f.sql?.statements ?? [], ...(f.code ? { code: true } : {}) });
  // Runs of files with no statement marked outside the transaction share one push lock; a file with such a
  // statement (CREATE INDEX CONCURRENTLY, `-- forge:no-transaction`) runs on its own, in segments.
  let i = 0;
  while (i < todo.length && !result.failed) {
    if (todo[i].segmented) {
      const f = todo[i++];
      try {
        const ran = await runSegmented(ctx, blockOf(f, 'forge migrate', (x) => recordMigration(x, adapter, f.name, at(), f.checksum), opts), opts.lockTimeoutMs, true);
        if (ran) done(f);
      } catch (e) {
        if (!(e instanceof MigrationError)) throw e;
        result.failed = { name: f.name, error: explainLockTimeout(e, adapter, opts.lockTimeoutMs, 'forge migrate') };
      }
      continue;
    }
    // Without savepoints (DuckDB) the lock's one transaction is the file's, so each file takes the lock alone and
    // a failure rolls that transaction back.
    const alone = !adapter.capabilities.savepoints;
    const group: Runnable[] = [];
    while (i < todo.length && !todo[i].segmented && !(alone && group.length)) group.push(todo[i++]);
    try {
      await adapter.lock(conn, async (c) => {
        await lockTimeout(adapter, c, opts.lockTimeoutMs);
        // Another migrate may have run while this one waited for the lock.
        const applied = new Set((await readLedger(c, adapter)).map((r) => r.name));
        for (const f of group) {
          if (applied.has(f.name)) continue;
          try {
            await runLocked(adapter, c, blockOf(f, 'forge migrate', (x) => recordMigration(x, adapter, f.name, at(), f.checksum), opts), models);
          } catch (e) {
            if (e instanceof MigrationError) {
              result.failed = { name: f.name, error: explainLockTimeout(e, adapter, opts.lockTimeoutMs, 'forge migrate') };
              if (alone) throw e;
              return;
            }
            throw e;
          }
          done(f);
        }
      });
    } catch (e) {
      if (!(e instanceof MigrationError && result.failed)) throw e;
    }
  }
  return result;
}

/** A migration file read and ready to run one way: its SQL block (with the outside flags) or its code function. */
interface Runnable extends MigrationFile {
  sql?: { statements: string[]; outside: boolean[] };
  code?: CodeMigrationModule['up'];
  /** Some statement runs outside the transaction: the file runs in segments (`runSegmented`). */
  segmented: boolean;
}

/** Read (parse or load) every file before anything runs; a code migration without a loader is refused, naming it. */
async function prepareAll(files: MigrationFile[], direction: 'up' | 'down', code: CodeMigrations | undefined, command: string, dialect: Dialect): Promise<Runnable[]> {
  const out: Runnable[] = [];
  for (const f of files) {
    if (f.kind === 'sql') {
      const parsed = parseMigration(f.text, f.name, dialect);
      const statements = parsed[direction];
      const outside = parsed.outside[direction];
      out.push({ ...f, sql: { statements, outside }, segmented: outside.some(Boolean) });
      continue;
    }
    if (!code) {
      throw new ConfigError(
        `${f.name} is a code migration (${path.basename(f.file)}), and ${command} was called without a way to load one. Nothing was run. Run it with the forge CLI (which loads .ts files), or pass code: { load } to ${direction === 'up' ? 'runMigrateFiles' : 'runMigrateDown'}`,
      );
    }
    let mod: unknown;
    try {
      mod = await code.load(f.file);
    } catch (e) {
      throw new ConfigError(`${f.name} (${f.file}) failed to load: ${errorText(e)}. Nothing was run; fix the file and run ${command} again`);
    }
    const m = codeMigrationOf(mod, f.name, f.file);
    if (direction === 'down' && !m.down) {
      throw new ConfigError(`cannot undo ${f.name}: ${path.basename(f.file)} exports no down(db). Nothing was undone; add export async function down(db) { ... } to it, or undo fewer migrations`);
    }
    out.push({ ...f, code: direction === 'up' ? m.up : m.down, segmented: false });
  }
  return out;
}

/** The schema's models for code migrations, asked for once and only when a code migration runs. */
function lazyModels(code: CodeMigrations | undefined): () => Promise<Record<string, unknown>> {
  let models: Promise<Record<string, unknown>> | undefined;
  return () => (models ??= Promise.resolve(code?.models?.()).then((m) => m ?? {}));
}

/** One block of one migration, as the runners take it. */
interface Block {
  migration: string;
  command: string;
  statements: readonly string[];
  outside: readonly boolean[];
  code?: CodeMigrationModule['up'];
  /** The ledger change that completes the block (insert on apply, delete on undo). */
  ledger: (c: Connection) => Promise<void>;
  afterStatement?: () => void;
}

function blockOf(f: Runnable, command: string, ledger: Block['ledger'], hooks: EngineHooks): Block {
  return {
    migration: f.name,
    command,
    statements: f.sql?.statements ?? [],
    outside: f.sql?.outside ?? [],
    ...(f.code ? { code: f.code } : {}),
    ledger,
    afterStatement: hooks.afterStatement,
  };
}

/**
 * `c` with `transaction(fn)` running `fn` on `c` itself: inside the push lock's transaction on a dialect without
 * savepoints, where that transaction is the migration's (it rolls back whole when the error leaves the lock).
 */
function flattened(c: Connection): Connection {
  return new Proxy(c, {
    get(target, key) {
      if (key === 'transaction') return <T>(fn: (tx: Connection) => Promise<T>) => fn(target);
      const v = Reflect.get(target, key, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** A block inside the push lock: SQL through `runMigrationBlock`; code in a transaction of its own where DDL is transactional. */
async function runLocked(adapter: Adapter, lockConn: Connection, block: Block, models: () => Promise<Record<string, unknown>>): Promise<void> {
  const c = lockConn.inTransaction && !adapter.capabilities.savepoints ? flattened(lockConn) : lockConn;
  if (!block.code) {
    await runMigrationBlock(adapter, c, block.statements, { migration: block.migration, command: block.command, ledger: block.ledger, afterStatement: block.afterStatement });
    return;
  }
  const fn = block.code;
  const label = `${block.migration} (code)`;
  const schema = (await models()) as SchemaShape;
  const body = async (tx: Connection) => {
    await fn(createDbWith(adapter, tx, schema) as never);
    block.afterStatement?.();
    await block.ledger(tx);
    block.afterStatement?.();
  };
  const transactional = adapter.capabilities.transactionalDdl;
  try {
    if (transactional) await c.transaction(body);
    else await body(c);
  } catch (e) {
    const cause = adapter.mapError(e);
    const kept = transactional
      ? `Nothing was changed (it ran in one transaction). Fix the cause and run ${block.command} again.`
      : `${adapter.capabilities.dialect} DDL is not transactional: what it changed before it failed stays. Inspect the tables (forge diff shows the state), fix forward, then run ${block.command} again.`;
    throw new MigrationError(`${block.migration} failed in its code migration: ${errorText(cause)}\n${kept}`, block.migration, label, [], { cause });
  }
}

/** A failed segmented block; `note` says what forge did about an index the failed build left. */
class SegmentError extends MigrationError {
  note = '';
}

async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

/**
 * Take the dialect's session lock for online index builds by trying, not waiting: a session queued inside a
 * lock call has a snapshot, and a CONCURRENTLY build waits for every older snapshot, so two migrates queued on
 * a blocking lock would deadlock. Tries every 50 ms, backing off to 1 s.
 */
async function takeSessionLock(s: Connection, online: OnlineIndexDdl): Promise<void> {
  for (let wait = 50; ; wait = Math.min(wait * 2, 1000)) {
    const rows = await s.queryArrays(online.sessionLock, []);
    if (rows[0]?.[0] === true) return;
    await sleep(wait);
  }
}

/** A statement whose effect ends with the session: SQLite's `PRAGMA foreign_keys = ...`. */
const sessionOnly = (sql: string): boolean => /^\s*PRAGMA\s+foreign_keys\s*=/i.test(sql);

/** What a failure names when the ledger row is what failed. */
const LEDGER_STEP = `the ${LEDGER_TABLE} ledger update`;

/**
 * A block with statements that must run outside a transaction (issue 14), on one pinned session. The other
 * statements run in transactions under the push lock, segment by segment; each marked statement runs on its own,
 * under the dialect's session lock for online index builds (its own key, not the push lock) and a session-level
 * lock_timeout. Before a CONCURRENTLY build, and after one fails, the INVALID index such a build leaves is
 * dropped, so a rerun succeeds. The ledger change is made last, under the push lock: in the last segment's
 * transaction when only session settings follow it, else on its own. `applying` guards against a
 * second run: false (nothing done) when the ledger already says what this run would make it say.
 */
async function runSegmented(ctx: Ctx, block: Block, lockTimeoutMs: number | undefined, applying: boolean): Promise<boolean> {
  const { adapter } = ctx;
  const online = adapter.ddl.onlineIndex;
  return ctx.conn.withSession(async (s) => {
    const applied: string[] = [];
    const fail = (sql: string, e: unknown, note = ''): SegmentError => {
      const cause = adapter.mapError(e);
      const kept = applied.length
        ? `These statements ran outside one transaction and stay applied:\n${applied.map((x) => `  ${x};`).join('\n')}\nThe rest did not run; fix the cause and run ${block.command} again (index builds with IF NOT EXISTS are skipped once built).`
        : `Nothing was changed. Fix the cause and run ${block.command} again.`;
      const err = new SegmentError(`${block.migration} failed at: ${sql}\n  ${errorText(cause)}${note}\n${kept}`, block.migration, sql, [...applied], { cause });
      err.note = note;
      return err;
    };
    /** Drop the INVALID index a CONCURRENTLY build of `sql` left, if there is one; its name when dropped. */
    const dropInvalid = async (sql: string): Promise<string | undefined> => {
      const index = online?.indexBuilt(sql);
      if (!online || !index) return undefined;
      const rows = await s.queryArrays(online.invalidIndexQuery, [index]);
      if (rows.length === 0) return undefined;
      await s.execute(online.dropIndex(index));
      return index;
    };
    let locked = false;
    try {
      if (online) {
        await takeSessionLock(s, online);
        locked = true;
        if (lockTimeoutMs) for (const sql of online.sessionLockTimeout(lockTimeoutMs)) await s.execute(sql);
      }
      // Another run may have applied (or undone) it while this one waited for the lock.
      if ((await readLedger(s, adapter)).some((r) => r.name === block.migration) === applying) return false;
      // Where only statements that change nothing but this session follow the last transactional segment (SQLite's
      // rebuild ends with PRAGMA foreign_keys = ON), the ledger row is written in that segment's transaction: a kill
      // after it leaves nothing to re-run, since a session's settings end with it.
      let tail = block.statements.length;
      while (tail > 0 && block.outside[tail - 1] && sessionOnly(block.statements[tail - 1])) tail--;
      const ledgerWithSegment = tail > 0 && !block.outside[tail - 1];
      let k = 0;
      while (k < block.statements.length) {
        if (block.outside[k]) {
          const sql = block.statements[k++];
          try {
            // A build killed part-way leaves an INVALID index that IF NOT EXISTS would take for a finished one.
            await dropInvalid(sql);
            await s.execute(sql);
          } catch (e) {
            let note = '';
            const index = online?.indexBuilt(sql);
            if (index) {
              try {
                const dropped = await dropInvalid(sql);
                if (dropped) note = `\n  The failed build left the INVALID index ${dropped}; forge dropped it (${online!.dropIndex(dropped)}).`;
              } catch (dropError) {
                note = `\n  The failed build left the INVALID index ${index}, and forge could not drop it yet (${errorText(adapter.mapError(dropError))}); the next ${block.command} drops it before it builds the index again.`;
              }
            }
            throw fail(sql, e, note);
          }
          applied.push(sql);
          block.afterStatement?.();
          continue;
        }
        const segment: string[] = [];
        while (k < block.statements.length && !block.outside[k]) segment.push(block.statements[k++]);
        let current = '';
        try {
          const last = ledgerWithSegment && k === tail;
          await adapter.lock(s, async (c) => {
            await lockTimeout(adapter, c, lockTimeoutMs);
            for (const sql of segment) {
              current = sql;
              await c.execute(sql);
            }
            if (last) {
              current = LEDGER_STEP;
              await block.ledger(c);
            }
          });
        } catch (e) {
          throw fail(current, e);
        }
        applied.push(...segment);
        block.afterStatement?.();
      }
      if (!ledgerWithSegment) {
        try {
          await adapter.lock(s, block.ledger);
        } catch (e) {
          throw fail(LEDGER_STEP, e);
        }
      }
      block.afterStatement?.();
      return true;
    } finally {
      if (online && locked) {
        if (lockTimeoutMs) for (const sql of online.resetLockTimeout) await s.execute(sql).catch(() => undefined);
        await s.execute(online.sessionUnlock).catch(() => undefined);
      }
    }
  });
}

/**
 * One migration block as `forge diff apply` and `forge rollback` run it: under the push lock and lock_timeout, in
 * segments when a statement must run outside the transaction (a CONCURRENTLY index build). Throws the
 * MigrationError, with a lock timeout explained.
 */
export async function runFileBlock(
  ctx: Ctx,
  run: { migration: string; command: string; statements: readonly string[]; ledger: (c: Connection) => Promise<void>; applying: boolean; lockTimeoutMs?: number } & EngineHooks,
): Promise<void> {
  const { adapter, conn } = ctx;
  const outside = run.statements.map((s) => runsOutsideTransaction(s));
  const block: Block = { migration: run.migration, command: run.command, statements: run.statements, outside, ledger: run.ledger, afterStatement: run.afterStatement };
  try {
    if (outside.some(Boolean)) {
      await runSegmented(ctx, block, run.lockTimeoutMs, run.applying);
      return;
    }
    await adapter.lock(conn, async (c) => {
      await lockTimeout(adapter, c, run.lockTimeoutMs);
      await runLocked(adapter, c, block, async () => ({}));
    });
  } catch (e) {
    if (e instanceof MigrationError) throw explainLockTimeout(e, adapter, run.lockTimeoutMs, run.command);
    throw e;
  }
}

export interface MigrateDownResult {
  reverted: Array<{ name: string; statements: string[]; file: string; code?: true }>;
  failed?: { name: string; error: MigrationError };
  findings: Finding[];
}

/**
 * `forge migrate down [N]`: the `-- down` blocks (or `down(db)` of code migrations) of the last `count` applied
 * migrations, newest first, each with its ledger row deleted in the same transaction (where DDL is
 * transactional). Every file is read before anything runs: a missing one stops the command with the ledger
 * untouched.
 */
export async function runMigrateDown(
  ctx: Ctx,
  opts: { dir: string; count: number; consent?: Consent; lockTimeoutMs?: number; code?: CodeMigrations } & EngineHooks,
): Promise<MigrateDownResult> {
  const { adapter, conn } = ctx;
  const dir = path.resolve(opts.dir);
  if (!Number.isInteger(opts.count) || opts.count < 1) throw new ConfigError(`forge migrate down takes a positive whole number of migrations, not ${opts.count}`);
  await settleDiffApply(ctx, dir, 'forge migrate down');
  await ensureLedger(conn, adapter);
  const ledger = await readLedger(conn, adapter);
  if (ledger.length === 0) throw new ConfigError(`nothing to undo: ${LEDGER_TABLE} is empty`);
  if (opts.count > ledger.length) {
    throw new ConfigError(`forge migrate down ${opts.count}: only ${ledger.length} migration(s) are applied. Nothing was undone; run forge migrate down ${ledger.length} to undo them all`);
  }
  const rows = ledger.slice(-opts.count).reverse();
  const files = new Map((await readMigrationFiles(dir)).map((f) => [f.name, f]));
  const picked = rows.map((r) => {
    const f = files.get(r.name);
    if (!f) {
      throw new ConfigError(
        `cannot undo ${r.name}: ${path.join(dir, `${r.name}.sql`)} does not exist (nor a .ts file of that name). Nothing was undone; restore the file (from version control) and run the command again`,
      );
    }
    return f;
  });
  const todo = await prepareAll(picked, 'down', opts.code, 'forge migrate down', adapter.capabilities.dialect);
  const findings = await previewFindings(ctx, todo.map((f) => ({ name: f.name, statements: f.sql?.statements ?? [] })), opts.consent, 'forge migrate down');
  const result: MigrateDownResult = { reverted: [], findings };
  const models = lazyModels(opts.code);
  for (const f of todo) {
    const block = blockOf(f, 'forge migrate down', (x) => deleteMigration(x, adapter, f.name), opts);
    try {
      if (f.segmented) {
        // False: another run undid it while this one waited for the lock.
        if (!(await runSegmented(ctx, block, opts.lockTimeoutMs, false))) continue;
      } else {
        const ran = await adapter.lock(conn, async (c) => {
          await lockTimeout(adapter, c, opts.lockTimeoutMs);
          if (!(await readLedger(c, adapter)).some((r) => r.name === f.name)) return false;
          await runLocked(adapter, c, block, models);
          return true;
        });
        if (!ran) continue;
      }
    } catch (e) {
      if (e instanceof MigrationError) {
        result.failed = { name: f.name, error: explainLockTimeout(e, adapter, opts.lockTimeoutMs, 'forge migrate down') };
        return result;
      }
      throw e;
    }
    result.reverted.push({ name: f.name, statements: f.sql?.statements ?? [], file: f.file, ...(f.code ? { code: true as const } : {}) });
  }
  return result;
}
