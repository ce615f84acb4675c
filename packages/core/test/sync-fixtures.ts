// Adapters are imported by test files only, resolved from source by the workspace aliases. They are not in
// core's package.json: a devDependency there would make the workspace graph cyclic (turbo refuses to build).
import { capabilities as postgresCapabilities } from '@forge/adapter-postgres';
import { capabilities as sqliteCapabilities } from '@forge/adapter-sqlite';
import type {
  Capabilities,
  DdlEmitter,
  DdlOp,
  EmittedDdl,
  SchemaIR,
  Snapshot,
  SnapshotColumn,
  SnapshotIndex,
  SnapshotTable,
} from '../src/index.js';

/**
 * Test data for the pure schema-sync tests: capability sets, snapshot builders and a tiny emitter.
 *
 * The capability sets are the real adapters' (a test file may import adapters; core's src never does), so a
 * flag an adapter changes is a flag these tests see. `over` narrows one for a case ("a dialect without X").
 */

export function pgCaps(over: Partial<Capabilities> = {}): Capabilities {
  return { ...postgresCapabilities, ...over };
}

export function sqliteCaps(over: Partial<Capabilities> = {}): Capabilities {
  return { ...sqliteCapabilities, ...over };
}

export const col = (name: string, type = 'text', extra: Partial<SnapshotColumn> = {}): SnapshotColumn => ({
  name,
  type,
  nullable: true,
  primaryKey: false,
  ...extra,
});

export const idx = (name: string, columns: string[], extra: Partial<SnapshotIndex> = {}): SnapshotIndex => ({
  name,
  columns,
  unique: false,
  primary: false,
  ...extra,
});

const PG_TYPES: Record<string, string> = {
  id: 'uuid',
  string: 'text',
  text: 'text',
  int: 'integer',
  bigint: 'bigint',
  float: 'double precision',
  decimal: 'numeric',
  bool: 'boolean',
  dateTime: 'timestamp with time zone',
  uuid: 'uuid',
  json: 'jsonb',
  enum: 'text',
};

/** The snapshot a perfect push of `ir` would leave behind (Postgres spellings), for tests to perturb. */
export function snapshotOf(ir: SchemaIR, dialect = 'postgres'): Snapshot {
  const tables: SnapshotTable[] = [];
  const views: Snapshot['views'] = [];
  for (const t of Object.values(ir.models)) {
    if (t.view) {
      views.push({ name: t.name, materialized: t.view.materialized });
      continue;
    }
    tables.push({
      name: t.name,
      columns: t.columns.map((c) => col(c.name, c.dbType ?? PG_TYPES[c.kind] ?? 'text', { nullable: c.nullable, primaryKey: c.primaryKey })),
      indexes: [
        ...(t.primaryKey.length ? [idx(`${t.name}_pkey`, t.primaryKey, { unique: true, primary: true })] : []),
        ...t.indexes.map((i) =>
          idx(i.name, i.columns, { unique: i.unique, method: i.method ?? 'btree', where: i.where, include: i.include, expression: i.expression }),
        ),
      ],
      foreignKeys: t.foreignKeys.map((fk) => ({ name: fk.name, columns: fk.columns, refTable: fk.refTable, refColumns: fk.refColumns })),
    });
  }
  return { dialect, tables, views, internal: [], extensions: [] };
}

export function tableOf(snap: Snapshot, name: string): SnapshotTable {
  const t = snap.tables.find((x) => x.name === name);
  if (!t) throw new Error(`fixture has no table ${name}`);
  return t;
}

/**
 * A readable emitter: one line of pseudo-SQL per operation, so plans can be asserted by eye. With
 * `inlineForeignKeys` it behaves like SQLite and answers ADD FOREIGN KEY with a comment only.
 */
export function fixtureEmitter(opts: { inlineForeignKeys?: boolean; extensions?: string[] } = {}): DdlEmitter & { envs: unknown[] } {
  const envs: unknown[] = [];
  const emit = (op: DdlOp, env?: unknown): EmittedDdl => {
    envs.push(env);
    switch (op.op) {
      case 'createTable':
        return { sql: [`CREATE TABLE ${op.table.name}`] };
      case 'addColumn':
        return { sql: [`ALTER TABLE ${op.table} ADD COLUMN ${op.column.name}`] };
      case 'dropColumn':
        return { sql: [`ALTER TABLE ${op.table} DROP COLUMN ${op.column}`] };
      case 'createIndex':
        return { sql: [`CREATE ${op.index.unique ? 'UNIQUE ' : ''}INDEX ${op.index.name} ON ${op.table}`] };
      case 'dropIndex':
        return { sql: [`DROP INDEX ${op.index}`] };
      case 'addForeignKey':
        return opts.inlineForeignKeys
          ? { sql: [], comment: `cannot ALTER ADD FOREIGN KEY ${op.fk.name}` }
          : { sql: [`ALTER TABLE ${op.table} ADD CONSTRAINT ${op.fk.name}`] };
      case 'dropForeignKey':
        return { sql: [`ALTER TABLE ${op.table} DROP CONSTRAINT ${op.fk}`] };
      case 'dropTable':
        return { sql: [`DROP TABLE IF EXISTS ${op.table}`] };
      case 'createView':
        return { sql: [`CREATE VIEW ${op.table.name}`] };
      case 'createSearch':
        return { sql: [`CREATE SEARCH ${op.table.name}(${op.columns.map((c) => c.name).join(',')})`] };
      case 'createExtension':
        return { sql: [`CREATE EXTENSION IF NOT EXISTS ${op.name}`] };
      default:
        // Operations added to DdlOp later read as their name and table until a case above spells them.
        return { sql: [`${(op as { op: string }).op.toUpperCase()} ${(op as { table?: unknown }).table ?? ''}`.trim()] };
    }
  };
  return {
    envs,
    emit,
    reverse(op) {
      switch (op.op) {
        case 'addColumn':
          return { sql: [`ALTER TABLE ${op.table} DROP COLUMN ${op.column.name}`] };
        case 'dropColumn':
          return { sql: [`ALTER TABLE ${op.table} ADD COLUMN ${op.column} ${op.was?.type ?? 'TEXT'}`] };
        case 'createIndex':
          return { sql: [`DROP INDEX ${op.index.name}`] };
        case 'addForeignKey':
          return { sql: [`ALTER TABLE ${op.table} DROP CONSTRAINT ${op.fk.name}`] };
        case 'dropTable':
          return { sql: [], comment: `cannot auto-restore dropped table ${op.table}` };
        default:
          return { sql: [], comment: `no reverse for ${op.op}` };
      }
    },
    columnType: (c) => PG_TYPES[c.kind] ?? 'text',
    extensionsFor: () => opts.extensions ?? [],
  };
}
