import sqlite3InitModule from '@sqlite.org/sqlite-wasm';
import { serveSqlite } from './host.js';
import type { PortLike } from './protocol.js';

/**
 * Call this in your Worker module (and nothing else there):
 *
 * ```ts
 * // db.worker.ts
 * import { startSqliteWorker } from '@forge/adapter-sqlite-wasm/worker';
 * startSqliteWorker();
 * ```
 *
 * The worker loads the official sqlite-wasm build and answers the page's `sqliteWasmDriver(worker)` connection.
 * The database lives in OPFS through the SAH-pool VFS (no COOP/COEP headers needed), or in memory where OPFS is
 * missing (the connection reports which, and why).
 */
export function startSqliteWorker(scope: PortLike = globalThis as unknown as PortLike): void {
  serveSqlite(scope, { init: () => sqlite3InitModule() });
}

export { serveSqlite, type HostOptions } from './host.js';
