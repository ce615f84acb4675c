import { DIALECT_LABEL, DIALECTS, formatMs, SUBJECTS, type Dialect, type ResultRow } from './common.js';
import type { MachineFacts } from './machine.js';

export interface RunInfo {
  quick: boolean;
  command: string;
  durationS: number;
  notes: string[];
}

export interface TargetCheck {
  target: string;
  status: 'met' | 'not met' | 'not measured';
  detail: string;
}

const PEERS = ['drizzle', 'kysely', 'prisma'];
const isWrite = (s: string) => /^(create|batch|upsert|transaction)/.test(s);
const isList = (s: string) => s.startsWith('list ');
const isInclude = (s: string) => s.includes('orders + lines');
const isPk = (s: string) => s.startsWith('PK lookup');
const isStream = (s: string) => s.startsWith('stream ');
const isCoreScenario = (s: string) => isPk(s) || isList(s) || isInclude(s) || isWrite(s);

const x = (r: number | null | undefined) => (r === null || r === undefined ? '—' : `${r.toFixed(2)}×`);

function ratioTarget(rows: ResultRow[], target: string, pick: (s: string) => boolean, limit: number): TargetCheck {
  const forge = rows.filter((r) => r.subject === 'forge' && pick(r.scenario));
  const measured = forge.filter((r) => r.ratio_to_raw !== null);
  if (!measured.length) return { target, status: 'not measured', detail: forge.map((r) => r.error).filter(Boolean)[0] ?? 'scenario not run' };
  const bad = measured.filter((r) => (r.ratio_to_raw as number) > limit);
  const detail = measured.map((r) => `${r.dialect} ${r.scenario}: ${x(r.ratio_to_raw)}`).join('; ');
  return { target, status: bad.length ? 'not met' : 'met', detail: bad.length ? `over: ${bad.map((r) => `${r.dialect} ${r.scenario} ${x(r.ratio_to_raw)}`).join('; ')}` : detail };
}

/** No DuckDB peers in the bench: the DuckDB section says so in one line. */
export const DUCKDB_PEERS_NOTE =
  'No Drizzle, Kysely or Prisma DuckDB driver is installed in the bench (Drizzle and Kysely have community dialects only, Prisma has none): DuckDB is forge against raw @duckdb/node-api.';

/** The createMany size the DuckDB target is about (issue 11); quick mode writes fewer rows and leaves it unjudged. */
const DUCKDB_TARGET_ROWS = '100,000';

/** "DuckDB 100k-row createMany within 2× the raw Appender", from the DuckDB group's createMany row. */
export function duckdbCreateManyTarget(rows: ResultRow[]): TargetCheck {
  const target = `DuckDB ${DUCKDB_TARGET_ROWS}-row createMany within 2× the raw Appender`;
  const mine = rows.filter((r) => r.dialect === 'duckdb' && r.scenario.startsWith('createMany '));
  const forge = mine.find((r) => r.subject === 'forge');
  const appender = mine.find((r) => r.subject === 'raw Appender');
  if (!forge || !appender) return { target, status: 'not measured', detail: 'scenario not run' };
  if (forge.ratio_to_raw === null || appender.median_ms === null) return { target, status: 'not measured', detail: forge.error ?? appender.error ?? 'no ratio' };
  const detail = `${forge.scenario}: forge ${formatMs(forge.median_ms)} ms vs the raw Appender ${formatMs(appender.median_ms)} ms (${x(forge.ratio_to_raw)})`;
  if (!forge.scenario.includes(`${DUCKDB_TARGET_ROWS} rows`)) return { target, status: 'not measured', detail: `quick mode writes fewer rows; judged on ${DUCKDB_TARGET_ROWS} in a full run. ${detail}` };
  return { target, status: forge.ratio_to_raw <= 2 ? 'met' : 'not met', detail };
}

