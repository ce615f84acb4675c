import { f, many, model, one } from 'forge-orm';

/**
 * The bench's schema in forge. Columns are snake_case in the database and camelCase in rows (`.map()`), as in
 * most real schemas, so every subject maps names. The other subjects declare the same tables in their own terms.
 */
export const Customer = model(
  'customers',
  {
    id: f.id({ type: 'int' }),
    code: f.string().unique(),
    company: f.string().map('company_name'),
    contact: f.string().map('contact_name'),
    city: f.string(),
    country: f.string(),
  },
  { relations: { orders: many('orders', { on: 'customerId' }) } },
);

export const Product = model('products', {
  id: f.id({ type: 'int' }),
  name: f.string(),
  category: f.string(),
  unitPrice: f.float().map('unit_price'),
  unitsInStock: f.int().map('units_in_stock'),
  discontinued: f.bool(),
});

export const Order = model(
  'orders',
  {
    id: f.id({ type: 'int' }),
    customerId: f.int().map('customer_id').refs(() => Customer),
    orderedAt: f.dateTime().map('ordered_at'),
    shipCity: f.string().map('ship_city'),
    shipCountry: f.string().map('ship_country'),
    freight: f.float(),
  },
  {
    relations: { customer: one('customers', { on: 'customerId' }), lines: many('order_lines', { on: 'orderId' }) },
    indexes: [{ keys: { customerId: 1 }, name: 'idx_orders_customer_id' }],
  },
);

export const OrderLine = model(
  'order_lines',
  {
    id: f.id({ type: 'int' }),
    orderId: f.int().map('order_id').refs(() => Order),
    productId: f.int().map('product_id').refs(() => Product),
    unitPrice: f.float().map('unit_price'),
    quantity: f.int(),
    discount: f.float(),
  },
  {
    relations: { order: one('orders', { on: 'orderId' }) },
    indexes: [{ keys: { orderId: 1 }, name: 'idx_order_lines_order_id' }],
  },
);

export const schema = { customer: Customer, product: Product, order: Order, orderLine: OrderLine };

/** Scenario 5's table, created only when that scenario runs. */
export const BigRow = model('big_rows', {
  id: f.id({ type: 'int' }),
  n: f.int(),
  label: f.string(),
  amount: f.float(),
  createdAt: f.dateTime().map('created_at'),
});
export const streamSchema = { bigRow: BigRow };

/**
 * The DuckDB group's analytics table (1,000,000 rows, generated in SQL): sales with low-cardinality columns
 * (8 categories, 25 cities) to group by. DuckDB only; the other dialects never create it.
 */
export const Sale = model('sales', {
  id: f.id({ type: 'int' }),
  productId: f.int().map('product_id'),
  category: f.string(),
  city: f.string(),
  quantity: f.int(),
  amount: f.float(),
  soldAt: f.dateTime().map('sold_at'),
});
/** DuckDB's tables: the shop, the streaming table, and the sales to group. */
export const duckdbSchema = { ...schema, bigRow: BigRow, sale: Sale };
