import { describe, expect, it } from 'vitest';
import { buildSchemaIR, f, model, planPush, SchemaError, type Snapshot } from '../src/index.js';
import { col, fixtureEmitter, idx, pgCaps, snapshotOf, sqliteCaps, tableOf } from './sync-fixtures.js';
import { lite, pg } from './facts-fixtures.js';

const User = model('users', { id: f.id(), email: f.string().unique(), name: f.string().optional() }, { indexes: [{ name: 'idx_name', keys: { name: 1 } }] });
const Post = model('posts', {
  id: f.id(),
  authorId: f.string().map('author_id').refs(() => User),
  title: f.string(),
  body: f.text().searchable(),
});
const Feed = model('feed', { id: f.string(), title: f.string() }, { view: { sql: 'SELECT id, title FROM posts' } });
const Shared = model('accounts', { id: f.id(), plan: f.string() }, { readonly: true });
const ir = buildSchemaIR({ user: User, post: Post, feed: Feed, shared: Shared });
const empty = (): Snapshot => ({ dialect: 'postgres', tables: [], views: [], extensions: [] });

describe('planPush on an empty database', () => {
  it('creates everything in dependency order; foreign keys after all tables where ALTER can add them', () => {
    const plan = planPush(ir, empty(), { ...pg(), ddl: fixtureEmitter() });
    expect(plan.toApply.map((s) => s.sql.join('; '))).toEqual([
      'CREATE TABLE users',
      'CREATE TABLE posts',
      'CREATE UNIQUE INDEX forge_users_uq_email ON users',
      'CREATE INDEX idx_name ON users',
      'ALTER TABLE posts ADD CONSTRAINT forge_posts_fk_author_id',
      'CREATE SEARCH posts(body)',
      'CREATE VIEW feed',
    ]);
    expect(plan.toApply.map((s) => s.label)).toEqual(['users', 'posts', 'forge_users_uq_email', 'idx_name', 'forge_posts_fk_author_id', 'posts search', 'feed']);
    expect(plan.toSkip).toEqual([]);
    expect(plan.summary).toEqual({ apply: 7, skip: 0 });
  });

  it('leaves foreign keys of new tables to CREATE TABLE where ALTER cannot add them', () => {
    const plan = planPush(ir, empty(), { ...lite(), ddl: fixtureEmitter({ inlineForeignKeys: true }) });
    expect(plan.toApply.map((s) => s.op.op)).not.toContain('addForeignKey');
    expect(plan.notes.filter((n) => n.includes('FOREIGN KEY'))).toEqual([]);
  });

  it('creates a referenced table before the tables whose inline keys name it, where ALTER cannot add keys', () => {
    // Declared child first: a dialect that checks the target of an inline REFERENCES (DuckDB) needs users first.
    const Comment = model('comments', { id: f.id(), postId: f.string().refs(() => Post), userId: f.string().refs(() => User) });
    const childFirst = buildSchemaIR({ comment: Comment, post: Post, user: User });
    const created = (caps: ReturnType<typeof lite>) =>
      planPush(childFirst, empty(), { ...caps, ddl: fixtureEmitter({ inlineForeignKeys: true }) })
        .toApply.filter((s) => s.op.op === 'createTable')
        .map((s) => s.label);
    expect(created(lite())).toEqual(['users', 'posts', 'comments']);
    // With ALTER ... ADD FOREIGN KEY the declared order stays: the keys come after every table.
    expect(planPush(childFirst, empty(), { ...pg(), ddl: fixtureEmitter() }).toApply.filter((s) => s.op.op === 'createTable').map((s) => s.label)).toEqual([
      'comments',
      'posts',
      'users',
    ]);
  });

  it('.unique() on one column of a composite primary key is an index of its own; on the whole key it is the key', () => {
    const Pair = model('pairs', { a: f.string().unique(), b: f.string() }, { primaryKey: ['a', 'b'] });
    const Solo = model('solo', { id: f.id().unique() });
    const built = buildSchemaIR({ pair: Pair, solo: Solo });
    expect(built.models.pair.indexes.map((ix) => [ix.columns, ix.unique])).toEqual([[['a'], true]]);
    expect(built.models.solo.indexes).toEqual([]);
  });

  it('never creates readonly models, and says so when their table is missing', () => {
    const plan = planPush(ir, empty(), { ...pg(), ddl: fixtureEmitter() });
    expect(plan.toApply.map((s) => s.label)).not.toContain('accounts');
    expect(plan.notes).toContain('accounts is readonly (owned elsewhere) and missing from the database; push never creates it');
  });

  it('emits extensions first only with enableExtensions, and tells the emitter they will exist', () => {
    const ddl = fixtureEmitter({ extensions: ['postgis', 'vector'] });
    const snap = { ...empty(), extensions: ['vector'] };
    expect(planPush(ir, snap, { ...pg(), ddl }).toApply[0].label).toBe('users');
    const plan = planPush(ir, snap, { ...pg(), ddl }, { enableExtensions: true });
    expect(plan.toApply[0]).toMatchObject({ label: 'extension postgis', sql: ['CREATE EXTENSION IF NOT EXISTS postgis'] });
    expect(plan.toSkip).toContain('extension vector');
    expect(ddl.envs.at(-1)).toMatchObject({ extensions: ['vector', 'postgis'] });
  });
});

