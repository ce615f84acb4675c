import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { redactUrl, type Adapter, type Connection, type Dialect } from '@forge/core';

/**
 * The one place that says how tests reach each dialect: the conformance suite runners, the reliability harness
 * and the CLI tests all ask here, so there is one rule for finding a server:
 *
 * - a server dialect is at `FORGE_TEST_<DIALECT>_URL` when that is set, else at its loopback default (if it
 *   has one). A URL that was given but does not answer is an error: a misconfigured CI job must not pass by
 *   testing less. A default that does not answer, or no URL at all, makes the target skipped, by name.
 * - a file dialect (SQLite, DuckDB) is always there: every database is a file in its own temp folder.
 *
 * A new dialect fills in its entry: the adapter loader, and for a server how to create and drop a database.
 */

/** A throwaway database: its URL, and how to remove it (even while connections are still open). */
export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** How a server dialect makes room for one test: the statements, given the adapter's identifier quoting. */
export interface DatabaseLifecycle {
  create(quoted: string): string;
  drop(quoted: string): string;
  /** The URL of database `name` on the server at `url`. */
  urlFor(url: string, name: string): string;
  /** A statement that proves the server answers. */
  probe: string;
}

interface Common {
  /** The adapter package, loaded on demand; absent until the dialect's adapter exists. */
  adapter?: () => Promise<Adapter>;
}

export interface ServerTargetSpec extends Common {
  kind: 'server';
  /** The environment variable that points the tests at a server. */
  env: string;
  /** Where the server is when `env` is unset; absent when there is no usual local install (then skipped). */
  defaultUrl?: string;
  /** Absent until the adapter lands: the target is then reported skipped, by name. */
  databases?: DatabaseLifecycle;
}

export interface FileTargetSpec extends Common {
  kind: 'file';
  /** The URL of a database file. */
  url(file: string): string;
}

export type TargetSpec = ServerTargetSpec | FileTargetSpec;

const withPath = (url: string, name: string): string => {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
};

/**
 * An adapter package, loaded by name when a target is first used. The name is not a literal on purpose: the
 * adapters depend on testkit for their tests, so testkit must not depend on them at build time (a cycle).
 */
async function adapterPackage(name: string): Promise<Adapter> {
  const mod = (await import(name)) as { adapter?: Adapter };
  if (!mod.adapter) throw new Error(`${name} exports no adapter`);
  return mod.adapter;
}

export const TEST_TARGETS: Readonly<Record<Dialect, TargetSpec>> = {
  sqlite: {
    kind: 'file',
    url: (file) => `sqlite:${file}`,
    adapter: () => adapterPackage('@forge/adapter-sqlite'),
  },
  postgres: {
    kind: 'server',
    env: 'FORGE_TEST_POSTGRES_URL',
    defaultUrl: 'postgres://postgres@127.0.0.1:5432/postgres',
    adapter: () => adapterPackage('@forge/adapter-postgres'),
    databases: {
      create: (q) => `CREATE DATABASE ${q}`,
      drop: (q) => `DROP DATABASE IF EXISTS ${q} WITH (FORCE)`,
      urlFor: withPath,
      probe: 'SELECT 1',
    },
  },
  // MariaDB 10.11 on this machine; MySQL 8 wherever FORGE_TEST_MYSQL_URL points (a mysql:// or mariadb:// URL).
  mysql: {
    kind: 'server',
    env: 'FORGE_TEST_MYSQL_URL',
    defaultUrl: 'mysql://root@127.0.0.1:3306/mysql',
    adapter: () => adapterPackage('@forge/adapter-mysql'),
    databases: {
      create: (q) => `CREATE DATABASE ${q} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
      drop: (q) => `DROP DATABASE IF EXISTS ${q}`,
      urlFor: withPath,
      probe: 'SELECT 1',
    },
  },
  duckdb: {
    kind: 'file',
    url: (file) => `duckdb:${file}`,
    adapter: () => adapterPackage('@forge/adapter-duckdb'),
  },
  // SQL Server wherever FORGE_TEST_MSSQL_URL points (e.g. mssql://sa:<password>@localhost:1433/master?trustServerCertificate=true);
  // no usual local install, so no default: without the variable the target is skipped, by name.
  mssql: {
    kind: 'server',
    env: 'FORGE_TEST_MSSQL_URL',
    adapter: () => adapterPackage('@forge/adapter-mssql'),
    databases: {
      create: (q) => `CREATE DATABASE ${q}`,
      // Sessions still on the database (a pool not yet closed) are rolled back and disconnected first.
      drop: (q) =>
        `IF DB_ID(N'${q.slice(1, -1).replace(/]]/g, ']').replace(/'/g, "''")}') IS NOT NULL BEGIN ALTER DATABASE ${q} SET SINGLE_USER WITH ROLLBACK IMMEDIATE; DROP DATABASE ${q}; END`,
      urlFor: withPath,
      probe: 'SELECT 1',
    },
  },
  // Not configured yet: where the server is, and nothing more. Its adapter's issue adds `adapter` and `databases`.
  mongo: {
    kind: 'server',
    env: 'FORGE_TEST_MONGO_URL',
    adapter: () => adapterPackage('@forge/adapter-mongo'),
    // Statements are MongoDB commands in Extended JSON (what the mongo connection runs); `$db` names the database
    // a command runs on, as in MongoDB's wire protocol.
    databases: {
      // MongoDB creates a database on its first write: creating one is only a round trip.
      create: () => '{"ping":1}',
      drop: (q) => `{"dropDatabase":1,"$db":${q}}`,
      urlFor: withPath,
      probe: '{"ping":1}',
    },
  },
};

