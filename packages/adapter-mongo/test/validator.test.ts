import { buildSchemaIR, f, model, SchemaError } from '@forge/core';
import { describe, expect, it } from 'vitest';
import { collModCommand, jsonSchemaFor, mongoDdl, parseCommandText, snapshotFrom, validatorDrift } from '../src/index.js';

const Order = model(
  'orders',
  {
    id: f.id(),
    tenant_id: f.string(),
    status: f.enumOf(['open', 'paid'] as const),
    kind: f.enumOf(['a', 'b'] as const).optional(),
    total: f.float(),
    qty: f.int().default(1),
    big: f.bigint().optional(),
    price: f.decimal({ precision: 10, scale: 2 }).optional(),
    paid: f.bool().default(false),
    at: f.dateTime().default('now'),
    owner: f.objectId().optional(),
    meta: f.json().optional(),
    tags: f.stringArray(),
    codes: f.intArray().optional(),
    address: f.embed({ city: f.string() }).optional(),
    lines: f.embedMany({ sku: f.string() }),
    blob: f.bytes().optional(),
    note: f.text().map('note_text').optional(),
  },
  { validator: true },
);
const Loose = model('events', { id: f.id(), name: f.string() }, { validator: { level: 'moderate', action: 'warn' } });
const Plain = model('plain', { id: f.id(), name: f.string() });
const ir = buildSchemaIR({ order: Order, event: Loose, plain: Plain });

const ORDER_SCHEMA = {
  bsonType: 'object',
  required: ['tenant_id', 'status', 'total', 'qty', 'paid', 'at', 'tags', 'lines'],
  properties: {
    tenant_id: { bsonType: 'string' },
    status: { bsonType: 'string', enum: ['open', 'paid'] },
    kind: { bsonType: ['string', 'null'], enum: ['a', 'b', null] },
    total: { bsonType: ['double', 'int', 'long'] },
    qty: { bsonType: 'int' },
    big: { bsonType: ['long', 'int', 'null'] },
    price: { bsonType: ['decimal', 'null'] },
    paid: { bsonType: 'bool' },
    at: { bsonType: 'date' },
    owner: { bsonType: ['objectId', 'null'] },
    meta: {},
    tags: { bsonType: 'array', items: { bsonType: 'string' } },
    codes: { bsonType: ['array', 'null'], items: { bsonType: 'int' } },
    address: { bsonType: ['object', 'null'] },
    lines: { bsonType: 'array', items: { bsonType: 'object' } },
    blob: { bsonType: ['binData', 'null'] },
    note_text: { bsonType: ['string', 'null'] },
  },
};

describe('$jsonSchema validator from the model (golden)', () => {
  it('bsonType per field kind, required for every field that is not optional, enums (with null when optional), column names', () => {
    expect(jsonSchemaFor(ir.models.order)).toEqual(ORDER_SCHEMA);
    expect(ir.models.order.validator).toEqual({ level: 'strict', action: 'error' });
    expect(ir.models.event.validator).toEqual({ level: 'moderate', action: 'warn' });
    expect(ir.models.plain.validator).toBeUndefined();
  });

  it('push creates the collection with it; a model without the option gets a bare create', () => {
    const create = (t: keyof typeof ir.models) => mongoDdl.emit({ op: 'createTable', table: ir.models[t] }).sql.map(parseCommandText);
    expect(create('order')).toEqual([{ create: 'orders', validator: { $jsonSchema: ORDER_SCHEMA }, validationLevel: 'strict', validationAction: 'error' }]);
    expect(create('event')).toEqual([
      { create: 'events', validator: { $jsonSchema: { bsonType: 'object', required: ['name'], properties: { name: { bsonType: 'string' } } } }, validationLevel: 'moderate', validationAction: 'warn' },
    ]);
    expect(create('plain')).toEqual([{ create: 'plain' }]);
    expect(collModCommand({ ...ir.models.event, validator: ir.models.event.validator! })).toEqual({
      collMod: 'events',
      validator: { $jsonSchema: { bsonType: 'object', required: ['name'], properties: { name: { bsonType: 'string' } } } },
      validationLevel: 'moderate',
      validationAction: 'warn',
    });
  });

  it('the option is checked where it is written', () => {
    expect(() => model('x', { id: f.id() }, { validator: { level: 'off' as never } })).toThrow(/validator.level must be 'strict' or 'moderate'/);
    expect(() => model('x', { id: f.id() }, { validator: { action: 'warn', strict: true } as never })).toThrow(SchemaError);
    expect(() => model('x', { id: f.id() }, { validator: true, readonly: true })).toThrow(/readonly model is not pushed/);
  });
});

