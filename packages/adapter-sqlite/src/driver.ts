import { existsSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ConfigError, type ConnectOptions, type Connection, type DriverHandle } from '@forge/core';
import { SqliteConnection } from './connection.js';
import { BETTER_SQLITE3_FLAVOR, LIBSQL_FLAVOR } from './factories.js';
import { libsqlConnectionFor, openLibsqlUrl, type LibsqlClientLike } from './libsql.js';
import { registerFold } from './fold.js';
import { mapSqliteError } from './errors.js';
import { parseSqliteUrl } from './url.js';

export interface SqliteConnectOptions extends ConnectOptions {
  /** How long a statement waits for another connection's write lock (ms). The URL's `?busy_timeout=` wins. */
  busyTimeoutMs?: number;
}

const DEFAULT_BUSY_TIMEOUT_MS = 5000;
const FLAVOR = BETTER_SQLITE3_FLAVOR;
export { betterSqlite3Driver, libsqlDriver } from './factories.js';

function fromHandle(handle: DriverHandle): Connection {
  if (handle?.__forgeDriver === true && handle.dialect === 'sqlite' && handle.flavor === LIBSQL_FLAVOR) {
    return libsqlConnectionFor(handle.client as LibsqlClientLike);
  }
  if (handle?.__forgeDriver !== true || handle.dialect !== 'sqlite' || handle.flavor !== FLAVOR) {
    throw new ConfigError(`The SQLite adapter takes betterSqlite3Driver(db) or libsqlDriver(client); got a ${handle?.flavor ?? typeof handle} driver for ${handle?.dialect ?? 'an unknown dialect'}`);
  }
  const db = handle.client as Database.Database;
  if (!db || typeof db.prepare !== 'function' || typeof db.exec !== 'function') {
    throw new ConfigError('betterSqlite3Driver(db) needs a better-sqlite3 Database: new Database(path)');
  }
  if (!db.open) throw new ConfigError('The better-sqlite3 Database passed to betterSqlite3Driver() is already closed');
  return open(db, false);
}

/**
 * Open a SQLite database from a URL (see parseSqliteUrl) or wrap a user's handle. Files get WAL (readers do not
 * block the writer); every connection waits up to `busy_timeout` (default 5 s) for a lock another connection
 * holds, on timers that keep the event loop turning, and enforces foreign keys. A user's own Database keeps its
 * busy handler: its statements wait as it is configured; transactions still wait for the write lock on timers.
 */
export async function openSqlite(target: string | DriverHandle, opts: SqliteConnectOptions = {}): Promise<Connection> {
  if (typeof target !== 'string') return fromHandle(target);
  // Turso / sqld over the network; file: and sqlite: URLs stay on better-sqlite3.
  if (/^libsql:\/\//i.test(target.trim())) return openLibsqlUrl(target);
  const parsed = parseSqliteUrl(target);
  if (!parsed.memory) {
    const dir = path.dirname(parsed.filename);
    if (!existsSync(dir)) {
      throw new ConfigError(`The directory ${dir} for the SQLite database ${path.basename(parsed.filename)} does not exist: create it first (mkdir -p ${dir})`);
    }
  }
  const busy = parsed.busyTimeoutMs ?? opts.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  if (!Number.isInteger(busy) || busy < 0) throw new ConfigError(`busyTimeoutMs must be a whole number of milliseconds, got ${busy}`);
  let db: Database.Database;
  try {
    db = new Database(parsed.filename, { timeout: busy });
  } catch (e) {
    throw mapSqliteError(e);
  }
  try {
    // Switching a new file to WAL needs the lock for a moment: SQLite's own busy handler waits for it here, once.
    db.pragma(`busy_timeout = ${busy}`);
    if (!parsed.memory) db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    // From here on forge waits for locks itself, on timers (connection.ts): SQLite's busy handler sleeps
    // synchronously and would freeze the event loop for up to busy_timeout.
    db.pragma('busy_timeout = 0');
  } catch (e) {
    db.close();
    throw mapSqliteError(e);
  }
  return open(db, true, busy);
}

/** Every connection the adapter opens, the user's own database included, gets forge's SQL functions first. */
function open(db: Database.Database, owned: boolean, waitMs?: number): Connection {
  registerFold(db);
  return SqliteConnection.open(db, owned, waitMs);
}
