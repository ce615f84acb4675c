import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const pkgDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const packagesDir = path.dirname(pkgDir);

/** What the consumers load: forge-orm, core under it, and the SQLite adapter core picks for the URL. */
const BUILT = ['forge-orm/dist/index.js', 'forge-orm/dist/index.cjs', 'core/dist/index.js', 'core/dist/index.cjs', 'adapter-sqlite/dist/index.js', 'adapter-sqlite/dist/index.cjs'];

/**
 * The same consumer in both module systems. It opens SQLite in memory, triggers a unique violation (raised
 * by the adapter) and a validation error (raised by the client), and reports what `instanceof` says for
 * every exported error class. It also checks classes across the two builds directly: an error made by the
 * other format's copy of core, and a user subclass.
 */
const body = (other: string) => `
  const { createDb, model, f, DbKnownError, ValidationError, SchemaError, ConfigError, ForgeError } = forge;
  const other = ${other};
  const classes = { DbKnownError, ValidationError, SchemaError, ConfigError, ForgeError, Error };
  const report = (e) => ({
    name: e?.name,
    code: e?.code,
    is: Object.fromEntries(Object.entries(classes).map(([k, C]) => [k, typeof C === 'function' ? e instanceof C : 'not exported'])),
  });
  const caught = async (fn) => { try { await fn(); } catch (e) { return e; } throw new Error('expected a rejection'); };

  const User = model('users', { id: f.id({ type: 'int' }), email: f.string().unique() });
  const db = await createDb({ url: 'sqlite::memory:', schema: { user: User } });
  await db.$executeRaw\`CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE)\`;
  await db.user.create({ data: { email: 'a@x.io' } });
  const unique = await caught(() => db.user.create({ data: { email: 'a@x.io' } }));
  const invalid = await caught(() => db.user.create({ data: { email: 42 } }));
  await db.$disconnect();

  class AppError extends DbKnownError {}
  const fromOther = new other.DbKnownError('UNIQUE_VIOLATION', 'made by the other build');
  console.log(JSON.stringify({
    unique: report(unique),
    invalid: report(invalid),
    config: report(await caught(() => createDb({ url: 'oracle://x', schema: { user: User } }))),
    otherBuildDbKnown: report(fromOther),
    otherBuildValidation: report(new other.ValidationError('made by the other build')),
    otherBuildIsOtherClass: fromOther instanceof other.DbKnownError,
    subclass: {
      ownInstance: new AppError('NOT_FOUND', 'x') instanceof AppError,
      ownInstanceIsOtherDbKnown: new AppError('NOT_FOUND', 'x') instanceof other.DbKnownError,
      baseIsNotSubclass: new DbKnownError('NOT_FOUND', 'x') instanceof AppError,
      otherBuildIsNotSubclass: fromOther instanceof AppError,
    },
    plainObjects: [{}, null, 42, 'DbKnownError', Object.create(null)].map((v) => v instanceof DbKnownError || (typeof ForgeError === 'function' && v instanceof ForgeError)),
  }));
`;

const CONSUMERS = {
  'esm.mjs': `import * as forge from 'forge-orm';\nimport { createRequire } from 'node:module';\n${body(`createRequire(import.meta.url)('forge-orm')`)}`,
  'cjs.cjs': `(async () => {\nconst forge = require('forge-orm');\n${body(`await import('forge-orm')`)}\n})().catch((e) => { console.error(e); process.exit(1); });\n`,
};

let dir: string;

beforeAll(() => {
  const missing = BUILT.filter((f) => !existsSync(path.join(packagesDir, f)));
  if (missing.length) throw new Error(`build first (pnpm --filter forge-orm... build): missing ${missing.join(', ')}`);
  // Inside the package, so `forge-orm` resolves to it (self-reference) and core finds the adapter in its node_modules.
  dir = mkdtempSync(path.join(pkgDir, '.dual-package-'));
  for (const [name, source] of Object.entries(CONSUMERS)) writeFileSync(path.join(dir, name), source);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const DB_KNOWN = { DbKnownError: true, ValidationError: false, SchemaError: false, ConfigError: false, ForgeError: true, Error: true };
const VALIDATION = { DbKnownError: false, ValidationError: true, SchemaError: false, ConfigError: false, ForgeError: true, Error: true };
const CONFIG = { DbKnownError: false, ValidationError: false, SchemaError: false, ConfigError: true, ForgeError: true, Error: true };

describe('instanceof holds for forge errors whatever the module system (the built packages)', () => {
  for (const consumer of Object.keys(CONSUMERS)) {
    it(`from ${consumer.endsWith('.mjs') ? 'an ESM' : 'a CJS'} consumer (${consumer})`, async () => {
      const { stdout } = await run(process.execPath, [path.join(dir, consumer)], { cwd: dir, encoding: 'utf8' });
      const r = JSON.parse(stdout.trim().split('\n').pop()!);
      expect(r.unique).toEqual({ name: 'DbKnownError', code: 'UNIQUE_VIOLATION', is: DB_KNOWN });
      expect(r.invalid).toEqual({ name: 'ValidationError', code: 'VALIDATION', is: VALIDATION });
      expect(r.config).toEqual({ name: 'ConfigError', code: 'CONFIG', is: CONFIG });
      expect(r.otherBuildDbKnown).toEqual({ name: 'DbKnownError', code: 'UNIQUE_VIOLATION', is: DB_KNOWN });
      expect(r.otherBuildValidation).toEqual({ name: 'ValidationError', code: 'VALIDATION', is: VALIDATION });
      expect(r.otherBuildIsOtherClass).toBe(true);
      expect(r.subclass).toEqual({ ownInstance: true, ownInstanceIsOtherDbKnown: true, baseIsNotSubclass: false, otherBuildIsNotSubclass: false });
      expect(r.plainObjects).toEqual([false, false, false, false, false]);
    }, 30_000);
  }
});
