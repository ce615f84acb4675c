import type { ConnectOptions, Connection, DriverHandle } from '@forge/core';
import { ConfigError, DbKnownError, redactUrl } from '@forge/core';
import mssql from 'mssql';
import { internals, MssqlConnection, type PoolState } from './connection.js';
import { mapMssqlError, type ErrorContext } from './errors.js';
import { parseMssqlUrl, type MssqlUrlConfig } from './url.js';

export { mssqlDriver, type MssqlPoolLike } from './factories.js';

const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;
/**
 * Seed 000: mssql's 15 s requestTimeout cancels a long report half-way; forge's own pool allows a minute per
 * statement (`?requestTimeout=<ms>` on the URL changes it, 0 for none).
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
/** Tedious' pool defaults (min 0, max 10), with idle connections closed after 30 s. */
const DEFAULT_POOL_MAX = 10;

/** The mssql ConnectionPool config for a parsed URL. */
export function poolConfig(u: MssqlUrlConfig, connectTimeoutMs: number): mssql.config {
  const options: mssql.IOptions = {
    encrypt: u.encrypt,
    trustServerCertificate: u.trustServerCertificate,
    // Dates travel as UTC (forge's dateTime is datetime2 holding UTC); GUIDs read in lower case, as forge writes them.
    useUTC: true,
    appName: u.appName ?? 'forge',
  };
  (options as Record<string, unknown>).lowerCaseGuids = true;
  if (u.instanceName) options.instanceName = u.instanceName;
  const config: mssql.config = {
    server: u.server,
    options,
    connectionTimeout: u.connectTimeout ?? connectTimeoutMs,
    requestTimeout: u.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT_MS,
    pool: { max: u.poolMax ?? DEFAULT_POOL_MAX, min: 0, idleTimeoutMillis: 30_000 },
  };
  if (u.port !== undefined) config.port = u.port;
  if (u.database !== undefined) config.database = u.database;
  if (u.user !== undefined) config.user = u.user;
  if (u.password !== undefined) config.password = u.password;
  return config;
}

/** `host:port`, `host\INSTANCE` or `host:1433` (the default port), for messages. */
export function addressOf(u: Pick<MssqlUrlConfig, 'server' | 'port' | 'instanceName'>): string {
  const host = u.server.includes(':') ? `[${u.server}]` : u.server;
  return u.instanceName ? `${host}\\${u.instanceName}` : `${host}:${u.port ?? 1433}`;
}

function fromHandle(handle: DriverHandle): mssql.ConnectionPool {
  if (handle.dialect !== 'mssql') {
    throw new ConfigError(`The SQL Server adapter got a ${handle.dialect} driver (${handle.flavor}); use it with the ${handle.dialect} adapter.`);
  }
  const pool = handle.client as mssql.ConnectionPool;
  if (!pool || typeof pool.request !== 'function' || typeof internals(pool).acquire !== 'function') {
    throw new ConfigError('mssqlDriver() takes an mssql ConnectionPool: new sql.ConnectionPool(config).');
  }
  return pool;
}

interface VersionRow {
  version: string | null;
  /** Whether the built-in VECTOR type exists (SQL Server 2025, Azure SQL): it decides how vectors are ordered. */
  has_vector?: boolean | number | null;
}

/** The version and the VECTOR type in the one round trip connect makes. */
const CONNECT_SQL =
  "SELECT CAST(SERVERPROPERTY('ProductVersion') AS nvarchar(128)) AS version, " +
  "CAST(CASE WHEN EXISTS (SELECT 1 FROM sys.types WHERE name = N'vector' AND is_user_defined = 0) THEN 1 ELSE 0 END AS bit) AS has_vector";

/**
 * Open a connection: a `mssql://` / `sqlserver://` URL gets a ConnectionPool forge owns (closed by `close()`); a
 * driver handle wraps the user's pool (connected here if it is not yet, never closed by forge). One round trip
 * (`SERVERPROPERTY('ProductVersion')`) proves the server answers, and the whole attempt is bounded by
 * `connectTimeoutMs`, so an unreachable host fails fast with its address and the next step.
 */
export async function connect(target: string | DriverHandle, opts: ConnectOptions = {}): Promise<Connection> {
  const timeoutMs = opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const owned = typeof target === 'string';
  let pool: mssql.ConnectionPool;
  let context: ErrorContext;
  if (owned) {
    const parsed = parseMssqlUrl(target);
    pool = new mssql.ConnectionPool(poolConfig(parsed, timeoutMs));
    context = { target: redactUrl(target), address: addressOf(parsed) };
  } else {
    pool = fromHandle(target);
    const cfg = internals(pool).config as Partial<mssql.config> | undefined;
    context = { target: `${target.flavor} driver`, address: cfg?.server ? addressOf({ server: cfg.server, port: cfg.port, instanceName: cfg.options?.instanceName }) : undefined };
  }
  // A pool that never formed emits 'error' for its failed connection attempts; the rejected connect() reports it.
  if (owned) pool.on('error', () => undefined);
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new DbKnownError(
            'CONNECTION_FAILED',
            `SQL Server${context.address ? ` at ${context.address}` : ''} (${context.target}) did not answer within ${timeoutMs} ms. Check that the server is running and reachable on that host and port, or raise connectTimeoutMs.`,
          ),
        ),
      timeoutMs,
    );
  });
  try {
    const { version, extensions } = await Promise.race([
      (async () => {
        if (!pool.connected) await pool.connect();
        const res = await pool.request().query<VersionRow>(CONNECT_SQL);
        const row = res.recordset[0];
        const vector = row?.has_vector === true || row?.has_vector === 1;
        return { version: row?.version ?? 'unknown', extensions: new Set<string>(vector ? ['vector'] : []) };
      })(),
      limit,
    ]);
    const state: PoolState = { pool, owned, context, version, extensions, closed: false };
    return new MssqlConnection(state);
  } catch (e) {
    if (owned) pool.close().catch(() => undefined);
    throw mapMssqlError(e, context);
  } finally {
    clearTimeout(timer);
  }
}
