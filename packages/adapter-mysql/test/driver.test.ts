import type { Connection } from '@forge/core';
import { DbKnownError, ConfigError } from '@forge/core';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapter, mysql2Driver } from '../src/index.js';
import type { MysqlConnection } from '../src/connection.js';
import { createTestDatabase, type TestDatabase } from './helpers.js';

let db: TestDatabase;
let conn: Connection;

beforeAll(async () => {
  db = await createTestDatabase();
  conn = await adapter.connect(db.url);
  await conn.execute('CREATE TABLE acct (id INT PRIMARY KEY AUTO_INCREMENT, name VARCHAR(50) NOT NULL UNIQUE, n INT NOT NULL DEFAULT 0) ENGINE=InnoDB');
});

afterAll(async () => {
  await conn?.close();
  await db?.drop();
});

describe('mysql driver', () => {
  it('reads the server flavour and version once at connect', () => {
    const server = (conn as MysqlConnection).server;
    expect(['mysql', 'mariadb']).toContain(server.flavor);
    expect(server.major).toBeGreaterThanOrEqual(5);
  });

  it('binds values as parameters and reports the generated key', async () => {
    const res = await conn.execute('INSERT INTO acct (name) VALUES (?)', ["o'brien \\ `x`"]);
    expect(res.rowCount).toBe(1);
    expect(Number(res.lastInsertId)).toBeGreaterThan(0);
    const rows = await conn.query<{ name: string }>('SELECT name FROM acct WHERE id = ?', [res.lastInsertId]);
    expect(rows[0].name).toBe("o'brien \\ `x`");
  });

  it('commits and rolls back, with savepoints for nested transactions', async () => {
    await conn.transaction(async (tx) => {
      await tx.execute('INSERT INTO acct (name) VALUES (?)', ['kept']);
      await expect(
        tx.transaction(async (inner) => {
          await inner.execute('INSERT INTO acct (name) VALUES (?)', ['undone']);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
    });
    await expect(
      conn.transaction(async (tx) => {
        await tx.execute('INSERT INTO acct (name) VALUES (?)', ['rolled']);
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    const names = (await conn.queryArrays('SELECT name FROM acct ORDER BY name')).map((r) => r[0]);
    expect(names).toContain('kept');
    expect(names).not.toContain('undone');
    expect(names).not.toContain('rolled');
  });

  it('maps the server errors forge knows and keeps deadlock and lock-wait codes', async () => {
    const dup = await conn.execute('INSERT INTO acct (name) VALUES (?)', ['kept']).catch((e) => e);
    expect(dup).toBeInstanceOf(DbKnownError);
    expect(dup.code).toBe('UNIQUE_VIOLATION');
    const nul = await conn.execute('INSERT INTO acct (name) VALUES (?)', [null]).catch((e) => e);
    expect(nul.code).toBe('NOT_NULL_VIOLATION');
    const missing = await conn.query('SELECT * FROM nope').catch((e) => e);
    expect(missing.code).toBe('MISSING_TABLE');
    const col = await conn.query('SELECT nope FROM acct').catch((e) => e);
    expect(col.code).toBe('MISSING_COLUMN');
    const raw = { errno: 1213, code: 'ER_LOCK_DEADLOCK', message: 'Deadlock found' };
    expect(adapter.mapError(raw)).toBe(raw);
  });

  it('streams rows in chunks and frees the session when the loop ends early', async () => {
    await conn.execute('CREATE TABLE nums (n INT PRIMARY KEY)');
    const values = Array.from({ length: 1000 }, (_, i) => i);
    await conn.execute(`INSERT INTO nums (n) VALUES ${values.map(() => '(?)').join(',')}`, values);
    let seen = 0;
    let chunks = 0;
    for await (const chunk of conn.stream('SELECT n FROM nums WHERE n >= ? ORDER BY n', [0], 128)) {
      chunks++;
      seen += chunk.length;
      expect(chunk.length).toBeLessThanOrEqual(128);
    }
    expect(seen).toBe(1000);
    expect(chunks).toBe(8);
    for (let i = 0; i < 20; i++) {
      for await (const _ of conn.stream('SELECT n FROM nums ORDER BY n', [], 10)) break;
    }
    // The pool (10 sessions) still answers after 20 abandoned streams.
    expect(Number((await conn.queryArrays('SELECT COUNT(*) FROM nums'))[0][0])).toBe(1000);
  });

  it('a second push lock waits for the first', async () => {
    const order: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const first = adapter.lock(conn, async () => {
      order.push('first in');
      await held;
      order.push('first out');
    });
    await new Promise((r) => setTimeout(r, 100));
    const second = adapter.lock(conn, async () => {
      order.push('second in');
    });
    await new Promise((r) => setTimeout(r, 200));
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['first in', 'first out', 'second in']);
  });

  it('wraps a user-owned mysql2/promise pool and never ends it', async () => {
    const pool = mysql.createPool({ uri: db.url, connectionLimit: 2 });
    const own = await adapter.connect(mysql2Driver(pool));
    expect((await own.queryArrays('SELECT 1 + ?', [1]))[0][0]).toBe(2);
    await own.close();
    const [rows] = await pool.query('SELECT 1 AS one');
    expect((rows as { one: number }[])[0].one).toBe(1);
    await pool.end();
  });

  it('refuses a URL without a database and an unreachable host, clearly', async () => {
    await expect(adapter.connect('mysql://root@127.0.0.1:3306')).rejects.toBeInstanceOf(ConfigError);
    const e = await adapter.connect('mysql://root@127.0.0.1:1/x', { connectTimeoutMs: 2000 }).catch((x) => x);
    expect(e).toBeInstanceOf(DbKnownError);
    expect(e.code).toBe('CONNECTION_FAILED');
    const nodb = await adapter.connect('mariadb://root@127.0.0.1:3306/forge_no_such_db_x').catch((x) => x);
    expect(nodb.message).toMatch(/CREATE DATABASE/);
  });
});
