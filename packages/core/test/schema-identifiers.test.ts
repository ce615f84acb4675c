import { describe, expect, it } from 'vitest';
import { buildSchemaIR, f, model, one, SchemaError } from '../src/index.js';

/**
 * Issue 9, known limits item 9 (the schema side): names that JavaScript objects or a dialect's identifier rules
 * would silently change are refused where they are declared, with a SchemaError that says what to do.
 */

describe('table and column names equal up to case', () => {
  it('two models whose tables differ only in case are a SchemaError (SQLite, MySQL, SQL Server and DuckDB fold case)', () => {
    const upper = model('Users', { id: f.id() });
    const lower = model('users', { id: f.id() });
    expect(() => buildSchemaIR({ a: upper, b: lower })).toThrow(SchemaError);
    expect(() => buildSchemaIR({ a: upper, b: lower })).toThrow(/schema\.b .*'users'.*schema\.a .*'Users'.*case/);
  });

  it('folds non-ASCII letters too (SQL Server and DuckDB collations do)', () => {
    expect(() => buildSchemaIR({ a: model('Élan', { id: f.id() }), b: model('élan', { id: f.id() }) })).toThrow(SchemaError);
  });

  it('distinct names still build, and the table keeps the case it was declared with', () => {
    const ir = buildSchemaIR({ a: model('Users', { id: f.id() }), b: model('user_accounts', { id: f.id() }) });
    expect(ir.models.a.name).toBe('Users');
  });

  it('two fields whose columns differ only in case are a SchemaError where the model is declared', () => {
    expect(() => model('t', { id: f.id(), email: f.string(), Email: f.string() })).toThrow(SchemaError);
    expect(() => model('t', { id: f.id(), email: f.string(), other: f.string().map('EMAIL') })).toThrow(/'other'.*'EMAIL'.*'email'.*case/);
  });
});

describe('integer-like field names', () => {
  it('are refused: JavaScript lists them first, which would reorder columns and index keys', () => {
    expect(() => model('t', { id: f.id(), b: f.int(), '1': f.int() })).toThrow(SchemaError);
    expect(() => model('t', { id: f.id(), b: f.int(), '1': f.int() })).toThrow(/'1'.*\.map\('1'\)/);
    expect(() => model('t', { id: f.id(), 4294967294: f.int() })).toThrow(SchemaError);
  });

  it('names that merely contain digits keep their declared order', () => {
    const m = model('t', { id: f.id(), b: f.int(), '01': f.int(), '1a': f.int(), '-1': f.int(), '4294967295': f.int() }, { indexes: [{ keys: { b: 1, '01': 1 } }] });
    const t = buildSchemaIR({ t: m }).models.t;
    expect(t.columns.map((c) => c.name)).toEqual(['id', 'b', '01', '1a', '-1', '4294967295']);
    expect(t.indexes[0].columns).toEqual(['b', '01']);
  });

  it('a column may still be named like an integer through .map()', () => {
    const t = buildSchemaIR({ t: model('t', { id: f.id(), b: f.int(), one: f.int().map('1') }, { indexes: [{ keys: { b: 1, one: 1 } }] }) }).models.t;
    expect(t.columns.map((c) => c.name)).toEqual(['id', 'b', '1']);
    expect(t.indexes[0].columns).toEqual(['b', '1']);
  });
});

describe('__proto__', () => {
  it('a field written as `__proto__: f.int()` (which sets the prototype, so the field vanishes) is a SchemaError', () => {
    expect(() => model('t', { id: f.id(), __proto__: f.int() } as never)).toThrow(SchemaError);
    expect(() => model('t', { id: f.id(), __proto__: f.int() } as never)).toThrow(/__proto__/);
  });

  it('an own property named __proto__ (JSON.parse, a computed key) is a SchemaError too', () => {
    const fields = { id: f.id(), ['__proto__']: f.int() };
    Object.defineProperty(fields, '__proto__', { value: f.int(), enumerable: true });
    expect(Object.keys(fields)).toContain('__proto__');
    expect(() => model('t', fields)).toThrow(/__proto__/);
  });

  it('a relation named __proto__ is a SchemaError', () => {
    const Post = model('posts', { id: f.id(), authorId: f.string() });
    expect(() => model('users', { id: f.id() }, { relations: { __proto__: { __relation: 'many', target: () => Post, on: 'authorId' } } as never })).toThrow(/__proto__/);
  });
});

describe("onDelete / onUpdate 'setNull' needs a column that can be NULL", () => {
  const User = model('users', { id: f.id() });
  it('on a required field it is a SchemaError naming the field and the fix (MySQL refuses the constraint; others fail the first delete)', () => {
    const Post = model('posts', { id: f.id(), authorId: f.string().refs(() => User, { onDelete: 'setNull' }) });
    expect(() => buildSchemaIR({ user: User, post: Post })).toThrow(SchemaError);
    expect(() => buildSchemaIR({ user: User, post: Post })).toThrow(/posts'\)\.authorId: onDelete: 'setNull' .* required\. Make the field \.optional\(\)/);
    const Upd = model('posts', { id: f.id(), authorId: f.string().refs(() => User, { onUpdate: 'setNull' }) });
    expect(() => buildSchemaIR({ user: User, post: Upd })).toThrow(/onUpdate: 'setNull'/);
  });
  it('on an optional field it builds', () => {
    const Post = model('posts', { id: f.id(), authorId: f.string().optional().refs(() => User, { onDelete: 'setNull' }) });
    expect(buildSchemaIR({ user: User, post: Post }).models.post.foreignKeys[0].onDelete).toBe('setNull');
  });
});

describe('names that Object.prototype has (found by the random-schema property on DuckDB through forge pull)', () => {
  it("a relation named 'valueOf' or 'constructor' is not a field of the same name", () => {
    const Target = model('valueOf', { id: f.id() });
    const Child = model('child', { id: f.id(), targetId: f.string().refs(() => Target) }, {
      relations: { valueOf: one('valueOf', { on: 'targetId' }), constructor: one('valueOf', { on: 'targetId' }) },
    });
    const ir = buildSchemaIR({ valueOf: Target, child: Child });
    expect(ir.models.child.relations.map((r) => r.name).sort()).toEqual(['constructor', 'valueOf']);
  });

  it("a primaryKey naming 'toString' is an unknown field, not an inherited one", () => {
    expect(() => model('t', { a: f.int() }, { primaryKey: ['toString'] as never })).toThrow(/primaryKey names unknown field 'toString'/);
  });
});
