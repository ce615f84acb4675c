import { SqlExecutor, type Adapter, type Connection } from '@forge/core';
import { PostgresCompiler } from './compile.js';

const withPostgis = new WeakMap<Adapter, Adapter>();

/**
 * The adapter as it applies to the database behind `conn`: where PostGIS is installed, geo points are
 * `geography` columns and geo filters compile to PostGIS functions; elsewhere they are JSON text and the base
 * formulas read them. The variant is made once per base adapter.
 */
export function postgresForConnection(base: Adapter, conn: Connection): Adapter {
  if (!conn.extensions?.has('postgis')) return base;
  let v = withPostgis.get(base);
  if (!v) {
    const compiler = new PostgresCompiler(true);
    v = { ...base, compiler, executor: new SqlExecutor(compiler) };
    withPostgis.set(base, v);
  }
  return v;
}
