import {
  BIGINT,
  DOUBLE,
  DuckDBTypeId,
  DuckDBValue,
  LIST,
  VARCHAR,
  arrayFromArrayValue,
  arrayFromListValue,
  bigintFromBigIntValue,
  blobValue,
  booleanFromValue,
  bytesFromBitValue,
  bytesFromBlobValue,
  bytesFromGeometryValue,
  createDuckDBValueConverter,
  dateFromDateValue,
  dateFromTimestampMillisecondsValue,
  dateFromTimestampNanosecondsValue,
  dateFromTimestampSecondsValue,
  dateFromTimestampTZValue,
  dateFromTimestampValue,
  fromVariantValue,
  listValue,
  nullConverter,
  numberFromValue,
  objectArrayFromMapValue,
  objectFromIntervalValue,
  objectFromStructValue,
  objectFromUnionValue,
  stringFromValue,
  unsupportedConverter,
  type DuckDBType,
  type DuckDBValueConverter,
} from '@duckdb/node-api';

/**
 * How forge reads DuckDB values: like the driver's own JS conversion, except that DECIMAL (and HUGEINT-sized
 * numbers) never pass through a double. DECIMAL arrives as its exact text (`'120.50'`), the form forge returns
 * decimals in on every dialect; BIGINT and HUGEINT as bigint (the codec makes an int column a number); LIST
 * and ARRAY as arrays, STRUCT as objects, UUID and JSON as text, TIMESTAMP / TIMESTAMPTZ as Dates, GEOMETRY as
 * its WKB bytes (the codec reads a point out of them), TIME as its text.
 */
const text = (v: DuckDBValue): string => String(v);

export const readValue: DuckDBValueConverter<unknown> = createDuckDBValueConverter<unknown>({
  [DuckDBTypeId.INVALID]: unsupportedConverter,
  [DuckDBTypeId.BOOLEAN]: booleanFromValue,
  [DuckDBTypeId.TINYINT]: numberFromValue,
  [DuckDBTypeId.SMALLINT]: numberFromValue,
  [DuckDBTypeId.INTEGER]: numberFromValue,
  [DuckDBTypeId.BIGINT]: bigintFromBigIntValue,
  [DuckDBTypeId.UTINYINT]: numberFromValue,
  [DuckDBTypeId.USMALLINT]: numberFromValue,
  [DuckDBTypeId.UINTEGER]: numberFromValue,
  [DuckDBTypeId.UBIGINT]: bigintFromBigIntValue,
  [DuckDBTypeId.FLOAT]: numberFromValue,
  [DuckDBTypeId.DOUBLE]: numberFromValue,
  [DuckDBTypeId.TIMESTAMP]: dateFromTimestampValue,
  [DuckDBTypeId.DATE]: dateFromDateValue,
  [DuckDBTypeId.TIME]: text,
  [DuckDBTypeId.INTERVAL]: objectFromIntervalValue,
  [DuckDBTypeId.HUGEINT]: bigintFromBigIntValue,
  [DuckDBTypeId.UHUGEINT]: bigintFromBigIntValue,
  [DuckDBTypeId.VARCHAR]: stringFromValue,
  [DuckDBTypeId.BLOB]: bytesFromBlobValue,
  [DuckDBTypeId.DECIMAL]: text,
  [DuckDBTypeId.TIMESTAMP_S]: dateFromTimestampSecondsValue,
  [DuckDBTypeId.TIMESTAMP_MS]: dateFromTimestampMillisecondsValue,
  [DuckDBTypeId.TIMESTAMP_NS]: dateFromTimestampNanosecondsValue,
  [DuckDBTypeId.ENUM]: stringFromValue,
  [DuckDBTypeId.LIST]: arrayFromListValue,
  [DuckDBTypeId.STRUCT]: objectFromStructValue,
  [DuckDBTypeId.MAP]: objectArrayFromMapValue,
  [DuckDBTypeId.ARRAY]: arrayFromArrayValue,
  [DuckDBTypeId.UUID]: stringFromValue,
  [DuckDBTypeId.UNION]: objectFromUnionValue,
  [DuckDBTypeId.BIT]: bytesFromBitValue,
  [DuckDBTypeId.TIME_TZ]: text,
  [DuckDBTypeId.TIMESTAMP_TZ]: dateFromTimestampTZValue,
  [DuckDBTypeId.ANY]: unsupportedConverter,
  [DuckDBTypeId.BIGNUM]: bigintFromBigIntValue,
  [DuckDBTypeId.SQLNULL]: nullConverter,
  [DuckDBTypeId.STRING_LITERAL]: unsupportedConverter,
  [DuckDBTypeId.INTEGER_LITERAL]: unsupportedConverter,
  [DuckDBTypeId.TIME_NS]: text,
  [DuckDBTypeId.GEOMETRY]: bytesFromGeometryValue,
  [DuckDBTypeId.VARIANT]: fromVariantValue,
});

/** A JS array as a typed LIST: its element type from the values (the driver cannot type an empty list). */
function listOf(items: readonly unknown[]): { value: DuckDBValue; type: DuckDBType } {
  const values = items.map((v) => bindValue(v).value);
  const allInts = items.length > 0 && items.every((v) => typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v)));
  const allNumbers = items.length > 0 && items.every((v) => typeof v === 'number' || typeof v === 'bigint');
  const element = allInts ? BIGINT : allNumbers ? DOUBLE : VARCHAR;
  const typed = element === VARCHAR ? values.map((v) => (v === null || typeof v === 'string' ? v : String(v))) : element === BIGINT ? items.map((v) => BigInt(v as number)) : values;
  return { value: listValue(typed), type: LIST(element) };
}

/** One value as the driver binds it, with a type where the driver cannot infer one. */
export function bindValue(v: unknown): { value: DuckDBValue; type?: DuckDBType } {
  if (v === null || v === undefined) return { value: null };
  switch (typeof v) {
    case 'string':
    case 'boolean':
    case 'bigint':
      return { value: v };
    case 'number':
      return { value: v };
    case 'object':
      if (v instanceof Uint8Array) return { value: blobValue(v) };
      if (v instanceof Date) return { value: v.toISOString() };
      if (Array.isArray(v)) return listOf(v);
      // A driver value made by the caller (listValue, blobValue, ...) is bound as it is.
      if (v.constructor && v.constructor !== Object) return { value: v as DuckDBValue };
      return { value: JSON.stringify(v) };
    default:
      return { value: String(v) };
  }
}

/** Parameters as values and types for `bind(values, types)` (an undefined type: the driver infers it from the value). */
export function bindAll(params: readonly unknown[]): { values: DuckDBValue[]; types: DuckDBType[] } {
  const values: DuckDBValue[] = new Array(params.length);
  const types: (DuckDBType | undefined)[] = new Array(params.length);
  for (let i = 0; i < params.length; i++) {
    const b = bindValue(params[i]);
    values[i] = b.value;
    types[i] = b.type;
  }
  return { values, types: types as DuckDBType[] };
}
