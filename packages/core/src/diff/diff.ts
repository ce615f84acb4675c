import type { Capabilities } from '../adapter.js';
import type { ForeignKeyIR, SchemaIR, Snapshot, SnapshotForeignKey, SnapshotIndex, SnapshotTable, TableIR } from '../schema/ir.js';
import { categoryOfColumn, categoryOfDbType } from './categories.js';
import { isAlwaysIgnored, isIgnored } from './ignore.js';
import { compareIndexShape, indexSignature, showValue } from './index-shape.js';
import type { DriftItem, DriftKind, DriftReport, IgnorePattern } from './types.js';

/** Engine-managed search objects (SQLite `*_fts` tables, the Postgres `forge_fts` tsvector column and its index). */
export const ENGINE_SEARCH_NAME = /_fts/i;

export interface DiffOptions {
  ignore?: IgnorePattern[];
}

/**
 * Compare the schema with what introspection read (seed 004, "Drift detection rules"). Pure: the same
 * IR, snapshot and capabilities always give the same report, items sorted by table, kind and name.
 */
export function diffSchema(ir: SchemaIR, snap: Snapshot, caps: Capabilities, opts: DiffOptions = {}): DriftReport {
  const ignore = opts.ignore ?? [];
  const ignored = new Set<string>();
  const items: DriftItem[] = [];
  const liveTables = new Map(snap.tables.map((t) => [t.name, t]));
  const liveViews = new Set(snap.views.map((v) => v.name));
  const modelNames = new Set<string>();

  for (const model of Object.values(ir.models)) {
    modelNames.add(model.name);
    if (isIgnored(model.name, ignore)) {
      ignored.add(model.name);
      continue;
    }
    if (model.view) {
      // A materialised view may surface as a table; either form satisfies the declaration.
      if (!liveViews.has(model.name) && !liveTables.has(model.name)) {
        items.push({ kind: 'view', direction: 'missing', table: model.name, detail: `view '${model.name}'` });
      }
      continue;
    }
    const live = liveTables.get(model.name);
    if (model.readonly) {
      // Owned by another service: never "missing" (push cannot create it) and its indexes and keys are not ours;
      // only the columns this service reads are checked, when the table is there.
      if (live) items.push(...diffColumns(model, live, caps));
      continue;
    }
    if (!live) {
      items.push({ kind: 'table', direction: 'missing', table: model.name, detail: `table '${model.name}'` });
      continue;
    }
    items.push(...diffColumns(model, live, caps), ...diffIndexes(model, live, caps), ...diffForeignKeys(model, live));
  }

  for (const name of [...liveTables.keys(), ...liveViews]) {
    if (modelNames.has(name) || isAlwaysIgnored(name, snap, caps)) continue;
    if (isIgnored(name, ignore)) {
      ignored.add(name);
      continue;
    }
    if (liveViews.has(name)) continue;
    items.push({ kind: 'table', direction: 'extra', table: name, detail: `table '${name}' in DB but not in schema` });
  }

  sortItems(items);
  return { dialect: snap.dialect, items, inSync: items.length === 0, ignored: [...ignored].sort() };
}

function diffColumns(model: TableIR, live: SnapshotTable, caps: Capabilities): DriftItem[] {
  const out: DriftItem[] = [];
  const table = model.name;
  const liveCols = new Map(live.columns.map((c) => [c.name, c]));
  for (const col of model.columns) {
    if (ENGINE_SEARCH_NAME.test(col.name)) continue;
    const lc = liveCols.get(col.name);
    if (!lc) {
      out.push({ kind: 'column', direction: 'missing', table, column: col.name, detail: `column '${col.name}'` });
      continue;
    }
    if (!caps.compareTypes) continue;
    const want = categoryOfColumn(col);
    const have = categoryOfDbType(lc.type);
    if (want && have && want !== have) {
      out.push({
        kind: 'columnType',
        direction: 'mismatch',
        table,
        column: col.name,
        property: 'type',
        schema: want,
        db: have,
        detail: `column '${col.name}' type: schema=${want} db=${have} (${lc.type})`,
      });
    }
  }
  // A readonly model may declare only the columns it reads from a table another service owns.
  if (!model.readonly) {
    const declared = new Set(model.columns.map((c) => c.name));
    for (const lc of live.columns) {
      if (declared.has(lc.name) || ENGINE_SEARCH_NAME.test(lc.name)) continue;
      out.push({ kind: 'column', direction: 'extra', table, column: lc.name, detail: `column '${lc.name}' in DB but not in schema` });
    }
  }
  return out;
}

