import { buildSchemaIR, createDbWith, f, many, model, one, raw, runPush, ValidationError, type Db } from '@forge/core';
import { expect, it } from 'vitest';
import { capturing, type Captured } from '../../src/reliability/capture.js';
import { assertConvergesFully } from '../../src/reliability/converge.js';
import { INJECTION_MARK, INJECTION_VALUES, JSON_BODY_FILTERS } from '../../src/reliability/corpus.js';
import { describeTargets } from '../../src/reliability/describe.js';
import { recordCases } from '../../src/reliability/runs.js';
import { loadTargets, type ReliabilityTarget } from '../../src/reliability/targets.js';

const targets = await loadTargets();

/** Identifiers that would end a quoted name, a string, a statement or a comment if spliced in unquoted. */
const NAMES = {
  victim: `vi"ct'im; --`,
  owner: "own'er",
  name: 'na"me',
  body: "bo'dy -- x",
  n: '$1',
  tags: '?',
  meta: ':name',
  owner_id: 'ow`ner',
  index: 'ix"; DROP TABLE canary; --',
};

function hostileSchema(fullText: boolean) {
  const Canary = model('canary', { id: f.id(), word: f.string() });
  const Owner = model(NAMES.owner, { id: f.id(), label: f.string() }, { relations: { items: many(NAMES.victim, { on: 'ownerId' }) } });
  const body = f.text().optional().map(NAMES.body);
  const Victim = model(
    NAMES.victim,
    {
      id: f.id(),
      [NAMES.name]: f.string().unique(),
      body: fullText ? body.searchable() : body,
      n: f.int().optional().map(NAMES.n),
      tags: f.stringArray().optional().map(NAMES.tags),
      meta: f.json().optional().map(NAMES.meta),
      ownerId: f.string().optional().refs(() => Owner).map(NAMES.owner_id),
    },
    { indexes: [{ keys: { n: 1 }, name: NAMES.index }], relations: { owner: one(NAMES.owner, { on: 'ownerId' }) } },
  );
  return { canary: Canary, owner: Owner, victim: Victim };
}

type Hostile = ReturnType<typeof hostileSchema>;

/** Every letter upper-cased where that keeps its length (case folding is letter by letter, ß → SS is not one). */
const upper = (s: string) => [...s].map((c) => (c.toUpperCase().length === c.length ? c.toUpperCase() : c)).join('');
type VictimRow = { id: string; [k: string]: unknown };

