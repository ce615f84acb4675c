import { buildSchemaIR, f, model, one, SchemaError, type ColumnIR, type DdlEnv, type IndexIR, type TableIR } from '@forge/core';
import { describe, expect, it } from 'vitest';
import { MYSQL_ENV } from '../src/column-type.js';
import { mysqlDdl as ddl, searchIndexName } from '../src/ddl.js';

const User = model(
  'users',
  {
    id: f.id(),
    email: f.string().unique(),
    name: f.string().optional(),
    bio: f.text().optional(),
    age: f.int().default(0),
    balance: f.bigint().default(0n),
    score: f.float().optional(),
    price: f.decimal({ precision: 12, scale: 2 }).default('0'),
    ratio: f.decimal().optional(),
    active: f.bool().default(true),
    createdAt: f.dateTime().default('now'),
    updatedAt: f.dateTime().updatedAt(),
    externalId: f.uuid().optional(),
    meta: f.json().optional(),
    role: f.enumOf(['admin', "it's me"] as const).default('admin'),
    address: f.embed({ city: f.string() }).optional(),
    phones: f.embedMany({ number: f.string() }).optional(),
    tags: f.stringArray().default([]),
    lucky: f.intArray().optional(),
    home: f.geoPoint().optional(),
    embedding: f.vector(3).optional(),
    avatar: f.bytes().optional(),
    legacyId: f.objectId().optional(),
    handle: f.string().dbType('varchar(40)').optional(),
  },
  {
    uniques: [['name', 'age']],
    indexes: [
      { keys: { name: 1, age: -1 }, name: 'idx_users_name_age' },
      { keys: { email: 1 }, where: 'active = true', name: 'idx_users_active_email' },
      { expression: 'lower(email)', unique: true, name: 'idx_users_email_lower' },
      { keys: { age: 1 }, include: ['name'], name: 'idx_users_age_cover' },
      { keys: { tags: 1 }, method: 'gin', name: 'idx_users_tags' },
      { keys: { bio: 1 }, name: 'idx_users_bio' },
    ],
  },
);

const Post = model('posts', {
  id: f.id({ type: 'int' }),
  authorId: f.string().refs(() => User, { onDelete: 'cascade' }),
  title: f.string().searchable(),
  body: f.text().searchable(),
});

const Comment = model(
  'comments',
  {
    postId: f.int().map('post_id').refs(() => Post, { onDelete: 'restrict' }),
    seq: f.int(),
    body: f.text(),
  },
  { primaryKey: ['postId', 'seq'] },
);

const Counter = model('counters', { id: f.id({ type: 'bigserial' }), label: f.string() });
const Code = model('codes', { id: f.id({ type: 'string' }), note: f.string().optional() });
const ActiveUser = model('active_users', { id: f.uuid(), email: f.string() }, { view: { sql: 'SELECT id, email FROM users WHERE active;' } });
const PostCount = model('post_counts', { authorId: f.uuid(), n: f.bigint() }, { view: { sql: 'SELECT authorId, count(*) AS n FROM posts GROUP BY authorId', materialized: true } });

const ir = buildSchemaIR({ user: User, post: Post, comment: Comment, counter: Counter, code: Code, activeUser: ActiveUser, postCount: PostCount });
const tables = Object.values(ir.models);
const users = ir.models.user;
const posts = ir.models.post;
const colOf = (t: TableIR, field: string): ColumnIR => t.columns.find((c) => c.field === field)!;
const none: DdlEnv = { extensions: [] };
const env: DdlEnv = { extensions: [], tables };
const sql = (...args: Parameters<typeof ddl.emit>) => ddl.emit(...args).sql;
const idx = (name: string): IndexIR => users.indexes.find((i) => i.name === name)!;
const TAIL = ') ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci';

