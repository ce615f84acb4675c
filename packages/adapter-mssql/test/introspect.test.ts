import { buildSchemaIR, diffSchema, normalizeSqlExpr, type Snapshot } from '@forge/core';
import { describe, expect, it } from 'vitest';
import { adapter } from '../src/index.js';
import { columnTypeOf, snapshotFromCatalog, viewSql, type CatalogRows, type ColumnRow, type IndexRow } from '../src/introspect.js';
import { f, model } from '@forge/core';

/**
 * Rows in the shapes the catalog views return them (sys.columns.max_length in bytes, -1 for max; defaults and
 * checks as SQL Server re-writes them: `((0))`, `(N'member')`, `(isjson([meta])=(1))`; filters as
 * `([active]=(1))`), for the schema below after a push. Recorded by hand from the documented view columns: no
 * server ran here.
 */
const col = (table: string, name: string, id: number, type: string, over: Partial<ColumnRow> = {}): ColumnRow => ({
  table_name: table,
  column_name: name,
  column_id: id,
  type_name: type,
  is_user_defined: false,
  base_type: type,
  max_length: 4,
  precision: 10,
  scale: 0,
  is_nullable: false,
  is_identity: false,
  is_computed: false,
  default_name: null,
  default_definition: null,
  ...over,
});
const ixRow = (table: string, name: string, column: string, over: Partial<IndexRow> = {}): IndexRow => ({
  table_name: table,
  index_name: name,
  index_id: 2,
  type_desc: 'NONCLUSTERED',
  is_unique: false,
  is_primary_key: false,
  is_unique_constraint: false,
  has_filter: false,
  filter_definition: null,
  key_ordinal: 1,
  index_column_id: 1,
  is_included_column: false,
  is_descending_key: false,
  column_name: column,
  ...over,
});

const rows: CatalogRows = {
  server: { schema_name: 'dbo', db: 'forge_test_1', version: '16.0.4135.4', has_vector: false },
  relations: [
    { name: 'users', kind: 'U ', definition: null },
    { name: 'counters', kind: 'U', definition: null },
    { name: 'posts', kind: 'U', definition: null },
    { name: 'active_users', kind: 'V', definition: 'CREATE OR ALTER VIEW [active_users] AS SELECT id, email FROM users WHERE active = 1' },
  ],
  columns: [
    col('users', 'id', 1, 'uniqueidentifier', { max_length: 16, precision: 0 }),
    col('users', 'email', 2, 'nvarchar', { max_length: 510, precision: 0 }),
    col('users', 'name', 3, 'nvarchar', { max_length: 510, precision: 0, is_nullable: true }),
    col('users', 'age', 4, 'int', { default_name: 'forge_users_df_age', default_definition: '((0))' }),
    col('users', 'balance', 5, 'decimal', { max_length: 9, precision: 12, scale: 2, is_nullable: true }),
    col('users', 'active', 6, 'bit', { max_length: 1, precision: 1, default_name: 'forge_users_df_active', default_definition: '((1))' }),
    col('users', 'role', 7, 'nvarchar', { max_length: 510, precision: 0, default_name: 'forge_users_df_role', default_definition: "(N'member')" }),
    col('users', 'meta', 8, 'nvarchar', { max_length: -1, precision: 0, is_nullable: true }),
    col('users', 'createdAt', 9, 'datetime2', { max_length: 7, precision: 23, scale: 3, default_name: 'forge_users_df_createdAt', default_definition: '(sysutcdatetime())' }),
    col('users', 'score', 10, 'float', { max_length: 8, precision: 53, is_nullable: true }),
    col('users', 'code', 11, 'phone_t', { is_user_defined: true, base_type: 'varchar', max_length: 20, precision: 0, is_nullable: true }),
    col('counters', 'id', 1, 'int', { is_identity: true }),
    col('counters', 'name', 2, 'nvarchar', { max_length: 510, precision: 0 }),
    col('counters', 'doubled', 3, 'int', { is_computed: true, is_nullable: true }),
    col('posts', 'id', 1, 'uniqueidentifier', { max_length: 16, precision: 0 }),
    col('posts', 'authorId', 2, 'uniqueidentifier', { max_length: 16, precision: 0 }),
    col('posts', 'body', 3, 'nvarchar', { max_length: -1, precision: 0, is_nullable: true }),
    col('posts', 'g', 4, 'geography', { is_user_defined: true, base_type: null, max_length: -1, precision: 0, is_nullable: true }),
    col('active_users', 'id', 1, 'uniqueidentifier', { max_length: 16, precision: 0 }),
  ],
  indexes: [
    ixRow('users', 'forge_users_pk', 'id', { index_id: 1, type_desc: 'CLUSTERED', is_unique: true, is_primary_key: true }),
    ixRow('users', 'forge_users_uq_email', 'email', { is_unique: true }),
    // Forge's own filter for a unique index over a NULL-able column: not the user's `where`.
    ixRow('users', 'forge_users_uq_name', 'name', { is_unique: true, has_filter: true, filter_definition: '([name] IS NOT NULL)' }),
    ixRow('users', 'idx_active_email', 'email', { is_unique: true, has_filter: true, filter_definition: '([active]=(1))' }),
    ixRow('users', 'idx_role_cov', 'role', { index_column_id: 1 }),
    ixRow('users', 'idx_role_cov', 'score', { key_ordinal: 0, index_column_id: 3, is_included_column: true }),
    ixRow('users', 'idx_role_cov', 'age', { key_ordinal: 0, index_column_id: 2, is_included_column: true }),
    ixRow('users', 'idx_role_created', 'createdAt', { key_ordinal: 2, index_column_id: 2, is_descending_key: true }),
    ixRow('users', 'idx_role_created', 'role', { key_ordinal: 1, index_column_id: 1 }),
    ixRow('counters', 'forge_counters_pk', 'id', { index_id: 1, type_desc: 'CLUSTERED', is_unique: true, is_primary_key: true }),
    ixRow('counters', 'uq_legacy', 'name', { is_unique: true, is_unique_constraint: true }),
    ixRow('posts', 'forge_posts_pk', 'id', { index_id: 1, type_desc: 'CLUSTERED', is_unique: true, is_primary_key: true }),
    ixRow('posts', 'ix_g', 'g', { type_desc: 'SPATIAL', key_ordinal: 0 }),
  ],
  foreignKeys: [
    { table_name: 'posts', constraint_name: 'forge_posts_fk_authorId', position: 1, column_name: 'authorId', ref_table: 'users', ref_column: 'id', delete_rule: 'CASCADE' },
  ],
  checks: [
    { table_name: 'users', constraint_name: 'forge_users_ck_meta', column_name: 'meta', definition: '(isjson([meta])=(1))' },
    { table_name: 'users', constraint_name: 'ck_age', column_name: null, definition: '([age]>=(0))' },
  ],
};

