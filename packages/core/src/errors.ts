/** Stable error codes for failures a caller may want to branch on. */
export type DbErrorCode =
  | 'UNIQUE_VIOLATION'
  | 'FOREIGN_KEY_VIOLATION'
  | 'NOT_NULL_VIOLATION'
  | 'CHECK_VIOLATION'
  | 'NOT_FOUND'
  | 'MISSING_TABLE'
  | 'MISSING_COLUMN'
  | 'CONNECTION_FAILED'
  | 'AUTH_FAILED'
  | 'TIMEOUT'
  /** The transaction can no longer commit (an error inside it was caught, or it was ended behind forge's back). */
  | 'TRANSACTION_ABORTED'
  /** A write inside `$transaction(fn, { readOnly: true })`: the database refused it. */
  | 'READ_ONLY';

/** The static property that holds the brand a forge error class checks `instanceof` against. */
const BRAND_OF: unique symbol = Symbol.for('forge.error.brand') as never;

/**
 * Mark `cls` as the forge error class `name`: its prototype carries `Symbol.for('forge.error.<name>')`, so
 * every instance (and every instance of a subclass) has that brand whichever copy of forge made it.
 */
function brand(cls: { prototype: object }, name: string): void {
  const symbol = Symbol.for(`forge.error.${name}`);
  Object.defineProperty(cls, BRAND_OF, { value: symbol });
  Object.defineProperty(cls.prototype, symbol, { value: true });
}

/**
 * The base of every forge error. A package loaded both as ESM and as CJS (or two installed versions) has
 * two copies of these classes; `instanceof` compares brands, not prototypes, so
 * `e instanceof DbKnownError` holds for an error raised by either copy. A class that does not brand itself
 * (a user's `class AppError extends DbKnownError {}`) gets ordinary prototype `instanceof`.
 */
export abstract class ForgeError extends Error {
  abstract readonly code: string;
  static {
    brand(this, 'ForgeError');
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    if (!Object.prototype.hasOwnProperty.call(this, BRAND_OF)) return Function.prototype[Symbol.hasInstance].call(this, value);
    const symbol = (this as unknown as { [BRAND_OF]: symbol })[BRAND_OF];
    return (typeof value === 'object' || typeof value === 'function') && value !== null && (value as Record<symbol, unknown>)[symbol] === true;
  }
}

/** What a driver said, where it said it: kept on every code's meta for logs and for branching on the driver's own code. */
export type DriverErrorInfo = {
  driverCode?: string | number;
  /** Postgres' DETAIL line. */
  detail?: string;
  sqlState?: string;
  /** SQLite's name for an expression index, which it reports instead of columns. */
  index?: string;
  state?: number;
};

/**
 * The keys a `DbKnownError.meta` may carry, the same on every dialect. Names in queries are field names (`model`,
 * `fields`, `field`); the database's names sit beside them (`table`, `columns`, `column`, `constraint`). The client
 * fills model and field names from the schema; a failure outside a model call (push, raw SQL on a table no model
 * maps) may lack them.
 */
export type DbErrorMetaKeys = DriverErrorInfo & {
  /** The schema key of the model involved, e.g. `user`. */
  model?: string;
  table?: string;
  /** The fields of the unique set or foreign key involved. */
  fields?: string[];
  columns?: string[];
  field?: string;
  column?: string;
  /** The index or constraint's name. */
  constraint?: string;
  /** A foreign key's referenced columns, where the driver names those instead of the referencing ones. */
  referencedColumns?: string[];
  waitedMs?: number;
  busyTimeoutMs?: number;
  readOnly?: true;
} & Record<string, unknown>;

/** A unique violation always names its fields and columns (empty lists when the database named none forge knows). */
export type UniqueViolationMeta = DbErrorMetaKeys & { fields: string[]; columns: string[] };

/** `meta` per code: what each code guarantees on every dialect, beyond the optional keys all codes share. */
export type DbErrorMetaByCode = {
  UNIQUE_VIOLATION: UniqueViolationMeta;
  FOREIGN_KEY_VIOLATION: DbErrorMetaKeys;
  NOT_NULL_VIOLATION: DbErrorMetaKeys;
  CHECK_VIOLATION: DbErrorMetaKeys;
  NOT_FOUND: DbErrorMetaKeys;
  MISSING_TABLE: DbErrorMetaKeys;
  MISSING_COLUMN: DbErrorMetaKeys;
  CONNECTION_FAILED: DbErrorMetaKeys;
  AUTH_FAILED: DbErrorMetaKeys;
  TIMEOUT: DbErrorMetaKeys;
  TRANSACTION_ABORTED: DbErrorMetaKeys;
  READ_ONLY: DbErrorMetaKeys;
};

/**
 * A database failure forge recognised: the code is stable across dialects, `meta` carries the same keys for a code
 * on every dialect (`DbErrorMetaByCode`). Narrow with `e.is('UNIQUE_VIOLATION')` (or `isDbKnownError(e, code)`)
 * to get that code's meta typed: `e.meta.fields`, `e.meta.model`, `e.meta.constraint`.
 */
export class DbKnownError<C extends DbErrorCode = DbErrorCode> extends ForgeError {
  override readonly name = 'DbKnownError';
  static {
    brand(this, 'DbKnownError');
  }
  readonly meta: DbErrorMetaByCode[C];
  constructor(
    readonly code: C,
    message: string,
    meta: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    // A unique violation always lists its columns and fields (empty when the database named none).
    if (code === 'UNIQUE_VIOLATION') {
      const columns = Array.isArray(meta.columns) ? (meta.columns as string[]) : [];
      meta = { ...meta, columns, fields: Array.isArray(meta.fields) ? meta.fields : [...columns] };
    }
    this.meta = meta as DbErrorMetaByCode[C];
  }

  /** Whether this error has `code`, narrowing `meta` to that code's shape. */
  is<K extends DbErrorCode>(code: K): this is DbKnownError<K> {
    return (this.code as DbErrorCode) === code;
  }
}

/** `e` is a `DbKnownError` (of `code`, when given), with that code's meta typed. */
export function isDbKnownError<K extends DbErrorCode = DbErrorCode>(e: unknown, code?: K): e is DbKnownError<K> {
  return e instanceof DbKnownError && (code === undefined || e.code === code);
}

/** A call forge refused before reaching the database: a value of the wrong type, an unknown field or operator. */
export class ValidationError extends ForgeError {
  override readonly name = 'ValidationError';
  readonly code = 'VALIDATION';
  static {
    brand(this, 'ValidationError');
  }
  constructor(message: string, readonly meta: Record<string, unknown> = {}) {
    super(message);
  }
}

/** An invalid model or schema declaration. */
export class SchemaError extends ForgeError {
  override readonly name = 'SchemaError';
  readonly code = 'INVALID_SCHEMA';
  static {
    brand(this, 'SchemaError');
  }
}

/** Bad configuration: a malformed URL, an unknown dialect, a missing adapter package. */
export class ConfigError extends ForgeError {
  override readonly name = 'ConfigError';
  readonly code = 'CONFIG';
  static {
    brand(this, 'ConfigError');
  }
}
