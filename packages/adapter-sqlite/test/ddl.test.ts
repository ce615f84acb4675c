import { describe, expect, it } from 'vitest';
import { buildSchemaIR, f, model, planPush, type Connection, type DdlOp, type SchemaIR, type TableIR } from '@forge/core';
import { adapter, introspectSqlite, sqliteDdl as ddl } from '../src/index.js';
import { memory } from './helpers.js';
import { schemaIR } from './schema.js';

const tables = (ir: SchemaIR): TableIR[] => Object.values(ir.models);

/** What push would emit to create the schema from nothing, in order. */
function createOps(ir: SchemaIR): DdlOp[] {
  const ops: DdlOp[] = [];
  for (const table of tables(ir).filter((t) => !t.view)) {
    ops.push({ op: 'createTable', table });
    for (const index of table.indexes) ops.push({ op: 'createIndex', table: table.name, index });
    const searchable = table.columns.filter((c) => c.searchable);
    if (searchable.length) ops.push({ op: 'createSearch', table, columns: searchable });
  }
  for (const table of tables(ir).filter((t) => t.view)) ops.push({ op: 'createView', table });
  return ops;
}

async function run(conn: Connection, ops: DdlOp[]): Promise<void> {
  for (const op of ops) for (const sql of ddl.emit(op).sql) await conn.execute(sql);
}

