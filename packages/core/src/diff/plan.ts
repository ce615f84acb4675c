import type { Adapter, Capabilities, DdlEnv, DdlOp, EnumCheckOp } from '../adapter.js';
import type { ColumnIR, SchemaIR, Snapshot, SnapshotTable, TableIR } from '../schema/ir.js';
import { diffSchema, enumCheckDrift, foreignKeyActionDrift, foreignKeyFromSnapshot, liveForeignKey, searchableColumns, searchMatches } from './diff.js';
import { onlyAddsValues, planEnumTypes } from './enum-types.js';
import { assertIdentifiersFit } from './identifiers.js';
import { assertIndexKeysFit } from '../schema/model.js';
import { compareIndexShape, indexSignature } from './index-shape.js';
import { assertNamesDistinct } from './namespace.js';
import type { DriftItem, PlannedStatement, PushPlan } from './types.js';

export type PlanAdapter = Pick<Adapter, 'capabilities' | 'ddl' | 'facts'>;

export interface PushPlanOptions {
  /** Emit CREATE EXTENSION for what the schema needs (`forge push --enable-extensions`). */
  enableExtensions?: boolean;
}

/**
 * Plan `forge push`: additive only, in dependency order (extensions, tables, columns, indexes, foreign
 * keys, search, views). An operation the dialect cannot express comes back from the emitter as a
 * comment: it stays in `toApply` with no SQL so reports can show it, is not counted in `summary.apply`,
 * and its comment is listed in `notes`.
 */
