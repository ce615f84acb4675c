export { adapter, capabilities, probeSqliteWasm, sqliteWasmDriver, SQLITE_WASM_FLAVOR, type SqliteWasmDriverOptions } from './adapter.js';
export { WasmConnection, WorkerClient } from './connection.js';
export { browserDoctor, type BrowserDoctorReport } from './doctor.js';
export type { OpenResult, PortLike, WasmStorage } from './protocol.js';
export { startSqliteWorker, serveSqlite, type HostOptions } from './worker.js';
