import { describe, expect, it } from 'vitest';
import {
  baselineOf,
  checkRenameAnswers,
  classifyFindings,
  lintStatements,
  migrationChecksum,
  needsConsent,
  numberedMigrationName,
  type SchemaIR,
  type SchemaSnapshotFile,
  type TableIR,
} from '../src/index.js';

const codes = (sql: string[]) => lintStatements(sql).map((f) => `${f.code} ${f.table}${f.column ? `.${f.column}` : ''}${f.columns ? ` (${f.columns.join(',')})` : ''}`);

describe('the consent lint', () => {
  it('finds drops, required columns without a default, uniques, type changes and renames, in each quoting', () => {
    expect(
      codes([
        'DROP TABLE IF EXISTS "audit_old"',
        'ALTER TABLE "users" DROP COLUMN "legacy"',
        'ALTER TABLE `users` DROP COLUMN `legacy2`',
        'ALTER TABLE "users" ADD COLUMN "tenant" TEXT NOT NULL',
        'ALTER TABLE "users" ADD COLUMN "plan" TEXT NOT NULL DEFAULT \'free\'',
        'CREATE UNIQUE INDEX IF NOT EXISTS "uq" ON "users" USING btree ("email", "org")',
        'ALTER TABLE "users" ALTER COLUMN "age" TYPE smallint',
        'ALTER TABLE "users" ALTER COLUMN "age" SET NOT NULL',
        'ALTER TABLE "users" RENAME COLUMN "nick" TO "handle"',
        'ALTER TABLE "users" RENAME TO "people"',
        'RENAME TABLE `a` TO `b`',
        'ALTER TABLE "users" DROP CONSTRAINT IF EXISTS "fk"',
        'CREATE INDEX "plain" ON "users" ("email")',
      ]),
    ).toEqual([
      'FORGE_DROP_TABLE audit_old',
      'FORGE_DROP_COLUMN users.legacy',
      'FORGE_DROP_COLUMN users.legacy2',
      'FORGE_NOT_NULL_NO_DEFAULT users.tenant',
      'FORGE_UNIQUE_ON_DUPLICATES users (email,org)',
      'FORGE_TYPE_CHANGE users.age',
      'FORGE_SET_NOT_NULL users.age',
      'FORGE_RENAME_COLUMN users.handle',
      'FORGE_RENAME_TABLE people',
      'FORGE_RENAME_TABLE b',
    ]);
  });

  describe('SQL Server ALTER COLUMN, which restates the type and the nullability', () => {
    // The categories SQL Server's facts give these types (a stub: core's tests load no adapter).
    const facts = {
      categoryOf: (t: string) => (/^bigint$/i.test(t) ? 'bigint' : /^(int|smallint)$/i.test(t) ? 'int' : /^n?varchar/i.test(t) ? 'string' : undefined),
    } as const;
    const live = {
      tables: [
        {
          name: 'we]ird',
          columns: [
            { name: 'age', type: 'int', nullable: true, primaryKey: false },
            { name: 'nick', type: 'nvarchar(255)', nullable: true, primaryKey: false, default: "(N'anon')" },
            { name: 'code', type: 'nvarchar(255)', nullable: true, primaryKey: false },
            { name: 'bio', type: 'nvarchar(200)', nullable: true, primaryKey: false },
            { name: 'score', type: 'nvarchar(10)', nullable: true, primaryKey: false },
            { name: 'done', type: 'int', nullable: false, primaryKey: false },
          ],
          indexes: [],
          foreignKeys: [],
        },
      ],
    };
    const judged = (sql: string[]) =>
      classifyFindings(lintStatements(sql), live, facts).map((f) => `${f.code} ${f.table}.${f.column}${f.backfilled ? ' backfilled' : ''}${f.newType ? ` -> ${f.newType}` : ''}`);

    it('a type change is FORGE_TYPE_CHANGE when it narrows and nothing when it widens; brackets with ]] are one name', () => {
      expect(judged(['ALTER TABLE [we]]ird] ALTER COLUMN [age] BIGINT NULL'])).toEqual([]);
      expect(judged(['ALTER TABLE [we]]ird] ALTER COLUMN [bio] nvarchar(300) NULL'])).toEqual([]);
      expect(judged(['ALTER TABLE [we]]ird] ALTER COLUMN [bio] nvarchar(100) NULL'])).toEqual(['FORGE_TYPE_CHANGE we]ird.bio -> nvarchar(100)']);
      expect(judged(['ALTER TABLE [we]]ird] ALTER COLUMN [score] INT NULL'])).toEqual(['FORGE_TYPE_CHANGE we]ird.score -> INT']);
    });

    it('NOT NULL restated over a NULL-able column is FORGE_SET_NOT_NULL, backfilled when an UPDATE writes the default first', () => {
      const filled = judged(["UPDATE [we]]ird] SET [nick] = N'anon' WHERE [nick] IS NULL", 'ALTER TABLE [we]]ird] ALTER COLUMN [nick] NVARCHAR(255) NOT NULL']);
      expect(filled).toEqual(['FORGE_SET_NOT_NULL we]ird.nick backfilled']);
      expect(judged(['ALTER TABLE [we]]ird] ALTER COLUMN [code] NVARCHAR(255) NOT NULL'])).toEqual(['FORGE_SET_NOT_NULL we]ird.code']);
      // Relaxing, or restating a column already NOT NULL, changes nothing a reviewer must see.
      expect(judged(['ALTER TABLE [we]]ird] ALTER COLUMN [done] int NOT NULL', 'ALTER TABLE [we]]ird] ALTER COLUMN [age] int NULL'])).toEqual([]);
      const raw = lintStatements(["UPDATE [t] SET [c] = 0 WHERE [c] IS NULL", 'ALTER TABLE [t] ALTER COLUMN [c] int NOT NULL']);
      expect(raw.map((f) => [f.code, f.fullDefinition, f.backfilled])).toEqual([['FORGE_TYPE_CHANGE', { notNull: true }, true]]);
    });

    it('retyped NULL-able, backfilled, then made NOT NULL: one type change and one backfilled NOT NULL', () => {
      expect(
        judged([
          'ALTER TABLE [we]]ird] ALTER COLUMN [score] INT NULL',
          'UPDATE [we]]ird] SET [score] = 0 WHERE [score] IS NULL',
          'ALTER TABLE [we]]ird] ALTER COLUMN [score] INT NOT NULL',
        ]),
      ).toEqual(['FORGE_TYPE_CHANGE we]ird.score -> INT', 'FORGE_SET_NOT_NULL we]ird.score backfilled']);
    });

    it('the statements around ALTER COLUMN are no findings: default and check constraints, the indexes set aside, the temporary table', () => {
      expect(
        codes([
          "EXEC sys.sp_executesql N'DECLARE @forge_sql nvarchar(max) = N''''; SELECT 1; EXEC sys.sp_executesql @forge_sql'",
          'CREATE TABLE #forge_alter_indexes (name sysname NOT NULL, create_sql nvarchar(max) NOT NULL)',
          'DROP TABLE #forge_alter_indexes',
          'ALTER TABLE [t] DROP CONSTRAINT [forge_t_df_c]',
          'ALTER TABLE [t] ADD CONSTRAINT [forge_t_df_c] DEFAULT (0) FOR [c]',
          'ALTER TABLE [t] ADD CONSTRAINT [forge_t_ck_c] CHECK (ISJSON([c]) = 1)',
        ]),
      ).toEqual([]);
    });
  });

  it('reads a USING COALESCE rewrite as a backfill: no consent for the NOT NULL, a type change only with a CAST inside', () => {
    const found = lintStatements([
      'ALTER TABLE "users" ALTER COLUMN "score" TYPE INTEGER USING COALESCE("score", 0)',
      'ALTER TABLE "users" ALTER COLUMN "score" SET NOT NULL',
      'ALTER TABLE "users" ALTER COLUMN "age" TYPE INTEGER USING COALESCE(CAST("age" AS INTEGER), 18)',
      'ALTER TABLE "users" ALTER COLUMN "age" SET NOT NULL',
      'ALTER TABLE "users" ALTER COLUMN "nick" TYPE VARCHAR USING COALESCE("other", \'x\')',
      'ALTER TABLE "users" ALTER COLUMN "nick" SET NOT NULL',
    ]);
    expect(found.map((f) => `${f.code} ${f.column}${f.backfilled ? ' backfilled' : ''}`)).toEqual([
      'FORGE_SET_NOT_NULL score backfilled',
      'FORGE_TYPE_CHANGE age',
      'FORGE_SET_NOT_NULL age backfilled',
      // COALESCE of another column fills nothing of this one.
      'FORGE_TYPE_CHANGE nick',
      'FORGE_SET_NOT_NULL nick',
    ]);
    // Uncounted, the type changes need consent; an unfilled NOT NULL is refused by the database itself.
    expect(found.filter(needsConsent).map((f) => `${f.code} ${f.column}`)).toEqual(['FORGE_TYPE_CHANGE age', 'FORGE_TYPE_CHANGE nick']);
    expect(needsConsent({ ...found[4], rows: 2 })).toBe(true);
    expect(needsConsent({ ...found[0], rows: 2 })).toBe(false);
  });

  it('says nothing about a table or column made earlier in the same run', () => {
    expect(codes(['CREATE TABLE "t" (id int)', 'CREATE UNIQUE INDEX "u" ON "t" ("id")', 'ALTER TABLE "t" DROP COLUMN "id"'])).toEqual([]);
    expect(codes(['ALTER TABLE "u" ADD COLUMN "c" TEXT', 'CREATE UNIQUE INDEX "x" ON "u" ("c")'])).toEqual([]);
  });

  it('asks consent for rows at risk and for uncounted drops, not for renames or empty drops', () => {
    const [drop] = lintStatements(['ALTER TABLE "users" DROP COLUMN "x"']);
    expect(needsConsent(drop)).toBe(true);
    expect(needsConsent({ ...drop, rows: 0 })).toBe(false);
    expect(needsConsent({ ...drop, rows: 3 })).toBe(true);
    const [unique] = lintStatements(['CREATE UNIQUE INDEX "u" ON "users" ("e")']);
    expect(needsConsent(unique)).toBe(false);
    expect(needsConsent({ ...unique, rows: 2 })).toBe(true);
    const [rename] = lintStatements(['ALTER TABLE "users" RENAME COLUMN "a" TO "b"']);
    expect(needsConsent({ ...rename, rows: 10 })).toBe(false);
  });
});

