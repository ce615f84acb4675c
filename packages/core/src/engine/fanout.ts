/**
 * Fan-out: the same push (or drift check) on many databases, a bounded number at a time. Each target is
 * independent: it loads its own dialect's adapter, opens its own connection, runs the ordinary engine entry
 * point (`runPush` / `runDiff`, so its own lock) and closes. A target that fails is reported and never stops
 * the others. Every URL and error text in a report is redacted (`redact.ts`), so a report can be printed or
 * stored as it is.
 */
import type { Adapter, ConnectOptions, Connection, Dialect } from '../adapter.js';
import type { DriftReport, IgnorePattern, PushReport } from '../diff/types.js';
import { ConfigError } from '../errors.js';
import { redactUrl } from '../redact.js';
import { dialectForUrl, loadAdapter } from '../resolve.js';
import type { AnyModel } from '../schema/model.js';
import { buildSchemaIR, isModel } from '../schema/model.js';
import type { SchemaIR } from '../schema/ir.js';
import { runDiff, runPush } from './push.js';

/** One database to fan out to: a URL, and optionally a name to report it by (a tenant's slug). */
export interface FanoutTarget {
  name?: string;
  url: string;
}

/** What `pushMany` / `diffMany` accept per target: a URL, or `{ name, url }`. */
export type FanoutInput = string | FanoutTarget;

export const DEFAULT_CONCURRENCY = 4;
export const MAX_CONCURRENCY = 64;

/**
 * How one target ended:
 * - `applied`: the push ran and no statement failed (possibly nothing to do);
 * - `in-sync` / `drift`: the drift check ran;
 * - `failed`: the push ran and at least one statement failed (the others still ran);
 * - `error`: nothing ran there (unknown adapter, could not connect, introspection failed).
 */
export type TargetStatus = 'applied' | 'failed' | 'in-sync' | 'drift' | 'error';

export interface TargetReport {
  /** The target's given name, else its redacted URL. */
  name: string;
  /** The URL without its password. */
  url: string;
  dialect?: Dialect;
  status: TargetStatus;
  /** Set when the push ran (`applied`, `failed`). */
  push?: PushReport;
  /** Set when the drift check ran (`in-sync`, `drift`). */
  drift?: DriftReport;
  /** Set for `error`: the cause, one line, redacted. */
  error?: string;
  /** Wall time spent on this target, in milliseconds. */
  ms: number;
}

export interface FanoutReport {
  /** One report per target, in the order the targets were given (not the order they finished). */
  targets: TargetReport[];
  /** How many targets ran at once at most (the requested concurrency, capped by the number of targets). */
  concurrency: number;
  /** Names of the targets that failed or could not be reached (`failed` and `error`), in input order. */
  failed: string[];
  /** Names of the targets with drift (`diffMany` only), in input order. */
  drifted: string[];
  ms: number;
}

export interface FanoutOptions {
  /** The schema: the models object `createDb` takes, or its IR (what the CLI has loaded). */
  schema: Record<string, AnyModel> | SchemaIR;
  /** Targets run at once, 1..64; default 4. */
  concurrency?: number;
  /** Called as each target finishes, in finishing order; an exception thrown here is ignored. */
  onResult?: (report: TargetReport, index: number) => void;
  /** Per-target connect timeout (default 10 s), so one unreachable host does not hold a worker for long. */
  connectTimeoutMs?: number;
  /** The push lock every target takes (`lockStrategy`, lease, wait), as `Adapter.connect` reads them; absent: the environment's. */
  lock?: Pick<ConnectOptions, 'lockStrategy' | 'lockLeaseMs' | 'lockWaitMs'>;
  /** Adapters already imported, by dialect; other dialects are loaded with `loadAdapter` on first use. */
  adapters?: Partial<Record<Dialect, Adapter>>;
  /** Where `loadAdapter` resolves adapter packages from (the user's project; default the process's cwd). */
  fromDir?: string;
}

export interface PushManyOptions extends FanoutOptions {
  /** As `forge push --enable-extensions`. */
  enableExtensions?: boolean;
}

export interface DiffManyOptions extends FanoutOptions {
  ignore?: IgnorePattern[];
}

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/**
 * The concurrency as given (a number, or the text of a flag), checked: a whole number from 1 to 64, else a
 * ConfigError that says what was wrong. `undefined` is the default, 4.
 */
