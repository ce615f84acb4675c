/**
 * Scenario 7, one writer process (contended.ts starts four of them on one file, for one subject at a time).
 * Usage: node dist/contended-worker.js --subject=raw|forge|drizzle|prisma --file=DB --worker=I --count=N --accounts=K
 *        [--prisma-client=FILE]
 * Prints `ready` once connected, waits for a line on stdin, runs N transfers (read the source balance, write it
 * back minus the amount, add the amount to the target, insert the transfer row) each in its own transaction and in
 * its own turn of the event loop, then prints `RESULT {...}`: latencies, failures, the event loop's delay.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setImmediate as turn } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import * as sqc from 'drizzle-orm/sqlite-core';
import { createDb, f, model } from 'forge-orm';
import { parseArgs } from './common.js';
import type { ContendedResult, Transfer } from './contended.js';

/** One subject's transfer, in that subject's own idiom for a transaction that reads and then writes. */
interface Writer {
  transfer(t: Transfer): Promise<void>;
  close(): Promise<void>;
}

/** better-sqlite3 with prepared statements, in a `.immediate` transaction (BEGIN IMMEDIATE); busy_timeout 5 s. */
function rawWriter(file: string): Writer {
  const db = new Database(file, { timeout: 5000 });
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  const balance = db.prepare('SELECT balance FROM accounts WHERE id = ?').pluck();
  const set = db.prepare('UPDATE accounts SET balance = ? WHERE id = ?');
  const add = db.prepare('UPDATE accounts SET balance = balance + ? WHERE id = ?');
  const record = db.prepare('INSERT INTO transfers (worker, seq, from_id, to_id, amount) VALUES (?, ?, ?, ?, ?)');
  const tx = db.transaction((t: Transfer) => {
    const b = balance.get(t.fromId) as number;
    set.run(b - t.amount, t.fromId);
    add.run(t.amount, t.toId);
    record.run(t.worker, t.seq, t.fromId, t.toId, t.amount);
  });
  return {
    async transfer(t) {
      tx.immediate(t);
    },
    async close() {
      db.close();
    },
  };
}

const Account = model('accounts', { id: f.id({ type: 'int' }), balance: f.int() });
const TransferRow = model('transfers', {
  id: f.id({ type: 'int' }),
  worker: f.int(),
  seq: f.int(),
  fromId: f.int().map('from_id'),
  toId: f.int().map('to_id'),
  amount: f.int(),
});

/** forge as users write it: `createDb({ url })` with the default URL, an interactive `db.$transaction`. */
async function forgeWriter(file: string): Promise<Writer> {
  const db = await createDb({ url: `sqlite:${file}`, schema: { account: Account, transfer: TransferRow } });
  return {
    async transfer(t) {
      await db.$transaction(async (tx) => {
        const from = await tx.account.findUniqueOrThrow({ where: { id: t.fromId } });
        await tx.account.update({ where: { id: t.fromId }, data: { balance: from.balance - t.amount } });
        await tx.account.update({ where: { id: t.toId }, data: { balance: { increment: t.amount } } });
        await tx.transfer.create({ data: t });
      });
    },
    close: () => db.$disconnect(),
  };
}

const dAccounts = sqc.sqliteTable('accounts', { id: sqc.integer('id').primaryKey(), balance: sqc.integer('balance').notNull() });
const dTransfers = sqc.sqliteTable('transfers', {
  id: sqc.integer('id').primaryKey(),
  worker: sqc.integer('worker').notNull(),
  seq: sqc.integer('seq').notNull(),
  fromId: sqc.integer('from_id').notNull(),
  toId: sqc.integer('to_id').notNull(),
  amount: sqc.integer('amount').notNull(),
});

/**
 * Drizzle on better-sqlite3 (the same handle settings as raw), its synchronous transaction with
 * `behavior: 'immediate'`: its default (deferred) fails the write upgrade under contention.
 */
function drizzleWriter(file: string): Writer {
  const handle = new Database(file, { timeout: 5000 });
  handle.pragma('journal_mode = WAL');
  handle.pragma('foreign_keys = ON');
  const db = drizzle({ client: handle });
  const ph = (name: string) => sql.placeholder(name);
  const balance = db.select({ balance: dAccounts.balance }).from(dAccounts).where(eq(dAccounts.id, ph('id'))).prepare();
  const set = db.update(dAccounts).set({ balance: sql`${ph('balance')}` }).where(eq(dAccounts.id, ph('id'))).prepare();
  const add = db.update(dAccounts).set({ balance: sql`${dAccounts.balance} + ${ph('amount')}` }).where(eq(dAccounts.id, ph('id'))).prepare();
  const record = db
    .insert(dTransfers)
    .values({ worker: ph('worker'), seq: ph('seq'), fromId: ph('fromId'), toId: ph('toId'), amount: ph('amount') })
    .prepare();
  return {
    async transfer(t) {
      db.transaction(
        () => {
          const b = balance.get({ id: t.fromId })!.balance;
          set.run({ balance: b - t.amount, id: t.fromId });
          add.run({ amount: t.amount, id: t.toId });
          record.run({ ...t });
        },
        { behavior: 'immediate' },
      );
    },
    async close() {
      handle.close();
    },
  };
}

