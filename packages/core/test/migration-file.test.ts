import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeMigrationOf, ConfigError, migrationFileOf, migrationName, parseMigration, readMigrationFiles, renderCodeMigration, renderMigration, runsOutsideTransaction } from '../src/index.js';

describe('migrationName', () => {
  const at = new Date('2026-06-24T14:30:52.413Z');

  it('is the UTC stamp plus _drift', () => {
    expect(migrationName(at, [])).toBe('20260624T143052_drift');
    expect(migrationName(new Date(Date.UTC(2027, 0, 2, 3, 4, 5)), [])).toBe('20270102T030405_drift');
  });

  it('adds _2, _3 when the name is taken (names or file names)', () => {
    expect(migrationName(at, ['20260624T143052_drift.sql'])).toBe('20260624T143052_drift_2');
    expect(migrationName(at, ['20260624T143052_drift', '20260624T143052_drift_2.sql'])).toBe('20260624T143052_drift_3');
  });
});

describe('renderMigration', () => {
  it('writes a header, an up block and a down block', () => {
    const text = renderMigration({
      name: '20260624T143052_drift',
      generatedAt: new Date('2026-06-24T14:30:52.413Z'),
      up: ['ALTER TABLE "users" ADD COLUMN "email_verified_at" TIMESTAMPTZ', 'DROP TABLE IF EXISTS "audit_old";'],
      down: ['ALTER TABLE "users" DROP COLUMN "email_verified_at"'],
      downComments: ['cannot auto-restore dropped table audit_old'],
    });
    expect(text).toBe(
      [
        '-- forge migration: 20260624T143052_drift',
        '-- generated: 2026-06-24T14:30:52.413Z',
        '',
        '-- up',
        'ALTER TABLE "users" ADD COLUMN "email_verified_at" TIMESTAMPTZ;',
        'DROP TABLE IF EXISTS "audit_old";',
        '',
        '-- down',
        '-- cannot auto-restore dropped table audit_old',
        'ALTER TABLE "users" DROP COLUMN "email_verified_at";',
        '',
      ].join('\n'),
    );
  });
});

