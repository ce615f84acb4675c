import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDbWith } from '@forge/core';
import type { ReachedTarget } from '@forge/testkit';
import { openStudio, schemaV1, schemaV2, target, type Opened } from './fixture.js';

const CHROMIUM = process.env.FORGE_TEST_CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../docs/studio');
const hasChromium = existsSync(CHROMIUM);

describe.skipIf(!hasChromium)(hasChromium ? 'studio in Chromium (SQLite)' : `studio in Chromium (skipped: no browser at ${CHROMIUM}; apt-get install chromium)`, () => {
  let s: Opened;
  let ctx: BrowserContext;
  let page: Page;
  let profile: string;
  const offMachine: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    s = await openStudio((await target('sqlite')) as ReachedTarget);
    profile = mkdtempSync(path.join(tmpdir(), 'forge-studio-chromium-'));
    ctx = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 800 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    page = ctx.pages()[0] ?? (await ctx.newPage());
    // Every request the page makes, whatever its kind: only this studio's origin is allowed.
    ctx.on('request', (r) => {
      const u = new URL(r.url());
      if (u.protocol === 'blob:' || u.protocol === 'data:') return;
      if (u.origin !== new URL(s.studio.url).origin) offMachine.push(r.url());
    });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('dialog', (d) => void d.accept());
    mkdirSync(SHOTS, { recursive: true });
  }, 60_000);
  afterAll(async () => {
    await ctx?.close();
    await s?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  const db = () => createDbWith((s as any).studio.api['ctx'].adapter, s.conn, schemaV1) as any;

  it('opens a table, filters it, edits a cell that lands in the database, and follows a relation both ways', async () => {
    await page.goto(s.studio.url);
    await page.locator('.table-link[data-model="post"]').click();
    await expect.poll(() => page.locator('#grid tbody tr').count()).toBe(30);
    await expect.poll(() => page.locator('.table-link[data-model="post"] .count').textContent()).toBe('30');
    await page.screenshot({ path: path.join(SHOTS, 'data.png') });

    // Filter: views >= 250 and status = live.
    await page.selectOption('#f-field', 'views');
    await page.selectOption('#f-op', 'gte');
    await page.fill('#f-value', '250');
    await page.click('#f-add');
    await expect.poll(() => page.locator('#grid tbody tr').count()).toBe(6);
    await page.selectOption('#f-field', 'status');
    await page.selectOption('#f-op', 'equals');
    await page.selectOption('#f-value', 'live');
    await page.click('#f-add');
    await expect.poll(() => page.locator('#grid tbody td[data-field="title"]').allTextContents()).toEqual(['Post 27', 'Post 30']);
    await expect.poll(() => page.locator('#pageinfo').textContent()).toBe('1–2 of 2');

    // Export what the grid shows, as CSV and as JSON.
    const [csv] = await Promise.all([page.waitForEvent('download'), page.click('text=Export CSV')]);
    const csvText = readFileSync(await csv.path(), 'utf8');
    expect(csvText.split('\r\n')[0]).toBe('id,title,status,published,views,meta,authorId');
    expect(csvText.split('\r\n')[1]).toBe('27,Post 27,live,false,270,,1');
    const [json] = await Promise.all([page.waitForEvent('download'), page.click('text=Export JSON')]);
    expect(JSON.parse(readFileSync(await json.path(), 'utf8')).map((r: any) => r.id)).toEqual([27, 30]);

    // A bad value is shown on the cell, and nothing changes.
    const views = page.locator('#grid tbody tr[data-row="0"] td[data-field="views"]');
    await views.dblclick();
    await page.fill('#cell-editor', 'lots');
    await page.press('#cell-editor', 'Enter');
    await expect.poll(() => page.locator('.cell-error').textContent()).toMatch(/views takes a whole number/);
    expect((await db().post.findUnique({ where: { id: 27 } })).views).toBe(270);

    // Keyboard: select the title cell of the first row, Enter edits, Enter saves.
    await page.locator('#grid tbody tr[data-row="0"] td[data-field="id"]').click();
    await page.focus('#grid');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    await page.fill('#cell-editor', 'Edited in the studio');
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await db().post.findUnique({ where: { id: 27 } })).title).toBe('Edited in the studio');
    await expect.poll(() => page.locator('#grid tbody tr[data-row="0"] td[data-field="title"]').textContent()).toBe('Edited in the studio');

    // Follow post 27's author, then that author's posts.
    await page.locator('#grid tbody tr[data-row="0"] button[data-follow="authorId"]').click();
    await expect.poll(() => page.locator('#grid tbody td[data-field="name"]').allTextContents()).toEqual(['Ada']);
    await page.locator('#grid tbody tr[data-row="0"] button[data-follow="posts"]').click();
    await expect.poll(() => page.locator('#pageinfo').textContent()).toBe('1–23 of 23');
    await expect.poll(() => page.locator('.chip').allTextContents()).toEqual(['authorId equals 1×']);

    // Insert through the form: the author is picked from a list of authors, a bad number is named on its field.
    await page.click('text=+ Row');
    await page.fill('#new-title', 'From the form');
    await page.fill('#new-views', 'ten');
    await page.selectOption('#new-authorId', '2');
    await page.click('#insert-save');
    await expect.poll(() => page.locator('dialog .field-error').allTextContents()).toContain("views takes a whole number, not 'ten'");
    await page.fill('#new-views', '10');
    await page.click('#insert-save');
    await expect.poll(async () => (await db().post.findFirst({ where: { title: 'From the form' } }))?.authorId).toBe(2);
  });

  it('draws the ERD and shows the drift with the SQL push would run', async () => {
    s.use(schemaV2);
    await page.click('#tab-schema');
    await expect.poll(() => page.locator('#erd g.entity').count()).toBe(2);
    expect(await page.locator('#erd path.link').count()).toBe(1);
    await expect.poll(() => page.locator('#drift .drift-items').textContent()).toMatch(/posts: column 'rating'/);
    expect(await page.locator('#push-sql').textContent()).toMatch(/ADD COLUMN "rating"/i);
    await page.screenshot({ path: path.join(SHOTS, 'schema.png') });
  });

  it('generates a migration with its preview, applies it, and the database has the column', async () => {
    await page.click('#tab-migrations');
    await page.click('#btn-generate');
    await page.fill('#mig-name', 'add_rating');
    await page.check('#mig-baseline');
    await page.click('#gen-preview');
    await expect.poll(() => page.locator('#gen-sql').textContent()).toMatch(/-- up[\s\S]*rating/);
    await page.click('#gen-write');
    await expect.poll(() => page.locator('#migrations tbody tr').count()).toBe(1);
    expect(await page.locator('#migrations .state').textContent()).toBe('pending');
    await page.click('#btn-apply');
    await page.click('#apply-go');
    await expect.poll(() => page.locator('#migrations .state').textContent()).toBe('applied');
    const client = createDbWith((s as any).studio.api['ctx'].adapter, s.conn, schemaV2) as any;
    expect((await client.post.update({ where: { id: 1 }, data: { rating: 4 } })).rating).toBe(4);
    await page.locator('#migrations tbody tr').first().click();
    await page.screenshot({ path: path.join(SHOTS, 'migrations.png') });

    // Rolling it back drops a column that holds a value: the warning first, nothing undone until confirmed.
    await page.click('#btn-rollback');
    await page.click('#rollback-go');
    await expect.poll(() => page.locator('#breaking').textContent()).toMatch(/breaking changes[\s\S]*FORGE_DROP_COLUMN/);
    await page.screenshot({ path: path.join(SHOTS, 'rollback-consent.png') });
    expect((await client.post.findUnique({ where: { id: 1 } })).rating).toBe(4);
    await page.click('#rollback-accept');
    await expect.poll(() => page.locator('#migrations .state').textContent()).toBe('pending');
    const cols = await s.conn.query("SELECT name FROM pragma_table_info('posts')");
    expect(JSON.stringify(cols)).not.toMatch(/rating/);
  });

  it('runs SQL with parameters in the console, in the dark theme, and the page made no request off this machine', async () => {
    await page.click('#tab-sql');
    await page.fill('#sql-text', 'SELECT id, title, views FROM posts WHERE views > ? ORDER BY views DESC');
    await page.fill('#sql-params', '[260]');
    await page.press('#sql-text', 'Control+Enter');
    await expect.poll(() => page.locator('#sql-grid tbody tr').count()).toBe(4);
    expect(await page.locator('#history li').count()).toBe(1);
    await page.click('#theme');
    expect(await page.locator("html").getAttribute("data-theme")).toBe('dark');
    await page.screenshot({ path: path.join(SHOTS, 'sql-dark.png') });
    await page.keyboard.press('Alt+1');
    await page.locator('.table-link[data-model="author"]').click();
    await expect.poll(() => page.locator('#grid tbody tr').count()).toBe(2);
    await page.screenshot({ path: path.join(SHOTS, 'data-dark.png') });
    expect(pageErrors).toEqual([]);
    expect(offMachine).toEqual([]);
  });
});
