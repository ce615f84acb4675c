import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadEnv, requireDatabaseUrl } from '../src/env.js';
import { CliError } from '../src/errors.js';
import { collectIgnore } from '../src/ignore.js';
import { colorEnabled } from '../src/output.js';

describe('collectIgnore', () => {
  it('stacks config, FORGE_DIFF_IGNORE and --ignore in that order', () => {
    const got = collectIgnore({ config: ['audit', /^tmp_/, '/^x/i'], env: 'logs,/^_atlas_/i', flag: 'sessions' });
    expect(got.map(String)).toEqual(['audit', '/^tmp_/', '/^x/i', 'logs', '/^_atlas_/i', 'sessions']);
  });

  it('accepts a repeated flag, a numeric name and a config string', () => {
    expect(collectIgnore({ config: 'a,b', flag: ['c', 123] }).map(String)).toEqual(['a', 'b', 'c', '123']);
  });

  it('names the source of a broken pattern', () => {
    expect(() => collectIgnore({ env: '/([/' })).toThrow(/^FORGE_DIFF_IGNORE: /);
    expect(() => collectIgnore({ config: ['/(/'] })).toThrow(/^forge\.config ignore: /);
    expect(() => collectIgnore({ flag: '/([/' })).toThrow(CliError);
  });
});

describe('colorEnabled', () => {
  it('only for a terminal, never with NO_COLOR, FORCE_COLOR forces it', () => {
    expect(colorEnabled({ isTTY: true }, {})).toBe(true);
    expect(colorEnabled({ isTTY: false }, { CI: 'true' })).toBe(false);
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
    expect(colorEnabled({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
    expect(colorEnabled({ isTTY: true }, { FORCE_COLOR: '0' })).toBe(true);
    expect(colorEnabled({ isTTY: false }, { FORCE_COLOR: '0' })).toBe(false);
  });
});

describe('loadEnv', () => {
  it('reads .env and lets the process environment win', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'forge-env-'));
    try {
      writeFileSync(path.join(dir, '.env'), 'DATABASE_URL=sqlite:./from-file.db\nFORGE_DIFF_IGNORE="logs,/^_/i"\n');
      expect(loadEnv(dir, {})).toMatchObject({ DATABASE_URL: 'sqlite:./from-file.db', FORGE_DIFF_IGNORE: 'logs,/^_/i' });
      expect(loadEnv(dir, { DATABASE_URL: 'postgres://env/db' }).DATABASE_URL).toBe('postgres://env/db');
      expect(loadEnv(path.join(dir, 'none'), {}).DATABASE_URL).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a missing or blank DATABASE_URL is a pre-flight error with an example', () => {
    for (const env of [{}, { DATABASE_URL: '  ' }]) {
      expect(() => requireDatabaseUrl(env)).toThrow(/DATABASE_URL is not set/);
    }
  });
});
