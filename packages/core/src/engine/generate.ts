/**
 * `forge generate`: the next migration file from the schema and the snapshot the previous migration left
 * (`migrations/.snapshots/`), without a database. The plan is what `forge push` would create plus what `forge
 * diff apply` would drop, after the declared renames, so a fresh database built from the files matches the
 * schema. The first file plans against an empty database, or against a live one given as `base` (a baseline).
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Adapter, AlterColumnOp, DdlEnv, DdlOp, EnumCheckOp, EnumTypeOp, MigrationOp, RebuildTablesOp, RenameOp } from '../adapter.js';
import { ConfigError } from '../errors.js';
import { diffSchema } from '../diff/diff.js';
import { emitDriftStep, planDriftApply } from '../diff/drift-apply.js';
import { describeEnumTypeOp } from '../diff/enum-types.js';
import { planPush } from '../diff/plan.js';
import { describeRename, emitRename, planRenames, type PossibleRename, type RenameAnswers } from '../diff/renames.js';
import type { DriftItem, MigrationChange } from '../diff/types.js';
import { migrationFileOf, numberedMigrationName, renderCodeMigration, renderEmptySqlMigration, renderMigration, runsOutsideTransaction } from '../migrations/file.js';
import { FINDING_FIXES, lintStatements, needsConsent, type Finding } from '../migrations/lint.js';
import { baselineOf, readSnapshots, snapshotFromSchema, writeSnapshot } from '../migrations/snapshot.js';
import type { SchemaIR, Snapshot } from '../schema/ir.js';

type PlanningAdapter = Pick<Adapter, 'kind' | 'capabilities' | 'ddl' | 'facts'>;

/** The drops a push never makes and a migration file must carry. */
const DROPS = new Set<DdlOp['op']>(['dropColumn', 'dropIndex', 'dropForeignKey', 'dropTable', 'dropSearch']);

/**
 * One planned operation. A column change carries its `AlterColumnOp` (or, where the dialect rebuilds tables, its
 * `RebuildTablesOp`) in `alter` / `rebuild`; `op` is then that same operation, typed loosely: read those first.
 */
export interface PlannedMigrationOp {
  op: MigrationOp;
  change: MigrationChange;
  alter?: AlterColumnOp;
  rebuild?: RebuildTablesOp;
  enumCheck?: EnumCheckOp;
  enumType?: EnumTypeOp;
}

/** The statements of one planned operation (its down with `reverse`), as generate writes them. */
export function emitPlannedOp(adapter: Pick<Adapter, 'kind' | 'ddl'>, planned: PlannedMigrationOp, env: DdlEnv, reverse: boolean): { sql: string[]; comment?: string } {
  const { op } = planned;
  if (planned.alter || planned.rebuild || planned.enumCheck || planned.enumType) {
    return emitDriftStep(adapter, { op: op as DdlOp, alter: planned.alter, rebuild: planned.rebuild, enumCheck: planned.enumCheck, enumType: planned.enumType }, env, reverse);
  }
  if (op.op === 'renameTable' || op.op === 'renameColumn') return { sql: emitRename(adapter, op, reverse) };
  return reverse ? adapter.ddl.reverse(op, env) : adapter.ddl.emit(op, env);
}

export interface MigrationPlan {
  ops: PlannedMigrationOp[];
  up: string[];
  down: string[];
  upComments: string[];
  downComments: string[];
  /** What the schema wants that no generated statement covers (type changes, index shape changes). */
  deferred: DriftItem[];
  possible: PossibleRename[];
}

/** Possible renames as findings, for the preview (the drop they would avoid is a finding of its own). */
export function possibleRenameFindings(possible: PossibleRename[]): Finding[] {
  return possible.map((p) => ({
    code: 'FORGE_POSSIBLE_RENAME' as const,
    table: p.table,
    ...(p.kind === 'column' ? { column: p.to } : {}),
    text:
      p.kind === 'column'
        ? `${p.table}.${p.from} is dropped and ${p.table}.${p.to} added: a rename? (answer "${p.key}": "${p.from}" in --renames, or false)`
        : `table ${p.from} is dropped and ${p.to} created: a rename? (answer "${p.key}": "${p.from}" in --renames, or false)`,
    fix: FINDING_FIXES.FORGE_POSSIBLE_RENAME.replace('<old>', p.from),
  }));
}

