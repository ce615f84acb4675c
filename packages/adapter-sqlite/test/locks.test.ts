import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createDbWith, DbKnownError, f, model, ValidationError, type Connection } from '@forge/core';
import { adapter, betterSqlite3Driver, openSqlite } from '../src/index.js';
import { tempDir } from './helpers.js';

/*
 * Locks held by other connections on the same file: forge waits for them on timers (the event loop keeps
 * turning), up to the URL's busy_timeout, then fails with TIMEOUT. Another connection in this same process
 * stands in for another process: it can only let go of its lock when the event loop runs its timer, so a
 * wait that blocked the loop (SQLite's own busy handler) would hold out until busy_timeout and fail.
 */

const dir = tempDir();
let n = 0;

async function fileDb(query = ''): Promise<{ file: string; conn: Connection }> {
  const file = path.join(dir, `locks-${++n}.db`);
  const conn = await openSqlite(`sqlite:${file}${query}`);
  await conn.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)');
  await conn.execute('INSERT INTO t (id, v) VALUES (1, 100), (2, 100)');
  return { file, conn };
}

/** A second handle on the file that takes the write lock now and lets go after `ms`, from a timer. */
function holdWriteLock(file: string, ms: number): Promise<void> {
  const holder = new Database(file, { timeout: 0 });
  holder.exec('BEGIN IMMEDIATE');
  holder.prepare('UPDATE t SET v = v + 1 WHERE id = 2').run();
  return new Promise((resolve) =>
    setTimeout(() => {
      holder.exec('COMMIT');
      holder.close();
      resolve();
    }, ms),
  );
}

/** The event loop's delay while `fn` runs (perf_hooks, 1 ms resolution), in ms. */
async function loopDelay<T>(fn: () => Promise<T>): Promise<{ result: T; maxMs: number }> {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  try {
    // A first tick of the monitor's timer, so that a call blocking the loop from its start is measured too.
    await new Promise((r) => setTimeout(r, 20));
    const result = await fn();
    return { result, maxMs: h.max / 1e6 };
  } finally {
    h.disable();
  }
}

