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
  adapter: async () => (await import('@forge/adapter-postgres')).adapter,
  unreachableUrl: (port) => `postgres://postgres@127.0.0.1:${port}/forge`,
  async load(): Promise<ReliabilityTarget | { unavailable: string }> {
    const adapter = await this.adapter();
    const given = process.env.FORGE_TEST_POSTGRES_URL;
    const server = given || LOCAL_URL;
    try {
      await onServer(adapter, server, (c) => c.query('SELECT 1'));
    } catch (e) {
      if (given) throw new Error(`FORGE_TEST_POSTGRES_URL does not answer: ${(e as Error).message}`);
      return { unavailable: `no Postgres at ${LOCAL_URL} and FORGE_TEST_POSTGRES_URL is not set` };
    }
    const q = (name: string) => adapter.compiler.quoteIdent(name);
    const drop = (name: string) => onServer(adapter, server, (c) => c.execute(`DROP DATABASE IF EXISTS ${q(name)} WITH (FORCE)`));
    /**
     * Databases whose public schema was emptied after use. CREATE + DROP DATABASE costs about 0.7 s, and a
     * property creates one per generated case and per shrinking step, so each database is reused.
     */
    const idle: string[] = [];

    async function reset(url: string): Promise<void> {
      await onServer(adapter, url, async (c) => {
        // A session left behind (a CLI child still closing) would hold locks the DROP waits for.
        await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
        await c.execute('DROP SCHEMA public CASCADE');
        await c.execute('CREATE SCHEMA public');
      });
    }

    return {
      name: 'postgres',
      adapter,
      unsupportedKinds: [],
      async fresh() {
        let name = idle.pop();
        if (!name) {
          name = `forge_rel_${randomBytes(6).toString('hex')}`;
          const created = name;
          await onServer(adapter, server, (c) => c.execute(`CREATE DATABASE ${q(created)}`));
        }
        const db = name;
        const url = withDatabase(server, db);
        const conn = await adapter.connect(url);
        return {
          url,
          conn,
          cleanup: async () => {
            await conn.close();
            try {
              await reset(url);
              idle.push(db);
            } catch {
              // A database that cannot be emptied is not reused.
              await drop(db);
            }
          },
        };
      },
      async release() {
        for (const name of idle.splice(0)) await drop(name);
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
