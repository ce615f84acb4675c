import { expect, it } from 'vitest';
import type { ResultRow } from '../src/common.js';
import { duckdbCreateManyTarget, DUCKDB_PEERS_NOTE, duckdbSection, evaluateTargets } from '../src/report.js';

// The DuckDB group's rendering and its target, on hand-made rows (no database).
const row = (scenario: string, subject: string, median: number | null, ratio: number | null, extra: Partial<ResultRow> = {}): ResultRow => ({
  scenario,
  dialect: 'duckdb',
  subject,
  median_ms: median,
  p95_ms: median,
  ratio_to_raw: ratio,
  samples: 7,
  ...extra,
});

const createMany = (rows: string, forgeRatio: number): ResultRow[] => [
  row(`createMany ${rows} rows (1 tx)`, 'raw Appender', 500, 1),
  row(`createMany ${rows} rows (1 tx)`, 'forge', 500 * forgeRatio, forgeRatio),
  row('prepared INSERT per row, 10,000 rows (1 tx, context)', 'raw prepared INSERT', 4_000, null, { samples: 1, note: '400.0 µs per row' }),
];

it('judges the DuckDB createMany target on the 100,000-row run against the raw Appender', () => {
  expect(duckdbCreateManyTarget(createMany('100,000', 1.6))).toMatchObject({ status: 'met' });
  const over = duckdbCreateManyTarget(createMany('100,000', 3.2));
  expect(over.status).toBe('not met');
  expect(over.detail).toMatch(/forge 1600 ms vs the raw Appender 500 ms \(3\.20×\)/);
  // Quick mode writes fewer rows: reported, not judged.
  expect(duckdbCreateManyTarget(createMany('20,000', 1.5))).toMatchObject({ status: 'not measured' });
  expect(duckdbCreateManyTarget([])).toMatchObject({ status: 'not measured', detail: 'scenario not run' });
});

it("keeps DuckDB rows out of the other dialects' targets", () => {
  const rows = [...createMany('100,000', 1.5), row('list 100 rows', 'raw', 1, 1), row('list 100 rows', 'forge', 3, 3)];
  const targets = evaluateTargets(rows);
  expect(targets.find((t) => t.target.startsWith('lists'))?.status).toBe('not measured');
  expect(targets.find((t) => t.target.startsWith('DuckDB'))?.status).toBe('met');
});

it('renders a DuckDB section with × raw, the one-line peers note and streaming RSS', () => {
  const md = duckdbSection([
    row('list 100 rows', 'raw', 0.25, 1),
    row('list 100 rows', 'forge', 0.3, 1.2),
    ...createMany('100,000', 2.5),
    row('stream 1,000,000 rows (findManyStream)', 'forge', 2000, 1.4, { peak_rss_mb: 140.2, rows: 1_000_000, samples: 3 }),
    row('groupBy 1,000,000 rows (8 groups, _sum + _count)', 'forge', null, null, { error: 'wrong results: 7 groups vs 8' }),
  ])!;
  expect(md).toContain('## DuckDB');
  expect(md).toContain(DUCKDB_PEERS_NOTE);
  expect(md).toContain('| list 100 rows | forge | 0.300 | 0.300 | 1.20× | 7 |  |');
  expect(md).toContain('| createMany 100,000 rows (1 tx) | forge | 1250 | 1250 | 2.50× | 7 |  |');
  expect(md).toContain('| stream 1,000,000 rows (findManyStream) | forge | 2000 | 2000 | 1.40× | 3 | 140 |');
  expect(md).toContain('| prepared INSERT per row, 10,000 rows (1 tx, context) (400.0 µs per row) | raw prepared INSERT | 4000 | 4000 | — | 1 |  |');
  expect(md).toContain('error: wrong results: 7 groups vs 8');
  expect(duckdbSection([row('x', 'raw', 1, 1, { dialect: 'sqlite' })])).toBeUndefined();
});
