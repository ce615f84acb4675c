import { runConformance } from '@forge/testkit';
import postgres from 'postgres';
import { adapter, postgresJsDriver } from '../src/index.js';
import { createTestDatabase } from './helpers.js';

runConformance({
  name: 'postgres.js',
  adapter,
  async fresh() {
    const db = await createTestDatabase();
    const sql = postgres(db.url, { max: 4, onnotice: () => undefined });
    const conn = await adapter.connect(postgresJsDriver(sql));
    return { url: db.url, conn, cleanup: async () => { await conn.close(); await sql.end(); await db.drop(); } };
  },
});
