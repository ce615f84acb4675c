import { buildSchemaIR, f, model } from '@forge/core';

/** A schema that exercises every field kind, every index shape SQLite can hold, FKs, search and a view. */
export const User = model(
  'users',
  {
    id: f.id(),
    email: f.string().unique(),
    name: f.string().optional(),
    tenant: f.string().map('tenant_id'),
    title: f.string().searchable(),
    bio: f.text().searchable().optional(),
    age: f.int().default(0),
    big: f.bigint().optional(),
    score: f.float().optional(),
    price: f.decimal({ precision: 10, scale: 2 }).optional(),
    active: f.bool().default(true),
    createdAt: f.dateTime().default('now'),
    updatedAt: f.dateTime().updatedAt(),
    ext: f.uuid().optional(),
    meta: f.json().optional(),
    role: f.enumOf(['admin', 'member'] as const).default('member'),
    address: f.embed({ city: f.string() }).optional(),
    lines: f.embedMany({ sku: f.string() }).optional(),
    tags: f.stringArray().optional(),
    nums: f.intArray().optional(),
    home: f.geoPoint().optional(),
    embedding: f.vector(3).optional(),
    avatar: f.bytes().optional(),
    legacy: f.objectId().optional(),
    code: f.string().dbType('varchar(12)').optional(),
  },
  {
    uniques: [['tenant', 'name']],
    indexes: [
      { keys: { age: -1, name: 1 }, name: 'idx_users_age_name' },
      { keys: { email: 1 }, where: 'active = 1', name: 'idx_users_active_email' },
      { expression: 'lower(email)', unique: true, name: 'uq_users_lower_email' },
      { keys: { createdAt: 1 } },
    ],
  },
);

export const Post = model('posts', {
  id: f.id({ type: 'int' }),
  authorId: f.string().refs(() => User, { onDelete: 'cascade' }),
  editorId: f.string().optional().refs(() => User, { onDelete: 'setNull', onUpdate: 'cascade' }),
  body: f.text(),
});

export const Membership = model(
  'memberships',
  { userId: f.string().refs(() => User), groupId: f.int(), role: f.string() },
  { primaryKey: ['userId', 'groupId'] },
);

export const Counter = model('counters', { id: f.id({ type: 'bigserial' }), n: f.bigint() });

export const Tag = model('tags', { id: f.id({ type: 'string' }), label: f.string() });

export const ActiveUser = model('active_users', { id: f.string(), email: f.string() }, { view: { sql: 'SELECT id, email FROM users WHERE active = 1' } });

export const schemaIR = () => buildSchemaIR({ user: User, post: Post, membership: Membership, counter: Counter, tag: Tag, activeUser: ActiveUser });
