import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import type { Connection } from '@forge/core';
import { openSqlite } from '../src/index.js';

/** A fresh temp directory for this test file, removed when the file's tests finish. */
export function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'forge-sqlite-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function memory(): Promise<Connection> {
  return openSqlite('sqlite::memory:');
}

/** A connection that counts the statements sent through it (transactions included). */
export function counting(inner: Connection): { conn: Connection; count: () => number } {
  let n = 0;
  const wrap = (c: Connection): Connection => ({
    dialect: c.dialect,
    get inTransaction() {
      return c.inTransaction;
    },
    query: (sql, params) => (n++, c.query(sql, params)),
    queryArrays: (sql, params, opts) => (n++, c.queryArrays(sql, params, opts)),
    execute: (sql, params) => (n++, c.execute(sql, params)),
    stream: (sql, params, size, opts) => (n++, c.stream(sql, params, size, opts)),
    transaction: (fn, opts) => c.transaction((tx) => fn(wrap(tx)), opts),
    withSession: (fn) => c.withSession((s) => fn(wrap(s))),
    close: () => c.close(),
  });
  return { conn: wrap(inner), count: () => n };
}