export function evaluateTargets(allRows: ResultRow[], quick = false): TargetCheck[] {
  // The DuckDB group has a target of its own (below); the others are judged on scenarios 1-7.
  const rows = allRows.filter((r) => r.dialect !== 'duckdb');
  const out: TargetCheck[] = [
    ratioTarget(rows, 'PK lookup ≤ 1.10× raw', isPk, 1.1),
    ratioTarget(rows, 'lists ≤ 1.15× raw', isList, 1.15),
    ratioTarget(rows, 'writes ≤ 1.15× raw', isWrite, 1.15),
    ratioTarget(rows, 'include ≤ 1.3× the hand-written JOIN', isInclude, 1.3),
  ];

  // Ahead of every peer on every scenario (scenarios 1-4, where the peers run).
  const losses: string[] = [];
  let comparisons = 0;
  const missing = new Set<string>();
  for (const f of rows.filter((r) => r.subject === 'forge' && isCoreScenario(r.scenario) && r.median_ms !== null)) {
    for (const peer of PEERS) {
      const p = rows.find((r) => r.subject === peer && r.dialect === f.dialect && r.scenario === f.scenario);
      if (!p || p.median_ms === null) {
        missing.add(peer);
        continue;
      }
      comparisons++;
      if ((f.median_ms as number) >= p.median_ms) losses.push(`${f.dialect} ${f.scenario}: ${peer} ${formatMs(p.median_ms)} ms vs forge ${formatMs(f.median_ms)} ms`);
    }
  }
  out.push({
    target: 'ahead of Drizzle, Kysely and Prisma on every scenario',
    status: comparisons === 0 ? 'not measured' : losses.length ? 'not met' : 'met',
    detail:
      (losses.length ? `behind in ${losses.length} of ${comparisons}: ${losses.join('; ')}` : `ahead in all ${comparisons} comparisons`) +
      (missing.size ? ` (not compared: ${[...missing].join(', ')} did not run everywhere)` : ''),
  });

  const streams = rows.filter((r) => r.subject === 'forge' && isStream(r.scenario) && r.peak_rss_mb !== undefined);
  if (!streams.length) {
    out.push({ target: 'streaming peak RSS < 150 MB', status: 'not measured', detail: 'scenario not run' });
    out.push({ target: 'streaming peak RSS flat in row count', status: 'not measured', detail: 'scenario not run' });
  } else {
    const worst = streams.reduce((a, b) => ((a.peak_rss_mb ?? 0) >= (b.peak_rss_mb ?? 0) ? a : b));
    out.push({
      target: 'streaming peak RSS < 150 MB',
      status: (worst.peak_rss_mb ?? 0) < 150 ? 'met' : 'not met',
      detail: streams.map((r) => `${r.dialect} ${r.rows?.toLocaleString('en-US')} rows: ${r.peak_rss_mb?.toFixed(0)} MB`).join('; '),
    });
    const flat: string[] = [];
    let ok = true;
    for (const d of new Set(streams.map((r) => r.dialect))) {
      const ds = streams.filter((r) => r.dialect === d).sort((a, b) => (a.rows ?? 0) - (b.rows ?? 0));
      if (ds.length < 2) continue;
      const growth = (ds[ds.length - 1].peak_rss_mb ?? 0) / (ds[0].peak_rss_mb ?? 1);
      // Flat: 4× (or 10×) the rows may cost at most 20% more peak memory.
      if (growth > 1.2) ok = false;
      flat.push(`${d}: ${ds[0].peak_rss_mb?.toFixed(0)} MB at ${ds[0].rows?.toLocaleString('en-US')} rows → ${ds[ds.length - 1].peak_rss_mb?.toFixed(0)} MB at ${ds[ds.length - 1].rows?.toLocaleString('en-US')} rows (${x(growth)})`);
    }
    const target = 'streaming peak RSS flat in row count (≤ 1.2× from the smallest to the largest read)';
    if (quick) out.push({ target, status: 'not measured', detail: `quick mode reads are too small for the heap to level off (full mode reads 250,000 and 1,000,000 rows): ${flat.join('; ')}` });
    else out.push({ target, status: flat.length ? (ok ? 'met' : 'not met') : 'not measured', detail: flat.join('; ') });
  }

  const diffs = rows.filter((r) => r.scenario.startsWith('forge diff'));
  const counted = diffs.filter((r) => r.catalog_queries !== undefined);
  out.push({
    target: 'forge diff ≤ 10 catalog queries at 10 / 100 / 1,000 tables',
    status: counted.length === 0 ? 'not measured' : counted.every((r) => (r.catalog_queries as number) <= 10) && counted.length === diffs.length ? 'met' : 'not met',
    detail: diffs.map((r) => (r.error ? `${r.scenario}: ${r.error}` : `${r.scenario}: ${r.catalog_queries} catalog / ${r.queries} total`)).join('; ') || 'scenario not run',
  });
  const big = diffs.find((r) => r.scenario.includes('1,000 tables'));
  out.push({
    target: 'forge diff < 2 s at 1,000 tables',
    status: !big || big.median_ms === null ? 'not measured' : big.median_ms < 2000 ? 'met' : 'not met',
    detail: big ? (big.error ?? `${formatMs(big.median_ms)} ms (median of ${big.samples})`) : 'scenario not run',
  });
  const help = rows.find((r) => r.scenario.startsWith('forge --help') && r.subject === 'forge');
  out.push({
    target: 'forge --help < 250 ms',
    status: !help || help.median_ms === null ? 'not measured' : help.median_ms < 250 ? 'met' : 'not met',
    detail: help ? (help.error ?? `${formatMs(help.median_ms)} ms (median of ${help.samples}; bare node start-up ${formatMs(rows.find((r) => r.scenario === help.scenario && r.subject === 'raw')?.median_ms)} ms)`) : 'scenario not run',
  });
  out.push(duckdbCreateManyTarget(allRows));
  return out;
}

