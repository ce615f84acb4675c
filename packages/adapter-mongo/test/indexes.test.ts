import { buildSchemaIR, diffSchema, f, model, planPush, type Snapshot } from '@forge/core';
import { describe, expect, it } from 'vitest';
import { capabilities } from '../src/capabilities.js';
import { commandText, parseCommandText } from '../src/command.js';
import { mongoDdl } from '../src/ddl.js';
import { mongoFacts } from '../src/facts.js';
import { indexSpec, snapshotIndex } from '../src/indexes.js';
import { snapshotFrom } from '../src/introspect.js';
import { conflictsWith, duplicatesPipeline, keyPattern } from '../src/lock.js';

const mongo = { capabilities, facts: mongoFacts, ddl: mongoDdl };

const COLLATION = { locale: 'en', strength: 2 };
/** The same collation as listIndexes echoes it: every default filled in (MongoDB manual, "Collation"). */
const COLLATION_ECHO = { locale: 'en', caseLevel: false, caseFirst: 'off', strength: 2, numericOrdering: false, alternate: 'non-ignorable', maxVariable: 'punct', normalization: false, backwards: false, version: '57.1' };

const User = model(
  'users',
  {
    id: f.id(),
    email: f.string().unique(),
    name: f.string(),
    status: f.string(),
    createdAt: f.dateTime(),
    expiresAt: f.dateTime(),
    title: f.string(),
    body: f.text(),
    loc: f.geoPoint(),
    grid: f.json(),
    tenant: f.string(),
  },
  {
    indexes: [
      { name: 'idx_active', keys: { status: 1, createdAt: -1 }, partialFilterExpression: { status: { $eq: 'active' }, createdAt: { $exists: true } } },
      { name: 'idx_name_ci', keys: { name: 1 }, collation: COLLATION },
      { name: 'idx_search', keys: { title: 'text', body: 'text' } },
      { name: 'idx_loc', keys: { loc: '2dsphere' } },
      { name: 'idx_grid', keys: { grid: '2d' } },
      { name: 'idx_tenant', keys: { tenant: 'hashed' } },
      { name: 'idx_ttl', keys: { expiresAt: 1 }, expireAfterSeconds: 3600 },
    ],
  },
);
const ir = buildSchemaIR({ user: User });
const users = ir.models.user;

/** listIndexes output for `users` as the server reports the schema's indexes (documented shapes, MongoDB 7). */
const LIVE_USERS = [
  { v: 2, key: { _id: 1 }, name: '_id_' },
  { v: 2, key: { email: 1 }, name: 'forge_users_uq_email', unique: true },
  // Keys of the partial filter in another order than the schema wrote them: not drift.
  { v: 2, key: { status: 1, createdAt: -1 }, name: 'idx_active', partialFilterExpression: { createdAt: { $exists: true }, status: { $eq: 'active' } } },
  { v: 2, key: { name: 1 }, name: 'idx_name_ci', collation: COLLATION_ECHO },
  { v: 2, key: { _fts: 'text', _ftsx: 1 }, name: 'idx_search', weights: { body: 1, title: 1 }, default_language: 'english', language_override: 'language', textIndexVersion: 3 },
  { v: 2, key: { loc: '2dsphere' }, name: 'idx_loc', '2dsphereIndexVersion': 3 },
  { v: 2, key: { grid: '2d' }, name: 'idx_grid' },
  { v: 2, key: { tenant: 'hashed' }, name: 'idx_tenant' },
  { v: 2, key: { expiresAt: 1 }, name: 'idx_ttl', expireAfterSeconds: 3600 },
];

const COLLECTIONS = [
  { name: 'users', type: 'collection', options: {}, info: { readOnly: false } },
  { name: 'system.profile', type: 'collection' },
  { name: 'system.views', type: 'collection' },
  { name: '_atlas_system_query_planner_caches', type: 'collection' },
  { name: '_forge_lock', type: 'collection' },
];

const snap = (rows: object[], extra: object[] = []): Snapshot => snapshotFrom([...COLLECTIONS, ...extra], (n) => (n === 'users' ? rows : [{ v: 2, key: { _id: 1 }, name: '_id_' }]));

