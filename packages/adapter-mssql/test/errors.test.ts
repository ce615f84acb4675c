import { DbKnownError } from '@forge/core';
import { describe, expect, it } from 'vitest';
import { mapMssqlError } from '../src/errors.js';

/** A RequestError as mssql builds it from a server error (number, state, class, message). */
const requestError = (number: number, message: string) => Object.assign(new Error(message), { name: 'RequestError', code: 'EREQUEST', number, state: 1, class: 14 });

describe('SQL Server error numbers to DbKnownError', () => {
  const cases: Array<[number, string, string, Record<string, unknown>]> = [
    [2627, "Violation of UNIQUE KEY constraint 'uq_email'. Cannot insert duplicate key in object 'dbo.users'. The duplicate key value is (a@x).", 'UNIQUE_VIOLATION', { constraint: 'uq_email', table: 'users' }],
    [2627, "Violation of PRIMARY KEY constraint 'forge_users_pk'. Cannot insert duplicate key in object 'dbo.users'.", 'UNIQUE_VIOLATION', { constraint: 'forge_users_pk', table: 'users' }],
    [2601, "Cannot insert duplicate key row in object 'dbo.counters' with unique index 'forge_counters_uq_name'. The duplicate key value is (x).", 'UNIQUE_VIOLATION', { constraint: 'forge_counters_uq_name', table: 'counters' }],
    [547, 'The INSERT statement conflicted with the FOREIGN KEY constraint "forge_posts_fk_authorId". The conflict occurred in database "forge", table "dbo.users", column \'id\'.', 'FOREIGN_KEY_VIOLATION', { constraint: 'forge_posts_fk_authorId', table: 'users' }],
    [547, 'The DELETE statement conflicted with the REFERENCE constraint "fk_x". The conflict occurred in database "forge", table "dbo.posts", column \'authorId\'.', 'FOREIGN_KEY_VIOLATION', { constraint: 'fk_x', table: 'posts' }],
    [547, 'The INSERT statement conflicted with the CHECK constraint "forge_users_ck_meta". The conflict occurred in database "forge", table "dbo.users", column \'meta\'.', 'CHECK_VIOLATION', { constraint: 'forge_users_ck_meta', table: 'users' }],
    [515, "Cannot insert the value NULL into column 'postId', table 'forge.dbo.comments'; column does not allow nulls. INSERT fails.", 'NOT_NULL_VIOLATION', { column: 'postId', table: 'comments' }],
    [208, "Invalid object name 'no_such_table'.", 'MISSING_TABLE', { table: 'no_such_table' }],
    [208, "Invalid object name 'dbo.no_such_table'.", 'MISSING_TABLE', { table: 'no_such_table' }],
    [207, "Invalid column name 'no_such_column'.", 'MISSING_COLUMN', { column: 'no_such_column' }],
    [1222, 'Lock request time out period exceeded.', 'TIMEOUT', {}],
    [18456, "Login failed for user 'sa'.", 'AUTH_FAILED', {}],
    [4060, 'Cannot open database "nope" requested by the login. The login failed.', 'CONNECTION_FAILED', {}],
  ];
  for (const [number, message, code, meta] of cases) {
    it(`${number}: ${message.slice(0, 60)}`, () => {
      const e = requestError(number, message);
      const mapped = mapMssqlError(e, { target: 'mssql://sa:***@h/db', address: 'h:1433' }) as DbKnownError;
      expect(mapped).toBeInstanceOf(DbKnownError);
      expect(mapped.code).toBe(code);
      // A unique violation always lists columns and fields (core fills them; SQL Server's message names neither).
      const lists = code === 'UNIQUE_VIOLATION' ? { columns: [], fields: [] } : {};
      expect(mapped.meta).toEqual({ driverCode: number, state: 1, ...meta, ...lists });
      expect(mapped.cause).toBe(e);
      expect(mapped.message).toContain(message.slice(0, 30));
    });
  }

  it('a deadlock victim (1205) keeps its number: retry loops branch on it', () => {
    const e = requestError(1205, 'Transaction (Process ID 52) was deadlocked on lock resources with another process and has been chosen as the deadlock victim. Rerun the transaction.');
    expect(mapMssqlError(e)).toBe(e);
    expect((mapMssqlError(e) as { number: number }).number).toBe(1205);
  });

  it('anything else passes through untouched', () => {
    const e = requestError(8152, 'String or binary data would be truncated.');
    expect(mapMssqlError(e)).toBe(e);
    expect(mapMssqlError('text')).toBe('text');
    const known = new DbKnownError('TIMEOUT', 'x');
    expect(mapMssqlError(known)).toBe(known);
  });

  it('connection failures name the address and the next step; a request timeout names requestTimeout', () => {
    const refused = Object.assign(new Error('Failed to connect to 127.0.0.1:1 - connect ECONNREFUSED 127.0.0.1:1'), { name: 'ConnectionError', code: 'ESOCKET' });
    const m = mapMssqlError(refused, { target: 'mssql://sa:***@127.0.0.1:1/db', address: '127.0.0.1:1' }) as DbKnownError;
    expect(m.code).toBe('CONNECTION_FAILED');
    expect(m.message).toMatch(/^Could not reach SQL Server at 127\.0\.0\.1:1 \(mssql:\/\/sa:\*\*\*@127\.0\.0\.1:1\/db\): Failed to connect .* Check that the server is running and accepts TCP connections/);
    const lookup = Object.assign(new Error('Failed to get response from SQL Server Browser on h'), { name: 'ConnectionError', code: 'EINSTLOOKUP' });
    expect((mapMssqlError(lookup) as DbKnownError).code).toBe('CONNECTION_FAILED');
    const loginTimeout = Object.assign(new Error('Failed to connect to h:1433 in 15000ms'), { name: 'ConnectionError', code: 'ETIMEOUT' });
    expect((mapMssqlError(loginTimeout) as DbKnownError).code).toBe('CONNECTION_FAILED');
    const slow = Object.assign(new Error("Timeout: Request failed to complete in 15000ms"), { name: 'RequestError', code: 'ETIMEOUT' });
    const t = mapMssqlError(slow) as DbKnownError;
    expect(t.code).toBe('TIMEOUT');
    expect(t.message).toMatch(/raise it \(\?requestTimeout=<ms> on the URL/);
    const login = Object.assign(new Error("Login failed for user 'sa'."), { name: 'ConnectionError', code: 'ELOGIN' });
    expect((mapMssqlError(login) as DbKnownError).code).toBe('AUTH_FAILED');
  });
});
