import { f, many, model, one } from 'forge-orm';

/** The next version: authors gain a bio, posts lose legacyNote. */
export const Author = model(
  'authors',
  { id: f.id(), email: f.string().unique(), name: f.string(), bio: f.text().optional(), joinedAt: f.dateTime().default('now') },
  { relations: { posts: many('posts', { on: 'authorId' }) } },
);

export const Post = model(
  'posts',
  {
    id: f.id(),
    title: f.string().searchable(),
    body: f.text(),
    published: f.bool().default(false),
    tags: f.stringArray().optional(),
    views: f.int().default(0),
    authorId: f.string().refs(() => Author, { onDelete: 'cascade' }),
  },
  {
    relations: { author: one('authors', { on: 'authorId' }), comments: many('comments', { on: 'postId' }) },
    indexes: [{ keys: { published: 1, views: -1 }, name: 'idx_posts_published_views' }],
  },
);

export const Comment = model(
  'comments',
  { id: f.id(), postId: f.string().refs(() => Post, { onDelete: 'cascade' }), text: f.string(), at: f.dateTime().default('now') },
  { relations: { post: one('posts', { on: 'postId' }) } },
);

export const schema = { author: Author, post: Post, comment: Comment };
