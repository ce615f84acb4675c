import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, type Project } from './helpers.js';

let p: Project;
beforeAll(() => {
  p = makeProject({});
});
afterAll(() => p.cleanup());

describe('help, version and unknown commands', () => {
  it('forge --help lists every command, the environment and the exit codes', () => {
    const r = p.run(['--help']);
    expect(r.code).toBe(0);
    for (const cmd of ['push', 'diff [apply]', 'rollback', 'doctor']) expect(r.stdout).toContain(cmd);
    expect(r.stdout).toContain('DATABASE_URL');
    expect(r.stdout).toContain('FORGE_DIFF_IGNORE');
    expect(r.stdout).toMatch(/Exit codes/);
  });

  const perCommand: Array<[string[], RegExp[]]> = [
    [['push', '--help'], [/--enable-extensions/, /--schema <file>/, /2 +at least one statement failed/]],
    [['diff', '--help'], [/--json/, /--check/, /--ignore <list>/, /--dry/, /3 drift with --check/, /diff apply/]],
    [['diff', 'apply', '--help'], [/--dry/, /migrations\/<stamp>_drift\.sql/]],
    [['rollback', '--help'], [/exactly one migration/, /nothing to roll back/]],
    [['doctor', '--help'], [/Action items/, /1 +DATABASE_URL is missing or has an unknown prefix/]],
  ];
  for (const [args, patterns] of perCommand) {
    it(`forge ${args.join(' ')}`, () => {
      const r = p.run(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`\\$ forge ${args[0]}`));
      for (const pattern of patterns) expect(r.stdout).toMatch(pattern);
      expect(r.stderr).toBe('');
    });
  }

  it('forge --version prints the package version', () => {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    const r = p.run(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(version);
  });

  it('an unknown command prints the help and exits 1', () => {
    const r = p.run(['frobnicate']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Commands:');
    expect(r.stderr).toContain("forge: unknown command 'frobnicate'");
  });

  it('no command at all prints the help and exits 1', () => {
    const r = p.run([]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Commands:');
  });
});

describe('colour', () => {
  const ESC = '\u001b[';
  it('is off when stdout and stderr are not terminals, even on CI', () => {
    const r = p.run(['push'], { CI: 'true' });
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain(ESC);
  });

  it('FORCE_COLOR turns it on, NO_COLOR wins over FORCE_COLOR', () => {
    expect(p.run(['push'], { FORCE_COLOR: '1' }).stderr).toContain(ESC);
    expect(p.run(['push'], { FORCE_COLOR: '1', NO_COLOR: '1' }).stderr).not.toContain(ESC);
  });
});
