/**
 * The multi-process SQLite case: several writer processes on one WAL file, as a small app runs it (a Node
 * cluster, a web process and a worker; litestream checkpointing beside them). Each process is
 * `sqlite-writer.ts` (the built forge, `createDb({ url, schema })` with the URL as given) doing read-modify-write
 * money transfers through `db.$transaction`; this module starts them together and collects what they report.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Connection } from '@forge/core';
import { cliProject, type CliProject } from './cli.js';
import type { CheckpointResult, WriterResult } from './sqlite-writer.js';

export type { CheckpointResult, WriterResult } from './sqlite-writer.js';

const packagesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const WRITER = fileURLToPath(new URL('./sqlite-writer.ts', import.meta.url));

export interface WritersPlan {
  /** A SQLite URL; the harness passes it to every process unchanged (no busy_timeout of its own). */
  url: string;
  processes: number;
  transfersPerProcess: number;
  accounts: number;
  /** Every account's starting balance: the total must stay `accounts * balance`. */
  balance: number;
  /** Run `PRAGMA wal_checkpoint(TRUNCATE)` in a loop from another process while the writers run. */
  checkpointer?: boolean;
  /** Per process, from start to exit (default 120 s). */
  timeoutMs?: number;
}

export interface WritersOutcome {
  writers: WriterResult[];
  checkpoints?: CheckpointResult;
  /** From the moment the processes were told to start until the last writer exited. */
  wallMs: number;
}

/** The same jiti ESM hooks the crash runner uses (cli.ts): the writer is TypeScript, forge loads from dist. */
function jitiRegister(): string {
  const pkg = createRequire(path.join(packagesDir, 'cli', 'package.json')).resolve('jiti/package.json');
  const exported = (JSON.parse(readFileSync(pkg, 'utf8')) as { exports: Record<string, { import: string | { default: string } }> }).exports['./register'].import;
  return pathToFileURL(path.resolve(path.dirname(pkg), typeof exported === 'string' ? exported : exported.default)).href;
}

interface Child {
  proc: ChildProcessWithoutNullStreams;
  ready: Promise<void>;
  /** The parsed RESULT line; rejects with the process's output when it fails. */
  done: Promise<unknown>;
}

function start(project: CliProject, url: string, args: string[], timeoutMs: number): Child {
  const env: Record<string, string | undefined> = { ...process.env, DATABASE_URL: url };
  delete env.NODE_OPTIONS;
  const proc = spawn(process.execPath, ['--import', jitiRegister(), WRITER, ...args], { cwd: project.dir, env });
  let stdout = '';
  let stderr = '';
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  proc.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    if (/^ready$/m.test(stdout)) markReady();
  });
  proc.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => {
    stderr += `\n[harness: killed after ${timeoutMs} ms]`;
    proc.kill('SIGKILL');
  }, timeoutMs);
  const done = new Promise<unknown>((resolve, reject) => {
    proc.on('close', (code, signal) => {
      clearTimeout(timer);
      markReady();
      const line = /^RESULT (.*)$/m.exec(stdout);
      if (code === 0 && line) resolve(JSON.parse(line[1]));
      else reject(new Error(`sqlite-writer ${args.join(' ')} exited ${code ?? signal}\n--- stdout\n${stdout.slice(-2000)}\n--- stderr\n${stderr.slice(-4000)}`));
    });
  });
  // A failure is reported through `done`; never as an unhandled rejection while other children still run.
  done.catch(() => undefined);
  return { proc, ready, done };
}

/**
 * Create the tables and accounts (in a process of their own, through `$migrate`), start the writers (and the
 * checkpointer) and let them go at once, then collect their reports. Needs the built packages (`pnpm build`).
 */
