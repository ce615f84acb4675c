import { and, asc, eq, gte, lt, relations, sql } from 'drizzle-orm';
import { drizzle as drizzleSqlite } from 'drizzle-orm/better-sqlite3';
import { drizzle as drizzleMysql } from 'drizzle-orm/mysql2';
import * as myc from 'drizzle-orm/mysql-core';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import * as pgc from 'drizzle-orm/pg-core';
import * as sqc from 'drizzle-orm/sqlite-core';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { mysql2Uri } from '../common.js';
import type { Customer, Dialect, Order, OrderWithLines } from '../common.js';
import { openSqliteHandle } from './raw.js';
import type { Subject } from './types.js';

/**
 * Drizzle as its docs recommend for hot paths: reads are prepared statements with placeholders (built once),
 * includes use the relational query API (`db.query.x.findMany({ with })`), SQLite transactions are synchronous.
 */

// forge stores dateTime as ISO-8601 text on SQLite; Drizzle reads it through a custom type.
const isoDate = sqc.customType<{ data: Date; driverData: string }>({
  dataType: () => 'text',
  fromDriver: (v) => new Date(v),
  toDriver: (d) => d.toISOString(),
});

const sCustomers = sqc.sqliteTable('customers', {
  id: sqc.integer('id').primaryKey(),
  code: sqc.text('code').notNull().unique(),
  company: sqc.text('company_name').notNull(),
  contact: sqc.text('contact_name').notNull(),
  city: sqc.text('city').notNull(),
  country: sqc.text('country').notNull(),
});
const sProducts = sqc.sqliteTable('products', {
  id: sqc.integer('id').primaryKey(),
  name: sqc.text('name').notNull(),
  category: sqc.text('category').notNull(),
  unitPrice: sqc.real('unit_price').notNull(),
  unitsInStock: sqc.integer('units_in_stock').notNull(),
  discontinued: sqc.integer('discontinued', { mode: 'boolean' }).notNull(),
});
const sOrders = sqc.sqliteTable('orders', {
  id: sqc.integer('id').primaryKey(),
  customerId: sqc.integer('customer_id').notNull(),
  orderedAt: isoDate('ordered_at').notNull(),
  shipCity: sqc.text('ship_city').notNull(),
  shipCountry: sqc.text('ship_country').notNull(),
  freight: sqc.real('freight').notNull(),
});
const sLines = sqc.sqliteTable('order_lines', {
  id: sqc.integer('id').primaryKey(),
  orderId: sqc.integer('order_id').notNull(),
  productId: sqc.integer('product_id').notNull(),
  unitPrice: sqc.real('unit_price').notNull(),
  quantity: sqc.integer('quantity').notNull(),
  discount: sqc.real('discount').notNull(),
});
const sOrdersRel = relations(sOrders, ({ many }) => ({ lines: many(sLines) }));
const sLinesRel = relations(sLines, ({ one }) => ({ order: one(sOrders, { fields: [sLines.orderId], references: [sOrders.id] }) }));
const sqliteSchema = { customers: sCustomers, products: sProducts, orders: sOrders, lines: sLines, sOrdersRel, sLinesRel };

