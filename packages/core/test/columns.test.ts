import { describe, expect, it } from 'vitest';
import type { ColumnIR, Field } from '../src/index.js';
import { buildSchemaIR, diffSchema, f, model } from '../src/index.js';
import { isWidening, nullabilityDiffers, sameDefault, sqliteAffinity } from '../src/diff/columns.js';
import { col, snapshotOf, tableOf } from './sync-fixtures.js';
import { lite, pg } from './facts-fixtures.js';
import { postgresFacts } from '@forge/adapter-postgres';

// The types forge's SQLite emitter declares, as adapter-sqlite's columnType writes them.
const sqliteDdl = {
  columnType: (c: ColumnIR) => c.dbType ?? (['int', 'bigint', 'bool'].includes(c.kind) ? 'INTEGER' : c.kind === 'float' ? 'REAL' : 'TEXT'),
  emit: () => ({ sql: [] }),
};
const liteWithDdl = () => ({ ...lite(), ddl: sqliteDdl as never });

describe('sqliteAffinity: the five rules of datatype3.html 3.1, in their order', () => {
  it.each([
    ['INTEGER', 'INTEGER'],
    ['bigint', 'INTEGER'],
    ['unsigned big int', 'INTEGER'],
    // INT is looked for first: "POINT" holds INT.
    ['POINT', 'INTEGER'],
    ['nvarchar(120)', 'TEXT'],
    ['CLOB', 'TEXT'],
    ['text', 'TEXT'],
    ['BLOB', 'BLOB'],
    ['', 'BLOB'],
    ['REAL', 'REAL'],
    ['double precision', 'REAL'],
    ['FLOAT', 'REAL'],
    ['numeric(10,2)', 'NUMERIC'],
    ['DECIMAL', 'NUMERIC'],
    ['datetime', 'NUMERIC'],
    ['boolean', 'NUMERIC'],
    ['json', 'NUMERIC'],
  ])('%s is %s', (type, affinity) => {
    expect(sqliteAffinity(type)).toBe(affinity);
  });
});

describe('declared-type drift on SQLite compares affinities', () => {
  const User = model('users', { id: f.id(), name: f.string(), price: f.decimal(), born: f.dateTime(), n: f.int() });
  const ir = buildSchemaIR({ user: User });
  const withTypes = (types: Record<string, string>) => {
    const snap = snapshotOf(ir, 'sqlite');
    for (const c of tableOf(snap, 'users').columns) c.type = types[c.name] ?? (c.name === 'n' ? 'INTEGER' : 'TEXT');
    return snap;
  };

  it('a type of the same affinity is not drift (nvarchar(120) for TEXT, int for INTEGER)', () => {
    expect(diffSchema(ir, withTypes({ name: 'nvarchar(120)', n: 'int' }), liteWithDdl()).items).toEqual([]);
  });

  it('a type of another affinity is, naming both (numeric(10,2) stores a decimal as a number)', () => {
    const items = diffSchema(ir, withTypes({ price: 'numeric(10,2)', n: 'TEXT' }), liteWithDdl()).items;
    expect(items.map((i) => [i.column, i.schema, i.db])).toEqual([
      ['n', 'integer', 'text'],
      ['price', 'text', 'numeric(10,2)'],
    ]);
    expect(items[1].detail).toBe("column 'price' declared type: schema=text (TEXT affinity) db=numeric(10,2) (NUMERIC affinity)");
  });

  it('a .dbType() kept from the database is compared as declared', () => {
    const ir2 = buildSchemaIR({ user: model('users', { id: f.id(), price: f.decimal().dbType('numeric(10,2)') }) });
    const snap = snapshotOf(ir2, 'sqlite');
    tableOf(snap, 'users').columns[0].type = 'TEXT';
    tableOf(snap, 'users').columns[1].type = 'NUMERIC(10, 2)';
    expect(diffSchema(ir2, snap, liteWithDdl()).items).toEqual([]);
  });
});

