/**
 * Field paths: the primary key column `id` is stored as MongoDB's `_id` (every document has one, with its own
 * unique index `_id_`); every other column keeps its name.
 */
export const pathOf = (column: string): string => (column === 'id' ? '_id' : column);
export const columnOf = (path: string): string => (path === '_id' ? 'id' : path);

/** Collections forge owns in every database it pushes to: never the user's, never drift. */
export const LOCK_COLLECTION = '_forge_lock';
export const LEDGER_COLLECTION = '_forge_migrations';
