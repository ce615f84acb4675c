import { createDbWith, f, model, ValidationError, type Connection } from '@forge/core';
import { describe, expect, it } from 'vitest';
import { adapter, mssqlDriver, MssqlCompiler } from '../src/index.js';
import { recordingConnection } from './helpers.js';

// No SQL Server runs here: these prove the text and the binding, not the distances (the live conformance suite's
// vector cases run where FORGE_TEST_MSSQL_URL is set).
const Doc = model('docs', { id: f.id({ type: 'int' }), name: f.string(), embedding: f.vector(3).optional() });
const schema = { doc: Doc };

function dbOn(extensions?: ReadonlySet<string>) {
  const rec = recordingConnection();
  const conn: Connection = extensions ? Object.assign(Object.create(null), rec.conn, { extensions }) : rec.conn;
  return { db: createDbWith(adapter, conn, schema), log: rec.log };
}

describe('mssql vector ordering (golden)', () => {
  it('without the VECTOR type: OPENJSON pairs joined on the index, the query vector bound as JSON text, NULLs last', async () => {
    const { db, log } = dbOn();
    await db.doc.findMany({ orderBy: { embedding: { nearTo: [1, 0.5, -2] } }, take: 3 });
    const pairs = "FROM OPENJSON(CAST([docs].[embedding] AS NVARCHAR(MAX))) AS forge_va JOIN OPENJSON(@p2) AS forge_vq ON forge_vq.[key] = forge_va.[key])";
    const cosine = `(SELECT 1 - SUM(CAST(forge_va.[value] AS float) * CAST(forge_vq.[value] AS float)) / NULLIF(SQRT(SUM(CAST(forge_va.[value] AS float) * CAST(forge_va.[value] AS float))) * @p1, 0) ${pairs}`;
    expect(log[0].sql).toBe(
      `SELECT TOP (3) [docs].[id], [docs].[name], [docs].[embedding] FROM [docs] ORDER BY CASE WHEN ${cosine} IS NULL THEN 1 ELSE 0 END, ${cosine.replace('@p1', '@p3').replace('@p2', '@p4')} ASC`,
    );
    expect(log[0].params).toEqual([Math.sqrt(1 + 0.25 + 4), '[1,0.5,-2]', Math.sqrt(1 + 0.25 + 4), '[1,0.5,-2]']);
  });

  it('l2 and ip on the fallback', async () => {
    const { db, log } = dbOn();
    await db.doc.findMany({ orderBy: { embedding: { nearTo: [1, 2, 3], metric: 'l2', sort: 'desc' } } });
    await db.doc.findMany({ orderBy: { embedding: { nearTo: [1, 2, 3], metric: 'ip' } } });
    expect(log[0].sql).toContain('(SELECT SQRT(SUM((CAST(forge_va.[value] AS float) - CAST(forge_vq.[value] AS float)) * (CAST(forge_va.[value] AS float) - CAST(forge_vq.[value] AS float)))) FROM OPENJSON(');
    expect(log[0].sql).toMatch(/ DESC$/);
    expect(log[1].sql).toContain('(SELECT -SUM(CAST(forge_va.[value] AS float) * CAST(forge_vq.[value] AS float)) FROM OPENJSON(');
    expect(log[1].params).toEqual(['[1,2,3]', '[1,2,3]']);
  });

  it('with the VECTOR type (forConnection from Connection.extensions): VECTOR_DISTANCE with cosine, euclidean, dot', async () => {
    const { db, log } = dbOn(new Set(['vector']));
    for (const metric of ['cosine', 'l2', 'ip'] as const) await db.doc.findMany({ orderBy: [{ embedding: { nearTo: [1, 0.5, -2], metric } }, { id: 'asc' }] });
    const d = (name: string, p: number) => `VECTOR_DISTANCE('${name}', [docs].[embedding], CAST(@p${p} AS VECTOR(3)))`;
    expect(log.map((l) => l.sql.slice(l.sql.indexOf(' ORDER BY ')))).toEqual([
      ` ORDER BY CASE WHEN ${d('cosine', 1)} IS NULL THEN 1 ELSE 0 END, ${d('cosine', 2)} ASC, [docs].[id] ASC`,
      ` ORDER BY CASE WHEN ${d('euclidean', 1)} IS NULL THEN 1 ELSE 0 END, ${d('euclidean', 2)} ASC, [docs].[id] ASC`,
      ` ORDER BY CASE WHEN ${d('dot', 1)} IS NULL THEN 1 ELSE 0 END, ${d('dot', 2)} ASC, [docs].[id] ASC`,
    ]);
    for (const l of log) expect(l.params).toEqual(['[1,0.5,-2]', '[1,0.5,-2]']);
  });

  it('connect reads the VECTOR type in its one round trip and forConnection picks the variant from it', async () => {
    const seen: string[] = [];
    const pool = (hasVector: boolean) => ({
      connected: true,
      config: {},
      connect: async () => undefined,
      acquire: async () => undefined,
      release: () => undefined,
      request: () => ({
        query: async (sql: string) => {
          seen.push(sql);
          return { recordset: [{ version: hasVector ? '17.0.1000.7' : '16.0.4135.4', has_vector: hasVector }] };
        },
      }),
    });
    const with2025 = await adapter.connect(mssqlDriver(pool(true) as never));
    const with2022 = await adapter.connect(mssqlDriver(pool(false) as never));
    expect(seen).toHaveLength(2);
    expect(seen[0]).toMatch(/SERVERPROPERTY\('ProductVersion'\).*sys\.types WHERE name = N'vector' AND is_user_defined = 0/);
    expect([...(with2025.extensions ?? [])]).toEqual(['vector']);
    expect([...(with2022.extensions ?? [])]).toEqual([]);
    expect((adapter.forConnection!(with2025).compiler as MssqlCompiler).vectorType).toBe(true);
    expect(adapter.forConnection!(with2022)).toBe(adapter);
  });

  it('bad vectors are refused before SQL, naming the field and the length', async () => {
    const { db, log } = dbOn(new Set(['vector']));
    await expect(db.doc.findMany({ orderBy: { embedding: { nearTo: [1, 2] } } })).rejects.toThrow(ValidationError);
    await expect(db.doc.findMany({ orderBy: { embedding: { nearTo: [1, 2] } } })).rejects.toThrow(/doc: orderBy\.embedding\.nearTo takes an array of 3 finite numbers/);
    expect(log).toEqual([]);
  });

  it('the compiler alone: the fallback by default', () => {
    const q = new MssqlCompiler().compileExpr({ t: 'vectorDistance', expr: { t: 'col', name: 'e' }, vector: [1, 2], metric: 'ip' });
    expect(q.sql).toBe('(SELECT -SUM(CAST(forge_va.[value] AS float) * CAST(forge_vq.[value] AS float)) FROM OPENJSON(CAST([e] AS NVARCHAR(MAX))) AS forge_va JOIN OPENJSON(@p1) AS forge_vq ON forge_vq.[key] = forge_va.[key])');
    expect(q.params).toEqual(['[1,2]']);
  });
});
