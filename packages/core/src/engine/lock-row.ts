/**
 * The lock-row push lock: where the dialect's own lock (a Postgres advisory lock, MySQL's GET_LOCK) is missing or
 * a no-op on the engine behind the wire (CockroachDB, YugabyteDB, Vitess), or where `lockStrategy: 'row'` asks for
 * it, a push serialises on one row of forge's table `_forge_lock` instead.
 *
 * - acquire: a short transaction reads the row `FOR UPDATE`; a missing row is inserted, an expired lease (or one
 *   this holder already has) is taken over, a live lease makes the caller wait and try again until its wait ends;
 * - lease: the row says until when it is held, on the database's clock (never two machines' clocks compared);
 *   a timer renews it every third of the lease while the push runs, so a killed push stops renewing and its
 *   row expires on its own;
 * - release: the row is deleted by its holder at the end, also when the push throws.
 *
 * Dialect-neutral: an adapter supplies the few spellings that differ (`LockRowDialect`); everything else is
 * portable SQL over `Connection`.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { ConnectOptions, Connection, EngineFacts, LockStrategy } from '../adapter.js';
import { LOCK_TABLE } from '../diff/ignore.js';
import { ConfigError, DbKnownError } from '../errors.js';
import { connectionLockSettings } from './engine-notes.js';

/** The row a push takes: one per database (per schema on Postgres, where the table lives in the search path's first schema). */
export const PUSH_LOCK_ROW = 'push';
/** How long a lease lasts unless renewed; FORGE_LOCK_LEASE or forge.config `lockLease` change it. */
export const DEFAULT_LOCK_LEASE_MS = 60_000;
/** How long a push waits for a lease another live push holds before it fails with the holder's name. */
export const DEFAULT_LOCK_WAIT_MS = 60_000;
/** The shortest lease accepted: renewal runs every third of it, and a round trip must fit well inside. */
export const MIN_LOCK_LEASE_MS = 3_000;
/** How long a freshly created `_forge_lock` may take to become visible where DDL is asynchronous. */
const TABLE_VISIBLE_MS = 30_000;

/** What differs per dialect: placeholders, the clock, the table's DDL. */
export interface LockRowDialect {
  /** The n-th (1-based) bind placeholder: `$1` on Postgres, `?` on MySQL. */
  param(n: number): string;
  /** An expression giving the server's current time as whole milliseconds since the epoch (a wall clock, not the transaction's start). */
  nowMs: string;
  /** One statement creating `_forge_lock` when it is missing (columns name, holder, info, acquired_ms, expires_ms). */
  createTable: string;
}

/** The portable `CREATE TABLE` body; an adapter may use it as is (`CREATE TABLE IF NOT EXISTS` is on every SQL engine forge targets). */
export function lockTableDdl(quote: (name: string) => string = (n) => n): string {
  return (
    `CREATE TABLE IF NOT EXISTS ${quote(LOCK_TABLE)} (name VARCHAR(64) NOT NULL PRIMARY KEY, holder VARCHAR(64) NOT NULL, ` +
    'info VARCHAR(255) NOT NULL, acquired_ms BIGINT NOT NULL, expires_ms BIGINT NOT NULL)'
  );
}

/** Who holds, or waits for, the lock row: what the error and `onLockWait` show. */
export interface LockHolder {
  holder: string;
  info: string;
  /** When the lease ends, on the database's clock (ms since the epoch). */
  expiresAtMs: number;
  /** How long until then, as the database saw it at the last look. */
  expiresInMs: number;
}

export interface LockRowOptions {
  /** Lease length (default 60 s, at least 3 s). */
  leaseMs?: number;
  /** How long to wait for a live lease held by another push; 0 waits until it is released or expires. Default 60 s. */
  waitMs?: number;
  /** The row to take (default `push`). */
  name?: string;
  /** Shown to whoever waits for this holder (default: host, pid and command). */
  info?: string;
  /** Called when the lock is held by another live holder (once per holder seen). */
  onWait?: (holder: LockHolder) => void;
  /** Time between attempts while waiting (default 250 ms). */
  pollMs?: number;
}

const STRATEGIES: readonly LockStrategy[] = ['auto', 'native', 'row'];

/** `'auto'`, `'native'` or `'row'`, from a config value or FORGE_LOCK_STRATEGY; a clear ConfigError otherwise. */
export function parseLockStrategy(value: unknown, source = 'lockStrategy'): LockStrategy {
  const v = typeof value === 'string' ? value.trim().toLowerCase() : value;
  if (STRATEGIES.includes(v as LockStrategy)) return v as LockStrategy;
  throw new ConfigError(
    `${source}=${JSON.stringify(value)} is not a lock strategy: use 'auto' (the engine's own lock, a ${LOCK_TABLE} row where it has none), 'row' (always the ${LOCK_TABLE} row) or 'native' (always the engine's lock).`,
  );
}