export function checkConcurrency(value: unknown): number {
  if (value === undefined) return DEFAULT_CONCURRENCY;
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_CONCURRENCY) {
    const shown = typeof value === 'string' ? `'${value}'` : typeof value === 'number' ? String(value) : typeof value === 'boolean' ? 'no value' : typeof value;
    throw new ConfigError(
      `The concurrency must be a whole number from 1 to ${MAX_CONCURRENCY} (got ${shown}); e.g. --concurrency ${DEFAULT_CONCURRENCY}.`,
    );
  }
  return n;
}

/**
 * A target list as text: a JSON array (of URL strings or `{ name, url }` objects), or one target per line,
 * where a line is a URL, or a name and a URL separated by white space (URLs hold no spaces). Blank lines and
 * lines starting with `#` are ignored. `source` names the file in error messages. Checked as `normalizeTargets` does.
 */
export function parseTargets(text: string, source = 'the target list'): FanoutTarget[] {
  const body = text.replace(/^\uFEFF/, '');
  if (body.trimStart().startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (e) {
      throw new ConfigError(`${source} starts with '[' but is not valid JSON (${(e as Error).message}). Write a JSON list of URLs or { "name", "url" } objects, or one URL per line.`);
    }
    return normalizeTargets(parsed as FanoutInput[], source, (i) => `entry ${i + 1}`);
  }
  const inputs: FanoutInput[] = [];
  const lines: number[] = [];
  body.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const parts = line.split(/\s+/);
    if (parts.length > 2) {
      throw new ConfigError(`${source} line ${i + 1} has ${parts.length} words; a line is a URL, or a name and a URL ('tenant_a postgres://...'). Quote nothing; encode spaces in a URL as %20.`);
    }
    inputs.push(parts.length === 2 ? { name: parts[0], url: parts[1] } : parts[0]);
    lines.push(i + 1);
  });
  return normalizeTargets(inputs, source, (i) => `line ${lines[i]}`);
}

/**
 * Targets checked before anything connects: each has a URL with a known prefix, names and URLs are not repeated
 * (the same database twice in one run is a mistake, not a retry), and the list is not empty.
 */
export function normalizeTargets(
  inputs: readonly FanoutInput[],
  source = 'the target list',
  where: (index: number) => string = (i) => `target ${i + 1}`,
): FanoutTarget[] {
  if (!Array.isArray(inputs)) throw new ConfigError(`${source} must be a list of URLs or { name, url } objects.`);
  if (inputs.length === 0) throw new ConfigError(`${source} names no targets: give one DATABASE_URL per line (or a JSON list).`);
  const byUrl = new Map<string, number>();
  const byName = new Map<string, number>();
  return inputs.map((input, i) => {
    const at = `${source} ${where(i)}`;
    const t: FanoutTarget | undefined =
      typeof input === 'string' ? { url: input } : input && typeof input === 'object' && !Array.isArray(input) ? input : undefined;
    if (!t || typeof t.url !== 'string' || t.url.trim() === '') {
      throw new ConfigError(`${at} has no URL: write a URL string or { "name": "...", "url": "..." }.`);
    }
    if (t.name !== undefined && (typeof t.name !== 'string' || t.name.trim() === '')) {
      throw new ConfigError(`${at} has a name that is not a non-empty string; leave it out to be named by the URL.`);
    }
    const url = t.url.trim();
    try {
      if (dialectForUrl(url).dialect === 'postgres') postgresSchemaOf(url);
    } catch (e) {
      throw new ConfigError(`${at}: ${(e as Error).message}`);
    }
    const name = t.name?.trim() ?? redactUrl(url);
    const seenUrl = byUrl.get(url);
    if (seenUrl !== undefined) throw new ConfigError(`${at} repeats the URL of ${where(seenUrl)} (${redactUrl(url)}); list each database once.`);
    const seenName = byName.get(name);
    if (seenName !== undefined) throw new ConfigError(`${at} repeats the name '${name}' of ${where(seenName)}; give each target its own name.`);
    byUrl.set(url, i);
    byName.set(name, i);
    return t.name === undefined ? { url } : { name, url };
  });
}

/**
 * `forge push --each`: push the schema to every target, `concurrency` at a time. Resolves with one report per
 * target once all have finished; never rejects for a target's failure (bad options and a bad target list do
 * reject, before anything connects). A second run applies nothing where the first one succeeded.
 */
