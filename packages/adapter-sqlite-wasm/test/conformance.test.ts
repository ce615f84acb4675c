import { runConformance } from '@forge/testkit';
import { adapter, sqliteWasmDriver } from '../src/index.js';
import { channel } from './helpers.js';

// The whole conformance suite on the sqlite-wasm adapter: each fresh database is a worker host served in this
// process over a MessageChannel (Node has no OPFS, so in memory), every statement posted and cloned as in a browser.
runConformance({
  name: 'sqlite-wasm (MessageChannel, memory)',
  adapter,
  async fresh() {
    const { page, worker } = channel();
    const conn = await adapter.connect(sqliteWasmDriver(page, { storage: 'memory' }));
    return {
      url: 'sqlite-wasm::memory:',
      conn,
      cleanup: async () => {
        await conn.close();
        page.close();
        worker.close();
      },
    };
  },
});
