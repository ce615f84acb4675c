import { buildSchemaIR, diffSchema, f, model, snapshotFromSchema, type ColumnIR, type DdlEnv, type IndexIR, type TableIR } from '@forge/core';
import { blogSchema } from '@forge/testkit';
import { describe, expect, it } from 'vitest';
import { adapter, capabilities, mssqlDdl, mssqlFacts } from '../src/index.js';
import { dropColumnConstraints, toTsql } from '../src/ddl.js';

const things = model('things', {
  id: f.id(),
  s: f.string(),
  t: f.text().optional(),
  i: f.int().default(7),
  b: f.bigint().optional(),
  fl: f.float().optional(),
  d: f.decimal({ precision: 12, scale: 2 }).optional(),
  ok: f.bool().default(false),
  at: f.dateTime().default('now'),
  u: f.uuid().optional(),
  j: f.json().optional(),
  e: f.enumOf(['a', 'b'] as const).default('a'),
  sa: f.stringArray().optional(),
  g: f.geoPoint().optional(),
  v: f.vector(3).optional(),
  by: f.bytes().optional(),
  up: f.dateTime().updatedAt(),
  n: f.string().optional().default("it's"),
});
const ir = buildSchemaIR({ thing: things, ...blogSchema(capabilities) });
const tables: TableIR[] = Object.values(ir.models);
const env: DdlEnv = { extensions: [], tables };
const table = (name: string) => tables.find((t) => t.name === name)!;
const column = (t: string, c: string): ColumnIR => table(t).columns.find((x) => x.name === c)!;
const index = (over: Partial<IndexIR>): IndexIR => ({ name: 'ix', columns: ['email'], directions: [1], unique: false, named: true, origin: 'indexes', ...over });

describe('CREATE TABLE (golden)', () => {
  it('every portable kind: types, NULL-ability, named defaults, JSON checks, a named primary key', () => {
    expect(mssqlDdl.emit({ op: 'createTable', table: table('things') }, env)).toEqual({
      sql: [
        [
          'CREATE TABLE [things] (',
          '  [id] UNIQUEIDENTIFIER NOT NULL,',
          '  [s] NVARCHAR(255) NOT NULL,',
          '  [t] NVARCHAR(MAX) NULL,',
          '  [i] INT NOT NULL CONSTRAINT [forge_things_df_i] DEFAULT (7),',
          '  [b] BIGINT NULL,',
          '  [fl] FLOAT NULL,',
          '  [d] DECIMAL(12,2) NULL,',
          '  [ok] BIT NOT NULL CONSTRAINT [forge_things_df_ok] DEFAULT (0),',
          '  [at] DATETIME2(3) NOT NULL CONSTRAINT [forge_things_df_at] DEFAULT (SYSUTCDATETIME()),',
          '  [u] UNIQUEIDENTIFIER NULL,',
          '  [j] NVARCHAR(MAX) NULL CONSTRAINT [forge_things_ck_j] CHECK (ISJSON([j]) = 1),',
          "  [e] NVARCHAR(255) NOT NULL CONSTRAINT [forge_things_df_e] DEFAULT (N'a'),",
          '  [sa] NVARCHAR(MAX) NULL,',
          '  [g] GEOGRAPHY NULL,',
          '  [v] NVARCHAR(MAX) NULL,',
          '  [by] VARBINARY(MAX) NULL,',
          '  [up] DATETIME2(3) NOT NULL CONSTRAINT [forge_things_df_up] DEFAULT (SYSUTCDATETIME()),',
          "  [n] NVARCHAR(255) NULL CONSTRAINT [forge_things_df_n] DEFAULT (N'it''s'),",
          '  CONSTRAINT [forge_things_pk] PRIMARY KEY ([id])',
          ')',
        ].join('\n'),
      ],
    });
  });

  it('IDENTITY keys, VECTOR(n) where the server has it, FK columns take the referenced type', () => {
    expect(mssqlDdl.emit({ op: 'createTable', table: table('counters') }, env).sql[0]).toBe(
      "CREATE TABLE [counters] (\n  [id] INT IDENTITY(1,1) NOT NULL,\n  [name] NVARCHAR(255) NOT NULL,\n  [n] INT NOT NULL CONSTRAINT [forge_counters_df_n] DEFAULT (0),\n  CONSTRAINT [forge_counters_pk] PRIMARY KEY ([id])\n)",
    );
    expect(mssqlDdl.columnType(column('things', 'v'), { extensions: ['vector'] })).toBe('VECTOR(3)');
    expect(mssqlDdl.columnType(column('posts', 'authorId'), env)).toBe('UNIQUEIDENTIFIER');
    const big = buildSchemaIR({ a: model('big_ids', { id: f.id({ type: 'bigserial' }) }), s: model('codes', { id: f.id({ type: 'string' }) }) });
    expect(mssqlDdl.columnType(big.models.a.columns[0])).toBe('BIGINT');
    expect(mssqlDdl.columnType(big.models.s.columns[0])).toBe('NVARCHAR(255)');
  });
});

