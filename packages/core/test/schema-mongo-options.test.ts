import { describe, expect, it } from 'vitest';
import { assertIndexKeysFit, buildSchemaIR, f, model, SchemaError, wildcardIndexProblem } from '../src/index.js';

describe('wildcard index keys ($**, field.$**): declared in the schema, built only by MongoDB', () => {
  const Doc = model(
    'docs',
    { id: f.id(), meta: f.json().map('attrs'), name: f.string() },
    {
      indexes: [
        { name: 'ix_all', keys: { '$**': 1 }, wildcardProjection: { name: 1, attrs: 1 } },
        { name: 'ix_meta', keys: { 'meta.$**': 1 } },
        { name: 'ix_deep', keys: { 'meta.profile.$**': 1 } },
        { name: 'ix_compound', keys: { name: 1, 'meta.$**': 1 } },
      ],
    },
  );
  const ir = buildSchemaIR({ doc: Doc });

  it('keys keep their form, a field under the wildcard reads its column name', () => {
    expect(ir.models.doc.indexes.map((ix) => [ix.name, ix.columns, ix.directions])).toEqual([
      ['ix_all', ['$**'], [1]],
      ['ix_meta', ['attrs.$**'], [1]],
      ['ix_deep', ['attrs.profile.$**'], [1]],
      ['ix_compound', ['name', 'attrs.$**'], [1, 1]],
    ]);
    expect(ir.models.doc.indexes[0].wildcardProjection).toEqual({ name: 1, attrs: 1 });
  });

  it('a wildcard under an unknown field, two wildcards or a unique one are refused where declared', () => {
    expect(() => model('x', { id: f.id() }, { indexes: [{ keys: { 'nope.$**': 1 } }] })).toThrow(/wildcard key 'nope\.\$\*\*' under unknown field 'nope'/);
    expect(() => model('x', { id: f.id(), a: f.json() }, { indexes: [{ keys: { '$**': 1, 'a.$**': 1 } }] })).toThrow(/at most one/);
    expect(() => model('x', { id: f.id() }, { indexes: [{ keys: { '$**': 1 }, unique: true }] })).toThrow(/cannot be unique/);
    expect(() => model('x', { id: f.id() }, { indexes: [{ keys: { nope: 1 } }] })).toThrow(/unknown field 'nope'.*'\$\*\*' or 'field\.\$\*\*'/);
  });

  it('every dialect but MongoDB refuses it, naming the dialect, the model and the index', () => {
    expect(wildcardIndexProblem(ir, 'mongo')).toBeUndefined();
    for (const dialect of ['postgres', 'mysql', 'sqlite', 'mssql', 'duckdb']) {
      expect(() => assertIndexKeysFit(ir, dialect)).toThrow(SchemaError);
      expect(wildcardIndexProblem(ir, dialect)).toBe(`index 'ix_all' on 'docs' has the wildcard key '$**', which only MongoDB indexes; ${dialect} has no wildcard indexes. Index the fields by name (keys: { field: 1 }) for ${dialect}`);
    }
    expect(wildcardIndexProblem(buildSchemaIR({ x: model('x', { id: f.id(), a: f.int() }, { indexes: [{ keys: { a: 1 } }] }) }), 'postgres')).toBeUndefined();
  });
});

describe('the model option validator', () => {
  it('true is strict / error; level and action are kept; SQL models carry it unused', () => {
    expect(buildSchemaIR({ a: model('a', { id: f.id() }, { validator: true }) }).models.a.validator).toEqual({ level: 'strict', action: 'error' });
    expect(buildSchemaIR({ a: model('a', { id: f.id() }, { validator: { action: 'warn' } }) }).models.a.validator).toEqual({ level: 'strict', action: 'warn' });
    expect(buildSchemaIR({ a: model('a', { id: f.id() }, { validator: false }) }).models.a).not.toHaveProperty('validator');
    expect(() => model('a', { id: f.id() }, { validator: 'yes' as never })).toThrow(/validator takes true, false or \{ level\?, action\? \}/);
    expect(() => model('a', { id: f.id() }, { validator: true }).asView('SELECT 1')).toThrow(/a view is not pushed/);
  });
});
