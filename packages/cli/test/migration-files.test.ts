import { spawn } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, cliEnv, projectsCleanedAfterEach, shown, type Project, type RunResult } from './helpers.js';
import { columnsOf, ledgerRows, tablesOf, withDb } from './sqlite.js';

/**
 * Issue 14 on SQLite, through the built CLI: generate (offline), migrate, status, down N, checksums, out-of-order
 * files from two branches, consent with and without a terminal, renames that keep rows, and a killed migrate.
 */
const project = projectsCleanedAfterEach();

const schemaOf = (fields: string, extra = '') =>
  `import { model, f } from '@forge/core';\nexport const User = model('users', { id: f.id(), email: f.string(), ${fields} })${extra};\nexport const schema = { user: User };\n`;
const V1 = schemaOf('nickname: f.string().optional()');
const V2 = schemaOf('nickname: f.string().optional(), age: f.int().optional()');

/** The migration files (not the snapshots) of the project, by name. */
const files = (p: Project) => (existsSync(p.file('migrations')) ? readdirSync(p.file('migrations')).filter((f) => f.endsWith('.sql')).sort() : []);
const env = (p: Project) => ({ DATABASE_URL: p.url });
const expectExit = (r: RunResult, code: number) => expect(r.code, shown(r)).toBe(code);
const status = (p: Project) => JSON.parse(p.ok(['migrate', 'status', '--json'], env(p)).stdout) as Record<string, string[]> & { clean: boolean };

