import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildSchemaIR, createDbWith, f, many, model, one, runPush, type AnyModel, type Connection, type Dialect } from '@forge/core';
import { reachTarget, type ReachedTarget, type TestDatabase } from '@forge/testkit';
import { startStudio, TOKEN_HEADER, type StudioServer } from '../src/index.js';

const Author = model('authors', { id: f.id({ type: 'int' }), email: f.string().unique(), name: f.string(), joinedAt: f.dateTime().default('now') }, { relations: { posts: many('posts', { on: 'authorId' }) } });
const postFields = {
  id: f.id({ type: 'int' }),
  title: f.string(),
  status: f.enumOf(['draft', 'live'] as const).default('draft'),
  published: f.bool().default(false),
  views: f.int().default(0),
  meta: f.json().optional(),
  authorId: f.int().refs(() => Author, { onDelete: 'cascade' }),
};
const Post = model('posts', postFields, { relations: { author: one('authors', { on: 'authorId' }) } });
/** The next version: posts gain a nullable rating (additive), for generate and apply. */
const PostV2 = model('posts', { ...postFields, rating: f.int().optional() }, { relations: { author: one('authors', { on: 'authorId' }) } });

export const schemaV1: Record<string, AnyModel> = { author: Author, post: Post };
export const schemaV2: Record<string, AnyModel> = { author: Author, post: PostV2 };

export interface Opened {
  studio: StudioServer;
  conn: Connection;
  dir: string;
  /** Which schema `loadSchema` returns now (what a user editing the file does). */
  use(s: Record<string, AnyModel>): void;
  call(route: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

export async function target(dialect: Dialect): Promise<ReachedTarget | { skip: string }> {
  return (await reachTarget(dialect)) as ReachedTarget | { skip: string };
}

export async function openStudio(t: ReachedTarget, opts: { rows?: number; estimateAbove?: number } = {}): Promise<Opened> {
  const db: TestDatabase = await t.fresh();
  const conn = await t.adapter.connect(db.url);
  let current = schemaV1;
  const ir = buildSchemaIR(current);
  const report = await runPush({ adapter: t.adapter, conn, ir });
  if (report.failures.length) throw new Error(JSON.stringify(report.failures));
  const client = createDbWith(t.adapter, conn, current) as any;
  await client.author.create({ data: { email: 'ada@example.com', name: 'Ada' } });
  await client.author.create({ data: { email: 'alan@example.com', name: 'Alan' } });
  const n = opts.rows ?? 30;
  for (let i = 1; i <= n; i++) {
    await client.post.create({ data: { title: `Post ${String(i).padStart(2, '0')}`, status: i % 3 === 0 ? 'live' : 'draft', published: i % 2 === 0, views: i * 10, authorId: i % 4 === 0 ? 2 : 1 } });
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'forge-studio-mig-'));
  const studio = await startStudio({
    adapter: t.adapter,
    conn,
    migrationsDir: dir,
    loadSchema: async () => ({ ir: buildSchemaIR(current), models: current }),
    port: 0,
    estimateAbove: opts.estimateAbove,
  });
  return {
    studio,
    conn,
    dir,
    use(s) {
      current = s;
    },
    async call(route, body, headers = {}) {
      const [method, p] = route.split(' ');
      const res = await fetch(new URL(p, studio.url), {
        method,
        headers: { [TOKEN_HEADER]: studio.token, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        /* not JSON */
      }
      return { status: res.status, body: parsed };
    },
    async close() {
      await studio.close();
      await conn.close().catch(() => undefined);
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
