import { describe, expect, it } from 'vitest';
import { buildSchemaIR, diffSchema, f, model, type DriftItem, type SchemaIR, type Snapshot } from '../src/index.js';
import { col, idx, pgCaps, snapshotOf, sqliteCaps, tableOf } from './sync-fixtures.js';
import { lite, pg } from './facts-fixtures.js';

const User = model(
  'users',
  { id: f.id(), email: f.string().unique(), name: f.string().optional(), age: f.int(), active: f.bool() },
  { indexes: [{ name: 'idx_email_active', keys: { email: 1 }, where: 'active = true' }, { keys: { name: 1 } }] },
);
const Post = model(
  'posts',
  { id: f.id(), authorId: f.string().map('author_id').refs(() => User), title: f.string(), body: f.text().searchable() },
  { uniques: [['authorId', 'title']] },
);
const ActiveUsers = model('active_users', { id: f.string(), email: f.string() }, { view: { sql: 'SELECT id, email FROM users WHERE active' } });

function setup(): { ir: SchemaIR; snap: Snapshot } {
  const ir = buildSchemaIR({ user: User, post: Post, activeUsers: ActiveUsers });
  // The search object a push made for posts.body, as the adapter reports it.
  return { ir, snap: { ...snapshotOf(ir), search: [{ table: 'posts', columns: ['body'], complete: true }] } };
}

const only = (items: DriftItem[]) => {
  expect(items).toHaveLength(1);
  return items[0];
};

describe('diffSchema: in sync', () => {
  it('reports nothing for a database that matches the schema', () => {
    const { ir, snap } = setup();
    expect(diffSchema(ir, snap, pg())).toEqual({ dialect: 'postgres', items: [], inSync: true, ignored: [] });
  });

  it('does not care about table or column order in the snapshot', () => {
    const { ir, snap } = setup();
    snap.tables.reverse();
    for (const t of snap.tables) t.columns.reverse();
    expect(diffSchema(ir, snap, pg()).inSync).toBe(true);
  });
});

describe('diffSchema: tables and views', () => {
  it('table missing', () => {
    const { ir, snap } = setup();
    snap.tables = snap.tables.filter((t) => t.name !== 'posts');
    expect(only(diffSchema(ir, snap, pg()).items)).toEqual({ kind: 'table', direction: 'missing', table: 'posts', detail: "table 'posts'" });
  });

  it('table extra', () => {
    const { ir, snap } = setup();
    snap.tables.push({ name: 'audit_old', columns: [col('id')], indexes: [], foreignKeys: [] });
    expect(only(diffSchema(ir, snap, pg()).items)).toEqual({
      kind: 'table',
      direction: 'extra',
      table: 'audit_old',
      detail: "table 'audit_old' in DB but not in schema",
    });
  });

  it('table names compare exactly', () => {
    const { ir, snap } = setup();
    tableOf(snap, 'posts').name = 'Posts';
    const items = diffSchema(ir, snap, pg()).items;
    expect(items.map((i) => [i.kind, i.direction, i.table])).toEqual([
      ['table', 'extra', 'Posts'],
      ['table', 'missing', 'posts'],
    ]);
  });

  it('view missing when neither a view nor a table has its name', () => {
    const { ir, snap } = setup();
    snap.views = [];
    expect(only(diffSchema(ir, snap, pg()).items)).toEqual({
      kind: 'view',
      direction: 'missing',
      table: 'active_users',
      detail: "view 'active_users'",
    });
  });

  it('a view backed by a table (materialised view) satisfies the declaration and is not an extra table', () => {
    const { ir, snap } = setup();
    snap.views = [];
    snap.tables.push({ name: 'active_users', columns: [col('id'), col('email')], indexes: [], foreignKeys: [] });
    expect(diffSchema(ir, snap, pg()).items).toEqual([]);
  });

  it('never reports a live view name as an extra table', () => {
    const { ir, snap } = setup();
    snap.views.push({ name: 'report_mv', materialized: true });
    snap.tables.push({ name: 'report_mv', columns: [col('n', 'integer')], indexes: [], foreignKeys: [] });
    expect(diffSchema(ir, snap, pg()).items).toEqual([]);
  });
});

