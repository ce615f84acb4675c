/**
 * stdout belongs to forge's report. User code runs inside a command (the schema and config modules, what
 * they import, timers they start), and whatever it writes to stdout would corrupt `forge diff --json` or
 * `forge diff apply --dry > m.sql`. While a command runs, `process.stdout.write` (and so `console.log`)
 * goes to stderr; forge's own report goes out through `writeReport`, which keeps the real stdout.
 */

type Write = typeof process.stdout.write;

let report: Write | undefined;

/** Write forge's report to the real stdout, also while user writes are routed to stderr. */
export function writeReport(text: string): void {
  if (report) report.call(process.stdout, text);
  else process.stdout.write(text);
}

/** Route stdout writes to stderr until the returned function is called; forge's report keeps stdout. */
export function routeUserStdoutToStderr(): () => void {
  if (report) return () => undefined;
  const stdout = process.stdout;
  const original = stdout.write;
  report = original;
  stdout.write = function toStderr(this: unknown, ...args: Parameters<Write>) {
    return (process.stderr.write as (...a: Parameters<Write>) => boolean).apply(process.stderr, args);
  } as Write;
  return () => {
    stdout.write = original;
    report = undefined;
  };
}
