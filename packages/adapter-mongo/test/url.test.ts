import { createServer } from 'node:net';
import { ConfigError, DbKnownError } from '@forge/core';
import { MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { connect, mongoDriver, parseMongoUrl, POOL_DEFAULTS } from '../src/index.js';

/** Each bad URL: the ConfigError's message must match, and never show the secret. */
const BAD: Array<{ name: string; url: string; message: RegExp; secret?: string[] }> = [
  { name: 'not a MongoDB scheme', url: 'mongo://u:pw@host/app', message: /is not a MongoDB URL\. Expected mongodb:\/\//, secret: ['pw@'] },
  { name: 'no host', url: 'mongodb:///app', message: /names no host/ },
  { name: 'no database (no path)', url: 'mongodb://u:Sekr3t@db.example.net:27017', message: /names no database\. Put the database after the host, e\.g\. mongodb:\/\/u:\*\*\*@db\.example\.net:27017\/app/, secret: ['Sekr3t'] },
  { name: 'no database (empty path)', url: 'mongodb://u:Sekr3t@db:27017/', message: /names no database/, secret: ['Sekr3t'] },
  { name: 'no database (options only)', url: 'mongodb://u:Sekr3t@db:27017/?replicaSet=rs0', message: /names no database/, secret: ['Sekr3t'] },
  { name: 'no database on +srv', url: 'mongodb+srv://u:Sekr3t@cluster0.example.net/?retryWrites=true', message: /names no database/, secret: ['Sekr3t'] },
  { name: 'a port that is not a number', url: 'mongodb://u:Sekr3t@db:notaport/app', message: /does not parse: Unable to parse host/, secret: ['Sekr3t'] },
  { name: 'a port out of range', url: 'mongodb://db:99999/app', message: /does not parse/ },
  { name: 'an unencoded @ in the password', url: 'mongodb://u:Sekr3t@Tok9@db:27017/app', message: /does not parse.*percent-encode '@'/i, secret: ['Sekr3t', 'Tok9'] },
  { name: 'a port on a +srv host', url: 'mongodb+srv://u:Sekr3t@cluster0.example.net:27017/app', message: /does not parse/, secret: ['Sekr3t'] },
  { name: 'two hosts on a +srv URL', url: 'mongodb+srv://a.example.net,b.example.net/app', message: /does not parse/ },
  { name: 'an unknown option value', url: 'mongodb://u:Sekr3t@db/app?retryWrites=maybe', message: /does not parse/, secret: ['Sekr3t'] },
  { name: 'a malformed %-escape in the database', url: 'mongodb://u:Sekr3t@db/app%zz', message: /(malformed percent-escape|does not parse)/, secret: ['Sekr3t'] },
  { name: 'a database name with a dot', url: 'mongodb://db/my.app', message: /names the database 'my\.app', which MongoDB refuses/ },
  { name: 'a database name with a space (encoded)', url: 'mongodb://db/my%20app', message: /which MongoDB refuses/ },
  { name: 'a database name over 63 bytes', url: `mongodb://db/${'a'.repeat(64)}`, message: /at most 63 bytes/ },
  { name: 'a password in the query string', url: 'mongodb://u@db:27017?password=Sekr3t', message: /names no database/, secret: ['Sekr3t'] },
  { name: 'minPoolSize above maxPoolSize', url: 'mongodb://db/app?maxPoolSize=2&minPoolSize=5', message: /(minPoolSize|does not parse)/ },
  { name: 'an empty string', url: '', message: /is not a MongoDB URL/ },
];

describe('MongoDB URLs: the bad-input corpus', () => {
  for (const c of BAD) {
    it(c.name, () => {
      let err: unknown;
      try {
        parseMongoUrl(c.url);
      } catch (e) {
        err = e;
      }
      expect(err, c.url).toBeInstanceOf(ConfigError);
      const message = (err as Error).message;
      expect(message).toMatch(c.message);
      for (const s of c.secret ?? []) expect(message).not.toContain(s);
    });
  }
});

describe('MongoDB URLs that parse', () => {
  it('the database from the path, hosts for messages, pool advice when the URL sets none', () => {
    const cfg = parseMongoUrl('mongodb://app:s3cret@h1:27017,h2/shop?replicaSet=rs0');
    expect(cfg.dbName).toBe('shop');
    expect(cfg.hosts).toEqual(['h1:27017', 'h2:27017']);
    expect(cfg.srv).toBe(false);
    expect(cfg.options).toEqual({ ...POOL_DEFAULTS, serverSelectionTimeoutMS: 10_000, connectTimeoutMS: 10_000 });
  });

  it("the URL's own pool and timeout options win over forge's", () => {
    const cfg = parseMongoUrl('mongodb://h/app?maxPoolSize=5&minPoolSize=1&maxIdleTimeMS=1000&serverSelectionTimeoutMS=250');
    expect(cfg.options).toEqual({ connectTimeoutMS: 10_000 });
    const client = new MongoClient(cfg.url, cfg.options);
    expect([client.options.maxPoolSize, client.options.minPoolSize, client.options.maxIdleTimeMS, client.options.serverSelectionTimeoutMS]).toEqual([5, 1, 1000, 250]);
  });

  it('mongodb+srv:// with an encoded database name; connectTimeoutMs bounds server selection', () => {
    const cfg = parseMongoUrl('mongodb+srv://u:p%40ss@cluster0.example.net/tenant_%C3%A9?retryWrites=true', { connectTimeoutMs: 1500 });
    expect(cfg.srv).toBe(true);
    expect(cfg.dbName).toBe('tenant_é');
    expect(cfg.options.serverSelectionTimeoutMS).toBe(1500);
    expect(cfg.hosts).toEqual(['cluster0.example.net (SRV)']);
  });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('connecting when no server answers', () => {
  it('fails fast with CONNECTION_FAILED, the host and port, the next step, and no password', async () => {
    const port = await closedPort();
    const started = Date.now();
    const err = await connect(`mongodb://app:Sekr3t@127.0.0.1:${port}/app`, { connectTimeoutMs: 800 }).catch((e: unknown) => e);
    const ms = Date.now() - started;
    expect(err).toBeInstanceOf(DbKnownError);
    expect((err as DbKnownError).code).toBe('CONNECTION_FAILED');
    const message = (err as Error).message;
    expect(message).toContain(`no server answered at 127.0.0.1:${port} within 800 ms`);
    expect(message).toMatch(/mongodb:\/\/app:\*\*\*@127\.0\.0\.1/);
    expect(message).toMatch(/Start mongod/);
    expect(message).not.toContain('Sekr3t');
    expect(ms).toBeLessThan(5_000);
  });

  it('a server that accepts TCP but never speaks MongoDB: still bounded', async () => {
    const server = createServer((s) => s.on('error', () => undefined));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const started = Date.now();
      const err = await connect(`mongodb://127.0.0.1:${port}/app?serverSelectionTimeoutMS=600&connectTimeoutMS=300`).catch((e: unknown) => e);
      expect((err as DbKnownError).code).toBe('CONNECTION_FAILED');
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      server.close();
    }
  });
});

describe('mongoDriver(client, dbName)', () => {
  it('wraps a MongoClient for one database, and refuses what is not one', () => {
    const client = new MongoClient('mongodb://127.0.0.1:1/x');
    const h = mongoDriver(client, 'tenant_1');
    expect(h).toMatchObject({ __forgeDriver: true, dialect: 'mongo', flavor: 'mongodb', options: { dbName: 'tenant_1' } });
    expect(() => mongoDriver({} as never, 'x')).toThrow(/takes a MongoClient/);
    expect(() => mongoDriver(client, 'a.b')).toThrow(/not a database name/);
    expect(() => mongoDriver(client, '')).toThrow(/not a database name/);
  });
});