describe('IndexIR to a createIndexes spec (golden)', () => {
  it('every kind of index the schema declares', () => {
    expect(users.indexes.map(indexSpec)).toEqual([
      { key: { email: 1 }, name: 'forge_users_uq_email', unique: true },
      { key: { status: 1, createdAt: -1 }, name: 'idx_active', partialFilterExpression: { status: { $eq: 'active' }, createdAt: { $exists: true } } },
      { key: { name: 1 }, name: 'idx_name_ci', collation: { locale: 'en', strength: 2 } },
      { key: { title: 'text', body: 'text' }, name: 'idx_search' },
      { key: { loc: '2dsphere' }, name: 'idx_loc' },
      { key: { grid: '2d' }, name: 'idx_grid' },
      { key: { tenant: 'hashed' }, name: 'idx_tenant' },
      { key: { expiresAt: 1 }, name: 'idx_ttl', expireAfterSeconds: 3600 },
    ]);
  });

  it('push on an empty database: create the collection, then one createIndexes per index, as Extended JSON', () => {
    const plan = planPush(ir, { dialect: 'mongo', tables: [], views: [] }, mongo);
    expect(plan.toApply.map((s) => s.sql)).toEqual([
      ['{"create":"users"}'],
      ...users.indexes.map((ix) => [commandText({ createIndexes: 'users', indexes: [indexSpec(ix)] })]),
    ]);
    expect(plan.toApply[2].sql[0]).toBe('{"createIndexes":"users","indexes":[{"key":{"status":1,"createdAt":-1},"name":"idx_active","partialFilterExpression":{"status":{"$eq":"active"},"createdAt":{"$exists":true}}}]}');
    // No column or key statements: the collection is schemaless.
    expect(plan.toApply.map((s) => s.op.op)).not.toContain('addColumn');
    expect(plan.notes).toEqual([]);
    // Each statement reads back as the command it prints.
    for (const s of plan.toApply) expect(commandText(parseCommandText(s.sql[0]))).toBe(s.sql[0]);
  });

  it('the primary key field id is _id on the server', () => {
    const T = model('t', { id: f.id(), at: f.dateTime() }, { indexes: [{ name: 'by_id_at', keys: { id: 1, at: -1 } }] });
    expect(indexSpec(buildSchemaIR({ t: T }).models.t.indexes[0]).key).toEqual({ _id: 1, at: -1 });
  });

  it('SQL-only options are a note, not a command', () => {
    const T = model('t', { id: f.id(), a: f.string() }, { indexes: [{ name: 'a_where', keys: { a: 1 }, where: 'a IS NOT NULL' }] });
    const e = mongoDdl.emit({ op: 'createIndex', table: 't', index: buildSchemaIR({ t: T }).models.t.indexes[0] });
    expect(e.sql).toEqual([]);
    expect(e.comment).toMatch(/MongoDB indexes take no where \(SQL-only\)/);
  });
});

describe('listIndexes rows to the snapshot', () => {
  it('text indexes from weights, numeric keys as 1 / -1, _id_ as the primary key', () => {
    expect(snapshotIndex(LIVE_USERS[4])).toEqual({ name: 'idx_search', columns: ['body', 'title'], directions: ['text', 'text'], unique: false, primary: false });
    expect(snapshotIndex(LIVE_USERS[0])).toMatchObject({ columns: ['id'], primary: true });
    expect(snapshotIndex({ v: 2, key: { a: 1.0, b: -1.0 }, name: 'x' }).directions).toEqual([1, -1]);
    expect(snapshotIndex({ v: 2, key: { a: 1, _fts: 'text', _ftsx: 1, z: 1 }, name: 'c', weights: { t: 5 } })).toMatchObject({ columns: ['a', 't', 'z'], directions: [1, 'text', 1] });
    expect(snapshotIndex(LIVE_USERS[8]).expireAfterSeconds).toBe(3600);
  });

  it('system.*, _atlas_* and forge\'s own collections are never the user\'s', () => {
    const s = snap(LIVE_USERS);
    expect(s.tables.map((t) => t.name)).toEqual(['users']);
    expect(s.internal).toEqual(['system.profile', 'system.views', '_atlas_system_query_planner_caches', '_forge_lock']);
  });
});

