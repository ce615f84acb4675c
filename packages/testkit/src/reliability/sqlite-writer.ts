/**
 * TEST ONLY: one process of the multi-process SQLite case (`sqlite-writers.ts` starts it). What a web process
 * or a worker of a small app on one SQLite file does: `createDb({ url, schema })` as users write it (the
 * adapter resolved from the project, its built `dist`), then money transfers through `db.$transaction`.
 *
 *   cwd = a cliProject;  DATABASE_URL=<url>  node --import <jiti register> sqlite-writer.ts <role> [args]
 *
 * Roles:
 *   setup <accounts> <balance>     create the tables ($migrate) and the accounts; prints RESULT {...}
 *   transfer <worker> <count> <accounts>
 *                                  prints `ready`, waits for a line on stdin, then runs <count> transfers
 *                                  (read the source balance, write it back minus the amount, add the amount
 *                                  to the target, insert the transfer) and prints RESULT {...}
 *   checkpoint                     prints `ready`, waits for stdin, then runs PRAGMA wal_checkpoint(TRUNCATE)
 *                                  in a loop, as litestream does beside an app, until stdin closes
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setImmediate as turn, setTimeout as sleep } from 'node:timers/promises';
import { createDb, DbKnownError, f, model } from '@forge/core';

const Account = model('accounts', { id: f.id({ type: 'int' }), balance: f.int() });
const Transfer = model(
  'transfers',
  { id: f.id({ type: 'int' }), worker: f.int(), seq: f.int(), fromId: f.int(), toId: f.int(), amount: f.int() },
  { uniques: [['worker', 'seq']] },
);
const schema = { account: Account, transfer: Transfer };

export interface WriterResult {
  worker: number;
  committed: number;
  /** The seq of every committed transfer, so the parent can check each one is recorded once. */
  seqs: number[];
  failed: number;
  /** Failures by `code: message` (the first 200 characters). */
  errors: Record<string, number>;
  wallMs: number;
  latencyMs: { p50: number; p99: number; max: number };
  /** The event loop's delay (perf_hooks.monitorEventLoopDelay, 1 ms resolution) while the transfers ran. */
  loopDelayMs: { p50: number; p99: number; max: number };
}

export interface CheckpointResult {
  runs: number;
  /** Checkpoints that finished (busy = 0): the WAL was copied back and truncated. */
  completed: number;
  errors: Record<string, number>;
}

const url = process.env.DATABASE_URL;

/** A deterministic generator per worker, so a failing run can be repeated with the same pairs. */
function lcg(seed: number): (n: number) => number {
  let s = (seed * 7919 + 17) % 2147483647 || 1;
  return (n) => {
    s = (s * 48271) % 2147483647;
    return s % n;
  };
}

const round = (ms: number) => Math.round(ms * 100) / 100;
const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] : 0);

function describeError(e: unknown): string {
  const code = e instanceof DbKnownError ? e.code : ((e as { code?: string }).code ?? (e as Error).name);
  return `${code}: ${String((e as Error).message).slice(0, 200)}`;
}

async function waitForGo(): Promise<void> {
  process.stdout.write('ready\n');
  await new Promise<void>((resolve) => {
    process.stdin.once('data', () => resolve());
    process.stdin.once('end', () => resolve());
  });
}

async function setup(accounts: number, balance: number): Promise<unknown> {
  const db = await createDb({ url: url!, schema });
  try {
    const report = await db.$migrate();
    if (report.failures.length || report.pending.length) throw new Error(`$migrate did not create the tables: ${JSON.stringify(report)}`);
    await db.account.createMany({ data: Array.from({ length: accounts }, (_, i) => ({ id: i + 1, balance })) });
    return { accounts, balance };
  } finally {
    await db.$disconnect();
  }
}

async function transfer(worker: number, count: number, accounts: number): Promise<WriterResult> {
  const db = await createDb({ url: url!, schema });
  const rand = lcg(worker + 1);
  // Warm up the statement caches on a read, so the first timed transfer is not also the first prepare.
  await db.account.findUnique({ where: { id: 1 } });
  await waitForGo();
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const latencies: number[] = [];
  const seqs: number[] = [];
  const errors: Record<string, number> = {};
  let failed = 0;
  const t0 = performance.now();
  for (let seq = 0; seq < count; seq++) {
    const fromId = rand(accounts) + 1;
    const toId = ((fromId + rand(accounts - 1)) % accounts) + 1;
    const amount = rand(100) + 1;
    const start = performance.now();
    try {
      await db.$transaction(async (tx) => {
        const from = await tx.account.findUniqueOrThrow({ where: { id: fromId } });
        // Read-modify-write: the new balance is computed here from what was read, so a transaction that
        // did not hold the lock from its read to its write would lose another process's update.
        await tx.account.update({ where: { id: fromId }, data: { balance: from.balance - amount } });
        await tx.account.update({ where: { id: toId }, data: { balance: { increment: amount } } });
        await tx.transfer.create({ data: { worker, seq, fromId, toId, amount } });
      });
      seqs.push(seq);
    } catch (e) {
      failed++;
      const key = describeError(e);
      errors[key] = (errors[key] ?? 0) + 1;
    }
    latencies.push(performance.now() - start);
    // A server handles each request in its own turn of the event loop.
    await turn();
  }
  const wallMs = performance.now() - t0;
  delay.disable();
  await db.$disconnect();
  latencies.sort((a, b) => a - b);
  const ns = (v: number) => round(v / 1e6);
  return {
    worker,
    committed: seqs.length,
    seqs,
    failed,
    errors,
    wallMs: round(wallMs),
    latencyMs: { p50: round(percentile(latencies, 0.5)), p99: round(percentile(latencies, 0.99)), max: round(latencies[latencies.length - 1] ?? 0) },
    loopDelayMs: delay.count ? { p50: ns(delay.percentile(50)), p99: ns(delay.percentile(99)), max: ns(delay.max) } : { p50: 0, p99: 0, max: 0 },
  };
}

async function checkpoint(): Promise<CheckpointResult> {
  const db = await createDb({ url: url!, schema });
  // litestream's own connection waits for locks (busy_timeout = 1 s) and so blocks in its own process only.
  await db.$executeRawUnsafe('PRAGMA busy_timeout = 1000');
  let stop = false;
  process.stdin.once('end', () => (stop = true));
  await waitForGo();
  const result: CheckpointResult = { runs: 0, completed: 0, errors: {} };
  while (!stop) {
    try {
      const [row] = await db.$queryRawUnsafe<{ busy: number }>('PRAGMA wal_checkpoint(TRUNCATE)');
      result.runs++;
      if (row?.busy === 0) result.completed++;
    } catch (e) {
      const key = describeError(e);
      result.errors[key] = (result.errors[key] ?? 0) + 1;
    }
    await sleep(5);
  }
  await db.$disconnect();
  return result;
}

async function main(argv: string[]): Promise<unknown> {
  if (!url) throw new Error('sqlite-writer: DATABASE_URL is not set');
  const [role, ...rest] = argv;
  const n = rest.map(Number);
  if (role === 'setup') return setup(n[0], n[1]);
  if (role === 'transfer') return transfer(n[0], n[1], n[2]);
  if (role === 'checkpoint') return checkpoint();
  throw new Error(`usage: sqlite-writer <setup accounts balance | transfer worker count accounts | checkpoint>; got ${argv.join(' ')}`);
}

main(process.argv.slice(2)).then(
  (result) => {
    process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
    process.exitCode = 0;
    process.stdin.destroy();
  },
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
    process.stdin.destroy();
  },
);
