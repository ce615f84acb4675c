import { buildSchemaIR, f, model, one, planPush, SchemaError, type Snapshot, type TableIR } from '@forge/core';
import { blogSchema } from '@forge/testkit';
import { describe, expect, it } from 'vitest';
import { adapter, capabilities } from '../src/index.js';
import { cascadePathProblem } from '../src/cascade.js';

const empty: Snapshot = { dialect: 'mssql', tables: [], views: [] };
const tablesOf = (schema: Parameters<typeof buildSchemaIR>[0]): TableIR[] => Object.values(buildSchemaIR(schema).models);
const User = model('users', { id: f.id(), email: f.string() });

describe('cascade paths SQL Server refuses (error 1785), refused while planning', () => {
  it('SET NULL beside a CASCADE between the same two tables: a SchemaError naming both fields and the fix, before any DDL', () => {
    const Post = model(
      'posts',
      { id: f.id(), authorId: f.string().refs(() => User, { onDelete: 'cascade' }), editorId: f.string().optional() },
      { relations: { author: one('users', { on: 'authorId' }), editor: one('users', { on: 'editorId', onDelete: 'setNull' }) } },
    );
    const ir = buildSchemaIR({ User, Post });
    let thrown: unknown;
    try {
      planPush(ir, empty, adapter);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(SchemaError);
    const message = (thrown as Error).message;
    expect(message).toMatch(/model\('posts'\)\.editorId \(onDelete: 'setNull', to 'users'\)/);
    expect(message).toMatch(/beside model\('posts'\)\.authorId \(onDelete: 'cascade', to 'users'\)/);
    expect(message).toMatch(/error 1785/);
    expect(message).toMatch(/Give one of these keys no onDelete/);
  });

  it('two CASCADE keys to one table, a diamond, a cycle and a key to its own table', () => {
    const twice = model('transfers', { id: f.id(), fromId: f.string().refs(() => User, { onDelete: 'cascade' }), toId: f.string().refs(() => User, { onDelete: 'cascade' }) });
    expect(cascadePathProblem(tablesOf({ User, twice }))).toMatch(/transfers'\)\.toId .*second cascade path from 'users' to 'transfers'/);

    const Post = model('posts', { id: f.id(), authorId: f.string().refs(() => User, { onDelete: 'cascade' }) });
    const Comment = model('comments', { id: f.id(), postId: f.string().refs(() => Post, { onDelete: 'cascade' }), userId: f.string().refs(() => User, { onDelete: 'cascade' }) });
    expect(cascadePathProblem(tablesOf({ User, Post, Comment }))).toMatch(/comments'\)\.userId .*second cascade path from 'users' to 'comments', beside model\('posts'\)\.authorId .*, model\('comments'\)\.postId/);

    const A = model('a', { id: f.id(), bId: f.string().optional().refs((): never => B as never, { onDelete: 'setNull' }) });
    const B = model('b', { id: f.id(), aId: f.string().refs(() => A, { onDelete: 'cascade' }) });
    expect(cascadePathProblem(tablesOf({ A, B }))).toMatch(/cascade cycle/);

    const Node = model('nodes', { id: f.id(), parentId: f.string().optional().refs((): never => Node as never, { onDelete: 'setNull' }) });
    expect(cascadePathProblem(tablesOf({ Node }))).toMatch(/cascade from 'nodes' to itself/);
  });

  it('accepts one path per table: a chain, a tree, plain keys beside a cascade, and the conformance fixtures', () => {
    const Post = model('posts', { id: f.id(), authorId: f.string().refs(() => User, { onDelete: 'cascade' }), editorId: f.string().optional().refs(() => User) });
    const Comment = model('comments', { id: f.id(), postId: f.string().refs(() => Post, { onDelete: 'cascade' }), userId: f.string().refs(() => User) });
    const Profile = model('profiles', { id: f.id(), userId: f.string().unique().refs(() => User, { onDelete: 'cascade' }) });
    expect(cascadePathProblem(tablesOf({ User, Post, Comment, Profile }))).toBeUndefined();
    expect(cascadePathProblem(tablesOf(blogSchema(capabilities)))).toBeUndefined();
    expect(planPush(buildSchemaIR({ User, Post, Comment, Profile }), empty, adapter).toApply.length).toBeGreaterThan(0);
  });
});
