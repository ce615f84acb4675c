import type { Adapter, Capabilities } from '@forge/core';
import { SqlExecutor } from '@forge/core';
import { postgresCodec } from './codec.js';
import { PostgresCompiler } from './compile.js';
import { postgresForConnection } from './variants.js';
import { postgresDdl } from './ddl.js';
import { postgresFacts } from './facts.js';
import { connect } from './driver.js';
import { mapPgError } from './errors.js';
import { introspectPostgres } from './introspect.js';
import { lock, runIsolated } from './lock.js';
import { probePostgres } from './probe.js';

export const capabilities: Capabilities = {
  dialect: 'postgres',
  compareTypes: true,
  transactionalDdl: true,
  returning: true,
  savepoints: true,
  partialIndexes: true,
  expressionIndexes: true,
  coveringIndexes: true,
  indexMethods: ['btree', 'gin', 'gist', 'brin', 'hash'],
  alterAddForeignKey: true,
  dropColumn: true,
  // f.enum columns carry CHECK (col IN (...)), read back and replaced by diff, push and diff apply.
  enumChecks: true,
  // f.enumOf(values, { type }) columns are of a CREATE TYPE ... AS ENUM type, read from pg_enum.
  enumTypes: true,
  fullTextSearch: true,
  jsonPath: true,
  nativeCursor: true,
  views: true,
  materializedViews: true,
  maxIdentifierLength: 63,
  systemTables: [/^spatial_ref_sys$/, /^pg_stat_statements/],
};

const compiler = new PostgresCompiler();

export const adapter: Adapter = {
  kind: 'postgres',
  capabilities,
  facts: postgresFacts,
  connect,
  introspect: introspectPostgres,
  ddl: postgresDdl,
  compiler,
  executor: new SqlExecutor(compiler),
  codec: postgresCodec,
  lock,
  runIsolated,
  probe: probePostgres,
  mapError: (e) => mapPgError(e),
  // A method, so a copy of the adapter with other flags (`{ ...adapter, capabilities }`) is the base its variant starts from.
  forConnection(conn) {
    return (conn as { backendFlavor?: string }).backendFlavor === 'pglite' ? pgliteAdapter : postgresForConnection(this, conn);
  },
};

/**
 * The adapter as it applies to a PGlite connection (`forConnection`): PGlite is one session, and a server-side
 * cursor would hold it for the whole loop, so a query issued from inside the loop (findManyStream's includes)
 * would wait for the loop to end. Without `nativeCursor` the client pages findManyStream in key order instead.
 */
export const pgliteAdapter: Adapter = {
  ...adapter,
  capabilities: { ...capabilities, nativeCursor: false },
  forConnection: () => pgliteAdapter,
};

export { pgDriver, pgliteDriver, postgresJsDriver, type PostgresDriverOptions } from './driver.js';
export { parsePgliteUrl } from './pglite-backend.js';
export { PostgresCompiler } from './compile.js';
export { introspectPostgres } from './introspect.js';
export { postgresCodec } from './codec.js';
export { postgresDdl } from './ddl.js';
export { postgresFacts } from './facts.js';
