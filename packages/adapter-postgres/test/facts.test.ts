import { describe, expect, it } from 'vitest';
import { normalizeSqlExpr, type TypeCategory } from '@forge/core';
import { postgresFacts } from '../src/facts.js';

describe('postgresFacts.categoryOf', () => {
  const table: Array<[string, TypeCategory | undefined]> = [
    ['text', 'string'],
    ['varchar(255)', 'string'],
    ['character varying', 'string'],
    ['character varying(120)', 'string'],
    ['CHAR(2)', 'string'],
    ['character(10)', 'string'],
    ['bpchar', 'string'],
    ['uuid', 'string'],
    ['citext', 'string'],
    ['smallint', 'int'],
    ['integer', 'int'],
    ['int', 'int'],
    ['int4', 'int'],
    ['int2', 'int'],
    ['serial', 'int'],
    ['bigint', 'bigint'],
    ['int8', 'bigint'],
    ['bigserial', 'bigint'],
    ['real', 'float'],
    ['double precision', 'float'],
    ['float8', 'float'],
    ['numeric', 'decimal'],
    ['numeric(10,2)', 'decimal'],
    ['decimal(12, 4)', 'decimal'],
    ['bool', 'bool'],
    ['boolean', 'bool'],
    ['timestamp', 'datetime'],
    ['timestamp with time zone', 'datetime'],
    ['timestamp(3) without time zone', 'datetime'],
    ['timestamptz', 'datetime'],
    ['date', 'datetime'],
    ['time', 'datetime'],
    ['json', 'json'],
    ['jsonb', 'json'],
    ['text[]', undefined],
    ['_int4', undefined],
    ['bytea', undefined],
    ['geography(Point,4326)', undefined],
    ['vector(3)', undefined],
    ['bit(8)', undefined],
    ['bit varying(3)', undefined],
    ['interval', undefined],
    ['tsvector', undefined],
    ['constructor', undefined],
  ];
  it.each(table)('%s -> %s', (type, category) => expect(postgresFacts.categoryOf(type)).toBe(category));
});

describe('postgresFacts.normalizeExpression (through core normalizeSqlExpr)', () => {
  it.each([
    ['lower(email)', 'lower((email)::text)'],
    ['"email" IS NOT NULL', '(email IS NOT NULL)'],
    ['created > now()', "(created > now())"],
    ["status = 'a'", "((status)::text = 'a'::text)"],
    ['x::timestamp with time zone', 'x'],
  ])('%s equals the echo %s', (a, b) => expect(normalizeSqlExpr(a, postgresFacts)).toBe(normalizeSqlExpr(b, postgresFacts)));
});

describe('postgresFacts: names', () => {
  it('the search object is a GIN index and a tsvector column; the ledger DDL is portable', () => {
    expect(postgresFacts.searchObjectNames('notes')).toEqual({ relations: ['forge_notes_idx_fts'], columns: ['forge_fts'] });
    expect(postgresFacts.ledgerDdl('_forge_migrations')).toBe('CREATE TABLE IF NOT EXISTS _forge_migrations (name VARCHAR(255) PRIMARY KEY, applied_at VARCHAR(64))');
    expect(postgresFacts.indexNamespace).toBe('schema');
  });
});
