/**
 * `forge diff`, `forge push` and `db.$diff()` / `db.$migrate()`: introspect, plan (pure, in `diff/`) and
 * apply a push plan on a connection under the adapter's lock, statement by statement. Owns how planned
 * statements run (isolated, or in one transaction where DDL is transactional) and how failures are reported.
 */
import type { Adapter, Connection, LockStrategy } from '../adapter.js';
import { errorText } from '../migrations/apply.js';
import { diffSchema } from '../diff/diff.js';
import { planEnumTypes } from '../diff/enum-types.js';
import { planPush } from '../diff/plan.js';
import { enumTypesOf } from '../schema/model.js';
import type { SchemaIR } from '../schema/ir.js';
import { describeRename, emitRename, planRenames } from '../diff/renames.js';
import type { DriftReport, IgnorePattern, MigrateReport, PlannedStatement, PushReport } from '../diff/types.js';
import type { EngineContext, EngineHooks, OnStatement } from './context.js';
import { connectionLockSettings, engineNotes } from './engine-notes.js';

/** `forge diff` and `db.$diff()`: introspect and compare; never writes. */
export async function runDiff(ctx: EngineContext, opts: { ignore?: IgnorePattern[] } = {}): Promise<DriftReport> {
  const snap = await ctx.adapter.introspect(ctx.conn);
  return diffSchema(ctx.ir, snap, ctx.adapter, opts);
}

/** How a plan's statements are run and observed: the progress callback and the injected hook. */
interface Run extends EngineHooks {
  onStatement?: OnStatement;
}

/** Run one planned operation's statements; a failure is recorded in the report, never thrown. */
async function runPlanned(
  s: PlannedStatement,
  exec: (sql: string) => Promise<unknown>,
  adapter: Adapter,
  report: PushReport,
  run: Run,
): Promise<void> {
  let current = '';
  try {
    for (const sql of s.sql) {
      current = sql;
      await exec(sql);
      run.afterStatement?.();
    }
  } catch (e) {
    const error = errorText(adapter.mapError(e));
    report.failures.push({ label: s.label, sql: current, error });
    run.onStatement?.(s, 'failed', error);
    return;
  }
  report.applied.push(s.label);
  run.onStatement?.(s, 'applied');
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
  run: Run,
): Promise<PlannedStatement[]> {
  const later: PlannedStatement[] = [];
  for (const s of toApply) {
    if (s.sql.length === 0) run.onStatement?.(s, 'note');
    else if (s.noTransaction) later.push(s);
    else await runPlanned(s, (sql) => adapter.runIsolated(conn, sql), adapter, report, run);
  }
  return later;
}

/**
 * Values a schema adds to its enum types, added first in a locked transaction of their own, committed before the
 * push plans the rest: Postgres refuses a value added in the transaction that uses it (a column default, an index
 * predicate). Only where the schema declares enum types; on a connection already inside a transaction they stay in
 * the push's own (nothing can commit first there).
 */
async function addEnumValuesFirst(adapter: Adapter, conn: Connection, ir: SchemaIR, report: PushReport, run: Run): Promise<boolean> {
  if (!adapter.capabilities.enumTypes || conn.inTransaction || enumTypesOf(ir).length === 0) return false;
  await adapter.lock(conn, async (c) => {
    const first = planEnumTypes(ir, await adapter.introspect(c), adapter).filter((s) => s.commitFirst);
    await applyPlan(adapter, c, first, report, run);
  });
  return true;
}

/** The plan without what `addEnumValuesFirst` ran (or reported failed) already. */
const afterFirst = (toApply: PlannedStatement[], ranFirst: boolean) => (ranFirst ? toApply.filter((s) => !s.commitFirst) : toApply);

/**
 * The lock strategy the connection was opened with, for the push notes. A bad FORGE_LOCK_STRATEGY is reported by
 * the lock itself, a moment later, with its own message.
 */
function forcedStrategy(conn: Connection): LockStrategy | undefined {
  try {
    return connectionLockSettings(conn)?.strategy;
  } catch {
    return undefined;
  }
}

/** The dialect's DDL is transactional, and so is the engine's behind the wire (not CockroachDB's or YugabyteDB's). */
function ddlIsTransactional(adapter: Adapter, conn: Connection): boolean {
  return adapter.capabilities.transactionalDdl && (conn.engine?.ddl ?? 'transactional') === 'transactional';
}

/**
 * `forge push`: additive sync. Introspection happens inside the lock, so a second concurrent push waits
 * and then plans against what the first one created.
 */
