import type { GeoPoint } from '@forge/core';

const EWKB_SRID_FLAG = 0x20000000;
/** The type code without the EWKB flag bits (Z, M, SRID); ISO WKB adds 1000/2000/3000 for Z/M/ZM instead. */
const EWKB_TYPE_MASK = 0x0fffffff;
const WKB_POINT = 1;

/**
 * A point from hex (E)WKB, which is how a `geography` column reads back as text: byte order, geometry type
 * (EWKB flag bits for SRID/Z/M), optional SRID, then x (lng) and y (lat).
 */
export function pointFromHexEwkb(hex: string): GeoPoint | undefined {
  if (hex.length < 42 || hex.length % 2 !== 0) return undefined;
  const buf = Buffer.from(hex, 'hex');
  const little = buf[0] === 1;
  const u32 = (at: number) => (little ? buf.readUInt32LE(at) : buf.readUInt32BE(at));
  const f64 = (at: number) => (little ? buf.readDoubleLE(at) : buf.readDoubleBE(at));
  const type = u32(1);
  if ((type & EWKB_TYPE_MASK) % 1000 !== WKB_POINT) return undefined;
  let at = 5;
  if (type & EWKB_SRID_FLAG) at += 4;
  if (buf.length < at + 16) return undefined;
  return { lng: f64(at), lat: f64(at + 8) };
}

const WKT_POINT = /^(?:SRID=\d+;)?\s*POINT\s*\(\s*(\S+)\s+(\S+)\s*\)$/i;

/** A point from (E)WKT: `SRID=4326;POINT(lng lat)`. */
export function pointFromWkt(text: string): GeoPoint | undefined {
  const m = WKT_POINT.exec(text.trim());
  if (!m) return undefined;
  const lng = Number(m[1]);
  const lat = Number(m[2]);
  return Number.isFinite(lng) && Number.isFinite(lat) ? { lng, lat } : undefined;
}

/** A point from the TEXT fallback's JSON: `{ "lng", "lat" }`, or GeoJSON `{ "type": "Point", "coordinates" }`. */
export function pointFromJson(text: string): GeoPoint | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  return pointFromObject(v);
}

export function pointFromObject(v: unknown): GeoPoint | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const o = v as { lng?: unknown; lat?: unknown; coordinates?: unknown };
  if (typeof o.lng === 'number' && typeof o.lat === 'number') return { lng: o.lng, lat: o.lat };
  if (Array.isArray(o.coordinates) && typeof o.coordinates[0] === 'number' && typeof o.coordinates[1] === 'number') {
    return { lng: o.coordinates[0], lat: o.coordinates[1] };
  }
  return undefined;
}
