import { ValidationError, type ColumnIR, type ValueCodec } from '@forge/core';
import { Decimal128, Long, ObjectId } from 'mongodb';

const HEX24 = /^[0-9a-f]{24}$/i;

/**
 * JS values to BSON and back. `f.objectId()` fields hold ObjectIds (given and read as 24-hex strings); `f.id()`
 * keys keep the id the client generated; bigint is a 64-bit Long, decimal a Decimal128 (read back as text, no
 * rounding), dates are BSON dates (ISO strings too). Embedded documents and JSON pass through (checked for `$` keys by the compiler).
 */
export const mongoCodec: ValueCodec = {
  encode(value, column) {
    if (value === null || value === undefined) return value;
    switch (column.kind) {
      case 'objectId':
        if (value instanceof ObjectId) return value;
        if (typeof value === 'string' && HEX24.test(value)) return new ObjectId(value);
        throw new ValidationError(`${column.field}: an ObjectId is 24 hex characters, got ${JSON.stringify(String(value)).slice(0, 40)}`, { field: column.field });
      case 'bigint':
        return typeof value === 'bigint' ? Long.fromBigInt(value) : typeof value === 'number' ? Long.fromNumber(value) : value;
      case 'decimal':
        return typeof value === 'string' || typeof value === 'number' ? Decimal128.fromString(String(value)) : value;
      case 'dateTime':
        // An ISO string (the client accepts one) is stored as a BSON date, as SQL stores a timestamp: it sorts,
        // compares and passes a `$jsonSchema` validator's bsonType 'date' like a Date does.
        return typeof value === 'string' ? new Date(value) : value;
      default:
        return value;
    }
  },
  decode(value, column: ColumnIR) {
    if (value === null || value === undefined) return null;
    if (value instanceof ObjectId) return value.toHexString();
    if (value instanceof Decimal128) return value.toString();
    if (value instanceof Long) return column.kind === 'bigint' ? value.toBigInt() : value.toNumber();
    if (column.kind === 'bigint' && typeof value === 'number') return BigInt(value);
    return value;
  },
  passthrough(column) {
    return !['objectId', 'bigint', 'decimal', 'id'].includes(column.kind);
  },
};
