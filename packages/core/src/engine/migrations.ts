/**
 * `forge diff apply` and `forge rollback`: the migrations folder on disk and the ledger together. Owns
 * writing a migration file under its pending name and renaming it once its ledger row is committed,
 * finishing what a killed run left pending (`recoverPendingMigrations`), the writable-folder pre-flight,
 * and running a file's `-- up` / `-- down` block (`migrations/apply.ts`) with its ledger change.
 */
import { constants } from 'node:fs';
import { access, mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Adapter, Connection, DdlEnv } from '../adapter.js';
import { ConfigError } from '../errors.js';
import { errorText } from '../migrations/apply.js';
import { migrationName, parseMigration, renderMigration, runsOutsideTransaction } from '../migrations/file.js';
import { appliedMigrations, deleteMigration, ensureLedger, latestMigration, migrationChecksum, recordMigration } from '../migrations/ledger.js';
import { describeRename, emitRename, planRenames, type RenameAnswers } from '../diff/renames.js';
import { needsConsent, type Finding } from '../migrations/lint.js';
import { ONLINE_INDEX_NOTE, onlineIndexSql, possibleRenameFindings } from './generate.js';
import { ConsentRefusedError, previewFindings, runFileBlock, type Consent } from './files.js';
import { diffSchema } from '../diff/diff.js';
import { emitDriftStep, planDriftApply } from '../diff/drift-apply.js';
import { LEDGER_TABLE } from '../diff/ignore.js';
import type { DiffApplyResult, IgnorePattern } from '../diff/types.js';
import type { EngineContext, EngineHooks } from './context.js';

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
 * and becomes `<name>.sql`; one that is not was never recorded. Where DDL is transactional it was never
 * applied either and is removed. Where every DDL statement commits on its own (MySQL), some or all of its
 * statements may have landed: with `keepUnrecorded` such files are left in place and returned, for
 * `diff apply` to adopt (every change it made is in the database) or remove; otherwise they are removed.
 */
export async function recoverPendingMigrations(
  ctx: { adapter: Adapter; conn: Connection },
  dir: string,
  opts: { keepUnrecorded?: boolean } = {},
): Promise<{ finished: string[]; removed: string[]; unrecorded: string[] }> {
  const done = { finished: [] as string[], removed: [] as string[], unrecorded: [] as string[] };
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
    // A file with statements outside the transaction (a CONCURRENTLY build) ran in segments: the segments before
    // the kill committed even where DDL is transactional, so it is settled like a file where DDL is not.
    const segmented = async () => parseMigration(await readFile(path.join(dir, f), 'utf8'), name, ctx.adapter.capabilities.dialect).outside.up.some(Boolean);
    if (applied.has(name)) {
      await rename(path.join(dir, f), path.join(dir, `${name}.sql`));
      done.finished.push(name);
    } else if (opts.keepUnrecorded && (!ctx.adapter.capabilities.transactionalDdl || (await segmented()))) {
      done.unrecorded.push(name);
    } else {
      await unlink(path.join(dir, f));
      done.removed.push(name);
    }
  }
  return done;
}

/**
 * A killed `diff apply` on a dialect whose DDL commits per statement left `name` pending and unrecorded.
 * When nothing is left to apply, every change it planned is in the database: record it under its own name
 * (its `-- down` undoes exactly those changes, so `forge rollback` still can). Otherwise it is removed and the
 * new migration covers what did not land.
 */