describe('diff: the deep index compare of seed 004', () => {
  it('in sync: key order in filters, echoed collation defaults and text weights are not drift', () => {
    const report = diffSchema(ir, snap(LIVE_USERS), mongo);
    expect(report.items).toEqual([]);
    expect(planPush(ir, snap(LIVE_USERS), mongo).toApply).toEqual([]);
  });

  const drifted = (i: number, row: object) => LIVE_USERS.map((r, j) => (j === i ? row : r));

  it('each drifted property is its own item, and push recreates that index (no "drop it by hand" note)', () => {
    const cases: Array<[number, object, string]> = [
      [2, { ...LIVE_USERS[2], partialFilterExpression: { status: { $eq: 'archived' } } }, `index 'idx_active' partialFilterExpression: schema={"createdAt":{"$exists":true},"status":{"$eq":"active"}} db={"status":{"$eq":"archived"}}`],
      [3, { ...LIVE_USERS[3], collation: { ...COLLATION_ECHO, strength: 3 } }, `index 'idx_name_ci' collation: schema={"locale":"en","strength":2}`],
      [3, { v: 2, key: { name: 1 }, name: 'idx_name_ci' }, `index 'idx_name_ci' collation: schema={"locale":"en","strength":2} db=∅`],
      [2, { ...LIVE_USERS[2], key: { status: 1, createdAt: 1 } }, `index 'idx_active' directions: schema=[1,-1] db=[1,1]`],
      [5, { v: 2, key: { loc: '2d' }, name: 'idx_loc' }, `index 'idx_loc' directions: schema=["2dsphere"] db=["2d"]`],
      [8, { ...LIVE_USERS[8], expireAfterSeconds: 60 }, `index 'idx_ttl' expireAfterSeconds: schema=3600 db=60`],
    ];
    for (const [i, row, detail] of cases) {
      const report = diffSchema(ir, snap(drifted(i, row)), mongo);
      expect(report.items.map((x) => x.detail), detail).toHaveLength(1);
      expect(report.items[0].detail.startsWith(detail), report.items[0].detail).toBe(true);
      expect(report.items[0]).toMatchObject({ kind: 'index', direction: 'mismatch' });
      const plan = planPush(ir, snap(drifted(i, row)), mongo);
      const name = (row as { name: string }).name;
      expect(plan.toApply.map((s) => s.label)).toEqual([name]);
      expect(plan.toApply[0].sql).toEqual([commandText({ createIndexes: 'users', indexes: [indexSpec(users.indexes.find((x) => x.name === name)!)] })]);
      expect(plan.notes.join('\n')).not.toMatch(/drop the index/);
    }
  });

  it('a missing index, a missing collection, an extra unique index and an extra collection', () => {
    const rows = LIVE_USERS.filter((r) => r.name !== 'idx_loc');
    rows.push({ v: 2, key: { name: 1, tenant: 1 }, name: 'legacy_uq', unique: true } as never);
    const report = diffSchema(ir, snap(rows, [{ name: 'logs', type: 'collection' }]), mongo);
    expect(report.items.map((i) => `${i.kind} ${i.direction} ${i.table}: ${i.detail}`)).toEqual([
      "table extra logs: table 'logs' in DB but not in schema",
      "index missing users: index 'idx_loc' (i:loc)",
      'index extra users: unique index u:name,tenant in DB but not in schema',
    ]);
    expect(diffSchema(ir, { dialect: 'mongo', tables: [], views: [] }, mongo).items.map((i) => i.detail)).toEqual(["table 'users'"]);
  });

  it('no column or foreign-key drift: documents carry their own fields', () => {
    const Post = model('posts', { id: f.id(), userId: f.string().refs(() => User), text: f.string() });
    const withPosts = buildSchemaIR({ user: User, post: Post });
    const s = snapshotFrom([...COLLECTIONS, { name: 'posts', type: 'collection' }], (n) => (n === 'users' ? LIVE_USERS : [{ v: 2, key: { _id: 1 }, name: '_id_' }]));
    expect(diffSchema(withPosts, s, mongo).items).toEqual([]);
    expect(planPush(withPosts, s, mongo).toApply).toEqual([]);
  });
});

describe('spec drift and duplicates at push time', () => {
  it('85 / 86: the live indexes to drop are the same name or the same key pattern, never _id_', () => {
    const spec = indexSpec(users.indexes.find((x) => x.name === 'idx_active')!);
    expect(conflictsWith(spec, [...LIVE_USERS, { v: 2, key: { status: 1, createdAt: -1 }, name: 'status_1_createdAt_-1' }] as never)).toEqual(['idx_active', 'status_1_createdAt_-1']);
    expect(conflictsWith({ name: 'x', key: { _id: 1 } }, LIVE_USERS as never)).toEqual([]);
    expect(keyPattern({ a: 1, b: -1 })).not.toBe(keyPattern({ b: -1, a: 1 }));
    expect(keyPattern({ a: 1.0 })).toBe(keyPattern({ a: 1 }));
  });

  it('a tightened unique over duplicate data: the pipeline that names the offending keys (within the partial filter)', () => {
    expect(duplicatesPipeline({ key: { email: 1, 'profile.org': 1 }, partialFilterExpression: { active: true } })).toEqual([
      { $match: { active: true } },
      { $group: { _id: { email: '$email', profile_org: '$profile.org' }, count: { $sum: 1 } } },
      { $match: { count: { $gt: 1 } } },
      { $sort: { count: -1 } },
      { $limit: 5 },
    ]);
  });
});
