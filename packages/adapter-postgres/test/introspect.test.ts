import type { Connection } from '@forge/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapter, introspectPostgres, pgDriver } from '../src/index.js';
import { countingConnection, createTestDatabase, extensionAvailable, type TestDatabase } from './helpers.js';

let db: TestDatabase;
let conn: Connection;

beforeAll(async () => {
  db = await createTestDatabase();
  conn = await adapter.connect(db.url);
});
afterAll(async () => {
  await conn.close();
  await db.drop();
});

/** n tables, each with a column, a unique index and a FK, in one schema. */
async function createTables(c: Connection, schema: string, n: number): Promise<void> {
  const ddl = [`DROP SCHEMA IF EXISTS ${schema} CASCADE`, `CREATE SCHEMA ${schema}`, `CREATE TABLE ${schema}.t0 (id int PRIMARY KEY)`];
  for (let i = 1; i < n; i++) {
    ddl.push(`CREATE TABLE ${schema}.t${i} (id int PRIMARY KEY, code text UNIQUE, parent int REFERENCES ${schema}.t0 (id))`);
  }
  await c.execute(ddl.join(';\n'));
}

async function withSearchPath<T>(schema: string, fn: (c: Connection) => Promise<T>): Promise<T> {
  const pool = new pg.Pool({ connectionString: db.url, options: `-c search_path=${schema},public`, max: 5 });
  const c = await adapter.connect(pgDriver(pool));
  try {
    return await fn(c);
  } finally {
    await c.close();
    await pool.end();
  }
}

describe('introspectPostgres', () => {
  it('costs the same number of catalog queries for 1, 10 and 300 tables', async () => {
    const counts: number[] = [];
    for (const n of [1, 10, 300]) {
      await createTables(conn, `scale_${n}`, n);
      const { tables, queries } = await withSearchPath(`scale_${n}`, async (c) => {
        const counting = countingConnection(c);
        const snap = await introspectPostgres(counting.conn);
        return { tables: snap.tables.length, queries: counting.count() };
      });
      expect(tables).toBe(n);
      counts.push(queries);
    }
    expect(new Set(counts).size).toBe(1);
    expect(counts[0]).toBeLessThanOrEqual(7);
  });

  it('sees only the tables of the search_path schema a tenant pool is given', async () => {
    await conn.execute(
      [
        'CREATE SCHEMA tenant_a',
        'CREATE SCHEMA tenant_b',
        'CREATE TABLE tenant_a.orders (id int PRIMARY KEY)',
        'CREATE TABLE tenant_b.invoices (id int PRIMARY KEY)',
        'CREATE TABLE public.shared_thing (id int PRIMARY KEY)',
      ].join(';'),
    );
    const a = await withSearchPath('tenant_a', (c) => adapter.introspect(c));
    const b = await withSearchPath('tenant_b', (c) => adapter.introspect(c));
    expect(a.tables.map((t) => t.name)).toEqual(['orders']);
    expect(b.tables.map((t) => t.name)).toEqual(['invoices']);
    const pub = await adapter.introspect(conn);
    expect(pub.tables.map((t) => t.name)).toEqual(['shared_thing']);
  });

  it('lists partitions as internal, and the partitioned parent as the table', async () => {
    await conn.execute(
      [
        'CREATE SCHEMA parts',
        'CREATE TABLE parts.events (id int, at date NOT NULL) PARTITION BY RANGE (at)',
        `CREATE TABLE parts.events_2024 PARTITION OF parts.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')`,
      ].join(';'),
    );
    const snap = await withSearchPath('parts', (c) => adapter.introspect(c));
    expect(snap.tables.map((t) => t.name)).toEqual(['events']);
    expect(snap.internal).toEqual(['events_2024']);
  });
});

const postgisReady = await extensionAvailable('postgis');
describe.skipIf(!postgisReady)('with PostGIS (skipped: the server has no postgis package to CREATE EXTENSION from)', () => {
  it('puts extension-owned relations (spatial_ref_sys, geometry_columns) in internal, never in tables or views', async () => {
    await conn.execute('CREATE SCHEMA gis');
    await withSearchPath('gis', async (c) => {
      await c.execute('CREATE EXTENSION IF NOT EXISTS postgis SCHEMA gis');
      await c.execute('CREATE TABLE places (id int PRIMARY KEY, at geography(Point, 4326))');
      const snap = await adapter.introspect(c);
      expect(snap.tables.map((t) => t.name)).toEqual(['places']);
      expect(snap.tables[0].columns[1].type).toBe('geography(point,4326)');
      expect(snap.views).toEqual([]);
      expect(snap.internal).toEqual(expect.arrayContaining(['spatial_ref_sys', 'geometry_columns', 'geography_columns']));
      expect(snap.extensions).toContain('postgis');
    });
  });
});
