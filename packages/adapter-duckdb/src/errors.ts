import { DbKnownError, type DbErrorCode } from '@forge/core';

export interface ErrorContext {
  /** The file (or `:memory:`) or a description of the user's handle, for connection messages. */
  target?: string;
}

/** DuckDB errors are plain `Error`s whose message starts with the error class: `Constraint Error: ...`. */
const CLASS = /^([A-Za-z]+(?: [A-Za-z]+)?) Error: /;

/** `Duplicate key "email: a@b.c" violates unique constraint.` / `... violates primary key constraint.` */
const DUPLICATE = /Duplicate key "([^"]*)" violates (unique|primary key) constraint/i;
/** `Violates foreign key constraint because key "uid: 1" does not exist in the referenced table` */
const FOREIGN = /violates foreign key constraint because key "([^"]*)" (does not exist in the referenced table|is still referenced)/i;
/** `NOT NULL constraint failed: users.email` */
const NOT_NULL = /NOT NULL constraint failed: ([^.\s]+)\.(\S+)/i;
const CHECK = /CHECK constraint failed/i;
/** `Table with name nope does not exist!` */
const TABLE = /Table with name (\S+) does not exist/i;
/** `Referenced column "x" not found in FROM clause!`, `Table "t" does not have a column named "x"` */
const COLUMN = /(?:Referenced column "([^"]+)" not found|does not have a column named "([^"]+)")/i;
/** Another process holds the file: `Could not set lock on file "/x.duckdb": Conflicting lock is held in ... (PID 12)` */
export const FILE_LOCKED = /Could not set lock on file/i;
const CANNOT_OPEN = /(Cannot open file|Cannot open database|No such file or directory|Permission denied)/i;

const ALTER_HINT =
  'DuckDB cannot drop a column, or make one NOT NULL, while an index or another table\'s foreign key depends on the table (even an index dropped earlier in the same transaction).';
const ALTER_HINT_MARK = /DuckDB cannot drop a column, or make one NOT NULL/;

/** `"email: a@b.c"` → the key columns (`email`), for meta. */
function keyColumns(key: string): string[] {
  return key
    .split(',')
    .map((p) => p.split(':')[0].trim())
    .filter(Boolean);
}

/** The message without DuckDB's LINE / caret context and its "Did you mean" hints. */
function firstLine(message: string): string {
  return message.split('\n')[0];
}

/**
 * Map a DuckDB error to `DbKnownError` where forge knows the failure, keeping the driver error as `cause`.
 * Transaction conflicts (`TransactionContext Error: Conflict on ...`) are deliberately left as they are: a
 * retry loop branches on the driver's message, as seed 000 says of serialization failures.
 */
export function mapDuckdbError(e: unknown, ctx: ErrorContext = {}): unknown {
  if (!(e instanceof Error) || e instanceof DbKnownError) return e;
  // The Appender reports a constraint failure without its class: `Failed to append: Duplicate key ...`.
  const message = e.message.replace(/^Failed to append: (?=Duplicate key|Violates foreign key|NOT NULL constraint)/i, 'Constraint Error: ');
  const cls = CLASS.exec(message)?.[1];
  const meta: Record<string, unknown> = { driverCode: cls ? `${cls} Error` : undefined };
  const known = (code: DbErrorCode, text: string) => new DbKnownError(code, text, meta, { cause: e });
  const where = ctx.target ? ` (${ctx.target})` : '';

  if (cls === 'Constraint') {
    const dup = DUPLICATE.exec(message);
    if (dup) {
      meta.columns = keyColumns(dup[1]);
      return known('UNIQUE_VIOLATION', `Unique constraint violated on (${(meta.columns as string[]).join(', ')}): a row with that value already exists. ${firstLine(message)}`);
    }
    const fk = FOREIGN.exec(message);
    if (fk) {
      const still = /still referenced/i.test(fk[2]);
      // A missing parent is named by the referenced table's key ("id: 1"); the client maps it to the foreign key's
      // own columns through the schema. A key "still referenced" names the referencing column, on another table.
      if (!still) meta.referencedColumns = keyColumns(fk[1]);
      return known(
        'FOREIGN_KEY_VIOLATION',
        still
          ? `Foreign key violated: the row is still referenced by another table (${fk[1]}). Delete the referencing rows first, in an earlier transaction: DuckDB checks foreign keys per statement and has no ON DELETE CASCADE. ${firstLine(message)}`
          : `Foreign key violated: ${fk[1]} does not exist in the referenced table. ${firstLine(message)}`,
      );
    }
    const nn = NOT_NULL.exec(message);
    if (nn) {
      meta.table = nn[1];
      meta.column = nn[2];
      return known('NOT_NULL_VIOLATION', `${nn[1]}.${nn[2]} cannot be null: supply a value or give the field a default`);
    }
    if (CHECK.test(message)) return known('CHECK_VIOLATION', firstLine(message));
  }
  if (cls === 'TransactionContext' && /transaction is launched in read-only mode/i.test(message)) {
    return known('READ_ONLY', `This transaction is read-only ($transaction(fn, { readOnly: true })), and DuckDB refuses its writes: ${firstLine(message)} Run the write outside it, or in a transaction without readOnly.`);
  }
  if (cls === 'TransactionContext' && /Current transaction is aborted/i.test(message)) {
    return known(
      'TRANSACTION_ABORTED',
      'The transaction is aborted: an earlier statement in it failed, and DuckDB refuses every statement until the transaction ends. ' +
        'Let that error end the $transaction callback (it rolls back), or run the statement that may fail in a transaction of its own: DuckDB has no savepoint to roll back to.',
    );
  }
  if (cls === 'Catalog') {
    const t = TABLE.exec(message);
    if (t) {
      meta.table = t[1];
      return known('MISSING_TABLE', `${firstLine(message)} Run \`forge push\` to create the missing table.`);
    }
  }
  if (cls === 'Binder') {
    const c = COLUMN.exec(message);
    if (c) {
      meta.column = c[1] ?? c[2];
      return known('MISSING_COLUMN', `${firstLine(message)} Run \`forge push\` to add the missing column.`);
    }
  }
  if ((cls === 'Dependency' && /Cannot alter entry/i.test(message)) || (cls === 'Catalog' && /Cannot drop this column: an index depends on/i.test(message))) {
    // Left as DuckDB's error (no forge code fits), with the cause and the way out in its message (once: the same
    // error can pass through here more than once).
    if (!ALTER_HINT_MARK.test(e.message)) {
      e.message =
        `${firstLine(message)} ${ALTER_HINT} ` +
        `Drop the table's indexes first (DROP INDEX ...; in a transaction of its own), run forge diff apply (or push) again, then forge push to recreate them.`;
    }
    return e;
  }
  if (cls === 'IO') {
    if (FILE_LOCKED.test(message)) {
      return known(
        'CONNECTION_FAILED',
        `The DuckDB file${where} is open in another process, and DuckDB lets one process write a file at a time: ${firstLine(message)} ` +
          `Stop that process (or close its database), or wait longer with ?lock_timeout=60000 in the URL.`,
      );
    }
    if (CANNOT_OPEN.test(message)) return known('CONNECTION_FAILED', `Could not open the DuckDB database${where}: ${firstLine(message)}`);
  }
  return e;
}
