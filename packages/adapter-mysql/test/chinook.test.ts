import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSchemaIR, createDbWith, runDiff, runPush, type Connection, type EngineContext } from '@forge/core';
import { adapter } from '../src/index.js';
import { schema } from './fixtures/chinook-schema.js';
import { cliMissing, forge, pushCounts, shown, tempProject } from './fixtures/forge-cli.js';
import { reached } from './helpers.js';

/**
 * The public Chinook sample database (lerocha/chinook-database, its MySQL script, trimmed: see the header of
 * fixtures/chinook.sql) loaded as published into a fresh database, then described by a forge schema written
 * by hand (fixtures/chinook-schema.ts): forge must find no drift, a push must apply nothing, and the typed
 * client must read the published rows.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const SCRIPT_PATH = path.join(here, 'fixtures/chinook.sql');
const SCHEMA_PATH = path.join(here, 'fixtures/chinook-schema.ts');

/** The script without the lines that would leave the test database (the fixture has them commented out already). */
function chinookScript(): string {
  const sql = readFileSync(SCRIPT_PATH, 'utf8');
  return sql.replace(/^\s*(DROP DATABASE|CREATE DATABASE|USE)\b[^;]*;/gim, '');
}

/** The rows the fixture keeps, per table (its header says the same). */
const ROWS: Record<string, number> = {
  Album: 347,
  Artist: 275,
  Customer: 59,
  Employee: 8,
  Genre: 25,
  Invoice: 60,
  InvoiceLine: 27,
  MediaType: 5,
  Playlist: 18,
  PlaylistTrack: 369,
  Track: 150,
};

