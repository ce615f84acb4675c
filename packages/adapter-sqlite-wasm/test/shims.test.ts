import { createHash as nodeHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AsyncLocalStorage } from '../src/shims/async_hooks.js';
import { Buffer as BrowserBuffer } from '../src/shims/buffer.js';
import { createHash, randomUUID } from '../src/shims/crypto.js';
import * as fs from '../src/shims/unavailable.js';

// The browser bundle's stand-ins for node:* must answer as Node does where core relies on the answer: a generated
// index name hashed in the page must be the CLI's, or $diff would see every generated index as drift.
const SAMPLES = ['', 'a', 'abc', 'items\0idx\0title', 'é漢字🙂'.repeat(7), 'x'.repeat(55), 'y'.repeat(56), 'z'.repeat(64), 'q'.repeat(1000)];

describe('browser shims', () => {
  it('sha1 and sha256 digests equal node:crypto for every length class and for non-ASCII text', () => {
    for (const alg of ['sha1', 'sha256']) {
      for (const s of SAMPLES) expect(createHash(alg).update(s).digest('hex'), `${alg}(${JSON.stringify(s.slice(0, 10))})`).toBe(nodeHash(alg).update(s).digest('hex'));
      expect(createHash(alg).update('ab').update(new Uint8Array([99])).digest('hex')).toBe(nodeHash(alg).update('abc').digest('hex'));
    }
    expect(() => createHash('md5')).toThrow(/sha1 and sha256/);
  });

  it('randomUUID, Buffer.byteLength and the synchronous AsyncLocalStorage', () => {
    expect(randomUUID()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    for (const s of SAMPLES) expect(BrowserBuffer.byteLength(s)).toBe(Buffer.byteLength(s));
    const als = new AsyncLocalStorage<string>();
    expect(als.run('tx', () => als.getStore())).toBe('tx');
    expect(als.getStore()).toBeUndefined();
    expect(() => als.run('tx', () => {
      throw new Error('x');
    })).toThrow('x');
    expect(als.getStore()).toBeUndefined();
  });

  it('the Node-only stubs fail naming what is Node-only', () => {
    expect(() => fs.readFileSync('x')).toThrow(/fs.readFileSync is Node-only/);
    expect(() => (fs.default as unknown as { join(...a: string[]): string }).join('a', 'b')).toThrow(/path.join is Node-only/);
  });
});
