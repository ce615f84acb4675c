import { ConfigError, type DriverHandle } from '@forge/core';

/**
 * The SQL Server driver factory: its one home. This file loads no driver (it names mssql only structurally), so
 * `forge-orm` bundles it and re-exports it without loading this adapter or mssql.
 */

/** What forge needs of an mssql `ConnectionPool` (`new sql.ConnectionPool(config)`, connected or not). */
export interface MssqlPoolLike {
  connect(...args: never[]): unknown;
  request(...args: never[]): unknown;
}

/**
 * Use an mssql ConnectionPool you own: forge connects it if it is not connected yet, runs its queries on it and
 * never closes it. Give it a `requestTimeout` that fits your longest report (mssql's default is 15 s, and a
 * statement that runs longer is cancelled) and `options.useUTC: true` (the default), which forge's dateTime
 * values assume.
 */
export function mssqlDriver(pool: MssqlPoolLike): DriverHandle {
  // acquire / release (how forge pins one session) are public in mssql's source, absent from its typings.
  const p = pool as (Partial<MssqlPoolLike> & { acquire?: unknown }) | null | undefined;
  if (!p || typeof p !== 'object' || typeof p.request !== 'function' || typeof p.acquire !== 'function' || typeof p.connect !== 'function') {
    throw new ConfigError("mssqlDriver() takes an mssql ConnectionPool: new sql.ConnectionPool({ server, user, password, database, options: { encrypt: true } }) from the 'mssql' package.");
  }
  return { __forgeDriver: true, dialect: 'mssql', flavor: 'mssql', client: pool };
}
