import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient } from '@libsql/client';
import { runConformance, type ConformanceTarget } from '@forge/testkit';
import { adapter, libsqlAdapter, libsqlDriver } from '../src/index.js';

// The whole conformance suite on libSQL: each case on a fresh local file, through a client the test makes the way
// a user would (createClient({ url: 'file:...' }), default options) and hands to forge with libsqlDriver. The file
// is not touched by better-sqlite3 at any point.
const target: ConformanceTarget = {
  name: 'sqlite (libSQL, libsqlDriver(createClient({ url: file: })))',
  adapter: libsqlAdapter,
  async fresh() {
    const dir = mkdtempSync(path.join(tmpdir(), 'forge-test-libsql-'));
    const url = `file:${path.join(dir, 'db.sqlite')}`;
    const client = createClient({ url });
    const conn = await adapter.connect(libsqlDriver(client));
    return {
      url,
      conn,
      cleanup: async () => {
        await conn.close();
        // forge never closes a client it was given: the test does.
        client.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

runConformance(target);
