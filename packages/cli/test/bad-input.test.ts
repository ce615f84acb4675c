import { chmodSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { listFiles, projectsCleanedAfterEach, USERS_SCHEMA, USERS_SCHEMA_NO_NICKNAME, type Project } from './helpers.js';
import { columnsOf, ledgerRows } from './sqlite.js';

const project = projectsCleanedAfterEach();

/** Run a command that must stop before doing anything: exit 1, a message, and no file created or changed. */
function expectRefused(p: Project, args: string[], env: Record<string, string>, message: RegExp): string {
  const before = listFiles(p);
  const r = p.run(args, env);
  expect(r.code, r.stderr).toBe(1);
  expect(r.stderr).toMatch(/^forge: /);
  expect(r.stderr).toMatch(message);
  expect(r.stdout).toBe('');
  expect(listFiles(p)).toEqual(before);
  expect(existsSync(p.db)).toBe(false);
  return r.stderr;
}

const schemaWith = (models: string) => `import { model, f } from '@forge/core';\n${models}\n`;

describe('pre-flight failures exit 1, say what is wrong, and write nothing', () => {
  it('no DATABASE_URL: shows how to set it', () => {
    const p = project({ 'src/schema.ts': USERS_SCHEMA });
    for (const cmd of [['push'], ['diff'], ['diff', 'apply'], ['rollback']]) {
      expectRefused(p, cmd, {}, /DATABASE_URL is not set[\s\S]*DATABASE_URL=sqlite:\.\/app\.db npx forge push/);
    }
  });

  it('DATABASE_URL in .env is used, and the environment wins over it', () => {
    const p = project({ 'src/schema.ts': USERS_SCHEMA, '.env': 'DATABASE_URL=nosuch://from-dotenv\n' });
    expectRefused(p, ['diff'], {}, /nosuch:\/\/from-dotenv.*unknown prefix/);
    const r = p.run(['push'], { DATABASE_URL: p.url });
    expect(r.code).toBe(0);
  });

  it('unknown URL prefix: lists the accepted ones', () => {
    const p = project({ 'src/schema.ts': USERS_SCHEMA });
    expectRefused(p, ['push'], { DATABASE_URL: 'oracle://scott:tiger@db/orcl' }, /unknown prefix\. Accepted: postgres:\/\//);
    const stderr = expectRefused(p, ['diff'], { DATABASE_URL: 'oracle://scott:tiger@db/orcl' }, /unknown prefix/);
    expect(stderr).not.toContain('tiger');
  });

  it('an adapter that is not installed: names the packages to install', () => {
    const p = project({ 'src/schema.ts': USERS_SCHEMA });
    // The workspace builds @forge/adapter-mongo, and pnpm's bin shim puts node_modules/.pnpm/node_modules (where every
    // workspace package is linked) on NODE_PATH. The CLI does not depend on the mongo adapter, so without NODE_PATH
    // nothing on the project's resolution path provides it: the not-installed path for real.
    const stderr = expectRefused(p, ['push'], { DATABASE_URL: 'mongodb://app:s3cret@127.0.0.1:1/app', NODE_PATH: '' }, /npm install @forge\/adapter-mongo mongodb/);
    expect(stderr).not.toContain('s3cret');
  });

  it('SQLite file in a directory that does not exist: names the URL and the reason', () => {
    const p = project({ 'src/schema.ts': USERS_SCHEMA });
    const url = `sqlite:${p.file('missing-dir/db.sqlite')}`;
    expectRefused(p, ['push'], { DATABASE_URL: url }, /could not connect to sqlite:.*missing-dir\/db\.sqlite: \S/);
    expect(existsSync(p.file('missing-dir'))).toBe(false);
  });

  it('explicit schema path that does not exist (--schema and FORGE_SCHEMA_PATH)', () => {
    const p = project({ 'src/schema.ts': USERS_SCHEMA });
    expectRefused(p, ['push', '--schema=./nope/schema.ts'], { DATABASE_URL: p.url }, /nope\/schema\.ts \(from --schema\) does not exist/);
    expectRefused(p, ['diff'], { DATABASE_URL: p.url, FORGE_SCHEMA_PATH: 'gone.ts' }, /gone\.ts \(from FORGE_SCHEMA_PATH\) does not exist/);
  });

  it('a schema that throws while loading: names the file and the first line of the error', () => {
    const p = project({ 'src/schema.ts': "throw new Error('boom while loading\\nsecond line');\n" });
    const stderr = expectRefused(p, ['push'], { DATABASE_URL: p.url }, /src\/schema\.ts failed to load: boom while loading/);
    expect(stderr).not.toContain('second line');
  });

  it('a schema that exports nothing usable', () => {
    const p = project({ 'src/schema.ts': 'export const answer = 42;\n' });
    expectRefused(p, ['push'], { DATABASE_URL: p.url }, /src\/schema\.ts exports no schema[\s\S]*export const schema = \{ user: User \}/);
  });

  it('an empty schema object is refused (diff apply would drop every table)', () => {
    const p = project({ 'src/schema.ts': 'export const schema = {};\n' });
    expectRefused(p, ['diff', 'apply'], { DATABASE_URL: p.url }, /src\/schema\.ts exports an empty schema/);
  });

  it('two conventional schema files and no explicit choice: names both and how to pick', () => {
    const p = project({ 'src/schema.ts': USERS_SCHEMA, 'schema.ts': USERS_SCHEMA });
    expectRefused(p, ['push'], { DATABASE_URL: p.url }, /more than one schema file: src\/schema\.ts and schema\.ts[\s\S]*--schema/);
  });

  it('no schema anywhere: lists what was tried', () => {
    const p = project({});
    expectRefused(p, ['push'], { DATABASE_URL: p.url }, /no schema file found[\s\S]*src\/schema\.\{ts,mts,js,mjs\}[\s\S]*prisma\/schema\.\{/);
  });

  describe('invalid models', () => {
    const cases: Array<[string, string, RegExp]> = [
      [
        'duplicate table names',
        "export const A = model('users', { id: f.id() });\nexport const B = model('users', { id: f.id() });\nexport const schema = { a: A, b: B };",
        /both use the table name 'users'/,
      ],
      [
        'a ref to something that is not a model',
        "export const Post = model('posts', { id: f.id(), authorId: f.string().refs(() => ({ name: 'x' }) as never) });",
        /refs\(\) points at something that is not a model/,
      ],
      [
        'an index on an unknown field',
        "export const User = model('users', { id: f.id(), email: f.string() }, { indexes: [{ keys: { emial: 1 } }] });",
        /unknown field 'emial'/,
      ],
      [
        'two primary keys',
        "export const User = model('users', { id: f.id(), code: f.id() });",
        /two primary keys/,
      ],
    ];
    for (const [name, models, message] of cases) {
      it(name, () => {
        const p = project({ 'src/schema.ts': schemaWith(models) });
        expectRefused(p, ['push'], { DATABASE_URL: p.url }, new RegExp(`invalid schema in src/schema\\.ts: [\\s\\S]*${message.source}`));
      });
    }
  });

  it('a broken --ignore regex', () => {
    const p = project({ 'src/schema.ts': USERS_SCHEMA });
    expectRefused(p, ['diff', '--ignore=/([/'], { DATABASE_URL: p.url }, /--ignore: .*not a valid regular expression/);
    expectRefused(p, ['diff'], { DATABASE_URL: p.url, FORGE_DIFF_IGNORE: '/([/' }, /FORGE_DIFF_IGNORE: .*not a valid regular expression/);
  });

  it('flags that do not belong: unknown option, --dry without apply, --check with apply', () => {
    const p = project({ 'src/schema.ts': USERS_SCHEMA });
    expectRefused(p, ['push', '--force'], { DATABASE_URL: p.url }, /unknown option `--force`[\s\S]*forge push --help/);
    expectRefused(p, ['diff', '--dry'], { DATABASE_URL: p.url }, /--dry only applies to `forge diff apply`/);
    expectRefused(p, ['diff', 'apply', '--check'], { DATABASE_URL: p.url }, /--check does not apply/);
    expectRefused(p, ['diff', 'aply'], { DATABASE_URL: p.url }, /unknown diff action 'aply'/);
  });
});

describe('migration commands refuse cleanly', () => {
  it('rollback with an empty ledger exits 1 and changes nothing', () => {
    const p = project({ 'src/schema.ts': USERS_SCHEMA });
    p.ok(['push'], { DATABASE_URL: p.url });
    const r = p.run(['rollback'], { DATABASE_URL: p.url });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^forge: nothing to roll back: _forge_migrations is empty/m);
    expect(existsSync(p.file('migrations'))).toBe(false);
    expect(columnsOf(p.db, 'users')).toEqual(['id', 'email', 'nickname']);
  });

  it('rollback whose migration file is missing exits 1, names the file and keeps the ledger row', () => {
    const p = project({ 'src/schema.ts': USERS_SCHEMA });
    const env = { DATABASE_URL: p.url };
    p.ok(['push'], env);
    p.write('src/schema.ts', USERS_SCHEMA_NO_NICKNAME);
    p.ok(['diff', 'apply'], env);
    const [row] = ledgerRows(p.db);
    rmSync(p.file('migrations'), { recursive: true });

    const r = p.run(['rollback'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${row.name}.sql`);
    expect(ledgerRows(p.db)).toEqual([row]);
    expect(columnsOf(p.db, 'users')).not.toContain('nickname');
  });

  it('diff apply when the migrations directory cannot be written: exit 1, database unchanged', () => {
    const p = project({ 'src/schema.ts': USERS_SCHEMA });
    const env = { DATABASE_URL: p.url };
    p.ok(['push'], env);
    p.write('src/schema.ts', USERS_SCHEMA_NO_NICKNAME);

    // root ignores directory permissions, so there block the path with a regular file instead.
    const asRoot = process.getuid?.() === 0;
    if (asRoot) {
      p.write('blocker', 'a file, not a directory\n');
      p.write('forge.config.ts', "export default { migrationsDir: 'blocker/migrations' };\n");
    } else {
      mkdirSync(p.file('migrations'));
      chmodSync(p.file('migrations'), 0o500);
    }
    const r = p.run(['diff', 'apply'], env);
    if (!asRoot) chmodSync(p.file('migrations'), 0o700);

    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(asRoot ? /cannot write migrations to .*blocker\/migrations: .*not a (directory|folder)/i : /cannot write migrations to .*migrations: .*not writable/i);
    expect(columnsOf(p.db, 'users')).toContain('nickname');
    expect(ledgerRows(p.db)).toEqual([]);
  });

  it('Mongo URLs are refused by diff apply and rollback before anything loads', () => {
    const p = project({ 'src/schema.ts': USERS_SCHEMA });
    expectRefused(p, ['rollback'], { DATABASE_URL: 'mongodb://127.0.0.1:1/app' }, /Mongo uses forge:push, not SQL migrations/);
    expectRefused(p, ['diff', 'apply'], { DATABASE_URL: 'mongodb://127.0.0.1:1/app' }, /Mongo uses forge:push, not SQL migrations/);
  });
});