describe('diffSchema: columns', () => {
  it('column missing', () => {
    const { ir, snap } = setup();
    const users = tableOf(snap, 'users');
    users.columns = users.columns.filter((c) => c.name !== 'name');
    expect(only(diffSchema(ir, snap, pg()).items)).toEqual({
      kind: 'column',
      direction: 'missing',
      table: 'users',
      column: 'name',
      detail: "column 'name'",
    });
  });

  it('column extra', () => {
    const { ir, snap } = setup();
    tableOf(snap, 'users').columns.push(col('legacy_blob', 'bytea'));
    expect(only(diffSchema(ir, snap, pg()).items)).toEqual({
      kind: 'column',
      direction: 'extra',
      table: 'users',
      column: 'legacy_blob',
      detail: "column 'legacy_blob' in DB but not in schema",
    });
  });

  it('uses the mapped column name, not the field name', () => {
    const { ir, snap } = setup();
    expect(tableOf(snap, 'posts').columns.map((c) => c.name)).toContain('author_id');
    expect(diffSchema(ir, snap, pg()).inSync).toBe(true);
  });

  it('names containing _fts are the user\'s like any other: nothing is guessed from a name', () => {
    const Note = model('notes', { id: f.id(), body_fts: f.string(), tag: f.string() }, { indexes: [{ keys: { tag: 1 }, name: 'idx_notes_fts_lookup' }] });
    const ir = buildSchemaIR({ note: Note });
    const snap = snapshotOf(ir);
    const notes = tableOf(snap, 'notes');
    notes.indexes = notes.indexes.filter((i) => i.name !== 'idx_notes_fts_lookup');
    notes.columns = notes.columns.filter((c) => c.name !== 'body_fts');
    notes.columns.push(col('forge_fts', 'tsvector'));
    expect(diffSchema(ir, snap, pg()).items.map((i) => [i.kind, i.direction, i.column ?? i.index])).toEqual([
      ['column', 'missing', 'body_fts'],
      ['column', 'extra', 'forge_fts'],
      ['index', 'missing', 'idx_notes_fts_lookup'],
    ]);
  });

  it('column ordering and default expressions are not drift', () => {
    const { ir, snap } = setup();
    const users = tableOf(snap, 'users');
    users.columns = [users.columns[3], users.columns[0], users.columns[4], users.columns[1], users.columns[2]];
    users.columns[1].default = 'gen_random_uuid()';
    expect(diffSchema(ir, snap, pg()).items).toEqual([]);
  });
});

describe('diffSchema: column types by category', () => {
  it('columnType mismatch when the categories differ', () => {
    const { ir, snap } = setup();
    tableOf(snap, 'users').columns.find((c) => c.name === 'age')!.type = 'text';
    expect(only(diffSchema(ir, snap, pg()).items)).toEqual({
      kind: 'columnType',
      direction: 'mismatch',
      table: 'users',
      column: 'age',
      property: 'type',
      schema: 'int',
      db: 'string',
      detail: "column 'age' type: schema=int db=string (text)",
    });
  });

  it('spellings of the same category are not drift', () => {
    const { ir, snap } = setup();
    const users = tableOf(snap, 'users');
    users.columns.find((c) => c.name === 'email')!.type = 'character varying(255)';
    users.columns.find((c) => c.name === 'age')!.type = 'int4';
    users.columns.find((c) => c.name === 'active')!.type = 'bool';
    expect(diffSchema(ir, snap, pg()).items).toEqual([]);
  });

  it('is skipped where the dialect does not compare types (SQLite)', () => {
    const { ir, snap } = setup();
    tableOf(snap, 'users').columns.find((c) => c.name === 'age')!.type = 'text';
    expect(diffSchema(ir, snap, lite()).items).toEqual([]);
  });

  it('a .dbType() column is compared by the category of that type', () => {
    const T = model('things', { id: f.id({ type: 'int' }), code: f.int().dbType('varchar(12)') });
    const ir = buildSchemaIR({ T });
    const snap = snapshotOf(ir);
    tableOf(snap, 'things').columns[0].type = 'integer';
    expect(diffSchema(ir, snap, pg()).items).toEqual([]);
    tableOf(snap, 'things').columns[1].type = 'integer';
    expect(only(diffSchema(ir, snap, pg()).items)).toMatchObject({ kind: 'columnType', column: 'code', schema: 'string', db: 'int' });
  });

  it('types without a category on either side are skipped', () => {
    const T = model('docs', { id: f.id(), tags: f.stringArray(), data: f.json() });
    const ir = buildSchemaIR({ T });
    const snap = snapshotOf(ir);
    tableOf(snap, 'docs').columns[1].type = 'integer';
    tableOf(snap, 'docs').columns[2].type = 'user-defined';
    expect(diffSchema(ir, snap, pg()).items).toEqual([]);
  });
});

