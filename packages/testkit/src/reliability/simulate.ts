import {
  defaultText,
  diffSchema,
  emitDriftStep,
  schemaDefault,
  type AlterColumnOp,
  type ColumnIR,
  type RebuildTablesOp,
  type SnapshotColumn,
  generatedName,
  hasForeignKey,
  indexSignature,
  planDriftApply,
  planPush,
  type Adapter,
  type DdlEnv,
  type DdlOp,
  type IndexIR,
  type SchemaIR,
  type Snapshot,
  type SnapshotIndex,
  type SnapshotTable,
  type TableIR,
} from '@forge/core';

/**
 * A pure model of what DDL operations do to a database, in the Snapshot vocabulary introspection uses.
 * It holds the rules SQLite and Postgres share: tables and indexes live in one namespace, an index needs
 * its table and columns, a foreign key its target, and a table that another table's foreign key points
 * at cannot be dropped where keys can be altered (Postgres refuses without CASCADE), nor can a column an
 * index or the search object uses (SQLite refuses). An operation breaking a rule is reported, where the emitters' `IF NOT EXISTS` would let the
 * database skip it silently.
 */
export class SimulationError extends Error {
  override readonly name = 'SimulationError';
}

/** What the simulation reads of an adapter: planning needs capabilities and the emitter, index text the quoting. */
export type SimAdapter = Pick<Adapter, 'capabilities' | 'ddl' | 'compiler' | 'facts'>;

function envFor(ir: SchemaIR, snap: Snapshot): DdlEnv {
  return { extensions: snap.extensions ?? [], tables: Object.values(ir.models) };
}

function toSnapshotIndex(ix: IndexIR): SnapshotIndex {
  const out: SnapshotIndex = { name: ix.name, columns: [...ix.columns], directions: [...ix.directions], unique: ix.unique, primary: false };
  if (ix.method) out.method = ix.method;
  if (ix.where) out.where = ix.where;
  if (ix.include) out.include = [...ix.include];
  if (ix.expression) out.expression = ix.expression;
  return out;
}

/** A column as the database holds it after DDL declared it: its type, nullability and default (as forge writes it). */
function columnOf(c: ColumnIR, adapter: SimAdapter, env: DdlEnv): SnapshotColumn {
  const out: SnapshotColumn = { name: c.name, type: adapter.ddl.columnType(c, env).toLowerCase(), nullable: c.nullable, primaryKey: c.primaryKey };
  const d = defaultText(schemaDefault(c));
  if (d !== null) out.default = d;
  return out;
}

function newTable(t: TableIR, adapter: SimAdapter, env: DdlEnv): SnapshotTable {
  return {
    name: t.name,
    columns: t.columns.map((c) => columnOf(c, adapter, env)),
    indexes: [],
    // Without ALTER TABLE ... ADD FOREIGN KEY the keys are written inline in CREATE TABLE (plan.ts).
    foreignKeys: adapter.capabilities.alterAddForeignKey ? [] : t.foreignKeys.map((fk) => ({ ...fk, columns: [...fk.columns], refColumns: [...fk.refColumns] })),
  };
}

