import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CrashCommand } from './crash-runner.js';

const packagesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The built CLI: the harness runs `forge` as users do, as separate processes. */
const CLI_BIN = path.join(packagesDir, 'cli', 'dist', 'bin.js');

/** Variables from the outer shell that would change what the CLI does; every run starts without them. */
const SCRUB = ['DATABASE_URL', 'FORGE_SCHEMA_PATH', 'FORGE_DIFF_IGNORE', 'NO_COLOR', 'FORCE_COLOR', 'NODE_OPTIONS', 'CI'];

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface CliProject {
  dir: string;
  file(rel: string): string;
  write(rel: string, content: string): void;
  /** Run `forge <args>` in the project; never rejects, a run past `timeoutMs` is killed and reported as such. */
  run(args: string[], env?: Record<string, string>, timeoutMs?: number): Promise<CliRun>;
  /** Every path under the project except node_modules, for "nothing was written" checks. */
  files(): string[];
  cleanup(): void;
}

/**
 * A throwaway user project in the temp folder whose node_modules links @forge/core and every adapter
 * package of this repository, so the CLI resolves the adapter from the project as it does for users.
 */
export function cliProject(files: Record<string, string> = {}): CliProject {
  if (!existsSync(CLI_BIN)) throw new Error(`${CLI_BIN} is missing: build first (pnpm --filter @forge/cli... build)`);
  const dir = mkdtempSync(path.join(tmpdir(), 'forge-rel-cli-'));
  const scope = path.join(dir, 'node_modules', '@forge');
  mkdirSync(scope, { recursive: true });
  for (const pkg of readdirSync(packagesDir)) {
    if (pkg === 'core' || pkg.startsWith('adapter-')) symlinkSync(path.join(packagesDir, pkg), path.join(scope, pkg), 'dir');
  }
  const file = (rel: string) => path.join(dir, rel);
  const write = (rel: string, content: string) => {
    mkdirSync(path.dirname(file(rel)), { recursive: true });
    writeFileSync(file(rel), content);
  };
  for (const [rel, content] of Object.entries(files)) write(rel, content);
  return {
    dir,
    file,
    write,
    run(args, env = {}, timeoutMs = 60_000) {
      return runNode(dir, [CLI_BIN, ...args], env, timeoutMs);
    },
    files() {
      return readdirSync(dir, { recursive: true })
        .map(String)
        .filter((p) => p !== 'node_modules' && !p.startsWith(`node_modules${path.sep}`))
        .sort();
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Run `node <argv>` in `dir` with the outer environment minus SCRUB, plus `env`; never rejects. */
function runNode(dir: string, argv: string[], env: Record<string, string>, timeoutMs: number): Promise<CliRun> {
  const base: Record<string, string | undefined> = { ...process.env };
  for (const k of SCRUB) delete base[k];
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, argv, { cwd: dir, env: { ...base, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      stderr += `\n[harness: killed after ${timeoutMs} ms]`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/**
 * jiti's ESM loader hooks, from the CLI's own dependency (the CLI loads schema files with jiti): the crash
 * runner and the project's schema file are TypeScript, while @forge/core and the adapters load natively
 * from their built `dist`, one copy each.
 */
function jitiRegister(): string {
  const pkg = createRequire(path.join(packagesDir, 'cli', 'package.json')).resolve('jiti/package.json');
  const exported = (JSON.parse(readFileSync(pkg, 'utf8')) as { exports: Record<string, { import: string | { default: string } }> }).exports['./register'].import;
  return pathToFileURL(path.resolve(path.dirname(pkg), typeof exported === 'string' ? exported : exported.default)).href;
}

const CRASH_RUNNER = fileURLToPath(new URL('./crash-runner.ts', import.meta.url));

/**
 * Run `command` in the project as `forge` would (DATABASE_URL from `env`, the project's `src/schema.ts` and
 * `migrations` folder), in a child process that SIGKILLs itself right after the k-th statement the engine
 * applied: the engine's `afterStatement` hook, passed in by `crash-runner.ts`. Never rejects.
 */
export function crashRun(project: CliProject, command: CrashCommand, k: number, env: Record<string, string>, timeoutMs = 60_000): Promise<CliRun> {
  if (!existsSync(path.join(packagesDir, 'core', 'dist', 'index.js'))) throw new Error('packages/core/dist is missing: build first (pnpm build)');
  return runNode(project.dir, ['--import', jitiRegister(), CRASH_RUNNER, command, String(k)], env, timeoutMs);
}

/** A run's output for an assertion message. */
export function shown(r: CliRun): string {
  return `exit ${r.code ?? r.signal} after ${r.ms} ms\n--- stdout\n${r.stdout}--- stderr\n${r.stderr}`;
}

/** Retry `check` until it passes or `ms` elapse (a killed client's server session takes a moment to end). */
export async function eventually(check: () => Promise<void>, ms = 5_000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > until) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
