import { ConfigError } from '@forge/core';
import { describe, expect, it } from 'vitest';
import { parseMssqlUrl } from '../src/url.js';

describe('parseMssqlUrl: good URLs', () => {
  const cases: Array<[string, ReturnType<typeof parseMssqlUrl>]> = [
    [
      'mssql://sa:Pass@localhost:1433/master?trustServerCertificate=true',
      { server: 'localhost', port: 1433, database: 'master', user: 'sa', password: 'Pass', encrypt: true, trustServerCertificate: true },
    ],
    ['sqlserver://db.example.com/app', { server: 'db.example.com', database: 'app', encrypt: true, trustServerCertificate: false }],
    ['MSSQL://u@10.0.0.5:14330', { server: '10.0.0.5', port: 14330, user: 'u', encrypt: true, trustServerCertificate: false }],
    [
      'mssql://app%40corp:p%40ss%3Aw%2Frd@host/my%20db?encrypt=false',
      { server: 'host', database: 'my db', user: 'app@corp', password: 'p@ss:w/rd', encrypt: false, trustServerCertificate: false },
    ],
    // An unencoded '@' in the password: the last '@' ends the user info.
    ['mssql://sa:S3kr3t@Tok@host:1433/db', { server: 'host', port: 1433, database: 'db', user: 'sa', password: 'S3kr3t@Tok', encrypt: true, trustServerCertificate: false }],
    ['mssql://sa:pw@host\\SQLEXPRESS/db', { server: 'host', instanceName: 'SQLEXPRESS', database: 'db', user: 'sa', password: 'pw', encrypt: true, trustServerCertificate: false }],
    ['mssql://sa:pw@host%5CSQLEXPRESS/db', { server: 'host', instanceName: 'SQLEXPRESS', database: 'db', user: 'sa', password: 'pw', encrypt: true, trustServerCertificate: false }],
    ['mssql://sa:pw@host/db?instanceName=SQL2022', { server: 'host', instanceName: 'SQL2022', database: 'db', user: 'sa', password: 'pw', encrypt: true, trustServerCertificate: false }],
    ['mssql://sa@[::1]:1433/db', { server: '::1', port: 1433, database: 'db', user: 'sa', encrypt: true, trustServerCertificate: false }],
    [
      'mssql://sa:pw@h/db?requestTimeout=120000&connectTimeout=5000&connection_limit=20&applicationName=billing&Encrypt=yes&TrustServerCertificate=0',
      { server: 'h', database: 'db', user: 'sa', password: 'pw', encrypt: true, trustServerCertificate: false, requestTimeout: 120_000, connectTimeout: 5_000, poolMax: 20, appName: 'billing' },
    ],
    ['mssql://sa:@h', { server: 'h', user: 'sa', password: '', encrypt: true, trustServerCertificate: false }],
  ];
  for (const [url, expected] of cases) {
    it(url, () => expect(parseMssqlUrl(url)).toEqual(expected));
  }
});

describe('parseMssqlUrl: the bad-input corpus (each a ConfigError naming the problem and the next step, password masked)', () => {
  const bad: Array<[string, RegExp]> = [
    ['postgres://u:pw@h/db', /is not a SQL Server URL\. Expected mssql:\/\/user:password@host:1433\/database/],
    ['mssql:/h/db', /is not a SQL Server URL/],
    ['', /is not a SQL Server URL/],
    ['mssql://', /names no host\. Add the server's host name/],
    ['mssql://sa:pw@/db', /names no host/],
    ['mssql://sa:pw@:1433/db', /names no host/],
    ['mssql://:pw@h/db', /has a password but no user name/],
    ['mssql://sa:pw@h:0/db', /has an invalid port '0'\. The port is a number from 1 to 65535/],
    ['mssql://sa:pw@h:65536/db', /invalid port '65536'/],
    ['mssql://sa:pw@h:14a3/db', /invalid port '14a3'/],
    ['mssql://sa:pw@h:/db', /invalid port ''/],
    ['mssql://sa:pw@h:1433:1434/db', /invalid port '1433:1434'/],
    ['mssql://sa:pw@ho st/db', /invalid host 'ho st'/],
    ['mssql://sa:pw@-h/db', /invalid host '-h'/],
    ['mssql://sa:pw@[::1/db', /IPv6 host without its closing bracket/],
    ['mssql://sa:pw@[::1]x/db', /after the IPv6 host/],
    ['mssql://sa:pw@h\\/db', /invalid instance name ''/],
    ['mssql://sa:pw@h\\BAD-NAME/db', /invalid instance name 'BAD-NAME'/],
    ['mssql://sa:pw@h\\ABCDEFGHIJKLMNOPQ/db', /invalid instance name/],
    ['mssql://sa:pw@h\\SQLEXPRESS:1433/db', /names both a port \(1433\) and an instance \(SQLEXPRESS\)/],
    ['mssql://sa:pw@h:1433/db?instanceName=X', /names both a port/],
    ['mssql://sa:pw@h\\A/db?instanceName=B', /names two instances \('A' and 'B'\)/],
    ['mssql://sa:pw@h/db/extra', /more than one segment\. The path is the database name alone/],
    ['mssql://sa:pw@h/' + 'd'.repeat(129), /longer than 128 characters/],
    ['mssql://sa:p%zzw@h/db', /malformed percent-escape in the password/],
    ['mssql://s%zza:pw@h/db', /malformed percent-escape in the user name/],
    ['mssql://sa:pw@h/d%zz', /malformed percent-escape in the database name/],
    ['mssql://sa:pw@h/db?encrypt=maybe', /encrypt=maybe, which is not true or false\. Write encrypt=true or encrypt=false/],
    ['mssql://sa:pw@h/db?trustServerCertificate=', /trustServerCertificate=, which is not true or false/],
    ['mssql://sa:pw@h/db?requestTimeout=15s', /requestTimeout=15s, which is not a whole number\. Give requestTimeout in milliseconds/],
    ['mssql://sa:pw@h/db?connection_limit=0', /connection_limit=0\. A pool needs at least one connection/],
    ['mssql://sa:pw@h/db?connection_limit=-1', /not a whole number/],
    ['mssql://sa:pw@h/db?ssl=true', /unknown parameter 'ssl'\. Accepted: encrypt, trustServerCertificate/],
    ['mssql://sa:pw@h/db?password=x', /unknown parameter 'password'/],
    ['mssql://sa:pw@h/db#frag', /'#' fragment/],
    ['sqlserver://h:1433;database=db;user=sa;password=pw', /JDBC form .*Write it as a URL/],
  ];
  for (const [url, message] of bad) {
    it(url.length > 80 ? `${url.slice(0, 77)}...` : url || '(empty)', () => {
      let err: unknown;
      try {
        parseMssqlUrl(url);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      const msg = (err as Error).message;
      expect(msg).toMatch(message);
      // The password never appears (the JDBC form's password is masked by redactUrl too).
      for (const secret of [':pw@', 'p%zzw', 'password=pw', 'password=x']) expect(msg).not.toContain(secret);
    });
  }
});