/** A duration (`'90s'`, `'500ms'`, `'2m'`, a bare number of seconds as text, or a number of ms) as milliseconds, or undefined. */
export function parseLockDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.round(value) : undefined;
  if (typeof value !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/i.exec(value);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = (m[2] ?? 's').toLowerCase();
  return Math.round(unit === 'ms' ? n : unit === 'm' ? n * 60_000 : n * 1000);
}

/** A lease length from config or FORGE_LOCK_LEASE, checked: a duration of at least 3 s. */
export function parseLockLease(value: unknown, source = 'lockLease'): number {
  const ms = parseLockDuration(value);
  if (ms === undefined || ms < MIN_LOCK_LEASE_MS) {
    throw new ConfigError(
      `${source}=${JSON.stringify(value)} is not a lock lease: give a duration of at least ${MIN_LOCK_LEASE_MS / 1000}s, e.g. '60s' or '2m' (the lease is renewed every third of it while a push runs).`,
    );
  }
  return ms;
}

/**
 * The lock settings of one connection: what the caller passed to `connect`, else the environment
 * (FORGE_LOCK_STRATEGY, FORGE_LOCK_LEASE), else the defaults. Bad values are a ConfigError at connect, before
 * any push starts.
 */
export interface LockSettings {
  strategy: LockStrategy;
  leaseMs: number;
  waitMs: number;
  onWait?: (holder: LockHolder) => void;
}

/** The push lock settings of `conn`: those it was opened with, else the environment's. */
export function lockSettingsOf(conn: Connection): LockSettings {
  return connectionLockSettings(conn) ?? lockSettings();
}

export function lockSettings(opts: ConnectOptions = {}, env: NodeJS.Dict<string> = typeof process === 'undefined' ? {} : process.env): LockSettings {
  const strategy =
    opts.lockStrategy !== undefined
      ? parseLockStrategy(opts.lockStrategy)
      : env.FORGE_LOCK_STRATEGY
        ? parseLockStrategy(env.FORGE_LOCK_STRATEGY, 'FORGE_LOCK_STRATEGY')
        : 'auto';
  const leaseMs =
    opts.lockLeaseMs !== undefined
      ? parseLockLease(opts.lockLeaseMs, 'lockLeaseMs')
      : env.FORGE_LOCK_LEASE
        ? parseLockLease(env.FORGE_LOCK_LEASE, 'FORGE_LOCK_LEASE')
        : DEFAULT_LOCK_LEASE_MS;
  let waitMs = DEFAULT_LOCK_WAIT_MS;
  if (opts.lockWaitMs !== undefined) {
    if (!(Number.isFinite(opts.lockWaitMs) && opts.lockWaitMs >= 0)) {
      throw new ConfigError(`lockWaitMs=${JSON.stringify(opts.lockWaitMs)} is not a wait: give milliseconds, 0 or more (0 waits until the holder is done).`);
    }
    waitMs = opts.lockWaitMs;
  }
  const onLockWait = opts.onLockWait;
  return {
    strategy,
    leaseMs,
    waitMs,
    onWait: onLockWait ? (h) => onLockWait({ holder: h.holder, info: h.info, expiresInMs: h.expiresInMs }) : undefined,
  };
}

/** The default `info`: enough for a person to find the process that holds the lock. */
export function defaultHolderInfo(): string {
  // The script's file name and its first argument when that is a plain word (`bin.js push`): never a URL or a
  // path, which could carry a password into the table and into other pushes' messages.
  const [script, first] = process.argv.slice(1, 3);
  const cmd = [script?.split(/[\\/]/).pop(), first && /^[\w.-]{1,40}$/.test(first) ? first : undefined].filter(Boolean).join(' ');
  return `${hostname()} pid ${process.pid}${cmd ? ` (${cmd})` : ''}`.slice(0, 255);
}