function mdTable(header: string[], body: string[][]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [`| ${header.map(esc).join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...body.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}

function scenarioTable(rows: ResultRow[], dialect: Dialect): string {
  const mine = rows.filter((r) => r.dialect === dialect && isCoreScenario(r.scenario));
  const scenarios = [...new Set(mine.map((r) => r.scenario))];
  const subjects = SUBJECTS.filter((s) => mine.some((r) => r.subject === s));
  const body = scenarios.map((sc) => [
    sc,
    ...subjects.map((s) => {
      const r = mine.find((m) => m.scenario === sc && m.subject === s);
      if (!r) return '';
      if (r.median_ms === null) return 'n/a';
      return s === 'raw' ? `${formatMs(r.median_ms)}` : `${formatMs(r.median_ms)} (${x(r.ratio_to_raw)})`;
    }),
  ]);
  const p95 = scenarios.map((sc) => [sc, ...subjects.map((s) => formatMs(mine.find((m) => m.scenario === sc && m.subject === s)?.p95_ms))]);
  return `${mdTable(['scenario (median ms, × raw)', ...subjects], body)}\n\n<details><summary>p95 (ms)</summary>\n\n${mdTable(['scenario', ...subjects], p95)}\n\n</details>`;
}

/**
 * The DuckDB group: one row per scenario and subject (createMany has three: forge, the raw Appender it is divided
 * by, and raw's prepared INSERT for context), with × raw and, for streaming, peak RSS.
 */
export function duckdbSection(rows: ResultRow[]): string | undefined {
  const mine = rows.filter((r) => r.dialect === 'duckdb');
  if (!mine.length) return undefined;
  const lines = [
    '## DuckDB (in process, one file database)',
    '',
    DUCKDB_PEERS_NOTE,
    '',
    'raw: @duckdb/node-api statements prepared once, rows read as arrays and mapped in JS; createMany is divided by the raw Appender ' +
      "(typed appends in one transaction, ids drawn from the table's sequence); the per-row prepared INSERT is context, on a slice of those rows (one sample, no ratio, the time per row beside it); streaming is " +
      "the driver's streaming result read chunk by chunk, in a fresh process per read. Every subject's answer (rows, counts, sums) was checked against raw's first.",
    '',
  ];
  lines.push(
    mdTable(
      ['scenario', 'subject', 'median ms', 'p95 ms', '× raw', 'samples', 'peak RSS MB'],
      mine.map((r) => [
        r.note ? `${r.scenario} (${r.note})` : r.scenario,
        r.subject,
        r.median_ms === null ? `error: ${r.error}` : formatMs(r.median_ms),
        formatMs(r.p95_ms),
        x(r.ratio_to_raw),
        r.samples === undefined ? '' : String(r.samples),
        r.peak_rss_mb === undefined ? '' : r.peak_rss_mb.toFixed(0),
      ]),
    ),
  );
  return lines.join('\n');
}

export function renderMarkdown(rows: ResultRow[], facts: MachineFacts, run: RunInfo): string {
  const targets = evaluateTargets(rows, run.quick);
  const parts: string[] = [];
  parts.push('# forge benchmark results', '');
  parts.push(
    `Generated by \`${run.command}\` on ${facts.date} in ${run.durationS.toFixed(0)} s.` +
      (run.quick ? ' **Quick mode: fewer iterations (and smaller streaming reads); the numbers are indicative only.**' : ''),
    '',
    'How the numbers are made: see [README.md](./README.md). Raw data: [results/latest.json](./results/latest.json).',
    '',
  );
  parts.push('## Machine', '');
  parts.push(
    mdTable(
      ['fact', 'value'],
      [
        ['CPU', facts.cpu],
        ['cores', String(facts.cores)],
        ['RAM', `${facts.ramGb} GiB`],
        ['OS', facts.os],
        ['load average at start (1/5/15 min)', facts.loadAvg],
        ['Node', facts.node],
        ['SQLite (better-sqlite3)', facts.sqlite ?? 'unknown'],
        ['PostgreSQL server', facts.postgres ?? 'not reachable'],
        ['MySQL / MariaDB server', facts.mysql ?? 'not reachable'],
        ...Object.entries(facts.versions).map(([k, v]) => [k, v]),
      ],
    ),
    '',
  );
  parts.push('## Targets', '');
  parts.push(mdTable(['target', 'status', 'measured'], targets.map((t) => [t.target, t.status === 'met' ? '✅ met' : t.status === 'not met' ? '❌ not met' : '— not measured', t.detail])), '');

  for (const d of DIALECTS) {
    if (!rows.some((r) => r.dialect === d && isCoreScenario(r.scenario))) continue;
    parts.push(`## ${DIALECT_LABEL[d]}: scenarios 1–4`, '');
    parts.push(scenarioTable(rows, d), '');
  }

  const streams = rows.filter((r) => r.dialect !== 'duckdb' && (isStream(r.scenario) || r.scenario.startsWith('buffered ')));
  if (streams.length) {
    parts.push('## Scenario 5: streaming vs buffered read (one child process per measurement)', '');
    parts.push(
      mdTable(
        ['dialect', 'read', 'subject', 'wall ms (median)', 'peak RSS MB', '× raw (time)'],
        streams.map((r) => [r.dialect, r.scenario, r.subject, r.error ? `error: ${r.error}` : formatMs(r.median_ms), r.peak_rss_mb === undefined ? '—' : r.peak_rss_mb.toFixed(0), x(r.ratio_to_raw)]),
      ),
      '',
    );
  }

  const contended = rows.filter((r) => r.scenario.startsWith('contended '));
  if (contended.length) {
    parts.push('## Scenario 7: contended writes (SQLite, 4 processes on one WAL file)', '');
    parts.push(
      mdTable(
        ['scenario', 'subject', 'committed / s', 'failed', 'median ms', 'p99 ms', 'event-loop delay max ms', '× raw (time per commit)'],
        contended.map((r) => [
          r.scenario,
          r.subject,
          r.median_ms === null ? `error: ${r.error}` : String(r.throughput_per_s),
          r.failed === undefined ? '' : String(r.failed),
          formatMs(r.median_ms),
          formatMs(r.p99_ms),
          r.loop_delay_max_ms === undefined ? '' : String(r.loop_delay_max_ms),
          x(r.ratio_to_raw),
        ]),
      ),
      '',
    );
  }

  const duck = duckdbSection(rows);
  if (duck) parts.push(duck, '');

  const cli = rows.filter((r) => r.scenario.startsWith('forge '));
  if (cli.length) {
    parts.push('## Scenario 6: the CLI (a fresh process per call, local PostgreSQL)', '');
    parts.push(
      mdTable(
        ['scenario', 'subject', 'median ms', 'p95 ms', 'statements sent', 'catalog queries'],
        cli.map((r) => [r.scenario, r.subject, r.error ? `error: ${r.error}` : formatMs(r.median_ms), formatMs(r.p95_ms), r.queries === undefined ? '' : String(r.queries), r.catalog_queries === undefined ? '' : String(r.catalog_queries)]),
      ),
      '',
    );
  }

  // Errors, grouped by (dialect, subject, message), naming the scenarios they hit.
  const grouped = new Map<string, string[]>();
  for (const e of rows.filter((r) => r.error)) {
    const k = `${e.dialect}\u0000${e.subject}\u0000${e.error}`;
    grouped.set(k, [...(grouped.get(k) ?? []), e.scenario]);
  }
  if (grouped.size || run.notes.length) {
    parts.push('## Notes', '');
    for (const n of run.notes) parts.push(`- ${n}`);
    for (const [k, scenarios] of grouped) {
      const [dialect, subject, error] = k.split('\u0000');
      parts.push(`- **${subject}** on ${dialect} could not run ${scenarios.length > 3 ? `${scenarios.length} scenarios` : scenarios.map((s) => `“${s}”`).join(', ')} (n/a above): ${error}`);
    }
    parts.push('');
  }
  return parts.join('\n');
}
