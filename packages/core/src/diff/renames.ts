/**
 * Renames are never guessed (issue 14). A `.renamedFrom('old')` on a field or a model, or an answer in a
 * `--renames` file, turns what would be a drop + add into RENAME (rows kept). The plan is pure: the rename
 * operations, and the snapshot as it will be once they ran, so every later planning step (push, diff apply,
 * generate) sees the renamed tables and columns. A drop + add in one table that looks like a rename is
 * returned as a possible rename, for the preview to name.
 */
import type { Adapter, RenameOp } from '../adapter.js';
import { ConfigError } from '../errors.js';
import type { SchemaIR, Snapshot, SnapshotTable } from '../schema/ir.js';
import { categoryOfColumn } from './categories.js';
import { isAlwaysIgnored } from './ignore.js';

/**
 * The `--renames <file>` answers: `"users.handle": "username"` (column users.handle was users.username),
 * `"people": "users"` (table people was users), `false` for "not a rename: drop and add".
 */
export type RenameAnswers = Record<string, string | false | null>;

export interface PossibleRename {
  kind: 'table' | 'column';
  /** The table the column is in (for a table rename: the new table). */
  table: string;
  from: string;
  to: string;
  /** The key a `--renames` file answers it with. */
  key: string;
}

export interface RenamePlan {
  ops: RenameOp[];
  /** The snapshot as it is once `ops` ran. */
  snap: Snapshot;
  possible: PossibleRename[];
}

type RenameAdapter = Pick<Adapter, 'capabilities' | 'facts'>;

/** Check a parsed `--renames` file: an object of strings (or false / null). */
export function checkRenameAnswers(value: unknown, source: string): RenameAnswers {
  const fail = (why: string) =>
    new ConfigError(`${source}: ${why}. Write a JSON object such as {"users.handle": "username", "people": "users", "users.bio": false}`);
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw fail('it is not a JSON object');
  for (const [k, v] of Object.entries(value)) {
    if (!(typeof v === 'string' && v.length > 0) && v !== false && v !== null) throw fail(`"${k}" must map to the old name (a string) or false`);
  }
  return value as RenameAnswers;
}

function cloneTable(t: SnapshotTable): SnapshotTable {
  return {
    ...t,
    columns: t.columns.map((c) => ({ ...c })),
    indexes: t.indexes.map((i) => ({ ...i, columns: [...i.columns] })),
    foreignKeys: t.foreignKeys.map((f) => ({ ...f, columns: [...f.columns], refColumns: [...f.refColumns] })),
  };
}

export function planRenames(ir: SchemaIR, snap: Snapshot, adapter: RenameAdapter, answers: RenameAnswers = {}): RenamePlan {
  const tables = snap.tables.map(cloneTable);
  const live = () => new Map(tables.map((t) => [t.name, t]));
  const models = Object.values(ir.models).filter((t) => !t.readonly && !t.view);
  const modelNames = new Set(Object.values(ir.models).map((t) => t.name));
  const ops: RenameOp[] = [];
  const answered = (key: string, hint?: string) => {
    const a = answers[key];
    return typeof a === 'string' ? a : a === false || a === null ? undefined : hint;
  };

  for (const t of models) {
    const from = answered(t.name, t.renamedFrom);
    const byName = live();
    if (!from || byName.has(t.name) || !byName.has(from) || modelNames.has(from)) continue;
    ops.push({ op: 'renameTable', from, to: t.name });
    byName.get(from)!.name = t.name;
    for (const other of tables) for (const fk of other.foreignKeys) if (fk.refTable === from) fk.refTable = t.name;
    if (snap.search) snap = { ...snap, search: snap.search.map((s) => (s.table === from ? { ...s, table: t.name } : s)) };
  }
  for (const t of models) {
    const lt = live().get(t.name);
    if (!lt) continue;
    for (const c of t.columns) {
      const from = answered(`${t.name}.${c.name}`, c.renamedFrom);
      const has = (n: string) => lt.columns.some((x) => x.name === n);
      if (!from || has(c.name) || !has(from) || t.columns.some((x) => x.name === from)) continue;
      ops.push({ op: 'renameColumn', table: t.name, from, to: c.name });
      const swap = (n: string) => (n === from ? c.name : n);
      for (const col of lt.columns) col.name = swap(col.name);
      for (const ix of lt.indexes) ix.columns = ix.columns.map(swap);
      for (const fk of lt.foreignKeys) fk.columns = fk.columns.map(swap);
      for (const other of tables) for (const fk of other.foreignKeys) if (fk.refTable === t.name) fk.refColumns = fk.refColumns.map(swap);
    }
  }
  const after: Snapshot = { ...snap, tables };
  return { ops, snap: after, possible: possibleRenames(ir, after, adapter, answers) };
}

/** Drop + add pairs that may be renames: a missing table and an extra one sharing most columns; a missing and an extra column of one category in one table. */
function possibleRenames(ir: SchemaIR, snap: Snapshot, adapter: RenameAdapter, answers: RenameAnswers): PossibleRename[] {
  const out: PossibleRename[] = [];
  const live = new Map(snap.tables.map((t) => [t.name, t]));
  const models = Object.values(ir.models).filter((t) => !t.readonly && !t.view);
  const modelNames = new Set(Object.values(ir.models).map((t) => t.name));
  const extraTables = snap.tables.filter((t) => !modelNames.has(t.name) && !isAlwaysIgnored(t.name, snap, adapter.capabilities));
  for (const t of models) {
    if (live.has(t.name) || t.name in answers) continue;
    for (const x of extraTables) {
      const shared = x.columns.filter((c) => t.columns.some((m) => m.name === c.name)).length;
      if (shared * 2 >= Math.max(t.columns.length, x.columns.length)) out.push({ kind: 'table', table: t.name, from: x.name, to: t.name, key: t.name });
    }
  }
  for (const t of models) {
    const lt = live.get(t.name);
    if (!lt) continue;
    const missing = t.columns.filter((c) => !lt.columns.some((x) => x.name === c.name));
    const extra = lt.columns.filter((x) => !t.columns.some((c) => c.name === x.name));
    for (const m of missing) {
      const key = `${t.name}.${m.name}`;
      if (key in answers) continue;
      const want = categoryOfColumn(m, adapter.facts);
      for (const x of extra) {
        const have = adapter.facts.categoryOf(x.type);
        if (!want || !have || want === have) out.push({ kind: 'column', table: t.name, from: x.name, to: m.name, key });
      }
    }
  }
  return out;
}

/** The statements of a rename (or its reverse), or a ConfigError naming the adapter that cannot rename. */
export function emitRename(adapter: Pick<Adapter, 'ddl' | 'kind'>, op: RenameOp, reverse = false): string[] {
  if (!adapter.ddl.rename) {
    const what = op.op === 'renameTable' ? `table ${op.from} to ${op.to}` : `${op.table}.${op.from} to ${op.to}`;
    throw new ConfigError(
      `the ${adapter.kind} adapter cannot rename (its DDL emitter has no rename()): renaming ${what} was declared with .renamedFrom(). Remove the hint and migrate by hand, or use another adapter version`,
    );
  }
  const r: RenameOp = !reverse ? op : op.op === 'renameTable' ? { op: 'renameTable', from: op.to, to: op.from } : { op: 'renameColumn', table: op.table, from: op.to, to: op.from };
  return adapter.ddl.rename(r).sql;
}

export function describeRename(op: RenameOp): string {
  return op.op === 'renameTable' ? `rename table ${op.from} to ${op.to}` : `rename ${op.table}.${op.from} to ${op.table}.${op.to}`;
}
