import type { Adapter, DdlEnv } from '../adapter.js';
import type { ForeignKeyIR, IndexIR, SchemaIR, Snapshot, SnapshotForeignKey, SnapshotIndex, SnapshotSearch, SnapshotTable, TableIR } from '../schema/ir.js';
import { categoryOfColumn } from './categories.js';
import { isAlwaysIgnored, isIgnored } from './ignore.js';
import { compareIndexShape, indexSignature, showValue } from './index-shape.js';
import type { DriftItem, DriftKind, DriftReport, IgnorePattern } from './types.js';

/**
 * What diff reads of an adapter: its capabilities and its dialect facts; with `ddl`, a declared index the
 * emitter can only comment on (the database cannot hold it) is a note, not drift.
 */
export type DiffAdapter = Pick<Adapter, 'capabilities' | 'facts'> & Partial<Pick<Adapter, 'ddl'>>;

export interface DiffOptions {
  ignore?: IgnorePattern[];
}

/** The searchable columns of a table, by column name, in declaration order. */
export function searchableColumns(t: TableIR): string[] {
  return t.columns.filter((c) => c.searchable).map((c) => c.name);
}

/** Whether the live search object indexes exactly `want` (order-free) and is whole. */
export function searchMatches(live: SnapshotSearch | undefined, want: readonly string[]): boolean {
  if (!live) return want.length === 0;
  return live.complete && live.columns.length === want.length && [...live.columns].sort().join('\0') === [...want].sort().join('\0');
}

/**
 * Compare the schema with what introspection read (seed 004, "Drift detection rules"). Pure: the same
 * IR, snapshot and adapter facts always give the same report, items sorted by table, kind and name.
 */
export function diffSchema(ir: SchemaIR, snap: Snapshot, adapter: DiffAdapter, opts: DiffOptions = {}): DriftReport {
  const caps = adapter.capabilities;
  const ignore = opts.ignore ?? [];
  const ignored = new Set<string>();
  const items: DriftItem[] = [];
  const liveTables = new Map(snap.tables.map((t) => [t.name, t]));
  const liveViews = new Set(snap.views.map((v) => v.name));
  const modelNames = new Set<string>();
  const notes: string[] = [];
  const env: DdlEnv = { extensions: snap.extensions ?? [], tables: Object.values(ir.models) };
  // Why this database cannot hold the index (what push printed as a note), or undefined when it can.
  const cannotHold = (table: string, index: IndexIR): string | undefined => {
    if (!adapter.ddl) return undefined;
    try {
      const e = adapter.ddl.emit({ op: 'createIndex', table, index }, env);
      return e.sql.length === 0 ? (e.comment ?? `index ${index.name} on ${table} cannot be created on ${caps.dialect}`) : undefined;
    } catch {
      return undefined;
    }
  };

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
      if (live) items.push(...diffColumns(model, live, adapter));
      continue;
    }
    if (!live) {
      items.push({ kind: 'table', direction: 'missing', table: model.name, detail: `table '${model.name}'` });
      continue;
    }
    items.push(
      ...diffColumns(model, live, adapter),
      ...diffIndexes(model, live, adapter, (ix) => cannotHold(model.name, ix), notes),
      // A document store has no foreign keys to compare (forge resolves relations itself).
      ...(caps.schemaless ? [] : diffForeignKeys(model, live)),
      ...diffSearch(model, snap.search?.find((x) => x.table === model.name), adapter),
    );
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
  const report: DriftReport = { dialect: snap.dialect, items, inSync: items.length === 0, ignored: [...ignored].sort() };
  if (notes.length) report.notes = notes;
  return report;
}

function diffColumns(model: TableIR, live: SnapshotTable, adapter: DiffAdapter): DriftItem[] {
  const out: DriftItem[] = [];
  const table = model.name;
  // A document store keeps no column list: documents carry their own fields, so there is no column drift.
  if (adapter.capabilities.schemaless) return out;
  const liveCols = new Map(live.columns.map((c) => [c.name, c]));
  for (const col of model.columns) {
    const lc = liveCols.get(col.name);
    if (!lc) {
      out.push({ kind: 'column', direction: 'missing', table, column: col.name, detail: `column '${col.name}'` });
      continue;
    }
    if (!adapter.capabilities.compareTypes) continue;
    const want = categoryOfColumn(col, adapter.facts);
    const have = adapter.facts.categoryOf(lc.type);
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
      if (declared.has(lc.name)) continue;
      out.push({ kind: 'column', direction: 'extra', table, column: lc.name, detail: `column '${lc.name}' in DB but not in schema` });
    }
  }
  return out;
}

