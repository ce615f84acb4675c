import { f, many, model, one, type Capabilities } from '@forge/core';
import { actionIf } from './target.js';

/**
 * The schema the client conformance cases run against: users, posts, a profile (has-one), tags as arrays. Its
 * foreign keys cascade on delete where the dialect can (`capabilities.referentialActions`; always without `caps`);
 * on a dialect without CASCADE (DuckDB) they take no action, and a referenced row cannot be deleted.
 */
export function blogSchema(caps?: Capabilities) {
  const cascade = actionIf(caps, 'cascade');
  const User = model(
    'users',
    {
      id: f.id(),
      email: f.string().unique(),
      name: f.string().optional(),
      age: f.int().default(0),
      score: f.float().optional(),
      balance: f.decimal({ precision: 12, scale: 2 }).optional(),
      active: f.bool().default(true),
      visits: f.bigint().default(0n),
      role: f.enumOf(['admin', 'member'] as const).default('member'),
      meta: f.json<{ plan?: string; limits?: { seats?: number }; tags?: string[] }>().optional(),
      createdAt: f.dateTime().default('now'),
      updatedAt: f.dateTime().updatedAt(),
    },
    { relations: { posts: many('posts', { on: 'authorId' }), profile: one('profiles', { on: 'userId' }) } },
  );
  const Profile = model('profiles', { id: f.id(), userId: f.string().unique().refs(() => User, { onDelete: cascade }), bio: f.text() }, { relations: { user: one('users', { on: 'userId' }) } });
  const Post = model(
    'posts',
    {
      id: f.id(),
      title: f.string().searchable(),
      body: f.text().optional(),
      published: f.bool().default(false),
      authorId: f.string().refs(() => User, { onDelete: cascade }),
      tags: f.stringArray().optional(),
      rating: f.int().optional(),
    },
    { relations: { author: one('users', { on: 'authorId' }), comments: many('comments', { on: 'postId' }) } },
  );
  const Comment = model('comments', { id: f.id(), postId: f.string().refs(() => Post, { onDelete: cascade }), text: f.string() }, { relations: { post: one('posts', { on: 'postId' }) } });
  const Counter = model('counters', { id: f.id({ type: 'int' }), name: f.string().unique(), n: f.int().default(0) });
  return { user: User, profile: Profile, post: Post, comment: Comment, counter: Counter };
}

export type BlogSchema = ReturnType<typeof blogSchema>;
