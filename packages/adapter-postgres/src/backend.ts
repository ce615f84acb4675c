/** What the connection needs from a client library (pg or postgres.js); everything else is shared. */

export type RowMode = 'objects' | 'arrays';

export interface RunResult {
  rows: unknown[];
  rowCount: number;
  /** The last statement's command tag: `COMMIT` answers `ROLLBACK` when the transaction had already failed. */
  command?: string;
}

export interface Runner {
  /** Run one statement. `name` asks for a server-side prepared statement under that name. */
  run(sql: string, params: readonly unknown[], mode: RowMode, name?: string): Promise<RunResult>;
}

/** One server session held until `release`: transactions and cursors live on it. */
export interface Session extends Runner {
  /** Give the session back; `broken` discards it instead (its state is unknown after a failed ROLLBACK). */
  release(broken?: boolean): void;
}

export interface Backend extends Runner {
  readonly flavor: 'pg' | 'postgres.js' | 'pglite';
  /** Whether named prepared statements may be used (off behind PgBouncer in transaction mode). */
  readonly prepare: boolean;
  reserve(): Promise<Session>;
  /** A JSON document as this client library binds it (see `JsonParam`). */
  bindJson(value: unknown): unknown;
  /** Ends the pool when forge opened it; a no-op for a pool the user owns. */
  end(): Promise<void>;
}
