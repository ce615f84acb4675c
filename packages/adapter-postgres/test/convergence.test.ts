import { diffSchema, f, model, planPush, type DdlEnv, type Snapshot, type SnapshotColumn, type SnapshotIndex } from '@forge/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapter } from '../src/index.js';
import { createOps, schemaIR } from './fixtures/schema.js';
import { createTestDatabase, extensionAvailable, type TestDatabase } from './helpers.js';

const column = (name: string, type: string, nullable: boolean, extra: Partial<SnapshotColumn> = {}): SnapshotColumn => ({
  name,
  type,
  nullable,
  primaryKey: false,
  default: null,
  ...extra,
});
const pk = (name: string, type: string, def: string | null = null): SnapshotColumn => column(name, type, false, { primaryKey: true, default: def });
const index = (name: string, columns: string[], extra: Partial<SnapshotIndex> = {}): SnapshotIndex => ({
  name,
  columns,
  directions: columns.map(() => 1),
  unique: false,
  primary: false,
  method: 'btree',
  ...extra,
});

const SEARCH_COLUMNS = ['title', 'body'];

/** What introspection must read back after the CREATE statements, exactly. Only the geo column and PostGIS's own objects vary. */
function expectedSnapshot(postgis: boolean): Snapshot {
  return {
    dialect: 'postgres',
    tables: [
      {
        name: 'codes',
        columns: [pk('id', 'text'), column('note', 'text', true)],
        indexes: [index('codes_pkey', ['id'], { unique: true, primary: true })],
        foreignKeys: [],
      },
      {
        name: 'comments',
        columns: [pk('post_id', 'integer'), pk('seq', 'integer'), column('body', 'text', false)],
        indexes: [index('comments_pkey', ['post_id', 'seq'], { unique: true, primary: true })],
        foreignKeys: [{ name: 'forge_comments_fk_post_id', columns: ['post_id'], refTable: 'posts', refColumns: ['id'], onDelete: 'restrict', onUpdate: 'noAction' }],
      },
      {
        name: 'counters',
        columns: [pk('id', 'bigint'), column('label', 'text', false)],
        indexes: [index('counters_pkey', ['id'], { unique: true, primary: true })],
        foreignKeys: [],
      },
      {
        name: 'posts',
        columns: [
          pk('id', 'integer'),
          // `.refs()` a uuid id: the string field takes the referenced column's type.
          column('authorId', 'uuid', false),
          column('title', 'text', false),
          column('body', 'text', false),
        ],
        // The forge_fts tsvector and its GIN index are the search object, reported under `search`.
        indexes: [index('posts_pkey', ['id'], { unique: true, primary: true })],
        foreignKeys: [{ name: 'forge_posts_fk_authorId', columns: ['authorId'], refTable: 'users', refColumns: ['id'], onDelete: 'cascade', onUpdate: 'noAction' }],
      },
      {
        name: 'users',
        columns: [
          pk('id', 'uuid', 'gen_random_uuid()'),
          column('email', 'text', false),
          column('name', 'text', true),
          column('bio', 'text', true),
          column('age', 'integer', false, { default: '0' }),
          column('balance', 'bigint', false, { default: '0' }),
          column('score', 'double precision', true),
          column('price', 'numeric(12,2)', false, { default: "'0'::numeric" }),
          column('ratio', 'numeric', true),
          column('active', 'boolean', false, { default: 'true' }),
          column('createdAt', 'timestamp with time zone', false, { default: 'now()' }),
          column('updatedAt', 'timestamp with time zone', false, { default: 'now()' }),
          column('externalId', 'uuid', true),
          column('meta', 'jsonb', true),
          column('role', 'text', false, { default: "'admin'::text", enumCheck: { name: 'users_role_check', values: ['admin', "it's me"] } }),
          column('address', 'jsonb', true),
          column('phones', 'jsonb', true),
          column('tags', 'text[]', false, { default: "'{}'::text[]" }),
          column('lucky', 'integer[]', true),
          column('home', postgis ? 'geography(point,4326)' : 'text', true),
          column('embedding', 'double precision[]', true),
          column('avatar', 'bytea', true),
          column('legacyId', 'text', true),
          column('handle', 'character varying(40)', true),
        ],
        indexes: [
          index('forge_users_uq_email', ['email'], { unique: true }),
          index('forge_users_uq_name_age', ['name', 'age'], { unique: true }),
          index('idx_users_active_email', ['email'], { where: '(active = true)' }),
          index('idx_users_age_cover', ['age'], { include: ['name'] }),
          index('idx_users_email_lower', [], { unique: true, expression: 'lower(email)' }),
          index('idx_users_name_age', ['name', 'age'], { directions: [1, -1] }),
          index('idx_users_tags', ['tags'], { method: 'gin' }),
          index('users_pkey', ['id'], { unique: true, primary: true }),
        ],
        foreignKeys: [],
      },
    ],
    views: [
      { name: 'active_users', materialized: false, sql: 'SELECT users.id,\n    users.email\n   FROM users\n  WHERE users.active;' },
      { name: 'post_counts', materialized: true, sql: 'SELECT posts."authorId",\n    count(*) AS n\n   FROM posts\n  GROUP BY posts."authorId";' },
    ],
    internal: postgis ? ['geography_columns', 'geometry_columns', 'spatial_ref_sys'] : [],
    search: [{ table: 'posts', columns: SEARCH_COLUMNS, complete: true }],
    extensions: postgis ? ['plpgsql', 'postgis'] : ['plpgsql'],
    enumChecksRead: true,
    enumTypes: [],
  };
}

