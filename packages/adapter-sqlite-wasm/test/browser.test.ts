import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The example app (example/, built here with Vite) in headless Chromium: it migrates, writes, reloads and reads
 * back from OPFS, takes a new schema version ($migrate adds the column), and going back reports the extra column
 * as pending without dropping it. Debian's Chromium, driven by playwright-core; never a downloaded browser.
 */
const CHROMIUM = process.env.FORGE_TEST_CHROMIUM ?? '/usr/bin/chromium';
const here = path.dirname(fileURLToPath(import.meta.url));
const exampleDir = path.join(here, '..', 'example');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
};

function serve(root: string): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const file = path.join(root, path.normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, ''));
    const target = file.startsWith(root) && existsSync(file) && statSync(file).isDirectory() ? path.join(file, 'index.html') : file;
    if (!target.startsWith(root) || !existsSync(target)) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(target)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(readFileSync(target));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, origin: `http://localhost:${(server.address() as { port: number }).port}` })));
}

interface Outcome {
  version: number;
  migrate: { applied: string[]; failures: unknown[]; alteredColumns: string[]; pending: Array<{ kind: string; direction: string; table: string }> };
  items: Array<{ title: string; done: boolean; note?: string | null }>;
  diff: unknown[];
  bench?: { reads: number; readMsAvg: number; rawSelect1MsAvg: number; createManyRows: number; createManyMs: number };
  doctor: { opfs: boolean; secureContext: boolean; persisted: boolean | null; estimate: { usage: number; quota: number } | null; sqlite?: { version: string; features: Record<string, unknown> } };
}

async function outcome(page: Page): Promise<Outcome> {
  await page.waitForFunction(() => (window as { __forge?: unknown; __forgeError?: unknown }).__forge ?? (window as { __forgeError?: unknown }).__forgeError, undefined, { timeout: 20_000 });
  const error = await page.evaluate(() => (window as { __forgeError?: string }).__forgeError);
  if (error) throw new Error(`the example app failed: ${error}`);
  return (await page.evaluate(() => (window as { __forge?: unknown }).__forge)) as Outcome;
}

const available = existsSync(CHROMIUM);
const suite = available ? describe : describe.skip;

