import type { Dialect, DriverHandle } from './adapter.js';
import { ConfigError } from './errors.js';

/**
 * Driver factories wrap a client the user already owns. They import no driver: the handle only records the
 * dialect and flavour, and the matching adapter is loaded when createDb sees it. forge never closes it.
 */
function handle(dialect: Dialect, flavor: string, client: unknown, what: string, options?: Record<string, unknown>): DriverHandle {
  if (!client || (typeof client !== 'object' && typeof client !== 'function')) {
    throw new ConfigError(`${what} takes your ${flavor} client, got ${client === null ? 'null' : typeof client}`);
  }
  return { __forgeDriver: true, dialect, flavor, client, options };
}

/** A `pg.Pool` (or `pg.Client`) you created. */
export const pgDriver = (pool: unknown): DriverHandle => handle('postgres', 'pg', pool, 'pgDriver(pool)');
/** A postgres.js `sql` instance. */
export const postgresJsDriver = (sql: unknown): DriverHandle => handle('postgres', 'postgres.js', sql, 'postgresJsDriver(sql)');
/** A mysql2 pool (promise or callback API). */
export const mysql2Driver = (pool: unknown): DriverHandle => handle('mysql', 'mysql2', pool, 'mysql2Driver(pool)');
/** A better-sqlite3 `Database`. */
export const betterSqlite3Driver = (db: unknown): DriverHandle => handle('sqlite', 'better-sqlite3', db, 'betterSqlite3Driver(db)');
/** A @duckdb/node-api connection. */
export const duckdbDriver = (conn: unknown): DriverHandle => handle('duckdb', '@duckdb/node-api', conn, 'duckdbDriver(conn)');
/** An mssql `ConnectionPool`. */
export const mssqlDriver = (pool: unknown): DriverHandle => handle('mssql', 'mssql', pool, 'mssqlDriver(pool)');
/** A connected `MongoClient`, and the database name (defaults to the one in its URL). */
export const mongoDriver = (client: unknown, dbName?: string): DriverHandle => handle('mongo', 'mongodb', client, 'mongoDriver(client, dbName)', { dbName });

export function isDriverHandle(v: unknown): v is DriverHandle {
  return !!v && typeof v === 'object' && (v as DriverHandle).__forgeDriver === true;
}