/**
 * Index statements on a table that exists before and after the migration, in the dialect's non-blocking form
 * (Postgres `CREATE INDEX CONCURRENTLY IF NOT EXISTS`, `DROP INDEX CONCURRENTLY IF EXISTS`), which `forge migrate`
 * then runs outside the transaction; everything else as emitted. A new table's indexes stay plain: nothing reads
 * the table yet, and they commit with it.
 */
export function onlineIndexSql(adapter: Pick<Adapter, 'ddl'>, op: MigrationOp, sql: string[], existing: ReadonlySet<string>): string[] {
  const online = adapter.ddl.onlineIndex;
  if (!online || (op.op !== 'createIndex' && op.op !== 'dropIndex') || !existing.has(op.table)) return sql;
  return sql.map((s) => online.concurrently(s) ?? s);
}

/** The note a file with online index builds carries, so a reviewer knows why they are not in the transaction. */
export const ONLINE_INDEX_NOTE =
  'indexes on existing tables build CONCURRENTLY, outside the transaction, so writes to the table go on (concurrentIndexes: false in forge.config writes the plain form)';

/**
 * The full plan from `base` (a snapshot of a database or of a schema) to `ir`: renames, creates, adds, then drops.
 * `concurrentIndexes`: indexes on tables that exist written in the non-blocking form (`onlineIndexSql`).
 */
export function planMigration(
  ir: SchemaIR,
  base: Snapshot,
  adapter: PlanningAdapter,
  answers: RenameAnswers = {},
  opts: { concurrentIndexes?: boolean } = {},
): MigrationPlan {
  const renames = planRenames(ir, base, adapter, answers);
  const snap = renames.snap;
  const push = planPush(ir, snap, adapter);
  const drift = planDriftApply(diffSchema(ir, snap, adapter), ir, snap, adapter);
  // Column changes (type, nullability, default: an ALTER, or a rebuild on SQLite) come right after the renames, on the
  // table as it was, as diff apply orders them: the columns and indexes added next see the new shape.
  const columnChanges: PlannedMigrationOp[] = drift.ops.flatMap((s): PlannedMigrationOp[] => (s.alter ? [{ op: s.op, change: s.change, alter: s.alter }] : s.rebuild ? [{ op: s.op, change: s.change, rebuild: s.rebuild }] : []));
  // Enum types the push creates or widens come first (a column converted to one needs it), then the ones diff apply
  // replaces (they convert their own columns); the types no field names go last, after the tables that used them.
  const pushed = push.toApply.filter((s) => s.op.op !== 'createExtension');
  const planned = (s: (typeof pushed)[number]): PlannedMigrationOp => ({
    op: s.op,
    change: { text: s.enumType ? describeEnumTypeOp(s.enumType) : `add ${s.label}`, destructive: false },
    ...(s.enumType ? { enumType: s.enumType } : {}),
    ...(s.enumCheck ? { enumCheck: s.enumCheck } : {}),
  });
  const typeStep = (which: EnumTypeOp['op']) => drift.ops.filter((s) => s.enumType?.op === which).map((s) => ({ op: s.op, change: s.change, enumType: s.enumType }));
  const ops: MigrationPlan['ops'] = [
    ...renames.ops.map((op: RenameOp) => ({ op, change: { text: describeRename(op), destructive: false } })),
    ...pushed.filter((s) => s.enumType).map(planned),
    ...typeStep('replaceEnumType'),
    ...columnChanges,
    ...pushed.filter((s) => !s.enumType).map(planned),
    ...drift.ops.filter((s) => DROPS.has(s.op.op) && !s.alter && !s.rebuild && !s.enumType),
    ...typeStep('dropEnumType'),
  ];
  const env: DdlEnv = { extensions: [], tables: Object.values(ir.models) };
  const up: string[] = [];
  const upComments: string[] = [];
  const down: string[] = [];
  const downComments: string[] = [];
  // Tables there before the migration and still there after it: their index builds may run online.
  const dropped = new Set(ops.flatMap(({ op }) => (op.op === 'dropTable' ? [op.table] : [])));
  const existing = new Set(!opts.concurrentIndexes ? [] : snap.tables.map((t) => t.name).filter((n) => !dropped.has(n)));
  const emit = (planned: PlannedMigrationOp, reverse: boolean) => {
    const e = emitPlannedOp(adapter, planned, env, reverse);
    return { ...e, sql: onlineIndexSql(adapter, planned.op, e.sql, existing) };
  };
  for (const planned of ops) {
    const e = emit(planned, false);
    up.push(...e.sql);
    if (e.comment) upComments.push(e.comment);
  }
  for (const planned of [...ops].reverse()) {
    const r = emit(planned, true);
    down.push(...r.sql);
    if (r.comment) downComments.push(r.comment);
  }
  if (up.some((sql) => runsOutsideTransaction(sql))) upComments.unshift(ONLINE_INDEX_NOTE);
  // Missing tables and views are the push plan's; what is left no statement here covers.
  const deferred = drift.deferred.filter((d) => !(d.direction === 'missing' && (d.kind === 'table' || d.kind === 'view')));
  return { ops, up, down, upComments, downComments, deferred, possible: renames.possible };
}

