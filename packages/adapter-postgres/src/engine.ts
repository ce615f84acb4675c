/**
 * Which engine speaks the Postgres wire behind a connection, from its `SELECT version()` answer at connect, and
 * what forge does differently there (`EngineFacts`). Pure: unit-tested on recorded version strings.
 */
import type { EngineFacts, LockRowDialect } from '@forge/core';
import { lockTableDdl } from '@forge/core';

/**
 * CockroachDB answers `version()` with its own banner, e.g.
 * `CockroachDB CCL v23.1.11 (x86_64-pc-linux-gnu, built 2023/09/27 01:53:43, go1.19.10)` (CCL or OSS builds;
 * `cockroach version` shows the same tag: https://www.cockroachlabs.com/docs/stable/cockroach-version).
 */
const COCKROACH = /\bCockroachDB\b(?:\s+(?:CCL|OSS))?\s+v?(\d+\.\d+(?:\.\d+)?[^\s(]*)/i;
/**
 * YugabyteDB's YSQL is a Postgres fork and keeps its banner, with the YugabyteDB release after `-YB-`, e.g.
 * `PostgreSQL 11.2-YB-2.18.0.0-b0 on x86_64-pc-linux-gnu, compiled by clang ...` or `PostgreSQL 15.2-YB-2025.1.0.0-b0 ...`
 * (https://docs.yugabyte.com/stable/api/ysql/exprs/func_version/ ; `yb_servers()` exists there too, but the
 * banner already tells, without a second round trip).
 */
const YUGABYTE = /^PostgreSQL\s+(\d+(?:\.\d+)*)-YB-(\d+(?:\.\d+)*)(?:-b(\d+))?/i;
const POSTGRES = /^PostgreSQL\s+(\d+(?:\.\d+)*)/i;

/** CockroachDB's docs on what its schema changes and (missing) advisory locks mean for a migration tool. */
export const COCKROACH_DOCS = {
  onlineSchemaChanges: 'https://www.cockroachlabs.com/docs/stable/online-schema-changes',
  functions: 'https://www.cockroachlabs.com/docs/stable/functions-and-operators',
};
export const YUGABYTE_DOCS = {
  advisoryLocks: 'https://docs.yugabyte.com/stable/explore/transactions/explicit-locking/',
  ddl: 'https://docs.yugabyte.com/stable/api/ysql/the-sql-language/statements/#data-definition-language-ddl',
};

/** What forge knows about the engine behind `version()`'s answer; plain PostgreSQL (and PGlite) when it names no other. */
export function parsePgEngine(versionAnswer: string): EngineFacts {
  const v = String(versionAnswer ?? '').trim();
  const crdb = COCKROACH.exec(v);
  if (crdb) {
    return {
      name: 'cockroachdb',
      label: `CockroachDB v${crdb[1]}`,
      version: crdb[1],
      ddl: 'async',
      nativeLock: false,
      limits: [
        `CockroachDB has no working advisory locks (pg_advisory_* are compatibility stubs, ${COCKROACH_DOCS.functions}): push takes its lock as a row of _forge_lock, with a lease`,
        `CockroachDB runs schema changes as online background jobs and does not make DDL in an explicit transaction atomic (${COCKROACH_DOCS.onlineSchemaChanges}): push runs each statement on its own, each statement returns once its change is visible, and a failed one leaves those before it applied`,
      ],
    };
  }
  const yb = YUGABYTE.exec(v);
  if (yb) {
    const version = yb[2];
    return {
      name: 'yugabytedb',
      label: `YugabyteDB ${version} (PostgreSQL ${yb[1]})`,
      version,
      ddl: 'autocommit',
      nativeLock: false,
      limits: [
        `YugabyteDB has advisory locks only from v2025.1 and only with ysql_yb_enable_advisory_locks on (${YUGABYTE_DOCS.advisoryLocks}): push takes its lock as a row of _forge_lock, with a lease, which works on every release`,
        'YugabyteDB commits each DDL statement on its own (transactional DDL is off by default): push runs each statement on its own, and a failed one leaves those before it applied',
      ],
    };
  }
  const pg = POSTGRES.exec(v);
  const version = pg?.[1] ?? v;
  return { name: 'postgres', label: `PostgreSQL ${version}`, version, ddl: 'transactional', nativeLock: true, limits: [] };
}

/** The lock row on the Postgres wire: numbered placeholders, the wall clock (not the transaction's start) in ms. */
export const pgLockRowDialect: LockRowDialect = {
  param: (n) => `$${n}`,
  // clock_timestamp() moves during a transaction; now() would not. CockroachDB and YugabyteDB have both.
  nowMs: 'CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)',
  createTable: lockTableDdl(),
};
