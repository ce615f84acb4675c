import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { projectsCleanedAfterEach, shown } from './helpers.js';
import { ledgerRows, withDb } from './sqlite.js';

/**
 * Issue 14 on SQLite through the built CLI: a column change is a table rebuild, whose `PRAGMA foreign_keys` the
 * migration runner runs outside the transaction (runsOutsideTransaction). diff apply and generate + migrate rebuild
 * with rows and child rows kept, and the down block rebuilds back.
 */
const project = projectsCleanedAfterEach();
const schemaOf = (age: string) =>
  `import { model, f } from '@forge/core';\n` +
  `export const User = model('users', { id: f.id(), email: f.string(), age: ${age} });\n` +
  `export const Post = model('posts', { id: f.id(), userId: f.string().map('user_id').refs(() => User, { onDelete: 'cascade' }), title: f.string() });\n` +
  `export const schema = { user: User, post: Post };\n`;
const V1 = schemaOf('f.string().optional()');
const V2 = schemaOf('f.int().optional()');

function seed(file: string): void {
  withDb(file, (db) => {
    db.exec(`INSERT INTO users (id, email, age) VALUES ('u1', 'ann@x', '41'), ('u2', 'bob@x', NULL)`);
    db.exec(`INSERT INTO posts (id, user_id, title) VALUES ('p1', 'u1', 'a'), ('p2', 'u1', 'b'), ('p3', 'u2', 'c')`);
  });
}

const ageType = (file: string) => withDb(file, (db) => (db.prepare(`SELECT lower(type) AS t FROM pragma_table_info('users') WHERE name = 'age'`).all() as Array<{ t: string }>)[0]?.t);
const ages = (file: string) => withDb(file, (db) => db.prepare('SELECT id, age, typeof(age) AS t FROM users ORDER BY id').all());
const childRows = (file: string) => withDb(file, (db) => (db.prepare('SELECT COUNT(*) AS n FROM posts').all() as Array<{ n: number }>)[0].n);

describe('column changes on SQLite through the CLI', () => {
  it('push refuses a type change and names diff apply / generate', () => {
    const p = project({ 'src/schema.ts': V1 });
    const env = { DATABASE_URL: p.url };
    p.ok(['push'], env);
    p.write('src/schema.ts', V2);
    const r = p.ok(['push'], env);
    expect(r.stdout).toContain('push does not change column types: users.age is integer in the schema and text in the database (push is additive only); run forge diff apply');
    expect(ageType(p.db)).toBe('text');
  });

  it('diff apply previews the rebuild and asks consent for the narrowing, with its rows', () => {
    const p = project({ 'src/schema.ts': V1 });
    const env = { DATABASE_URL: p.url };
    p.ok(['push'], env);
    seed(p.db);
    p.write('src/schema.ts', V2);
    const r = p.run(['diff', 'apply'], env);
    expect(r.code, shown(r)).toBe(1);
    expect(r.stdout).toContain('✗ FORGE_TYPE_CHANGE change the type of users.age from text to INTEGER (values that do not fit are lost or refused) (1 row holds a value that is converted)');
    expect(r.stdout).not.toContain('FORGE_DROP_TABLE');
    expect(ageType(p.db)).toBe('text');
    expect(ledgerRows(p.db)).toEqual([]);
    const dry = p.ok(['diff', 'apply', '--dry'], env);
    expect(dry.stdout + dry.stderr).toContain('rebuild table users (sqlite cannot alter a column in place; rows, indexes and child rows kept): age: type text to INTEGER');
    expect(dry.stdout).toContain('INSERT INTO "_forge_rebuild_users" ("rowid", "id", "email", "age") SELECT "rowid", "id", "email", CAST("age" AS INTEGER) FROM "users";');
  });

  it('diff apply --accept-data-loss rebuilds the parent: rows cast, every child row kept; rollback rebuilds back', () => {
    const p = project({ 'src/schema.ts': V1 });
    const env = { DATABASE_URL: p.url };
    p.ok(['push'], env);
    seed(p.db);
    p.write('src/schema.ts', V2);
    p.ok(['diff', 'apply', '--accept-data-loss'], env);
    expect(ageType(p.db)).toBe('integer');
    expect(ages(p.db)).toEqual([
      { id: 'u1', age: 41, t: 'integer' },
      { id: 'u2', age: null, t: 'null' },
    ]);
    expect(childRows(p.db)).toBe(3);
    expect(p.ok(['diff', '--check'], env).stdout).toContain('no drift');
    p.ok(['rollback'], env);
    expect(ageType(p.db)).toBe('text');
    expect(ages(p.db)).toEqual([
      { id: 'u1', age: '41', t: 'text' },
      { id: 'u2', age: null, t: 'null' },
    ]);
    expect(childRows(p.db)).toBe(3);
  });

  it(
    'generate writes the rebuild offline; migrate applies it with rows present; migrate down restores the type',
    () => {
      const p = project({ 'src/schema.ts': V1 });
      const env = { DATABASE_URL: p.url };
      p.ok(['generate', '--name', 'init'], env);
      p.ok(['migrate'], env);
      seed(p.db);
      p.write('src/schema.ts', V2);
      p.ok(['generate', '--name', 'age_int', '--accept-data-loss'], env);
      const second = readdirSync(p.file('migrations')).filter((x) => x.endsWith('.sql')).sort()[1];
      const text = readFileSync(p.file(`migrations/${second}`), 'utf8');
      expect(text).toContain('PRAGMA foreign_keys = OFF;');
      expect(text).toContain('CAST("age" AS INTEGER)');
      p.ok(['migrate', '--accept-data-loss'], env);
      expect(ageType(p.db)).toBe('integer');
      expect(childRows(p.db)).toBe(3);
      p.ok(['migrate', 'down', '1'], env);
      expect(ageType(p.db)).toBe('text');
      expect(ages(p.db)).toEqual([
        { id: 'u1', age: '41', t: 'text' },
        { id: 'u2', age: null, t: 'null' },
      ]);
      expect(childRows(p.db)).toBe(3);
    },
  );
  it('a segmented file records its ledger row in its last transaction: a failed ledger write undoes that segment too', () => {
    const p = project({ 'src/schema.ts': V1 });
    const env = { DATABASE_URL: p.url };
    p.ok(['migrate'], env);
    // The ledger refuses every row, so the ledger write fails where the rebuild's statements have just run.
    withDb(p.db, (db) => db.exec(`CREATE TRIGGER no_rows BEFORE INSERT ON _forge_migrations BEGIN SELECT RAISE(ABORT, 'ledger refused'); END`));
    p.write('migrations/0001_20261203_120000_t2.sql', '-- up\nPRAGMA foreign_keys = OFF;\nCREATE TABLE t2 (id INTEGER);\nPRAGMA foreign_keys = ON;\n\n-- down\nDROP TABLE t2;\n');
    const r = p.run(['migrate'], env);
    expect(r.code, shown(r)).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/ledger refused/);
    // CREATE TABLE t2 ran in the same transaction as the ledger row, so it is gone with it: nothing to re-run half.
    expect(withDb(p.db, (db) => db.prepare(`SELECT name FROM sqlite_master WHERE name = 't2'`).all())).toEqual([]);
    withDb(p.db, (db) => db.exec('DROP TRIGGER no_rows'));
    p.ok(['migrate'], env);
    expect(withDb(p.db, (db) => db.prepare(`SELECT name FROM sqlite_master WHERE name = 't2'`).all())).toEqual([{ name: 't2' }]);
    expect(ledgerRows(p.db).map((row: { name: string }) => row.name)).toContain('0001_20261203_120000_t2');
  });
});
