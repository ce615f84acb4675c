import type { ConnectOptions, Connection, DriverHandle } from '@forge/core';
import { ConfigError, DbKnownError, redactUrl } from '@forge/core';
import mysql from 'mysql2';
import type { Pool } from 'mysql2';
import { MysqlConnection, type PoolState } from './connection.js';
import { mapMysqlError } from './errors.js';
import { parseMysqlEngine, parseServerVersion } from './server.js';

export { mysql2Driver, type Mysql2PoolLike } from './factories.js';

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** Seed 000's sizing: a bounded pool and a bounded queue, so overload fails fast instead of queueing forever. */
const DEFAULT_CONNECTION_LIMIT = 10;
const DEFAULT_QUEUE_LIMIT = 500;

/** URL query parameters forge reads itself (the rest go to mysql2 as its own options). */
const FORGE_PARAMS = ['connection_limit', 'connectionLimit', 'queue_limit', 'queueLimit'];

function intParam(u: URL, names: string[], fallback: number): number {
  for (const n of names) {
    const v = u.searchParams.get(n);
    if (v === null) continue;
    const parsed = Number(v);
    if (!Number.isInteger(parsed) || parsed < 0) throw new ConfigError(`The database URL's ${n}=${v} is not a whole number.`);
    return parsed;
  }
  return fallback;
}

/**
 * A `mysql://` or `mariadb://` URL as a mysql2 pool forge owns: keep-alive on, `connectionLimit` (default 10)
 * and a bounded `queueLimit` (default 500) from the URL, one statement per call (`multipleStatements` off).
 */
function openPool(url: string, timeoutMs: number): Pool {
  let u: URL;
  try {
    u = new URL(url.replace(/^mariadb:/i, 'mysql:'));
  } catch {
    throw new ConfigError(`The database URL '${redactUrl(url)}' is not a valid URL. Expected mysql://user:password@host:3306/database`);
  }
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!database) {
    throw new ConfigError(`The database URL '${redactUrl(url)}' names no database. Add it to the path: mysql://user@host:3306/<database>`);
  }
  const connectionLimit = intParam(u, ['connection_limit', 'connectionLimit'], DEFAULT_CONNECTION_LIMIT);
  const queueLimit = intParam(u, ['queue_limit', 'queueLimit'], DEFAULT_QUEUE_LIMIT);
  for (const n of FORGE_PARAMS) u.searchParams.delete(n);
  const pool = mysql.createPool({
    uri: u.toString(),
    connectionLimit: Math.max(1, connectionLimit),
    queueLimit,
    waitForConnections: true,
    enableKeepAlive: true,
    keepAliveInitialDelay: 10_000,
    connectTimeout: timeoutMs,
    multipleStatements: false,
    charset: 'utf8mb4',
    timezone: 'Z',
    // JSON arrives as text on both flavours (MariaDB's JSON is LONGTEXT): the codec parses it once, the same way.
    jsonStrings: true,
  });
  // An idle connection whose server went away emits 'error'; the next query reports it instead.
  pool.on('connection', (c) => c.on('error', () => undefined));
  return pool;
}

/** A mysql2 pool from the callback API or the promise wrapper (whose `.pool` is the callback pool). */
function fromHandle(handle: DriverHandle): Pool {
  if (handle.dialect !== 'mysql') {
    throw new ConfigError(`The MySQL adapter got a ${handle.dialect} driver (${handle.flavor}); use it with the ${handle.dialect} adapter.`);
  }
  const client = handle.client as Pool & { pool?: Pool };
  const core = client.pool && typeof client.pool.getConnection === 'function' ? client.pool : client;
  if (typeof core.getConnection !== 'function' || typeof core.execute !== 'function') {
    throw new ConfigError('mysql2Driver() takes a mysql2 pool: mysql.createPool({ uri }).');
  }
  return core;
}

/** `VERSION()` tells MySQL, MariaDB and TiDB apart; `@@version_comment` also names Vitess / PlanetScale. */
function versionOf(pool: Pool): Promise<{ version: string; comment: string }> {
  return new Promise((resolve, reject) =>
    pool.query({ sql: 'SELECT VERSION(), @@version_comment', rowsAsArray: true }, (err, rows) => {
      if (err) return reject(err);
      const row = (rows as unknown[][])[0];
      resolve({ version: String(row[0]), comment: row[1] == null ? '' : String(row[1]) });
    }),
  );
}

/**
 * Open a connection: a `mysql://` / `mariadb://` URL gets a pool forge owns (ended by `close()`); a driver
 * handle wraps the user's pool. One round trip (`SELECT VERSION(), @@version_comment`) verifies the server at
 * once and tells MySQL, MariaDB, TiDB and Vitess apart, bounded by `connectTimeoutMs` so an unreachable host fails fast.
 */
export async function connect(target: string | DriverHandle, opts: ConnectOptions = {}): Promise<Connection> {
  const timeoutMs = opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const owned = typeof target === 'string';
  const pool = owned ? openPool(target, timeoutMs) : fromHandle(target);
  const label = owned ? redactUrl(target) : `${target.flavor} driver`;
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new DbKnownError('CONNECTION_FAILED', `MySQL (${label}) did not answer within ${timeoutMs} ms. Check that the server is running and reachable, or raise connectTimeoutMs.`)),
      timeoutMs,
    );
  });
  try {
    const { version, comment } = await Promise.race([versionOf(pool), limit]);
    const state: PoolState = { pool, owned, server: parseServerVersion(version), target: label, closed: false, engine: parseMysqlEngine(version, comment), lockOptions: opts };
    return new MysqlConnection(state);
  } catch (e) {
    if (owned) pool.end(() => undefined);
    throw mapMysqlError(e, { target: label });
  } finally {
    clearTimeout(timer);
  }
}
