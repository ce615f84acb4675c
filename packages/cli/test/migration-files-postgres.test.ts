import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { adapter } from '@forge/adapter-postgres';
import { describe, expect, it } from 'vitest';
import { shown, type Project } from './helpers.js';
import { PG_LABEL, columnsOf, ledgerRows, postgresAnswers, query, tablesOf, pgWorkspace } from './postgres.js';

/**
 * Issue 14 on a live PostgreSQL, through the built CLI: the file workflow, consent, renames that keep rows, and
 * DDL that fails fast under lock_timeout when another session holds the table. Each suite has its own database.
 */
const pgUp = await postgresAnswers();
const suite = (name: string, fn: () => void) =>
  describe.skipIf(!pgUp).concurrent(`${name} (needs PostgreSQL at ${PG_LABEL}${pgUp ? '' : ' — no answer, skipped'})`, { timeout: 60_000 }, fn);
const step = it.sequential;

const schemaOf = (fields: string, extra = '') =>
  `import { model, f } from '@forge/core';\nexport const User = model('users', { id: f.id(), email: f.string(), ${fields} })${extra};\nexport const schema = { user: User };\n`;
const V1 = schemaOf('nickname: f.string().optional()');
const V2 = schemaOf('nickname: f.string().optional(), age: f.int().optional()');

const files = (p: Project) => readdirSync(p.file('migrations')).filter((f) => f.endsWith('.sql')).sort();

suite('generate / migrate / status / down on Postgres', () => {
  const w = pgWorkspace(V1);
  step('generate twice offline (--dialect), then migrate applies both in order', async () => {
    await w.ok(['generate', '--name', 'init', '--dialect', 'postgres'], {});
    w.p.write('src/schema.ts', V2);
    const check = await w.forge(['generate', '--check', '--dialect', 'postgres']);
    expect(check.code, shown(check)).toBe(3);
    await w.ok(['generate', '--name', 'add_age', '--dialect', 'postgres']);
    expect(await tablesOf(w.db.url)).toEqual([]);
    const m = await w.ok(['migrate']);
    expect(m.stdout).toMatch(/applied 0001_.*\n.*applied 0002_/);
    expect(await columnsOf(w.db.url, 'users')).toEqual(['id', 'email', 'nickname', 'age']);
    const rows = await query<{ checksum: string }>(w.db.url, 'SELECT checksum FROM _forge_migrations ORDER BY name');
    expect(rows.map((r) => r.checksum)).toEqual([expect.stringMatching(/^[0-9a-f]{64}$/), expect.stringMatching(/^[0-9a-f]{64}$/)]);
  });
  step('status reports an edited file; down 2 undoes both; migrate re-applies', async () => {
    const f = w.p.file(`migrations/${files(w.p)[1]}`);
    const text = readFileSync(f, 'utf8');
    writeFileSync(f, text.replace('-- down', 'CREATE INDEX users_age ON users (age);\n\n-- down'));
    const s = JSON.parse((await w.ok(['migrate', 'status', '--json'])).stdout);
    expect(s.edited).toEqual([files(w.p)[1].replace(/\.sql$/, '')]);
    writeFileSync(f, text);
    await w.ok(['migrate', 'down', '2']);
    expect(await tablesOf(w.db.url)).toEqual(['_forge_migrations']);
    expect(await ledgerRows(w.db.url)).toEqual([]);
    await w.ok(['migrate']);
    expect(JSON.parse((await w.ok(['migrate', 'status', '--json'])).stdout)).toMatchObject({ clean: true });
  });
  step('a failing file rolls back alone; the ones before it stay applied', async () => {
    w.p.write('migrations/0003_20300101_000000_good.sql', '-- up\nCREATE TABLE good (id int);\n-- down\nDROP TABLE good;\n');
    w.p.write('migrations/0004_20300101_000001_bad.sql', '-- up\nCREATE TABLE bad (id int);\nSELECT * FROM no_such_table;\n-- down\nDROP TABLE bad;\n');
    const r = await w.forge(['migrate']);
    expect(r.code, shown(r)).toBe(2);
    expect(await tablesOf(w.db.url)).toEqual(expect.arrayContaining(['good']));
    expect(await tablesOf(w.db.url)).not.toContain('bad');
    expect((await ledgerRows(w.db.url)).map((x) => x.name)).toEqual(expect.arrayContaining(['0003_20300101_000000_good']));
    expect((await ledgerRows(w.db.url)).map((x) => x.name)).not.toContain('0004_20300101_000001_bad');
  });
});

