import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { DuckDBConnection, DuckDBInstance, DuckDBInstanceCache } from '@duckdb/node-api';
import { ConfigError, DbKnownError, type ConnectOptions, type Connection, type DriverHandle } from '@forge/core';
import { DuckdbConnection, Session, type Shared } from './connection.js';
import { FILE_LOCKED, mapDuckdbError } from './errors.js';
import { DUCKDB_NODE_API_FLAVOR } from './factories.js';
import { Gate } from './gate.js';
import { parseDuckdbUrl } from './url.js';

export { duckdbDriver } from './factories.js';

/**
 * How long opening a file waits for another process to let go of it. DuckDB lets one process at a time open a
 * file for writing; a concurrent `forge push` in another process holds it for the few seconds it runs.
 */
const DEFAULT_LOCK_TIMEOUT_MS = 30_000;

/** DuckDB's file starts with three 4 KiB header blocks; a file with less is still being written by its creator. */
const HEADER_BYTES = 3 * 4096;

function beingCreated(filename: string, message: string): boolean {
  if (!/not a valid DuckDB database file/i.test(message)) return false;
  try {
    return statSync(filename).size < HEADER_BYTES;
  } catch {
    return true;
  }
}

/**
 * One instance per file in this process, from the driver's instance cache: two handles on one file share the
 * database (DuckDB would refuse, or worse, a second instance on a file the process already has open). Each
 * handle from the cache is a reference; the file is closed when the last one is.
 */
async function openInstance(filename: string, memory: boolean, lockTimeoutMs: number): Promise<DuckDBInstance> {
  if (memory) return DuckDBInstance.create(':memory:');
  const deadline = Date.now() + lockTimeoutMs;
  for (let pause = 5; ; pause = Math.min(pause * 2, 200)) {
    try {
      return await DuckDBInstanceCache.singleton.getOrCreateInstance(filename);
    } catch (e) {
      // "Unique file handle conflict": the cache's last handle on this file is still closing; retry as for a lock.
      // A file shorter than DuckDB's headers is one another process is creating right now: wait for it too.
      const retry = e instanceof Error && (FILE_LOCKED.test(e.message) || /Unique file handle conflict/i.test(e.message) || beingCreated(filename, e.message));
      if (!retry || Date.now() >= deadline) throw e;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(pause, Math.max(1, deadline - Date.now()))));
  }
}

function shared(instance: DuckDBInstance | undefined, main: Session, owned: boolean, target: string): Shared {
  return { instance, main, idle: [], opened: instance ? [main] : [], ownsInstance: owned, target, gate: new Gate(), closed: false };
}

async function fromHandle(handle: DriverHandle): Promise<Connection> {
  if (handle?.__forgeDriver !== true || handle.dialect !== 'duckdb' || handle.flavor !== DUCKDB_NODE_API_FLAVOR) {
    throw new ConfigError(`The DuckDB adapter takes duckdbDriver(instance or connection); got a ${handle?.flavor ?? typeof handle} driver for ${handle?.dialect ?? 'an unknown dialect'}`);
  }
  const label = 'a DuckDB database you opened (duckdbDriver)';
  if (handle.client instanceof DuckDBConnection || handle.options?.kind === 'connection') {
    return new DuckdbConnection(shared(undefined, new Session(handle.client as DuckDBConnection), false, label));
  }
  const instance = handle.client as DuckDBInstance;
  try {
    return new DuckdbConnection(shared(instance, new Session(await instance.connect()), false, label));
  } catch (e) {
    throw mapDuckdbError(e, { target: label });
  }
}

/**
 * Open a DuckDB database from a URL (see parseDuckdbUrl) or wrap a user's instance or connection. A file that
 * another process holds is waited for, up to `?lock_timeout=` (else `connectTimeoutMs`, else 30 s).
 */
export async function openDuckdb(target: string | DriverHandle, opts: ConnectOptions = {}): Promise<Connection> {
  if (typeof target !== 'string') return fromHandle(target);
  const parsed = parseDuckdbUrl(target);
  if (!parsed.memory) {
    const dir = path.dirname(parsed.filename);
    if (!existsSync(dir)) {
      throw new ConfigError(`The directory ${dir} for the DuckDB database ${path.basename(parsed.filename)} does not exist: create it first (mkdir -p ${dir})`);
    }
  }
  const wait = parsed.lockTimeoutMs ?? opts.connectTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  let instance: DuckDBInstance;
  try {
    instance = await openInstance(parsed.filename, parsed.memory, wait);
  } catch (e) {
    const mapped = mapDuckdbError(e, { target: parsed.filename });
    if (mapped instanceof DbKnownError && FILE_LOCKED.test(String((mapped.cause as Error)?.message)) && wait > 0) {
      throw new DbKnownError('TIMEOUT', `Waited ${wait} ms to open ${parsed.filename}: ${mapped.message}`, mapped.meta, { cause: e });
    }
    throw mapped;
  }
  try {
    return new DuckdbConnection(shared(instance, new Session(await instance.connect()), true, parsed.filename));
  } catch (e) {
    instance.closeSync();
    throw mapDuckdbError(e, { target: parsed.filename });
  }
}
