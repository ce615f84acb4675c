import { createDbWith, raw, type Expr, type QueryNode } from '@forge/core';
import { blogSchema } from '@forge/testkit';
import { describe, expect, it } from 'vitest';
import { adapter, MssqlCompiler } from '../src/index.js';
import { escapeLikeMssql, jsonPathOf } from '../src/compile.js';
import { recordingConnection } from './helpers.js';

const c = new MssqlCompiler();
const col = (name: string, table?: string): Expr => ({ t: 'col', name, table });
const p = (value: unknown): Expr => ({ t: 'param', value });
const sel = (over: Partial<Extract<QueryNode, { t: 'select' }>> = {}): QueryNode => ({
  t: 'select',
  from: { table: 'users', alias: 'users' },
  columns: [{ expr: col('id', 'users'), alias: 'id' }],
  ...over,
});

const USER_COLS = '[users].[id], [users].[email], [users].[name], [users].[age], [users].[score], [users].[balance], [users].[active], [users].[visits], [users].[role], [users].[meta], [users].[createdAt], [users].[updatedAt]';
const OUT_USER = (side: 'INSERTED' | 'DELETED') =>
  ['id', 'email', 'name', 'age', 'score', 'balance', 'active', 'visits', 'role', 'meta', 'createdAt', 'updatedAt'].map((x) => `${side}.[${x}]`).join(', ');

describe('identifiers and placeholders', () => {
  it('brackets every identifier with ] doubled, and numbers parameters @p1..', () => {
    expect(c.quoteIdent('users')).toBe('[users]');
    expect(c.quoteIdent('a]b')).toBe('[a]]b]');
    expect(c.quoteIdent('we"ird name')).toBe('[we"ird name]');
    expect(c.quoteIdent('[x]')).toBe('[[x]]]');
    expect(c.placeholder(1)).toBe('@p1');
    expect(c.placeholder(12)).toBe('@p12');
  });
});

