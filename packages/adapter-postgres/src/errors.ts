import { DbKnownError } from '@forge/core';

/** The fields forge reads from a pg `DatabaseError` or a postgres.js `PostgresError` (they spell them differently). */
interface DriverError {
  code?: string;
  message?: string;
  detail?: string;
  constraint?: string;
  constraint_name?: string;
  table?: string;
  table_name?: string;
  column?: string;
  column_name?: string;
}

/** Socket-level failures (Node's error codes) and the driver's own connect timeouts. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'EPIPE',
  // postgres.js
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  // server refuses new sessions: starting up, shutting down, too many clients
  '57P01',
  '57P03',
  '53300',
]);

/**
 * The key columns in a constraint's DETAIL: `Key (email)=(a@x) already exists.`, `Key ("authorId")=(1) is not
 * present in table "users".` Undefined for an expression key (`Key (lower(email))=...`), which names no column.
 */
export function detailColumns(detail: string | undefined): string[] | undefined {
  const m = detail ? /^Key \((.+?)\)=\(/.exec(detail) : null;
  if (!m) return undefined;
  const columns = m[1].split(/,\s*/).map((c) => (c.startsWith('"') && c.endsWith('"') ? c.slice(1, -1).replace(/""/g, '"') : c));
  return columns.some((c) => /[()]/.test(c)) ? undefined : columns;
}

/** pg reports connect timeouts and dropped sockets without a code, only in the message. */
const CONNECTION_MESSAGE = /timeout (expired|exceeded)|connection timeout|Connection terminated/i;

export interface ErrorContext {
  /** The redacted URL or a description of the driver handle, for connection messages. */
  target?: string;
}

function pick(e: DriverError, a: keyof DriverError, b: keyof DriverError): string | undefined {
  return e[a] ?? e[b];
}

/**
 * Map a driver error to `DbKnownError` where forge knows the code; return it untouched otherwise.
 * Serialization failures (40001) and deadlocks (40P01) are deliberately not mapped: retry loops branch on
 * the driver's code (seed 000).
 */
export function mapPgError(e: unknown, ctx: ErrorContext = {}): unknown {
  if (!e || typeof e !== 'object' || e instanceof DbKnownError) return e;
  const err = e as DriverError;
  const code = typeof err.code === 'string' ? err.code : undefined;
  const message = err.message ?? String(e);
  const meta: Record<string, unknown> = { driverCode: code };
  const constraint = pick(err, 'constraint', 'constraint_name');
  const table = pick(err, 'table', 'table_name');
  const column = pick(err, 'column', 'column_name');
  if (constraint) meta.constraint = constraint;
  if (table) meta.table = table;
  if (column) meta.column = column;
  if (err.detail) meta.detail = err.detail;
  const where = ctx.target ? ` (${ctx.target})` : '';
  const known = (c: ConstructorParameters<typeof DbKnownError>[0], text: string) =>
    new DbKnownError(c, text, meta, { cause: e });

  switch (code) {
    case '25006':
      return known('READ_ONLY', `This transaction is read-only ($transaction(fn, { readOnly: true })), so Postgres refused the write: run writes in a $transaction without readOnly. ${message}`);
    case '25P02':
      return known(
        'TRANSACTION_ABORTED',
        'The transaction is aborted: an earlier statement in it failed, and Postgres ignores every statement until the transaction ends. ' +
          'Let that error end the $transaction callback (it rolls back), or run the statement that may fail inside a nested db.$transaction(...) so only its savepoint rolls back.',
      );
    case '23505':
      meta.columns = detailColumns(err.detail) ?? [];
      return known('UNIQUE_VIOLATION', `Unique constraint ${constraint ?? ''} failed${table ? ` on ${table}` : ''}: ${err.detail ?? message}`);
    case '23503':
      // The referencing row's columns; a DETAIL saying the key "is still referenced" names the parent's instead.
      if (err.detail && /is not present in table/.test(err.detail)) {
        const columns = detailColumns(err.detail);
        if (columns) meta.columns = columns;
      }
      return known('FOREIGN_KEY_VIOLATION', `Foreign key ${constraint ?? ''} failed${table ? ` on ${table}` : ''}: ${err.detail ?? message}`);
    case '23502':
      return known('NOT_NULL_VIOLATION', `${message}. Give the field a value or make it .optional().`);
    case '23514':
      return known('CHECK_VIOLATION', `${message}${err.detail ? `: ${err.detail}` : ''}`);
    case '42P01':
      return known('MISSING_TABLE', `${message}. Run \`forge push\` to create the missing table.`);
    case '42703':
      return known('MISSING_COLUMN', `${message}. Run \`forge push\` to add the missing column.`);
    case '28P01':
    case '28000':
      return known('AUTH_FAILED', `PostgreSQL rejected the login${where}: ${message}. Check the user and password in DATABASE_URL.`);
    case '3D000':
      return known(
        'CONNECTION_FAILED',
        `${message}${where}. Create it first (createdb <name>, or CREATE DATABASE "<name>";) and run forge again.`,
      );
  }
  if ((code && CONNECTION_CODES.has(code)) || (!code && CONNECTION_MESSAGE.test(message))) {
    return known(
      'CONNECTION_FAILED',
      `Could not reach PostgreSQL${where}: ${message || code}. Check that the server is running and that DATABASE_URL's host and port are right.`,
    );
  }
  return e;
}
