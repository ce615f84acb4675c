/**
 * Hiding credentials before a database URL is printed. Every message that shows a URL (the CLI, `createDb`'s
 * errors, the adapters' connection errors) goes through `redactUrl`, so there is one rule to get right.
 */

const MASK = '***';

/** `scheme://`: any scheme, so `mssql://`, `mongodb+srv://` and schemes forge does not know yet are covered. */
const SCHEME = /^\s*[a-z][a-z0-9+.-]*:\/\//i;

/**
 * Parameter names whose value is a secret, compared case-insensitively with spaces removed: `password=`,
 * `pwd=`, `sslpassword=`, SQL Server's `Password=`, tokens and keys. `sslkey=` (a path) is not one.
 */
const SECRET_KEY = /^(?:[\w.-]*(?:password|passwd|pwd|secret|token|apikey|api_key|accesskey|access_key|accountkey|account_key)|pass|key)$/i;

/** `;key=value` (SQL Server JDBC URLs, ADO.NET/ODBC connection strings); values may be quoted or braced. */
const SEMICOLON_PARAM = /(^|;)(\s*)([^=;]+?)(\s*=\s*)("(?:[^"]|"")*"|'(?:[^']|'')*'|\{(?:[^}]|\}\})*\}|[^;]*)/g;

/** `?key=value` / `&key=value` in a URL's query string. */
const QUERY_PARAM = /([?&])([^=&#;?]+)=([^&#]*)/g;

/** What may follow the userinfo's '@': host names, ports, IPv6 brackets, a comma-separated host list. */
const HOST_LIST = /^[\w.\-:,[\]%]*$/;

const isSecretKey = (key: string) => SECRET_KEY.test(key.replace(/\s+/g, ''));

/**
 * The URL (or connection string) with every password replaced by `***`:
 *
 * - the userinfo password, up to the LAST '@' before the host, so an unencoded '@' in it
 *   (`postgres://u:Sekr3t@Tok9@host/db`) is hidden whole, for any scheme;
 * - secret parameters (`password=`, `pwd=`, `sslpassword=`, tokens, keys) in the query string and in
 *   semicolon-separated SQL Server / ODBC forms (`Password=...;`, quoted or braced values too).
 *
 * The user name, host, port, database and the other parameters stay, so the output still says which
 * database is meant. A URL with nothing secret in it (`sqlite:./app.db`, `duckdb:`) comes back unchanged.
 */
export function redactUrl(url: string): string {
  if (typeof url !== 'string' || url === '') return url;
  return redactUserInfo(redactParams(url));
}

function redactParams(url: string): string {
  return url
    .replace(SEMICOLON_PARAM, (all, sep: string, space: string, key: string, eq: string) => (isSecretKey(key) ? `${sep}${space}${key}${eq}${MASK}` : all))
    .replace(QUERY_PARAM, (all, sep: string, key: string) => (isSecretKey(key) ? `${sep}${key}=${MASK}` : all));
}

function redactUserInfo(url: string): string {
  const scheme = SCHEME.exec(url);
  if (!scheme) return url;
  const start = scheme[0].length;
  const rest = url.slice(start);
  const at = userInfoEnd(rest);
  if (at < 0) return url;
  const colon = rest.indexOf(':');
  // `user@host` carries no password.
  if (colon < 0 || colon > at) return url;
  return `${url.slice(0, start)}${rest.slice(0, colon + 1)}${MASK}${rest.slice(at)}`;
}

/** The index in `rest` (the URL after `scheme://`) of the '@' that ends the userinfo, or -1 when there is none. */
function userInfoEnd(rest: string): number {
  const delimiter = rest.search(/[/?#]/);
  const authority = delimiter < 0 ? rest : rest.slice(0, delimiter);
  const at = authority.lastIndexOf('@');
  if (at >= 0) return at;
  // No '@' in the authority: either there is no userinfo, or the password holds an unencoded '/', '?' or '#'
  // that ended the authority early (`u:ab/cd@host/db`). Only `user:secret` can be the latter, not `host:port`.
  if (delimiter < 0 || !authority.includes(':') || authority.startsWith('[') || /^[^:]*:\d*$/.test(authority)) return -1;
  for (let i = rest.indexOf('@', delimiter); i >= 0; i = rest.indexOf('@', i + 1)) {
    const host = rest.slice(i + 1).split(/[/?#]/, 1)[0];
    if (HOST_LIST.test(host)) return i;
  }
  return -1;
}
