import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runConformance } from '@forge/testkit';
import { afterAll } from 'vitest';
import { adapter } from '../src/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'forge-conformance-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

runConformance({
  name: 'sqlite',
  adapter,
  async fresh() {
    // A file (not :memory:) so WAL, busy_timeout and the push lock behave as in production.
    const file = path.join(dir, `db-${++n}.sqlite`);
    const url = `sqlite:${file}`;
    const conn = await adapter.connect(url);
    return {
      url,
      conn,
      cleanup: async () => {
        await conn.close();
        for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
      },
    };
  },
});
