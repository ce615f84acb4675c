import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DbKnownError, type Connection } from '@forge/core';
import { adapter, openSqlite } from '../src/index.js';
import { memory, tempDir } from './helpers.js';

async function failure(run: Promise<unknown>): Promise<DbKnownError> {
  const e = await run.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DbKnownError);
  return e as DbKnownError;
}

describe('error mapping against real SQLite errors', () => {
  let conn: Connection;
  beforeAll(async () => {
    conn = await memory();
    await conn.execute(`CREATE TABLE users (id TEXT PRIMARY KEY NOT NULL, email TEXT NOT NULL, org TEXT, handle TEXT, age INTEGER CHECK (age >= 0))`);
    await conn.execute(`CREATE UNIQUE INDEX uq_email ON users (email, org)`);
    await conn.execute(`CREATE UNIQUE INDEX uq_lower ON users (lower(handle))`);
    await conn.execute(`CREATE TABLE posts (id INTEGER PRIMARY KEY, author TEXT REFERENCES users(id))`);
    await conn.execute(`INSERT INTO users (id, email, org, handle) VALUES ('u1', 'a@x', 'o', 'Ann')`);
  });

  it('UNIQUE_VIOLATION with the table and columns', async () => {
    const e = await failure(conn.execute(`INSERT INTO users (id, email, org) VALUES ('u2', 'a@x', 'o')`));
    expect(e.code).toBe('UNIQUE_VIOLATION');
    expect(e.meta).toMatchObject({ table: 'users', columns: ['email', 'org'], driverCode: 'SQLITE_CONSTRAINT_UNIQUE' });
    expect(e.cause).toBeInstanceOf(Error);
  });

  it('UNIQUE_VIOLATION for a primary key, and for an expression index by name', async () => {
    const pk = await failure(conn.execute(`INSERT INTO users (id, email) VALUES ('u1', 'b@x')`));
    expect(pk.code).toBe('UNIQUE_VIOLATION');
    expect(pk.meta).toMatchObject({ table: 'users', columns: ['id'], driverCode: 'SQLITE_CONSTRAINT_PRIMARYKEY' });
    const expr = await failure(conn.execute(`INSERT INTO users (id, email, handle) VALUES ('u3', 'new@x', 'ANN')`));
    expect(expr.code).toBe('UNIQUE_VIOLATION');
    expect(expr.meta).toMatchObject({ index: 'uq_lower' });
  });

  it('FOREIGN_KEY_VIOLATION', async () => {
    expect((await failure(conn.execute(`INSERT INTO posts (author) VALUES ('nobody')`))).code).toBe('FOREIGN_KEY_VIOLATION');
  });

  it('NOT_NULL_VIOLATION with the column', async () => {
    const e = await failure(conn.execute(`INSERT INTO users (id, email) VALUES ('u4', NULL)`));
    expect(e.code).toBe('NOT_NULL_VIOLATION');
    expect(e.meta).toMatchObject({ table: 'users', column: 'email' });
  });

  it('CHECK_VIOLATION', async () => {
    const e = await failure(conn.execute(`INSERT INTO users (id, email, age) VALUES ('u5', 'c@x', -1)`));
    expect(e.code).toBe('CHECK_VIOLATION');
    expect(e.meta.constraint).toBe('age >= 0');
  });

  it('MISSING_TABLE and MISSING_COLUMN, with the next step', async () => {
    const table = await failure(conn.query('SELECT * FROM nope'));
    expect(table.code).toBe('MISSING_TABLE');
    expect(table.meta.table).toBe('nope');
    expect(table.message).toMatch(/forge push/);
    const col = await failure(conn.query('SELECT missing FROM users'));
    expect(col.code).toBe('MISSING_COLUMN');
    const named = await failure(conn.execute(`INSERT INTO users (id, email, ghost) VALUES ('u6', 'd@x', 1)`));
    expect(named.code).toBe('MISSING_COLUMN');
    expect(named.meta).toMatchObject({ table: 'users', column: 'ghost' });
  });

  it('CONNECTION_FAILED when the file cannot be opened', async () => {
    const dir = tempDir();
    const e = await failure(openSqlite(`sqlite:${path.join(dir)}`));
    expect(e.code).toBe('CONNECTION_FAILED');
  });

  it('leaves everything else untouched, and is idempotent', async () => {
    const syntax = await conn.query('SELEC 1').catch((e: unknown) => e);
    expect(syntax).not.toBeInstanceOf(DbKnownError);
    expect((syntax as { code?: string }).code).toBe('SQLITE_ERROR');
    expect(adapter.mapError(syntax)).toBe(syntax);
    const known = new DbKnownError('NOT_FOUND', 'x');
    expect(adapter.mapError(known)).toBe(known);
    expect(adapter.mapError('a string')).toBe('a string');
  });

  it('maps errors from inside a transaction and from commit', async () => {
    const e = await failure(conn.transaction((tx) => tx.execute(`INSERT INTO posts (author) VALUES ('nobody')`)));
    expect(e.code).toBe('FOREIGN_KEY_VIOLATION');
  });
});
