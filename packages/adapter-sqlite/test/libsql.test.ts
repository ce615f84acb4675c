import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient, type Client } from '@libsql/client';
import { ConfigError, createDb, dialectForUrl, f, model } from '@forge/core';
import { afterAll, describe, expect, it } from 'vitest';
import { adapter, libsqlAdapter, libsqlDriver, LibsqlConnection } from '../src/index.js';
import { foldPairs } from '../src/libsql-compile.js';
import { severalStatements } from '../src/libsql.js';

const schema = {
  item: model('items', {
    id: f.id(),
    name: f.string().unique(),
    big: f.bigint().optional(),
    raw: f.bytes().optional(),
    n: f.int().default(0),
  }),
};

const dirs: string[] = [];
function fileUrl(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'forge-libsql-'));
  dirs.push(dir);
  return `file:${path.join(dir, 'db.sqlite')}`;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function withDb<T>(fn: (db: Awaited<ReturnType<typeof createDb<typeof schema>>>, client: Client) => Promise<T>, client = createClient({ url: fileUrl() })): Promise<T> {
  const db = await createDb({ driver: libsqlDriver(client), schema });
  try {
    await db.$migrate();
    return await fn(db, client);
  } finally {
    await db.$disconnect();
    client.close();
  }
}

describe('libsql URLs', () => {
  it('libsql:// routes to the SQLite adapter; file: and sqlite: stay on better-sqlite3', async () => {
    expect(dialectForUrl('libsql://db-org.turso.io?authToken=x').dialect).toBe('sqlite');
    const url = fileUrl();
    const conn = await adapter.connect(url);
    try {
      expect(conn).not.toBeInstanceOf(LibsqlConnection);
    } finally {
      await conn.close();
    }
  });

  it('a Turso URL without authToken is a ConfigError that says how to get one, before any network traffic', async () => {
    const err = await adapter.connect('libsql://my-db-acme.turso.io').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/no authToken.*turso db tokens create/);
  });

  it('an unreachable server with a token fails with CONNECTION_FAILED and never prints the token', async () => {
    const err = await adapter.connect('libsql://127.0.0.1:9?authToken=s3cr3t-token&tls=0').catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('CONNECTION_FAILED');
    expect((err as Error).message).not.toContain('s3cr3t-token');
  }, 20_000);
});

