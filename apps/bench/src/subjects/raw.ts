import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { mysqlConnect } from '../dataset.js';
import { SQLITE_FILE, type Customer, type Dialect, type NewCustomer, type NewOrderLine, type Order, type OrderLine, type OrderWithLines } from '../common.js';
import type { PlaceOrder, Subject } from './types.js';

/**
 * The baseline: each driver used at its fastest. better-sqlite3 prepared once, `.raw(true)` array rows mapped to
 * objects in JS (faster than its own object rows); pg with named prepared statements and `rowMode: 'array'`.
 * Every other subject's time is divided by this one's.
 */

const ORDER_COLS = 'id, customer_id, ordered_at, ship_city, ship_country, freight';
const CUSTOMER_COLS = 'id, code, company_name, contact_name, city, country';

/** `%`, `_` and `\\` in the search text match themselves. */
const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);
const JOIN_SQL = (p1: string, p2: string) =>
  `SELECT o.id, o.customer_id, o.ordered_at, o.ship_city, o.ship_country, o.freight,
          l.id, l.order_id, l.product_id, l.unit_price, l.quantity, l.discount
     FROM orders o LEFT JOIN order_lines l ON l.order_id = o.id
    WHERE o.id >= ${p1} AND o.id < ${p2}
    ORDER BY o.id, l.id`;

type Arr = unknown[];

// SQLite keeps timestamps as ISO text; pg already returns a Date for timestamptz.
const toDate = (v: unknown): Date => (v instanceof Date ? v : new Date(v as string));

const mapOrder = (r: Arr): Order => ({
  id: r[0] as number,
  customerId: r[1] as number,
  orderedAt: toDate(r[2]),
  shipCity: r[3] as string,
  shipCountry: r[4] as string,
  freight: r[5] as number,
});
const mapCustomer = (r: Arr): Customer => ({
  id: r[0] as number,
  code: r[1] as string,
  company: r[2] as string,
  contact: r[3] as string,
  city: r[4] as string,
  country: r[5] as string,
});

/** The hand-written JOIN's flat rows folded into orders with nested lines. */
function nest(rows: Arr[]): OrderWithLines[] {
  const out: OrderWithLines[] = [];
  let cur: OrderWithLines | undefined;
  for (const r of rows) {
    if (!cur || cur.id !== r[0]) {
      cur = { ...mapOrder(r), lines: [] };
      out.push(cur);
    }
    if (r[6] !== null) {
      const line: OrderLine = {
        id: r[6] as number,
        orderId: r[7] as number,
        productId: r[8] as number,
        unitPrice: r[9] as number,
        quantity: r[10] as number,
        discount: r[11] as number,
      };
      cur.lines.push(line);
    }
  }
  return out;
}

/** Opened with the same pragmas forge's adapter sets: WAL, a busy timeout, foreign keys enforced. */
export function openSqliteHandle(): Database.Database {
  const db = new Database(SQLITE_FILE, { timeout: 5000 });
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  return db;
}

