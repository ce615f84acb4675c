import { runConformance } from '@forge/testkit';
import postgres from 'postgres';
import { adapter, postgresJsDriver } from '../src/index.js';
import { createTestDatabase } from './helpers.js';

// The same suite as every adapter, through forge's own pg pool...
runConformance({
  name: 'postgres (pg)',
  adapter,
  async fresh() {
    const db = await createTestDatabase();
    const conn = await adapter.connect(db.url);
    return { url: db.url, conn, cleanup: async () => { await conn.close(); await db.drop(); } };
  },
});

// ...and through a postgres.js instance the user owns (forge must not close it; the test does).
runConformance({
  name: 'postgres (postgres.js)',
  adapter,
  async fresh() {
    const db = await createTestDatabase();
    const sql = postgres(db.url, { max: 4, onnotice: () => undefined });
    const conn = await adapter.connect(postgresJsDriver(sql));
    return { url: db.url, conn, cleanup: async () => { await conn.close(); await sql.end(); await db.drop(); } };
  },
});
