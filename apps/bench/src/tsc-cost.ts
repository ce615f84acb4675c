/**
 * What a schema costs the type checker: `tsc --noEmit --extendedDiagnostics` over the same N-model schema with
 * relations and the same queries, written for forge, Drizzle and Prisma 7 (its generated client), in one run.
 *
 *   node dist/tsc-cost.js [--models=100] [--runs=3] [--out=results/tsc-cost.json]
 *
 * Each subject is a folder under .data/tsc-cost/ (so imports resolve from apps/bench/node_modules) with its own
 * tsconfig (strict, skipLibCheck, bundler resolution). A subject whose code does not type-check fails the run:
 * the numbers are only worth reading when every subject compiles the same queries cleanly.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { BENCH_DIR, DATA_DIR } from './common.js';

const req = createRequire(path.join(BENCH_DIR, 'package.json'));

interface Options {
  models: number;
  runs: number;
  out?: string;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { models: 100, runs: 3 };
  for (const a of argv) {
    const [k, v] = a.replace(/^--/, '').split('=');
    if (k === 'models') opts.models = Number(v);
    else if (k === 'runs') opts.runs = Number(v);
    else if (k === 'out') opts.out = v;
    else throw new Error(`Unknown option ${a}. Known: --models=N, --runs=N, --out=file.json`);
  }
  if (!Number.isInteger(opts.models) || opts.models < 2 || opts.models > 1000) throw new Error('--models takes an integer from 2 to 1000');
  if (!Number.isInteger(opts.runs) || opts.runs < 1 || opts.runs > 20) throw new Error('--runs takes an integer from 1 to 20');
  return opts;
}

/** The queries every subject writes, on these models: a spread across the schema, not just the first one. */
const queried = (n: number): number[] => Array.from({ length: 10 }, (_, k) => Math.min(n - 2, 1 + Math.floor((k * (n - 2)) / 9)));

const TSCONFIG = JSON.stringify(
  {
    compilerOptions: {
      target: 'ES2022',
      module: 'ESNext',
      moduleResolution: 'Bundler',
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: [],
    },
    include: ['**/*.ts'],
  },
  null,
  2,
);

function forgeFiles(n: number): Record<string, string> {
  const models: string[] = [];
  for (let i = 0; i < n; i++) {
    const fk = i > 0 ? `\n    parentId: f.int().refs(() => M${i - 1}),` : '';
    const rels: string[] = [];
    if (i > 0) rels.push(`parent: one('m${i - 1}', { on: 'parentId' })`);
    if (i < n - 1) rels.push(`children: many('m${i + 1}', { on: 'parentId' })`);
    models.push(
      `export const M${i} = model(\n  'm${i}',\n  {\n    id: f.id({ type: 'int' }),\n    name: f.string(),\n    score: f.int(),\n    active: f.bool(),\n    createdAt: f.dateTime(),\n    note: f.string().optional(),${fk}\n  },\n  { relations: { ${rels.join(', ')} } },\n);`,
    );
  }
  const schema = `import { f, many, model, one } from 'forge-orm';\n\n${models.join('\n\n')}\n\nexport const schema = { ${Array.from({ length: n }, (_, i) => `m${i}: M${i}`).join(', ')} };\n`;
  const q = queried(n)
    .map(
      (i) => `  const r${i} = await db.m${i}.findMany({ where: { name: { contains: 'a' }, score: { gte: 1 } }, include: { parent: true, children: true }, take: 10 });
  const s${i}: string = r${i}[0].name; const p${i}: number | undefined = r${i}[0].parent?.id; const c${i}: number = r${i}[0].children.length;
  await db.m${i}.update({ where: { id: 1 }, data: { score: 2, note: null } });
  void [s${i}, p${i}, c${i}];`,
    )
    .join('\n');
  const usage = `import { createDb } from 'forge-orm';\nimport { schema } from './schema.js';\n\nexport async function run(): Promise<void> {\n  const db = await createDb({ url: 'sqlite::memory:', schema });\n${q}\n}\n`;
  return { 'schema.ts': schema, 'usage.ts': usage };
}