describe('migration names and checksums', () => {
  const now = new Date('2026-12-02T10:15:00Z');
  it('numbers after the highest numbered file, with the UTC time and a slug', () => {
    expect(numberedMigrationName(now, 'Add status!', [])).toBe('0001_20261202_101500_add_status');
    expect(numberedMigrationName(now, 'x', ['0004_20261201_000000_a.sql', '0004_20261201_000001_b.sql', '20261201T000000_drift.sql'])).toBe('0005_20261202_101500_x');
    expect(() => numberedMigrationName(now, '!!!', [])).toThrow(/--name/);
  });
  it('ignores line endings and nothing else', () => {
    expect(migrationChecksum('a\r\nb\n')).toBe(migrationChecksum('a\nb\n'));
    expect(migrationChecksum('a\nb\n')).not.toBe(migrationChecksum('a\nb \n'));
  });
  it('checks --renames answers', () => {
    expect(checkRenameAnswers({ 'users.b': 'a', people: 'users', 'users.c': false }, 'f')).toEqual({ 'users.b': 'a', people: 'users', 'users.c': false });
    expect(() => checkRenameAnswers({ 'users.b': 3 }, 'answers.json')).toThrow(/answers\.json: "users\.b" must map/);
    expect(() => checkRenameAnswers([], 'answers.json')).toThrow(/not a JSON object/);
  });
});

