import { describe, expect, it } from 'vitest';
import {
  acquireLockRow,
  chooseLockStrategy,
  ConfigError,
  defaultHolderInfo,
  isLockRace,
  DbKnownError,
  lockSettings,
  lockTableDdl,
  parseLockLease,
  parseLockStrategy,
  withLockRow,
  type Connection,
  type LockHolder,
  type LockRowDialect,
} from '../src/index.js';

/**
 * An in-memory `_forge_lock` behind the statements lock-row.ts sends, with a clock the test moves: transactions
 * run one at a time (what `SELECT ... FOR UPDATE` on the row gives on a real server). `raceOnce` makes the next
 * INSERT fail as a concurrent insert of the same key would.
 */
class FakeDb {
  now = 1_000_000;
  rows = new Map<string, { holder: string; info: string; acquired: number; expires: number }>();
  statements: string[] = [];
  raceOnce = false;
  /** SELECTs that fail as if the table just created were not visible yet (asynchronous DDL). */
  invisibleFor = 0;
  private queue: Promise<unknown> = Promise.resolve();

  connection(): Connection {
    const db = this;
    const conn = {
      dialect: 'postgres',
      inTransaction: false,
      async query() {
        return [];
      },
      async queryArrays(sql: string, params: readonly unknown[] = []) {
        return db.run(sql, params).rows;
      },
      async execute(sql: string, params: readonly unknown[] = []) {
        return { rowCount: db.run(sql, params).count };
      },
      async *stream() {},
      transaction<T>(fn: (tx: Connection) => Promise<T>): Promise<T> {
        const next = db.queue.then(() => fn(conn as unknown as Connection));
        db.queue = next.catch(() => undefined);
        return next;
      },
      withSession<T>(fn: (c: Connection) => Promise<T>) {
        return fn(conn as unknown as Connection);
      },
      async close() {},
    };
    return conn as unknown as Connection;
  }

  run(sql: string, p: readonly unknown[]): { rows: unknown[][]; count: number } {
    this.statements.push(sql.split(' ').slice(0, 2).join(' '));
    if (sql.startsWith('CREATE TABLE')) return { rows: [], count: 0 };
    if (sql.startsWith('SELECT holder') && this.invisibleFor > 0) {
      this.invisibleFor--;
      throw new DbKnownError('MISSING_TABLE', 'relation "_forge_lock" does not exist');
    }
    if (sql.startsWith('SELECT holder')) {
      const r = this.rows.get(String(p[0]));
      return { rows: r ? [[r.holder, r.info, String(r.expires), String(this.now)]] : [], count: 0 };
    }
    if (sql.startsWith('INSERT')) {
      if (this.raceOnce || this.rows.has(String(p[0]))) {
        this.raceOnce = false;
        throw new DbKnownError('UNIQUE_VIOLATION', 'duplicate key value violates unique constraint "_forge_lock_pkey"');
      }
      this.rows.set(String(p[0]), { holder: String(p[1]), info: String(p[2]), acquired: this.now, expires: this.now + Number(p[3]) });
      return { rows: [], count: 1 };
    }
    if (sql.startsWith('UPDATE _forge_lock SET holder')) {
      const [holder, info, lease, name] = p;
      this.rows.set(String(name), { holder: String(holder), info: String(info), acquired: this.now, expires: this.now + Number(lease) });
      return { rows: [], count: 1 };
    }
    if (sql.startsWith('UPDATE _forge_lock SET expires_ms')) {
      const [lease, name, holder] = p;
      const r = this.rows.get(String(name));
      if (!r || r.holder !== holder) return { rows: [], count: 0 };
      r.expires = this.now + Number(lease);
      return { rows: [], count: 1 };
    }
    if (sql.startsWith('DELETE')) {
      const r = this.rows.get(String(p[0]));
      if (!r || r.holder !== p[1]) return { rows: [], count: 0 };
      this.rows.delete(String(p[0]));
      return { rows: [], count: 1 };
    }
    throw new Error(`unexpected statement: ${sql}`);
  }
}