/** Where a dialect's test server is, without connecting: what tests print in their names before they run. */
export type ServerLocation =
  | { dialect: Dialect; kind: 'file'; label: string }
  | { dialect: Dialect; kind: 'server'; url: string; label: string; given: boolean }
  | { dialect: Dialect; kind: 'server'; skip: string };

export function testServer(dialect: Dialect): ServerLocation {
  const spec = TEST_TARGETS[dialect];
  if (spec.kind === 'file') return { dialect, kind: 'file', label: 'temp files' };
  const given = process.env[spec.env];
  const url = given || spec.defaultUrl;
  if (!url) return { dialect, kind: 'server', skip: `${spec.env} is not set` };
  return { dialect, kind: 'server', url, label: redactUrl(url), given: !!given };
}

/** A dialect the tests can use here: its adapter and fresh databases on demand. */
export interface ReachedTarget {
  dialect: Dialect;
  adapter: Adapter;
  /** The server's URL (its maintenance database), or undefined for a file dialect. */
  server?: string;
  /** For messages and test names: the server without its password, or "temp files". */
  label: string;
  /** A new empty database. */
  fresh(): Promise<TestDatabase>;
  /** The URL of database `name` (server dialects). */
  urlFor(name: string): string;
  /** Create or drop a named database (server dialects; a file dialect has nothing to name). */
  createDatabase(name: string): Promise<void>;
  dropDatabase(name: string): Promise<void>;
  /** Run `fn` on a connection to `url` (default: the server's maintenance database), closed afterwards. */
  onServer<T>(fn: (conn: Connection) => Promise<T>, url?: string): Promise<T>;
}

export interface SkippedTarget {
  dialect: Dialect;
  /** Why: for the skipped test's name. */
  skip: string;
}

const PROBE_TIMEOUT_MS = 5_000;

/**
 * Reach `dialect`'s test target: loads its adapter (or uses `opts.adapter`, the one a test file already
 * imported), checks the server answers, and returns a way to get fresh databases; or why it is skipped.
 * Throws when the dialect's URL variable was set but the server does not answer.
 */
export async function reachTarget(dialect: Dialect, opts: { adapter?: Adapter } = {}): Promise<ReachedTarget | SkippedTarget> {
  const spec = TEST_TARGETS[dialect];
  // Where the server is comes first: an unset FORGE_TEST_MSSQL_URL is the reason to report, adapter or not.
  const where = testServer(dialect);
  if ('skip' in where) return { dialect, skip: where.skip };
  const load = opts.adapter ? async () => opts.adapter! : spec.adapter;
  if (!load) return { dialect, skip: `no ${dialect} adapter yet` };
  const adapter = await load();
  if (spec.kind === 'file') return fileTarget(dialect, spec, adapter);
  if (where.kind !== 'server') throw new Error(`${dialect}: a server target without a server location`);
  const databases = spec.databases;
  if (!databases) return { dialect, skip: `the ${dialect} test target is not configured (no way to create a test database yet)` };
  const server = where.url;
  const onServer = async <T>(fn: (conn: Connection) => Promise<T>, url = server): Promise<T> => {
    const conn = await adapter.connect(url, { connectTimeoutMs: PROBE_TIMEOUT_MS });
    try {
      return await fn(conn);
    } finally {
      await conn.close();
    }
  };
  try {
    await onServer((c) => c.query(databases.probe));
  } catch (e) {
    if (where.given) throw new Error(`${spec.env} (${where.label}) does not answer: ${(e as Error).message}`);
    return { dialect, skip: `no ${dialect} at ${where.label} and ${spec.env} is not set` };
  }
  const q = (name: string) => adapter.compiler.quoteIdent(name);
  const target: ReachedTarget = {
    dialect,
    adapter,
    server,
    label: where.label,
    urlFor: (name) => databases.urlFor(server, name),
    createDatabase: (name) => onServer((c) => c.execute(databases.create(q(name)))).then(() => undefined),
    dropDatabase: (name) => onServer((c) => c.execute(databases.drop(q(name)))).then(() => undefined),
    onServer,
    async fresh() {
      const name = `forge_test_${randomBytes(6).toString('hex')}`;
      await target.createDatabase(name);
      return { name, url: target.urlFor(name), drop: () => target.dropDatabase(name) };
    },
  };
  return target;
}

function fileTarget(dialect: Dialect, spec: FileTargetSpec, adapter: Adapter): ReachedTarget {
  const noNames = () => Promise.reject(new Error(`${dialect} databases are files: use fresh()`));
  return {
    dialect,
    adapter,
    label: 'temp files',
    urlFor: (name) => spec.url(name),
    createDatabase: noNames,
    dropDatabase: noNames,
    async onServer(fn, url) {
      if (!url) throw new Error(`${dialect} has no server: pass the database URL`);
      const conn = await adapter.connect(url);
      try {
        return await fn(conn);
      } finally {
        await conn.close();
      }
    },
    async fresh() {
      // A file (not :memory:) so WAL, busy timeouts and the push lock behave as in production.
      const dir = mkdtempSync(path.join(tmpdir(), `forge-test-${dialect}-`));
      const file = path.join(dir, `db.${dialect}`);
      return { name: file, url: spec.url(file), drop: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  };
}

/** Like reachTarget, but a test file that needs the target fails (with the reason) instead of skipping. */
export async function requireTarget(dialect: Dialect, opts: { adapter?: Adapter } = {}): Promise<ReachedTarget> {
  const t = await reachTarget(dialect, opts);
  if ('skip' in t) {
    const spec = TEST_TARGETS[dialect];
    const hint = spec.kind === 'server' ? `: start one${spec.defaultUrl ? ` at ${redactUrl(spec.defaultUrl)}` : ''} or set ${spec.env}` : '';
    throw new Error(`these tests need ${dialect}, which is skipped here (${t.skip})${hint}`);
  }
  return t;
}
