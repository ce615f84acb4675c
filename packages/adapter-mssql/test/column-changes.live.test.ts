import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildSchemaIR, f, model, runDiff, runDiffApply, runPush, runRollback, type Connection, type Field } from '@forge/core';
import { reachTarget, type TestDatabase } from '@forge/testkit';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adapter } from '../src/index.js';

/**
 * Issue 14 on a live SQL Server, through the engine behind `forge diff apply` / `forge rollback`: a type change on
 * an indexed column, a column made required with its NULL rows backfilled, a default changed on a table with rows;
 * each rolled back. The server comes from FORGE_TEST_MSSQL_URL (none runs on the development machine); without it
 * every case is listed as skipped, with the reason in its name.
 */
const target = await reachTarget('mssql', { adapter });
const skip = 'skip' in target ? target.skip : undefined;
const live = (name: string) => (skip ? `${name} [skipped: ${skip}]` : name);

const dir = mkdtempSync(path.join(tmpdir(), 'forge-mssql-cols-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let seq = 0;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const people = (fields: Record<string, Field<any>>, indexed = false) =>
  buildSchemaIR({ person: model('people', { id: f.id({ type: 'int' }), email: f.string(), ...fields }, indexed ? { indexes: [{ name: 'people_age_idx', keys: { age: 1 } }] } : {}) });

/** Each column as `type null|not null [default (...)]`, from sys.columns and its default constraint. */
async function shape(conn: Connection): Promise<Record<string, string>> {
  const rows = await conn.query<{ name: string; type: string; is_nullable: boolean | number; dflt: string | null }>(
    `SELECT c.name, TYPE_NAME(c.user_type_id) AS type, c.is_nullable, d.definition AS dflt FROM sys.columns AS c ` +
      `LEFT JOIN sys.default_constraints AS d ON d.parent_object_id = c.object_id AND d.parent_column_id = c.column_id ` +
      `WHERE c.object_id = OBJECT_ID(N'[people]') ORDER BY c.column_id`,
  );
  return Object.fromEntries(rows.map((r) => [r.name, `${r.type} ${r.is_nullable ? 'null' : 'not null'}${r.dflt ? ` default ${r.dflt}` : ''}`]));
}

const indexes = async (conn: Connection) =>
  (await conn.query<{ name: string }>(`SELECT name FROM sys.indexes WHERE object_id = OBJECT_ID(N'[people]') AND is_primary_key = 0 AND name IS NOT NULL ORDER BY name`)).map((r) => r.name);

/** The filters of the table's unique indexes other than its key (null: unfiltered). */
const uniqueFilters = async (conn: Connection) =>
  (
    await conn.query<{ filter_definition: string | null }>(
      `SELECT filter_definition FROM sys.indexes WHERE object_id = OBJECT_ID(N'[people]') AND is_unique = 1 AND is_primary_key = 0 ORDER BY name`,
    )
  ).map((r) => r.filter_definition);

describe.skipIf(!!skip)('mssql live: column changes through diff apply and rollback', () => {
  let db: TestDatabase | undefined;
  let conn: Connection | undefined;
  let migrations = '';
  beforeEach(async () => {
    if ('skip' in target) return;
    db = await target.fresh();
    conn = await adapter.connect(db.url);
    migrations = path.join(dir, `migrations-${++seq}`);
  });
  afterEach(async () => {
    await conn?.close();
    await db?.drop();
  });

  it(live('a type change on an indexed column: the index set aside and recreated, rows kept; rollback restores int'), async () => {
    await runPush({ adapter, conn: conn!, ir: people({ age: f.int().optional() }, true) });
    await conn!.execute(`INSERT INTO [people] ([email], [age]) VALUES (N'a@x', 41), (N'b@x', NULL)`);
    const before = await shape(conn!);
    const ctx = { adapter, conn: conn!, ir: people({ age: f.bigint().optional() }, true) };
    const result = await runDiffApply(ctx, { dir: migrations });
    expect(result.applied).toBe(true);
    expect(result.deferred).toEqual([]);
    expect(result.up).toContain('ALTER TABLE [people] ALTER COLUMN [age] BIGINT NULL');
    expect(await shape(conn!)).toMatchObject({ age: 'bigint null' });
    expect(await indexes(conn!)).toEqual(['people_age_idx']);
    expect(await conn!.query(`SELECT [email], CAST([age] AS int) AS age FROM [people] ORDER BY [email]`)).toEqual([
      { email: 'a@x', age: 41 },
      { email: 'b@x', age: null },
    ]);
    expect((await runDiff(ctx)).inSync).toBe(true);
    await runRollback({ adapter, conn: conn! }, { dir: migrations });
    expect(await shape(conn!)).toEqual(before);
    expect(await indexes(conn!)).toEqual(['people_age_idx']);
  });

  it(live('made required with a default: NULL rows get it before NOT NULL, no consent asked, the unique index follows; rollback makes it NULL-able again'), async () => {
    await runPush({ adapter, conn: conn!, ir: people({ nick: f.string().optional().unique() }) });
    // forge's unique index over a NULL-able column admits many NULLs: it is filtered on IS NOT NULL.
    expect(await uniqueFilters(conn!)).toEqual(['([nick] IS NOT NULL)']);
    await conn!.execute(`INSERT INTO [people] ([email], [nick]) VALUES (N'a@x', N'al'), (N'b@x', NULL)`);
    const before = await shape(conn!);
    const ctx = { adapter, conn: conn!, ir: people({ nick: f.string().default('anon').unique() }) };
    let asked = false;
    const result = await runDiffApply(ctx, {
      dir: migrations,
      consent: async () => {
        asked = true;
        return false;
      },
    });
    expect(asked).toBe(false);
    expect(result.applied).toBe(true);
    expect(result.up).toContain("UPDATE [people] SET [nick] = N'anon' WHERE [nick] IS NULL");
    expect(await shape(conn!)).toMatchObject({ nick: "nvarchar not null default (N'anon')" });
    expect(await conn!.query(`SELECT [email], [nick] FROM [people] ORDER BY [email]`)).toEqual([
      { email: 'a@x', nick: 'al' },
      { email: 'b@x', nick: 'anon' },
    ]);
    // Recreated over the NOT NULL column without the filter, as push would create it now.
    expect(await uniqueFilters(conn!)).toEqual([null]);
    expect((await runDiff(ctx)).inSync).toBe(true);
    await runRollback({ adapter, conn: conn! }, { dir: migrations });
    expect(await shape(conn!)).toEqual(before);
    expect(await uniqueFilters(conn!)).toEqual(['([nick] IS NOT NULL)']);
    await conn!.execute(`INSERT INTO [people] ([email], [nick]) VALUES (N'c@x', NULL), (N'd@x', NULL)`);
  });

  it(live('a default changed on a table with rows: old rows keep their values, new rows get the new default; rollback restores the old one'), async () => {
    await runPush({ adapter, conn: conn!, ir: people({ score: f.int().default(5) }) });
    await conn!.execute(`INSERT INTO [people] ([email]) VALUES (N'a@x')`);
    const before = await shape(conn!);
    const ctx = { adapter, conn: conn!, ir: people({ score: f.int().default(0) }) };
    const result = await runDiffApply(ctx, { dir: migrations });
    expect(result.applied).toBe(true);
    expect(await shape(conn!)).toMatchObject({ score: 'int not null default ((0))' });
    await conn!.execute(`INSERT INTO [people] ([email]) VALUES (N'b@x')`);
    expect(await conn!.query(`SELECT [email], [score] FROM [people] ORDER BY [email]`)).toEqual([
      { email: 'a@x', score: 5 },
      { email: 'b@x', score: 0 },
    ]);
    expect((await runDiff(ctx)).inSync).toBe(true);
    await runRollback({ adapter, conn: conn! }, { dir: migrations });
    expect(await shape(conn!)).toEqual(before);
    await conn!.execute(`INSERT INTO [people] ([email]) VALUES (N'c@x')`);
    expect(await conn!.query(`SELECT [score] FROM [people] WHERE [email] = N'c@x'`)).toEqual([{ score: 5 }]);
  });
});
