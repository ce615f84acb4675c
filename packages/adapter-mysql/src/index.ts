import type { Adapter, Capabilities } from '@forge/core';
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
  // MySQL has no RETURNING; the written row is read back by key in the same transaction.
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
};

export { mysql2Driver, type Mysql2PoolLike } from './driver.js';
export { MysqlCompiler } from './compile.js';
export { introspectMysql } from './introspect.js';
export { mysqlCodec } from './codec.js';
export { mysqlDdl } from './ddl.js';
export { mysqlFacts } from './facts.js';
export { pushLockNameSql } from './lock.js';
export { parseServerVersion, serverFeatures, type MysqlServer } from './server.js';
