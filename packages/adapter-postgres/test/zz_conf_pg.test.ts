import { runConformance } from '@forge/testkit';
import { adapter } from '../src/index.js';
import { createTestDatabase } from './helpers.js';

runConformance({
  name: 'postgres',
  adapter,
  async fresh() {
    const db = await createTestDatabase();
    const conn = await adapter.connect(db.url);
    return {
      url: db.url,
      conn,
      cleanup: async () => {
        await conn.close();
        await db.drop();
      },
    };
  },
});