describe('the baseline after two branches merged', () => {
  const col = (name: string) => ({ field: name, name, kind: 'int' as const, nullable: true, primaryKey: false, unique: false });
  const table = (cols: string[]): TableIR => ({ name: 'users', columns: [{ ...col('id'), primaryKey: true, nullable: false }, ...cols.map(col)], primaryKey: ['id'], indexes: [], foreignKeys: [], relations: [], readonly: false });
  const snap = (migration: string, cols: string[], extra: Record<string, TableIR> = {}): SchemaSnapshotFile => ({
    forge: 'schema-snapshot',
    version: 1,
    dialect: 'sqlite',
    migration,
    schema: { models: { users: table(cols), ...extra } } as SchemaIR,
  });
  it('merges sibling snapshots over their parent: additions of both, a drop on one side stays dropped', () => {
    const parent = snap('0001_20261201_000000_init', ['old']);
    const a = snap('0002_20261201_000001_a', ['old', 'a']);
    const b = snap('0002_20261201_000002_b', ['b']);
    const merged = baselineOf([parent, a, b])!;
    expect(merged.merged).toEqual([a.migration, b.migration]);
    expect(merged.ir.models.users.columns.map((c) => c.name).sort()).toEqual(['a', 'b', 'id']);
  });
  it('is the newest snapshot otherwise', () => {
    const one = snap('0001_20261201_000000_init', ['x']);
    const two = snap('0002_20261201_000001_y', ['x', 'y']);
    expect(baselineOf([one, two])!.ir.models.users.columns.map((c) => c.name)).toEqual(['id', 'x', 'y']);
    expect(baselineOf([])).toBeUndefined();
  });
});
