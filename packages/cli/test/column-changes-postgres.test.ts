import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { shown } from './helpers.js';
import { PG_LABEL, ledgerRows, postgresAnswers, query, pgWorkspace } from './postgres.js';

/**
 * Issue 14, column changes on a live PostgreSQL through the built CLI, as a user runs them: a type, nullability or
 * default change is refused by push (which names the command), written by `forge diff apply` with an explicit
 * USING cast, a backfill and a down block, judged by the lint (a widening needs no consent, a narrowing does, with
 * the rows it touches), and undone by `forge rollback`. Rows are present throughout and checked after each step.
 */
const pgUp = await postgresAnswers();
const suite = (name: string, fn: () => void) =>
  describe.skipIf(!pgUp).concurrent(`${name} (needs PostgreSQL at ${PG_LABEL}${pgUp ? '' : ' — no answer, skipped'})`, { timeout: 90_000 }, fn);
const step = it.sequential;

const schemaOf = (fields: string) =>
  `import { model, f } from '@forge/core';\nexport const User = model('users', { id: f.id(), email: f.string(), ${fields} });\nexport const schema = { user: User };\n`;

/** Each column's type, nullability and default as the catalog has them. */
async function shapeOf(url: string, table: string): Promise<Record<string, string>> {
  const rows = await query<{ column_name: string; data_type: string; is_nullable: string; column_default: string | null }>(
    url,
    'SELECT column_name, data_type, is_nullable, column_default FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position',
    [table],
  );
  return Object.fromEntries(rows.map((r) => [r.column_name, `${r.data_type} ${r.is_nullable === 'YES' ? 'null' : 'not null'}${r.column_default ? ` default ${r.column_default}` : ''}`]));
}

const people = (url: string) => query<{ email: string; age: unknown; score: unknown }>(url, 'SELECT email, age, score FROM users ORDER BY email');

suite('column changes through forge diff apply on Postgres', () => {
  const w = pgWorkspace(schemaOf('age: f.string().optional(), score: f.int().optional()'));
  step('push creates the table; rows go in', async () => {
    await w.ok(['push']);
    await query(
      w.db.url,
      "INSERT INTO users (id, email, age, score) VALUES (gen_random_uuid(), 'a@x', '41', 7), (gen_random_uuid(), 'b@x', NULL, NULL), (gen_random_uuid(), 'c@x', '9', 3)",
    );
  });
  step('push refuses a type, nullability and default change and names the command', async () => {
    w.p.write('src/schema.ts', schemaOf('age: f.int().optional(), score: f.bigint().default(0n)'));
    const r = await w.ok(['push']);
    expect(r.stdout).toContain('push does not change column types: users.age is int in the schema and string in the database (push is additive only); run forge diff apply');
    expect(r.stdout).toContain('push does not change nullability: users.score is required in the schema and nullable in the database');
    expect(r.stdout).toContain('push does not change defaults: users.score defaults to 0 in the schema and nothing in the database');
    expect((await shapeOf(w.db.url, 'users')).age).toBe('text null');
  });
  step('diff apply without a terminal refuses the narrowing (text to integer), counting its rows; nothing changes', async () => {
    const r = await w.forge(['diff', 'apply']);
    expect(r.code, shown(r)).toBe(1);
    expect(r.stdout).toContain('✗ FORGE_TYPE_CHANGE change the type of users.age from text to integer');
    expect(r.stdout).toContain('(2 rows hold values that are converted)');
    // integer to bigint is a widening, and the NULL scores get the default: neither needs consent.
    expect(r.stdout).not.toMatch(/FORGE_TYPE_CHANGE[^\n]*score/);
    expect(r.stdout).toContain('· FORGE_SET_NOT_NULL make users.score required (NULL rows get its default) (1 row holds NULL and gets the default)');
    expect(r.stderr).toContain('--accept-data-loss');
    expect((await shapeOf(w.db.url, 'users')).age).toBe('text null');
    expect(await ledgerRows(w.db.url)).toEqual([]);
  });
  step('with --accept-data-loss it applies: USING casts, the backfill, the default; rows kept and converted', async () => {
    const r = await w.ok(['diff', 'apply', '--accept-data-loss']);
    const file = readdirSync(w.p.file('migrations')).find((x) => x.endsWith('.sql'))!;
    const text = readFileSync(w.p.file(`migrations/${file}`), 'utf8');
    expect(text).toContain('ALTER TABLE "users" ALTER COLUMN "age" TYPE integer USING "age"::integer;');
    expect(text).toContain('UPDATE "users" SET "score" = 0 WHERE "score" IS NULL;');
    expect(text).toContain('ALTER TABLE "users" ALTER COLUMN "score" SET NOT NULL;');
    expect(text.split('-- down')[1]).toContain('ALTER TABLE "users" ALTER COLUMN "age" TYPE text USING "age"::text;');
    expect(r.stdout).toContain('change users.age: type text to integer');
    expect(await shapeOf(w.db.url, 'users')).toMatchObject({ age: 'integer null', score: 'bigint not null default 0' });
    expect(await people(w.db.url)).toEqual([
      { email: 'a@x', age: 41, score: '7' },
      { email: 'b@x', age: null, score: '0' },
      { email: 'c@x', age: 9, score: '3' },
    ]);
    expect((await w.ok(['diff', '--check'])).stdout).toContain('no drift');
  });
  step('rollback restores the old types, nullability and default; the values come back as text', async () => {
    await w.ok(['rollback']);
    expect(await shapeOf(w.db.url, 'users')).toMatchObject({ age: 'text null', score: 'integer null' });
    expect(await people(w.db.url)).toEqual([
      { email: 'a@x', age: '41', score: 7 },
      { email: 'b@x', age: null, score: 0 },
      { email: 'c@x', age: '9', score: 3 },
    ]);
    expect(await ledgerRows(w.db.url)).toEqual([]);
  });
  step('a value the new type cannot hold fails the migration and changes nothing', async () => {
    await query(w.db.url, "UPDATE users SET age = 'forty' WHERE email = 'a@x'");
    const r = await w.forge(['diff', 'apply', '--accept-data-loss']);
    expect(r.code, shown(r)).not.toBe(0);
    expect(r.stderr).toMatch(/invalid input syntax for type integer: "forty"/);
    expect(r.stderr).toContain('Nothing was changed');
    expect((await shapeOf(w.db.url, 'users')).age).toBe('text null');
    expect(await ledgerRows(w.db.url)).toEqual([]);
  });
});

