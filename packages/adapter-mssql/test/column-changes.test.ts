import {
  buildSchemaIR,
  diffSchema,
  emitDriftStep,
  f,
  lintStatements,
  classifyFindings,
  model,
  parseMigration,
  planDriftApply,
  renderMigration,
  type AlterColumnOp,
  type ColumnChange,
  type DdlEnv,
  type SnapshotColumn,
} from '@forge/core';
import { describe, expect, it } from 'vitest';
import { adapter, mssqlDdl, mssqlFacts } from '../src/index.js';
import { dropDefaultConstraint, dropJsonCheck, restoreIndexes, setIndexesAside } from '../src/ddl.js';
import { snapshotFromCatalog, type CatalogRows, type ColumnRow, type IndexRow } from '../src/introspect.js';

/**
 * Column changes on SQL Server (issue 14), golden: `ALTER TABLE [t] ALTER COLUMN [c] <type> NULL|NOT NULL` with the
 * nullability always restated, and around it what ALTER COLUMN will not leave in place (the default constraint, the
 * ISJSON check, the indexes that use the column). No server runs here: the live run is in conformance.test.ts.
 */
const people = model('people', {
  id: f.id(),
  age: f.bigint().optional(),
  nick: f.string().default('anon'),
  bio: f.string().dbType('nvarchar(200)').optional(),
  score: f.int().default(0),
  meta: f.json(),
  code: f.string(),
});
const ir = buildSchemaIR({ people });
const t = Object.values(ir.models)[0];
const env: DdlEnv = { extensions: [], tables: [t] };
const col = (n: string) => t.columns.find((c) => c.name === n)!;
const op = (c: string, was: Partial<SnapshotColumn>, changes: ColumnChange[]): AlterColumnOp => ({
  op: 'alterColumn',
  table: 'people',
  column: col(c),
  was: { name: c, type: 'int', nullable: true, primaryKey: false, default: null, ...was },
  changes,
});
const up = (o: AlterColumnOp) => mssqlDdl.alterColumn!(o, false, env).sql;
const down = (o: AlterColumnOp) => mssqlDdl.alterColumn!(o, true, env).sql;
const aside = (c: string, nullability?: 'required' | 'optional') => setIndexesAside('people', c, nullability);
const back = restoreIndexes();

