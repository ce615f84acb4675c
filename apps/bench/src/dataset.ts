import { existsSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { createDb } from 'forge-orm';
import {
  DATASET,
  datasetFingerprint,
  ensureDataDir,
  fingerprintInt,
  genCustomer,
  genLines,
  genOrder,
  genProduct,
  log,
  MYSQL_URL,
  mysql2Uri,
  mysqlRunUrl,
  POSTGRES_URL,
  postgresUrlFor,
  SQLITE_FILE,
  type Dialect,
  type OrderLine,
} from './common.js';
import { schema, streamSchema } from './schema.js';

/** What the write scenarios need to put the data back: the highest seeded ids. */
export interface DatasetInfo {
  maxCustomerId: number;
  maxOrderId: number;
  maxLineId: number;
  lines: number;
}

function* allLines(): Generator<OrderLine> {
  let id = 0;
  for (let o = 1; o <= DATASET.orders; o++) for (const l of genLines(o)) yield { id: ++id, ...l };
}

export function datasetInfo(): DatasetInfo {
  let n = 0;
  for (const _ of allLines()) n++;
  return { maxCustomerId: DATASET.customers, maxOrderId: DATASET.orders, maxLineId: n, lines: n };
}

/** Tables are created by forge itself (`$migrate`, the runtime push), from the schema in schema.ts. */
async function pushSchema(url: string, s: Record<string, unknown>): Promise<void> {
  const db = await createDb({ url, schema: s as typeof schema });
  try {
    const report = await db.$migrate();
    if (report.failures.length) throw new Error(`forge $migrate failed: ${JSON.stringify(report.failures)}`);
  } finally {
    await db.$disconnect();
  }
}

// ---------- SQLite ----------

export async function ensureSqliteDataset(): Promise<void> {
  ensureDataDir();
  const fp = fingerprintInt(datasetFingerprint());
  if (existsSync(SQLITE_FILE)) {
    const db = new Database(SQLITE_FILE);
    const version = db.pragma('user_version', { simple: true });
    db.close();
    if (version === fp) return;
  }
  const t0 = performance.now();
  for (const suffix of ['', '-wal', '-shm']) rmSync(SQLITE_FILE + suffix, { force: true });
  await pushSchema(`sqlite:${SQLITE_FILE}`, schema);
  const db = new Database(SQLITE_FILE);
  db.pragma('journal_mode = WAL');
  const insC = db.prepare('INSERT INTO customers (id, code, company_name, contact_name, city, country) VALUES (?, ?, ?, ?, ?, ?)');
  const insP = db.prepare('INSERT INTO products (id, name, category, unit_price, units_in_stock, discontinued) VALUES (?, ?, ?, ?, ?, ?)');
  const insO = db.prepare('INSERT INTO orders (id, customer_id, ordered_at, ship_city, ship_country, freight) VALUES (?, ?, ?, ?, ?, ?)');
  const insL = db.prepare('INSERT INTO order_lines (id, order_id, product_id, unit_price, quantity, discount) VALUES (?, ?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (let i = 1; i <= DATASET.customers; i++) {
      const c = genCustomer(i);
      insC.run(c.id, c.code, c.company, c.contact, c.city, c.country);
    }
    for (let i = 1; i <= DATASET.products; i++) {
      const p = genProduct(i);
      insP.run(p.id, p.name, p.category, p.unitPrice, p.unitsInStock, p.discontinued ? 1 : 0);
    }
    for (let i = 1; i <= DATASET.orders; i++) {
      const o = genOrder(i);
      // forge stores dateTime as ISO-8601 text on SQLite.
      insO.run(o.id, o.customerId, o.orderedAt.toISOString(), o.shipCity, o.shipCountry, o.freight);
    }
    for (const l of allLines()) insL.run(l.id, l.orderId, l.productId, l.unitPrice, l.quantity, l.discount);
  })();
  db.exec('ANALYZE');
  db.pragma(`user_version = ${fp}`);
  db.close();
  log(`  sqlite: dataset written to ${SQLITE_FILE} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

// ---------- Postgres ----------

function dbName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}

/** Create the database if it does not exist (connecting to the `postgres` maintenance database). */
export async function ensurePostgresDatabase(url: string): Promise<void> {
  const admin = new pg.Client({ connectionString: postgresUrlFor('postgres') });
  await admin.connect();
  try {
    const name = dbName(url);
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } finally {
    await admin.end();
  }
}

export async function dropPostgresDatabase(url: string): Promise<void> {
  const admin = new pg.Client({ connectionString: postgresUrlFor('postgres') });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${dbName(url).replace(/"/g, '""')}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

export async function readDatabaseComment(client: pg.Client, name: string): Promise<string | null> {
  const { rows } = await client.query('SELECT shobj_description(oid, $2) AS c FROM pg_database WHERE datname = $1', [name, 'pg_database']);
  return (rows[0]?.c as string | null | undefined) ?? null;
}

async function insertRows(client: pg.Client, table: string, columns: string[], rows: Iterable<unknown[]>): Promise<void> {
  const BATCH = 1000;
  let batch: unknown[][] = [];
  const flush = async () => {
    if (!batch.length) return;
    const params: unknown[] = [];
    const values = batch.map((r) => `(${r.map((v) => `$${params.push(v)}`).join(', ')})`);
    await client.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values.join(', ')}`, params);
    batch = [];
  };
  for (const r of rows) {
    batch.push(r);
    if (batch.length >= BATCH) await flush();
  }
  await flush();
}

