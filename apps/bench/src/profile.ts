/**
 * `pnpm bench --profile[=pk,create,...]`: run forge alone on the given scenarios under `node --cpu-prof` and print
 * where the time goes, by function, mapped back to forge's TypeScript sources through the dist source maps.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_DIR, DATA_DIR, log, MYSQL_RUN_DB_ENV, newMysqlDatabaseName, REPO_DIR, type Dialect } from './common.js';
import { createMysqlDatabase, dropMysqlDatabase, ensureMysqlDataset, ensurePostgresDataset, ensureSqliteDataset } from './dataset.js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

// ---------- source maps (just enough to map a dist position to its source file) ----------

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
type Segment = [number, number, number, number];

function decodeMappings(mappings: string): Segment[][] {
  const lines: Segment[][] = [];
  let src = 0;
  let srcLine = 0;
  let srcCol = 0;
  for (const line of mappings.split(';')) {
    const segs: Segment[] = [];
    let genCol = 0;
    for (const seg of line.split(',')) {
      if (!seg) continue;
      const vals: number[] = [];
      let shift = 0;
      let value = 0;
      for (const ch of seg) {
        const digit = B64.indexOf(ch);
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else {
          vals.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      genCol += vals[0];
      if (vals.length >= 4) {
        src += vals[1];
        srcLine += vals[2];
        srcCol += vals[3];
        segs.push([genCol, src, srcLine, srcCol]);
      }
    }
    lines.push(segs);
  }
  return lines;
}

const maps = new Map<string, { sources: string[]; lines: Segment[][] } | null>();

/** `packages/core/src/client/read.ts:123` for a position in a built file, or the dist path when there is no map. */
function original(file: string, line: number, col: number): string {
  let m = maps.get(file);
  if (m === undefined) {
    m = null;
    try {
      const raw = JSON.parse(readFileSync(`${file}.map`, 'utf8')) as { sources: string[]; mappings: string };
      m = { sources: raw.sources.map((s) => path.relative(REPO_DIR, path.resolve(path.dirname(file), s))), lines: decodeMappings(raw.mappings) };
    } catch {
      // No map: keep the dist position.
    }
    maps.set(file, m);
  }
  const rel = path.relative(REPO_DIR, file);
  if (!m) return `${rel}:${line + 1}`;
  const segs = m.lines[line] ?? [];
  let best: Segment | undefined;
  for (const s of segs) if (s[0] <= col) best = s;
  return best ? `${m.sources[best[1]]}:${best[2] + 1}` : `${rel}:${line + 1}`;
}

function where(cf: CallFrame): string {
  if (!cf.url) return `(${cf.functionName || 'native'})`;
  if (!cf.url.startsWith('file://')) return cf.url;
  return original(fileURLToPath(cf.url), cf.lineNumber, cf.columnNumber);
}

const isForge = (loc: string) => loc.startsWith('packages/');

export interface HotSpot {
  fn: string;
  loc: string;
  selfPct: number;
  totalPct: number;
}

/** Self and inclusive time per function (inclusive counted once per stack, so recursion is not double-billed). */
export function analyze(profile: CpuProfile): { hot: HotSpot[]; forgeSelfPct: number; totalMs: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0) || 1;
  const key = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'}\u0000${where(n.callFrame)}`;
  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const n = byId.get(id)!;
    self.set(key(n), (self.get(key(n)) ?? 0) + us);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const k = key(byId.get(cur)!);
      if (seen.has(k)) continue;
      seen.add(k);
      incl.set(k, (incl.get(k) ?? 0) + us);
    }
  }
  const hot: HotSpot[] = [...incl.keys()].map((k) => {
    const [fn, loc] = k.split('\u0000');
    return { fn, loc, selfPct: ((self.get(k) ?? 0) / total) * 100, totalPct: ((incl.get(k) ?? 0) / total) * 100 };
  });
  const forgeSelfPct = hot.filter((h) => isForge(h.loc)).reduce((a, h) => a + h.selfPct, 0);
  return { hot, forgeSelfPct, totalMs: total / 1000 };
}

export function formatHotSpots(a: ReturnType<typeof analyze>, top = 15): string {
  const lines: string[] = [];
  lines.push(`  sampled ${a.totalMs.toFixed(0)} ms; forge's own code (packages/*) is ${a.forgeSelfPct.toFixed(1)}% of self time`);
  lines.push('  top self time, all code:');
  for (const h of [...a.hot].sort((x, y) => y.selfPct - x.selfPct).slice(0, top)) {
    lines.push(`    ${h.selfPct.toFixed(1).padStart(5)}%  ${h.fn}  ${h.loc}`);
  }
  lines.push("  forge's functions by self time (inclusive time in brackets):");
  for (const h of a.hot.filter((x) => isForge(x.loc)).sort((x, y) => y.selfPct - x.selfPct).slice(0, top)) {
    lines.push(`    ${h.selfPct.toFixed(1).padStart(5)}%  (${h.totalPct.toFixed(1).padStart(5)}%)  ${h.fn}  ${h.loc}`);
  }
  return lines.join('\n');
}

export async function profileForge(scenarios: string[], dialects: Dialect[]): Promise<void> {
  const dir = path.join(DATA_DIR, 'profiles');
  mkdirSync(dir, { recursive: true });
  for (const dialect of dialects) {
    // MySQL: a database for this profiling run, dropped afterwards (as in main.ts).
    const mysqlDb = dialect === 'mysql' ? newMysqlDatabaseName() : undefined;
    if (mysqlDb) {
      await createMysqlDatabase(mysqlDb);
      process.env[MYSQL_RUN_DB_ENV] = mysqlDb;
    }
    try {
      if (dialect === 'sqlite') await ensureSqliteDataset();
      else if (dialect === 'mysql') await ensureMysqlDataset();
      else await ensurePostgresDataset();
      await profileDialect(dialect, scenarios, dir);
    } finally {
      if (mysqlDb) {
        delete process.env[MYSQL_RUN_DB_ENV];
        await dropMysqlDatabase(mysqlDb);
      }
    }
  }
}

async function profileDialect(dialect: Dialect, scenarios: string[], dir: string): Promise<void> {
  for (const sc of scenarios) {
    const name = `${dialect}-${sc}`;
    for (const f of readdirSync(dir)) if (f.startsWith(`${name}.`)) rmSync(path.join(dir, f));
    const out = path.join(dir, `${name}.json`);
    const argv = [
      '--expose-gc',
      path.join(BENCH_DIR, 'dist', 'worker.js'),
      `--dialect=${dialect}`,
      `--only=${sc}`,
      '--subjects=forge',
      '--solo',
      `--profile-dir=${dir}`,
      `--out=${out}`,
    ];
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, argv, { cwd: BENCH_DIR, stdio: ['ignore', 'inherit', 'inherit'] });
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`profiling ${name} failed (exit ${code})`))));
    });
    const file = path.join(dir, `${name}.cpuprofile`);
    if (!existsSync(file)) throw new Error(`no profile written at ${file}`);
    const text = formatHotSpots(analyze(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile));
    writeFileSync(path.join(dir, `${name}.txt`), `${text}\n`);
    log(`\n[profile ${name}] (${path.relative(process.cwd(), file)})\n${text}`);
  }
}
