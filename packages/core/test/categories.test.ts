import { describe, expect, it } from 'vitest';
import { categoryOfColumn, categoryOfDbType, categoryOfKind, type ColumnIR, type FieldKind, type TypeCategory } from '../src/index.js';

describe('categoryOfKind', () => {
  const table: Array<[FieldKind, TypeCategory | undefined]> = [
    ['id', 'string'],
    ['objectId', 'string'],
    ['string', 'string'],
    ['text', 'string'],
    ['uuid', 'string'],
    ['enum', 'string'],
    ['int', 'int'],
    ['bigint', 'bigint'],
    ['float', 'float'],
    ['decimal', 'decimal'],
    ['bool', 'bool'],
    ['dateTime', 'datetime'],
    ['json', 'json'],
    ['embed', 'json'],
    ['embedMany', 'json'],
    ['stringArray', undefined],
    ['intArray', undefined],
    ['vector', undefined],
    ['geoPoint', undefined],
    ['bytes', undefined],
  ];
  it.each(table)('%s -> %s', (kind, category) => expect(categoryOfKind(kind)).toBe(category));
});

describe('categoryOfDbType', () => {
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
    ['nvarchar(max)', 'string'],
    ['NVARCHAR(MAX)', 'string'],
    ['longtext', 'string'],
    ['uniqueidentifier', 'string'],
    ['smallint', 'int'],
    ['integer', 'int'],
    ['int', 'int'],
    ['int4', 'int'],
    ['int2', 'int'],
    ['mediumint', 'int'],
    ['int(11) unsigned', 'int'],
    ['tinyint(4)', 'int'],
    ['serial', 'int'],
    ['bigint', 'bigint'],
    ['int8', 'bigint'],
    ['bigint(20) unsigned', 'bigint'],
    ['bigserial', 'bigint'],
    ['real', 'float'],
    ['double precision', 'float'],
    ['double', 'float'],
    ['float', 'float'],
    ['float8', 'float'],
    ['numeric', 'decimal'],
    ['numeric(10,2)', 'decimal'],
    ['decimal(12, 4)', 'decimal'],
    ['bool', 'bool'],
    ['boolean', 'bool'],
    ['tinyint(1)', 'bool'],
    ['bit', 'bool'],
    ['timestamp', 'datetime'],
    ['timestamp with time zone', 'datetime'],
    ['timestamp(3) without time zone', 'datetime'],
    ['timestamptz', 'datetime'],
    ['datetime', 'datetime'],
    ['datetime2(7)', 'datetime'],
    ['datetimeoffset', 'datetime'],
    ['date', 'datetime'],
    ['time', 'datetime'],
    ['json', 'json'],
    ['jsonb', 'json'],
    ['text[]', undefined],
    ['_int4', undefined],
    ['bytea', undefined],
    ['blob', undefined],
    ['geography(Point,4326)', undefined],
    ['vector(3)', undefined],
    ['bit(8)', undefined],
    ['interval', undefined],
    ['user-defined', undefined],
    ['constructor', undefined],
  ];
  it.each(table)('%s -> %s', (type, category) => expect(categoryOfDbType(type)).toBe(category));
});

describe('categoryOfColumn', () => {
  const column = (over: Partial<ColumnIR>): ColumnIR => ({ field: 'x', name: 'x', kind: 'string', nullable: false, primaryKey: false, unique: false, ...over });

  it('uses the .dbType() when set', () => {
    expect(categoryOfColumn(column({ kind: 'int', dbType: 'varchar(12)' }))).toBe('string');
    expect(categoryOfColumn(column({ kind: 'string', dbType: 'geometry' }))).toBeUndefined();
  });

  it('maps integer id strategies to integer categories', () => {
    expect(categoryOfColumn(column({ kind: 'id', idStrategy: 'int' }))).toBe('int');
    expect(categoryOfColumn(column({ kind: 'id', idStrategy: 'bigserial' }))).toBe('bigint');
    expect(categoryOfColumn(column({ kind: 'id', idStrategy: 'auto' }))).toBe('string');
  });
});