describe('waiting for another connection', () => {
  it('a single write waits for the lock without blocking the event loop, then runs', async () => {
    const { file, conn } = await fileDb();
    const { result, maxMs } = await loopDelay(async () => {
      const released = holdWriteLock(file, 300);
      const started = Date.now();
      const res = await conn.execute('UPDATE t SET v = v - 1 WHERE id = 1');
      const waitedMs = Date.now() - started;
      await released;
      return { rowCount: res.rowCount, waitedMs };
    });
    expect(result.rowCount).toBe(1);
    expect(result.waitedMs).toBeGreaterThanOrEqual(250);
    // SQLite's busy handler would have slept on the loop until the holder's timer could fire: never, here.
    expect(maxMs).toBeLessThan(150);
    expect(await conn.queryArrays('SELECT v FROM t ORDER BY id')).toEqual([[99], [101]]);
    await conn.close();
  });

  it('the synchronous fast path hands a locked write to the waiting path', async () => {
    const { file, conn } = await fileDb();
    const released = holdWriteLock(file, 100);
    expect(conn.executeSync!('UPDATE t SET v = 0 WHERE id = 1')).toBeUndefined();
    expect(conn.queryArraysSync!('SELECT v FROM t WHERE id = 1')).toEqual([[100]]);
    await expect(conn.execute('UPDATE t SET v = 0 WHERE id = 1')).resolves.toEqual({ rowCount: 1 });
    await released;
    await conn.close();
  });

  it('calls made while one waits run after it, in order', async () => {
    const { file, conn } = await fileDb();
    const released = holdWriteLock(file, 100);
    const order: string[] = [];
    await Promise.all([
      conn.execute('UPDATE t SET v = 1 WHERE id = 1').then(() => order.push('first write')),
      conn.queryArrays('SELECT v FROM t WHERE id = 1').then((rows) => order.push(`read ${rows[0][0]}`)),
      conn.execute('UPDATE t SET v = 2 WHERE id = 1').then(() => order.push('second write')),
    ]);
    expect(order).toEqual(['first write', 'read 1', 'second write']);
    await released;
    await conn.close();
  });

  it('a read-then-write transaction of another connection never fails: the write lock is taken at BEGIN', async () => {
    const { file, conn } = await fileDb();
    const other = await openSqlite(`sqlite:${file}`);
    const events: string[] = [];
    // Deferred transactions fail here: both read, `other` commits, and the first one's write can never upgrade.
    const first = conn.transaction(async (tx) => {
      const [[v]] = await tx.queryArrays('SELECT v FROM t WHERE id = 1');
      events.push('first read');
      await new Promise((r) => setTimeout(r, 100));
      await tx.execute('UPDATE t SET v = ? WHERE id = 1', [(v as number) - 10]);
      events.push('first wrote');
    });
    await new Promise((r) => setTimeout(r, 20));
    const second = other.transaction(async (tx) => {
      events.push('second began');
      const [[v]] = await tx.queryArrays('SELECT v FROM t WHERE id = 1');
      await tx.execute('UPDATE t SET v = ? WHERE id = 1', [(v as number) - 5]);
    });
    await Promise.all([first, second]);
    expect(events).toEqual(['first read', 'first wrote', 'second began']);
    // No update lost.
    expect(await conn.queryArrays('SELECT v FROM t WHERE id = 1')).toEqual([[85]]);
    await other.close();
    await conn.close();
  });

  it('reads and cursors wait too (rollback-journal mode: a committing writer locks readers out)', async () => {
    const { file, conn } = await fileDb();
    // In WAL mode readers never wait for a writer; a file switched back to a rollback journal makes them.
    expect(await conn.queryArrays('PRAGMA journal_mode = DELETE')).toEqual([['delete']]);
    const holder = new Database(file, { timeout: 0 });
    holder.exec('BEGIN EXCLUSIVE');
    expect(conn.queryArraysSync!('SELECT v FROM t')).toBeUndefined();
    setTimeout(() => {
      holder.exec('COMMIT');
      holder.close();
    }, 150);
    const started = Date.now();
    const read = conn.queryArrays('SELECT v FROM t ORDER BY id');
    const streamed = (async () => {
      const chunks: unknown[][][] = [];
      for await (const c of conn.stream('SELECT id FROM t ORDER BY id', [], 1)) chunks.push(c);
      return chunks;
    })();
    expect(await read).toEqual([[100], [100]]);
    expect(await streamed).toEqual([[[1]], [[2]]]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(120);
    await conn.close();
  });
});

describe('when the wait runs out', () => {
  it('a write and a transaction give TIMEOUT naming busy_timeout and how to raise it', async () => {
    const { file, conn } = await fileDb('?busy_timeout=150');
    const holder = new Database(file, { timeout: 0 });
    holder.exec('BEGIN IMMEDIATE');
    for (const attempt of [() => conn.execute('UPDATE t SET v = 0'), () => conn.transaction(async () => 'never')]) {
      const started = Date.now();
      const e = await attempt().catch((err: unknown) => err);
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
      expect(e).toBeInstanceOf(DbKnownError);
      expect(e).toMatchObject({ code: 'TIMEOUT', meta: { busyTimeoutMs: 150, driverCode: 'SQLITE_BUSY' } });
      expect((e as Error).message).toMatch(/busy_timeout = 150 ms/);
      expect((e as Error).message).toMatch(/\?busy_timeout=/);
    }
    holder.exec('ROLLBACK');
    holder.close();
    // Nothing was left half-done: the connection writes again.
    await expect(conn.execute('UPDATE t SET v = 0 WHERE id = 1')).resolves.toEqual({ rowCount: 1 });
    await conn.close();
  });

  it('busy_timeout=0 fails at once', async () => {
    const { file, conn } = await fileDb('?busy_timeout=0');
    const holder = new Database(file, { timeout: 0 });
    holder.exec('BEGIN IMMEDIATE');
    await expect(conn.execute('UPDATE t SET v = 0')).rejects.toMatchObject({ code: 'TIMEOUT' });
    holder.exec('ROLLBACK');
    holder.close();
    await conn.close();
  });

  it("a user's own Database: statements wait in its busy handler, then TIMEOUT (not a raw SQLITE_BUSY)", async () => {
    const file = path.join(dir, `own-${++n}.db`);
    const db = new Database(file, { timeout: 50 });
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (v INTEGER)');
    const conn = await openSqlite(betterSqlite3Driver(db));
    const holder = new Database(file, { timeout: 0 });
    holder.exec('BEGIN IMMEDIATE');
    const e = await conn.execute('INSERT INTO t VALUES (1)').catch((err: unknown) => err);
    expect(e).toBeInstanceOf(DbKnownError);
    expect(e).toMatchObject({ code: 'TIMEOUT' });
    expect((e as Error).message).toMatch(/new Database\(file, \{ timeout: ms \}\)/);
    const t = await conn.transaction(async () => 1).catch((err: unknown) => err);
    expect(t).toMatchObject({ code: 'TIMEOUT', meta: { busyTimeoutMs: 50 } });
    // forge leaves the handle's own setting as it found it.
    expect(db.pragma('busy_timeout', { simple: true })).toBe(50);
    holder.exec('ROLLBACK');
    holder.close();
    await conn.close();
    db.close();
  });

  it('SQLITE_BUSY_SNAPSHOT (a deferred transaction begun with raw SQL) says to use $transaction', async () => {
    const file = path.join(dir, `snap-${++n}.db`);
    const db = new Database(file, { timeout: 0 });
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (v INTEGER)');
    const conn = await openSqlite(betterSqlite3Driver(db));
    db.exec('BEGIN');
    db.prepare('SELECT * FROM t').all();
    const other = new Database(file);
    other.exec('INSERT INTO t VALUES (2)');
    other.close();
    const e = await conn.execute('INSERT INTO t VALUES (1)').catch((err: unknown) => err);
    expect(e).toMatchObject({ code: 'TRANSACTION_ABORTED', meta: { driverCode: 'SQLITE_BUSY_SNAPSHOT' } });
    expect((e as Error).message).toMatch(/\$transaction/);
    db.exec('ROLLBACK');
    await conn.close();
    db.close();
  });
});

describe('readOnly transactions', () => {
  it('read without taking the write lock, see one snapshot, and refuse writes with READ_ONLY', async () => {
    const { file, conn } = await fileDb();
    const writer = new Database(file, { timeout: 0 });
    const seen = await conn.transaction(
      async (tx) => {
        const before = await tx.queryArrays('SELECT v FROM t WHERE id = 1');
        // No write lock is held: another connection writes (and commits) meanwhile, without waiting.
        writer.prepare('UPDATE t SET v = 7 WHERE id = 1').run();
        const after = await tx.queryArrays('SELECT v FROM t WHERE id = 1');
        const e = await tx.execute('UPDATE t SET v = 0').catch((err: unknown) => err);
        expect(e).toBeInstanceOf(DbKnownError);
        expect(e).toMatchObject({ code: 'READ_ONLY', meta: { driverCode: 'SQLITE_READONLY' } });
        expect((e as Error).message).toMatch(/read-only/);
        await expect(tx.execute('CREATE TABLE other (x)')).rejects.toMatchObject({ code: 'READ_ONLY' });
        return [before, after];
      },
      { readOnly: true },
    );
    expect(seen).toEqual([[[100]], [[100]]]);
    writer.close();
    // The connection writes again afterwards, and query_only is off.
    await expect(conn.execute('UPDATE t SET v = 1 WHERE id = 1')).resolves.toEqual({ rowCount: 1 });
    expect(await conn.queryArrays('PRAGMA query_only')).toEqual([[0]]);
    await conn.close();
  });

  it('writes work again after a readOnly transaction that threw', async () => {
    const { conn } = await fileDb();
    await expect(conn.transaction(async () => Promise.reject(new Error('report failed')), { readOnly: true })).rejects.toThrow('report failed');
    await expect(conn.transaction((tx) => tx.execute('UPDATE t SET v = 5 WHERE id = 1'))).resolves.toEqual({ rowCount: 1 });
    await conn.close();
  });

  it('nesting: readOnly inside a writing transaction is refused, a nested transaction inside readOnly stays read-only', async () => {
    const { conn } = await fileDb();
    await conn.transaction(async (tx) => {
      await expect(tx.transaction(async () => 1, { readOnly: true })).rejects.toBeInstanceOf(ValidationError);
      await tx.execute('UPDATE t SET v = 3 WHERE id = 1');
    });
    await conn.transaction(
      async (tx) => {
        await expect(tx.transaction((inner) => inner.execute('UPDATE t SET v = 0'))).rejects.toMatchObject({ code: 'READ_ONLY' });
        await expect(tx.transaction(async (inner) => inner.queryArrays('SELECT v FROM t WHERE id = 1'), { readOnly: true })).resolves.toEqual([[3]]);
      },
      { readOnly: true },
    );
    await conn.close();
  });

  it("keeps a user's query_only setting as it found it", async () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (v INTEGER)');
    db.pragma('query_only = 1');
    const conn = await openSqlite(betterSqlite3Driver(db));
    await conn.transaction((tx) => tx.queryArrays('SELECT * FROM t'), { readOnly: true });
    expect(db.pragma('query_only', { simple: true })).toBe(1);
    await conn.close();
    db.close();
  });

  it('through the client: db.$transaction(fn, { readOnly: true }), and its options are checked', async () => {
    const { conn } = await fileDb();
    const T = model('t', { id: f.id({ type: 'int' }), v: f.int() });
    const db = createDbWith(adapter, conn, { t: T });
    expect(await db.$transaction((tx) => tx.t.findMany({ orderBy: { id: 'asc' } }), { readOnly: true })).toEqual([
      { id: 1, v: 100 },
      { id: 2, v: 100 },
    ]);
    await expect(db.$transaction((tx) => tx.t.update({ where: { id: 1 }, data: { v: 0 } }), { readOnly: true })).rejects.toMatchObject({ code: 'READ_ONLY' });
    // Root calls inside the callback join the read-only transaction, also a model call returned without await.
    await expect(db.$transaction(() => db.t.create({ data: { id: 3, v: 1 } }), { readOnly: true })).rejects.toMatchObject({ code: 'READ_ONLY' });
    await expect(db.$transaction(async () => db.t.create({ data: { id: 3, v: 1 } }), { readOnly: true })).rejects.toMatchObject({ code: 'READ_ONLY' });
    expect(await db.$transaction(() => db.t.create({ data: { id: 3, v: 1 } }))).toEqual({ id: 3, v: 1 });
    await db.t.delete({ where: { id: 3 } });
    await expect(db.$transaction([db.t.count()], { readOnly: true })).resolves.toEqual([2]);
    await expect(db.$transaction(async () => 1, { readonly: true } as never)).rejects.toThrow(/Unknown \$transaction option 'readonly'; supported: readOnly/);
    await expect(db.$transaction(async () => 1, { readOnly: 'yes' } as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(db.$transaction(async () => 1, 'readOnly' as never)).rejects.toBeInstanceOf(ValidationError);
    expect((await db.$transaction((tx) => tx.t.update({ where: { id: 1 }, data: { v: 1 } }), { readOnly: false })).v).toBe(1);
    await conn.close();
  });
});
