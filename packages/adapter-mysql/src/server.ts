/**
 * Which server the adapter talks to, from its `VERSION()` answer, and what that server can do. MySQL and
 * MariaDB share the protocol and most of the SQL but part ways on a few features forge's emitter and
 * introspector depend on (functional key parts, the SRID column attribute, JSON stored as LONGTEXT,
 * INSERT … RETURNING). Pure: no I/O, so every branch is unit-testable.
 */
import type { EngineFacts, LockRowDialect } from '@forge/core';
import { lockTableDdl } from '@forge/core';

export interface MysqlServer {
  flavor: 'mysql' | 'mariadb';
  /** The version string as the server gave it, without the `5.5.5-` handshake prefix MariaDB may carry. */
  version: string;
  major: number;
  minor: number;
  patch: number;
}

/**
 * MariaDB 10+ prefixes its handshake version with `5.5.5-` so that old MySQL clients, which read the first
 * digit as the major version, do not refuse a "10" server. `SELECT VERSION()` does not carry it, the
 * handshake's server version does.
 */
const HANDSHAKE_PREFIX = /^5\.5\.5-(?=\d+\.\d+.*mariadb)/i;
const VERSION = /^(\d+)\.(\d+)(?:\.(\d+))?/;

/**
 * `10.11.19-MariaDB-0+deb12u1`, `5.5.5-10.11.6-MariaDB`, `11.4.2-MariaDB` → MariaDB; `8.0.36`, `8.4.2`,
 * `5.7.44-log`, `8.0.36-28` (Percona) → MySQL. Throws on a string that starts with no `major.minor`.
 */
export function parseServerVersion(versionString: string): MysqlServer {
  const version = String(versionString).trim().replace(HANDSHAKE_PREFIX, '');
  const m = VERSION.exec(version);
  if (!m) throw new Error(`Cannot read a MySQL or MariaDB version from '${versionString}'`);
  return {
    flavor: /mariadb/i.test(version) ? 'mariadb' : 'mysql',
    version,
    major: Number(m[1]),
    minor: Number(m[2]),
    patch: m[3] === undefined ? 0 : Number(m[3]),
  };
}

/** True when `s` is `major.minor.patch` or later (whatever its flavour: callers check that first). */
export function atLeast(s: MysqlServer, major: number, minor = 0, patch = 0): boolean {
  if (s.major !== major) return s.major > major;
  if (s.minor !== minor) return s.minor > minor;
  return s.patch >= patch;
}

export interface MysqlServerFeatures {
  /** `INSERT … RETURNING` / `DELETE … RETURNING`: MariaDB 10.5+; MySQL has none. */
  returning: boolean;
  /** Functional key parts, `CREATE INDEX … ((expr))`: MySQL 8.0.13+; MariaDB has none (it indexes a generated column instead). */
  functionalIndexes: boolean;
  /** Enforced CHECK constraints: MySQL 8.0.16+ (parsed and ignored before), MariaDB 10.2.1+. */
  checkConstraints: boolean;
  /** The `SRID n` column attribute that makes spatial columns SRID-aware: MySQL 8.0+; MariaDB has no SRID attribute. */
  sridColumns: boolean;
  /** JSON is an alias for LONGTEXT with an automatic `json_valid()` check: MariaDB. MySQL has a binary JSON type. */
  jsonIsText: boolean;
  /**
   * `ALTER TABLE … ADD COLUMN` without a table rebuild: MySQL 8.0.12+ (`ALGORITHM=INSTANT`, last column only
   * before 8.0.29); MariaDB 10.3.2+ (InnoDB; last column only before 10.4, not with a hidden FTS_DOC_ID,
   * i.e. a table with a FULLTEXT index, not ROW_FORMAT=COMPRESSED).
   */
  instantAddColumn: boolean;
}

export function serverFeatures(s: MysqlServer): MysqlServerFeatures {
  const maria = s.flavor === 'mariadb';
  return {
    returning: maria && atLeast(s, 10, 5),
    functionalIndexes: !maria && atLeast(s, 8, 0, 13),
    checkConstraints: maria ? atLeast(s, 10, 2, 1) : atLeast(s, 8, 0, 16),
    sridColumns: !maria && atLeast(s, 8),
    jsonIsText: maria,
    instantAddColumn: maria ? atLeast(s, 10, 3, 2) : atLeast(s, 8, 0, 12),
  };
}

// ---------------------------------------------------------------------------------------------------------
// The engine behind the MySQL wire: TiDB and Vitess (PlanetScale) answer as MySQL 8 and say who they are in
// their version strings. What forge does differently there is in `EngineFacts.lockNote` and `limits`.
// ---------------------------------------------------------------------------------------------------------

/**
 * TiDB answers `VERSION()` with the MySQL version it is compatible with, then its own release:
 * `8.0.11-TiDB-v7.5.0`, `5.7.25-TiDB-v4.0.16`, `8.0.11-TiDB-v7.1.0-serverless` on TiDB Cloud
 * (https://docs.pingcap.com/tidb/stable/information-functions, VERSION() / TIDB_VERSION()).
 */
