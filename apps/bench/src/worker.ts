/**
 * One dialect's run of scenarios 1-4 for every subject, in its own process (spawned by main.ts).
 * Usage: node --expose-gc dist/worker.js --dialect=sqlite|postgres|mysql --out=FILE [--quick] [--only=pk,list,include,write]
 *        [--subjects=raw,forge,...] [--prisma-client=FILE | --prisma-error=TEXT]
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import type mysql from 'mysql2/promise';
import pg from 'pg';
import {
  canonical,
  DATASET,
  diffHint,
  dialectUrl,
  formatMs,
  genCustomer,
  genOrder,
  genProduct,
  log,
  parseArgs,
  POSTGRES_URL,
  SQLITE_FILE,
  type Dialect,
  type NewOrderLine,
  type ResultRow,
  type SubjectName,
} from './common.js';
import { datasetInfo, mysqlConnect } from './dataset.js';
import { FULL, measure, QUICK, summarize, type Contender } from './stats.js';
import { createDrizzle } from './subjects/drizzle.js';
import { createForge } from './subjects/forge.js';
import { createKysely } from './subjects/kysely.js';
import { createPrisma } from './subjects/prisma.js';
import { createRaw } from './subjects/raw.js';
import type { PlaceOrder, Subject } from './subjects/types.js';

export interface Scenario {
  key: string;
  group: 'pk' | 'list' | 'include' | 'write';
  name: string;
  write?: boolean;
  /** One sample of this scenario for a subject; `k` counts the subject's calls (to vary ids and keep codes unique). */
  sample(s: Subject, k: number): Promise<void>;
  /** Subjects that lack what the scenario calls sit it out (no row for them). */
  supports?(s: Subject): boolean;
}

/** ASCII text, so an ASCII-only fold (raw's `lower()` on SQLite) and forge's Unicode fold find the same rows. */
const SEARCH_TEXT = 'DELIKATESSEN';

const LOOKUP_IDS = (() => {
  // 1,000 ids spread over the table in a fixed pseudo-random order.
  const ids: number[] = [];
  for (let i = 0; i < 1000; i++) ids.push(1 + ((i * 7919 + 13) % DATASET.orders));
  return ids;
})();

function batchLines(k: number): NewOrderLine[] {
  const orderId = 1 + (k % DATASET.orders);
  const lines: NewOrderLine[] = [];
  for (let i = 0; i < 1000; i++) {
    lines.push({ orderId, productId: 1 + ((k * 1000 + i) % DATASET.products), unitPrice: 10 + (i % 50), quantity: 1 + (i % 9), discount: 0 });
  }
  return lines;
}

function placeOrderInput(k: number): PlaceOrder {
  const template = genOrder(1 + (k % DATASET.orders));
  return {
    customerId: template.customerId,
    orderedAt: template.orderedAt,
    shipCity: template.shipCity,
    shipCountry: template.shipCountry,
    lines: Array.from({ length: 6 }, (_, i) => ({
      productId: 1 + ((k * 6 + i) % DATASET.products),
      unitPrice: 5 + ((k + i) % 90),
      quantity: 1 + (i % 5),
      discount: i % 3 === 0 ? 0.05 : 0,
    })),
    productId: 1 + (k % DATASET.products),
    freight: template.freight,
  };
}

let uniq = 0;
const fmt = (n: number) => n.toLocaleString('en-US');

/**
 * The scenarios of one dialect. Quick mode keeps every scenario but gives the sequential ones less work per
 * sample (the count is in the scenario's name), so that the whole quick run stays under a minute.
 */
