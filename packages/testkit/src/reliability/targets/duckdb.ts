import { reachTarget, TEST_TARGETS } from '../../targets.js';
import type { Adapter, Connection } from '@forge/core';
import type { ReliabilityTarget, TargetEntry } from './types.js';

/** A Connection that opens `url` for each call (a transaction, a session or a stream: for its duration) and closes it after. */
function perCall(url: string, adapter: Adapter): Connection {
  let closed = false;
  const using = async <T>(fn: (c: Connection) => Promise<T>): Promise<T> => {
    if (closed) throw new Error('The DuckDB connection is closed');
    const c = await adapter.connect(url);
    try {
      return await fn(c);
    } finally {
      await c.close();
    }
  };
  return {
    dialect: 'duckdb',
    query: (sql, params) => using((c) => c.query(sql, params)),
    queryArrays: (sql, params, opts) => using((c) => c.queryArrays(sql, params, opts)),
    execute: (sql, params) => using((c) => c.execute(sql, params)),
    async *stream(sql, params, chunkSize, opts) {
      if (closed) throw new Error('The DuckDB connection is closed');
      const c = await adapter.connect(url);
      try {
        yield* c.stream(sql, params, chunkSize, opts);
      } finally {
        await c.close();
      }
    },
    transaction: (fn, opts) => using((c) => c.transaction(fn, opts)),
    withSession: (fn) => using((c) => c.withSession(fn)),
    inTransaction: false,
    async close() {
      closed = true;
    },
  };
}

/**
 * DuckDB is always available: every database is a file in its own temp folder. A push holds the file for its
 * process (DuckDB lets one process open a file) and, inside it, one transaction.
 */
export const duckdbTarget: TargetEntry = {
  name: 'duckdb',
  adapter: () => TEST_TARGETS.duckdb.adapter!(),
  async load(): Promise<ReliabilityTarget | { unavailable: string }> {
    const reached = await reachTarget('duckdb', { adapter: await this.adapter() });
    if ('skip' in reached) return { unavailable: reached.skip };
    const adapter = reached.adapter;
    return {
      name: 'duckdb',
      adapter,
      unsupportedKinds: [],
      async fresh() {
        const db = await reached.fresh();
        // DuckDB lets one process open a file at a time, and the harness runs `forge` processes on this file while
        // it holds `conn`: so `conn` opens the file for each call and closes it after, never holding it between.
        const conn = perCall(db.url, adapter);
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
        // lock_timeout=0: a process (a killed push) that still held the file makes the open fail at once; a
        // transaction left open would make this write conflict.
        const conn = await adapter.connect(`${url}?lock_timeout=0`);
        try {
          await conn.transaction(async (tx) => {
            await tx.execute('CREATE TABLE forge_lock_probe (x INTEGER)');
            await tx.execute('DROP TABLE forge_lock_probe');
          });
        } catch (e) {
          throw new Error(`the database ${url} cannot be written: the push lock is still held (${(e as Error).message})`);
        } finally {
          await conn.close();
        }
      },
    };
  },
};
