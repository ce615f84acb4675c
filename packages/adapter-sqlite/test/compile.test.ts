import { beforeAll, describe, expect, it } from 'vitest';
import { col, param, type Connection, type Expr, type SelectNode } from '@forge/core';
import { SqliteCompiler, ftsQueryOf, jsonPathOf } from '../src/index.js';
import { memory } from './helpers.js';

const compiler = new SqliteCompiler();

function select(where: Expr, extra: Partial<SelectNode> = {}): SelectNode {
  return { t: 'select', from: { table: 'docs', alias: 'd' }, columns: [{ expr: col('id', 'd'), alias: 'id' }], where, ...extra };
}

const jsonPath = (path: string[], as: 'text' | 'number' | 'json' = 'text'): Expr => ({ t: 'jsonPath', expr: col('meta', 'd'), path, as });
const search = (query: string): Expr => ({ t: 'search', table: 'docs', alias: 'd', columns: ['title', 'body'], pk: 'id', query });

describe('golden SQL', () => {
  it('uses ? placeholders, a literal LIMIT (SQLite cannot specialise a bound one) and a bound OFFSET', () => {
    expect(compiler.compile(select({ t: 'cmp', op: '=', left: col('title', 'd'), right: param('x') }, { limit: 10, offset: 20 }))).toEqual({
      sql: 'SELECT "d"."id" FROM "docs" AS "d" WHERE "d"."title" = ? LIMIT 10 OFFSET ?',
      params: ['x', 20],
    });
    expect(() => compiler.compile(select({ t: 'lit', sql: 'TRUE' }, { limit: '1; DROP TABLE docs' as never }))).toThrow(RangeError);
    expect(compiler.compile(select({ t: 'lit', sql: 'TRUE' }, { offset: 5 })).sql).toMatch(/ LIMIT -1 OFFSET \?$/);
  });

  it('binds JSON paths, quoting every key', () => {
    expect(compiler.compileExpr({ t: 'cmp', op: '=', left: jsonPath(['a', 'b']), right: param('v') })).toEqual({
      sql: 'json_extract("d"."meta", ?) = ?',
      params: ['$."a"."b"', 'v'],
    });
    expect(compiler.compileExpr({ t: 'cmp', op: '>', left: jsonPath(['n'], 'number'), right: param(3) })).toEqual({
      sql: 'CAST(json_extract("d"."meta", ?) AS NUMERIC) > ?',
      params: ['$."n"', 3],
    });
    expect(compiler.compileExpr(jsonPath(['list'], 'json')).sql).toBe('json_quote(json_extract("d"."meta", ?))');
  });

  it('keeps hostile JSON keys inside the bound path', () => {
    const keys = [`a"b`, 'c\\d', '$1', '?', `x') OR 1=1 --`];
    const { sql, params } = compiler.compileExpr(jsonPath(keys));
    expect(sql).toBe('json_extract("d"."meta", ?)');
    expect(params).toEqual([`$."a\\"b"."c\\\\d"."$1"."?"."x') OR 1=1 --"`]);
    expect(jsonPathOf(['items', '0', 'sku'])).toBe('$."items"[0]."sku"');
  });

  it('tests JSON arrays with json_each and bound values', () => {
    const has = (mode: 'has' | 'hasSome' | 'hasEvery', values: unknown[]): Expr => ({ t: 'arrayHas', expr: col('tags', 'd'), mode, values, elementKind: 'string' });
    expect(compiler.compileExpr(has('has', ['x']))).toEqual({
      sql: 'EXISTS (SELECT 1 FROM json_each("d"."tags") WHERE "value" IN (?))',
      params: ['x'],
    });
    expect(compiler.compileExpr(has('hasSome', ['x', 'y']))).toEqual({
      sql: 'EXISTS (SELECT 1 FROM json_each("d"."tags") WHERE "value" IN (?, ?))',
      params: ['x', 'y'],
    });
    expect(compiler.compileExpr(has('hasEvery', ['x', 'y', 'x']))).toEqual({
      sql: '(SELECT COUNT(DISTINCT "value") FROM json_each("d"."tags") WHERE "value" IN (?, ?)) = ?',
      params: ['x', 'y', 2],
    });
    expect(compiler.compileExpr(has('hasSome', [])).sql).toBe('1 = 0');
    expect(compiler.compileExpr(has('hasEvery', [])).sql).toBe('1 = 1');
  });

  it('searches through the FTS5 table with the query quoted and bound', () => {
    expect(compiler.compileExpr(search('hello world'))).toEqual({
      sql: '"d".rowid IN (SELECT rowid FROM "docs_fts" WHERE "docs_fts" MATCH ?)',
      params: ['"hello" "world"'],
    });
    expect(ftsQueryOf('a OR b NEAR(c) "quoted" col:x ^start pre*')).toBe('"a" "OR" "b" "NEAR(c)" """quoted""" "col:x" "^start" "pre*"');
    expect(compiler.compileExpr(search('   ')).sql).toBe('1 = 0');
  });

  it('matches case-sensitively with GLOB and insensitively with lower()', () => {
    const like = (pattern: string, insensitive: boolean, negate = false): Expr => ({ t: 'like', expr: col('title', 'd'), pattern: param(pattern), insensitive, negate });
    expect(compiler.compileExpr(like('%a\\_b*[%', false))).toEqual({ sql: '"d"."title" GLOB ?', params: ['*a_b[*][[]*'] });
    expect(compiler.compileExpr(like('x%', false, true)).sql).toBe('"d"."title" NOT GLOB ?');
    // SQLite's LIKE already ignores ASCII case; non-ASCII text goes through forge_fold (see the conformance case).
    expect(compiler.compileExpr(like('%Ab%', true))).toEqual({ sql: `"d"."title" LIKE ? ESCAPE '\\'`, params: ['%ab%'] });
  });

  it('writes now() in the stored dateTime form', () => {
    expect(compiler.compile({ t: 'update', table: 'docs', alias: 'docs', set: [['updated_at', { t: 'now' }]] }).sql).toBe(
      `UPDATE "docs" SET "updated_at" = strftime('%Y-%m-%dT%H:%M:%fZ','now')`,
    );
  });
});

