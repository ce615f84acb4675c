import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { ConfigError, createDb, DbKnownError, dialectForUrl, f, model } from '@forge/core';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { adapter, parsePgliteUrl, pgliteDriver } from '../src/index.js';

// Each PGlite database starts a WASM Postgres in this process: a second or more on a busy machine.
vi.setConfig({ testTimeout: 120_000 });

const schema = {
  item: model('items', {
    id: f.id(),
    name: f.string().unique(),
    big: f.bigint().optional(),
    price: f.decimal({ precision: 20, scale: 4 }).optional(),
    doc: f.json<{ a: number[] }>().optional(),
    raw: f.bytes().optional(),
    at: f.dateTime().optional(),
    n: f.int().default(0),
  }),
};

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'forge-pglite-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('pglite: URLs', () => {
  it('parse like sqlite: URLs: memory, relative to cwd, absolute, triple slash', () => {
    expect(parsePgliteUrl('pglite::memory:')).toEqual({});
    expect(parsePgliteUrl('pglite:./data/pg', '/srv/app')).toEqual({ dataDir: '/srv/app/data/pg' });
    expect(parsePgliteUrl('pglite:/var/pg')).toEqual({ dataDir: '/var/pg' });
    expect(parsePgliteUrl('pglite:///var/pg')).toEqual({ dataDir: '/var/pg' });
    expect(parsePgliteUrl('pglite:./a%20b', '/x')).toEqual({ dataDir: '/x/a b' });
  });

  it('refuse a URL without a directory, with options, or under a missing directory, naming the fix', async () => {
    expect(() => parsePgliteUrl('pglite:')).toThrow(ConfigError);
    expect(() => parsePgliteUrl('pglite:')).toThrow(/pglite::memory:/);
    expect(() => parsePgliteUrl('pglite:./x?relaxed=1')).toThrow(/pgliteDriver\(new PGlite/);
    await expect(adapter.connect('pglite:/nonexistent-forge-dir/sub/data')).rejects.toThrow(/does not exist: create it first/);
  });

  it('route to the Postgres adapter', () => {
    expect(dialectForUrl('pglite::memory:').dialect).toBe('postgres');
    expect(dialectForUrl('pglite:./data').packageName).toBe('@forge/adapter-postgres');
  });
});

describe('createDb on pglite::memory:', () => {
  it('pushes, writes and reads back int8, numeric, json, bytea and timestamps exactly as on pg', async () => {
    const db = await createDb({ url: 'pglite::memory:', schema });
    try {
      await db.$migrate();
      const at = new Date('2026-01-02T03:04:05.678Z');
      const created = await db.item.create({
        data: { name: 'a', big: 9007199254740993n, price: '12345678901234.5678', doc: { a: [1, 2] }, raw: Buffer.from([0, 1, 255]), at },
      });
      expect(created).toMatchObject({ name: 'a', big: 9007199254740993n, price: '12345678901234.5678', doc: { a: [1, 2] }, at });
      const read = await db.item.findUnique({ where: { id: created.id } });
      expect(read?.big).toBe(9007199254740993n);
      expect(Buffer.from(read!.raw as Uint8Array).equals(Buffer.from([0, 1, 255]))).toBe(true);
      expect(read?.at).toEqual(at);
      // A second in-memory database is a different database.
      const other = await createDb({ url: 'pglite::memory:', schema });
      try {
        await expect(other.item.count()).rejects.toMatchObject({ code: 'MISSING_TABLE' });
      } finally {
        await other.$disconnect();
      }
    } finally {
      await db.$disconnect();
    }
  });

  it('maps errors by SQLSTATE as on pg: unique violation with its columns, aborted commit', async () => {
    const db = await createDb({ url: 'pglite::memory:', schema });
    try {
      await db.$migrate();
      await db.item.create({ data: { name: 'dup' } });
      const err = await db.item.create({ data: { name: 'dup' } }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DbKnownError);
      expect(err).toMatchObject({ code: 'UNIQUE_VIOLATION', meta: { columns: ['name'], driverCode: '23505' } });
      // A failure caught inside the callback: Postgres answers COMMIT with ROLLBACK, forge says so.
      const aborted = await db
        .$transaction(async (tx) => {
          await tx.item.create({ data: { name: 'dup' } }).catch(() => undefined);
          return 'done';
        })
        .catch((e: unknown) => e);
      expect(aborted).toMatchObject({ code: 'TRANSACTION_ABORTED' });
    } finally {
      await db.$disconnect();
    }
  });

  it('serialises transactions on the single session: concurrent read-then-write transactions lose no update', async () => {
    const db = await createDb({ url: 'pglite::memory:', schema });
    try {
      await db.$migrate();
      const row = await db.item.create({ data: { name: 'counter' } });
      await Promise.all(
        Array.from({ length: 8 }, () =>
          db.$transaction(async (tx) => {
            const cur = await tx.item.findUniqueOrThrow({ where: { id: row.id } });
            await tx.item.update({ where: { id: row.id }, data: { n: cur.n + 1 } });
          }),
        ),
      );
      // Meanwhile a plain query from outside waits for the transaction instead of running inside it.
      expect((await db.item.findUniqueOrThrow({ where: { id: row.id } })).n).toBe(8);
    } finally {
      await db.$disconnect();
    }
  });
});

