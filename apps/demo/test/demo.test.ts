import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { expect, it } from 'vitest';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

it('the demo runs end to end on SQLite (push, query, diff, push, diff apply, rollback, doctor)', () => {
  const r = spawnSync(process.execPath, ['run.mjs'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('demo complete');
  expect(r.stdout).toMatch(/duplicate email -> DbKnownError UNIQUE_VIOLATION/);
});
