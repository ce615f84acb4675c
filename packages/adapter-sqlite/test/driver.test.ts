import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ConfigError, DbKnownError, ValidationError, type Connection } from '@forge/core';
import { betterSqlite3Driver, openSqlite, parseSqliteUrl } from '../src/index.js';
import { memory, tempDir } from './helpers.js';

const dir = tempDir();

describe('parseSqliteUrl', () => {
  const cwd = '/srv/app';
  it.each([
    ['sqlite::memory:', ':memory:'],
    ['file::memory:', ':memory:'],
    ['sqlite:./rel.db', '/srv/app/rel.db'],
    ['sqlite:rel.db', '/srv/app/rel.db'],
    ['sqlite:/abs.db', '/abs.db'],
    ['sqlite:///abs.db', '/abs.db'],
    ['file:./x.db', '/srv/app/x.db'],
    ['file:/abs', '/abs'],
    ['file:///abs/y.db', '/abs/y.db'],
    ['sqlite:./my%20data.db', '/srv/app/my data.db'],
  ])('%s → %s', (url, file) => {
    expect(parseSqliteUrl(url, cwd).filename).toBe(file);
  });

  it('reads busy_timeout and refuses what it does not know', () => {
    expect(parseSqliteUrl('sqlite:./a.db?busy_timeout=60000', cwd).busyTimeoutMs).toBe(60000);
    expect(() => parseSqliteUrl('sqlite:./a.db?busy_timeout=soon', cwd)).toThrow(/whole number/);
    expect(() => parseSqliteUrl('sqlite:./a.db?mode=ro', cwd)).toThrow(/Unknown option 'mode'.*busy_timeout/);
    expect(() => parseSqliteUrl('sqlite:', cwd)).toThrow(ConfigError);
    expect(() => parseSqliteUrl('postgres://x', cwd)).toThrow(ConfigError);
  });
});

describe('openSqlite', () => {
  it('opens every URL form against a real file', async () => {
    const abs = path.join(dir, 'forms.db');
    const rel = path.relative(process.cwd(), abs);
    for (const url of [`sqlite:${abs}`, `sqlite://${abs}`, `file:${abs}`, `sqlite:./${rel}`, `file:./${rel}`]) {
      const conn = await openSqlite(url);
      await conn.execute('CREATE TABLE IF NOT EXISTS t (a INTEGER)');
      await conn.execute('INSERT INTO t (a) VALUES (?)', [1]);
      await conn.close();
    }
    const check = new Database(abs);
    expect(check.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 5 });
    check.close();
  });

  it('refuses a file in a missing directory, naming it, and creates nothing', async () => {
    const missing = path.join(dir, 'no', 'such');
    const err = await openSqlite(`sqlite:${missing}/app.db`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain(missing);
    expect((err as Error).message).toMatch(/create it/);
    await expect(import('node:fs').then((fs) => fs.existsSync(path.join(dir, 'no')))).resolves.toBe(false);
  });

  it('uses WAL and foreign keys on files, with SQLite\'s own busy handler off (forge waits itself); memory keeps its journal', async () => {
    const conn = await openSqlite(`sqlite:${path.join(dir, 'wal.db')}?busy_timeout=1234`);
    expect(await conn.queryArrays('PRAGMA journal_mode')).toEqual([['wal']]);
    expect(await conn.queryArrays('PRAGMA busy_timeout')).toEqual([[0]]);
    expect(await conn.queryArrays('PRAGMA foreign_keys')).toEqual([[1]]);
    await conn.close();
    const mem = await memory();
    expect(await mem.queryArrays('PRAGMA journal_mode')).toEqual([['memory']]);
    expect(await mem.queryArrays('PRAGMA busy_timeout')).toEqual([[0]]);
    await mem.close();
  });

  it('maps a file that cannot be opened to CONNECTION_FAILED', async () => {
    const err = await openSqlite(`sqlite:${dir}`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DbKnownError);
    expect((err as DbKnownError).code).toBe('CONNECTION_FAILED');
  });

  it("wraps a user's Database and never closes it", async () => {
    const db = new Database(':memory:');
    const conn = await openSqlite(betterSqlite3Driver(db));
    expect(await conn.queryArrays('SELECT 1 + 1')).toEqual([[2]]);
    await conn.close();
    expect(db.open).toBe(true);
    expect(db.prepare('SELECT 3 AS x').get()).toEqual({ x: 3 });
    await expect(conn.query('SELECT 1')).rejects.toThrow(/closed/);
    db.close();
    await expect(openSqlite(betterSqlite3Driver(db))).rejects.toThrow(/already closed/);
  });
});