describe('planPush on an existing database', () => {
  it('applies nothing when the database matches, and lists what exists', () => {
    const snap = snapshotOf(ir);
    snap.search = [{ table: 'posts', columns: ['body'], complete: true }];
    const plan = planPush(ir, snap, { ...pg(), ddl: fixtureEmitter() });
    expect(plan.toApply).toEqual([]);
    expect(plan.toSkip).toEqual(['users', 'posts', 'forge_users_uq_email', 'idx_name', 'forge_posts_fk_author_id', 'posts search', 'feed']);
    expect(plan.summary).toEqual({ apply: 0, skip: 7 });
    expect(plan.notes).toEqual([]);
  });

  it('adds missing columns, then indexes on them', () => {
    const snap = snapshotOf(ir);
    snap.search = [{ table: 'posts', columns: ['body'], complete: true }];
    const users = tableOf(snap, 'users');
    users.columns = users.columns.filter((c) => c.name !== 'email');
    users.indexes = users.indexes.filter((i) => i.name !== 'forge_users_uq_email');
    const plan = planPush(ir, snap, { ...pg(), ddl: fixtureEmitter() });
    expect(plan.toApply.map((s) => s.sql[0])).toEqual(['ALTER TABLE users ADD COLUMN email', 'CREATE UNIQUE INDEX forge_users_uq_email ON users']);
    expect(plan.toApply[0].label).toBe('users.email');
  });

  it('never drops or changes types: extra columns, extra tables and type changes become notes', () => {
    const snap = snapshotOf(ir);
    snap.search = [{ table: 'posts', columns: ['body'], complete: true }];
    tableOf(snap, 'users').columns.push(col('legacy'));
    tableOf(snap, 'users').columns.find((c) => c.name === 'name')!.type = 'integer';
    snap.tables.push({ name: 'audit_old', columns: [col('id')], indexes: [], foreignKeys: [] });
    const plan = planPush(ir, snap, { ...pg(), ddl: fixtureEmitter() });
    expect(plan.toApply).toEqual([]);
    expect(plan.notes).toEqual([
      'push does not drop table audit_old; run forge diff apply to drop it, or add it to the diff ignore list if another service owns it',
      'push does not drop users.legacy; run forge diff apply',
      'push does not change column types: users.name is string in the schema and int in the database (push is additive only); forge cannot alter a column on postgres: alter it by hand',
    ]);
  });

  it('adds a missing foreign key to an existing table; a comment-only answer is a note, not a statement to run', () => {
    const snap = snapshotOf(ir, 'sqlite');
    snap.search = [{ table: 'posts', columns: ['body'], complete: true }];
    tableOf(snap, 'posts').foreignKeys = [];
    const withAlter = planPush(ir, snap, { ...pg(), ddl: fixtureEmitter() });
    expect(withAlter.toApply.map((s) => s.sql[0])).toEqual(['ALTER TABLE posts ADD CONSTRAINT forge_posts_fk_author_id']);

    const plan = planPush(ir, snap, { ...lite(), ddl: fixtureEmitter({ inlineForeignKeys: true }) });
    expect(plan.toApply).toEqual([
      expect.objectContaining({ label: 'forge_posts_fk_author_id', sql: [], comment: 'cannot ALTER ADD FOREIGN KEY forge_posts_fk_author_id' }),
    ]);
    expect(plan.summary.apply).toBe(0);
    expect(plan.notes).toContain('forge_posts_fk_author_id: cannot ALTER ADD FOREIGN KEY forge_posts_fk_author_id');
  });

  it('lets ADD COLUMN ... REFERENCES carry the key of a new column where ALTER cannot add foreign keys', () => {
    const snap = snapshotOf(ir, 'sqlite');
    snap.search = [{ table: 'posts', columns: ['body'], complete: true }];
    const posts = tableOf(snap, 'posts');
    posts.columns = posts.columns.filter((c) => c.name !== 'author_id');
    posts.foreignKeys = [];
    const plan = planPush(ir, snap, { ...lite(), ddl: fixtureEmitter({ inlineForeignKeys: true }) });
    expect(plan.toApply.map((s) => s.label)).toEqual(['posts.author_id']);
    expect(plan.notes).toEqual([]);
  });

  it('skips an unnamed index present under another name, and a named one present by name', () => {
    const snap = snapshotOf(ir);
    snap.search = [{ table: 'posts', columns: ['body'], complete: true }];
    tableOf(snap, 'users').indexes.find((i) => i.name === 'forge_users_uq_email')!.name = 'users_email_key';
    const plan = planPush(ir, snap, { ...pg(), ddl: fixtureEmitter() });
    expect(plan.toApply).toEqual([]);
    expect(plan.toSkip).toContain('forge_users_uq_email');
  });

  it('does not recreate a named index whose live shape differs, and says what to do', () => {
    const snap = snapshotOf(ir);
    snap.search = [{ table: 'posts', columns: ['body'], complete: true }];
    tableOf(snap, 'users').indexes.find((i) => i.name === 'idx_name')!.columns = ['email'];
    const plan = planPush(ir, snap, { ...pg(), ddl: fixtureEmitter() });
    expect(plan.toApply).toEqual([]);
    expect(plan.notes).toContain(
      "index 'idx_name' on users exists as i:email but the schema declares i:name; push does not recreate indexes: drop it and run forge push again",
    );
  });

  it('creates search only where it is missing', () => {
    const snap = snapshotOf(ir);
    const plan = planPush(ir, snap, { ...pg(), ddl: fixtureEmitter() });
    expect(plan.toApply.map((s) => s.label)).toEqual(['posts search']);
    expect(plan.toApply[0].op).toMatchObject({ op: 'createSearch', columns: [expect.objectContaining({ name: 'body' })] });
  });

  it('treats a view that surfaces as a table as present', () => {
    const snap = snapshotOf(ir);
    snap.search = [{ table: 'posts', columns: ['body'], complete: true }];
    snap.views = [];
    snap.tables.push({ name: 'feed', columns: [col('id'), col('title')], indexes: [], foreignKeys: [] });
    expect(planPush(ir, snap, { ...pg(), ddl: fixtureEmitter() }).toApply).toEqual([]);
  });

  it('passes the installed extensions and the schema tables to the emitter', () => {
    const ddl = fixtureEmitter();
    planPush(ir, { ...empty(), extensions: ['postgis'] }, { ...pg(), ddl });
    expect(ddl.envs.length).toBeGreaterThan(0);
    for (const env of ddl.envs) expect(env).toEqual({ extensions: ['postgis'], tables: Object.values(ir.models) });
  });
});

