import { describe, expect, it } from 'vitest';
import { postgresFacts } from '@forge/adapter-postgres';
import { indexSignature, normalizeSqlExpr, stableJson } from '../src/diff/index-shape.js';

describe('normalizeSqlExpr', () => {
  it.each([
    ['active = true', '(active = true)'],
    ['active = true', '  ACTIVE   =   TRUE '],
    ['lower(email)', 'lower((email)::text)'],
    ['lower(email)', 'LOWER("email")'],
    ["status = 'live' AND deleted_at IS NULL", "(((status)::text = 'live'::text) AND (deleted_at IS NULL))"],
    ['created_at > now()', "(created_at > now())"],
    ["kind in ('a','b')", "kind IN ('a', 'b')"],
    ['x::timestamp with time zone > y', 'x > y'],
  ])('%s equals %s (with the Postgres facts: casts and needless quotes are its echo)', (a, b) =>
    expect(normalizeSqlExpr(a, postgresFacts)).toBe(normalizeSqlExpr(b, postgresFacts)),
  );

  it('without a dialect only the generic rules apply: casts are text', () => {
    expect(normalizeSqlExpr('lower((email)::text)')).toBe('lower(email::text)');
  });

  it.each([
    ['lower(email)', 'upper(email)'],
    ['active = true', 'active = false'],
    ["name = 'A'", "name = 'B'"],
  ])('%s differs from %s', (a, b) => expect(normalizeSqlExpr(a)).not.toBe(normalizeSqlExpr(b)));

  it('keeps call parentheses and drops grouping ones', () => {
    expect(normalizeSqlExpr('((a = 1) AND (b IS NULL))')).toBe('a=1 and b is null');
    expect(normalizeSqlExpr('coalesce((a), 0)')).toBe('coalesce(a,0)');
  });

  it('reads a quote or a parenthesis inside a quoted identifier as text (found by the reliability harness)', () => {
    expect(normalizeSqlExpr(`("' " IS NOT NULL)`)).toBe(normalizeSqlExpr(`"' " IS NOT NULL`));
    expect(normalizeSqlExpr(`("a""b'c" IS NOT NULL)`)).toBe(normalizeSqlExpr(`"a""b'c" IS NOT NULL`));
    expect(normalizeSqlExpr(`("x(y" IS NOT NULL)`)).toBe(normalizeSqlExpr(`"x(y" IS NOT NULL`));
  });

  it('is undefined for absent or blank input', () => {
    expect(normalizeSqlExpr(undefined)).toBeUndefined();
    expect(normalizeSqlExpr(null)).toBeUndefined();
    expect(normalizeSqlExpr(' ( ) ')).toBeUndefined();
  });
});

describe('indexSignature', () => {
  it('is uniqueness plus the order-free column set plus the expression', () => {
    expect(indexSignature({ unique: true, columns: ['legacy_email'] })).toBe('u:legacy_email');
    expect(indexSignature({ unique: false, columns: ['b', 'a'] })).toBe('i:a,b');
    const pg = { facts: postgresFacts, capabilities: { partialIndexes: true } };
    expect(indexSignature({ unique: true, columns: [], expression: 'LOWER((email)::text)' }, pg)).toBe('u:lower(email)');
  });

  it('includes the normalised predicate where the dialect has partial indexes (a partial unique is not a unique)', () => {
    const pg = { facts: postgresFacts, capabilities: { partialIndexes: true } };
    expect(indexSignature({ unique: true, columns: ['email'], where: '(active = true)' }, pg)).toBe('u:email where active=true');
    expect(indexSignature({ unique: true, columns: ['email'], where: 'active = true' }, { ...pg, capabilities: { partialIndexes: false } })).toBe('u:email');
    expect(indexSignature({ unique: true, columns: ['email'], where: 'active = true' }, pg, false)).toBe('u:email');
  });
});

describe('stableJson', () => {
  it('ignores key order at every depth', () => {
    expect(stableJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } })).toBe(stableJson({ a: { c: null, d: [1, { y: 2, z: 1 }] }, b: 1 }));
  });
});
