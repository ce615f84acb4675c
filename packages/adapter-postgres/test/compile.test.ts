import type { Expr, SelectNode } from '@forge/core';
import { describe, expect, it } from 'vitest';
import { PostgresCompiler } from '../src/index.js';

const compiler = new PostgresCompiler();
const col = (name: string): Expr => ({ t: 'col', table: 'u', name });
const p = (value: unknown): Expr => ({ t: 'param', value });

function select(where?: Expr, extra: Partial<SelectNode> = {}): SelectNode {
  return { t: 'select', from: { table: 'users', alias: 'u' }, columns: [{ expr: col('id'), alias: 'id' }], where, ...extra };
}

describe('PostgresCompiler', () => {
  it('numbers placeholders $1..$n', () => {
    const q = compiler.compile(select({ t: 'and', items: [{ t: 'cmp', op: '=', left: col('a'), right: p(1) }, { t: 'cmp', op: '>', left: col('b'), right: p(2) }] }));
    expect(q).toEqual({ sql: 'SELECT "u"."id" FROM "users" AS "u" WHERE ("u"."a" = $1 AND "u"."b" > $2)', params: [1, 2] });
  });

  it('uses ILIKE / NOT ILIKE for case-insensitive matches', () => {
    expect(compiler.compileExpr({ t: 'like', expr: col('email'), pattern: p('%A%'), insensitive: true, negate: false })).toEqual({
      sql: `"u"."email" ILIKE $1 ESCAPE '\\'`,
      params: ['%A%'],
    });
    expect(compiler.compileExpr({ t: 'like', expr: col('email'), pattern: p('%A%'), insensitive: true, negate: true }).sql).toBe(
      `"u"."email" NOT ILIKE $1 ESCAPE '\\'`,
    );
    expect(compiler.compileExpr({ t: 'like', expr: col('email'), pattern: p('a%'), insensitive: false, negate: false }).sql).toBe(
      `"u"."email" LIKE $1 ESCAPE '\\'`,
    );
  });

  it('binds JSON paths as one text[] parameter, even keys with quotes', () => {
    const path = ['a"b', "c'd", 'e); DROP TABLE users; --'];
    expect(compiler.compileExpr({ t: 'cmp', op: '=', left: { t: 'jsonPath', expr: col('meta'), path, as: 'text' }, right: p('x') })).toEqual({
      sql: '("u"."meta" #>> $1::text[]) = $2',
      params: [path, 'x'],
    });
    expect(compiler.compileExpr({ t: 'cmp', op: '>=', left: { t: 'jsonPath', expr: col('meta'), path: ['n'], as: 'number' }, right: p(3) })).toEqual({
      sql: '(("u"."meta" #>> $1::text[])::numeric) >= $2',
      params: [['n'], 3],
    });
    expect(compiler.compileExpr({ t: 'jsonPath', expr: col('meta'), path: ['o'], as: 'json' }).sql).toBe('("u"."meta" #> $1::text[])');
  });

  it('compiles array filters to ANY, && and @> with cast array parameters', () => {
    expect(compiler.compileExpr({ t: 'arrayHas', expr: col('tags'), mode: 'has', values: ['x'], elementKind: 'string' })).toEqual({
      sql: '$1 = ANY("u"."tags")',
      params: ['x'],
    });
    expect(compiler.compileExpr({ t: 'arrayHas', expr: col('tags'), mode: 'hasSome', values: ['x', 'y'], elementKind: 'string' })).toEqual({
      sql: '"u"."tags" && $1::text[]',
      params: [['x', 'y']],
    });
    expect(compiler.compileExpr({ t: 'arrayHas', expr: col('nums'), mode: 'hasEvery', values: [1, 2], elementKind: 'int' })).toEqual({
      sql: '"u"."nums" @> $1::int[]',
      params: [[1, 2]],
    });
  });

  it('matches full-text search on the forge_fts column with plainto_tsquery (words, no operators)', () => {
    expect(compiler.compileExpr({ t: 'search', table: 'posts', alias: 'p', columns: ['title'], pk: 'id', query: 'cats -dogs' })).toEqual({
      sql: `"p"."forge_fts" @@ plainto_tsquery('simple', $1)`,
      params: ['cats -dogs'],
    });
  });

  it('allows OFFSET without LIMIT', () => {
    expect(compiler.compile(select(undefined, { offset: 5 })).sql).toBe('SELECT "u"."id" FROM "users" AS "u" OFFSET $1');
    expect(compiler.compile(select(undefined, { limit: 10, offset: 5 }))).toEqual({
      sql: 'SELECT "u"."id" FROM "users" AS "u" LIMIT $1 OFFSET $2',
      params: [10, 5],
    });
  });

  it('keeps injection attempts in values bound, never in the SQL text', () => {
    const evil = `'; DROP TABLE users; --`;
    const q = compiler.compile({
      t: 'insert',
      table: 'users',
      columns: ['name'],
      rows: [[p(evil)]],
      onConflict: { target: ['name'], action: { set: [['name', p(evil)]] } },
      returning: ['id'],
    });
    expect(q).toEqual({
      sql: 'INSERT INTO "users" ("name") VALUES ($1) ON CONFLICT ("name") DO UPDATE SET "name" = $2 RETURNING "id"',
      params: [evil, evil],
    });
    expect(compiler.compile(select({ t: 'cmp', op: '=', left: col('name'), right: p(evil) })).sql).not.toContain('DROP');
  });

  it('qualifies bare columns in ON CONFLICT DO UPDATE, where Postgres finds them ambiguous', () => {
    const q = compiler.compile({
      t: 'insert',
      table: 'counters',
      columns: ['name', 'n'],
      rows: [[p('k'), p(1)]],
      onConflict: { target: ['name'], action: { set: [['n', { t: 'arith', op: '+', left: { t: 'col', name: 'n' }, right: p(1) }]] } },
    });
    expect(q.sql).toBe('INSERT INTO "counters" ("name", "n") VALUES ($1, $2) ON CONFLICT ("name") DO UPDATE SET "n" = ("counters"."n" + $3)');
  });

  it('quotes identifiers, doubling embedded quotes', () => {
    expect(compiler.quoteIdent('we"ird')).toBe('"we""ird"');
  });
});
