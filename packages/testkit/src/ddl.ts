import { f, many, model, one, type Capabilities, type SchemaShape } from '@forge/core';
import { describe, it } from 'vitest';
import { actionIf, assertConverges, type ConformanceTarget } from './target.js';

interface DdlCase {
  name: string;
  needs?: Array<keyof Capabilities>;
  /** `caps` is the dialect's: a case picks what it declares by them (an onDelete the dialect has). */
  schema: (caps?: Capabilities) => SchemaShape;
}

/** Schemas covering every DDL shape; each must push, diff empty, and push again as a no-op. */
export function ddlCases(): DdlCase[] {
  return [
    { name: 'a single table', schema: () => ({ user: model('users', { id: f.id(), email: f.string() }) }) },
    {
      name: 'every portable field kind, optional and defaulted',
      schema: () => ({
        thing: model('things', {
          id: f.id(),
          s: f.string(),
          t: f.text().optional(),
          i: f.int().default(7),
          b: f.bigint().optional(),
          fl: f.float().optional(),
          d: f.decimal({ precision: 12, scale: 2 }).optional(),
          ok: f.bool().default(false),
          at: f.dateTime().default('now'),
          u: f.uuid().optional(),
          j: f.json().optional(),
          e: f.enumOf(['a', 'b'] as const).default('a'),
          em: f.embed({ city: f.string() }).optional(),
          ems: f.embedMany({ k: f.string() }).optional(),
          sa: f.stringArray().optional(),
          ia: f.intArray().optional(),
          g: f.geoPoint().optional(),
          v: f.vector(3).optional(),
          by: f.bytes().optional(),
          up: f.dateTime().updatedAt(),
        }),
      }),
    },
    { name: 'integer and bigserial ids', schema: () => ({ a: model('int_ids', { id: f.id({ type: 'int' }), n: f.string() }), b: model('big_ids', { id: f.id({ type: 'bigserial' }) }) }) },
    { name: 'string id and a composite primary key', schema: () => ({ a: model('codes', { id: f.id({ type: 'string' }) }), b: model('pairs', { a: f.string(), b: f.int() }, { primaryKey: ['a', 'b'] }) }) },
    { name: 'a mapped column name and a native type', schema: () => ({ c: model('customers', { id: f.id(), name: f.string().map('CustomerName').dbType('varchar(120)') }) }) },
    {
      name: 'unique field, composite unique, named and unnamed indexes with directions',
      schema: () => ({
        user: model(
          'users',
          { id: f.id(), email: f.string().unique(), org: f.string(), handle: f.string(), created: f.dateTime() },
          { uniques: [['org', 'handle']], indexes: [{ keys: { org: 1, created: -1 }, name: 'idx_users_org_created' }, { keys: { handle: 1 } }] },
        ),
      }),
    },
    {
      name: 'a partial index',
      needs: ['partialIndexes'],
      schema: () => ({ user: model('users', { id: f.id(), email: f.string(), active: f.bool() }, { indexes: [{ keys: { email: 1 }, name: 'idx_active_email', unique: true, where: 'active = true' }] }) }),
    },
    {
      name: 'an expression index',
      needs: ['expressionIndexes'],
      schema: () => ({ user: model('users', { id: f.id(), email: f.string() }, { indexes: [{ expression: 'lower(email)', name: 'idx_users_email_lower' }] }) }),
    },
    {
      name: 'a covering index',
      needs: ['coveringIndexes'],
      schema: () => ({ o: model('orders', { id: f.id(), customer: f.string(), total: f.float() }, { indexes: [{ keys: { customer: 1 }, include: ['total'], name: 'idx_orders_customer_cov' }] }) }),
    },
    {
      // CASCADE and SET NULL where the dialect has them (capabilities.referentialActions), its plain key where not.
      name: 'foreign keys from .refs() and from relations, with onDelete',
      schema: (caps) => {
        const User = model('users', { id: f.id(), email: f.string() }, { relations: { posts: many('posts', { on: 'authorId' }) } });
        const Post = model(
          'posts',
          { id: f.id(), authorId: f.string().refs(() => User, { onDelete: actionIf(caps, 'cascade') }), editorId: f.string().optional() },
          { relations: { author: one('users', { on: 'authorId' }), editor: one('users', { on: 'editorId', onDelete: actionIf(caps, 'setNull') }) } },
        );
        return { user: User, post: Post };
      },
    },
    { name: 'full-text searchable fields', needs: ['fullTextSearch'], schema: () => ({ doc: model('docs', { id: f.id(), title: f.string().searchable(), body: f.text().searchable() }) }) },
    {
      name: 'a view over a table',
      needs: ['views'],
      schema: () => ({
        user: model('users', { id: f.id(), email: f.string(), active: f.bool() }),
        active: model('active_users', { id: f.string(), email: f.string() }, { view: { sql: 'SELECT id, email FROM users WHERE active = TRUE' } }),
      }),
    },
    {
      name: 'a materialised view',
      needs: ['materializedViews'],
      schema: () => ({
        user: model('users', { id: f.id(), email: f.string() }),
        stats: model('user_counts', { n: f.int() }, { view: { sql: 'SELECT count(*)::int AS n FROM users', materialized: true } }),
      }),
    },
    {
      name: 'a readonly model is never pushed',
      schema: () => ({ user: model('users', { id: f.id() }), shared: model('shared_accounts', { id: f.id() }, { readonly: true }) }),
    },
    {
      name: 'identifiers that are reserved words or carry quotes, spaces and unicode',
      schema: () => ({
        order: model('order', { id: f.id(), select: f.string(), 'we"ird name': f.string().optional(), 'naïve_ünïcode': f.int().optional(), group: f.string().unique() }),
      }),
    },
  ];
}

export function ddlSuite(target: ConformanceTarget): void {
  const caps = target.adapter.capabilities;
  describe(`${target.name}: DDL convergence (push -> diff empty -> push applies 0)`, () => {
    for (const c of ddlCases()) {
      const missing = (c.needs ?? []).filter((n) => !caps[n]);
      const run = async () => {
        const fresh = await target.fresh();
        try {
          await assertConverges(target, fresh.conn, c.schema(caps));
        } finally {
          await fresh.cleanup();
        }
      };
      if (missing.length) it.skip(`${c.name} [skipped: capabilities.${missing.join(', capabilities.')} false on ${caps.dialect}]`, run);
      else it(c.name, run);
    }
  });
}
