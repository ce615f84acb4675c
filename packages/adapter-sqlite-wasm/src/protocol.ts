/**
 * The messages between the page (WasmConnection, `connection.ts`) and the Web Worker that owns the SQLite
 * database (`host.ts`). Every request carries an id; the worker answers each one exactly once, in the order it
 * received them (it runs one request at a time). Values cross as structured clones: strings, numbers, bigints,
 * Uint8Array and null, which is everything SQLite stores.
 */

/** Where the database lives: OPFS through the SAH-pool VFS, memory, or OPFS when the browser has it (`auto`). */
export type WasmStorage = 'auto' | 'opfs' | 'memory';

export interface OpenRequest {
  op: 'open';
  /** The database's name in the VFS (a path such as `/app.sqlite3`). */
  filename: string;
  storage: WasmStorage;
  /** The SAH-pool VFS's OPFS directory (one per app on an origin). */
  directory?: string;
  /** How long to keep trying while another worker holds the OPFS files (default 3000 ms). */
  lockTimeoutMs?: number;
}

export interface QueryRequest {
  op: 'query';
  sql: string;
  params: readonly unknown[];
  /** Rows as arrays in select-list order, or as objects keyed by column name. */
  shape: 'arrays' | 'objects';
  /** Every INTEGER value as a bigint (a bigint column is selected). */
  safeIntegers?: boolean;
  /** Stop after the first row. */
  firstOnly?: boolean;
}

export interface ExecuteRequest {
  op: 'execute';
  sql: string;
  params: readonly unknown[];
}

export interface CloseRequest {
  op: 'close';
}

export type Request = OpenRequest | QueryRequest | ExecuteRequest | CloseRequest;
export type Envelope = Request & { id: number };

/** What the worker opened. */
export interface OpenResult {
  /** The SQLite library version (`sqlite_version()`). */
  version: string;
  /** `opfs-sahpool` (persistent) or `memory` (gone when the worker ends). */
  vfs: 'opfs-sahpool' | 'memory';
  persistent: boolean;
  filename: string;
  /** Why OPFS was not used, when `storage` was `auto` and the database fell back to memory. */
  fallbackReason?: string;
}

export interface QueryResult {
  rows: unknown[][] | Record<string, unknown>[];
}

export interface ExecuteResult {
  rowCount: number;
  lastInsertId?: number | bigint;
}

/** A SQLite (or worker) failure as plain data: `code` is SQLite's extended result code name, as better-sqlite3 reports it. */
export interface WireError {
  name: string;
  message: string;
  code?: string;
}

export type Response =
  | { id: number; ok: true; result: unknown; /** true while the database is inside a transaction (not in autocommit) */ inTransaction: boolean }
  | { id: number; ok: false; error: WireError; inTransaction: boolean };

/** What both ends need of a Worker, a DedicatedWorkerGlobalScope or a MessagePort. */
export interface PortLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  removeEventListener?(type: 'message', listener: (event: { data: unknown }) => void): void;
  /** Present on a MessagePort: starts delivery to addEventListener listeners. */
  start?(): void;
}