describe('the statements around ALTER COLUMN (golden)', () => {
  it('drops the default constraint bound to the column by column, whatever its name (one statement)', () => {
    expect(dropDefaultConstraint('we]ird', "it's")).toBe(
      "EXEC sys.sp_executesql N'DECLARE @forge_sql nvarchar(max) = N''''; " +
        "SELECT @forge_sql += N''ALTER TABLE '' + QUOTENAME(OBJECT_SCHEMA_NAME(d.parent_object_id)) + N''.'' + QUOTENAME(OBJECT_NAME(d.parent_object_id)) + N'' DROP CONSTRAINT '' + QUOTENAME(d.name) + N''; '' " +
        "FROM sys.default_constraints AS d WHERE d.parent_object_id = OBJECT_ID(N''[we]]ird]'') AND d.parent_column_id = COLUMNPROPERTY(OBJECT_ID(N''[we]]ird]''), N''it''''s'', ''ColumnId''); " +
        "EXEC sys.sp_executesql @forge_sql'",
    );
  });

  it("drops forge's ISJSON check of the column, recognised by its definition as introspection reads it", () => {
    expect(dropJsonCheck('people', 'meta')).toBe(
      "EXEC sys.sp_executesql N'DECLARE @forge_sql nvarchar(max) = N''''; " +
        "SELECT @forge_sql += N''ALTER TABLE '' + QUOTENAME(OBJECT_SCHEMA_NAME(k.parent_object_id)) + N''.'' + QUOTENAME(OBJECT_NAME(k.parent_object_id)) + N'' DROP CONSTRAINT '' + QUOTENAME(k.name) + N''; '' " +
        "FROM sys.check_constraints AS k WHERE k.parent_object_id = OBJECT_ID(N''[people]'') AND k.parent_column_id = COLUMNPROPERTY(OBJECT_ID(N''[people]''), N''meta'', ''ColumnId'') " +
        "AND REPLACE(LOWER(k.definition), N'' '', N'''') LIKE N''(isjson(%)=%1%)''; " +
        "EXEC sys.sp_executesql @forge_sql'",
    );
  });

  it('sets the indexes that use the column aside: scripted from the catalog into a session #table, dropped, recreated after', () => {
    expect(aside('age')).toEqual([
      'CREATE TABLE #forge_alter_indexes (name sysname NOT NULL, create_sql nvarchar(max) NOT NULL)',
      "EXEC sys.sp_executesql N'INSERT INTO #forge_alter_indexes (name, create_sql) " +
        "SELECT i.name, N''CREATE '' + CASE WHEN i.is_unique = 1 THEN N''UNIQUE '' ELSE N'''' END + N''INDEX '' + QUOTENAME(i.name) + N'' ON '' + QUOTENAME(OBJECT_SCHEMA_NAME(i.object_id)) + N''.'' + QUOTENAME(OBJECT_NAME(i.object_id)) + " +
        "N'' ('' + (SELECT STRING_AGG(CAST(QUOTENAME(c.name) AS nvarchar(max)) + CASE WHEN ic.is_descending_key = 1 THEN N'' DESC'' ELSE N'''' END, N'', '') WITHIN GROUP (ORDER BY ic.key_ordinal) " +
        'FROM sys.index_columns AS ic JOIN sys.columns AS c ON c.object_id = ic.object_id AND c.column_id = ic.column_id WHERE ic.object_id = i.object_id AND ic.index_id = i.index_id AND ic.key_ordinal > 0) + ' +
        "N'')'' + ISNULL(N'' INCLUDE ('' + (SELECT STRING_AGG(CAST(QUOTENAME(c.name) AS nvarchar(max)), N'', '') WITHIN GROUP (ORDER BY ic.index_column_id) " +
        'FROM sys.index_columns AS ic JOIN sys.columns AS c ON c.object_id = ic.object_id AND c.column_id = ic.column_id WHERE ic.object_id = i.object_id AND ic.index_id = i.index_id AND ic.is_included_column = 1) + ' +
        "N'')'', N'''') + CASE WHEN i.has_filter = 1 THEN N'' WHERE '' + i.filter_definition ELSE N'''' END " +
        "FROM sys.indexes AS i WHERE i.object_id = OBJECT_ID(N''[people]'') AND i.type = 2 AND i.is_primary_key = 0 AND i.is_unique_constraint = 0 " +
        "AND (EXISTS (SELECT 1 FROM sys.index_columns AS u WHERE u.object_id = i.object_id AND u.index_id = i.index_id AND u.column_id = COLUMNPROPERTY(OBJECT_ID(N''[people]''), N''age'', ''ColumnId'')) " +
        "OR (i.has_filter = 1 AND CHARINDEX(QUOTENAME(N''age''), i.filter_definition) > 0)); " +
        "DECLARE @forge_sql nvarchar(max) = N''''; " +
        "SELECT @forge_sql += N''DROP INDEX '' + QUOTENAME(name) + N'' ON '' + QUOTENAME(OBJECT_SCHEMA_NAME(OBJECT_ID(N''[people]''))) + N''.'' + QUOTENAME(OBJECT_NAME(OBJECT_ID(N''[people]''))) + N''; '' FROM #forge_alter_indexes; " +
        "EXEC sys.sp_executesql @forge_sql'",
    ]);
    // The nullability changes: forge's own `IS NOT NULL` filter of a unique index over the column follows it.
    const plain = "CASE WHEN i.has_filter = 1 THEN N'' WHERE '' + i.filter_definition ELSE N'''' END ";
    expect(aside('nick')[1]).toContain(plain);
    expect(aside('nick', 'required')[1]).toBe(
      aside('nick')[1].replace(
        plain,
        "CASE WHEN i.has_filter = 1 AND NOT (i.is_unique = 1 AND REPLACE(i.filter_definition, N'' '', N'''') = REPLACE(N''('' + N''[nick] IS NOT NULL'' + N'')'', N'' '', N'''')) THEN N'' WHERE '' + i.filter_definition ELSE N'''' END ",
      ),
    );
    expect(aside('nick', 'optional')[1]).toBe(
      aside('nick')[1].replace(
        plain,
        "CASE WHEN i.has_filter = 1 THEN N'' WHERE '' + i.filter_definition " +
          'WHEN i.is_unique = 1 AND (SELECT COUNT(*) FROM sys.index_columns AS k WHERE k.object_id = i.object_id AND k.index_id = i.index_id AND k.key_ordinal > 0) = 1 ' +
          "AND EXISTS (SELECT 1 FROM sys.index_columns AS k WHERE k.object_id = i.object_id AND k.index_id = i.index_id AND k.key_ordinal > 0 AND k.column_id = COLUMNPROPERTY(OBJECT_ID(N''[people]''), N''nick'', ''ColumnId'')) " +
          "THEN N'' WHERE '' + N''[nick] IS NOT NULL'' ELSE N'''' END ",
      ),
    );
    expect(back).toEqual([
      "EXEC sys.sp_executesql N'DECLARE @forge_sql nvarchar(max) = N''''; SELECT @forge_sql += create_sql + N''; '' FROM #forge_alter_indexes; EXEC sys.sp_executesql @forge_sql'",
      'DROP TABLE #forge_alter_indexes',
    ]);
  });
});

