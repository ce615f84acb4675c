import { randomBytes } from 'node:crypto';
import type { Connection } from '@forge/core';
import pg from 'pg';

const LOCAL_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

let server: Promise<string> | undefined;

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * The server tests run against: FORGE_TEST_POSTGRES_URL, else the local one on 127.0.0.1:5432, else a
 * throwaway container (testcontainers) when neither is there.
 */
export function serverUrl(): Promise<string> {
  server ??= (async () => {
    const fromEnv = process.env.FORGE_TEST_POSTGRES_URL;
    if (fromEnv) return fromEnv;
    if (await answers(LOCAL_URL)) return LOCAL_URL;
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgis/postgis:15-3.4').start();
    return container.getConnectionUri();
  })();
  return server;
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

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh database for one test file; `drop()` removes it even while connections are still open. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `forge_test_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  return {
    name,
    url: withDatabase(await serverUrl(), name),
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
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
