import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  buildSchemaIR,
  classifyFindings,
  diffSchema,
  emitDriftStep,
  f,
  lintStatements,
  MigrationError,
  model,
  planDriftApply,
  runDiff,
  runDiffApply,
  runPush,
  runRollback,
  type Connection,
  type Field,
  type SchemaIR,
} from '@forge/core';
import { adapter, openSqlite } from '../src/index.js';
import { tempDir } from './helpers.js';

/**
 * Issue 14 on SQLite, which cannot ALTER a column: a type, nullability or default change rebuilds the table (new
 * table, copy, drop, rename) with foreign keys off around the transaction and checked before commit. Run here the
 * way the migration runner runs a block with statements outside its transaction: `PRAGMA foreign_keys` on the
 * connection, the rest in one transaction.
 */
const dir = tempDir();
let seq = 0;
const open: Connection[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

async function connect(): Promise<Connection> {
  const conn = await openSqlite(`sqlite:${path.join(dir, `rebuild-${++seq}.db`)}`);
  open.push(conn);
  return conn;
}

const outside = (sql: string) => /^\s*PRAGMA\s+foreign_keys\b/i.test(sql);

/** Statements as the runner runs them: the PRAGMAs before and after, everything between in one transaction. */
async function runBlock(conn: Connection, statements: string[]): Promise<void> {
  let k = 0;
  while (k < statements.length) {
    if (outside(statements[k])) {
      await conn.execute(statements[k++]);
      continue;
    }
    const segment: string[] = [];
    while (k < statements.length && !outside(statements[k])) segment.push(statements[k++]);
    await conn.transaction(async (tx) => {
      for (const sql of segment) await tx.execute(sql);
    });
  }
}

/** The up and down blocks diff apply writes for `ir` against the live database. */
async function plan(conn: Connection, ir: SchemaIR): Promise<{ up: string[]; down: string[]; changes: string[] }> {
  const snap = await adapter.introspect(conn);
  const { ops } = planDriftApply(diffSchema(ir, snap, adapter), ir, snap, adapter);
  const env = { extensions: [], tables: Object.values(ir.models) };
  return {
    up: ops.flatMap((s) => emitDriftStep(adapter, s, env, false).sql),
    down: [...ops].reverse().flatMap((s) => emitDriftStep(adapter, s, env, true).sql),
    changes: ops.map((s) => s.change.text),
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const User = (fields: Record<string, Field<any>>) =>
  model('users', { id: f.id(), email: f.string().searchable(), ...fields }, { indexes: [{ name: 'users_email_idx', keys: { email: 1 } }] });
const schemaWith = (fields: Parameters<typeof User>[0]) => {
  const user = User(fields);
  const post = model('posts', { id: f.id(), userId: f.string().map('user_id').refs(() => user, { onDelete: 'cascade' }), title: f.string() });
  return buildSchemaIR({ user, post });
};
const V1 = schemaWith({ age: f.string().optional(), nick: f.string().optional() });

async function seeded(): Promise<Connection> {
  const conn = await connect();
  await runPush({ adapter, conn, ir: V1 });
  await conn.execute(`INSERT INTO users (id, email, age, nick) VALUES ('u1', 'ann@x', '41', 'ann'), ('u2', 'bob@x', NULL, NULL), ('u3', 'cy@x', '9', 'cy')`);
  await conn.execute(`INSERT INTO posts (id, user_id, title) VALUES ('p1', 'u1', 'a'), ('p2', 'u1', 'b'), ('p3', 'u2', 'c'), ('p4', 'u3', 'd')`);
  await conn.execute('CREATE VIEW user_ages AS SELECT email, age FROM users');
  return conn;
}

const rows = (conn: Connection, sql: string) => conn.query(sql);
/** A column as SQLite declares it, the type in lower case (introspection reads it so, and the down block writes it back so). */
const declared = async (conn: Connection, column: string) => {
  const cols = await conn.query<{ name: string; type: string; notnull: number; dflt_value: string | null }>(`SELECT name, lower(type) AS type, "notnull", dflt_value FROM pragma_table_info('users')`);
  return cols.find((c) => c.name === column);
};

describe('the SQLite table rebuild', () => {
  it('a parent rebuilt keeps every row and every child row (ON DELETE CASCADE not fired), its index, search triggers and views', async () => {
    const conn = await seeded();
    const V2 = schemaWith({ age: f.int().optional(), nick: f.string().optional() });
    const { up, changes } = await plan(conn, V2);
    expect(changes).toEqual([expect.stringMatching(/^rebuild table users \(sqlite cannot alter a column in place; rows, indexes and child rows kept\): age: type text to INTEGER$/)]);
    expect(up[0]).toBe('PRAGMA foreign_keys = OFF');
    expect(up.at(-1)).toBe('PRAGMA foreign_keys = ON');
    expect(up).toContain(`INSERT INTO "_forge_rebuild_users" ("rowid", "id", "email", "age", "nick") SELECT "rowid", "id", "email", CAST("age" AS INTEGER), "nick" FROM "users"`);
    await runBlock(conn, up);
    expect(await rows(conn, 'SELECT id, age, typeof(age) AS t FROM users ORDER BY id')).toEqual([
      { id: 'u1', age: 41, t: 'integer' },
      { id: 'u2', age: null, t: 'null' },
      { id: 'u3', age: 9, t: 'integer' },
    ]);
    expect(await rows(conn, 'SELECT id, user_id FROM posts ORDER BY id')).toEqual([
      { id: 'p1', user_id: 'u1' },
      { id: 'p2', user_id: 'u1' },
      { id: 'p3', user_id: 'u2' },
      { id: 'p4', user_id: 'u3' },
    ]);
    expect((await declared(conn, 'age'))?.type).toBe('integer');
    expect(await rows(conn, `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'users' AND name = 'users_email_idx'`)).toEqual([{ name: 'users_email_idx' }]);
    expect(await rows(conn, 'SELECT email, age FROM user_ages ORDER BY email')).toEqual([
      { email: 'ann@x', age: 41 },
      { email: 'bob@x', age: null },
      { email: 'cy@x', age: 9 },
    ]);
    // The search triggers are back and the index was rebuilt: old rows and new ones are found.
    await conn.execute(`INSERT INTO users (id, email) VALUES ('u4', 'dee@x')`);
    expect(await rows(conn, `SELECT rowid FROM users_fts WHERE users_fts MATCH 'ann OR dee' ORDER BY rowid`)).toHaveLength(2);
    // Foreign keys are on again and still hold: a delete cascades, a dangling child is refused.
    expect(await rows(conn, 'PRAGMA foreign_keys')).toEqual([{ foreign_keys: 1 }]);
    await expect(conn.execute(`INSERT INTO posts (id, user_id, title) VALUES ('p9', 'nobody', 'x')`)).rejects.toThrow(/FOREIGN KEY/i);
    const after = await runDiff({ adapter, conn, ir: V2 });
    expect(after.items.filter((i) => i.table === 'users')).toEqual([]);
  });

  it('the down block rebuilds back to the old type, rows and child rows kept', async () => {
    const conn = await seeded();
    const V2 = schemaWith({ age: f.int().optional(), nick: f.string().optional() });
    const { up, down } = await plan(conn, V2);
    await runBlock(conn, up);
    await runBlock(conn, down);
    expect((await declared(conn, 'age'))?.type).toBe('text');
    expect(await rows(conn, 'SELECT id, age, typeof(age) AS t FROM users ORDER BY id')).toEqual([
      { id: 'u1', age: '41', t: 'text' },
      { id: 'u2', age: null, t: 'null' },
      { id: 'u3', age: '9', t: 'text' },
    ]);
    expect(await rows(conn, 'SELECT COUNT(*) AS n FROM posts')).toEqual([{ n: 4 }]);
    expect((await runDiff({ adapter, conn, ir: V1 })).items.filter((i) => i.table === 'users')).toEqual([]);
  });

  it('a column made required with a default: NULL rows get the default, and the default is declared', async () => {
    const conn = await seeded();
    const { up } = await plan(conn, schemaWith({ age: f.string().optional(), nick: f.string().default('anon') }));
    expect(up).toContain(`INSERT INTO "_forge_rebuild_users" ("rowid", "id", "email", "age", "nick") SELECT "rowid", "id", "email", "age", COALESCE("nick", 'anon') FROM "users"`);
    await runBlock(conn, up);
    expect(await rows(conn, 'SELECT id, nick FROM users ORDER BY id')).toEqual([
      { id: 'u1', nick: 'ann' },
      { id: 'u2', nick: 'anon' },
      { id: 'u3', nick: 'cy' },
    ]);
    expect(await declared(conn, 'nick')).toMatchObject({ notnull: 1, dflt_value: "'anon'" });
  });

  it('a column made required with no default while rows hold NULL is refused by name, and nothing changes', async () => {
    const conn = await seeded();
    const { up } = await plan(conn, schemaWith({ age: f.string().optional(), nick: f.string() }));
    await expect(runBlock(conn, up)).rejects.toThrow(/users\.nick holds NULL in some rows and becomes required with no default/);
    await conn.execute('PRAGMA foreign_keys = ON');
    expect((await declared(conn, 'nick'))?.notnull).toBe(0);
    expect(await rows(conn, 'SELECT COUNT(*) AS n FROM users')).toEqual([{ n: 3 }]);
    expect(await rows(conn, 'SELECT COUNT(*) AS n FROM posts')).toEqual([{ n: 4 }]);
  });

  it('PRAGMA foreign_key_check failing after the copy rolls the rebuild back', async () => {
    const conn = await seeded();
    await conn.execute('PRAGMA foreign_keys = OFF');
    await conn.execute(`INSERT INTO posts (id, user_id, title) VALUES ('p5', 'ghost', 'orphan')`);
    await conn.execute('PRAGMA foreign_keys = ON');
    const { up } = await plan(conn, schemaWith({ age: f.int().optional(), nick: f.string().optional() }));
    await expect(runBlock(conn, up)).rejects.toThrow(/PRAGMA foreign_key_check finds rows whose foreign key points at no row/);
    await conn.execute('PRAGMA foreign_keys = ON');
    expect((await declared(conn, 'age'))?.type).toBe('text');
    expect(await rows(conn, 'SELECT COUNT(*) AS n FROM posts')).toEqual([{ n: 5 }]);
    expect(await rows(conn, `SELECT name FROM sqlite_master WHERE name LIKE '_forge_rebuild%'`)).toEqual([]);
  });

  it('refuses a table with triggers forge did not make (they would go with the old table)', async () => {
    const conn = await seeded();
    await conn.execute(`CREATE TRIGGER users_audit AFTER UPDATE ON users BEGIN SELECT 1; END`);
    const { up } = await plan(conn, schemaWith({ age: f.int().optional(), nick: f.string().optional() }));
    await expect(runBlock(conn, up)).rejects.toThrow(/users has triggers forge did not create/);
    await conn.execute('PRAGMA foreign_keys = ON');
    expect(await rows(conn, `SELECT name FROM sqlite_master WHERE type = 'trigger' AND name = 'users_audit'`)).toEqual([{ name: 'users_audit' }]);
  });

  it('a runner that leaves PRAGMA foreign_keys inside the transaction is stopped before the drop: no child row is cascaded away', async () => {
    const conn = await seeded();
    const { up } = await plan(conn, schemaWith({ age: f.int().optional(), nick: f.string().optional() }));
    await expect(
      conn.transaction(async (tx) => {
        for (const sql of up) await tx.execute(sql);
      }),
    ).rejects.toThrow(/foreign keys are still on/);
    expect(await rows(conn, 'SELECT COUNT(*) AS n FROM posts')).toEqual([{ n: 4 }]);
    expect((await declared(conn, 'age'))?.type).toBe('text');
  });

  it('the lint reads the rebuild as column changes, not a dropped table: a narrowing needs consent, a widening does not', async () => {
    const conn = await seeded();
    const narrow = await plan(conn, schemaWith({ age: f.int().optional(), nick: f.string().default('anon') }));
    const found = lintStatements(narrow.up);
    expect(found.map((x) => `${x.code} ${x.table}.${x.column ?? ''}`)).toEqual(['FORGE_TYPE_CHANGE users.age', 'FORGE_SET_NOT_NULL users.nick']);
    expect(found[1].backfilled).toBe(true);
    await runBlock(conn, narrow.up);
    // Back from INTEGER to TEXT holds every value: the classification drops it.
    const snap = await adapter.introspect(conn);
    const widen = lintStatements(narrow.down);
    expect(widen.map((x) => x.code)).toEqual(['FORGE_TYPE_CHANGE']);
    expect(classifyFindings(widen, snap, adapter.facts)).toEqual([]);
  });
});

describe('the rebuild through runDiffApply and runRollback', () => {
  const migrations = () => mkdtempSync(path.join(tmpdir(), 'forge-rebuild-mig-'));

  it('diff apply rebuilds with rows present (consent for the narrowing), rollback restores the type', async () => {
    const conn = await seeded();
    const m = migrations();
    try {
      const V2 = schemaWith({ age: f.int().optional(), nick: f.string().optional() });
      const applied = await runDiffApply({ adapter, conn, ir: V2 }, { dir: m, consent: async (fs) => fs.some((x) => x.code === 'FORGE_TYPE_CHANGE' && x.rows === 2) });
      expect(applied.applied).toBe(true);
      expect((await declared(conn, 'age'))?.type).toBe('integer');
      expect(await rows(conn, 'SELECT COUNT(*) AS n FROM posts')).toEqual([{ n: 4 }]);
      await runRollback({ adapter, conn }, { dir: m });
      expect((await declared(conn, 'age'))?.type).toBe('text');
      expect(await rows(conn, 'SELECT COUNT(*) AS n FROM posts')).toEqual([{ n: 4 }]);
    } finally {
      rmSync(m, { recursive: true, force: true });
    }
  });
});