function drizzleFiles(n: number): Record<string, string> {
  const tables: string[] = [];
  const rels: string[] = [];
  for (let i = 0; i < n; i++) {
    const fk = i > 0 ? `\n  parentId: integer('parent_id').notNull().references(() => m${i - 1}.id),` : '';
    tables.push(
      `export const m${i} = sqliteTable('m${i}', {\n  id: integer('id').primaryKey({ autoIncrement: true }),\n  name: text('name').notNull(),\n  score: integer('score').notNull(),\n  active: integer('active', { mode: 'boolean' }).notNull(),\n  createdAt: integer('created_at', { mode: 'timestamp' }).notNull(),\n  note: text('note'),${fk}\n});`,
    );
    const r: string[] = [];
    if (i > 0) r.push(`parent: one(m${i - 1}, { fields: [m${i}.parentId], references: [m${i - 1}.id] })`);
    if (i < n - 1) r.push(`children: many(m${i + 1})`);
    rels.push(`export const m${i}Relations = relations(m${i}, ({ one, many }) => ({ ${r.join(', ')} }));`);
  }
  const schema = `import { relations } from 'drizzle-orm';\nimport { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';\n\n${tables.join('\n\n')}\n\n${rels.join('\n')}\n`;
  const q = queried(n)
    .map(
      (i) => `  const r${i} = await db.query.m${i}.findMany({ where: and(like(s.m${i}.name, '%a%'), gte(s.m${i}.score, 1)), with: { parent: true, children: true }, limit: 10 });
  const s${i}: string = r${i}[0].name; const p${i}: number | undefined = r${i}[0].parent?.id; const c${i}: number = r${i}[0].children.length;
  await db.update(s.m${i}).set({ score: 2, note: null }).where(eq(s.m${i}.id, 1));
  void [s${i}, p${i}, c${i}];`,
    )
    .join('\n');
  const usage = `import { and, eq, gte, like } from 'drizzle-orm';\nimport { drizzle } from 'drizzle-orm/better-sqlite3';\nimport * as s from './schema.js';\n\nexport async function run(): Promise<void> {\n  const db = drizzle(':memory:', { schema: s });\n${q}\n}\n`;
  return { 'schema.ts': schema, 'usage.ts': usage };
}

function prismaSchemaText(n: number): string {
  const models: string[] = [];
  const cap = (i: number) => `M${i}`;
  for (let i = 0; i < n; i++) {
    const lines = [
      `  id        Int      @id @default(autoincrement())`,
      `  name      String`,
      `  score     Int`,
      `  active    Boolean`,
      `  createdAt DateTime @map("created_at")`,
      `  note      String?`,
    ];
    if (i > 0) {
      lines.push(`  parentId  Int      @map("parent_id")`);
      lines.push(`  parent    ${cap(i - 1)} @relation(fields: [parentId], references: [id])`);
    }
    if (i < n - 1) lines.push(`  children  ${cap(i + 1)}[]`);
    models.push(`model ${cap(i)} {\n${lines.join('\n')}\n\n  @@map("m${i}")\n}`);
  }
  return `generator client {\n  provider     = "prisma-client"\n  output       = "./generated"\n  moduleFormat = "esm"\n}\n\ndatasource db {\n  provider = "sqlite"\n}\n\n${models.join('\n\n')}\n`;
}

function prismaUsage(n: number): string {
  const q = queried(n)
    .map(
      (i) => `  const r${i} = await db.m${i}.findMany({ where: { name: { contains: 'a' }, score: { gte: 1 } }, include: { ${i > 0 ? 'parent: true, ' : ''}children: true }, take: 10 });
  const s${i}: string = r${i}[0].name; const p${i}: number | undefined = r${i}[0].parent?.id; const c${i}: number = r${i}[0].children.length;
  await db.m${i}.update({ where: { id: 1 }, data: { score: 2, note: null } });
  void [s${i}, p${i}, c${i}];`,
    )
    .join('\n');
  return `import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';\nimport { PrismaClient } from './generated/client.js';\n\nexport async function run(): Promise<void> {\n  const db = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: ':memory:' }) });\n${q}\n}\n`;
}

interface Diagnostics {
  totalMs: number;
  checkMs: number;
  instantiations: number;
  types: number;
  memoryKb: number;
}