describe('parseMigration', () => {
  it('marks CONCURRENTLY index statements, and the statement after -- forge:no-transaction, as outside the transaction', () => {
    const text = [
      '-- up',
      'ALTER TABLE users ADD COLUMN age int;',
      'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS users_age ON users (age);',
      '-- forge:no-transaction',
      "ALTER TYPE mood ADD VALUE 'ok';",
      "SELECT 'CREATE INDEX CONCURRENTLY x';",
      'REINDEX (VERBOSE) INDEX CONCURRENTLY users_age;',
      '-- down',
      'DROP INDEX CONCURRENTLY IF EXISTS users_age;',
      'ALTER TABLE users DROP COLUMN age;',
    ].join('\n');
    const parsed = parseMigration(text, 'm');
    expect(parsed.outside).toEqual({ up: [false, true, true, false, true], down: [true, false] });
    expect(parsed.up[2]).toBe("ALTER TYPE mood ADD VALUE 'ok'");
  });

  it('refuses a -- forge:no-transaction marker before -- up or with no statement after it', () => {
    expect(() => parseMigration('-- forge:no-transaction\n-- up\nSELECT 1;\n', 'm5')).toThrow(/m5 has '-- forge:no-transaction' before its '-- up' line/);
    expect(() => parseMigration('-- up\nSELECT 1;\n-- forge:no-transaction\n', 'm6')).toThrow(/m6 ends with '-- forge:no-transaction'/);
  });

  it('CONCURRENTLY spelt in a comment or a string is not a CONCURRENTLY statement', () => {
    expect(runsOutsideTransaction('CREATE INDEX users_a ON users (a) -- CONCURRENTLY later')).toBe(false);
    expect(runsOutsideTransaction('create index concurrently "x" on users (a)')).toBe(true);
    expect(runsOutsideTransaction('DROP INDEX CONCURRENTLY IF EXISTS "x"')).toBe(true);
  });

  it('splits at top-level semicolons only', () => {
    const text = [
      '-- forge migration: m',
      '-- up',
      `INSERT INTO t (a) VALUES ('x;y'), ('it''s; fine');`,
      `ALTER TABLE "we;ird" ADD COLUMN "c" TEXT; -- trailing note`,
      '/* block; comment */',
      'SELECT 1 /* inline; */ + 2;',
      `CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;`,
      '-- down',
      '-- only a comment',
      'DROP TABLE t',
    ].join('\n');
    expect(parseMigration(text, 'm')).toEqual({
      name: 'm',
      up: [
        `INSERT INTO t (a) VALUES ('x;y'), ('it''s; fine')`,
        `ALTER TABLE "we;ird" ADD COLUMN "c" TEXT`,
        'SELECT 1 /* inline; */ + 2',
        `CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql`,
      ],
      down: ['DROP TABLE t'],
      outside: { up: [false, false, false, false], down: [false] },
    });
  });

  it("reads each dialect's own quoting: [brackets] on SQL Server, backslash escapes on MySQL and in E'...' strings", () => {
    const mssql = `-- up\nALTER TABLE [we;ird]]x] ADD [c;d] INT;\nSELECT 1;\n-- down\nSELECT 2;\n`;
    expect(parseMigration(mssql, 'm', 'mssql').up).toEqual(['ALTER TABLE [we;ird]]x] ADD [c;d] INT', 'SELECT 1']);
    expect(() => parseMigration('-- up\nSELECT [a;\n', 'mb', 'mssql')).toThrow(/mb has a \[bracketed\] name that never closes/);
    // Without SQL Server's rules a bracket is an array subscript, not a quote.
    expect(parseMigration(`-- up\nSELECT ARRAY['a]'][1];\nSELECT 2;\n`, 'm', 'postgres').up).toEqual([`SELECT ARRAY['a]'][1]`, 'SELECT 2']);
    const mysql = `-- up\nINSERT INTO t VALUES ('it\\'s; a', "q\\";r", 'x''y;');\nSELECT 1;\n`;
    expect(parseMigration(mysql, 'm', 'mysql').up).toEqual([`INSERT INTO t VALUES ('it\\'s; a', "q\\";r", 'x''y;')`, 'SELECT 1']);
    const pg = `-- up\nSELECT E'a\\';b', 'c\\';\nSELECT $fn1$ x; $fn1$;\n`;
    expect(parseMigration(pg, 'm', 'postgres').up).toEqual([`SELECT E'a\\';b', 'c\\'`, 'SELECT $fn1$ x; $fn1$']);
    // A word ending in E is not an E'' prefix.
    expect(parseMigration(`-- up\nSELECT TYPE'a\\';SELECT 2;\n`, 'm', 'postgres').up).toEqual([`SELECT TYPE'a\\'`, 'SELECT 2']);
  });

  it('keeps a CREATE TRIGGER body (with CASE ... END inside) as one statement', () => {
    const trigger = [
      'CREATE TRIGGER posts_ai AFTER INSERT ON posts BEGIN',
      "  INSERT INTO posts_fts(rowid, body) VALUES (new.rowid, CASE WHEN new.body IS NULL THEN '' ELSE new.body END);",
      '  UPDATE x SET n = n + 1;',
      'END',
    ].join('\n');
    const text = `-- up\nBEGIN;\n${trigger};\nCOMMIT;\n-- down\nDROP TRIGGER posts_ai;\n`;
    expect(parseMigration(text, 'm').up).toEqual(['BEGIN', trigger, 'COMMIT']);
  });

  it('refuses a file without an -- up line, or with SQL before it', () => {
    expect(() => parseMigration('DROP TABLE x;', 'm1')).toThrow(ConfigError);
    expect(() => parseMigration('-- just a note\n', 'm1')).toThrow(/m1 has no '-- up' line/);
    expect(() => parseMigration('DROP TABLE x;\n-- up\n', 'm2')).toThrow(/m2 has SQL before its '-- up' line/);
  });

  it('refuses an unterminated string', () => {
    expect(() => parseMigration("-- up\nSELECT 'oops;\n-- down\n", 'm3')).toThrow(/m3 has a 'quoted' string that never closes/);
  });
});

/** SQL-ish statements: words, punctuation, quoted strings and identifiers holding `;` and `--`, block comments, triggers. */
const word = fc.constantFrom('ALTER', 'TABLE', 'users', 'ADD', 'COLUMN', 'x', 'DROP', 'SELECT', '1', '2.5', 'end_date', 'CASE WHEN x THEN 1 END');
const punct = fc.constantFrom('(', ')', ',', '=', '+', '*', '.');
const quoted = fc
  .string({ unit: fc.constantFrom('a', ';', '-', ' ', "'", '"', '\n', '/', '*', '$', 'b') })
  .chain((s) => fc.constantFrom(`'${s.replace(/'/g, "''")}'`, `"${s.replace(/"/g, '""')}"`));
