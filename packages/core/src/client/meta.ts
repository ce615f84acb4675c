import type { ValueCodec } from '../adapter.js';
import { ValidationError } from '../errors.js';
import type { ColumnIR, SchemaIR, TableIR } from '../schema/ir.js';

/** A relation resolved to the two columns that join it. */
export interface ResolvedRelation {
  name: string;
  kind: 'one' | 'many';
  target: ModelMeta;
  /** Field on this model whose values are matched... */
  localField: string;
  /** ...against this field on the target. */
  remoteField: string;
  /** The foreign key is on this model (`one` with a local `on`): nested writes set it before the insert. */
  belongsTo: boolean;
}

/** Everything the client needs about one model, computed once per db handle. */
export interface ModelMeta {
  key: string;
  table: TableIR;
  fields: Map<string, ColumnIR>;
  fieldNames: string[];
  pkFields: string[];
  /** Field sets that identify one row: the primary key, each unique field, each composite unique. */
  uniqueSets: string[][];
  relations: Map<string, ResolvedRelation>;
  searchable: ColumnIR[];
  hasBigint: boolean;
}

export function buildMetas(ir: SchemaIR): Map<string, ModelMeta> {
  const metas = new Map<string, ModelMeta>();
  const byTable = new Map<string, ModelMeta>();
  for (const [key, table] of Object.entries(ir.models)) {
    const fields = new Map(table.columns.map((c) => [c.field, c]));
    const colToField = new Map(table.columns.map((c) => [c.name, c.field]));
    const pkFields = table.primaryKey.map((c) => colToField.get(c) ?? c);
    const uniqueSets: string[][] = [pkFields];
    for (const idx of table.indexes) {
      if (idx.unique && idx.columns.length && !idx.where && !idx.expression) uniqueSets.push(idx.columns.map((c) => colToField.get(c) ?? c));
    }
    const meta: ModelMeta = {
      key,
      table,
      fields,
      fieldNames: table.columns.map((c) => c.field),
      pkFields,
      uniqueSets,
      relations: new Map(),
      searchable: table.columns.filter((c) => c.searchable),
      hasBigint: table.columns.some((c) => c.kind === 'bigint' || (c.kind === 'id' && c.idStrategy === 'bigserial')),
    };
    metas.set(key, meta);
    byTable.set(table.name, meta);
  }
  for (const meta of metas.values()) {
    for (const rel of meta.table.relations) {
      const target = byTable.get(rel.target)!;
      const local = meta.fields.has(rel.on);
      let localField: string;
      let remoteField: string;
      if (rel.kind === 'one' && local) {
        localField = rel.on;
        remoteField = rel.refs ?? target.pkFields[0];
      } else {
        localField = rel.refs ?? meta.pkFields[0];
        remoteField = rel.on;
      }
      meta.relations.set(rel.name, { name: rel.name, kind: rel.kind, target, localField, remoteField, belongsTo: rel.kind === 'one' && local });
    }
  }
  return metas;
}

/**
 * Compile a function that turns an array row into an object, decoding only the columns that need it.
 * Generated code keeps the hot path free of per-column branching (the same trick fast query builders use).
 */
export function compileRowMapper(columns: ColumnIR[], codec: ValueCodec): (row: unknown[]) => Record<string, unknown> {
  const decoders: Array<(v: unknown) => unknown> = [];
  const parts = columns.map((c, i) => {
    const key = JSON.stringify(c.field);
    if (codec.passthrough(c)) return `${key}: r[${i}]`;
    decoders.push((v) => (v === null || v === undefined ? null : codec.decode(v, c)));
    return `${key}: d[${decoders.length - 1}](r[${i}])`;
  });
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- field names are JSON-escaped; no user input reaches this
  const make = new Function('d', `return function mapRow(r) { return { ${parts.join(', ')} }; };`) as (
    d: Array<(v: unknown) => unknown>,
  ) => (row: unknown[]) => Record<string, unknown>;
  return make(decoders);
}

export function fieldOf(meta: ModelMeta, name: string): ColumnIR {
  const c = meta.fields.get(name);
  if (!c) {
    throw new ValidationError(`Unknown field '${name}' on model '${meta.key}'. Fields: ${meta.fieldNames.join(', ')}`, { model: meta.key, field: name });
  }
  return c;
}