describe('pglite: a data directory', () => {
  it('keeps data across close and reopen; two connections in one process share one instance', async () => {
    const dir = path.join(tempDir(), 'pgdata');
    const url = `pglite:${dir}`;
    const a = await createDb({ url, schema });
    const b = await createDb({ url, schema });
    await a.$migrate();
    await a.item.create({ data: { name: 'kept' } });
    expect(await b.item.count()).toBe(1);
    await a.$disconnect();
    // b still works: the instance closes with its last connection.
    expect((await b.item.findFirstOrThrow()).name).toBe('kept');
    await b.$disconnect();
    const c = await createDb({ url, schema });
    try {
      expect((await c.item.findFirstOrThrow()).name).toBe('kept');
    } finally {
      await c.$disconnect();
    }
  });
});

describe('pgliteDriver(db)', () => {
  it("runs on the user's instance and never closes it", async () => {
    const pg = await PGlite.create();
    try {
      const db = await createDb({ driver: pgliteDriver(pg), schema });
      await db.$migrate();
      await db.item.create({ data: { name: 'mine' } });
      await db.$disconnect();
      expect(pg.closed).toBe(false);
      const rows = await pg.query<{ name: string }>('SELECT name FROM items');
      expect(rows.rows).toEqual([{ name: 'mine' }]);
    } finally {
      await pg.close();
    }
  });

  it('refuses what is not a PGlite instance, and a closed one', async () => {
    expect(() => pgliteDriver({} as never)).toThrow(/PGlite instance/);
    const pg = await PGlite.create();
    await pg.close();
    await expect(adapter.connect(pgliteDriver(pg))).rejects.toThrow(/already closed/);
  });

  it("doctor's probe names PGlite and which bundled extensions it could load", async () => {
    const conn = await adapter.connect('pglite::memory:');
    try {
      const report = await adapter.probe!(conn);
      expect(report.features.pglite).toMatch(/^\d+\.\d+/);
      // A pglite: URL loads pg_trgm, btree_gin and btree_gist: there, not yet created.
      expect(report.features.pg_trgm).toBe('available');
      expect(report.features.btree_gist).toBe('available');
      // This PGlite release ships no PostGIS: doctor says so instead of suggesting apt-get.
      expect(report.features.postgis).toBe(false);
      expect(report.featureActions?.find((a) => a.feature === 'geoPoint')?.action).toMatch(/PGlite does not ship postgis/);
      await conn.execute('CREATE EXTENSION pg_trgm');
      expect((await adapter.probe!(conn)).features.pg_trgm).toMatch(/^\d/);
    } finally {
      await conn.close();
    }
  });
});
