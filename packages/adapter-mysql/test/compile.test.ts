import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mysql from 'mysql2/promise';
import { col, param, type Expr, type InsertNode, type QueryNode, type SelectNode } from '@forge/core';
import { MysqlCompiler, booleanQueryOf, escapeLikeMysql, jsonPathOf, likePatternToMysql } from '../src/compile.js';

const compiler = new MysqlCompiler();

function select(where: Expr | undefined, extra: Partial<SelectNode> = {}): SelectNode {
  return { t: 'select', from: { table: 'docs', alias: 'd' }, columns: [{ expr: col('id', 'd'), alias: 'id' }], where, ...extra };
}

const jsonPath = (path: string[], as: 'text' | 'number' | 'json' = 'text'): Expr => ({ t: 'jsonPath', expr: col('meta', 'd'), path, as });
const search = (query: string, columns = ['title', 'body']): Expr => ({ t: 'search', table: 'docs', alias: 'd', columns, pk: 'id', query });
const text = (mode: 'contains' | 'startsWith' | 'endsWith' | 'equals', value: string, insensitive = false, negate = false): Expr => ({
  t: 'textMatch',
  expr: col('title', 'd'),
  mode,
  value,
  insensitive,
  negate,
});
const has = (mode: 'has' | 'hasSome' | 'hasEvery', values: unknown[], elementKind: 'string' | 'int' = 'string'): Expr => ({
  t: 'arrayHas',
  expr: col('tags', 'd'),
  mode,
  values,
  elementKind,
});