describe('alterColumn: each form, up and down (golden)', () => {
  it('a type change restates the type and the nullability, with the indexes set aside; the down block restores the live type', () => {
    const o = op('age', { type: 'int' }, ['type']);
    expect(up(o)).toEqual([...aside('age'), 'ALTER TABLE [people] ALTER COLUMN [age] BIGINT NULL', ...back]);
    expect(down(o)).toEqual([...aside('age'), 'ALTER TABLE [people] ALTER COLUMN [age] int NULL', ...back]);
  });

  it('a type change on a column bound to a default drops the constraint first and adds it again after (the down block the live one, as forge wrote it)', () => {
    const o = op('score', { type: 'smallint', nullable: false, default: '((0))' }, ['type']);
    const df = dropDefaultConstraint('people', 'score');
    expect(up(o)).toEqual([df, ...aside('score'), 'ALTER TABLE [people] ALTER COLUMN [score] INT NOT NULL', ...back, 'ALTER TABLE [people] ADD CONSTRAINT [forge_people_df_score] DEFAULT (0) FOR [score]']);
    expect(down(o)).toEqual([df, ...aside('score'), 'ALTER TABLE [people] ALTER COLUMN [score] smallint NOT NULL', ...back, 'ALTER TABLE [people] ADD CONSTRAINT [forge_people_df_score] DEFAULT (0) FOR [score]']);
  });

  it('a longer nvarchar keeps its indexes (SQL Server alters it in place); the shorter one of the down block sets them aside', () => {
    const o = op('bio', { type: 'nvarchar(100)' }, ['type']);
    expect(up(o)).toEqual(['ALTER TABLE [people] ALTER COLUMN [bio] nvarchar(200) NULL']);
    expect(down(o)).toEqual([...aside('bio'), 'ALTER TABLE [people] ALTER COLUMN [bio] nvarchar(100) NULL', ...back]);
  });

  it('made required with a default: the NULL rows get the default first, then NOT NULL; the down block makes it NULL-able again', () => {
    const o = op('nick', { type: 'nvarchar(255)', nullable: true, default: "(N'anon')" }, ['nullable']);
    const df = dropDefaultConstraint('people', 'nick');
    const readd = "ALTER TABLE [people] ADD CONSTRAINT [forge_people_df_nick] DEFAULT (N'anon') FOR [nick]";
    expect(up(o)).toEqual([df, ...aside('nick', 'required'), "UPDATE [people] SET [nick] = N'anon' WHERE [nick] IS NULL", 'ALTER TABLE [people] ALTER COLUMN [nick] NVARCHAR(255) NOT NULL', ...back, readd]);
    expect(down(o)).toEqual([df, ...aside('nick', 'optional'), 'ALTER TABLE [people] ALTER COLUMN [nick] nvarchar(255) NULL', ...back, readd]);
  });

  it('made required without a default: NOT NULL alone (refused while a row holds NULL, which the lint names)', () => {
    const o = op('code', { type: 'nvarchar(255)', nullable: true }, ['nullable']);
    expect(up(o)).toEqual([...aside('code', 'required'), 'ALTER TABLE [people] ALTER COLUMN [code] NVARCHAR(255) NOT NULL', ...back]);
    expect(down(o)).toEqual([...aside('code', 'optional'), 'ALTER TABLE [people] ALTER COLUMN [code] nvarchar(255) NULL', ...back]);
  });

  it('a new type and required with a default: retyped NULL-able, backfilled, then NOT NULL; the down block drops the default it set', () => {
    const o = op('score', { type: 'nvarchar(10)', nullable: true }, ['type', 'nullable', 'default']);
    expect(up(o)).toEqual([
      ...aside('score', 'required'),
      'ALTER TABLE [people] ALTER COLUMN [score] INT NULL',
      'UPDATE [people] SET [score] = 0 WHERE [score] IS NULL',
      'ALTER TABLE [people] ALTER COLUMN [score] INT NOT NULL',
      ...back,
      'ALTER TABLE [people] ADD CONSTRAINT [forge_people_df_score] DEFAULT (0) FOR [score]',
    ]);
    expect(down(o)).toEqual([dropDefaultConstraint('people', 'score'), ...aside('score', 'optional'), 'ALTER TABLE [people] ALTER COLUMN [score] nvarchar(10) NULL', ...back]);
  });

  it('a default change is the constraint dropped and added under forge name; set and dropped defaults are one half each', () => {
    const df = dropDefaultConstraint('people', 'score');
    const changed = op('score', { type: 'int', nullable: false, default: '((5))' }, ['default']);
    expect(up(changed)).toEqual([df, 'ALTER TABLE [people] ADD CONSTRAINT [forge_people_df_score] DEFAULT (0) FOR [score]']);
    expect(down(changed)).toEqual([df, 'ALTER TABLE [people] ADD CONSTRAINT [forge_people_df_score] DEFAULT (5) FOR [score]']);
    const set = op('score', { type: 'int', nullable: false, default: null }, ['default']);
    expect(up(set)).toEqual(['ALTER TABLE [people] ADD CONSTRAINT [forge_people_df_score] DEFAULT (0) FOR [score]']);
    expect(down(set)).toEqual([df]);
  });

  it("a JSON column keeps its ISJSON check: dropped before ALTER COLUMN and added again after", () => {
    const o = op('meta', { type: 'json', nullable: true }, ['nullable']);
    const check = 'ALTER TABLE [people] ADD CONSTRAINT [forge_people_ck_meta] CHECK (ISJSON([meta]) = 1)';
    expect(up(o)).toEqual([dropJsonCheck('people', 'meta'), ...aside('meta', 'required'), 'ALTER TABLE [people] ALTER COLUMN [meta] NVARCHAR(MAX) NOT NULL', ...back, check]);
    expect(down(o)).toEqual([dropJsonCheck('people', 'meta'), ...aside('meta', 'optional'), 'ALTER TABLE [people] ALTER COLUMN [meta] nvarchar(max) NULL', ...back, check]);
  });

  it('the down block renders the previous schema column where generate knows it', () => {
    const was = buildSchemaIR({ people: model('people', { id: f.id(), age: f.int().optional() }) });
    const o: AlterColumnOp = { ...op('age', { type: 'int' }, ['type']), wasColumn: Object.values(was.models)[0].columns.find((c) => c.name === 'age')! };
    expect(down(o)).toEqual([...aside('age'), 'ALTER TABLE [people] ALTER COLUMN [age] INT NULL', ...back]);
  });

  it('nothing to change is a comment, no statement', () => {
    expect(mssqlDdl.alterColumn!(op('age', { type: 'bigint' }, ['type']), false, env)).toEqual({ sql: [], comment: 'people.age: nothing to change' });
  });

  it('every statement survives a migration file: rendered and read back as the same statements', () => {
    const o = op('score', { type: 'nvarchar(10)', nullable: true, default: "(N'a;b')" }, ['type', 'nullable', 'default']);
    const j = op('meta', { type: 'json', nullable: true }, ['nullable']);
    const ups = [...up(o), ...up(j)];
    const downs = [...down(j), ...down(o)];
    const text = renderMigration({ name: '0002_20261203_120000_cols', generatedAt: new Date(0), up: ups, down: downs });
    const parsed = parseMigration(text, '0002_20261203_120000_cols');
    expect(parsed.up).toEqual(ups);
    expect(parsed.down).toEqual(downs);
  });

  it("the catalog's extra parentheses come off a live default: it is added again as forge wrote it, and a (a) + (b) expression is kept whole", () => {
    const paren = op('score', { type: 'int', nullable: false, default: '((1)+(2))' }, ['default']);
    expect(down(paren).at(-1)).toBe('ALTER TABLE [people] ADD CONSTRAINT [forge_people_df_score] DEFAULT ((1)+(2)) FOR [score]');
    const sum = op('score', { type: 'int', nullable: false, default: '(1)+(2)' }, ['default']);
    expect(down(sum).at(-1)).toBe('ALTER TABLE [people] ADD CONSTRAINT [forge_people_df_score] DEFAULT ((1)+(2)) FOR [score]');
    const quoted = op('nick', { type: 'nvarchar(255)', nullable: false, default: "(N'(x')" }, ['default']);
    expect(down(quoted).at(-1)).toBe("ALTER TABLE [people] ADD CONSTRAINT [forge_people_df_nick] DEFAULT (N'(x') FOR [nick]");
  });
});