export async function runWriters(plan: WritersPlan): Promise<WritersOutcome> {
  for (const pkg of ['core', 'adapter-sqlite']) {
    if (!existsSync(path.join(packagesDir, pkg, 'dist', 'index.js'))) throw new Error(`packages/${pkg}/dist is missing: build first (pnpm build)`);
  }
  const timeoutMs = plan.timeoutMs ?? 120_000;
  const project = cliProject();
  try {
    await start(project, plan.url, ['setup', String(plan.accounts), String(plan.balance)], timeoutMs).done;
    const writers = Array.from({ length: plan.processes }, (_, w) =>
      start(project, plan.url, ['transfer', String(w), String(plan.transfersPerProcess), String(plan.accounts)], timeoutMs),
    );
    const checkpointer = plan.checkpointer ? start(project, plan.url, ['checkpoint'], timeoutMs) : undefined;
    const all = checkpointer ? [...writers, checkpointer] : writers;
    try {
      await Promise.all(all.map((c) => c.ready));
      const t0 = performance.now();
      if (checkpointer) checkpointer.proc.stdin.write('go\n');
      for (const w of writers) w.proc.stdin.end('go\n');
      const results = await Promise.allSettled(writers.map((w) => w.done));
      const wallMs = performance.now() - t0;
      checkpointer?.proc.stdin.end();
      const checkpoints = checkpointer ? ((await checkpointer.done) as CheckpointResult) : undefined;
      const failedProcess = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failedProcess) throw failedProcess.reason;
      return { writers: results.map((r) => (r as PromiseFulfilledResult<WriterResult>).value), checkpoints, wallMs: Math.round(wallMs) };
    } finally {
      for (const c of all) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
    }
  } finally {
    project.cleanup();
  }
}

export interface LedgerCheck {
  total: number;
  transfers: number;
  /** Transfers a writer reported committed that are not in the table, or are there more than once. */
  missing: string[];
  duplicated: string[];
  /** Rows in the table that no writer reported committed. */
  unreported: string[];
  integrity: string;
}

/** What the file holds afterwards, read on `conn` (another connection to the same file). */
export async function checkLedger(conn: Connection, writers: readonly WriterResult[]): Promise<LedgerCheck> {
  const [{ total }] = await conn.query<{ total: number }>('SELECT sum(balance) AS total FROM accounts');
  const rows = await conn.query<{ worker: number; seq: number; n: number }>('SELECT worker, seq, count(*) AS n FROM transfers GROUP BY worker, seq');
  const inTable = new Map(rows.map((r) => [`${r.worker}:${r.seq}`, r.n]));
  const reported = new Set(writers.flatMap((w) => w.seqs.map((s) => `${w.worker}:${s}`)));
  const [{ integrity_check: integrity }] = await conn.query<{ integrity_check: string }>('PRAGMA integrity_check');
  return {
    total,
    transfers: rows.reduce((n, r) => n + r.n, 0),
    missing: [...reported].filter((k) => !inTable.has(k)),
    duplicated: [...inTable].filter(([, n]) => n > 1).map(([k]) => k),
    unreported: [...inTable.keys()].filter((k) => !reported.has(k)),
    integrity,
  };
}

/** One line per process for the test output: committed, failed, latency and event-loop delay. */
export function summarize(outcome: WritersOutcome): string {
  const lines = outcome.writers.map(
    (w) =>
      `  writer ${w.worker}: ${w.committed} committed, ${w.failed} failed in ${Math.round(w.wallMs)} ms; ` +
      `latency p50 ${w.latencyMs.p50} / p99 ${w.latencyMs.p99} / max ${w.latencyMs.max} ms; ` +
      `event-loop delay p99 ${w.loopDelayMs.p99} / max ${w.loopDelayMs.max} ms` +
      (w.failed ? `; errors ${JSON.stringify(w.errors)}` : ''),
  );
  const committed = outcome.writers.reduce((n, w) => n + w.committed, 0);
  const head = `${outcome.writers.length} processes, ${committed} transfers committed in ${outcome.wallMs} ms (${Math.round((committed / outcome.wallMs) * 1000)}/s)`;
  const cp = outcome.checkpoints ? [`  checkpointer: ${outcome.checkpoints.runs} TRUNCATE checkpoints, ${outcome.checkpoints.completed} completed`] : [];
  return [head, ...lines, ...cp].join('\n');
}