interface Row {
  holder: string;
  info: string;
  expires: number;
  now: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Errors the acquire transaction may hit only because another pusher raced it: two inserts of the missing row
 * (unique violation), a serialization failure (CockroachDB and YugabyteDB retry errors, 40001), a deadlock
 * (40P01, MySQL 1213), a row-lock wait (1205) or TiDB's optimistic write conflict (9007, 8002). They are retried;
 * anything else is thrown.
 */
export function isLockRace(e: unknown): boolean {
  for (let cur: unknown = e, depth = 0; cur && depth < 4; cur = (cur as { cause?: unknown }).cause, depth++) {
    if (cur instanceof DbKnownError && cur.code === 'UNIQUE_VIOLATION') return true;
    const c = cur as { code?: unknown; errno?: unknown };
    if (c.code === '40001' || c.code === '40P01' || c.code === '23505' || c.code === 'ER_LOCK_DEADLOCK' || c.code === 'ER_LOCK_WAIT_TIMEOUT' || c.code === 'ER_DUP_ENTRY') return true;
    // MySQL deadlock, lock wait, duplicate key; TiDB's optimistic write conflict (9007) and SELECT FOR UPDATE retry (8002).
    if (c.errno === 1213 || c.errno === 1205 || c.errno === 1062 || c.errno === 9007 || c.errno === 8002) return true;
  }
  return false;
}

function holderOf(row: Row): LockHolder {
  return { holder: row.holder, info: row.info, expiresAtMs: row.expires, expiresInMs: Math.max(0, row.expires - row.now) };
}

/** The message of a push that gave up waiting: who holds the lock, when its lease ends, what to do. */
export function lockHeldMessage(h: LockHolder, waitedMs: number, table = LOCK_TABLE, name = PUSH_LOCK_ROW): string {
  const ends = new Date(h.expiresAtMs).toISOString();
  return (
    `Another forge push holds the push lock (row '${name}' of ${table}): ${h.info} (holder ${h.holder}), lease ends at ${ends} ` +
    `(in ${Math.ceil(h.expiresInMs / 1000)} s unless that push renews it). Waited ${Math.round(waitedMs / 1000)} s. ` +
    `Let that push finish and run this one again, or wait longer with FORGE_LOCK_TIMEOUT (lockTimeout in forge.config). ` +
    `A killed push stops renewing, so its lease ends on its own; to free it at once: DELETE FROM ${table} WHERE name = '${name}'`
  );
}

/** One acquire attempt: the lock taken (undefined), or who holds it. */
async function tryAcquire(conn: Connection, d: LockRowDialect, name: string, me: string, info: string, leaseMs: number): Promise<LockHolder | undefined> {
  const p = (n: number) => d.param(n);
  return conn.transaction(async (tx) => {
    const rows = await tx.queryArrays(
      `SELECT holder, info, expires_ms, ${d.nowMs} FROM ${LOCK_TABLE} WHERE name = ${p(1)} FOR UPDATE`,
      [name],
    );
    if (rows.length === 0) {
      await tx.execute(
        `INSERT INTO ${LOCK_TABLE} (name, holder, info, acquired_ms, expires_ms) VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${d.nowMs}, ${d.nowMs} + ${p(4)})`,
        [name, me, info, leaseMs],
      );
      return undefined;
    }
    const r = rows[0];
    const row: Row = { holder: String(r[0]), info: String(r[1]), expires: Number(r[2]), now: Number(r[3]) };
    if (row.holder !== me && row.expires > row.now) return holderOf(row);
    await tx.execute(
      `UPDATE ${LOCK_TABLE} SET holder = ${p(1)}, info = ${p(2)}, acquired_ms = ${d.nowMs}, expires_ms = ${d.nowMs} + ${p(3)} WHERE name = ${p(4)}`,
      [me, info, leaseMs, name],
    );
    return undefined;
  });
}

/** A held lock row: renew it, check it, release it. */
export interface HeldLockRow {
  readonly holder: string;
  /** Set when a renewal found the row taken over by another holder (this push's lease had run out). */
  readonly lost: LockHolder | undefined;
  renew(): Promise<boolean>;
  release(): Promise<void>;
}

/** Take the lock row, waiting while another live holder has it (up to `waitMs`). Creates `_forge_lock` on first use. */
export async function acquireLockRow(conn: Connection, d: LockRowDialect, opts: LockRowOptions = {}): Promise<HeldLockRow> {
  const leaseMs = opts.leaseMs ?? DEFAULT_LOCK_LEASE_MS;
  const waitMs = opts.waitMs ?? DEFAULT_LOCK_WAIT_MS;
  const name = opts.name ?? PUSH_LOCK_ROW;
  const info = (opts.info ?? defaultHolderInfo()).slice(0, 255);
  const pollMs = opts.pollMs ?? 250;
  const me = randomUUID();
  await conn.execute(d.createTable);
  const started = Date.now();
  const seen = new Set<string>();
  let races = 0;
  for (;;) {
    let held: LockHolder | undefined;
    try {
      held = await tryAcquire(conn, d, name, me, info, leaseMs);
    } catch (e) {
      // Where DDL is asynchronous (an online schema change on Vitess) the table just created may not be visible
      // yet: wait for it, up to TABLE_VISIBLE_MS, instead of failing the first push on a fresh database.
      if (e instanceof DbKnownError && e.code === 'MISSING_TABLE' && Date.now() - started < TABLE_VISIBLE_MS) {
        await sleep(Math.min(pollMs * 2, 500));
        continue;
      }
      // A race with another pusher's attempt is retried; a steady failure (no rights on the table) is not hidden.
      if (!isLockRace(e) || ++races > 50) throw e;
      await sleep(Math.min(pollMs, 50 + Math.random() * 100));
      continue;
    }
    if (!held) break;
    if (!seen.has(held.holder)) {
      seen.add(held.holder);
      opts.onWait?.(held);
    }
    const waited = Date.now() - started;
    if (waitMs > 0 && waited >= waitMs) {
      throw new DbKnownError('TIMEOUT', lockHeldMessage(held, waited, LOCK_TABLE, name), { waitedMs: waited, holder: held.holder, info: held.info, expiresAtMs: held.expiresAtMs });
    }
    // Never sleep past the holder's expiry or our deadline by much: both are the moments something can change.
    const untilDeadline = waitMs > 0 ? waitMs - waited : Infinity;
    await sleep(Math.max(10, Math.min(pollMs, untilDeadline, held.expiresInMs + 10)));
  }
  let lost: LockHolder | undefined;
  let released = false;
  const p = (n: number) => d.param(n);
  const held: HeldLockRow = {
    holder: me,
    get lost() {
      return lost;
    },
    async renew() {
      if (released) return false;
      const r = await conn.execute(`UPDATE ${LOCK_TABLE} SET expires_ms = ${d.nowMs} + ${p(1)} WHERE name = ${p(2)} AND holder = ${p(3)}`, [leaseMs, name, me]);
      if (r.rowCount > 0) return true;
      if (!lost) {
        const rows = await conn.queryArrays(`SELECT holder, info, expires_ms, ${d.nowMs} FROM ${LOCK_TABLE} WHERE name = ${p(1)}`, [name]).catch(() => []);
        lost = rows[0]
          ? holderOf({ holder: String(rows[0][0]), info: String(rows[0][1]), expires: Number(rows[0][2]), now: Number(rows[0][3]) })
          : { holder: '(none)', info: 'the row was deleted', expiresAtMs: 0, expiresInMs: 0 };
      }
      return false;
    },
    async release() {
      if (released) return;
      released = true;
      await conn.execute(`DELETE FROM ${LOCK_TABLE} WHERE name = ${p(1)} AND holder = ${p(2)}`, [name, me]);
    },
  };
  return held;
}

/**
 * Run `fn` holding the lock row: acquired first (waiting as `acquireLockRow` does), renewed every third of the
 * lease while `fn` runs, released after it, also when it throws. When a renewal found the lease taken over (this
 * process stalled longer than the lease), the result is replaced by an error saying so: another push may have
 * run at the same time, and `forge diff` shows what the database holds now.
 */
export async function withLockRow<T>(conn: Connection, d: LockRowDialect, fn: () => Promise<T>, opts: LockRowOptions = {}): Promise<T> {
  const held = await acquireLockRow(conn, d, opts);
  const leaseMs = opts.leaseMs ?? DEFAULT_LOCK_LEASE_MS;
  let renewing: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    // One renewal at a time; a failed round trip is retried at the next tick, well before the lease ends.
    renewing = renewing.then(() => held.renew()).catch(() => undefined);
  }, Math.max(500, Math.floor(leaseMs / 3)));
  timer.unref?.();
  let result: T;
  try {
    result = await fn();
  } finally {
    clearInterval(timer);
    await renewing;
    await held.release().catch(() => undefined);
  }
  if (held.lost) {
    throw new DbKnownError(
      'TIMEOUT',
      `This push's lease on the push lock (${LOCK_TABLE}) ran out while it ran and ${held.lost.info} (holder ${held.lost.holder}) took it over, so another push may have changed the schema at the same time. ` +
        `Run forge diff to see what the database holds now; raise FORGE_LOCK_LEASE (lockLease in forge.config) if pushes take longer than the lease between renewals.`,
      { holder: held.lost.holder, info: held.lost.info },
    );
  }
  return result;
}
