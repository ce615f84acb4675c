import { DbKnownError, type DbErrorCode } from '@forge/core';

/** The fields forge reads from an mssql (tedious) error. */
interface DriverError {
  name?: string;
  code?: string;
  number?: number;
  state?: number;
  class?: number;
  message?: string;
  originalError?: { code?: string; message?: string; info?: { number?: number; message?: string } };
}

export interface ErrorContext {
  /** The redacted URL or a description of the driver handle, for connection messages. */
  target?: string;
  /** `host:port` (or `host\instance`) the pool dials, for connection messages. */
  address?: string;
}

/** Socket-level failures: Node's codes and mssql's own for a connection that never formed or broke. */
const CONNECTION_CODES = new Set(['ESOCKET', 'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EPIPE', 'ECONNCLOSED', 'ENOTOPEN', 'EINSTLOOKUP', 'ENOCONN']);

/** `Violation of UNIQUE KEY constraint 'name'.` / `... PRIMARY KEY constraint 'name'.` (2627) */
const UNIQUE_CONSTRAINT = /constraint '([^']+)'/i;
/** `Cannot insert duplicate key row in object 'dbo.users' with unique index 'name'.` (2601) */
const UNIQUE_INDEX = /unique index '([^']+)'/i;
/** `in object 'dbo.users'` */
const OBJECT = /object '(?:[^'.]*\.)?([^']+)'/i;
/** `conflicted with the FOREIGN KEY constraint "fk". The conflict occurred in database "db", table "dbo.users", column 'id'.` (547) */
const CONSTRAINT_DQ = /constraint "([^"]+)"/i;
const TABLE_DQ = /table "(?:[^".]*\.)?([^"]+)"/i;
/** `Cannot insert the value NULL into column 'postId', table 'db.dbo.comments'; column does not allow nulls.` (515) */
const COLUMN = /column '([^']+)'/i;
const TABLE_SQ = /table '(?:[^']*\.)?([^'.]+)'/i;
/** `Invalid object name 'no_such_table'.` (208), `Invalid column name 'x'.` (207) */
const INVALID_NAME = /name '(?:[^']*\.)?([^'.]+)'/i;

/**
 * Map an mssql error to `DbKnownError` where forge knows the number; return it untouched otherwise.
 * Deadlock victims (1205) are deliberately not mapped: retry loops branch on the driver's `number` (seed 000),
 * and it stays what SQL Server said.
 */
export function mapMssqlError(e: unknown, ctx: ErrorContext = {}): unknown {
  if (!e || typeof e !== 'object' || e instanceof DbKnownError) return e;
  const err = e as DriverError;
  const number = typeof err.number === 'number' ? err.number : typeof err.originalError?.info?.number === 'number' ? err.originalError.info.number : undefined;
  const code = typeof err.code === 'string' ? err.code : undefined;
  const innerCode = typeof err.originalError?.code === 'string' ? err.originalError.code : undefined;
  const message = err.message ?? String(e);
  const meta: Record<string, unknown> = { driverCode: number ?? code };
  if (typeof err.state === 'number') meta.state = err.state;
  const where = ctx.target ? ` (${ctx.target})` : '';
  const known = (c: DbErrorCode, text: string) => new DbKnownError(c, text, meta, { cause: e });
  const first = (...res: RegExp[]) => {
    for (const re of res) {
      const m = re.exec(message);
      if (m) return m[1];
    }
    return undefined;
  };

  switch (number) {
    case 2627:
    case 2601: {
      const constraint = number === 2601 ? first(UNIQUE_INDEX) : first(UNIQUE_CONSTRAINT);
      const table = first(OBJECT);
      if (constraint) meta.constraint = constraint;
      if (table) meta.table = table;
      return known('UNIQUE_VIOLATION', `Unique constraint ${constraint ?? ''} failed${table ? ` on ${table}` : ''}: ${message}`);
    }
    case 547: {
      const constraint = first(CONSTRAINT_DQ);
      const table = first(TABLE_DQ);
      if (constraint) meta.constraint = constraint;
      if (table) meta.table = table;
      if (/\bCHECK constraint\b/i.test(message)) return known('CHECK_VIOLATION', message);
      return known('FOREIGN_KEY_VIOLATION', `Foreign key ${constraint ?? ''} failed${table ? ` on ${table}` : ''}: ${message}`);
    }
    case 515: {
      const column = first(COLUMN);
      const table = first(TABLE_SQ);
      if (column) meta.column = column;
      if (table) meta.table = table;
      return known('NOT_NULL_VIOLATION', `${message} Give the field a value or make it .optional().`);
    }
    case 208: {
      const table = first(INVALID_NAME);
      if (table) meta.table = table;
      return known('MISSING_TABLE', `${message} Run \`forge push\` to create the missing table.`);
    }
    case 207: {
      const column = first(INVALID_NAME);
      if (column) meta.column = column;
      return known('MISSING_COLUMN', `${message} Run \`forge push\` to add the missing column.`);
    }
    case 1222:
      return known('TIMEOUT', `${message} Another session holds a lock this statement needed (SELECT * FROM sys.dm_tran_locks shows it); retry when it is done.`);
    case 18456:
      return known('AUTH_FAILED', `SQL Server rejected the login${where}: ${message} Check the user and password in DATABASE_URL, and that the server allows SQL Server authentication (mixed mode).`);
    case 4060:
      return known('CONNECTION_FAILED', `The database cannot be opened${where}: ${message} Create it first (CREATE DATABASE [<name>];) or fix the database name in DATABASE_URL.`);
  }
  if (code === 'ETIMEOUT' && err.name === 'RequestError') {
    return known('TIMEOUT', `${message} The statement ran longer than the pool's requestTimeout: raise it (?requestTimeout=<ms> on the URL, or requestTimeout in your ConnectionPool config).`);
  }
  if (code === 'ELOGIN') {
    return known('AUTH_FAILED', `SQL Server rejected the login${where}: ${message} Check the user and password in DATABASE_URL.`);
  }
  if ((code && CONNECTION_CODES.has(code)) || (innerCode && CONNECTION_CODES.has(innerCode)) || (code === 'ETIMEOUT' && err.name === 'ConnectionError')) {
    const at = ctx.address ? ` at ${ctx.address}` : '';
    return known(
      'CONNECTION_FAILED',
      `Could not reach SQL Server${at}${where}: ${message}. Check that the server is running and accepts TCP connections on that host and port (SQL Server Configuration Manager: TCP/IP enabled; a named instance needs the SQL Browser service), and that DATABASE_URL names them.`,
    );
  }
  return e;
}