const TIDB = /-TiDB-v?(\d+\.\d+(?:\.\d+)?[^\s]*)/i;
/**
 * vtgate answers `VERSION()` with its `--mysql_server_version`, by default the MySQL version it emulates followed by
 * `-Vitess` (`8.0.30-Vitess`; go/vt/servenv/mysql.go in vitessio/vitess), and since v10 `@@version` and
 * `@@version_comment` carry the Vitess release too (`5.7.9-vitess-10.0.0`, vitessio/vitess#7337). PlanetScale runs
 * Vitess; "PlanetScale" in either answer is read the same way.
 */
const VITESS = /\bvitess\b|planetscale/i;

export const ENGINE_DOCS = {
  tidbLocks: 'https://docs.pingcap.com/tidb/stable/locking-functions',
  tidbDdl: 'https://docs.pingcap.com/tidb/stable/ddl-introduction',
  vitessLocks: 'https://vitess.io/docs/design-docs/query-serving/locking-functions/',
  vitessDdl: 'https://vitess.io/docs/22.0/user-guides/schema-changes/ddl-strategies',
};

/**
 * What forge knows about the engine behind `VERSION()` (and `@@version_comment`, where read): TiDB, Vitess /
 * PlanetScale, MariaDB or MySQL. Never throws: an unreadable answer is MySQL, as `parseServerVersion` would have it.
 */
export function parseMysqlEngine(versionAnswer: string, versionComment = ''): EngineFacts {
  const version = String(versionAnswer ?? '').trim().replace(HANDSHAKE_PREFIX, '');
  const comment = String(versionComment ?? '').trim();
  const tidb = TIDB.exec(version);
  if (tidb) {
    const release = tidb[1];
    const major = Number(/^(\d+)/.exec(release)?.[1] ?? 0);
    // GET_LOCK became a real, cluster-wide lock in TiDB 5.0; before, TiDB accepted it and locked nothing.
    const nativeLock = major >= 5;
    return {
      name: 'tidb',
      label: `TiDB v${release}`,
      version: release,
      ddl: 'async',
      nativeLock,
      lockNote: nativeLock
        ? `TiDB implements GET_LOCK across the cluster (${ENGINE_DOCS.tidbLocks}): push takes its usual named lock`
        : `TiDB before v5.0 accepts GET_LOCK but locks nothing (${ENGINE_DOCS.tidbLocks}): push takes its lock as a row of _forge_lock, with a lease`,
      limits: [
        `TiDB runs DDL online and asynchronously, each statement a job of the one DDL owner, committed on its own (${ENGINE_DOCS.tidbDdl}): the statement returns once its job is done, an ADD INDEX backfills the rows first (slow on a large table), and a failed statement leaves those before it applied`,
      ],
    };
  }
  if (VITESS.test(version) || VITESS.test(comment)) {
    const planetscale = /planetscale/i.test(version) || /planetscale/i.test(comment);
    const mysqlVersion = /^(\d+\.\d+(?:\.\d+)?)/.exec(version)?.[1] ?? version;
    return {
      name: 'vitess',
      label: `${planetscale ? 'PlanetScale (Vitess)' : 'Vitess'}, MySQL ${mysqlVersion}`,
      version: mysqlVersion,
      ddl: 'async',
      nativeLock: false,
      lockNote: `Vitess sends GET_LOCK to the first shard of the first keyspace it knows, not to the keyspace being pushed (${ENGINE_DOCS.vitessLocks}): push takes its lock as a row of _forge_lock in the keyspace it pushes, with a lease`,
      limits: [
        `Vitess runs DDL synchronously only under ddl_strategy=direct (vtgate's default); under vitess / mysql the statement returns a migration id and the change is made later (${ENGINE_DOCS.vitessDdl}): push expects each statement done when it returns, so run it with ddl_strategy=direct (on PlanetScale, apply the migration files through a deploy request instead); each statement commits on its own`,
      ],
    };
  }
  const maria = /mariadb/i.test(version);
  const shown = /^(\d+\.\d+(?:\.\d+)?)/.exec(version)?.[1] ?? version;
  return { name: maria ? 'mariadb' : 'mysql', label: `${maria ? 'MariaDB' : 'MySQL'} ${shown}`, version: shown, ddl: 'autocommit', nativeLock: true, limits: [] };
}

/** The lock row on the MySQL wire: `?` placeholders, the wall clock in ms (NOW(3) is the statement's time, not the transaction's). */
export const mysqlLockRowDialect: LockRowDialect = {
  param: () => '?',
  nowMs: 'CAST(ROUND(UNIX_TIMESTAMP(NOW(3)) * 1000) AS SIGNED)',
  createTable: `${lockTableDdl((n) => `\`${n}\``)} ENGINE=InnoDB`,
};
