import { ConfigError, redactUrl } from '@forge/core';

/** What a `mssql://` / `sqlserver://` URL says, in the shape the mssql ConnectionPool takes it. */
export interface MssqlUrlConfig {
  server: string;
  /** Absent with an instance name: the SQL Browser service tells the port then. */
  port?: number;
  /** Absent: the login's default database. */
  database?: string;
  user?: string;
  password?: string;
  instanceName?: string;
  encrypt: boolean;
  trustServerCertificate: boolean;
  /** Milliseconds a statement may run before the driver cancels it. */
  requestTimeout?: number;
  /** Milliseconds the login may take. */
  connectTimeout?: number;
  /** The pool's largest size. */
  poolMax?: number;
  appName?: string;
}

const SCHEME = /^(mssql|sqlserver):\/\//i;
const EXAMPLE = 'mssql://user:password@host:1433/database?encrypt=true&trustServerCertificate=false';

/** Query parameters forge reads, with their aliases (each maps to one config key). */
const PARAMS: Record<string, 'encrypt' | 'trustServerCertificate' | 'instanceName' | 'requestTimeout' | 'connectTimeout' | 'poolMax' | 'appName'> = {
  encrypt: 'encrypt',
  trustservercertificate: 'trustServerCertificate',
  trust_server_certificate: 'trustServerCertificate',
  instancename: 'instanceName',
  instance: 'instanceName',
  requesttimeout: 'requestTimeout',
  request_timeout: 'requestTimeout',
  connecttimeout: 'connectTimeout',
  connect_timeout: 'connectTimeout',
  connectiontimeout: 'connectTimeout',
  connection_limit: 'poolMax',
  connectionlimit: 'poolMax',
  pool_max: 'poolMax',
  appname: 'appName',
  applicationname: 'appName',
  application_name: 'appName',
};

const ACCEPTED = 'encrypt, trustServerCertificate, instanceName, requestTimeout, connectTimeout, connection_limit, applicationName';

const TRUE = new Set(['true', 'yes', '1', 'on']);
const FALSE = new Set(['false', 'no', '0', 'off']);

function fail(url: string, problem: string, next: string): never {
  throw new ConfigError(`The database URL '${redactUrl(url)}' ${problem}. ${next}`);
}

function decode(url: string, part: string, what: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return fail(url, `has a malformed percent-escape in the ${what}`, `Percent-encode reserved characters (%40 for @, %3A for :, %2F for /, %25 for %) as in ${EXAMPLE}`);
  }
}

/** SQL Server's own names: an instance name is at most 16 characters, letters, digits, `_`, `$` and `#` (not first). */
const INSTANCE = /^[A-Za-z_][A-Za-z0-9_$#]{0,15}$/;
/** A host: a DNS name, an IPv4 address, or an IPv6 address in brackets. */
const HOST = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?)$/;

/**
 * Parse a SQL Server URL: `mssql://` or `sqlserver://`, `user:password@host[:port][/database]`, an instance as
 * `host\INSTANCE` (`%5C` in the URL) or `?instanceName=`, and `encrypt`, `trustServerCertificate`,
 * `requestTimeout`, `connectTimeout` (ms), `connection_limit`, `applicationName` as query parameters. Anything
 * else is a `ConfigError` that names the problem and the fix, with the password masked.
 */
