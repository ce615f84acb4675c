import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildSchemaIR, f, model, runDiff, runDiffApply, runPush, runRollback, type Connection, type Field } from '@forge/core';
import { adapter } from '../src/index.js';

/**
 * Issue 14 on DuckDB, in process, through the engine behind `forge diff apply` / `forge rollback`: a column's type,
 * nullability and default change in place (ALTER COLUMN ... TYPE ... USING CAST, SET NOT NULL after a backfill,
 * SET DEFAULT), rows kept and cast, the down block restoring the old shape. On a table with an index DuckDB refuses
 * ALTER COLUMN (capabilities.alterIndexedTable is false): the change is deferred with that reason, nothing runs.
 */
const dir = mkdtempSync(path.join(tmpdir(), 'forge-duck-cols-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let seq = 0;

async function fresh(): Promise<{ conn: Connection; migrations: string }> {
  const n = ++seq;
  return { conn: await adapter.connect(`duckdb:${path.join(dir, `db-${n}.duckdb`)}`), migrations: path.join(dir, `migrations-${n}`) };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const users = (fields: Record<string, Field<any>>, indexed = false) =>
  buildSchemaIR({ user: model('users', { id: f.id(), email: f.string(), ...fields }, indexed ? { indexes: [{ name: 'users_email_idx', keys: { email: 1 } }] } : {}) });

async function shape(conn: Connection): Promise<Record<string, string>> {
  const rows = await conn.query<{ column_name: string; data_type: string; is_nullable: boolean; column_default: string | null }>(
    `SELECT column_name, data_type, is_nullable, column_default FROM duckdb_columns() WHERE table_name = 'users' ORDER BY column_index`,
  );
  return Object.fromEntries(rows.map((r) => [r.column_name, `${r.data_type} ${r.is_nullable ? 'null' : 'not null'}${r.column_default ? ` default ${r.column_default}` : ''}`]));
}

describe('duckdb: column changes through diff apply and rollback', () => {
  it('casts a type, backfills NULLs before NOT NULL, sets a default; rows kept; rollback restores the shape', async () => {
    const { conn, migrations } = await fresh();
    try {
      const v1 = users({ age: f.string().optional(), score: f.int().optional() });
      await runPush({ adapter, conn, ir: v1 });
      await conn.execute(`INSERT INTO users (id, email, age, score) VALUES ('u1', 'a@x', '41', 7), ('u2', 'b@x', NULL, NULL)`);
      const before = await shape(conn);
      const v2 = users({ age: f.int().optional(), score: f.int().default(0) });
      const ctx = { adapter, conn, ir: v2 };
      const result = await runDiffApply(ctx, { dir: migrations, consent: async (found) => found.some((x) => x.code === 'FORGE_TYPE_CHANGE' && x.rows === 1) });
      expect(result.applied).toBe(true);
      expect(result.deferred).toEqual([]);
      expect(result.up).toContain('ALTER TABLE "users" ALTER COLUMN "age" TYPE INTEGER USING CAST("age" AS INTEGER)');
      expect(result.up).toContain('ALTER TABLE "users" ALTER COLUMN "score" TYPE INTEGER USING COALESCE("score", 0)');
      expect(await shape(conn)).toMatchObject({ age: 'INTEGER null', score: 'INTEGER not null default 0' });
      expect(await conn.query('SELECT id, age, score FROM users ORDER BY id')).toEqual([
        { id: 'u1', age: 41, score: 7 },
        { id: 'u2', age: null, score: 0 },
      ]);
      expect((await runDiff(ctx)).inSync).toBe(true);
      await runRollback({ adapter, conn }, { dir: migrations });
      expect(await shape(conn)).toEqual(before);
      expect(await conn.query('SELECT id, age FROM users ORDER BY id')).toEqual([
        { id: 'u1', age: '41' },
        { id: 'u2', age: null },
      ]);
    } finally {
      await conn.close();
    }
  });

  it('defers a change on an indexed table with the capability as the reason, and changes nothing', async () => {
    const { conn, migrations } = await fresh();
    try {
      await runPush({ adapter, conn, ir: users({ age: f.string().optional() }, true) });
      await conn.execute(`INSERT INTO users (id, email, age) VALUES ('u1', 'a@x', '41')`);
      const before = await shape(conn);
      const result = await runDiffApply({ adapter, conn, ir: users({ age: f.int().optional() }, true) }, { dir: migrations });
      expect(result.up).toEqual([]);
      expect(result.deferred.map((d) => d.detail)).toEqual([expect.stringContaining('capabilities.alterIndexedTable is false')]);
      expect(await shape(conn)).toEqual(before);
    } finally {
      await conn.close();
    }
  });
});
