import { createDb, DbKnownError, f, model, ValidationError } from '@forge/core';
import { afterEach, describe, expect, it } from 'vitest';
import { adapter, sqliteWasmDriver, WasmConnection } from '../src/index.js';
import { channel } from './helpers.js';

const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

async function open(storage: 'auto' | 'memory' | 'opfs' = 'memory'): Promise<WasmConnection> {
  const { page, worker } = channel();
  const conn = (await adapter.connect(sqliteWasmDriver(page, { storage }))) as WasmConnection;
  closers.push(async () => {
    await conn.close();
    page.close();
    worker.close();
  });
  return conn;
}

describe('sqlite-wasm protocol (page connection <-> worker host over a MessageChannel)', () => {
  it('opens in memory where there is no OPFS, and says why', async () => {
    const conn = await open('auto');
    expect(conn.storage).toMatchObject({ vfs: 'memory', persistent: false, filename: ':memory:' });
    expect(conn.storage.fallbackReason).toMatch(/OPFS/);
    expect(conn.serverVersion).toMatch(/^3\.\d+\.\d+$/);
  });

  it("storage: 'opfs' refuses to fall back, naming the problem and the next step", async () => {
    const { page, worker } = channel();
    closers.push(() => {
      page.close();
      worker.close();
    });
    await expect(adapter.connect(sqliteWasmDriver(page, { storage: 'opfs' }))).rejects.toThrow(/OPFS storage is not available here .*storage: 'auto'/);
  });

  it('bad driver arguments are clear errors', () => {
    expect(() => sqliteWasmDriver({} as never)).toThrow(/needs the Worker/);
    expect(() => sqliteWasmDriver(channel().page, { storage: 'disk' as never })).toThrow(/storage must be one of auto, opfs, memory/);
    expect(() => sqliteWasmDriver(channel().page, { filename: ':memory:' })).toThrow(/storage: 'memory'/);
  });

  it('queries as arrays and objects, binds every SQLite type, and keeps large integers as bigint when asked', async () => {
    const conn = await open();
    await conn.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, s TEXT, n REAL, b INTEGER, blob BLOB, flag INTEGER)');
    const big = 9007199254740993n;
    const bytes = new Uint8Array([1, 2, 255]);
    const res = await conn.execute('INSERT INTO t (s, n, b, blob, flag) VALUES (?, ?, ?, ?, ?)', ['héllo', 1.5, big, bytes, true]);
    expect(res).toEqual({ rowCount: 1, lastInsertId: 1 });
    expect(await conn.queryArrays('SELECT id, s, n, b, blob, flag FROM t')).toEqual([[1, 'héllo', 1.5, big, bytes, 1]]);
    expect(await conn.query('SELECT id, s FROM t')).toEqual([{ id: 1, s: 'héllo' }]);
    const [[id, b]] = await conn.queryArrays('SELECT id, b FROM t', [], { safeIntegers: true });
    expect(id).toBe(1n);
    expect(b).toBe(big);
    // A Date is bound as ISO text and an undefined parameter is refused before anything is posted.
    await conn.execute('UPDATE t SET s = ?', [new Date('2026-01-02T03:04:05.000Z')]);
    expect(await conn.queryArrays('SELECT s FROM t')).toEqual([['2026-01-02T03:04:05.000Z']]);
    await expect(conn.execute('UPDATE t SET s = ?', [undefined])).rejects.toBeInstanceOf(ValidationError);
    // RETURNING rows count as what was written; several statements in one text run as a script.
    expect(await conn.execute('UPDATE t SET n = 2 RETURNING id')).toEqual({ rowCount: 1 });
    await conn.execute('CREATE TABLE a (x); CREATE TABLE b (y)');
    expect(await conn.queryArrays(`SELECT count(*) FROM sqlite_master WHERE name IN ('a', 'b')`)).toEqual([[2]]);
  });

  it("SQLite's failures arrive as the SQLite adapter's DbKnownErrors", async () => {
    const conn = await open();
    await conn.execute('CREATE TABLE p (id INTEGER PRIMARY KEY, email TEXT UNIQUE NOT NULL)');
    await conn.execute('CREATE TABLE c (id INTEGER PRIMARY KEY, p INTEGER REFERENCES p (id))');
    await conn.execute('INSERT INTO p (email) VALUES (?)', ['a@x']);
    await expect(conn.execute('INSERT INTO p (email) VALUES (?)', ['a@x'])).rejects.toMatchObject({ code: 'UNIQUE_VIOLATION', meta: { table: 'p', columns: ['email'] } });
    await expect(conn.execute('INSERT INTO p (email) VALUES (NULL)')).rejects.toMatchObject({ code: 'NOT_NULL_VIOLATION' });
    // Foreign keys are on, as on better-sqlite3's handles.
    await expect(conn.execute('INSERT INTO c (p) VALUES (42)')).rejects.toMatchObject({ code: 'FOREIGN_KEY_VIOLATION' });
    await expect(conn.queryArrays('SELECT * FROM nope')).rejects.toMatchObject({ code: 'MISSING_TABLE', meta: { table: 'nope' } });
    const syntax = await conn.queryArrays('SELEC 1').catch((e) => e);
    expect(syntax).not.toBeInstanceOf(DbKnownError);
    expect(syntax).toMatchObject({ code: 'SQLITE_ERROR', message: expect.stringMatching(/syntax error/) });
  });

  it('transactions commit, roll back, nest as savepoints, and hold other calls back until they end', async () => {
    const conn = await open();
    await conn.execute('CREATE TABLE t (x INTEGER)');
    await conn.transaction(async (tx) => {
      expect(tx.inTransaction).toBe(true);
      await tx.execute('INSERT INTO t VALUES (1)');
    });
    await expect(
      conn.transaction(async (tx) => {
        await tx.execute('INSERT INTO t VALUES (2)');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await conn.transaction(async (tx) => {
      await tx.execute('INSERT INTO t VALUES (3)');
      await tx.transaction(async (inner) => {
        await inner.execute('INSERT INTO t VALUES (4)');
        throw new Error('inner');
      }).catch(() => undefined);
    });
    expect(await conn.queryArrays('SELECT x FROM t ORDER BY x')).toEqual([[1], [3]]);

    // A root call made while a transaction runs waits for it: it neither joins it nor is undone by its rollback.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const order: string[] = [];
    const txDone = conn
      .transaction(async (tx) => {
        await tx.execute('INSERT INTO t VALUES (10)');
        await held;
        order.push('tx body done');
        throw new Error('rolled back');
      })
      .catch(() => order.push('tx rolled back'));
    const outside = conn.execute('INSERT INTO t VALUES (20)').then(() => order.push('outside write'));
    await new Promise((r) => setTimeout(r, 20));
    expect(order).toEqual([]);
    release();
    await Promise.all([txDone, outside]);
    expect(order).toEqual(['tx body done', 'tx rolled back', 'outside write']);
    expect(await conn.queryArrays('SELECT x FROM t ORDER BY x')).toEqual([[1], [3], [20]]);
  });

  it('a readOnly transaction refuses writes with READ_ONLY, and writing works again after it', async () => {
    const conn = await open();
    await conn.execute('CREATE TABLE t (x INTEGER)');
    await expect(conn.transaction((tx) => tx.execute('INSERT INTO t VALUES (1)'), { readOnly: true })).rejects.toMatchObject({ code: 'READ_ONLY' });
    await conn.execute('INSERT INTO t VALUES (2)');
    expect(await conn.queryArrays('SELECT x FROM t')).toEqual([[2]]);
  });

  it('a worker that goes away fails the waiting call and every later one; a closed connection says so', async () => {
    const { page, worker } = channel();
    const conn = await adapter.connect(sqliteWasmDriver(page, { storage: 'memory' }));
    const client = (conn as unknown as { shared: { client: { fail(e: Error): void } } }).shared.client;
    client.fail(new Error('worker terminated'));
    await expect(conn.queryArrays('SELECT 1')).rejects.toThrow('worker terminated');
    page.close();
    worker.close();
    const other = await open();
    await other.close();
    await expect(other.queryArrays('SELECT 1')).rejects.toThrow(/connection is closed/);
  });
});

const Item = model('items', {
  id: f.id(),
  name: f.string().unique(),
  qty: f.int().default(0),
});
const ItemV2 = model('items', {
  id: f.id(),
  name: f.string().unique(),
  qty: f.int().default(0),
  note: f.string().optional(),
});

describe('createDb on sqlite-wasm: the client, $migrate and $diff through the worker', () => {
  it('migrates, writes, reads, adds a safe column, and leaves destructive drift pending', async () => {
    const { page, worker } = channel();
    closers.push(() => {
      page.close();
      worker.close();
    });
    const driver = sqliteWasmDriver(page, { storage: 'memory', terminateOnClose: false });
    const db = await createDb({ driver, schema: { item: Item } });
    const first = await db.$migrate();
    expect(first.failures).toEqual([]);
    expect(first.applied.length).toBeGreaterThan(0);
    expect(first.pending).toEqual([]);
    expect((await db.$diff()).items).toEqual([]);
    await db.item.create({ data: { name: 'apple', qty: 3 } });
    await db.item.createMany({ data: [{ name: 'pear' }, { name: 'fig', qty: 7 }] });
    await expect(db.item.create({ data: { name: 'apple' } })).rejects.toMatchObject({ code: 'UNIQUE_VIOLATION' });
    expect(await db.item.findMany({ orderBy: { name: 'asc' }, select: { name: true, qty: true } })).toEqual([
      { name: 'apple', qty: 3 },
      { name: 'fig', qty: 7 },
      { name: 'pear', qty: 0 },
    ]);
    await db.$transaction(async (tx) => {
      await tx.item.update({ where: { name: 'pear' }, data: { qty: 1 } });
    });
    expect(await db.item.count({ where: { qty: { gt: 0 } } })).toBe(3);
    // findManyStream pages (no cursor across messages).
    const streamed: string[] = [];
    for await (const row of db.item.findManyStream({ orderBy: { name: 'asc' }, chunkSize: 2 })) streamed.push(row.name);
    expect(streamed).toEqual(['apple', 'fig', 'pear']);
    expect(await db.$migrate()).toMatchObject({ applied: [], failures: [], pending: [] });

    // The next app version adds a nullable column: $migrate adds it and keeps the rows.
    const db2 = await createDb({ driver, schema: { item: ItemV2 } });
    const second = await db2.$migrate();
    expect(second.failures).toEqual([]);
    expect(second.alteredColumns).toHaveLength(1);
    expect(await db2.item.findUnique({ where: { name: 'fig' } })).toMatchObject({ qty: 7, note: null });

    // Going back to the old schema: the extra column is destructive drift, reported, never dropped.
    const back = await db.$migrate();
    expect(back.applied).toEqual([]);
    expect(back.pending).toEqual([expect.objectContaining({ kind: 'column', direction: 'extra', table: 'items' })]);
    expect((await db.$diff()).items).toEqual(back.pending);
    expect(await db2.item.findUnique({ where: { name: 'fig' } })).toMatchObject({ note: null });
    const doctor = await db.$doctor();
    expect(doctor.features).toMatchObject({ reachable: true, vfs: 'memory', persistent: false, fts5: true, json: true, foreignKeys: true });
    await db.$disconnect();
  });
});