export async function ensurePostgresDataset(url = POSTGRES_URL): Promise<void> {
  await ensurePostgresDatabase(url);
  const fp = datasetFingerprint();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    if ((await readDatabaseComment(client, dbName(url))) === fp) return;
    const t0 = performance.now();
    await client.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
    await pushSchema(url, schema);
    await client.query('BEGIN');
    const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
    await insertRows(client, 'customers', ['id', 'code', 'company_name', 'contact_name', 'city', 'country'], range(DATASET.customers).map((i) => {
      const c = genCustomer(i);
      return [c.id, c.code, c.company, c.contact, c.city, c.country];
    }));
    await insertRows(client, 'products', ['id', 'name', 'category', 'unit_price', 'units_in_stock', 'discontinued'], range(DATASET.products).map((i) => {
      const p = genProduct(i);
      return [p.id, p.name, p.category, p.unitPrice, p.unitsInStock, p.discontinued];
    }));
    await insertRows(client, 'orders', ['id', 'customer_id', 'ordered_at', 'ship_city', 'ship_country', 'freight'], range(DATASET.orders).map((i) => {
      const o = genOrder(i);
      return [o.id, o.customerId, o.orderedAt, o.shipCity, o.shipCountry, o.freight];
    }));
    await insertRows(client, 'order_lines', ['id', 'order_id', 'product_id', 'unit_price', 'quantity', 'discount'], (function* () {
      for (const l of allLines()) yield [l.id, l.orderId, l.productId, l.unitPrice, l.quantity, l.discount];
    })());
    // Rows were inserted with explicit ids: move the identity sequences past them.
    for (const t of ['customers', 'products', 'orders', 'order_lines']) {
      await client.query(`SELECT setval(pg_get_serial_sequence('${t}', 'id'), (SELECT max(id) FROM ${t}))`);
    }
    await client.query('COMMIT');
    await client.query('VACUUM ANALYZE');
    await client.query(`COMMENT ON DATABASE "${dbName(url)}" IS '${fp.replace(/'/g, "''")}'`);
    log(`  postgres: dataset written to ${dbName(url)} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  } finally {
    await client.end();
  }
}

// ---------- MySQL / MariaDB ----------

/** A single mysql2 connection (promise API) to `url`, UTC for DATETIME values, failing fast when no server answers. */
export function mysqlConnect(url: string, opts: mysql.ConnectionOptions = {}): Promise<mysql.Connection> {
  return mysql.createConnection({ uri: mysql2Uri(url), timezone: 'Z', charset: 'utf8mb4', connectTimeout: 5000, ...opts });
}

const quoteMysqlName = (name: string) => `\`${name.replace(/`/g, '``')}\``;

/** The server's version string, e.g. `10.11.19-MariaDB-0+deb12u1`, or a thrown error when none answers. */
export async function mysqlServerVersion(url = MYSQL_URL): Promise<string> {
  const c = await mysqlConnect(url, { connectTimeout: 3000 });
  try {
    const [rows] = await c.query<mysql.RowDataPacket[]>('SELECT VERSION() AS v');
    return String(rows[0].v);
  } finally {
    await c.end();
  }
}

/** Create this run's database (connecting to the server's default database, FORGE_BENCH_MYSQL_URL). */
export async function createMysqlDatabase(name: string): Promise<void> {
  const admin = await mysqlConnect(MYSQL_URL);
  try {
    await admin.query(`CREATE DATABASE ${quoteMysqlName(name)} CHARACTER SET utf8mb4`);
  } finally {
    await admin.end();
  }
}

export async function dropMysqlDatabase(name: string): Promise<void> {
  const admin = await mysqlConnect(MYSQL_URL);
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${quoteMysqlName(name)}`);
  } finally {
    await admin.end();
  }
}

async function insertMysqlRows(c: mysql.Connection, table: string, columns: string[], rows: Iterable<unknown[]>): Promise<void> {
  const BATCH = 2000;
  let batch: unknown[][] = [];
  const flush = async () => {
    if (!batch.length) return;
    // One multi-row INSERT per batch on the text protocol (`VALUES ?` expands nested arrays).
    await c.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ?`, [batch]);
    batch = [];
  };
  for (const r of rows) {
    batch.push(r);
    if (batch.length >= BATCH) await flush();
  }
  await flush();
}

/**
 * The dataset in this run's (empty) database: tables pushed by forge, rows inserted with mysql2. The database
 * is new each run, so there is no fingerprint to check.
 */
