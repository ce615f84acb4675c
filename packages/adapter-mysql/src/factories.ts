import { ConfigError, type DriverHandle } from '@forge/core';

/**
 * The MySQL driver factory: its one home. This file loads no driver (it names mysql2 only structurally), so
 * `forge-orm` bundles it and re-exports it without loading this adapter or mysql2.
 */

/** What forge needs of a mysql2 pool (`mysql.createPool(...)`, callback or promise API). */
export interface Mysql2PoolLike {
  getConnection(...args: never[]): unknown;
  query(...args: never[]): unknown;
}

/**
 * Use a mysql2 pool you own (`mysql.createPool(...)` or `mysql2/promise`'s): forge runs its queries on it and
 * never ends it. forge reads values in its own format per query (dates as strings, big numbers as strings), so
 * the pool's own `dateStrings` / `supportBigNumbers` settings do not change what the client returns.
 */
export function mysql2Driver(pool: Mysql2PoolLike): DriverHandle {
  if (!pool || typeof pool !== 'object' || typeof (pool as { getConnection?: unknown }).getConnection !== 'function') {
    throw new ConfigError('mysql2Driver() takes a mysql2 pool: mysql.createPool({ uri }) (from mysql2 or mysql2/promise).');
  }
  return { __forgeDriver: true, dialect: 'mysql', flavor: 'mysql2', client: pool };
}