describe('SELECT shapes (golden)', () => {
  const cases: Array<[string, QueryNode, string, unknown[]]> = [
    ['plain', sel(), 'SELECT [users].[id] FROM [users]', []],
    ['alias and where', sel({ from: { table: 'users', alias: 'u' }, columns: [{ expr: col('email', 'u'), alias: 'mail' }], where: { t: 'cmp', op: '=', left: col('id', 'u'), right: p('x') } }), 'SELECT [u].[email] AS [mail] FROM [users] AS [u] WHERE [u].[id] = @p1', ['x']],
    ['limit alone is TOP', sel({ limit: 5 }), 'SELECT TOP (5) [users].[id] FROM [users]', []],
    ['limit with order is TOP + ORDER BY', sel({ limit: 5, orderBy: [{ expr: col('id', 'users'), dir: 'desc' }] }), 'SELECT TOP (5) [users].[id] FROM [users] ORDER BY [users].[id] DESC', []],
    ['DISTINCT TOP', sel({ limit: 2, distinct: true }), 'SELECT DISTINCT TOP (2) [users].[id] FROM [users]', []],
    ['offset with order', sel({ offset: 10, limit: 5, orderBy: [{ expr: col('id', 'users'), dir: 'asc' }] }), 'SELECT [users].[id] FROM [users] ORDER BY [users].[id] ASC OFFSET 10 ROWS FETCH NEXT 5 ROWS ONLY', []],
    ['offset without order gets ORDER BY (SELECT NULL)', sel({ offset: 3, limit: 2 }), 'SELECT [users].[id] FROM [users] ORDER BY (SELECT NULL) OFFSET 3 ROWS FETCH NEXT 2 ROWS ONLY', []],
    ['offset without limit', sel({ offset: 3 }), 'SELECT [users].[id] FROM [users] ORDER BY (SELECT NULL) OFFSET 3 ROWS', []],
    ['offset 0 is no paging', sel({ offset: 0, limit: 4 }), 'SELECT TOP (4) [users].[id] FROM [users]', []],
    ['limit 0 with an offset is TOP (0) (FETCH NEXT 0 is refused)', sel({ offset: 5, limit: 0 }), 'SELECT TOP (0) [users].[id] FROM [users]', []],
    [
      'NULLS FIRST / LAST through CASE',
      sel({ orderBy: [{ expr: col('name', 'users'), dir: 'asc', nulls: 'last' }, { expr: col('age', 'users'), dir: 'desc', nulls: 'first' }] }),
      'SELECT [users].[id] FROM [users] ORDER BY CASE WHEN [users].[name] IS NULL THEN 1 ELSE 0 END, [users].[name] ASC, CASE WHEN [users].[age] IS NULL THEN 0 ELSE 1 END, [users].[age] DESC',
      [],
    ],
    [
      'group by, having, avg as float',
      sel({
        columns: [
          { expr: col('role', 'users'), alias: 'role' },
          { expr: { t: 'agg', fn: 'avg', expr: col('age', 'users') }, alias: 'a' },
          { expr: { t: 'agg', fn: 'count', expr: null }, alias: 'n' },
          { expr: { t: 'agg', fn: 'sum', expr: col('age', 'users'), distinct: true }, alias: 's' },
        ],
        groupBy: [col('role', 'users')],
        having: { t: 'cmp', op: '>', left: { t: 'agg', fn: 'count', expr: null }, right: p(1) },
      }),
      'SELECT [users].[role], AVG(CAST([users].[age] AS float)) AS [a], COUNT(*) AS [n], SUM(DISTINCT [users].[age]) AS [s] FROM [users] GROUP BY [users].[role] HAVING COUNT(*) > @p1',
      [1],
    ],
    [
      'EXISTS drops an ORDER BY its subquery may not have',
      sel({ where: { t: 'exists', negate: true, query: { t: 'select', from: { table: 'posts', alias: 'r1' }, columns: [{ expr: { t: 'lit', sql: '1' }, alias: 'one' }], orderBy: [{ expr: col('id', 'r1'), dir: 'asc' }] } } }),
      'SELECT [users].[id] FROM [users] WHERE NOT EXISTS (SELECT 1 AS [one] FROM [posts] AS [r1])',
      [],
    ],
    [
      'a scalar subquery',
      sel({ columns: [{ expr: { t: 'subquery', query: { t: 'select', from: { table: 'posts', alias: 'c' }, columns: [{ expr: { t: 'agg', fn: 'count', expr: null }, alias: 'n' }], where: { t: 'cmp', op: '=', left: col('authorId', 'c'), right: col('id', 'users') } } }, alias: '_count' }] }),
      'SELECT (SELECT COUNT(*) AS [n] FROM [posts] AS [c] WHERE [c].[authorId] = [users].[id]) AS [_count] FROM [users]',
      [],
    ],
    ['boolean literals are bits, now is SYSUTCDATETIME()', sel({ where: { t: 'and', items: [{ t: 'cmp', op: '=', left: col('active', 'users'), right: { t: 'lit', sql: 'TRUE' } }, { t: 'cmp', op: '<', left: col('createdAt', 'users'), right: { t: 'now' } }] } }), 'SELECT [users].[id] FROM [users] WHERE ([users].[active] = 1 AND [users].[createdAt] < SYSUTCDATETIME())', []],
    ['empty IN', sel({ where: { t: 'in', expr: col('id', 'users'), values: [], negate: false } }), 'SELECT [users].[id] FROM [users] WHERE 1 = 0', []],
    ['IN list', sel({ where: { t: 'in', expr: col('id', 'users'), values: [p('a'), p('b')], negate: true } }), 'SELECT [users].[id] FROM [users] WHERE [users].[id] NOT IN (@p1, @p2)', ['a', 'b']],
  ];
  for (const [name, node, sql, params] of cases) {
    it(name, () => expect(c.compile(node)).toEqual({ sql, params }));
  }

  it('refuses a LIMIT / OFFSET that is not a non-negative integer (they are inlined)', () => {
    expect(() => c.compile(sel({ limit: 1.5 }))).toThrow(RangeError);
    expect(() => c.compile(sel({ offset: -1 }))).toThrow(/OFFSET must be a non-negative integer/);
    expect(() => c.compile(sel({ limit: '1; DROP TABLE users' as never }))).toThrow(RangeError);
  });
});