/**
 * Engines back primary keys with unique indexes of their own naming; one on exactly the
 * primary-key columns is the key itself even when the adapter did not flag it.
 */
function isPrimaryIndex(ix: SnapshotIndex, live: SnapshotTable): boolean {
  if (ix.primary) return true;
  const pk = live.columns.filter((c) => c.primaryKey).map((c) => c.name).sort();
  return ix.unique && !ix.expression && pk.length > 0 && [...ix.columns].sort().join('\0') === pk.join('\0');
}

function diffIndexes(model: TableIR, live: SnapshotTable, adapter: DiffAdapter, cannotHold: (ix: IndexIR) => string | undefined, notes: string[]): DriftItem[] {
  const out: DriftItem[] = [];
  const table = model.name;
  const sig = (ix: Parameters<typeof indexSignature>[0], withWhere = true) => indexSignature(ix, adapter, withWhere);
  const liveIdx = live.indexes;
  const liveSigs = new Set(liveIdx.map((ix) => sig(ix)));
  const schemaSigs = new Set(model.indexes.map((ix) => sig(ix)));
  const schemaNamed = new Set(model.indexes.filter((ix) => ix.named).map((ix) => ix.name));

  for (const ix of model.indexes) {
    // Only user-named indexes are deep-compared: a generated name is not a stable identity across runs.
    const same = ix.named ? liveIdx.find((l) => l.name === ix.name) : undefined;
    // Present: an index of the same shape (predicate included: a partial unique index does not make the
    // columns unique), or the named index on the same keys, whose other properties the deep pass compares.
    const present = liveSigs.has(sig(ix)) || (same !== undefined && sig(same, false) === sig(ix, false));
    if (!present) {
      const why = cannotHold(ix);
      if (why) notes.push(why);
      else out.push({ kind: 'index', direction: 'missing', table, index: ix.name, detail: `index '${ix.name}' (${sig(ix)})` });
    }
    if (!same) continue;
    for (const d of compareIndexShape(ix, same, adapter.capabilities, adapter.facts)) {
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
      if (!ix.unique || isPrimaryIndex(ix, live) || schemaSigs.has(sig(ix)) || schemaNamed.has(ix.name)) continue;
      out.push({ kind: 'index', direction: 'extra', table, index: ix.name, detail: `unique index ${sig(ix)} in DB but not in schema` });
    }
  }
  return out;
}

/**
 * The table's full-text object against its `.searchable()` fields: missing, indexing other columns (or
 * left half-built), or there with no searchable field. Reported as an index item named after the object.
 */
function diffSearch(model: TableIR, live: SnapshotSearch | undefined, adapter: DiffAdapter): DriftItem[] {
  const want = searchableColumns(model);
  if (searchMatches(live, want)) return [];
  const table = model.name;
  const index = adapter.facts.searchObjectNames(table).relations[0] ?? `${table} search`;
  const list = (cols: readonly string[]) => cols.join(', ');
  if (!live) {
    return [{ kind: 'index', direction: 'missing', table, index, search: true, detail: `full-text search over (${list(want)})` }];
  }
  if (want.length === 0) {
    return [{ kind: 'index', direction: 'extra', table, index, search: true, detail: `full-text search over (${list(live.columns)}) in DB but no field is .searchable()` }];
  }
  const db = live.complete ? list(live.columns) : `${list(live.columns)}, incomplete`;
  return [
    {
      kind: 'index',
      direction: 'mismatch',
      table,
      index,
      search: true,
      property: 'columns',
      schema: want,
      db: live.columns,
      detail: `full-text search columns: schema=(${list(want)}) db=(${db})`,
    },
  ];
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