/** Apply one operation in place. Views and extensions are tracked by name only. */
function applyOp(snap: Snapshot, op: DdlOp, adapter: SimAdapter, env: DdlEnv): void {
  const caps = adapter.capabilities;
  const table = (name: string): SnapshotTable => {
    const t = snap.tables.find((x) => x.name === name);
    if (!t) throw new SimulationError(`${op.op}: table '${name}' does not exist`);
    return t;
  };
  // Where indexes are named per table (MySQL, SQL Server) an index's name never clashes with a table's.
  const indexesShareNames = adapter.facts.indexNamespace === 'schema';
  const relationTaken = (name: string) =>
    snap.tables.some((t) => t.name === name || (indexesShareNames && t.indexes.some((i) => i.name === name))) ||
    snap.views.some((v) => v.name === name) ||
    (snap.search ?? []).some((x) => adapter.facts.searchObjectNames(x.table).relations.includes(name));
  const needColumns = (t: SnapshotTable, cols: readonly string[]) => {
    for (const c of cols) if (!t.columns.some((x) => x.name === c)) throw new SimulationError(`${op.op}: column '${c}' does not exist on '${t.name}'`);
  };
  /** Foreign keys pointing at a table (a table's keys to itself do not stop its own drop) or at one of its columns. */
  const referencing = (name: string, column?: string) =>
    snap.tables.flatMap((t) =>
      t.foreignKeys
        .filter((fk) => fk.refTable === name && (column === undefined ? t.name !== name : fk.refColumns.includes(column)))
        .map((fk) => `${t.name}.${fk.columns.join(',')}`),
    );

  // Column changes (kept out of DdlOp): the column takes the schema's type, nullability and default.
  const change = op as unknown as AlterColumnOp | RebuildTablesOp;
  if (change.op === 'alterColumn' || change.op === 'rebuildTables') {
    const changed = change.op;
    const alters =
      change.op === 'alterColumn'
        ? [{ table: change.table, columns: [change.column] }]
        : change.tables.map((r) => ({ table: r.table.name, columns: r.table.columns.filter((c) => c.name in r.changes) }));
    for (const a of alters) {
      const t = table(a.table);
      for (const c of a.columns) {
        const i = t.columns.findIndex((x) => x.name === c.name);
        if (i < 0) throw new SimulationError(`${changed}: column '${c.name}' does not exist on '${t.name}'`);
        t.columns[i] = { ...columnOf(c, adapter, env), primaryKey: t.columns[i].primaryKey };
      }
    }
    return;
  }
  switch (op.op) {
    case 'createTable':
      if (relationTaken(op.table.name)) throw new SimulationError(`createTable: '${op.table.name}' already names a table or index`);
      snap.tables.push(newTable(op.table, adapter, env));
      return;
    case 'addColumn': {
      const t = table(op.table);
      if (t.columns.some((c) => c.name === op.column.name)) throw new SimulationError(`addColumn: '${op.table}.${op.column.name}' already exists`);
      t.columns.push(columnOf(op.column, adapter, env));
      const ref = op.column.references;
      // Inline REFERENCES on ADD COLUMN is how a dialect without ALTER ... ADD FOREIGN KEY keys a new column.
      if (ref && !caps.alterAddForeignKey) {
        t.foreignKeys.push({ name: generatedName(op.table, 'fk', [op.column.name]), columns: [op.column.name], refTable: ref.table, refColumns: [ref.column], onDelete: ref.onDelete });
      }
      return;
    }
    case 'dropColumn': {
      const t = table(op.table);
      needColumns(t, [op.column]);
      const users = referencing(op.table, op.column);
      if (users.length) throw new SimulationError(`dropColumn: '${op.table}.${op.column}' is referenced by ${users.join(', ')}`);
      const quoted = adapter.compiler.quoteIdent(op.column);
      const indexes = t.indexes.filter((i) => [...i.columns, ...(i.include ?? [])].includes(op.column) || [i.where, i.expression].some((x) => x?.includes(quoted)));
      if (indexes.length) {
        throw new SimulationError(`dropColumn: '${op.table}.${op.column}' is used by index ${indexes.map((i) => `'${i.name}'`).join(', ')} (SQLite refuses the drop)`);
      }
      if (snap.search?.some((x) => x.table === op.table && x.columns.includes(op.column))) {
        throw new SimulationError(`dropColumn: '${op.table}.${op.column}' is used by the full-text search object (its triggers, or the generated search column)`);
      }
      t.columns = t.columns.filter((c) => c.name !== op.column);
      t.foreignKeys = t.foreignKeys.filter((fk) => !fk.columns.includes(op.column));
      return;
    }
    case 'createIndex': {
      const t = table(op.table);
      // Per-table index names (MySQL): only another index of this table takes the name; else tables and indexes share one.
      const key = (n: string) => adapter.facts.identifierKey?.(n) ?? n;
      const taken =
        adapter.facts.indexNamespace === 'table' ? t.indexes.some((i) => key(i.name) === key(op.index.name)) : relationTaken(op.index.name);
      if (taken) throw new SimulationError(`createIndex: '${op.index.name}' on '${op.table}' already names a table or index`);
      needColumns(t, [...op.index.columns, ...(op.index.include ?? [])]);
      t.indexes.push(toSnapshotIndex(op.index));
      return;
    }
    case 'dropIndex': {
      const t = table(op.table);
      t.indexes = t.indexes.filter((i) => i.name !== op.index);
      return;
    }
    case 'addForeignKey': {
      const t = table(op.table);
      needColumns(t, op.fk.columns);
      needColumns(table(op.fk.refTable), op.fk.refColumns);
      t.foreignKeys.push({ ...op.fk, columns: [...op.fk.columns], refColumns: [...op.fk.refColumns] });
      return;
    }
    case 'dropForeignKey': {
      const t = table(op.table);
      t.foreignKeys = t.foreignKeys.filter((fk) => fk.name !== op.fk);
      return;
    }
    case 'dropTable': {
      table(op.table);
      const users = referencing(op.table);
      // Where keys can be altered (Postgres) DROP TABLE refuses a referenced table; SQLite checks keys on DROP
      // TABLE only against rows (its implicit DELETE), and the model holds none.
      if (users.length && caps.alterAddForeignKey) throw new SimulationError(`dropTable: '${op.table}' is still referenced by ${users.join(', ')}`);
      // The table's search object would be left behind without its table (SQLite keeps the FTS table).
      if (snap.search?.some((x) => x.table === op.table)) throw new SimulationError(`dropTable: '${op.table}' still has its full-text search object`);
      snap.tables = snap.tables.filter((t) => t.name !== op.table);
      return;
    }
    case 'createView':
      if (relationTaken(op.table.name)) throw new SimulationError(`createView: '${op.table.name}' already names a table or index`);
      snap.views.push({ name: op.table.name, materialized: !!op.table.view?.materialized });
      return;
    case 'createSearch': {
      const t = table(op.table.name);
      needColumns(t, op.columns.map((c) => c.name));
      if (snap.search?.some((x) => x.table === t.name)) throw new SimulationError(`createSearch: '${t.name}' already has a full-text search object`);
      for (const name of adapter.facts.searchObjectNames(t.name).relations) {
        if (relationTaken(name)) throw new SimulationError(`createSearch: '${name}' already names a table or index`);
      }
      snap.search = [...(snap.search ?? []), { table: t.name, columns: op.columns.map((c) => c.name), complete: true }];
      return;
    }
    case 'dropSearch':
      snap.search = snap.search?.filter((x) => x.table !== op.table);
      return;
    case 'createExtension':
      snap.extensions = [...(snap.extensions ?? []), op.name];
      return;
  }
}