export function parseMssqlUrl(url: string): MssqlUrlConfig {
  if (typeof url !== 'string' || !SCHEME.test(url)) {
    return fail(String(url), 'is not a SQL Server URL', `Expected ${EXAMPLE} (mssql:// or sqlserver://)`);
  }
  const rest = url.replace(SCHEME, '');
  if (/^[^/?#]*;/.test(rest)) {
    return fail(url, 'uses the JDBC form (host;key=value;...)', `Write it as a URL: ${EXAMPLE}`);
  }
  const slash = rest.search(/[/?#]/);
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  let tail = slash < 0 ? '' : rest.slice(slash);
  if (tail.includes('#')) return fail(url, "has a '#' fragment", 'Remove it, or percent-encode a # in the password as %23');
  const at = authority.lastIndexOf('@');
  const userInfo = at < 0 ? undefined : authority.slice(0, at);
  const hostPort = at < 0 ? authority : authority.slice(at + 1);

  const cfg: MssqlUrlConfig = { server: '', encrypt: true, trustServerCertificate: false };
  if (userInfo !== undefined) {
    const colon = userInfo.indexOf(':');
    const user = decode(url, colon < 0 ? userInfo : userInfo.slice(0, colon), 'user name');
    if (user === '') return fail(url, 'has a password but no user name', `Put the login before it: ${EXAMPLE}`);
    cfg.user = user;
    if (colon >= 0) cfg.password = decode(url, userInfo.slice(colon + 1), 'password');
  }

  // host[\instance][:port] or [ipv6][:port]; the backslash may arrive percent-encoded (%5C).
  let hostPart = hostPort;
  let portPart: string | undefined;
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    if (close < 0) return fail(url, 'has an IPv6 host without its closing bracket', 'Write an IPv6 host as [::1]:1433');
    hostPart = hostPort.slice(0, close + 1);
    const after = hostPort.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) return fail(url, `has '${after}' after the IPv6 host`, 'Write an IPv6 host as [::1]:1433');
    if (after !== '') portPart = after.slice(1);
  } else {
    const colon = hostPort.indexOf(':');
    if (colon >= 0) {
      hostPart = hostPort.slice(0, colon);
      portPart = hostPort.slice(colon + 1);
    }
  }
  const sep = /\\|%5c/i.exec(hostPart);
  const host = decode(url, sep ? hostPart.slice(0, sep.index) : hostPart, 'host');
  if (host === '') return fail(url, 'names no host', `Add the server's host name after '//' (and the user's '@'): ${EXAMPLE}`);
  if (!HOST.test(host)) return fail(url, `has an invalid host '${host}'`, 'Use a DNS name, an IPv4 address or an IPv6 address in brackets');
  cfg.server = host.startsWith('[') ? host.slice(1, -1) : host;
  if (sep) {
    const instance = decode(url, hostPart.slice(sep.index + sep[0].length), 'instance name');
    if (!INSTANCE.test(instance)) return fail(url, `has an invalid instance name '${instance}'`, 'An instance name is 1 to 16 letters, digits or _ (as in host\\SQLEXPRESS)');
    cfg.instanceName = instance;
  }
  if (portPart !== undefined) {
    if (!/^\d{1,5}$/.test(portPart) || Number(portPart) < 1 || Number(portPart) > 65535) {
      return fail(url, `has an invalid port '${portPart}'`, 'The port is a number from 1 to 65535 (SQL Server listens on 1433 by default)');
    }
    cfg.port = Number(portPart);
  }

  let query = '';
  const q = tail.indexOf('?');
  if (q >= 0) {
    query = tail.slice(q + 1);
    tail = tail.slice(0, q);
  }
  const path = tail.replace(/^\//, '');
  if (path.includes('/')) return fail(url, `has a path '/${path}' with more than one segment`, 'The path is the database name alone: mssql://host:1433/<database>');
  if (path !== '') {
    const database = decode(url, path, 'database name');
    if (database.length > 128) return fail(url, 'names a database longer than 128 characters', 'SQL Server names are at most 128 characters');
    cfg.database = database;
  }

  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawKey = decode(url, eq < 0 ? pair : pair.slice(0, eq), 'query parameters');
    const value = decode(url, eq < 0 ? '' : pair.slice(eq + 1).replace(/\+/g, ' '), 'query parameters');
    const key = PARAMS[rawKey.toLowerCase()];
    if (!key) return fail(url, `has an unknown parameter '${rawKey}'`, `Accepted: ${ACCEPTED}`);
    switch (key) {
      case 'encrypt':
      case 'trustServerCertificate': {
        const v = value.toLowerCase();
        if (TRUE.has(v)) cfg[key] = true;
        else if (FALSE.has(v)) cfg[key] = false;
        else return fail(url, `has ${rawKey}=${value}, which is not true or false`, `Write ${rawKey}=true or ${rawKey}=false`);
        break;
      }
      case 'instanceName':
        if (!INSTANCE.test(value)) return fail(url, `has an invalid instance name '${value}'`, 'An instance name is 1 to 16 letters, digits or _ (as in instanceName=SQLEXPRESS)');
        if (cfg.instanceName !== undefined && cfg.instanceName !== value) {
          return fail(url, `names two instances ('${cfg.instanceName}' and '${value}')`, 'Give the instance once, as host\\INSTANCE or ?instanceName=');
        }
        cfg.instanceName = value;
        break;
      case 'requestTimeout':
      case 'connectTimeout':
      case 'poolMax': {
        if (!/^\d+$/.test(value)) return fail(url, `has ${rawKey}=${value}, which is not a whole number`, key === 'poolMax' ? 'Give the pool size as a number, e.g. connection_limit=10' : `Give ${rawKey} in milliseconds, e.g. ${rawKey}=60000 (0: no limit)`);
        const n = Number(value);
        if (key === 'poolMax' && n < 1) return fail(url, 'has connection_limit=0', 'A pool needs at least one connection: connection_limit=1 or more');
        cfg[key] = n;
        break;
      }
      case 'appName':
        cfg.appName = value;
        break;
    }
  }
  if (cfg.instanceName !== undefined && cfg.port !== undefined) {
    return fail(url, `names both a port (${cfg.port}) and an instance (${cfg.instanceName})`, 'Give one: the port connects directly, the instance name asks the SQL Browser service (UDP 1434) for the port');
  }
  return cfg;
}
