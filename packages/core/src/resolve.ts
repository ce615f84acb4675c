import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Adapter, Dialect } from './adapter.js';
import { ConfigError } from './errors.js';
import { redactUrl } from './redact.js';

interface DialectEntry {
  dialect: Dialect;
  prefixes: string[];
  packageName: string;
  driver: string;
}

/**
 * URL prefix → adapter package. The only place that knows which package serves which URL. One entry per dialect:
 * `pglite:` (PGlite, in process) is the Postgres adapter on a second driver, `libsql://` (Turso) the SQLite one.
 */
export const DIALECTS: readonly DialectEntry[] = [
  { dialect: 'postgres', prefixes: ['postgres://', 'postgresql://', 'pglite:'], packageName: '@forge/adapter-postgres', driver: 'pg' },
  { dialect: 'mysql', prefixes: ['mysql://', 'mariadb://'], packageName: '@forge/adapter-mysql', driver: 'mysql2' },
  { dialect: 'sqlite', prefixes: ['sqlite:', 'file:', 'libsql://'], packageName: '@forge/adapter-sqlite', driver: 'better-sqlite3' },
  { dialect: 'duckdb', prefixes: ['duckdb:'], packageName: '@forge/adapter-duckdb', driver: '@duckdb/node-api' },
  { dialect: 'mssql', prefixes: ['mssql://', 'sqlserver://'], packageName: '@forge/adapter-mssql', driver: 'mssql' },
  { dialect: 'mongo', prefixes: ['mongodb://', 'mongodb+srv://'], packageName: '@forge/adapter-mongo', driver: 'mongodb' },
];

export function dialectEntry(dialect: Dialect): DialectEntry {
  const e = DIALECTS.find((d) => d.dialect === dialect);
  if (!e) throw new ConfigError(`Unknown dialect '${dialect}'. Known: ${DIALECTS.map((d) => d.dialect).join(', ')}`);
  return e;
}

/** Which dialect a URL names, or a ConfigError that lists what is accepted. */
export function dialectForUrl(url: string): DialectEntry {
  if (typeof url !== 'string' || url.trim() === '') {
    throw new ConfigError('The database URL is empty. Set DATABASE_URL, e.g. DATABASE_URL=sqlite:./app.db or postgres://user@host:5432/db');
  }
  const lower = url.trim().toLowerCase();
  const hit = DIALECTS.find((d) => d.prefixes.some((p) => lower.startsWith(p)));
  if (!hit) {
    const shown = redactUrl(url).slice(0, 80);
    throw new ConfigError(
      `The database URL '${shown}' has an unknown prefix. Accepted: ${DIALECTS.flatMap((d) => d.prefixes).join(', ')}. ` +
        `If your URL is right but unusual, pass the dialect explicitly: createDb({ url, type: 'postgres', schema }).`,
    );
  }
  return hit;
}

const cache = new Map<string, Adapter>();

/**
 * Load the adapter package for a dialect with a dynamic import, so only that driver is ever loaded.
 * Resolution tries the user's project first (where they installed the adapter), then forge's own location.
 */
export async function loadAdapter(dialect: Dialect, opts: { fromDir?: string } = {}): Promise<Adapter> {
  const entry = dialectEntry(dialect);
  const cached = cache.get(entry.packageName);
  if (cached) return cached;
  let mod: Record<string, unknown> | undefined;
  // The user's project (cwd), then the entry script's folder (a server started from elsewhere), then forge's own.
  const dirs = opts.fromDir ? [opts.fromDir] : [process.cwd(), ...(process.argv[1] ? [path.dirname(process.argv[1])] : [])];
  let resolved: string | undefined;
  for (const dir of dirs) {
    try {
      resolved = resolveAdapterEntry(dir, entry.packageName);
      break;
    } catch {
      resolved = undefined;
    }
  }
  try {
    mod = resolved ? await import(pathToFileURL(resolved).href) : await import(/* @vite-ignore */ entry.packageName);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new ConfigError(
        `The ${entry.dialect} adapter is not installed. Install it next to your project: npm install ${entry.packageName} ${entry.driver}`,
      );
    }
    throw e;
  }
  const adapter = (mod?.adapter ?? (mod?.default as Record<string, unknown> | undefined)?.adapter ?? mod?.default) as Adapter | undefined;
  if (!adapter || typeof adapter !== 'object' || adapter.kind !== dialect) {
    throw new ConfigError(`${entry.packageName} does not export an adapter for ${dialect}; reinstall it (npm install ${entry.packageName}).`);
  }
  cache.set(entry.packageName, adapter);
  return adapter;
}

/** Which build of core this is: `__filename` exists in the CJS build only (tsup adds no shim to the ESM one). */
const CORE_IS_ESM = typeof __filename === 'undefined';

/**
 * The adapter's entry file as seen from `dir`, in core's own module format: the ESM build of core loads the
 * adapter's ESM build, so both share one copy of core (its classes, its module state). `require.resolve`
 * alone would always pick the CJS build. Throws when the package is not installed there.
 */
function resolveAdapterEntry(dir: string, packageName: string): string {
  const req = createRequire(path.join(dir, 'package.json'));
  const cjs = req.resolve(packageName);
  if (!CORE_IS_ESM) return cjs;
  try {
    const manifest = req.resolve(`${packageName}/package.json`);
    const exports = (JSON.parse(readFileSync(manifest, 'utf8')) as { exports?: unknown }).exports;
    const root = exports && typeof exports === 'object' && !Array.isArray(exports) && '.' in exports ? (exports as Record<string, unknown>)['.'] : exports;
    const target = importTarget(root);
    return target ? path.resolve(path.dirname(manifest), target) : cjs;
  } catch {
    // No `./package.json` export, or an unreadable manifest: the CJS entry still works (brands keep instanceof).
    return cjs;
  }
}

/** The file an `import` of a package's "exports" entry picks, walking conditions in order as Node does. */
function importTarget(entry: unknown): string | undefined {
  if (typeof entry === 'string') return entry;
  if (!entry || typeof entry !== 'object' || Array.isArray(entry)) return undefined;
  for (const [condition, value] of Object.entries(entry)) {
    if (condition !== 'node' && condition !== 'import' && condition !== 'default') continue;
    const target = importTarget(value);
    if (target) return target;
  }
  return undefined;
}