describe('column types (seed 004, MySQL column)', () => {
  it('maps every field kind', () => {
    const types = Object.fromEntries(users.columns.map((c) => [c.field, ddl.columnType(c, none)]));
    expect(types).toEqual({
      id: 'CHAR(36)',
      email: 'VARCHAR(255)',
      name: 'VARCHAR(255)',
      bio: 'LONGTEXT',
      age: 'INT',
      balance: 'BIGINT',
      score: 'DOUBLE',
      price: 'DECIMAL(12,2)',
      ratio: 'DECIMAL(65,30)',
      active: 'TINYINT(1)',
      createdAt: 'DATETIME(3)',
      updatedAt: 'DATETIME(3)',
      externalId: 'CHAR(36)',
      meta: 'JSON',
      role: 'VARCHAR(191)',
      address: 'JSON',
      phones: 'JSON',
      tags: 'JSON',
      lucky: 'JSON',
      home: 'TEXT',
      embedding: 'JSON',
      avatar: 'LONGBLOB',
      legacyId: 'VARCHAR(255)',
      handle: 'varchar(40)',
    });
  });

  it('maps id strategies', () => {
    expect(ddl.columnType(colOf(posts, 'id'), none)).toBe('INT');
    expect(ddl.columnType(colOf(ir.models.counter, 'id'), none)).toBe('BIGINT');
    expect(ddl.columnType(colOf(ir.models.code, 'id'), none)).toBe('VARCHAR(191)');
  });

  it('stores geo points as POINT when spatial columns are enabled, with SRID where the server has the attribute', () => {
    const home = colOf(users, 'home');
    expect(ddl.columnType(home, { extensions: [MYSQL_ENV.spatial] })).toBe('POINT');
    expect(ddl.columnType(home, { extensions: [MYSQL_ENV.spatial, MYSQL_ENV.srid] })).toBe('POINT SRID 4326');
    const t = buildSchemaIR({ s: model('s', { id: f.id(), p: f.geoPoint({ srid: 3857 }) }) }).models.s;
    expect(sql({ op: 'createTable', table: t }, { extensions: ['spatial', 'srid'] })[0]).toContain('`p` POINT SRID 3857 NOT NULL,');
  });

  it("refuses a geo point with fallback: 'error' when it would be TEXT", () => {
    const strict = model('s', { id: f.id(), p: f.geoPoint({ fallback: 'error' }) }).table();
    expect(() => ddl.columnType(colOf(strict, 'p'), none)).toThrow(SchemaError);
    expect(ddl.columnType(colOf(strict, 'p'), { extensions: ['spatial'] })).toBe('POINT');
  });

  it('gives a foreign-key column the referenced column type', () => {
    expect(ddl.columnType(colOf(posts, 'authorId'), env)).toBe('CHAR(36)');
    expect(ddl.columnType(colOf(ir.models.comment, 'postId'), env)).toBe('INT');
    // Without the schema in env the column keeps its own type.
    expect(ddl.columnType(colOf(posts, 'authorId'), none)).toBe('VARCHAR(255)');
  });

  it('resolves the type through a relation-derived foreign key too', () => {
    const Org = model('orgs', { id: f.id({ type: 'string' }) });
    const Member = model('members', { id: f.id({ type: 'int' }), orgId: f.string() }, { relations: { org: one('orgs', { on: 'orgId' }) } });
    const all = Object.values(buildSchemaIR({ org: Org, member: Member }).models);
    const members = all.find((t) => t.name === 'members')!;
    expect(sql({ op: 'createTable', table: members }, { extensions: [], tables: all })[0]).toContain('`orgId` VARCHAR(191) NOT NULL');
  });
});

