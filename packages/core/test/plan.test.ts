import { describe, expect, it } from 'vitest';
import { buildSchemaIR, f, model, planPush, searchObjectExists, type Snapshot } from '../src/index.js';
import { col, fixtureEmitter, idx, pgCaps, snapshotOf, sqliteCaps, tableOf } from './sync-fixtures.js';

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
    const plan = planPush(ir, empty(), { capabilities: pgCaps(), ddl: fixtureEmitter() });
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
    const plan = planPush(ir, empty(), { capabilities: sqliteCaps(), ddl: fixtureEmitter({ inlineForeignKeys: true }) });
    expect(plan.toApply.map((s) => s.op.op)).not.toContain('addForeignKey');
    expect(plan.notes.filter((n) => n.includes('FOREIGN KEY'))).toEqual([]);
  });

  it('never creates readonly models, and says so when their table is missing', () => {
    const plan = planPush(ir, empty(), { capabilities: pgCaps(), ddl: fixtureEmitter() });
    expect(plan.toApply.map((s) => s.label)).not.toContain('accounts');
    expect(plan.notes).toContain('accounts is readonly (owned elsewhere) and missing from the database; push never creates it');
  });

  it('emits extensions first only with enableExtensions, and tells the emitter they will exist', () => {
    const ddl = fixtureEmitter({ extensions: ['postgis', 'vector'] });
    const snap = { ...empty(), extensions: ['vector'] };
    expect(planPush(ir, snap, { capabilities: pgCaps(), ddl }).toApply[0].label).toBe('users');
    const plan = planPush(ir, snap, { capabilities: pgCaps(), ddl }, { enableExtensions: true });
    expect(plan.toApply[0]).toMatchObject({ label: 'extension postgis', sql: ['CREATE EXTENSION IF NOT EXISTS postgis'] });
    expect(plan.toSkip).toContain('extension vector');
    expect(ddl.envs.at(-1)).toMatchObject({ extensions: ['vector', 'postgis'] });
  });
});

