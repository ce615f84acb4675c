import { reachTarget, TEST_TARGETS } from '../../targets.js';
import type { ReliabilityTarget, TargetEntry } from './types.js';

/**
 * MySQL / MariaDB joins when the test-target registry reaches it (FORGE_TEST_MYSQL_URL, else the local server).
 * CREATE and DROP DATABASE are cheap there (a folder), so every case gets a new database.
 */
export const mysqlTarget: TargetEntry = {
  name: 'mysql',
  adapter: () => TEST_TARGETS.mysql.adapter!(),
  unreachableUrl: (port) => `mysql://root@127.0.0.1:${port}/forge`,
  async load(): Promise<ReliabilityTarget | { unavailable: string }> {
    const reached = await reachTarget('mysql', { adapter: await this.adapter() });
    if ('skip' in reached) return { unavailable: reached.skip };
    const { adapter, onServer } = reached;
    // The adapter's own lock-name expression (loaded by name, like every adapter here: no build-time dependency).
    const pkg = '@forge/adapter-mysql';
    const { pushLockNameSql: lockName } = (await import(pkg)) as { pushLockNameSql: string };
    return {
      name: 'mysql',
      adapter,
      // Geo points are stored as JSON text here (no POINT codec yet); vectors as JSON: every kind is storable.
      unsupportedKinds: [],
      async fresh() {
        const db = await reached.fresh();
        try {
          const conn = await adapter.connect(db.url);
          return {
            url: db.url,
            conn,
            cleanup: async () => {
              await conn.close();
              await db.drop();
            },
          };
        } catch (e) {
          await db.drop();
          throw e;
        }
      },
      async release() {},
      async assertLockFree(url) {
        // The push lock is named per database (see adapter-mysql lock.ts): nobody may hold this database's.
        const rows = await onServer((c) => c.queryArrays(`SELECT IS_USED_LOCK(${lockName})`), url);
        const holder = rows[0]?.[0];
        if (holder !== null && holder !== undefined) throw new Error(`the forge push lock is still held on ${url} by session ${String(holder)}`);
      },
    };
  },
};
