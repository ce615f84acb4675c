import { reachTarget, TEST_TARGETS } from '../../targets.js';
import type { ReliabilityTarget, TargetEntry } from './types.js';

/**
 * SQL Server joins only where FORGE_TEST_MSSQL_URL points at one (no usual local install, so no default URL:
 * without the variable every case is listed as skipped, naming it). A URL that is set but does not answer is
 * an error, not a skip. Every case gets a new database (CREATE DATABASE copies `model`, well under a second),
 * dropped after with the other sessions on it disconnected first (the registry's drop statement).
 *
 * The database-free properties (plan simulation) and the unreachable-host case run without a server.
 */
export const mssqlTarget: TargetEntry = {
  name: 'mssql',
  adapter: () => TEST_TARGETS.mssql.adapter!(),
  // trustServerCertificate: the closed port must fail as a refused connection, not a certificate question.
  unreachableUrl: (port) => `mssql://sa:unused@127.0.0.1:${port}/master?trustServerCertificate=true`,
  async load(): Promise<ReliabilityTarget | { unavailable: string }> {
    const reached = await reachTarget('mssql', { adapter: await this.adapter() });
    if ('skip' in reached) return { unavailable: reached.skip };
    const { adapter, onServer } = reached;
    // The adapter's own lock resource (loaded by name, like every adapter here: no build-time dependency).
    const pkg = '@forge/adapter-mssql';
    const { PUSH_LOCK_RESOURCE: resource } = (await import(pkg)) as { PUSH_LOCK_RESOURCE: string };
    return {
      name: 'mssql',
      adapter,
      // Geo points are GEOGRAPHY (built in), vectors VECTOR(n) or JSON text: every kind is storable.
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
        // Application locks belong to one database. APPLOCK_TEST asks whether this session could take the push
        // lock in the mode push takes it (Exclusive) without taking it: 0 while any other session or transaction
        // holds it in any mode. Owner 'Session', because a 'Transaction' test must run inside a transaction.
        const rows = await onServer((c) => c.queryArrays(`SELECT APPLOCK_TEST(N'public', @p1, N'Exclusive', N'Session')`, [resource]), url);
        if (Number(rows[0]?.[0]) !== 1) throw new Error(`the forge push lock ('${resource}', sp_getapplock) is still held on ${url}`);
      },
    };
  },
};