describe('statements', () => {
  it('returns objects, arrays and row counts; RETURNING rows are counted', async () => {
    const conn = await memory();
    await conn.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)');
    expect(await conn.execute('INSERT INTO t (name) VALUES (?), (?)', ['a', 'b'])).toEqual({ rowCount: 2, lastInsertId: 2 });
    expect(await conn.execute('UPDATE t SET name = name || ? RETURNING id', ['!'])).toEqual({ rowCount: 2 });
    expect(await conn.query('SELECT id, name FROM t ORDER BY id')).toEqual([
      { id: 1, name: 'a!' },
      { id: 2, name: 'b!' },
    ]);
    expect(await conn.queryArrays('SELECT id, name FROM t ORDER BY id')).toEqual([
      [1, 'a!'],
      [2, 'b!'],
    ]);
    // The same cached statement switches back to objects.
    expect(await conn.query('SELECT id, name FROM t ORDER BY id')).toHaveLength(2);
    await conn.close();
  });

  it('reads bigints only when asked', async () => {
    const conn = await memory();
    await conn.execute('CREATE TABLE n (v INTEGER)');
    await conn.execute('INSERT INTO n (v) VALUES (?)', [9007199254740993n]);
    expect(await conn.queryArrays('SELECT v FROM n', [], { safeIntegers: true })).toEqual([[9007199254740993n]]);
    expect(typeof (await conn.queryArrays('SELECT v FROM n'))[0][0]).toBe('number');
    await conn.close();
  });

  it('normalises bound values and refuses what would be stringified', async () => {
    const conn = await memory();
    const when = new Date('2024-05-01T10:20:30.456Z');
    expect(await conn.queryArrays('SELECT ?, ?, ?, ?', [true, false, when, new Uint8Array([1, 2])])).toEqual([
      [1, 0, '2024-05-01T10:20:30.456Z', Buffer.from([1, 2])],
    ]);
    await expect(conn.query('SELECT ?', [undefined])).rejects.toThrow(ValidationError);
    await expect(conn.query('SELECT ?', [undefined])).rejects.toThrow(/parameter 1 is undefined/i);
    await expect(conn.query('SELECT ?, ?', [1, { a: 1 }])).rejects.toThrow(/parameter 2 is a plain object/i);
    await expect(conn.query('SELECT ?', [[1, 2]])).rejects.toThrow(/an array/);
    await expect(conn.query('SELECT ?', [new Date('nope')])).rejects.toThrow(/invalid Date/);
    await conn.close();
  });

  it('runs text with several statements (a trigger body) through exec', async () => {
    const conn = await memory();
    await conn.execute(`CREATE TABLE a (x INTEGER); CREATE TABLE b (x INTEGER);
      CREATE TRIGGER a_ai AFTER INSERT ON a BEGIN INSERT INTO b (x) VALUES (new.x * 2); END;`);
    await conn.execute('INSERT INTO a (x) VALUES (?)', [21]);
    expect(await conn.queryArrays('SELECT x FROM b')).toEqual([[42]]);
    await expect(conn.execute('SELECT ?; SELECT ?', [1, 2])).rejects.toThrow(/one at a time/);
    await conn.close();
  });

  it('streams in chunks and frees the connection when the consumer stops', async () => {
    const conn = await memory();
    await conn.execute('CREATE TABLE s (i INTEGER)');
    await conn.execute('WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 25) INSERT INTO s SELECT i FROM c');
    const sizes: number[] = [];
    for await (const chunk of conn.stream('SELECT i FROM s ORDER BY i', [], 10)) sizes.push(chunk.length);
    expect(sizes).toEqual([10, 10, 5]);
    for await (const chunk of conn.stream('SELECT i FROM s WHERE i > ? ORDER BY i', [20], 2)) {
      expect(chunk).toEqual([[21], [22]]);
      break;
    }
    // The cursor was closed on break, so writes work again.
    expect(await conn.execute('DELETE FROM s')).toEqual({ rowCount: 25 });
    await conn.close();
  });
});