describe('forge generate / migrate / status / down on SQLite', { timeout: 60_000 }, () => {
  it('generates twice without a database, applies, reports checksums, goes down 2 and back up', () => {
    const p = project({ 'src/schema.ts': V1 });
    // No DATABASE_URL: the dialect comes from --dialect and no database file is created.
    const g1 = p.ok(['generate', '--name', 'init', '--dialect', 'sqlite']);
    expect(g1.stdout).toMatch(/wrote migrations\/0001_\d{8}_\d{6}_init\.sql/);
    expect(existsSync(p.db)).toBe(false);
    expectExit(p.run(['generate', '--check', '--dialect', 'sqlite']), 0);
    p.write('src/schema.ts', V2);
    const check = p.run(['generate', '--check', '--dialect', 'sqlite']);
    expectExit(check, 3);
    expect(check.stdout).toContain('add users.age');
    // Neither DATABASE_URL nor --dialect: the dialect the previous migration was generated for.
    p.ok(['generate', '--name', 'add age']);
    expect(files(p)).toEqual([expect.stringMatching(/^0001_\d{8}_\d{6}_init\.sql$/), expect.stringMatching(/^0002_\d{8}_\d{6}_add_age\.sql$/)]);
    const second = readFileSync(p.file(`migrations/${files(p)[1]}`), 'utf8');
    expect(second).toMatch(/-- up\nALTER TABLE "users" ADD COLUMN "age" INTEGER;\n\n-- down\nALTER TABLE "users" DROP COLUMN "age";/);
    expect(existsSync(p.db)).toBe(false);

    expect(status(p).pending).toHaveLength(2);
    const m = p.ok(['migrate'], env(p));
    expect(m.stdout).toMatch(/applied 0001_.*\n.*applied 0002_/);
    expect(columnsOf(p.db, 'users')).toEqual(['id', 'email', 'nickname', 'age']);
    const rows = withDb(p.db, (db) => db.prepare('SELECT name, checksum FROM _forge_migrations ORDER BY name').all()) as Array<{ name: string; checksum: string }>;
    expect(rows.map((r) => r.checksum)).toEqual([expect.stringMatching(/^[0-9a-f]{64}$/), expect.stringMatching(/^[0-9a-f]{64}$/)]);
    expect(status(p)).toMatchObject({ clean: true, pending: [], edited: [] });
    expectExit(p.run(['migrate', 'status', '--check'], env(p)), 0);

    // Line endings are not an edit; a changed statement is.
    const f1 = p.file(`migrations/${files(p)[0]}`);
    const original = readFileSync(f1, 'utf8');
    writeFileSync(f1, original.replace(/\n/g, '\r\n'));
    expect(status(p).edited).toEqual([]);
    writeFileSync(f1, original.replace('"nickname" TEXT', '"nickname" TEXT NOT NULL'));
    expect(status(p).edited).toEqual([files(p)[0].replace(/\.sql$/, '')]);
    expectExit(p.run(['migrate', 'status', '--check'], env(p)), 3);
    writeFileSync(f1, original);

    const down = p.ok(['migrate', 'down', '2'], env(p));
    expect(down.stdout).toMatch(/undid 0002_[^\n]*\n[^\n]*\n.*undid 0001_/s);
    expect(tablesOf(p.db)).toEqual(['_forge_migrations']);
    expect(ledgerRows(p.db)).toEqual([]);
    p.ok(['migrate'], env(p));
    expect(columnsOf(p.db, 'users')).toEqual(['id', 'email', 'nickname', 'age']);
    expect(status(p).applied).toHaveLength(2);
  });

  it('a second generate with no change writes nothing; down N beyond the ledger undoes nothing', () => {
    const p = project({ 'src/schema.ts': V1 });
    p.ok(['generate', '--name', 'init'], env(p));
    const again = p.ok(['generate', '--name', 'again'], env(p));
    expect(again.stdout).toContain('no schema change');
    expect(files(p)).toHaveLength(1);
    p.ok(['migrate'], env(p));
    const r = p.run(['migrate', 'down', '3'], env(p));
    expectExit(r, 1);
    expect(r.stderr).toContain('only 1 migration(s) are applied');
    expect(tablesOf(p.db)).toContain('users');
  });

  it('two branches that both add 0002 merge without a clash; the older one is out of order until allowed', () => {
    const main = project({ 'src/schema.ts': V1 });
    main.ok(['generate', '--name', 'init'], env(main));
    main.ok(['migrate'], env(main));
    const branch = (fields: string, name: string) => {
      const b = project({});
      cpSync(main.file('migrations'), b.file('migrations'), { recursive: true });
      b.write('src/schema.ts', schemaOf(fields));
      b.ok(['generate', '--name', name, '--dialect', 'sqlite']);
      return b;
    };
    const a = branch('nickname: f.string().optional(), a: f.int().optional()', 'add_a');
    // Names differ in time and slug: wait for the next second so branch b's file sorts after branch a's.
    const until = Date.now() + 1100;
    while (Date.now() < until) void 0;
    const b = branch('nickname: f.string().optional(), b: f.int().optional()', 'add_b');
    // Branch b merges and deploys first.
    cpSync(b.file('migrations'), main.file('migrations'), { recursive: true });
    main.ok(['migrate'], env(main));
    // Then branch a merges: its 0002 sorts before b's, which already ran.
    cpSync(a.file('migrations'), main.file('migrations'), { recursive: true });
    main.write('src/schema.ts', schemaOf('nickname: f.string().optional(), a: f.int().optional(), b: f.int().optional()'));
    expect(files(main).filter((f) => f.startsWith('0002_'))).toHaveLength(2);
    const s = status(main);
    expect(s.outOfOrder).toEqual([expect.stringMatching(/^0002_.*_add_a$/)]);
    const refused = main.run(['migrate'], env(main));
    expectExit(refused, 1);
    expect(refused.stderr).toContain('--allow-out-of-order');
    expect(columnsOf(main.db, 'users')).not.toContain('a');
    main.ok(['migrate', '--allow-out-of-order'], env(main));
    expect(columnsOf(main.db, 'users')).toEqual(expect.arrayContaining(['a', 'b']));
    expect(status(main).clean).toBe(true);
    // The merged snapshots cover both columns: nothing left to generate.
    expectExit(main.run(['generate', '--check'], env(main)), 0);
  });

  it('a migrate killed mid-file leaves nothing half-applied, and the next migrate applies everything', async () => {
    const p = project({ 'src/schema.ts': V1 });
    p.ok(['generate', '--name', 'init'], env(p));
    p.write('src/schema.ts', V2);
    p.ok(['generate', '--name', 'add_age'], env(p));
    // The engine's crash hook, as the reliability harness uses it: SIGKILL after the 3rd statement (inside file 2).
    p.write(
      'crash.mjs',
      `import { loadAdapter, runMigrateFiles } from '@forge/core';
const adapter = await loadAdapter('sqlite');
const conn = await adapter.connect(process.env.DATABASE_URL);
let n = 0;
await runMigrateFiles({ adapter, conn }, { dir: 'migrations', afterStatement: () => { if (++n === 4) process.kill(process.pid, 'SIGKILL'); } });
`,
    );
    const crashed = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, ['crash.mjs'], { cwd: p.dir, env: cliEnv(env(p)) });
      child.on('close', (code, signal) => resolve(signal === 'SIGKILL' ? -9 : code));
    });
    expect(crashed).toBe(-9);
    expect(ledgerRows(p.db)).toEqual([]);
    expect(tablesOf(p.db)).not.toContain('users');
    p.ok(['migrate'], env(p));
    expect(columnsOf(p.db, 'users')).toEqual(['id', 'email', 'nickname', 'age']);
    expect(status(p).clean).toBe(true);
  });
});