export function scenarios(quick: boolean): Scenario[] {
  const lookups = quick ? 100 : 1_000;
  const seq = quick ? 20 : 100;
  const txs = quick ? 2 : 10;
  return [
    {
      key: 'pk',
      group: 'pk',
      name: `PK lookup ×${fmt(lookups)} (sequential)`,
      async sample(s) {
        for (let i = 0; i < lookups; i++) await s.orderById(LOOKUP_IDS[i]);
      },
    },
    ...[100, 2_000, 25_000].map(
      (n): Scenario => ({
        key: `list${n}`,
        group: 'list',
        name: `list ${fmt(n)} rows`,
        async sample(s) {
          await s.listOrders(n);
        },
      }),
    ),
    {
      // Issue 9, limit 7: forge folds Unicode on SQLite through a registered forge_fold(); raw is the ASCII
      // fold forge had before (lower() ... LIKE lower(?)), so the ratio is what the Unicode fold costs.
      key: 'list-insensitive',
      group: 'list',
      name: `contains, insensitive (${fmt(DATASET.customers)} rows scanned)`,
      supports: (s) => typeof s.searchCustomers === 'function',
      async sample(s) {
        await s.searchCustomers!(SEARCH_TEXT);
      },
    },
    ...[100, 1_000].map(
      (n): Scenario => ({
        key: `include${n}`,
        group: 'include',
        name: `${fmt(n)} orders + lines (1:N)`,
        async sample(s, k) {
          await s.ordersWithLines(1 + ((k * 977) % (DATASET.orders - n)), n);
        },
      }),
    ),
    {
      key: 'create',
      group: 'write',
      write: true,
      name: `create ×${seq} (sequential)`,
      async sample(s) {
        for (let i = 0; i < seq; i++) {
          const n = ++uniq;
          await s.createCustomer({ code: `N${s.name}${process.pid}_${n}`, company: `New Co ${n}`, contact: 'Nancy Davolio', city: 'Seattle', country: 'USA' });
        }
      },
    },
    {
      key: 'batch',
      group: 'write',
      write: true,
      name: 'batch insert 1,000 rows (1 tx)',
      async sample(s, k) {
        await s.insertLines(batchLines(k));
      },
    },
    {
      key: 'upsert',
      group: 'write',
      write: true,
      name: `upsert ×${seq} (sequential, existing rows)`,
      async sample(s, k) {
        for (let i = 0; i < seq; i++) {
          const { id: _id, ...c } = genCustomer(1 + ((k * seq + i) % DATASET.customers));
          await s.upsertCustomer(c);
        }
      },
    },
    {
      key: 'tx',
      group: 'write',
      write: true,
      name: `transaction of 10 ops ×${txs}`,
      async sample(s, k) {
        for (let i = 0; i < txs; i++) await s.placeOrder(placeOrderInput(k * txs + i));
      },
    },
  ];
}

// ---------- maintenance: put the dataset back after writes ----------

interface Maintenance {
  reset(): Promise<void>;
  counts(): Promise<{ customers: number; orders: number; lines: number }>;
  close(): Promise<void>;
}