/** Identifiers with characters that must never appear outside their quoted form in SQL text. */
function unquotedUses(log: readonly Captured[], quote: (n: string) => string): string[] {
  const risky = Object.values(NAMES).filter((n) => /["'`; ]/.test(n));
  return log.flatMap(({ sql }) => risky.filter((n) => sql.split(quote(n)).join('').includes(n)).map((n) => `${n} in: ${sql.slice(0, 200)}`));
}

describeTargets('injection corpus through every path that reaches SQL', targets, (target: ReliabilityTarget) => {
  const caps = target.adapter.capabilities;
  const q = (n: string) => target.adapter.compiler.quoteIdent(n);
  const ph = (i: number) => target.adapter.compiler.placeholder(i);

  it(`${INJECTION_VALUES.length} hostile values × every query path, hostile identifiers: only bound parameters, canary intact`, async (ctx) => {
    const schema = hostileSchema(caps.fullTextSearch);
    let paths = 0;
    await recordCases(ctx, { dialect: target.name, area: 'injection' }, async () => {
      const fresh = await target.fresh();
      try {
        // DDL for the hostile identifiers: push, diff empty, nothing left to apply.
        await assertConvergesFully(target, fresh.conn, schema);
        const { conn, log } = capturing(fresh.conn);
        const db: Db<Hostile> = createDbWith(target.adapter, conn, schema);
        await db.canary.create({ data: { word: 'still here' } });
        const owner = await db.owner.create({ data: { label: 'o' } });
        const where = (v: string) => ({ [NAMES.name]: v }) as never;

        for (const v of INJECTION_VALUES) {
          const created = (await db.victim.create({
            data: { [NAMES.name]: v, body: v, n: 1, tags: [v, 'plain'], meta: { [v]: v, k: v, nested: { [v]: [v] } }, ownerId: owner.id } as never,
          })) as VictimRow;
          expect(created[NAMES.name]).toBe(v);
          const one = async (w: object, what: string) => {
            paths++;
            const rows = (await db.victim.findMany({ where: w as never, select: { id: true } })) as VictimRow[];
            expect(rows.map((r) => r.id), `${what} with ${JSON.stringify(v)}`).toEqual([created.id]);
          };
          await one({ [NAMES.name]: v }, 'equals');
          await one({ [NAMES.name]: { in: [v, 'x'] } }, 'in');
          await one({ [NAMES.name]: { equals: v }, NOT: { [NAMES.name]: { not: v } } }, 'not');
          await one({ body: { contains: v } }, 'contains');
          await one({ body: { startsWith: v } }, 'startsWith');
          await one({ body: { endsWith: v } }, 'endsWith');
          await one({ body: { equals: upper(v), mode: 'insensitive' } }, 'insensitive equals');
          await one({ body: { contains: upper(v), mode: 'insensitive' } }, 'insensitive contains');
          await one({ tags: { has: v } }, 'array has');
          await one({ tags: { hasSome: [v] } }, 'array hasSome');
          await one({ tags: { hasEvery: [v, 'plain'] } }, 'array hasEvery');
          if (caps.jsonPath) {
            await one({ meta: { path: ['k'], equals: v } }, 'json path equals');
            await one({ meta: { path: [v], equals: v } }, 'json path with a hostile key');
            await one({ meta: { path: ['nested', v, '0'], string_contains: v } }, 'json nested hostile key');
            await one({ meta: { path: ['k'], string_starts_with: v } }, 'json string_starts_with');
          }
          await one({ owner: { is: { label: 'o' } }, body: v }, 'relation is');
          paths += 14;
          expect(await db.owner.count({ where: { items: { some: { body: v } } } as never })).toBe(1);
          expect(await db.victim.count({ where: where(v) })).toBe(1);
          expect((await db.victim.aggregate({ where: where(v), _count: true }))._count).toBe(1);
          expect(await db.victim.groupBy({ by: ['body'], where: where(v), _count: { _all: true } } as never)).toHaveLength(1);
          expect(await db.victim.findMany({ cursor: where(v), take: 1, select: { id: true } } as never)).toEqual([{ id: created.id }]);
          const withItems = (await db.owner.findFirst({ include: { items: { where: { body: v } } } } as never)) as unknown as { items: unknown[] };
          expect(withItems.items).toHaveLength(1);
          expect(((await db.victim.update({ where: where(v), data: { body: `${v}!`, tags: [v] } as never })) as VictimRow).body).toBe(`${v}!`);
          expect(await db.victim.updateMany({ where: { body: { startsWith: v } } as never, data: { body: v } as never })).toEqual({ count: 1 });
          const again = (await db.victim.upsert({ where: where(v), create: { [NAMES.name]: v } as never, update: { meta: { [v]: v } } as never })) as VictimRow;
          expect(again.id).toBe(created.id);
          // A create that names another key would insert beside the row where names: refused.
          await expect(db.victim.upsert({ where: where(v), create: { [NAMES.name]: `${v}?` } as never, update: {} })).rejects.toBeInstanceOf(ValidationError);
          expect(await db.$queryRaw<{ x: string }>`SELECT ${v} AS x`).toEqual([{ x: v }]);
          expect(await db.$queryRaw<{ x: string }>(raw`SELECT ${v} AS x`)).toEqual([{ x: v }]);
          // Identifiers in raw SQL are the caller's to quote (quoteIdent); the values still travel as parameters.
          const update = `UPDATE ${q(NAMES.victim)} SET ${q(NAMES.body)} = ${ph(1)} WHERE ${q(NAMES.name)} = ${ph(2)}`;
          expect(await db.$executeRawUnsafe(update, v, v)).toBe(1);
          if (caps.fullTextSearch) await db.victim.findMany({ where: { body: { search: v } } as never });
          expect(await db.victim.createMany({ data: [{ [NAMES.name]: `${v}#` }] as never })).toEqual({ count: 1 });
          expect(await db.victim.deleteMany({ where: { [NAMES.name]: `${v}#` } as never })).toEqual({ count: 1 });
        }

        // Operators from a JSON body where a scalar belongs: refused, or read as the documented operator.
        for (const { body, outcome } of JSON_BODY_FILTERS) {
          const attempt = db.victim.findMany({ where: { [NAMES.name]: JSON.parse(body) } as never });
          if (outcome === 'refused') await expect(attempt, body).rejects.toBeInstanceOf(ValidationError);
          else expect((await attempt).length, body).toBe(INJECTION_VALUES.length);
        }
        await expect(db.victim.create({ data: { [NAMES.name]: { toString: () => 'x' } } as never })).rejects.toBeInstanceOf(ValidationError);
        await expect(db.victim.findMany({ where: { n: [1] } as never })).rejects.toBeInstanceOf(ValidationError);

        // undefined never widens a write, and "every row" must be spelled out.
        const some = INJECTION_VALUES[0];
        await expect(db.victim.update({ where: { id: undefined } as never, data: { n: 2 } })).rejects.toBeInstanceOf(ValidationError);
        await expect(db.victim.delete({ where: { [NAMES.name]: undefined } as never })).rejects.toBeInstanceOf(ValidationError);
        await expect(db.victim.updateMany({ where: { body: undefined } as never, data: { n: 2 } })).rejects.toBeInstanceOf(ValidationError);
        await expect(db.victim.deleteMany({ where: { body: undefined } as never })).rejects.toBeInstanceOf(ValidationError);
        await expect(db.victim.deleteMany({ where: { AND: [{ [NAMES.name]: some }, { body: { equals: undefined } }] } as never })).rejects.toBeInstanceOf(ValidationError);
        await expect(db.victim.deleteMany({ where: undefined } as never)).rejects.toBeInstanceOf(ValidationError);
        await expect(db.victim.deleteMany({ where: null } as never)).rejects.toBeInstanceOf(ValidationError);
        await expect(db.victim.deleteMany(undefined as never)).rejects.toBeInstanceOf(ValidationError);
        await expect(db.victim.deleteMany({} as never)).rejects.toBeInstanceOf(ValidationError);
        await expect(db.victim.updateMany({ data: { n: 2 } } as never)).rejects.toBeInstanceOf(ValidationError);
        expect(await db.victim.count()).toBe(INJECTION_VALUES.length);
        expect(await db.victim.updateMany({ where: {}, data: { n: 3 } })).toEqual({ count: INJECTION_VALUES.length });

        // The driver's view: no corpus value in any SQL text, hostile identifiers only in quoted form.
        const spliced = log.filter((l) => l.sql.includes(INJECTION_MARK));
        expect(spliced.map((l) => l.sql.slice(0, 300))).toEqual([]);
        expect(log.some((l) => l.params.some((p) => typeof p === 'string' && p.includes(INJECTION_MARK)))).toBe(true);
        expect(unquotedUses(log, q)).toEqual([]);
        expect(paths).toBeGreaterThan(INJECTION_VALUES.length * 10);

        // The canary and every table survived.
        expect(await fresh.conn.query<{ word: string }>(`SELECT ${q('word')} AS word FROM ${q('canary')}`)).toEqual([{ word: 'still here' }]);
        const tables = (await target.adapter.introspect(fresh.conn)).tables.map((t) => t.name);
        expect(tables).toEqual(expect.arrayContaining(['canary', NAMES.owner, NAMES.victim]));
        expect(await db.victim.deleteMany({ where: {} })).toEqual({ count: INJECTION_VALUES.length });
        // Cases: every statement that carried a corpus value, the JSON-body filters, the refusals above.
        return log.filter((l) => l.params.some((p) => typeof p === 'string' && p.includes(INJECTION_MARK))).length + JSON_BODY_FILTERS.length + 12;
      } finally {
        await fresh.cleanup();
      }
    });
  }, 300_000);
});