suite(available ? 'the browser example in headless Chromium' : `the browser example [skipped: no Chromium at ${CHROMIUM}; apt-get install chromium or set FORGE_TEST_CHROMIUM]`, () => {
  let outDir: string;
  let profile: string;
  let server: Server;
  let origin: string;
  let context: BrowserContext;
  let page: Page;
  const timings: Record<string, number> = {};
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    const t0 = Date.now();
    outDir = mkdtempSync(path.join(tmpdir(), 'forge-wasm-example-'));
    await build({ configFile: path.join(exampleDir, 'vite.config.ts'), build: { outDir, emptyOutDir: true }, logLevel: 'error' });
    timings.build = Date.now() - t0;
    ({ server, origin } = await serve(outDir));
    profile = mkdtempSync(path.join(tmpdir(), 'forge-wasm-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
  }, 90_000);

  afterAll(async () => {
    await context?.close();
    await new Promise((r) => server?.close(r));
    if (outDir) rmSync(outDir, { recursive: true, force: true });
    if (profile) rmSync(profile, { recursive: true, force: true });
    console.log(`sqlite-wasm browser example timings (ms): ${JSON.stringify(timings)}`);
  });

  const visit = async (label: string, query: string, reload = false): Promise<Outcome> => {
    const t0 = Date.now();
    if (reload) await page.reload();
    else await page.goto(`${origin}/${query}`);
    const out = await outcome(page);
    timings[label] = Date.now() - t0;
    return out;
  };

  it('migrates a fresh OPFS database and writes to it', async () => {
    const out = await visit('first load', '?v=1&add=apple,pear');
    expect(out.migrate.failures).toEqual([]);
    expect(out.migrate.applied.length).toBeGreaterThan(0);
    expect(out.migrate.pending).toEqual([]);
    expect(out.items.map((i) => i.title)).toEqual(['apple', 'pear']);
    expect(out.diff).toEqual([]);
    expect(out.doctor).toMatchObject({ opfs: true, secureContext: true });
    expect(out.doctor.sqlite?.version).toMatch(/^3\.\d+/);
    expect(out.doctor.sqlite?.features).toMatchObject({ vfs: 'opfs-sahpool', persistent: true, fts5: true, foreignKeys: true });
    expect(typeof out.doctor.persisted).toBe('boolean');
    expect(out.doctor.estimate?.quota).toBeGreaterThan(0);
  });

  it('reads the rows back after a reload, and $migrate has nothing left to do', async () => {
    await visit('plain load', '?v=1');
    const out = await visit('reload', '', true);
    expect(out.items.map((i) => [i.title, i.done])).toEqual([
      ['apple', false],
      ['pear', false],
    ]);
    expect(out.migrate).toMatchObject({ applied: [], failures: [], pending: [] });
  });

  it('a new schema version: $migrate adds the column in place and the rows stay', async () => {
    const out = await visit('v2 load', '?v=2&note=apple:crisp&done=pear');
    expect(out.migrate.failures).toEqual([]);
    expect(out.migrate.alteredColumns).toHaveLength(1);
    expect(out.items).toMatchObject([
      { title: 'apple', done: false, note: 'crisp' },
      { title: 'pear', done: true, note: null },
    ]);
  });

  it('back on the old schema, the extra column is pending drift and nothing is dropped', async () => {
    const out = await visit('v1 after v2', '?v=1');
    expect(out.migrate.applied).toEqual([]);
    expect(out.migrate.pending).toEqual([expect.objectContaining({ kind: 'column', direction: 'extra', table: 'items' })]);
    expect(out.diff).toEqual(out.migrate.pending);
    const back = await visit('v2 again', '?v=2');
    expect(back.migrate.applied).toEqual([]);
    expect(back.items.find((i) => i.title === 'apple')?.note).toBe('crisp');
    expect(consoleErrors).toEqual([]);
  });

  it('a write the database refuses reaches the page as the DbKnownError; a timed run of reads and a createMany', async () => {
    await page.goto(`${origin}/?v=2&add=apple`);
    await page.waitForFunction(() => (window as { __forge?: unknown; __forgeError?: unknown }).__forge ?? (window as { __forgeError?: unknown }).__forgeError, undefined, { timeout: 20_000 });
    expect(await page.evaluate(() => (window as { __forgeError?: string }).__forgeError)).toMatch(/DbKnownError: Unique constraint violated on items\(title\)/);
    const out = await visit('bench', '?v=2&bench=500');
    expect(out.bench).toMatchObject({ reads: 500, createManyRows: 500 });
    expect(out.items).toHaveLength(2);
    console.log(`sqlite-wasm in Chromium: ${JSON.stringify(out.bench)}`);
  });

  it('a second tab while the first holds the database: opening fails naming the other tab (no silent fallback to memory)', async () => {
    await visit('holding tab', '?v=1&hold=1');
    const second = await context.newPage();
    try {
      await second.goto(`${origin}/?v=1&wait=300`);
      await second.waitForFunction(() => (window as { __forge?: unknown; __forgeError?: unknown }).__forge ?? (window as { __forgeError?: unknown }).__forgeError, undefined, { timeout: 20_000 });
      const error = await second.evaluate(() => (window as { __forgeError?: string }).__forgeError);
      expect(error).toMatch(/CONNECTION_FAILED|held by another tab/);
      expect(error).toMatch(/held by another tab or window of this app/);
      // The first tab goes away: the second one opens the same rows.
      await page.goto('about:blank');
      await second.reload();
      const out = await outcome(second);
      expect(out.items.map((i) => i.title)).toEqual(['apple', 'pear']);
      expect(out.doctor.sqlite?.features).toMatchObject({ vfs: 'opfs-sahpool', persistent: true });
    } finally {
      await second.close();
    }
  });
});
