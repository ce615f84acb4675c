/**
 * `pnpm bench [--quick]`: every scenario for every subject, one child process per dialect (and per streaming
 * measurement), then results/latest.json and RESULTS.md.
 *
 * Options: --quick, --only=pk,list,include,write,stream,cli,contended,duckdb (groups or scenario keys; the DuckDB group's parts
 * are duckdb-pk, duckdb-list, duckdb-include, duckdb-create, duckdb-createMany, duckdb-groupBy, duckdb-stream),
 * --dialects=sqlite,postgres,mysql,duckdb (default: all four; duckdb is the DuckDB group),
 * --subjects=raw,forge,drizzle,kysely,prisma, --out=FILE (write the JSON there and skip RESULTS.md),
 * --profile[=pk,create,...] (CPU-profile forge alone on those scenarios and print its hot spots).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { benchDiff, benchHelp } from './cli-bench.js';
import { BENCH_DIR, DATA_DIR, DIALECTS, ensureDataDir, log, MYSQL_RUN_DB_ENV, MYSQL_URL, newMysqlDatabaseName, parseArgs, POSTGRES_URL, type Dialect, type ResultRow } from './common.js';
import { createMysqlDatabase, dropMysqlDatabase, ensureBigRows, ensureMysqlDataset, ensurePostgresDataset, ensureSqliteDataset, mysqlServerVersion } from './dataset.js';
import { machineFacts } from './machine.js';
import { profileForge } from './profile.js';
import { DUCKDB_PEERS_NOTE, evaluateTargets, renderMarkdown } from './report.js';
import { summarize } from './stats.js';
import { benchContended } from './contended.js';
import { benchDuckdb, wantsDuckdb } from './duckdb.js';
import { buildPrismaClient, type PrismaBuild } from './subjects/prisma.js';

const args = parseArgs(process.argv.slice(2));
const quick = args.has('quick');
const only = new Set((args.get('only') ?? 'pk,list,include,write,stream,cli,contended,duckdb').split(',').map((s) => s.trim()));
const dialectArgs = (args.get('dialects') ?? [...DIALECTS, 'duckdb'].join(',')).split(',').map((s) => s.trim());
/** The dialects of scenarios 1-5; DuckDB is a group of its own (duckdb.ts). */
const dialects = dialectArgs.filter((d) => d !== 'duckdb') as Dialect[];
const runDuckdb = wantsDuckdb(only) && dialectArgs.includes('duckdb');
const subjects = (args.get('subjects') ?? 'raw,forge,drizzle,kysely,prisma').split(',').map((s) => s.trim());
const CORE_GROUPS = ['pk', 'list', 'include', 'write'];
const coreOnly = [...only].filter((g) => CORE_GROUPS.some((c) => g === c || g.startsWith(c))).join(',');

