import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { TestDatabase } from '@forge/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, ok, pushCounts, shown, USERS_SCHEMA, USERS_SCHEMA_NO_NICKNAME, type Project, type RunResult } from './helpers.js';
import { columnsOf, ledgerNames, tablesOf, target } from './mysql.js';

/**
 * The CLI's round trip on MySQL/MariaDB, once per URL scheme the adapter serves (`mysql://` and `mariadb://`):
 * push, a second push that applies 0, a removed field reported as an extra column (diff --check exit 3),
 * diff apply (a migration file with -- up/-- down and a ledger row), rollback (the column is back); and 8
 * `forge push` processes at once on one fresh database. The server comes from the test-target registry
 * (see ./mysql.ts), a database per suite.
 */
const SCHEMES = ['mysql', 'mariadb'] as const;
type Scheme = (typeof SCHEMES)[number];

/** The database's URL under `scheme` (the registry hands out mysql:// URLs). */
const withScheme = (url: string, scheme: Scheme) => url.replace(/^[a-z]+:/i, `${scheme}:`);

interface Workspace {
  p: Project;
  db: TestDatabase;
  url: string;
  forge(args: string[]): Promise<RunResult>;
}

/** A temp project (under test/, so @forge/adapter-mysql resolves) and a fresh database, for one suite. */
function useWorkspace(scheme: Scheme, schema: string): Workspace {
  const w = {} as Workspace;
  beforeAll(async () => {
    w.db = await target.fresh();
    w.url = withScheme(w.db.url, scheme);
    w.p = makeProject({ 'src/schema.ts': schema });
    w.forge = (args) => w.p.runAsync(args, { DATABASE_URL: w.url });
  });
  afterAll(async () => {
    w.p?.cleanup();
    await w.db?.drop();
  });
  return w;
}

for (const scheme of SCHEMES) {
  describe.sequential(`${scheme}:// round trip: push, diff --check, diff apply, rollback [${target.label}]`, { timeout: 60_000 }, () => {
    const w = useWorkspace(scheme, USERS_SCHEMA);
    let migration = '';

    it('the first push creates the tables', async () => {
      const r = ok(await w.forge(['push']));
      expect(pushCounts(r).applied, shown(r)).toBeGreaterThan(0);
      expect(await tablesOf(w.db.url)).toEqual(['posts', 'users']);
      expect(await columnsOf(w.db.url, 'users')).toEqual(['id', 'email', 'nickname']);
    });

    it('a second push applies 0, and diff --check exits 0', async () => {
      const r = ok(await w.forge(['push']));
      expect(pushCounts(r).applied, shown(r)).toBe(0);
      expect(r.stdout).not.toMatch(/^\+/m);
      const check = await w.forge(['diff', '--check']);
      expect(check.code, shown(check)).toBe(0);
    });

    it('a field removed from the schema: diff --check exits 3, --json has the extra column', async () => {
      w.p.write('src/schema.ts', USERS_SCHEMA_NO_NICKNAME);
      const check = await w.forge(['diff', '--check']);
      expect(check.code, shown(check)).toBe(3);
      const json = ok(await w.forge(['diff', '--json']));
      expect(JSON.parse(json.stdout)).toEqual({
        dialect: 'mysql',
        items: [{ kind: 'column', direction: 'extra', table: 'users', column: 'nickname', detail: "column 'nickname' in DB but not in schema" }],
        inSync: false,
        ignored: [],
      });
      const withCheck = await w.forge(['diff', '--check', '--json']);
      expect(withCheck.code, shown(withCheck)).toBe(3);
      expect(JSON.parse(withCheck.stdout).items).toContainEqual(expect.objectContaining({ kind: 'column', direction: 'extra', table: 'users', column: 'nickname' }));
    });

    it('diff apply writes migrations/<stamp>_drift.sql with -- up/-- down, drops the column and records a ledger row', async () => {
      const r = ok(await w.forge(['diff', 'apply']));
      expect(r.stdout).toContain('• drop users.nickname');
      const files = readdirSync(w.p.file('migrations'));
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(/^\d{8}T\d{6}_drift\.sql$/);
      expect(r.stdout).toContain(`wrote ${path.join('migrations', files[0])}`);
      const sql = readFileSync(w.p.file(`migrations/${files[0]}`), 'utf8');
      expect(sql).toMatch(/^-- up$/m);
      expect(sql).toMatch(/^-- down$/m);
      expect(sql).toMatch(/DROP COLUMN `nickname`/);
      expect(sql).toMatch(/ADD COLUMN `nickname`/);
      migration = files[0].replace(/\.sql$/, '');
      expect(await columnsOf(w.db.url, 'users')).toEqual(['id', 'email']);
      expect(await ledgerNames(w.db.url)).toEqual([migration]);
      const check = await w.forge(['diff', '--check']);
      expect(check.code, shown(check)).toBe(0);
    });

    it('rollback runs the down block: the column is back and the ledger row is gone', async () => {
      const r = ok(await w.forge(['rollback']));
      expect(r.stdout).toContain(`rolled back ${migration}`);
      expect(await columnsOf(w.db.url, 'users')).toEqual(['id', 'email', 'nickname']);
      expect(await ledgerNames(w.db.url)).toEqual([]);
      // The database is the original schema again.
      w.p.write('src/schema.ts', USERS_SCHEMA);
      const check = await w.forge(['diff', '--check']);
      expect(check.code, shown(check)).toBe(0);
      const again = ok(await w.forge(['push']));
      expect(pushCounts(again).applied, shown(again)).toBe(0);
    });
  });

  describe.sequential(`${scheme}:// 8 forge push processes at once on an empty database [${target.label}]`, { timeout: 120_000 }, () => {
    const w = useWorkspace(scheme, USERS_SCHEMA);

    it('all exit 0, exactly one does the work, and the result is in sync', async () => {
      const results = await Promise.all(Array.from({ length: 8 }, () => w.forge(['push'])));
      const applied = results.map((r) => pushCounts(ok(r)).applied);
      // The push lock serialises them: the first creates everything, the other seven find it there.
      const winners = applied.filter((n) => n > 0);
      expect(winners, JSON.stringify(applied)).toHaveLength(1);
      expect(applied.filter((n) => n === 0)).toHaveLength(7);
      // A push after them skips exactly what the winner applied.
      expect(pushCounts(ok(await w.forge(['push']))).skipped).toBe(winners[0]);
      const check = await w.forge(['diff', '--check']);
      expect(check.code, shown(check)).toBe(0);
      expect(await tablesOf(w.db.url)).toEqual(['posts', 'users']);
    });
  });
}