describe('the column type snapshots read (forge generate, the plan simulation)', () => {
  it('a JSON kind is `json`, as introspection reads its ISJSON-checked nvarchar(max); the DDL stays NVARCHAR(MAX)', () => {
    expect(mssqlDdl.columnType(column('things', 'j'), env)).toBe('json');
    expect(mssqlDdl.columnType(column('things', 'sa'), env)).toBe('NVARCHAR(MAX)');
    expect(mssqlDdl.columnType(column('things', 't'), env)).toBe('NVARCHAR(MAX)');
    expect(mssqlDdl.emit({ op: 'addColumn', table: 'things', column: column('things', 'j') }, env).sql[0]).toContain('[j] NVARCHAR(MAX) NULL');
    // Found by the plan simulation: a schema diffed against its own snapshot reported every json field as drift.
    const drift = diffSchema(ir, snapshotFromSchema(ir, adapter), adapter);
    expect(drift.items.filter((i) => i.kind === 'columnType')).toEqual([]);
  });
});

describe('columns (golden)', () => {
  it('ALTER TABLE ... ADD (no COLUMN keyword), with its named default', () => {
    expect(mssqlDdl.emit({ op: 'addColumn', table: 'users', column: column('users', 'age') }, env)).toEqual({
      sql: ['ALTER TABLE [users] ADD [age] INT NOT NULL CONSTRAINT [forge_users_df_age] DEFAULT (0)'],
    });
    expect(mssqlDdl.emit({ op: 'addColumn', table: 'users', column: column('users', 'meta') }, env)).toEqual({
      sql: ['ALTER TABLE [users] ADD [meta] NVARCHAR(MAX) NULL CONSTRAINT [forge_users_ck_meta] CHECK (ISJSON([meta]) = 1)'],
    });
  });

  it('DROP COLUMN after dropping the default and check constraints bound to it, whatever their names', () => {
    const drop = [
      "EXEC sys.sp_executesql N'DECLARE @forge_sql nvarchar(max) = N''''; SELECT @forge_sql += N''ALTER TABLE '' + QUOTENAME(OBJECT_SCHEMA_NAME(c.parent_object_id)) + N''.'' + QUOTENAME(OBJECT_NAME(c.parent_object_id)) + N'' DROP CONSTRAINT '' + QUOTENAME(c.name) + N''; '' FROM (SELECT name, parent_object_id, parent_column_id FROM sys.default_constraints UNION ALL SELECT name, parent_object_id, parent_column_id FROM sys.check_constraints) AS c WHERE c.parent_object_id = OBJECT_ID(N''[users]'') AND c.parent_column_id = COLUMNPROPERTY(OBJECT_ID(N''[users]''), N''legacy'', ''ColumnId''); EXEC sys.sp_executesql @forge_sql'",
      'ALTER TABLE [users] DROP COLUMN [legacy]',
    ];
    expect(mssqlDdl.emit({ op: 'dropColumn', table: 'users', column: 'legacy' }, env)).toEqual({ sql: drop });
    // The reverse of adding a column is the same two statements.
    expect(mssqlDdl.reverse({ op: 'addColumn', table: 'users', column: { ...column('users', 'name'), name: 'legacy' } }, env)).toEqual({ sql: drop });
  });

  it('the constraint-dropping statement has no top-level ; (a migration file keeps it whole) and quotes odd names', () => {
    const sql = dropColumnConstraints("o'dd]t", "c'o]l");
    expect(sql.startsWith("EXEC sys.sp_executesql N'")).toBe(true);
    expect(sql).toContain("OBJECT_ID(N''[o''''dd]]t]'')");
    expect(sql).toContain("N''c''''o]l''");
    const outside = sql.replace(/N?'(?:[^']|'')*'/g, '');
    expect(outside).not.toContain(';');
  });

  it('a dropped column is restored with the shape introspection saw', () => {
    expect(mssqlDdl.reverse({ op: 'dropColumn', table: 'users', column: 'legacy', was: { name: 'legacy', type: 'nvarchar(255)', nullable: true, primaryKey: false, default: null } }, env)).toEqual({
      sql: ['ALTER TABLE [users] ADD [legacy] nvarchar(255) NULL'],
    });
    expect(mssqlDdl.reverse({ op: 'dropColumn', table: 'users', column: 'n', was: { name: 'n', type: 'int', nullable: false, primaryKey: false, default: '((0))' } }, env).sql).toEqual([
      'ALTER TABLE [users] ADD [n] int NOT NULL CONSTRAINT [forge_users_df_n] DEFAULT ((0))',
    ]);
    expect(mssqlDdl.reverse({ op: 'dropColumn', table: 'users', column: 'n', was: { name: 'n', type: 'int', nullable: false, primaryKey: false, default: null } }, env)).toEqual({
      sql: ['ALTER TABLE [users] ADD [n] int NULL'],
      comment: "users.n: restored NULL-able (it was NOT NULL with no default; its values were dropped with it)",
    });
    expect(mssqlDdl.reverse({ op: 'dropColumn', table: 'users', column: 'n' }, env)).toEqual({ sql: [], comment: 'cannot restore users.n: its type was not recorded' });
  });
});