describe('text matching (golden)', () => {
  const subject = col('email', 'users');
  const m = (mode: 'contains' | 'startsWith' | 'endsWith' | 'equals', value: string, insensitive = false, negate = false): QueryNode => sel({ where: { t: 'textMatch', expr: subject, mode, value, insensitive, negate } });
  it('case-sensitive by default: binary collation, wildcards and [ escaped with \\', () => {
    expect(c.compile(m('contains', '100%_[x]\\'))).toEqual({ sql: "SELECT [users].[id] FROM [users] WHERE [users].[email] COLLATE Latin1_General_100_BIN2 LIKE @p1 ESCAPE '\\'", params: ['%100\\%\\_\\[x]\\\\%'] });
    expect(c.compile(m('startsWith', 'ada')).params).toEqual(['ada%']);
    expect(c.compile(m('endsWith', '@x.io')).params).toEqual(['%@x.io']);
    expect(c.compile(m('equals', 'a_b')).params).toEqual(['a\\_b']);
  });
  it("mode: 'insensitive' lower-cases both sides, then compares binary", () => {
    expect(c.compile(m('contains', 'ÉL', true, true))).toEqual({
      sql: "SELECT [users].[id] FROM [users] WHERE LOWER([users].[email] COLLATE Latin1_General_100_BIN2) NOT LIKE LOWER(@p1 COLLATE Latin1_General_100_BIN2) ESCAPE '\\'",
      params: ['%ÉL%'],
    });
  });
  it("through the client: insensitive even on a CS collation, the default sensitive even on a CI one, equality under the column's collation", async () => {
    const { conn, log } = recordingConnection();
    const db = createDbWith(adapter, conn, blogSchema(adapter.capabilities));
    await db.user.findMany({ where: { email: { contains: 'Ada', mode: 'insensitive' } }, select: { id: true } });
    await db.user.findMany({ where: { email: { equals: 'ADA@X.IO', mode: 'insensitive' } }, select: { id: true } });
    await db.user.findMany({ where: { email: { startsWith: 'Ada' } }, select: { id: true } });
    await db.user.findMany({ where: { email: 'ada@x.io' }, select: { id: true } });
    const wheres = log.map((r) => r.sql.slice(r.sql.indexOf(' WHERE ') + 7));
    expect(wheres[0]).toBe("LOWER([users].[email] COLLATE Latin1_General_100_BIN2) LIKE LOWER(@p1 COLLATE Latin1_General_100_BIN2) ESCAPE '\\'");
    expect(log[0].params).toEqual(['%Ada%']);
    expect(wheres[1]).toBe("LOWER([users].[email] COLLATE Latin1_General_100_BIN2) LIKE LOWER(@p1 COLLATE Latin1_General_100_BIN2) ESCAPE '\\'");
    expect(log[1].params).toEqual(['ADA@X.IO']);
    expect(wheres[2]).toBe("[users].[email] COLLATE Latin1_General_100_BIN2 LIKE @p1 ESCAPE '\\'");
    expect(wheres[3]).toMatch(/^\[users\]\.\[email\] = @p1\b/);
  });
  it("a like node's pattern keeps core's \\ escapes and gets its [ escaped", () => {
    expect(c.compile(sel({ where: { t: 'like', expr: subject, pattern: p('a\\%[b]%'), insensitive: false, negate: false } }))).toEqual({
      sql: "SELECT [users].[id] FROM [users] WHERE [users].[email] COLLATE Latin1_General_100_BIN2 LIKE @p1 ESCAPE '\\'",
      params: ['a\\%\\[b]%'],
    });
  });
  it('escapeLikeMssql', () => expect(escapeLikeMssql('a%b_c[d]e\\')).toBe('a\\%b\\_c\\[d]e\\\\'));
});

