import { constants } from 'node:fs';
import { access, mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Adapter, Connection, DdlEnv } from '../adapter.js';
import { ConfigError } from '../errors.js';
import { errorText, runMigrationBlock } from '../migrations/apply.js';
import { migrationName, parseMigration, renderMigration } from '../migrations/file.js';
import { appliedMigrations, deleteMigration, ensureLedger, latestMigration, recordMigration } from '../migrations/ledger.js';
import type { SchemaIR } from '../schema/ir.js';
import { diffSchema } from './diff.js';
import { planDriftApply } from './drift-apply.js';
import { LEDGER_TABLE } from './ignore.js';
import { planPush } from './plan.js';
import type { DiffApplyResult, DriftReport, IgnorePattern, MigrateReport, PlannedStatement, PushReport } from './types.js';

/** What every command needs: the adapter, an open connection and the loaded schema. */
export interface EngineContext {
  adapter: Adapter;
  conn: Connection;
  ir: SchemaIR;
}

/**
 * TEST ONLY, for the reliability harness's crash-recovery cases: with FORGE_TEST_KILL_AFTER_STATEMENT=k the
 * process SIGKILLs itself right after the k-th statement it applied (push, diff apply and rollback count
 * their DDL and the ledger update; diff apply also counts the moment after its commit, before its file is
 * renamed from pending), so a test can check what a crash at that point leaves behind.
 */
let appliedStatements = 0;
function testKillPoint(): void {
  const k = process.env.FORGE_TEST_KILL_AFTER_STATEMENT;
  if (k && ++appliedStatements === Number(k)) process.kill(process.pid, 'SIGKILL');
}

export type StatementOutcome = 'applied' | 'failed' | 'note';
export type OnStatement = (s: PlannedStatement, outcome: StatementOutcome, error?: string) => void;

/** `forge diff` and `db.$diff()`: introspect and compare; never writes. */
export async function runDiff(ctx: EngineContext, opts: { ignore?: IgnorePattern[] } = {}): Promise<DriftReport> {
  const snap = await ctx.adapter.introspect(ctx.conn);
  return diffSchema(ctx.ir, snap, ctx.adapter, opts);
}

/** Run one planned operation's statements; a failure is recorded in the report, never thrown. */
async function runPlanned(
  s: PlannedStatement,
  exec: (sql: string) => Promise<unknown>,
  adapter: Adapter,
  report: PushReport,
  onStatement?: OnStatement,
): Promise<void> {
  let current = '';
  try {
    for (const sql of s.sql) {
      current = sql;
      await exec(sql);
      testKillPoint();
    }
  } catch (e) {
    const error = errorText(adapter.mapError(e));
    report.failures.push({ label: s.label, sql: current, error });
    onStatement?.(s, 'failed', error);
    return;
  }
  report.applied.push(s.label);
  onStatement?.(s, 'applied');
}

/**
 * Apply a push plan statement by statement on `conn` (each isolated, so one failure does not abort the
 * rest). Operations that must run outside a transaction are returned for the caller to run after the lock.
 */
async function applyPlan(
  adapter: Adapter,
  conn: Connection,
  toApply: PlannedStatement[],
  report: PushReport,
  onStatement?: OnStatement,
): Promise<PlannedStatement[]> {
  const later: PlannedStatement[] = [];
  for (const s of toApply) {
    if (s.sql.length === 0) onStatement?.(s, 'note');
    else if (s.noTransaction) later.push(s);
    else await runPlanned(s, (sql) => adapter.runIsolated(conn, sql), adapter, report, onStatement);
  }
  return later;
}

/**
 * `forge push`: additive sync. Introspection happens inside the lock, so a second concurrent push waits
 * and then plans against what the first one created.
 */
export async function runPush(
  ctx: EngineContext,
  opts: { enableExtensions?: boolean; onStatement?: OnStatement } = {},
): Promise<PushReport> {
  const { adapter, conn, ir } = ctx;
  const transactional = adapter.capabilities.transactionalDdl;
  const report: PushReport = { applied: [], skipped: [], failures: [], notes: [], transactional };
  if (!transactional) report.notes.push(`${adapter.kind} DDL is not transactional: each statement commits as it runs, and a failed one leaves those before it applied`);
  const later = await adapter.lock(conn, async (c) => {
    const plan = planPush(ir, await adapter.introspect(c), adapter, { enableExtensions: opts.enableExtensions });
    report.skipped.push(...plan.toSkip);
    report.notes.push(...plan.notes);
    return applyPlan(adapter, c, plan.toApply, report, opts.onStatement);
  });
  for (const s of later) await runPlanned(s, (sql) => conn.execute(sql), adapter, report, opts.onStatement);
  return report;
}

