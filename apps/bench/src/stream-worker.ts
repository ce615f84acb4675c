/**
 * Scenario 5, one measurement per process so that peak RSS belongs to that read alone.
 * Usage: node dist/stream-worker.js --dialect=D --subject=raw|forge --mode=stream|buffered --rows=N --out=FILE
 * Reads the first N rows of big_rows by id, either streamed (findManyStream / a cursor) or buffered
 * (findMany / all()), and writes { wall_ms, peak_rss_mb, baseline_rss_mb, rows, checksum }.
 */
import { writeFileSync } from 'node:fs';
import type mysqlCb from 'mysql2';
import pg from 'pg';
import { createDb } from 'forge-orm';
import { dialectUrl, parseArgs, POSTGRES_URL, SQLITE_FILE, type Dialect } from './common.js';
import { mysqlConnect } from './dataset.js';
import { streamSchema } from './schema.js';
import { openSqliteHandle } from './subjects/raw.js';

interface Big {
  id: number;
  n: number;
  label: string;
  amount: number;
  createdAt: Date;
}

const COLS = 'id, n, label, amount, created_at';
const CHUNK = 1000;
const toDate = (v: unknown): Date => (v instanceof Date ? v : new Date(v as string));
const mapBig = (r: unknown[]): Big => ({ id: r[0] as number, n: r[1] as number, label: r[2] as string, amount: r[3] as number, createdAt: toDate(r[4]) });

type Reader = (rows: number, each: (r: Big) => void) => Promise<void>;

async function rawReader(dialect: Dialect, mode: string): Promise<{ read: Reader; close: () => Promise<void> }> {
  if (dialect === 'sqlite') {
    const db = openSqliteHandle();
    const stmt = db.prepare(`SELECT ${COLS} FROM big_rows ORDER BY id LIMIT ?`).raw(true);
    return {
      async read(rows, each) {
        if (mode === 'stream') for (const r of stmt.iterate(rows) as IterableIterator<unknown[]>) each(mapBig(r));
        else for (const r of (stmt.all(rows) as unknown[][]).map(mapBig)) each(r);
      },
      close: async () => void db.close(),
    };
  }
  if (dialect === 'mysql') {
    const c = await mysqlConnect(dialectUrl('mysql'));
    // The promise wrapper's callback connection (mysql2 types leave `.connection` out of the promise API).
    const core = (c as unknown as { connection: mysqlCb.Connection }).connection;
    const sql = `SELECT ${COLS} FROM big_rows ORDER BY id LIMIT ?`;
    return {
      async read(rows, each) {
        if (mode === 'buffered') {
          const [res] = await c.execute({ sql, rowsAsArray: true }, [String(rows)]);
          for (const r of (res as unknown as unknown[][]).map(mapBig)) each(r);
          return;
        }
        // mysql2's row stream on the prepared statement: rows are read off the socket as they come, the
        // connection paused while the consumer lags (as forge's adapter streams).
        const stream = core.execute({ sql, rowsAsArray: true }, [String(rows)]).stream({ highWaterMark: CHUNK });
        for await (const r of stream as AsyncIterable<unknown[]>) each(mapBig(r));
      },
      close: () => c.end(),
    };
  }
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  return {
    async read(rows, each) {
      if (mode === 'buffered') {
        const res = await client.query<unknown[]>({ name: 'raw_big', text: `SELECT ${COLS} FROM big_rows ORDER BY id LIMIT $1`, values: [rows], rowMode: 'array' });
        for (const r of res.rows.map(mapBig)) each(r);
        return;
      }
      // A server-side cursor, as forge uses: DECLARE in a transaction, FETCH a chunk at a time.
      await client.query('BEGIN');
      await client.query(`DECLARE raw_big_cursor NO SCROLL CURSOR FOR SELECT ${COLS} FROM big_rows ORDER BY id LIMIT $1`, [rows]);
      for (;;) {
        const res = await client.query<unknown[]>({ name: 'raw_big_fetch', text: `FETCH FORWARD ${CHUNK} FROM raw_big_cursor`, rowMode: 'array' });
        for (const r of res.rows) each(mapBig(r));
        if (res.rows.length < CHUNK) break;
      }
      await client.query('CLOSE raw_big_cursor');
      await client.query('COMMIT');
    },
    close: () => client.end(),
  };
}

async function forgeReader(dialect: Dialect, mode: string): Promise<{ read: Reader; close: () => Promise<void> }> {
  const db = await createDb({ url: dialect === 'sqlite' ? `sqlite:${SQLITE_FILE}` : dialectUrl(dialect), schema: streamSchema });
  return {
    async read(rows, each) {
      if (mode === 'stream') {
        for await (const r of db.bigRow.findManyStream({ take: rows, orderBy: { id: 'asc' }, chunkSize: CHUNK })) each(r as Big);
      } else {
        for (const r of await db.bigRow.findMany({ take: rows, orderBy: { id: 'asc' } })) each(r as Big);
      }
    },
    close: () => db.$disconnect(),
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const dialect = args.get('dialect') as Dialect;
  const subject = args.get('subject');
  const mode = args.get('mode') ?? 'stream';
  const rows = Number(args.get('rows'));
  const out = args.get('out');
  if (!out || !Number.isInteger(rows) || (subject !== 'raw' && subject !== 'forge')) throw new Error('stream-worker: bad arguments');
  const reader = subject === 'raw' ? await rawReader(dialect, mode) : await forgeReader(dialect, mode);
  const baseline = process.memoryUsage().rss;
  let count = 0;
  let checksum = 0;
  const t0 = performance.now();
  await reader.read(rows, (r) => {
    count++;
    checksum = (checksum + r.n + r.createdAt.getUTCMinutes()) % 1_000_000_007;
  });
  const wall = performance.now() - t0;
  const peak = process.resourceUsage().maxRSS * 1024;
  await reader.close();
  writeFileSync(out, JSON.stringify({ wall_ms: wall, peak_rss_mb: peak / 2 ** 20, baseline_rss_mb: baseline / 2 ** 20, rows: count, checksum }));
}

main().catch((e) => {
  process.stderr.write(`stream-worker failed: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