const pCustomers = pgc.pgTable('customers', {
  id: pgc.integer('id').primaryKey().generatedByDefaultAsIdentity(),
  code: pgc.text('code').notNull().unique(),
  company: pgc.text('company_name').notNull(),
  contact: pgc.text('contact_name').notNull(),
  city: pgc.text('city').notNull(),
  country: pgc.text('country').notNull(),
});
const pProducts = pgc.pgTable('products', {
  id: pgc.integer('id').primaryKey().generatedByDefaultAsIdentity(),
  name: pgc.text('name').notNull(),
  category: pgc.text('category').notNull(),
  unitPrice: pgc.doublePrecision('unit_price').notNull(),
  unitsInStock: pgc.integer('units_in_stock').notNull(),
  discontinued: pgc.boolean('discontinued').notNull(),
});
const pOrders = pgc.pgTable('orders', {
  id: pgc.integer('id').primaryKey().generatedByDefaultAsIdentity(),
  customerId: pgc.integer('customer_id').notNull(),
  orderedAt: pgc.timestamp('ordered_at', { withTimezone: true, mode: 'date' }).notNull(),
  shipCity: pgc.text('ship_city').notNull(),
  shipCountry: pgc.text('ship_country').notNull(),
  freight: pgc.doublePrecision('freight').notNull(),
});
const pLines = pgc.pgTable('order_lines', {
  id: pgc.integer('id').primaryKey().generatedByDefaultAsIdentity(),
  orderId: pgc.integer('order_id').notNull(),
  productId: pgc.integer('product_id').notNull(),
  unitPrice: pgc.doublePrecision('unit_price').notNull(),
  quantity: pgc.integer('quantity').notNull(),
  discount: pgc.doublePrecision('discount').notNull(),
});
const pOrdersRel = relations(pOrders, ({ many }) => ({ lines: many(pLines) }));
const pLinesRel = relations(pLines, ({ one }) => ({ order: one(pOrders, { fields: [pLines.orderId], references: [pOrders.id] }) }));
const pgSchema = { customers: pCustomers, products: pProducts, orders: pOrders, lines: pLines, pOrdersRel, pLinesRel };

// The tables forge pushes on MySQL, in Drizzle's terms: INT AUTO_INCREMENT ids, VARCHAR(255) strings, DOUBLE
// floats, DATETIME(3) read as UTC Dates, a BOOLEAN (TINYINT(1)) flag. Drizzle never creates them here.
const mCustomers = myc.mysqlTable('customers', {
  id: myc.int('id').primaryKey().autoincrement(),
  code: myc.varchar('code', { length: 255 }).notNull().unique(),
  company: myc.varchar('company_name', { length: 255 }).notNull(),
  contact: myc.varchar('contact_name', { length: 255 }).notNull(),
  city: myc.varchar('city', { length: 255 }).notNull(),
  country: myc.varchar('country', { length: 255 }).notNull(),
});
const mProducts = myc.mysqlTable('products', {
  id: myc.int('id').primaryKey().autoincrement(),
  name: myc.varchar('name', { length: 255 }).notNull(),
  category: myc.varchar('category', { length: 255 }).notNull(),
  unitPrice: myc.double('unit_price').notNull(),
  unitsInStock: myc.int('units_in_stock').notNull(),
  discontinued: myc.boolean('discontinued').notNull(),
});
const mOrders = myc.mysqlTable('orders', {
  id: myc.int('id').primaryKey().autoincrement(),
  customerId: myc.int('customer_id').notNull(),
  orderedAt: myc.datetime('ordered_at', { mode: 'date', fsp: 3 }).notNull(),
  shipCity: myc.varchar('ship_city', { length: 255 }).notNull(),
  shipCountry: myc.varchar('ship_country', { length: 255 }).notNull(),
  freight: myc.double('freight').notNull(),
});
const mLines = myc.mysqlTable('order_lines', {
  id: myc.int('id').primaryKey().autoincrement(),
  orderId: myc.int('order_id').notNull(),
  productId: myc.int('product_id').notNull(),
  unitPrice: myc.double('unit_price').notNull(),
  quantity: myc.int('quantity').notNull(),
  discount: myc.double('discount').notNull(),
});
const mOrdersRel = relations(mOrders, ({ many }) => ({ lines: many(mLines) }));
const mLinesRel = relations(mLines, ({ one }) => ({ order: one(mOrders, { fields: [mLines.orderId], references: [mOrders.id] }) }));
const mysqlSchema = { customers: mCustomers, products: mProducts, orders: mOrders, lines: mLines, mOrdersRel, mLinesRel };

const excludedCustomer = {
  company: sql.raw('excluded.company_name'),
  contact: sql.raw('excluded.contact_name'),
  city: sql.raw('excluded.city'),
  country: sql.raw('excluded.country'),
};

