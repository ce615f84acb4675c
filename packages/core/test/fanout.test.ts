import { describe, expect, it } from 'vitest';
import { checkConcurrency, normalizeTargets, parseTargets, postgresSchemaOf, pushMany } from '../src/index.js';

describe('fan-out target lists', () => {
  it('reads a URL per line, with names, comments and blank lines', () => {
    const text = '# tenants\n\nacme postgres://u:pw@h:5432/acme\r\n  sqlite:./b.db  \n# end\n';
    expect(parseTargets(text)).toEqual([{ name: 'acme', url: 'postgres://u:pw@h:5432/acme' }, { url: 'sqlite:./b.db' }]);
  });

  it('reads a JSON list of strings and { name, url }', () => {
    expect(parseTargets('[ "sqlite:a.db", { "name": "b", "url": "sqlite:b.db" } ]')).toEqual([{ url: 'sqlite:a.db' }, { name: 'b', url: 'sqlite:b.db' }]);
  });

  it('refuses bad lists before anything connects, naming the line and never the password', () => {
    expect(() => parseTargets('# nothing\n\n', 'tenants.txt')).toThrow(/tenants.txt names no targets/);
    expect(() => parseTargets('sqlite:a.db\nredis://u:hunter22@h/0', 'tenants.txt')).toThrow(/tenants.txt line 2: .*unknown prefix/);
    expect(() => parseTargets('sqlite:a.db\nredis://u:hunter22@h/0')).not.toThrow(/hunter22/);
    expect(() => parseTargets('a sqlite:a.db extra')).toThrow(/line 1 has 3 words/);
    expect(() => parseTargets('sqlite:a.db\n\nsqlite:a.db')).toThrow(/line 3 repeats the URL of line 1/);
    expect(() => parseTargets('x sqlite:a.db\nx sqlite:b.db')).toThrow(/repeats the name 'x'/);
    expect(() => parseTargets('[ "sqlite:a.db", ')).toThrow(/not valid JSON/);
    expect(() => parseTargets('[ 3 ]')).toThrow(/entry 1 has no URL/);
    expect(() => parseTargets('[ { "name": "", "url": "sqlite:a.db" } ]')).toThrow(/name that is not a non-empty string/);
    expect(() => normalizeTargets([])).toThrow(/names no targets/);
  });

  it('checks the concurrency: a whole number from 1 to 64, default 4', () => {
    expect(checkConcurrency(undefined)).toBe(4);
    expect(checkConcurrency(64)).toBe(64);
    expect(checkConcurrency('8')).toBe(8);
    for (const bad of [0, 65, 1.5, -1, '', 'four', '4x', true, Number.NaN]) expect(() => checkConcurrency(bad), String(bad)).toThrow(/whole number from 1 to 64/);
  });

  it('schema-per-tenant: ?schema= and ?search_path= become the startup option pg sends', () => {
    expect(postgresSchemaOf('postgres://h/db')).toBeUndefined();
    const t = postgresSchemaOf('postgres://u:pw@h/db?sslmode=disable&schema=tenant_a')!;
    expect(t.schemas).toEqual(['tenant_a']);
    expect(new URL(t.url).searchParams.get('options')).toBe('-c search_path=tenant_a');
    expect(new URL(t.url).searchParams.get('sslmode')).toBe('disable');
    expect(postgresSchemaOf('postgres://h/db?search_path=t1,public')!.schemas).toEqual(['t1', 'public']);
    expect(() => postgresSchemaOf('postgres://h/db?schema=a%20b')).toThrow(/'a b' is not a schema name/);
    expect(() => postgresSchemaOf("postgres://h/db?schema=x';drop")).toThrow(/is not a schema name/);
    expect(() => postgresSchemaOf('postgres://h/db?schema=a&search_path=b')).toThrow(/names its schema 2 times/);
    expect(() => postgresSchemaOf('postgres://h/db?schema=a&options=-c%20x%3D1')).toThrow(/both options= and schema=/);
    expect(() => parseTargets('postgres://h/db?schema=Bad-Name')).toThrow(/line 1: .*not a schema name/);
  });

  it('pushMany refuses bad options before connecting', async () => {
    await expect(pushMany(['sqlite:a.db'], { schema: { models: {} }, concurrency: 0 })).rejects.toThrow(/whole number from 1 to 64/);
    await expect(pushMany([], { schema: { models: {} } })).rejects.toThrow(/names no targets/);
    // @ts-expect-error: the schema is required
    await expect(pushMany(['sqlite:a.db'], {})).rejects.toThrow(/need \{ schema \}/);
  });
});