/**
 * Engines back primary keys with unique indexes (SQLite's `sqlite_autoindex_*`); one on exactly the
 * primary-key columns is the key itself even when the adapter did not flag it.
 */
function isPrimaryIndex(ix: SnapshotIndex, live: SnapshotTable): boolean {
  if (ix.primary) return true;
  const pk = live.columns.filter((c) => c.primaryKey).map((c) => c.name).sort();
  return ix.unique && !ix.expression && pk.length > 0 && [...ix.columns].sort().join('\0') === pk.join('\0');
}

function diffIndexes(model: TableIR, live: SnapshotTable, caps: Capabilities): DriftItem[] {
  const out: DriftItem[] = [];
  const table = model.name;
  const liveIdx = live.indexes.filter((ix) => !ENGINE_SEARCH_NAME.test(ix.name));
  const schemaIdx = model.indexes.filter((ix) => !ENGINE_SEARCH_NAME.test(ix.name));
  const liveSigs = new Set(liveIdx.map(indexSignature));
  const schemaSigs = new Set(schemaIdx.map(indexSignature));

  for (const ix of schemaIdx) {
    const sig = indexSignature(ix);
    if (!liveSigs.has(sig)) {
      out.push({ kind: 'index', direction: 'missing', table, index: ix.name, detail: `index '${ix.name}' (${sig})` });
    }
    // Only user-named indexes are deep-compared: a generated name is not a stable identity across runs.
    const same = ix.named ? liveIdx.find((l) => l.name === ix.name) : undefined;
    if (!same) continue;
    for (const d of compareIndexShape(ix, same, caps)) {
      out.push({
        kind: 'index',
        direction: 'mismatch',
        table,
        index: ix.name,
        property: d.property,
        schema: d.schema,
        db: d.db,
        detail: `index '${ix.name}' ${d.property}: schema=${showValue(d.schema)} db=${showValue(d.db)}`,
      });
    }
  }
  // Engines add their own plain indexes; only a unique one constrains data, so only that is drift.
  if (!model.readonly) {
    for (const ix of liveIdx) {
      const sig = indexSignature(ix);
      if (!ix.unique || isPrimaryIndex(ix, live) || schemaSigs.has(sig)) continue;
      out.push({ kind: 'index', direction: 'extra', table, index: ix.name, detail: `unique index ${sig} in DB but not in schema` });
    }
  }
  return out;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** A schema FK is present when some live FK links the same columns to the same referenced columns. */
export function hasForeignKey(fk: ForeignKeyIR, live: readonly SnapshotForeignKey[]): boolean {
  return live.some((l) => l.refTable === fk.refTable && sameList(l.columns, fk.columns) && sameList(l.refColumns, fk.refColumns));
}

export function describeForeignKey(fk: ForeignKeyIR): string {
  return `${fk.columns.join(',')} -> ${fk.refTable}.${fk.refColumns.join(',')}`;
}

function diffForeignKeys(model: TableIR, live: SnapshotTable): DriftItem[] {
  return model.foreignKeys
    .filter((fk) => !hasForeignKey(fk, live.foreignKeys))
    .map((fk) => ({
      kind: 'foreignKey' as const,
      direction: 'missing' as const,
      table: model.name,
      foreignKey: fk.name,
      column: fk.columns.join(','),
      detail: `foreign key ${describeForeignKey(fk)}`,
    }));
}

const KIND_ORDER: Record<DriftKind, number> = { table: 0, view: 1, column: 2, columnType: 3, index: 4, foreignKey: 5 };

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortItems(items: DriftItem[]): void {
  const name = (i: DriftItem) => i.index ?? i.foreignKey ?? i.column ?? '';
  items.sort(
    (a, b) =>
      cmp(a.table, b.table) ||
      KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
      cmp(name(a), name(b)) ||
      cmp(a.direction, b.direction) ||
      cmp(a.property ?? '', b.property ?? ''),
  );
}
