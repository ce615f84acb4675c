import type { Customer, Dialect, NewCustomer, NewOrderLine, Order, OrderWithLines, SubjectName } from '../common.js';

/** The 10-operation transaction: read the customer, create an order with 6 lines, take stock, set freight. */
export interface PlaceOrder {
  customerId: number;
  orderedAt: Date;
  shipCity: string;
  shipCountry: string;
  /** Six lines; `orderId` is filled with the new order's id. */
  lines: Array<Omit<NewOrderLine, 'orderId'>>;
  /** The product whose stock is decremented by one. */
  productId: number;
  freight: number;
}

/**
 * What every subject implements, each in its own idiom, returning the same rows in the same shape
 * (camelCase objects, Date for timestamps, boolean for flags). The worker checks that before timing anything.
 */
export interface Subject {
  readonly name: SubjectName;
  readonly dialect: Dialect;
  /** Scenario 1 */
  orderById(id: number): Promise<Order | null>;
  /** Scenario 2: the first `n` orders by id. */
  listOrders(n: number): Promise<Order[]>;
  /** Scenario 3: orders with ids in [fromId, fromId + n), each with its lines ordered by id. */
  ordersWithLines(fromId: number, n: number): Promise<OrderWithLines[]>;
  /** Scenario 4 */
  createCustomer(c: NewCustomer): Promise<Customer>;
  insertLines(lines: NewOrderLine[]): Promise<void>;
  /** Insert or update by the unique `code`, returning the row. */
  upsertCustomer(c: NewCustomer): Promise<Customer>;
  placeOrder(p: PlaceOrder): Promise<void>;
  /**
   * Customers whose company contains `text`, ignoring case, by id (the `contains-insensitive` row). Optional:
   * a subject without it sits that row out. raw folds ASCII only on SQLite (`lower()`), forge folds Unicode.
   */
  searchCustomers?(text: string): Promise<Customer[]>;
  close(): Promise<void>;
}

export type SubjectFactory = (dialect: Dialect, url: string) => Promise<Subject>;
