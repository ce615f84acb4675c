import { describe, expect, it } from 'vitest';
import { redactUrl } from '../src/index.js';

/** [input, what may be printed]. Every secret in these inputs contains 'S3', so none may survive. */
const CASES: Array<[string, string]> = [
  // userinfo: the password runs to the LAST '@' before the host
  ['postgres://u:S3kr3t@Tok9@host/db', 'postgres://u:***@host/db'],
  ['postgresql://u:S3@@@host:5432/db', 'postgresql://u:***@host:5432/db'],
  ['postgres://me:S3cret@h/db?password=S3cret&x=1', 'postgres://me:***@h/db?password=***&x=1'],
  ['postgres://u:S3pw@h/db?application_name=a@b', 'postgres://u:***@h/db?application_name=a@b'],
  ['postgres://u:S3%40pw@h/db', 'postgres://u:***@h/db'],
  // a password with an unencoded / ? or # (which end a URL's authority early)
  ['postgres://u:ab/S3cd@host/db', 'postgres://u:***@host/db'],
  ['postgres://u:a#S3?c@host:5432/db?sslmode=require', 'postgres://u:***@host:5432/db?sslmode=require'],
  ['mysql://root:S3@cret@127.0.0.1:3306/app', 'mysql://root:***@127.0.0.1:3306/app'],
  ['mariadb://root:S3cret@db/app', 'mariadb://root:***@db/app'],
  ['mssql://sa:Str0ng@S3@db:1433/app?encrypt=true', 'mssql://sa:***@db:1433/app?encrypt=true'],
  ['mongodb://u:p@S3@h1:27017,h2:27017/app?replicaSet=rs0', 'mongodb://u:***@h1:27017,h2:27017/app?replicaSet=rs0'],
  ['mongodb+srv://u:S3kr3t@Tok9@cluster0.example.net/?retryWrites=true', 'mongodb+srv://u:***@cluster0.example.net/?retryWrites=true'],
  ['oracle://scott:tiger@S3@db/orcl', 'oracle://scott:***@db/orcl'],
  // query parameters, any case
  ['postgresql://host/db?sslmode=require&password=p%40S3', 'postgresql://host/db?sslmode=require&password=***'],
  ['postgres://host/db?PASSWORD=S3&sslpassword=S3x#frag', 'postgres://host/db?PASSWORD=***&sslpassword=***#frag'],
  ['mysql://host/db?user=u&pwd=S3', 'mysql://host/db?user=u&pwd=***'],
  ['mongodb://h/db?authSource=admin&token=S3', 'mongodb://h/db?authSource=admin&token=***'],
  // SQL Server: JDBC style and ADO.NET / ODBC connection strings
  ['sqlserver://db:1433;database=app;user=sa;password=Str0ng@S3;encrypt=true', 'sqlserver://db:1433;database=app;user=sa;password=***;encrypt=true'],
  ['Server=tcp:db,1433;Database=app;User Id=sa;Password=S3cret;Encrypt=true', 'Server=tcp:db,1433;Database=app;User Id=sa;Password=***;Encrypt=true'],
  ['Server=db;Database=x;PWD = S3cret ;Trusted_Connection=no', 'Server=db;Database=x;PWD = ***;Trusted_Connection=no'],
  ['Password=S3cret;Server=db', 'Password=***;Server=db'],
  ['Server=db;Pwd={a;S3}}c};Database=x', 'Server=db;Pwd=***;Database=x'],
  ['Server=db;Password="a;""S3";Database=x', 'Server=db;Password=***;Database=x'],
  ["Server=db;Password='S3;x';Database=x", 'Server=db;Password=***;Database=x'],
];

/** URLs with nothing secret in them come back unchanged. */
const UNTOUCHED = [
  'sqlite:./app.db',
  'sqlite::memory:',
  'sqlite:/tmp/a@b/app.db',
  'sqlite:./x.db?busy_timeout=5000',
  'file:./x.db?mode=ro',
  'file:///tmp/a:b@c/x.db',
  'duckdb:./warehouse.duckdb',
  'duckdb::memory:',
  'postgres://postgres@127.0.0.1:5432/db',
  'postgres://127.0.0.1:5432/db?application_name=a@b',
  'postgres://[::1]:5432/db?application_name=a@b',
  'postgres://u@h/db?application_name=a@b',
  'postgres://host/db?passwordless=true&sslkey=/etc/client.key',
  'mongodb://h1,h2/app?replicaSet=rs0',
  'Server=db;Database=app;Trusted_Connection=yes',
  '',
];

describe('redactUrl: the one function every message uses to print a database URL', () => {
  for (const [input, expected] of CASES) {
    it(`hides the secret in ${input}`, () => {
      const shown = redactUrl(input);
      expect(shown).toBe(expected);
      expect(shown).not.toContain('S3');
      expect(redactUrl(shown)).toBe(shown);
    });
  }

  for (const input of UNTOUCHED) {
    it(`leaves ${input || "''"} as it is`, () => {
      expect(redactUrl(input)).toBe(input);
    });
  }

  it('keeps surrounding whitespace and the user name, so the output still identifies the database', () => {
    expect(redactUrl('  postgres://app_user:S3@x@db.internal:6432/prod  ')).toBe('  postgres://app_user:***@db.internal:6432/prod  ');
  });
});