describe('golden DDL', () => {
  const ir = schemaIR();
  const users = ir.models.user;
  const posts = ir.models.post;

  it('creates a table with types, keys, defaults and inline foreign keys', () => {
    expect(ddl.emit({ op: 'createTable', table: posts }).sql).toEqual([
      `CREATE TABLE IF NOT EXISTS "posts" (
  "id" INTEGER PRIMARY KEY NOT NULL,
  "authorId" TEXT NOT NULL,
  "editorId" TEXT,
  "body" TEXT NOT NULL,
  FOREIGN KEY ("authorId") REFERENCES "users"("id") ON DELETE CASCADE,
  FOREIGN KEY ("editorId") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE
)`,
    ]);
    const [usersSql] = ddl.emit({ op: 'createTable', table: users }).sql;
    expect(usersSql).toContain(`"id" TEXT PRIMARY KEY NOT NULL,`);
    expect(usersSql).toContain(`"tenant_id" TEXT NOT NULL,`);
    expect(usersSql).toContain(`"age" INTEGER NOT NULL DEFAULT 0,`);
    expect(usersSql).toContain(`"active" INTEGER NOT NULL DEFAULT 1,`);
    expect(usersSql).toContain(`"createdAt" TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),`);
    expect(usersSql).toContain(`"role" TEXT NOT NULL DEFAULT 'member',`);
    expect(usersSql).toContain(`"score" REAL,`);
    expect(usersSql).toContain(`"avatar" BLOB,`);
    expect(usersSql).toContain(`"code" varchar(12)`);
    const composite = ddl.emit({ op: 'createTable', table: ir.models.membership }).sql[0];
    expect(composite).toContain(`PRIMARY KEY ("userId", "groupId")`);
    expect(composite).not.toMatch(/"userId" TEXT PRIMARY KEY/);
  });

  it('maps every field kind to its column type', () => {
    const byField = Object.fromEntries(users.columns.map((c) => [c.field, ddl.columnType(c)]));
    expect(byField).toMatchObject({
      id: 'TEXT', email: 'TEXT', age: 'INTEGER', big: 'INTEGER', score: 'REAL', price: 'TEXT', active: 'INTEGER', createdAt: 'TEXT',
      ext: 'TEXT', meta: 'TEXT', role: 'TEXT', address: 'TEXT', lines: 'TEXT', tags: 'TEXT', nums: 'TEXT', home: 'TEXT',
      embedding: 'TEXT', avatar: 'BLOB', legacy: 'TEXT', code: 'varchar(12)',
    });
    expect(ddl.columnType(ir.models.counter.columns[0])).toBe('INTEGER');
    expect(ddl.columnType(ir.models.tag.columns[0])).toBe('TEXT');
  });

  it('quotes identifiers and literals, and gives generated ids no SQL default', () => {
    const Odd = model('we"ird', { id: f.id(), label: f.string().default(`it's "x"`), data: f.json().default({ a: "b'c" }) });
    const [sql] = ddl.emit({ op: 'createTable', table: buildSchemaIR({ odd: Odd }).models.odd }).sql;
    expect(sql).toContain(`CREATE TABLE IF NOT EXISTS "we""ird"`);
    expect(sql).toContain(`"label" TEXT NOT NULL DEFAULT 'it''s "x"'`);
    expect(sql).toContain(`"data" TEXT NOT NULL DEFAULT '{"a":"b''c"}'`);
    expect(sql).toContain(`"id" TEXT PRIMARY KEY NOT NULL,`);
  });

  it('creates indexes with directions, partial WHERE and expressions', () => {
    const idx = (name: string) => users.indexes.find((i) => i.name === name)!;
    const emit = (name: string) => ddl.emit({ op: 'createIndex', table: 'users', index: idx(name) });
    expect(emit('forge_users_uq_email')).toEqual({ sql: [`CREATE UNIQUE INDEX IF NOT EXISTS "forge_users_uq_email" ON "users" ("email")`] });
    expect(emit('idx_users_age_name').sql).toEqual([`CREATE INDEX IF NOT EXISTS "idx_users_age_name" ON "users" ("age" DESC, "name")`]);
    expect(emit('idx_users_active_email').sql).toEqual([`CREATE INDEX IF NOT EXISTS "idx_users_active_email" ON "users" ("email") WHERE active = 1`]);
    expect(emit('uq_users_lower_email').sql).toEqual([`CREATE UNIQUE INDEX IF NOT EXISTS "uq_users_lower_email" ON "users" ((lower(email)))`]);
  });

  it('drops covering columns and non-btree methods with a comment push can show', () => {
    const out = ddl.emit({
      op: 'createIndex',
      table: 'users',
      index: { name: 'ix', columns: ['email'], directions: [1], unique: false, named: true, origin: 'indexes', method: 'gin', include: ['name'] },
    });
    expect(out.sql).toEqual([`CREATE INDEX IF NOT EXISTS "ix" ON "users" ("email")`]);
    expect(out.comment).toMatch(/method 'gin' is not available/);
    expect(out.comment).toMatch(/covering columns \(include: name\)/);
  });

  it('emits ALTER forms, and comments where SQLite has no statement', () => {
    const email = users.columns.find((c) => c.field === 'email')!;
    const name = users.columns.find((c) => c.field === 'name')!;
    expect(ddl.emit({ op: 'addColumn', table: 'users', column: name }).sql).toEqual([`ALTER TABLE "users" ADD COLUMN "name" TEXT`]);
    expect(ddl.emit({ op: 'addColumn', table: 'users', column: { ...email, default: { kind: 'value', value: '' } } }).sql).toEqual([
      `ALTER TABLE "users" ADD COLUMN "email" TEXT NOT NULL DEFAULT ''`,
    ]);
    expect(ddl.emit({ op: 'dropColumn', table: 'users', column: 'name' }).sql).toEqual([`ALTER TABLE "users" DROP COLUMN "name"`]);
    expect(ddl.emit({ op: 'dropTable', table: 'old' }).sql).toEqual([`DROP TABLE IF EXISTS "old"`]);
    expect(ddl.emit({ op: 'dropIndex', table: 'users', index: 'ix' }).sql).toEqual([`DROP INDEX IF EXISTS "ix"`]);
    const fk = ddl.emit({ op: 'addForeignKey', table: 'posts', fk: posts.foreignKeys[0] });
    expect(fk.sql).toEqual([]);
    expect(fk.comment).toMatch(/^SQLite cannot ALTER TABLE ADD FOREIGN KEY; recreate the table/);
  });

  it('adds a column defaulting to now as nullable, stamping existing rows', async () => {
    const created = users.columns.find((c) => c.field === 'createdAt')!;
    const out = ddl.emit({ op: 'addColumn', table: 't', column: created });
    expect(out.comment).toMatch(/non-constant default/);
    const conn = await memory();
    await conn.execute('CREATE TABLE t (id INTEGER PRIMARY KEY)');
    await conn.execute('INSERT INTO t DEFAULT VALUES');
    for (const sql of out.sql) await conn.execute(sql);
    const [[stamp]] = await conn.queryArrays('SELECT "createdAt" FROM t');
    expect(stamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    await conn.close();
  });

  it('creates the FTS5 table, its three triggers and a rebuild', () => {
    const cols = users.columns.filter((c) => c.searchable);
    expect(ddl.emit({ op: 'createSearch', table: users, columns: cols }).sql).toEqual([
      `CREATE VIRTUAL TABLE IF NOT EXISTS "users_fts" USING fts5("title", "bio", content='users', content_rowid='rowid')`,
      `CREATE TRIGGER IF NOT EXISTS "users_fts_ai" AFTER INSERT ON "users" BEGIN INSERT INTO "users_fts"(rowid, "title", "bio") VALUES (new.rowid, new."title", new."bio"); END`,
      `CREATE TRIGGER IF NOT EXISTS "users_fts_ad" AFTER DELETE ON "users" BEGIN INSERT INTO "users_fts"("users_fts", rowid, "title", "bio") VALUES ('delete', old.rowid, old."title", old."bio"); END`,
      `CREATE TRIGGER IF NOT EXISTS "users_fts_au" AFTER UPDATE OF "title", "bio" ON "users" BEGIN INSERT INTO "users_fts"("users_fts", rowid, "title", "bio") VALUES ('delete', old.rowid, old."title", old."bio"); INSERT INTO "users_fts"(rowid, "title", "bio") VALUES (new.rowid, new."title", new."bio"); END`,
      `INSERT INTO "users_fts"("users_fts") VALUES ('rebuild')`,
    ]);
  });

  it('creates views; a materialised one is planned as a plain view with a note (capabilities.materializedViews)', () => {
    const view = ir.models.activeUser;
    expect(ddl.emit({ op: 'createView', table: view })).toEqual({ sql: [`CREATE VIEW IF NOT EXISTS "active_users" AS SELECT id, email FROM users WHERE active = 1`] });
    const matIr = { ...ir, models: { activeUser: { ...view, view: { sql: 'SELECT 1', materialized: true } } } };
    const empty = { tables: [], views: [], internal: [] } as unknown as Parameters<typeof planPush>[1];
    for (const materializedViews of [false, true]) {
      const plan = planPush(matIr, empty, { ...adapter, capabilities: { ...adapter.capabilities, materializedViews } });
      const op = plan.toApply.find((s) => s.op.op === 'createView')!.op as { table: { view: { materialized: boolean } } };
      expect(op.table.view.materialized).toBe(materializedViews);
      expect(plan.notes.some((n) => /no materialised views/.test(n))).toBe(!materializedViews);
    }
  });
});

describe('reverse', () => {
  const ir = schemaIR();
  const users = ir.models.user;

  it('inverts what it can and says so where it cannot', () => {
    const name = users.columns.find((c) => c.field === 'name')!;
    expect(ddl.reverse({ op: 'createTable', table: users }).sql).toEqual([`DROP TABLE IF EXISTS "users"`]);
    expect(ddl.reverse({ op: 'addColumn', table: 'users', column: name }).sql).toEqual([`ALTER TABLE "users" DROP COLUMN "name"`]);
    expect(ddl.reverse({ op: 'createIndex', table: 'users', index: users.indexes[0] }).sql).toEqual([`DROP INDEX IF EXISTS "forge_users_uq_email"`]);
    expect(ddl.reverse({ op: 'dropTable', table: 'audit_old' })).toEqual({ sql: [], comment: 'cannot auto-restore dropped table audit_old' });
    expect(ddl.reverse({ op: 'createSearch', table: users, columns: [] }).sql).toEqual([
      `DROP TRIGGER IF EXISTS "users_fts_ai"`,
      `DROP TRIGGER IF EXISTS "users_fts_ad"`,
      `DROP TRIGGER IF EXISTS "users_fts_au"`,
      `DROP TABLE IF EXISTS "users_fts"`,
    ]);
  });

  it('restores a dropped column with the type and nullability introspection saw', () => {
    const drop = (was: { type: string; nullable: boolean; default?: string | null }): DdlOp => ({
      op: 'dropColumn',
      table: 'sessions',
      column: 'legacy_token',
      was: { name: 'legacy_token', primaryKey: false, ...was },
    });
    expect(ddl.reverse(drop({ type: 'text', nullable: true })).sql).toEqual([`ALTER TABLE "sessions" ADD COLUMN "legacy_token" text`]);
    expect(ddl.reverse(drop({ type: 'integer', nullable: false, default: '0' })).sql).toEqual([
      `ALTER TABLE "sessions" ADD COLUMN "legacy_token" integer NOT NULL DEFAULT 0`,
    ]);
    const lossy = ddl.reverse(drop({ type: 'text', nullable: false, default: `(strftime('%s','now'))` }));
    expect(lossy.sql).toEqual([`ALTER TABLE "sessions" ADD COLUMN "legacy_token" text`]);
    expect(lossy.comment).toMatch(/restored nullable/);
  });

  it('round-trips: emit then reverse leaves the database as it was', async () => {
    const conn = await memory();
    await run(conn, [{ op: 'createTable', table: users }]);
    const before = await introspectSqlite(conn);
    const ops: DdlOp[] = [
      { op: 'dropColumn', table: 'users', column: 'name', was: before.tables[0].columns.find((c) => c.name === 'name') },
      { op: 'createIndex', table: 'users', index: users.indexes[0] },
      { op: 'createSearch', table: users, columns: users.columns.filter((c) => c.searchable) },
    ];
    await run(conn, ops);
    for (const op of [...ops].reverse()) for (const sql of ddl.reverse(op).sql) await conn.execute(sql);
    const after = await introspectSqlite(conn);
    // A re-added column comes back last; column order is not drift.
    const byName = <T extends { name: string }>(list: T[]) => [...list].sort((a, b) => a.name.localeCompare(b.name));
    expect(after.tables.map((t) => ({ ...t, columns: byName(t.columns) }))).toEqual(before.tables.map((t) => ({ ...t, columns: byName(t.columns) })));
    expect(after.internal).toEqual(before.internal);
    await conn.close();
  });
});

describe('convergence', () => {
  it('introspects exactly what the emitted DDL created', async () => {
    const ir = schemaIR();
    const conn = await memory();
    await run(conn, createOps(ir));
    const snap = await adapter.introspect(conn);

    const real = tables(ir).filter((t) => !t.view);
    expect(snap.tables.map((t) => t.name).sort()).toEqual(real.map((t) => t.name).sort());
    expect(snap.views.map((v) => [v.name, v.sql])).toEqual([['active_users', 'SELECT id, email FROM users WHERE active = 1']]);
    expect(snap.internal).toEqual(expect.arrayContaining(['users_fts', 'users_fts_data', 'users_fts_idx', 'users_fts_ai', 'users_fts_ad', 'users_fts_au']));

    for (const table of real) {
      const got = snap.tables.find((t) => t.name === table.name)!;
      expect(got.columns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable, primaryKey: c.primaryKey }))).toEqual(
        table.columns.map((c) => ({ name: c.name, type: ddl.columnType(c).toLowerCase(), nullable: c.nullable, primaryKey: c.primaryKey })),
      );
      const userIndexes = got.indexes.filter((i) => !i.primary);
      expect(userIndexes.map((i) => ({ name: i.name, columns: i.columns, directions: i.directions, unique: i.unique, where: i.where, expression: i.expression })).sort((a, b) => a.name.localeCompare(b.name))).toEqual(
        table.indexes
          .map((i) => ({ name: i.name, columns: i.columns, directions: i.directions, unique: i.unique, where: i.where, expression: i.expression }))
          .sort((a, b) => a.name.localeCompare(b.name)),
      );
      expect(got.foreignKeys).toEqual(
        table.foreignKeys.map((fk) => ({ name: fk.name, columns: fk.columns, refTable: fk.refTable, refColumns: fk.refColumns, onDelete: fk.onDelete ?? 'noAction', onUpdate: fk.onUpdate ?? 'noAction' })),
      );
    }
    // Composite and non-integer keys are backed by SQLite's own pk index, flagged primary.
    expect(snap.tables.find((t) => t.name === 'memberships')!.indexes.filter((i) => i.primary).map((i) => i.columns)).toEqual([['userId', 'groupId']]);
    await conn.close();
  });

  it('is idempotent: emitting the same DDL again changes nothing', async () => {
    const ir = schemaIR();
    const conn = await memory();
    await run(conn, createOps(ir));
    const first = await introspectSqlite(conn);
    await run(conn, createOps(ir));
    expect(await introspectSqlite(conn)).toEqual(first);
    await conn.close();
  });

  it('keeps the FTS index in step with inserts, updates and deletes, and indexes rows that existed before', async () => {
    const ir = schemaIR();
    const users = ir.models.user;
    const conn = await memory();
    await run(conn, [{ op: 'createTable', table: users }]);
    const insert = `INSERT INTO users (id, email, tenant_id, title, bio, "updatedAt") VALUES (?, ?, 't', ?, ?, '2024-01-01T00:00:00.000Z')`;
    await conn.execute(insert, ['1', 'a@x', 'early bird', null]);
    await run(conn, [{ op: 'createSearch', table: users, columns: users.columns.filter((c) => c.searchable) }]);
    await conn.execute(insert, ['2', 'b@x', 'second', 'likes birds']);
    const { sql, params } = adapter.compiler.compile({
      t: 'select',
      from: { table: 'users', alias: 'u' },
      columns: [{ expr: { t: 'col', table: 'u', name: 'id' }, alias: 'id' }],
      where: { t: 'search', table: 'users', alias: 'u', columns: ['title', 'bio'], pk: 'id', query: 'bird' },
      orderBy: [{ expr: { t: 'col', table: 'u', name: 'id' }, dir: 'asc' }],
    });
    expect(await conn.queryArrays(sql, params)).toEqual([['1']]);
    await conn.execute(`UPDATE users SET bio = 'a bird too' WHERE id = '2'`);
    expect(await conn.queryArrays(sql, params)).toEqual([['1'], ['2']]);
    await conn.execute(`DELETE FROM users WHERE id = '1'`);
    expect(await conn.queryArrays(sql, params)).toEqual([['2']]);
    await conn.close();
  });
});