describe('baseline and an old ledger on SQLite', { timeout: 60_000 }, () => {
  it('generate --baseline plans the first file from the live database (read-only)', () => {
    const p = project({ 'src/schema.ts': V1 });
    p.ok(['push'], env(p));
    p.write('src/schema.ts', V2);
    const r = p.ok(['generate', '--name', 'init', '--baseline'], env(p));
    expect(r.stdout).toContain('from the live database (baseline)');
    const text = readFileSync(p.file(`migrations/${files(p)[0]}`), 'utf8');
    expect(text).toContain('ALTER TABLE "users" ADD COLUMN "age" INTEGER;');
    expect(text).not.toContain('CREATE TABLE');
    expect(columnsOf(p.db, 'users')).not.toContain('age');
    p.ok(['migrate'], env(p));
    expect(columnsOf(p.db, 'users')).toContain('age');
  });

  it('a two-column ledger (seed 004 data-migration sample) is upgraded in place and its rows kept', () => {
    const p = project({ 'src/schema.ts': V1 });
    withDb(p.db, (db) => {
      db.exec('CREATE TABLE IF NOT EXISTS _forge_migrations (name VARCHAR(255) PRIMARY KEY, applied_at VARCHAR(64))');
      db.exec("INSERT INTO _forge_migrations (name, applied_at) VALUES ('20260624-backfill-handle', '2026-06-24T00:00:00.000Z')");
    });
    p.ok(['generate', '--name', 'init'], env(p));
    const before = status(p);
    expect(before.missing).toEqual([]);
    expect(before.external).toEqual(['20260624-backfill-handle']);
    expect(before.pending).toHaveLength(1);
    p.ok(['migrate'], env(p));
    const rows = withDb(p.db, (db) => db.prepare('SELECT name, checksum FROM _forge_migrations ORDER BY applied_at').all()) as Array<{ name: string; checksum: string | null }>;
    expect(rows).toEqual([
      { name: '20260624-backfill-handle', checksum: null },
      { name: files(p)[0].replace(/\.sql$/, ''), checksum: expect.stringMatching(/^[0-9a-f]{64}$/) },
    ]);
    // The sample's insert still works against the upgraded ledger.
    withDb(p.db, (db) => db.exec("INSERT INTO _forge_migrations (name, applied_at) VALUES ('20260701-other', '2026-07-01T00:00:00.000Z')"));
    expect(status(p).edited).toEqual([]);
  });
});

