import { diffMany, f, model, pushMany } from '@forge/core';
import { describe, expect, it } from 'vitest';
import { adapter } from '../src/index.js';

/**
 * Database-per-tenant fan-out (`forge push --each` / `pushMany`) with mongodb:// URLs: core resolves the scheme to
 * this adapter, and each target connects, takes its own push lock and runs the ordinary push. Without a server
 * here, what is proven offline is the failure path: an unreachable target is that target's error, redacted,
 * within the connect timeout, and never stops the others. The push itself runs in live.test.ts.
 */
const schema = { user: model('users', { id: f.id(), email: f.string().unique() }) };

describe('fan-out over mongodb:// targets (offline: unreachable servers)', () => {
  it('each unreachable target is its own error, its password masked, the report in input order', async () => {
    const t0 = Date.now();
    const report = await pushMany(
      [
        { name: 'acme', url: 'mongodb://app:s3cret@127.0.0.1:1/tenant_acme' },
        'mongodb://app:s3cret@127.0.0.1:1/tenant_globex?authSource=admin',
      ],
      { schema, adapters: { mongo: adapter }, connectTimeoutMs: 300, concurrency: 2 },
    );
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(report.targets.map((t) => [t.name, t.dialect, t.status])).toEqual([
      ['acme', 'mongo', 'error'],
      ['mongodb://app:***@127.0.0.1:1/tenant_globex?authSource=admin', 'mongo', 'error'],
    ]);
    expect(report.failed).toHaveLength(2);
    expect(JSON.stringify(report)).not.toContain('s3cret');
    expect(report.targets[0].error).toMatch(/127\.0\.0\.1:1/);
  });

  it('a mongodb:// URL without a database is refused for that target, naming the fix', async () => {
    const report = await diffMany(['mongodb://127.0.0.1:1'], { schema, adapters: { mongo: adapter }, connectTimeoutMs: 300 });
    expect(report.targets[0].status).toBe('error');
    expect(report.targets[0].error).toMatch(/database/i);
  });
});