/**
 * The database a perfect push of `ir` into an empty database leaves: what every plan for `ir` must reach.
 * Built through the same operations, so it also checks that the schema's objects fit one namespace.
 */
export function snapshotOf(ir: SchemaIR, adapter: SimAdapter): Snapshot {
  const empty: Snapshot = { dialect: adapter.capabilities.dialect, tables: [], views: [] };
  return applyPlanned(empty, planPush(ir, empty, adapter).toApply, adapter, ir);
}

/** Apply the planned operations that emit SQL; a comment-only operation changes nothing, as in the database. */
function applyPlanned(snap: Snapshot, planned: ReadonlyArray<{ op: DdlOp; sql: readonly string[] }>, adapter: SimAdapter, ir: SchemaIR): Snapshot {
  const next = structuredClone(snap);
  const env = envFor(ir, snap);
  for (const { op, sql } of planned) if (sql.length > 0) applyOp(next, op, adapter, env);
  return next;
}

/** `forge push` then `forge diff apply`, each planned against the state the previous one left. */
export function simulatePushThenDiffApply(ir: SchemaIR, from: Snapshot, adapter: SimAdapter): Snapshot {
  const pushed = applyPlanned(from, planPush(ir, from, adapter).toApply, adapter, ir);
  const report = diffSchema(ir, pushed, adapter);
  const env = envFor(ir, pushed);
  const steps = planDriftApply(report, ir, pushed, adapter).ops.map((step) => ({ op: step.op, sql: emitDriftStep(adapter, step, env, false).sql }));
  return applyPlanned(pushed, steps, adapter, ir);
}

/** A canonical, order-free rendering of a snapshot's shape, for comparing two of them. */
function shapeOf(snap: Snapshot): string[] {
  const lines: string[] = [];
  for (const t of [...snap.tables].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    for (const c of t.columns) lines.push(`column ${JSON.stringify(t.name)}.${JSON.stringify(c.name)} ${c.type}${c.nullable ? ' null' : ''}${c.primaryKey ? ' pk' : ''}`);
    // By signature, the seed's identity of an index: push takes an unnamed index as present when one with
    // the same columns and uniqueness exists. Named indexes' deep fields are diff's deep pass, checked apart.
    for (const i of t.indexes) lines.push(`index ${JSON.stringify(t.name)} ${indexSignature(i)}`);
    for (const fk of t.foreignKeys) lines.push(`fk ${JSON.stringify(t.name)} ${JSON.stringify(fk.columns)} -> ${JSON.stringify(fk.refTable)} ${JSON.stringify(fk.refColumns)}`);
    if (t.columns.length === 0) lines.push(`table ${JSON.stringify(t.name)}`);
  }
  for (const v of snap.views) lines.push(`view ${JSON.stringify(v.name)}`);
  for (const n of snap.internal ?? []) lines.push(`internal ${JSON.stringify(n)}`);
  for (const x of snap.search ?? []) lines.push(`search ${JSON.stringify(x.table)} ${JSON.stringify([...x.columns].sort())}${x.complete ? '' : ' incomplete'}`);
  return lines.sort();
}

/** Lines in one shape and not the other, marked `-` (only in `want`) and `+` (only in `got`). */
export function shapeDifference(want: Snapshot, got: Snapshot): string[] {
  // Sets: two indexes of one shape are one line, as they are one index to drift.
  const a = new Set(shapeOf(want));
  const b = new Set(shapeOf(got));
  return [...[...a].filter((l) => !b.has(l)).map((l) => `- ${l}`), ...[...b].filter((l) => !a.has(l)).map((l) => `+ ${l}`)];
}