describe('indexes (golden)', () => {
  const emit = (ix: Partial<IndexIR>, t = 'users') => mssqlDdl.emit({ op: 'createIndex', table: t, index: index(ix) }, env);
  it('plain, unique, descending, composite', () => {
    expect(emit({})).toEqual({ sql: ['CREATE INDEX [ix] ON [users] ([email])'] });
    expect(emit({ unique: true })).toEqual({ sql: ['CREATE UNIQUE INDEX [ix] ON [users] ([email])'] });
    expect(emit({ columns: ['role', 'createdAt'], directions: [1, -1] })).toEqual({ sql: ['CREATE INDEX [ix] ON [users] ([role], [createdAt] DESC)'] });
  });
  it('filtered (WHERE, TRUE/FALSE as bits) and covering (INCLUDE)', () => {
    expect(emit({ unique: true, where: 'active = true' })).toEqual({ sql: ['CREATE UNIQUE INDEX [ix] ON [users] ([email]) WHERE active = 1'] });
    expect(emit({ columns: ['role'], include: ['age', 'score'], where: "role = 'admin'" })).toEqual({ sql: ["CREATE INDEX [ix] ON [users] ([role]) INCLUDE ([age], [score]) WHERE role = 'admin'"] });
  });
  it('a unique index over NULL-able columns is filtered on IS NOT NULL (SQL Server admits one NULL otherwise)', () => {
    expect(emit({ unique: true, columns: ['name', 'email'], directions: [1, 1] })).toEqual({ sql: ['CREATE UNIQUE INDEX [ix] ON [users] ([name], [email]) WHERE [name] IS NOT NULL'] });
    expect(emit({ unique: false, columns: ['name'] })).toEqual({ sql: ['CREATE INDEX [ix] ON [users] ([name])'] });
  });
  it('SPATIAL on geography', () => {
    expect(emit({ columns: ['g'], method: 'spatial' }, 'things')).toEqual({ sql: ['CREATE SPATIAL INDEX [ix] ON [things] ([g])'] });
    expect(emit({ columns: ['g'], method: 'spatial', unique: true }, 'things')).toEqual({ sql: [], comment: 'index ix on things not created: a SPATIAL index cannot be UNIQUE' });
  });
  it('not emitted, with the reason: expression indexes (a lint finding), other methods, unindexable keys', () => {
    expect(emit({ columns: [], directions: [], expression: 'lower(email)' })).toEqual({
      sql: [],
      comment:
        'index ix on users not created: SQL Server has no expression indexes. Add a computed column for the expression (ALTER TABLE [users] ADD [ix_expr] AS (lower(email)) PERSISTED) and index that column instead',
    });
    expect(emit({ method: 'gin' })).toEqual({ sql: [], comment: "index ix on users not created: SQL Server has no 'gin' indexes here (B-tree and SPATIAL are emitted; full-text catalogs are set up out of band)" });
    expect(emit({ columns: ['meta'] })).toEqual({
      sql: [],
      comment: "index ix on users not created: meta is NVARCHAR(MAX), which SQL Server cannot use as an index key. Give it a bounded type (.dbType('nvarchar(450)')) or index a computed column over a prefix of it",
    });
    expect(emit({ collation: { locale: 'en' } })).toEqual({ sql: ['CREATE INDEX [ix] ON [users] ([email])'], comment: "index ix: 'collation' does not apply to SQL Server and was ignored" });
  });
  it('DROP INDEX names the table; the reverse of a created index drops it', () => {
    expect(mssqlDdl.emit({ op: 'dropIndex', table: 'users', index: 'ix' })).toEqual({ sql: ['DROP INDEX [ix] ON [users]'] });
    expect(mssqlDdl.reverse({ op: 'createIndex', table: 'users', index: index({}) }, env)).toEqual({ sql: ['DROP INDEX [ix] ON [users]'] });
    expect(mssqlDdl.reverse({ op: 'dropIndex', table: 'users', index: 'ix', was: index({ unique: true }) }, env)).toEqual({ sql: ['CREATE UNIQUE INDEX [ix] ON [users] ([email])'] });
  });
});