export function planPush(ir: SchemaIR, snap: Snapshot, adapter: PlanAdapter, opts: PushPlanOptions = {}): PushPlan {
  const caps = adapter.capabilities;
  assertIdentifiersFit(ir, caps, adapter.facts);
  // A MongoDB wildcard key ($**) on a SQL dialect: a SchemaError naming the index, before any DDL.
  assertIndexKeysFit(ir, caps.dialect);
  assertNamesDistinct(ir, adapter.facts);
  const live = new Map(snap.tables.map((t) => [t.name, t]));
  const managed = Object.values(ir.models).filter((t) => !t.readonly);
  const tables = managed.filter((t) => !t.view);
  const ops: Array<{ op: DdlOp; label: string }> = [];
  const toSkip: string[] = [];
  const notes: string[] = [];

  const installed = snap.extensions ?? [];
  const creating: string[] = [];
  if (opts.enableExtensions) {
    for (const name of adapter.ddl.extensionsFor?.(tables) ?? []) {
      if (installed.includes(name)) toSkip.push(`extension ${name}`);
      else if (!creating.includes(name)) creating.push(name);
    }
  }
  ops.push(...creating.map((name) => ({ op: { op: 'createExtension' as const, name }, label: `extension ${name}` })));
  const env: DdlEnv = { extensions: [...installed, ...creating], tables: Object.values(ir.models) };

  for (const t of tables) if (live.has(t.name)) toSkip.push(t.name);
  const newTables = tables.filter((t) => !live.has(t.name));
  // Keys written inline in CREATE TABLE need the table they reference to exist first on a dialect that checks
  // the target at creation (DuckDB); with ALTER ... ADD FOREIGN KEY they are added after every table anyway.
  for (const t of caps.alterAddForeignKey ? newTables : referencedFirst(newTables)) {
    ops.push({ op: { op: 'createTable', table: t }, label: t.name });
  }
  const adding = new Map(tables.map((t) => [t.name, caps.schemaless ? [] : missingColumns(t, live.get(t.name))]));
  for (const t of tables) {
    for (const column of adding.get(t.name) ?? []) {
      ops.push({ op: { op: 'addColumn', table: t.name, column }, label: `${t.name}.${column.name}` });
    }
  }
  for (const t of tables) planIndexes(t, live.get(t.name), adapter, ops, toSkip, notes);
  for (const t of tables) {
    const have = live.get(t.name);
    // Without ALTER ... ADD FOREIGN KEY the emitter writes a new table's keys inline in CREATE TABLE.
    if ((!have && !caps.alterAddForeignKey) || caps.schemaless) continue;
    for (const fk of t.foreignKeys) {
      const present = have && liveForeignKey(fk, have.foreignKeys);
      if (present) {
        // Another ON DELETE / ON UPDATE: the key is dropped and added again with the schema's actions. The rows
        // already satisfy the same key, so the add cannot fail on them; where a key cannot be altered, a note.
        if (caps.alterAddForeignKey && foreignKeyActionDrift(fk, present).length) {
          ops.push({ op: { op: 'dropForeignKey', table: t.name, fk: present.name, was: foreignKeyFromSnapshot(present) }, label: `${present.name} (drop to replace)` });
          ops.push({ op: { op: 'addForeignKey', table: t.name, fk }, label: fk.name });
        } else toSkip.push(fk.name);
        continue;
      }
      // Same rule for a column added now: its ADD COLUMN ... REFERENCES carries the key.
      const inline =
        !caps.alterAddForeignKey &&
        fk.columns.length === 1 &&
        (adding.get(t.name) ?? []).some((c) => c.name === fk.columns[0] && c.references?.table === fk.refTable);
      if (!inline) ops.push({ op: { op: 'addForeignKey', table: t.name, fk }, label: fk.name });
    }
  }
  for (const t of tables) {
    const columns = t.columns.filter((c) => c.searchable);
    if (columns.length === 0) continue;
    const have = live.has(t.name) ? snap.search?.find((x) => x.table === t.name) : undefined;
    if (searchMatches(have, searchableColumns(t))) {
      toSkip.push(`${t.name} search`);
      continue;
    }
    // A search object over other columns (a field became searchable) or half-built is rebuilt: it holds
    // nothing but what it derives from the table.
    if (have) ops.push({ op: { op: 'dropSearch', table: t.name, columns: have.columns }, label: `${t.name} search (rebuild)` });
    ops.push({ op: { op: 'createSearch', table: t, columns }, label: `${t.name} search` });
  }
  for (const declared of managed.filter((t) => t.view)) {
    // Without materialised views the view is still created, as a plain one, and the report says what that costs.
    const plain = declared.view!.materialized && !caps.materializedViews;
    const v = plain ? { ...declared, view: { ...declared.view!, materialized: false } } : declared;
    if (snap.views.some((x) => x.name === v.name) || live.has(v.name)) toSkip.push(v.name);
    else {
      ops.push({ op: { op: 'createView', table: v }, label: v.name });
      if (plain) notes.push(`${v.name}: ${caps.dialect} has no materialised views (capabilities.materializedViews is false), so it is created as a plain view, computed on every read`);
    }
  }

  // Enum types before the tables whose columns use them.
  const types = planEnumTypes(ir, snap, adapter);
  const toApply: PlannedStatement[] = ops.map(({ op, label }) => {
    const e = adapter.ddl.emit(op, env);
    if (e.comment) notes.push(`${label}: ${e.comment}`);
    const s: PlannedStatement = { op, label, sql: e.sql };
    if (e.comment) s.comment = e.comment;
    if (e.noTransaction) s.noTransaction = true;
    return s;
  });
  toApply.splice(creating.length, 0, ...types);
  toApply.push(...planEnumWidening(tables, live, adapter, snap.enumChecksRead === true));
  for (const t of Object.values(ir.models)) {
    if (t.readonly && !live.has(t.name) && !snap.views.some((x) => x.name === t.name)) {
      notes.push(`${t.name} is readonly (owned elsewhere) and missing from the database; push never creates it`);
    }
  }
  notes.push(...diffSchema(ir, snap, adapter).items.flatMap((item) => noteFor(item, adapter)));
  return { toApply, toSkip, notes, summary: { apply: toApply.filter((s) => s.sql.length > 0).length, skip: toSkip.length } };
}

/**
 * `tables` reordered so each comes after the tables its foreign keys reference (among `tables`), otherwise in
 * declared order. A cycle keeps its declared order (the dialect's cycle rule reports it).
 */