/**
 * `db.$migrate()`: the runtime push for embedded targets. One transaction holds the push plan, which
 * already adds missing columns to existing tables (reported as `alteredColumns`); drift that would lose
 * data or needs a human (extra columns and tables, type and index changes) is reported under `pending`.
 */
export async function runMigrate(ctx: EngineContext): Promise<MigrateReport> {
  const { adapter, conn, ir } = ctx;
  const transactional = adapter.capabilities.transactionalDdl;
  const report: MigrateReport = { applied: [], skipped: [], failures: [], notes: [], transactional, alteredColumns: [], pending: [] };
  const later = await adapter.lock(conn, (locked) => {
    const body = async (tx: Connection) => {
      const snap = await adapter.introspect(tx);
      const plan = planPush(ir, snap, adapter);
      report.skipped.push(...plan.toSkip);
      report.notes.push(...plan.notes);
      report.pending = diffSchema(ir, snap, adapter).items.filter((i) => i.direction !== 'missing');
      const rest = await applyPlan(adapter, tx, plan.toApply, report);
      const applied = new Set(report.applied);
      report.alteredColumns = plan.toApply.filter((s) => s.op.op === 'addColumn' && applied.has(s.label)).map((s) => s.label);
      return rest;
    };
    // A transaction that cannot roll DDL back would only pretend to be atomic: without transactional DDL the
    // statements run on the locked connection and commit one by one, as the report says.
    return locked.inTransaction || !transactional ? body(locked) : locked.transaction(body);
  });
  for (const s of later) await runPlanned(s, (sql) => conn.execute(sql), adapter, report);
  return report;
}

/**
 * A migration file is written under this name first and renamed to `<name>.sql` only once its ledger row
 * is committed, so a `diff apply` killed at any point never leaves a `.sql` file that was not applied.
 */
const pendingFile = (name: string) => `.${name}.sql.pending`;
const PENDING = /^\.(.+)\.sql\.pending$/;

/** Names of the migrations already in `dir`, final and pending (none when it does not exist yet). */
async function existingMigrations(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).flatMap((f) => (f.endsWith('.sql') ? [f] : PENDING.test(f) ? [`${PENDING.exec(f)![1]}.sql`] : []));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

/**
 * Finish what a killed `diff apply` left: a pending file whose migration is in the ledger was committed
 * and becomes `<name>.sql`; one that is not was never applied and is removed. Returns what it did.
 */
export async function recoverPendingMigrations(
  ctx: { adapter: Adapter; conn: Connection },
  dir: string,
): Promise<{ finished: string[]; removed: string[] }> {
  const done = { finished: [] as string[], removed: [] as string[] };
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => PENDING.test(f));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return done;
    throw e;
  }
  if (files.length === 0) return done;
  const applied = new Set(await appliedMigrations(ctx.conn, ctx.adapter));
  for (const f of files) {
    const name = PENDING.exec(f)![1];
    if (applied.has(name)) {
      await rename(path.join(dir, f), path.join(dir, `${name}.sql`));
      done.finished.push(name);
    } else {
      await unlink(path.join(dir, f));
      done.removed.push(name);
    }
  }
  return done;
}

