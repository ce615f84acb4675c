/** Sampling settings: quick mode trades stability for speed (and says so in its output). */
export interface SamplingConfig {
  /** Warm-up per subject before any sample counts: at least this many calls and this long. */
  warmupMin: number;
  warmupMs: number;
  /** Samples per subject and scenario: at least minSamples and minMs of sampling, at most maxSamples or maxMs. */
  minSamples: number;
  minMs: number;
  maxSamples: number;
  maxMs: number;
  /** Sampling is split into rounds, subjects rotating between rounds, so a noisy moment hits all of them. */
  rounds: number;
}

export const FULL: SamplingConfig = { warmupMin: 5, warmupMs: 300, minSamples: 30, minMs: 2000, maxSamples: 5000, maxMs: 12_000, rounds: 5 };
/**
 * Quick: still enough warm-up calls for the JIT to optimise code-heavy subjects (with 2 calls / 50 ms it had not,
 * and a quick run put SQLite PK lookup at 2.06x raw against the full run's 1.39x), and three rotated rounds, so
 * one noisy moment does not decide a ratio (list 100 at 0.48x from a single round).
 */
export const QUICK: SamplingConfig = { warmupMin: 10, warmupMs: 400, minSamples: 15, minMs: 300, maxSamples: 400, maxMs: 800, rounds: 3 };

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  // Nearest-rank on the sorted samples.
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export function summarize(samples: number[]): { median: number; p95: number; n: number } {
  const s = [...samples].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, p95: percentile(s, 95), n: s.length };
}

const gc = (globalThis as { gc?: () => void }).gc;

export interface Contender {
  name: string;
  run: () => Promise<void>;
}

/**
 * Time each contender's `run` (one sample = one call) with warm-up, interleaved rounds, and a collection
 * before each block so one subject's garbage is not billed to the next. `between` runs untimed after warm-up
 * and after each round (write scenarios put the data back there).
 */
export async function measure(contenders: Contender[], cfg: SamplingConfig, between?: () => Promise<void>): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  for (const c of contenders) {
    out.set(c.name, []);
    gc?.();
    const t0 = performance.now();
    for (let i = 0; i < cfg.warmupMin || performance.now() - t0 < cfg.warmupMs; i++) {
      await c.run();
      if (performance.now() - t0 > cfg.maxMs) break;
    }
  }
  await between?.();
  const perRound = (x: number) => Math.max(1, Math.ceil(x / cfg.rounds));
  for (let r = 0; r < cfg.rounds; r++) {
    for (let k = 0; k < contenders.length; k++) {
      const c = contenders[(k + r) % contenders.length];
      const samples = out.get(c.name)!;
      gc?.();
      const start = performance.now();
      for (let i = 0; ; i++) {
        const elapsed = performance.now() - start;
        const enough = i >= perRound(cfg.minSamples) && elapsed >= cfg.minMs / cfg.rounds;
        if (enough || i >= perRound(cfg.maxSamples) || (i >= 3 && elapsed >= cfg.maxMs / cfg.rounds)) break;
        const t = performance.now();
        await c.run();
        samples.push(performance.now() - t);
      }
    }
    await between?.();
  }
  return out;
}
