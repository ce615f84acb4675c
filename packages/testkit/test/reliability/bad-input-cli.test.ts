import { createServer } from 'node:net';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cliProject, shown } from '../../src/reliability/cli.js';
import { SHOP } from '../../src/reliability/fixtures/index.js';
import { fullRun, recordCases } from '../../src/reliability/runs.js';

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
  /** Text the output must not contain (a password from the URL). */
  secret?: string;
  /** What stdout shows; nothing unless set. */
  stdout?: RegExp;
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
  { name: 'a dialect whose adapter is not installed', dialect: 'any', commands: [['push'], ['diff']], url: 'mysql://root:s3cret@127.0.0.1:3306/app', stderr: /mysql adapter is not installed/, secret: 's3cret' },
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
            if (c.secret) expect(r.stdout + r.stderr, what).not.toContain(c.secret);
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
