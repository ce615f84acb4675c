import { buildSchemaIR, createDbWith, f, model, runPush, ValidationError, type Db } from '@forge/core';
import { describe, expect, it } from 'vitest';
import { withPushed, type ConformanceTarget } from './target.js';

const Doc = model('vec_docs', {
  id: f.id({ type: 'int' }),
  name: f.string(),
  embedding: f.vector(3).optional(),
  /** The same vectors under a field that declares l2: its nearTo uses l2 unless told otherwise. */
  euclid: f.vector(3, { metric: 'l2' }).optional(),
});
const vectorSchema = { doc: Doc };
type VectorDb = Db<typeof vectorSchema>;
type Metric = 'cosine' | 'l2' | 'ip';

/**
 * Every component is a multiple of 1/4, exact in float32 (pgvector and DuckDB store float4), so the stored values
 * are the ones the reference computes with. A and E are exactly 1.5 apart from Q1 in l2 (a tie the second key
 * breaks); Z is the zero vector, which has no cosine distance; N has none at all.
 */
const ROWS: Array<{ name: string; embedding: number[] | null }> = [
  { name: 'A', embedding: [1, 0, 0] },
  { name: 'B', embedding: [0, 1, 0] },
  { name: 'C', embedding: [1, 1, 0] },
  { name: 'D', embedding: [-1, 0.5, 2] },
  { name: 'E', embedding: [3, 2, 1] },
  { name: 'F', embedding: [0.5, -2, 1.5] },
  { name: 'G', embedding: [2, -1, -0.5] },
  { name: 'Z', embedding: [0, 0, 0] },
  { name: 'N', embedding: null },
];
const Q1 = [2, 1, 0.5];
const Q2 = [0.25, -1, 2];

/** The JS reference: smaller is nearer for every metric; undefined where there is no distance. */
export function referenceDistance(a: readonly number[], q: readonly number[], metric: Metric): number | undefined {
  let dot = 0;
  let aa = 0;
  let qq = 0;
  let sq = 0;
  for (let i = 0; i < q.length; i++) {
    dot += a[i] * q[i];
    aa += a[i] * a[i];
    qq += q[i] * q[i];
    sq += (a[i] - q[i]) * (a[i] - q[i]);
  }
  if (metric === 'ip') return -dot;
  if (metric === 'l2') return Math.sqrt(sq);
  return aa === 0 || qq === 0 ? undefined : 1 - dot / (Math.sqrt(aa) * Math.sqrt(qq));
}

/** Names in reference order: rows with a distance by (distance, name), in `dir`; the others after, as a sorted tail. */
function reference(q: readonly number[], metric: Metric, dir: 'asc' | 'desc'): { head: string[]; tail: string[] } {
  const scored = ROWS.map((r) => ({ name: r.name, d: r.embedding ? referenceDistance(r.embedding, q, metric) : undefined }));
  const head = scored
    .filter((s) => s.d !== undefined)
    .sort((x, y) => (x.d! === y.d! ? x.name.localeCompare(y.name) : dir === 'asc' ? x.d! - y.d! : y.d! - x.d!))
    .map((s) => s.name);
  const tail = scored.filter((s) => s.d === undefined).map((s) => s.name).sort();
  return { head, tail };
}

const names = (rows: Array<{ name: string }>) => rows.map((r) => r.name);

/** Rows in database order checked against the reference: the head exactly, the rows without a distance as a set at the end. */
function expectOrder(got: string[], want: { head: string[]; tail: string[] }): void {
  expect(got.slice(0, want.head.length)).toEqual(want.head);
  expect(got.slice(want.head.length).sort()).toEqual(want.tail);
}

