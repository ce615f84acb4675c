import { reachTarget, TEST_TARGETS } from '../../targets.js';
import type { ReliabilityTarget, TargetEntry } from './types.js';

/** SQLite is always available: every database is a file in its own temp folder (WAL and locking as in production). */
export const sqliteTarget: TargetEntry = {
  name: 'sqlite',
  adapter: () => TEST_TARGETS.sqlite.adapter!(),
  async load(): Promise<ReliabilityTarget | { unavailable: string }> {
    const reached = await reachTarget('sqlite', { adapter: await this.adapter() });
    if ('skip' in reached) return { unavailable: reached.skip };
    const adapter = reached.adapter;
    return {
      name: 'sqlite',
      adapter,
      unsupportedKinds: [],
      async fresh() {
        const db = await reached.fresh();
        const conn = await adapter.connect(db.url);
        return {
          url: db.url,
          conn,
          cleanup: async () => {
            await conn.close();
            await db.drop();
          },
        };
      },
      // Every database is removed by its own cleanup: nothing is pooled.
      release: async () => undefined,
      async assertLockFree(url) {
        // busy_timeout=0: a write lock still held by a finished (or killed) push makes BEGIN IMMEDIATE fail at once.
        const conn = await adapter.connect(`${url}?busy_timeout=0`);
        try {
          await conn.execute('BEGIN IMMEDIATE');
          await conn.execute('ROLLBACK');
        } catch (e) {
          throw new Error(`a write transaction cannot be opened on ${url}: the push lock is still held (${(e as Error).message})`);
        } finally {
          await conn.close();
        }
      },
    };
  },
};
