/**
 * The DuckDB group's child process (started by duckdb.ts), in one of three modes:
 *   --mode=build --file=F [--quick]                 write the dataset into a fresh file F
 *   --mode=scenarios --file=F --out=J [--quick] [--only=pk,list,include,create,createMany,groupBy] [--subjects=raw,forge]
 *                                                   time the in-process scenarios, write ResultRow[] to J
 *   --mode=stream --file=F --subject=raw|forge --rows=N --out=J
 *                                                   one streaming read in this fresh process: { wall_ms, peak_rss_mb, rows, checksum }
 * Run with --expose-gc for the scenarios (a forced GC before each block of samples, as in worker.ts).
 */
import { rmSync, writeFileSync } from 'node:fs';
import {
  DuckDBInstanceCache,
  DuckDBTimestampTZValue,
  type DuckDBAppender,
  type DuckDBConnection,
  type DuckDBInstance,
  type DuckDBPreparedStatement,
  type DuckDBValue,
} from '@duckdb/node-api';
import { createDb } from 'forge-orm';
import {
  canonical,
  DATASET,
  diffHint,
  formatMs,
  genCustomer,
  genLines,
  genOrder,
  genProduct,
  log,
  parseArgs,
  type Customer,
  type NewCustomer,
  type NewOrderLine,
  type Order,
  type OrderLine,
  type OrderWithLines,
  type ResultRow,
} from './common.js';
import { datasetInfo } from './dataset.js';
import { duckdbSchema } from './schema.js';
import { FULL, measure, QUICK, summarize, type Contender, type SamplingConfig } from './stats.js';

/** Rows of the analytics and streaming tables (quick mode: 100,000). */
const DUCKDB_BIG_ROWS = { full: 1_000_000, quick: 100_000 };
/** Rows of one createMany sample (quick mode: 20,000). */
const DUCKDB_BATCH_ROWS = { full: 100_000, quick: 20_000 };

/** raw's per-row prepared INSERT, for context: sampled once. */
const SLOW_WRITER = 'raw prepared INSERT';

const ORDER_COLS = 'id, customer_id, ordered_at, ship_city, ship_country, freight';
const CUSTOMER_COLS = 'id, code, company_name, contact_name, city, country';
const LINE_COLS = 'id, order_id, product_id, unit_price, quantity, discount';
const BIG_COLS = 'id, n, label, amount, created_at';
const CATEGORIES = ['Beverages', 'Condiments', 'Confections', 'Dairy Products', 'Grains/Cereals', 'Meat/Poultry', 'Produce', 'Seafood'];
const CITIES = ['Berlin', 'México D.F.', 'London', 'Luleå', 'Mannheim', 'Strasbourg', 'Madrid', 'Marseille', 'Tsawassen', 'Buenos Aires', 'Bern', 'São Paulo', 'Aachen', 'Nantes', 'Graz', 'Lille', 'Torino', 'Lisboa', 'Barcelona', 'Sevilla', 'Campinas', 'Eugene', 'Caracas', 'Rio de Janeiro', 'Portland'];
const sqlList = (xs: string[]) => `[${xs.map((x) => `'${x.replace(/'/g, "''")}'`).join(', ')}]`;

type Row = DuckDBValue[];
/** TIMESTAMPTZ comes back as microseconds since the epoch. */
const toDate = (v: DuckDBValue): Date => new Date(Number((v as DuckDBTimestampTZValue).micros / 1000n));
const mapOrder = (r: Row): Order => ({
  id: r[0] as number,
  customerId: r[1] as number,
  orderedAt: toDate(r[2]),
  shipCity: r[3] as string,
  shipCountry: r[4] as string,
  freight: r[5] as number,
});
const mapCustomer = (r: Row): Customer => ({
  id: r[0] as number,
  code: r[1] as string,
  company: r[2] as string,
  contact: r[3] as string,
  city: r[4] as string,
  country: r[5] as string,
});

