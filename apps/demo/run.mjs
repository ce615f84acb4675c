// The forge demo: push a schema to SQLite, query it, change the schema, and walk diff / push / diff apply / rollback.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createJiti } from 'jiti';
import { createDb } from 'forge-orm';

const here = path.dirname(fileURLToPath(import.meta.url));
const work = path.join(here, '.forge');
const url = `sqlite:${path.join(work, 'demo.db')}`;
const cli = createRequire(import.meta.url).resolve('@forge/cli/package.json').replace(/package\.json$/, 'dist/bin.js');

const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const step = (n, title) => console.log(`\n${bold(`── ${n}. ${title}`)}`);

function forge(args, schemaFile = 'schema.ts') {
  console.log(`$ forge ${[...args, ...(schemaFile ? [`--schema=${schemaFile}`] : [])].join(' ')}`);
  // rollback reads only the ledger and the migration file: it takes no schema.
  const schemaArg = schemaFile ? [`--schema=${schemaFile}`] : [];
  const r = spawnSync(process.execPath, [cli, ...args, ...schemaArg], {
    cwd: here,
    env: { ...process.env, DATABASE_URL: url, NO_COLOR: process.stdout.isTTY ? '' : '1' },
    encoding: 'utf8',
  });
  process.stdout.write(r.stdout.replace(/^/gm, '  '));
  if (r.stderr) process.stdout.write(r.stderr.replace(/^/gm, '  '));
  console.log(`  (exit ${r.status})`);
  return r.status;
}

function expectExit(code, want, what) {
  if (code !== want) {
    console.error(`demo: expected exit ${want} from ${what}, got ${code}`);
    process.exit(1);
  }
}

rmSync(work, { recursive: true, force: true });
rmSync(path.join(here, 'migrations'), { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const jiti = createJiti(import.meta.url);

step(1, 'forge push: create the tables the schema declares');
expectExit(forge(['push']), 0, 'push');
expectExit(forge(['diff', '--check']), 0, 'diff --check');
step(2, 'push again: idempotent, nothing to apply');
expectExit(forge(['push']), 0, 'second push');

step(3, 'query with the typed client');
const { schema } = await jiti.import(path.join(here, 'schema.ts'));
const db = await createDb({ url, schema });
let queries = 0;
db.$on('query', () => queries++);
const ada = await db.author.create({
  data: {
    email: 'ada@example.com',
    name: 'Ada',
    posts: {
      create: [
        { title: 'Notes on the Analytical Engine', body: 'It weaves algebraic patterns.', published: true, tags: ['history', 'computing'], views: 120 },
        { title: 'Draft: on loops', body: 'Unfinished.', tags: ['draft'] },
      ],
    },
  },
  include: { posts: true },
});
console.log(`created author ${ada.name} with ${ada.posts.length} posts (ids are UUIDs: ${ada.id})`);
const grace = await db.author.create({ data: { email: 'grace@example.com', name: 'Grace' } });
await db.post.create({ data: { title: 'Compilers for everyone', body: 'Words, not symbols.', published: true, views: 300, author: { connect: { id: grace.id } }, comments: { create: [{ text: 'Yes!' }, { text: 'COBOL forever' }] } } });

const popular = await db.post.findMany({
  where: { published: true, views: { gte: 100 } },
  orderBy: { views: 'desc' },
  select: { id: true, title: true, views: true, author: { select: { name: true } }, comments: { select: { text: true } } },
});
console.log('published posts by views:', JSON.stringify(popular, null, 2).replace(/\n/g, '\n  '));
console.log('full-text search "engine":', (await db.post.findMany({ where: { title: { search: 'engine' } }, select: { title: true } })).map((p) => p.title));
console.log('posts tagged "computing":', await db.post.count({ where: { tags: { has: 'computing' } } }));
const stats = await db.post.aggregate({ _count: true, _sum: { views: true }, _avg: { views: true } });
console.log('aggregate:', stats);
const byAuthor = await db.post.groupBy({ by: ['authorId'], _count: { _all: true } });
console.log('posts per author:', byAuthor.map((g) => g._count._all));

await db.$transaction(async (tx) => {
  await tx.post.updateMany({ where: { authorId: ada.id }, data: { views: { increment: 1 } } });
  // A root-level call inside the callback joins the transaction through AsyncLocalStorage.
  await db.comment.create({ data: { text: 'written inside the transaction', post: { connect: { id: popular[1].id } } } });
});
try {
  await db.author.create({ data: { email: 'ada@example.com', name: 'Ada again' } });
} catch (e) {
  console.log(`duplicate email -> ${e.name} ${e.code}`);
}
let streamed = 0;
for await (const _ of db.post.findManyStream({ chunkSize: 2 })) streamed++;
console.log(`streamed ${streamed} posts in chunks of 2; ${queries} SQL statements so far`);
await db.$disconnect();

step(4, 'change the schema (schema-v2.ts: authors.bio added, posts.legacyNote removed) and look at the drift');
expectExit(forge(['diff'], 'schema-v2.ts'), 0, 'diff');
step(5, 'forge push applies the additive part only');
expectExit(forge(['push'], 'schema-v2.ts'), 0, 'push v2');
expectExit(forge(['diff', '--check', '--json'], 'schema-v2.ts'), 3, 'diff --check with remaining drift');

step(6, 'forge diff apply writes a reviewable migration with up and down, applies it, records it');
expectExit(forge(['diff', 'apply'], 'schema-v2.ts'), 0, 'diff apply');
const files = readdirSync(path.join(here, 'migrations'));
console.log(`migrations/${files[0]}:\n${readFileSync(path.join(here, 'migrations', files[0]), 'utf8').replace(/^/gm, '  | ')}`);
expectExit(forge(['diff', '--check'], 'schema-v2.ts'), 0, 'diff --check after apply');

step(7, 'forge rollback runs the down block: the column comes back (its data does not)');
expectExit(forge(['rollback'], null), 0, 'rollback');
expectExit(forge(['diff', '--check'], 'schema.ts'), 3, 'diff against v1 (bio is still there: push added it)');
expectExit(forge(['doctor'], 'schema-v2.ts'), 0, 'doctor');

console.log(`\n${bold('demo complete')}: database at ${path.relative(process.cwd(), path.join(work, 'demo.db'))}`);
