/**
 * Which server the adapter talks to, from its `VERSION()` answer, and what that server can do. MySQL and
 * MariaDB share the protocol and most of the SQL but part ways on a few features forge's emitter and
 * introspector depend on (functional key parts, the SRID column attribute, JSON stored as LONGTEXT,
 * INSERT … RETURNING). Pure: no I/O, so every branch is unit-testable.
 */

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
