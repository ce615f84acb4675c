import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

// Not the benchmark: one quick scenario on SQLite for raw and forge, to show the harness runs end to end
// (dataset, worker process, result check against raw, JSON out). The real run is `pnpm bench`.
const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'forge-bench-smoke-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

it('pnpm bench --quick runs the PK lookup scenario on SQLite and writes ratios to raw', () => {
  expect(existsSync(path.join(dir, 'dist', 'main.js')), 'apps/bench is not built: run pnpm build first').toBe(true);
  const out = path.join(tmp, 'results.json');
  const r = spawnSync(process.execPath, ['dist/main.js', '--quick', '--only=pk', '--dialects=sqlite', '--subjects=raw,forge', `--out=${out}`], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 20_000,
  });
  expect(r.status, r.stderr + r.stdout).toBe(0);
  expect(r.stdout).toMatch(/QUICK mode/);
  const rows = JSON.parse(readFileSync(out, 'utf8')) as Array<Record<string, unknown>>;
  const raw = rows.find((x) => x.subject === 'raw');
  const forge = rows.find((x) => x.subject === 'forge');
  expect(raw).toMatchObject({ dialect: 'sqlite', ratio_to_raw: 1 });
  expect(forge?.error).toBeUndefined();
  expect(forge?.scenario).toMatch(/^PK lookup/);
  expect(forge?.median_ms).toBeGreaterThan(0);
  expect(forge?.ratio_to_raw).toBeGreaterThan(0);
});

it('the contended-writes scenario runs 4 writer processes on one SQLite file; raw and forge commit every transfer', () => {
  expect(existsSync(path.join(dir, 'dist', 'contended-worker.js')), 'apps/bench is not built: run pnpm build first').toBe(true);
  const out = path.join(tmp, 'contended.json');
  const r = spawnSync(process.execPath, ['dist/main.js', '--quick', '--only=contended', '--dialects=sqlite', '--subjects=raw,forge', `--out=${out}`], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 25_000,
  });
  expect(r.status, r.stderr + r.stdout).toBe(0);
  const rows = JSON.parse(readFileSync(out, 'utf8')) as Array<Record<string, unknown>>;
  expect(rows.map((x) => x.subject)).toEqual(['raw', 'forge']);
  for (const row of rows) {
    expect(row, JSON.stringify(row)).toMatchObject({ dialect: 'sqlite', committed: 1000, failed: 0 });
    expect(row.error, JSON.stringify(row)).toBeUndefined();
    expect(row.throughput_per_s).toBeGreaterThan(0);
    expect(row.p99_ms).toBeGreaterThan(0);
  }
}, 30_000);

it('the DuckDB group runs (quick, groupBy only): its own file, raw and forge agree, forge has a ratio to raw', () => {
  expect(existsSync(path.join(dir, 'dist', 'duckdb-worker.js')), 'apps/bench is not built: run pnpm build first').toBe(true);
  const out = path.join(tmp, 'duckdb.json');
  const r = spawnSync(process.execPath, ['dist/main.js', '--quick', '--only=duckdb-groupBy', `--out=${out}`], { cwd: dir, encoding: 'utf8', timeout: 40_000 });
  expect(r.status, r.stderr + r.stdout).toBe(0);
  const rows = JSON.parse(readFileSync(out, 'utf8')) as Array<Record<string, unknown>>;
  expect(rows.map((x) => [x.dialect, x.subject])).toEqual([
    ['duckdb', 'raw'],
    ['duckdb', 'forge'],
  ]);
  for (const row of rows) expect(row.error, JSON.stringify(row)).toBeUndefined();
  expect(rows[0].scenario).toMatch(/^groupBy 100,000 rows/);
  expect(rows[1].ratio_to_raw).toBeGreaterThan(0);
}, 45_000);
