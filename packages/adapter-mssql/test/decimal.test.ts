import { buildSchemaIR, diffSchema, f, model } from '@forge/core';
import { describe, expect, it } from 'vitest';
import { adapter, mssqlDdl } from '../src/index.js';
import { decodeDecimal } from '../src/codec.js';
import { snapshotFromCatalog, type CatalogRows, type ColumnRow } from '../src/introspect.js';

const Account = model('accounts', {
  id: f.id(),
  balance: f.decimal({ precision: 12, scale: 2 }),
  rate: f.decimal({ precision: 15, scale: 5 }).optional(),
  whole: f.decimal({ precision: 9 }).optional(),
  big: f.decimal().optional(),
  fee: f.decimal().dbType('decimal(18,4)').optional(),
});
const ir = buildSchemaIR({ Account });
const table = ir.models.Account;
const column = (name: string) => table.columns.find((c) => c.name === name)!;

/** sys.columns rows as SQL Server reports the table the DDL below creates (decimal: max_length 5/9/13/17 bytes by precision). */
const col = (name: string, id: number, type: string, over: Partial<ColumnRow>): ColumnRow => ({
  table_name: 'accounts',
  column_name: name,
  column_id: id,
  type_name: type,
  is_user_defined: false,
  base_type: type,
  max_length: 9,
  precision: 0,
  scale: 0,
  is_nullable: true,
  is_identity: false,
  is_computed: false,
  default_name: null,
  default_definition: null,
  ...over,
});

const rows: CatalogRows = {
  server: { schema_name: 'dbo', db: 'forge_test_1', version: '16.0.4135.4', has_vector: false },
  relations: [{ name: 'accounts', kind: 'U', definition: null }],
  columns: [
    col('id', 1, 'uniqueidentifier', { max_length: 16, is_nullable: false }),
    col('balance', 2, 'decimal', { max_length: 9, precision: 12, scale: 2, is_nullable: false }),
    col('rate', 3, 'decimal', { max_length: 9, precision: 15, scale: 5 }),
    col('whole', 4, 'decimal', { max_length: 5, precision: 9, scale: 0 }),
    col('big', 5, 'decimal', { max_length: 17, precision: 38, scale: 10 }),
    col('fee', 6, 'decimal', { max_length: 9, precision: 18, scale: 4 }),
  ],
  indexes: [
    {
      table_name: 'accounts',
      index_name: 'forge_accounts_pk',
      index_id: 1,
      type_desc: 'CLUSTERED',
      is_unique: true,
      is_primary_key: true,
      is_unique_constraint: false,
      has_filter: false,
      filter_definition: null,
      key_ordinal: 1,
      index_column_id: 1,
      is_included_column: false,
      is_descending_key: false,
      column_name: 'id',
    },
  ],
  foreignKeys: [],
  checks: [],
};

describe('DECIMAL(p,s) round trip: model, DDL, introspection, values', () => {
  it('the DDL carries precision and scale; the introspected types read them back and leave no drift', () => {
    const ddl = mssqlDdl.emit({ op: 'createTable', table }, { extensions: [], tables: [table] }).sql[0];
    expect(ddl).toContain('[balance] DECIMAL(12,2) NOT NULL');
    expect(ddl).toContain('[rate] DECIMAL(15,5) NULL');
    expect(ddl).toContain('[whole] DECIMAL(9,0) NULL');
    expect(ddl).toContain('[big] DECIMAL(38,10) NULL');
    expect(ddl).toContain('[fee] decimal(18,4) NULL');
    const snap = snapshotFromCatalog(rows);
    expect(snap.tables[0].columns.map((c) => c.type)).toEqual(['uniqueidentifier', 'decimal(12,2)', 'decimal(15,5)', 'decimal(9,0)', 'decimal(38,10)', 'decimal(18,4)']);
    const drift = diffSchema(ir, snap, adapter);
    expect(drift.items).toEqual([]);
  });

  it("values keep the column's scale through the codec (tedious hands DECIMAL over as a number)", () => {
    expect(decodeDecimal(120.5, column('balance'))).toBe('120.50');
    expect(decodeDecimal(0, column('balance'))).toBe('0.00');
    expect(decodeDecimal(-0.01, column('balance'))).toBe('-0.01');
    expect(decodeDecimal(9999999999.99, column('balance'))).toBe('9999999999.99');
    // 15 significant digits, the most a double carries exactly: DECIMAL(15,5) round-trips its full range.
    expect(decodeDecimal(1234567890.12345, column('rate'))).toBe('1234567890.12345');
    expect(decodeDecimal(-9999999999.99999, column('rate'))).toBe('-9999999999.99999');
    expect(decodeDecimal(0.1, column('rate'))).toBe('0.10000');
    expect(decodeDecimal(123456789, column('whole'))).toBe('123456789');
    expect(decodeDecimal(12.5, column('big'))).toBe('12.5000000000');
    expect(decodeDecimal(12.5, column('fee'))).toBe('12.5000');
    // A string (a driver that hands text over) is kept as it is.
    expect(decodeDecimal('120.50', column('balance'))).toBe('120.50');
    expect(adapter.codec.decode(120.5, column('balance'))).toBe('120.50');
  });

  it('every DECIMAL(12,2) value a double can carry reads back exactly: 2,000 values across the range', () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let i = 0; i < 2000; i++) {
      const cents = BigInt(next()) * 46566n + BigInt(next() % 46566);
      const whole = (cents % 99999999999n) * (i % 2 ? -1n : 1n);
      const text = `${whole < 0n ? '-' : ''}${(whole < 0n ? -whole : whole) / 100n}.${String((whole < 0n ? -whole : whole) % 100n).padStart(2, '0')}`;
      // What tedious computes from the wire: the unscaled integer divided by 10^scale, as a double.
      const wire = Number(whole) / 100;
      expect(decodeDecimal(wire, column('balance'))).toBe(text === '-0.00' ? '0.00' : text);
    }
  });
});