function rawSqlite(): Subject {
  const db = openSqliteHandle();
  const byId = db.prepare(`SELECT ${ORDER_COLS} FROM orders WHERE id = ?`).raw(true);
  const list = db.prepare(`SELECT ${ORDER_COLS} FROM orders ORDER BY id LIMIT ?`).raw(true);
  const join = db.prepare(JOIN_SQL('?', '?')).raw(true);
  const insCustomer = db
    .prepare(`INSERT INTO customers (code, company_name, contact_name, city, country) VALUES (?, ?, ?, ?, ?) RETURNING ${CUSTOMER_COLS}`)
    .raw(true);
  const upsCustomer = db
    .prepare(
      `INSERT INTO customers (code, company_name, contact_name, city, country) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (code) DO UPDATE SET company_name = excluded.company_name, contact_name = excluded.contact_name,
         city = excluded.city, country = excluded.country
       RETURNING ${CUSTOMER_COLS}`,
    )
    .raw(true);
  const insLine = db.prepare('INSERT INTO order_lines (order_id, product_id, unit_price, quantity, discount) VALUES (?, ?, ?, ?, ?)');
  const selCustomer = db.prepare(`SELECT ${CUSTOMER_COLS} FROM customers WHERE id = ?`).raw(true);
  const insOrder = db.prepare('INSERT INTO orders (customer_id, ordered_at, ship_city, ship_country, freight) VALUES (?, ?, ?, ?, ?)');
  const decStock = db.prepare('UPDATE products SET units_in_stock = units_in_stock - 1 WHERE id = ?');
  const setFreight = db.prepare('UPDATE orders SET freight = ? WHERE id = ?');
  const search = db.prepare(`SELECT ${CUSTOMER_COLS} FROM customers WHERE lower(company_name) LIKE lower(?) ESCAPE '\\' ORDER BY id`).raw(true);

  const insertLines = db.transaction((lines: NewOrderLine[]) => {
    for (const l of lines) insLine.run(l.orderId, l.productId, l.unitPrice, l.quantity, l.discount);
  });
  const placeOrder = db.transaction((p: PlaceOrder) => {
    const c = selCustomer.get(p.customerId) as Arr | undefined;
    if (!c) throw new Error(`no customer ${p.customerId}`);
    const orderId = Number(insOrder.run(p.customerId, p.orderedAt.toISOString(), p.shipCity, p.shipCountry, 0).lastInsertRowid);
    for (const l of p.lines) insLine.run(orderId, l.productId, l.unitPrice, l.quantity, l.discount);
    decStock.run(p.productId);
    setFreight.run(p.freight, orderId);
  });

  return {
    name: 'raw',
    dialect: 'sqlite',
    async orderById(id) {
      const r = byId.get(id) as Arr | undefined;
      return r ? mapOrder(r) : null;
    },
    async listOrders(n) {
      return (list.all(n) as Arr[]).map(mapOrder);
    },
    async ordersWithLines(fromId, n) {
      return nest(join.all(fromId, fromId + n) as Arr[]);
    },
    async createCustomer(c) {
      return mapCustomer(insCustomer.get(c.code, c.company, c.contact, c.city, c.country) as Arr);
    },
    async insertLines(lines) {
      insertLines(lines);
    },
    async upsertCustomer(c) {
      return mapCustomer(upsCustomer.get(c.code, c.company, c.contact, c.city, c.country) as Arr);
    },
    async placeOrder(p) {
      placeOrder(p);
    },
    // The ASCII fold forge used before forge_fold: lower() and LIKE fold A-Z only on SQLite.
    async searchCustomers(text) {
      return (search.all(`%${escapeLike(text)}%`) as Arr[]).map(mapCustomer);
    },
    async close() {
      db.close();
    },
  };
}

