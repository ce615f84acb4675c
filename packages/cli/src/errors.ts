/** Exit codes shared by every command (seed 004; docs/ARCHITECTURE.md "Conventions"). */
export const EXIT = {
  ok: 0,
  /** Nothing ran: no URL, schema did not load, database unreachable, bad flag. */
  preflight: 1,
  /** At least one statement failed (push, diff apply). */
  statementFailed: 2,
  /** Drift found and `--check` was set. */
  drift: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure the CLI explains itself: the message names the problem, `hint` says what to do next. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly hint?: string,
    readonly exitCode: ExitCode = EXIT.preflight,
  ) {
    super(message);
  }
}

/**
 * Errors cross module copies here: the user's schema loads `@forge/core` through jiti (often its CJS build)
 * while the CLI uses the ESM build, so `instanceof SchemaError` would miss. Match on the name instead.
 */
export function errorName(e: unknown): string | undefined {
  return e && typeof e === 'object' && typeof (e as { name?: unknown }).name === 'string' ? (e as { name: string }).name : undefined;
}

export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

/** The first line of an error message: enough to identify it without a stack dump. */
export function firstLine(e: unknown): string {
  return errorMessage(e).split('\n')[0]?.trim() || errorName(e) || 'unknown error';
}

/** Errors that mean a bug (in forge or the user's code) rather than a situation to explain. */
export const BUG_ERRORS = new Set(['TypeError', 'ReferenceError', 'RangeError', 'SyntaxError']);

/**
 * Give a database-side failure the command's name and a next step; CLI errors and bugs pass through
 * unchanged (a bug keeps its stack for the report).
 */
export function commandFailed(command: string, e: unknown): unknown {
  if (e instanceof CliError || BUG_ERRORS.has(errorName(e) ?? '')) return e;
  // Another push holds the lock row: the message names it and what to do; doctor would find nothing wrong.
  const meta = (e as { code?: unknown; meta?: { holder?: unknown } }).meta;
  if ((e as { code?: unknown }).code === 'TIMEOUT' && typeof meta?.holder === 'string') return new CliError(`${command} failed: ${errorMessage(e)}`);
  return new CliError(`${command} failed: ${errorMessage(e)}`, 'run `npx forge doctor` to check the driver, DATABASE_URL and the database');
}