suite('consent and renames on Postgres', () => {
  const w = pgWorkspace(V1);
  step('diff apply refuses a drop of data without a terminal and changes nothing', async () => {
    await w.ok(['push']);
    await query(w.db.url, "INSERT INTO users (id, email, nickname) VALUES ('00000000-0000-0000-0000-000000000001', 'a@x', 'ann'), ('00000000-0000-0000-0000-000000000002', 'b@x', 'bob')");
    w.p.write('src/schema.ts', schemaOf(''));
    const r = await w.forge(['diff', 'apply']);
    expect(r.code, shown(r)).toBe(1);
    expect(r.stdout).toContain('FORGE_DROP_COLUMN drop column users.nickname (2 rows lose a value)');
    expect(r.stderr).toContain('--accept-data-loss');
    expect(await columnsOf(w.db.url, 'users')).toContain('nickname');
    expect(await ledgerRows(w.db.url)).toEqual([]);
  });
  step('.renamedFrom on the field and the model: push renames, rows kept', async () => {
    w.p.write(
      'src/schema.ts',
      `import { model, f } from '@forge/core';\nexport const Person = model('people', { id: f.id(), email: f.string(), handle: f.string().optional().renamedFrom('nickname') }).renamedFrom('users');\nexport const schema = { person: Person };\n`,
    );
    await w.ok(['push']);
    expect(await tablesOf(w.db.url)).toEqual(['people']);
    expect(await query(w.db.url, 'SELECT email, handle FROM people ORDER BY email')).toEqual([
      { email: 'a@x', handle: 'ann' },
      { email: 'b@x', handle: 'bob' },
    ]);
    expect((await w.ok(['diff', '--check'])).stdout).toContain('no drift');
  });
  step('diff apply with a --renames answer renames (no consent needed) and rollback renames back', async () => {
    w.p.write('src/schema.ts', `import { model, f } from '@forge/core';\nexport const Person = model('people', { id: f.id(), email: f.string(), alias: f.string().optional() });\nexport const schema = { person: Person };\n`);
    w.p.write('answers.json', JSON.stringify({ 'people.alias': 'handle' }));
    const r = await w.ok(['diff', 'apply', '--renames=answers.json']);
    expect(r.stdout).toContain('rename people.handle to people.alias');
    expect(await query(w.db.url, 'SELECT alias FROM people ORDER BY email')).toEqual([{ alias: 'ann' }, { alias: 'bob' }]);
    await w.ok(['rollback']);
    expect(await columnsOf(w.db.url, 'people')).toContain('handle');
  });
});

suite('lock_timeout on Postgres', () => {
  const w = pgWorkspace(V1);
  step('a migration blocked by another session fails fast, naming the lock; it applies once the lock is gone', async () => {
    await w.ok(['generate', '--name', 'init']);
    await w.ok(['migrate']);
    w.p.write('src/schema.ts', V2);
    await w.ok(['generate', '--name', 'add_age']);
    const holder = await adapter.connect(w.db.url);
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let holding!: () => void;
    const held = new Promise<void>((r) => (holding = r));
    const tx = holder.transaction(async (t) => {
      await t.query('SELECT * FROM users');
      holding();
      await released;
    });
    try {
      await held;
      const started = Date.now();
      const r = await w.forge(['migrate'], { FORGE_LOCK_TIMEOUT: '300ms' });
      expect(r.code, shown(r)).toBe(2);
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(r.stdout).toMatch(/gave up after waiting 300 ms for the lock on table users/);
      expect(r.stdout).toContain('pg_stat_activity');
      expect(await columnsOf(w.db.url, 'users')).not.toContain('age');
    } finally {
      release();
      await tx;
      await holder.close();
    }
    await w.ok(['migrate']);
    expect(await columnsOf(w.db.url, 'users')).toContain('age');
  });
});
