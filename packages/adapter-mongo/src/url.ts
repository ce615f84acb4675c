import { ConfigError, redactUrl } from '@forge/core';
import { MongoClient, type MongoClientOptions } from 'mongodb';

/** What a `mongodb://` / `mongodb+srv://` URL says, as forge uses it. */
export interface MongoUrlConfig {
  /** The URL as given (the driver parses it again; forge never rewrites a user's options). */
  url: string;
  /** The database named by the URL's path. */
  dbName: string;
  /** `host:port` per seed host (an SRV record's name for `mongodb+srv://`), for messages. */
  hosts: string[];
  srv: boolean;
  /** Options forge passes beside the URL: pool advice and a bounded server selection, unless the URL sets them. */
  options: MongoClientOptions;
}

const SCHEME = /^mongodb(\+srv)?:\/\//i;
export const EXAMPLE = 'mongodb://user:password@host:27017/database (or mongodb+srv://user:password@cluster.example.net/database)';

/**
 * Pool advice (seed 000): the driver's `maxPoolSize` of 100 is too high for most APIs; size it to the concurrency
 * target with a little headroom, keep two warm, and let idle sockets go after a minute.
 */
export const POOL_DEFAULTS = { maxPoolSize: 20, minPoolSize: 2, maxIdleTimeMS: 60_000 } as const;

/** How long forge waits for a server to answer before it fails, unless the URL says otherwise. */
export const DEFAULT_SELECTION_TIMEOUT_MS = 10_000;

function fail(url: string, problem: string, next: string): never {
  throw new ConfigError(`The database URL '${redactUrl(url)}' ${problem}. ${next}`);
}

/** The URL options the user set (lower-cased names), read without decoding values forge does not use. */
function optionNames(url: string): Set<string> {
  const q = url.indexOf('?');
  if (q < 0) return new Set();
  return new Set(
    url
      .slice(q + 1)
      .split('#')[0]
      .split('&')
      .filter(Boolean)
      .map((kv) => kv.split('=')[0].toLowerCase()),
  );
}

/** Database names MongoDB refuses: empty, over 63 bytes, or holding `/\. "$*<>:|?` (or NUL). */
const BAD_DB_CHARS = /[/\\. "$*<>:|?\0]/;

/**
 * Parse a MongoDB URL with the driver's own parser (the one `MongoClient` uses, so forge accepts exactly what the
 * driver does) and require a database in the path. Every failure is a `ConfigError` naming the problem and the fix,
 * with the password masked.
 */
export function parseMongoUrl(url: string, opts: { connectTimeoutMs?: number } = {}): MongoUrlConfig {
  if (typeof url !== 'string' || !SCHEME.test(url.trim())) {
    return fail(String(url), 'is not a MongoDB URL', `Expected ${EXAMPLE}`);
  }
  url = url.trim();
  const srv = /^mongodb\+srv:/i.test(url);
  const afterScheme = url.replace(SCHEME, '');
  const beforeQuery = afterScheme.split('?')[0];
  const hostPart = afterScheme.slice(beforeQuery.lastIndexOf('@') + 1);
  if (hostPart === '' || hostPart.startsWith('/') || hostPart.startsWith('?')) {
    return fail(url, 'names no host', `Put the server after the scheme: ${EXAMPLE}`);
  }
  const slash = hostPart.indexOf('/');
  const query = hostPart.indexOf('?');
  const rawDb = slash < 0 || (query >= 0 && query < slash) ? '' : hostPart.slice(slash + 1).split(/[?#]/)[0];
  if (rawDb === '') {
    const base = url.replace(/[?#].*$/, '').replace(/\/$/, '');
    return fail(url, 'names no database', `Put the database after the host, e.g. ${redactUrl(base)}/app (forge does not fall back to the driver's 'test' database)`);
  }
  let dbName: string;
  try {
    dbName = decodeURIComponent(rawDb);
  } catch {
    return fail(url, 'has a malformed percent-escape in the database name', `Percent-encode reserved characters (%40 for @, %3A for :, %2F for /, %25 for %) as in ${EXAMPLE}`);
  }
  if (BAD_DB_CHARS.test(dbName) || Buffer.byteLength(dbName) > 63) {
    return fail(url, `names the database '${dbName}', which MongoDB refuses`, 'A database name is at most 63 bytes without / \\ . space " $ * < > : | ? characters');
  }
  const set = optionNames(url);
  const options: MongoClientOptions = {};
  if (!set.has('maxpoolsize')) options.maxPoolSize = POOL_DEFAULTS.maxPoolSize;
  if (!set.has('minpoolsize')) options.minPoolSize = Math.min(POOL_DEFAULTS.minPoolSize, options.maxPoolSize ?? POOL_DEFAULTS.minPoolSize);
  if (!set.has('maxidletimems')) options.maxIdleTimeMS = POOL_DEFAULTS.maxIdleTimeMS;
  const timeout = opts.connectTimeoutMs ?? DEFAULT_SELECTION_TIMEOUT_MS;
  if (!set.has('serverselectiontimeoutms')) options.serverSelectionTimeoutMS = timeout;
  if (!set.has('connecttimeoutms')) options.connectTimeoutMS = timeout;
  let client: MongoClient;
  try {
    // Parses the URL and its options; no socket opens until connect() (and no SRV lookup).
    client = new MongoClient(url, options);
  } catch (e) {
    const reason = redactUrl(String((e as Error).message ?? e)).replace(/\.$/, '');
    return fail(url, `does not parse: ${reason}`, `Check it against ${EXAMPLE}; percent-encode '@', ':' and '/' in the user name and password`);
  }
  const hosts = srv ? [`${client.options.srvHost} (SRV)`] : client.options.hosts.map((h) => h.toString());
  if (client.options.minPoolSize > client.options.maxPoolSize && client.options.maxPoolSize > 0) {
    return fail(url, `sets minPoolSize=${client.options.minPoolSize} above maxPoolSize=${client.options.maxPoolSize}`, 'Lower minPoolSize or raise maxPoolSize');
  }
  return { url, dbName, hosts, srv, options };
}
