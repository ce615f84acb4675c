#!/usr/bin/env node
import { main } from './main.js';
import { routeUserStdoutToStderr } from './stdio.js';

void main(process.argv).then((code) => {
  // The report is complete: a timer the user's schema left behind must not append to it, nor pick the exit code.
  routeUserStdoutToStderr();
  const exit = process.exit;
  process.exit = (() => exit.call(process, code)) as typeof process.exit;
  process.exitCode = code;
  // Normally the event loop is empty by now and Node exits at once. If a driver left a socket or a
  // timer behind, do not hang a CI job on it: exit anyway shortly after.
  setTimeout(() => process.exit(code), 2_000).unref();
});