export interface GenerateResult {
  name: string;
  /** Absolute path of the written file; undefined when nothing was written (no changes, or --check). */
  file?: string;
  snapshotFile?: string;
  content: string;
  up: string[];
  down: string[];
  changes: MigrationChange[];
  deferred: DriftItem[];
  findings: Finding[];
  /** The schema has no change the migrations so far do not cover. */
  upToDate: boolean;
  /** Where the plan started: the previous migration's snapshot, an empty database, or a live database. */
  baseline: { from: 'snapshot' | 'empty' | 'database'; migration?: string; merged?: string[] };
  /** Set for a scaffold (`empty`): the kind of file written. */
  empty?: 'sql' | 'code';
}

async function fileNames(dir: string): Promise<string[]> {
  try {
    // Code migrations take numbers too: the next file comes after them.
    return (await readdir(dir)).flatMap((f) => migrationFileOf(f)?.name ?? []).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

/**
 * Plan (and unless `check` or `dry`, write) the next migration file and its snapshot. `consent` sees the
 * findings before anything is written and may refuse (then nothing is written).
 */
export async function runGenerate(opts: {
  adapter: PlanningAdapter;
  ir: SchemaIR;
  dir: string;
  name?: string;
  now?: Date;
  /** A live database's snapshot, used only when no snapshot exists yet (the baseline). */
  base?: Snapshot;
  check?: boolean;
  dry?: boolean;
  renames?: RenameAnswers;
  consent?: (findings: Finding[]) => Promise<boolean>;
  /**
   * Indexes on existing tables as CONCURRENTLY builds where the dialect has them. Off unless asked for, so the
   * programmatic API keeps its all-or-nothing files; the CLI passes forge.config `concurrentIndexes` (default true).
   */
  concurrentIndexes?: boolean;
  /**
   * Write an empty migration to fill in instead of planning one: `code` a `.ts` file exporting `up(db)` /
   * `down(db)`, `sql` an `.sql` file with empty `-- up` / `-- down` blocks. Its snapshot repeats the previous one.
   */
  empty?: 'sql' | 'code';
  /** For `empty: 'code'`: the package the `Db` type is imported from (default `forge-orm`), and the schema module relative to the folder. */
  importFrom?: string;
  schemaImport?: string;
}): Promise<GenerateResult> {
  const { adapter, ir } = opts;
  const dir = path.resolve(opts.dir);
  const now = opts.now ?? new Date();
  const existing = await fileNames(dir);
  const baseline = baselineOf(await readSnapshots(dir));
  if (baseline && baseline.dialect !== adapter.kind) {
    throw new ConfigError(
      `the migrations in ${dir} were generated for ${baseline.dialect}, and DATABASE_URL (or --dialect) names ${adapter.kind}: migration files are SQL for one dialect. Point DATABASE_URL at a ${baseline.dialect} database, or keep ${adapter.kind} migrations in another migrationsDir`,
    );
  }
  if (opts.empty) return scaffold(opts, dir, now, existing, baseline);
  let from: GenerateResult['baseline'];
  let base: Snapshot;
  if (baseline) {
    base = snapshotFromSchema(baseline.ir, adapter);
    from = { from: 'snapshot', migration: existing.at(-1), ...(baseline.merged.length ? { merged: baseline.merged } : {}) };
  } else if (opts.base) {
    base = opts.base;
    from = { from: 'database' };
  } else {
    if (existing.length > 0 && !opts.check) {
      throw new ConfigError(
        `${dir} holds migration files (${existing.at(-1)}.sql, ...) but no schema snapshot (${path.join(dir, '.snapshots')}), so forge cannot tell what they already cover. Restore .snapshots/ from version control, or baseline from a database the files were applied to: forge generate --name <name> --baseline`,
      );
    }
    // An empty database has no enum types either (where the dialect has them), so the first file creates them.
    base = { dialect: adapter.kind, tables: [], views: [], ...(adapter.capabilities.enumTypes ? { enumTypes: [] } : {}) };
    from = { from: 'empty' };
  }
  const plan = planMigration(ir, base, adapter, opts.renames, { concurrentIndexes: opts.concurrentIndexes });
  const findings = [...lintStatements(plan.up), ...possibleRenameFindings(plan.possible)].map((f) => ({
    ...f,
    rowsNote: f.rowsNote ?? 'not counted: generate does not read the database (forge migrate counts them before it runs)',
  }));
  const upToDate = plan.ops.length === 0 && plan.deferred.length === 0;
  // A change no statement is generated for stays in the file as a note where the SQL must be written by hand.
  const upComments = [...plan.deferred.map((d) => `not generated, write it by hand here: ${d.table}: ${d.detail}`), ...plan.upComments];
  const name = numberedMigrationName(now, opts.name ?? 'migration', existing);
  const header = findings.length ? ['', 'review: this migration has changes that lose data or break running code', ...findings.map((f) => `${f.code}: ${f.text}`)] : [];
  const content = renderMigration({ name, generatedAt: now, up: plan.up, down: plan.down, upComments, downComments: plan.downComments, header });
  const result: GenerateResult = {
    name,
    content,
    up: plan.up,
    down: plan.down,
    changes: plan.ops.map((o) => o.change),
    deferred: plan.deferred,
    findings,
    upToDate,
    baseline: from,
  };
  if (opts.check || opts.dry || upToDate) return result;
  if (!opts.name) throw new ConfigError('forge generate needs --name <name> (what the migration does, e.g. --name add_status)');
  if (opts.consent && findings.some(needsConsent) && !(await opts.consent(findings))) return result;
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${name}.sql`);
  await writeFile(file, content, { flag: 'wx' });
  const snapshotFile = await writeSnapshot(dir, name, adapter.kind, ir);
  return { ...result, file, snapshotFile };
}

/**
 * `forge generate --empty`: the next numbered file with nothing planned in it, and a snapshot that repeats what the
 * migrations so far leave (so the next generate plans from there, and the one-snapshot-per-file rule holds).
 */
async function scaffold(
  opts: { adapter: PlanningAdapter; name?: string; empty?: 'sql' | 'code'; importFrom?: string; schemaImport?: string; check?: boolean; dry?: boolean },
  dir: string,
  now: Date,
  existing: string[],
  baseline: ReturnType<typeof baselineOf>,
): Promise<GenerateResult> {
  if (opts.check) throw new ConfigError('forge generate --empty writes a file to fill in; --check has nothing to compare. Drop one of the two flags');
  if (!baseline && existing.length > 0) {
    throw new ConfigError(
      `${dir} holds migration files (${existing.at(-1)}, ...) but no schema snapshot (${path.join(dir, '.snapshots')}), so the empty migration could not record what the files so far leave. Restore .snapshots/ from version control first`,
    );
  }
  const name = numberedMigrationName(now, opts.name ?? 'migration', existing);
  const code = opts.empty === 'code';
  const content = code
    ? renderCodeMigration({ name, generatedAt: now, importFrom: opts.importFrom ?? 'forge-orm', ...(opts.schemaImport ? { schemaImport: opts.schemaImport } : {}) })
    : renderEmptySqlMigration({ name, generatedAt: now });
  const from: GenerateResult['baseline'] = baseline
    ? { from: 'snapshot', migration: existing.at(-1), ...(baseline.merged.length ? { merged: baseline.merged } : {}) }
    : { from: 'empty' };
  const result: GenerateResult = { name, content, up: [], down: [], changes: [], deferred: [], findings: [], upToDate: false, baseline: from, empty: code ? 'code' : 'sql' };
  if (opts.dry) return result;
  if (!opts.name) throw new ConfigError('forge generate --empty needs --name <name> (what the migration does, e.g. --name backfill_status)');
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${name}${code ? '.ts' : '.sql'}`);
  await writeFile(file, content, { flag: 'wx' });
  const snapshotFile = await writeSnapshot(dir, name, opts.adapter.kind, baseline?.ir ?? { models: {} });
  return { ...result, file, snapshotFile };
}