describe('JSON and arrays (golden)', () => {
  const meta = col('meta', 'users');
  it('paths are bound, keys quoted, digits are indexes', () => {
    expect(jsonPathOf(['limits', 'seats'])).toBe('$."limits"."seats"');
    expect(jsonPathOf(['a.b', '0', 'say "hi"'])).toBe('$."a.b"[0]."say \\"hi\\""');
  });
  it('text, number and json reads', () => {
    expect(c.compileExpr({ t: 'cmp', op: '=', left: { t: 'jsonPath', expr: meta, path: ['plan'], as: 'text' }, right: p('pro') })).toEqual({ sql: '[users].[meta] = @p2'.replace('[users].[meta]', 'JSON_VALUE([users].[meta], @p1)'), params: ['$."plan"', 'pro'] });
    expect(c.compileExpr({ t: 'cmp', op: '>=', left: { t: 'jsonPath', expr: meta, path: ['limits', 'seats'], as: 'number' }, right: p(5) })).toEqual({ sql: 'TRY_CAST(JSON_VALUE([users].[meta], @p1) AS float) >= @p2', params: ['$."limits"."seats"', 5] });
    expect(c.compileExpr({ t: 'jsonPath', expr: meta, path: ['tags'], as: 'json' })).toEqual({ sql: 'COALESCE(JSON_QUERY([users].[meta], @p1), JSON_VALUE([users].[meta], @p2))', params: ['$."tags"', '$."tags"'] });
  });
  it('a JSON null or missing key is IS NULL', () => {
    expect(c.compileExpr({ t: 'isNull', expr: { t: 'jsonPath', expr: meta, path: ['plan'], as: 'text' }, negate: false })).toEqual({ sql: '(JSON_VALUE([users].[meta], @p1) IS NULL AND JSON_QUERY([users].[meta], @p2) IS NULL)', params: ['$."plan"', '$."plan"'] });
    expect(c.compileExpr({ t: 'isNull', expr: { t: 'jsonPath', expr: meta, path: ['plan'], as: 'text' }, negate: true }).sql).toBe('NOT (JSON_VALUE([users].[meta], @p1) IS NULL AND JSON_QUERY([users].[meta], @p2) IS NULL)');
  });
  it('has / hasSome / hasEvery through OPENJSON', () => {
    const tags = col('tags', 'posts');
    expect(c.compileExpr({ t: 'arrayHas', expr: tags, mode: 'has', values: ['db'], elementKind: 'string' })).toEqual({
      sql: 'EXISTS (SELECT 1 FROM OPENJSON([posts].[tags]) AS [forge_el] WHERE [forge_el].[type] IN (1, 2) AND [forge_el].[value] COLLATE Latin1_General_100_BIN2 IN (@p1))',
      params: ['db'],
    });
    expect(c.compileExpr({ t: 'arrayHas', expr: tags, mode: 'hasSome', values: [1, 2, 2], elementKind: 'int' })).toEqual({
      sql: 'EXISTS (SELECT 1 FROM OPENJSON([posts].[tags]) AS [forge_el] WHERE [forge_el].[type] IN (1, 2) AND TRY_CAST([forge_el].[value] AS bigint) IN (@p1, @p2))',
      params: [1, 2],
    });
    expect(c.compileExpr({ t: 'arrayHas', expr: tags, mode: 'hasEvery', values: ['db', 'sql'], elementKind: 'string' })).toEqual({
      sql: '(SELECT COUNT(DISTINCT [forge_el].[value] COLLATE Latin1_General_100_BIN2) FROM OPENJSON([posts].[tags]) AS [forge_el] WHERE [forge_el].[type] IN (1, 2) AND [forge_el].[value] COLLATE Latin1_General_100_BIN2 IN (@p1, @p2)) = 2',
      params: ['db', 'sql'],
    });
    expect(c.compileExpr({ t: 'arrayHas', expr: tags, mode: 'hasEvery', values: [], elementKind: 'string' }).sql).toBe('1 = 1');
    expect(c.compileExpr({ t: 'arrayHas', expr: tags, mode: 'hasSome', values: [], elementKind: 'string' }).sql).toBe('1 = 0');
  });
  it('search is refused with the reason (capabilities.fullTextSearch is false)', () => {
    expect(() => c.compileExpr({ t: 'search', table: 'posts', alias: 'posts', columns: ['title'], pk: 'id', query: 'x' })).toThrow(/fullTextSearch is false/);
  });
});

