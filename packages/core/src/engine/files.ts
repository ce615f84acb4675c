/**
 * `forge migrate`, `forge migrate status` and `forge migrate down [N]`: the migration files in the folder
 * against the ledger `_forge_migrations` (shared with `forge diff apply` and `forge rollback`). Files apply in
 * the order of their full names, each in a transaction of its own where DDL is transactional, all under the
 * push lock; a killed run committed nothing of the file it was in (or, where DDL commits per statement, says
 * what may have landed). Nothing here asks anyone anything: the caller's `consent` does.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Adapter, Connection } from '../adapter.js';
import { ConfigError } from '../errors.js';
import { LEDGER_TABLE } from '../diff/ignore.js';
import { errorText, MigrationError, runMigrationBlock } from '../migrations/apply.js';
import { parseMigration } from '../migrations/file.js';
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
}

/** The `.sql` files of the folder, in the order they apply: by full name. */
export async function readMigrationFiles(dir: string): Promise<MigrationFile[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((f) => f.endsWith('.sql') && !f.startsWith('.')).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const out: MigrationFile[] = [];
  for (const f of names) {
    const file = path.join(dir, f);
    const text = await readFile(file, 'utf8');
    out.push({ name: f.replace(/\.sql$/, ''), file, text, checksum: migrationChecksum(text) });
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
    `so the statement did not queue every other query behind it. ${e.applied.length ? `These statements of ${e.migration} stay applied (DDL is not transactional here): ${e.applied.join('; ')}.` : `Nothing of ${e.migration} was applied.`}${find} ` +
    `Let that transaction finish (or end it), then run ${command} again; lockTimeout in forge.config or FORGE_LOCK_TIMEOUT sets the wait.\n  statement: ${e.statement}`;
  return new MigrationError(message, e.migration, e.statement, e.applied, { cause: e.cause });
}

async function lockTimeout(adapter: Adapter, conn: Connection, ms: number | undefined): Promise<void> {
  if (!ms || !adapter.ddl.lockTimeout) return;
  for (const sql of adapter.ddl.lockTimeout(ms)) await conn.execute(sql);
}

export interface MigrateFilesResult {
  applied: Array<{ name: string; statements: string[] }>;
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
 */
export async function runMigrateFiles(
  ctx: Ctx,
  opts: { dir: string; allowOutOfOrder?: boolean; consent?: Consent; lockTimeoutMs?: number; now?: () => Date; dry?: boolean } & EngineHooks,
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
  const todo = files.filter((f) => want.has(f.name)).map((f) => ({ ...f, parsed: parseMigration(f.text, f.name) }));
  const findings = await previewFindings(ctx, todo.map((f) => ({ name: f.name, statements: f.parsed.up })), opts.consent, 'forge migrate');
  const result: MigrateFilesResult = { applied: [], findings, status, edited: status.edited };
  if (opts.dry || todo.length === 0) return result;
  const at = clock(opts.now ?? (() => new Date()));
  // Runs of files with no statement marked outside the transaction share one push lock; a file with such a
  // statement (CREATE INDEX CONCURRENTLY, `-- forge:no-transaction`) runs on its own, in segments.
  let i = 0;
  while (i < todo.length && !result.failed) {
    if (todo[i].parsed.outside.up.some(Boolean)) {
      const f = todo[i++];
      const done = new Set((await readLedger(conn, adapter)).map((r) => r.name));
      if (done.has(f.name)) continue;
      try {
        const ran = await runSegmented(ctx, f.name, f.parsed.up, f.parsed.outside.up, 'forge migrate', opts.lockTimeoutMs, (x) => recordMigration(x, adapter, f.name, at(), f.checksum));
        if (ran) result.applied.push({ name: f.name, statements: f.parsed.up });
      } catch (e) {
        if (!(e instanceof MigrationError)) throw e;
        result.failed = { name: f.name, error: explainLockTimeout(e, adapter, opts.lockTimeoutMs, 'forge migrate') };
      }
      continue;
    }
    const group: typeof todo = [];
    while (i < todo.length && !todo[i].parsed.outside.up.some(Boolean)) group.push(todo[i++]);
    await adapter.lock(conn, async (c) => {
      await lockTimeout(adapter, c, opts.lockTimeoutMs);
      // Another migrate may have run while this one waited for the lock.
      const done = new Set((await readLedger(c, adapter)).map((r) => r.name));
      for (const f of group) {
        if (done.has(f.name)) continue;
        try {
          await runMigrationBlock(adapter, c, f.parsed.up, {
            migration: f.name,
            command: 'forge migrate',
            ledger: (x) => recordMigration(x, adapter, f.name, at(), f.checksum),
            afterStatement: opts.afterStatement,
          });
        } catch (e) {
          if (e instanceof MigrationError) {
            result.failed = { name: f.name, error: explainLockTimeout(e, adapter, opts.lockTimeoutMs, 'forge migrate') };
            return;
          }
          throw e;
        }
        result.applied.push({ name: f.name, statements: f.parsed.up });
      }
    });
  }
  return result;
}

/**
 * A block with statements that must run outside a transaction (issue 14). The other statements run in
 * transactions under the push lock, segment by segment; each marked statement runs on its own, on the session,
 * under the dialect's session lock for online index builds (its own key, not the push lock) and a session-level
 * lock_timeout. Before a CONCURRENTLY build, and after one fails, the INVALID index it leaves is dropped, so a
 * rerun succeeds. The ledger row is written last, under the push lock; false when another run recorded it first.
 */
function runSegmented(
  ctx: Ctx,
  migration: string,
  statements: readonly string[],
  outside: readonly boolean[],
  command: string,
  lockTimeoutMs: number | undefined,
  ledger: (c: Connection) => Promise<void>,
): Promise<boolean> {
  return runSegmentedWith(ctx, migration, statements, outside, command, lockTimeoutMs, ledger, true);
}

async function runSegmentedWith(
  ctx: Ctx,
  migration: string,
  statements: readonly string[],
  outside: readonly boolean[],
  command: string,
  lockTimeoutMs: number | undefined,
  ledger: (c: Connection) => Promise<void>,
  applying: boolean,
): Promise<boolean> {
  const { adapter, conn } = ctx;
  const online = adapter.ddl.onlineIndex;
  const applied: string[] = [];
  const fail = (sql: string, e: unknown, note = ''): MigrationError => {
    const cause = adapter.mapError(e);
    const kept = applied.length
      ? `These statements ran outside one transaction and stay applied:\n${applied.map((x) => `  ${x};`).join('\n')}\nThe rest did not run; fix the cause and run ${command} again (CONCURRENTLY index builds use IF NOT EXISTS, so they are skipped once built).`
      : `Nothing was changed. Fix the cause and run ${command} again.`;
    return new MigrationError(`${migration} failed at: ${sql}\n  ${errorText(cause)}${note}\n${kept}`, migration, sql, [...applied], { cause });
  };
  const dropInvalid = async (sql: string): Promise<string | undefined> => {
    const index = online?.indexBuilt(sql);
    if (!online || !index) return undefined;
    const rows = await conn.queryArrays(online.invalidIndexQuery, [index]);
    if (rows.length === 0) return undefined;
    await conn.execute(online.dropIndex(index));
    return index;
  };
  if (online) await conn.execute(online.sessionLock);
  try {
    if (online && lockTimeoutMs) for (const sql of online.sessionLockTimeout(lockTimeoutMs)) await conn.execute(sql);
    // Another run may have applied (or undone) it while this one waited for the lock.
    if ((await readLedger(conn, adapter)).some((r) => r.name === migration) === applying) return false;
    let k = 0;
    while (k < statements.length) {
      if (outside[k]) {
        const sql = statements[k++];
        // A build killed part-way leaves an INVALID index that IF NOT EXISTS would take for a finished one.
        await dropInvalid(sql);
        try {
          await conn.execute(sql);
        } catch (e) {
          let dropped: string | undefined;
          try {
            dropped = await dropInvalid(sql);
          } catch {
            /* reported below as still there */
          }
          throw fail(sql, e, dropped ? `\n  The failed build left the INVALID index ${dropped}; forge dropped it (DROP INDEX CONCURRENTLY).` : '');
        }
        applied.push(sql);
        continue;
      }
      const segment: string[] = [];
      while (k < statements.length && !outside[k]) segment.push(statements[k++]);
      let current = '';
      try {
        await adapter.lock(conn, async (c) => {
          await lockTimeout(adapter, c, lockTimeoutMs);
          for (const sql of segment) {
            current = sql;
            await c.execute(sql);
          }
        });
      } catch (e) {
        throw fail(current, e);
      }
      applied.push(...segment);
    }
    try {
      await adapter.lock(conn, ledger);
    } catch (e) {
      throw fail(`the ${LEDGER_TABLE} ledger update`, e);
    }
    return true;
  } finally {
    if (online) {
      if (lockTimeoutMs) for (const sql of online.resetLockTimeout) await conn.execute(sql).catch(() => undefined);
      await conn.execute(online.sessionUnlock).catch(() => undefined);
    }
  }
}

/** runSegmented for a down block: its guard is the other way round (the row must still be there). */
async function runSegmentedDown(ctx: Ctx, migration: string, statements: readonly string[], outside: readonly boolean[], lockTimeoutMs: number | undefined): Promise<void> {
  await runSegmentedWith(ctx, migration, statements, outside, 'forge migrate down', lockTimeoutMs, (x) => deleteMigration(x, ctx.adapter, migration), false);
}

export interface MigrateDownResult {
  reverted: Array<{ name: string; statements: string[]; file: string }>;
  failed?: { name: string; error: MigrationError };
  findings: Finding[];
}

/**
 * `forge migrate down [N]`: the `-- down` blocks of the last `count` applied migrations, newest first, each with
 * its ledger row deleted in the same transaction (where DDL is transactional). Every file is read before
 * anything runs: a missing one stops the command with the ledger untouched.
 */
export async function runMigrateDown(
  ctx: Ctx,
  opts: { dir: string; count: number; consent?: Consent; lockTimeoutMs?: number } & EngineHooks,
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
  const todo = rows.map((r) => {
    const f = files.get(r.name);
    if (!f) {
      throw new ConfigError(
        `cannot undo ${r.name}: ${path.join(dir, `${r.name}.sql`)} does not exist. Nothing was undone; restore the file (from version control) and run the command again`,
      );
    }
    return { ...f, parsed: parseMigration(f.text, f.name) };
  });
  const findings = await previewFindings(ctx, todo.map((f) => ({ name: f.name, statements: f.parsed.down })), opts.consent, 'forge migrate down');
  const result: MigrateDownResult = { reverted: [], findings };
  for (const f of todo) {
    try {
      if (f.parsed.outside.down.some(Boolean)) {
        await runSegmentedDown(ctx, f.name, f.parsed.down, f.parsed.outside.down, opts.lockTimeoutMs);
      } else {
        await adapter.lock(conn, async (c) => {
          await lockTimeout(adapter, c, opts.lockTimeoutMs);
          await runMigrationBlock(adapter, c, f.parsed.down, {
            migration: f.name,
            command: 'forge migrate down',
            ledger: (x) => deleteMigration(x, adapter, f.name),
            afterStatement: opts.afterStatement,
          });
        });
      }
    } catch (e) {
      if (e instanceof MigrationError) {
        result.failed = { name: f.name, error: explainLockTimeout(e, adapter, opts.lockTimeoutMs, 'forge migrate down') };
        return result;
      }
      throw e;
    }
    result.reverted.push({ name: f.name, statements: f.parsed.down, file: f.file });
  }
  return result;
}