describe('nullability and defaults', () => {
  const User = model('users', { id: f.id(), email: f.string(), nick: f.string().optional(), role: f.string().default('member') });
  const ir = buildSchemaIR({ user: User });
  const email = Object.values(ir.models)[0].columns.find((c) => c.name === 'email')!;
  const role = Object.values(ir.models)[0].columns.find((c) => c.name === 'role')!;

  it('a required column nullable in the database is drift, and the detail names the next step', () => {
    const snap = snapshotOf(ir);
    tableOf(snap, 'users').columns.find((c) => c.name === 'email')!.nullable = true;
    const [item] = diffSchema(ir, snap, pg()).items;
    expect(item).toMatchObject({ kind: 'column', direction: 'mismatch', column: 'email', property: 'nullable', schema: false, db: true });
    expect(item.detail).toContain('forge diff apply (or forge generate) makes it NOT NULL');
  });

  it('a key column is never compared', () => {
    const id = Object.values(ir.models)[0].columns.find((c) => c.name === 'id')!;
    expect(nullabilityDiffers(id, col('id', 'uuid', { nullable: true, primaryKey: true }))).toBe(false);
    expect(nullabilityDiffers(email, col('email', 'text', { nullable: true }))).toBe(true);
  });

  it('defaults are compared by value, not spelling', () => {
    expect(sameDefault(role, col('role', 'text', { default: "'member'::text" }))).toBe(true);
    expect(sameDefault(role, col('role', 'text', { default: "'admin'" }))).toBe(false);
    expect(sameDefault(role, col('role', 'text'))).toBe(false);
    expect(sameDefault(email, col('email', 'text'))).toBe(true);
  });

  it('widening and narrowing', () => {
    expect(isWidening('integer', 'bigint', postgresFacts)).toBe(true);
    expect(isWidening('bigint', 'integer', postgresFacts)).toBe(false);
    expect(isWidening('varchar(20)', 'varchar(40)', postgresFacts)).toBe(true);
    expect(isWidening('varchar(40)', 'varchar(20)', postgresFacts)).toBe(false);
    expect(isWidening('integer', 'text', postgresFacts)).toBe(true);
  });
});

describe('a MongoDB wildcard index on a SQL dialect', () => {
  it('push planning refuses it by name before any DDL', async () => {
    const { planPush, SchemaError } = await import('../src/index.js');
    const ir = buildSchemaIR({ doc: model('docs', { id: f.id(), meta: f.json() }, { indexes: [{ keys: { '$**': 1 }, name: 'ix_all' }] }) });
    const empty = { dialect: 'postgres', tables: [], views: [] };
    expect(() => planPush(ir, empty, { ...pg(), ddl: sqliteDdl as never })).toThrow(SchemaError);
    expect(() => planPush(ir, empty, { ...pg(), ddl: sqliteDdl as never })).toThrow(/index 'ix_all' on 'docs' has the wildcard key '\$\*\*'.*postgres has no wildcard indexes/);
  });
});

describe('defaults as catalogs spell them', () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const col0 = (f0: Field<any>) => Object.values(buildSchemaIR({ t: model('t', { id: f.id(), v: f0 }) }).models)[0].columns[1];
  it('MariaDB: backslash escapes, and a character outside the BMP read back as ? or ????', () => {
    expect(sameDefault(col0(f.string().default("it's")), col('v', 'text', { default: "'it\\'s'" }))).toBe(true);
    expect(sameDefault(col0(f.string().default('x 😀')), col('v', 'text', { default: "'x ?'" }))).toBe(true);
    expect(sameDefault(col0(f.string().default('x 😀')), col('v', 'text', { default: "'x ????'" }))).toBe(true);
    expect(sameDefault(col0(f.string().default('x 😀')), col('v', 'text', { default: "'y ?'" }))).toBe(false);
    expect(sameDefault(col0(f.string().default('x ?')), col('v', 'text', { default: "'x ????'" }))).toBe(false);
  });
  it('numbers by value, unread expressions as equal', () => {
    const dec = Object.values(buildSchemaIR({ t: model('t', { id: f.id(), v: f.decimal().default('-0') }) }).models)[0].columns[1];
    expect(sameDefault(dec, col('v', 'numeric', { default: "'0'::numeric" }))).toBe(true);
    expect(sameDefault(dec, col('v', 'numeric', { default: "'1.0'::numeric" }))).toBe(false);
    expect(sameDefault(col0(f.string()), col('v', 'text', { default: 'gen_random_uuid()' }))).toBe(true);
  });
});