/** The hand-written JOIN's flat rows folded into orders with nested lines (as raw.ts does for the other dialects). */
function nest(rows: Row[]): OrderWithLines[] {
  const out: OrderWithLines[] = [];
  let cur: OrderWithLines | undefined;
  for (const r of rows) {
    if (!cur || cur.id !== r[0]) {
      cur = { ...mapOrder(r), lines: [] };
      out.push(cur);
    }
    if (r[6] !== null) {
      const line: OrderLine = { id: r[6] as number, orderId: r[7] as number, productId: r[8] as number, unitPrice: r[9] as number, quantity: r[10] as number, discount: r[11] as number };
      cur.lines.push(line);
    }
  }
  return out;
}

/** One group of the groupBy: the shape forge's groupBy returns. */
interface SalesGroup {
  category: string;
  _count: { _all: number };
  _sum: { quantity: number | null; amount: number | null };
}

/** Same groups, same counts and integer sums; the double sums equal to 1e-9 (DuckDB adds them in parallel, in no fixed order). */
function sameGroups(a: SalesGroup[], b: SalesGroup[]): string | undefined {
  if (a.length !== b.length) return `${a.length} groups vs ${b.length}`;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x.category !== y.category || x._count._all !== y._count._all || x._sum.quantity !== y._sum.quantity) return `group ${i}: ${canonical(x)} vs ${canonical(y)}`;
    const ax = x._sum.amount ?? 0;
    const ay = y._sum.amount ?? 0;
    if (Math.abs(ax - ay) > 1e-9 * Math.max(1, Math.abs(ax))) return `group ${i} amount: ${ax} vs ${ay}`;
  }
  return undefined;
}

async function openInstance(file: string): Promise<DuckDBInstance> {
  // The driver's instance cache, as forge's adapter uses: raw and forge in one process share the one instance.
  return DuckDBInstanceCache.singleton.getOrCreateInstance(file);
}

/** The sequence behind a table's id (`nextval('orders_id_seq')`), read from the catalog. */
async function idSequence(conn: DuckDBConnection, table: string): Promise<string> {
  const r = await conn.runAndReadAll(`SELECT column_default FROM duckdb_columns() WHERE table_name = '${table}' AND column_name = 'id'`);
  const m = /^nextval\('([^']+)'\)$/i.exec(String(r.getRows()[0]?.[0] ?? ''));
  if (!m) throw new Error(`no id sequence on ${table}`);
  return m[1];
}

// ---------- build ----------

