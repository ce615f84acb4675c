import { createServer } from 'node:net';
import { existsSync, unlinkSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cliProject, shown, type CliRun } from '../../src/reliability/cli.js';
import { describeTargets } from '../../src/reliability/describe.js';
import { SHOP } from '../../src/reliability/fixtures/index.js';
import { fullRun, recordCases } from '../../src/reliability/runs.js';
import { loadTargets } from '../../src/reliability/targets.js';
import { TEST_TARGETS } from '../../src/targets.js';

/** A port on 127.0.0.1 that nothing listens on: bound by the OS, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const port = await closedPort();
const schemaFile = (body: string) => `import { f, model, one } from '@forge/core';\nvoid f; void model; void one;\n${body}\n`;

interface CliCase {
  name: string;
  dialect: string;
  /** The commands to try: all of them in a full run, the first in the regular suite. */
  commands: string[][];
  /** DATABASE_URL; `<db>` stands for a SQLite file in the project that must never be created. */
  url?: string;
  env?: Record<string, string>;
  schema?: string;
  stderr: RegExp;
  /** Text the output must not contain (a password from the URL, or pieces of it). */
  secret?: string | string[];
  /** What stdout shows; nothing unless set. */
  stdout?: RegExp;
  /**
   * An adapter package (`adapter-mongo`) taken out of the project, with NODE_PATH cleared (pnpm's bin shim points it
   * at node_modules/.pnpm/node_modules, where every workspace package is linked): the CLI then cannot resolve it.
   */
  withoutAdapter?: string;
}

const ALL = [['push'], ['diff'], ['diff', 'apply']];
const DB = 'sqlite:<db>';

/**
 * Bad input for the CLI: each case exits 1 (pre-flight), prints `forge: ` and a message naming the
 * problem on stderr, nothing on stdout, and writes nothing: no database file, no migrations folder.
 */
