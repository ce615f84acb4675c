/**
 * Driver factories for users who own their pool. Each lives with its adapter (one home, one set of
 * options: `pgDriver(pool, { prepare: false })` for PgBouncer); forge-orm bundles those driver-free
 * files at build time, so importing forge-orm loads no adapter and no driver, and works with only the
 * adapter you installed. A new adapter adds its factory file and one line here.
 */
export { pgDriver, postgresJsDriver, pgliteDriver } from '../../adapter-postgres/src/factories.js';
export type { PostgresDriverOptions, PgPoolLike, PostgresJsLike, PgliteDbLike } from '../../adapter-postgres/src/factories.js';
export { betterSqlite3Driver, libsqlDriver } from '../../adapter-sqlite/src/factories.js';
export type { BetterSqlite3Like, LibsqlLike } from '../../adapter-sqlite/src/factories.js';
export { mongoDriver } from '../../adapter-mongo/src/factories.js';
export type { MongoClientLike } from '../../adapter-mongo/src/factories.js';
export { mysql2Driver } from '../../adapter-mysql/src/factories.js';
export type { Mysql2PoolLike } from '../../adapter-mysql/src/factories.js';
export { duckdbDriver } from '../../adapter-duckdb/src/factories.js';
export type { DuckdbConnectionLike, DuckdbInstanceLike } from '../../adapter-duckdb/src/factories.js';
export { mssqlDriver } from '../../adapter-mssql/src/factories.js';
export type { MssqlPoolLike } from '../../adapter-mssql/src/factories.js';
