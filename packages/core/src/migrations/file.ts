import type { Dialect } from '../adapter.js';
import type { ParsedMigration } from '../diff/types.js';
import { ConfigError } from '../errors.js';

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * `20260624T143052_drift` from a UTC time; `_2`, `_3`, ... when a migration of that second already exists
 * (`existing` may list names or file names).
 */
export function migrationName(now: Date, existing: readonly string[]): string {
  const stamp =
    `${now.getUTCFullYear()}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}` +
    `T${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}`;
  const taken = new Set(existing.map((n) => n.replace(/\.sql$/i, '')));
  const base = `${stamp}_drift`;
  if (!taken.has(base)) return base;
  let i = 2;
  while (taken.has(`${base}_${i}`)) i++;
  return `${base}_${i}`;
}

/**
 * `0007_20261202_101500_add_status`: the next number after the highest numbered migration in `existing`, the UTC
 * time, and `name` as a slug (seed 002's conflict rule: two branches that both add 0007 get different names and
 * merge without a clash; order is by the full name).
 */
export function numberedMigrationName(now: Date, name: string, existing: readonly string[]): string {
  const slug = name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (!slug) throw new ConfigError(`--name ${JSON.stringify(name)} has no letters or digits: name the migration after what it does, e.g. --name add_status`);
  if (slug.length > 80) throw new ConfigError(`--name is ${slug.length} characters long: keep it under 80 (it becomes part of the file name)`);
  let max = 0;
  for (const n of existing) {
    const m = /^(\d{4,})_/.exec(n);
    if (m) max = Math.max(max, Number(m[1]));
  }
  const stamp =
    `${now.getUTCFullYear()}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}` +
    `_${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}`;
  const base = `${String(max + 1).padStart(4, '0')}_${stamp}_${slug}`;
  const taken = new Set(existing.map((n) => n.replace(/\.sql$/i, '')));
  if (!taken.has(base)) return base;
  let i = 2;
  while (taken.has(`${base}_${i}`)) i++;
  return `${base}_${i}`;
}

export interface MigrationText {
  name: string;
  generatedAt: Date;
  /** Statements in the order they run, without the trailing `;`. */
  up: string[];
  /** The reverses, already in the order they run (the reverse of `up`). */
  down: string[];
  /** Notes written as `-- ...` lines at the top of the block (operations the dialect cannot express). */
  upComments?: string[];
  downComments?: string[];
  /** Header lines (`-- ...`) after the generated line: the findings a reviewer should read first. */
  header?: string[];
}

function commentLines(comments: readonly string[] | undefined): string[] {
  return (comments ?? []).flatMap((c) => c.split('\n')).map((line) => `-- ${line.trim()}`.trimEnd());
}

function statementLines(statements: readonly string[]): string[] {
  return statements.map((s) => `${s.trim().replace(/;\s*$/, '')};`);
}

/** The text of a migration file: a header, an `-- up` block and a `-- down` block. */
export function renderMigration(m: MigrationText): string {
  return [
    `-- forge migration: ${m.name}`,
    `-- generated: ${m.generatedAt.toISOString()}`,
    ...commentLines(m.header),
    '',
    '-- up',
    ...commentLines(m.upComments),
    ...statementLines(m.up),
    '',
    '-- down',
    ...commentLines(m.downComments),
    ...statementLines(m.down),
    '',
  ].join('\n');
}

type Section = 'header' | 'up' | 'down';

/**
 * Read a migration file back into its statements. Statements end at a top-level `;`: one inside a quoted
 * string or identifier, a comment, a dollar-quoted body, or the BEGIN ... END body of a CREATE TRIGGER
 * does not end it. Comments between statements are dropped; `-- up` and `-- down` lines switch blocks.
 *
 * `dialect` adds the quoting only that dialect has: SQL Server's `[bracketed]` names (`]]` inside), MySQL's
 * backslash escapes inside '...' and "..." strings, and the backslash escapes of Postgres / DuckDB `E'...'`
 * strings. Without it the common rules apply (doubled quotes, no backslash escapes).
 */
