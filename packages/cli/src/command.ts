import type { Env } from './env.js';
import type { ExitCode } from './errors.js';
import type { Output } from './output.js';

export interface CommandContext {
  cwd: string;
  /** Loaded lazily so `forge --help` works even when `.env` is unreadable. */
  env(): Env;
  o: Output;
  /** The global `--config <file>` flag, when given. */
  configFile?: string;
}

/** cac's parsed flags, camelCased (`--enable-extensions` → `enableExtensions`). */
export type Flags = Record<string, unknown>;

/** One `forge <name>` command: what cac registers and what runs. */
export interface CommandSpec {
  /** cac's raw name: `push`, `diff [apply]`. */
  name: string;
  description: string;
  /** The synopsis after `$ forge` in `--help`, when the raw name alone does not tell it. */
  usage?: string;
  options: Array<[raw: string, description: string]>;
  /** Extra help sections (exit codes, notes), shown by `forge <name> --help`. */
  help: Array<{ title: string; body: string }>;
  examples: string[];
  run(ctx: CommandContext, args: string[], flags: Flags): Promise<ExitCode>;
}

/** A string flag, or undefined; cac gives numbers for numeric values and arrays for repeats. */
export function stringFlag(flags: Flags, name: string): string | undefined {
  const v = flags[name];
  if (v === undefined || v === null) return undefined;
  return Array.isArray(v) ? String(v[v.length - 1]) : String(v);
}