describe('validator drift from recorded listCollections rows (golden)', () => {
  const rows = (options: Record<string, object | undefined>) => Object.entries(options).map(([name, o]) => ({ name, type: 'collection', options: o ?? {} }));
  const snap = (options: Record<string, object | undefined>) => snapshotFrom(rows(options), () => []);
  const inSync = { validator: { $jsonSchema: ORDER_SCHEMA }, validationLevel: 'strict', validationAction: 'error' };

  it('in sync: nothing, whatever the key order the server echoes; defaults count as strict / error', () => {
    const reordered = { validator: { $jsonSchema: { properties: ORDER_SCHEMA.properties, required: ORDER_SCHEMA.required, bsonType: 'object' } } };
    expect(validatorDrift(ir, snap({ orders: reordered, events: { validator: { $jsonSchema: jsonSchemaFor(ir.models.event) }, validationLevel: 'moderate', validationAction: 'warn' }, plain: undefined }))).toEqual([]);
    expect(snap({ orders: inSync }).tables[0].validator).toEqual({ document: { $jsonSchema: ORDER_SCHEMA }, level: 'strict', action: 'error' });
  });

  it('a collection without one, a changed schema, a changed level: one collMod each re-applies the declared validator', () => {
    const changed = { ...inSync, validator: { $jsonSchema: { ...ORDER_SCHEMA, required: ['tenant_id'] } } };
    const drift = validatorDrift(ir, snap({ orders: changed, events: { validator: { $jsonSchema: jsonSchemaFor(ir.models.event) }, validationLevel: 'strict' }, plain: undefined }));
    expect(drift.map((d) => [d.table, d.properties])).toEqual([
      ['orders', ['validator']],
      ['events', ['validationLevel', 'validationAction']],
    ]);
    expect(drift[0].command).toEqual({ collMod: 'orders', validator: { $jsonSchema: ORDER_SCHEMA }, validationLevel: 'strict', validationAction: 'error' });
    const missing = validatorDrift(ir, snap({ orders: undefined }));
    expect(missing.map((d) => [d.table, d.properties, d.detail])).toEqual([['orders', ['validator', 'validationLevel', 'validationAction'], "collection 'orders' has no validator; the model declares one: push adds it with collMod"]]);
  });

  it('a validator on a collection whose model declares none is left alone; collections still to create get theirs with create', () => {
    expect(validatorDrift(ir, snap({ plain: { validator: { $jsonSchema: { bsonType: 'object' } } } }))).toEqual([]);
  });
});

describe('validator drift through core diff and push (adapter.tableDrift / pushTableObjects)', () => {
  it('diffSchema reports a missing or changed validator as a table mismatch, and push plans no note for it', async () => {
    const { adapter } = await import('../src/index.js');
    const { buildSchemaIR, diffSchema, f, model, planPush } = await import('@forge/core');
    const ir = buildSchemaIR({ user: model('users', { id: f.id(), email: f.string() }, { validator: true }) });
    const snap = { dialect: 'mongo', tables: [{ name: 'users', columns: [], indexes: [{ name: '_id_', columns: ['_id'], unique: true, primary: true }], foreignKeys: [] }], views: [] };
    const report = diffSchema(ir, snap as never, adapter);
    expect(report.inSync).toBe(false);
    expect(report.items).toEqual([expect.objectContaining({ kind: 'table', direction: 'mismatch', table: 'users', property: 'validator' })]);
    expect(report.items[0].detail).toContain('push adds it with collMod');
    expect(planPush(ir, snap as never, adapter).notes.filter((n) => n.includes('validator'))).toEqual([]);
  });
});
