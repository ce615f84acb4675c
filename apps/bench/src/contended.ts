/**
 * Scenario 7: contended writes. Four processes write one SQLite file (WAL) at once, each running read-modify-write
 * money transfers (read the source balance, write it back minus the amount, add to the target, insert a transfer
 * row) in a transaction, one subject at a time on a fresh file: raw better-sqlite3 (`BEGIN IMMEDIATE` through
 * `.immediate`, busy_timeout 5 s), forge (`db.$transaction`, default URL), Drizzle (`behavior: 'immediate'`),
 * Prisma (`$transaction`). Reported per subject: committed transfers per second over the whole run (from the
 * start signal to the last process's exit), the per-transaction latency (median, p95, p99 over every transfer of
 * every process), failed transactions, and the worst event-loop delay any process saw.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { BENCH_DIR, DATA_DIR, log, type ResultRow } from './common.js';
import { percentile } from './stats.js';

export interface Transfer {
  worker: number;
  seq: number;
  fromId: number;
  toId: number;
  amount: number;
}

/** What one writer process reports (contended-worker.ts). */
export interface ContendedResult {
  committed: number;
  failed: number;
  errors: Record<string, number>;
  /** Every transfer's latency in ms (committed or not), in order. */
  latencies: number[];
  loopDelayMaxMs: number;
}

export const CONTENDED_SUBJECTS = ['raw', 'forge', 'drizzle', 'prisma'] as const;
const PROCESSES = 4;
const ACCOUNTS = 10;
const BALANCE = 1_000_000;

/** The tables, the same for every subject. */
const DDL = [
  'CREATE TABLE accounts (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL)',
  'CREATE TABLE transfers (id INTEGER PRIMARY KEY, worker INTEGER NOT NULL, seq INTEGER NOT NULL, from_id INTEGER NOT NULL, to_id INTEGER NOT NULL, amount INTEGER NOT NULL, UNIQUE (worker, seq))',
];

function freshFile(subject: string): string {
  const file = path.join(DATA_DIR, `contended-${subject}.db`);
  for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  for (const s of DDL) db.exec(s);
  const add = db.prepare('INSERT INTO accounts (id, balance) VALUES (?, ?)');
  for (let i = 1; i <= ACCOUNTS; i++) add.run(i, BALANCE);
  db.close();
  return file;
}

interface Proc {
  ready: Promise<void>;
  done: Promise<ContendedResult>;
  go(): void;
  kill(): void;
}

function startWriter(argv: string[]): Proc {
  const child = spawn(process.execPath, [path.join(BENCH_DIR, 'dist', 'contended-worker.js'), ...argv], { cwd: BENCH_DIR });
  let out = '';
  let err = '';
  let markReady!: () => void;
  const ready = new Promise<void>((r) => (markReady = r));
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    if (/^ready$/m.test(out)) markReady();
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const done = new Promise<ContendedResult>((resolve, reject) => {
    child.on('close', (code) => {
      markReady();
      const line = /^RESULT (.*)$/m.exec(out);
      if (code === 0 && line) resolve(JSON.parse(line[1]) as ContendedResult);
      else reject(new Error(`writer exited ${code}: ${(err || out).trim().split('\n').slice(-3).join(' ')}`));
    });
  });
  done.catch(() => undefined);
  return { ready, done, go: () => child.stdin.end('go\n'), kill: () => child.kill('SIGKILL') };
}

async function runSubject(subject: string, count: number, prismaClient: string | undefined): Promise<{ wallMs: number; results: ContendedResult[]; file: string }> {
  const file = freshFile(subject);
  const procs = Array.from({ length: PROCESSES }, (_, w) =>
    startWriter([`--subject=${subject}`, `--file=${file}`, `--worker=${w}`, `--count=${count}`, `--accounts=${ACCOUNTS}`, ...(prismaClient ? [`--prisma-client=${prismaClient}`] : [])]),
  );
  try {
    await Promise.all(procs.map((p) => p.ready));
    const t0 = performance.now();
    for (const p of procs) p.go();
    const results = await Promise.all(procs.map((p) => p.done));
    return { wallMs: performance.now() - t0, results, file };
  } finally {
    for (const p of procs) p.kill();
  }
}