async function adoptOrRemove(
  ctx: { adapter: Adapter; conn: Connection },
  dir: string,
  names: string[],
  nothingLeft: boolean,
  now: Date,
): Promise<{ name: string; file: string; text: string; up: string[]; down: string[] } | undefined> {
  const adopt = nothingLeft && names.length === 1 ? names[0] : undefined;
  for (const name of names) if (name !== adopt) await unlink(path.join(dir, pendingFile(name)));
  if (!adopt) return undefined;
  const pending = path.join(dir, pendingFile(adopt));
  const text = await readFile(pending, 'utf8');
  const { up, down } = parseMigration(text, adopt, ctx.adapter.capabilities.dialect);
  if (up.length === 0) {
    await unlink(pending);
    return undefined;
  }
  await ensureLedger(ctx.conn, ctx.adapter);
  await recordMigration(ctx.conn, ctx.adapter, adopt, now, migrationChecksum(text));
  const file = path.join(dir, `${adopt}.sql`);
  await rename(pending, file);
  return { name: adopt, file, text, up, down };
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
  opts: {
    dir: string;
    dry?: boolean;
    ignore?: IgnorePattern[];
    now?: Date;
    /** `--renames` answers: which drop + add pairs are renames. */
    renames?: RenameAnswers;
    /** Sees the findings (rows counted) before anything is written; false stops with nothing changed. */
    consent?: Consent;
    /**
     * Indexes on existing tables as CONCURRENTLY builds, run outside the transaction, where the dialect has them.
     * Off unless asked for (the file then stays all or nothing); the CLI passes forge.config `concurrentIndexes`.
     */
    concurrentIndexes?: boolean;
    /** How long each DDL statement waits for a lock another session holds (ms; 0 or absent: no limit). */
    lockTimeoutMs?: number;
  } & EngineHooks,
): Promise<DiffApplyResult & { findings?: Finding[] }> {
  const { adapter, conn, ir } = ctx;
  const dir = path.resolve(opts.dir);
  let unrecorded: string[] = [];
  if (!opts.dry) {
    await assertWritableDir(dir);
    ({ unrecorded } = await recoverPendingMigrations(ctx, dir, { keepUnrecorded: true }));
  }
  const now = opts.now ?? new Date();
  const live = await adapter.introspect(conn);
  const renamed = planRenames(ir, live, adapter, opts.renames);
  const snap = renamed.snap;
  const report = diffSchema(ir, snap, adapter, { ignore: opts.ignore });
  const { ops, deferred } = planDriftApply(report, ir, snap, adapter);
  const env: DdlEnv = { extensions: snap.extensions ?? [], tables: Object.values(ir.models) };
  const up: string[] = renamed.ops.flatMap((op) => emitRename(adapter, op));
  const upComments: string[] = [];
  const down: string[] = [];
  const downComments: string[] = [];
  // Index builds on tables that stay run online (CONCURRENTLY on Postgres), outside the transaction.
  const dropped = new Set(ops.flatMap((s) => (s.op.op === 'dropTable' ? [s.op.table] : [])));
  const existing = new Set(!opts.concurrentIndexes ? [] : snap.tables.map((t) => t.name).filter((n) => !dropped.has(n)));
  const emitStep = (step: (typeof ops)[number], reverse: boolean) => {
    const e = emitDriftStep(adapter, step, env, reverse);
    return step.enumCheck ? e : { ...e, sql: onlineIndexSql(adapter, step.op, e.sql, existing) };
  };
  for (const step of ops) {
    const e = emitStep(step, false);
    up.push(...e.sql);
    if (e.comment) upComments.push(e.comment);
  }
  for (const step of [...ops].reverse()) {
    const r = emitStep(step, true);
    down.push(...r.sql);
    if (r.comment) downComments.push(r.comment);
  }
  if (up.some((sql) => runsOutsideTransaction(sql))) upComments.unshift(ONLINE_INDEX_NOTE);
  for (const op of [...renamed.ops].reverse()) down.push(...emitRename(adapter, op, true));
  if (unrecorded.length) {
    const adopted = await adoptOrRemove(ctx, dir, unrecorded, up.length === 0, now);
    if (adopted) {
      const { name, file, text, up: adoptedUp, down: adoptedDown } = adopted;
      return { name, up: adoptedUp, down: adoptedDown, changes: [], content: text, applied: true, deferred, file, recovered: true };
    }
  }
  const name = migrationName(now, await existingMigrations(dir));
  const content = renderMigration({ name, generatedAt: now, up, down, upComments, downComments });
  const changes = [...renamed.ops.map((op) => ({ text: describeRename(op), destructive: false })), ...ops.map((o) => o.change)];
  const result: DiffApplyResult & { findings?: Finding[] } = { name, up, down, changes, content, applied: false, deferred };
  // The preview: what loses data or breaks running code, with the rows it touches, before anything is written.
  const possible = possibleRenameFindings(renamed.possible);
  const findings = [...possible, ...(await previewFindings(ctx, [{ statements: up }], undefined, 'forge diff apply'))];
  if (findings.length) result.findings = findings;
  if (opts.dry || up.length === 0) return result;
  if (opts.consent && findings.some(needsConsent) && !(await opts.consent(findings))) {
    throw new ConsentRefusedError('forge diff apply: not run; nothing was changed', findings);
  }

  await mkdir(dir, { recursive: true });
  const pending = path.join(dir, pendingFile(name));
  const file = path.join(dir, `${name}.sql`);
  await writeFile(pending, content, { flag: 'wx' });
  try {
    await ensureLedger(conn, adapter);
    await runFileBlock(ctx, {
      migration: name,
      command: 'forge diff apply',
      statements: up,
      ledger: (c) => recordMigration(c, adapter, name, now, migrationChecksum(content)),
      applying: true,
      lockTimeoutMs: opts.lockTimeoutMs,
      afterStatement: opts.afterStatement,
    });
  } catch (e) {
    await unlink(pending).catch(() => undefined);
    throw e;
  }
  // Committed: a kill from here on leaves the pending file, which the next run (or rollback) renames.
  opts.afterStatement?.();
  await rename(pending, file);
  return { ...result, file, applied: true };
}

/**
 * `forge rollback`: run the `-- down` block of the most recent migration in the ledger and delete its
 * row, in one transaction where the dialect's DDL is transactional.
 */
export async function runRollback(
  ctx: { adapter: Adapter; conn: Connection },
  opts: { dir: string; lockTimeoutMs?: number } & EngineHooks,
): Promise<{ name: string; statements: string[]; file: string }> {
  const { adapter, conn } = ctx;
  await ensureLedger(conn, adapter);
  const { unrecorded } = await recoverPendingMigrations(ctx, path.resolve(opts.dir), { keepUnrecorded: true });
  if (unrecorded.length) {
    // Its statements may be in the database (each DDL statement committed on its own): undoing the migration
    // before it would leave them there, unrecorded.
    throw new ConfigError(
      `a killed forge diff apply left ${unrecorded.join(', ')} pending, and some of its statements may have been applied (${adapter.capabilities.transactionalDdl ? 'it ran statements outside one transaction' : 'each DDL statement commits on its own'}). Run forge diff apply first: it records that migration when all of it landed, or applies the rest; then run forge rollback.`,
    );
  }
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
  const parsed = parseMigration(text, latest.name, ctx.adapter.capabilities.dialect);
  await runFileBlock(ctx, {
    migration: latest.name,
    command: 'forge rollback',
    statements: parsed.down,
    ledger: (c) => deleteMigration(c, adapter, latest.name),
    applying: false,
    lockTimeoutMs: opts.lockTimeoutMs,
    afterStatement: opts.afterStatement,
  });
  return { name: latest.name, statements: parsed.down, file };
}