async function build(file: string, quick: boolean): Promise<void> {
  for (const suffix of ['', '.wal']) rmSync(file + suffix, { force: true });
  const big = quick ? DUCKDB_BIG_ROWS.quick : DUCKDB_BIG_ROWS.full;
  // Tables created by forge itself, as on the other dialects.
  const db = await createDb({ url: `duckdb:${file}`, schema: duckdbSchema });
  const report = await db.$migrate();
  await db.$disconnect();
  if (report.failures.length) throw new Error(`forge $migrate failed: ${JSON.stringify(report.failures)}`);

  const instance = await openInstance(file);
  const conn = await instance.connect();
  const append = async (table: string, rows: Iterable<(a: DuckDBAppender) => void>) => {
    const a = await conn.createAppender(table);
    for (const put of rows) {
      put(a);
      a.endRow();
    }
    a.flushSync();
    a.closeSync();
  };
  const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
  await conn.run('BEGIN TRANSACTION');
  await append('customers', range(DATASET.customers).map((i) => (a: DuckDBAppender) => {
    const c = genCustomer(i);
    a.appendInteger(c.id); a.appendVarchar(c.code); a.appendVarchar(c.company); a.appendVarchar(c.contact); a.appendVarchar(c.city); a.appendVarchar(c.country);
  }));
  await append('products', range(DATASET.products).map((i) => (a: DuckDBAppender) => {
    const p = genProduct(i);
    a.appendInteger(p.id); a.appendVarchar(p.name); a.appendVarchar(p.category); a.appendDouble(p.unitPrice); a.appendInteger(p.unitsInStock); a.appendBoolean(p.discontinued);
  }));
  await append('orders', range(DATASET.orders).map((i) => (a: DuckDBAppender) => {
    const o = genOrder(i);
    a.appendInteger(o.id); a.appendInteger(o.customerId); a.appendVarchar(o.orderedAt.toISOString()); a.appendVarchar(o.shipCity); a.appendVarchar(o.shipCountry); a.appendDouble(o.freight);
  }));
  await append('order_lines', (function* () {
    let id = 0;
    for (let o = 1; o <= DATASET.orders; o++) {
      for (const l of genLines(o)) {
        const lineId = ++id;
        yield (a: DuckDBAppender) => {
          a.appendInteger(lineId); a.appendInteger(l.orderId); a.appendInteger(l.productId); a.appendDouble(l.unitPrice); a.appendInteger(l.quantity); a.appendDouble(l.discount);
        };
      }
    }
  })());
  // Rows went in with explicit ids: move each id sequence past them (DuckDB has no setval), so creates get fresh ids.
  const info = datasetInfo();
  for (const [table, max] of [['customers', info.maxCustomerId], ['products', DATASET.products], ['orders', info.maxOrderId], ['order_lines', info.maxLineId]] as const) {
    await conn.run(`SELECT max(nextval('${await idSequence(conn, table)}')) FROM range(${max})`);
  }
  await conn.run(
    `INSERT INTO big_rows (id, n, label, amount, created_at)
     SELECT i, (i * 7919) % 100000, 'row number ' || i, ((i * 31) % 100000) / 100.0,
            TIMESTAMPTZ '2020-01-01 00:00:00+00' + i * INTERVAL 1 MINUTE FROM range(1, ${big + 1}) t(i)`,
  );
  await conn.run(
    `INSERT INTO sales (id, product_id, category, city, quantity, amount, sold_at)
     SELECT i, 1 + (i * 7919) % ${DATASET.products}, ${sqlList(CATEGORIES)}[1 + ((i * 2654435761) >> 7) % ${CATEGORIES.length}],
            ${sqlList(CITIES)}[1 + (i * 40503) % ${CITIES.length}], 1 + (i * 31) % 40, ((i * 7907) % 100000) / 100.0,
            TIMESTAMPTZ '2022-01-01 00:00:00+00' + i * INTERVAL 30 SECOND FROM range(1, ${big + 1}) t(i)`,
  );
  await conn.run('COMMIT');
  await conn.run('CHECKPOINT');
  conn.closeSync();
  instance.closeSync();
}

// ---------- the subjects ----------

interface BatchWriter {
  name: string;
  /** Insert the lines (ids from the table's sequence) in one transaction. */
  insert(lines: NewOrderLine[]): Promise<void>;
}

interface DuckSubject {
  name: 'raw' | 'forge';
  orderById(id: number): Promise<Order | null>;
  listOrders(n: number): Promise<Order[]>;
  ordersWithLines(fromId: number, n: number): Promise<OrderWithLines[]>;
  createCustomer(c: NewCustomer): Promise<Customer>;
  salesByCategory(): Promise<SalesGroup[]>;
  /** createMany's writers: forge's createMany; raw's Appender and its prepared INSERT. */
  writers: BatchWriter[];
  close(): Promise<void>;
}

async function rows(stmt: DuckDBPreparedStatement): Promise<Row[]> {
  return (await stmt.runAndReadAll()).getRows();
}