/**
 * The plan end to end from a recorded catalog: rows in the shapes the catalog views return them (sys.columns
 * lengths in bytes, defaults as SQL Server rewrites them), for `people` as a previous schema pushed it, with an
 * index on `age`. Recorded by hand from the documented view columns: no server ran here.
 */
const c = (name: string, id: number, type: string, over: Partial<ColumnRow> = {}): ColumnRow => ({
  table_name: 'people',
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
const ix = (name: string, column: string, over: Partial<IndexRow> = {}): IndexRow => ({
  table_name: 'people',
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
const recorded: CatalogRows = {
  server: { schema_name: 'dbo', db: 'forge_test_1', version: '16.0.4135.4', has_vector: false },
  relations: [{ name: 'people', kind: 'U', definition: null }],
  columns: [
    c('id', 1, 'uniqueidentifier', { max_length: 16, precision: 0 }),
    c('age', 2, 'int', { is_nullable: true }),
    c('nick', 3, 'nvarchar', { max_length: 510, precision: 0, is_nullable: true, default_name: 'forge_people_df_nick', default_definition: "(N'anon')" }),
    c('score', 4, 'int', { default_name: 'forge_people_df_score', default_definition: '((5))' }),
  ],
  indexes: [ix('forge_people_pk', 'id', { index_id: 1, type_desc: 'CLUSTERED', is_unique: true, is_primary_key: true }), ix('people_age_idx', 'age', { index_id: 3 })],
  foreignKeys: [],
  checks: [],
};
const v2 = model('people', { id: f.id(), age: f.bigint().optional(), nick: f.string().default('anon'), score: f.int().default(0) }, { indexes: [{ name: 'people_age_idx', keys: { age: 1 } }] });

describe('diff apply plans column changes on SQL Server (recorded catalog)', () => {
  const snap = snapshotFromCatalog(recorded);
  const schema = buildSchemaIR({ people: v2 });
  const report = diffSchema(schema, snap, adapter);
  const plan = planDriftApply(report, schema, snap, adapter);
  const planEnv: DdlEnv = { extensions: [], tables: Object.values(schema.models) };

  it('reports the type, nullability and default drift, and plans one alterColumn per column, none deferred (the index is set aside, not a reason to defer)', () => {
    expect(report.items.map((i) => `${i.kind} ${i.column} ${i.property}`).sort()).toEqual(['column nick nullable', 'column score default', 'columnType age type']);
    expect(plan.deferred).toEqual([]);
    expect(plan.ops.map((s) => `${s.change.text}${s.change.destructive ? ' (destructive)' : ''}`)).toEqual([
      'change people.nick: set NOT NULL (rows holding NULL get the default)',
      'change people.score: default ((5)) to 0',
      'change people.age: type int to BIGINT',
    ]);
  });

  it('emits each step up and down through emitDriftStep', () => {
    const ups = plan.ops.map((s) => emitDriftStep(adapter, s, planEnv, false).sql);
    const downs = [...plan.ops].reverse().map((s) => emitDriftStep(adapter, s, planEnv, true).sql);
    const nickUp = [
      dropDefaultConstraint('people', 'nick'),
      ...aside('nick', 'required'),
      "UPDATE [people] SET [nick] = N'anon' WHERE [nick] IS NULL",
      'ALTER TABLE [people] ALTER COLUMN [nick] NVARCHAR(255) NOT NULL',
      ...back,
      "ALTER TABLE [people] ADD CONSTRAINT [forge_people_df_nick] DEFAULT (N'anon') FOR [nick]",
    ];
    const nickDown = [
      dropDefaultConstraint('people', 'nick'),
      ...aside('nick', 'optional'),
      'ALTER TABLE [people] ALTER COLUMN [nick] nvarchar(255) NULL',
      ...back,
      "ALTER TABLE [people] ADD CONSTRAINT [forge_people_df_nick] DEFAULT (N'anon') FOR [nick]",
    ];
    expect(ups).toEqual([
      nickUp,
      [dropDefaultConstraint('people', 'score'), 'ALTER TABLE [people] ADD CONSTRAINT [forge_people_df_score] DEFAULT (0) FOR [score]'],
      [...aside('age'), 'ALTER TABLE [people] ALTER COLUMN [age] BIGINT NULL', ...back],
    ]);
    expect(downs).toEqual([
      [...aside('age'), 'ALTER TABLE [people] ALTER COLUMN [age] int NULL', ...back],
      [dropDefaultConstraint('people', 'score'), 'ALTER TABLE [people] ADD CONSTRAINT [forge_people_df_score] DEFAULT (5) FOR [score]'],
      nickDown,
    ]);
  });

  it('the lint reads the up block: the widening is no finding, the NOT NULL is backfilled, so nothing needs consent', () => {
    const statements = plan.ops.flatMap((s) => emitDriftStep(adapter, s, planEnv, false).sql);
    const findings = classifyFindings(lintStatements(statements), snap, mssqlFacts);
    expect(findings.map((f) => `${f.code} ${f.column}${f.backfilled ? ' backfilled' : ''}`)).toEqual(['FORGE_SET_NOT_NULL nick backfilled']);
  });
});
