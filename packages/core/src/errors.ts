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

/** A database failure forge recognised: the code is stable across dialects, `meta` carries what the driver said. */
export class DbKnownError extends ForgeError {
  override readonly name = 'DbKnownError';
  static {
    brand(this, 'DbKnownError');
  }
  constructor(
    readonly code: DbErrorCode,
    message: string,
    readonly meta: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
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