describe('golden SQL', () => {
  it('quotes identifiers with backticks, doubling a backtick inside', () => {
    expect(compiler.quoteIdent('a`b')).toBe('`a``b`');
    expect(compiler.compile({ t: 'select', from: { table: 'we`ird', alias: 'we`ird' }, columns: [{ expr: col('x"y'), alias: 'x"y' }] }).sql).toBe(
      'SELECT `x"y` FROM `we``ird`',
    );
  });

  it('select with where, orderBy, a literal LIMIT and OFFSET', () => {
    const node = select({ t: 'cmp', op: '=', left: col('title', 'd'), right: param('x') }, { orderBy: [{ expr: col('id', 'd'), dir: 'desc' }], limit: 10, offset: 20 });
    expect(compiler.compile(node)).toEqual({
      sql: 'SELECT `d`.`id` FROM `docs` AS `d` WHERE `d`.`title` = ? ORDER BY `d`.`id` DESC LIMIT 10 OFFSET 20',
      params: ['x'],
    });
    expect(compiler.compile(select(undefined, { offset: 5 })).sql).toBe('SELECT `d`.`id` FROM `docs` AS `d` LIMIT 18446744073709551615 OFFSET 5');
    expect(compiler.compile(select(undefined, { limit: 3, offset: 0 })).sql).toBe('SELECT `d`.`id` FROM `docs` AS `d` LIMIT 3');
    expect(() => compiler.compile(select(undefined, { limit: '1; DROP TABLE docs' as never }))).toThrow(RangeError);
    expect(() => compiler.compile(select(undefined, { offset: '1; DROP TABLE docs' as never }))).toThrow(RangeError);
    expect(() => compiler.compile(select(undefined, { offset: 1.5 }))).toThrow(RangeError);
  });

  it('emulates NULLS FIRST / LAST with an IS NULL key', () => {
    const node = select(undefined, { orderBy: [{ expr: col('title', 'd'), dir: 'asc', nulls: 'last' }, { expr: col('id', 'd'), dir: 'desc', nulls: 'first' }] });
    expect(compiler.compile(node).sql).toBe('SELECT `d`.`id` FROM `docs` AS `d` ORDER BY `d`.`title` IS NULL ASC, `d`.`title` ASC, `d`.`id` IS NULL DESC, `d`.`id` DESC');
  });

  it('now() is UTC with milliseconds', () => {
    expect(compiler.compileExpr({ t: 'cmp', op: '<', left: col('at'), right: { t: 'now' } }).sql).toBe('`at` < UTC_TIMESTAMP(3)');
  });

  it('insert, multi-row insert and an insert with no columns', () => {
    const node: InsertNode = { t: 'insert', table: 'docs', columns: ['id', 'title'], rows: [[param(1), param('a')], [param(2), param('b')]] };
    expect(compiler.compile(node)).toEqual({ sql: 'INSERT INTO `docs` (`id`, `title`) VALUES (?, ?), (?, ?)', params: [1, 'a', 2, 'b'] });
    expect(compiler.compile({ t: 'insert', table: 'docs', columns: [], rows: [[]] }).sql).toBe('INSERT INTO `docs` () VALUES ()');
  });

  it('upsert: ON DUPLICATE KEY UPDATE, excluded.col as VALUES(col), DO NOTHING as a self-assignment', () => {
    const base: InsertNode = { t: 'insert', table: 'docs', columns: ['id', 'title', 'n'], rows: [[param(1), param('a'), param(0)]] };
    const upd = compiler.compile({
      ...base,
      onConflict: {
        target: ['id'],
        action: { set: [['title', { t: 'col', table: 'excluded', name: 'title' }], ['n', { t: 'arith', op: '+', left: col('n'), right: param(1) }]] },
      },
    });
    expect(upd).toEqual({
      sql: 'INSERT INTO `docs` (`id`, `title`, `n`) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE `title` = VALUES(`title`), `n` = (`n` + ?)',
      params: [1, 'a', 0, 1],
    });
    expect(compiler.compile({ ...base, onConflict: { target: ['id'], action: 'nothing' } }).sql).toBe(
      'INSERT INTO `docs` (`id`, `title`, `n`) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE `id` = `id`',
    );
    // createMany({ skipDuplicates }) names no target: the first inserted column.
    expect(compiler.compile({ ...base, onConflict: { target: [], action: 'nothing' } }).sql).toMatch(/ ON DUPLICATE KEY UPDATE `id` = `id`$/);
    expect(compiler.compile({ ...base, onConflict: { target: ['title'], action: { set: [] } } }).sql).toMatch(/ ON DUPLICATE KEY UPDATE `title` = `title`$/);
  });

  it('RETURNING only when constructed with { returning: true }, and never on UPDATE', () => {
    const ins: InsertNode = { t: 'insert', table: 'docs', columns: ['id'], rows: [[param(1)]], returning: ['id', 'title'] };
    expect(compiler.compile(ins).sql).toBe('INSERT INTO `docs` (`id`) VALUES (?)');
    expect(compiler.compile({ t: 'update', table: 'docs', alias: 'docs', set: [['title', param('x')]], returning: ['id'] }).sql).toBe('UPDATE `docs` SET `title` = ?');
    const maria = new MysqlCompiler({ returning: true });
    expect(maria.compile(ins).sql).toBe('INSERT INTO `docs` (`id`) VALUES (?) RETURNING `id`, `title`');
    expect(maria.compile({ t: 'delete', table: 'docs', alias: 'docs', where: { t: 'cmp', op: '=', left: col('id', 'docs'), right: param(1) }, returning: ['id'] }).sql).toBe(
      'DELETE FROM `docs` WHERE `docs`.`id` = ? RETURNING `id`',
    );
    expect(() => maria.compile({ t: 'update', table: 'docs', alias: 'docs', set: [['title', param('x')]], returning: ['id'] })).toThrow(/RETURNING/);
  });

  it('update and delete', () => {
    const where: Expr = { t: 'cmp', op: '=', left: col('id', 'd'), right: param(7) };
    expect(compiler.compile({ t: 'update', table: 'docs', alias: 'd', set: [['title', param('x')], ['flag', param(true)]], where })).toEqual({
      sql: 'UPDATE `docs` AS `d` SET `title` = ?, `flag` = ? WHERE `d`.`id` = ?',
      params: ['x', true, 7],
    });
    expect(compiler.compile({ t: 'delete', table: 'docs', alias: 'docs', where: { t: 'cmp', op: '=', left: col('id', 'docs'), right: param(7) } })).toEqual({
      sql: 'DELETE FROM `docs` WHERE `docs`.`id` = ?',
      params: [7],
    });
    // MariaDB has no alias in a single-table DELETE: the multi-table form.
    expect(compiler.compile({ t: 'delete', table: 'docs', alias: 'd', where }).sql).toBe('DELETE `d` FROM `docs` AS `d` WHERE `d`.`id` = ?');
  });

  it('binds JSON paths (keys quoted, indices as integers) and unquotes / casts per use', () => {
    expect(compiler.compileExpr({ t: 'cmp', op: '=', left: jsonPath(['a', 'b']), right: param('v') })).toEqual({
      sql: 'JSON_UNQUOTE(JSON_EXTRACT(`d`.`meta`, ?)) = ?',
      params: ['$."a"."b"', 'v'],
    });
    expect(compiler.compileExpr({ t: 'cmp', op: '>', left: jsonPath(['n'], 'number'), right: param(3) })).toEqual({
      sql: 'CAST(JSON_UNQUOTE(JSON_EXTRACT(`d`.`meta`, ?)) AS DECIMAL(65,30)) > ?',
      params: ['$."n"', 3],
    });
    expect(compiler.compileExpr(jsonPath(['list'], 'json')).sql).toBe('JSON_EXTRACT(`d`.`meta`, ?)');
    expect(compiler.compileExpr({ t: 'isNull', expr: jsonPath(['a']), negate: false })).toEqual({
      sql: "COALESCE(JSON_TYPE(JSON_EXTRACT(`d`.`meta`, ?)), 'NULL') = 'NULL'",
      params: ['$."a"'],
    });
    expect(jsonPathOf(['items', '0', 'sku'])).toBe('$."items"[0]."sku"');
    expect(jsonPathOf(['007'])).toBe('$[7]');
  });

  it('keeps hostile JSON keys inside the bound path', () => {
    const keys = [`a"b`, 'c\\d', '$1', '?', '*', `x') OR 1=1 --`];
    const { sql, params } = compiler.compileExpr(jsonPath(keys));
    expect(sql).toBe('JSON_UNQUOTE(JSON_EXTRACT(`d`.`meta`, ?))');
    expect(params).toEqual([`$."a\\"b"."c\\\\d"."$1"."?"."*"."x') OR 1=1 --"`]);
  });

  it('LIKE: case-sensitive under utf8mb4_bin, insensitive by LOWER on both sides, escape character !', () => {
    expect(compiler.compileExpr(text('contains', '100%_sure!'))).toEqual({
      sql: "`d`.`title` COLLATE utf8mb4_bin LIKE ? ESCAPE '!'",
      params: ['%100!%!_sure!!%'],
    });
    expect(compiler.compileExpr(text('startsWith', 'ADA', true))).toEqual({
      sql: "LOWER(`d`.`title` COLLATE utf8mb4_bin) LIKE LOWER(?) ESCAPE '!'",
      params: ['ADA%'],
    });
    expect(compiler.compileExpr(text('equals', 'a\\b', true, true))).toEqual({
      sql: "LOWER(`d`.`title` COLLATE utf8mb4_bin) NOT LIKE LOWER(?) ESCAPE '!'",
      params: ['a\\b'],
    });
    expect(compiler.compileExpr(text('endsWith', 'x', false, true)).sql).toBe("`d`.`title` COLLATE utf8mb4_bin NOT LIKE ? ESCAPE '!'");
    // A raw LIKE node in core's `\` convention is rewritten for `!`.
    expect(compiler.compileExpr({ t: 'like', expr: col('title'), pattern: param('a\\%b%!'), insensitive: false, negate: false })).toEqual({
      sql: "`title` COLLATE utf8mb4_bin LIKE ? ESCAPE '!'",
      params: ['a!%b%!!'],
    });
    expect(escapeLikeMysql('!%_\\')).toBe('!!!%!_\\');
    expect(likePatternToMysql('\\\\x\\_')).toBe('\\x!_');
  });

  it('arrays through JSON_CONTAINS with JSON-encoded values', () => {
    expect(compiler.compileExpr(has('has', ['x']))).toEqual({ sql: 'JSON_CONTAINS(`d`.`tags`, ?)', params: ['"x"'] });
    expect(compiler.compileExpr(has('hasSome', ['x', 'y']))).toEqual({
      sql: '(JSON_CONTAINS(`d`.`tags`, ?) OR JSON_CONTAINS(`d`.`tags`, ?))',
      params: ['"x"', '"y"'],
    });
    expect(compiler.compileExpr(has('hasEvery', [1, 2, 1], 'int'))).toEqual({ sql: 'JSON_CONTAINS(`d`.`tags`, ?)', params: ['[1,2]'] });
    expect(compiler.compileExpr(has('hasSome', [])).sql).toBe('1 = 0');
    expect(compiler.compileExpr(has('hasEvery', [])).sql).toBe('1 = 1');
  });

  it('search: MATCH over exactly the searchable columns, words required, no operators', () => {
    expect(compiler.compileExpr(search('hello world'))).toEqual({
      sql: 'MATCH (`d`.`title`, `d`.`body`) AGAINST (? IN BOOLEAN MODE)',
      params: ['+hello +world'],
    });
    expect(compiler.compileExpr(search('postgres -bob')).params).toEqual(['+postgres +bob']);
    expect(compiler.compileExpr(search('"about writes"')).params).toEqual(['+writes']);
    expect(compiler.compileExpr(search('hello OR "NEAR(')).params).toEqual(['+hello +NEAR']);
    expect(compiler.compileExpr(search('a+b* ~c <d> @e')).sql).toBe('1 = 0');
    expect(compiler.compileExpr(search('   ')).sql).toBe('1 = 0');
    expect(booleanQueryOf("ada@example.com don't snake_case élan")).toBe("+ada +example +don't +snake_case +élan");
    expect(booleanQueryOf('the about', { stopwords: false })).toBe('+the +about');
  });
});