const expected: Snapshot = {
  dialect: 'mssql',
  internal: [],
  extensions: [],
  views: [{ name: 'active_users', materialized: false, sql: 'SELECT id, email FROM users WHERE active = 1' }],
  tables: [
    {
      name: 'counters',
      columns: [
        { name: 'id', type: 'int', nullable: false, primaryKey: true, default: 'IDENTITY' },
        { name: 'name', type: 'nvarchar(255)', nullable: false, primaryKey: false, default: null },
        { name: 'doubled', type: 'int', nullable: true, primaryKey: false, default: null },
      ],
      indexes: [{ name: 'uq_legacy', columns: ['name'], directions: [1], unique: true, primary: false, method: 'btree' }],
      foreignKeys: [],
    },
    {
      name: 'posts',
      columns: [
        { name: 'id', type: 'uniqueidentifier', nullable: false, primaryKey: true, default: null },
        { name: 'authorId', type: 'uniqueidentifier', nullable: false, primaryKey: false, default: null },
        { name: 'body', type: 'nvarchar(max)', nullable: true, primaryKey: false, default: null },
        { name: 'g', type: 'geography', nullable: true, primaryKey: false, default: null },
      ],
      indexes: [{ name: 'ix_g', columns: ['g'], unique: false, primary: false, method: 'spatial' }],
      foreignKeys: [{ name: 'forge_posts_fk_authorId', columns: ['authorId'], refTable: 'users', refColumns: ['id'], onDelete: 'cascade' }],
    },
    {
      name: 'users',
      columns: [
        { name: 'id', type: 'uniqueidentifier', nullable: false, primaryKey: true, default: null },
        { name: 'email', type: 'nvarchar(255)', nullable: false, primaryKey: false, default: null },
        { name: 'name', type: 'nvarchar(255)', nullable: true, primaryKey: false, default: null },
        { name: 'age', type: 'int', nullable: false, primaryKey: false, default: '((0))' },
        { name: 'balance', type: 'decimal(12,2)', nullable: true, primaryKey: false, default: null },
        { name: 'active', type: 'bit', nullable: false, primaryKey: false, default: '((1))' },
        { name: 'role', type: 'nvarchar(255)', nullable: false, primaryKey: false, default: "(N'member')" },
        { name: 'meta', type: 'json', nullable: true, primaryKey: false, default: null },
        { name: 'createdAt', type: 'datetime2(3)', nullable: false, primaryKey: false, default: '(sysutcdatetime())' },
        { name: 'score', type: 'float', nullable: true, primaryKey: false, default: null },
        { name: 'code', type: 'varchar(20)', nullable: true, primaryKey: false, default: null },
      ],
      indexes: [
        { name: 'forge_users_uq_email', columns: ['email'], directions: [1], unique: true, primary: false, method: 'btree' },
        { name: 'forge_users_uq_name', columns: ['name'], directions: [1], unique: true, primary: false, method: 'btree' },
        { name: 'idx_active_email', columns: ['email'], directions: [1], unique: true, primary: false, method: 'btree', where: '([active]=(1))' },
        { name: 'idx_role_cov', columns: ['role'], directions: [1], unique: false, primary: false, method: 'btree', include: ['age', 'score'] },
        { name: 'idx_role_created', columns: ['role', 'createdAt'], directions: [1, -1], unique: false, primary: false, method: 'btree' },
      ],
      foreignKeys: [],
    },
  ],
};