async function converge(db: TestDatabase, extensions: string[]): Promise<Snapshot> {
  const conn = await adapter.connect(db.url);
  try {
    const ir = schemaIR();
    const env: DdlEnv = { extensions, tables: Object.values(ir.models) };
    await adapter.lock(conn, async (tx) => {
      for (const op of createOps(ir, env)) {
        for (const sql of adapter.ddl.emit(op, env).sql) await adapter.runIsolated(tx, sql);
      }
    });
    return await adapter.introspect(conn);
  } finally {
    await conn.close();
  }
}

function convergenceSuite(label: string, postgis: () => boolean) {
  let db: TestDatabase;
  let snap: Snapshot;
  beforeAll(async () => {
    db = await createTestDatabase();
    snap = await converge(db, postgis() ? ['postgis'] : []);
  });
  afterAll(() => db.drop());

  it(`introspects exactly what was emitted (${label})`, () => {
    expect(snap).toEqual(expectedSnapshot(postgis()));
  });

  it(`leaves no drift and nothing for a second push (${label})`, () => {
    const ir = schemaIR();
    expect(diffSchema(ir, snap, adapter).items).toEqual([]);
    const plan = planPush(ir, snap, adapter);
    expect(plan.summary.apply).toBe(0);
  });
}

describe('DDL convergence, geo as TEXT (no PostGIS)', () => {
  convergenceSuite('TEXT fallback', () => false);
});

const postgisReady = await extensionAvailable('postgis');
describe.skipIf(!postgisReady)('DDL convergence with PostGIS (skipped: the server has no postgis package to CREATE EXTENSION from)', () => {
  convergenceSuite('PostGIS geography', () => true);
});

describe('default literals', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('fill a row with exactly the declared values', async () => {
    const table = model('defaults', {
      id: f.id(),
      s: f.string().default(`it's a \\ path`),
      j: f.json().default({ a: "b'c", list: [1] }),
      n: f.decimal().default(1.25),
      a: f.stringArray().default(['x', 'y"z', 'back\\slash']),
      i: f.intArray().default([1, 2]),
      b: f.bool().default(false),
      e: f.enumOf(['x', "y'z"] as const).default("y'z"),
    }).table();
    const conn = await adapter.connect(db.url);
    try {
      await conn.execute(adapter.ddl.emit({ op: 'createTable', table }, { extensions: [] }).sql[0]);
      await conn.execute('INSERT INTO defaults DEFAULT VALUES');
      const [row] = await conn.query('SELECT s, j, n, a, i, b, e FROM defaults');
      expect(row).toEqual({ s: `it's a \\ path`, j: { a: "b'c", list: [1] }, n: '1.25', a: ['x', 'y"z', 'back\\slash'], i: [1, 2], b: false, e: "y'z" });
      await expect(conn.execute(`INSERT INTO defaults (e) VALUES ('nope')`)).rejects.toMatchObject({ code: 'CHECK_VIOLATION' });
    } finally {
      await conn.close();
    }
  });
});