describe('transactions', () => {
  async function withTable(): Promise<Connection> {
    const conn = await memory();
    await conn.execute('CREATE TABLE t (v TEXT)');
    return conn;
  }

  it('commits on resolve and rolls back on throw', async () => {
    const conn = await withTable();
    await conn.transaction(async (tx) => {
      expect(tx.inTransaction).toBe(true);
      await tx.execute(`INSERT INTO t VALUES ('kept')`);
    });
    await expect(
      conn.transaction(async (tx) => {
        await tx.execute(`INSERT INTO t VALUES ('lost')`);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await conn.queryArrays('SELECT v FROM t')).toEqual([['kept']]);
    expect(conn.inTransaction).toBe(false);
    await conn.close();
  });

  it('makes a root query issued while a transaction is open wait instead of joining it', async () => {
    const conn = await withTable();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const events: string[] = [];
    const tx = conn.transaction(async (t) => {
      await t.execute(`INSERT INTO t VALUES ('in-tx')`);
      events.push('tx wrote');
      await held;
      throw new Error('roll it back');
    });
    await new Promise((r) => setTimeout(r, 5));
    const outside = conn.execute(`INSERT INTO t VALUES ('outside')`).then(() => events.push('outside wrote'));
    await new Promise((r) => setTimeout(r, 20));
    expect(events).toEqual(['tx wrote']);
    release();
    await expect(tx).rejects.toThrow('roll it back');
    await outside;
    // Had the outside insert joined the transaction, the rollback would have taken it too.
    expect(await conn.queryArrays('SELECT v FROM t')).toEqual([['outside']]);
    await conn.close();
  });

  it('rolls back a nested savepoint without losing the outer work', async () => {
    const conn = await withTable();
    await conn.transaction(async (tx) => {
      await tx.execute(`INSERT INTO t VALUES ('outer')`);
      await expect(
        tx.transaction(async (inner) => {
          await inner.execute(`INSERT INTO t VALUES ('inner')`);
          throw new Error('inner fails');
        }),
      ).rejects.toThrow('inner fails');
      await tx.transaction(async (inner) => {
        await inner.transaction((deeper) => deeper.execute(`INSERT INTO t VALUES ('deep')`));
      });
    });
    expect(await conn.queryArrays('SELECT v FROM t ORDER BY rowid')).toEqual([['outer'], ['deep']]);
    await conn.close();
  });

  it('refuses the outer connection from inside its transaction instead of deadlocking', async () => {
    const conn = await withTable();
    await expect(conn.transaction(() => conn.query('SELECT 1'))).rejects.toThrow(/use the `tx` connection/i);
    await expect(conn.transaction(() => conn.transaction(async () => 1))).rejects.toThrow(/use the `tx` connection/i);
    await conn.close();
  });

  it('refuses a transaction connection used after it ended', async () => {
    const conn = await withTable();
    let leaked!: Connection;
    await conn.transaction(async (tx) => {
      leaked = tx;
    });
    await expect(leaked.query('SELECT 1')).rejects.toThrow(/already finished/);
    await conn.close();
  });

  it('serialises concurrent transactions on one connection', async () => {
    const conn = await withTable();
    const order: string[] = [];
    await Promise.all(
      ['a', 'b', 'c'].map((name) =>
        conn.transaction(async (tx) => {
          order.push(`${name}:start`);
          await new Promise((r) => setTimeout(r, 5));
          await tx.execute('INSERT INTO t VALUES (?)', [name]);
          order.push(`${name}:end`);
        }),
      ),
    );
    expect(order).toEqual(['a:start', 'a:end', 'b:start', 'b:end', 'c:start', 'c:end']);
    await conn.close();
  });

  it('takes the write lock up front (BEGIN IMMEDIATE) by default', async () => {
    const file = path.join(dir, 'immediate.db');
    const conn = await openSqlite(`sqlite:${file}`);
    await conn.execute('CREATE TABLE t (v TEXT)');
    const other = new Database(file, { timeout: 0 });
    await conn.transaction(async () => {
      // Before its first statement, the transaction already holds the lock a writer needs.
      expect(() => other.prepare(`INSERT INTO t VALUES ('x')`).run()).toThrow(/locked/);
    });
    other.prepare(`INSERT INTO t VALUES ('y')`).run();
    other.close();
    await conn.close();
  });
});

describe('missing directory', () => {
  it('opens once the directory exists', async () => {
    const sub = path.join(dir, 'made');
    mkdirSync(sub);
    const conn = await openSqlite(`sqlite:${sub}/app.db`);
    await conn.close();
  });
});
