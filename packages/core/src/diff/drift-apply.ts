import type { Capabilities, DdlOp } from '../adapter.js';
import type { IndexIR, SchemaIR, Snapshot, SnapshotIndex, SnapshotTable, TableIR } from '../schema/ir.js';
import { describeForeignKey } from './diff.js';
import { assertIdentifiersFit } from './identifiers.js';
import type { PlanAdapter } from './plan.js';
import type { DriftItem, DriftReport, MigrationChange } from './types.js';

export interface DriftApplyStep {
  op: DdlOp;
  change: MigrationChange;
}

/** Adds run before drops, so the down block (run in reverse) restores dropped columns last. */
const PHASES: ReadonlyArray<DdlOp['op']> = ['addColumn', 'createIndex', 'addForeignKey', 'dropIndex', 'dropColumn', 'dropTable'];

/** Does a live index use `column` (as a key, an INCLUDE column, or by name in its expression or predicate)? */
function usesColumn(ix: SnapshotIndex, column: string): boolean {
  if (ix.columns.includes(column) || ix.include?.includes(column)) return true;
  const word = new RegExp(`(^|[^A-Za-z0-9_])"?${column.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"?([^A-Za-z0-9_]|$)`);
  return [ix.expression, ix.where].some((text) => !!text && word.test(text));
}

/** The live index in IR form, so the down block can CREATE it again. */
function indexShape(ix: SnapshotIndex): IndexIR {
  const shape: IndexIR = {
    name: ix.name,
    columns: ix.columns,
    directions: ix.directions ?? ix.columns.map(() => 1 as const),
    unique: ix.unique,
    named: true,
    origin: 'indexes',
  };
  if (ix.method) shape.method = ix.method as IndexIR['method'];
  if (ix.where) shape.where = ix.where;
  if (ix.include?.length) shape.include = ix.include;
  if (ix.expression) shape.expression = ix.expression;
  return shape;
}

/**
 * Indexes that use a column being dropped go first, each with its shape for the down block. SQLite refuses
 * DROP COLUMN while an index uses the column; Postgres drops such indexes silently, and a rollback would then
 * bring the column back without them.
 */
function dependentIndexDrops(steps: DriftApplyStep[], live: Map<string, SnapshotTable>): DriftApplyStep[] {
  const out: DriftApplyStep[] = [];
  const seen = new Set<string>();
  for (const s of steps) {
    if (s.op.op !== 'dropColumn') continue;
    const { table, column } = s.op;
    for (const ix of live.get(table)?.indexes ?? []) {
      if (ix.primary || seen.has(ix.name) || !usesColumn(ix, column)) continue;
      seen.add(ix.name);
      out.push({
        op: { op: 'dropIndex', table, index: ix.name, was: indexShape(ix) },
        change: { text: `drop index ${ix.name} on ${table} (it uses ${table}.${column})`, destructive: true },
      });
    }
  }
  return out;
}

function stepFor(item: DriftItem, model: TableIR | undefined, have: SnapshotTable | undefined, caps: Capabilities): DriftApplyStep | undefined {
  // A readonly model's table belongs to another service: diff apply never alters it.
  if (model?.readonly) return undefined;
  const t = item.table;
  if (item.direction === 'missing' && item.kind === 'column') {
    const column = model?.columns.find((c) => c.name === item.column);
    if (!column) return undefined;
    return { op: { op: 'addColumn', table: t, column }, change: { text: `add ${t}.${column.name}`, destructive: false } };
  }
  if (item.direction === 'missing' && item.kind === 'index') {
    const index = model?.indexes.find((i) => i.name === item.index);
    // A live index with the same name but another shape would make CREATE INDEX fail: that is a human's call.
    if (!index || have?.indexes.some((i) => i.name === index.name)) return undefined;
    return { op: { op: 'createIndex', table: t, index }, change: { text: `add index ${index.name} on ${t}`, destructive: false } };
  }
  if (item.direction === 'missing' && item.kind === 'foreignKey' && caps.alterAddForeignKey) {
    const fk = model?.foreignKeys.find((k) => k.name === item.foreignKey);
    if (!fk) return undefined;
    return { op: { op: 'addForeignKey', table: t, fk }, change: { text: `add foreign key ${t}.${describeForeignKey(fk)}`, destructive: false } };
  }
  if (item.direction === 'extra' && item.kind === 'column' && item.column && caps.dropColumn) {
    const op: DdlOp = { op: 'dropColumn', table: t, column: item.column };
    const was = have?.columns.find((c) => c.name === item.column);
    if (was) op.was = was;
    return { op, change: { text: `drop ${t}.${item.column}`, destructive: true } };
  }
  if (item.direction === 'extra' && item.kind === 'table') {
    return { op: { op: 'dropTable', table: t }, change: { text: `drop table ${t}`, destructive: true } };
  }
  return undefined;
}

