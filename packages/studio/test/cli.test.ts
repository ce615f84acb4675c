import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
const CLI = path.resolve(here, '../../cli/dist/bin.js');
const built = existsSync(CLI) && existsSync(path.resolve(here, '../dist/index.js'));

const SCHEMA = `import { f, model } from '@forge/core';
export const Note = model('notes', { id: f.id({ type: 'int' }), text: f.string() });
export const schema = { note: Note };
`;

/** Start `forge studio` in a project, and wait for the line with its URL. */
function start(dir: string, args: string[]): Promise<{ child: ChildProcess; url: string; out: () => string; err: () => string }> {
  const env: Record<string, string | undefined> = { ...process.env, DATABASE_URL: `sqlite:${path.join(dir, 'db.sqlite')}`, NO_COLOR: '1' };
  delete env.FORGE_SCHEMA_PATH;
  const child = spawn(process.execPath, [CLI, 'studio', ...args], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL within 20s\n${out}\n${err}`)), 20_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /forge studio on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1], out: () => out, err: () => err });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`forge studio exited ${code}\n${out}\n${err}`));
    });
  });
}

/** The exit code, or the signal's name when a signal ended the process (so a failure says which). */
const exited = (child: ChildProcess) => new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));

describe.skipIf(!built)(built ? 'forge studio through the CLI' : 'forge studio through the CLI (skipped: build @forge/cli and @forge/studio first)', () => {
  let dir: string | undefined;
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loads the schema and DATABASE_URL like every command, serves the page and its API on loopback, and stops on SIGINT with 0', async () => {
    dir = mkdtempSync(path.join(here, '../node_modules/.studio-cli-test-'));
    writeFileSync(path.join(dir, 'schema.ts'), SCHEMA);
    const s = await start(dir, ['--port', '0', '--no-open']);
    children.push(s.child);
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const html = await (await fetch(s.url)).text();
    const token = /name="forge-studio-token" content="([^"]+)"/.exec(html)![1];
    expect(token.length).toBeGreaterThan(20);
    // The table does not exist yet: the drift view says so, with the CREATE TABLE push would run.
    const drift = (await (await fetch(new URL('/api/drift', s.url), { headers: { 'x-forge-studio-token': token } })).json()) as any;
    expect(drift.report.items).toEqual([expect.objectContaining({ kind: 'table', direction: 'missing', table: 'notes' })]);
    expect(drift.push.statements[0].sql[0]).toMatch(/CREATE TABLE (IF NOT EXISTS )?"notes"/);
    expect((await fetch(new URL('/api/drift', s.url))).status).toBe(401);
    const done = exited(s.child);
    s.child.kill('SIGINT');
    expect(await done).toBe(0);
    expect(s.err()).toBe('');
  });

  it('warns when --host is not loopback, and refuses a bad port', async () => {
    dir = mkdtempSync(path.join(here, '../node_modules/.studio-cli-test-'));
    writeFileSync(path.join(dir, 'schema.ts'), SCHEMA);
    const s = await start(dir, ['--port', '0', '--no-open', '--host', '0.0.0.0']);
    children.push(s.child);
    await expect.poll(() => s.err()).toMatch(/warning: --host 0\.0\.0\.0 is not loopback/);
    const done = exited(s.child);
    s.child.kill('SIGTERM');
    expect(await done).toBe(0);
    const bad = spawn(process.execPath, [CLI, 'studio', '--port', 'many', '--no-open'], { cwd: dir, env: { ...process.env, DATABASE_URL: `sqlite:${path.join(dir, 'db.sqlite')}`, NO_COLOR: '1' } });
    let err = '';
    bad.stderr.on('data', (d) => (err += d));
    expect(await exited(bad)).toBe(1);
    expect(err).toMatch(/--port many is not a port number/);
  });
});
