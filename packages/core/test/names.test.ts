import { describe, expect, it } from 'vitest';
import { assertIdentifiersFit, buildSchemaIR, f, generatedName, model, SchemaError } from '../src/index.js';

describe('generatedName', () => {
  it('keeps plain names readable and unhashed', () => {
    expect(generatedName('users', 'uq', ['email'])).toBe('forge_users_uq_email');
    expect(generatedName('posts', 'uq', ['author_id', 'title'])).toBe('forge_posts_uq_author_id_title');
  });

  it('never gives one name to columns that differ only in replaced characters (found by the reliability harness)', () => {
    const names = [[' '], ['!'], ['_']].map((cols) => generatedName('t', 'uq', cols));
    expect(new Set(names).size).toBe(3);
    expect(generatedName('a b', 'idx', ['x'])).not.toBe(generatedName('a-b', 'idx', ['x']));
    for (const n of names) expect(n).toMatch(/^forge_t_uq__(_[0-9a-f]{8})?$/);
  });

  it('hashes names longer than the limit, so two long names never collide', () => {
    const long = 'x'.repeat(80);
    expect(generatedName(long, 'fk', ['a'])).not.toBe(generatedName(long, 'fk', ['b']));
    expect(Buffer.byteLength(generatedName(long, 'fk', ['a']))).toBeLessThanOrEqual(63);
  });
});

describe('assertIdentifiersFit', () => {
  const caps = { dialect: 'postgres' as const, maxIdentifierLength: 63 };
  const ir = (name: string, column = 'id', index?: string) =>
    buildSchemaIR({ m: model(name, { [column]: f.id() }, index ? { indexes: [{ keys: { [column]: 1 }, name: index }] } : {}) });

  it('accepts names at the limit, counted in bytes', () => {
    expect(() => assertIdentifiersFit(ir('x'.repeat(63)), caps)).not.toThrow();
    expect(() => assertIdentifiersFit(ir('ü'.repeat(31)), caps)).not.toThrow();
  });

  it('refuses a longer table, column or declared index name, naming it and the limit (found by the reliability harness)', () => {
    expect(() => assertIdentifiersFit(ir('x'.repeat(64)), caps)).toThrow(/table name 'x+…' is 64 bytes long; postgres identifiers are at most 63 bytes/);
    expect(() => assertIdentifiersFit(ir('t', 'ü'.repeat(32)), caps)).toThrow(SchemaError);
    expect(() => assertIdentifiersFit(ir('t', 'id', 'i'.repeat(64)), caps)).toThrow(/index name/);
  });
});
