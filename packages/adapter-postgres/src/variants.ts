import { SqlExecutor, type Adapter, type Connection } from '@forge/core';
import { PostgresCompiler } from './compile.js';

/** Variants per base adapter, keyed by which of PostGIS and pgvector the server has. */
const variants = new WeakMap<Adapter, Map<string, Adapter>>();

/**
 * The adapter as it applies to the database behind `conn`: where PostGIS is installed, geo points are
 * `geography` columns and geo filters compile to PostGIS functions; elsewhere they are JSON text and the base
 * formulas read them. Where pgvector is installed, vectors are `vector(n)` columns ordered by its distance
 * operators; elsewhere `double precision[]`, measured in SQL element by element. Each variant is made once per
 * base adapter.
 */
export function postgresForConnection(base: Adapter, conn: Connection): Adapter {
  const postgis = conn.extensions?.has('postgis') ?? false;
  const pgvector = conn.extensions?.has('vector') ?? false;
  if (!postgis && !pgvector) return base;
  let byKey = variants.get(base);
  if (!byKey) variants.set(base, (byKey = new Map()));
  const key = `${postgis ? 'postgis' : ''}+${pgvector ? 'vector' : ''}`;
  let v = byKey.get(key);
  if (!v) {
    const compiler = new PostgresCompiler(postgis, pgvector);
    v = { ...base, compiler, executor: new SqlExecutor(compiler) };
    byKey.set(key, v);
  }
  return v;
}