function drizzleSqliteSubject(): Subject {
  const handle = openSqliteHandle();
  const db = drizzleSqlite({ client: handle, schema: sqliteSchema });
  const byId = db.select().from(sOrders).where(eq(sOrders.id, sql.placeholder('id'))).prepare();
  const list = db.select().from(sOrders).orderBy(asc(sOrders.id)).limit(sql.placeholder('n')).prepare();
  const withLines = db.query.orders
    .findMany({
      where: (o) => and(gte(o.id, sql.placeholder('from')), lt(o.id, sql.placeholder('to'))),
      orderBy: (o) => [asc(o.id)],
      with: { lines: { orderBy: (l) => [asc(l.id)] } },
    })
    .prepare();
  // Writes with a fixed shape are prepared too; better-sqlite3 runs them on the same connection inside transactions.
  const ph = (name: string) => sql.placeholder(name);
  const customerValues = { code: ph('code'), company: ph('company'), contact: ph('contact'), city: ph('city'), country: ph('country') };
  const create = db.insert(sCustomers).values(customerValues).returning().prepare();
  const upsert = db.insert(sCustomers).values(customerValues).onConflictDoUpdate({ target: sCustomers.code, set: excludedCustomer }).returning().prepare();
  const customerById = db.select().from(sCustomers).where(eq(sCustomers.id, ph('id'))).prepare();
  const insertOrder = db
    .insert(sOrders)
    .values({ customerId: ph('customerId'), orderedAt: ph('orderedAt'), shipCity: ph('shipCity'), shipCountry: ph('shipCountry'), freight: ph('freight') })
    .returning()
    .prepare();
  const insertLine = db
    .insert(sLines)
    .values({ orderId: ph('orderId'), productId: ph('productId'), unitPrice: ph('unitPrice'), quantity: ph('quantity'), discount: ph('discount') })
    .prepare();
  const decStock = db.update(sProducts).set({ unitsInStock: sql`${sProducts.unitsInStock} - 1` }).where(eq(sProducts.id, ph('id'))).prepare();
  const setFreight = db.update(sOrders).set({ freight: sql`${ph('freight')}` }).where(eq(sOrders.id, ph('id'))).prepare();
  return {
    name: 'drizzle',
    dialect: 'sqlite',
    orderById: async (id) => (byId.get({ id }) as Order | undefined) ?? null,
    listOrders: async (n) => list.all({ n }),
    ordersWithLines: async (from, n) => withLines.all({ from, to: from + n }) as OrderWithLines[],
    createCustomer: async (c) => create.get(c) as Customer,
    async insertLines(lines) {
      db.transaction((tx) => {
        tx.insert(sLines).values(lines).run();
      });
    },
    upsertCustomer: async (c) => upsert.get(c) as Customer,
    async placeOrder(p) {
      db.transaction(() => {
        const customer = customerById.get({ id: p.customerId });
        if (!customer) throw new Error(`no customer ${p.customerId}`);
        const order = insertOrder.get({ customerId: p.customerId, orderedAt: p.orderedAt, shipCity: p.shipCity, shipCountry: p.shipCountry, freight: 0 }) as { id: number };
        for (const l of p.lines) insertLine.run({ ...l, orderId: order.id });
        decStock.run({ id: p.productId });
        setFreight.run({ freight: p.freight, id: order.id });
      });
    },
    async close() {
      handle.close();
    },
  };
}

