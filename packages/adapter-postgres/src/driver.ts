import type { ConnectOptions, Connection, DriverHandle } from '@forge/core';
import { ConfigError, DbKnownError, postgresSchemaOf, redactUrl } from '@forge/core';
import pg from 'pg';
import type { Sql } from 'postgres';
import type { Backend } from './backend.js';
import { PgConnection, readExtensions, type PoolState } from './connection.js';
import { parsePgEngine } from './engine.js';
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

/** `version()` names the engine (CockroachDB, YugabyteDB); `current_schema()` checks a `?schema=` tenant exists. */
async function readServer(backend: Backend): Promise<{ version: string; schema: string | null }> {
  const res = await backend.run('SELECT version(), current_schema()', [], 'arrays');
  const row = (res.rows as unknown[][])[0] ?? [];
  return { version: String(row[0] ?? ''), schema: row[1] == null ? null : String(row[1]) };
}

/**
 * Open a connection: a `postgres://` / `postgresql://` URL gets a pg.Pool that forge owns (closed by
 * `close()`); a driver handle wraps the user's pool. Two round trips verify the server at once (reading the
 * installed extensions, then `version()`, which tells CockroachDB and YugabyteDB from PostgreSQL), bounded by
 * `connectTimeoutMs` so an unreachable host fails fast. `?schema=tenant_a` (or `?search_path=a,b`) in the URL
 * becomes the session's search path, as in fan-out; the schema must exist.
 */
export async function connect(target: string | DriverHandle, opts: ConnectOptions = {}): Promise<Connection> {
  const timeoutMs = opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  // A pglite: URL starts PGlite in this process (no network, so not under the connect timeout: a cold start
  // takes seconds on a busy machine).
  const pglite = typeof target === 'string' && /^pglite:/i.test(target.trim());
  const tenant = typeof target === 'string' && !pglite ? postgresSchemaOf(target) : undefined;
  const url = tenant?.url ?? target;
  const backend = pglite ? await openPgliteUrl(target as string) : typeof url === 'string' ? openPool(url, timeoutMs) : fromHandle(url);
  const label = typeof target === 'string' ? redactUrl(target) : `${target.flavor} driver`;
  const limit = timeout(timeoutMs, label);
  try {
    const extensions = await Promise.race([readExtensions(backend), limit.promise]);
    const server = await Promise.race([readServer(backend), limit.promise]);
    if (tenant && server.schema !== tenant.schemas[0]) {
      throw new ConfigError(
        `schema ${tenant.schemas[0]} (from the URL ${label}) does not exist in this database${server.schema ? ` (the search path would fall back to ${server.schema})` : ''}; create it first (CREATE SCHEMA ${tenant.schemas[0]}) and connect again.`,
      );
    }
    const state: PoolState = { backend, names: new StatementNames(), extensions, target: label, closed: false, engine: parsePgEngine(server.version), lockOptions: opts };
    return new PgConnection(state);
  } catch (e) {
    // Not awaited: a connect attempt still pending on an unreachable host would hold `end()` until it gives up.
    backend.end().catch(() => undefined);
    throw mapPgError(e, { target: label });
  } finally {
    limit.cancel();
  }
}
