import type { Connection } from '@forge/core';

export interface Recorded {
  sql: string;
  params: readonly unknown[];
}

/**
 * A connection that runs nothing: it records each statement the client sends and answers with no rows (one
 * `[1]` row for array reads, one affected row for writes). Only for reading the SQL the client's call shapes
 * compile to (upsert, createMany, aggregate, nested reads): no SQL Server runs here, so these tests prove text,
 * not behaviour.
 */
export function recordingConnection(): { conn: Connection; log: Recorded[] } {
  const log: Recorded[] = [];
  const conn: Connection = {
    dialect: 'mssql',
    inTransaction: false,
    async query(sql, params = []) {
      log.push({ sql, params });
      return [];
    },
    async queryArrays(sql, params = []) {
      log.push({ sql, params });
      return [];
    },
    async execute(sql, params = []) {
      log.push({ sql, params });
      return { rowCount: 1 };
    },
    async *stream(sql, params) {
      log.push({ sql, params });
    },
    async transaction(fn) {
      return fn(conn);
    },
    async withSession(fn) {
      return fn(conn);
    },
    async close() {},
  };
  return { conn, log };
}
