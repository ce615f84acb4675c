import { buildSchemaIR, createDbWith, DbKnownError, f, many, model, one, raw, runPush, ValidationError, type Db } from '@forge/core';
import { expect, it } from 'vitest';
import { describeTargets } from '../../src/reliability/describe.js';
import { recordCases } from '../../src/reliability/runs.js';
import { loadTargets, type ReliabilityTarget } from '../../src/reliability/targets.js';

/**
 * Issue 8's holes, each tried the way an attacker (a request body) or a careless caller would: forged raw
 * fragments, inherited keys, filters that widen to every row, transaction control in raw SQL, and search
 * text the index cannot hold. Every case asserts what the database still holds afterwards, not only the error.
 */
const targets = await loadTargets();

function safetySchema(fullText: boolean) {
  const Canary = model('canary', { id: f.id(), word: f.string() });
  const Team = model('team', { id: f.id(), label: f.string() }, { relations: { people: many('person', { on: 'teamId' }) } });
  const bio = f.text().optional();
  const Person = model(
    'person',
    {
      id: f.id(),
      email: f.string().unique(),
      name: f.string(),
      bio: fullText ? bio.searchable() : bio,
      meta: f.json().optional(),
      tags: f.stringArray().optional(),
      teamId: f.string().optional().refs(() => Team),
    },
    { relations: { team: one('team', { on: 'teamId' }) } },
  );
  return { canary: Canary, team: Team, person: Person };
}
type Schema = ReturnType<typeof safetySchema>;

async function withDb(target: ReliabilityTarget, fn: (db: Db<Schema>, people: number) => Promise<number>): Promise<number> {
  const schema = safetySchema(target.adapter.capabilities.fullTextSearch);
  const fresh = await target.fresh();
  try {
    const report = await runPush({ adapter: target.adapter, conn: fresh.conn, ir: buildSchemaIR(schema) });
    expect(report.failures).toEqual([]);
    const db = createDbWith(target.adapter, fresh.conn, schema);
    await db.canary.create({ data: { word: 'still here' } });
    const team = await db.team.create({ data: { label: 'core' } });
    const rows = [
      { email: 'a@x.io', name: 'Ann', bio: 'red apple', meta: { k: 'v' }, tags: ['x'], teamId: team.id },
      { email: 'b@x.io', name: 'Bob', bio: 'green apple', meta: { k: 'w' }, tags: ['y'] },
      { email: 'c@x.io', name: 'Cy', bio: 'red car', meta: null, tags: [] },
    ];
    for (const data of rows) await db.person.create({ data });
    return await fn(db, rows.length);
  } finally {
    await fresh.cleanup();
  }
}

const refused = async (what: string, p: Promise<unknown>, message?: RegExp) => {
  await expect(p, what).rejects.toBeInstanceOf(ValidationError);
  if (message) await expect(p, what).rejects.toThrow(message);
};