describe('emit', () => {
  it('creates tables with AUTO_INCREMENT keys, composite keys and utf8mb4; unique fields and FKs stay out', () => {
    expect(sql({ op: 'createTable', table: posts }, env)).toEqual([
      'CREATE TABLE IF NOT EXISTS `posts` (\n' +
        '  `id` INT NOT NULL AUTO_INCREMENT,\n' +
        '  `authorId` CHAR(36) NOT NULL,\n' +
        '  `title` VARCHAR(255) NOT NULL,\n' +
        '  `body` LONGTEXT NOT NULL,\n' +
        '  PRIMARY KEY (`id`)\n' +
        TAIL,
    ]);
    expect(sql({ op: 'createTable', table: ir.models.counter }, env)[0]).toContain('`id` BIGINT NOT NULL AUTO_INCREMENT,');
    expect(sql({ op: 'createTable', table: ir.models.comment }, env)[0]).toContain('  PRIMARY KEY (`post_id`, `seq`)\n)');
    const create = sql({ op: 'createTable', table: users }, env)[0];
    expect(create).toContain('  `id` CHAR(36) NOT NULL,\n');
    expect(create).toContain('  `email` VARCHAR(255) NOT NULL,\n');
    expect(create).toContain(`  \`role\` VARCHAR(191) NOT NULL DEFAULT 'admin',\n`);
    expect(create).toContain('  `age` INT NOT NULL DEFAULT 0,\n');
    expect(create).toContain('  `balance` BIGINT NOT NULL DEFAULT 0,\n');
    expect(create).toContain('  `price` DECIMAL(12,2) NOT NULL DEFAULT 0,\n');
    expect(create).toContain('  `active` TINYINT(1) NOT NULL DEFAULT 1,\n');
    expect(create).toContain('  `createdAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),\n');
    expect(create).toContain('  `updatedAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),\n');
    expect(create).toContain("  `tags` JSON NOT NULL DEFAULT ('[]'),\n");
    expect(create).toContain('  `bio` LONGTEXT,\n');
    expect(create).not.toContain('UNIQUE');
    expect(create).not.toContain('REFERENCES');
    expect(create).not.toContain('CHECK');
  });

  it('quotes identifiers with backticks, doubling a backtick inside', () => {
    const t = buildSchemaIR({ w: model('we`ird', { id: f.id({ type: 'int' }), 'a`b': f.string() }) }).models.w;
    expect(sql({ op: 'createTable', table: t }, none)[0]).toBe(
      'CREATE TABLE IF NOT EXISTS `we``ird` (\n  `id` INT NOT NULL AUTO_INCREMENT,\n  `a``b` VARCHAR(255) NOT NULL,\n  PRIMARY KEY (`id`)\n' + TAIL,
    );
    expect(sql({ op: 'dropTable', table: 'we`ird' })).toEqual(['DROP TABLE IF EXISTS `we``ird`']);
  });

  it('quotes default literals safely, and writes JSON/TEXT/BLOB defaults as expressions', () => {
    const t = model('d', {
      id: f.id({ type: 'string' }),
      s: f.string().default(`it's \\ back`),
      txt: f.text().default(`it's \\ back`),
      j: f.json().default({ a: "b'c" }),
      n: f.decimal().default(1.25),
      a: f.stringArray().default(['x', 'y"z']),
      at: f.dateTime().default(new Date(Date.UTC(2024, 4, 1, 12, 0, 0, 5))),
      off: f.bool().default(false),
      by: f.bytes().default(new Uint8Array([1, 255])),
      g: f.geoPoint().default({ lng: 1.5, lat: -2 }),
    }).table();
    const create = sql({ op: 'createTable', table: t }, none)[0];
    expect(create).toContain(`\`s\` VARCHAR(255) NOT NULL DEFAULT 'it''s \\\\ back',`);
    expect(create).toContain(`\`txt\` LONGTEXT NOT NULL DEFAULT ('it''s \\\\ back'),`);
    expect(create).toContain(`\`j\` JSON NOT NULL DEFAULT ('{"a":"b''c"}'),`);
    expect(create).toContain('`n` DECIMAL(65,30) NOT NULL DEFAULT 1.25,');
    expect(create).toContain(`\`a\` JSON NOT NULL DEFAULT ('["x","y\\\\"z"]'),`);
    expect(create).toContain(`\`at\` DATETIME(3) NOT NULL DEFAULT '2024-05-01 12:00:00.005',`);
    expect(create).toContain('`off` TINYINT(1) NOT NULL DEFAULT 0,');
    expect(create).toContain("`by` LONGBLOB NOT NULL DEFAULT (X'01ff'),");
    expect(create).toContain(`\`g\` TEXT NOT NULL DEFAULT ('{"lng":1.5,"lat":-2}'),`);
    const spatial = sql({ op: 'createTable', table: t }, { extensions: ['spatial', 'srid'] })[0];
    expect(spatial).toContain(`\`g\` POINT SRID 4326 NOT NULL DEFAULT (ST_GeomFromText('POINT(1.5 -2)', 4326, 'axis-order=long-lat')),`);
  });

  it('adds and drops columns', () => {
    expect(sql({ op: 'addColumn', table: 'users', column: colOf(users, 'bio') }, env)).toEqual(['ALTER TABLE `users` ADD COLUMN `bio` LONGTEXT']);
    expect(sql({ op: 'addColumn', table: 'posts', column: colOf(posts, 'authorId') }, env)).toEqual(['ALTER TABLE `posts` ADD COLUMN `authorId` CHAR(36) NOT NULL']);
    expect(sql({ op: 'addColumn', table: 'users', column: colOf(users, 'updatedAt') }, env)).toEqual([
      'ALTER TABLE `users` ADD COLUMN `updatedAt` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)',
    ]);
    expect(sql({ op: 'dropColumn', table: 'users', column: 'bio' }, env)).toEqual(['ALTER TABLE `users` DROP COLUMN `bio`']);
  });

  it('asks for ALGORITHM=INSTANT on ADD COLUMN where the server has it, the column is plain and the table has no FULLTEXT', () => {
    const instant: DdlEnv = { extensions: ['instant-add-column'], tables };
    expect(sql({ op: 'addColumn', table: 'users', column: colOf(users, 'bio') }, instant)).toEqual(['ALTER TABLE `users` ADD COLUMN `bio` LONGTEXT, ALGORITHM=INSTANT']);
    // CURRENT_TIMESTAMP default: the server chooses.
    expect(sql({ op: 'addColumn', table: 'users', column: colOf(users, 'updatedAt') }, instant)[0]).not.toContain('ALGORITHM');
    // posts has a FULLTEXT index (its searchable fields): MariaDB cannot add INSTANT there.
    expect(posts.columns.some((c) => c.searchable)).toBe(true);
    expect(sql({ op: 'addColumn', table: 'posts', column: colOf(posts, 'authorId') }, instant)[0]).not.toContain('ALGORITHM');
  });

  it('creates unique, composite, descending, expression and prefixed indexes', () => {
    const emit = (name: string) => ddl.emit({ op: 'createIndex', table: 'users', index: idx(name) }, env);
    expect(emit('forge_users_uq_email')).toEqual({ sql: ['CREATE UNIQUE INDEX `forge_users_uq_email` ON `users` (`email`)'] });
    expect(emit('idx_users_name_age')).toEqual({ sql: ['CREATE INDEX `idx_users_name_age` ON `users` (`name`, `age` DESC)'] });
    // Functional key parts where the server has them (MySQL 8.0.13+); a comment with the alternative elsewhere (MariaDB).
    const mysql8 = { ...env, extensions: [...env.extensions, 'functional-indexes'] };
    expect(ddl.emit({ op: 'createIndex', table: 'users', index: idx('idx_users_email_lower') }, mysql8)).toEqual({
      sql: ['CREATE UNIQUE INDEX `idx_users_email_lower` ON `users` ((lower(email)))'],
    });
    const onMaria = emit('idx_users_email_lower');
    expect(onMaria.sql).toEqual([]);
    expect(onMaria.comment).toMatch(/no functional key parts.*generated column/);
    expect(emit('idx_users_bio')).toEqual({
      sql: ['CREATE INDEX `idx_users_bio` ON `users` (`bio`(191))'],
      comment: 'index idx_users_bio: bio is TEXT/BLOB, indexed on the first 191 characters',
    });
    const uniqueText: IndexIR = { name: 'uq_bio', columns: ['bio'], directions: [1], unique: true, named: true, origin: 'indexes' };
    expect(ddl.emit({ op: 'createIndex', table: 'users', index: uniqueText }, env)).toEqual({
      sql: ['CREATE UNIQUE INDEX `uq_bio` ON `users` (`bio`(191))'],
      comment: 'index uq_bio: bio is TEXT/BLOB, indexed on the first 191 characters (so uniqueness holds for that prefix only)',
    });
  });

  it('creates FULLTEXT and SPATIAL indexes', () => {
    const ft: IndexIR = { name: 'ix_ft', columns: ['name', 'bio'], directions: [1, 1], unique: false, named: true, method: 'fulltext', origin: 'indexes' };
    expect(sql({ op: 'createIndex', table: 'users', index: ft }, env)).toEqual(['CREATE FULLTEXT INDEX `ix_ft` ON `users` (`name`, `bio`)']);
    expect(sql({ op: 'createIndex', table: 'users', index: { ...ft, parser: 'ngram' } }, env)).toEqual([
      'CREATE FULLTEXT INDEX `ix_ft` ON `users` (`name`, `bio`) WITH PARSER ngram',
    ]);
    const Place = model('places', { id: f.id(), at: f.geoPoint() }, { indexes: [{ keys: { at: 1 }, method: 'spatial', name: 'ix_at' }] });
    const places = buildSchemaIR({ place: Place }).models.place;
    const spatialEnv: DdlEnv = { extensions: ['spatial'], tables: [places] };
    expect(sql({ op: 'createIndex', table: 'places', index: places.indexes[0] }, spatialEnv)).toEqual(['CREATE SPATIAL INDEX `ix_at` ON `places` (`at`)']);
  });

  it('says why where MySQL has no such index (partial, covering, other methods, JSON, spatial over TEXT)', () => {
    const emit = (table: string, index: IndexIR, e: DdlEnv = env) => ddl.emit({ op: 'createIndex', table, index }, e);
    const partial = emit('users', idx('idx_users_active_email'));
    expect(partial.sql).toEqual([]);
    expect(partial.comment).toMatch(/no partial indexes/);
    expect(partial.comment).toContain('((CASE WHEN active = true THEN email END))');
    expect(partial.comment).toMatch(/MariaDB add a generated column/);
    expect(emit('users', idx('idx_users_age_cover'))).toEqual({ sql: [], comment: expect.stringMatching(/no covering indexes \(INCLUDE\)/) });
    expect(emit('users', idx('idx_users_tags'))).toEqual({ sql: [], comment: expect.stringMatching(/no 'gin' indexes/) });
    for (const method of ['gist', 'brin', 'hash', 'vector'] as const) {
      const ix: IndexIR = { name: 'ix_m', columns: ['age'], directions: [1], unique: false, named: true, method, origin: 'indexes' };
      expect(emit('users', ix)).toEqual({ sql: [], comment: expect.stringMatching(/^index ix_m on users not created: /) });
    }
    const json: IndexIR = { name: 'ix_meta', columns: ['meta'], directions: [1], unique: false, named: true, origin: 'indexes' };
    expect(emit('users', json)).toEqual({ sql: [], comment: expect.stringMatching(/meta is a JSON column/) });
    const geo: IndexIR = { name: 'ix_geo', columns: ['home'], directions: [1], unique: false, named: true, method: 'spatial', origin: 'indexes' };
    expect(emit('users', geo)).toEqual({ sql: [], comment: expect.stringMatching(/needs a geometry column, and home is TEXT/) });
    expect(emit('users', geo, { extensions: ['spatial'], tables })).toEqual({ sql: [], comment: expect.stringMatching(/NOT NULL columns, and home is optional/) });
  });

  it('adds and drops foreign keys with ALTER TABLE, never inline', () => {
    const [fk] = posts.foreignKeys;
    expect(sql({ op: 'addForeignKey', table: 'posts', fk }, env)).toEqual([
      'ALTER TABLE `posts` ADD CONSTRAINT `forge_posts_fk_authorId` FOREIGN KEY (`authorId`) REFERENCES `users` (`id`) ON DELETE CASCADE',
    ]);
    expect(sql({ op: 'addForeignKey', table: 'posts', fk: { ...fk, onDelete: 'setNull', onUpdate: 'noAction' } }, env)[0]).toMatch(/ ON DELETE SET NULL ON UPDATE NO ACTION$/);
    expect(sql({ op: 'dropForeignKey', table: 'posts', fk: fk.name }, env)).toEqual(['ALTER TABLE `posts` DROP FOREIGN KEY `forge_posts_fk_authorId`']);
  });

  it('creates one FULLTEXT index for search', () => {
    const columns = posts.columns.filter((c) => c.searchable);
    expect(searchIndexName('posts')).toBe('forge_posts_idx_fts');
    expect(sql({ op: 'createSearch', table: posts, columns }, env)).toEqual(['ALTER TABLE `posts` ADD FULLTEXT INDEX `forge_posts_idx_fts` (`title`, `body`), ALGORITHM=COPY']);
    expect(ddl.emit({ op: 'createSearch', table: posts, columns: [] }, env)).toEqual({ sql: [], comment: 'posts has no searchable columns; no full-text index created' });
    expect(sql({ op: 'dropSearch', table: 'posts' }, env)).toEqual(['DROP INDEX `forge_posts_idx_fts` ON `posts`']);
  });

  it('creates views; drops tables and indexes; has no extensions', () => {
    expect(sql({ op: 'createView', table: ir.models.activeUser }, env)).toEqual(['CREATE OR REPLACE VIEW `active_users` AS SELECT id, email FROM users WHERE active']);
    expect(ddl.emit({ op: 'createView', table: ir.models.postCount }, env)).toEqual({
      sql: ['CREATE OR REPLACE VIEW `post_counts` AS SELECT authorId, count(*) AS n FROM posts GROUP BY authorId'],
      comment: 'post_counts: MySQL has no materialised views; created as a plain view',
    });
    expect(sql({ op: 'dropTable', table: 'old' }, env)).toEqual(['DROP TABLE IF EXISTS `old`']);
    expect(sql({ op: 'dropIndex', table: 'users', index: 'ix' }, env)).toEqual(['DROP INDEX `ix` ON `users`']);
    expect(ddl.emit({ op: 'createExtension', name: 'postgis' }, env)).toEqual({ sql: [], comment: expect.stringMatching(/no extensions/) });
    expect(ddl.extensionsFor).toBeUndefined();
  });
});