export async function ensureMysqlDataset(url = mysqlRunUrl()): Promise<void> {
  const t0 = performance.now();
  await pushSchema(url, schema);
  const c = await mysqlConnect(url);
  try {
    await c.query('START TRANSACTION');
    const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
    await insertMysqlRows(c, 'customers', ['id', 'code', 'company_name', 'contact_name', 'city', 'country'], range(DATASET.customers).map((i) => {
      const x = genCustomer(i);
      return [x.id, x.code, x.company, x.contact, x.city, x.country];
    }));
    await insertMysqlRows(c, 'products', ['id', 'name', 'category', 'unit_price', 'units_in_stock', 'discontinued'], range(DATASET.products).map((i) => {
      const p = genProduct(i);
      return [p.id, p.name, p.category, p.unitPrice, p.unitsInStock, p.discontinued];
    }));
    await insertMysqlRows(c, 'orders', ['id', 'customer_id', 'ordered_at', 'ship_city', 'ship_country', 'freight'], range(DATASET.orders).map((i) => {
      const o = genOrder(i);
      return [o.id, o.customerId, o.orderedAt, o.shipCity, o.shipCountry, o.freight];
    }));
    await insertMysqlRows(c, 'order_lines', ['id', 'order_id', 'product_id', 'unit_price', 'quantity', 'discount'], (function* () {
      for (const l of allLines()) yield [l.id, l.orderId, l.productId, l.unitPrice, l.quantity, l.discount];
    })());
    // Explicit ids move AUTO_INCREMENT past them by themselves.
    await c.query('COMMIT');
    await c.query('ANALYZE TABLE customers, products, orders, order_lines');
  } finally {
    await c.end();
  }
  log(`  mysql: dataset written to ${new URL(url).pathname.slice(1)} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

// ---------- scenario 5: the big table ----------

/** Make sure `big_rows` holds at least `rows` rows (generated in SQL, deterministic in id). */
export async function ensureBigRows(dialect: Dialect, rows: number): Promise<void> {
  const t0 = performance.now();
  if (dialect === 'sqlite') {
    const db = new Database(SQLITE_FILE);
    const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'big_rows'").get();
    const have = exists ? (db.prepare('SELECT count(*) AS n FROM big_rows').get() as { n: number }).n : -1;
    if (have >= rows) return void db.close();
    db.close();
    if (!exists) await pushSchema(`sqlite:${SQLITE_FILE}`, streamSchema);
    const w = new Database(SQLITE_FILE);
    w.exec('DELETE FROM big_rows');
    w.prepare(
      `WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ?)
       INSERT INTO big_rows (id, n, label, amount, created_at)
       SELECT i, (i * 7919) % 100000, 'row number ' || i, ((i * 31) % 100000) / 100.0,
              strftime('%Y-%m-%dT%H:%M:%fZ', 1577836800 + i * 60, 'unixepoch') FROM s`,
    ).run(rows);
    w.close();
  } else if (dialect === 'mysql') {
    const url = mysqlRunUrl();
    const c = await mysqlConnect(url);
    try {
      const [ex] = await c.query<mysql.RowDataPacket[]>("SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'big_rows'");
      const have = ex.length ? Number((await c.query<mysql.RowDataPacket[]>('SELECT count(*) AS n FROM big_rows'))[0][0].n) : -1;
      if (have >= rows) return;
      if (!ex.length) await pushSchema(url, streamSchema);
      await c.query('TRUNCATE TABLE big_rows');
      // Portable to MySQL 8 and MariaDB (no generate_series, no seq_ engine, no recursion limit): six digit tables.
      await c.query(
        `INSERT INTO big_rows (id, n, label, amount, created_at)
         WITH d (k) AS (SELECT 0 UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4
                        UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9),
              s (i) AS (SELECT 1 + a.k + 10 * b.k + 100 * c.k + 1000 * e.k + 10000 * f.k + 100000 * g.k
                          FROM d a, d b, d c, d e, d f, d g)
         SELECT i, (i * 7919) % 100000, CONCAT('row number ', i), ((i * 31) % 100000) / 100.0,
                TIMESTAMP '2020-01-01 00:00:00' + INTERVAL i MINUTE
           FROM s WHERE i <= ?`,
        [rows],
      );
      await c.query('ANALYZE TABLE big_rows');
    } finally {
      await c.end();
    }
  } else {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      const { rows: ex } = await client.query("SELECT to_regclass('public.big_rows') AS t");
      const have = ex[0].t ? Number((await client.query('SELECT count(*) AS n FROM big_rows')).rows[0].n) : -1;
      if (have >= rows) return;
      if (!ex[0].t) await pushSchema(POSTGRES_URL, streamSchema);
      await client.query('TRUNCATE big_rows');
      await client.query(
        `INSERT INTO big_rows (id, n, label, amount, created_at)
         SELECT i, (i::bigint * 7919) % 100000, 'row number ' || i, ((i::bigint * 31) % 100000) / 100.0,
                timestamptz '2020-01-01 00:00:00Z' + i * interval '1 minute' FROM generate_series(1, $1::int) AS i`,
        [rows],
      );
      await client.query('VACUUM ANALYZE big_rows');
    } finally {
      await client.end();
    }
  }
  log(`  ${dialect}: big_rows filled with ${rows.toLocaleString('en-US')} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
