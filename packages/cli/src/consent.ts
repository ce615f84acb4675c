/**
 * Consent for destructive and breaking changes (issue 14): the preview is printed before anything runs; on a
 * terminal forge asks (default no); without one it refuses and names `--accept-data-loss`. It never waits
 * for input that cannot come.
 */
import { createInterface } from 'node:readline';
import { needsConsent, rowsText, type Consent, type Finding } from '@forge/core';
import type { CommandContext, Flags } from './command.js';
import { CliError, EXIT } from './errors.js';

/** The preview: each finding with its code, the rows it touches and its one-line fix. */
export function findingLines(ctx: CommandContext, findings: Finding[]): string[] {
  const { c } = ctx.o;
  if (findings.length === 0) return [];
  const asked = findings.filter(needsConsent);
  const head = asked.length
    ? `${c.yellow('!')} ${asked.length} change(s) lose data or break running code and need your consent:`
    : `${c.yellow('!')} ${findings.length} change(s) to review (no rows at risk):`;
  const lines = [head];
  for (const f of findings) {
    const where = f.migration ? `${f.migration}: ` : '';
    const mark = needsConsent(f) ? c.red('✗') : c.dim('·');
    lines.push(`  ${mark} ${c.bold(f.code)} ${where}${f.text} (${rowsText(f)})`);
    lines.push(c.dim(`      fix: ${f.fix}`));
  }
  return lines;
}

/** The command line as the user typed it (after `forge`), for the hint. */
function rerun(command: string): string {
  const args = process.argv.slice(2).filter((a) => a !== '--accept-data-loss');
  return args.length ? args.join(' ') : command.replace(/^forge /, '');
}

async function ask(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  try {
    const answer = await new Promise<string>((resolve) => {
      rl.question(question, resolve);
      rl.once('close', () => resolve(''));
    });
    return /^(y|yes)$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/**
 * The consent hook commands hand to the engine. `--accept-data-loss` consents up front; a terminal is asked;
 * anything else is refused with exit 1.
 */
export function consentHook(ctx: CommandContext, flags: Flags, command: string): Consent {
  return async (findings) => {
    for (const line of findingLines(ctx, findings)) ctx.o.out(line);
    if (!findings.some(needsConsent)) return true;
    if (flags.acceptDataLoss === true) {
      ctx.o.out(ctx.o.c.dim('  accepted with --accept-data-loss'));
      return true;
    }
    if (!process.stdin.isTTY) {
      throw new CliError(
        `${command}: refused: the changes marked ✗ above lose data or break running code, and there is no terminal to ask (stdin is not a TTY). Nothing was changed`,
        `review them (each fix line says how to avoid the loss), then run \`forge ${rerun(command)} --accept-data-loss\` to go ahead`,
        EXIT.preflight,
      );
    }
    const yes = await ask('Apply these changes? [y/N] ');
    if (!yes) throw new CliError(`${command}: not applied (you answered no). Nothing was changed`, undefined, EXIT.preflight);
    return true;
  };
}
