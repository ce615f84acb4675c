import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, pushCounts, shown, type Project } from './helpers.js';
import { withDb } from './sqlite.js';

/**
 * forge pull on a SQLite database written by hand, the way an older app would have made it: snake_case and
 * PascalCase names, a composite key, a self-reference, a partial and a descending index, a view.
 */
const LEGACY = `
CREATE TABLE "Artist" ("ArtistId" INTEGER PRIMARY KEY, "Name" NVARCHAR(120));
CREATE TABLE album (album_id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT NOT NULL, artist_id INTEGER NOT NULL REFERENCES "Artist"("ArtistId") ON DELETE CASCADE, price NUMERIC(10,2), released DATETIME, meta JSON);
CREATE TABLE staff (id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, reports_to TEXT REFERENCES staff(id));
CREATE TABLE album_tag (album_id INTEGER NOT NULL REFERENCES album(album_id), tag TEXT NOT NULL, PRIMARY KEY (album_id, tag));
CREATE INDEX idx_album_title_desc ON album (title DESC);
CREATE UNIQUE INDEX uq_album_title_artist ON album (artist_id, title) WHERE price IS NOT NULL;
CREATE VIEW cheap_albums AS SELECT album_id, title FROM album WHERE price < 5;
INSERT INTO "Artist" VALUES (1, 'AC/DC');
INSERT INTO album (title, artist_id, price) VALUES ('Back in Black', 1, 9.99);
`;

describe.sequential('forge pull on a SQLite database no forge schema made', () => {
  let p: Project;
  let env: Record<string, string>;
  beforeAll(() => {
    p = makeProject();
    env = { DATABASE_URL: p.url };
    withDb(p.db, (db) => db.exec(LEGACY));
  });
  afterAll(() => p.cleanup());

  it('writes src/schema.ts a person would have written', () => {
    const r = p.ok(['pull'], env);
    expect(r.stdout).toMatch(/wrote src\/schema\.ts: 5 model\(s\)/);
    const src = readFileSync(p.file('src/schema.ts'), 'utf8');
    expect(src).toContain('export const Artist = model("Artist", {');
    expect(src).toContain('artistId: f.id({ type: \'int\' }).map("ArtistId"),');
    expect(src).toMatch(/artistId: f\.int\(\)\.refs\(\(\) => Artist, \{ onDelete: "cascade" \}\)\.map\("artist_id"\)/);
    // NUMERIC-affinity types keep their declared type: forge would declare TEXT, which stores '10.50' as written.
    expect(src).toContain('price: f.decimal({ precision: 10, scale: 2 }).dbType("numeric(10,2)").optional(),');
    expect(src).toContain('released: f.dateTime().dbType("datetime").optional(),');
    // nvarchar(120) has TEXT affinity, the type forge declares: no .dbType().
    expect(src).toContain('name: f.string().optional().map("Name"),');
    expect(src).toContain('email: f.text().unique(),');
    expect(src).toContain('reportsTo: f.text().optional().refs(() => Staff).map("reports_to"),');
    expect(src).toContain('primaryKey: ["albumId", "tag"]');
    expect(src).toContain('{ name: "idx_album_title_desc", keys: { title: -1 } }');
    expect(src).toMatch(/\{ name: "uq_album_title_artist", keys: \{ artistId: 1, title: 1 \}, unique: true, where: "price IS NOT NULL" \}/i);
    expect(src).toMatch(/albumTags: many\("album_tag", \{ on: "albumId" \}\)/);
    expect(src).toContain('view: { sql:');
  });

  it('the pulled schema describes the database: diff --check exits 0, push applies 0', () => {
    const check = p.run(['diff', '--check'], env);
    expect(check.code, `${shown(check)}\n${readFileSync(p.file('src/schema.ts'), 'utf8')}`).toBe(0);
    expect(pushCounts(p.ok(['push'], env)).applied).toBe(0);
  });

  it('never overwrites without --force, and --force replaces', () => {
    const before = readFileSync(p.file('src/schema.ts'), 'utf8');
    const r = p.run(['pull'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/src\/schema\.ts exists; pull never overwrites a file on its own/);
    expect(r.stderr).toMatch(/--force/);
    expect(readFileSync(p.file('src/schema.ts'), 'utf8')).toBe(before);
    p.ok(['pull', '--force'], env);
    expect(readFileSync(p.file('src/schema.ts'), 'utf8')).toBe(before);
  });
});
