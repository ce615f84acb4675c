import type { Connection } from '@forge/core';

export interface Captured {
  sql: string;
  params: readonly unknown[];
}

/**
 * Wrap a connection so every statement that reaches the driver is recorded with its parameters, including
 * those sent on transaction connections. This is the driver's view, below the client and the compiler.
 */
export function capturing(inner: Connection): { conn: Connection; log: Captured[] } {
  const log: Captured[] = [];
  const wrap = (c: Connection): Connection => ({
    dialect: c.dialect,
    serverVersion: c.serverVersion,
    get inTransaction() {
      return c.inTransaction;
    },
    query<R>(sql: string, params: readonly unknown[] = []) {
      log.push({ sql, params });
      return c.query<R>(sql, params);
    },
    queryArrays(sql, params = [], opts) {
      log.push({ sql, params });
      return c.queryArrays(sql, params, opts);
    },
    execute(sql, params = []) {
      log.push({ sql, params });
      return c.execute(sql, params);
    },
    stream(sql, params, chunkSize, opts) {
      log.push({ sql, params });
      return c.stream(sql, params, chunkSize, opts);
    },
    transaction: (fn) => c.transaction((tx) => fn(wrap(tx))),
    withSession: (fn) => c.withSession((s) => fn(wrap(s))),
    close: () => c.close(),
  });
  return { conn: wrap(inner), log };
}
