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
  | 'TIMEOUT';

/** A database failure forge recognised: the code is stable across dialects, `meta` carries what the driver said. */
export class DbKnownError extends Error {
  override readonly name = 'DbKnownError';
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
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  readonly code = 'VALIDATION';
  constructor(message: string, readonly meta: Record<string, unknown> = {}) {
    super(message);
  }
}

/** An invalid model or schema declaration. */
export class SchemaError extends Error {
  override readonly name = 'SchemaError';
  readonly code = 'INVALID_SCHEMA';
}

/** Bad configuration: a malformed URL, an unknown dialect, a missing adapter package. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'CONFIG';
}