function run(cmd: string[], what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, cmd, { cwd: BENCH_DIR, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${what} exited with code ${code}`))));
  });
}

/** Prisma on MySQL would need `@prisma/adapter-mariadb` (and a third generated client): not part of these rows. */
const PRISMA_NOT_ON_MYSQL = 'Prisma is not run on MySQL: its driver adapter for MySQL/MariaDB (@prisma/adapter-mariadb) is not installed in the bench';
const subjectsFor = (dialect: Dialect) => (dialect === 'mysql' ? subjects.filter((s) => s !== 'prisma') : subjects);

async function runDialect(dialect: Dialect, prisma: PrismaBuild | undefined): Promise<ResultRow[]> {
  const out = path.join(DATA_DIR, `worker-${dialect}.json`);
  rmSync(out, { force: true });
  const argv = ['--expose-gc', path.join(BENCH_DIR, 'dist', 'worker.js'), `--dialect=${dialect}`, `--out=${out}`, `--only=${coreOnly}`, `--subjects=${subjectsFor(dialect).join(',')}`];
  if (quick) argv.push('--quick');
  if (prisma?.ok) argv.push(`--prisma-client=${prisma.clientFile}`);
  else if (prisma) argv.push(`--prisma-error=${prisma.error}`);
  await run(argv, `the ${dialect} worker`);
  return JSON.parse(readFileSync(out, 'utf8')) as ResultRow[];
}

/** Scenario 5: each (subject, mode, size) read in a fresh process, `runs` times; median wall time, max peak RSS. */
async function runStreams(dialect: Dialect): Promise<ResultRow[]> {
  const sizes = quick ? [25_000, 100_000] : [250_000, 1_000_000];
  const runs = quick ? 1 : 3;
  await ensureBigRows(dialect, sizes[sizes.length - 1]);
  const rows: ResultRow[] = [];
  const out = path.join(DATA_DIR, `stream-${dialect}.json`);
  for (const n of sizes) {
    for (const mode of ['stream', 'buffered'] as const) {
      const scenario = mode === 'stream' ? `stream ${n.toLocaleString('en-US')} rows (findManyStream)` : `buffered ${n.toLocaleString('en-US')} rows (findMany)`;
      for (const subject of ['raw', 'forge']) {
        const walls: number[] = [];
        let peak = 0;
        let count = 0;
        try {
          for (let i = 0; i < runs; i++) {
            rmSync(out, { force: true });
            await run([path.join(BENCH_DIR, 'dist', 'stream-worker.js'), `--dialect=${dialect}`, `--subject=${subject}`, `--mode=${mode}`, `--rows=${n}`, `--out=${out}`], `stream-worker ${subject} ${mode}`);
            const r = JSON.parse(readFileSync(out, 'utf8')) as { wall_ms: number; peak_rss_mb: number; rows: number };
            walls.push(r.wall_ms);
            peak = Math.max(peak, r.peak_rss_mb);
            count = r.rows;
          }
          if (count !== n) throw new Error(`read ${count} rows, expected ${n}`);
          const { median, p95 } = summarize(walls);
          rows.push({ scenario, dialect, subject, median_ms: Math.round(median * 10) / 10, p95_ms: Math.round(p95 * 10) / 10, ratio_to_raw: null, samples: runs, rows: n, peak_rss_mb: Math.round(peak * 10) / 10 });
        } catch (e) {
          rows.push({ scenario, dialect, subject, median_ms: null, p95_ms: null, ratio_to_raw: null, rows: n, error: (e as Error).message });
        }
      }
      const raw = rows.find((r) => r.scenario === scenario && r.subject === 'raw' && r.dialect === dialect);
      for (const r of rows.filter((x) => x.scenario === scenario && x.dialect === dialect)) {
        if (raw?.median_ms && r.median_ms !== null) r.ratio_to_raw = Math.round((r.median_ms / raw.median_ms) * 1000) / 1000;
      }
      const pair = rows.filter((x) => x.scenario === scenario && x.dialect === dialect);
      log(`  ${dialect.padEnd(8)} ${scenario.padEnd(40)} ${pair.map((r) => (r.error ? `${r.subject} error: ${r.error}` : `${r.subject} ${r.median_ms} ms, peak RSS ${r.peak_rss_mb} MB`)).join('  ')}`);
    }
  }
  return rows;
}

const redact = (url: string) => url.replace(/\/\/[^@]*@/, '//');

/**
 * MySQL: a database of this run's own (`forge_bench_<random>`, named to the child processes through
 * MYSQL_RUN_DB_ENV), dropped when the dialect is done, or on Ctrl-C. Resolves to undefined (with the reason
 * logged and in the rows) when no server answers.
 */
let mysqlDropOnExit: string | undefined;
async function dropMysqlRunDatabase(): Promise<void> {
  const name = mysqlDropOnExit;
  if (!name) return;
  mysqlDropOnExit = undefined;
  delete process.env[MYSQL_RUN_DB_ENV];
  try {
    await dropMysqlDatabase(name);
    log(`  mysql: dropped ${name}`);
  } catch (e) {
    log(`  mysql: could not drop ${name}: ${(e as Error).message}`);
  }
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    void dropMysqlRunDatabase().finally(() => process.exit(130));
  });
}

async function prepareMysql(): Promise<void> {
  let version: string;
  try {
    version = await mysqlServerVersion();
  } catch (e) {
    throw new Error(`skipped: no MySQL/MariaDB server answered at ${redact(MYSQL_URL)} (${(e as Error).message || (e as { code?: string }).code}); set FORGE_BENCH_MYSQL_URL to point elsewhere`);
  }
  const name = newMysqlDatabaseName();
  await createMysqlDatabase(name);
  mysqlDropOnExit = name;
  process.env[MYSQL_RUN_DB_ENV] = name;
  log(`  mysql: ${version} at ${redact(MYSQL_URL)}, this run's database: ${name}`);
  await ensureMysqlDataset();
}

function errorRows(dialect: Dialect, why: string): ResultRow[] {
  return [{ scenario: 'all scenarios', dialect, subject: 'all', median_ms: null, p95_ms: null, ratio_to_raw: null, error: why }];
}

async function main(): Promise<void> {
  const t0 = performance.now();
  ensureDataDir();
  if (args.has('profile')) {
    await profileForge(args.get('profile') === 'true' ? ['pk', 'create', 'upsert', 'tx'] : args.get('profile')!.split(','), dialects);
    return;
  }
  log(
    quick
      ? 'forge bench — QUICK mode: fewer iterations and smaller streaming reads than the full run; numbers are indicative, not for publishing.'
      : 'forge bench — full run (expect several minutes; `pnpm bench --quick` for a fast look).',
  );
  const facts = await machineFacts();
  log(`  ${facts.cpu}, ${facts.cores} cores, ${facts.ramGb} GiB, Node ${facts.node}, load ${facts.loadAvg}`);
  const notes: string[] = [];
  const results: ResultRow[] = [];

  const phase = (t: number) => `${((performance.now() - t) / 1000).toFixed(1)} s`;
  // Scenarios 1-5 need each dialect's dataset; the contended-writes and CLI scenarios bring their own.
  for (const dialect of coreOnly || only.has('stream') ? dialects : []) {
    const td = performance.now();
    log(`\n[${dialect}]`);
    try {
      if (dialect === 'sqlite') await ensureSqliteDataset();
      else if (dialect === 'mysql') await prepareMysql();
      else await ensurePostgresDataset();
    } catch (e) {
      const why =
        dialect === 'mysql'
          ? `MySQL ${(e as Error).message.startsWith('skipped:') ? '' : `at ${redact(MYSQL_URL)} could not be prepared: `}${(e as Error).message}`
          : `${dialect === 'postgres' ? `PostgreSQL at ${redact(POSTGRES_URL)} ` : ''}could not be prepared: ${(e as Error).message}`;
      log(`  ${why}`);
      results.push(...errorRows(dialect, why));
      await dropMysqlRunDatabase();
      continue;
    }
    try {
      await runCoreAndStreams(dialect);
    } finally {
      if (dialect === 'mysql') await dropMysqlRunDatabase();
    }
    log(`  (${dialect} took ${phase(td)})`);
  }

  async function runCoreAndStreams(dialect: Dialect): Promise<void> {
    if (coreOnly) {
      let prisma: PrismaBuild | undefined;
      if (dialect === 'mysql' && subjects.includes('prisma')) {
        log(`  ${PRISMA_NOT_ON_MYSQL}`);
        notes.push(`${PRISMA_NOT_ON_MYSQL}.`);
      } else if (subjects.includes('prisma')) {
        prisma = await buildPrismaClient(dialect);
        if (!prisma.ok) log(`  prisma cannot run: ${prisma.error}`);
      }
      try {
        results.push(...(await runDialect(dialect, prisma)));
      } catch (e) {
        results.push(...errorRows(dialect, (e as Error).message));
      }
    }
    if (only.has('stream')) results.push(...(await runStreams(dialect)));
  }

  if (only.has('contended') && dialects.includes('sqlite')) {
    const tc = performance.now();
    log('\n[contended writes: sqlite, 4 processes on one file]');
    const prisma = subjects.includes('prisma') ? await buildPrismaClient('sqlite') : undefined;
    if (prisma && !prisma.ok) log(`  prisma cannot run: ${prisma.error}`);
    results.push(...(await benchContended({ quick, subjects, prismaClient: prisma?.ok ? prisma.clientFile : undefined, prismaError: prisma?.error })));
    log(`  (contended writes took ${phase(tc)})`);
  }

  if (runDuckdb) {
    const tc = performance.now();
    log('\n[duckdb]');
    log(`  ${DUCKDB_PEERS_NOTE}`);
    results.push(...(await benchDuckdb({ quick, only, subjects })));
    log(`  (duckdb took ${phase(tc)})`);
  }

  if (only.has('cli')) {
    const tc = performance.now();
    log('\n[cli]');
    try {
      const help = await benchHelp(quick ? 5 : 20);
      results.push(...help);
      log(`  forge --help: ${help.map((r) => `${r.subject} ${r.median_ms} ms`).join(', ')}`);
    } catch (e) {
      results.push({ scenario: 'forge --help (cold start)', dialect: 'postgres', subject: 'forge', median_ms: null, p95_ms: null, ratio_to_raw: null, error: (e as Error).message });
    }
    const diffs = await benchDiff([10, 100, 1000], quick ? 1 : 5);
    for (const r of diffs) log(`  ${r.scenario}: ${r.error ? `error: ${r.error}` : `${r.median_ms} ms, ${r.catalog_queries} catalog queries of ${r.queries} statements`}`);
    results.push(...diffs);
    log(`  (cli took ${phase(tc)})`);
  }

  if (quick) notes.push('Quick mode: 1 round of ≥ 5 samples per subject and scenario after a short warm-up, streaming reads of 25,000 and 100,000 rows (too small to show that peak RSS levels off, so the flatness target is left unjudged), one run per CLI measurement.');
  const durationS = (performance.now() - t0) / 1000;
  const outFile = args.get('out');
  if (outFile) {
    writeFileSync(outFile, JSON.stringify(results, null, 2));
  } else {
    mkdirSync(path.join(BENCH_DIR, 'results'), { recursive: true });
    writeFileSync(path.join(BENCH_DIR, 'results', 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(path.join(BENCH_DIR, 'RESULTS.md'), renderMarkdown(results, facts, { quick, command: `pnpm bench${quick ? ' --quick' : ''}`, durationS, notes }));
  }
  log('\nTargets:');
  for (const t of evaluateTargets(results, quick)) log(`  ${t.status === 'met' ? 'MET    ' : t.status === 'not met' ? 'NOT MET' : 'n/a    '} ${t.target}: ${t.detail}`);
  log(`\nDone in ${durationS.toFixed(0)} s${quick ? ' (quick mode)' : ''}. ${outFile ? `Results: ${outFile}` : 'Results: apps/bench/results/latest.json and apps/bench/RESULTS.md'}`);
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