async function rawSubject(file: string): Promise<DuckSubject> {
  const instance = await openInstance(file);
  const conn = await instance.connect();
  const byId = await conn.prepare(`SELECT ${ORDER_COLS} FROM orders WHERE id = $1`);
  const list = await conn.prepare(`SELECT ${ORDER_COLS} FROM orders ORDER BY id LIMIT $1`);
  const join = await conn.prepare(
    `SELECT o.id, o.customer_id, o.ordered_at, o.ship_city, o.ship_country, o.freight,
            l.id, l.order_id, l.product_id, l.unit_price, l.quantity, l.discount
       FROM orders o LEFT JOIN order_lines l ON l.order_id = o.id
      WHERE o.id >= $1 AND o.id < $2
      ORDER BY o.id, l.id`,
  );
  const insCustomer = await conn.prepare(`INSERT INTO customers (code, company_name, contact_name, city, country) VALUES ($1, $2, $3, $4, $5) RETURNING ${CUSTOMER_COLS}`);
  const groups = await conn.prepare('SELECT category, count(*), sum(quantity), sum(amount) FROM sales GROUP BY category ORDER BY category');
  const insLine = await conn.prepare('INSERT INTO order_lines (order_id, product_id, unit_price, quantity, discount) VALUES ($1, $2, $3, $4, $5)');
  const lineSeq = await idSequence(conn, 'order_lines');
  return {
    name: 'raw',
    async orderById(id) {
      byId.bindInteger(1, id);
      const r = await rows(byId);
      return r.length ? mapOrder(r[0]) : null;
    },
    async listOrders(n) {
      list.bindBigInt(1, BigInt(n));
      return (await rows(list)).map(mapOrder);
    },
    async ordersWithLines(fromId, n) {
      join.bindInteger(1, fromId);
      join.bindInteger(2, fromId + n);
      return nest(await rows(join));
    },
    async createCustomer(c) {
      insCustomer.bindVarchar(1, c.code);
      insCustomer.bindVarchar(2, c.company);
      insCustomer.bindVarchar(3, c.contact);
      insCustomer.bindVarchar(4, c.city);
      insCustomer.bindVarchar(5, c.country);
      return mapCustomer((await rows(insCustomer))[0]);
    },
    async salesByCategory() {
      return (await rows(groups)).map((r) => ({
        category: r[0] as string,
        _count: { _all: Number(r[1] as bigint) },
        _sum: { quantity: r[2] === null ? null : Number(r[2] as bigint), amount: r[3] as number | null },
      }));
    },
    writers: [
      {
        // The Appender at its fastest: typed appends, ids drawn from the table's sequence as forge draws them.
        name: 'raw Appender',
        async insert(lines) {
          await conn.run('BEGIN TRANSACTION');
          try {
            const ids = (await conn.runAndReadAll(`SELECT nextval('${lineSeq}')::INTEGER FROM range(${lines.length})`)).getColumns()[0] as number[];
            const a = await conn.createAppender('order_lines');
            try {
              for (let i = 0; i < lines.length; i++) {
                const l = lines[i];
                a.appendInteger(ids[i]);
                a.appendInteger(l.orderId);
                a.appendInteger(l.productId);
                a.appendDouble(l.unitPrice);
                a.appendInteger(l.quantity);
                a.appendDouble(l.discount);
                a.endRow();
              }
              a.flushSync();
            } finally {
              a.closeSync();
            }
            await conn.run('COMMIT');
          } catch (e) {
            await conn.run('ROLLBACK').catch(() => undefined);
            throw e;
          }
        },
      },
      {
        // For context: one prepared INSERT run once per row, in one transaction.
        name: SLOW_WRITER,
        async insert(lines) {
          await conn.run('BEGIN TRANSACTION');
          try {
            for (const l of lines) {
              insLine.bindInteger(1, l.orderId);
              insLine.bindInteger(2, l.productId);
              insLine.bindDouble(3, l.unitPrice);
              insLine.bindInteger(4, l.quantity);
              insLine.bindDouble(5, l.discount);
              await insLine.run();
            }
            await conn.run('COMMIT');
          } catch (e) {
            await conn.run('ROLLBACK').catch(() => undefined);
            throw e;
          }
        },
      },
    ],
    async close() {
      for (const s of [byId, list, join, insCustomer, groups, insLine]) s.destroySync();
      conn.closeSync();
      instance.closeSync();
    },
  };
}

