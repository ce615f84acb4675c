import { assertNamesDistinct, buildSchemaIR, f, model, normalizeSqlExpr, SchemaError, type AnyModel, type TypeCategory } from '@forge/core';
import { describe, expect, it } from 'vitest';
import { mysqlFacts } from '../src/facts.js';

describe('mysqlFacts.categoryOf', () => {
  const table: Array<[string, TypeCategory | undefined]> = [
    ['tinyint(1)', 'bool'],
    ['TINYINT(1)', 'bool'],
    ['tinyint(1) unsigned', 'bool'],
    ['bool', 'bool'],
    ['boolean', 'bool'],
    ['tinyint', 'int'],
    ['tinyint(4)', 'int'],
    ['smallint(6)', 'int'],
    ['mediumint', 'int'],
    ['int(11)', 'int'],
    ['int', 'int'],
    ['int unsigned', 'int'],
    ['int(10) unsigned zerofill', 'int'],
    ['integer', 'int'],
    ['bigint', 'bigint'],
    ['bigint(20)', 'bigint'],
    ['bigint(20) unsigned', 'bigint'],
    ['bigint unsigned', 'bigint'],
    ['serial', 'bigint'],
    ['float', 'float'],
    ['float(7,4)', 'float'],
    ['double', 'float'],
    ['double precision', 'float'],
    ['double unsigned', 'float'],
    ['real', 'float'],
    ['decimal(10,2)', 'decimal'],
    ['decimal(65,30)', 'decimal'],
    ['numeric', 'decimal'],
    ['char(36)', 'string'],
    ['varchar(255)', 'string'],
    ['VARCHAR(191)', 'string'],
    ['varchar(20) character set latin1', 'string'],
    ['tinytext', 'string'],
    ['text', 'string'],
    ['mediumtext', 'string'],
    ['longtext', 'string'],
    ["enum('a','b')", 'string'],
    ["enum('x)','y')", 'string'],
    ["set('r','w')", 'string'],
    ['uuid', 'string'],
    ['datetime', 'datetime'],
    ['datetime(3)', 'datetime'],
    ['timestamp', 'datetime'],
    ['timestamp(6)', 'datetime'],
    ['date', 'datetime'],
    ['time', 'datetime'],
    ['year', 'datetime'],
    ['year(4)', 'datetime'],
    ['json', 'json'],
    ['JSON', 'json'],
    ['longblob', undefined],
    ['blob', undefined],
    ['binary(16)', undefined],
    ['varbinary(255)', undefined],
    ['bit(1)', undefined],
    ['point', undefined],
    ['geometry', undefined],
    ['inet6', undefined],
    ['constructor', undefined],
  ];
  it.each(table)('%s -> %s', (type, category) => expect(mysqlFacts.categoryOf(type)).toBe(category));
});

describe('mysqlFacts.normalizeExpression (through core normalizeSqlExpr)', () => {
  it.each([
    ['lower(email)', 'lower(`email`)'],
    ['lower(email)', '(lower(`email`))'],
    ["status = 'a'", "(`status` = _utf8mb4'a')"],
    ["status = 'a'", "(`status` = _utf8mb4\\'a\\')"],
    ["concat(first, ' ', last)", "concat(`first`,_utf8mb4' ',`last`)"],
    ["role in ('admin','it''s me')", "`role` in (_latin1'admin',_utf8mb4 'it''s me')"],
    ['a + b > 0', '((`a` + `b`) > 0)'],
  ])('%s equals the echo %s', (a, b) => expect(normalizeSqlExpr(a, mysqlFacts)).toBe(normalizeSqlExpr(b, mysqlFacts)));

  it('keeps what is not a plain identifier or an introducer', () => {
    expect(mysqlFacts.normalizeExpression('`a b` = 1')).toBe('`a b` = 1');
    expect(mysqlFacts.normalizeExpression("my_col = 'x'")).toBe("my_col = 'x'");
    expect(mysqlFacts.normalizeExpression("f(x,_utf8mb4'y')")).toBe("f(x,'y')");
  });
});