function drizzlePgSubject(url: string): Subject {
  const pool = new pg.Pool({ connectionString: url });
  const db = drizzlePg({ client: pool, schema: pgSchema });
  const byId = db.select().from(pOrders).where(eq(pOrders.id, sql.placeholder('id'))).prepare('drizzle_order_by_id');
  const list = db.select().from(pOrders).orderBy(asc(pOrders.id)).limit(sql.placeholder('n')).prepare('drizzle_list_orders');
  const withLines = db.query.orders
    .findMany({
      where: (o) => and(gte(o.id, sql.placeholder('from')), lt(o.id, sql.placeholder('to'))),
      orderBy: (o) => [asc(o.id)],
      with: { lines: { orderBy: (l) => [asc(l.id)] } },
    })
    .prepare('drizzle_orders_with_lines');
  // Prepared statements run on the pool, so only the writes outside transactions are prepared.
  const ph = (name: string) => sql.placeholder(name);
  const customerValues = { code: ph('code'), company: ph('company'), contact: ph('contact'), city: ph('city'), country: ph('country') };
  const create = db.insert(pCustomers).values(customerValues).returning().prepare('drizzle_create_customer');
  const upsert = db
    .insert(pCustomers)
    .values(customerValues)
    .onConflictDoUpdate({ target: pCustomers.code, set: excludedCustomer })
    .returning()
    .prepare('drizzle_upsert_customer');
  return {
    name: 'drizzle',
    dialect: 'postgres',
    orderById: async (id) => ((await byId.execute({ id }))[0] as Order | undefined) ?? null,
    listOrders: (n) => list.execute({ n }),
    ordersWithLines: (from, n) => withLines.execute({ from, to: from + n }) as Promise<OrderWithLines[]>,
    createCustomer: async (c) => (await create.execute(c))[0] as Customer,
    async insertLines(lines) {
      await db.transaction(async (tx) => {
        await tx.insert(pLines).values(lines);
      });
    },
    upsertCustomer: async (c) => (await upsert.execute(c))[0] as Customer,
    async placeOrder(p) {
      await db.transaction(async (tx) => {
        const [customer] = await tx.select().from(pCustomers).where(eq(pCustomers.id, p.customerId));
        if (!customer) throw new Error(`no customer ${p.customerId}`);
        const [order] = await tx
          .insert(pOrders)
          .values({ customerId: p.customerId, orderedAt: p.orderedAt, shipCity: p.shipCity, shipCountry: p.shipCountry, freight: 0 })
          .returning();
        for (const l of p.lines) await tx.insert(pLines).values({ ...l, orderId: order.id });
        await tx.update(pProducts).set({ unitsInStock: sql`${pProducts.unitsInStock} - 1` }).where(eq(pProducts.id, p.productId));
        await tx.update(pOrders).set({ freight: p.freight }).where(eq(pOrders.id, order.id));
      });
    },
    close: () => pool.end(),
  };
}

/**
 * Drizzle on a mysql2 pool (promise API, `timezone: 'Z'` like every MySQL subject). Reads are prepared
 * (`.prepare()`: Drizzle builds the SQL once; mysql2 then runs it on the text protocol, Drizzle's own choice).
 * Includes: on MySQL 8 the relational query API (`mode: 'default'`, LATERAL joins). MariaDB has no LATERAL, and
 * the other mode (`'planetscale'`) puts an ordered `with` in a derived table that refers to the outer row, which
 * MariaDB refuses (`Unknown column 'orders.id' in 'WHERE'`). So on MariaDB the include is Drizzle's documented
 * alternative: a prepared `leftJoin` select, ordered by order and line id, folded into nested objects in JS.
 * No RETURNING on MySQL: a create is `$returningId()` and a select by that id; an upsert is
 * `onDuplicateKeyUpdate` and a select by the unique code (an upsert's insertId is not the row's id when it updates).
 */
