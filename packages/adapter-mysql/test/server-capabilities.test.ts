import type { Connection, JsonValue, QueryEvent } from '@forge/core';
import { buildSchemaIR, createDbWith, f, model, runPush, ValidationError } from '@forge/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapter } from '../src/index.js';
import type { MysqlConnection } from '../src/connection.js';
import { createTestDatabase, type TestDatabase } from './helpers.js';

/** A connection that only says which server it is: what `forConnection` reads. */
const onServer = (serverVersion: string) => ({ serverVersion }) as unknown as Connection;

describe('capabilities per server (adapter.forConnection)', () => {
  it('MySQL 8 keeps the shared capabilities: no RETURNING, JSON 100 deep', () => {
    const a = adapter.forConnection!(onServer('8.0.36'));
    expect(a).toBe(adapter);
    expect(a.capabilities.returning).toBe(false);
    expect(a.capabilities.returningStatements).toBeUndefined();
    expect(a.capabilities.maxJsonDepth ?? 100).toBe(100);
  });

  it('MariaDB 10.5+ returns rows from INSERT and DELETE (not UPDATE) and takes JSON 31 deep; 10.4 has no RETURNING', () => {
    const a = adapter.forConnection!(onServer('5.5.5-10.11.6-MariaDB'));
    expect(a).not.toBe(adapter);
    expect(a.capabilities).toMatchObject({ returning: false, returningStatements: ['insert', 'delete'], maxJsonDepth: 31 });
    expect(a.compiler.compile({ t: 'insert', table: 't', columns: ['a'], rows: [[{ t: 'param', value: 1 }]], returning: ['id', 'a'] }).sql).toMatch(/RETURNING `id`, `a`$/);
    // One variant per server kind: its compiler's caches serve every handle on that kind of server.
    expect(adapter.forConnection!(onServer('10.11.2-MariaDB'))).toBe(a);
    const old = adapter.forConnection!(onServer('10.4.30-MariaDB'));
    expect(old.capabilities.returningStatements).toBeUndefined();
    expect(old.compiler.compile({ t: 'insert', table: 't', columns: ['a'], rows: [[{ t: 'param', value: 1 }]], returning: ['id'] }).sql).not.toMatch(/RETURNING/);
  });
});

const Note = model('note', { id: f.id({ type: 'int' }), title: f.string(), doc: f.json().optional() });
const schema = { note: Note };

describe('the client on the live server', () => {
  let db: TestDatabase;
  let conn: Connection;
  beforeAll(async () => {
    db = await createTestDatabase();
    conn = await adapter.connect(db.url);
    await runPush({ adapter, conn, ir: buildSchemaIR(schema) });
  });
  afterAll(async () => {
    await conn?.close();
    await db?.drop();
  });

  it('writes take one statement where the server returns rows, and read back by key where it cannot', async () => {
    const client = createDbWith(adapter, conn, schema);
    const maria = (conn as MysqlConnection).server.flavor === 'mariadb';
    const events: QueryEvent[] = [];
    client.$on('query', (e) => events.push(e));
    const created = await client.note.create({ data: { title: 'a' } });
    expect(created).toMatchObject({ title: 'a' });
    expect(typeof created.id).toBe('number');
    expect(events.map((e) => e.sql)).toHaveLength(maria ? 1 : 2);
    if (maria) expect(events[0].sql).toMatch(/^INSERT .* RETURNING /);

    events.length = 0;
    const updated = await client.note.update({ where: { id: created.id }, data: { title: 'b' } });
    expect(updated).toEqual({ ...created, title: 'b' });
    expect(events.every((e) => !/RETURNING/.test(String(e.sql)))).toBe(true);

    events.length = 0;
    const upserted = await client.note.upsert({ where: { id: created.id }, create: { title: 'x' }, update: { title: 'c' } });
    expect(upserted).toEqual({ ...created, title: 'c' });

    events.length = 0;
    const removed = await client.note.delete({ where: { id: created.id } });
    expect(removed).toEqual({ ...created, title: 'c' });
    expect(events).toHaveLength(maria ? 1 : 2);
    if (maria) expect(events[0].sql).toMatch(/^DELETE .* RETURNING /);
    expect(await client.note.count()).toBe(0);
  });

  it('JSON deeper than the server takes is a ValidationError naming the limit, before any SQL', async () => {
    const client = createDbWith(adapter, conn, schema);
    const max = client.adapter.capabilities.maxJsonDepth ?? 100;
    const nested = (depth: number): JsonValue => {
      let v: JsonValue = 'leaf';
      for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
      return v;
    };
    const ok = await client.note.create({ data: { title: 'deep', doc: nested(max) } });
    expect((await client.note.findUniqueOrThrow({ where: { id: ok.id } })).doc).toEqual(nested(max));
    const sql: unknown[] = [];
    client.$on('query', (e) => sql.push(e.sql));
    const err = await client.note.create({ data: { title: 'deeper', doc: nested(max + 1) } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).message).toMatch(new RegExp(`nested at most ${max} deep`));
    expect(sql).toEqual([]);
  });
});