describe('libsqlDriver(createClient({ url: file: }))', () => {
  it('uses the libSQL adapter variant for the connection, and never closes the client', async () => {
    const client = createClient({ url: fileUrl() });
    const conn = await adapter.connect(libsqlDriver(client));
    expect(adapter.forConnection!(conn)).toBe(libsqlAdapter);
    expect(libsqlAdapter.capabilities.nativeCursor).toBe(false);
    await conn.close();
    expect(client.closed).toBe(false);
    expect((await client.execute('SELECT 1 AS one')).rows[0].one).toBe(1);
    client.close();
  });

  it('refuses what is not a client, and a closed one', async () => {
    expect(() => libsqlDriver({} as never)).toThrow(/createClient/);
    const client = createClient({ url: fileUrl() });
    client.close();
    await expect(adapter.connect(libsqlDriver(client))).rejects.toThrow(/already closed/);
  });

  it('reads bytes and bigints exactly with intMode bigint; a default client names the fix for a huge integer', async () => {
    await withDb(async (db) => {
      const row = await db.item.create({ data: { name: 'a', big: 9007199254740993n, raw: Buffer.from([1, 2, 3]) } });
      expect(row.big).toBe(9007199254740993n);
      const read = await db.item.findUniqueOrThrow({ where: { id: row.id } });
      // As on better-sqlite3: bytes come back as a Uint8Array.
      expect(read.raw).toBeInstanceOf(Uint8Array);
      expect([...(read.raw as Uint8Array)]).toEqual([1, 2, 3]);
      expect(read.big).toBe(9007199254740993n);
      expect(typeof read.n).toBe('number');
    }, createClient({ url: fileUrl(), intMode: 'bigint' }));
    await withDb(async (db) => {
      await db.item.create({ data: { name: 'small', big: 5n } });
      expect((await db.item.findFirstOrThrow()).big).toBe(5n);
      await db.$executeRawUnsafe('UPDATE items SET big = 9007199254740993');
      await expect(db.item.findFirstOrThrow()).rejects.toThrow(/intMode: 'bigint'/);
    });
  });

  it("maps SQLite's errors from libSQL's shape: unique violation names table and column", async () => {
    await withDb(async (db) => {
      await db.item.create({ data: { name: 'x' } });
      await expect(db.item.create({ data: { name: 'x' } })).rejects.toMatchObject({
        code: 'UNIQUE_VIOLATION',
        meta: { table: 'items', columns: ['name'] },
      });
    });
  });

  it('runs multi-statement text whole (libSQL execute would run only the first) and refuses parameters on it', async () => {
    await withDb(async (db) => {
      await db.$executeRawUnsafe("INSERT INTO items (id, name) VALUES ('1', 'p'); INSERT INTO items (id, name) VALUES ('2', 'q')");
      expect(await db.item.count()).toBe(2);
      await expect(db.$executeRawUnsafe('UPDATE items SET n = ?; UPDATE items SET n = 2', 1)).rejects.toThrow(/several statements/);
    });
    expect(severalStatements("SELECT ';' ; ")).toBe(false);
    expect(severalStatements('SELECT 1; -- done')).toBe(false);
    expect(severalStatements('SELECT 1; SELECT 2')).toBe(true);
  });

  it('serialises write transactions in the process: concurrent read-then-write transactions lose no update', async () => {
    await withDb(async (db) => {
      const row = await db.item.create({ data: { name: 'c' } });
      await Promise.all(
        Array.from({ length: 10 }, () =>
          db.$transaction(async (tx) => {
            const cur = await tx.item.findUniqueOrThrow({ where: { id: row.id } });
            await tx.item.update({ where: { id: row.id }, data: { n: cur.n + 1 } });
          }),
        ),
      );
      expect((await db.item.findUniqueOrThrow({ where: { id: row.id } })).n).toBe(10);
    });
  });

  it('readOnly transactions refuse writes with READ_ONLY and leave the pooled connection writable', async () => {
    await withDb(async (db) => {
      await expect(db.$transaction((tx) => tx.item.create({ data: { name: 'no' } }), { readOnly: true })).rejects.toMatchObject({ code: 'READ_ONLY' });
      for (let i = 0; i < 3; i++) await db.item.create({ data: { name: `yes${i}` } });
      expect(await db.item.count()).toBe(3);
    });
  });

  it('a write lock another client holds is a TIMEOUT naming the busy timeout option, and nothing is written', async () => {
    const url = fileUrl();
    const other = createClient({ url });
    try {
      await withDb(async (db) => {
        const held = await other.transaction('write');
        const err = await db.$transaction((tx) => tx.item.create({ data: { name: 'blocked' } })).catch((e: unknown) => e);
        expect(err).toMatchObject({ code: 'TIMEOUT' });
        expect((err as Error).message).toMatch(/createClient\(\{ url, timeout: 5000 \}\)/);
        await held.rollback();
        expect(await other.execute('SELECT count(*) AS n FROM items').then((r) => r.rows[0].n)).toBe(0);
      }, createClient({ url }));
    } finally {
      other.close();
    }
  });

  it("insensitive matching folds Unicode without forge_fold (libSQL cannot register JS functions)", async () => {
    expect(foldPairs('é')).toEqual([[0xc9, 0xe9]]);
    expect(foldPairs('σ').map(([from]) => from).sort()).toEqual([0x3a3, 0x3c2]);
    await withDb(async (db) => {
      await db.item.create({ data: { name: 'ÉLODIE' } });
      await db.item.create({ data: { name: 'Kelvin' } });
      expect(await db.item.count({ where: { name: { contains: 'élo', mode: 'insensitive' } } })).toBe(1);
      expect(await db.item.count({ where: { name: { equals: 'élodie', mode: 'insensitive' } } })).toBe(1);
      expect(await db.item.count({ where: { name: { contains: 'elo', mode: 'insensitive' } } })).toBe(0);
      expect(await db.item.count({ where: { name: { startsWith: 'KEL', mode: 'insensitive' } } })).toBe(1);
    });
  });
});

// Turso over the network: only where a database is given (FORGE_TEST_TURSO_URL=libsql://...?authToken=...).
const turso = process.env.FORGE_TEST_TURSO_URL;
describe.skipIf(!turso)(`libsql:// on Turso${turso ? '' : ' [skipped: FORGE_TEST_TURSO_URL is not set]'}`, () => {
  it('pushes, writes, reads back and drops its table', async () => {
    const table = `forge_test_${Math.random().toString(36).slice(2, 10)}`;
    const s = { t: model(table, { id: f.id(), name: f.string(), big: f.bigint().optional() }) };
    const db = await createDb({ url: turso!, schema: s });
    try {
      await db.$migrate();
      await db.t.create({ data: { name: 'turso', big: 9007199254740993n } });
      expect(await db.t.findFirstOrThrow()).toMatchObject({ name: 'turso', big: 9007199254740993n });
      await db.$transaction(async (tx) => tx.t.updateMany({ where: {}, data: { name: 'tx' } }));
      expect((await db.t.findFirstOrThrow()).name).toBe('tx');
    } finally {
      await db.$executeRawUnsafe(`DROP TABLE IF EXISTS "${table}"`).catch(() => undefined);
      await db.$disconnect();
    }
  }, 60_000);
});
