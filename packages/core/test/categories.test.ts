import { describe, expect, it } from 'vitest';
import { categoryOfColumn, categoryOfKind, type ColumnIR, type FieldKind, type TypeCategory } from '../src/index.js';

/** A dialect's facts stand-in: the category of a native type is the adapter's (adapter tests cover the real ones). */
const facts = { categoryOf: (t: string): TypeCategory | undefined => (t.startsWith('varchar') ? 'string' : undefined) };

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

describe('categoryOfColumn', () => {
  const column = (over: Partial<ColumnIR>): ColumnIR => ({ field: 'x', name: 'x', kind: 'string', nullable: false, primaryKey: false, unique: false, ...over });

  it('uses the .dbType() when set', () => {
    expect(categoryOfColumn(column({ kind: 'int', dbType: 'varchar(12)' }), facts)).toBe('string');
    expect(categoryOfColumn(column({ kind: 'string', dbType: 'geometry' }), facts)).toBeUndefined();
  });

  it('maps integer id strategies to integer categories', () => {
    expect(categoryOfColumn(column({ kind: 'id', idStrategy: 'int' }), facts)).toBe('int');
    expect(categoryOfColumn(column({ kind: 'id', idStrategy: 'bigserial' }), facts)).toBe('bigint');
    expect(categoryOfColumn(column({ kind: 'id', idStrategy: 'auto' }), facts)).toBe('string');
  });
});