describe('consent on SQLite', { timeout: 60_000 }, () => {
  const seeded = () => {
    const p = project({ 'src/schema.ts': V1 });
    p.ok(['push'], env(p));
    withDb(p.db, (db) => db.exec("INSERT INTO users (id, email, nickname) VALUES ('1', 'a@x', 'ann'), ('2', 'b@x', NULL)"));
    p.write('src/schema.ts', schemaOf(''));
    return p;
  };

  it('diff apply without a terminal refuses a drop of data: exit 1, names --accept-data-loss, changes nothing, never waits', async () => {
    const p = seeded();
    // runAsync keeps stdin open: a command waiting for an answer would hang here until the test times out.
    const r = await p.runAsync(['diff', 'apply'], env(p));
    expectExit(r, 1);
    expect(r.stdout).toMatch(/FORGE_DROP_COLUMN drop column users\.nickname \(1 row loses a value\)/);
    expect(r.stdout).toContain('fix: two-phase drop');
    expect(r.stderr).toContain('--accept-data-loss');
    expect(columnsOf(p.db, 'users')).toContain('nickname');
    expect(files(p)).toEqual([]);
    expect(ledgerRows(p.db)).toEqual([]);
    const ok = p.ok(['diff', 'apply', '--accept-data-loss'], env(p));
    expect(ok.stdout).toContain('applied');
    expect(columnsOf(p.db, 'users')).not.toContain('nickname');
  });

  it('a drop of an empty column needs no consent', () => {
    const p = project({ 'src/schema.ts': V1 });
    p.ok(['push'], env(p));
    p.write('src/schema.ts', schemaOf(''));
    p.ok(['diff', 'apply'], env(p));
    expect(columnsOf(p.db, 'users')).not.toContain('nickname');
  });

  it('migrate counts the rows before it runs and refuses without a terminal', async () => {
    const p = project({ 'src/schema.ts': V1 });
    p.ok(['generate', '--name', 'init'], env(p));
    p.ok(['migrate'], env(p));
    withDb(p.db, (db) => db.exec("INSERT INTO users (id, email, nickname) VALUES ('1', 'a@x', 'ann'), ('2', 'b@x', 'bob')"));
    p.write('src/schema.ts', schemaOf(''));
    const gen = await p.runAsync(['generate', '--name', 'drop_nickname'], env(p));
    expectExit(gen, 1);
    expect(files(p)).toHaveLength(1);
    p.ok(['generate', '--name', 'drop_nickname', '--accept-data-loss'], env(p));
    const r = await p.runAsync(['migrate'], env(p));
    expectExit(r, 1);
    expect(r.stdout).toMatch(/FORGE_DROP_COLUMN 0002_\S+: drop column users\.nickname \(2 rows lose a value\)/);
    expect(columnsOf(p.db, 'users')).toContain('nickname');
    expect(ledgerRows(p.db)).toHaveLength(1);
  });

  it('on a terminal forge asks; "n" (the default) changes nothing, "y" applies', async () => {
    const p = seeded();
    const answer = (reply: string) =>
      new Promise<RunResult>((resolve, reject) => {
        // script(1) gives the CLI a pseudo-terminal for stdin and stdout; -e passes its exit code on.
        const child = spawn('script', ['-qfec', `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} diff apply`, '/dev/null'], {
          cwd: p.dir,
          env: cliEnv({ ...env(p), TERM: 'dumb' }),
        });
        let stdout = '';
        let answered = false;
        child.stdout.setEncoding('utf8').on('data', (d: string) => {
          stdout += d;
          if (!answered && stdout.includes('[y/N]')) {
            answered = true;
            child.stdin.write(`${reply}\r`);
          }
        });
        const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        child.on('error', reject);
        child.on('close', (code) => {
          clearTimeout(timer);
          resolve({ code, stdout, stderr: '' });
        });
      });
    const no = await answer('n');
    expect(no.stdout).toContain('Apply these changes? [y/N]');
    expectExit(no, 1);
    expect(columnsOf(p.db, 'users')).toContain('nickname');
    const yes = await answer('y');
    expectExit(yes, 0);
    expect(columnsOf(p.db, 'users')).not.toContain('nickname');
  });
});