/** What the file holds afterwards must match what the processes reported: the total, one row per commit. */
function checkFile(file: string, committed: number): string | undefined {
  const db = new Database(file, { readonly: true });
  try {
    const total = (db.prepare('SELECT sum(balance) AS s FROM accounts').get() as { s: number }).s;
    const rows = (db.prepare('SELECT count(*) AS n FROM transfers').get() as { n: number }).n;
    if (total !== ACCOUNTS * BALANCE) return `the total balance is ${total}, not ${ACCOUNTS * BALANCE}: an update was lost`;
    if (rows !== committed) return `${rows} transfer rows for ${committed} committed transactions`;
    return undefined;
  } finally {
    db.close();
  }
}

const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

export async function benchContended(opts: { quick: boolean; subjects: string[]; prismaClient?: string; prismaError?: string }): Promise<ResultRow[]> {
  const count = opts.quick ? 250 : 2_000;
  const scenario = `contended transfers, ${PROCESSES} processes ×${count.toLocaleString('en-US')} (one file)`;
  const rows: ResultRow[] = [];
  for (const subject of CONTENDED_SUBJECTS.filter((s) => s === 'raw' || opts.subjects.includes(s))) {
    if (subject === 'prisma' && !opts.prismaClient) {
      rows.push({ scenario, dialect: 'sqlite', subject, median_ms: null, p95_ms: null, ratio_to_raw: null, error: opts.prismaError ?? 'Prisma client was not generated' });
      continue;
    }
    try {
      const { wallMs, results, file } = await runSubject(subject, count, opts.prismaClient);
      const committed = results.reduce((n, r) => n + r.committed, 0);
      const failed = results.reduce((n, r) => n + r.failed, 0);
      const lat = results.flatMap((r) => r.latencies).sort((a, b) => a - b);
      const mid = lat.length >> 1;
      const problem = checkFile(file, committed);
      const errors: Record<string, number> = {};
      for (const r of results) for (const [k, v] of Object.entries(r.errors)) errors[k] = (errors[k] ?? 0) + v;
      const row: ResultRow = {
        scenario,
        dialect: 'sqlite',
        subject,
        median_ms: round(lat.length % 2 ? lat[mid] : (lat[mid - 1] + lat[mid]) / 2, 4),
        p95_ms: round(percentile(lat, 95), 4),
        p99_ms: round(percentile(lat, 99), 4),
        ratio_to_raw: null,
        samples: lat.length,
        throughput_per_s: Math.round((committed / wallMs) * 1000),
        committed,
        failed,
        loop_delay_max_ms: round(Math.max(...results.map((r) => r.loopDelayMaxMs)), 1),
      };
      if (failed) row.note = `failed: ${JSON.stringify(errors)}`;
      if (problem) row.error = problem;
      rows.push(row);
    } catch (e) {
      rows.push({ scenario, dialect: 'sqlite', subject, median_ms: null, p95_ms: null, ratio_to_raw: null, error: (e as Error).message });
    }
  }
  const raw = rows.find((r) => r.subject === 'raw');
  for (const r of rows) if (raw?.throughput_per_s && r.throughput_per_s !== undefined) r.ratio_to_raw = round(raw.throughput_per_s / r.throughput_per_s);
  for (const r of rows) {
    log(
      `  sqlite   ${scenario}  ${r.subject.padEnd(8)} ` +
        (r.median_ms === null
          ? `error: ${r.error}`
          : `${r.throughput_per_s}/s committed, ${r.failed} failed; latency median ${r.median_ms} / p99 ${r.p99_ms} ms; event-loop delay max ${r.loop_delay_max_ms} ms` +
            (r.error ? `; ${r.error}` : '') +
            (r.note ? `; ${r.note}` : '')),
    );
  }
  return rows;
}
