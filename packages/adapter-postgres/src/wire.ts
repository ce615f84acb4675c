import { ValidationError } from '@forge/core';

/**
 * A geo point on its way to the driver. Its wire form depends on the column's storage, which depends on
 * whether PostGIS is installed: EWKT for `geography`, JSON for the TEXT fallback. The codec cannot know that
 * (it sees only the schema), the connection does, so the codec hands over this value and the connection
 * renders it when binding.
 */
export class GeoPointParam {
  constructor(
    readonly lng: number,
    readonly lat: number,
    readonly srid: number,
  ) {}
  toJSON(): { lng: number; lat: number } {
    return { lng: this.lng, lat: this.lat };
  }
}

/** A vector on its way to the driver: pgvector text form `[1,2]` with the extension, a float8 array without. */
export class VectorParam {
  constructor(readonly values: readonly number[]) {}
  toJSON(): readonly number[] {
    return this.values;
  }
}

/**
 * A JSON document on its way to the driver. pg takes JSON text; postgres.js serialises jsonb parameters
 * itself (text would be encoded a second time, as a JSON string), so each backend renders it its own way.
 */
export class JsonParam {
  constructor(readonly value: unknown) {}
  toJSON(): unknown {
    return this.value;
  }
}

export function geoPointText(p: GeoPointParam, postgis: boolean): string {
  return postgis ? `SRID=${p.srid};POINT(${p.lng} ${p.lat})` : JSON.stringify({ lng: p.lng, lat: p.lat });
}

export function vectorText(v: VectorParam, pgvector: boolean): string {
  return pgvector ? `[${v.values.join(',')}]` : `{${v.values.join(',')}}`;
}

/** A Postgres array literal. Elements are always quoted, so commas, braces and quotes in strings stay data. */
export function arrayLiteral(values: readonly unknown[]): string {
  const items = values.map((v) => {
    if (v === null || v === undefined) return 'NULL';
    if (Array.isArray(v)) return arrayLiteral(v);
    const text = v instanceof Date ? v.toISOString() : typeof v === 'object' ? JSON.stringify(v) : String(v);
    return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  });
  return `{${items.join(',')}}`;
}

export interface BindContext {
  /** Installed extensions: they decide the wire form of geo points and vectors. */
  extensions: ReadonlySet<string>;
  /** How the backend binds a JSON document. */
  json(value: unknown): unknown;
}

/**
 * Normalise bound values so pg and postgres.js receive the same thing: `undefined` is refused (it would
 * silently become NULL), bigint travels as text, arrays as array literals, plain objects as JSON documents,
 * typed arrays as Buffers. Dates and Buffers pass as they are.
 */
export function bindParams(params: readonly unknown[], ctx: BindContext): unknown[] {
  return params.map((v, i) => {
    if (v === undefined) {
      throw new ValidationError(`Query parameter $${i + 1} is undefined. Pass null for SQL NULL, or leave the field out.`, { index: i + 1 });
    }
    if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof Date || Buffer.isBuffer(v)) return v;
    if (ArrayBuffer.isView(v)) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    if (v instanceof JsonParam) return ctx.json(v.value);
    if (v instanceof GeoPointParam) return geoPointText(v, ctx.extensions.has('postgis'));
    if (v instanceof VectorParam) return vectorText(v, ctx.extensions.has('vector'));
    if (Array.isArray(v)) return arrayLiteral(v);
    if (typeof v === 'object') return ctx.json(v);
    throw new ValidationError(`Query parameter $${i + 1} is a ${typeof v}, which cannot be sent to PostgreSQL.`, { index: i + 1 });
  });
}
