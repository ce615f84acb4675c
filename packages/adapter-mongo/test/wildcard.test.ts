import { buildSchemaIR, diffSchema, f, model, planPush, type Snapshot } from '@forge/core';
import { describe, expect, it } from 'vitest';
import { capabilities } from '../src/capabilities.js';
import { mongoDdl } from '../src/ddl.js';
import { mongoFacts } from '../src/facts.js';
import { snapshotIndex, submittedProjection, unsupportedIndex } from '../src/indexes.js';
import { snapshotFrom } from '../src/introspect.js';

const mongo = { capabilities, facts: mongoFacts, ddl: mongoDdl };

const Doc = model(
  'docs',
  { id: f.id(), attrs: f.json(), name: f.string(), author: f.embed({ name: f.string(), website: f.string() }) },
  {
    indexes: [
      { name: 'ix_all', keys: { '$**': 1 }, wildcardProjection: { 'author.name': 1, 'author.website': 1 } },
      { name: 'ix_attrs', keys: { 'attrs.$**': 1 } },
      { name: 'ix_name_attrs', keys: { name: 1, 'attrs.$**': 1 } },
    ],
  },
);
const ir = buildSchemaIR({ doc: Doc });

/** listIndexes output for the same indexes, as MongoDB 7 reports them (wildcardProjection in its submitted form). */
const LIVE = [
  { v: 2, key: { _id: 1 }, name: '_id_' },
  { v: 2, key: { '$**': 1 }, name: 'ix_all', wildcardProjection: { 'author.name': 1, 'author.website': 1 } },
  { v: 2, key: { 'attrs.$**': 1 }, name: 'ix_attrs' },
  { v: 2, key: { name: 1, 'attrs.$**': 1 }, name: 'ix_name_attrs' },
];
const snap = (rows: object[]): Snapshot => snapshotFrom([{ name: 'docs', type: 'collection' }], () => rows);

describe('wildcard index keys ($**, field.$**) on MongoDB (golden)', () => {
  it('push creates each with one createIndexes: the $** key, wildcardProjection, a compound wildcard', () => {
    const plan = planPush(ir, snapshotFrom([], () => []), mongo);
    const commands = plan.toApply.flatMap((s) => s.sql).map((t) => JSON.parse(t) as Record<string, unknown>).filter((c) => 'createIndexes' in c);
    expect(commands).toEqual([
      { createIndexes: 'docs', indexes: [{ key: { '$**': 1 }, name: 'ix_all', wildcardProjection: { 'author.name': 1, 'author.website': 1 } }] },
      { createIndexes: 'docs', indexes: [{ key: { 'attrs.$**': 1 }, name: 'ix_attrs' }] },
      { createIndexes: 'docs', indexes: [{ key: { name: 1, 'attrs.$**': 1 }, name: 'ix_name_attrs' }] },
    ]);
  });

  it('in sync from recorded listIndexes; a changed wildcardProjection is drift, re-planned (drop and recreate on 85/86)', () => {
    expect(diffSchema(ir, snap(LIVE), mongo).items).toEqual([]);
    expect(planPush(ir, snap(LIVE), mongo).toApply).toEqual([]);
    const drifted = LIVE.map((r) => (r.name === 'ix_all' ? { ...r, wildcardProjection: { 'author.name': 1 } } : r));
    expect(diffSchema(ir, snap(drifted), mongo).items.map((i) => [i.index, i.property])).toEqual([['ix_all', 'wildcardProjection']]);
    expect(planPush(ir, snap(drifted), mongo).toApply.map((s) => s.label)).toEqual(['ix_all']);
  });

  it("an older server's normalised wildcardProjection reads back as submitted: not drift", () => {
    const old = LIVE.map((r) => (r.name === 'ix_all' ? { ...r, wildcardProjection: { author: { website: true, name: true }, _id: false } } : r));
    expect(snapshotIndex(old[1]).wildcardProjection).toEqual({ 'author.website': 1, 'author.name': 1 });
    expect(diffSchema(ir, snap(old), mongo).items).toEqual([]);
    expect(submittedProjection({ a: 1, _id: 0 })).toEqual({ a: 1, _id: 0 });
    expect(submittedProjection({ a: true })).toEqual({ a: true });
  });

  it('what MongoDB cannot build is left out with a note naming why', () => {
    const base = { name: 'w', unique: false, named: true, origin: 'indexes' as const };
    expect(unsupportedIndex({ ...base, columns: ['$**'], directions: ['hashed'] })).toMatch(/wildcard key '\$\*\*' takes 1 or -1/);
    expect(unsupportedIndex({ ...base, columns: ['attrs.$**'], directions: [1], expireAfterSeconds: 60 })).toMatch(/cannot be a TTL index/);
    expect(unsupportedIndex({ ...base, columns: ['name', '$**'], directions: ['text', 1] })).toMatch(/compound wildcard index .* takes 1 \/ -1 keys only/);
    expect(unsupportedIndex({ ...base, columns: ['$**'], directions: [1] })).toBeUndefined();
    expect(unsupportedIndex({ ...base, columns: ['attrs.$**'], directions: [1], wildcardProjection: { b: 1 } })).toMatch(/wildcardProjection goes with the key '\$\*\*'.*not 'attrs\.\$\*\*'/);
    expect(unsupportedIndex({ ...base, columns: ['name'], directions: [1], wildcardProjection: { b: 1 } })).toMatch(/not an index without a wildcard key/);
    expect(unsupportedIndex({ ...base, columns: ['attrs.$**'], directions: ['text'] })).toMatch(/takes 1 or -1, not 'text'/);
    expect(unsupportedIndex({ ...base, columns: ['$**'], directions: ['text'], wildcardProjection: { a: 1 } })).toMatch(/takes no wildcardProjection/);
  });

  it("{ '$**': 'text' } is MongoDB's wildcard text index: created as declared, read back from listIndexes' weights", () => {
    const Notes = model('notes', { id: f.id(), body: f.text() }, { indexes: [{ name: 'ix_text_all', keys: { '$**': 'text' } }] });
    const nir = buildSchemaIR({ note: Notes });
    expect(unsupportedIndex(nir.models.note.indexes[0])).toBeUndefined();
    const cmds = planPush(nir, snapshotFrom([], () => []), mongo).toApply.flatMap((s) => s.sql).map((t) => JSON.parse(t) as Record<string, unknown>);
    expect(cmds).toContainEqual({ createIndexes: 'notes', indexes: [{ key: { '$**': 'text' }, name: 'ix_text_all' }] });
    const live = [
      { v: 2, key: { _id: 1 }, name: '_id_' },
      { v: 2, key: { _fts: 'text', _ftsx: 1 }, name: 'ix_text_all', weights: { '$**': 1 }, default_language: 'english', language_override: 'language', textIndexVersion: 3 },
    ];
    expect(diffSchema(nir, snapshotFrom([{ name: 'notes', type: 'collection' }], () => live), mongo).items).toEqual([]);
  });
});
