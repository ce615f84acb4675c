import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDbWith, type Dialect } from '@forge/core';
import { TOKEN_HEADER } from '../src/index.js';
import type { ReachedTarget } from '@forge/testkit';
import { openStudio, schemaV1, schemaV2, target, type Opened } from './fixture.js';

for (const dialect of ['sqlite', 'postgres'] as Dialect[]) {
  const t = await target(dialect);
  const name = 'skip' in t ? `studio API on ${dialect} (skipped: ${t.skip})` : `studio API on ${dialect} (${t.label})`;
  describe.skipIf('skip' in t)(name, () => {
    let s: Opened;
    beforeAll(async () => {
      s = await openStudio(t as ReachedTarget);
    });
    afterAll(async () => {
      await s?.close();
    });

    it('refuses calls without the token, from another origin, or for another host name', async () => {
      expect((await s.call('GET /api/tables', undefined, { [TOKEN_HEADER]: 'wrong' })).status).toBe(401);
      const none = await fetch(new URL('/api/tables', s.studio.url));
      expect(none.status).toBe(401);
      const other = await s.call('POST /api/delete', { model: 'post', key: { id: 1 } }, { origin: 'http://evil.example' });
      expect(other.status).toBe(403);
      expect(other.body.error).toMatch(/cross-origin/);
      const site = await s.call('POST /api/delete', { model: 'post', key: { id: 1 } }, { 'sec-fetch-site': 'cross-site' });
      expect(site.status).toBe(403);
      const plain = await s.call('POST /api/delete', undefined, { 'content-type': 'text/plain' });
      expect(plain.status).toBe(415);
      // DNS rebinding: a name that resolves here is still not this studio.
      const { request } = await import('node:http');
      const status = await new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: s.studio.port, path: '/', headers: { host: `evil.example:${s.studio.port}` } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
      expect(status).toBe(421);
      expect((await s.call('GET /api/tables')).body[1].count).toBe(30);
      const page = await fetch(s.studio.url);
      expect(page.headers.get('access-control-allow-origin')).toBeNull();
      expect(page.headers.get('content-security-policy')).toContain("connect-src 'self'");
      expect(await page.text()).toContain(s.studio.token);
    });

    it('lists the models with row counts and the schema with operators per column', async () => {
      const tables = await s.call('GET /api/tables');
      expect(tables.status).toBe(200);
      expect(tables.body).toEqual([
        { key: 'author', table: 'authors', count: 2, estimated: false },
        { key: 'post', table: 'posts', count: 30, estimated: false },
      ]);
      const schema = await s.call('GET /api/schema');
      const post = schema.body.models.find((m: any) => m.key === 'post');
      expect(post.columns.find((c: any) => c.field === 'views').operators).toContain('gte');
      expect(post.columns.find((c: any) => c.field === 'title').operators).toContain('contains');
      expect(post.columns.find((c: any) => c.field === 'status').enumValues).toEqual(['draft', 'live']);
      expect(post.columns.find((c: any) => c.field === 'authorId').references.model).toBe('author');
      expect(post.relations[0]).toMatchObject({ name: 'author', kind: 'one', targetModel: 'author' });
    });

    it('pages, sorts and filters rows through the client', async () => {
      const page = await s.call('POST /api/rows', { model: 'post', take: 10, skip: 10, sort: { field: 'views', dir: 'desc' } });
      expect(page.status).toBe(200);
      expect(page.body.total).toBe(30);
      expect(page.body.rows.map((r: any) => r.views)).toEqual([200, 190, 180, 170, 160, 150, 140, 130, 120, 110]);
      const f = await s.call('POST /api/rows', {
        model: 'post',
        filters: [
          { field: 'views', op: 'gte', value: '100' },
          { field: 'status', op: 'equals', value: 'live' },
          { field: 'title', op: 'contains', value: 'Post 1' },
        ],
      });
      expect(f.body.rows.map((r: any) => r.title)).toEqual(['Post 12', 'Post 15', 'Post 18']);
      expect(f.body.total).toBe(3);
      const nul = await s.call('POST /api/rows', { model: 'post', filters: [{ field: 'meta', op: 'isNull' }], take: 1 });
      expect(nul.body.total).toBe(30);
    });

    it('returns filter and value problems per field, and runs nothing', async () => {
      const bad = await s.call('POST /api/rows', { model: 'post', filters: [{ field: 'views', op: 'contains', value: 'x' }, { field: 'published', op: 'equals', value: 'maybe' }] });
      expect(bad.status).toBe(400);
      expect(bad.body.fields.views).toMatch(/operator 'contains' does not apply to a int column/);
      expect(bad.body.fields.published).toMatch(/true or false/);
      const ins = await s.call('POST /api/insert', { model: 'post', data: { title: 'x', views: '12abc', status: 'gone', authorId: '1' } });
      expect(ins.status).toBe(400);
      expect(Object.keys(ins.body.fields).sort()).toEqual(['status', 'views']);
      expect(ins.body.fields.status).toMatch(/one of draft, live/);
      const unknown = await s.call('POST /api/rows', { model: 'nope' });
      expect(unknown.status).toBe(404);
      expect((await s.call('GET /api/tables')).body[1].count).toBe(30);
    });

    it('inserts, updates and deletes through the client, and the database sees it', async () => {
      const ins = await s.call('POST /api/insert', { model: 'post', data: { title: 'Fresh', views: '7', status: 'live', published: 'true', meta: '{"a":[1,2]}', authorId: '2' } });
      expect(ins.status).toBe(200);
      const id = ins.body.row.id;
      expect(ins.body.row).toMatchObject({ title: 'Fresh', views: 7, status: 'live', published: true, authorId: 2 });
      const db = createDbWith((t as ReachedTarget).adapter, s.conn, schemaV1) as any;
      expect((await db.post.findUnique({ where: { id } })).meta).toEqual({ a: [1, 2] });
      const up = await s.call('POST /api/update', { model: 'post', key: { id }, data: { title: 'Renamed', views: '8' } });
      expect(up.status).toBe(200);
      expect(await db.post.findUnique({ where: { id } })).toMatchObject({ title: 'Renamed', views: 8 });
      const badUp = await s.call('POST /api/update', { model: 'post', key: { id }, data: { authorId: '999' } });
      expect(badUp.status).toBe(400);
      expect(badUp.body.error).toBeTruthy();
      const del = await s.call('POST /api/delete', { model: 'post', key: { id } });
      expect(del.status).toBe(200);
      expect(await db.post.findUnique({ where: { id } })).toBeNull();
    });

    it('follows a relation both ways', async () => {
      const one = await s.call('POST /api/related', { model: 'post', key: { id: 4 }, relation: 'author' });
      expect(one.body).toMatchObject({ kind: 'one', targetModel: 'author', rows: [{ id: 2, name: 'Alan' }] });
      const many = await s.call('POST /api/related', { model: 'author', key: { id: 2 }, relation: 'posts' });
      expect(many.body.kind).toBe('many');
      expect(many.body.rows.map((r: any) => r.id).sort((a: number, b: number) => a - b)).toEqual([4, 8, 12, 16, 20, 24, 28]);
    });

    it('runs SQL with parameters, and asks before a statement that loses data', async () => {
      const ph = dialect === 'postgres' ? '$1' : '?';
      const q = await s.call('POST /api/sql', { sql: `SELECT title FROM posts WHERE views = ${ph}`, params: [50] });
      expect(q.body).toMatchObject({ kind: 'rows', columns: ['title'], rows: [{ title: 'Post 05' }] });
      const inj = await s.call('POST /api/sql', { sql: `SELECT count(*) AS n FROM posts WHERE title = ${ph}`, params: ["x' OR '1'='1"] });
      expect(Number(inj.body.rows[0].n)).toBe(0);
      const asked = await s.call('POST /api/sql', { sql: 'DELETE FROM posts' });
      expect(asked.body.consentRequired).toBe(true);
      const drop = await s.call('POST /api/sql', { sql: 'ALTER TABLE posts DROP COLUMN meta' });
      expect(drop.body.consentRequired).toBe(true);
      expect(drop.body.findings[0].code).toMatch(/^FORGE_/);
      expect((await s.call('GET /api/tables')).body[1].count).toBe(30);
      const upd = await s.call('POST /api/sql', { sql: `UPDATE posts SET views = views + 1 WHERE id = ${ph}`, params: [1] });
      expect(upd.body).toMatchObject({ kind: 'exec', affected: 1 });
      const err = await s.call('POST /api/sql', { sql: 'SELECT * FROM no_such_table' });
      expect(err.status).toBe(400);
    });

    it('reports drift with the SQL push would run, then generates, applies and rolls back a migration', async () => {
      s.use(schemaV2);
      const d = await s.call('GET /api/drift');
      expect(d.body.report.inSync).toBe(false);
      expect(d.body.report.items).toEqual([expect.objectContaining({ kind: 'column', direction: 'missing', table: 'posts', column: 'rating' })]);
      expect(d.body.push.statements.flatMap((x: any) => x.sql).join('\n')).toMatch(/ALTER TABLE .*posts.* ADD .*rating/i);
      // The first migration is a baseline from the live database (the tables exist), so it holds only the change.
      const preview = await s.call('POST /api/generate', { name: 'add_rating', baseline: true });
      expect(preview.body.written).toBe(false);
      expect(preview.body.up.join('\n')).toMatch(/rating/);
      expect(preview.body.up.join('\n')).not.toMatch(/CREATE TABLE/i);
      const w = await s.call('POST /api/generate', { name: 'add_rating', write: true, baseline: true });
      expect(w.body.written).toBe(true);
      expect(existsSync(w.body.file)).toBe(true);
      const m = await s.call('GET /api/migrations');
      expect(m.body.rows.map((r: any) => r.state)).toEqual(['pending']);
      expect(m.body.rows[0].up.join('\n')).toMatch(/rating/);
      expect(m.body.rows[0].down.join('\n')).toMatch(/DROP/i);
      const dry = await s.call('POST /api/apply', { dry: true });
      expect(dry.body).toMatchObject({ dry: true, applied: [], pending: [w.body.name], breaking: [] });
      const applied = await s.call('POST /api/apply', {});
      expect(applied.body.applied.map((a: any) => a.name)).toEqual([w.body.name]);
      expect((await s.call('GET /api/drift')).body.report.inSync).toBe(true);
      expect((await s.call('POST /api/update', { model: 'post', key: { id: 1 }, data: { rating: '5' } })).body.row.rating).toBe(5);
      expect((await s.call('GET /api/migrations')).body.rows.map((r: any) => r.state)).toEqual(['applied']);
      // Undoing it drops a column that holds a value: asked first, nothing done without consent.
      const asked = await s.call('POST /api/rollback', {});
      expect(asked.body.consentRequired).toBe(true);
      expect(asked.body.breaking.length).toBeGreaterThan(0);
      expect((await s.call('GET /api/migrations')).body.rows.map((r: any) => r.state)).toEqual(['applied']);
      const undone = await s.call('POST /api/rollback', { accept: true });
      expect(undone.body.reverted.map((r: any) => r.name)).toEqual([w.body.name]);
      expect((await s.call('GET /api/migrations')).body.rows.map((r: any) => r.state)).toEqual(['pending']);

      // Forward again, then a migration that drops the column: generate and apply both ask first.
      expect((await s.call('POST /api/apply', {})).body.applied).toHaveLength(1);
      await s.call('POST /api/update', { model: 'post', key: { id: 2 }, data: { rating: '3' } });
      s.use(schemaV1);
      const gen = await s.call('POST /api/generate', { name: 'drop_rating', write: true });
      expect(gen.body.consentRequired).toBe(true);
      expect(gen.body.breaking.map((f: any) => f.code)).toContain('FORGE_DROP_COLUMN');
      expect((await s.call('GET /api/migrations')).body.rows).toHaveLength(1);
      expect((await s.call('POST /api/generate', { name: 'drop_rating', write: true, accept: true })).body.written).toBe(true);
      const dry2 = await s.call('POST /api/apply', { dry: true });
      expect(dry2.body.breaking).toEqual([expect.objectContaining({ code: 'FORGE_DROP_COLUMN', rows: expect.any(Number) })]);
      const refused = await s.call('POST /api/apply', {});
      expect(refused.body.consentRequired).toBe(true);
      expect((await s.call('GET /api/migrations')).body.rows.map((r: any) => r.state)).toEqual(['applied', 'pending']);
      expect((await s.call('POST /api/apply', { accept: true })).body.applied).toHaveLength(1);
      expect((await s.call('GET /api/migrations')).body.rows.map((r: any) => r.state)).toEqual(['applied', 'applied']);
      expect((await s.call('GET /api/drift')).body.report.inSync).toBe(true);
    });
  });
}

