import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ReliabilityTarget, TargetEntry } from './types.js';

/** SQLite is always available: every database is a file in its own temp folder (WAL and locking as in production). */
export const sqliteTarget: TargetEntry = {
  name: 'sqlite',
  adapter: async () => (await import('@forge/adapter-sqlite')).adapter,
  async load(): Promise<ReliabilityTarget> {
    const adapter = await this.adapter();
    return {
      name: 'sqlite',
      adapter,
      unsupportedKinds: [],
      async fresh() {
        const dir = mkdtempSync(path.join(tmpdir(), 'forge-rel-sqlite-'));
        const url = `sqlite:${path.join(dir, 'db.sqlite')}`;
        const conn = await adapter.connect(url);
        return {
          url,
          conn,
          cleanup: async () => {
            await conn.close();
            rmSync(dir, { recursive: true, force: true });
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
