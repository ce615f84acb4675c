#!/usr/bin/env node
import { main } from './main.js';

void main(process.argv).then((code) => {
  process.exitCode = code;
  // Normally the event loop is empty by now and Node exits at once. If a driver left a socket or a
  // timer behind, do not hang a CI job on it: exit anyway shortly after.
  setTimeout(() => process.exit(code), 2_000).unref();
});
