import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, USERS_SCHEMA, USERS_SCHEMA_NO_NICKNAME, type Project } from './helpers.js';
import { columnsOf, ledgerRows, withDb } from './sqlite.js';

/** Seed 004 end to end on SQLite; the steps share one project and run in order. */
describe('push → diff → diff apply → rollback on SQLite', () => {
  let p: Project;
  let env: Record<string, string>;
  beforeAll(() => {
    p = makeProject({ 'src/schema.ts': USERS_SCHEMA });
    env = { DATABASE_URL: p.url };
  });
  afterAll(() => p.cleanup());

  it('push creates the tables and reports each statement', () => {
    const r = p.run(['push'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('+ create table users');
    expect(r.stdout).toContain('+ create table posts');
    expect(r.stdout).toMatch(/^\+ index forge_users_uq_email$/m);
    expect(r.stdout).toMatch(/^applied: [1-9]\d*, skipped: 0, failures: 0$/m);
    expect(columnsOf(p.db, 'users')).toEqual(['id', 'email', 'nickname']);
  });

  it('diff --check exits 0 right after a push', () => {
    const r = p.run(['diff', '--check'], env);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('✓ no drift — live sqlite schema matches forge schema');
  });

  it('a second push applies nothing', () => {
    const r = p.run(['push'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^applied: 0, skipped: [1-9]\d*, failures: 0$/m);
    expect(r.stdout).not.toMatch(/^\+/m);
  });

  it('a removed field is drift: diff --check exits 3 and --json names the extra column', () => {
    p.write('src/schema.ts', USERS_SCHEMA_NO_NICKNAME);
    const human = p.run(['diff', '--check'], env);
    expect(human.code).toBe(3);
    expect(human.stdout).toMatch(/^- \[column\] users: .*nickname/m);
    expect(human.stdout).toMatch(/1 drift item\(s\): 1 extra/);

    const json = p.run(['diff', '--json'], env);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(Object.keys(report)).toEqual(['dialect', 'items', 'inSync', 'ignored']);
    expect(report).toMatchObject({ dialect: 'sqlite', inSync: false, ignored: [] });
    expect(report.items).toContainEqual(expect.objectContaining({ kind: 'column', direction: 'extra', table: 'users' }));

    expect(p.run(['diff', '--json', '--check'], env).code).toBe(3);
  });

  it('diff apply --dry prints the migration and changes nothing', () => {
    const r = p.run(['diff', 'apply', '--dry'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^-- up$/m);
    expect(r.stdout).toMatch(/^-- down$/m);
    expect(r.stdout).toMatch(/DROP COLUMN "nickname"/);
    expect(r.stderr).toContain('[forge:diff:apply] 1 change(s):');
    expect(r.stderr).toContain('• drop users.nickname');
    expect(existsSync(p.file('migrations'))).toBe(false);
    expect(columnsOf(p.db, 'users')).toContain('nickname');
    expect(ledgerRows(p.db)).toEqual([]);
  });

  it('diff apply writes migrations/<stamp>_drift.sql, applies it and records a ledger row', () => {
    const r = p.run(['diff', 'apply'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('[forge:diff:apply] 1 change(s):');
    expect(r.stdout).toContain('  • drop users.nickname');

    const files = readdirSync(p.file('migrations'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^\d{8}T\d{6}_drift\.sql$/);
    expect(r.stdout).toContain(`wrote ${path.join('migrations', files[0])}`);
    const sql = readFileSync(p.file(`migrations/${files[0]}`), 'utf8');
    expect(sql).toMatch(/^-- up$/m);
    expect(sql).toMatch(/^-- down$/m);

    expect(columnsOf(p.db, 'users')).not.toContain('nickname');
    const name = files[0].replace(/\.sql$/, '');
    expect(ledgerRows(p.db).map((row) => row.name)).toEqual([name]);
    p.ok(['diff', '--check'], env);
  });

  it('rollback runs the down block, brings the column back and deletes the ledger row', () => {
    const [file] = readdirSync(p.file('migrations'));
    const name = file.replace(/\.sql$/, '');
    const r = p.run(['rollback'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`rolled back ${name}`);
    expect(r.stdout).toMatch(/ADD COLUMN "nickname"/);
    expect(columnsOf(p.db, 'users')).toContain('nickname');
    expect(ledgerRows(p.db)).toEqual([]);
  });

  it('--ignore and FORGE_DIFF_IGNORE stack, and what they hid is listed', () => {
    p.write('src/schema.ts', USERS_SCHEMA);
    withDb(p.db, (db) => {
      for (const t of ['logs', '_atlas_meta', 'audit_old']) db.exec(`CREATE TABLE "${t}" (id INTEGER PRIMARY KEY)`);
    });

    const partly = p.run(['diff', '--check', '--ignore=/^_atlas_/i'], { ...env, FORGE_DIFF_IGNORE: 'logs' });
    expect(partly.code).toBe(3);
    expect(partly.stdout).toMatch(/^- \[table\] audit_old/m);
    expect(partly.stdout).not.toMatch(/\[table\] (logs|_atlas_meta)/);
    expect(partly.stdout).toMatch(/^ignored 2 tables: (logs, _atlas_meta|_atlas_meta, logs)$/m);

    const all = p.run(['diff', '--check', '--json', '--ignore=/^_atlas_/i,audit_old'], { ...env, FORGE_DIFF_IGNORE: 'logs' });
    expect(all.code).toBe(0);
    expect(JSON.parse(all.stdout).ignored.sort()).toEqual(['_atlas_meta', 'audit_old', 'logs']);

    const human = p.run(['diff', '--ignore=/^_atlas_/i,audit_old'], { ...env, FORGE_DIFF_IGNORE: 'logs' });
    expect(human.stdout).toMatch(/^✓ no drift — live sqlite schema matches forge schema \(ignored 3 tables: .+\)$/m);
  });

  it('diff apply honours the ignore list: ignored tables are not dropped', () => {
    const r = p.run(['diff', 'apply', '--dry', '--ignore=/^_atlas_/i,logs'], env);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('• drop table audit_old');
    expect(r.stderr).not.toMatch(/drop table (logs|_atlas_meta)/);
  });
});

describe('diff apply leaves missing tables to push', () => {
  it('reports them as deferred and writes no file', () => {
    const p = makeProject({ 'src/schema.ts': USERS_SCHEMA });
    try {
      const env = { DATABASE_URL: p.url };
      p.ok(['push'], env);
      const withTags = USERS_SCHEMA.replace(
        'export const schema = { user: User, post: Post };',
        "export const Tag = model('tags', { id: f.id() });\nexport const schema = { user: User, post: Post, tag: Tag };",
      );
      expect(withTags).not.toBe(USERS_SCHEMA);
      p.write('src/schema.ts', withTags);
      const r = p.run(['diff', 'apply'], env);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('no migration to write');
      expect(r.stdout).toMatch(/^ {4}\+ \[table\] tags/m);
      expect(r.stdout).toContain('forge push');
      expect(existsSync(p.file('migrations'))).toBe(false);
    } finally {
      p.cleanup();
    }
  });
});
