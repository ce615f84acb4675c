import pc from 'picocolors';
import type { Env } from './env.js';
import { BUG_ERRORS, CliError, errorMessage, errorName } from './errors.js';
import { writeReport } from './stdio.js';

export type Colors = ReturnType<typeof pc.createColors>;

export interface Output {
  out(line?: string): void;
  err(line?: string): void;
  /** Colours for stdout lines. */
  c: Colors;
  /** Colours for stderr lines; stderr may be a terminal while stdout is piped, or the reverse. */
  ce: Colors;
}

/**
 * Colour only for a terminal, and never with NO_COLOR. picocolors' own detection also turns colour on
 * whenever `CI` is set, which would put escape codes into `forge diff > report.txt` on CI runners.
 */
export function colorEnabled(stream: { isTTY?: boolean }, env: Env): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return true;
  return !!stream.isTTY && env.TERM !== 'dumb';
}

export function createOutput(env: Env): Output {
  return {
    c: pc.createColors(colorEnabled(process.stdout, env)),
    ce: pc.createColors(colorEnabled(process.stderr, env)),
    // The report keeps stdout even while user code's writes are routed to stderr (stdio.ts).
    out: (line = '') => writeReport(line + '\n'),
    err: (line = '') => void process.stderr.write(line + '\n'),
  };
}

/** `forge: <message>` on stderr, then the next step; a bug keeps its stack so it can be reported. */
export function printError(o: Output, e: unknown): void {
  o.err(`${o.ce.red('forge:')} ${errorMessage(e)}`);
  if (e instanceof CliError && e.hint) o.err(`  ${o.ce.dim('→')} ${e.hint}`);
  if (BUG_ERRORS.has(errorName(e) ?? '') && e instanceof Error && e.stack) {
    o.err(o.ce.dim(e.stack.split('\n').slice(1).join('\n')));
  }
}