describe('mysqlFacts: names', () => {
  it('the search object is one FULLTEXT index per table; the ledger DDL is portable; index names are per table', () => {
    expect(mysqlFacts.searchObjectNames('notes')).toEqual({ relations: ['forge_notes_idx_fts'], columns: [] });
    expect(mysqlFacts.ledgerDdl('_forge_migrations')).toBe('CREATE TABLE IF NOT EXISTS _forge_migrations (name VARCHAR(255) PRIMARY KEY, applied_at VARCHAR(64))');
    expect(mysqlFacts.indexNamespace).toBe('table');
    expect(mysqlFacts.impliedRelationNames?.(model('t', { id: f.id() }).table())).toEqual(['PRIMARY']);
    expect(mysqlFacts.identifierKey?.('Idx_Email')).toBe('idx_email');
  });

  it('lets two tables use one index name, refuses it twice on one table (case folded) or on the search index', () => {
    const a = model('a', { id: f.id(), x: f.string() }, { indexes: [{ keys: { x: 1 }, name: 'ix' }] });
    const b = model('b', { id: f.id(), x: f.string() }, { indexes: [{ keys: { x: 1 }, name: 'ix' }] });
    expect(() => assertNamesDistinct(buildSchemaIR({ a, b }), mysqlFacts)).not.toThrow();
    const twice = model('c', { id: f.id(), x: f.string(), y: f.string() }, { indexes: [{ keys: { x: 1 }, name: 'ix' }, { keys: { y: 1 }, name: 'IX' }] });
    expect(() => assertNamesDistinct(buildSchemaIR({ twice }), mysqlFacts)).toThrow(SchemaError);
    const clash = model('d', { id: f.id(), x: f.string().searchable() }, { indexes: [{ keys: { x: 1 }, name: 'forge_d_idx_fts' }] });
    expect(() => assertNamesDistinct(buildSchemaIR({ clash }), mysqlFacts)).toThrow(/full-text search object/);
  });
});

describe('names MySQL and MariaDB refuse even in backticks', () => {
  it('a trailing space, NUL or a character outside the BMP is a SchemaError from the push plan, before any DDL', async () => {
    const { planPush } = await import('@forge/core');
    const { adapter } = await import('../src/index.js');
    const empty = { dialect: 'mysql' as const, tables: [], views: [] };
    const plan = (schema: Record<string, AnyModel>) => () => planPush(buildSchemaIR(schema), empty, adapter);
    expect(plan({ t: model('t ', { id: f.id() }) })).toThrow(/table name 't ' cannot be used on mysql: .*end in a space/);
    expect(plan({ t: model('t', { id: f.id(), x: f.string().map('x ') }) })).toThrow(SchemaError);
    expect(plan({ t: model('t😀', { id: f.id() }) })).toThrow(/Basic Multilingual Plane/);
    expect(plan({ t: model('t', { id: f.id(), a: f.string() }, { indexes: [{ name: 'ix ', keys: { a: 1 } }] }) })).toThrow(/index name 'ix '/);
    expect(plan({ t: model('naïve 表', { id: f.id() }) })).not.toThrow();
  });
});

describe("the index name MySQL keeps for the primary key", () => {
  it("an index named 'primary' (any case) is a SchemaError before any DDL; a table or column may be called so", () => {
    const ir = buildSchemaIR({ t: model('t', { id: f.id(), a: f.string() }, { indexes: [{ name: 'Primary', keys: { a: 1 } }] }) });
    expect(() => assertNamesDistinct(ir, mysqlFacts)).toThrow(/index 'Primary' on 't' and the database's own object 'PRIMARY' of table 't'/);
    expect(() => assertNamesDistinct(buildSchemaIR({ t: model('primary', { id: f.id(), primary: f.string() }) }), mysqlFacts)).not.toThrow();
  });
});