describe('diffSchema: index presence', () => {
  it('index missing by column set and uniqueness', () => {
    const { ir, snap } = setup();
    const users = tableOf(snap, 'users');
    users.indexes = users.indexes.filter((i) => i.name !== 'forge_users_uq_email');
    expect(only(diffSchema(ir, snap, pg()).items)).toEqual({
      kind: 'index',
      direction: 'missing',
      table: 'users',
      index: 'forge_users_uq_email',
      detail: "index 'forge_users_uq_email' (u:email)",
    });
  });

  it('an index with the same signature under another name is present', () => {
    const { ir, snap } = setup();
    const users = tableOf(snap, 'users');
    users.indexes.find((i) => i.name === 'forge_users_idx_name')!.name = 'users_name_idx';
    expect(diffSchema(ir, snap, pg()).items).toEqual([]);
  });

  it('uniqueness is part of the signature', () => {
    const { ir, snap } = setup();
    tableOf(snap, 'users').indexes.find((i) => i.name === 'forge_users_uq_email')!.unique = false;
    expect(only(diffSchema(ir, snap, pg()).items)).toMatchObject({ kind: 'index', direction: 'missing', index: 'forge_users_uq_email' });
  });

  it('expression indexes match on the normalised expression', () => {
    const T = model('accounts', { id: f.id(), email: f.string() }, { indexes: [{ expression: 'lower(email)', unique: true }] });
    const ir = buildSchemaIR({ T });
    const snap = snapshotOf(ir);
    const live = tableOf(snap, 'accounts').indexes[1];
    live.name = 'accounts_lower_email';
    live.expression = 'lower((email)::text)';
    expect(diffSchema(ir, snap, pg()).items).toEqual([]);
    live.expression = 'upper((email)::text)';
    expect(diffSchema(ir, snap, pg()).items.map((i) => [i.kind, i.direction])).toEqual([
      ['index', 'extra'],
      ['index', 'missing'],
    ]);
  });

  it('index extra: a unique index the schema does not declare', () => {
    const { ir, snap } = setup();
    tableOf(snap, 'users').indexes.push(idx('u:legacy_email', ['legacy_email'], { unique: true }));
    tableOf(snap, 'users').columns.push(col('legacy_email'));
    const items = diffSchema(ir, snap, pg()).items.filter((i) => i.kind === 'index');
    expect(only(items)).toEqual({
      kind: 'index',
      direction: 'extra',
      table: 'users',
      index: 'u:legacy_email',
      detail: 'unique index u:legacy_email in DB but not in schema',
    });
  });

  it('extra non-unique indexes are not drift', () => {
    const { ir, snap } = setup();
    tableOf(snap, 'users').indexes.push(idx('users_age_stats', ['age']));
    expect(diffSchema(ir, snap, pg()).items).toEqual([]);
  });

  it('unique indexes from .unique(), uniques and primary keys are not extra', () => {
    const { ir, snap } = setup();
    // SQLite backs a TEXT primary key with an unflagged autoindex.
    tableOf(snap, 'posts').indexes.push(idx('sqlite_autoindex_posts_1', ['id'], { unique: true }));
    tableOf(snap, 'posts').indexes.find((i) => i.name === 'forge_posts_uq_author_id_title')!.columns = ['title', 'author_id'];
    expect(diffSchema(ir, snap, pg()).items).toEqual([]);
  });
});

