import type { ConnectOptions, Connection, DriverHandle } from '@forge/core';
import { ConfigError, DbKnownError, redactUrl } from '@forge/core';
import pg from 'pg';
import type { Sql } from 'postgres';
import type { Backend } from './backend.js';
import { PgConnection, readExtensions, type PoolState } from './connection.js';
import { mapPgError } from './errors.js';
import { PgBackend, PgClientBackend } from './pg-backend.js';
import { PostgresJsBackend } from './postgresjs-backend.js';
import { openPgliteUrl, pgliteBackendFor, type PgliteLike } from './pglite-backend.js';
import { StatementNames } from './statements.js';

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export { pgDriver, pgliteDriver, postgresJsDriver, type PostgresDriverOptions } from './factories.js';
import type { PostgresDriverOptions } from './factories.js';

const isPool = (client: object): client is pg.Pool => 'totalCount' in client;

const PREPARE_PARAM = /([?&])prepare=([^&#]*)(&?)/i;

/** `?prepare=false` in the URL turns named statements off; it is taken out before pg parses the URL. */
function openPool(url: string, timeoutMs: number): Backend {
  const m = PREPARE_PARAM.exec(url);
  const prepare = !m || m[2].toLowerCase() !== 'false';
  const connectionString = m ? url.replace(PREPARE_PARAM, (_all, sep: string, _v, more: string) => (more ? sep : '')) : url;
  const pool = new pg.Pool({ connectionString, connectionTimeoutMillis: timeoutMs });
  // An idle client whose server went away emits 'error' on the pool; unhandled, that would end the process.
  // The next query on the pool reports the failure instead.
  pool.on('error', () => undefined);
  return new PgBackend(pool, true, prepare);
}

function fromHandle(handle: DriverHandle): Backend {
  if (handle.dialect !== 'postgres') {
    throw new ConfigError(`The PostgreSQL adapter got a ${handle.dialect} driver (${handle.flavor}); use it with the ${handle.dialect} adapter.`);
  }
  const prepare = (handle.options as PostgresDriverOptions | undefined)?.prepare !== false;
  if (handle.flavor === 'pg') {
    const client = handle.client as pg.Pool | pg.Client;
    return isPool(client) ? new PgBackend(client, false, prepare) : new PgClientBackend(client, prepare);
  }
  if (handle.flavor === 'postgres.js') {
    const sql = handle.client as Sql;
    return new PostgresJsBackend(sql, prepare && (sql.options as { prepare?: boolean } | undefined)?.prepare !== false);
  }
  if (handle.flavor === 'pglite') return pgliteBackendFor(handle.client as PgliteLike);
  throw new ConfigError(`Unknown PostgreSQL driver flavor '${handle.flavor}': use pgDriver(pool), postgresJsDriver(sql) or pgliteDriver(db).`);
}

function timeout(ms: number, target: string): { promise: Promise<never>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new DbKnownError(
            'CONNECTION_FAILED',
            `PostgreSQL (${target}) did not answer within ${ms} ms. Check that the server is running and reachable, or raise connectTimeoutMs.`,
          ),
        ),
      ms,
    );
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

/**
 * Open a connection: a `postgres://` / `postgresql://` URL gets a pg.Pool that forge owns (closed by
 * `close()`); a driver handle wraps the user's pool. One round trip verifies the server at once (reading the
 * installed extensions on the way), bounded by `connectTimeoutMs` so an unreachable host fails fast.
 */
export async function connect(target: string | DriverHandle, opts: ConnectOptions = {}): Promise<Connection> {
  const timeoutMs = opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  // A pglite: URL starts PGlite in this process (no network, so not under the connect timeout: a cold start
  // takes seconds on a busy machine).
  const pglite = typeof target === 'string' && /^pglite:/i.test(target.trim());
  const backend = pglite ? await openPgliteUrl(target as string) : typeof target === 'string' ? openPool(target, timeoutMs) : fromHandle(target);
  const label = typeof target === 'string' ? redactUrl(target) : `${target.flavor} driver`;
  const limit = timeout(timeoutMs, label);
  try {
    const extensions = await Promise.race([readExtensions(backend), limit.promise]);
    const state: PoolState = { backend, names: new StatementNames(), extensions, target: label, closed: false };
    return new PgConnection(state);
  } catch (e) {
    // Not awaited: a connect attempt still pending on an unreachable host would hold `end()` until it gives up.
    backend.end().catch(() => undefined);
    throw mapPgError(e, { target: label });
  } finally {
    limit.cancel();
  }
}
