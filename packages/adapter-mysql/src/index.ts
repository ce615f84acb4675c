import type { Adapter, Capabilities, Connection } from '@forge/core';
import { SqlExecutor } from '@forge/core';
import { mysqlCodec } from './codec.js';
import { MysqlCompiler } from './compile.js';
import { mysqlDdl } from './ddl.js';
import { connect } from './driver.js';
import { mapMysqlError } from './errors.js';
import { mysqlFacts } from './facts.js';
import { introspectMysql } from './introspect.js';
import { lock, runIsolated } from './lock.js';
import { probeMysql } from './probe.js';
import { parseServerVersion, serverFeatures, type MysqlServer } from './server.js';

/**
 * What MySQL 8 and MariaDB 10.5+ share. Where the two differ (functional key parts, the SRID column attribute,
 * JSON stored as LONGTEXT) the emitter and the introspector ask the server they talk to (see `server.ts`);
 * the flags here are the ones both keep.
 */
export const capabilities: Capabilities = {
  dialect: 'mysql',
  compareTypes: true,
  // Every DDL statement commits on its own (an implicit COMMIT before and after).
  transactionalDdl: false,
  // MySQL has no RETURNING; the written row is read back by key in the same transaction. MariaDB 10.5+ returns
  // rows from INSERT and DELETE (not UPDATE): `forConnection` lists those in `returningStatements`.
  returning: false,
  savepoints: true,
  // No partial indexes: a `where` index is a lint finding with the alternative (seed 004).
  partialIndexes: false,
  // Off: MariaDB has no functional key parts. MySQL 8.0.13+ has them, and the emitter uses them when the server
  // reports it (an expression index there is created); diff compares expressions only where both flavours can.
  expressionIndexes: false,
  coveringIndexes: false,
  indexMethods: ['btree', 'hash', 'fulltext', 'spatial'],
  alterAddForeignKey: true,
  dropColumn: true,
  fullTextSearch: true,
  jsonPath: true,
  nativeCursor: true,
  views: true,
  materializedViews: false,
  maxIdentifierLength: 64,
};

const compiler = new MysqlCompiler();

export const adapter: Adapter = {
  kind: 'mysql',
  capabilities,
  facts: mysqlFacts,
  connect,
  introspect: introspectMysql,
  ddl: mysqlDdl,
  compiler,
  executor: new SqlExecutor(compiler),
  codec: mysqlCodec,
  lock,
  runIsolated,
  probe: probeMysql,
  mapError: (e) => mapMysqlError(e),
  forConnection: (conn) => forServer(serverOf(conn)),
};

/** MariaDB's JSON_VALID() refuses documents nested 32 deep or more; MySQL 8 takes 100 (forge's own limit). */
const MARIADB_MAX_JSON_DEPTH = 31;

const variants = new Map<string, Adapter>();

/** The server behind `conn`, from the version it read at connect (a wrapping connection passes it on). */
function serverOf(conn: Connection): MysqlServer | undefined {
  return conn.serverVersion ? parseServerVersion(conn.serverVersion) : undefined;
}

/**
 * The adapter for one server: on MariaDB 10.5+ INSERT and DELETE return their rows (one round trip instead of
 * a write and a read back) and JSON documents nest at most 31 deep; MySQL 8 keeps the shared capabilities.
 * One variant per flavour and feature set, so its compiler's caches are shared by every handle on that server kind.
 */
function forServer(server: MysqlServer | undefined): Adapter {
  if (!server || server.flavor !== 'mariadb') return adapter;
  const features = serverFeatures(server);
  const key = `${server.flavor}:${features.returning}`;
  let variant = variants.get(key);
  if (!variant) {
    const variantCompiler = new MysqlCompiler({ returning: features.returning });
    variant = {
      ...adapter,
      capabilities: {
        ...capabilities,
        returningStatements: features.returning ? ['insert', 'delete'] : undefined,
        maxJsonDepth: MARIADB_MAX_JSON_DEPTH,
      },
      compiler: variantCompiler,
      executor: new SqlExecutor(variantCompiler),
    };
    variants.set(key, variant);
  }
  return variant;
}

export { mysql2Driver, type Mysql2PoolLike } from './driver.js';
export { MysqlCompiler } from './compile.js';
export { introspectMysql } from './introspect.js';
export { mysqlCodec } from './codec.js';
export { mysqlDdl } from './ddl.js';
export { mysqlFacts } from './facts.js';
export { pushLockNameSql } from './lock.js';
export { parseServerVersion, serverFeatures, type MysqlServer } from './server.js';
