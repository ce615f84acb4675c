import { requireTarget, runConformanceOn } from '@forge/testkit';
import mysql from 'mysql2/promise';
import { describe, it } from 'vitest';
import type { MysqlConnection } from '../src/connection.js';
import { adapter, mysql2Driver } from '../src/index.js';

// The server comes from the test-target registry (FORGE_TEST_MYSQL_URL, else the server at 127.0.0.1:3306,
// MariaDB 10.11 on the development machine). These are the adapter's own tests, so no server is a failure
// here, not a skip.
const target = await requireTarget('mysql', { adapter });
const server = await target.onServer(async (c) => (c as MysqlConnection).server);
const flavour = `${server.flavor === 'mariadb' ? 'MariaDB' : 'MySQL'} ${server.version}`;

// The same suite as every adapter, through forge's own pool...
runConformanceOn(target, { name: `mysql on ${flavour}` });

// ...and through a mysql2/promise pool the user owns (forge must not end it; the test does).
runConformanceOn(target, {
  name: `mysql on ${flavour} (user-owned mysql2/promise pool)`,
  async connect(url) {
    const pool = mysql.createPool({ uri: url, connectionLimit: 4 });
    return { conn: await adapter.connect(mysql2Driver(pool)), after: () => pool.end() };
  },
});

// The other flavour runs where FORGE_TEST_MYSQL_URL points at it; here it is listed as skipped, by name.
const other = server.flavor === 'mariadb' ? 'MySQL 8' : 'MariaDB';
describe.skip(`conformance: mysql on ${other} [skipped: the test server is ${flavour}; set FORGE_TEST_MYSQL_URL to a ${other} server]`, () => {
  it('every case', () => undefined);
});