/**
 * The "safe slice" of `forge diff apply` (seed 004): missing columns, indexes and foreign keys become
 * ADDs; extra columns and tables become DROPs, marked destructive so the preview shows them. Everything
 * else is deferred: missing tables and views (that is `forge push`), type changes, index shape changes,
 * anything on a readonly model, and what the dialect cannot ALTER (SQLite foreign keys).
 */
export function planDriftApply(
  report: DriftReport,
  ir: SchemaIR,
  snap: Snapshot,
  adapter: PlanAdapter,
): { ops: DriftApplyStep[]; deferred: DriftItem[] } {
  assertIdentifiersFit(ir, adapter.capabilities);
  const models = new Map(Object.values(ir.models).map((t) => [t.name, t]));
  const live = new Map(snap.tables.map((t) => [t.name, t]));
  const steps: DriftApplyStep[] = [];
  const deferred: DriftItem[] = [];
  for (const item of report.items) {
    const step = stepFor(item, models.get(item.table), live.get(item.table), adapter.capabilities);
    if (step) steps.push(step);
    else deferred.push(item);
  }
  const indexDrops = dependentIndexDrops(steps, live);
  steps.push(...indexDrops);
  // An extra index that goes with its column is handled, not deferred.
  const droppedIndexes = new Set(
    indexDrops.map((s) => {
      const op = s.op as Extract<DdlOp, { op: 'dropIndex' }>;
      return `${op.table}\0${op.index}`;
    }),
  );
  for (let i = deferred.length - 1; i >= 0; i--) {
    const d = deferred[i];
    if (d.kind === 'index' && d.direction === 'extra' && d.index && droppedIndexes.has(`${d.table}\0${d.index}`)) deferred.splice(i, 1);
  }
  // Stable sort: report order within a phase.
  steps.sort((a, b) => PHASES.indexOf(a.op.op) - PHASES.indexOf(b.op.op));
  return { ops: referrersDroppedFirst(steps, live), deferred };
}

/**
 * Reorder the table drops (the last phase) so a table goes before the tables its foreign keys point at:
 * Postgres refuses DROP TABLE while another table's key references it. A cycle keeps report order.
 */
function referrersDroppedFirst(steps: DriftApplyStep[], live: Map<string, SnapshotTable>): DriftApplyStep[] {
  const dropped = (s: DriftApplyStep) => (s.op.op === 'dropTable' ? s.op.table : undefined);
  const pending = steps.filter((s) => dropped(s) !== undefined);
  const ordered = steps.filter((s) => dropped(s) === undefined);
  const references = (from: DriftApplyStep, to: DriftApplyStep) =>
    from !== to && (live.get(dropped(from)!)?.foreignKeys.some((fk) => fk.refTable === dropped(to)) ?? false);
  while (pending.length) {
    const free = pending.findIndex((s) => !pending.some((other) => references(other, s)));
    ordered.push(...pending.splice(Math.max(free, 0), 1));
  }
  return ordered;
}