describe('compiled SQL against SQLite', () => {
  let conn: Connection;
  beforeAll(async () => {
    conn = await memory();
    await conn.execute(`CREATE TABLE docs (id TEXT PRIMARY KEY, title TEXT, body TEXT, meta TEXT, tags TEXT)`);
    await conn.execute(`CREATE VIRTUAL TABLE docs_fts USING fts5(title, body, content='docs', content_rowid='rowid')`);
    const rows = [
      ['1', 'Alpha NEAR beta', 'the OR operator', { 'a"b': { 'c\\d': 'hit' }, n: '10', items: [{ sku: 'k1' }] }, ['x', 'y']],
      ['2', 'alpha gamma', 'plain words', { n: 9, list: [1, 2] }, ['y']],
      ['3', 'Under_score 100%', 'col:x', { n: 2.5 }, []],
    ] as const;
    for (const [id, title, body, meta, tags] of rows) {
      await conn.execute('INSERT INTO docs VALUES (?, ?, ?, ?, ?)', [id, title, body, JSON.stringify(meta), JSON.stringify(tags)]);
    }
    await conn.execute(`INSERT INTO docs_fts(docs_fts) VALUES ('rebuild')`);
  });

  async function ids(where: Expr): Promise<string[]> {
    const { sql, params } = compiler.compile(select(where, { orderBy: [{ expr: col('id', 'd'), dir: 'asc' }] }));
    return (await conn.queryArrays(sql, params)).map((r) => r[0] as string);
  }

  it('finds values under keys with quotes and backslashes, and array indexes', async () => {
    expect(await ids({ t: 'cmp', op: '=', left: jsonPath(['a"b', 'c\\d']), right: param('hit') })).toEqual(['1']);
    expect(await ids({ t: 'cmp', op: '=', left: jsonPath(['items', '0', 'sku']), right: param('k1') })).toEqual(['1']);
  });

  it('compares numerically with as: number, even for numbers stored as strings', async () => {
    expect(await ids({ t: 'cmp', op: '>', left: jsonPath(['n'], 'number'), right: param(5) })).toEqual(['1', '2']);
    expect(await ids({ t: 'cmp', op: '=', left: jsonPath(['list'], 'json'), right: param('[1,2]') })).toEqual(['2']);
  });

  it('answers has / hasSome / hasEvery', async () => {
    const has = (mode: 'has' | 'hasSome' | 'hasEvery', values: unknown[]): Expr => ({ t: 'arrayHas', expr: col('tags', 'd'), mode, values, elementKind: 'string' });
    expect(await ids(has('has', ['y']))).toEqual(['1', '2']);
    expect(await ids(has('hasSome', ['x', 'nope']))).toEqual(['1']);
    expect(await ids(has('hasEvery', ['x', 'y']))).toEqual(['1']);
    expect(await ids(has('hasEvery', []))).toEqual(['1', '2', '3']);
  });

  it('treats FTS operators in user input as words', async () => {
    expect(await ids(search('alpha'))).toEqual(['1', '2']);
    expect(await ids(search('NEAR'))).toEqual(['1']);
    expect(await ids(search('OR'))).toEqual(['1']);
    expect(await ids(search('col:x'))).toEqual(['3']);
    expect(await ids(search('alpha "unbalanced'))).toEqual([]);
    expect(await ids(search('alpha AND'))).toEqual([]);
  });

  it('makes LIKE case-sensitive unless asked otherwise, with escapes honoured', async () => {
    const like = (pattern: string, insensitive: boolean): Expr => ({ t: 'like', expr: col('title', 'd'), pattern: param(pattern), insensitive, negate: false });
    expect(await ids(like('alpha%', false))).toEqual(['2']);
    expect(await ids(like('alpha%', true))).toEqual(['1', '2']);
    expect(await ids(like('%r\\_s%', false))).toEqual(['3']);
    expect(await ids(like('%100\\%', false))).toEqual(['3']);
    expect(await ids(like('%r_s%', false))).toEqual(['3']);
  });
});
