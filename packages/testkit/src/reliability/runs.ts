import fc from 'fast-check';

/** The areas RELIABILITY.md reports on, in the order it lists them. */
export const AREAS = ['convergence', 'additive-pairs', 'plan-simulation', 'concurrency', 'crash-recovery', 'bad-input', 'injection'] as const;
export type Area = (typeof AREAS)[number];

/** What one test case contributes to RELIABILITY.md: carried to the reporter in the test's `meta`. */
export interface ReliabilityRecord {
  dialect: string;
  area: Area;
  /** Generated cases for a property, corpus entries or scenarios otherwise. */
  cases: number;
  /** The fast-check seed, for properties. */
  seed?: number;
  failed: boolean;
}

/** The part of vitest's test context the harness writes to (its `task.meta` reaches reporters). */
export interface MetaCarrier {
  task: { meta: object };
}

/** The regular `pnpm test` run keeps properties small so the whole suite stays within minutes. */
const REGULAR_RUNS = 10;

/**
 * Cases per property: FORGE_PROPERTY_RUNS when set (the reliability config sets 100), else a small count
 * for the regular suite. A malformed value is an error rather than a silent default.
 */
export function propertyRuns(): number {
  const raw = process.env.FORGE_PROPERTY_RUNS;
  if (raw === undefined || raw === '') return REGULAR_RUNS;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`FORGE_PROPERTY_RUNS must be a positive integer, got '${raw}'`);
  return n;
}

/** Per-test timeout for a property of `runs` cases: generous, since each case may create and drop a database. */
export function propertyTimeout(runs: number): number {
  return Math.max(120_000, runs * 10_000);
}

/** The reliability run's size (100 cases or more): scenarios that spawn processes then run every case, not a sample. */
export function fullRun(): boolean {
  return propertyRuns() >= 100;
}

/** All of `items` in a full run; otherwise the first, the middle and the last, which keeps the regular suite fast. */
export function sample<T>(items: readonly T[]): T[] {
  if (fullRun() || items.length <= 3) return [...items];
  return [items[0], items[Math.floor(items.length / 2)], items[items.length - 1]];
}

/** FORGE_PROPERTY_SEED (and FORGE_PROPERTY_PATH) replay a reported failure; otherwise every run draws a new seed. */
function replay(): { seed?: number; path?: string } {
  const seed = process.env.FORGE_PROPERTY_SEED;
  if (seed === undefined || seed === '') return {};
  const n = Number(seed);
  if (!Number.isSafeInteger(n)) throw new Error(`FORGE_PROPERTY_SEED must be an integer, got '${seed}'`);
  return { seed: n, path: process.env.FORGE_PROPERTY_PATH || undefined };
}

export function record(ctx: MetaCarrier, rec: ReliabilityRecord): void {
  (ctx.task.meta as { reliability?: ReliabilityRecord[] }).reliability ??= [];
  (ctx.task.meta as { reliability: ReliabilityRecord[] }).reliability.push(rec);
}

/**
 * Run a fast-check property, record its figures for RELIABILITY.md, and fail with fast-check's report
 * (seed, path and the shrunk counterexample, which replay it with FORGE_PROPERTY_SEED/PATH).
 */
export async function checkProperty<T>(
  ctx: MetaCarrier,
  where: { dialect: string; area: Area },
  property: fc.IAsyncPropertyWithHooks<T>,
  runs = propertyRuns(),
): Promise<void> {
  const { seed, path } = replay();
  const details = await fc.check(property, {
    numRuns: runs,
    seed,
    path,
    // Stop before vitest's timeout would, so a slow shrink still ends with fast-check's report.
    plugins: [fc.interruptAfterTimeLimit(propertyTimeout(runs) * 0.9, { failOnInterrupt: true })],
  });
  record(ctx, { ...where, cases: details.numRuns, seed: details.seed, failed: details.failed });
  if (details.failed) {
    const report = fc.defaultReportMessage(details) ?? `property failed (seed ${details.seed})`;
    const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    throw new Error(`${report}\n\nThe counterexample failed with:\n${cause}\n\nReplay: FORGE_PROPERTY_SEED=${details.seed} FORGE_PROPERTY_PATH="${details.counterexamplePath}"`);
  }
}

/**
 * Run a scenario or a corpus and record it for RELIABILITY.md: `body` returns how many cases it checked;
 * a failure is recorded as one failed case.
 */
export async function recordCases(ctx: MetaCarrier, where: { dialect: string; area: Area }, body: () => Promise<number>): Promise<void> {
  let cases: number;
  try {
    cases = await body();
  } catch (e) {
    record(ctx, { ...where, cases: 1, failed: true });
    throw e;
  }
  record(ctx, { ...where, cases, failed: false });
}
