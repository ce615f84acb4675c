import { describe, expect, it } from 'vitest';
import { projectsCleanedAfterEach, USERS_SCHEMA } from './helpers.js';

const project = projectsCleanedAfterEach();

const LINT_SCHEMA = `import { model, f } from '@forge/core';
export const schema = {
  place: model('places', { id: f.id(), name: f.string(), city: f.string() }, {
    indexes: [
      { name: 'places_name_ci', keys: { name: 1 }, collation: { locale: 'en', strength: 2 } },
      { name: 'places_name_gin', keys: { name: 1 }, method: 'gin' },
      { name: 'places_city_cover', keys: { city: 1 }, include: ['name'] },
      { name: 'places_name_parser', keys: { name: 1 }, parser: 'ngram' },
      { keys: { city: 1, name: 1 } },
    ],
  }),
};
`;

describe('forge doctor', () => {
  it('without DATABASE_URL: still lists drivers and the schema, then exits 1 with the fix as an action item', () => {
    const p = project({ 'src/schema.ts': USERS_SCHEMA });
    const r = p.run(['doctor']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^Drivers$/m);
    expect(r.stdout).toMatch(/sqlite +better-sqlite3 \d+\.\d+\.\d+.*@forge\/adapter-sqlite \d/);
    // Every dialect has a row, installed or not (the workspace installs the mongo driver for its adapter).
    expect(r.stdout).toMatch(/^ {2}. mongo +mongodb (not installed|\d+\.\d+\.\d+)/m);
    expect(r.stdout).toMatch(/✓ src\/schema\.ts \(conventional path\): 2 models/);
    expect(r.stdout).toMatch(/Action items\n {2}1\. set DATABASE_URL .*DATABASE_URL=sqlite:\.\/app\.db npx forge push/);
  });

  it('an unknown prefix says how to pass the dialect to createDb, and exits 1', () => {
    const p = project({ 'src/schema.ts': USERS_SCHEMA });
    const r = p.run(['doctor'], { DATABASE_URL: 'cockroach://root:pw@localhost/db' });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/unknown prefix/);
    expect(r.stdout).toMatch(/type: 'postgres'/);
    expect(r.stdout).not.toContain(':pw@');
  });

  it('on SQLite: lints impossible index options, probes the database, exits 0', () => {
    const p = project({ 'src/schema.ts': LINT_SCHEMA });
    const r = p.run(['doctor'], { DATABASE_URL: p.url });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`✓ ${p.url} → sqlite`);
    expect(r.stdout).toMatch(/! places: index 'places_name_ci' sets collation, a MongoDB-only option/);
    expect(r.stdout).toMatch(/! places: index 'places_name_gin' uses method 'gin', which sqlite does not support/);
    expect(r.stdout).toMatch(/! places: index 'places_city_cover' has include/);
    expect(r.stdout).toMatch(/! places: index 'places_name_parser' sets parser 'ngram'/);
    expect(r.stdout).toMatch(/i places: an unnamed index on \(city, name\) gets the generated name 'forge_places_idx_city_name'/);
    expect(r.stdout).toMatch(/✓ connected: sqlite \d/);
    expect(r.stdout).toMatch(/address the 4 index warning\(s\)/);
  });

  it('speaks of what the schema uses: a missing spatial extension is an action item only for a schema with geo points', () => {
    const plain = project({ 'src/schema.ts': USERS_SCHEMA });
    const r = plain.run(['doctor'], { DATABASE_URL: plain.url });
    expect(r.code).toBe(0);
    const geo = project({
      'src/schema.ts': `import { model, f } from '@forge/core';
export const place = model('places', { id: f.id(), name: f.string(), at: f.geoPoint() });
`,
    });
    const g = geo.run(['doctor'], { DATABASE_URL: geo.url });
    expect(g.code).toBe(0);
    expect(g.stdout).toMatch(/· uses f\.geoPoint\(\) fields/);
    expect(r.stdout).not.toMatch(/· uses /);
    const actionItems = (out: string) => out.slice(out.indexOf('Action items'));
    if (/spatialite: no/.test(r.stdout)) {
      // The step is still shown, as a fact, so a reader knows what adding a geo field would take.
      expect(r.stdout).toMatch(/· not needed by this schema \(it has no f\.geoPoint\(\) fields\): SpatiaLite/);
      expect(actionItems(r.stdout)).not.toMatch(/mod_spatialite/);
      expect(actionItems(g.stdout)).toMatch(/\d\. SpatiaLite \(mod_spatialite\) is not installed/);
    } else {
      expect(actionItems(g.stdout)).not.toMatch(/mod_spatialite/);
    }
  });

  it('a schema that fails to load is a finding, not a crash', () => {
    const p = project({ 'src/schema.ts': "throw new Error('nope');\n" });
    const r = p.run(['doctor'], { DATABASE_URL: p.url });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/✗ the schema file src\/schema\.ts failed to load: nope/);
  });

  it('an unreachable database is reported with the password redacted, and does not fail the run', () => {
    const p = project({ 'src/schema.ts': USERS_SCHEMA });
    const r = p.run(['doctor'], { DATABASE_URL: 'postgres://app:hunter2@127.0.0.1:1/app' });
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toContain('hunter2');
    expect(r.stdout).toContain('postgres://app:***@127.0.0.1:1/app → postgres');
    expect(r.stdout).toMatch(/Live probe\n {2}(✗|·)/);
  });
});