describe('foreign keys, tables, views (golden)', () => {
  const fk = { name: 'forge_posts_fk_authorId', columns: ['authorId'], refTable: 'users', refColumns: ['id'] };
  it('ADD CONSTRAINT ... FOREIGN KEY with actions (RESTRICT is NO ACTION)', () => {
    expect(mssqlDdl.emit({ op: 'addForeignKey', table: 'posts', fk: { ...fk, onDelete: 'cascade' } })).toEqual({
      sql: ['ALTER TABLE [posts] ADD CONSTRAINT [forge_posts_fk_authorId] FOREIGN KEY ([authorId]) REFERENCES [users] ([id]) ON DELETE CASCADE'],
    });
    expect(mssqlDdl.emit({ op: 'addForeignKey', table: 'posts', fk: { ...fk, onDelete: 'restrict', onUpdate: 'noAction' } }).sql[0]).toBe(
      'ALTER TABLE [posts] ADD CONSTRAINT [forge_posts_fk_authorId] FOREIGN KEY ([authorId]) REFERENCES [users] ([id]) ON DELETE NO ACTION ON UPDATE NO ACTION',
    );
    expect(mssqlDdl.emit({ op: 'dropForeignKey', table: 'posts', fk: fk.name })).toEqual({ sql: ['ALTER TABLE [posts] DROP CONSTRAINT [forge_posts_fk_authorId]'] });
    expect(mssqlDdl.reverse({ op: 'addForeignKey', table: 'posts', fk })).toEqual({ sql: ['ALTER TABLE [posts] DROP CONSTRAINT [forge_posts_fk_authorId]'] });
  });
  it('DROP TABLE IF EXISTS, CREATE OR ALTER VIEW with TRUE/FALSE as bits, DROP VIEW IF EXISTS', () => {
    expect(mssqlDdl.emit({ op: 'dropTable', table: 'users' })).toEqual({ sql: ['DROP TABLE IF EXISTS [users]'] });
    const view = { ...table('users'), name: 'active_users', view: { sql: "SELECT id, email FROM users WHERE active = TRUE AND name <> 'TRUE' AND [false] = FALSE;", materialized: false } };
    expect(mssqlDdl.emit({ op: 'createView', table: view })).toEqual({ sql: ["CREATE OR ALTER VIEW [active_users] AS SELECT id, email FROM users WHERE active = 1 AND name <> 'TRUE' AND [false] = 0"] });
    expect(mssqlDdl.reverse({ op: 'createView', table: view })).toEqual({ sql: ['DROP VIEW IF EXISTS [active_users]'] });
    expect(mssqlDdl.reverse({ op: 'createTable', table: table('users') })).toEqual({ sql: ['DROP TABLE IF EXISTS [users]'] });
  });
  it('search and extensions are comments only', () => {
    expect(mssqlDdl.emit({ op: 'createExtension', name: 'postgis' })).toEqual({ sql: [], comment: 'SQL Server has no extensions: nothing to install for postgis (GEOGRAPHY is built in)' });
    expect(mssqlDdl.emit({ op: 'createSearch', table: table('posts'), columns: [column('posts', 'title')] }).sql).toEqual([]);
  });
  it('toTsql leaves literals, bracketed names and comments alone', () => {
    expect(toTsql("a = true -- true\nAND b = 'false' AND /* FALSE */ c = False AND [TRUE] = 1 AND N'true' = d")).toBe("a = 1 -- true\nAND b = 'false' AND /* FALSE */ c = 0 AND [TRUE] = 1 AND N'true' = d");
  });
});

describe('renames', () => {
  it('sp_rename for tables and columns; the new name is literal', () => {
    expect(mssqlDdl.rename!({ op: 'renameTable', from: 'people', to: 'users' })).toEqual({ sql: ["EXEC sys.sp_rename N'[people]', N'users'"] });
    expect(mssqlDdl.rename!({ op: 'renameColumn', table: 'users', from: "o'ld]", to: 'new]name' })).toEqual({ sql: ["EXEC sys.sp_rename N'[users].[o''ld]]]', N'new]name', N'COLUMN'"] });
  });
});

describe('the ledger', () => {
  it('one statement (no ;) that creates _forge_migrations when it is missing', () => {
    expect(mssqlFacts.ledgerDdl('_forge_migrations')).toBe(
      "IF OBJECT_ID(N'[_forge_migrations]', N'U') IS NULL CREATE TABLE [_forge_migrations] (name NVARCHAR(255) NOT NULL PRIMARY KEY, applied_at NVARCHAR(64))",
    );
  });
});
