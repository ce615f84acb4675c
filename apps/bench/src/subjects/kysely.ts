import { Kysely, MysqlDialect, ParseJSONResultsPlugin, PostgresDialect, sql, SqliteDialect, type Generated, type RawBuilder } from 'kysely';
import { jsonArrayFrom as jsonArrayFromMysql } from 'kysely/helpers/mysql';
import { jsonArrayFrom as jsonArrayFromPg } from 'kysely/helpers/postgres';
import { jsonArrayFrom as jsonArrayFromSqlite } from 'kysely/helpers/sqlite';
import mysql from 'mysql2';
import pg from 'pg';
import { mysql2Uri, type Customer, type Dialect, type Order, type OrderWithLines } from '../common.js';
import { openSqliteHandle } from './raw.js';
import type { Subject } from './types.js';

/**
 * Kysely as documented: a typed query builder, columns aliased to camelCase in the select, includes through the
 * `jsonArrayFrom` helper of each dialect. Kysely converts no values, so on SQLite the ISO text of a timestamp
 * is turned into a Date here, as a user would have to.
 */

interface DB {
  customers: { id: Generated<number>; code: string; company_name: string; contact_name: string; city: string; country: string };
  products: { id: Generated<number>; name: string; category: string; unit_price: number; units_in_stock: number; discontinued: boolean | number };
  orders: { id: Generated<number>; customer_id: number; ordered_at: Date | string; ship_city: string; ship_country: string; freight: number };
  order_lines: { id: Generated<number>; order_id: number; product_id: number; unit_price: number; quantity: number; discount: number };
}

const ORDER = ['id', 'customer_id as customerId', 'ordered_at as orderedAt', 'ship_city as shipCity', 'ship_country as shipCountry', 'freight'] as const;
const CUSTOMER = ['id', 'code', 'company_name as company', 'contact_name as contact', 'city', 'country'] as const;
const LINE = ['id', 'order_id as orderId', 'product_id as productId', 'unit_price as unitPrice', 'quantity', 'discount'] as const;

/**
 * MariaDB has no `CAST(... AS JSON)`, which Kysely's MySQL `jsonArrayFrom` wraps its `json_arrayagg` in, and no
 * outer references inside a derived table, which is where that helper puts the subquery (`Unknown column
 * 'orders.id' in 'WHERE'`). So on MariaDB the include is the correlated subquery a user writes there with
 * Kysely's `sql` template: `json_arrayagg(json_object(...) ORDER BY l.id)` straight over `order_lines`
 * (ORDER BY inside JSON_ARRAYAGG: MariaDB 10.5+). MariaDB's JSON is text, so ParseJSONResultsPlugin parses it.
 */
function mariadbLinesOf(outerId: string): RawBuilder<unknown[]> {
  const args = sql.join(
    LINE.map((c) => {
      const [col, alias] = c.split(' as ');
      return sql`${sql.lit(alias ?? col)}, ${sql.ref(`l.${col}`)}`;
    }),
  );
  return sql`(select coalesce(json_arrayagg(json_object(${args}) order by l.id), '[]') from order_lines as l where l.order_id = ${sql.ref(outerId)})`;
}