function parseDiagnostics(out: string): Diagnostics {
  const num = (label: string): number => {
    const m = new RegExp(`^${label}:\\s+([\\d.]+)`, 'm').exec(out);
    if (!m) throw new Error(`tsc --extendedDiagnostics printed no '${label}' line:\n${out.slice(0, 2000)}`);
    return Number(m[1]);
  };
  return {
    totalMs: num('Total time') * 1000,
    checkMs: num('Check time') * 1000,
    instantiations: num('Instantiations'),
    types: num('Types'),
    memoryKb: num('Memory used'),
  };
}

function tscBin(): string {
  return path.join(path.dirname(req.resolve('typescript/package.json')), 'bin', 'tsc');
}

function check(dir: string): Diagnostics {
  const r = spawnSync(process.execPath, [tscBin(), '-p', path.join(dir, 'tsconfig.json'), '--extendedDiagnostics'], { encoding: 'utf8', timeout: 600_000 });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (r.status !== 0) {
    const errors = out.split('\n').filter((l) => /error TS\d+/.test(l)).slice(0, 8).join('\n');
    throw new Error(`the ${path.basename(dir)} subject does not type-check (tsc exit ${r.status}):\n${errors || out.slice(0, 2000)}`);
  }
  return parseDiagnostics(out);
}

function write(dir: string, files: Record<string, string>): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'tsconfig.json'), TSCONFIG);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
}

function preparePrisma(dir: string, n: number): void {
  write(dir, { 'usage.ts': prismaUsage(n) });
  writeFileSync(path.join(dir, 'schema.prisma'), prismaSchemaText(n));
  const bin = path.join(path.dirname(req.resolve('prisma/package.json')), 'build', 'index.js');
  const gen = spawnSync(process.execPath, [bin, 'generate', '--schema', path.join(dir, 'schema.prisma')], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? '/bin/true', PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' },
    timeout: 300_000,
  });
  if (gen.status !== 0) throw new Error(`prisma generate failed: ${`${gen.stderr ?? ''}${gen.stdout ?? ''}`.trim().split('\n').slice(-6).join(' ')}`);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const root = path.join(DATA_DIR, 'tsc-cost');
  const subjects: Array<{ name: string; dir: string; prepare: (dir: string) => void }> = [
    { name: 'forge', dir: path.join(root, 'forge'), prepare: (d) => write(d, forgeFiles(opts.models)) },
    { name: 'drizzle', dir: path.join(root, 'drizzle'), prepare: (d) => write(d, drizzleFiles(opts.models)) },
    { name: 'prisma', dir: path.join(root, 'prisma'), prepare: (d) => preparePrisma(d, opts.models) },
  ];
  const results: Record<string, Diagnostics & { runs: number }> = {};
  console.log(`type-checking cost: ${opts.models} models with relations both ways, 10 findMany-with-include and 10 update calls, median of ${opts.runs} run(s)`);
  for (const s of subjects) {
    s.prepare(s.dir);
    const runs: Diagnostics[] = [];
    for (let i = 0; i < opts.runs; i++) runs.push(check(s.dir));
    results[s.name] = {
      runs: runs.length,
      totalMs: median(runs.map((r) => r.totalMs)),
      checkMs: median(runs.map((r) => r.checkMs)),
      instantiations: median(runs.map((r) => r.instantiations)),
      types: median(runs.map((r) => r.types)),
      memoryKb: median(runs.map((r) => r.memoryKb)),
    };
  }
  const forge = results.forge;
  const row = (name: string) => {
    const r = results[name];
    const ratio = name === 'forge' ? '' : `  (forge is ${(forge.checkMs / r.checkMs).toFixed(2)}x its check time, ${(forge.instantiations / Math.max(1, r.instantiations)).toFixed(2)}x its instantiations)`;
    return `  ${name.padEnd(8)} total ${r.totalMs.toFixed(0).padStart(6)} ms  check ${r.checkMs.toFixed(0).padStart(6)} ms  instantiations ${String(r.instantiations).padStart(9)}  types ${String(r.types).padStart(7)}  memory ${(r.memoryKb / 1024).toFixed(0).padStart(5)} MB${ratio}`;
  };
  for (const name of Object.keys(results)) console.log(row(name));
  const ts = (req('typescript/package.json') as { version: string }).version;
  const report = { date: new Date().toISOString(), typescript: ts, models: opts.models, results };
  if (opts.out) {
    const out = path.resolve(BENCH_DIR, opts.out);
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`written to ${path.relative(process.cwd(), out)}`);
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