async function rawPostgres(url: string): Promise<Subject> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  // Named statements: parsed and planned once per connection, then only bound and executed.
  const q = async (name: string, text: string, values: unknown[]): Promise<Arr[]> =>
    (await client.query<Arr>({ name, text, values, rowMode: 'array' })).rows;
  const run = (sql: string) => client.query(sql);
  const linesSql = new Map<number, string>();
  const insertLinesSql = (n: number) => {
    let sql = linesSql.get(n);
    if (!sql) {
      const rows = Array.from({ length: n }, (_, i) => `($${i * 5 + 1}, $${i * 5 + 2}, $${i * 5 + 3}, $${i * 5 + 4}, $${i * 5 + 5})`);
      linesSql.set(n, (sql = `INSERT INTO order_lines (order_id, product_id, unit_price, quantity, discount) VALUES ${rows.join(', ')}`));
    }
    return sql;
  };
  const inTx = async <T>(fn: () => Promise<T>): Promise<T> => {
    await run('BEGIN');
    try {
      const r = await fn();
      await run('COMMIT');
      return r;
    } catch (e) {
      await run('ROLLBACK');
      throw e;
    }
  };

  return {
    name: 'raw',
    dialect: 'postgres',
    async orderById(id) {
      const rows = await q('raw_order_by_id', `SELECT ${ORDER_COLS} FROM orders WHERE id = $1`, [id]);
      return rows.length ? mapOrder(rows[0]) : null;
    },
    async listOrders(n) {
      return (await q('raw_list_orders', `SELECT ${ORDER_COLS} FROM orders ORDER BY id LIMIT $1`, [n])).map(mapOrder);
    },
    async ordersWithLines(fromId, n) {
      return nest(await q('raw_orders_join_lines', JOIN_SQL('$1', '$2'), [fromId, fromId + n]));
    },
    async createCustomer(c) {
      const rows = await q(
        'raw_create_customer',
        `INSERT INTO customers (code, company_name, contact_name, city, country) VALUES ($1, $2, $3, $4, $5) RETURNING ${CUSTOMER_COLS}`,
        [c.code, c.company, c.contact, c.city, c.country],
      );
      return mapCustomer(rows[0]);
    },
    async insertLines(lines) {
      const params: unknown[] = [];
      for (const l of lines) params.push(l.orderId, l.productId, l.unitPrice, l.quantity, l.discount);
      await inTx(() => q(`raw_insert_lines_${lines.length}`, insertLinesSql(lines.length), params));
    },
    async upsertCustomer(c) {
      const rows = await q(
        'raw_upsert_customer',
        `INSERT INTO customers (code, company_name, contact_name, city, country) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (code) DO UPDATE SET company_name = excluded.company_name, contact_name = excluded.contact_name,
           city = excluded.city, country = excluded.country
         RETURNING ${CUSTOMER_COLS}`,
        [c.code, c.company, c.contact, c.city, c.country],
      );
      return mapCustomer(rows[0]);
    },
    async placeOrder(p) {
      await inTx(async () => {
        const c = await q('raw_customer_by_id', `SELECT ${CUSTOMER_COLS} FROM customers WHERE id = $1`, [p.customerId]);
        if (!c.length) throw new Error(`no customer ${p.customerId}`);
        const [[orderId]] = await q(
          'raw_insert_order',
          'INSERT INTO orders (customer_id, ordered_at, ship_city, ship_country, freight) VALUES ($1, $2, $3, $4, $5) RETURNING id',
          [p.customerId, p.orderedAt, p.shipCity, p.shipCountry, 0],
        );
        for (const l of p.lines) {
          await q(
            'raw_insert_line',
            'INSERT INTO order_lines (order_id, product_id, unit_price, quantity, discount) VALUES ($1, $2, $3, $4, $5)',
            [orderId, l.productId, l.unitPrice, l.quantity, l.discount],
          );
        }
        await q('raw_dec_stock', 'UPDATE products SET units_in_stock = units_in_stock - 1 WHERE id = $1', [p.productId]);
        await q('raw_set_freight', 'UPDATE orders SET freight = $1 WHERE id = $2', [p.freight, orderId]);
      });
    },
    async searchCustomers(text) {
      const rows = await q('raw_search_customers', `SELECT ${CUSTOMER_COLS} FROM customers WHERE company_name ILIKE $1 ESCAPE '\\' ORDER BY id`, [`%${escapeLike(text)}%`]);
      return rows.map(mapCustomer);
    },
    async close() {
      await client.end();
    },
  };
}

/**
 * mysql2 on one connection (promise API), every statement a server-side prepared statement (`execute`, which
 * mysql2 prepares once per connection and caches), `rowsAsArray: true` rows mapped in JS, DATETIME read as UTC
 * Dates (`timezone: 'Z'`). MySQL has no RETURNING (MariaDB's is not in MySQL 8), so a write that returns the row
 * reads it back by key: by `insertId` after a create, by the unique code after an upsert (no transaction around
 * the pair: the fastest correct form on a connection of its own). The batch is one multi-row INSERT in a transaction.
 */
