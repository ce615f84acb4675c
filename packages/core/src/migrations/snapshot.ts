/**
 * The schema a migration leaves, kept beside the files (`migrations/.snapshots/<name>.json`), so `forge
 * generate` plans the next file from it without a database. One snapshot per migration file: two branches
 * that each generate one add two new snapshot files and never edit the same one, so they merge without a
 * clash. After such a merge the baseline is the three-way merge of the sibling snapshots over their parent.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Adapter, DdlEnv } from '../adapter.js';
import { ConfigError } from '../errors.js';
import { defaultText, rememberSchemaColumn, schemaDefault } from '../diff/columns.js';
import { enumTypesOf } from '../schema/model.js';
import type { SchemaIR, Snapshot, SnapshotColumn, SnapshotTable, TableIR } from '../schema/ir.js';

export const SNAPSHOT_DIR = '.snapshots';

export interface SchemaSnapshotFile {
  forge: 'schema-snapshot';
  version: 1;
  dialect: string;
  /** The migration this snapshot follows. */
  migration: string;
  schema: SchemaIR;
}

/** `0007_20261202_101500_add_status` → 7; undefined for names outside the numbered scheme. */
export function migrationNumber(name: string): number | undefined {
  const m = /^(\d{4,})_/.exec(name);
  return m ? Number(m[1]) : undefined;
}

export async function writeSnapshot(dir: string, name: string, dialect: string, ir: SchemaIR): Promise<string> {
  const folder = path.join(dir, SNAPSHOT_DIR);
  await mkdir(folder, { recursive: true });
  const file = path.join(folder, `${name}.json`);
  const body: SchemaSnapshotFile = { forge: 'schema-snapshot', version: 1, dialect, migration: name, schema: stripForSnapshot(ir) };
  await writeFile(file, JSON.stringify(body, null, 2) + '\n');
  return file;
}