interface PrismaLike {
  account: any;
  transfer: any;
  $transaction<T>(fn: (tx: any) => Promise<T>): Promise<T>;
  $disconnect(): Promise<void>;
}

/** Prisma 7 with its better-sqlite3 driver adapter, an interactive `$transaction` (it has no option for BEGIN IMMEDIATE). */
async function prismaWriter(file: string, clientFile: string | undefined): Promise<Writer> {
  if (!clientFile) throw new Error('Prisma client was not generated');
  const { PrismaClient } = (await import(pathToFileURL(clientFile).href)) as { PrismaClient: new (o: unknown) => PrismaLike };
  const { PrismaBetterSqlite3 } = await import('@prisma/adapter-better-sqlite3');
  const prisma = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: `file:${file}` }) });
  return {
    async transfer(t) {
      await prisma.$transaction(async (tx) => {
        const from = await tx.account.findUniqueOrThrow({ where: { id: t.fromId } });
        await tx.account.update({ where: { id: t.fromId }, data: { balance: from.balance - t.amount } });
        await tx.account.update({ where: { id: t.toId }, data: { balance: { increment: t.amount } } });
        await tx.transfer.create({ data: t });
      });
    },
    close: () => prisma.$disconnect(),
  };
}

/** The same pairs and amounts for every subject: a generator seeded by the worker's index. */
function lcg(seed: number): (n: number) => number {
  let s = (seed * 7919 + 17) % 2147483647 || 1;
  return (n) => {
    s = (s * 48271) % 2147483647;
    return s % n;
  };
}

async function main(): Promise<ContendedResult> {
  const args = parseArgs(process.argv.slice(2));
  const subject = args.get('subject');
  const file = args.get('file');
  const worker = Number(args.get('worker'));
  const count = Number(args.get('count'));
  const accounts = Number(args.get('accounts'));
  if (!file || !Number.isInteger(worker) || !Number.isInteger(count) || !Number.isInteger(accounts)) {
    throw new Error('usage: contended-worker --subject=S --file=DB --worker=I --count=N --accounts=K');
  }
  const writer =
    subject === 'raw'
      ? rawWriter(file)
      : subject === 'forge'
        ? await forgeWriter(file)
        : subject === 'drizzle'
          ? drizzleWriter(file)
          : subject === 'prisma'
            ? await prismaWriter(file, args.get('prisma-client'))
            : undefined;
  if (!writer) throw new Error(`contended-worker: unknown subject '${subject}'`);
  process.stdout.write('ready\n');
  await new Promise<void>((resolve) => {
    process.stdin.once('data', () => resolve());
    process.stdin.once('end', () => resolve());
  });
  const rand = lcg(worker + 1);
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  let failed = 0;
  for (let seq = 0; seq < count; seq++) {
    const fromId = rand(accounts) + 1;
    const toId = ((fromId + rand(accounts - 1)) % accounts) + 1;
    const t = { worker, seq, fromId, toId, amount: rand(100) + 1 };
    const start = performance.now();
    try {
      await writer.transfer(t);
    } catch (e) {
      failed++;
      const key = `${(e as { code?: string }).code ?? (e as Error).name}: ${String((e as Error).message).split('\n').pop()?.slice(0, 160)}`;
      errors[key] = (errors[key] ?? 0) + 1;
    }
    latencies.push(performance.now() - start);
    // As a server: each request in its own turn of the event loop (which lets the loop's delay be measured).
    await turn();
  }
  delay.disable();
  await writer.close();
  return { committed: count - failed, failed, errors, latencies, loopDelayMaxMs: delay.count ? delay.max / 1e6 : 0 };
}

main().then(
  (r) => {
    process.stdout.write(`RESULT ${JSON.stringify(r)}\n`);
    process.stdin.destroy();
  },
  (e: unknown) => {
    process.stderr.write(`contended-worker failed: ${(e as Error).stack ?? e}\n`);
    process.exitCode = 1;
    process.stdin.destroy();
  },
);