/**
 * The compiled statements run on a real server (MariaDB 10.11 here; MySQL 8 through FORGE_TEST_MYSQL_URL), in a
 * scratch database created and dropped by this file, under `NO_BACKSLASH_ESCAPES` as well as the default mode.
 */
describe('on the server', () => {
  const url = process.env.FORGE_TEST_MYSQL_URL;
  const db = `forge_compile_${process.pid}_${Date.now().toString(36)}`;
  let conn: mysql.Connection;
  const run = async (q: QueryNode | { sql: string; params: unknown[] }) => {
    const { sql, params } = 't' in q ? compiler.compile(q) : q;
    const [rows] = await conn.execute({ sql, rowsAsArray: true, dateStrings: true, supportBigNumbers: true, bigNumberStrings: true } as never, params);
    return rows as unknown;
  };
  const ids = async (where: Expr, table = 'docs'): Promise<number[]> =>
    ((await run({ t: 'select', from: { table, alias: 'd' }, columns: [{ expr: col('id', 'd'), alias: 'id' }], where, orderBy: [{ expr: col('id', 'd'), dir: 'asc' }] })) as number[][]).map(
      (r) => Number(r[0]),
    );

  beforeAll(async () => {
    const u = url ? new URL(url.replace(/^mariadb:/, 'mysql:')) : undefined;
    conn = await mysql.createConnection({
      host: u?.hostname ?? '127.0.0.1',
      port: u?.port ? Number(u.port) : 3306,
      user: u ? decodeURIComponent(u.username) : 'root',
      password: u ? decodeURIComponent(u.password) : undefined,
      charset: 'utf8mb4',
      timezone: 'Z',
      connectTimeout: 5000,
    });
    await conn.query(`CREATE DATABASE \`${db}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    await conn.query(`USE \`${db}\``);
    await conn.query(
      'CREATE TABLE docs (id INT PRIMARY KEY, title VARCHAR(200), body TEXT, meta JSON, tags JSON, n INT NOT NULL DEFAULT 0, FULLTEXT KEY docs_fts (title, body)) ENGINE=InnoDB',
    );
    const rows: InsertNode = {
      t: 'insert',
      table: 'docs',
      columns: ['id', 'title', 'body', 'meta', 'tags'],
      rows: [
        [param(1), param('100%_sure!'), param('Hello SQLite world'), param('{"plan":"pro","limits":{"seats":5},"a\\"b":{"c\\\\d":"deep"},"items":[{"sku":"X1"}],"nil":null}'), param('["db","sql"]')],
        [param(2), param('ÉLODIE Ärger'), param('Bob writes about Postgres'), param('{"plan":"free","limits":{"seats":"12"}}'), param('["db"]')],
        [param(3), param('Straße ΣΟΦΊΑ 300\u212a'), param('Second post'), param('{"plan":"Pro"}'), param('["misc"]')],
        [param(4), param('ΚΟΣΜΟΣ İstanbul'), param('ada@example.com'), param('{}'), param('[]')],
        [param(5), param('100 sure'), param('nothing'), param('{"nil":"null"}'), param('[1,2,3]')],
      ],
    };
    await run(rows);
  });

  afterAll(async () => {
    await conn?.query(`DROP DATABASE IF EXISTS \`${db}\``);
    await conn?.end();
  });

  for (const mode of ['default', 'NO_BACKSLASH_ESCAPES'] as const) {
    it(`LIKE escaping and case rules hold (${mode} sql_mode)`, async () => {
      if (mode === 'NO_BACKSLASH_ESCAPES') await conn.query("SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES')");
      try {
        expect(await ids(text('contains', '%_'))).toEqual([1]);
        expect(await ids(text('contains', '_sure!'))).toEqual([1]);
        expect(await ids(text('endsWith', '!'))).toEqual([1]);
        expect(await ids(text('startsWith', '100'))).toEqual([1, 5]);
        expect(await ids(text('startsWith', '100_'))).toEqual([]);
        expect(await ids(text('contains', 'élodie'))).toEqual([]);
        expect(await ids(text('contains', 'ÉLODIE'))).toEqual([2]);
        expect(await ids(text('contains', 'élodie', true))).toEqual([2]);
        expect(await ids(text('contains', 'elodie', true))).toEqual([]);
        expect(await ids(text('equals', 'élodie ärger', true))).toEqual([2]);
        expect(await ids(text('contains', 'σοφία', true))).toEqual([3]);
        expect(await ids(text('contains', 'STRASSE', true))).toEqual([]);
        expect(await ids(text('contains', 'straße', true))).toEqual([3]);
        expect(await ids(text('endsWith', '300k', true))).toEqual([3]);
        expect(await ids(text('startsWith', 'ΚΟΣ', true))).toEqual([4]);
        expect(await ids(text('endsWith', 'istanbul', true))).toEqual([4]);
        expect(await ids(text('contains', 'élodie', true, true))).toEqual([1, 3, 4, 5]);
        expect(await ids({ t: 'like', expr: col('title', 'd'), pattern: param('100\\%%'), insensitive: false, negate: false })).toEqual([1]);
      } finally {
        if (mode === 'NO_BACKSLASH_ESCAPES') await conn.query("SET SESSION sql_mode = REPLACE(@@sql_mode, 'NO_BACKSLASH_ESCAPES', '')");
      }
    });
  }

  it('JSON paths, including hostile keys, numbers stored as strings and JSON null', async () => {
    expect(await ids({ t: 'cmp', op: '=', left: jsonPath(['plan']), right: param('pro') })).toEqual([1]);
    expect(await ids({ t: 'cmp', op: '>=', left: jsonPath(['limits', 'seats'], 'number'), right: param(5) })).toEqual([1, 2]);
    expect(await ids({ t: 'cmp', op: '=', left: jsonPath([`a"b`, 'c\\d']), right: param('deep') })).toEqual([1]);
    expect(await ids({ t: 'cmp', op: '=', left: jsonPath(['items', '0', 'sku']), right: param('X1') })).toEqual([1]);
    expect(await ids({ t: 'isNull', expr: jsonPath(['nil']), negate: false })).toEqual([1, 2, 3, 4]);
    expect(await ids({ t: 'isNull', expr: jsonPath(['nil']), negate: true })).toEqual([5]);
    expect(await ids({ t: 'textMatch', expr: jsonPath(['plan']), mode: 'startsWith', value: 'fr', insensitive: false, negate: false })).toEqual([2]);
  });

  it('arrays through JSON_CONTAINS', async () => {
    expect(await ids(has('has', ['db']))).toEqual([1, 2]);
    expect(await ids(has('hasSome', ['misc', 'sql']))).toEqual([1, 3]);
    expect(await ids(has('hasEvery', ['db', 'sql']))).toEqual([1]);
    expect(await ids(has('hasEvery', [1, 3], 'int'))).toEqual([5]);
    expect(await ids(has('has', [2], 'int'))).toEqual([5]);
  });

  it('full-text search: every word, operators literal, stopwords left out', async () => {
    expect(await ids(search('postgres'))).toEqual([2]);
    expect(await ids(search('hello world'))).toEqual([1]);
    expect(await ids(search('hello OR postgres'))).toEqual([]);
    expect(await ids(search('hello OR "NEAR('))).toEqual([]);
    expect(await ids(search('postgres -bob'))).toEqual([2]);
    expect(await ids(search('"about writes"'))).toEqual([2]);
    expect(await ids(search('ada@example.com'))).toEqual([4]);
  });

  it('LIMIT / OFFSET, NULLS LAST and OFFSET without LIMIT', async () => {
    const base: SelectNode = { t: 'select', from: { table: 'docs', alias: 'd' }, columns: [{ expr: col('id', 'd'), alias: 'id' }], orderBy: [{ expr: col('id', 'd'), dir: 'asc' }] };
    expect(await run({ ...base, limit: 2, offset: 1 })).toEqual([[2], [3]]);
    expect(await run({ ...base, offset: 3 })).toEqual([[4], [5]]);
    expect(await run({ ...base, where: { t: 'cmp', op: '>', left: col('id', 'd'), right: param(1) }, limit: 1 })).toEqual([[2]]);
  });

  it('upsert: update on a duplicate key with VALUES(), DO NOTHING leaves the row, update and delete', async () => {
    const ins = (id: number, title: string, onConflict: InsertNode['onConflict']): InsertNode => ({
      t: 'insert',
      table: 'docs',
      columns: ['id', 'title'],
      rows: [[param(id), param(title)]],
      onConflict,
    });
    const bump: InsertNode['onConflict'] = {
      target: ['id'],
      action: { set: [['title', { t: 'col', table: 'excluded', name: 'title' }], ['n', { t: 'arith', op: '+', left: col('n'), right: param(1) }]] },
    };
    await run(ins(10, 'first', bump));
    await run(ins(10, 'second', bump));
    await run(ins(10, 'third', { target: ['id'], action: 'nothing' }));
    await run({ t: 'insert', table: 'docs', columns: ['id', 'title'], rows: [[param(10), param('x')], [param(11), param('y')]], onConflict: { target: [], action: 'nothing' } });
    expect(await run({ t: 'select', from: { table: 'docs', alias: 'docs' }, columns: [{ expr: col('title'), alias: 'title' }, { expr: col('n'), alias: 'n' }], where: { t: 'in', expr: col('id'), values: [param(10), param(11)], negate: false }, orderBy: [{ expr: col('id'), dir: 'asc' }] })).toEqual([
      ['second', 1],
      ['y', 0],
    ]);
    await run({ t: 'update', table: 'docs', alias: 'd', set: [['title', param('upd')]], where: { t: 'cmp', op: '=', left: col('id', 'd'), right: param(11) } });
    expect(await ids(text('equals', 'upd'))).toEqual([11]);
    await run({ t: 'delete', table: 'docs', alias: 'd', where: { t: 'in', expr: col('id', 'd'), values: [param(10), param(11)], negate: false } });
    await run({ t: 'delete', table: 'docs', alias: 'docs', where: { t: 'cmp', op: '=', left: col('id', 'docs'), right: param(99) } });
    expect(await ids({ t: 'cmp', op: '>=', left: col('id', 'd'), right: param(10) })).toEqual([]);
  });
});
