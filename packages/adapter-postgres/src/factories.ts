import { ConfigError, type DriverHandle } from '@forge/core';

/**
 * The PostgreSQL driver factories: their one home. This file loads no driver (it names pg, postgres.js and PGlite
 * only structurally), so `forge-orm` bundles it and re-exports these without loading this adapter or `pg`.
 */

export interface PostgresDriverOptions {
  /** Named prepared statements for repeated queries (default true). Turn off behind PgBouncer in transaction mode. */
  prepare?: boolean;
}

/** What forge needs of a `pg.Pool` or `pg.Client` (a real one is checked when the adapter connects). */
export interface PgPoolLike {
  query(...args: never[]): unknown;
}

/** What forge needs of a postgres.js `sql` instance. */
export interface PostgresJsLike {
  (...args: never[]): unknown;
  unsafe(...args: never[]): unknown;
}

/**
 * Use a `pg.Pool` (or a connected `pg.Client`) you own: forge runs its queries on it and never ends it.
 * A single client is one session, so forge makes its statements take turns on it.
 * `{ prepare: false }` turns named prepared statements off (PgBouncer in transaction mode).
 */
export function pgDriver(pool: PgPoolLike, options: PostgresDriverOptions = {}): DriverHandle {
  if (!pool || typeof pool !== 'object' || typeof (pool as { query?: unknown }).query !== 'function') {
    throw new ConfigError('pgDriver() takes a pg.Pool (new Pool({ connectionString })) or a connected pg.Client.');
  }
  return { __forgeDriver: true, dialect: 'postgres', flavor: 'pg', client: pool, options: { ...options } };
}

/** Use a postgres.js `sql` instance you own: forge runs its queries on it and never ends it. */
export function postgresJsDriver(sql: PostgresJsLike, options: PostgresDriverOptions = {}): DriverHandle {
  if (typeof sql !== 'function' || typeof (sql as { unsafe?: unknown }).unsafe !== 'function') {
    throw new ConfigError('postgresJsDriver() takes the sql instance returned by postgres(url).');
  }
  return { __forgeDriver: true, dialect: 'postgres', flavor: 'postgres.js', client: sql, options: { ...options } };
}

/** What forge needs of a PGlite instance (`new PGlite()`, `await PGlite.create()`). */
export interface PgliteDbLike {
  query(...args: never[]): unknown;
  exec(...args: never[]): unknown;
}

/**
 * Use a PGlite instance you made (in memory, a data directory, with the extensions you passed it): forge runs the
 * Postgres adapter on it and never closes it. PGlite is one session, so forge's statements take turns on it and a
 * transaction holds it from BEGIN to COMMIT; queries you send to the instance yourself meanwhile are not queued.
 */
export function pgliteDriver(db: PgliteDbLike): DriverHandle {
  if (!db || typeof db !== 'object' || typeof db.query !== 'function' || typeof db.exec !== 'function') {
    throw new ConfigError('pgliteDriver() takes a PGlite instance: new PGlite() or await PGlite.create({ dataDir }).');
  }
  return { __forgeDriver: true, dialect: 'postgres', flavor: 'pglite', client: db };
}