async function forgeSubject(file: string): Promise<DuckSubject> {
  const db = await createDb({ url: `duckdb:${file}`, schema: duckdbSchema });
  return {
    name: 'forge',
    orderById: (id) => db.order.findUnique({ where: { id } }) as Promise<Order | null>,
    listOrders: (n) => db.order.findMany({ take: n, orderBy: { id: 'asc' } }) as Promise<Order[]>,
    ordersWithLines: (fromId, n) =>
      db.order.findMany({ where: { id: { gte: fromId, lt: fromId + n } }, orderBy: { id: 'asc' }, include: { lines: { orderBy: { id: 'asc' } } } }) as Promise<OrderWithLines[]>,
    createCustomer: (c) => db.customer.create({ data: c }) as Promise<Customer>,
    salesByCategory: () =>
      db.sale.groupBy({ by: ['category'], _count: { _all: true }, _sum: { quantity: true, amount: true }, orderBy: { category: 'asc' } }) as unknown as Promise<SalesGroup[]>,
    writers: [
      {
        // As a user writes it: createMany is one transaction by itself (more than 1,000 rows), batches of 256+ go through the Appender.
        name: 'forge',
        async insert(lines) {
          await db.orderLine.createMany({ data: lines });
        },
      },
    ],
    close: () => db.$disconnect(),
  };
}

// ---------- scenarios ----------

interface Maintenance {
  /** Delete what the writes added (and checkpoint, so every sample starts from an empty WAL). */
  reset(): Promise<void>;
  /** Rows above the seeded ids in order_lines, and the sum of their quantity, product_id and unit_price. */
  addedLines(): Promise<{ rows: number; checksum: number }>;
  close(): void;
}

async function maintenance(file: string): Promise<Maintenance> {
  const info = datasetInfo();
  const instance = await openInstance(file);
  const conn = await instance.connect();
  return {
    async reset() {
      await conn.run(`DELETE FROM order_lines WHERE id > ${info.maxLineId}`);
      await conn.run(`DELETE FROM customers WHERE id > ${info.maxCustomerId}`);
      await conn.run('CHECKPOINT');
    },
    async addedLines() {
      const r = (await conn.runAndReadAll(`SELECT count(*), coalesce(sum(quantity + product_id + unit_price), 0) FROM order_lines WHERE id > ${info.maxLineId}`)).getRows()[0];
      return { rows: Number(r[0] as bigint), checksum: Math.round(Number(r[1]) * 100) / 100 };
    },
    close() {
      conn.closeSync();
      instance.closeSync();
    },
  };
}

function batchOf(n: number): NewOrderLine[] {
  return Array.from({ length: n }, (_, i) => ({
    orderId: 1 + ((i * 7) % DATASET.orders),
    productId: 1 + (i % DATASET.products),
    unitPrice: 10 + (i % 50) + 0.25,
    quantity: 1 + (i % 9),
    discount: i % 4 === 0 ? 0.05 : 0,
  }));
}

/** Light scenarios: ≥ 3 warm-up calls, ≥ 10 samples and ≥ 1.5 s per subject (at most 5 s), in 5 rounds, so the group stays within its time. */
const LIGHT: SamplingConfig = { ...FULL, warmupMin: 3, warmupMs: 200, minSamples: 10, minMs: 1500, maxMs: 5000 };

/**
 * Heavy samples (a 100k-row write): each contender `warmup` times, then `samples` times in rounds with the order
 * rotated, `reset` untimed after every call, so each sample starts from the same table.
 */