/** Every snapshot beside the files, by migration name, oldest name first. */
export async function readSnapshots(dir: string): Promise<SchemaSnapshotFile[]> {
  const folder = path.join(dir, SNAPSHOT_DIR);
  let names: string[];
  try {
    names = (await readdir(folder)).filter((f) => f.endsWith('.json')).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const out: SchemaSnapshotFile[] = [];
  for (const f of names) {
    const file = path.join(folder, f);
    let parsed: SchemaSnapshotFile;
    try {
      parsed = JSON.parse(await readFile(file, 'utf8')) as SchemaSnapshotFile;
    } catch (e) {
      throw new ConfigError(`${file} is not valid JSON (${(e as Error).message}): restore it from version control, or delete it and generate from the file before it`);
    }
    if (parsed?.forge !== 'schema-snapshot' || !parsed.schema?.models) throw new ConfigError(`${file} is not a forge schema snapshot: restore it from version control`);
    out.push(parsed);
  }
  return out;
}

/**
 * The schema the migrations so far leave: the newest snapshot, or, when the newest number was generated on
 * more than one branch (two `0005_` files), those siblings merged over the snapshot before them.
 */
export function baselineOf(snapshots: SchemaSnapshotFile[]): { ir: SchemaIR; dialect: string; merged: string[] } | undefined {
  if (snapshots.length === 0) return undefined;
  const newest = snapshots.at(-1)!;
  const n = migrationNumber(newest.migration);
  const siblings = n === undefined ? [newest] : snapshots.filter((s) => migrationNumber(s.migration) === n);
  if (siblings.length < 2) return { ir: newest.schema, dialect: newest.dialect, merged: [] };
  const parent = [...snapshots].reverse().find((s) => !siblings.includes(s) && (migrationNumber(s.migration) ?? 0) < n!);
  const base = parent?.schema ?? { models: {} };
  return { ir: mergeSchemas(base, siblings.map((s) => s.schema)), dialect: newest.dialect, merged: siblings.map((s) => s.migration) };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Three-way merge by name: a table, column, index or key any sibling changed takes that sibling's version (or its absence). */
function mergeKeyed<T>(base: Map<string, T>, sides: Array<Map<string, T>>, merge?: (b: T | undefined, s: Array<T | undefined>) => T | undefined): Map<string, T> {
  const keys = new Set([...base.keys(), ...sides.flatMap((s) => [...s.keys()])]);
  const out = new Map<string, T>();
  for (const k of keys) {
    const b = base.get(k);
    const vs = sides.map((s) => s.get(k));
    let v: T | undefined;
    if (merge && b !== undefined && vs.every((x) => x !== undefined)) v = merge(b, vs);
    else {
      const changed = vs.filter((x) => !same(x, b));
      v = changed.length ? changed.find((x) => x !== undefined) ?? undefined : b;
      if (changed.some((x) => x === undefined) && b !== undefined) v = undefined;
    }
    if (v !== undefined) out.set(k, v);
  }
  return out;
}

function mergeSchemas(base: SchemaIR, sides: SchemaIR[]): SchemaIR {
  const byName = (ir: SchemaIR) => new Map(Object.values(ir.models).map((t) => [t.name, t]));
  const tables = mergeKeyed(byName(base), sides.map(byName), (b, vs) => {
    const t = b!;
    const pick = <K extends 'columns' | 'indexes' | 'foreignKeys'>(key: K) =>
      [...mergeKeyed(new Map(t[key].map((x) => [x.name, x])), vs.map((v) => new Map(v![key].map((x) => [x.name, x])))).values()] as TableIR[K];
    return { ...t, columns: pick('columns'), indexes: pick('indexes'), foreignKeys: pick('foreignKeys') };
  });
  return { models: Object.fromEntries([...tables.values()].map((t) => [t.name, t])) };
}

/** What a snapshot keeps: the IR without rename hints (they were applied by the migration that carried them). */
function stripForSnapshot(ir: SchemaIR): SchemaIR {
  const models: Record<string, TableIR> = {};
  for (const [k, t] of Object.entries(ir.models)) {
    const { renamedFrom: _t, ...table } = t;
    models[k] = { ...table, columns: t.columns.map(({ renamedFrom: _c, ...c }) => c) };
  }
  return { models };
}

/**
 * The live-database shape a schema would have once pushed, in the vocabulary introspection uses, so diff and
 * the planners can compare the schema with a snapshot exactly as they compare it with a database.
 */
export function snapshotFromSchema(ir: SchemaIR, adapter: Pick<Adapter, 'ddl' | 'kind'> & Partial<Pick<Adapter, 'capabilities'>>): Snapshot {
  const enumTypes = adapter.capabilities?.enumTypes === true;
  const all = Object.values(ir.models).filter((t) => !t.readonly);
  const env: DdlEnv = { extensions: [], tables: Object.values(ir.models) };
  const tables: SnapshotTable[] = all
    .filter((t) => !t.view)
    .map((t) => ({
      name: t.name,
      columns: t.columns.map((c) => {
        const native = adapter.ddl.columnType(c, env);
        // An enum type's name keeps its case (`"Role"`), as the catalog prints it.
        const col: SnapshotColumn = { name: c.name, type: c.enumType ? native : native.toLowerCase(), nullable: c.nullable, primaryKey: t.primaryKey.includes(c.name) };
        // The default in the canonical text diff reads back (`'member'`, `42`, `CURRENT_TIMESTAMP`), and the column
        // itself for a down block that restores it as the previous schema declared it.
        const dflt = defaultText(schemaDefault(c));
        if (dflt !== null) col.default = dflt;
        if (enumTypes && c.kind === 'enum' && c.enumType && c.enumValues?.length) col.enumType = c.enumType;
        rememberSchemaColumn(col, c);
        return col;
      }),
      indexes: t.indexes.map((ix) => {
        const out: SnapshotTable['indexes'][number] = { name: ix.name, columns: [...ix.columns], directions: [...ix.directions], unique: ix.unique, primary: false };
        if (ix.method) out.method = ix.method;
        if (ix.where) out.where = ix.where;
        if (ix.include?.length) out.include = [...ix.include];
        if (ix.expression) out.expression = ix.expression;
        return out;
      }),
      foreignKeys: t.foreignKeys.map((fk) => ({ name: fk.name, columns: [...fk.columns], refTable: fk.refTable, refColumns: [...fk.refColumns], ...(fk.onDelete ? { onDelete: fk.onDelete } : {}), ...(fk.onUpdate ? { onUpdate: fk.onUpdate } : {}) })),
    }));
  const search = all
    .filter((t) => !t.view && t.columns.some((c) => c.searchable))
    .map((t) => ({ table: t.name, columns: t.columns.filter((c) => c.searchable).map((c) => c.name), complete: true }));
  return {
    dialect: adapter.kind,
    tables,
    views: all.filter((t) => t.view).map((t) => ({ name: t.name, materialized: !!t.view!.materialized })),
    search,
    extensions: [],
    ...(enumTypes ? { enumTypes: enumTypesOf({ models: Object.fromEntries(all.map((t) => [t.name, t])) }) } : {}),
  };
}