export function referencedFirst(tables: readonly TableIR[]): TableIR[] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const placed = new Set<string>();
  const visiting = new Set<string>();
  const out: TableIR[] = [];
  const visit = (t: TableIR) => {
    if (placed.has(t.name) || visiting.has(t.name)) return;
    visiting.add(t.name);
    for (const fk of t.foreignKeys) {
      const target = byName.get(fk.refTable);
      if (target && target !== t) visit(target);
    }
    visiting.delete(t.name);
    placed.add(t.name);
    out.push(t);
  };
  for (const t of tables) visit(t);
  return out;
}

/** Columns to add to an existing table (none for a table CREATE TABLE will make). */
function missingColumns(t: TableIR, have: SnapshotTable | undefined): ColumnIR[] {
  if (!have) return [];
  const present = new Set(have.columns.map((c) => c.name));
  return t.columns.filter((c) => !present.has(c.name));
}

/**
 * Present by name; an unnamed index also by shape (predicate included), since its generated name may
 * differ from the live one.
 */
function planIndexes(
  t: TableIR,
  have: SnapshotTable | undefined,
  adapter: PlanAdapter,
  ops: Array<{ op: DdlOp; label: string }>,
  toSkip: string[],
  notes: string[],
): void {
  const liveIdx = have?.indexes ?? [];
  const sig = (ix: Parameters<typeof indexSignature>[0]) => indexSignature(ix, adapter);
  const liveSigs = new Set(liveIdx.map(sig));
  for (const ix of t.indexes) {
    const want = sig(ix);
    const sameName = liveIdx.find((l) => l.name === ix.name);
    if (sameName) {
      // Where the adapter's createIndex replaces a same-named index whose spec differs (MongoDB: drop and recreate
      // on errors 85/86), a drifted index is planned again instead of left with a note.
      const drifted = sig(sameName) !== want || compareIndexShape(ix, sameName, adapter.capabilities, adapter.facts).length > 0;
      if (adapter.capabilities.recreateIndexes && drifted) {
        ops.push({ op: { op: 'createIndex', table: t.name, index: ix }, label: ix.name });
        continue;
      }
      toSkip.push(ix.name);
      if (sig(sameName) !== want) {
        notes.push(
          `index '${ix.name}' on ${t.name} exists as ${sig(sameName)} but the schema declares ${want}; push does not recreate indexes: drop it and run forge push again`,
        );
      }
    } else if (!ix.named && liveSigs.has(want)) {
      toSkip.push(ix.name);
    } else {
      ops.push({ op: { op: 'createIndex', table: t.name, index: ix }, label: ix.name });
    }
  }
}

/**
 * Whether an enum drift item only adds values to a live CHECK: the database then refuses values the schema allows,
 * and replacing the CHECK with the wider one refuses nothing it accepted before, so push does it.
 */
export function isEnumWidening(item: DriftItem): boolean {
  return item.property === 'enumValues' && Array.isArray(item.db) && Array.isArray(item.schema) && (item.db as string[]).every((v) => (item.schema as string[]).includes(v));
}

/** Whether the adapter can replace a column's value-list CHECK. */
export function canSetEnumCheck(adapter: Pick<Adapter, 'capabilities' | 'ddl'>): boolean {
  return adapter.capabilities.enumChecks === true && typeof adapter.ddl.enumCheck === 'function';
}

/** A `setEnumCheck` as a planned statement; `op` carries it too (read `enumCheck` first), as for a rename. */
export function enumCheckStatement(adapter: Pick<Adapter, 'ddl'>, op: EnumCheckOp, label: string): PlannedStatement {
  const e = adapter.ddl.enumCheck!(op);
  const s: PlannedStatement = { op: op as unknown as DdlOp, enumCheck: op, label, sql: e.sql };
  if (e.comment) s.comment = e.comment;
  return s;
}