export async function createKysely(dialect: Dialect, url: string): Promise<Subject> {
  const sqlite = dialect === 'sqlite';
  const handle = sqlite ? openSqliteHandle() : undefined;
  let mariadb = false;
  let kdialect;
  if (sqlite) kdialect = new SqliteDialect({ database: handle! });
  else if (dialect === 'mysql') {
    // A mysql2 pool (callback API, as MysqlDialect takes), UTC DATETIMEs like every MySQL subject.
    const pool = mysql.createPool({ uri: mysql2Uri(url), timezone: 'Z', charset: 'utf8mb4', connectionLimit: 10 });
    const version = await new Promise<string>((resolve, reject) =>
      pool.query('SELECT VERSION() AS v', (err, rows) => (err ? reject(err) : resolve(String((rows as Array<{ v: string }>)[0].v)))),
    );
    mariadb = /mariadb/i.test(version);
    kdialect = new MysqlDialect({ pool });
  } else kdialect = new PostgresDialect({ pool: new pg.Pool({ connectionString: url }) });
  const db = new Kysely<DB>({ dialect: kdialect });
  const my = dialect === 'mysql';
  const jsonArrayFrom = sqlite ? jsonArrayFromSqlite : my ? jsonArrayFromMysql : jsonArrayFromPg;
  // Only SQLite hands timestamps back as text.
  const fixDate = sqlite
    ? <T extends { orderedAt: unknown }>(r: T): T => {
        r.orderedAt = new Date(r.orderedAt as string);
        return r;
      }
    : <T>(r: T): T => r;
  const customerRow = {
    code: '',
    company_name: '',
    contact_name: '',
    city: '',
    country: '',
  };
  const toRow = (c: Omit<Customer, 'id'>): typeof customerRow => ({ code: c.code, company_name: c.company, contact_name: c.contact, city: c.city, country: c.country });
  const customerBy = (col: 'id' | 'code', v: number | string) =>
    db.selectFrom('customers').select(CUSTOMER).where(col, '=', v).executeTakeFirstOrThrow() as Promise<Customer>;

  return {
    name: 'kysely',
    dialect,
    async orderById(id) {
      const r = await db.selectFrom('orders').select(ORDER).where('id', '=', id).executeTakeFirst();
      return r ? (fixDate(r) as Order) : null;
    },
    async listOrders(n) {
      const rows = await db.selectFrom('orders').select(ORDER).orderBy('id').limit(n).execute();
      return rows.map(fixDate) as Order[];
    },
    async ordersWithLines(from, n) {
      let q = db
        .selectFrom('orders')
        .select(ORDER)
        .select((eb) => [
          (mariadb ? mariadbLinesOf('orders.id') : jsonArrayFrom(eb.selectFrom('order_lines as l').select(LINE).whereRef('l.order_id', '=', 'orders.id').orderBy('l.id'))).as('lines'),
        ])
        .where('id', '>=', from)
        .where('id', '<', from + n)
        .orderBy('id');
      // SQLite's json_group_array and MariaDB's JSON come back as text: the plugin parses it (pg and MySQL 8 parse json themselves).
      if (sqlite || mariadb) q = q.withPlugin(new ParseJSONResultsPlugin());
      const rows = await q.execute();
      return rows.map(fixDate) as unknown as OrderWithLines[];
    },
    async createCustomer(c) {
      // MySQL has no RETURNING: insert, then read the row back by insertId.
      if (my) return customerBy('id', Number((await db.insertInto('customers').values(toRow(c)).executeTakeFirstOrThrow()).insertId));
      return (await db.insertInto('customers').values(toRow(c)).returning(CUSTOMER).executeTakeFirstOrThrow()) as Customer;
    },
    async insertLines(lines) {
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('order_lines')
          .values(lines.map((l) => ({ order_id: l.orderId, product_id: l.productId, unit_price: l.unitPrice, quantity: l.quantity, discount: l.discount })))
          .execute();
      });
    },
    async upsertCustomer(c) {
      if (my) {
        // ON DUPLICATE KEY UPDATE with VALUES(col) (MariaDB has no `AS new` row alias), then a read by the unique code.
        await db
          .insertInto('customers')
          .values(toRow(c))
          .onDuplicateKeyUpdate({
            company_name: sql`values(company_name)`,
            contact_name: sql`values(contact_name)`,
            city: sql`values(city)`,
            country: sql`values(country)`,
          })
          .execute();
        return customerBy('code', c.code);
      }
      return (await db
        .insertInto('customers')
        .values(toRow(c))
        .onConflict((oc) =>
          oc.column('code').doUpdateSet((eb) => ({
            company_name: eb.ref('excluded.company_name'),
            contact_name: eb.ref('excluded.contact_name'),
            city: eb.ref('excluded.city'),
            country: eb.ref('excluded.country'),
          })),
        )
        .returning(CUSTOMER)
        .executeTakeFirstOrThrow()) as Customer;
    },
    async placeOrder(p) {
      await db.transaction().execute(async (trx) => {
        const customer = await trx.selectFrom('customers').select(CUSTOMER).where('id', '=', p.customerId).executeTakeFirst();
        if (!customer) throw new Error(`no customer ${p.customerId}`);
        const values = { customer_id: p.customerId, ordered_at: sqlite ? p.orderedAt.toISOString() : p.orderedAt, ship_city: p.shipCity, ship_country: p.shipCountry, freight: 0 };
        const orderId = my
          ? Number((await trx.insertInto('orders').values(values).executeTakeFirstOrThrow()).insertId)
          : (await trx.insertInto('orders').values(values).returning('id').executeTakeFirstOrThrow()).id;
        for (const l of p.lines) {
          await trx
            .insertInto('order_lines')
            .values({ order_id: orderId, product_id: l.productId, unit_price: l.unitPrice, quantity: l.quantity, discount: l.discount })
            .execute();
        }
        await trx.updateTable('products').set((eb) => ({ units_in_stock: eb('units_in_stock', '-', 1) })).where('id', '=', p.productId).execute();
        await trx.updateTable('orders').set({ freight: p.freight }).where('id', '=', orderId).execute();
      });
    },
    async close() {
      await db.destroy();
    },
  };
}
