import type { Connection } from '@forge/core';
import { requireTarget, type ReachedTarget, type TestDatabase } from '@forge/testkit';
import pg from 'pg';
import { adapter } from '../src/index.js';

export type { TestDatabase } from '@forge/testkit';

let target: Promise<ReachedTarget> | undefined;

/**
 * The server these tests run against, from the test-target registry in @forge/testkit (FORGE_TEST_POSTGRES_URL,
 * else 127.0.0.1:5432). The adapter's own tests need it: no server fails them, with the reason.
 */
function reached(): Promise<ReachedTarget> {
  target ??= requireTarget('postgres', { adapter });
  return target;
}

export async function serverUrl(): Promise<string> {
  return (await reached()).server!;
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: await serverUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh database for one test file; `drop()` removes it even while connections are still open. */
export async function createTestDatabase(): Promise<TestDatabase> {
  return (await reached()).fresh();
}

/** Whether the server can CREATE EXTENSION `name` (its package is installed there). */
export async function extensionAvailable(name: string): Promise<boolean> {
  const { rows } = await admin((c) => c.query('SELECT 1 FROM pg_available_extensions WHERE name = $1', [name]));
  return rows.length > 0;
}

/** A connection that counts the statements sent through it, for "a fixed number of queries" checks. */
export function countingConnection(inner: Connection): { conn: Connection; count: () => number } {
  let n = 0;
  const conn: Connection = {
    dialect: inner.dialect,
    get inTransaction() {
      return inner.inTransaction;
    },
    query<R>(sql: string, params?: readonly unknown[]) {
      n++;
      return inner.query<R>(sql, params);
    },
    queryArrays: (sql, params, opts) => (n++, inner.queryArrays(sql, params, opts)),
    execute: (sql, params) => (n++, inner.execute(sql, params)),
    stream: (sql, params, size, opts) => (n++, inner.stream(sql, params, size, opts)),
    transaction: (fn) => inner.transaction(fn),
    withSession: (fn) => inner.withSession(fn),
    close: () => inner.close(),
  };
  return { conn, count: () => n };
}
