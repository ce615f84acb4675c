import type { Adapter, Capabilities } from '@forge/core';
import { duckdbCodec } from './codec.js';
import { DuckdbCompiler } from './compile.js';
import { duckdbDdl } from './ddl.js';
import { openDuckdb } from './driver.js';
import { mapDuckdbError } from './errors.js';
import { DuckdbExecutor } from './executor.js';
import { duckdbFacts } from './facts.js';
import { introspectDuckdb } from './introspect.js';
import { lock, runIsolated } from './lock.js';
import { probeDuckdb } from './probe.js';

export const capabilities: Capabilities = {
  dialect: 'duckdb',
  compareTypes: true,
  // DDL rolls back with the transaction: a push and a migration block are all or nothing.
  transactionalDdl: true,
  // UPDATE ... RETURNING (and an upsert's DO UPDATE with RETURNING) of a row another table references fails in
  // DuckDB ("still referenced by a foreign key": RETURNING turns the update into a delete and an insert, which
  // its per-statement key check refuses). So updates read their row back by key; INSERT and DELETE return theirs.
  returning: false,
  returningStatements: ['insert', 'delete'],
  // DuckDB has no SAVEPOINT: a nested $transaction fails clearly (seed 000) instead of pretending.
  savepoints: false,
  // "Creating partial indexes is not supported currently": a `where` index is reported, not created.
  partialIndexes: false,
  expressionIndexes: true,
  coveringIndexes: false,
  // ART for plain indexes; HNSW (`method: 'vector'`) where the vss extension is installed.
  indexMethods: ['btree', 'vector'],
  // Foreign keys exist only as declared in CREATE TABLE (no ALTER TABLE ... ADD FOREIGN KEY, no ADD COLUMN ... REFERENCES).
  alterAddForeignKey: false,
  // Nor ADD COLUMN ... REFERENCES: a foreign-key field added to an existing table gets no key (push says so).
  addColumnReferences: false,
  // createMany hands the Appender (executor.ts) whole batches: one appender per 100,000 rows, not per 1,000.
  bulkInsertRows: 100_000,
  dropColumn: true,
  // No ON DELETE / ON UPDATE CASCADE, SET NULL or SET DEFAULT (its parser refuses them; keys are checked per
  // statement): declaring one is a SchemaError before any DDL (ddl.ts checkActions).
  referentialActions: ['restrict', 'noAction'],
  // A key is declared only in CREATE TABLE, against a table that already exists, and is never added later: two
  // tables cannot reference each other.
  foreignKeyCycles: false,
  // DROP COLUMN and SET NOT NULL are refused while an index (or a key or constraint on the column or a later one,
  // or another table's foreign key) depends on the table, even when the index was dropped earlier in the same
  // transaction, and push and diff apply are one transaction each. A NOT NULL column added to such a table is a
  // SchemaError before any DDL (ddl.ts addColumn).
  alterIndexedTable: false,
  // The fts extension is a download, and its index is a snapshot that later writes do not reach (see ddl.ts).
  fullTextSearch: false,
  jsonPath: true,
  // DuckDB's streaming results: rows are pulled a vector (2048) at a time as the consumer asks.
  nativeCursor: true,
  views: true,
  materializedViews: false,
  // DuckDB sets no identifier limit; Postgres' 63 keeps generated names portable and readable.
  maxIdentifierLength: 63,
};

const compiler = new DuckdbCompiler();

export const adapter: Adapter = {
  kind: 'duckdb',
  capabilities,
  facts: duckdbFacts,
  connect: openDuckdb,
  introspect: introspectDuckdb,
  ddl: duckdbDdl,
  compiler,
  executor: new DuckdbExecutor(compiler),
  codec: duckdbCodec,
  lock,
  runIsolated,
  probe: (conn) => probeDuckdb(conn),
  mapError: (e) => mapDuckdbError(e),
};

export { duckdbDriver, openDuckdb } from './driver.js';
export type { DuckdbConnectionLike, DuckdbInstanceLike } from './factories.js';
export { DuckdbConnection } from './connection.js';
export { DuckdbCompiler, jsonPathOf } from './compile.js';
export { introspectDuckdb, parseIndexSql } from './introspect.js';
export { duckdbDdl, sequenceName } from './ddl.js';
export { duckdbFacts, categoryOf } from './facts.js';
export { duckdbCodec, pointFromWkb } from './codec.js';
export { mapDuckdbError } from './errors.js';
export { parseDuckdbUrl } from './url.js';
export { probeDuckdb, INSTALL_TIMEOUT_MS } from './probe.js';