describe('planPush and the search object (Snapshot.search, as the adapter recognised it)', () => {
  const Note = () =>
    model('notes', { id: f.id(), title: f.string(), body: f.text(), tag: f.string().optional() }, { indexes: [{ keys: { tag: 1 }, name: 'idx_notes_fts_lookup' }] });
  const irWith = (cols: string[]) => {
    const t = buildSchemaIR({ n: Note() });
    for (const c of t.models.n.columns) if (cols.includes(c.name)) c.searchable = true;
    return t;
  };

  it('rebuilds the search object when a second field becomes searchable', () => {
    const ir2 = irWith(['title', 'body']);
    const snap = snapshotOf(ir2);
    snap.search = [{ table: 'notes', columns: ['title'], complete: true }];
    const plan = planPush(ir2, snap, { ...pg(), ddl: fixtureEmitter() });
    expect(plan.toApply.map((s) => s.op)).toEqual([
      { op: 'dropSearch', table: 'notes', columns: ['title'] },
      expect.objectContaining({ op: 'createSearch', columns: [expect.objectContaining({ name: 'title' }), expect.objectContaining({ name: 'body' })] }),
    ]);
    snap.search = [{ table: 'notes', columns: ['body', 'title'], complete: true }];
    expect(planPush(ir2, snap, { ...pg(), ddl: fixtureEmitter() }).toApply).toEqual([]);
  });

  it('rebuilds a half-built search object', () => {
    const ir1 = irWith(['title']);
    const snap = snapshotOf(ir1);
    snap.search = [{ table: 'notes', columns: ['title'], complete: false }];
    expect(planPush(ir1, snap, { ...lite(), ddl: fixtureEmitter() }).toApply.map((s) => s.op.op)).toEqual(['dropSearch', 'createSearch']);
  });

  it('creates an index whose name contains _fts like any other', () => {
    const ir1 = irWith(['title']);
    const snap = snapshotOf(ir1);
    snap.search = [{ table: 'notes', columns: ['title'], complete: true }];
    tableOf(snap, 'notes').indexes = tableOf(snap, 'notes').indexes.filter((i) => i.name !== 'idx_notes_fts_lookup');
    expect(planPush(ir1, snap, { ...pg(), ddl: fixtureEmitter() }).toApply.map((s) => s.label)).toEqual(['idx_notes_fts_lookup']);
  });
});