/** Push's part of enum drift: a live CHECK that lacks values the schema added is replaced by the wider one. */
function planEnumWidening(tables: TableIR[], live: Map<string, SnapshotTable>, adapter: PlanAdapter, checksRead: boolean): PlannedStatement[] {
  if (!canSetEnumCheck(adapter)) return [];
  const out: PlannedStatement[] = [];
  for (const t of tables) {
    const have = live.get(t.name);
    if (!have) continue;
    for (const col of t.columns) {
      const lc = have.columns.find((c) => c.name === col.name);
      const item = lc && enumCheckDrift(t.name, col, lc, adapter, checksRead);
      if (!item || !isEnumWidening(item) || !lc.enumCheck) continue;
      const op: EnumCheckOp = { op: 'setEnumCheck', table: t.name, column: col.name, name: lc.enumCheck.name, values: item.schema as string[], was: lc.enumCheck.values };
      out.push(enumCheckStatement(adapter, op, `${t.name}.${col.name} allowed values`));
    }
  }
  return out;
}

/** What push will not do about a drift item, and the command that will. */
function noteFor(item: DriftItem, adapter: { capabilities: Capabilities; ddl: PlanAdapter['ddl'] }): string[] {
  const caps = adapter.capabilities;
  const where = item.column ? `${item.table}.${item.column}` : item.table;
  // A table-level object the adapter's push settles itself (pushTableObjects): nothing to say here.
  if (item.kind === 'table' && item.property === 'validator') return [];
  if (item.kind === 'enumType') {
    if (item.direction === 'mismatch' && !onlyAddsValues(item.db as string[], item.schema as string[])) {
      return [`push does not remove or reorder the values of an enum type (rows may hold them): ${item.detail}`];
    }
    if (item.direction === 'extra') return [`push does not drop enum types: ${item.detail}; forge diff apply drops it`];
    return [];
  }
  if (item.property === 'enumValues') {
    if (!canSetEnumCheck(adapter)) {
      return [`${where}: ${item.detail}; forge cannot replace a CHECK on ${adapter.capabilities.dialect} (capabilities.enumChecks is not set): change it by hand`];
    }
    if (isEnumWidening(item)) return [];
    return [`push does not narrow, add or drop a CHECK (rows may hold values it would refuse): ${where}: ${item.detail}; run forge diff apply`];
  }
  if (item.kind === 'foreignKey' && item.direction === 'mismatch') {
    return adapter.capabilities.alterAddForeignKey ? [] : [`push cannot change ${item.table}'s ${item.detail}`];
  }
  if (item.kind === 'column' && item.direction === 'extra') return [`push does not drop ${where}; run forge diff apply`];
  if (item.kind === 'table' && item.direction === 'extra') {
    // On a shared database the table may belong to another service, so dropping it is not the only answer.
    return [`push does not drop table ${item.table}; run forge diff apply to drop it, or add it to the diff ignore list if another service owns it`];
  }
  if (item.kind === 'columnType' || (item.kind === 'column' && item.direction === 'mismatch' && (item.property === 'nullable' || item.property === 'default'))) {
    const what =
      item.kind === 'columnType'
        ? `column types: ${where} is ${String(item.schema)} in the schema and ${String(item.db)} in the database`
        : item.property === 'nullable'
          ? `nullability: ${where} is ${item.schema ? 'optional' : 'required'} in the schema and ${item.db ? 'nullable' : 'NOT NULL'} in the database`
          : `defaults: ${where} defaults to ${item.schema ?? 'nothing'} in the schema and ${item.db ?? 'nothing'} in the database`;
    const how = adapter.ddl.alterColumn || adapter.ddl.rebuildTables
      ? 'run forge diff apply (or forge generate --name <name>, then forge migrate), which writes the change with a down block'
      : `forge cannot alter a column on ${caps.dialect}: alter it by hand`;
    return [`push does not change ${what} (push is additive only); ${how}`];
  }
  // Push builds and rebuilds the search object itself; only dropping it is diff apply's.
  if (item.search) return item.direction === 'extra' ? [`push does not drop the full-text search of ${item.table}; run forge diff apply`] : [];
  if (item.kind === 'index' && item.direction === 'mismatch' && !caps.recreateIndexes) {
    return [`push does not recreate indexes: ${item.table} ${item.detail}; drop the index and run forge push again`];
  }
  if (item.kind === 'index' && item.direction === 'extra') {
    return [`push does not drop indexes: ${item.table} has a ${item.detail}; declare it in the schema or drop it by hand`];
  }
  return [];
}