async function measureHeavy(contenders: Contender[], warmup: number, samples: number, reset: () => Promise<void>): Promise<Map<string, number[]>> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const out = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  for (const c of contenders) {
    for (let i = 0; i < warmup; i++) {
      await c.run();
      await reset();
    }
  }
  for (let r = 0; r < samples; r++) {
    for (let k = 0; k < contenders.length; k++) {
      const c = contenders[(k + r) % contenders.length];
      gc?.();
      const t = performance.now();
      await c.run();
      out.get(c.name)!.push(performance.now() - t);
      await reset();
    }
  }
  return out;
}

const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;
const fmt = (n: number) => n.toLocaleString('en-US');

async function scenarios(file: string, out: string, quick: boolean, only: Set<string>, wanted: string[]): Promise<void> {
  const cfg = quick ? QUICK : LIGHT;
  const has = (k: string) => only.has('duckdb') || only.has(`duckdb-${k}`);
  const results: ResultRow[] = [];
  const m = await maintenance(file);
  await m.reset();
  const raw = await rawSubject(file);
  const forge = wanted.includes('forge') ? await forgeSubject(file) : undefined;
  const subjects = forge ? [raw, forge] : [raw];
  // Fewer calls per sample than scenarios 1 and 4 (×1,000 and ×100): a DuckDB lookup or autocommit write costs ~0.2-5 ms,
  // and the group has ~3 minutes. The count is in the scenario's name.
  const lookups = 100;
  const creates = 20;
  const lookupIds = Array.from({ length: lookups }, (_, i) => 1 + ((i * 7919 + 13) % DATASET.orders));
  let uniq = 0;

  const push = (scenario: string, samples: Map<string, number[]>, baseline: string, checks: Map<string, string | undefined>) => {
    const base = samples.get(baseline);
    const baseMedian = base?.length ? summarize(base).median : NaN;
    const line: string[] = [];
    for (const [name, why] of checks) {
      if (why) {
        results.push({ scenario, dialect: 'duckdb', subject: name, median_ms: null, p95_ms: null, ratio_to_raw: null, error: `wrong results: ${why}` });
        line.push(`${name} left out (${why})`);
      }
    }
    for (const [name, xs] of samples) {
      const { median, p95, n } = summarize(xs);
      const ratio = Number.isFinite(baseMedian) ? median / baseMedian : null;
      results.push({ scenario, dialect: 'duckdb', subject: name, median_ms: round(median), p95_ms: round(p95), ratio_to_raw: ratio === null ? null : round(ratio, 3), samples: n });
      line.push(`${name} ${formatMs(median)}${name === baseline || ratio === null ? '' : ` (${ratio.toFixed(2)}x)`}`);
    }
    log(`  duckdb   ${scenario.padEnd(44)} ${line.join('  ')}`);
  };

  /** A read scenario: every subject's answer compared with raw's first, then sampled. */
  const read = async (key: string, scenario: string, check: (s: DuckSubject) => Promise<unknown>, sample: (s: DuckSubject, k: number) => Promise<unknown>) => {
    if (!has(key)) return;
    const want = canonical(await check(raw));
    const checks = new Map<string, string | undefined>();
    for (const s of subjects) {
      if (s === raw) continue;
      const got = canonical(await check(s));
      checks.set(s.name, want === got ? undefined : diffHint(want, got));
    }
    const live = subjects.filter((s) => !checks.get(s.name));
    const contenders = live.map((s) => {
      let k = 0;
      return { name: s.name, run: async () => void (await sample(s, ++k)) };
    });
    push(scenario, await measure(contenders, cfg, () => m.reset()), 'raw', checks);
  };

  await read('pk', `PK lookup ×${fmt(lookups)} (sequential)`, async (s) => [await s.orderById(1), await s.orderById(12_345), await s.orderById(DATASET.orders + 1_000_000)], async (s) => {
    for (const id of lookupIds) await s.orderById(id);
  });
  await read('list', 'list 100 rows', (s) => s.listOrders(100), (s) => s.listOrders(100));
  await read('list', 'list 25,000 rows', (s) => s.listOrders(25_000), (s) => s.listOrders(25_000));
  await read('include', '100 orders + lines (1:N)', (s) => s.ordersWithLines(1000, 100), (s, k) => s.ordersWithLines(1 + ((k * 977) % (DATASET.orders - 100)), 100));

  if (has('create')) {
    const checks = new Map<string, string | undefined>();
    const fresh = (s: DuckSubject) => ({ code: `V${s.name}${process.pid}_${++uniq}`, company: 'Verify Co', contact: 'Vera', city: 'Oslo', country: 'Norway' });
    for (const s of subjects) {
      const c = fresh(s);
      const got = await s.createCustomer(c);
      const ok = typeof got.id === 'number' && got.id > DATASET.customers && canonical({ ...got, id: 0 }) === canonical({ ...c, id: 0 });
      checks.set(s.name, ok ? undefined : `createCustomer returned ${canonical(got)}`);
    }
    await m.reset();
    const contenders = subjects.filter((s) => !checks.get(s.name)).map((s) => ({
      name: s.name,
      run: async () => {
        for (let i = 0; i < creates; i++) {
          const n = ++uniq;
          await s.createCustomer({ code: `N${s.name}${process.pid}_${n}`, company: `New Co ${n}`, contact: 'Nancy Davolio', city: 'Seattle', country: 'USA' });
        }
      },
    }));
    push(`create ×${creates} (sequential)`, await measure(contenders, cfg, () => m.reset()), 'raw', checks);
  }

  if (has('createMany')) {
    const n = quick ? DUCKDB_BATCH_ROWS.quick : DUCKDB_BATCH_ROWS.full;
    const lines = batchOf(n);
    const writers = subjects.flatMap((s) => s.writers);
    // Each writer once, checked: n rows with the same values. Then timed; the raw Appender is the baseline.
    // The per-row prepared INSERT takes tens of seconds for 100,000 rows: it writes a slice of them, in a row of its own.
    const slice = quick ? 2_000 : 10_000;
    const checks = new Map<string, string | undefined>();
    let want: { rows: number; checksum: number } | undefined;
    let slow: { ms: number; why?: string } | undefined;
    for (const w of writers) {
      const t = performance.now();
      await w.insert(w.name === SLOW_WRITER ? lines.slice(0, slice) : lines);
      const ms = performance.now() - t;
      const got = await m.addedLines();
      await m.reset();
      if (w.name === SLOW_WRITER) {
        slow = { ms, why: got.rows !== slice ? `inserted ${got.rows} rows, expected ${slice}` : undefined };
        continue;
      }
      want ??= got;
      checks.set(w.name, got.rows !== n ? `inserted ${got.rows} rows, expected ${n}` : got.checksum !== want.checksum ? `checksum ${got.checksum} vs ${want.checksum}` : undefined);
    }
    const contenders = writers.filter((w) => !checks.get(w.name) && w.name !== SLOW_WRITER).map((w) => ({ name: w.name, run: () => w.insert(lines) }));
    push(`createMany ${fmt(n)} rows (1 tx)`, await measureHeavy(contenders, 1, quick ? 3 : 7, () => m.reset()), 'raw Appender', checks);
    if (slow) {
      // Its one checked run is its sample; no ratio (other row count), the time per row is in the note.
      const scenario = `prepared INSERT per row, ${fmt(slice)} rows (1 tx, context)`;
      if (slow.why) results.push({ scenario, dialect: 'duckdb', subject: SLOW_WRITER, median_ms: null, p95_ms: null, ratio_to_raw: null, error: `wrong results: ${slow.why}` });
      else results.push({ scenario, dialect: 'duckdb', subject: SLOW_WRITER, median_ms: round(slow.ms), p95_ms: round(slow.ms), ratio_to_raw: null, samples: 1, rows: slice, note: `${((slow.ms / slice) * 1000).toFixed(1)} µs per row` });
      log(`  duckdb   ${scenario.padEnd(44)} ${SLOW_WRITER} ${slow.why ?? `${formatMs(slow.ms)} (${((slow.ms / slice) * 1000).toFixed(1)} µs per row)`}`);
    }
  }

  if (has('groupBy')) {
    const want = await raw.salesByCategory();
    const checks = new Map<string, string | undefined>();
    for (const s of subjects) if (s !== raw) checks.set(s.name, sameGroups(want, await s.salesByCategory()));
    const total = want.reduce((a, g) => a + g._count._all, 0);
    const contenders = subjects.filter((s) => !checks.get(s.name)).map((s) => ({ name: s.name, run: async () => void (await s.salesByCategory()) }));
    push(`groupBy ${fmt(total)} rows (8 groups, _sum + _count)`, await measure(contenders, cfg), 'raw', checks);
  }

  await m.reset();
  for (const s of subjects) await s.close();
  m.close();
  writeFileSync(out, JSON.stringify(results, null, 2));
}