describe('reverse (the down block)', () => {
  it('inverts every operation', () => {
    const [fk] = posts.foreignKeys;
    expect(ddl.reverse({ op: 'createTable', table: posts }, env)).toEqual({ sql: ['DROP TABLE IF EXISTS `posts`'] });
    expect(ddl.reverse({ op: 'addColumn', table: 'users', column: colOf(users, 'bio') }, env)).toEqual({ sql: ['ALTER TABLE `users` DROP COLUMN `bio`'] });
    expect(ddl.reverse({ op: 'createIndex', table: 'users', index: idx('forge_users_uq_email') }, env)).toEqual({ sql: ['DROP INDEX `forge_users_uq_email` ON `users`'] });
    expect(ddl.reverse({ op: 'dropIndex', table: 'users', index: 'idx_users_name_age', was: idx('idx_users_name_age') }, env)).toEqual({
      sql: ['CREATE INDEX `idx_users_name_age` ON `users` (`name`, `age` DESC)'],
    });
    expect(ddl.reverse({ op: 'addForeignKey', table: 'posts', fk }, env)).toEqual({ sql: ['ALTER TABLE `posts` DROP FOREIGN KEY `forge_posts_fk_authorId`'] });
    expect(ddl.reverse({ op: 'dropForeignKey', table: 'posts', fk: fk.name, was: fk }, env)).toEqual({
      sql: ['ALTER TABLE `posts` ADD CONSTRAINT `forge_posts_fk_authorId` FOREIGN KEY (`authorId`) REFERENCES `users` (`id`) ON DELETE CASCADE'],
    });
    expect(ddl.reverse({ op: 'createView', table: ir.models.postCount }, env)).toEqual({ sql: ['DROP VIEW IF EXISTS `post_counts`'] });
    const columns = posts.columns.filter((c) => c.searchable);
    expect(ddl.reverse({ op: 'createSearch', table: posts, columns }, env)).toEqual({ sql: ['DROP INDEX `forge_posts_idx_fts` ON `posts`'] });
    expect(ddl.reverse({ op: 'dropSearch', table: 'posts', columns: ['title', 'body'] }, env)).toEqual({
      sql: ['ALTER TABLE `posts` ADD FULLTEXT INDEX `forge_posts_idx_fts` (`title`, `body`), ALGORITHM=COPY'],
    });
  });

  it('re-adds a dropped column from what introspection saw, default included', () => {
    const back = (was: { type: string; nullable: boolean; default?: string | null }) =>
      ddl.reverse({ op: 'dropColumn', table: 'users', column: 'legacy', was: { name: 'legacy', primaryKey: false, ...was } });
    expect(back({ type: 'varchar(20)', nullable: true })).toEqual({ sql: ['ALTER TABLE `users` ADD COLUMN `legacy` varchar(20)'] });
    expect(back({ type: 'varchar(20)', nullable: false, default: "'it''s'" })).toEqual({ sql: ["ALTER TABLE `users` ADD COLUMN `legacy` varchar(20) NOT NULL DEFAULT 'it''s'"] });
    expect(back({ type: 'int', nullable: false, default: '0' })).toEqual({ sql: ['ALTER TABLE `users` ADD COLUMN `legacy` int NOT NULL DEFAULT 0'] });
    expect(back({ type: 'json', nullable: false, default: "'[]'" })).toEqual({ sql: ["ALTER TABLE `users` ADD COLUMN `legacy` json NOT NULL DEFAULT ('[]')"] });
    expect(back({ type: 'datetime(3)', nullable: false, default: 'CURRENT_TIMESTAMP' })).toEqual({
      sql: ['ALTER TABLE `users` ADD COLUMN `legacy` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)'],
    });
    expect(back({ type: 'char(36)', nullable: false, default: 'uuid()' })).toEqual({ sql: ['ALTER TABLE `users` ADD COLUMN `legacy` char(36) NOT NULL DEFAULT (uuid())'] });
    expect(back({ type: 'int', nullable: false, default: 'AUTO_INCREMENT' })).toEqual({
      sql: ['ALTER TABLE `users` ADD COLUMN `legacy` int'],
      comment: 'users.legacy: restored without AUTO_INCREMENT, which needs the column to be a key; restored NULL-able (it was NOT NULL with no default; its values were dropped with it)',
    });
    // NOT NULL without a default would fill '' into every row (and a restored unique index over it would fail).
    expect(back({ type: 'varchar(255)', nullable: false })).toEqual({
      sql: ['ALTER TABLE `users` ADD COLUMN `legacy` varchar(255)'],
      comment: 'users.legacy: restored NULL-able (it was NOT NULL with no default; its values were dropped with it)',
    });
  });

  it('says so where there is nothing to invert', () => {
    expect(ddl.reverse({ op: 'dropColumn', table: 'users', column: 'legacy' })).toEqual({ sql: [], comment: 'cannot restore users.legacy: its type was not recorded' });
    expect(ddl.reverse({ op: 'dropTable', table: 'audit_old' })).toEqual({ sql: [], comment: 'cannot auto-restore dropped table' });
    expect(ddl.reverse({ op: 'dropIndex', table: 'users', index: 'ix' })).toEqual({ sql: [], comment: 'cannot auto-restore dropped index ix' });
    expect(ddl.reverse({ op: 'dropForeignKey', table: 'posts', fk: 'fk' }).sql).toEqual([]);
    expect(ddl.reverse({ op: 'dropSearch', table: 'posts' }).sql).toEqual([]);
    expect(ddl.reverse({ op: 'createExtension', name: 'x' })).toEqual({ sql: [], comment: 'nothing to undo: no extension DDL was run' });
    // A partial index was never created, so its down block drops nothing.
    expect(ddl.reverse({ op: 'createIndex', table: 'users', index: idx('idx_users_active_email') }, env)).toEqual({
      sql: [],
      comment: 'nothing to undo: index idx_users_active_email was not created',
    });
  });
});
