/**
 * The DuckDB group (`--only=duckdb`, or one part of it: `duckdb-pk`, `duckdb-list`, `duckdb-include`, `duckdb-create`,
 * `duckdb-createMany`, `duckdb-groupBy`, `duckdb-stream`; `--dialects=...,duckdb` when --dialects is given). forge
 * (`createDb({ url: 'duckdb:...' })`) against raw @duckdb/node-api on one file database, `.data/bench.duckdb`, rebuilt
 * at the start of each run (duckdb-worker.ts --mode=build): the shop dataset of the other dialects (5,000 customers,
 * 500 products, 30,000 orders, ~120,000 lines; tables pushed by forge, rows through the Appender), plus `big_rows`
 * and `sales` (1,000,000 rows each; quick mode 100,000), generated in SQL.
 *
 * In one child process (--expose-gc): PK lookup, list 100 / 25,000 rows, 100 orders + lines, create ×100, a
 * 100,000-row createMany (forge) against the raw Appender (the baseline) and a raw prepared INSERT per row in one
 * transaction (context), groupBy of the 1,000,000 sales by category with _sum and _count. Then streaming:
 * findManyStream against the raw streaming result (fetchChunk), one fresh process per read for wall time and
 * peak RSS. Every scenario compares each subject's answer with raw's before timing (rows, counts, sums); a subject
 * that differs is left out with the reason.
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { BENCH_DIR, DATA_DIR, DUCKDB_FILE, log, type ResultRow } from './common.js';
import { depVersion } from './machine.js';
import { summarize } from './stats.js';

export const DUCKDB_PARTS = ['pk', 'list', 'include', 'create', 'createMany', 'groupBy', 'stream'] as const;

/** Whether `--only` asks for the DuckDB group or a part of it. */
export function wantsDuckdb(only: Set<string>): boolean {
  return only.has('duckdb') || DUCKDB_PARTS.some((p) => only.has(`duckdb-${p}`));
}

function run(argv: string[], what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { cwd: BENCH_DIR, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${what} exited with code ${code}`))));
  });
}

const worker = path.join(BENCH_DIR, 'dist', 'duckdb-worker.js');
const errorRow = (scenario: string, subject: string, error: string): ResultRow => ({ scenario, dialect: 'duckdb', subject, median_ms: null, p95_ms: null, ratio_to_raw: null, error });

/** Streaming: each subject's read of the first N rows of big_rows in a fresh process, `runs` times; median wall, max peak RSS. */
async function streams(quick: boolean, subjects: string[]): Promise<ResultRow[]> {
  const n = quick ? 100_000 : 1_000_000;
  const runs = quick ? 1 : 3;
  const scenario = `stream ${n.toLocaleString('en-US')} rows (findManyStream)`;
  const out = path.join(DATA_DIR, 'stream-duckdb.json');
  const rows: ResultRow[] = [];
  let rawChecksum: number | undefined;
  for (const subject of ['raw', 'forge'].filter((s) => s === 'raw' || subjects.includes(s))) {
    const walls: number[] = [];
    let peak = 0;
    try {
      for (let i = 0; i < runs; i++) {
        rmSync(out, { force: true });
        await run([worker, '--mode=stream', `--file=${DUCKDB_FILE}`, `--subject=${subject}`, `--rows=${n}`, `--out=${out}`], `duckdb stream ${subject}`);
        const r = JSON.parse(readFileSync(out, 'utf8')) as { wall_ms: number; peak_rss_mb: number; rows: number; checksum: number };
        if (r.rows !== n) throw new Error(`read ${r.rows} rows, expected ${n}`);
        if (subject === 'raw') rawChecksum = r.checksum;
        else if (r.checksum !== rawChecksum) throw new Error(`wrong results: checksum ${r.checksum}, raw's ${rawChecksum}`);
        walls.push(r.wall_ms);
        peak = Math.max(peak, r.peak_rss_mb);
      }
      const { median, p95 } = summarize(walls);
      rows.push({ scenario, dialect: 'duckdb', subject, median_ms: Math.round(median * 10) / 10, p95_ms: Math.round(p95 * 10) / 10, ratio_to_raw: null, samples: runs, rows: n, peak_rss_mb: Math.round(peak * 10) / 10 });
    } catch (e) {
      rows.push({ ...errorRow(scenario, subject, (e as Error).message), rows: n });
    }
  }
  const raw = rows.find((r) => r.subject === 'raw');
  for (const r of rows) if (raw?.median_ms && r.median_ms !== null) r.ratio_to_raw = Math.round((r.median_ms / raw.median_ms) * 1000) / 1000;
  log(`  duckdb   ${scenario.padEnd(44)} ${rows.map((r) => (r.error ? `${r.subject} error: ${r.error}` : `${r.subject} ${r.median_ms} ms, peak RSS ${r.peak_rss_mb} MB`)).join('  ')}`);
  return rows;
}

export async function benchDuckdb(opts: { quick: boolean; only: Set<string>; subjects: string[] }): Promise<ResultRow[]> {
  const t0 = performance.now();
  try {
    await run([worker, '--mode=build', `--file=${DUCKDB_FILE}`, ...(opts.quick ? ['--quick'] : [])], 'the DuckDB dataset build');
  } catch (e) {
    return [errorRow('all scenarios', 'all', `the DuckDB dataset could not be built: ${(e as Error).message}`)];
  }
  log(`  duckdb: @duckdb/node-api ${depVersion('@duckdb/node-api')}, dataset written to ${path.relative(BENCH_DIR, DUCKDB_FILE)} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const rows: ResultRow[] = [];
  const all = opts.only.has('duckdb');
  const parts = DUCKDB_PARTS.filter((p) => p !== 'stream' && (all || opts.only.has(`duckdb-${p}`)));
  if (parts.length) {
    const out = path.join(DATA_DIR, 'worker-duckdb.json');
    rmSync(out, { force: true });
    try {
      await run(
        ['--expose-gc', worker, '--mode=scenarios', `--file=${DUCKDB_FILE}`, `--out=${out}`, `--only=${parts.map((p) => `duckdb-${p}`).join(',')}`, `--subjects=${opts.subjects.join(',')}`, ...(opts.quick ? ['--quick'] : [])],
        'the DuckDB worker',
      );
      rows.push(...(JSON.parse(readFileSync(out, 'utf8')) as ResultRow[]));
    } catch (e) {
      rows.push(errorRow('DuckDB scenarios', 'all', (e as Error).message));
    }
  }
  if (all || opts.only.has('duckdb-stream')) rows.push(...(await streams(opts.quick, opts.subjects)));
  return rows;
}