export function parseMigration(text: string, name: string, dialect?: Dialect): ParsedMigrationFile {
  const brackets = dialect === 'mssql';
  const escapeStrings = dialect === 'postgres' || dialect === 'duckdb';
  const blocks: Record<Section, string[]> = { header: [], up: [], down: [] };
  const outside: Record<Section, boolean[]> = { header: [], up: [], down: [] };
  /** A `-- forge:no-transaction` line was read: the next statement runs outside the transaction. */
  let marked = false;
  let section: Section = 'header';
  let sawUp = false;
  let current = '';
  /** Nesting of BEGIN/CASE ... END inside a CREATE TRIGGER statement. */
  let depth = 0;
  let words: string[] = [];

  const flush = () => {
    const statement = current.trim();
    if (statement) {
      if (section === 'header') {
        throw new ConfigError(`Migration ${name} has SQL before its '-- up' line: put every statement under '-- up' or '-- down'`);
      }
      blocks[section].push(statement);
      outside[section].push(marked || runsOutsideTransaction(statement));
      marked = false;
    }
    current = '';
    depth = 0;
    words = [];
  };
  const isTrigger = () => words[0] === 'CREATE' && (words[1] === 'TRIGGER' || (/^TEMP(ORARY)?$/.test(words[1] ?? '') && words[2] === 'TRIGGER'));

  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '-' && text[i + 1] === '-') {
      const end = text.indexOf('\n', i);
      const stop = end === -1 ? text.length : end;
      const body = text.slice(i + 2, stop).trim().toLowerCase();
      const atLineStart = /^[ \t]*$/.test(text.slice(text.lastIndexOf('\n', i - 1) + 1, i));
      if (atLineStart && (body === 'up' || body === 'down')) {
        flush();
        section = body;
        sawUp ||= body === 'up';
      } else if (atLineStart && body === NO_TRANSACTION_MARKER) {
        flush();
        if (section === 'header') throw new ConfigError(`Migration ${name} has '-- ${NO_TRANSACTION_MARKER}' before its '-- up' line: put it on the line above the statement it marks`);
        marked = true;
      } else if (current.trim()) {
        current += text.slice(i, stop);
      }
      i = stop;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end === -1) throw unterminated(name, 'a /* comment');
      if (current.trim()) current += text.slice(i, end + 2);
      i = end + 2;
      continue;
    }
    if (c === "'" || c === '"' || c === '`' || (c === '[' && brackets)) {
      const backslashes =
        (dialect === 'mysql' && c !== '`') ||
        (escapeStrings && c === "'" && /[Ee]/.test(text[i - 1] ?? '') && !/[\w$]/.test(text[i - 2] ?? ''));
      const end = closingQuote(text, i, backslashes);
      if (end === -1) throw unterminated(name, c === '[' ? 'a [bracketed] name' : `a ${c}quoted${c} string`);
      current += text.slice(i, end + 1);
      i = end + 1;
      continue;
    }
    if (c === '$') {
      const tag = /^\$(?:[A-Za-z_][\w]*)?\$/.exec(text.slice(i, i + 64))?.[0];
      if (tag) {
        const end = text.indexOf(tag, i + tag.length);
        if (end === -1) throw unterminated(name, `a ${tag} body`);
        current += text.slice(i, end + tag.length);
        i = end + tag.length;
        continue;
      }
    }
    if (/[A-Za-z_]/.test(c) && !/[\w$]/.test(text[i - 1] ?? '')) {
      const word = /^[A-Za-z_][\w$]*/.exec(text.slice(i, i + 128))![0];
      if (words.length < 3) words.push(word.toUpperCase());
      if (isTrigger()) {
        const w = word.toUpperCase();
        if (w === 'BEGIN' || w === 'CASE') depth++;
        else if (w === 'END' && depth > 0) depth--;
      }
      current += word;
      i += word.length;
      continue;
    }
    if (c === ';' && depth === 0) {
      flush();
      i++;
      continue;
    }
    current += c;
    i++;
  }
  flush();
  if (!sawUp) throw new ConfigError(`Migration ${name} has no '-- up' line, so it is not a forge migration file: check the file, or restore it from version control`);
  if (marked) throw new ConfigError(`Migration ${name} ends with '-- ${NO_TRANSACTION_MARKER}' and no statement after it: put the marker on the line above the statement it marks`);
  return { name, up: blocks.up, down: blocks.down, outside: { up: outside.up, down: outside.down } };
}