async function maintenance(dialect: Dialect): Promise<Maintenance> {
  const info = datasetInfo();
  const products = Array.from({ length: DATASET.products }, (_, i) => genProduct(i + 1));
  const stmts = [
    `DELETE FROM order_lines WHERE id > ${info.maxLineId}`,
    `DELETE FROM orders WHERE id > ${info.maxOrderId}`,
    `DELETE FROM customers WHERE id > ${info.maxCustomerId}`,
  ];
  if (dialect === 'sqlite') {
    const db = new Database(SQLITE_FILE, { timeout: 5000 });
    const stock = db.prepare('UPDATE products SET units_in_stock = ? WHERE id = ? AND units_in_stock <> ?');
    const reset = db.transaction(() => {
      for (const s of stmts) db.exec(s);
      for (const p of products) stock.run(p.unitsInStock, p.id, p.unitsInStock);
    });
    return {
      async reset() {
        reset();
      },
      async counts() {
        const one = (t: string) => (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
        return { customers: one('customers'), orders: one('orders'), lines: one('order_lines') };
      },
      async close() {
        db.close();
      },
    };
  }
  if (dialect === 'mysql') {
    const c = await mysqlConnect(dialectUrl('mysql'));
    // No UPDATE ... FROM unnest on MySQL: one UPDATE with a CASE over the 500 seeded stock values.
    const restock = `UPDATE products SET units_in_stock = CASE id ${products.map((p) => `WHEN ${p.id} THEN ${p.unitsInStock}`).join(' ')} END WHERE id <= ${DATASET.products}`;
    return {
      async reset() {
        await c.query('START TRANSACTION');
        for (const s of stmts) await c.query(s);
        await c.query(restock);
        await c.query('COMMIT');
      },
      async counts() {
        const [rows] = await c.query<mysql.RowDataPacket[]>(
          'SELECT (SELECT count(*) FROM customers) AS customers, (SELECT count(*) FROM orders) AS orders, (SELECT count(*) FROM order_lines) AS line_count',
        );
        // (`lines` is a reserved word in MySQL.)
        return { customers: Number(rows[0].customers), orders: Number(rows[0].orders), lines: Number(rows[0].line_count) };
      },
      close: () => c.end(),
    };
  }
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  return {
    async reset() {
      await client.query('BEGIN');
      for (const s of stmts) await client.query(s);
      await client.query(
        'UPDATE products p SET units_in_stock = v.s FROM unnest($1::int[], $2::int[]) AS v(id, s) WHERE p.id = v.id AND p.units_in_stock <> v.s',
        [products.map((p) => p.id), products.map((p) => p.unitsInStock)],
      );
      await client.query('COMMIT');
    },
    async counts() {
      const { rows } = await client.query(
        'SELECT (SELECT count(*) FROM customers)::int AS customers, (SELECT count(*) FROM orders)::int AS orders, (SELECT count(*) FROM order_lines)::int AS lines',
      );
      return rows[0];
    },
    close: () => client.end(),
  };
}

// ---------- correctness: every subject returns what raw returns ----------

async function verify(s: Subject, raw: Subject, m: Maintenance, groups: Set<string>): Promise<string | undefined> {
  const checks: Array<[string, (x: Subject) => Promise<unknown>]> = [
    ['orderById(1)', (x) => x.orderById(1)],
    ['orderById(12345)', (x) => x.orderById(12_345 % DATASET.orders)],
    ['orderById(missing)', (x) => x.orderById(DATASET.orders + 1_000_000)],
    ['listOrders(100)', (x) => x.listOrders(100)],
    ['ordersWithLines(1000, 50)', (x) => x.ordersWithLines(1000, 50)],
  ];
  if (s.searchCustomers && raw.searchCustomers) checks.push([`searchCustomers('${SEARCH_TEXT}')`, (x) => x.searchCustomers!(SEARCH_TEXT)]);
  for (const [what, fn] of checks) {
    const want = canonical(await fn(raw));
    const got = canonical(await fn(s));
    if (want !== got) return `${what} differs from raw: ${diffHint(want, got)}`;
  }
  if (!groups.has('write')) return undefined;
  const base = genCustomer(7);
  const { id: _id, ...existing } = base;
  const up = await s.upsertCustomer(existing);
  if (canonical(up) !== canonical(base)) return `upsertCustomer(existing) returned ${canonical(up)}, expected ${canonical(base)}`;
  const fresh = { code: `V${s.name}${process.pid}`, company: 'Verify Co', contact: 'Vera', city: 'Oslo', country: 'Norway' };
  const created = await s.createCustomer(fresh);
  if (typeof created.id !== 'number' || canonical({ ...created, id: 0 }) !== canonical({ ...fresh, id: 0 })) return `createCustomer returned ${canonical(created)}`;
  const before = await m.counts();
  await s.insertLines(batchLines(1));
  await s.placeOrder(placeOrderInput(1));
  const after = await m.counts();
  if (after.lines - before.lines !== 1006 || after.orders - before.orders !== 1) {
    return `writes changed the row counts by ${after.orders - before.orders} orders / ${after.lines - before.lines} lines, expected 1 / 1006`;
  }
  await m.reset();
  return undefined;
}

// ---------- main ----------

async function openSubject(name: SubjectName, dialect: Dialect, args: Map<string, string>): Promise<Subject> {
  const url = dialectUrl(dialect);
  switch (name) {
    case 'raw':
      return createRaw(dialect, url);
    case 'forge':
      return createForge(dialect, url);
    case 'drizzle':
      return createDrizzle(dialect, url);
    case 'kysely':
      return createKysely(dialect, url);
    case 'prisma': {
      const file = args.get('prisma-client');
      if (!file) throw new Error(args.get('prisma-error') ?? 'Prisma client was not generated');
      return createPrisma(dialect, url, file);
    }
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const dialect = args.get('dialect') as Dialect;
  if (dialect !== 'sqlite' && dialect !== 'postgres' && dialect !== 'mysql') throw new Error('worker: --dialect=sqlite|postgres|mysql is required');
  const outFile = args.get('out');
  if (!outFile) throw new Error('worker: --out=FILE is required');
  // --solo (profiling): only the named subject, no raw baseline and no result check, a few seconds per scenario.
  const solo = args.has('solo');
  const profileDir = solo ? args.get('profile-dir') : undefined;
  const cfg = solo ? { ...QUICK, minSamples: 20, minMs: 4000, maxMs: 8000 } : args.has('quick') ? QUICK : FULL;
  const groups = new Set((args.get('only') ?? 'pk,list,include,write').split(',').map((s) => s.trim()));
  const wanted = (args.get('subjects') ?? 'raw,forge,drizzle,kysely,prisma').split(',').map((s) => s.trim()) as SubjectName[];
  if (!wanted.includes('raw') && !solo) wanted.unshift('raw');
  const scenarioList = scenarios(args.has('quick')).filter((s) => groups.has(s.group) || groups.has(s.key));

  const results: ResultRow[] = [];
  const failed = new Map<string, string>();
  const subjects: Subject[] = [];
  const m = await maintenance(dialect);
  await m.reset();
  for (const name of wanted) {
    try {
      subjects.push(await openSubject(name, dialect, args));
    } catch (e) {
      failed.set(name, `could not start: ${(e as Error).message}`);
    }
  }
  const raw = subjects.find((s) => s.name === 'raw');
  if (!raw && !solo) throw new Error(`the raw subject failed: ${failed.get('raw')}`);
  for (const s of subjects) {
    if (!raw || s === raw) continue;
    try {
      const problem = await verify(s, raw, m, groups);
      if (problem) failed.set(s.name, `wrong results: ${problem}`);
    } catch (e) {
      failed.set(s.name, `failed while checking results: ${(e as Error).message}`);
      await m.reset();
    }
  }
  for (const [name, why] of failed) log(`  ${dialect}: ${name} is left out: ${why}`);
  const live = subjects.filter((s) => !failed.has(s.name));

  for (const sc of scenarioList) {
    const counters = new Map<string, number>();
    const contenders: Contender[] = live.filter((s) => !sc.supports || sc.supports(s)).map((s) => ({
      name: s.name,
      run: () => {
        const k = (counters.get(s.name) ?? 0) + 1;
        counters.set(s.name, k);
        return sc.sample(s, k);
      },
    }));
    let samples: Map<string, number[]>;
    try {
      if (profileDir) {
        // Profile only the timed loop: warm up (JIT, statement caches) first, unprofiled.
        await measure(contenders, { ...cfg, minMs: 500, minSamples: 3 }, sc.write ? () => m.reset() : undefined);
        const session = new Session();
        session.connect();
        await session.post('Profiler.enable');
        await session.post('Profiler.setSamplingInterval', { interval: 200 });
        await session.post('Profiler.start');
        samples = await measure(contenders, cfg, sc.write ? () => m.reset() : undefined);
        const { profile } = await session.post('Profiler.stop');
        writeFileSync(path.join(profileDir, `${dialect}-${sc.key}.cpuprofile`), JSON.stringify(profile));
        session.disconnect();
      } else {
        samples = await measure(contenders, cfg, sc.write ? () => m.reset() : undefined);
      }
    } catch (e) {
      // One subject failing mid-scenario: report it, and measure the others without it.
      const msg = oneLine((e as Error).message);
      log(`  ${dialect} ${sc.name}: a subject failed (${msg}); retrying one by one`);
      await m.reset();
      samples = new Map();
      for (const c of contenders) {
        try {
          samples.set(c.name, (await measure([c], cfg, sc.write ? () => m.reset() : undefined)).get(c.name)!);
        } catch (err) {
          results.push({ scenario: sc.name, dialect, subject: c.name, median_ms: null, p95_ms: null, ratio_to_raw: null, error: oneLine((err as Error).message) });
          await m.reset();
        }
      }
    }
    const rawMedian = samples.get('raw') ? summarize(samples.get('raw')!).median : NaN;
    const line: string[] = [];
    for (const [name, xs] of samples) {
      const { median, p95, n } = summarize(xs);
      const ratio = Number.isFinite(rawMedian) ? median / rawMedian : null;
      results.push({ scenario: sc.name, dialect, subject: name, median_ms: round(median), p95_ms: round(p95), ratio_to_raw: ratio === null ? null : round(ratio, 3), samples: n });
      line.push(`${name} ${formatMs(median)}${name === 'raw' || ratio === null ? '' : ` (${ratio.toFixed(2)}x)`}`);
    }
    log(`  ${dialect.padEnd(8)} ${sc.name.padEnd(40)} ${line.join('  ')}`);
  }
  for (const [name, why] of failed) {
    for (const sc of scenarioList) results.push({ scenario: sc.name, dialect, subject: name, median_ms: null, p95_ms: null, ratio_to_raw: null, error: why });
  }
  await m.reset();
  for (const s of subjects) await s.close().catch(() => undefined);
  await m.close();
  writeFileSync(outFile, JSON.stringify(results, null, 2));
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

function round(x: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

main().catch((e) => {
  process.stderr.write(`worker failed: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