/** `dir`, or the nearest ancestor that exists when `dir` will be created, must be a writable folder. */
async function assertWritableDir(dir: string): Promise<void> {
  const fail = (why: string) =>
    new ConfigError(`Cannot write migrations to ${dir}: ${why}. Fix the folder (or migrationsDir in forge.config) and run forge diff apply again; the database was not changed.`);
  for (let probe = dir; ; probe = path.dirname(probe)) {
    try {
      if (!(await stat(probe)).isDirectory()) throw fail(`${probe} is not a folder`);
      await access(probe, constants.W_OK);
      return;
    } catch (e) {
      if (e instanceof ConfigError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' || path.dirname(probe) === probe) throw fail(code === 'EACCES' || code === 'EPERM' ? `${probe} is not writable` : errorText(e));
    }
  }
}

/**
 * `forge diff apply`: turn the safe slice of drift into a migration file (`-- up` / `-- down`), apply it
 * and record it in the ledger. With `dry` nothing is written or applied. The folder is checked before
 * the database is read. The file is written under a pending name and renamed once the ledger row is
 * committed; what a killed run left pending is finished or removed first (`recoverPendingMigrations`).
 */
export async function runDiffApply(
  ctx: EngineContext,
  opts: { dir: string; dry?: boolean; ignore?: IgnorePattern[]; now?: Date },
): Promise<DiffApplyResult> {
  const { adapter, conn, ir } = ctx;
  const dir = path.resolve(opts.dir);
  if (!opts.dry) {
    await assertWritableDir(dir);
    await recoverPendingMigrations(ctx, dir);
  }
  const now = opts.now ?? new Date();
  const snap = await adapter.introspect(conn);
  const report = diffSchema(ir, snap, adapter, { ignore: opts.ignore });
  const { ops, deferred } = planDriftApply(report, ir, snap, adapter);
  const env: DdlEnv = { extensions: snap.extensions ?? [], tables: Object.values(ir.models) };
  const up: string[] = [];
  const upComments: string[] = [];
  const down: string[] = [];
  const downComments: string[] = [];
  for (const { op } of ops) {
    const e = adapter.ddl.emit(op, env);
    up.push(...e.sql);
    if (e.comment) upComments.push(e.comment);
  }
  for (const { op } of [...ops].reverse()) {
    const r = adapter.ddl.reverse(op, env);
    down.push(...r.sql);
    if (r.comment) downComments.push(r.comment);
  }
  const name = migrationName(now, await existingMigrations(dir));
  const content = renderMigration({ name, generatedAt: now, up, down, upComments, downComments });
  const result: DiffApplyResult = { name, up, down, changes: ops.map((o) => o.change), content, applied: false, deferred };
  if (opts.dry || up.length === 0) return result;

  await mkdir(dir, { recursive: true });
  const pending = path.join(dir, pendingFile(name));
  const file = path.join(dir, `${name}.sql`);
  await writeFile(pending, content, { flag: 'wx' });
  try {
    await ensureLedger(conn, adapter);
    await runMigrationBlock(adapter, conn, up, {
      migration: name,
      command: 'forge diff apply',
      ledger: (c) => recordMigration(c, adapter, name, now),
      afterStatement: testKillPoint,
    });
  } catch (e) {
    await unlink(pending).catch(() => undefined);
    throw e;
  }
  // Committed: a kill from here on leaves the pending file, which the next run (or rollback) renames.
  testKillPoint();
  await rename(pending, file);
  return { ...result, file, applied: true };
}

/**
 * `forge rollback`: run the `-- down` block of the most recent migration in the ledger and delete its
 * row, in one transaction where the dialect's DDL is transactional.
 */
export async function runRollback(
  ctx: { adapter: Adapter; conn: Connection },
  opts: { dir: string },
): Promise<{ name: string; statements: string[]; file: string }> {
  const { adapter, conn } = ctx;
  await ensureLedger(conn, adapter);
  await recoverPendingMigrations(ctx, path.resolve(opts.dir));
  const latest = await latestMigration(conn, adapter);
  if (!latest) {
    throw new ConfigError(`nothing to roll back: ${LEDGER_TABLE} is empty. forge rollback undoes migrations written by forge diff apply.`);
  }
  const file = path.resolve(opts.dir, `${latest.name}.sql`);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    throw new ConfigError(
      `cannot roll back ${latest.name}: ${file} does not exist. The ledger row was left in place; restore the file (from version control) and run forge rollback again.`,
    );
  }
  const parsed = parseMigration(text, latest.name);
  await runMigrationBlock(adapter, conn, parsed.down, {
    migration: latest.name,
    command: 'forge rollback',
    ledger: (c) => deleteMigration(c, adapter, latest.name),
    afterStatement: testKillPoint,
  });
  return { name: latest.name, statements: parsed.down, file };
}
