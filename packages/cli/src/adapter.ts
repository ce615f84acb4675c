import { dialectForUrl, loadAdapter, redactUrl, type Adapter, type ConnectOptions, type Connection } from '@forge/core';
import { CliError, errorMessage, errorName, firstLine } from './errors.js';

export type DialectEntry = ReturnType<typeof dialectForUrl>;

/** Long enough for a cold managed database, short enough that CI learns "unreachable" quickly. */
export const CONNECT_TIMEOUT_MS = 10_000;

/** Which dialect the URL names; an unknown prefix becomes a pre-flight error listing the accepted ones. */
export function dialectOf(url: string): DialectEntry {
  try {
    return dialectForUrl(url);
  } catch (e) {
    throw asConfigError(e);
  }
}

/** Import only the adapter package for this dialect, resolved from the user's project first. */
export async function openAdapter(entry: DialectEntry, cwd: string): Promise<Adapter> {
  try {
    return await loadAdapter(entry.dialect, { fromDir: cwd });
  } catch (e) {
    throw asConfigError(e);
  }
}

/** The URL as messages show it: passwords hidden by core's one redaction rule. */
export function showUrl(url: string): string {
  return redactUrl(url);
}

/**
 * Connect, run `fn`, and always close, also when `fn` throws. Connecting is bounded twice: the adapter
 * gets the timeout, and a race guards against a driver that ignores it.
 */
export async function withConnection<T>(adapter: Adapter, url: string, fn: (conn: Connection) => Promise<T>, opts: ConnectOptions = {}): Promise<T> {
  const conn = await connect(adapter, url, CONNECT_TIMEOUT_MS, opts);
  try {
    return await fn(conn);
  } finally {
    await conn.close().catch(() => undefined);
  }
}

export async function connect(adapter: Adapter, url: string, timeoutMs = CONNECT_TIMEOUT_MS, opts: ConnectOptions = {}): Promise<Connection> {
  const pending = adapter.connect(url, { ...opts, connectTimeoutMs: timeoutMs });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${Math.round(timeoutMs / 1000)}s`)), timeoutMs + 1_000);
  });
  try {
    return await Promise.race([pending, timeout]);
  } catch (e) {
    // A connection that arrives after we gave up must not keep the process alive.
    pending.then((c) => c.close()).catch(() => undefined);
    const shown = showUrl(url);
    const reason = firstLine(adapter.mapError(e)).split(url).join(shown);
    // Adapters often name the (redacted) URL themselves; saying it twice only adds noise.
    throw new CliError(
      reason.includes(shown) ? reason : `could not connect to ${shown}: ${reason}`,
      'check that the database is running and that DATABASE_URL points at it; `npx forge doctor` checks the whole setup',
    );
  } finally {
    clearTimeout(timer);
  }
}

function asConfigError(e: unknown): unknown {
  return errorName(e) === 'ConfigError' ? new CliError(errorMessage(e)) : e;
}
