/**
 * forge-orm/browser: the page side of the browser runtime (sqlite-wasm in a Web Worker, OPFS storage). A
 * separate entry so server bundles never depend on sqlite-wasm. In the worker module:
 * `import { startSqliteWorker } from 'forge-orm/browser'; startSqliteWorker();`
 */
export { sqliteWasmDriver, browserDoctor, startSqliteWorker } from '@forge/adapter-sqlite-wasm';
export type { SqliteWasmDriverOptions, BrowserDoctorReport, WasmStorage } from '@forge/adapter-sqlite-wasm';