describe('writes (golden)', () => {
  it('INSERT ... OUTPUT INSERTED ... VALUES, multi-row, DEFAULT VALUES', () => {
    expect(c.compile({ t: 'insert', table: 'users', columns: ['id', 'email'], rows: [[p('1'), p('a')], [p('2'), p('b')]] })).toEqual({ sql: 'INSERT INTO [users] ([id], [email]) VALUES (@p1, @p2), (@p3, @p4)', params: ['1', 'a', '2', 'b'] });
    expect(c.compile({ t: 'insert', table: 'users', columns: ['id'], rows: [[p('1')]], returning: ['id', 'email'] })).toEqual({ sql: 'INSERT INTO [users] ([id]) OUTPUT INSERTED.[id], INSERTED.[email] VALUES (@p1)', params: ['1'] });
    expect(c.compile({ t: 'insert', table: 'counters', columns: [], rows: [[]], returning: ['id'] })).toEqual({ sql: 'INSERT INTO [counters] OUTPUT INSERTED.[id] DEFAULT VALUES', params: [] });
  });
  it('UPDATE ... SET ... OUTPUT INSERTED ... WHERE, and the aliased form', () => {
    expect(c.compile({ t: 'update', table: 'users', alias: 'users', set: [['age', { t: 'arith', op: '+', left: col('age', 'users'), right: p(1) }]], where: { t: 'cmp', op: '=', left: col('id', 'users'), right: p('k') }, returning: ['id'] })).toEqual({
      sql: 'UPDATE [users] SET [age] = ([users].[age] + @p1) OUTPUT INSERTED.[id] WHERE [users].[id] = @p2',
      params: [1, 'k'],
    });
    expect(c.compile({ t: 'update', table: 'users', alias: 'u', set: [['age', p(3)]], where: { t: 'cmp', op: '=', left: col('id', 'u'), right: p('k') } })).toEqual({ sql: 'UPDATE [u] SET [age] = @p1 FROM [users] AS [u] WHERE [u].[id] = @p2', params: [3, 'k'] });
  });
  it('DELETE ... OUTPUT DELETED ... WHERE, and the aliased form', () => {
    expect(c.compile({ t: 'delete', table: 'users', alias: 'users', where: { t: 'cmp', op: '=', left: col('id', 'users'), right: p('k') }, returning: ['id', 'email'] })).toEqual({ sql: 'DELETE FROM [users] OUTPUT DELETED.[id], DELETED.[email] WHERE [users].[id] = @p1', params: ['k'] });
    expect(c.compile({ t: 'delete', table: 'users', alias: 'u', where: { t: 'cmp', op: '=', left: col('id', 'u'), right: p('k') }, returning: ['id'] })).toEqual({ sql: 'DELETE [u] OUTPUT DELETED.[id] FROM [users] AS [u] WHERE [u].[id] = @p1', params: ['k'] });
  });
  it('an upsert is MERGE WITH (UPDLOCK, HOLDLOCK) on the conflict target, ended by ;', () => {
    const node: QueryNode = {
      t: 'insert',
      table: 'counters',
      columns: ['name', 'n'],
      rows: [[p('k'), p(1)]],
      onConflict: { target: ['name'], action: { set: [['n', { t: 'arith', op: '+', left: col('n'), right: p(1) }], ['name', col('name', 'excluded')]] } },
      returning: ['id', 'name', 'n'],
    };
    expect(c.compile(node)).toEqual({
      sql:
        'MERGE INTO [counters] WITH (UPDLOCK, HOLDLOCK) USING (VALUES (@p1, @p2)) AS [excluded] ([name], [n]) ON [counters].[name] = [excluded].[name] ' +
        'WHEN MATCHED THEN UPDATE SET [n] = ([counters].[n] + @p3), [name] = [excluded].[name] ' +
        'WHEN NOT MATCHED THEN INSERT ([name], [n]) VALUES ([excluded].[name], [excluded].[n]) OUTPUT INSERTED.[id], INSERTED.[name], INSERTED.[n];',
      params: ['k', 1, 1],
    });
    expect(c.compile({ ...node, onConflict: { target: ['a', 'b'], action: 'nothing' }, columns: ['a', 'b'], rows: [[p(1), p(2)]], returning: undefined })).toEqual({
      sql: 'MERGE INTO [counters] WITH (UPDLOCK, HOLDLOCK) USING (VALUES (@p1, @p2)) AS [excluded] ([a], [b]) ON [counters].[a] = [excluded].[a] AND [counters].[b] = [excluded].[b] WHEN NOT MATCHED THEN INSERT ([a], [b]) VALUES ([excluded].[a], [excluded].[b]);',
      params: [1, 2],
    });
  });
  it('ON CONFLICT DO NOTHING without a target (createMany skipDuplicates): one INSERT per row, duplicate-key errors skipped', () => {
    expect(c.compile({ t: 'insert', table: 'counters', columns: ['name'], rows: [[p('a')], [p('b')]], onConflict: { target: [], action: 'nothing' } })).toEqual({
      sql:
        'DECLARE @forge_tc INT = @@TRANCOUNT; IF @forge_tc = 0 BEGIN TRANSACTION; ELSE SAVE TRANSACTION forge_skip_dup; BEGIN TRY' +
        ' BEGIN TRY INSERT INTO [counters] ([name]) VALUES (@p1); END TRY BEGIN CATCH IF ERROR_NUMBER() NOT IN (2601, 2627) THROW; END CATCH;' +
        ' BEGIN TRY INSERT INTO [counters] ([name]) VALUES (@p2); END TRY BEGIN CATCH IF ERROR_NUMBER() NOT IN (2601, 2627) THROW; END CATCH;' +
        ' IF @forge_tc = 0 COMMIT TRANSACTION; END TRY BEGIN CATCH IF @forge_tc = 0 AND XACT_STATE() <> 0 ROLLBACK TRANSACTION; ELSE IF @forge_tc > 0 AND XACT_STATE() = 1 ROLLBACK TRANSACTION forge_skip_dup; THROW; END CATCH;',
      params: ['a', 'b'],
    });
  });
  it("refuses more than SQL Server's 2100 parameters or 1000 VALUES rows, saying what to split", () => {
    const rows = Array.from({ length: 1001 }, (_, i) => [p(i)]);
    expect(() => c.compile({ t: 'insert', table: 't', columns: ['a'], rows })).toThrow(/at most 1000 rows/);
    const wide = Array.from({ length: 700 }, (_, i) => [p(i), p(i), p(i), p(i)]);
    expect(() => c.compile({ t: 'insert', table: 't', columns: ['a', 'b', 'c', 'd'], rows: wide })).toThrow(/binds 2800 values, and SQL Server takes at most 2100/);
  });
});

