import type { DialectFacts } from '../adapter.js';
import { SchemaError } from '../errors.js';
import type { SchemaIR } from '../schema/ir.js';

type NamespaceFacts = Pick<DialectFacts, 'indexNamespace' | 'searchObjectNames' | 'impliedRelationNames' | 'identifierKey'>;

/**
 * Refuse a schema in which two objects would share a name the database keeps in one namespace. With
 * `CREATE ... IF NOT EXISTS` the second one would be skipped without an error, and drift would report it
 * missing forever. Where index names share the namespace of tables (`facts.indexNamespace === 'schema'`)
 * that covers tables, views, every index (declared or generated) and forge's search objects across the
 * schema; where they are per table, indexes and search objects within each table. Columns forge adds for
 * search (a tsvector) must not be the name of a declared column either.
 */
export function assertNamesDistinct(ir: SchemaIR, facts: NamespaceFacts): void {
  const shared = facts.indexNamespace === 'schema';
  const owners = new Map<string, string>();
  const claim = (scope: string, name: string, what: string) => {
    const key = `${shared ? '' : scope}\0${facts.identifierKey?.(name) ?? name}`;
    const first = owners.get(key);
    if (first === undefined) {
      owners.set(key, what);
      return;
    }
    throw new SchemaError(
      `${what} and ${first} have the same name '${name}'; ${shared ? 'tables and indexes share one namespace in this database' : `index names are per table, and both are on '${scope}'`}, so the second would never be created. Rename one of them (IndexDef.name, or the model's table name).`,
    );
  };
  const tables = Object.values(ir.models);
  if (shared) for (const t of tables) claim('', t.name, `${t.view ? 'view' : 'table'} '${t.name}'`);
  for (const t of tables) {
    if (t.view || t.readonly) continue;
    for (const name of facts.impliedRelationNames?.(t) ?? []) claim(t.name, name, `the database's own object '${name}' of table '${t.name}'`);
    for (const ix of t.indexes) claim(t.name, ix.name, `index '${ix.name}' on '${t.name}'`);
    if (!t.columns.some((c) => c.searchable)) continue;
    const search = facts.searchObjectNames(t.name);
    for (const name of search.relations) claim(t.name, name, `the full-text search object '${name}' of '${t.name}'`);
    for (const column of search.columns) {
      if (t.columns.some((c) => c.name === column)) {
        throw new SchemaError(
          `column '${column}' of '${t.name}' has the name of the column forge adds for its .searchable() fields; rename the column with .map('other_name').`,
        );
      }
    }
  }
}
