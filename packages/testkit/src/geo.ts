import { buildSchemaIR, createDbWith, f, model, runPush, ValidationError, type Db } from '@forge/core';
import { describe, expect, it } from 'vitest';
import { itIf, withPushed, type ConformanceTarget } from './target.js';

const Place = model('places', { id: f.id({ type: 'int' }), name: f.string(), at: f.geoPoint().optional() });
const geoSchema = { place: Place };
type GeoDb = Db<typeof geoSchema>;

const PARIS = { lng: 2.3522, lat: 48.8566 };
/** Real cities; great-circle distances from Paris: London 344 km, Berlin 877 km, Madrid 1,053 km, New York 5,837 km. */
const CITIES = [
  { name: 'Paris', at: PARIS },
  { name: 'London', at: { lng: -0.1276, lat: 51.5072 } },
  { name: 'Berlin', at: { lng: 13.405, lat: 52.52 } },
  { name: 'Madrid', at: { lng: -3.7038, lat: 40.4168 } },
  { name: 'New York', at: { lng: -74.006, lat: 40.7128 } },
  { name: 'Nowhere', at: null },
];

const names = (rows: Array<{ name: string }>) => rows.map((r) => r.name);
const sorted = (rows: Array<{ name: string }>) => names(rows).sort();

async function geoCases(db: GeoDb): Promise<void> {
  await db.place.createMany({ data: CITIES });

  // near: a radius in metres around a point (the thresholds sit far from every city, so sphere and spheroid agree).
  expect(sorted(await db.place.findMany({ where: { at: { near: { ...PARIS, maxMeters: 900_000 } } } }))).toEqual(['Berlin', 'London', 'Paris']);
  expect(sorted(await db.place.findMany({ where: { at: { near: { ...PARIS, maxMeters: 300_000 } } } }))).toEqual(['Paris']);
  expect(await db.place.count({ where: { at: { near: { ...PARIS, maxMeters: 1 } } } })).toBe(1);
  // The far side of the Earth: no NaN or out-of-range error where the formula's argument reaches 1.
  expect(await db.place.count({ where: { at: { near: { lng: -177.6478, lat: -48.8566, maxMeters: 30_000_000 } } } })).toBe(5);

  // orderBy nearTo: nearest first, rows without a point last; with take, and combined with a filter.
  expect(names(await db.place.findMany({ orderBy: { at: { nearTo: PARIS } } }))).toEqual(['Paris', 'London', 'Berlin', 'Madrid', 'New York', 'Nowhere']);
  expect(names(await db.place.findMany({ orderBy: { at: { nearTo: [PARIS.lng, PARIS.lat], sort: 'desc' } }, where: { at: { not: null } }, take: 2 }))).toEqual([
    'New York',
    'Madrid',
  ]);
  expect(
    names(await db.place.findMany({ where: { at: { near: { ...PARIS, maxMeters: 1_100_000 } }, name: { not: 'Paris' } }, orderBy: { at: { nearTo: PARIS } }, take: 2 })),
  ).toEqual(['London', 'Berlin']);

  // withinPolygon: a box over western Europe, the same ring closed, and a concave L-shape (ray casting, not a bounding box).
  const box = [
    [-10, 35],
    [5, 35],
    [5, 55],
    [-10, 55],
  ] as const;
  expect(sorted(await db.place.findMany({ where: { at: { withinPolygon: box } } }))).toEqual(['London', 'Madrid', 'Paris']);
  expect(sorted(await db.place.findMany({ where: { at: { withinPolygon: [...box, box[0]] } } }))).toEqual(['London', 'Madrid', 'Paris']);
  const ell = [
    { lng: -10, lat: 35 },
    { lng: 20, lat: 35 },
    { lng: 20, lat: 45 },
    { lng: 0, lat: 45 },
    { lng: 0, lat: 55 },
    { lng: -10, lat: 55 },
  ];
  expect(sorted(await db.place.findMany({ where: { at: { withinPolygon: ell } } }))).toEqual(['London', 'Madrid']);
  expect(sorted(await db.place.findMany({ where: { NOT: { at: { withinPolygon: ell } }, at: { not: null } } }))).toEqual(['Berlin', 'New York', 'Paris']);
  expect(sorted(await db.place.findMany({ where: { at: null } }))).toEqual(['Nowhere']);

  // Bad input is refused before any SQL, naming the field and what it takes.
  const refused = async (where: unknown, message: RegExp) => {
    const e = await db.place.findMany({ where: where as never }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as Error).message).toMatch(message);
  };
  await refused({ at: { near: { lng: 2, lat: 95, maxMeters: 10 } } }, /place\.at\.near takes a point .*lat in -90\.\.90/);
  await refused({ at: { near: { ...PARIS } } }, /needs maxMeters/);
  await refused({ at: { near: { ...PARIS, maxMeters: Number.NaN } } }, /needs maxMeters/);
  await refused({ at: { withinPolygon: [[0, 0], [1, 1]] } }, /3 or more distinct vertices/);
  await refused({ at: { withinPolygon: [[0, 0], [1, '1; DROP TABLE places'], [2, 0]] } }, /withinPolygon\[1\] takes a point/);
  await refused({ at: { $near: PARIS } }, /Unknown filter operator '\$near'/);
  await refused({ at: {} }, /names no operator/);
  await expect(db.place.findMany({ orderBy: { at: { nearTo: { lng: 'x', lat: 1 } } } as never })).rejects.toThrow(/nearTo takes a point/);
  expect(await db.place.count()).toBe(6);
}

/** Geo filters and ordering on `f.geoPoint()` fields, on the dialect's storage (JSON text, GEOMETRY, geography). */
export function geoSuite(target: ConformanceTarget): void {
  const caps = target.adapter.capabilities;
  describe(`${target.name}: geo queries`, () => {
    itIf(caps, 'geoQueries', 'near, withinPolygon and orderBy nearTo on f.geoPoint(), with bad points refused', () => withPushed(target, geoSchema, geoCases));

    if (target.adapter.kind === 'postgres') {
      // The same cases on geography columns: the database gets PostGIS before the push, so the columns are geography.
      it('the same on PostGIS geography columns, where the server has PostGIS', async (ctx) => {
        const fresh = await target.fresh();
        try {
          const available = await fresh.conn.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_available_extensions WHERE name = 'postgis'`);
          if (available[0].n === 0) return ctx.skip('PostGIS is not available on this server (postgresql-<major>-postgis-3)');
          await fresh.conn.execute('CREATE EXTENSION IF NOT EXISTS postgis');
          const report = await runPush({ adapter: target.adapter, conn: fresh.conn, ir: buildSchemaIR(geoSchema) });
          expect(report.failures).toEqual([]);
          const [col] = await fresh.conn.query<{ t: string }>(`SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute WHERE attrelid = 'places'::regclass AND attname = 'at'`);
          expect(col.t).toMatch(/^geography/);
          const db = createDbWith(target.adapter, fresh.conn, geoSchema);
          const events: string[] = [];
          db.$on('query', (e) => events.push(String(e.sql)));
          await geoCases(db);
          expect(events.some((s) => s.includes('ST_DWithin('))).toBe(true);
          expect(events.some((s) => s.includes('ST_Covers('))).toBe(true);
        } finally {
          await fresh.cleanup();
        }
      });
    }
  });
}
