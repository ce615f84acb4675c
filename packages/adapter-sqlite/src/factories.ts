import { ConfigError, type DriverHandle } from '@forge/core';

/**
 * The SQLite driver factories: their one home. This file loads no driver (it names better-sqlite3 and libSQL only
 * structurally), so `forge-orm` bundles it and re-exports it without loading this adapter or the native addon.
 */

export const BETTER_SQLITE3_FLAVOR = 'better-sqlite3';

/** What forge needs of a better-sqlite3 `Database` (checked again, open or closed, when the adapter connects). */
export interface BetterSqlite3Like {
  prepare(...args: never[]): unknown;
  exec(...args: never[]): unknown;
}

/** Wrap a better-sqlite3 Database the user opened; forge uses it as configured and never closes it. */
export function betterSqlite3Driver(db: BetterSqlite3Like): DriverHandle {
  if (!db || typeof db !== 'object' || typeof db.prepare !== 'function' || typeof db.exec !== 'function') {
    throw new ConfigError('betterSqlite3Driver(db) needs a better-sqlite3 Database: new Database(path)');
  }
  return { __forgeDriver: true, dialect: 'sqlite', flavor: BETTER_SQLITE3_FLAVOR, client: db };
}

export const LIBSQL_FLAVOR = 'libsql';

/** What forge needs of a `@libsql/client` Client (checked again, open or closed, when the adapter connects). */
export interface LibsqlLike {
  execute(...args: never[]): unknown;
  transaction(...args: never[]): unknown;
}

/**
 * Wrap a libSQL client the user made: a local file (`createClient({ url: 'file:./app.db' })`), Turso or sqld
 * (`createClient({ url: 'libsql://...', authToken })`), an embedded replica. forge uses it as configured and never
 * closes it. Make it with `intMode: 'bigint'` to read integers past 2^53 exactly.
 */
export function libsqlDriver(client: LibsqlLike): DriverHandle {
  if (!client || typeof client !== 'object' || typeof client.execute !== 'function' || typeof client.transaction !== 'function') {
    throw new ConfigError("libsqlDriver(client) needs a @libsql/client Client: createClient({ url: 'file:./app.db' })");
  }
  return { __forgeDriver: true, dialect: 'sqlite', flavor: LIBSQL_FLAVOR, client };
}