describe('diffSchema: deep index comparison of named indexes', () => {
  const named = (extra: Record<string, unknown>) =>
    model('users', { id: f.id(), email: f.string(), active: f.bool() }, { indexes: [{ name: 'idx_email_active', keys: { email: 1 }, ...extra }] });

  it('method mismatch', () => {
    const ir = buildSchemaIR({ u: named({ method: 'gin' }) });
    const snap = snapshotOf(ir);
    tableOf(snap, 'users').indexes[1].method = 'btree';
    expect(only(diffSchema(ir, snap, pg()).items)).toEqual({
      kind: 'index',
      direction: 'mismatch',
      table: 'users',
      index: 'idx_email_active',
      property: 'method',
      schema: 'gin',
      db: 'btree',
      detail: "index 'idx_email_active' method: schema=gin db=btree",
    });
  });

  it('an unset method compares as btree', () => {
    const ir = buildSchemaIR({ u: named({}) });
    const snap = snapshotOf(ir);
    expect(diffSchema(ir, snap, pg()).items).toEqual([]);
    tableOf(snap, 'users').indexes[1].method = 'hash';
    expect(only(diffSchema(ir, snap, pg()).items)).toMatchObject({ property: 'method', schema: 'btree', db: 'hash' });
  });

  it('where mismatch, shown as ∅ when absent', () => {
    const ir = buildSchemaIR({ u: named({ where: 'active = true' }) });
    const snap = snapshotOf(ir);
    tableOf(snap, 'users').indexes[1].where = undefined;
    expect(only(diffSchema(ir, snap, pg()).items)).toEqual({
      kind: 'index',
      direction: 'mismatch',
      table: 'users',
      index: 'idx_email_active',
      property: 'where',
      schema: 'active = true',
      db: null,
      detail: "index 'idx_email_active' where: schema=active = true db=∅",
    });
  });

  it("the database's echo-back form of where is not drift", () => {
    const ir = buildSchemaIR({ u: named({ where: "status = 'live' AND deleted_at IS NULL" }) });
    const snap = snapshotOf(ir);
    tableOf(snap, 'users').indexes[1].where = "(((status)::text = 'live'::text) AND (deleted_at IS NULL))";
    expect(diffSchema(ir, snap, pg()).items).toEqual([]);
  });

  it('one item per differing property', () => {
    const ir = buildSchemaIR({ u: named({ method: 'gin', where: 'active', include: ['active'] }) });
    const snap = snapshotOf(ir);
    Object.assign(tableOf(snap, 'users').indexes[1], { method: 'btree', where: undefined, include: undefined, directions: [-1] });
    expect(diffSchema(ir, snap, pg()).items.map((i) => i.property)).toEqual(['directions', 'include', 'method', 'where']);
  });

  it('expression mismatch', () => {
    const ir = buildSchemaIR({
      u: model('users', { id: f.id(), email: f.string() }, { indexes: [{ name: 'idx_lower', expression: 'lower(email)' }] }),
    });
    const snap = snapshotOf(ir);
    tableOf(snap, 'users').indexes[1].expression = 'upper((email)::text)';
    expect(diffSchema(ir, snap, pg()).items).toContainEqual(
      expect.objectContaining({ direction: 'mismatch', property: 'expression', schema: 'lower(email)', db: 'upper((email)::text)' }),
    );
  });

  it('properties the dialect cannot hold are not compared', () => {
    const ir = buildSchemaIR({ u: named({ include: ['active'] }) });
    const snap = snapshotOf(ir);
    tableOf(snap, 'users').indexes[1].include = undefined;
    tableOf(snap, 'users').indexes[1].method = undefined;
    expect(diffSchema(ir, snap, lite()).items).toEqual([]);
  });

  it('unnamed indexes are not deep-compared', () => {
    const ir = buildSchemaIR({ u: model('users', { id: f.id(), email: f.string() }, { indexes: [{ keys: { email: 1 }, method: 'gin' }] }) });
    const snap = snapshotOf(ir);
    tableOf(snap, 'users').indexes[1].method = 'btree';
    expect(diffSchema(ir, snap, pg()).items).toEqual([]);
  });

  it('Mongo shapes: stable-key JSON, collation projected to the declared keys', () => {
    const ir = buildSchemaIR({
      u: named({ partialFilterExpression: { a: 1, b: { $gt: 2 } }, collation: { locale: 'en' }, wildcardProjection: { x: 1 } }),
    });
    const snap = snapshotOf(ir, 'mongo');
    Object.assign(tableOf(snap, 'users').indexes[1], {
      method: undefined,
      partialFilterExpression: { b: { $gt: 2 }, a: 1 },
      collation: { strength: 3, locale: 'en' },
      wildcardProjection: { x: 1 },
    });
    // A document store's facts: it stores these options, so drift compares them.
    const mongo = { capabilities: pgCaps({ dialect: 'mongo', compareTypes: false }), facts: { ...pg().facts, documentIndexOptions: ['partialFilterExpression', 'collation', 'wildcardProjection'] as const } };
    expect(diffSchema(ir, snap, mongo).items).toEqual([]);
    tableOf(snap, 'users').indexes[1].collation = { locale: 'fr' };
    tableOf(snap, 'users').indexes[1].wildcardProjection = { y: 1 };
    expect(diffSchema(ir, snap, mongo).items.map((i) => i.detail)).toEqual([
      `index 'idx_email_active' collation: schema={"locale":"en"} db={"locale":"fr"}`,
      `index 'idx_email_active' wildcardProjection: schema={"x":1} db={"y":1}`,
    ]);
  });
});