describe('planPush: names that share one namespace', () => {
  it('refuses two indexes of one name on two tables, before any DDL', () => {
    const a = model('a', { id: f.id(), x: f.string() }, { indexes: [{ keys: { x: 1 }, name: 'idx_x' }] });
    const b = model('b', { id: f.id(), x: f.string() }, { indexes: [{ keys: { x: 1 }, name: 'idx_x' }] });
    const two = buildSchemaIR({ a, b });
    expect(() => planPush(two, empty(), { ...pg(), ddl: fixtureEmitter() })).toThrow(SchemaError);
    expect(() => planPush(two, empty(), { ...lite(), ddl: fixtureEmitter() })).toThrow(/index 'idx_x' on 'b' and index 'idx_x' on 'a' have the same name/);
    // Where index names are per table, the same two indexes are fine.
    const perTable = { ...pg(), facts: { ...pg().facts, indexNamespace: 'table' as const } };
    expect(() => planPush(two, empty(), { ...perTable, ddl: fixtureEmitter() })).not.toThrow();
  });

  it('refuses an index named like a table, or like the search object of a table', () => {
    const users = model('users', { id: f.id(), email: f.string() });
    const clash = model('posts', { id: f.id(), email: f.string() }, { indexes: [{ keys: { email: 1 }, name: 'users' }] });
    expect(() => planPush(buildSchemaIR({ users, clash }), empty(), { ...pg(), ddl: fixtureEmitter() })).toThrow(/table 'users'/);
    const notes = model('notes', { id: f.id(), body: f.text().searchable() });
    const shadow = model('notes_fts', { id: f.id() });
    expect(() => planPush(buildSchemaIR({ notes, shadow }), empty(), { ...lite(), ddl: fixtureEmitter() })).toThrow(/full-text search object 'notes_fts'/);
    // On Postgres the search object is a column and an index: a table of that name is fine there.
    expect(() => planPush(buildSchemaIR({ notes, shadow }), empty(), { ...pg(), ddl: fixtureEmitter() })).not.toThrow();
  });

  it("refuses an index named like the primary key's own index on Postgres", () => {
    const users = model('users', { id: f.id(), email: f.string() }, { indexes: [{ keys: { email: 1 }, name: 'users_pkey' }] });
    expect(() => planPush(buildSchemaIR({ users }), empty(), { ...pg(), ddl: fixtureEmitter() })).toThrow(/users_pkey/);
    expect(() => planPush(buildSchemaIR({ users }), empty(), { ...lite(), ddl: fixtureEmitter() })).not.toThrow();
  });
});

describe('planPush: a partial unique index does not satisfy an unnamed unique one', () => {
  it('creates the unique index when only a partial one exists on its columns', () => {
    const ir1 = buildSchemaIR({ u: model('users', { id: f.id(), email: f.string().unique(), active: f.bool() }) });
    const snap = snapshotOf(ir1);
    const partial = tableOf(snap, 'users').indexes[1];
    Object.assign(partial, { name: 'users_email_active', where: '(active = true)' });
    expect(planPush(ir1, snap, { ...pg(), ddl: fixtureEmitter() }).toApply.map((s) => s.label)).toEqual(['forge_users_uq_email']);
    delete partial.where;
    expect(planPush(ir1, snap, { ...pg(), ddl: fixtureEmitter() }).toApply).toEqual([]);
  });
});
