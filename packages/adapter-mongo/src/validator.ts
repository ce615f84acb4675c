import type { ColumnIR, SchemaIR, Snapshot, TableIR, ValidatorIR } from '@forge/core';
import type { Document } from 'mongodb';
import { pathOf } from './names.js';

/**
 * The `$jsonSchema` validator of a model declared with the option `validator` (seed 000: the server-side guard
 * for row-level tenancy, where a document without its `tenant_id` must not get in). Generated from the fields:
 *
 * - `bsonType` per field kind, as the driver writes forge's values (`f.int()` an int, `f.float()` a double or an
 *   int, as the driver stores a whole number; `f.bigint()` a long; dates, ObjectIds, Decimal128, binary as
 *   themselves); an optional field also takes `null`;
 * - `required` for every field that is not optional (the primary key `_id` is the server's own and always there);
 * - `enum` for `f.enumOf()`; array elements for `f.stringArray()` / `f.intArray()` / `f.embedMany()` / vectors;
 * - `f.json()` is any value; no `additionalProperties`: documents may carry fields the schema does not name.
 */
export function jsonSchemaFor(table: TableIR): Document {
  const properties: Document = {};
  const required: string[] = [];
  for (const col of table.columns) {
    const path = pathOf(col.name);
    if (path === '_id') continue;
    if (!col.nullable) required.push(path);
    properties[path] = propertyOf(col);
  }
  const schema: Document = { bsonType: 'object' };
  if (required.length) schema.required = required;
  schema.properties = properties;
  return schema;
}

const BSON_TYPES: Partial<Record<ColumnIR['kind'], string | string[]>> = {
  id: 'string',
  uuid: 'string',
  string: 'string',
  text: 'string',
  enum: 'string',
  objectId: 'objectId',
  int: 'int',
  bigint: ['long', 'int'],
  float: ['double', 'int', 'long'],
  decimal: 'decimal',
  bool: 'bool',
  dateTime: 'date',
  embed: 'object',
  geoPoint: 'object',
  embedMany: 'array',
  stringArray: 'array',
  intArray: 'array',
  vector: 'array',
  bytes: 'binData',
};

const ITEMS: Partial<Record<ColumnIR['kind'], string | string[]>> = { stringArray: 'string', intArray: 'int', embedMany: 'object', vector: ['double', 'int'] };

function propertyOf(col: ColumnIR): Document {
  if (col.kind === 'json') return {};
  const base = BSON_TYPES[col.kind] ?? 'string';
  const types = Array.isArray(base) ? base : [base];
  const p: Document = { bsonType: col.nullable ? [...types, 'null'] : types.length === 1 ? types[0] : types };
  if (col.kind === 'enum' && col.enumValues?.length) p.enum = col.nullable ? [...col.enumValues, null] : [...col.enumValues];
  const items = ITEMS[col.kind];
  if (items) p.items = { bsonType: items };
  return p;
}

/** The collection options that hold the validator: on `create` for a new collection, on `collMod` for one that exists. */
export function validatorOptions(table: TableIR & { validator: ValidatorIR }): Document {
  return { validator: { $jsonSchema: jsonSchemaFor(table) }, validationLevel: table.validator.level, validationAction: table.validator.action };
}

/** `{ collMod: name, validator, validationLevel, validationAction }`: puts the generated validator on an existing collection. */
export function collModCommand(table: TableIR & { validator: ValidatorIR }): Document {
  return { collMod: table.name, ...validatorOptions(table) };
}

/** A document as text with its keys sorted at every depth (arrays keep their order: `required` and `enum` are lists). */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object' && !(v instanceof Date)) {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** One collection whose live validator differs from the one its model declares. */
export interface ValidatorDrift {
  table: string;
  /** What differs: the `$jsonSchema` document, the level, the action (a collection with none has all three). */
  properties: Array<'validator' | 'validationLevel' | 'validationAction'>;
  detail: string;
  command: Document;
}

/**
 * Validator drift between the schema and a snapshot (`introspectMongo` reads each collection's `validator`,
 * `validationLevel` and `validationAction`): for every pushed model with the option whose collection exists,
 * the properties that differ and the `collMod` that re-applies the declared validator. Collections still to be
 * created get theirs with `create`; a validator on a collection whose model does not declare one is left alone
 * (forge does not remove what it did not put there).
 */
export function validatorDrift(ir: SchemaIR, snap: Snapshot): ValidatorDrift[] {
  const live = new Map(snap.tables.map((t) => [t.name, t]));
  const out: ValidatorDrift[] = [];
  for (const t of Object.values(ir.models)) {
    if (!t.validator || t.readonly || t.view) continue;
    const have = live.get(t.name);
    if (!have) continue;
    const want = validatorOptions(t as TableIR & { validator: ValidatorIR });
    const v = have.validator;
    const properties: ValidatorDrift['properties'] = [];
    if (!v || stableJson(v.document) !== stableJson(want.validator)) properties.push('validator');
    // MongoDB's defaults when a collection was created without them.
    if ((v?.level ?? 'strict') !== want.validationLevel || !v) properties.push('validationLevel');
    if ((v?.action ?? 'error') !== want.validationAction || !v) properties.push('validationAction');
    if (!properties.length) continue;
    const detail = v
      ? `collection '${t.name}' validator drift (${properties.join(', ')}): push re-applies the schema's with collMod`
      : `collection '${t.name}' has no validator; the model declares one: push adds it with collMod`;
    out.push({ table: t.name, properties, detail, command: collModCommand(t as TableIR & { validator: ValidatorIR }) });
  }
  return out;
}
