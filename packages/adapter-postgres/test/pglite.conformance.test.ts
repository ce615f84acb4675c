import { runConformance, type ConformanceTarget } from '@forge/testkit';
import { vi } from 'vitest';
import { adapter } from '../src/index.js';

// The whole conformance suite on PGlite (Postgres in WASM, in this process), each case on a fresh in-memory
// database opened the way a user opens one: the adapter on a `pglite::memory:` URL. No server is involved, so
// nothing here can be skipped for a missing one.
// PGlite is Postgres in WASM in this process: each case starts a database (about a second from the cached
// template) and runs slower than on a native server, more so on a shared machine, so cases get more time.
vi.setConfig({ testTimeout: 120_000 });

const target: ConformanceTarget = {
  name: 'postgres (PGlite, pglite::memory:)',
  adapter,
  async fresh() {
    const url = 'pglite::memory:';
    const conn = await adapter.connect(url);
    return { url, conn, cleanup: () => conn.close() };
  },
};

runConformance(target);