describe('planPush on an existing database', () => {
  it('applies nothing when the database matches, and lists what exists', () => {
    const snap = snapshotOf(ir);
    snap.internal = ['posts_fts'];
    const plan = planPush(ir, snap, { capabilities: pgCaps(), ddl: fixtureEmitter() });
    expect(plan.toApply).toEqual([]);
    expect(plan.toSkip).toEqual(['users', 'posts', 'forge_users_uq_email', 'idx_name', 'forge_posts_fk_author_id', 'posts search', 'feed']);
    expect(plan.summary).toEqual({ apply: 0, skip: 7 });
    expect(plan.notes).toEqual([]);
  });

  it('adds missing columns, then indexes on them', () => {
    const snap = snapshotOf(ir);
    snap.internal = ['posts_fts'];
    const users = tableOf(snap, 'users');
    users.columns = users.columns.filter((c) => c.name !== 'email');
    users.indexes = users.indexes.filter((i) => i.name !== 'forge_users_uq_email');
    const plan = planPush(ir, snap, { capabilities: pgCaps(), ddl: fixtureEmitter() });
    expect(plan.toApply.map((s) => s.sql[0])).toEqual(['ALTER TABLE users ADD COLUMN email', 'CREATE UNIQUE INDEX forge_users_uq_email ON users']);
    expect(plan.toApply[0].label).toBe('users.email');
  });

  it('never drops or changes types: extra columns, extra tables and type changes become notes', () => {
    const snap = snapshotOf(ir);
    snap.internal = ['posts_fts'];
    tableOf(snap, 'users').columns.push(col('legacy'));
    tableOf(snap, 'users').columns.find((c) => c.name === 'name')!.type = 'integer';
    snap.tables.push({ name: 'audit_old', columns: [col('id')], indexes: [], foreignKeys: [] });
    const plan = planPush(ir, snap, { capabilities: pgCaps(), ddl: fixtureEmitter() });
    expect(plan.toApply).toEqual([]);
    expect(plan.notes).toEqual([
      'push does not drop table audit_old; run forge diff apply to drop it, or add it to the diff ignore list if another service owns it',
      'push does not drop users.legacy; run forge diff apply',
      'push does not change column types: users.name is string in the schema and int in the database; alter it by hand',
    ]);
  });

  it('adds a missing foreign key to an existing table; a comment-only answer is a note, not a statement to run', () => {
    const snap = snapshotOf(ir, 'sqlite');
    snap.internal = ['posts_fts'];
    tableOf(snap, 'posts').foreignKeys = [];
    const withAlter = planPush(ir, snap, { capabilities: pgCaps(), ddl: fixtureEmitter() });
    expect(withAlter.toApply.map((s) => s.sql[0])).toEqual(['ALTER TABLE posts ADD CONSTRAINT forge_posts_fk_author_id']);

    const plan = planPush(ir, snap, { capabilities: sqliteCaps(), ddl: fixtureEmitter({ inlineForeignKeys: true }) });
    expect(plan.toApply).toEqual([
      expect.objectContaining({ label: 'forge_posts_fk_author_id', sql: [], comment: 'cannot ALTER ADD FOREIGN KEY forge_posts_fk_author_id' }),
    ]);
    expect(plan.summary.apply).toBe(0);
    expect(plan.notes).toContain('forge_posts_fk_author_id: cannot ALTER ADD FOREIGN KEY forge_posts_fk_author_id');
  });

  it('lets ADD COLUMN ... REFERENCES carry the key of a new column where ALTER cannot add foreign keys', () => {
    const snap = snapshotOf(ir, 'sqlite');
    snap.internal = ['posts_fts'];
    const posts = tableOf(snap, 'posts');
    posts.columns = posts.columns.filter((c) => c.name !== 'author_id');
    posts.foreignKeys = [];
    const plan = planPush(ir, snap, { capabilities: sqliteCaps(), ddl: fixtureEmitter({ inlineForeignKeys: true }) });
    expect(plan.toApply.map((s) => s.label)).toEqual(['posts.author_id']);
    expect(plan.notes).toEqual([]);
  });

  it('skips an unnamed index present under another name, and a named one present by name', () => {
    const snap = snapshotOf(ir);
    snap.internal = ['posts_fts'];
    tableOf(snap, 'users').indexes.find((i) => i.name === 'forge_users_uq_email')!.name = 'users_email_key';
    const plan = planPush(ir, snap, { capabilities: pgCaps(), ddl: fixtureEmitter() });
    expect(plan.toApply).toEqual([]);
    expect(plan.toSkip).toContain('forge_users_uq_email');
  });

  it('does not recreate a named index whose live shape differs, and says what to do', () => {
    const snap = snapshotOf(ir);
    snap.internal = ['posts_fts'];
    tableOf(snap, 'users').indexes.find((i) => i.name === 'idx_name')!.columns = ['email'];
    const plan = planPush(ir, snap, { capabilities: pgCaps(), ddl: fixtureEmitter() });
    expect(plan.toApply).toEqual([]);
    expect(plan.notes).toContain(
      "index 'idx_name' on users exists as i:email but the schema declares i:name; push does not recreate indexes: drop it and run forge push again",
    );
  });

  it('creates search only where it is missing', () => {
    const snap = snapshotOf(ir);
    const plan = planPush(ir, snap, { capabilities: pgCaps(), ddl: fixtureEmitter() });
    expect(plan.toApply.map((s) => s.label)).toEqual(['posts search']);
    expect(plan.toApply[0].op).toMatchObject({ op: 'createSearch', columns: [expect.objectContaining({ name: 'body' })] });
  });

  it('treats a view that surfaces as a table as present', () => {
    const snap = snapshotOf(ir);
    snap.internal = ['posts_fts'];
    snap.views = [];
    snap.tables.push({ name: 'feed', columns: [col('id'), col('title')], indexes: [], foreignKeys: [] });
    expect(planPush(ir, snap, { capabilities: pgCaps(), ddl: fixtureEmitter() }).toApply).toEqual([]);
  });

  it('passes the installed extensions and the schema tables to the emitter', () => {
    const ddl = fixtureEmitter();
    planPush(ir, { ...empty(), extensions: ['postgis'] }, { capabilities: pgCaps(), ddl });
    expect(ddl.envs.length).toBeGreaterThan(0);
    for (const env of ddl.envs) expect(env).toEqual({ extensions: ['postgis'], tables: Object.values(ir.models) });
  });
});

describe('searchObjectExists', () => {
  const base = (): Snapshot => ({ dialect: 'x', tables: [{ name: 'posts', columns: [col('id')], indexes: [], foreignKeys: [] }], views: [] });

  it('finds the SQLite FTS5 table in internal or in tables', () => {
    expect(searchObjectExists('posts', base())).toBe(false);
    expect(searchObjectExists('posts', { ...base(), internal: ['posts_fts'] })).toBe(true);
    const snap = base();
    snap.tables.push({ name: 'posts_fts', columns: [], indexes: [], foreignKeys: [] });
    expect(searchObjectExists('posts', snap)).toBe(true);
  });

  it('finds the Postgres forge_fts column', () => {
    const snap = base();
    snap.tables[0].columns.push(col('forge_fts', 'tsvector'));
    snap.tables[0].indexes.push(idx('posts_forge_fts_idx', ['forge_fts'], { method: 'gin' }));
    expect(searchObjectExists('posts', snap)).toBe(true);
  });
});
