import type { Adapter, Capabilities } from '@forge/core';
import { SqlExecutor } from '@forge/core';
import { mssqlCodec } from './codec.js';
import { MssqlCompiler } from './compile.js';
import { mssqlDdl } from './ddl.js';
import { connect } from './driver.js';
import { mapMssqlError } from './errors.js';
import { mssqlFacts } from './facts.js';
import { introspectMssql } from './introspect.js';
import { lock, runIsolated } from './lock.js';
import { probeMssql } from './probe.js';

/** SQL Server 2017+ (2022 is the reference), through mssql (tedious). */
export const capabilities: Capabilities = {
  dialect: 'mssql',
  compareTypes: true,
  // DDL runs inside the push's transaction and rolls back with it.
  transactionalDdl: true,
  // OUTPUT INSERTED.* / DELETED.* on INSERT, UPDATE, DELETE and MERGE (not on a table with enabled triggers).
  returning: true,
  savepoints: true,
  // sp_executesql takes 2,100 parameters: createMany splits its INSERTs below that (compile.ts refuses more).
  maxBindParams: 2000,
  // Filtered indexes (CREATE INDEX ... WHERE).
  partialIndexes: true,
  // No expression indexes: index a computed column instead (the emitter says so).
  expressionIndexes: false,
  // INCLUDE columns.
  coveringIndexes: true,
  indexMethods: ['btree', 'spatial'],
  alterAddForeignKey: true,
  dropColumn: true,
  // SET NULL is left out of what the shared suites declare: its usual place is a second key to the same table
  // beside a CASCADE, which SQL Server refuses ("may cause cycles or multiple cascade paths", error 1785). A schema
  // may still declare it; one that has two cascade paths to a table, or a cycle, is a SchemaError while planning,
  // naming the keys (cascade.ts). RESTRICT is emitted as NO ACTION (the same check).
  referentialActions: ['cascade', 'restrict', 'noAction'],
  multipleCascadePaths: false,
  // Full-text catalogs are set up out of band (seed 004): no .searchable() support.
  fullTextSearch: false,
  jsonPath: true,
  // geography columns: the base geo formulas read JSON text, and STDistance / STIntersects are not compiled yet.
  geoQueries: false,
  nativeCursor: true,
  views: true,
  materializedViews: false,
  maxIdentifierLength: 128,
};

const compiler = new MssqlCompiler();

export const adapter: Adapter = {
  kind: 'mssql',
  capabilities,
  facts: mssqlFacts,
  connect,
  introspect: introspectMssql,
  ddl: mssqlDdl,
  compiler,
  executor: new SqlExecutor(compiler),
  codec: mssqlCodec,
  lock,
  runIsolated,
  probe: probeMssql,
  mapError: (e) => mapMssqlError(e),
  // A method, so a copy of the adapter with other flags (`{ ...adapter, capabilities }`) is the base its variant starts from.
  forConnection(conn) {
    return conn.extensions?.has('vector') ? mssqlVectorVariant(this) : this;
  },
};

const withVector = new WeakMap<Adapter, Adapter>();

/** The adapter on a server with the VECTOR type: f.vector() columns are VECTOR(n), ordered by VECTOR_DISTANCE. */
function mssqlVectorVariant(base: Adapter): Adapter {
  let v = withVector.get(base);
  if (!v) {
    const vectorCompiler = new MssqlCompiler({ vectorType: true });
    v = { ...base, compiler: vectorCompiler, executor: new SqlExecutor(vectorCompiler), forConnection: () => v! };
    withVector.set(base, v);
  }
  return v;
}

export { mssqlDriver, type MssqlPoolLike } from './factories.js';
export { MssqlCompiler, jsonPathOf, escapeLikeMssql, BINARY_COLLATION } from './compile.js';
export { introspectMssql, snapshotFromCatalog, type CatalogRows } from './introspect.js';
export { mssqlCodec } from './codec.js';
export { mssqlDdl } from './ddl.js';
export { mssqlFacts } from './facts.js';
export { mapMssqlError } from './errors.js';
export { parseMssqlUrl, type MssqlUrlConfig } from './url.js';
export { PUSH_LOCK_RESOURCE, getAppLockSql } from './lock.js';
export { probeReport } from './probe.js';
