import { randomBytes } from 'node:crypto';
import { reachTarget, TEST_TARGETS } from '../../targets.js';
import type { ReliabilityTarget, TargetEntry } from './types.js';

/**
 * Postgres joins when the test-target registry reaches it (FORGE_TEST_POSTGRES_URL, else the local server).
 * A URL that was given but does not answer is an error there, not a skip.
 */
export const postgresTarget: TargetEntry = {
  name: 'postgres',
  adapter: () => TEST_TARGETS.postgres.adapter!(),
  unreachableUrl: (port) => `postgres://postgres@127.0.0.1:${port}/forge`,
  async load(): Promise<ReliabilityTarget | { unavailable: string }> {
    const reached = await reachTarget('postgres', { adapter: await this.adapter() });
    if ('skip' in reached) return { unavailable: reached.skip };
    const { adapter, onServer } = reached;
    const drop = (name: string) => reached.dropDatabase(name);
    /**
     * Databases whose public schema was emptied after use. CREATE + DROP DATABASE costs about 0.7 s, and a
     * property creates one per generated case and per shrinking step, so each database is reused.
     */
    const idle: string[] = [];

    async function reset(url: string): Promise<void> {
      await onServer(async (c) => {
        // A session left behind (a CLI child still closing) would hold locks the DROP waits for.
        await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
        await c.execute('DROP SCHEMA public CASCADE');
        await c.execute('CREATE SCHEMA public');
      }, url);
    }

    return {
      name: 'postgres',
      adapter,
      unsupportedKinds: [],
      async fresh() {
        let name = idle.pop();
        if (!name) {
          name = `forge_rel_${randomBytes(6).toString('hex')}`;
          await reached.createDatabase(name);
        }
        const db = name;
        const url = reached.urlFor(db);
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
        const rows = await onServer(
          (c) =>
            c.query<{ pid: number; objid: number }>(
              `SELECT pid, objid FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
            ),
          url,
        );
        if (rows.length) throw new Error(`advisory locks still held on ${url}: ${JSON.stringify(rows)}`);
      },
    };
  },
};