/** The marker line: the statement after it runs on its own, outside the migration's transaction. */
export const NO_TRANSACTION_MARKER = 'forge:no-transaction';

/** A parsed file, and per statement of each block whether it runs outside the transaction. */
export interface ParsedMigrationFile extends ParsedMigration {
  outside: { up: boolean[]; down: boolean[] };
}

/** Postgres `ALTER TYPE <name> ADD VALUE`, the name bare, qualified or quoted. */
const ALTER_TYPE_ADD_VALUE = /^\s*ALTER\s+TYPE\s+(?:"(?:[^"]|"")+"|[\w$.]+)\s+ADD\s+VALUE\b/i;

/**
 * Statements no transaction may hold, detected without a marker: Postgres `CREATE / DROP INDEX CONCURRENTLY`
 * and `REINDEX ... CONCURRENTLY` (the server refuses them in a transaction block), and SQLite's
 * `PRAGMA foreign_keys = ...`, which is a no-op inside a transaction (https://www.sqlite.org/pragma.html#pragma_foreign_keys):
 * a table rebuild turns foreign keys off before its transaction so dropping a parent never cascades to its children.
 * Postgres `ALTER TYPE ... ADD VALUE` runs on its own too: a value added inside a transaction cannot be used until it
 * commits (https://www.postgresql.org/docs/current/sql-altertype.html), and the statements after it may use it.
 */
export function runsOutsideTransaction(sql: string): boolean {
  return (
    /^\s*(?:CREATE\s+(?:UNIQUE\s+)?INDEX|DROP\s+INDEX|REINDEX\s+(?:\(\s*\w+\s*\)\s*)?(?:INDEX|TABLE|SCHEMA|DATABASE|SYSTEM))\s+CONCURRENTLY\b/i.test(sql) ||
    /^\s*PRAGMA\s+(?:(?:main|"main")\s*\.\s*)?foreign_keys\s*=/i.test(sql) ||
    ALTER_TYPE_ADD_VALUE.test(sql)
  );
}

/** Index of the quote closing the one at `open` (`]` for `[`); a doubled closer is an escaped one, and with `backslashes` so is `\x`. */
function closingQuote(text: string, open: number, backslashes = false): number {
  const q = text[open] === '[' ? ']' : text[open];
  for (let i = open + 1; i < text.length; i++) {
    if (backslashes && text[i] === '\\') {
      i++;
      continue;
    }
    if (text[i] !== q) continue;
    if (text[i + 1] === q) {
      i++;
      continue;
    }
    return i;
  }
  return -1;
}

function unterminated(name: string, what: string): ConfigError {
  return new ConfigError(`Migration ${name} has ${what} that never closes: fix the file (or restore it from version control) and run the command again`);
}

/**
 * Code migrations (issue 14, seed 003): `NNNN_<stamp>_<name>.ts` (or `.mts`, `.js`, `.mjs`) beside the `.sql`
 * files, exporting `up(db)` and `down(db)`. They share the ordered, checksummed history of the SQL files.
 */
const CODE_FILE = /\.(?:ts|mts|js|mjs)$/;

