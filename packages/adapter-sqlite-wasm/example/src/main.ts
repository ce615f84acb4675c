import { createDb } from '@forge/core';
import { browserDoctor, sqliteWasmDriver } from '../../src/index.js';
import { schemas } from './schema.js';

/**
 * The example app: open the database in a Worker (OPFS), migrate it to this page's schema version, write what
 * the URL asks, read everything back. `?v=1|2` picks the schema version, `?add=a,b` adds items, `?done=a` marks
 * one done, `?note=a:text` sets a note (v2), `?hold=1` keeps
 * the database open afterwards, `?wait=ms` is how long opening waits for another tab, `?bench=n` times n point reads and a createMany of n rows. The outcome is shown on the page and kept in `window.__forge`.
 */
async function main(): Promise<unknown> {
  const params = new URLSearchParams(location.search);
  const version = params.get('v') === '2' ? 2 : 1;
  const worker = new Worker(new URL('./db.worker.ts', import.meta.url), { type: 'module' });
  const db = await createDb({ driver: sqliteWasmDriver(worker, { filename: '/example.sqlite3', lockTimeoutMs: Number(params.get('wait') ?? 3000) }), schema: schemas[version] as typeof schemas[2] });
  const migrate = await db.$migrate();
  const added: string[] = [];
  for (const title of (params.get('add') ?? '').split(',').filter(Boolean)) {
    await db.item.create({ data: { title } });
    added.push(title);
  }
  const done = params.get('done');
  if (done) {
    await db.$transaction(async (tx) => {
      const row = await tx.item.findUniqueOrThrow({ where: { title: done } });
      await tx.item.update({ where: { id: row.id }, data: { done: true } });
    });
  }
  const note = params.get('note');
  if (note && version === 2) {
    const [title, text] = note.split(':');
    await db.item.update({ where: { title }, data: { note: text } });
  }
  // `?bench=n`: n point reads (each one message to the worker and back) and one createMany of n rows, timed.
  let bench: { reads: number; readMsAvg: number; rawSelect1MsAvg: number; createManyRows: number; createManyMs: number } | undefined;
  const n = Number(params.get('bench') ?? 0);
  if (n > 0) {
    const first = await db.item.findFirstOrThrow({ orderBy: { title: 'asc' } });
    let t0 = performance.now();
    for (let i = 0; i < n; i++) await db.item.findUnique({ where: { id: first.id } });
    const readMsAvg = (performance.now() - t0) / n;
    // The transport alone: one message there and back with the smallest statement.
    t0 = performance.now();
    for (let i = 0; i < n; i++) await db.$queryRawUnsafe('SELECT 1');
    const rawSelect1MsAvg = Math.round(((performance.now() - t0) / n) * 1000) / 1000;
    t0 = performance.now();
    await db.item.createMany({ data: Array.from({ length: n }, (_, i) => ({ title: `bench-${i}` })) });
    const createManyMs = performance.now() - t0;
    await db.item.deleteMany({ where: { title: { startsWith: 'bench-' } } });
    bench = { reads: n, readMsAvg: Math.round(readMsAvg * 1000) / 1000, rawSelect1MsAvg, createManyRows: n, createManyMs: Math.round(createManyMs) };
  }
  const items = await db.item.findMany({ orderBy: { title: 'asc' } });
  const diff = await db.$diff();
  const doctor = await browserDoctor(db);
  // `?hold=1` keeps the database open (the worker holds the OPFS files) as a second tab of the app would find it.
  if (params.get('hold') !== '1') await db.$disconnect();
  return {
    version,
    migrate,
    added,
    items: items.map((i) => ({ ...i, createdAt: i.createdAt instanceof Date ? i.createdAt.toISOString() : i.createdAt })),
    diff: diff.items,
    doctor,
    bench,
  };
}

const w = window as unknown as { __forge?: unknown; __forgeError?: string };
main().then(
  (result) => {
    w.__forge = result;
    const r = result as { items: Array<{ title: string; done: boolean; note?: string | null }> };
    document.getElementById('status')!.textContent = 'ready';
    document.getElementById('items')!.innerHTML = r.items.map((i) => `<li>${i.done ? '[x]' : '[ ]'} ${escape(i.title)}${i.note ? ` (${escape(i.note)})` : ''}</li>`).join('');
    document.getElementById('report')!.textContent = JSON.stringify(result, (_k, v) => (typeof v === 'bigint' ? String(v) : v), 2);
  },
  (e: unknown) => {
    w.__forgeError = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    document.getElementById('status')!.textContent = `failed: ${w.__forgeError}`;
  },
);

function escape(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
