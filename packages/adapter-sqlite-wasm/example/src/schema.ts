import { f, model } from '@forge/core';

/** The app's schema as it was first shipped. */
const ItemV1 = model('items', {
  id: f.id(),
  title: f.string().unique(),
  done: f.bool().default(false),
  createdAt: f.dateTime().default('now'),
});

/** The next release adds a nullable column: `$migrate()` adds it to an existing database and keeps its rows. */
const ItemV2 = model('items', {
  id: f.id(),
  title: f.string().unique(),
  done: f.bool().default(false),
  createdAt: f.dateTime().default('now'),
  note: f.string().optional(),
});

export const schemas = { 1: { item: ItemV1 }, 2: { item: ItemV2 } } as const;