describe('diffSchema: foreign keys', () => {
  it('foreign key missing', () => {
    const { ir, snap } = setup();
    tableOf(snap, 'posts').foreignKeys = [];
    expect(only(diffSchema(ir, snap, pg()).items)).toEqual({
      kind: 'foreignKey',
      direction: 'missing',
      table: 'posts',
      foreignKey: 'forge_posts_fk_author_id',
      column: 'author_id',
      detail: 'foreign key author_id -> users.id',
    });
  });

  it('matches by column and referenced column, whatever the constraint is called', () => {
    const { ir, snap } = setup();
    tableOf(snap, 'posts').foreignKeys[0].name = 'posts_author_id_fkey';
    expect(diffSchema(ir, snap, pg()).items).toEqual([]);
    tableOf(snap, 'posts').foreignKeys[0].refColumns = ['email'];
    expect(only(diffSchema(ir, snap, pg()).items)).toMatchObject({ kind: 'foreignKey', direction: 'missing' });
  });
});

describe('diffSchema: readonly models', () => {
  const Shared = model('users', { id: f.id(), email: f.string() }, { readonly: true });

  it('a missing readonly table is not drift (push never creates it); missing columns of a present one are', () => {
    const ir = buildSchemaIR({ Shared });
    expect(diffSchema(ir, { dialect: 'postgres', tables: [], views: [] }, pg()).items).toEqual([]);
    const snap: Snapshot = { dialect: 'postgres', tables: [{ name: 'users', columns: [col('id', 'uuid')], indexes: [], foreignKeys: [] }], views: [] };
    expect(only(diffSchema(ir, snap, pg()).items)).toMatchObject({ kind: 'column', direction: 'missing', column: 'email' });
  });

  it('never reports extra columns or extra unique indexes (it may declare a subset)', () => {
    const ir = buildSchemaIR({ Shared });
    const snap = snapshotOf(ir);
    tableOf(snap, 'users').columns.push(col('password_hash'));
    tableOf(snap, 'users').indexes.push(idx('users_password_hash_key', ['password_hash'], { unique: true }));
    expect(diffSchema(ir, snap, pg()).items).toEqual([]);
  });
});

describe('diffSchema: ignoring', () => {
  it('tables matched by --ignore are listed, sorted, and produce no items', () => {
    const { ir, snap } = setup();
    snap.tables.push({ name: 'logs', columns: [], indexes: [], foreignKeys: [] }, { name: '_atlas_meta', columns: [], indexes: [], foreignKeys: [] });
    snap.tables = snap.tables.filter((t) => t.name !== 'posts');
    const report = diffSchema(ir, snap, pg(), { ignore: ['logs', /^_atlas_/i, 'posts'] });
    expect(report).toEqual({ dialect: 'postgres', items: [], inSync: true, ignored: ['_atlas_meta', 'logs', 'posts'] });
  });

  it('the ledger, what the adapter marked internal and the system tables are always filtered and not listed as ignored', () => {
    const { ir, snap } = setup();
    for (const name of ['_forge_migrations', 'spatial_ref_sys', 'shadow_x', 'posts_fts']) {
      snap.tables.push({ name, columns: [], indexes: [], foreignKeys: [] });
    }
    snap.internal = ['shadow_x'];
    const report = diffSchema(ir, snap, pg({ systemTables: [/^spatial_ref_sys$/] }));
    // posts_fts was not recognised by the adapter as an engine object: it is a table like any other.
    expect(report).toEqual({ dialect: 'postgres', items: [expect.objectContaining({ kind: 'table', direction: 'extra', table: 'posts_fts' })], inSync: false, ignored: [] });
  });
});

