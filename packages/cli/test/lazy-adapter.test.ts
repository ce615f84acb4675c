import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeProject, USERS_SCHEMA, type Project } from './helpers.js';

let p: Project;
beforeAll(() => {
  p = makeProject({ 'src/schema.ts': USERS_SCHEMA });
});
afterAll(() => p.cleanup());

it('forge diff against a sqlite URL loads the SQLite adapter and never the Postgres one', () => {
  const trace = p.file('trace.log');
  const hook = fileURLToPath(new URL('./fixtures/trace-loads.mjs', import.meta.url));
  const env = { DATABASE_URL: p.url, FORGE_TRACE_FILE: trace, NODE_OPTIONS: `--import=${hook}` };
  p.ok(['push'], env);
  const r = p.run(['diff', '--check'], env);
  expect(r.code).toBe(0);

  const loaded = readFileSync(trace, 'utf8').split('\n');
  expect(loaded.some((l) => l.includes('adapter-sqlite'))).toBe(true);
  expect(loaded.filter((l) => /adapter-(postgres|mysql|duckdb|mssql|mongo)/.test(l))).toEqual([]);
  expect(loaded.filter((l) => /^cjs (pg|postgres|mysql2|mongodb|mssql|@duckdb\/node-api)$|\/node_modules\/(pg|postgres|mysql2)\//.test(l))).toEqual([]);
});
