import type { Connection } from '@forge/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapter } from '../src/index.js';
import { createTestDatabase, type TestDatabase } from './helpers.js';

let db: TestDatabase;
let conn: Connection;

beforeAll(async () => {
  db = await createTestDatabase();
  conn = await adapter.connect(db.url);
});
afterAll(async () => {
  await conn.close();
  await db.drop();
});

describe('probe', () => {
  it('reports the server version and each extension as installed, available or missing', async () => {
    const report = await adapter.probe(conn);
    expect(report.dialect).toBe('postgres');
    expect(report.version).toMatch(/^\d+/);
    for (const name of ['postgis', 'pg_trgm', 'btree_gin', 'btree_gist', 'vector']) {
      const state = report.features[name];
      expect(state === false || state === 'available' || /^\d/.test(String(state))).toBe(true);
      if (state !== false && !/^\d/.test(String(state))) expect(report.featureActions?.map((a) => a.action)).toContainEqual(expect.stringContaining(`CREATE EXTENSION IF NOT EXISTS ${name};`));
    }
    if (report.features.vector === false) expect(report.featureActions).toContainEqual({ feature: 'vector', action: expect.stringMatching(/apt-get install postgresql-\d+-pgvector/) });
    // Extension steps are tied to the schema feature that needs them; doctor decides whether they are action items.
    expect(report.actions.join('\n')).not.toMatch(/CREATE EXTENSION/);
  });

  it('never throws: a dead connection is a finding', async () => {
    const dead = await adapter.connect(db.url);
    await dead.close();
    const report = await adapter.probe(dead);
    expect(report.features.error).toMatch(/closed/);
    expect(report.actions.length).toBeGreaterThan(0);
  });
});