async function vectorCases(db: VectorDb): Promise<void> {
  await db.doc.createMany({ data: ROWS.map((r) => ({ ...r, euclid: r.embedding })) });

  // The reference itself must separate its rows, or an agreeing database would prove nothing.
  for (const q of [Q1, Q2]) {
    for (const metric of ['cosine', 'l2', 'ip'] as const) {
      const ds = ROWS.flatMap((r) => (r.embedding ? [referenceDistance(r.embedding, q, metric)] : [])).filter((d): d is number => d !== undefined);
      ds.sort((a, b) => a - b);
      const gaps = ds.slice(1).map((d, i) => d - ds[i]).filter((g) => g > 0);
      expect(Math.min(...gaps)).toBeGreaterThan(0.005);
    }
  }

  // Each metric, both directions, rows with a distance in reference order and the rest last.
  for (const q of [Q1, Q2]) {
    for (const metric of ['cosine', 'l2', 'ip'] as const) {
      for (const sort of ['asc', 'desc'] as const) {
        const rows = await db.doc.findMany({ orderBy: [{ embedding: { nearTo: q, metric, sort } }, { name: 'asc' }] });
        expectOrder(names(rows), reference(q, metric, sort));
      }
    }
  }

  // The metric defaults to the field's declared one: cosine for embedding, l2 for euclid.
  expectOrder(names(await db.doc.findMany({ orderBy: [{ embedding: { nearTo: Q2 } }, { name: 'asc' }] })), reference(Q2, 'cosine', 'asc'));
  expectOrder(names(await db.doc.findMany({ orderBy: [{ euclid: { nearTo: Q2 } }, { name: 'asc' }] })), reference(Q2, 'l2', 'asc'));
  expectOrder(names(await db.doc.findMany({ orderBy: [{ euclid: { nearTo: Q2, metric: 'ip' } }, { name: 'asc' }] })), reference(Q2, 'ip', 'asc'));

  // Ties: A and E are both exactly 1.5 from Q1 in l2; the next orderBy key decides, either way round.
  expect(names(await db.doc.findMany({ orderBy: [{ euclid: { nearTo: Q1 } }, { name: 'asc' }], take: 3 }))).toEqual(['C', 'A', 'E']);
  expect(names(await db.doc.findMany({ orderBy: [{ euclid: { nearTo: Q1 } }, { name: 'desc' }], take: 3 }))).toEqual(['C', 'E', 'A']);

  // With a filter, take and skip; a Float32Array works as the query vector.
  const filtered = reference(Q1, 'ip', 'asc').head.filter((n) => n !== 'C');
  expect(names(await db.doc.findMany({ where: { name: { not: 'C' } }, orderBy: { embedding: { nearTo: Q1, metric: 'ip' } }, skip: 1, take: 3 }))).toEqual(filtered.slice(1, 4));
  expect(names(await db.doc.findMany({ where: { name: { notIn: ['N', 'Z'] } }, orderBy: { embedding: { nearTo: new Float32Array(Q2), metric: 'l2', sort: 'desc' } }, take: 2 }))).toEqual(
    reference(Q2, 'l2', 'desc').head.filter((n) => n !== 'Z').slice(0, 2),
  );
  expect((await db.doc.findFirst({ orderBy: { embedding: { nearTo: Q1 } } }))?.name).toBe(reference(Q1, 'cosine', 'asc').head[0]);

  // Bad input is refused before any SQL, naming the field and what it takes.
  const refused = async (orderBy: unknown, message: RegExp) => {
    const e = await db.doc.findMany({ orderBy: orderBy as never }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as Error).message).toMatch(message);
  };
  await refused({ embedding: { nearTo: [1, 2] } }, /doc: orderBy\.embedding\.nearTo takes an array of 3 finite numbers \(the field is f\.vector\(3\)\)/);
  await refused({ embedding: { nearTo: [1, 2, 3, 4] } }, /takes an array of 3 finite numbers/);
  await refused({ embedding: { nearTo: [1, Number.NaN, 3] } }, /takes an array of 3 finite numbers/);
  await refused({ embedding: { nearTo: [1, Number.POSITIVE_INFINITY, 3] } }, /takes an array of 3 finite numbers/);
  await refused({ embedding: { nearTo: [1, '2) DESC; DROP TABLE vec_docs; --', 3] } }, /takes an array of 3 finite numbers/);
  await refused({ embedding: { nearTo: '[1,2,3]' } }, /takes an array of 3 finite numbers/);
  await refused({ embedding: { nearTo: Q1, metric: 'dot' } }, /metric must be 'cosine', 'l2' or 'ip'/);
  await refused({ embedding: { nearTo: [0, 0, 0] } }, /zero vector/);
  await refused({ embedding: { nearTo: Q1, sort: 'up' } }, /sort must be 'asc' or 'desc'/);
  await refused({ embedding: { nearTo: Q1, limit: 3 } }, /not 'limit'/);
  await refused({ name: { nearTo: Q1 } }, /orders f\.vector\(\) and f\.geoPoint\(\) fields; 'name' is f\.string\(\)/);
  expect(await db.doc.count()).toBe(ROWS.length);
}

