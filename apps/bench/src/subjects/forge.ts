import { createDb } from 'forge-orm';
import { SQLITE_FILE, type Customer, type Dialect, type Order, type OrderWithLines } from '../common.js';
import { schema } from '../schema.js';
import type { Subject } from './types.js';

/** forge as a user writes it: `createDb({ url, schema })` from the built `forge-orm` package. */
export async function createForge(dialect: Dialect, url: string): Promise<Subject> {
  const db = await createDb({ url: dialect === 'sqlite' ? `sqlite:${SQLITE_FILE}` : url, schema });
  return {
    name: 'forge',
    dialect,
    orderById: (id) => db.order.findUnique({ where: { id } }) as Promise<Order | null>,
    listOrders: (n) => db.order.findMany({ take: n, orderBy: { id: 'asc' } }) as Promise<Order[]>,
    ordersWithLines: (fromId, n) =>
      db.order.findMany({
        where: { id: { gte: fromId, lt: fromId + n } },
        orderBy: { id: 'asc' },
        include: { lines: { orderBy: { id: 'asc' } } },
      }) as Promise<OrderWithLines[]>,
    createCustomer: (c) => db.customer.create({ data: c }) as Promise<Customer>,
    async insertLines(lines) {
      await db.$transaction((tx) => tx.orderLine.createMany({ data: lines }));
    },
    upsertCustomer: (c) =>
      db.customer.upsert({
        where: { code: c.code },
        create: c,
        update: { company: c.company, contact: c.contact, city: c.city, country: c.country },
      }) as Promise<Customer>,
    async placeOrder(p) {
      await db.$transaction(async (tx) => {
        const customer = await tx.customer.findUnique({ where: { id: p.customerId } });
        if (!customer) throw new Error(`no customer ${p.customerId}`);
        const order = await tx.order.create({
          data: { customerId: p.customerId, orderedAt: p.orderedAt, shipCity: p.shipCity, shipCountry: p.shipCountry, freight: 0 },
        });
        for (const l of p.lines) await tx.orderLine.create({ data: { ...l, orderId: order.id } });
        await tx.product.update({ where: { id: p.productId }, data: { unitsInStock: { decrement: 1 } } });
        await tx.order.update({ where: { id: order.id }, data: { freight: p.freight } });
      });
    },
    searchCustomers: (text) =>
      db.customer.findMany({ where: { company: { contains: text, mode: 'insensitive' } }, orderBy: { id: 'asc' } }) as Promise<Customer[]>,
    close: () => db.$disconnect(),
  };
}