async function rawMysql(url: string): Promise<Subject> {
  const conn = await mysqlConnect(url);
  const q = async (sql: string, values: unknown[]): Promise<Arr[]> => (await conn.execute<mysql.RowDataPacket[]>({ sql, rowsAsArray: true }, values))[0] as unknown as Arr[];
  const w = async (sql: string, values: unknown[]): Promise<mysql.ResultSetHeader> => (await conn.execute<mysql.ResultSetHeader>(sql, values))[0];
  const linesSql = new Map<number, string>();
  const insertLinesSql = (n: number) => {
    let sql = linesSql.get(n);
    if (!sql) linesSql.set(n, (sql = `INSERT INTO order_lines (order_id, product_id, unit_price, quantity, discount) VALUES ${Array(n).fill('(?, ?, ?, ?, ?)').join(', ')}`));
    return sql;
  };
  const inTx = async <T>(fn: () => Promise<T>): Promise<T> => {
    await conn.query('START TRANSACTION');
    try {
      const r = await fn();
      await conn.query('COMMIT');
      return r;
    } catch (e) {
      await conn.query('ROLLBACK');
      throw e;
    }
  };
  const customerById = `SELECT ${CUSTOMER_COLS} FROM customers WHERE id = ?`;
  return {
    name: 'raw',
    dialect: 'mysql',
    async orderById(id) {
      const rows = await q(`SELECT ${ORDER_COLS} FROM orders WHERE id = ?`, [id]);
      return rows.length ? mapOrder(rows[0]) : null;
    },
    async listOrders(n) {
      // LIMIT takes a placeholder in a prepared statement; mysql2 sends a JS number as DOUBLE, which MySQL 8
      // refuses for LIMIT, so it goes as a string (MySQL and MariaDB both accept that).
      return (await q(`SELECT ${ORDER_COLS} FROM orders ORDER BY id LIMIT ?`, [String(n)])).map(mapOrder);
    },
    async ordersWithLines(fromId, n) {
      return nest(await q(JOIN_SQL('?', '?'), [fromId, fromId + n]));
    },
    async createCustomer(c) {
      const { insertId } = await w('INSERT INTO customers (code, company_name, contact_name, city, country) VALUES (?, ?, ?, ?, ?)', [c.code, c.company, c.contact, c.city, c.country]);
      return mapCustomer((await q(customerById, [insertId]))[0]);
    },
    async insertLines(lines) {
      const params: unknown[] = [];
      for (const l of lines) params.push(l.orderId, l.productId, l.unitPrice, l.quantity, l.discount);
      await inTx(() => w(insertLinesSql(lines.length), params));
    },
    async upsertCustomer(c) {
      await w(
        `INSERT INTO customers (code, company_name, contact_name, city, country) VALUES (?, ?, ?, ?, ?)
         ON DUPLICATE KEY UPDATE company_name = VALUES(company_name), contact_name = VALUES(contact_name),
           city = VALUES(city), country = VALUES(country)`,
        [c.code, c.company, c.contact, c.city, c.country],
      );
      return mapCustomer((await q(`SELECT ${CUSTOMER_COLS} FROM customers WHERE code = ?`, [c.code]))[0]);
    },
    async placeOrder(p) {
      await inTx(async () => {
        const c = await q(customerById, [p.customerId]);
        if (!c.length) throw new Error(`no customer ${p.customerId}`);
        const { insertId: orderId } = await w('INSERT INTO orders (customer_id, ordered_at, ship_city, ship_country, freight) VALUES (?, ?, ?, ?, ?)', [
          p.customerId,
          p.orderedAt,
          p.shipCity,
          p.shipCountry,
          0,
        ]);
        for (const l of p.lines) {
          await w('INSERT INTO order_lines (order_id, product_id, unit_price, quantity, discount) VALUES (?, ?, ?, ?, ?)', [orderId, l.productId, l.unitPrice, l.quantity, l.discount]);
        }
        await w('UPDATE products SET units_in_stock = units_in_stock - 1 WHERE id = ?', [p.productId]);
        await w('UPDATE orders SET freight = ? WHERE id = ?', [p.freight, orderId]);
      });
    },
    // What a MySQL user writes: a plain LIKE, case-insensitive through the column's collation (forge creates
    // tables with utf8mb4_unicode_ci, which also folds accents). forge's `mode: 'insensitive'` is an exact
    // lower-case fold instead (`LOWER(col COLLATE utf8mb4_bin) LIKE LOWER(?)`), so the ratio is what that costs.
    async searchCustomers(text) {
      return (await q(`SELECT ${CUSTOMER_COLS} FROM customers WHERE company_name LIKE ? ORDER BY id`, [`%${escapeLike(text)}%`])).map(mapCustomer);
    },
    async close() {
      await conn.end();
    },
  };
}

export async function createRaw(dialect: Dialect, url: string): Promise<Subject> {
  return dialect === 'sqlite' ? rawSqlite() : dialect === 'mysql' ? rawMysql(url) : rawPostgres(url);
}

export type { Customer, NewCustomer };
