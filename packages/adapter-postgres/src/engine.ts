/**
 * Which engine speaks the Postgres wire behind a connection, from its `SELECT version()` answer at connect, and
 * what forge does differently there (`EngineFacts`). Pure: unit-tested on recorded version strings.
 */
import type { EngineFacts, LockRowDialect } from '@forge/core';
import { lockTableDdl } from '@forge/core';

/**
 * CockroachDB answers `version()` with its own banner, e.g.
 * `CockroachDB CCL v23.1.11 (x86_64-pc-linux-gnu, built 2023/09/27 01:53:43, go1.19.10)` (CCL or OSS builds; the
 * tag is the build tag `cockroach version` prints, https://www.cockroachlabs.com/docs/stable/cockroach-version;
 * migration tools tell CockroachDB apart by "CockroachDB" in this answer, e.g. sqlx's launchbadge/sqlx#1762).
 */
const COCKROACH = /\bCockroachDB\b(?:\s+(?:CCL|OSS))?\s+v?(\d+\.\d+(?:\.\d+)?[^\s(]*)/i;
/**
 * YugabyteDB's YSQL is a Postgres fork and keeps its banner, with the YugabyteDB release after `-YB-`, e.g.
 * `PostgreSQL 11.2-YB-2.18.0.0-b0 on x86_64-pc-linux-gnu, compiled by clang ...` (the server version `11.2-YB-2.2.0.0-b0`
 * drivers see, https://github.com/yugabyte/yugabyte-db/issues/5154; PG 15 based releases from 2.25 on). `yb_servers()`
 * exists there too, but the banner already tells, without a second round trip.
 */
const YUGABYTE = /^PostgreSQL\s+(\d+(?:\.\d+)*)-YB-(\d+(?:\.\d+)*)(?:-b(\d+))?/i;
const POSTGRES = /^PostgreSQL\s+(\d+(?:\.\d+)*)/i;

/** Where each engine documents what its schema changes and its (missing) advisory locks mean for a migration tool. */
export const COCKROACH_DOCS = {
  onlineSchemaChanges: 'https://www.cockroachlabs.com/docs/stable/online-schema-changes',
  // No-op stubs, some overloads (int4, int4) undefined; the docs list them as unsupported (cockroachdb/docs#18154).
  advisoryLocks: 'https://github.com/cockroachdb/cockroach/issues/13546',
};
export const YUGABYTE_DOCS = {
  // Unsupported for years (yugabyte/yugabyte-db#3642); from v2025.1 behind ysql_yb_enable_advisory_locks.
  advisoryLocks: 'https://docs.yugabyte.com/stable/explore/transactions/explicit-locking/',
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
      lockNote: `CockroachDB has no working advisory locks (pg_advisory_* are no-op stubs or undefined, ${COCKROACH_DOCS.advisoryLocks}; transaction-level ones only in recent releases): push takes its lock as a row of _forge_lock, with a lease, on every release`,
      limits: [
        `CockroachDB runs schema changes as online background jobs and does not make DDL in an explicit transaction atomic (${COCKROACH_DOCS.onlineSchemaChanges}): push runs each statement in its own implicit transaction, and a failed one leaves those before it applied`,
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
      lockNote: `YugabyteDB has advisory locks only from v2025.1 and only with ysql_yb_enable_advisory_locks on (${YUGABYTE_DOCS.advisoryLocks}): push takes its lock as a row of _forge_lock, with a lease, which works on every release`,
      limits: [
        'YugabyteDB commits DDL statements on their own unless its transactional DDL (a preview in recent releases) is on: push runs each statement on its own, and a failed one leaves those before it applied',
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