describe('diffSchema: the seed report', () => {
  it('produces the documented JSON shape', () => {
    const U = model('users', { id: f.id(), email: f.string(), emailVerifiedAt: f.dateTime().optional().map('email_verified_at') });
    const ir = buildSchemaIR({ U });
    const snap = snapshotOf(ir);
    const users = tableOf(snap, 'users');
    users.columns = users.columns.filter((c) => c.name !== 'email_verified_at');
    users.columns.push(col('legacy_email'));
    users.indexes.push(idx('users_legacy_email_key', ['legacy_email'], { unique: true }));
    snap.tables.push({ name: 'logs', columns: [], indexes: [], foreignKeys: [] }, { name: '_atlas_meta', columns: [], indexes: [], foreignKeys: [] });
    const report = diffSchema(ir, snap, pg(), { ignore: ['logs', /^_atlas_/i] });
    const json = JSON.parse(JSON.stringify(report)) as typeof report;
    expect(json).toMatchObject({
      dialect: 'postgres',
      items: [
        { kind: 'column', direction: 'missing', table: 'users', detail: "column 'email_verified_at'" },
        { kind: 'column', direction: 'extra', table: 'users', detail: "column 'legacy_email' in DB but not in schema" },
        { kind: 'index', direction: 'extra', table: 'users', detail: 'unique index u:legacy_email in DB but not in schema' },
      ],
      inSync: false,
      ignored: ['_atlas_meta', 'logs'],
    });
  });

  it('sorts items by table, kind and name', () => {
    const { ir, snap } = setup();
    snap.tables.push({ name: 'aaa', columns: [], indexes: [], foreignKeys: [] });
    tableOf(snap, 'users').columns.push(col('zz'), col('aa'));
    tableOf(snap, 'posts').foreignKeys = [];
    const items = diffSchema(ir, snap, pg()).items;
    expect(items.map((i) => `${i.table}/${i.kind}/${i.foreignKey ?? i.column ?? ''}`)).toEqual([
      'aaa/table/',
      'posts/foreignKey/forge_posts_fk_author_id',
      'users/column/aa',
      'users/column/zz',
    ]);
  });
});

describe('diffSchema: the search object (Snapshot.search)', () => {
  it('reports a search object over other columns, a missing one, an extra one and a half-built one', () => {
    const { ir, snap } = setup();
    snap.search = [{ table: 'posts', columns: ['title'], complete: true }];
    expect(only(diffSchema(ir, snap, pg()).items)).toMatchObject({
      kind: 'index',
      direction: 'mismatch',
      table: 'posts',
      search: true,
      property: 'columns',
      schema: ['body'],
      db: ['title'],
    });
    snap.search = [];
    expect(only(diffSchema(ir, snap, lite()).items)).toMatchObject({ direction: 'missing', search: true, index: 'posts_fts' });
    snap.search = [{ table: 'posts', columns: ['body'], complete: false }];
    expect(only(diffSchema(ir, snap, pg()).items)).toMatchObject({ direction: 'mismatch', detail: 'full-text search columns: schema=(body) db=(body, incomplete)' });
    snap.search = [
      { table: 'posts', columns: ['body'], complete: true },
      { table: 'users', columns: ['name'], complete: true },
    ];
    expect(only(diffSchema(ir, snap, pg()).items)).toMatchObject({ direction: 'extra', table: 'users', search: true });
  });
});

describe('diffSchema: a partial unique index is not a unique index', () => {
  it('an unnamed unique index is missing when only a partial unique on the same columns exists', () => {
    const ir = buildSchemaIR({ u: model('users', { id: f.id(), email: f.string().unique(), active: f.bool() }) });
    const snap = snapshotOf(ir);
    tableOf(snap, 'users').indexes[1].where = 'active';
    const items = diffSchema(ir, snap, pg()).items;
    expect(items.map((i) => [i.kind, i.direction])).toEqual([
      ['index', 'extra'],
      ['index', 'missing'],
    ]);
    expect(items[1].detail).toBe("index 'forge_users_uq_email' (u:email)");
    // Where the dialect has no partial indexes the predicate is not part of the shape.
    expect(diffSchema(ir, snap, pg({ partialIndexes: false })).items).toEqual([]);
  });
});

describe('diffSchema: an index the database cannot hold', () => {
  it('is a note, not missing drift, when the emitter can only comment on it (what push noted)', () => {
    const T = model('t', { id: f.id(), tags: f.json() }, { indexes: [{ keys: { tags: 1 } }] });
    const ir = buildSchemaIR({ t: T });
    const snap = snapshotOf(ir);
    snap.tables[0].indexes = [];
    const ddl = {
      emit: (op: { op: string; index?: { name: string } }) =>
        op.op === 'createIndex' ? { sql: [], comment: `index ${op.index!.name} on t not created: tags is a JSON column` } : { sql: ['x'] },
    };
    const report = diffSchema(ir, snap, { ...pg(), ddl } as never);
    expect(report.items).toEqual([]);
    expect(report.notes).toEqual([expect.stringMatching(/^index \S+ on t not created: tags is a JSON column$/)]);
    // Without an emitter to ask (or one that can create it), the index is missing.
    expect(diffSchema(ir, snap, pg()).items).toEqual([expect.objectContaining({ kind: 'index', direction: 'missing' })]);
  });
});