suite('required without a default, and default changes, on Postgres', () => {
  const w = pgWorkspace(schemaOf("nick: f.string().optional(), plan: f.string().default('free')"));
  step('NOT NULL on a column with NULL rows and no default: the finding names the rows, and the database refuses it', async () => {
    await w.ok(['push']);
    await query(
      w.db.url,
      "INSERT INTO users (id, email, nick) VALUES ('00000000-0000-0000-0000-00000000000a', 'a@x', 'ann'), ('00000000-0000-0000-0000-00000000000b', 'b@x', NULL)",
    );
    w.p.write('src/schema.ts', schemaOf("nick: f.string(), plan: f.string().default('free')"));
    const r = await w.forge(['diff', 'apply']);
    expect(r.code, shown(r)).toBe(1);
    expect(r.stdout).toContain('FORGE_SET_NOT_NULL make users.nick required (1 row holds NULL (id=00000000-0000-0000-0000-00000000000b): the database refuses the change while they do)');
    const forced = await w.forge(['diff', 'apply', '--accept-data-loss']);
    expect(forced.code, shown(forced)).not.toBe(0);
    expect(forced.stderr).toMatch(/contains null values/);
    expect((await shapeOf(w.db.url, 'users')).nick).toBe('text null');
  });
  step('once the rows hold a value it applies with no consent; a new default is set, and the down drops it', async () => {
    await query(w.db.url, "UPDATE users SET nick = 'bob' WHERE nick IS NULL");
    w.p.write('src/schema.ts', schemaOf("nick: f.string(), plan: f.string().default('pro')"));
    const r = await w.ok(['diff', 'apply']);
    expect(r.stdout).toContain("default 'free'::text to 'pro'");
    expect(await shapeOf(w.db.url, 'users')).toMatchObject({ nick: 'text not null', plan: "text not null default 'pro'::text" });
    await query(w.db.url, "INSERT INTO users (id, email, nick) VALUES (gen_random_uuid(), 'c@x', 'cy')");
    expect(await query(w.db.url, "SELECT plan FROM users WHERE email = 'c@x'")).toEqual([{ plan: 'pro' }]);
    await w.ok(['rollback']);
    expect(await shapeOf(w.db.url, 'users')).toMatchObject({ nick: 'text null', plan: "text not null default 'free'::text" });
  });
});

suite('column changes through forge generate and forge migrate on Postgres', () => {
  const w = pgWorkspace(schemaOf('age: f.string().optional()'));
  step(
    'generate writes the change offline, migrate applies it with rows present, migrate down restores the type',
    async () => {
      await w.ok(['generate', '--name', 'init']);
      await w.ok(['migrate']);
      await query(w.db.url, "INSERT INTO users (id, email, age) VALUES (gen_random_uuid(), 'a@x', '41'), (gen_random_uuid(), 'b@x', NULL)");
      w.p.write('src/schema.ts', schemaOf('age: f.int().optional()'));
      await w.ok(['generate', '--name', 'age_int', '--accept-data-loss']);
      const file = readdirSync(w.p.file('migrations')).filter((x) => x.endsWith('.sql')).sort()[1];
      expect(readFileSync(w.p.file(`migrations/${file}`), 'utf8')).toContain('ALTER TABLE "users" ALTER COLUMN "age" TYPE integer USING "age"::integer;');
      await w.ok(['migrate', '--accept-data-loss']);
      expect((await shapeOf(w.db.url, 'users')).age).toBe('integer null');
      expect(await query(w.db.url, 'SELECT age FROM users ORDER BY email')).toEqual([{ age: 41 }, { age: null }]);
      await w.ok(['migrate', 'down', '1']);
      expect((await shapeOf(w.db.url, 'users')).age).toBe('text null');
      expect(await query(w.db.url, 'SELECT age FROM users ORDER BY email')).toEqual([{ age: '41' }, { age: null }]);
    },
  );
});