describe('renames on SQLite', { timeout: 60_000 }, () => {
  it('.renamedFrom on a field and a model: push renames and keeps the rows', () => {
    const p = project({ 'src/schema.ts': V1 });
    p.ok(['push'], env(p));
    withDb(p.db, (db) => db.exec("INSERT INTO users (id, email, nickname) VALUES ('1', 'a@x', 'ann')"));
    p.write(
      'src/schema.ts',
      `import { model, f } from '@forge/core';\nexport const Person = model('people', { id: f.id(), email: f.string(), handle: f.string().optional().renamedFrom('nickname') }).renamedFrom('users');\nexport const schema = { person: Person };\n`,
    );
    const r = p.ok(['push'], env(p));
    expect(r.stdout).toContain('rename table users to people');
    expect(tablesOf(p.db)).toEqual(['people']);
    expect(withDb(p.db, (db) => db.prepare('SELECT id, email, handle FROM people').all())).toEqual([{ id: '1', email: 'a@x', handle: 'ann' }]);
    expect(p.ok(['diff', '--check'], env(p)).stdout).toContain('no drift');
  });

  it('diff apply names a possible rename; a --renames file settles it and keeps the rows', () => {
    const p = project({ 'src/schema.ts': V1 });
    p.ok(['push'], env(p));
    withDb(p.db, (db) => db.exec("INSERT INTO users (id, email, nickname) VALUES ('1', 'a@x', 'ann')"));
    p.write('src/schema.ts', schemaOf('handle: f.string().optional()'));
    const dry = p.ok(['diff', 'apply', '--dry'], env(p));
    expect(dry.stderr).toMatch(/FORGE_POSSIBLE_RENAME users\.nickname is dropped and users\.handle added: a rename\?/);
    p.write('renames.json', JSON.stringify({ 'users.handle': 'nickname' }));
    const r = p.ok(['diff', 'apply', '--renames', 'renames.json'], env(p));
    expect(r.stdout).toContain('rename users.nickname to users.handle');
    expect(withDb(p.db, (db) => db.prepare('SELECT handle FROM users').all())).toEqual([{ handle: 'ann' }]);
    // Its down block renames back.
    p.ok(['rollback'], env(p));
    expect(columnsOf(p.db, 'users')).toContain('nickname');
  });

  it('generate emits RENAME from .renamedFrom, and migrate keeps the rows', () => {
    const p = project({ 'src/schema.ts': V1 });
    p.ok(['generate', '--name', 'init'], env(p));
    p.ok(['migrate'], env(p));
    withDb(p.db, (db) => db.exec("INSERT INTO users (id, email, nickname) VALUES ('1', 'a@x', 'ann')"));
    p.write('src/schema.ts', schemaOf("handle: f.string().optional().renamedFrom('nickname')"));
    p.ok(['generate', '--name', 'rename'], env(p));
    expect(readFileSync(p.file(`migrations/${files(p)[1]}`), 'utf8')).toContain('ALTER TABLE "users" RENAME COLUMN "nickname" TO "handle";');
    p.ok(['migrate'], env(p));
    expect(withDb(p.db, (db) => db.prepare('SELECT handle FROM users').all())).toEqual([{ handle: 'ann' }]);
    expectExit(p.run(['generate', '--check'], env(p)), 0);
  });
});

describe('global flags', { timeout: 60_000 }, () => {
  it('every command accepts --schema and --config, also where it does not need them', () => {
    const p = project({ 'src/schema.ts': V1, 'forge.config.ts': "export default { migrationsDir: 'db/migrations', lockTimeout: '2s' };\n" });
    p.ok(['generate', '--name', 'init', '--schema=./src/schema.ts', '--config=./forge.config.ts'], env(p));
    expect(readdirSync(p.file('db/migrations')).filter((f) => f.endsWith('.sql'))).toHaveLength(1);
    p.ok(['migrate', '--schema=./src/schema.ts'], env(p));
    const r = p.run(['rollback', '--schema=./s.ts', '--config=./forge.config.ts'], env(p));
    expectExit(r, 0);
    expect(tablesOf(p.db)).toEqual(['_forge_migrations']);
    const bad = p.run(['migrate', 'status', '--config=./nope.ts'], env(p));
    expectExit(bad, 1);
    expect(bad.stderr).toContain('nope.ts');
    void path;
  });
});