describe('the client through the compiler (call shapes, golden)', () => {
  const { conn, log } = recordingConnection();
  const db = createDbWith(adapter, conn, blogSchema(adapter.capabilities));
  it('findMany / findFirst / count / deleteMany', () => {
    expect(db.user.compile.findMany({ where: { age: { gte: 18 } }, orderBy: { age: 'desc' }, select: { email: true, age: true } })).toEqual({
      sql: 'SELECT [users].[email], [users].[age] FROM [users] WHERE [users].[age] >= @p1 ORDER BY [users].[age] DESC',
      params: [18],
    });
    expect(db.user.compile.findMany({ orderBy: { email: 'asc' }, skip: 1, take: 1 })).toEqual({ sql: `SELECT ${USER_COLS} FROM [users] ORDER BY [users].[email] ASC OFFSET 1 ROWS FETCH NEXT 1 ROWS ONLY`, params: [] });
    expect(db.user.compile.findFirst({ where: { email: 'x' } })).toEqual({ sql: `SELECT TOP (1) ${USER_COLS} FROM [users] WHERE [users].[email] = @p1`, params: ['x'] });
    expect(db.user.compile.count({ where: { posts: { some: { published: true } } } })).toEqual({
      sql: 'SELECT COUNT(*) AS [_count] FROM [users] WHERE EXISTS (SELECT 1 AS [one] FROM [posts] AS [r1] WHERE ([r1].[authorId] = [users].[id] AND [r1].[published] = @p1))',
      params: [true],
    });
    expect(db.user.compile.deleteMany({ where: { age: { lt: 3 } } })).toEqual({ sql: 'DELETE FROM [users] WHERE [users].[age] < @p1', params: [3] });
  });
  it('create / update / delete return the row through OUTPUT', () => {
    const created = db.user.compile.create({ data: { email: 'a@b.c', visits: 5n } });
    expect(created.sql).toBe(`INSERT INTO [users] ([id], [email], [age], [active], [visits], [role], [createdAt], [updatedAt]) OUTPUT ${OUT_USER('INSERTED')} VALUES (@p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8)`);
    expect(created.params.slice(1, 6)).toEqual(['a@b.c', 0, true, 5n, 'member']);
    expect(created.params[6]).toBeInstanceOf(Date);
    const updated = db.user.compile.update({ where: { email: 'a@b.c' }, data: { age: { increment: 1 } } });
    expect(updated.sql).toBe(`UPDATE [users] SET [age] = ([users].[age] + @p1), [updatedAt] = @p2 OUTPUT ${OUT_USER('INSERTED')} WHERE [users].[email] = @p3`);
    expect(db.user.compile.delete({ where: { email: 'a@b.c' } })).toEqual({ sql: `DELETE FROM [users] OUTPUT ${OUT_USER('DELETED')} WHERE [users].[email] = @p1`, params: ['a@b.c'] });
  });
  it('upsert, createMany, aggregate, groupBy and include send these statements', async () => {
    log.length = 0;
    await db.counter.upsert({ where: { name: 'k' }, create: { name: 'k', n: 1 }, update: { n: { increment: 1 } } }).catch(() => undefined);
    await db.counter.createMany({ data: [{ name: 'a' }, { name: 'b', n: 5 }], skipDuplicates: true });
    await db.user.aggregate({ _count: true, _avg: { age: true } }).catch(() => undefined);
    await db.post.groupBy({ by: ['published'], _sum: { rating: true }, having: { rating: { _sum: { gt: 3 } } } });
    expect(log.map((l) => [l.sql, l.params])).toEqual([
      [
        'MERGE INTO [counters] WITH (UPDLOCK, HOLDLOCK) USING (VALUES (@p1, @p2)) AS [excluded] ([name], [n]) ON [counters].[name] = [excluded].[name] WHEN MATCHED THEN UPDATE SET [n] = ([counters].[n] + @p3) WHEN NOT MATCHED THEN INSERT ([name], [n]) VALUES ([excluded].[name], [excluded].[n]) OUTPUT INSERTED.[id], INSERTED.[name], INSERTED.[n];',
        ['k', 1, 1],
      ],
      [expect.stringMatching(/^DECLARE @forge_tc INT = @@TRANCOUNT; .* INSERT INTO \[counters\] \(\[name\], \[n\]\) VALUES \(@p1, @p2\);.* INSERT INTO \[counters\] \(\[name\], \[n\]\) VALUES \(@p3, @p4\);/), ['a', 0, 'b', 5]],
      ['SELECT COUNT(*) AS [_count], AVG(CAST([users].[age] AS float)) AS [_avg__age] FROM [users]', []],
      ['SELECT [posts].[published], SUM([posts].[rating]) AS [_sum__rating] FROM [posts] GROUP BY [posts].[published] HAVING SUM([posts].[rating]) > @p1', [3]],
    ]);
  });
  it('raw fragments bind @p1.. in order', () => {
    const frag = raw`age < ${20}`;
    expect(c.compileExpr(raw`SELECT email FROM users WHERE ${frag} AND email = ${"x' OR 1=1 --"}`.node)).toEqual({ sql: 'SELECT email FROM users WHERE age < @p1 AND email = @p2', params: [20, "x' OR 1=1 --"] });
  });
});