describe('introspection from recorded catalog rows', () => {
  it('parses every view into the full snapshot', () => {
    expect(snapshotFromCatalog(rows)).toEqual(expected);
  });

  it("SSMS's sysdiagrams is internal, never the user's table", () => {
    const snap = snapshotFromCatalog({ ...rows, relations: [...rows.relations, { name: 'sysdiagrams', kind: 'U', definition: null }] });
    expect(snap.internal).toEqual(['sysdiagrams']);
    expect(snap.tables.map((t) => t.name)).toEqual(['counters', 'posts', 'users']);
  });

  it('reports VECTOR availability as a server feature', () => {
    expect(snapshotFromCatalog({ ...rows, server: { ...rows.server, has_vector: 1 } }).extensions).toEqual(['vector']);
  });

  it('types: lengths in characters, max, precision and scale', () => {
    const t = (type_name: string, max_length: number, precision = 0, scale = 0) => columnTypeOf({ type_name, is_user_defined: false, base_type: type_name, max_length, precision, scale });
    expect(t('nvarchar', 510)).toBe('nvarchar(255)');
    expect(t('nvarchar', -1)).toBe('nvarchar(max)');
    expect(t('nchar', 20)).toBe('nchar(10)');
    expect(t('varchar', 120)).toBe('varchar(120)');
    expect(t('varbinary', -1)).toBe('varbinary(max)');
    expect(t('decimal', 17, 38, 10)).toBe('decimal(38,10)');
    expect(t('datetime2', 8, 27, 7)).toBe('datetime2(7)');
    expect(t('time', 5, 16, 7)).toBe('time(7)');
    expect(t('BIT', 1, 1)).toBe('bit');
  });

  it('a view definition loses its CREATE ... AS header, in every spelling', () => {
    expect(viewSql('CREATE VIEW dbo.v AS SELECT 1 AS x')).toBe('SELECT 1 AS x');
    expect(viewSql('create   or alter view [my view]\nas\n  SELECT a FROM t')).toBe('SELECT a FROM t');
    expect(viewSql('CREATE VIEW [dbo].[v] AS SELECT 1')).toBe('SELECT 1');
    expect(viewSql(null)).toBeUndefined();
  });

  it('runs six catalog queries, whatever the number of tables', async () => {
    const sent: string[] = [];
    const answers = [[rows.server], rows.relations, rows.columns, rows.indexes, rows.foreignKeys, rows.checks];
    const conn = { query: async (sql: string) => (sent.push(sql), answers[sent.length - 1]) } as never;
    expect(await adapter.introspect(conn)).toEqual(expected);
    expect(sent).toHaveLength(6);
    expect(sent.every((s) => !/@p\d/.test(s))).toBe(true);
    expect(sent.slice(1).every((s) => s.includes('SCHEMA_ID()'))).toBe(true);
  });
});

describe('the recorded snapshot against the schema it came from (drift rules)', () => {
  const schema = {
    user: model(
      'users',
      {
        id: f.id(),
        email: f.string().unique(),
        name: f.string().optional().unique(),
        age: f.int().default(0),
        balance: f.decimal({ precision: 12, scale: 2 }).optional(),
        active: f.bool().default(true),
        role: f.enumOf(['admin', 'member'] as const).default('member'),
        meta: f.json().optional(),
        createdAt: f.dateTime().default('now'),
        score: f.float().optional(),
        code: f.string().optional().dbType('varchar(20)'),
      },
      {
        indexes: [
          { keys: { email: 1 }, name: 'idx_active_email', unique: true, where: 'active = true' },
          { keys: { role: 1 }, include: ['age', 'score'], name: 'idx_role_cov' },
          { keys: { role: 1, createdAt: -1 }, name: 'idx_role_created' },
        ],
      },
    ),
  };
  const snap = snapshotFromCatalog({ ...rows, relations: rows.relations.filter((r) => r.name === 'users') });
  it('json, bool, datetime, decimal, a filtered and a covering index all match: no drift', () => {
    expect(diffSchema(buildSchemaIR(schema), snap, adapter).items).toEqual([]);
  });
  it('the filter compares equal to the schema spelling; another filter does not', () => {
    expect(normalizeSqlExpr('([active]=(1))', adapter.facts)).toBe(normalizeSqlExpr('active = true', adapter.facts));
    expect(normalizeSqlExpr("([role]=N'admin')", adapter.facts)).toBe(normalizeSqlExpr("role = 'admin'", adapter.facts));
    expect(normalizeSqlExpr('([active]=(0))', adapter.facts)).not.toBe(normalizeSqlExpr('active = true', adapter.facts));
  });
});
