import { describe, expect, it } from 'vitest';
import { ALWAYS_IGNORED, ConfigError, diffSchema, isAlwaysIgnored, isIgnored, parseIgnoreList } from '../src/index.js';
import type { Adapter, Capabilities, Dialect, SchemaIR, Snapshot } from '../src/index.js';

const baseCaps = { compareTypes: true, transactionalDdl: true, returning: true, savepoints: true, partialIndexes: true, expressionIndexes: true, coveringIndexes: true, indexMethods: [], alterAddForeignKey: true, dropColumn: true, fullTextSearch: false, jsonPath: false, nativeCursor: false, views: true, materializedViews: false, maxIdentifierLength: 63 };

describe('parseIgnoreList', () => {
  it('parses exact names and /regex/flags, as in the seed', () => {
    expect(parseIgnoreList('logs,/^_atlas_/i,events')).toEqual(['logs', /^_atlas_/i, 'events']);
  });

  it('trims items and skips empty ones', () => {
    expect(parseIgnoreList('  logs , ,sessions,, /^x/ ')).toEqual(['logs', 'sessions', /^x/]);
  });

  it('returns nothing for undefined, null and empty input', () => {
    expect(parseIgnoreList()).toEqual([]);
    expect(parseIgnoreList(null)).toEqual([]);
    expect(parseIgnoreList('')).toEqual([]);
    expect(parseIgnoreList(' , ')).toEqual([]);
  });

  it('keeps a comma that belongs to a regex quantifier', () => {
    expect(parseIgnoreList('/^t_\\d{1,3}$/,logs')).toEqual([/^t_\d{1,3}$/, 'logs']);
  });

  it('treats a lone leading slash as part of an exact name', () => {
    expect(parseIgnoreList('/tmp')).toEqual(['/tmp']);
  });

  it('throws a ConfigError naming the pattern and the regex error', () => {
    expect(() => parseIgnoreList('logs,/([a-/')).toThrow(ConfigError);
    expect(() => parseIgnoreList('/(unclosed/')).toThrow(/Ignore pattern '\/\(unclosed\/' is not a valid regular expression \(.+\)/);
    expect(() => parseIgnoreList('/x/q')).toThrow(/'\/x\/q'.*flag/i);
  });

  it('refuses an empty regex, which would hide every table', () => {
    expect(() => parseIgnoreList('//')).toThrow(/empty regular expression/);
  });
});

describe('isIgnored', () => {
  it('matches exact strings exactly and regexes anywhere', () => {
    const p = parseIgnoreList('logs,/^_atlas_/i,/_hyper_/');
    expect(isIgnored('logs', p)).toBe(true);
    expect(isIgnored('logs2', p)).toBe(false);
    expect(isIgnored('_ATLAS_meta', p)).toBe(true);
    expect(isIgnored('x_hyper_1', p)).toBe(true);
    expect(isIgnored('users', p)).toBe(false);
  });

  it('is stable for global and sticky regexes', () => {
    const p = [/^a/g];
    expect([isIgnored('ab', p), isIgnored('ab', p), isIgnored('ab', p)]).toEqual([true, true, true]);
  });
});

describe('always ignored', () => {
  it('covers the ledger and the push lock table only: engine objects are never guessed from their names', () => {
    expect(ALWAYS_IGNORED).toEqual(['_forge_migrations', '_forge_lock']);
    expect(isAlwaysIgnored('_forge_migrations')).toBe(true);
    expect(isAlwaysIgnored('_forge_lock')).toBe(true);
    for (const name of ['users', 'posts_fts', 'posts_FTS_config', 'idx_notes_fts_lookup', 'my_sqlite_x', '_forge_locks', 'forge_lock']) expect(isAlwaysIgnored(name)).toBe(false);
  });

  it('never reports _forge_lock as an extra table, on any dialect', () => {
    const caps = (dialect: Dialect) => ({ ...baseCaps, dialect }) as Capabilities;
    for (const dialect of ['sqlite', 'postgres', 'mysql', 'duckdb', 'mssql', 'mongo'] as const) {
      const snap: Snapshot = { dialect, tables: [{ name: '_forge_lock', columns: [], indexes: [], foreignKeys: [] }], views: [], internal: [] } as unknown as Snapshot;
      const report = diffSchema({ models: {} } as unknown as SchemaIR, snap, { kind: dialect, capabilities: caps(dialect), facts: {} } as unknown as Adapter);
      expect(report.items.filter((i) => i.table === '_forge_lock'), dialect).toEqual([]);
    }
  });

  it('adds the snapshot internal list and the dialect system tables', () => {
    expect(isAlwaysIgnored('spatial_ref_sys', {}, { systemTables: [/^spatial_ref_sys$/] })).toBe(true);
    expect(isAlwaysIgnored('trigger_backing', { internal: ['trigger_backing'] })).toBe(true);
    expect(isAlwaysIgnored('trigger_backing', { internal: [] })).toBe(false);
  });
});
