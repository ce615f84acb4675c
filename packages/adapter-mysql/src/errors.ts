import { DbKnownError } from '@forge/core';

/** The fields forge reads from a mysql2 error. */
interface DriverError {
  code?: string;
  errno?: number;
  sqlState?: string;
  sqlMessage?: string;
  message?: string;
}

/** Socket-level failures (Node's error codes) and mysql2's own. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
]);

export interface ErrorContext {
  /** The redacted URL or a description of the driver handle, for connection messages. */
  target?: string;
}

/** `Duplicate entry 'a@x' for key 'users.forge_users_uq_email'` (MySQL 8 prefixes the table; MariaDB does not). */
const DUP_KEY = /for key '(?:[^'.]*\.)?([^']+)'/;
/** `... a foreign key constraint fails (`db`.`posts`, CONSTRAINT `fk_name` FOREIGN KEY ...` */
const FK_NAME = /CONSTRAINT `([^`]+)`/;
const FK_TABLE = /\(`[^`]*`\.`([^`]+)`/;
/** `... FOREIGN KEY (`authorId`, `orgId`) REFERENCES ...`: the referencing table's columns. */
const FK_COLUMNS = /FOREIGN KEY \(([^)]+)\)/;
/** `Column 'email' cannot be null`, `Field 'email' doesn't have a default value`, `Unknown column 'x' in 'field list'`. */
const COLUMN = /(?:Column|Field|column) '([^']+)'/;
/** `Table 'db.users' doesn't exist`. */
const TABLE = /Table '(?:[^'.]*\.)?([^']+)'/;
/** `Check constraint 'c' is violated.` (MySQL 3819), `CONSTRAINT `c` failed for `db`.`t`` (MariaDB 4025). */
const CHECK_NAME = /(?:constraint '([^']+)'|CONSTRAINT `([^`]+)`)/i;

/**
 * Map a mysql2 error to `DbKnownError` where forge knows the code; return it untouched otherwise.
 * Deadlocks (1213) and lock wait timeouts (1205) are deliberately not mapped: retry loops branch on the
 * driver's code (seed 000), and `e.code` / `e.errno` stay what mysql2 says.
 */
export function mapMysqlError(e: unknown, ctx: ErrorContext = {}): unknown {
  if (!e || typeof e !== 'object' || e instanceof DbKnownError) return e;
  const err = e as DriverError;
  const errno = typeof err.errno === 'number' ? err.errno : undefined;
  const code = typeof err.code === 'string' ? err.code : undefined;
  const message = err.sqlMessage ?? err.message ?? String(e);
  const meta: Record<string, unknown> = { driverCode: errno ?? code };
  if (err.sqlState) meta.sqlState = err.sqlState;
  const where = ctx.target ? ` (${ctx.target})` : '';
  const known = (c: ConstructorParameters<typeof DbKnownError>[0], text: string) => new DbKnownError(c, text, meta, { cause: e });
  const first = (re: RegExp) => {
    const m = re.exec(message);
    return m ? (m[1] ?? m[2]) : undefined;
  };

  switch (errno) {
    case 1792:
      return known('READ_ONLY', `This transaction is read-only ($transaction(fn, { readOnly: true })), so the server refused the write: run writes in a $transaction without readOnly. ${message}`);
    case 1845:
    case 1846: {
      // ER_ALTER_OPERATION_NOT_SUPPORTED(_REASON): an ADD COLUMN forge asked to run INSTANT would copy the table.
      const err2 = new Error(
        `${message} forge asks for ALGORITHM=INSTANT so that a push never rebuilds a table behind your back; run the statement without ', ALGORITHM=INSTANT' when a table copy is acceptable (it locks writes while it runs), then run forge push again.`,
        { cause: e },
      );
      return Object.assign(err2, { errno, code: err.code, sqlState: err.sqlState });
    }
    case 1062:
    case 1586: {
      const constraint = first(DUP_KEY);
      if (constraint) meta.constraint = constraint;
      return known('UNIQUE_VIOLATION', `Unique constraint ${constraint ?? ''} failed: ${message}`);
    }
    case 1451:
    case 1452:
    case 1216:
    case 1217: {
      const constraint = first(FK_NAME);
      const table = first(FK_TABLE);
      if (constraint) meta.constraint = constraint;
      if (table) meta.table = table;
      const columns = FK_COLUMNS.exec(message)?.[1];
      if (columns) meta.columns = columns.split(',').map((c) => c.trim().replace(/^`|`$/g, '').replace(/``/g, '`'));
      return known('FOREIGN_KEY_VIOLATION', `Foreign key ${constraint ?? ''} failed${table ? ` on ${table}` : ''}: ${message}`);
    }
    case 1048:
    case 1364: {
      const column = first(COLUMN);
      if (column) meta.column = column;
      return known('NOT_NULL_VIOLATION', `${message}. Give the field a value or make it .optional().`);
    }
    case 3819:
    case 4025: {
      const constraint = first(CHECK_NAME);
      if (constraint) meta.constraint = constraint;
      return known('CHECK_VIOLATION', message);
    }
    case 1146: {
      const table = first(TABLE);
      if (table) meta.table = table;
      return known('MISSING_TABLE', `${message}. Run \`forge push\` to create the missing table.`);
    }
    case 1054: {
      const column = first(COLUMN);
      if (column) meta.column = column;
      return known('MISSING_COLUMN', `${message}. Run \`forge push\` to add the missing column.`);
    }
    case 1045:
    case 1044:
    case 1698:
      return known('AUTH_FAILED', `MySQL rejected the login${where}: ${message}. Check the user and password in DATABASE_URL.`);
    case 1049:
      return known('CONNECTION_FAILED', `The database does not exist${where}: ${message}. Create it first (CREATE DATABASE \`<name>\`;) and run forge again.`);
    case 3024:
    case 1969:
      return known('TIMEOUT', `${message}. The statement ran longer than its time limit.`);
  }
  if (code && CONNECTION_CODES.has(code)) {
    return known(
      'CONNECTION_FAILED',
      `Could not reach MySQL${where}: ${message || code}. Check that the server is running and that DATABASE_URL's host and port are right.`,
    );
  }
  return e;
}