describe('injection corpus through the compiler', () => {
  const values = ["' OR '1'='1", "'; DROP TABLE users; --", "x]; DROP TABLE users; --", 'N\'\' + CHAR(39)', '\\\'', '%_[]^', '@p1', '/* */', '\u0000', 'ё\'ß"'];
  const names = ['users', 'a]b', 'x]; DROP TABLE users; --', 'we"ird name', '[br]ack]ets]]', "it's", '@p1', 'naïve ünïcode'];
  const bracketed = (n: string) => `[${n.replace(/]/g, ']]')}]`;
  for (const v of values) {
    it(`value ${JSON.stringify(v)} is only ever a parameter`, () => {
      const node: QueryNode = sel({ where: { t: 'or', items: [{ t: 'cmp', op: '=', left: col('email', 'users'), right: p(v) }, { t: 'textMatch', expr: col('name', 'users'), mode: 'contains', value: v, insensitive: true, negate: false }] } });
      const out = c.compile(node);
      expect(out.sql).toBe("SELECT [users].[id] FROM [users] WHERE ([users].[email] = @p1 OR LOWER([users].[name] COLLATE Latin1_General_100_BIN2) LIKE LOWER(@p2 COLLATE Latin1_General_100_BIN2) ESCAPE '\\')");
      expect(out.params[0]).toBe(v);
      const upsert = c.compile({ t: 'insert', table: 'users', columns: ['email'], rows: [[p(v)]], onConflict: { target: ['email'], action: { set: [['email', p(v)]] } } });
      expect(upsert.params).toEqual([v, v]);
      expect(upsert.sql).toBe(
        'MERGE INTO [users] WITH (UPDLOCK, HOLDLOCK) USING (VALUES (@p1)) AS [excluded] ([email]) ON [users].[email] = [excluded].[email] WHEN MATCHED THEN UPDATE SET [email] = @p2 WHEN NOT MATCHED THEN INSERT ([email]) VALUES ([excluded].[email]);',
      );
    });
  }
  for (const n of names) {
    it(`identifier ${JSON.stringify(n)} is bracketed with ] doubled everywhere`, () => {
      const q = bracketed(n);
      const out = c.compile({ t: 'select', from: { table: n, alias: n }, columns: [{ expr: col(n, n), alias: `${n}!` }], where: { t: 'cmp', op: '=', left: col(n, n), right: p(1) }, orderBy: [{ expr: col(n, n), dir: 'asc' }] });
      expect(out.sql).toBe(`SELECT ${q}.${q} AS ${bracketed(`${n}!`)} FROM ${q} WHERE ${q}.${q} = @p1 ORDER BY ${q}.${q} ASC`);
      expect(c.compile({ t: 'delete', table: n, alias: n, returning: [n] }).sql).toBe(`DELETE FROM ${q} OUTPUT DELETED.${q}`);
      expect(c.compile({ t: 'insert', table: n, columns: [n], rows: [[p(1)]], onConflict: { target: [n], action: 'nothing' } }).sql).toBe(
        `MERGE INTO ${q} WITH (UPDLOCK, HOLDLOCK) USING (VALUES (@p1)) AS [excluded] (${q}) ON ${q}.${q} = [excluded].${q} WHEN NOT MATCHED THEN INSERT (${q}) VALUES ([excluded].${q});`,
      );
    });
  }
});
