import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** apps/bench, whether we run from src/ (tests, typecheck) or dist/ (the bench itself). */
export const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DATA_DIR = path.join(BENCH_DIR, '.data');
export const REPO_DIR = path.resolve(BENCH_DIR, '..', '..');

export function ensureDataDir(): string {
  mkdirSync(DATA_DIR, { recursive: true });
  return DATA_DIR;
}

export type Dialect = 'sqlite' | 'postgres' | 'mysql';
export const DIALECTS: readonly Dialect[] = ['sqlite', 'postgres', 'mysql'];
export const DIALECT_LABEL: Record<Dialect, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL', mysql: 'MySQL / MariaDB' };
export type SubjectName = 'raw' | 'forge' | 'drizzle' | 'kysely' | 'prisma';
export const SUBJECTS: readonly SubjectName[] = ['raw', 'forge', 'drizzle', 'kysely', 'prisma'];

/** The Postgres server the bench uses; the database name is replaced per use (forge_bench, forge_bench_cli_N). */
export const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/forge_bench';

export function postgresUrlFor(database: string): string {
  const u = new URL(POSTGRES_URL);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * The MySQL (or MariaDB) server, with the database to connect to for administration (the server's default
 * `mysql` database). Every run creates a database of its own on it, `forge_bench_<random>`, and drops it at the
 * end: main.ts names it in MYSQL_RUN_DB_ENV for the child processes it starts.
 */
export const MYSQL_URL = process.env.FORGE_BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/mysql';
export const MYSQL_RUN_DB_ENV = 'FORGE_BENCH_MYSQL_RUN_DB';

export function mysqlUrlFor(database: string): string {
  const u = new URL(MYSQL_URL);
  u.pathname = `/${database}`;
  return u.toString();
}

/** A fresh name for this run's database. */
export function newMysqlDatabaseName(): string {
  return `forge_bench_${Math.random().toString(36).slice(2, 10)}`;
}

/** The URL of this run's MySQL database (set by main.ts / profile.ts before they start a worker). */
export function mysqlRunUrl(): string {
  const db = process.env[MYSQL_RUN_DB_ENV];
  if (!db) throw new Error(`${MYSQL_RUN_DB_ENV} is not set: the MySQL database is created per run by main.ts (node dist/main.js --dialects=mysql)`);
  return mysqlUrlFor(db);
}

/** mysql2 options for a URL: mysql2 reads only `mysql://`, so a `mariadb://` URL is passed on as `mysql://`. */
export function mysql2Uri(url: string): string {
  return url.replace(/^mariadb:/i, 'mysql:');
}

/** The URL each subject of a dialect connects to (SQLite subjects open SQLITE_FILE themselves). */
export function dialectUrl(dialect: Dialect): string {
  return dialect === 'mysql' ? mysqlRunUrl() : POSTGRES_URL;
}

export const SQLITE_FILE = path.join(DATA_DIR, 'bench.db');
/** The DuckDB group's database file, rebuilt at the start of each run that includes the group (duckdb.ts). */
export const DUCKDB_FILE = path.join(DATA_DIR, 'bench.duckdb');

/** One result row of `results/latest.json`. Optional fields carry what a scenario measures besides time. */
export interface ResultRow {
  scenario: string;
  /** `duckdb`: the DuckDB group (duckdb.ts), which runs beside the three dialects of scenarios 1-5. */
  dialect: Dialect | 'duckdb';
  subject: string;
  median_ms: number | null;
  p95_ms: number | null;
  ratio_to_raw: number | null;
  samples?: number;
  /** Scenario 5: peak resident set size of the child process that ran the read. */
  peak_rss_mb?: number;
  rows?: number;
  /** Scenario 6 (forge diff): statements the CLI sent, and how many of them read the catalog. */
  queries?: number;
  catalog_queries?: number;
  /** Scenario 7 (contended writes): committed transactions per second over the run, their p99 latency, counts. */
  throughput_per_s?: number;
  p99_ms?: number;
  committed?: number;
  failed?: number;
  /** Scenario 7: the worst event-loop delay any writer process saw (perf_hooks.monitorEventLoopDelay). */
  loop_delay_max_ms?: number;
  /** Set when the subject could not run this scenario; the other numbers are then null. */
  error?: string;
  note?: string;
}

// ---------- the dataset ----------

export interface DatasetSize {
  customers: number;
  products: number;
  orders: number;
  /** Each order gets 1..maxLinesPerOrder lines (mean (max + 1) / 2). */
  maxLinesPerOrder: number;
}

/** Northwind-shaped, scaled up: 30,000 orders with ~120,000 order lines. The same in quick and full mode. */
export const DATASET: DatasetSize = { customers: 5_000, products: 500, orders: 30_000, maxLinesPerOrder: 7 };
/** Bump when the generator or the schema changes: a stored dataset with another version is rebuilt. */
export const DATASET_VERSION = 3;

export interface Customer {
  id: number;
  code: string;
  company: string;
  contact: string;
  city: string;
  country: string;
}
export type NewCustomer = Omit<Customer, 'id'>;
export interface Product {
  id: number;
  name: string;
  category: string;
  unitPrice: number;
  unitsInStock: number;
  discontinued: boolean;
}
export interface Order {
  id: number;
  customerId: number;
  orderedAt: Date;
  shipCity: string;
  shipCountry: string;
  freight: number;
}
export interface OrderLine {
  id: number;
  orderId: number;
  productId: number;
  unitPrice: number;
  quantity: number;
  discount: number;
}
export type NewOrderLine = Omit<OrderLine, 'id'>;
export type OrderWithLines = Order & { lines: OrderLine[] };

/** Mulberry32: a small deterministic PRNG, so every run (and every machine) gets the same rows. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CITIES: Array<[string, string]> = [
  ['Berlin', 'Germany'], ['México D.F.', 'Mexico'], ['London', 'UK'], ['Luleå', 'Sweden'], ['Mannheim', 'Germany'],
  ['Strasbourg', 'France'], ['Madrid', 'Spain'], ['Marseille', 'France'], ['Tsawassen', 'Canada'], ['Buenos Aires', 'Argentina'],
  ['Bern', 'Switzerland'], ['São Paulo', 'Brazil'], ['Aachen', 'Germany'], ['Nantes', 'France'], ['Graz', 'Austria'],
  ['Lille', 'France'], ['Torino', 'Italy'], ['Lisboa', 'Portugal'], ['Barcelona', 'Spain'], ['Sevilla', 'Spain'],
  ['Campinas', 'Brazil'], ['Eugene', 'USA'], ['Caracas', 'Venezuela'], ['Rio de Janeiro', 'Brazil'], ['Portland', 'USA'],
];
const FIRST = ['Maria', 'Ana', 'Antonio', 'Thomas', 'Christina', 'Hanna', 'Frédérique', 'Martín', 'Laurence', 'Elizabeth', 'Victoria', 'Patricio', 'Francisco', 'Yang', 'Pedro'];
const LAST = ['Anders', 'Trujillo', 'Moreno', 'Hardy', 'Berglund', 'Moos', 'Citeaux', 'Sommer', 'Lebihan', 'Lincoln', 'Ashworth', 'Simpson', 'Chang', 'Wang', 'Afonso'];
const WORDS = ['Alfreds', 'Futterkiste', 'Emparedados', 'Taquería', 'Horn', 'Snabbköp', 'Delikatessen', 'Bólido', 'Comidas', 'Bon', 'Bottom-Dollar', 'Markets', 'Cactus', 'Chop-suey', 'Chinese', 'Comércio', 'Consolidated', 'Holdings', 'Drachenblut', 'Du monde', 'Eastern', 'Connection', 'Ernst', 'Handel', 'Familia', 'Arquibaldo'];
const CATEGORIES = ['Beverages', 'Condiments', 'Confections', 'Dairy Products', 'Grains/Cereals', 'Meat/Poultry', 'Produce', 'Seafood'];
const PRODUCT_WORDS = ['Chai', 'Chang', 'Aniseed Syrup', 'Cajun Seasoning', 'Gumbo Mix', 'Boysenberry Spread', 'Dried Pears', 'Cranberry Sauce', 'Mishi Kobe Niku', 'Ikura', 'Queso Cabrales', 'Manchego', 'Konbu', 'Tofu', 'Genen Shouyu', 'Pavlova', 'Alice Mutton', 'Tigers', 'Teatime Biscuits', 'Marmalade'];

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
/** Money-like values with at most two decimals, exactly representable enough to compare across drivers. */
const money = (r: () => number, max: number) => Math.round(r() * max * 100) / 100;

export function customerCode(id: number): string {
  return `C${String(id).padStart(6, '0')}`;
}

export function genCustomer(id: number): Customer {
  const r = prng(1_000_003 * id + 17);
  const [city, country] = pick(r, CITIES);
  return {
    id,
    code: customerCode(id),
    company: `${pick(r, WORDS)} ${pick(r, WORDS)} ${id}`,
    contact: `${pick(r, FIRST)} ${pick(r, LAST)}`,
    city,
    country,
  };
}

export function genProduct(id: number): Product {
  const r = prng(2_000_003 * id + 29);
  return {
    id,
    name: `${pick(r, PRODUCT_WORDS)} #${id}`,
    category: pick(r, CATEGORIES),
    unitPrice: money(r, 250) + 1,
    unitsInStock: Math.floor(r() * 200),
    discontinued: r() < 0.1,
  };
}

const EPOCH = Date.UTC(2020, 0, 1);

export function genOrder(id: number, size: DatasetSize = DATASET): Order {
  const r = prng(3_000_017 * id + 31);
  const [shipCity, shipCountry] = pick(r, CITIES);
  return {
    id,
    customerId: 1 + Math.floor(r() * size.customers),
    // Whole seconds: every driver round-trips them exactly.
    orderedAt: new Date(EPOCH + Math.floor(r() * 4 * 365 * 24 * 3600) * 1000),
    shipCity,
    shipCountry,
    freight: money(r, 500),
  };
}

/** The lines of one order, without ids (ids are assigned in generation order). */
export function genLines(orderId: number, size: DatasetSize = DATASET): NewOrderLine[] {
  const r = prng(4_000_037 * orderId + 43);
  const n = 1 + Math.floor(r() * size.maxLinesPerOrder);
  const lines: NewOrderLine[] = [];
  for (let i = 0; i < n; i++) {
    lines.push({
      orderId,
      productId: 1 + Math.floor(r() * size.products),
      unitPrice: money(r, 250) + 1,
      quantity: 1 + Math.floor(r() * 40),
      discount: pick(r, [0, 0, 0, 0.05, 0.1, 0.15, 0.2, 0.25]),
    });
  }
  return lines;
}

export function datasetFingerprint(size: DatasetSize = DATASET): string {
  return `forge-bench dataset v${DATASET_VERSION} ${size.customers}/${size.products}/${size.orders}/${size.maxLinesPerOrder}`;
}

/** A 31-bit hash of the fingerprint, for SQLite's `PRAGMA user_version`. */
export function fingerprintInt(fp: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < fp.length; i++) h = Math.imul(h ^ fp.charCodeAt(i), 16777619);
  return (h >>> 1) || 1;
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  if (ms >= 1) return ms.toFixed(2);
  return ms.toFixed(3);
}

// ---------- comparing subjects' results ----------

/** JSON with sorted keys, Dates tagged, so a Date and its ISO string do not compare equal. */
export function canonical(v: unknown): string {
  return JSON.stringify(v, function (this: Record<string, unknown>, key, value) {
    const raw = key === '' ? v : this[key];
    if (raw instanceof Date) return { $date: raw.toISOString() };
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      return Object.fromEntries(Object.keys(value).sort().map((k) => [k, (value as Record<string, unknown>)[k]]));
    }
    return value;
  });
}

export function diffHint(a: string, b: string): string {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `raw: …${a.slice(Math.max(0, i - 60), i + 60)}… vs …${b.slice(Math.max(0, i - 60), i + 60)}…`;
}

/** `--key=value` and `--flag` arguments. */
export function parseArgs(argv: string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const a of argv) {
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    m.set(eq < 0 ? a.slice(2) : a.slice(2, eq), eq < 0 ? 'true' : a.slice(eq + 1));
  }
  return m;
}

export function log(msg: string): void {
  process.stdout.write(`${msg}\n`);
}