export async function runPush(
  ctx: EngineContext,
  opts: { enableExtensions?: boolean; onStatement?: OnStatement } & EngineHooks = {},
): Promise<PushReport> {
  const { adapter, conn, ir } = ctx;
  const run: Run = { onStatement: opts.onStatement, afterStatement: opts.afterStatement };
  const transactional = ddlIsTransactional(adapter, conn);
  const report: PushReport = { applied: [], skipped: [], failures: [], notes: [], transactional };
  if (!transactional) report.notes.push(`${adapter.kind} DDL is not transactional: each statement commits as it runs, and a failed one leaves those before it applied`);
  // The engine behind the wire (CockroachDB, YugabyteDB, TiDB, Vitess): which lock push takes there, how its DDL runs.
  report.notes.push(...engineNotes(conn.engine, forcedStrategy(conn)).map((l) => `${conn.engine!.label}: ${l}`));
  const ranFirst = await addEnumValuesFirst(adapter, conn, ir, report, run);
  const later = await adapter.lock(conn, async (c) => {
    let snap = await adapter.introspect(c);
    // Declared renames (`.renamedFrom()`) run first, keeping the rows; the push then plans against the result.
    const renames = planRenames(ir, snap, adapter);
    if (renames.ops.length) {
      const statements = renames.ops.map(
        (op): PlannedStatement => ({ op: op as unknown as PlannedStatement['op'], rename: op, label: describeRename(op), sql: emitRename(adapter, op) }),
      );
      await applyPlan(adapter, c, statements, report, run);
      snap = await adapter.introspect(c);
    }
    const plan = planPush(ir, snap, adapter, { enableExtensions: opts.enableExtensions });
    report.skipped.push(...plan.toSkip);
    report.notes.push(...plan.notes);
    const pending = await applyPlan(adapter, c, afterFirst(plan.toApply, ranFirst), report, run);
    // Table-level objects the dialect settles itself (a MongoDB validator's collMod), after the collections exist.
    if (adapter.pushTableObjects) {
      const extra = await adapter.pushTableObjects(c, ir);
      report.applied.push(...extra.applied);
      report.failures.push(...extra.failures);
    }
    return pending;
  });
  settleRolledBack(adapter, report);
  for (const s of later) await runPlanned(s, (sql) => conn.execute(sql), adapter, report, run);
  return report;
}

/**
 * Where DDL is transactional but a failed statement cannot be isolated (no savepoints), the adapter's lock rolls
 * the push's one transaction back on the first failure: nothing that ran before it stays, so the report must not
 * say it applied.
 */
function settleRolledBack(adapter: Adapter, report: PushReport): void {
  if (!report.transactional || adapter.capabilities.savepoints || report.failures.length === 0 || report.applied.length === 0) return;
  report.rolledBack = report.applied;
  report.applied = [];
  if ('alteredColumns' in report) (report as MigrateReport).alteredColumns = [];
}

/**
 * `db.$migrate()`: the runtime push for embedded targets. One transaction holds the push plan, which
 * already adds missing columns to existing tables (reported as `alteredColumns`); drift that would lose
 * data or needs a human (extra columns and tables, type and index changes) is reported under `pending`.
 */
export async function runMigrate(ctx: EngineContext, opts: EngineHooks = {}): Promise<MigrateReport> {
  const { adapter, conn, ir } = ctx;
  const run: Run = { afterStatement: opts.afterStatement };
  const transactional = ddlIsTransactional(adapter, conn);
  const report: MigrateReport = { applied: [], skipped: [], failures: [], notes: [], transactional, alteredColumns: [], pending: [] };
  const ranFirst = await addEnumValuesFirst(adapter, conn, ir, report, run);
  const later = await adapter.lock(conn, (locked) => {
    const body = async (tx: Connection) => {
      const snap = await adapter.introspect(tx);
      const plan = planPush(ir, snap, adapter);
      report.skipped.push(...plan.toSkip);
      report.notes.push(...plan.notes);
      report.pending = diffSchema(ir, snap, adapter).items.filter((i) => i.direction !== 'missing');
      const rest = await applyPlan(adapter, tx, afterFirst(plan.toApply, ranFirst), report, run);
      const applied = new Set(report.applied);
      report.alteredColumns = plan.toApply.filter((s) => s.op.op === 'addColumn' && applied.has(s.label)).map((s) => s.label);
      return rest;
    };
    // A transaction that cannot roll DDL back would only pretend to be atomic: without transactional DDL the
    // statements run on the locked connection and commit one by one, as the report says.
    return locked.inTransaction || !transactional ? body(locked) : locked.transaction(body);
  });
  settleRolledBack(adapter, report);
  for (const s of later) await runPlanned(s, (sql) => conn.execute(sql), adapter, report, run);
  return report;
}