// ---------- one streaming read ----------

async function stream(file: string, subject: string, rowsWanted: number, out: string): Promise<void> {
  let read: (each: (n: number, createdAt: Date) => void) => Promise<void>;
  let close: () => Promise<void>;
  if (subject === 'raw') {
    const instance = await openInstance(file);
    const conn = await instance.connect();
    read = async (each) => {
      const stmt = await conn.prepare(`SELECT ${BIG_COLS} FROM big_rows ORDER BY id LIMIT $1`);
      stmt.bindBigInt(1, BigInt(rowsWanted));
      const result = await stmt.stream();
      for (;;) {
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        for (const r of chunk.getRows()) {
          const row = { id: r[0] as number, n: r[1] as number, label: r[2] as string, amount: r[3] as number, createdAt: toDate(r[4]) };
          each(row.n, row.createdAt);
        }
      }
      stmt.destroySync();
    };
    close = async () => {
      conn.closeSync();
      instance.closeSync();
    };
  } else {
    const db = await createDb({ url: `duckdb:${file}`, schema: duckdbSchema });
    read = async (each) => {
      for await (const r of db.bigRow.findManyStream({ take: rowsWanted, orderBy: { id: 'asc' }, chunkSize: 1000 })) each(r.n, r.createdAt);
    };
    close = () => db.$disconnect();
  }
  const baseline = process.memoryUsage().rss;
  let count = 0;
  let checksum = 0;
  const t0 = performance.now();
  await read((n, createdAt) => {
    count++;
    checksum = (checksum + n + createdAt.getUTCMinutes()) % 1_000_000_007;
  });
  const wall = performance.now() - t0;
  const peak = process.resourceUsage().maxRSS * 1024;
  await close();
  writeFileSync(out, JSON.stringify({ wall_ms: wall, peak_rss_mb: peak / 2 ** 20, baseline_rss_mb: baseline / 2 ** 20, rows: count, checksum }));
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const mode = args.get('mode');
  const file = args.get('file');
  if (!file) throw new Error('duckdb-worker: --file=F is required');
  const quick = args.has('quick');
  if (mode === 'build') return build(file, quick);
  const out = args.get('out');
  if (!out) throw new Error('duckdb-worker: --out=FILE is required');
  if (mode === 'scenarios') {
    const only = new Set((args.get('only') ?? 'duckdb').split(',').map((s) => s.trim()));
    const wanted = (args.get('subjects') ?? 'raw,forge').split(',').map((s) => s.trim());
    return scenarios(file, out, quick, only, wanted);
  }
  if (mode === 'stream') return stream(file, args.get('subject') ?? 'raw', Number(args.get('rows')), out);
  throw new Error('duckdb-worker: --mode=build|scenarios|stream');
}

main().catch((e) => {
  process.stderr.write(`duckdb-worker failed: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