async function drizzleMysqlSubject(url: string): Promise<Subject> {
  const pool = mysql.createPool({ uri: mysql2Uri(url), timezone: 'Z', charset: 'utf8mb4', connectionLimit: 10 });
  const [[{ v: version }]] = (await pool.query('SELECT VERSION() AS v')) as unknown as [[{ v: string }]];
  const mariadb = /mariadb/i.test(version);
  const db = drizzleMysql({ client: pool, schema: mysqlSchema, mode: 'default' });
  const ph = (name: string) => sql.placeholder(name);
  const byId = db.select().from(mOrders).where(eq(mOrders.id, ph('id'))).prepare();
  const list = db.select().from(mOrders).orderBy(asc(mOrders.id)).limit(ph('n')).prepare();
  const range = and(gte(mOrders.id, ph('from')), lt(mOrders.id, ph('to')));
  const withLines = db.query.orders
    .findMany({
      where: (o) => and(gte(o.id, ph('from')), lt(o.id, ph('to'))),
      orderBy: (o) => [asc(o.id)],
      with: { lines: { orderBy: (l) => [asc(l.id)] } },
    })
    .prepare();
  const joined = db.select({ order: mOrders, line: mLines }).from(mOrders).leftJoin(mLines, eq(mLines.orderId, mOrders.id)).where(range).orderBy(asc(mOrders.id), asc(mLines.id)).prepare();
  const ordersWithLines = mariadb
    ? async (from: number, n: number): Promise<OrderWithLines[]> => {
        const out: OrderWithLines[] = [];
        let cur: OrderWithLines | undefined;
        for (const { order, line } of await joined.execute({ from, to: from + n })) {
          if (!cur || cur.id !== order.id) out.push((cur = { ...order, lines: [] }));
          if (line) cur.lines.push(line);
        }
        return out;
      }
    : (from: number, n: number) => withLines.execute({ from, to: from + n }) as Promise<OrderWithLines[]>;
  const customerValues = { code: ph('code'), company: ph('company'), contact: ph('contact'), city: ph('city'), country: ph('country') };
  const create = db.insert(mCustomers).values(customerValues).$returningId().prepare();
  const customerById = db.select().from(mCustomers).where(eq(mCustomers.id, ph('id'))).prepare();
  const customerByCode = db.select().from(mCustomers).where(eq(mCustomers.code, ph('code'))).prepare();
  const upsert = db
    .insert(mCustomers)
    .values(customerValues)
    .onDuplicateKeyUpdate({
      set: {
        company: sql`values(${mCustomers.company})`,
        contact: sql`values(${mCustomers.contact})`,
        city: sql`values(${mCustomers.city})`,
        country: sql`values(${mCustomers.country})`,
      },
    })
    .prepare();
  return {
    name: 'drizzle',
    dialect: 'mysql',
    orderById: async (id) => ((await byId.execute({ id }))[0] as Order | undefined) ?? null,
    listOrders: (n) => list.execute({ n }),
    ordersWithLines,
    async createCustomer(c) {
      const [{ id }] = await create.execute(c);
      return (await customerById.execute({ id }))[0] as Customer;
    },
    async insertLines(lines) {
      await db.transaction(async (tx) => {
        await tx.insert(mLines).values(lines);
      });
    },
    async upsertCustomer(c) {
      await upsert.execute(c);
      return (await customerByCode.execute({ code: c.code }))[0] as Customer;
    },
    async placeOrder(p) {
      await db.transaction(async (tx) => {
        const [customer] = await tx.select().from(mCustomers).where(eq(mCustomers.id, p.customerId));
        if (!customer) throw new Error(`no customer ${p.customerId}`);
        const [order] = await tx
          .insert(mOrders)
          .values({ customerId: p.customerId, orderedAt: p.orderedAt, shipCity: p.shipCity, shipCountry: p.shipCountry, freight: 0 })
          .$returningId();
        for (const l of p.lines) await tx.insert(mLines).values({ ...l, orderId: order.id });
        await tx.update(mProducts).set({ unitsInStock: sql`${mProducts.unitsInStock} - 1` }).where(eq(mProducts.id, p.productId));
        await tx.update(mOrders).set({ freight: p.freight }).where(eq(mOrders.id, order.id));
      });
    },
    close: () => pool.end(),
  };
}

export async function createDrizzle(dialect: Dialect, url: string): Promise<Subject> {
  return dialect === 'sqlite' ? drizzleSqliteSubject() : dialect === 'mysql' ? drizzleMysqlSubject(url) : drizzlePgSubject(url);
}
