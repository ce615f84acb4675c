import { requireTarget, runConformanceOn } from '@forge/testkit';
import postgres from 'postgres';
import { adapter, postgresJsDriver } from '../src/index.js';

// The server comes from the test-target registry (FORGE_TEST_POSTGRES_URL, else 127.0.0.1:5432). These are the
// adapter's own tests, so no server is a failure here, not a skip.
const target = await requireTarget('postgres', { adapter });

// The same suite as every adapter, through forge's own pg pool...
runConformanceOn(target, { name: 'postgres (pg)' });

// ...and through a postgres.js instance the user owns (forge must not close it; the test does).
runConformanceOn(target, {
  name: 'postgres (postgres.js)',
  async connect(url) {
    const sql = postgres(url, { max: 4, onnotice: () => undefined });
    return { conn: await adapter.connect(postgresJsDriver(sql)), after: () => sql.end() };
  },
});
