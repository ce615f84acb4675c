import { ConfigError, type DriverHandle } from '@forge/core';

/**
 * The DuckDB driver factory: its one home. This file loads no driver (it names @duckdb/node-api only
 * structurally), so `forge-orm` bundles it and re-exports it without loading this adapter or the native addon.
 */

export const DUCKDB_NODE_API_FLAVOR = '@duckdb/node-api';

/** What forge needs of a `DuckDBInstance` (it opens its own connections on it) or of one `DuckDBConnection`. */
export interface DuckdbInstanceLike {
  connect(): Promise<unknown>;
}
export interface DuckdbConnectionLike {
  prepare(sql: string): Promise<unknown>;
  run(...args: never[]): Promise<unknown>;
}

/**
 * Use a DuckDB database you opened with @duckdb/node-api: a `DuckDBInstance` (forge opens connections on it,
 * one per transaction, and never closes the instance) or a single `DuckDBConnection` (every statement and
 * transaction of forge then runs on that connection, one transaction at a time; forge never closes it).
 */
export function duckdbDriver(db: DuckdbInstanceLike | DuckdbConnectionLike): DriverHandle {
  const shape = db as Partial<DuckdbInstanceLike & DuckdbConnectionLike> | null;
  const isConnection = !!shape && typeof shape.prepare === 'function' && typeof shape.run === 'function';
  const isInstance = !!shape && !isConnection && typeof shape.connect === 'function';
  if (!isConnection && !isInstance) {
    throw new ConfigError('duckdbDriver() takes a DuckDBInstance or a DuckDBConnection from @duckdb/node-api: await DuckDBInstance.create(path)');
  }
  return { __forgeDriver: true, dialect: 'duckdb', flavor: DUCKDB_NODE_API_FLAVOR, client: db, options: { kind: isConnection ? 'connection' : 'instance' } };
}