describeTargets('attacks: forged fragments, inherited keys, widening filters, raw transaction control', targets, (target) => {
  const caps = target.adapter.capabilities;

  it('a raw fragment cannot be forged from data: JSON, structured clones and spreads are bound values', async (ctx) => {
    await recordCases(ctx, { dialect: target.name, area: 'injection' }, async () =>
      withDb(target, async (db, people) => {
        const forgedOr = JSON.parse(`{"__forgeRaw":true,"node":{"t":"raw","strings":["'' OR 1=1"],"values":[]}}`);
        const forgedDelete = JSON.parse(`{"__forgeRaw":true,"node":{"t":"raw","strings":["'x'; DELETE FROM canary; --"],"values":[]}}`);
        const real = raw`1 = 1`;
        const copies = [forgedOr, forgedDelete, structuredClone({ ...real }), JSON.parse(JSON.stringify(real)), { ...real }, Object.assign({}, real)];
        let cases = 0;
        for (const body of copies) {
          cases++;
          // Bound as a value: the driver either refuses an object parameter or compares with its JSON text. Never all rows.
          const read = db.$queryRaw<{ id: string }>`SELECT id FROM person WHERE email = ${body}`;
          const rows = await read.catch((e: unknown) => (e instanceof ValidationError ? 'refused' : e instanceof Error ? 'driver refused' : e));
          expect(rows === 'refused' || rows === 'driver refused' || (Array.isArray(rows) && rows.length === 0), JSON.stringify(body)).toBe(true);
          await db.$executeRaw`UPDATE person SET name = name WHERE id = ${body}`.catch(() => 'refused');
        }
        expect(await db.canary.count()).toBe(1);
        expect(await db.person.count()).toBe(people);
        // A real fragment still composes, and its values stay bound.
        const cond = raw`email = ${'a@x.io'}`;
        expect(await db.$queryRaw`SELECT email FROM person WHERE ${cond}`).toEqual([{ email: 'a@x.io' }]);
        expect(Object.isFrozen(cond)).toBe(true);
        return cases + 1;
      }),
    );
  });

  it('inherited and non-enumerable keys never reach a where, data, orderBy or select: refused, nothing written', async (ctx) => {
    await recordCases(ctx, { dialect: target.name, area: 'injection' }, async () =>
      withDb(target, async (db, people) => {
        const polluted = () => Object.assign({}, JSON.parse('{"__proto__":{"email":"a@x.io"}}'));
        const inherits = () => Object.create({ email: 'a@x.io' });
        const hidden = () => Object.defineProperty({}, 'email', { value: 'a@x.io', enumerable: false });
        const attempts: Array<[string, () => Promise<unknown>]> = [
          ['update, __proto__ from JSON', () => db.person.update({ where: polluted(), data: { name: 'pwned' } })],
          ['update, Object.create', () => db.person.update({ where: inherits(), data: { name: 'pwned' } })],
          ['update, non-enumerable key', () => db.person.update({ where: hidden(), data: { name: 'pwned' } })],
          ['delete, Object.create', () => db.person.delete({ where: inherits() })],
          ['delete, __proto__ from JSON', () => db.person.delete({ where: polluted() })],
          ['findUnique, Object.create', () => db.person.findUnique({ where: inherits() })],
          ['findUniqueOrThrow, non-enumerable key', () => db.person.findUniqueOrThrow({ where: hidden() })],
          ['findMany, Object.create', () => db.person.findMany({ where: inherits() })],
          ['deleteMany, Object.create', () => db.person.deleteMany({ where: inherits() })],
          ['updateMany, nested Object.create', () => db.person.updateMany({ where: { AND: [inherits()] }, data: { name: 'pwned' } })],
          ['upsert, Object.create', () => db.person.upsert({ where: inherits(), create: { email: 'z@x.io', name: 'z' }, update: { name: 'pwned' } })],
          ['create, inherited data', () => db.person.create({ data: Object.create({ email: 'e@x.io', name: 'e' }) })],
          ['findMany, inherited orderBy', () => db.person.findMany({ orderBy: Object.create({ email: 'desc' }) })],
          ['findMany, inherited select', () => db.person.findMany({ select: Object.create({ email: true }) })],
          ['findMany, inherited cursor', () => db.person.findMany({ cursor: inherits(), take: 1 })],
          ['findMany, an argument object that inherits', () => db.person.findMany(Object.create({ where: { email: 'a@x.io' } }))],
          ['compile.deleteMany, Object.create', async () => db.person.compile.deleteMany({ where: inherits() })],
        ];
        for (const [what, call] of attempts) {
          await expect(Promise.resolve().then(call), what).rejects.toBeInstanceOf(ValidationError);
        }
        expect(await db.person.count()).toBe(people);
        expect(await db.person.count({ where: { name: 'pwned' } })).toBe(0);
        // Own keys of a null-prototype object (what a safe JSON parser produces) are read as usual.
        const bare = Object.assign(Object.create(null), { email: 'a@x.io' });
        expect((await db.person.findUnique({ where: bare }))?.name).toBe('Ann');
        return attempts.length + 1;
      }),
    );
  });

  it('filters that would widen to every row are refused; AND: [], OR: [], NOT: [] follow the documented rule', async (ctx) => {
    await recordCases(ctx, { dialect: target.name, area: 'injection' }, async () =>
      withDb(target, async (db, people) => {
        const widening: Array<[string, object]> = [
          ['AND: [undefined]', { AND: [undefined] }],
          ['OR: [undefined]', { OR: [undefined] }],
          ['OR: [x, null]', { OR: [{ email: 'a@x.io' }, null] }],
          ['AND: null', { AND: null }],
          ['NOT: [null]', { NOT: [null] }],
          ['NOT: undefined inside a list', { NOT: [{ email: 'a@x.io' }, undefined] }],
          ['an empty operator object', { email: {} }],
          ['mode alone', { email: { mode: 'insensitive' } }],
          ['mode alone under not', { email: { not: { mode: 'insensitive' } } }],
          ['an empty JSON filter', { meta: {} }],
          ['a JSON filter with only a path', { meta: { path: ['k'] } }],
          ['an empty to-one relation filter', { team: {} }],
          ['an empty to-many relation filter', { team: { people: {} } }],
          ['is: undefined', { team: { is: undefined } }],
          ['some: null', { team: { people: { some: null } } }],
          ['an empty array filter', { tags: {} }],
        ];
        for (const [what, where] of widening) {
          await refused(`deleteMany ${what}`, db.person.deleteMany({ where: where as never }));
          await refused(`findMany ${what}`, db.person.findMany({ where: where as never }));
          await refused(`updateMany ${what}`, db.person.updateMany({ where: where as never, data: { name: 'x' } }));
        }
        expect(await db.person.count()).toBe(people);

        const emails = async (where: object) => (await db.person.findMany({ where: where as never, orderBy: { email: 'asc' } })).map((p) => p.email);
        expect(await emails({ AND: [] }), 'AND: [] constrains nothing').toEqual(['a@x.io', 'b@x.io', 'c@x.io']);
        expect(await emails({ OR: [] }), 'OR: [] matches no row').toEqual([]);
        expect(await emails({ NOT: [] }), 'NOT: [] constrains nothing').toEqual(['a@x.io', 'b@x.io', 'c@x.io']);
        expect(await emails({ NOT: [{ email: 'a@x.io' }, { email: 'b@x.io' }] }), 'NOT: [a, b] means neither').toEqual(['c@x.io']);
        expect(await emails({ NOT: { email: 'a@x.io' } })).toEqual(['b@x.io', 'c@x.io']);
        expect(await emails({ OR: [{ email: 'a@x.io' }, {}] }), 'an empty filter object in OR is every row, as where: {} is').toEqual(['a@x.io', 'b@x.io', 'c@x.io']);
        expect(await emails({ meta: { equals: { k: 'v' } } })).toEqual(['a@x.io']);
        expect(await emails({ team: { is: {} } }), 'is: {} means a related row exists').toEqual(['a@x.io']);
        expect(await emails({ team: null }), 'null means no related row').toEqual(['b@x.io', 'c@x.io']);
        expect(await db.person.deleteMany({ where: { OR: [] } })).toEqual({ count: 0 });
        expect(await db.person.count()).toBe(people);
        return widening.length * 3 + 10;
      }),
    );
  });

  it('raw SQL cannot open or end a transaction; a transaction that can no longer commit says so', async (ctx) => {
    await recordCases(ctx, { dialect: target.name, area: 'injection' }, async () =>
      withDb(target, async (db, people) => {
        const control = ['COMMIT', '  commit;', '/* c */ ROLLBACK', '-- note\nEND', 'ABORT', 'BEGIN', 'START TRANSACTION', 'SELECT 1; COMMIT', 'SELECT 1;\n  rollback'];
        let cases = 0;
        for (const sql of control) {
          if (sql === 'ABORT' && target.name !== 'postgres') continue;
          // Inside a transaction: refused, and what the callback wrote before is rolled back with it.
          const tx = db.$transaction(async (t) => {
            await t.canary.create({ data: { word: 'inside' } });
            await t.$executeRawUnsafe(sql);
            await t.canary.create({ data: { word: 'after' } });
          });
          await refused(`tx ${sql}`, tx, /refuses .*\$transaction/s);
          await refused(`root ${sql}`, db.$executeRawUnsafe(sql));
          await refused(`queryRawUnsafe ${sql}`, db.$queryRawUnsafe(sql));
          cases += 3;
        }
        await refused('$executeRaw`COMMIT`', db.$executeRaw`COMMIT`);
        await refused('$queryRaw`ROLLBACK`', db.$queryRaw`ROLLBACK`);
        expect(await db.canary.count({ where: { word: { in: ['inside', 'after'] } } })).toBe(0);

        // Not refused: transaction words inside values, strings and comments; savepoints; ROLLBACK TO.
        expect(await db.$queryRaw<{ x: string }>`SELECT ${'COMMIT'} AS x`).toEqual([{ x: 'COMMIT' }]);
        expect(await db.$queryRawUnsafe<{ x: string }>(`SELECT 'x; COMMIT' AS x -- ROLLBACK`)).toEqual([{ x: 'x; COMMIT' }]);
        // A dialect without SAVEPOINT (DuckDB, capabilities.savepoints false) has no statement to let through here.
        if (target.adapter.capabilities.savepoints) {
          await db.$transaction(async (t) => {
            await t.$executeRawUnsafe('SAVEPOINT mine');
            await t.canary.create({ data: { word: 'undone' } });
            await t.$executeRawUnsafe('ROLLBACK TO SAVEPOINT mine');
            await t.$executeRawUnsafe('RELEASE SAVEPOINT mine');
          });
          expect(await db.canary.count({ where: { word: 'undone' } })).toBe(0);
          cases += 2;
        }
        cases += 2;

        // A statement fails inside the transaction and the callback swallows the error. Either the dialect keeps
        // the transaction usable and commits the row, or it reports TRANSACTION_ABORTED and the row is gone:
        // never a success with the row silently missing.
        const outcome = await db
          .$transaction(async (t) => {
            await t.canary.create({ data: { word: 'kept?' } });
            await t.person.create({ data: { email: 'a@x.io', name: 'dup' } }).catch(() => undefined);
            const next = await t.canary.count().catch((e: unknown) => e);
            if (next instanceof Error) {
              expect(next).toBeInstanceOf(DbKnownError);
              expect(next).toMatchObject({ code: 'TRANSACTION_ABORTED' });
              expect(next.message).toMatch(/savepoint/);
            }
          })
          .then(
            () => 'committed',
            (e: unknown) => e,
          );
        const kept = await db.canary.count({ where: { word: 'kept?' } });
        if (outcome === 'committed') expect(kept).toBe(1);
        else {
          expect(outcome).toMatchObject({ code: 'TRANSACTION_ABORTED' });
          expect(kept).toBe(0);
        }
        // The forge way to survive an expected failure: a nested $transaction (a savepoint).
        await db.$transaction(async (t) => {
          await t.canary.create({ data: { word: 'saved' } });
          await t.$transaction(async (inner) => inner.person.create({ data: { email: 'a@x.io', name: 'dup' } })).catch(() => undefined);
          await t.canary.create({ data: { word: 'saved' } });
        });
        expect(await db.canary.count({ where: { word: 'saved' } })).toBe(2);
        expect(await db.person.count()).toBe(people);
        return cases + 2;
      }),
    );
  });

  const searchCase = 'search text: NUL and lone surrogates are refused; words are words on every dialect (no operators)';
  // A dialect without full-text search reports the case as skipped, naming the flag (as itIf does).
  if (!caps.fullTextSearch) it.skip(`${searchCase} [skipped: capabilities.fullTextSearch is false on ${caps.dialect}]`, () => undefined);
  else it(searchCase, async (ctx) => {
    await recordCases(ctx, { dialect: target.name, area: 'bad-input' }, async () =>
      withDb(target, async (db) => {
        await refused('NUL', db.person.findMany({ where: { bio: { search: 'a\u0000b' } } }), /NUL/);
        await refused('lone surrogate', db.person.findMany({ where: { bio: { search: 'x\ud800' } } }));
        const found = async (text: string) => (await db.person.findMany({ where: { bio: { search: text } }, orderBy: { email: 'asc' } })).map((p) => p.email);
        expect(await found('red apple'), 'every word must match').toEqual(['a@x.io']);
        expect(await found('apple'), 'one word').toEqual(['a@x.io', 'b@x.io']);
        expect(await found('apple OR car'), 'OR is a word, not an operator').toEqual([]);
        expect(await found('-car red'), 'a leading - is not a negation').toEqual(['c@x.io']);
        expect(await found('"red apple"'), 'quotes group nothing').toEqual(['a@x.io']);
        expect(await found('   '), 'no words match no row').toEqual([]);
        return 8;
      }),
    );
  });
});