export async function pushMany(targets: readonly FanoutInput[], opts: PushManyOptions): Promise<FanoutReport> {
  return fanout(targets, opts, async (adapter, conn, ir) => {
    const push = await runPush({ adapter, conn, ir }, { enableExtensions: opts.enableExtensions });
    return { status: push.failures.length ? 'failed' : 'applied', push };
  });
}

/** `forge diff --each`: the drift report of every target, read-only, `concurrency` at a time. */
export async function diffMany(targets: readonly FanoutInput[], opts: DiffManyOptions): Promise<FanoutReport> {
  return fanout(targets, opts, async (adapter, conn, ir) => {
    const drift = await runDiff({ adapter, conn, ir }, { ignore: opts.ignore });
    return { status: drift.inSync ? 'in-sync' : 'drift', drift };
  });
}

type Work = (adapter: Adapter, conn: Connection, ir: SchemaIR) => Promise<Pick<TargetReport, 'status' | 'push' | 'drift'>>;

async function fanout(inputs: readonly FanoutInput[], opts: FanoutOptions, work: Work): Promise<FanoutReport> {
  if (!opts || typeof opts !== 'object' || !opts.schema) throw new ConfigError('pushMany / diffMany need { schema }: the models object createDb takes.');
  const concurrency = checkConcurrency(opts.concurrency);
  const ir = isIr(opts.schema) ? opts.schema : buildSchemaIR(opts.schema);
  const targets = normalizeTargets(inputs);
  const started = Date.now();
  const reports: TargetReport[] = new Array(targets.length);
  const width = Math.min(concurrency, targets.length);
  let next = 0;
  const worker = async () => {
    while (next < targets.length) {
      const i = next++;
      reports[i] = await runTarget(targets[i], opts, ir, work);
      try {
        opts.onResult?.(reports[i], i);
      } catch {
        // A progress printer that throws must not lose the other targets' results.
      }
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  const names = (pred: (r: TargetReport) => boolean) => reports.filter(pred).map((r) => r.name);
  return {
    targets: reports,
    concurrency: width,
    failed: names((r) => r.status === 'failed' || r.status === 'error'),
    drifted: names((r) => r.status === 'drift'),
    ms: Date.now() - started,
  };
}

function isIr(schema: FanoutOptions['schema']): schema is SchemaIR {
  // A models object holds models only; the IR is `{ models: { key: TableIR } }`, whose values are not models.
  const models = (schema as Partial<SchemaIR>).models;
  return !!models && typeof models === 'object' && !isModel(models) && Object.values(schema).every((v) => !isModel(v));
}

async function runTarget(target: FanoutTarget, opts: FanoutOptions, ir: SchemaIR, work: Work): Promise<TargetReport> {
  const started = Date.now();
  const shown = redactUrl(target.url);
  const base = { name: target.name ?? shown, url: shown };
  let dialect: Dialect | undefined;
  let adapter: Adapter | undefined;
  let connectUrl = target.url;
  try {
    dialect = dialectForUrl(target.url).dialect;
    const tenant = dialect === 'postgres' ? postgresSchemaOf(target.url) : undefined;
    connectUrl = tenant?.url ?? target.url;
    adapter = opts.adapters?.[dialect] ?? (await loadAdapter(dialect, { fromDir: opts.fromDir }));
    const conn = await connect(adapter, connectUrl, opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, opts.lock);
    try {
      if (tenant) await checkSchemaExists(conn, tenant.schemas);
      const done = await work(adapter, conn, ir);
      return scrub(scrub({ ...base, dialect, ...done, ms: Date.now() - started }, connectUrl), target.url);
    } finally {
      await conn.close().catch(() => undefined);
    }
  } catch (e) {
    const mapped = adapter ? safeMap(adapter, e) : e;
    const error = oneLine(mapped instanceof Error ? mapped.message : String(mapped));
    return scrub(scrub({ ...base, dialect, status: 'error', error, ms: Date.now() - started }, connectUrl), target.url);
  }
}

const SCHEMA_PARAM = /([?&])(schema|search_path)=([^&#]*)/gi;
const SCHEMA_NAME = /^[a-z_][a-z0-9_$]*$/;

/**
 * Schema-per-tenant on Postgres: `?schema=tenant_a` (or `?search_path=tenant_a,public`) in a target's URL. pg
 * itself ignores both parameters (the push would land in `public`), so they become the startup option
 * `options=-c search_path=...`, which pg sends to the server; introspection and DDL then work in that schema
 * (`current_schema()`). Undefined when the URL names no schema.
 */
export function postgresSchemaOf(url: string): { url: string; schemas: string[] } | undefined {
  const found = [...url.matchAll(SCHEMA_PARAM)];
  if (found.length === 0) return undefined;
  const shown = redactUrl(url);
  if (found.length > 1) throw new ConfigError(`${shown} names its schema ${found.length} times; give one schema= (or search_path=) parameter.`);
  if (/[?&]options=/i.test(url)) {
    throw new ConfigError(`${shown} has both options= and ${found[0][2]}=; put the search path in one of them (schema=tenant_a is enough).`);
  }
  let value: string;
  try {
    value = decodeURIComponent(found[0][3]);
  } catch {
    throw new ConfigError(`${shown}: the ${found[0][2]} parameter is not valid percent-encoding.`);
  }
  const schemas = value.split(',').map((s) => s.trim());
  const bad = schemas.find((s) => !SCHEMA_NAME.test(s));
  if (bad !== undefined) {
    throw new ConfigError(
      `${shown}: '${bad}' is not a schema name forge passes as a search path; use lower-case letters, digits, _ and $ (e.g. schema=tenant_a or search_path=tenant_a,public).`,
    );
  }
  const option = encodeURIComponent(`-c search_path=${schemas.join(',')}`);
  const [all, sep] = found[0];
  const rewritten = url.replace(all, `${sep}options=${option}`);
  return { url: rewritten, schemas };
}

/** The tenant's schema must exist: with a missing first schema Postgres would create the tables in the next one, or nowhere. */
async function checkSchemaExists(conn: Connection, schemas: string[]): Promise<void> {
  const rows = await conn.query<{ s: string | null }>('SELECT current_schema() AS s');
  const current = rows[0]?.s ?? null;
  if (current !== schemas[0]) {
    throw new ConfigError(
      `schema ${schemas[0]} does not exist in this database${current ? ` (the search path would fall back to ${current})` : ''}; create it first (CREATE SCHEMA ${schemas[0]}) and run the push again.`,
    );
  }
}

function safeMap(adapter: Adapter, e: unknown): unknown {
  try {
    return adapter.mapError(e);
  } catch {
    return e;
  }
}

const oneLine = (text: string) => text.split('\n')[0]?.trim() || 'unknown error';

/** Connect with the adapter's timeout, and a race in case a driver ignores it. */
async function connect(adapter: Adapter, url: string, timeoutMs: number, lock: FanoutOptions['lock'] = {}): Promise<Connection> {
  const pending = adapter.connect(url, { ...lock, connectTimeoutMs: timeoutMs });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs + 1_000);
  });
  try {
    return await Promise.race([pending, timeout]);
  } catch (e) {
    // A connection that arrives after we gave up must not keep the process alive.
    pending.then((c) => c.close()).catch(() => undefined);
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The report with the target's credentials taken out of every text in it (error messages, failure texts,
 * notes): the raw URL becomes the redacted one, and the password itself, wherever a driver quoted it, `***`.
 */
function scrub(report: TargetReport, url: string): TargetReport {
  const secrets = secretsOf(url);
  const shown = redactUrl(url);
  const clean = (text: string): string => {
    let out = text.split(url).join(shown);
    for (const s of secrets) out = out.split(s).join('***');
    return out;
  };
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return clean(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(report) as TargetReport;
}

/** The password in a URL's userinfo and the values of its secret-looking query parameters, as written and decoded. */
function secretsOf(url: string): string[] {
  if (redactUrl(url) === url) return [];
  const found = new Set<string>();
  try {
    const u = new URL(url);
    if (u.password) found.add(u.password);
    for (const [key, value] of u.searchParams) if (/pass|pwd|secret|token|key/i.test(key) && value) found.add(value);
  } catch {
    // Not a URL the WHATWG parser reads (a connection string): the redacted URL replaces the raw one as a whole.
  }
  for (const s of [...found]) {
    try {
      found.add(decodeURIComponent(s));
      found.add(encodeURIComponent(s));
    } catch {
      // Not percent-encoded text: the raw form is enough.
    }
  }
  // Very short secrets would mask unrelated text (a password 'a' would blank every 'a'); the URL itself is
  // still replaced by its redacted form.
  return [...found].filter((s) => s.length >= 3);
}
