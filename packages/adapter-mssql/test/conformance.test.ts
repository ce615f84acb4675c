import { reachTarget, runConformanceOn } from '@forge/testkit';
import mssql from 'mssql';
import { adapter, mssqlDriver } from '../src/index.js';
import { parseMssqlUrl } from '../src/url.js';

// The server comes from the test-target registry: FORGE_TEST_MSSQL_URL (no SQL Server runs on the development
// machine, and there is no default). Without it both runs below are listed as skipped, with the reason; with it,
// a server that does not answer fails the file.
const target = await reachTarget('mssql', { adapter });

// The same suite as every adapter, through forge's own pool...
runConformanceOn(target, { name: 'mssql' });

// ...and through an mssql ConnectionPool the user owns, configured as a user would (mssql's defaults: a 15 s
// requestTimeout, GUIDs in upper case); forge must not close it, the test does.
runConformanceOn(target, {
  name: 'mssql (user-owned mssql ConnectionPool)',
  async connect(url) {
    const u = parseMssqlUrl(url);
    const pool = new mssql.ConnectionPool({
      server: u.server,
      port: u.port,
      database: u.database,
      user: u.user,
      password: u.password,
      options: { encrypt: u.encrypt, trustServerCertificate: u.trustServerCertificate, instanceName: u.instanceName },
      pool: { max: 4, min: 0 },
    });
    await pool.connect();
    return { conn: await adapter.connect(mssqlDriver(pool)), after: () => pool.close() };
  },
});