const block = fc.string({ unit: fc.constantFrom('a', ';', ' ', '-') }).map((s) => `/*${s}*/`);
const token = fc.oneof({ weight: 4, arbitrary: word }, { weight: 2, arbitrary: punct }, { weight: 2, arbitrary: quoted }, { weight: 1, arbitrary: block });
const plain = fc
  .tuple(word, fc.array(token, { maxLength: 12 }))
  .map(([first, rest]) => [first, ...rest].join(' '));
const trigger = fc
  .array(plain, { minLength: 1, maxLength: 3 })
  .map((body) => `CREATE TRIGGER t AFTER INSERT ON users BEGIN\n  ${body.map((b) => `${b};`).join('\n  ')}\nEND`);
const statement = fc.oneof({ weight: 4, arbitrary: plain }, { weight: 1, arbitrary: trigger });
const comment = fc.string({ unit: fc.constantFrom('a', ' ', ';', "'", 'x'), minLength: 1 }).filter((s) => !['up', 'down'].includes(s.trim().toLowerCase()));

describe('render then parse', () => {
  it('gives back the statements of both blocks', () => {
    fc.assert(
      fc.property(
        fc.array(statement, { maxLength: 6 }),
        fc.array(statement, { maxLength: 6 }),
        fc.array(comment, { maxLength: 2 }),
        fc.array(comment, { maxLength: 2 }),
        (up, down, upComments, downComments) => {
          const text = renderMigration({ name: 'm', generatedAt: new Date(0), up, down, upComments, downComments });
          expect(parseMigration(text, 'm')).toEqual({ name: 'm', up, down, outside: { up: up.map(() => false), down: down.map(() => false) } });
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('code migration files', () => {
  it('a folder entry is a migration by its extension: .sql, or .ts / .mts / .js / .mjs (not .d.ts, not hidden)', () => {
    expect(migrationFileOf('0003_20261203_101500_backfill.ts')).toEqual({ name: '0003_20261203_101500_backfill', kind: 'code' });
    expect(migrationFileOf('0003_x.mjs')).toEqual({ name: '0003_x', kind: 'code' });
    expect(migrationFileOf('0002_x.sql')).toEqual({ name: '0002_x', kind: 'sql' });
    expect(migrationFileOf('0003_x.d.ts')).toBeUndefined();
    expect(migrationFileOf('.0003_x.sql.pending')).toBeUndefined();
    expect(migrationFileOf('README.md')).toBeUndefined();
  });

  it('reads both kinds in name order, and refuses two files of one name', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'forge-files-'));
    try {
      writeFileSync(path.join(dir, '0002_b.ts'), 'export async function up() {}\n');
      writeFileSync(path.join(dir, '0001_a.sql'), '-- up\n');
      writeFileSync(path.join(dir, '0002_b.d.ts'), 'export {};\n');
      const files = await readMigrationFiles(dir);
      expect(files.map((f) => [f.name, f.kind])).toEqual([
        ['0001_a', 'sql'],
        ['0002_b', 'code'],
      ]);
      expect(files[1].checksum).toMatch(/^[0-9a-f]{64}$/);
      writeFileSync(path.join(dir, '0002_b.sql'), '-- up\n');
      await expect(readMigrationFiles(dir)).rejects.toThrow(/two migrations named 0002_b \(0002_b\.sql and 0002_b\.ts\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes up / down from the module (or its default export) and refuses a module without an up function', () => {
    const up = async () => undefined;
    expect(codeMigrationOf({ up }, 'm', 'm.ts').up).toBe(up);
    expect(codeMigrationOf({ default: { up, down: up } }, 'm', 'm.ts').down).toBe(up);
    expect(() => codeMigrationOf({ up: 'nope' }, 'm7', 'm7.ts')).toThrow(/m7 \(m7\.ts\) exports no up\(db\) function/);
    expect(() => codeMigrationOf({ up, down: 1 }, 'm8', 'm8.ts')).toThrow(/exports a down that is not a function/);
  });

  it('the scaffold types db by the schema when it knows where the schema is, and by the raw methods otherwise', () => {
    const at = new Date('2026-12-03T10:15:00Z');
    const typed = renderCodeMigration({ name: 'n', generatedAt: at, importFrom: 'forge-orm', schemaImport: '../src/schema' });
    expect(typed).toContain('import type { schema } from "../src/schema";');
    expect(typed).toContain('export async function up(db: Db<typeof schema>): Promise<void> {');
    const bare = renderCodeMigration({ name: 'n', generatedAt: at, importFrom: 'forge-orm' });
    expect(bare).not.toContain('schema }');
    expect(bare).toContain('export async function down(db: Db<{}>): Promise<void> {');
  });
});