/** A folder entry as a migration: its name (the ledger's, without the extension) and kind; undefined otherwise. */
export function migrationFileOf(fileName: string): { name: string; kind: 'sql' | 'code' } | undefined {
  if (fileName.startsWith('.')) return undefined;
  if (fileName.endsWith('.sql')) return { name: fileName.slice(0, -4), kind: 'sql' };
  // Declarations and source maps sit beside compiled files; they are not migrations.
  if (/\.d\.[mc]?ts$/.test(fileName) || !CODE_FILE.test(fileName)) return undefined;
  return { name: fileName.replace(CODE_FILE, ''), kind: 'code' };
}

/** What a code migration's module exports. `db` is the typed client on the migration's transaction. */
export interface CodeMigrationModule {
  up(db: never): unknown;
  down?(db: never): unknown;
}

/**
 * How the engine runs code migrations: `load` imports a file (the CLI uses jiti, so TypeScript needs no build
 * step); `models` gives the schema's models for the typed `db` (none: `db` has the raw methods only).
 */
export interface CodeMigrations {
  load(file: string): Promise<unknown>;
  models?(): Promise<Record<string, unknown> | undefined>;
}

/** The module's `up` / `down`, checked: a file that exports no `up` function is refused before anything runs. */
export function codeMigrationOf(mod: unknown, name: string, file: string): CodeMigrationModule {
  const m = (mod && typeof mod === 'object' ? mod : {}) as Record<string, unknown>;
  const inner = m.default && typeof m.default === 'object' ? (m.default as Record<string, unknown>) : undefined;
  const up = m.up ?? inner?.up;
  const down = m.down ?? inner?.down;
  if (typeof up !== 'function') {
    throw new ConfigError(`Migration ${name} (${file}) exports no up(db) function: export async function up(db) { ... } (and down(db) to undo it)`);
  }
  if (down !== undefined && typeof down !== 'function') throw new ConfigError(`Migration ${name} (${file}) exports a down that is not a function: export async function down(db) { ... }`);
  return { up: up as CodeMigrationModule['up'], ...(down ? { down: down as CodeMigrationModule['up'] } : {}) };
}

/**
 * The text `forge generate --empty --name X` writes: a code migration with `up` / `down`. `importFrom` is the
 * package the `Db` type comes from; `schemaImport` the schema module relative to the file (types only, so
 * nothing but the file itself loads when it runs).
 */
export function renderCodeMigration(m: { name: string; generatedAt: Date; importFrom: string; schemaImport?: string }): string {
  const db = m.schemaImport ? 'Db<typeof schema>' : 'Db<{}>';
  return [
    `// forge migration: ${m.name}`,
    `// generated: ${m.generatedAt.toISOString()}`,
    '//',
    '// A code migration: forge migrate runs up(db) in order with the .sql files, in the migration\'s transaction',
    '// where DDL is transactional (Postgres, SQLite), and records it in _forge_migrations with its checksum.',
    '// db is the typed client (the schema as it is when the migration runs) plus $executeRaw / $queryRaw.',
    `import type { Db } from ${JSON.stringify(m.importFrom)};`,
    ...(m.schemaImport ? [`import type { schema } from ${JSON.stringify(m.schemaImport)};`] : []),
    '',
    `export async function up(db: ${db}): Promise<void> {`,
    '  // e.g. a backfill: await db.$executeRaw`UPDATE users SET status = ${\'active\'} WHERE status IS NULL`;',
    '}',
    '',
    `export async function down(db: ${db}): Promise<void> {`,
    '  // undo what up() did, or throw to say it cannot be undone',
    '}',
    '',
  ].join('\n');
}

/** The text `forge generate --empty --sql --name X` writes: an `-- up` / `-- down` file to fill in by hand. */
export function renderEmptySqlMigration(m: { name: string; generatedAt: Date }): string {
  return renderMigration({
    name: m.name,
    generatedAt: m.generatedAt,
    up: [],
    down: [],
    upComments: ['write the statements to apply here, each ending with ;'],
    downComments: ['and here the statements that undo them'],
  });
}
