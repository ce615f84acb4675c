import { DbKnownError, redactUrl, type DbErrorCode } from '@forge/core';

/** The fields forge reads from a mongodb driver error. */
interface DriverError {
  name?: string;
  code?: number | string;
  codeName?: string;
  message?: string;
  keyPattern?: Record<string, unknown>;
  keyValue?: Record<string, unknown>;
  errorResponse?: { code?: number; keyPattern?: Record<string, unknown>; keyValue?: Record<string, unknown>; errmsg?: string };
  writeErrors?: Array<{ code?: number; errmsg?: string; err?: { code?: number; errmsg?: string; keyPattern?: Record<string, unknown>; keyValue?: Record<string, unknown> } }>;
  errorLabels?: string[];
  errorLabelSet?: Set<string>;
}

export interface ErrorContext {
  /** The redacted URL or a description of the driver handle, for connection messages. */
  target?: string;
  /** The seed hosts, for connection messages. */
  hosts?: string[];
  /** The server selection timeout in force. */
  timeoutMs?: number;
}

/** `E11000 duplicate key error collection: app.users index: email_1 dup key: { email: "a@x" }` */
const DUP_COLLECTION = /collection: [^.\s]+\.(\S+)/;
const DUP_INDEX = /index: (\S+)/;

/** MongoDB's codes for a failed login. */
const AUTH_CODES = new Set([18, 13]);
/** Server codes for a command that ran past its time (`maxTimeMS`) or was interrupted. */
const TIMEOUT_CODES = new Set([50, 262]);

function numericCode(err: DriverError): number | undefined {
  if (typeof err.code === 'number') return err.code;
  if (typeof err.errorResponse?.code === 'number') return err.errorResponse.code;
  const w = err.writeErrors?.[0];
  return w?.code ?? w?.err?.code;
}

/**
 * Map a mongodb driver error to `DbKnownError` where forge knows it (11000 duplicate key, failed login, no server
 * selected, time limits); return it untouched otherwise. The message never holds a password.
 */
export function mapMongoError(e: unknown, ctx: ErrorContext = {}): unknown {
  if (!e || typeof e !== 'object' || e instanceof DbKnownError) return e;
  const err = e as DriverError;
  const code = numericCode(err);
  const message = redactUrl(err.message ?? String(e));
  const meta: Record<string, unknown> = { driverCode: code ?? err.name };
  if (err.codeName) meta.codeName = err.codeName;
  const known = (c: DbErrorCode, text: string, extra: Record<string, unknown> = {}) => new DbKnownError(c, text, { ...meta, ...extra }, { cause: e });
  if (code === 11000 || code === 11001) {
    const w = err.writeErrors?.[0]?.err;
    const keyPattern = err.keyPattern ?? err.errorResponse?.keyPattern ?? w?.keyPattern;
    const keyValue = err.keyValue ?? err.errorResponse?.keyValue ?? w?.keyValue;
    const columns = keyPattern ? Object.keys(keyPattern).map((k) => (k === '_id' ? 'id' : k)) : [];
    const extra: Record<string, unknown> = { columns };
    const table = DUP_COLLECTION.exec(message)?.[1];
    const index = DUP_INDEX.exec(message)?.[1];
    if (table) extra.table = table;
    if (index) extra.constraint = index;
    if (keyValue) extra.keyValue = keyValue;
    return known('UNIQUE_VIOLATION', `Unique constraint failed on ${columns.length ? columns.join(', ') : 'a unique index'}${index ? ` (index ${index})` : ''}: ${message}`, extra);
  }
  if (code !== undefined && AUTH_CODES.has(code) && /auth/i.test(message)) {
    return known('AUTH_FAILED', `MongoDB refused the login${ctx.target ? ` for ${ctx.target}` : ''}: ${message}. Check the user name, password and authSource in the URL`);
  }
  if (err.name === 'MongoServerSelectionError' || err.name === 'MongoNetworkError' || err.name === 'MongoNetworkTimeoutError' || err.name === 'MongoTopologyClosedError') {
    const where = ctx.hosts?.length ? ctx.hosts.join(', ') : 'the server';
    const within = ctx.timeoutMs !== undefined ? ` within ${ctx.timeoutMs} ms` : '';
    return known(
      'CONNECTION_FAILED',
      `could not connect to ${ctx.target ?? 'MongoDB'}: no server answered at ${where}${within} (${message}). ` +
        'Start mongod (or check the host and port), make sure a replica set named in the URL exists, or raise serverSelectionTimeoutMS in the URL',
      { hosts: ctx.hosts },
    );
  }
  if ((code !== undefined && TIMEOUT_CODES.has(code)) || err.name === 'MongoOperationTimeoutError') {
    return known('TIMEOUT', `MongoDB stopped the operation at its time limit: ${message}`);
  }
  if (code === 251 || code === 256 || err.errorLabelSet?.has('TransientTransactionError') || err.errorLabels?.includes('TransientTransactionError')) {
    return known('TRANSACTION_ABORTED', `The MongoDB transaction was aborted: ${message}. Retry the whole transaction`);
  }
  return e;
}
