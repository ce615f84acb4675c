import { spawn, spawnSync } from 'node:child_process';
import { adapter } from '@forge/adapter-postgres';
import { reachTarget, testServer, type TestDatabase } from '@forge/testkit';
import { afterAll, beforeAll, expect } from 'vitest';
import { makeProject, shown, type Project, type RunResult } from './helpers.js';

/**
 * Postgres counterparts of sqlite.ts, for CLI tests against a live server. The server and the throwaway
 * databases come from the test-target registry in @forge/testkit (the one the conformance suite and the
 * reliability harness use); queries go through the Postgres adapter, a devDependency of the CLI.
 */
export type { TestDatabase } from '@forge/testkit';

const where = testServer('postgres');

/** The server the tests use (FORGE_TEST_POSTGRES_URL, else the local one). */
export const PG_SERVER = 'url' in where ? where.url : '';

/** PG_SERVER for test names and messages, without a password. */
export const PG_LABEL = 'label' in where ? where.label : where.skip;

const reached = reachTarget('postgres', { adapter });

/**
 * Whether the server answers (the suites are skipped, the reason in their names, when it does not). Throws when
 * FORGE_TEST_POSTGRES_URL is set but does not answer: a misconfigured run must not pass by testing less.
 */
export async function postgresAnswers(): Promise<boolean> {
  return !('skip' in (await reached));
}

/** A fresh database; `drop()` removes it even while connections are still open. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const t = await reached;
  if ('skip' in t) throw new Error(`no PostgreSQL for this test: ${t.skip}`);
  return t.fresh();
}

export async function query<R = Record<string, unknown>>(url: string, sql: string, params?: unknown[]): Promise<R[]> {
  const conn = await adapter.connect(url, { connectTimeoutMs: 5_000 });
  try {
    return await conn.query<R>(sql, params);
  } finally {
    await conn.close();
  }
}

/** Whether a client program (psql, pg_dump) is on PATH. */
export function hasProgram(name: string): boolean {
  return spawnSync(name, ['--version'], { encoding: 'utf8' }).status === 0;
}

/** Run a client program; rejects unless it exits 0. Asynchronous, so tests running side by side keep going. */
function program(name: string, args: string[]): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(name, args, { timeout: 60_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve({ code, stdout, stderr });
      else reject(new Error(`${name} ${args.join(' ')} exited ${code}\n${stderr}`));
    });
  });
}

/** `psql` as an operator runs it: no ~/.psqlrc, stop at the first error. */
export function psql(url: string, ...args: string[]): Promise<RunResult> {
  return program('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, ...args]);
}

/** A plain-SQL `pg_dump` of the whole database into `file`. */
export function pgDump(url: string, file: string): Promise<RunResult> {
  return program('pg_dump', ['--no-owner', '--no-privileges', '-f', file, url]);
}

export async function tablesOf(url: string, schema = 'public'): Promise<string[]> {
  const rows = await query<{ name: string }>(url, `SELECT tablename AS name FROM pg_tables WHERE schemaname = $1 ORDER BY 1`, [schema]);
  return rows.map((r) => r.name);
}

export async function columnsOf(url: string, table: string, schema = 'public'): Promise<string[]> {
  const rows = await query<{ name: string }>(
    url,
    `SELECT column_name AS name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
    [schema, table],
  );
  return rows.map((r) => r.name);
}

/** Index name → definition for one table. */
export async function indexesOf(url: string, table: string, schema = 'public'): Promise<Record<string, string>> {
  const rows = await query<{ name: string; def: string }>(
    url,
    `SELECT indexname AS name, indexdef AS def FROM pg_indexes WHERE schemaname = $1 AND tablename = $2 ORDER BY 1`,
    [schema, table],
  );
  return Object.fromEntries(rows.map((r) => [r.name, r.def]));
}

export async function ledgerRows(url: string): Promise<Array<{ name: string; applied_at: string }>> {
  if (!(await tablesOf(url)).includes('_forge_migrations')) return [];
  return query(url, 'SELECT name, applied_at FROM _forge_migrations ORDER BY name');
}

/**
 * Every relation, column and index outside the system schemas and the ones named, as sorted text lines:
 * equal before and after a command means the command touched none of them.
 */
export async function catalogOutside(url: string, skip: string[]): Promise<string[]> {
  const rows = await query<{ line: string }>(
    url,
    `SELECT n.nspname || '.' || c.relname || ' ' || c.relkind::text
            || COALESCE(' (' || (SELECT string_agg(a.attname || ':' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)
                                 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) || ')', '') AS line
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg_temp%'
       AND n.nspname NOT LIKE 'pg_toast_temp%' AND n.nspname <> ALL ($1::text[])
     ORDER BY 1`,
    [skip],
  );
  return rows.map((r) => r.line);
}

/** A suite's project and fresh database, with the CLI bound to it. */
export interface PgWorkspace {
  p: Project;
  db: TestDatabase;
  /** The CLI in the project directory against this database (`env` adds to it). */
  forge(args: string[], env?: Record<string, string>): Promise<RunResult>;
  /** `forge`, failing the test with the CLI's output unless it exits 0. */
  ok(args: string[], env?: Record<string, string>): Promise<RunResult>;
}

/** A temp project with `src/schema.ts` (and `files`) and a fresh database for one suite, both removed after it. */
export function pgWorkspace(source: string, files: Record<string, string> = {}): PgWorkspace {
  const w = {} as PgWorkspace;
  beforeAll(async () => {
    w.db = await createTestDatabase();
    w.p = makeProject({ 'src/schema.ts': source, ...files });
    w.forge = (args, env = {}) => w.p.runAsync(args, { DATABASE_URL: w.db.url, ...env });
    w.ok = async (args, env) => {
      const r = await w.forge(args, env);
      expect(r.code, shown(r)).toBe(0);
      return r;
    };
  });
  afterAll(async () => {
    w.p?.cleanup();
    await w.db?.drop();
  });
  return w;
}