/**
 * What the schema declares and the live database lacks, checked directly rather than through diff: a
 * table, a column, an index of the same shape, a foreign key. Drift rules that skip objects on purpose
 * (engine-managed names) cannot hide a missing one from this check.
 */
export function absentFrom(live: Snapshot, ir: SchemaIR, adapter: Pick<Adapter, 'capabilities' | 'facts'>, notes: readonly string[] = []): string[] {
  const out: string[] = [];
  const sig = (ix: Parameters<typeof indexSignature>[0]) => indexSignature(ix, adapter);
  for (const t of Object.values(ir.models)) {
    if (t.readonly || t.view) continue;
    const lt = live.tables.find((x) => x.name === t.name);
    if (!lt) {
      out.push(`table ${JSON.stringify(t.name)}`);
      continue;
    }
    for (const c of t.columns) if (!lt.columns.some((x) => x.name === c.name)) out.push(`column ${JSON.stringify(t.name)}.${JSON.stringify(c.name)}`);
    const sigs = new Set(lt.indexes.map(sig));
    // An index forge said it cannot create here (a note naming it) is rightly absent.
    const noted = (name: string) => notes.some((n) => n.includes(`index ${name} on ${t.name} `));
    for (const ix of t.indexes) if (!sigs.has(sig(ix)) && !noted(ix.name)) out.push(`index ${JSON.stringify(ix.name)} (${sig(ix)}) on ${JSON.stringify(t.name)}`);
    for (const fk of t.foreignKeys) if (!hasForeignKey(fk, lt.foreignKeys)) out.push(`foreign key ${JSON.stringify(t.name)}.${fk.columns.join(',')} -> ${fk.refTable}`);
    const searchable = t.columns.filter((c) => c.searchable).map((c) => c.name).sort();
    const search = live.search?.find((x) => x.table === t.name);
    if (searchable.length && (!search?.complete || [...search.columns].sort().join('\0') !== searchable.join('\0'))) {
      out.push(`full-text search of ${JSON.stringify(t.name)} over ${JSON.stringify(searchable)} (the database has ${search ? JSON.stringify(search.columns) : 'none'})`);
    }
  }
  return out;
}

/**
 * Whether two objects of the schema would take one name where the dialect keeps tables, indexes and search
 * objects in one namespace (or indexes per table), counted here directly, or a name the dialect refuses
 * outright (`DialectFacts.identifierProblem`): the oracle for the SchemaError push and diff apply must raise
 * before any DDL.
 */
export function namesCollide(ir: SchemaIR, adapter: Pick<Adapter, 'facts'>): boolean {
  const facts = adapter.facts;
  const seen = new Set<string>();
  const take = (scope: string, name: string) => {
    const folded = facts.identifierKey?.(name) ?? name;
    const key = facts.indexNamespace === 'schema' ? folded : `${scope}\0${folded}`;
    if (seen.has(key)) return true;
    seen.add(key);
    return false;
  };
  const tables = Object.values(ir.models);
  // A name the dialect refuses outright (MySQL: a trailing space) is refused the same way, before any DDL.
  const refused = (name: string) => !!facts.identifierProblem?.(name);
  if (tables.some((t) => refused(t.name) || t.columns.some((c) => refused(c.name)) || t.indexes.some((ix) => refused(ix.name)))) return true;
  let clash = false;
  if (facts.indexNamespace === 'schema') for (const t of tables) clash = take('', t.name) || clash;
  for (const t of tables) {
    if (t.view || t.readonly) continue;
    for (const n of facts.impliedRelationNames?.(t) ?? []) clash = take(t.name, n) || clash;
    for (const ix of t.indexes) clash = take(t.name, ix.name) || clash;
    if (!t.columns.some((c) => c.searchable)) continue;
    const search = facts.searchObjectNames(t.name);
    for (const n of search.relations) clash = take(t.name, n) || clash;
    clash = search.columns.some((c) => t.columns.some((x) => x.name === c)) || clash;
  }
  return clash;
}

/**
 * Whether B gives a name to another object than A did in the namespace of tables and indexes (A's index
 * `x` on one table, B's table `x`, or B's index `x` on another table). The name is free only once diff
 * apply dropped A's object, after push tried to create B's: push + diff apply do not converge in one pass
 * (reported in RELIABILITY.md; the plan simulation leaves such pairs out).
 */
export function reusesFreedName(irA: SchemaIR, irB: SchemaIR): boolean {
  const owners = (ir: SchemaIR) => {
    const out = new Map<string, string>();
    for (const t of Object.values(ir.models)) {
      out.set(t.name, `table`);
      for (const ix of t.indexes) out.set(ix.name, `index on ${t.name}`);
    }
    return out;
  };
  const a = owners(irA);
  return [...owners(irB)].some(([name, owner]) => a.has(name) && a.get(name) !== owner);
}