const pg = await target('postgres');
describe.skipIf('skip' in pg)('skip' in pg ? `row counts from the catalog (skipped: ${pg.skip})` : 'row counts from the catalog on Postgres', () => {
  it('reads a large table\'s count from pg_class instead of scanning it, and counts filtered pages exactly', async () => {
    // The threshold is lowered to 10 rows so a 30-row table is "large" here.
    const s = await openStudio(pg as ReachedTarget, { estimateAbove: 10 });
    try {
      await s.conn.execute('ANALYZE');
      await s.conn.execute("INSERT INTO posts (title, \"authorId\") VALUES ('not yet in the statistics', 1)");
      const tables = await s.call('GET /api/tables');
      expect(tables.body).toEqual([
        { key: 'author', table: 'authors', count: 2, estimated: false },
        { key: 'post', table: 'posts', count: 30, estimated: true },
      ]);
      const all = await s.call('POST /api/rows', { model: 'post', take: 5 });
      expect(all.body).toMatchObject({ total: 30, estimated: true });
      const some = await s.call('POST /api/rows', { model: 'post', take: 5, filters: [{ field: 'id', op: 'gt', value: '0' }] });
      expect(some.body).toMatchObject({ total: 31, estimated: false });
    } finally {
      await s.close();
    }
  });
});
