import type { Adapter, Capabilities, Connection } from '@forge/core';
import { SqlExecutor } from '@forge/core';
import { sqliteCodec } from './codec.js';
import { SqliteCompiler } from './compile.js';
import { sqliteDdl } from './ddl.js';
import { sqliteFacts } from './facts.js';
import { openSqlite } from './driver.js';
import { mapSqliteError } from './errors.js';
import { introspectSqlite } from './introspect.js';
import { probeSqlite } from './probe.js';
import { LibsqlCompiler } from './libsql-compile.js';
import { LibsqlConnection } from './libsql.js';

export const capabilities: Capabilities = {
  dialect: 'sqlite',
  // Column types are affinities, not constraints: comparing them would only produce noise.
  compareTypes: false,
  transactionalDdl: true,
  returning: true,
  savepoints: true,
  partialIndexes: true,
  expressionIndexes: true,
  coveringIndexes: false,
  indexMethods: ['btree'],
  alterAddForeignKey: false,
  dropColumn: true,
  fullTextSearch: true,
  jsonPath: true,
  nativeCursor: true,
  views: true,
  materializedViews: false,
  maxIdentifierLength: 128,
};

/**
 * The push lock: a transaction that may write is BEGIN IMMEDIATE, which takes SQLite's write lock before planning,
 * so concurrent pushes on one file wait for each other (up to busy_timeout) instead of interleaving their DDL.
 */
function lock<T>(conn: Connection, fn: (conn: Connection) => Promise<T>): Promise<T> {
  return conn.transaction(fn);
}

/** One push statement inside its own savepoint (a transaction when none is open), so its failure undoes only itself. */
async function runIsolated(conn: Connection, sql: string): Promise<void> {
  await conn.transaction((tx) => tx.execute(sql));
}

const compiler = new SqliteCompiler();

export const adapter: Adapter = {
  kind: 'sqlite',
  capabilities,
  facts: sqliteFacts,
  connect: openSqlite,
  introspect: introspectSqlite,
  ddl: sqliteDdl,
  compiler,
  executor: new SqlExecutor(compiler),
  codec: sqliteCodec,
  lock,
  runIsolated,
  probe: probeSqlite,
  mapError: mapSqliteError,
  // A method, so a copy of the adapter with other flags (`{ ...adapter, capabilities }`) stays itself on better-sqlite3.
  forConnection(conn) {
    return conn instanceof LibsqlConnection ? libsqlAdapter : this;
  },
};

const libsqlCompiler = new LibsqlCompiler();

/**
 * The adapter as it applies to a libSQL connection (`forConnection`): the same SQL, DDL and introspection, with a
 * compiler that folds case without a JavaScript function (libSQL cannot register one) and no native cursor (its
 * client reads a result whole, so findManyStream pages instead).
 */
export const libsqlAdapter: Adapter = {
  ...adapter,
  capabilities: { ...capabilities, nativeCursor: false },
  compiler: libsqlCompiler,
  executor: new SqlExecutor(libsqlCompiler),
  forConnection: () => libsqlAdapter,
};

export { betterSqlite3Driver, libsqlDriver, openSqlite, type SqliteConnectOptions } from './driver.js';
export { LibsqlConnection, mapLibsqlError } from './libsql.js';
export { LibsqlCompiler } from './libsql-compile.js';
export { SqliteConnection, type TransactionOptions } from './connection.js';
export { SqliteCompiler, jsonPathOf, ftsQueryOf } from './compile.js';
export { introspectSqlite } from './introspect.js';
export { sqliteDdl } from './ddl.js';
export { sqliteFacts } from './facts.js';
export { sqliteCodec } from './codec.js';
export { mapSqliteError } from './errors.js';
export { parseSqliteUrl } from './url.js';
