import type { Adapter, DdlEnv } from '../adapter.js';
import type { ColumnIR, ForeignKeyIR, IndexIR, ReferentialAction, SchemaIR, Snapshot, SnapshotColumn, SnapshotForeignKey, SnapshotIndex, SnapshotSearch, SnapshotTable, TableIR } from '../schema/ir.js';
import { categoryOfColumn, categoryOfKind } from './categories.js';
import { defaultText, normalizeTypeText, nullabilityDiffers, sameDefault, schemaDefault, sqliteAffinity } from './columns.js';
import { isAlwaysIgnored, isIgnored } from './ignore.js';
import { declaredEnumType, enumTypeDrift, enumTypesApply } from './enum-types.js';
import { compareIndexShape, indexSignature, metByLiveIndex, showValue } from './index-shape.js';
import type { DriftItem, DriftKind, DriftReport, IgnorePattern } from './types.js';

/**
 * What diff reads of an adapter: its capabilities and its dialect facts; with `ddl`, a declared index the
 * emitter can only comment on (the database cannot hold it) is a note, not drift.
 */
export type DiffAdapter = Pick<Adapter, 'capabilities' | 'facts'> & Partial<Pick<Adapter, 'ddl' | 'tableDrift'>>;

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

  const typesRead = enumTypesApply(adapter, snap);
  items.push(...enumTypeDrift(ir, snap, adapter, (name) => isIgnored(name, ignore)));
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
      if (live) items.push(...diffColumns(model, live, adapter, env, typesRead));
      continue;
    }
    if (!live) {
      items.push({ kind: 'table', direction: 'missing', table: model.name, detail: `table '${model.name}'` });
      continue;
    }
    items.push(
      ...diffColumns(model, live, adapter, env, typesRead),
      ...diffEnumChecks(model, live, adapter, snap.enumChecksRead === true),
      ...diffIndexes(model, live, adapter, (ix) => cannotHold(model.name, ix), notes),
      ...diffForeignKeys(model, live, adapter),
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

  // Table-level objects only the dialect knows (a MongoDB collection's validator), for tables not ignored.
  if (adapter.tableDrift) items.push(...adapter.tableDrift(ir, snap).filter((i) => !isIgnored(i.table, ignore)));
  sortItems(items);
  const report: DriftReport = { dialect: snap.dialect, items, inSync: items.length === 0, ignored: [...ignored].sort() };
  if (notes.length) report.notes = notes;
  return report;
}