/** Every number of the query vector travels bound: none of them appears in the SQL text. */
async function boundCase(db: VectorDb, events: string[]): Promise<void> {
  await db.doc.create({ data: { name: 'one', embedding: [0.123456789, 2, 3], euclid: null } });
  const q = [0.987654321, 0.246813579, 0.135792468];
  for (const metric of ['cosine', 'l2', 'ip'] as const) {
    events.length = 0;
    const rows = await db.doc.findMany({ orderBy: { embedding: { nearTo: q, metric } } });
    expect(names(rows)).toEqual(['one']);
    expect(events.length).toBeGreaterThan(0);
    for (const s of events) for (const x of q) expect(s).not.toContain(String(x).slice(2, 9));
  }
}

/** Vector ordering on `f.vector()` fields, on the dialect's storage (JSON text, float8[], FLOAT[n], pgvector). */
export function vectorSuite(target: ConformanceTarget): void {
  const caps = target.adapter.capabilities;
  // vectorQueries is optional and means yes when absent (a dialect opts out by setting it false).
  const itIf = (name: string, fn: () => Promise<void>) =>
    caps.vectorQueries === false ? it.skip(`${name} [skipped: capabilities.vectorQueries is false on ${caps.dialect}]`, fn) : it(name, fn);
  describe(`${target.name}: vector queries`, () => {
    itIf('orderBy nearTo on f.vector(): cosine, l2 and ip against a JS reference, ties, NULLs last, bad input refused', () =>
      withPushed(target, vectorSchema, vectorCases),
    );
    itIf('orderBy nearTo binds every number of the query vector', () =>
      withPushed(target, vectorSchema, async (db) => {
        const events: string[] = [];
        db.$on('query', (e) => events.push(typeof e.sql === 'string' ? e.sql : JSON.stringify(e.sql)));
        await boundCase(db, events);
      }),
    );

    if (target.adapter.kind === 'postgres') {
      // The same cases on vector(3) columns: the database gets pgvector before the push.
      it('the same on pgvector columns, where the server has pgvector', async (ctx) => {
        const fresh = await target.fresh();
        try {
          const available = await fresh.conn.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_available_extensions WHERE name = 'vector'`);
          if (available[0].n === 0) return ctx.skip('pgvector is not available on this server (postgresql-<major>-pgvector)');
          await fresh.conn.execute('CREATE EXTENSION IF NOT EXISTS vector');
          const report = await runPush({ adapter: target.adapter, conn: fresh.conn, ir: buildSchemaIR(vectorSchema) });
          expect(report.failures).toEqual([]);
          const [col] = await fresh.conn.query<{ t: string }>(`SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute WHERE attrelid = 'vec_docs'::regclass AND attname = 'embedding'`);
          expect(col.t).toBe('vector(3)');
          const db = createDbWith(target.adapter, fresh.conn, vectorSchema);
          const events: string[] = [];
          db.$on('query', (e) => events.push(String(e.sql)));
          await vectorCases(db);
          expect(events.some((s) => s.includes(' <=> '))).toBe(true);
          expect(events.some((s) => s.includes(' <-> '))).toBe(true);
          expect(events.some((s) => s.includes(' <#> '))).toBe(true);
        } finally {
          await fresh.cleanup();
        }
      });
    }
  });
}