describe.sequential('Chinook (the published MySQL script) against a forge schema', { timeout: 60_000 }, () => {
  const name = `forge_chinook_${randomBytes(5).toString('hex')}`;
  let url = '';
  let conn: Connection;
  let ctx: EngineContext;
  let drop: () => Promise<void> = async () => {};

  beforeAll(async () => {
    const target = await reached();
    await target.createDatabase(name);
    drop = () => target.dropDatabase(name);
    url = target.urlFor(name);
    // The script as a user loads it: one multi-statement batch on a plain mysql2 connection.
    const loader = await mysql.createConnection({ uri: url, multipleStatements: true });
    try {
      await loader.query(chinookScript());
    } finally {
      await loader.end();
    }
    conn = await adapter.connect(url);
    ctx = { adapter, conn, ir: buildSchemaIR(schema) };
  });

  afterAll(async () => {
    await conn?.close();
    await drop();
  });

  it('the script loads: every table with the rows the fixture keeps', async () => {
    const tables = await conn.query<{ t: string }>(
      `SELECT table_name AS t FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY table_name`,
    );
    expect(tables.map((r) => r.t)).toEqual(Object.keys(ROWS));
    for (const [table, n] of Object.entries(ROWS)) {
      const [row] = await conn.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM \`${table}\``);
      expect(Number(row.n), table).toBe(n);
    }
  });

  it('diff: the live Chinook database matches the schema (no drift items)', async () => {
    const report = await runDiff(ctx);
    expect(report.items, JSON.stringify(report.items, null, 2)).toEqual([]);
    expect(report).toEqual({ dialect: 'mysql', items: [], inSync: true, ignored: [] });
  });

  it('db.$diff() says the same', async () => {
    const db = createDbWith(adapter, conn, schema);
    const report = await db.$diff();
    expect(report.items, JSON.stringify(report.items, null, 2)).toEqual([]);
    expect(report.inSync).toBe(true);
  });

  it('push plans nothing and applies 0 statements', async () => {
    const report = await runPush(ctx);
    expect(report.failures).toEqual([]);
    expect(report.applied).toEqual([]);
    // Still in sync after it, and nothing was added.
    expect((await runDiff(ctx)).items).toEqual([]);
  });

  it('typed reads return the published rows', async () => {
    const db = createDbWith(adapter, conn, schema);
    expect(await db.artist.count()).toBe(275);
    expect(await db.album.count({ where: { artistId: 1 } })).toBe(2);

    // Album → Artist (belongs-to).
    const album = await db.album.findUnique({ where: { id: 1 }, include: { artist: true } });
    expect(album).toEqual({ id: 1, title: 'For Those About To Rock We Salute You', artistId: 1, artist: { id: 1, name: 'AC/DC' } });

    // Artist → Albums (has-many), ordered.
    const acdc = await db.artist.findUnique({ where: { id: 1 }, include: { albums: { orderBy: { id: 'asc' } } } });
    expect(acdc?.albums.map((a) => a.title)).toEqual(['For Those About To Rock We Salute You', 'Let There Be Rock']);

    // Decimals read as strings, utf8mb3 NVARCHAR text survives, DATETIME reads as a Date.
    const track = await db.track.findUnique({ where: { id: 1 }, include: { genre: true, mediaType: true } });
    expect(track).toMatchObject({
      name: 'For Those About To Rock (We Salute You)',
      composer: 'Angus Young, Malcolm Young, Brian Johnson',
      milliseconds: 343719,
      bytes: 11170334,
      unitPrice: '0.99',
      genre: { name: 'Rock' },
      mediaType: { name: 'MPEG audio file' },
    });
    const luis = await db.customer.findUnique({ where: { id: 1 }, include: { supportRep: true } });
    expect(luis).toMatchObject({ firstName: 'Luís', lastName: 'Gonçalves', city: 'São José dos Campos', supportRep: { lastName: 'Peacock' } });
    const invoice = await db.invoice.findUnique({ where: { id: 1 } });
    expect(invoice?.total).toBe('1.98');
    expect(invoice?.invoiceDate).toBeInstanceOf(Date);
    const nancy = await db.employee.findUnique({ where: { id: 2 }, include: { manager: true } });
    expect(nancy?.manager?.firstName).toBe('Andrew');

    // A composite-key join table, through both of its relations.
    const entries = await db.playlistTrack.findMany({ where: { playlistId: 1, trackId: { lte: 100 } }, include: { track: true }, orderBy: { trackId: 'asc' } });
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.every((e) => e.track?.id === e.trackId)).toBe(true);
  });

  describe.skipIf(!!cliMissing)(`through the CLI${cliMissing ? ` — skipped: ${cliMissing}` : ''}`, () => {
    let cwd = '';
    let cleanup = () => {};
    beforeAll(() => {
      ({ dir: cwd, cleanup } = tempProject());
    });
    afterAll(() => cleanup());

    it('forge diff --check exits 0', async () => {
      const r = await forge(['diff', '--check', `--schema=${SCHEMA_PATH}`], { cwd, url });
      expect(r.code, shown(r)).toBe(0);
    });

    it('forge diff --json reports no items', async () => {
      const r = await forge(['diff', '--json', `--schema=${SCHEMA_PATH}`], { cwd, url });
      expect(r.code, shown(r)).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({ dialect: 'mysql', items: [], inSync: true, ignored: [] });
    });

    it('forge push applies nothing', async () => {
      const r = await forge(['push', `--schema=${SCHEMA_PATH}`], { cwd, url });
      expect(r.code, shown(r)).toBe(0);
      expect(pushCounts(r), shown(r)).toMatchObject({ applied: 0 });
      expect(r.stdout).not.toMatch(/^\+/m);
    });

    it('forge pull writes a schema that describes Chinook: diff --check 0, push applies 0; it never overwrites without --force', async () => {
      const core = path.resolve(here, '../../core/dist/index.js');
      const r = await forge(['pull', `--import=${core}`], { cwd, url });
      expect(r.code, shown(r)).toBe(0);
      expect(r.stdout).toMatch(/wrote src\/schema\.ts: 11 model\(s\)/);
      const pulled = readFileSync(path.join(cwd, 'src/schema.ts'), 'utf8');
      // Conventions a person would write: camelCase fields mapped to the published columns, keys as refs.
      expect(pulled).toMatch(/artistId: f\.int\(\)\.refs\(\(\) => Artist\)\.map\("ArtistId"\)/);
      expect(pulled).toMatch(/primaryKey: \["playlistId", "trackId"\]/);
      const check = await forge(['diff', '--check'], { cwd, url });
      expect(check.code, `${shown(check)}\n${pulled}`).toBe(0);
      const push = await forge(['push'], { cwd, url });
      expect(pushCounts(push), shown(push)).toMatchObject({ applied: 0 });
      const again = await forge(['pull', `--import=${core}`], { cwd, url });
      expect(again.code, shown(again)).toBe(1);
      expect(again.stderr).toMatch(/src\/schema\.ts exists.*--force/s);
      expect(readFileSync(path.join(cwd, 'src/schema.ts'), 'utf8')).toBe(pulled);
    });
  });
});