const dialect: LockRowDialect = { param: (n) => `$${n}`, nowMs: 'NOW_MS', createTable: lockTableDdl() };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('lock row: acquire, lease, release', () => {
  it('inserts the missing row with a lease on the database clock, and deletes it at the end', async () => {
    const db = new FakeDb();
    const conn = db.connection();
    let inside: { holder: string; expires: number } | undefined;
    const result = await withLockRow(conn, dialect, async () => {
      inside = { ...db.rows.get('push')! };
      return 42;
    }, { leaseMs: 30_000, info: 'ci-runner pid 7' });
    expect(result).toBe(42);
    expect(inside?.expires).toBe(db.now + 30_000);
    expect(db.rows.size).toBe(0);
    expect(db.statements[0]).toBe('CREATE TABLE');
  });

  it('releases the row when the push throws, and passes the error on', async () => {
    const db = new FakeDb();
    await expect(withLockRow(db.connection(), dialect, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(db.rows.size).toBe(0);
  });

  it('waits for a live holder, then takes the row once it is released', async () => {
    const db = new FakeDb();
    const order: string[] = [];
    const first = withLockRow(db.connection(), dialect, async () => {
      order.push('first:start');
      await sleep(120);
      order.push('first:end');
    }, { pollMs: 20 });
    await sleep(10);
    const waits: LockHolder[] = [];
    const second = withLockRow(db.connection(), dialect, async () => void order.push('second'), { pollMs: 20, onWait: (h) => waits.push(h) });
    await Promise.all([first, second]);
    expect(order).toEqual(['first:start', 'first:end', 'second']);
    expect(waits).toHaveLength(1);
  });

  it('takes over a lease that has expired (a killed holder stops renewing)', async () => {
    const db = new FakeDb();
    db.rows.set('push', { holder: 'dead-holder', info: 'old-host pid 99', acquired: db.now - 120_000, expires: db.now - 1 });
    const held = await acquireLockRow(db.connection(), dialect, { waitMs: 1000 });
    expect(db.rows.get('push')?.holder).toBe(held.holder);
    expect(held.holder).not.toBe('dead-holder');
    await held.release();
    expect(db.rows.size).toBe(0);
  });

  it('fails within the wait, naming the live holder and when its lease ends', async () => {
    const db = new FakeDb();
    db.rows.set('push', { holder: 'h-123', info: 'deploy-box pid 4242 (forge push)', acquired: db.now, expires: db.now + 45_000 });
    const started = Date.now();
    const err = await acquireLockRow(db.connection(), dialect, { waitMs: 200, pollMs: 20 }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(err).toBeInstanceOf(DbKnownError);
    const msg = (err as Error).message;
    expect(msg).toContain('deploy-box pid 4242 (forge push)');
    expect(msg).toContain('holder h-123');
    expect(msg).toContain(`lease ends at ${new Date(db.now + 45_000).toISOString()}`);
    expect(msg).toContain('in 45 s');
    expect(msg).toMatch(/DELETE FROM _forge_lock WHERE name = 'push'/);
    expect((err as DbKnownError).code).toBe('TIMEOUT');
  });

  it('retries an insert that lost a race with another pusher', async () => {
    const db = new FakeDb();
    db.raceOnce = true;
    const held = await acquireLockRow(db.connection(), dialect, { pollMs: 5 });
    expect(db.rows.get('push')?.holder).toBe(held.holder);
  });

  it('waits for a table just created to become visible (asynchronous DDL) instead of failing', async () => {
    const db = new FakeDb();
    db.invisibleFor = 2;
    const held = await acquireLockRow(db.connection(), dialect, { pollMs: 10 });
    expect(db.rows.get('push')?.holder).toBe(held.holder);
  });

  it('knows the errors of a race with another pusher from the ones to report', () => {
    for (const e of [
      new DbKnownError('UNIQUE_VIOLATION', 'dup'),
      { code: '40001' },
      { code: '40P01' },
      { errno: 1213 },
      { errno: 1205 },
      { errno: 9007 },
      new Error('wrapped', { cause: { code: '40001' } }),
    ]) expect(isLockRace(e), JSON.stringify(e)).toBe(true);
    for (const e of [new DbKnownError('MISSING_TABLE', 'x'), { code: '42501' }, { errno: 1142 }, new Error('boom'), undefined]) expect(isLockRace(e)).toBe(false);
  });

  it('renews the lease while the push runs, so a push longer than the lease keeps it', async () => {
    const db = new FakeDb();
    await withLockRow(db.connection(), dialect, async () => {
      const before = db.rows.get('push')!.expires;
      db.now += 2_500;
      await sleep(1_200);
      expect(db.rows.get('push')!.expires).toBe(db.now + 3_000);
      expect(db.rows.get('push')!.expires).toBeGreaterThan(before);
    }, { leaseMs: 3_000 });
  });

  it('says so when the lease was taken over while the push ran', async () => {
    const db = new FakeDb();
    const err = await withLockRow(db.connection(), dialect, async () => {
      db.rows.set('push', { holder: 'other', info: 'other-host pid 1', acquired: db.now, expires: db.now + 60_000 });
      await sleep(1_200);
    }, { leaseMs: 3_000 }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/ran out while it ran and other-host pid 1 \(holder other\) took it over/);
    // Not ours to delete.
    expect(db.rows.get('push')?.holder).toBe('other');
  });
});

describe('lock settings', () => {
  it('reads the strategy and the lease from connect options, else the environment, else the defaults', () => {
    expect(lockSettings({}, {})).toMatchObject({ strategy: 'auto', leaseMs: 60_000, waitMs: 60_000 });
    expect(lockSettings({}, { FORGE_LOCK_STRATEGY: 'row', FORGE_LOCK_LEASE: '90s' })).toMatchObject({ strategy: 'row', leaseMs: 90_000 });
    expect(lockSettings({ lockStrategy: 'native', lockLeaseMs: 5_000, lockWaitMs: 0 }, { FORGE_LOCK_STRATEGY: 'row' })).toMatchObject({ strategy: 'native', leaseMs: 5_000, waitMs: 0 });
  });

  it('refuses bad values with the problem and the fix', () => {
    expect(() => lockSettings({}, { FORGE_LOCK_STRATEGY: 'rows' })).toThrow(ConfigError);
    expect(() => lockSettings({}, { FORGE_LOCK_STRATEGY: 'rows' })).toThrow(/FORGE_LOCK_STRATEGY="rows" is not a lock strategy: use 'auto'/);
    expect(() => parseLockLease('1s', 'FORGE_LOCK_LEASE')).toThrow(/at least 3s/);
    expect(() => parseLockLease('soon', 'lockLease')).toThrow(/lockLease="soon" is not a lock lease/);
    expect(() => lockSettings({ lockWaitMs: -1 }, {})).toThrow(/lockWaitMs=-1/);
    expect(parseLockStrategy(' ROW ')).toBe('row');
    expect(parseLockLease('2m')).toBe(120_000);
  });

  it('auto picks the row only where the engine has no working native lock', () => {
    expect(chooseLockStrategy({ nativeLock: true })).toBe('native');
    expect(chooseLockStrategy({ nativeLock: false })).toBe('row');
    expect(chooseLockStrategy({ nativeLock: true }, 'row')).toBe('row');
  });
});

describe('holder info', () => {
  it('names host, pid and command, never a URL or a path given as the first argument', () => {
    const saved = process.argv;
    try {
      process.argv = ['node', '/app/node_modules/.bin/forge', 'push'];
      expect(defaultHolderInfo()).toMatch(new RegExp(`pid ${process.pid} \\(forge push\\)$`));
      process.argv = ['node', '/srv/deploy.mjs', 'postgres://admin:Sekr3t@db.internal'];
      expect(defaultHolderInfo()).not.toContain('Sekr3t');
      expect(defaultHolderInfo()).toMatch(/\(deploy\.mjs\)$/);
    } finally {
      process.argv = saved;
    }
  });
});
