import { serveSqlite } from './host.js';
import type { PortLike } from './protocol.js';

/**
 * Call this in your Worker module (and nothing else there):
 *
 * ```ts
 * // db.worker.ts
 * import { startSqliteWorker } from '@forge/adapter-sqlite-wasm';
 * startSqliteWorker();
 * ```
 *
 * The worker loads the official sqlite-wasm build and answers the page's `sqliteWasmDriver(worker)` connection.
 * The database lives in OPFS through the SAH-pool VFS (no COOP/COEP headers needed), or in memory where OPFS is
 * missing (the connection reports which, and why). sqlite-wasm is imported when the page first opens the database
 * (in the worker), so a page that imports this package for the driver never loads it.
 */
export function startSqliteWorker(scope: PortLike = globalThis as unknown as PortLike): void {
  serveSqlite(scope, { init: async () => (await import('@sqlite.org/sqlite-wasm')).default() });
}

export { serveSqlite, type HostOptions } from './host.js';
