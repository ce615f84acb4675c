import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Reporter, TestModule } from 'vitest/node';
import { AREAS, type Area, type ReliabilityRecord } from './runs.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(here, '../../../..');
const DOC = path.join(REPO, 'RELIABILITY.md');
const SUMMARY = path.resolve(here, '../../.reliability/summary.json');
const START = '<!-- reliability-figures:start (written by pnpm test:reliability; edit outside this block) -->';
const END = '<!-- reliability-figures:end -->';

const TITLES: Record<Area, string> = {
  convergence: 'random schemas converge (push → diff empty → push applies 0)',
  'additive-pairs': 'random additive A → B (push A, push B → diff empty)',
  'plan-simulation': 'plan simulation, no database (push + diff apply turn snapshot A into B)',
  concurrency: '8 concurrent `forge push` processes (process runs)',
  'crash-recovery': 'SIGKILL after statement k, then recovery (kill points)',
  'bad-input': 'bad-input corpus, CLI and API (cases)',
  injection: 'injection corpus (statements carrying a hostile value, and refusals)',
};

interface Summary {
  finishedAt: string;
  propertyRuns: string;
  node: string;
  dialects: string[];
  /** Per area, per dialect: cases run, failures and the seeds used. */
  areas: Record<string, Record<string, { cases: number; failures: number; seeds: number[] }>>;
  testsFailed: number;
  testsPassed: number;
  testsSkipped: Array<{ name: string }>;
}

function summarise(modules: ReadonlyArray<TestModule>): Summary {
  const areas: Summary['areas'] = {};
  let failed = 0;
  let passed = 0;
  const skipped: Summary['testsSkipped'] = [];
  for (const m of modules) {
    for (const t of m.children.allTests()) {
      const state = t.result().state;
      if (state === 'failed') failed++;
      else if (state === 'passed') passed++;
      else skipped.push({ name: t.fullName });
      const records = (t.meta() as { reliability?: ReliabilityRecord[] }).reliability ?? [];
      for (const r of records) {
        const cell = ((areas[r.area] ??= {})[r.dialect] ??= { cases: 0, failures: 0, seeds: [] });
        cell.cases += r.cases;
        if (r.failed) cell.failures++;
        if (r.seed !== undefined) cell.seeds.push(r.seed);
      }
    }
    if (m.state() === 'failed' && [...m.children.allTests()].length === 0) failed++;
  }
  const dialects = [...new Set(Object.values(areas).flatMap((a) => Object.keys(a)))].sort((a, b) => (a === 'any' ? 1 : b === 'any' ? -1 : a < b ? -1 : 1));
  return {
    finishedAt: new Date().toISOString(),
    propertyRuns: process.env.FORGE_PROPERTY_RUNS ?? '(default)',
    node: process.version,
    dialects,
    areas,
    testsFailed: failed,
    testsPassed: passed,
    testsSkipped: skipped,
  };
}

/** The generated block of RELIABILITY.md: the figures table, the seeds, and what was skipped. */
function renderFigures(s: Summary): string {
  const head = `| area | ${s.dialects.join(' | ')} |`;
  const rule = `| --- | ${s.dialects.map(() => '---:').join(' | ')} |`;
  const rows = AREAS.filter((a) => s.areas[a]).map((a) => `| ${TITLES[a]} | ${s.dialects.map((d) => s.areas[a][d]?.cases ?? '—').join(' | ')} |`);
  const failures = s.dialects.map((d) => AREAS.reduce((n, a) => n + (s.areas[a]?.[d]?.failures ?? 0), 0));
  const seeds = AREAS.flatMap((a) =>
    s.dialects.filter((d) => s.areas[a]?.[d]?.seeds.length).map((d) => `- ${a}, ${d}: ${s.areas[a][d].seeds.join(', ')}`),
  );
  return [
    START,
    '',
    `Last run: ${s.finishedAt}, Node ${s.node}, FORGE_PROPERTY_RUNS=${s.propertyRuns}. ` +
      `Tests: ${s.testsPassed} passed, ${s.testsFailed} failed, ${s.testsSkipped.length} skipped. ` +
      'Generated from the run by `packages/testkit/src/reliability/reporter.ts` (raw figures: `packages/testkit/.reliability/summary.json`).',
    '',
    head,
    rule,
    ...rows,
    `| **failures** | ${failures.join(' | ')} |`,
    '',
    '`any` counts the cases that do not depend on a database (URLs, flags, schema files, createDb arguments).',
    '',
    'Seeds (replay one property with `FORGE_PROPERTY_SEED=<seed>`; a failure report also prints `FORGE_PROPERTY_PATH`):',
    '',
    ...(seeds.length ? seeds : ['- (no property ran)']),
    '',
    ...(s.testsSkipped.length ? ['Skipped:', '', ...s.testsSkipped.map((t) => `- ${t.name}`), ''] : []),
    END,
  ].join('\n');
}

/**
 * Writes the run's figures: `.reliability/summary.json`, and the generated block of RELIABILITY.md (the
 * prose around the block is kept as written). Used only by vitest.reliability.config.ts, so the regular
 * suite's small runs never overwrite the published figures.
 */
export default class ReliabilityReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const summary = summarise(modules);
    mkdirSync(path.dirname(SUMMARY), { recursive: true });
    writeFileSync(SUMMARY, `${JSON.stringify(summary, null, 2)}\n`);
    const block = renderFigures(summary);
    const doc = existsSync(DOC) ? readFileSync(DOC, 'utf8') : `# Reliability\n\n${START}\n${END}\n`;
    const from = doc.indexOf(START);
    const to = doc.indexOf(END);
    const next = from === -1 || to === -1 ? `${doc.trimEnd()}\n\n${block}\n` : `${doc.slice(0, from)}${block}${doc.slice(to + END.length)}`;
    writeFileSync(DOC, next);
    process.stdout.write(`\nreliability figures written to ${path.relative(process.cwd(), DOC)} and ${path.relative(process.cwd(), SUMMARY)}\n`);
  }
}
