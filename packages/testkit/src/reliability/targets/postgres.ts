import { randomBytes } from 'node:crypto';
import type { Adapter, Connection } from '@forge/core';
import type { ReliabilityTarget, TargetEntry } from './types.js';

const LOCAL_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function onServer<T>(adapter: Adapter, url: string, fn: (conn: Connection) => Promise<T>): Promise<T> {
  const conn = await adapter.connect(url, { connectTimeoutMs: 5_000 });
  try {
    return await fn(conn);
  } finally {
    await conn.close();
  }
}

/**
 * Postgres joins when FORGE_TEST_POSTGRES_URL or the local server answers. A URL that was given but does
 * not answer is an error, not a skip: a misconfigured CI job must not pass by testing less.
 */
export const postgresTarget: TargetEntry = {
  name: 'postgres',
  async load(): Promise<ReliabilityTarget | { unavailable: string }> {
    const { adapter } = await import('@forge/adapter-postgres');
    const given = process.env.FORGE_TEST_POSTGRES_URL;
    const server = given || LOCAL_URL;
    try {
      await onServer(adapter, server, (c) => c.query('SELECT 1'));
    } catch (e) {
      if (given) throw new Error(`FORGE_TEST_POSTGRES_URL does not answer: ${(e as Error).message}`);
      return { unavailable: `no Postgres at ${LOCAL_URL} and FORGE_TEST_POSTGRES_URL is not set` };
    }
    const q = (name: string) => adapter.compiler.quoteIdent(name);
    return {
      name: 'postgres',
      adapter,
      unsupportedKinds: [],
      async fresh() {
        const name = `forge_rel_${randomBytes(6).toString('hex')}`;
        await onServer(adapter, server, (c) => c.execute(`CREATE DATABASE ${q(name)}`));
        const url = withDatabase(server, name);
        const conn = await adapter.connect(url);
        return {
          url,
          conn,
          cleanup: async () => {
            await conn.close();
            await onServer(adapter, server, (c) => c.execute(`DROP DATABASE IF EXISTS ${q(name)} WITH (FORCE)`));
          },
        };
      },
      async assertLockFree(url) {
        // Advisory locks belong to one database; other test runs on the same server may hold their own.
        const rows = await onServer(adapter, url, (c) =>
          c.query<{ pid: number; objid: number }>(
            `SELECT pid, objid FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
          ),
        );
        if (rows.length) throw new Error(`advisory locks still held on ${url}: ${JSON.stringify(rows)}`);
      },
    };
  },
};