const CASES: CliCase[] = [
  { name: 'no DATABASE_URL', dialect: 'any', commands: ALL, stderr: /DATABASE_URL is not set/ },
  { name: 'a blank DATABASE_URL', dialect: 'any', commands: ALL, url: '   ', stderr: /DATABASE_URL is not set/ },
  { name: 'an unknown URL prefix', dialect: 'any', commands: ALL, url: 'oracle://scott:tiger@db/orcl', stderr: /unknown prefix\. Accepted: postgres:\/\//, secret: 'tiger' },
  { name: 'a URL with no scheme', dialect: 'any', commands: [['push']], url: '://nothing', stderr: /unknown prefix/ },
  { name: 'a dialect whose adapter is not installed', dialect: 'any', commands: [['push'], ['diff']], url: 'mongodb://root:s3cret@127.0.0.1:27017/app', stderr: /mongo adapter is not installed/, secret: 's3cret', withoutAdapter: 'adapter-mongo' },
  { name: 'sqlite: with no file', dialect: 'sqlite', commands: ALL, url: 'sqlite:', stderr: /names no file/ },
  { name: 'file: with no file', dialect: 'sqlite', commands: [['push']], url: 'file:', stderr: /names no file/ },
  { name: 'a malformed %-escape in a SQLite path', dialect: 'sqlite', commands: [['push']], url: 'sqlite:./%zz.db', stderr: /malformed %-escape/ },
  { name: 'a non-numeric busy_timeout', dialect: 'sqlite', commands: [['push'], ['diff']], url: 'sqlite:./x.db?busy_timeout=soon', stderr: /busy_timeout .*whole number/ },
  { name: 'an unknown SQLite URL option', dialect: 'sqlite', commands: [['push']], url: 'sqlite:./x.db?journal=wal', stderr: /Unknown option 'journal'/ },
  { name: 'a SQLite file in a folder that does not exist', dialect: 'sqlite', commands: ALL, url: 'sqlite:./no/such/dir/x.db', stderr: /could not connect to sqlite:.*does not exist/ },
  { name: 'a Postgres URL that does not parse', dialect: 'postgres', commands: [['push'], ['diff']], url: 'postgres://u:pw@host:notaport/db', stderr: /(not a valid|Invalid) URL/i, secret: ':pw@' },
  {
    name: `an unreachable Postgres (127.0.0.1:${port}, closed)`,
    dialect: 'postgres',
    commands: ALL,
    url: `postgres://postgres:hunter2@127.0.0.1:${port}/app`,
    stderr: /(could not connect to|Could not reach PostgreSQL \()postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/app.*ECONNREFUSED/,
    secret: 'hunter2',
  },
  // Passwords are never printed: an unencoded '@' in the password, a password query parameter, SQL Server and Mongo URL forms.
  {
    name: `a password with an unencoded @, on an unreachable Postgres (127.0.0.1:${port})`,
    dialect: 'postgres',
    commands: ALL,
    url: `postgres://postgres:Sekr3t@Tok9@127.0.0.1:${port}/app`,
    stderr: /postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/app.*ECONNREFUSED/,
    secret: ['Sekr3t', 'Tok9'],
  },
  {
    name: `?password= in the query string, on an unreachable Postgres (127.0.0.1:${port})`,
    dialect: 'postgres',
    commands: ALL,
    url: `postgres://postgres@127.0.0.1:${port}/app?sslmode=disable&password=hunter2`,
    stderr: /postgres:\/\/postgres@127\.0\.0\.1:\d+\/app\?sslmode=disable&password=\*\*\*.*ECONNREFUSED/,
    secret: 'hunter2',
  },
  { name: 'an unknown prefix with an @ in the password', dialect: 'any', commands: [['push'], ['diff']], url: 'oracle://scott:tiger@Tok9@db/orcl', stderr: /'oracle:\/\/scott:\*\*\*@db\/orcl' has an unknown prefix/, secret: ['tiger', 'Tok9'] },
  { name: 'an unknown prefix with a password parameter', dialect: 'any', commands: [['push']], url: 'jdbc:sqlserver://db:1433;user=sa;password=Str0ng@Tok9', stderr: /password=\*\*\*' has an unknown prefix/, secret: ['Str0ng', 'Tok9'] },
  { name: 'an mssql:// URL with a password in two places and an unescaped @', dialect: 'any', commands: [['push']], url: 'mssql://sa:Str0ng@Tok9@db:1433/app?password=Str0ng@Tok9', stderr: /unknown parameter 'password'/, secret: ['Str0ng', 'Tok9'] },
  { name: 'a mongodb+srv:// URL whose adapter is not installed', dialect: 'any', commands: [['push']], url: 'mongodb+srv://u:Sekr3t@Tok9@cluster0.example.net/app', stderr: /mongo adapter is not installed/, secret: ['Sekr3t', 'Tok9'], withoutAdapter: 'adapter-mongo' },
  // A schema file must not decide the outcome: an exit while it loads is a pre-flight failure naming the file.
  {
    name: 'a schema file that prints and calls process.exit(0) while loading',
    dialect: 'sqlite',
    commands: [['diff', '--check'], ['push'], ['diff', '--json'], ['diff', 'apply']],
    url: DB,
    schema: "console.log('[schema] exiting');\nprocess.exit(0);",
    stderr: /forge: the schema file src\/schema\.ts called process\.exit\(0\) while loading/,
  },
  {
    name: 'a schema file that calls process.exit(0) on an unreachable Postgres',
    dialect: 'postgres',
    commands: [['diff', '--check'], ['push']],
    url: `postgres://postgres@127.0.0.1:${port}/app`,
    schema: "export const schema = { t: model('t', { id: f.id() }) };\nprocess.exit(0);",
    stderr: /the schema file src\/schema\.ts called process\.exit\(0\) while loading/,
  },
  { name: 'a schema file that calls process.exit() with no code', dialect: 'sqlite', commands: [['push'], ['diff', '--check']], url: DB, schema: 'process.exit();', stderr: /the schema file src\/schema\.ts called process\.exit\(\) while loading/ },
  {
    name: 'a schema file that calls process.exit(0) and catches what forge throws',
    dialect: 'sqlite',
    commands: [['diff', '--check'], ['push']],
    url: DB,
    schema: "try { process.exit(0); } catch { /* carry on */ }\nexport const schema = { t: model('t', { id: f.id() }) };",
    stderr: /the schema file src\/schema\.ts called process\.exit\(0\) while loading/,
  },
  { name: 'a schema file that throws', dialect: 'sqlite', commands: ALL, url: DB, schema: "throw new Error('boom at load');", stderr: /src\/schema\.ts failed to load: boom at load/ },
  { name: 'a schema file with a syntax error', dialect: 'sqlite', commands: [['push']], url: DB, schema: 'export const = ;', stderr: /src\/schema\.ts failed to load/ },
  { name: 'a schema file that exports nothing', dialect: 'sqlite', commands: ALL, url: DB, schema: 'export {};', stderr: /src\/schema\.ts exports no schema/ },
  { name: 'a schema export that is a number', dialect: 'sqlite', commands: [['push'], ['diff']], url: DB, schema: 'export const schema = 42;', stderr: /exports `schema`, but it is not an object of models/ },
  { name: 'a schema member that is not a model', dialect: 'sqlite', commands: [['push']], url: DB, schema: 'export const schema = { user: 42 };', stderr: /invalid schema in src\/schema\.ts: schema\.user is not a model/ },
  { name: 'a default export that is junk', dialect: 'sqlite', commands: [['push']], url: DB, schema: "export default 'junk';", stderr: /exports no schema/ },
  { name: 'a model without a primary key', dialect: 'sqlite', commands: ALL, url: DB, schema: "export const schema = { t: model('t', { name: f.string() }) };", stderr: /invalid schema.*model\('t'\) has no primary key/ },
  {
    name: 'an index on an unknown field',
    dialect: 'sqlite',
    commands: [['push']],
    url: DB,
    schema: "export const schema = { t: model('t', { id: f.id() }, { indexes: [{ keys: { nope: 1 } as never }] }) };",
    stderr: /indexes\[0\] is on unknown field 'nope'/,
  },
  {
    name: 'two models on one table name',
    dialect: 'sqlite',
    commands: [['push']],
    url: DB,
    schema: "export const schema = { a: model('t', { id: f.id() }), b: model('t', { id: f.id() }) };",
    stderr: /schema\.b and schema\.a both use the table name 't'/,
  },
  {
    name: 'a relation to a table no model declares',
    dialect: 'sqlite',
    commands: [['push']],
    url: DB,
    schema: "export const schema = { t: model('t', { id: f.id(), g: f.string() }, { relations: { ghost: one('ghosts', { on: 'g' }) } }) };",
    stderr: /points at table 'ghosts', which no model in the schema declares/,
  },
  { name: "a .default('now') on an int", dialect: 'sqlite', commands: [['push']], url: DB, schema: "export const schema = { t: model('t', { id: f.id(), n: f.int().default('now' as never) }) };", stderr: /only applies to f\.dateTime\(\)/ },
  { name: 'a vector of 0 dimensions', dialect: 'sqlite', commands: [['push']], url: DB, schema: "export const schema = { t: model('t', { id: f.id(), v: f.vector(0) }) };", stderr: /f\.vector\(dims\) needs a positive integer, got 0/ },
  { name: 'a table name over 128 characters', dialect: 'sqlite', commands: [['push']], url: DB, schema: "export const schema = { t: model('t'.repeat(129), { id: f.id() }) };", stderr: /longer than 128 characters/ },
  { name: 'a broken --ignore regex', dialect: 'sqlite', commands: [['diff', '--ignore=/[/'], ['diff', 'apply', '--ignore=/[/']], url: DB, stderr: /--ignore: Ignore pattern '\/\[\/' is not a valid regular expression/ },
  { name: 'an empty --ignore regex', dialect: 'sqlite', commands: [['diff', '--ignore=//']], url: DB, stderr: /empty regular expression and would hide every table/ },
  { name: 'a broken FORGE_DIFF_IGNORE regex', dialect: 'sqlite', commands: [['diff'], ['diff', 'apply']], url: DB, env: { FORGE_DIFF_IGNORE: 'logs,/(/' }, stderr: /FORGE_DIFF_IGNORE: Ignore pattern '\/\(\/' is not a valid regular expression/ },
  { name: 'an unknown flag', dialect: 'any', commands: [['push', '--frobnicate'], ['diff', '--frobnicate']], url: DB, stderr: /unknown option `--frobnicate`/ },
  { name: 'a flag of another command', dialect: 'any', commands: [['diff', 'apply', '--json'], ['diff', '--dry']], url: DB, stderr: /does not apply to `forge diff apply`|only applies to `forge diff apply`/ },
  { name: 'an unknown command', dialect: 'any', commands: [['frobnicate']], url: DB, stderr: /unknown command 'frobnicate'/, stdout: /Commands:[\s\S]*push/ },
];

describe('bad input for the CLI: exit 1, a message naming the problem, nothing written', () => {
  for (const c of CASES) {
    const commands = fullRun() ? c.commands : c.commands.slice(0, 1);
    it(`${c.name} (${commands.map((a) => a.join(' ')).join('; ')})`, async (ctx) => {
      await recordCases(ctx, { dialect: c.dialect, area: 'bad-input' }, async () => {
        const project = cliProject({ 'src/schema.ts': c.schema === undefined ? SHOP.v1.source : schemaFile(c.schema) });
        try {
          const db = project.file('db.sqlite');
          const env: Record<string, string> = { ...c.env };
          if (c.url !== undefined) env.DATABASE_URL = c.url.replace('<db>', db);
          if (c.withoutAdapter) {
            unlinkSync(project.file(`node_modules/@forge/${c.withoutAdapter}`));
            env.NODE_PATH = '';
          }
          const before = project.files();
          for (const args of commands) {
            const r = await project.run(args, env, 30_000);
            const what = `forge ${args.join(' ')}: ${shown(r)}`;
            expect(r.code, what).toBe(1);
            expect(r.stderr, what).toMatch(/^forge: /m);
            expect(r.stderr, what).toMatch(c.stderr);
            if (c.stdout) expect(r.stdout, what).toMatch(c.stdout);
            else expect(r.stdout, what).toBe('');
            // A connection attempt is bounded: CONNECT_TIMEOUT_MS is 10 s, a refused port answers at once.
            expect(r.ms, what).toBeLessThan(20_000);
            for (const secret of [c.secret ?? []].flat()) expect(r.stdout + r.stderr, what).not.toContain(secret);
            expect(project.files(), what).toEqual(before);
            expect(existsSync(db), what).toBe(false);
          }
          return commands.length;
        } finally {
          project.cleanup();
        }
      });
    }, 120_000);
  }
});

const targets = await loadTargets();

/** What a schema module prints at load time; none of it may reach stdout. */
const NOISY_SCHEMA = `${SHOP.v1.source}
console.log('[schema] console.log');
console.info('[schema] console.info');
process.stdout.write('[schema] process.stdout.write\\n');
`;

/**
 * The URL with a password that contains an unencoded '@', also given as a query parameter. Postgres here
 * trusts local connections, so a made-up password still connects; a URL that already carries one keeps it.
 */
function withPassword(url: string): { url: string; secrets: string[] } {
  const u = new URL(url);
  const join = u.search ? '&' : '?';
  if (u.password) return { url: `${url}${join}password=${u.password}`, secrets: [u.password, decodeURIComponent(u.password)] };
  if (!u.username) return { url: `${url}${join}password=Sekr3t@Tok9`, secrets: ['Sekr3t', 'Tok9'] };
  const at = url.indexOf('@');
  return { url: `${url.slice(0, at)}:Sekr3t@Tok9${url.slice(at)}${join}password=Sekr3t@Tok9`, secrets: ['Sekr3t', 'Tok9'] };
}

describeTargets('bad input for the CLI on a live database', targets, (target) => {
  const expectOk = (r: CliRun, args: string[], code = 0) => expect(r.code, `forge ${args.join(' ')}: ${shown(r)}`).toBe(code);

  it('what the schema prints goes to stderr: --json stdout is the report alone, and so is diff apply --dry', async (ctx) => {
    await recordCases(ctx, { dialect: target.name, area: 'bad-input' }, async () => {
      const fresh = await target.fresh();
      const project = cliProject({ 'src/schema.ts': NOISY_SCHEMA });
      try {
        const env = { DATABASE_URL: fresh.url };
        const runs: Array<[string[], number, (r: CliRun) => void]> = [
          [['diff', '--json'], 0, (r) => expect(JSON.parse(r.stdout)).toMatchObject({ inSync: false })],
          [['diff', '--json', '--check'], 3, (r) => expect(JSON.parse(r.stdout)).toMatchObject({ inSync: false })],
          [['push'], 0, (r) => expect(r.stdout).toMatch(/^\+ create table users$[\s\S]*failures: 0/m)],
          [['diff', '--json', '--check'], 0, (r) => expect(JSON.parse(r.stdout)).toMatchObject({ inSync: true, items: [] })],
          [['diff', 'apply', '--dry'], 0, (r) => expect(r.stdout).not.toMatch(/\[schema\]/)],
        ];
        for (const [args, code, check] of runs) {
          const r = await project.run(args, env);
          expectOk(r, args, code);
          expect(r.stdout, shown(r)).not.toContain('[schema]');
          check(r);
          for (const line of ['console.log', 'console.info', 'process.stdout.write']) expect(r.stderr, shown(r)).toContain(`[schema] ${line}`);
        }
        return runs.length;
      } finally {
        project.cleanup();
        await fresh.cleanup();
      }
    });
  }, 120_000);

  it('a process.exit(0) the schema leaves in a timer neither ends forge early nor picks its exit code', async (ctx) => {
    await recordCases(ctx, { dialect: target.name, area: 'bad-input' }, async () => {
      const fresh = await target.fresh();
      const late = "setTimeout(() => { console.log('[schema] late'); process.exit(0); }, 0);\nsetTimeout(() => process.exit(0), 200);\n";
      const project = cliProject({ 'src/schema.ts': `${SHOP.v1.source}\n${late}` });
      try {
        const args = ['diff', '--check', '--json'];
        const r = await project.run(args, { DATABASE_URL: fresh.url });
        expectOk(r, args, 3);
        expect(JSON.parse(r.stdout), shown(r)).toMatchObject({ inSync: false });
        expect(r.stderr, shown(r)).toContain('[schema] late');
        return 1;
      } finally {
        project.cleanup();
        await fresh.cleanup();
      }
    });
  }, 120_000);

  it('the password is never printed: doctor, push, diff, and a connection failure', async (ctx) => {
    await recordCases(ctx, { dialect: target.name, area: 'bad-input' }, async () => {
      const fresh = await target.fresh();
      const project = cliProject({ 'src/schema.ts': SHOP.v1.source });
      try {
        // File URLs (SQLite, DuckDB) carry no credentials: they are printed as they are.
        const file = TEST_TARGETS[target.adapter.kind].kind === 'file';
        const { url, secrets } = file ? { url: fresh.url, secrets: [] } : withPassword(fresh.url);
        const env = { DATABASE_URL: url };
        const doctor = await project.run(['doctor'], env);
        expectOk(doctor, ['doctor']);
        expect(doctor.stdout, shown(doctor)).toMatch(/connected: /);
        if (file) expect(doctor.stdout, shown(doctor)).toContain(`✓ ${url} → ${target.adapter.kind}`);
        else expect(doctor.stdout, shown(doctor)).toMatch(new RegExp(`✓ [a-z]+:\\/\\/[^:@/]+:\\*\\*\\*@[^@]+\\?password=\\*\\*\\* → ${target.adapter.kind}`));
        const runs: CliRun[] = [doctor];
        for (const args of [['push'], ['diff'], ['diff', '--json']]) {
          const r = await project.run(args, env);
          expectOk(r, args);
          runs.push(r);
        }
        if (!file) {
          // CONNECTION_FAILED from a live server: the database does not exist.
          const missing = url.replace(/\/([^/?]+)\?/, '/$1_missing?');
          const r = await project.run(['push'], { DATABASE_URL: missing });
          expectOk(r, ['push'], 1);
          expect(r.stderr, shown(r)).toMatch(/does not exist/);
          expect(r.stderr, shown(r)).toMatch(/_missing\?password=\*\*\*/);
          runs.push(r);
        }
        for (const r of runs) for (const secret of secrets) expect(r.stdout + r.stderr, shown(r)).not.toContain(secret);
        return runs.length;
      } finally {
        project.cleanup();
        await fresh.cleanup();
      }
    });
  }, 120_000);
});
