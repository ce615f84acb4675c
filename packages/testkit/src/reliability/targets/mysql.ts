import { reachTarget, TEST_TARGETS } from '../../targets.js';
import type { Connection } from '@forge/core';
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
    const withUser = await passwordUser(onServer, reached.server!);
    return {
      name: 'mysql',
      adapter,
      // Geo points are stored as JSON text here (no POINT codec yet); vectors as JSON: every kind is storable.
      unsupportedKinds: [],
      async fresh() {
        const db = await reached.fresh();
        try {
          const url = withUser(db.url);
          const conn = await adapter.connect(url);
          return {
            url,
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

/** The password of the user every case connects as: an '@' in it, so the redaction cases see one in the URL. */
const PASSWORD = 'Sekr3t@Tok9';
const USER = 'forge_reliability';

/**
 * Cases connect as a user with a password (the local server's root has none, and a URL without one proves
 * nothing about redaction): created once, with every privilege on the test databases (`forge_test_%`). Where
 * the server's user may not create users (a managed MySQL 8), the URL stays as given.
 */
async function passwordUser(
  onServer: <T>(fn: (conn: Connection) => Promise<T>) => Promise<T>,
  server: string,
): Promise<(url: string) => string> {
  if (new URL(server).password) return (url) => url;
  try {
    await onServer(async (c) => {
      for (const host of ['%', 'localhost']) {
        await c.execute(`CREATE USER IF NOT EXISTS '${USER}'@'${host}' IDENTIFIED BY '${PASSWORD}'`);
        await c.execute(`GRANT ALL PRIVILEGES ON \`forge\\_test\\_%\`.* TO '${USER}'@'${host}'`);
      }
    });
  } catch {
    return (url) => url;
  }
  return (url) => {
    const u = new URL(url);
    u.username = USER;
    u.password = encodeURIComponent(PASSWORD);
    return u.toString();
  };
}
