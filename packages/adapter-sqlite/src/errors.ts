import { DbKnownError } from '@forge/core';

interface DriverError {
  code?: unknown;
  message: string;
}

function isDriverError(e: unknown): e is DriverError {
  return e instanceof Error && !(e instanceof DbKnownError);
}

/** `users.email, users.name` (the tail of a constraint message) → table and columns. */
function parseQualifiedColumns(list: string): { table?: string; columns: string[] } {
  const parts = list.split(',').map((s) => s.trim()).filter(Boolean);
  let table: string | undefined;
  const columns = parts.map((p) => {
    const dot = p.indexOf('.');
    if (dot < 0) return p;
    table ??= p.slice(0, dot);
    return p.slice(dot + 1);
  });
  return { table, columns };
}

function constraintTail(message: string): string {
  const i = message.indexOf(':');
  return i < 0 ? '' : message.slice(i + 1).trim();
}

function uniqueViolation(e: DriverError): DbKnownError {
  const tail = constraintTail(e.message);
  // An expression index reports only its name: "UNIQUE constraint failed: index 'kx'".
  const byIndex = /^index '(.+)'$/.exec(tail);
  const meta: Record<string, unknown> = byIndex ? { index: byIndex[1], constraint: byIndex[1] } : parseQualifiedColumns(tail);
  const where = byIndex ? `index ${byIndex[1]}` : `${meta.table}(${(meta.columns as string[]).join(', ')})`;
  return new DbKnownError('UNIQUE_VIOLATION', `Unique constraint violated on ${where}: a row with that value already exists`, { ...meta, driverCode: e.code }, { cause: e });
}

function notNullViolation(e: DriverError): DbKnownError {
  const { table, columns } = parseQualifiedColumns(constraintTail(e.message));
  return new DbKnownError('NOT_NULL_VIOLATION', `${table}.${columns[0]} cannot be null: supply a value or give the field a default`, {
    table,
    column: columns[0],
    driverCode: e.code,
  }, { cause: e });
}

/**
 * SQLITE_BUSY that reached the caller: the wait for another connection's lock ran out. The connection reports its
 * own waits with how long it waited (connection.ts); this is the same failure seen without that context (a user's
 * own Database, whose busy handler did the waiting).
 */
function lockBusy(e: DriverError, code: string): DbKnownError {
  if (code === 'SQLITE_BUSY_SNAPSHOT') {
    return new DbKnownError(
      'TRANSACTION_ABORTED',
      'Another connection wrote to the database after this transaction first read it, so SQLite refuses its writes (SQLITE_BUSY_SNAPSHOT): ' +
        'run the work again in db.$transaction, which takes the write lock before its first read',
      { driverCode: code },
      { cause: e },
    );
  }
  return new DbKnownError(
    'TIMEOUT',
    'The SQLite database is locked by another connection (another process writing, a long transaction, a checkpoint) and the wait for it ran out: ' +
      "run the work again, or wait longer with ?busy_timeout=<ms> in the database URL (on your own handle: new Database(file, { timeout: ms }))",
    { driverCode: code },
    { cause: e },
  );
}

/**
 * Map a better-sqlite3 error to a DbKnownError where forge knows the failure, keeping the driver error as `cause`.
 * Anything else (I/O, syntax) is returned untouched so callers still see the driver's own code.
 */
export function mapSqliteError(e: unknown): unknown {
  if (!isDriverError(e)) return e;
  const code = typeof e.code === 'string' ? e.code : '';
  switch (code) {
    case 'SQLITE_CONSTRAINT_UNIQUE':
    case 'SQLITE_CONSTRAINT_PRIMARYKEY':
      return uniqueViolation(e);
    case 'SQLITE_CONSTRAINT_FOREIGNKEY':
      // SQLite does not say which key failed; the statement that ran is the caller's best clue.
      return new DbKnownError('FOREIGN_KEY_VIOLATION', 'Foreign key constraint failed: the referenced row does not exist, or rows still reference this one', { driverCode: code }, { cause: e });
    case 'SQLITE_CONSTRAINT_NOTNULL':
      return notNullViolation(e);
    case 'SQLITE_CONSTRAINT_CHECK':
      return new DbKnownError('CHECK_VIOLATION', `Check constraint failed: ${constraintTail(e.message)}`, { constraint: constraintTail(e.message), driverCode: code }, { cause: e });
    case 'SQLITE_BUSY':
    case 'SQLITE_BUSY_RECOVERY':
    case 'SQLITE_BUSY_SNAPSHOT':
    case 'SQLITE_BUSY_TIMEOUT':
      return lockBusy(e, code);
    case 'SQLITE_CANTOPEN':
      return new DbKnownError('CONNECTION_FAILED', `Cannot open the SQLite database (${e.message}): check the path exists and is writable`, { driverCode: code }, { cause: e });
  }
  const missingTable = /no such table: (?:main\.)?(\S+)/.exec(e.message);
  if (missingTable) {
    return new DbKnownError('MISSING_TABLE', `Table '${missingTable[1]}' does not exist: run \`forge push\` to create it`, { table: missingTable[1], driverCode: code }, { cause: e });
  }
  const namedColumn = /table (\S+) has no column named (\S+)/.exec(e.message);
  if (namedColumn) {
    return new DbKnownError('MISSING_COLUMN', `Column '${namedColumn[2]}' does not exist on '${namedColumn[1]}': run \`forge push\` to add it`, {
      table: namedColumn[1],
      column: namedColumn[2],
      driverCode: code,
    }, { cause: e });
  }
  // "error in index X after drop column: no such column" is a schema object still using a dropped column, not
  // a column the query forgot: keep SQLite's own message, which names the index.
  const missingColumn = /after drop column/.test(e.message) ? null : /no such column: (\S+)/.exec(e.message);
  if (missingColumn) {
    return new DbKnownError('MISSING_COLUMN', `Column '${missingColumn[1]}' does not exist: run \`forge push\` to add it`, { column: missingColumn[1], driverCode: code }, { cause: e });
  }
  return e;
}
