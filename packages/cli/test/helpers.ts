import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
export const CLI = path.resolve(here, '../dist/bin.js');

if (!existsSync(CLI)) {
  throw new Error(`${CLI} is missing: build first (cd /work/main && pnpm --filter @forge/core --filter @forge/adapter-sqlite --filter @forge/cli build)`);
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A CLI run as a failure message shows it: the exit code and both streams. */
export const shown = (r: RunResult) => `exit ${r.code}\n--- stdout\n${r.stdout}--- stderr\n${r.stderr}`;

/** A run that must succeed quietly: exit 0 and nothing at all on stderr, warnings included. */
export function ok(r: RunResult): RunResult {
  expect(r.code, shown(r)).toBe(0);
  expect(r.stderr, shown(r)).toBe('');
  return r;
}

/** The numbers in a push's `applied: N, skipped: M, failures: 0` line. */
export function pushCounts(r: RunResult): { applied: number; skipped: number } {
  const m = /^applied: (\d+), skipped: (\d+), failures: 0$/m.exec(r.stdout);
  expect(m, shown(r)).not.toBeNull();
  return { applied: Number(m![1]), skipped: Number(m![2]) };
}

export interface Project {
  dir: string;
  /** Absolute path of a file in the project. */
  file(rel: string): string;
  write(rel: string, content: string): void;
  /** `sqlite:<dir>/db.sqlite`. */
  url: string;
  db: string;
  run(args: string[], env?: Record<string, string | undefined>): RunResult;
  /** `run` without blocking the event loop, for CLI processes started side by side. */
  runAsync(args: string[], env?: Record<string, string | undefined>): Promise<RunResult>;
  /** `run`, failing the test with the CLI's output unless it exits 0. */
  ok(args: string[], env?: Record<string, string | undefined>): RunResult;
  cleanup(): void;
}

/** Variables from the outer shell that would change what the CLI does, removed so every run starts clean. */
const SCRUB = ['DATABASE_URL', 'FORGE_SCHEMA_PATH', 'FORGE_DIFF_IGNORE', 'NO_COLOR', 'FORCE_COLOR', 'NODE_OPTIONS', 'CI'];

/** The outer environment without SCRUB, plus `env`: what every CLI run (and a script that runs the CLI) gets. */
export function cliEnv(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const base: Record<string, string | undefined> = { ...process.env };
  for (const k of SCRUB) delete base[k];
  return { ...base, ...env };
}

/** `makeProject` for one test file: every project it makes is removed after each test. */
export function projectsCleanedAfterEach(): (files?: Record<string, string>) => Project {
  const made: Project[] = [];
  afterEach(() => {
    for (const p of made.splice(0)) p.cleanup();
  });
  return (files = {}) => {
    const p = makeProject(files);
    made.push(p);
    return p;
  };
}

/**
 * A throwaway project under test/ so Node resolution walks up to packages/cli/node_modules and finds
 * @forge/core and the adapters, as it would in a user's project with forge installed.
 */
export function makeProject(files: Record<string, string> = {}): Project {
  const dir = mkdtempSync(path.join(here, '.tmp-'));
  const file = (rel: string) => path.join(dir, rel);
  const write = (rel: string, content: string) => {
    mkdirSync(path.dirname(file(rel)), { recursive: true });
    writeFileSync(file(rel), content);
  };
  for (const [rel, content] of Object.entries(files)) write(rel, content);
  const db = file('db.sqlite');
  return {
    dir,
    file,
    write,
    db,
    url: `sqlite:${db}`,
    run(args, env = {}) {
      const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, env: cliEnv(env), encoding: 'utf8', timeout: 60_000 });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    },
    runAsync(args, env = {}) {
      return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [CLI, ...args], { cwd: dir, env: cliEnv(env), timeout: 60_000 });
        let stdout = '';
        let stderr = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
        child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
    },
    ok(args, env) {
      const r = this.run(args, env);
      if (r.code !== 0) throw new Error(`forge ${args.join(' ')} exited ${r.code}\n--- stdout\n${r.stdout}--- stderr\n${r.stderr}`);
      return r;
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Everything in the project directory, for "nothing was written" assertions. */
export function listFiles(p: Project): string[] {
  return readdirSync(p.dir, { recursive: true }).map(String).sort();
}

export const USERS_SCHEMA = `import { model, f } from '@forge/core';

export const User = model('users', {
  id: f.id(),
  email: f.string().unique(),
  nickname: f.string().optional(),
});

export const Post = model('posts', {
  id: f.id(),
  title: f.string(),
});

export const schema = { user: User, post: Post };
`;

/** The same schema without users.nickname: the database then has an extra column. */
export const USERS_SCHEMA_NO_NICKNAME = USERS_SCHEMA.replace('  nickname: f.string().optional(),\n', '');