function diffColumns(model: TableIR, live: SnapshotTable, adapter: DiffAdapter, env: DdlEnv | undefined, typesRead: boolean): DriftItem[] {
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
    if (!model.readonly) out.push(...columnShapeDrift(table, col, lc));
    if (typesRead) {
      const item = enumTypeColumnDrift(table, col, lc, adapter);
      if (item) {
        out.push(item);
        continue;
      }
    }
    if (!adapter.capabilities.compareTypes) {
      const item = declaredTypeDrift(table, col, lc, adapter, env);
      if (item) out.push(item);
      continue;
    }
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
 * A column of another enum type than the schema declares, or of one where the schema declares none (or the other
 * way round): a type mismatch, which diff apply converts through text (`ALTER COLUMN ... TYPE ... USING`).
 */
function enumTypeColumnDrift(table: string, col: ColumnIR, lc: SnapshotColumn, adapter: DiffAdapter): DriftItem | undefined {
  const want = declaredEnumType(col, adapter);
  if (want === lc.enumType) return undefined;
  const schema = want ? `enum ${want}` : (categoryOfColumn(col, adapter.facts) ?? col.kind);
  const db = lc.enumType ? `enum ${lc.enumType}` : (adapter.facts.categoryOf(lc.type) ?? lc.type);
  return { kind: 'columnType', direction: 'mismatch', table, column: col.name, property: 'type', schema, db, detail: `column '${col.name}' type: schema=${schema} db=${db} (${lc.type})` };
}

/**
 * Nullability and default drift of a declared column (issue 14): push never changes either (it is additive only);
 * `diff apply` and `generate` write the change. A key column is not compared, nor a default forge cannot read.
 */
function columnShapeDrift(table: string, col: ColumnIR, lc: SnapshotColumn): DriftItem[] {
  const out: DriftItem[] = [];
  const base = { kind: 'column' as const, direction: 'mismatch' as const, table, column: col.name };
  if (nullabilityDiffers(col, lc)) {
    out.push({
      ...base,
      property: 'nullable',
      schema: col.nullable,
      db: lc.nullable,
      detail: col.nullable
        ? `column '${col.name}' is optional in the schema but NOT NULL in the database (writing NULL fails); forge diff apply (or forge generate) drops the NOT NULL`
        : `column '${col.name}' is required in the schema but nullable in the database; forge diff apply (or forge generate) makes it NOT NULL (rows holding NULL get its default, or the change is refused while they exist)`,
    });
  }
  if (!sameDefault(col, lc)) {
    const want = defaultText(schemaDefault(col));
    const have = lc.default ?? null;
    out.push({
      ...base,
      property: 'default',
      schema: want,
      db: have,
      detail: `column '${col.name}' default: schema=${want ?? 'none'} db=${have ?? 'none'}; forge diff apply (or forge generate) ${want === null ? 'drops it' : 'sets it'}`,
    });
  }
  return out;
}

/**
 * Where types are not compared by category (a dialect whose columns take any value, SQLite), the declared type still
 * decides how values are stored, through its affinity: the type the emitter writes and the database's declared type
 * are compared by affinity (so `nvarchar(120)` is `TEXT`, while `numeric(10,2)` turns '10.50' into 10.5 and is not),
 * for kinds that have a category.
 */
function declaredTypeDrift(table: string, col: ColumnIR, lc: SnapshotColumn, adapter: DiffAdapter, env: DdlEnv | undefined): DriftItem | undefined {
  if (!adapter.ddl || (!col.dbType && !categoryOfKind(col.kind))) return undefined;
  const want = normalizeTypeText(adapter.ddl.columnType(col, env));
  const have = normalizeTypeText(lc.type);
  if (want === have || sqliteAffinity(want) === sqliteAffinity(have)) return undefined;
  return {
    kind: 'columnType',
    direction: 'mismatch',
    table,
    column: col.name,
    property: 'type',
    schema: want,
    db: have,
    detail: `column '${col.name}' declared type: schema=${want} (${sqliteAffinity(want)} affinity) db=${have} (${sqliteAffinity(have)} affinity)`,
  };
}

/** The values an `f.enum` column allows, or undefined for any other column. */
export function enumValuesOf(col: ColumnIR): readonly string[] | undefined {
  return col.kind === 'enum' && col.enumValues?.length ? col.enumValues : undefined;
}

const listValues = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

/**
 * The column's value-list CHECK against its `f.enum` values, compared as sets (the order of an IN list means
 * nothing). Reported as a `column` mismatch on `enumValues` (schema and db are the value lists, db null when the
 * database has no CHECK, schema null when the column is not an enum): values the schema added are refused by the
 * database, values it removed are still accepted. A missing CHECK is drift only where the dialect writes one
 * (`capabilities.enumChecks`) and introspection read them (`Snapshot.enumChecksRead`).
 */
export function enumCheckDrift(table: string, col: ColumnIR, lc: SnapshotColumn, adapter: DiffAdapter, checksRead: boolean): DriftItem | undefined {
  // A column of a database enum type is limited by its type, not by a CHECK; one that moves onto or off an enum type
  // has its CHECK dropped or added by that column change.
  if (adapter.capabilities.enumTypes && declaredEnumType(col, adapter) !== lc.enumType) return undefined;
  const want = declaredEnumType(col, adapter) ? undefined : enumValuesOf(col);
  const have = lc.enumCheck?.values;
  const base = { kind: 'column' as const, direction: 'mismatch' as const, table, column: col.name, property: 'enumValues' };
  if (want && have) {
    const added = want.filter((v) => !have.includes(v));
    const removed = have.filter((v) => !want.includes(v));
    if (added.length === 0 && removed.length === 0) return undefined;
    const parts: string[] = [];
    if (added.length) parts.push(`the database refuses ${listValues(added)}, which the schema allows`);
    if (removed.length) parts.push(`the database still accepts ${listValues(removed)}, which the schema no longer allows`);
    const next = removed.length
      ? `forge diff apply narrows the CHECK (rows holding ${listValues(removed)} must be changed first)`
      : 'forge push widens the CHECK';
    return { ...base, schema: [...want], db: [...have], detail: `column '${col.name}' allowed values: schema=(${listValues(want)}) db=(${listValues(have)}): ${parts.join('; ')}; ${next}` };
  }
  if (want && !lc.enumCheck && checksRead && adapter.capabilities.enumChecks) {
    return {
      ...base,
      schema: [...want],
      db: null,
      detail: `column '${col.name}' has no CHECK in the database, so it accepts any text where the schema allows only (${listValues(want)}); forge diff apply adds the CHECK (rows holding other values must be changed first)`,
    };
  }
  if (!want && have) {
    return {
      ...base,
      schema: null,
      db: [...have],
      detail: `column '${col.name}' is limited to (${listValues(have)}) by the CHECK ${lc.enumCheck!.name} in the database, but the schema does not limit it; forge diff apply drops the CHECK, or declare the field f.enum`,
    };
  }
  return undefined;
}

function diffEnumChecks(model: TableIR, live: SnapshotTable, adapter: DiffAdapter, checksRead: boolean): DriftItem[] {
  // A readonly model's table is owned elsewhere: its constraints are not ours.
  if (model.readonly) return [];
  const liveCols = new Map(live.columns.map((c) => [c.name, c]));
  const out: DriftItem[] = [];
  for (const col of model.columns) {
    const lc = liveCols.get(col.name);
    const item = lc && enumCheckDrift(model.name, col, lc, adapter, checksRead);
    if (item) out.push(item);
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
  const sig = (ix: Parameters<typeof indexSignature>[0]) => indexSignature(ix, adapter);
  const liveIdx = live.indexes;
  const schemaSigs = new Set(model.indexes.map((ix) => sig(ix)));
  const schemaNamed = new Set(model.indexes.filter((ix) => ix.named).map((ix) => ix.name));

  for (const ix of model.indexes) {
    // Only user-named indexes are deep-compared: a generated name is not a stable identity across runs.
    const same = ix.named ? liveIdx.find((l) => l.name === ix.name) : undefined;
    if (!metByLiveIndex(ix, liveIdx, adapter)) {
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
  return liveForeignKey(fk, live) !== undefined;
}

export function describeForeignKey(fk: ForeignKeyIR): string {
  return `${fk.columns.join(',')} -> ${fk.refTable}.${fk.refColumns.join(',')}`;
}

const ACTIONS: ReadonlySet<string> = new Set<ReferentialAction>(['cascade', 'restrict', 'setNull', 'noAction']);

/** A live key in IR form (what a down block adds back); an action outside `ReferentialAction` is left out. */
export function foreignKeyFromSnapshot(l: SnapshotForeignKey): ForeignKeyIR {
  const fk: ForeignKeyIR = { name: l.name, columns: [...l.columns], refTable: l.refTable, refColumns: [...l.refColumns] };
  if (l.onDelete && ACTIONS.has(l.onDelete) && l.onDelete !== 'noAction') fk.onDelete = l.onDelete as ReferentialAction;
  if (l.onUpdate && ACTIONS.has(l.onUpdate) && l.onUpdate !== 'noAction') fk.onUpdate = l.onUpdate as ReferentialAction;
  return fk;
}

/** The live key that links the same columns to the same referenced columns. */
export function liveForeignKey(fk: ForeignKeyIR, live: readonly SnapshotForeignKey[]): SnapshotForeignKey | undefined {
  return live.find((l) => l.refTable === fk.refTable && sameList(l.columns, fk.columns) && sameList(l.refColumns, fk.refColumns));
}

/**
 * An action as it behaves on rows: no action and RESTRICT both refuse the change while rows reference it (they
 * differ only in when a deferred check runs), and an undeclared action is the databases' default, no action.
 */
function effectiveAction(action: string | undefined): string {
  return action === undefined || action === 'restrict' ? 'noAction' : action;
}

const ACTION_EFFECT: Record<string, string> = {
  cascade: 'takes the referencing rows with it',
  setNull: 'sets their key to NULL',
  setDefault: 'sets their key to its default',
  noAction: 'is refused while rows reference it',
};

const effectOf = (action: string) => ACTION_EFFECT[action] ?? `runs ${action}`;

/**
 * The referential actions of a present key that differ between the schema and the database, one per property
 * (`onDelete`, `onUpdate`). An action the adapter did not read (undefined on the live key) is not compared.
 */
export function foreignKeyActionDrift(fk: ForeignKeyIR, live: SnapshotForeignKey, canAlter = true): Array<{ property: 'onDelete' | 'onUpdate'; schema: string; db: string; detail: string }> {
  const out: Array<{ property: 'onDelete' | 'onUpdate'; schema: string; db: string; detail: string }> = [];
  for (const property of ['onDelete', 'onUpdate'] as const) {
    const have = live[property];
    if (have === undefined) continue;
    const want = fk[property] as ReferentialAction | undefined;
    if (effectiveAction(want) === effectiveAction(have)) continue;
    const schema = want ?? 'noAction';
    const verb = property === 'onDelete' ? `deleting a row of ${fk.refTable}` : `changing the key of a row of ${fk.refTable}`;
    out.push({
      property,
      schema,
      db: have,
      detail:
        `foreign key ${describeForeignKey(fk)} ${property === 'onDelete' ? 'ON DELETE' : 'ON UPDATE'}: schema=${schema} db=${have}: ` +
        `in the database ${verb} ${effectOf(effectiveAction(have))}, the schema says it ${effectOf(effectiveAction(want))}; ` +
        (canAlter
          ? 'forge push replaces the key (drop and add)'
          : 'this database cannot change a foreign key in place, and forge does not rebuild tables yet: recreate the table by hand'),
    });
  }
  return out;
}

function diffForeignKeys(model: TableIR, live: SnapshotTable, adapter: DiffAdapter): DriftItem[] {
  const out: DriftItem[] = [];
  // A document store has no foreign keys to compare (forge resolves relations itself).
  if (adapter.capabilities.schemaless) return out;
  for (const fk of model.foreignKeys) {
    const have = liveForeignKey(fk, live.foreignKeys);
    const column = fk.columns.join(',');
    if (!have) {
      out.push({ kind: 'foreignKey', direction: 'missing', table: model.name, foreignKey: fk.name, column, detail: `foreign key ${describeForeignKey(fk)}` });
      continue;
    }
    for (const d of foreignKeyActionDrift(fk, have, adapter.capabilities.alterAddForeignKey)) {
      out.push({ kind: 'foreignKey', direction: 'mismatch', table: model.name, foreignKey: fk.name, column, property: d.property, schema: d.schema, db: d.db, detail: d.detail });
    }
  }
  return out;
}

const KIND_ORDER: Record<DriftKind, number> = { table: 0, view: 1, column: 2, columnType: 3, index: 4, foreignKey: 5, enumType: 6 };

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
