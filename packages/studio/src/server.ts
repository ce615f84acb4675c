/**
 * The studio's HTTP server: Node's `http` on loopback, the page's three files and the JSON API. Every API call
 * carries the per-run token the page was given; requests from another origin (or for another host name, as
 * DNS rebinding would send) are refused; there are no CORS headers, and the page's CSP allows no other host.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { ForgeError } from '@forge/core';
import { StudioApi, type StudioContext } from './api.js';
import { jsonText, StudioInputError } from './values.js';

export interface StudioOptions extends StudioContext {
  /** 4983 by default; 0 picks a free port. */
  port?: number;
  /** 127.0.0.1 by default. */
  host?: string;
  /** A fixed token (tests); a random one per run otherwise. */
  token?: string;
}

export interface StudioServer {
  url: string;
  port: number;
  host: string;
  token: string;
  api: StudioApi;
  close(): Promise<void>;
}

export const TOKEN_HEADER = 'x-forge-studio-token';
const MAX_BODY = 4 * 1024 * 1024;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function pageDir(): string {
  // src/page next to src/server.ts, or dist/page next to the bundle (copied by tsup.config.ts).
  return fileURLToPath(new URL('./page/', import.meta.url));
}

function readPage(): { js: string; css: string; html: string } {
  const dir = pageDir();
  return {
    js: readFileSync(`${dir}app.js`, 'utf8'),
    css: readFileSync(`${dir}style.css`, 'utf8'),
    html: readFileSync(`${dir}index.html`, 'utf8'),
  };
}

const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'none'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

function send(res: ServerResponse, status: number, type: string, body: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, {
    'content-type': type,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-resource-policy': 'same-origin',
    'content-security-policy': CSP,
    ...extra,
  });
  res.end(body);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, 'application/json; charset=utf-8', jsonText(body));
}

function sameToken(given: string | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Why a request is refused before any handler runs, or undefined when it may go on. */
export function refusal(req: IncomingMessage, allowedHosts: Set<string>, token: string, isApi: boolean): { status: number; error: string } | undefined {
  const host = req.headers.host ?? '';
  // Bound to every interface: any IP literal may name it, never a DNS name (which rebinding would use).
  const anyIp = allowedHosts.has('*') && /^(\d+\.\d+\.\d+\.\d+|\[[0-9a-f:.]+\]):\d+$/i.test(host);
  if (!anyIp && !allowedHosts.has(host.toLowerCase())) {
    return { status: 421, error: `host '${host}' is not this studio (open it at one of ${[...allowedHosts].map((h) => `http://${h}`).join(', ')})` };
  }
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${host}`) return { status: 403, error: `cross-origin request from ${origin} refused` };
  const site = req.headers['sec-fetch-site'];
  if (isApi && site !== undefined && site !== 'same-origin' && site !== 'none') return { status: 403, error: `cross-site request (${site}) refused` };
  if (!isApi) return undefined;
  if (!sameToken(req.headers[TOKEN_HEADER] as string | undefined, token)) {
    return { status: 401, error: `missing or wrong ${TOKEN_HEADER}: the studio page sends the token it was given at start; reload the page the forge studio command printed` };
  }
  if (req.method !== 'GET' && !String(req.headers['content-type'] ?? '').startsWith('application/json')) {
    return { status: 415, error: 'API calls send JSON (content-type: application/json)' };
  }
  return undefined;
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new StudioInputError(`request body over ${MAX_BODY} bytes`, {}, 413);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new StudioInputError(`the body is not JSON: ${(e as Error).message}`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new StudioInputError('the body must be a JSON object');
  return v as Record<string, unknown>;
}

type Handler = (api: StudioApi, body: Record<string, unknown>, url: URL) => Promise<unknown>;

const ROUTES: Record<string, Handler> = {
  'GET /api/schema': (api, _b, url) => api.schemaInfo(url.searchParams.get('reload') === '1'),
  'GET /api/tables': (api) => api.tables(),
  'POST /api/rows': (api, b) => api.rows(b),
  'POST /api/insert': (api, b) => api.insert(b),
  'POST /api/update': (api, b) => api.update(b),
  'POST /api/delete': (api, b) => api.remove(b),
  'POST /api/related': (api, b) => api.related(b),
  'GET /api/drift': (api) => api.drift(),
  'GET /api/migrations': (api) => api.migrations(),
  'POST /api/generate': (api, b) => api.generate(b),
  'POST /api/apply': (api, b) => api.apply(b),
  'POST /api/rollback': (api, b) => api.rollback(b),
  'POST /api/sql': (api, b) => api.sql(b),
};

function errorBody(e: unknown): { status: number; body: Record<string, unknown> } {
  if (e instanceof StudioInputError) return { status: e.status, body: { error: e.message, fields: e.fields } };
  const err = e as Error & { code?: string; meta?: Record<string, unknown> };
  const field = typeof err.meta?.field === 'string' ? err.meta.field : undefined;
  const known = e instanceof ForgeError || ['ValidationError', 'DbKnownError', 'ConfigError', 'SchemaError', 'MigrationError'].includes(err?.name);
  return {
    status: known ? 400 : 500,
    body: { error: err?.message ?? String(e), code: err?.code, fields: field ? { [field]: err.message } : {} },
  };
}

export async function startStudio(opts: StudioOptions): Promise<StudioServer> {
  const host = opts.host ?? '127.0.0.1';
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const api = new StudioApi(opts);
  await api.current();
  const page = readPage();
  let allowed = new Set<string>();
  // One request at a time on the one connection: a grid refresh cannot interleave with an apply.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://studio.invalid');
      const isApi = url.pathname.startsWith('/api/');
      const refused = refusal(req, allowed, token, isApi);
      if (refused) return json(res, refused.status, { error: refused.error });
      if (!isApi) {
        if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed');
        if (url.pathname === '/' || url.pathname === '/index.html') {
          return send(res, 200, 'text/html; charset=utf-8', page.html.replace('__FORGE_STUDIO_TOKEN__', token));
        }
        if (url.pathname === '/app.js') return send(res, 200, 'text/javascript; charset=utf-8', page.js);
        if (url.pathname === '/style.css') return send(res, 200, 'text/css; charset=utf-8', page.css);
        if (url.pathname === '/favicon.ico') return send(res, 204, 'image/x-icon', '');
        return send(res, 404, 'text/plain', 'not found');
      }
      const handler = ROUTES[`${req.method} ${url.pathname}`];
      if (!handler) return json(res, 404, { error: `no API ${req.method} ${url.pathname}` });
      try {
        const body = req.method === 'GET' ? {} : await readBody(req);
        const out = await serial(() => handler(api, body, url));
        json(res, 200, out);
      } catch (e) {
        const { status, body } = errorBody(e);
        json(res, status, body);
      }
    })().catch((e) => {
      if (!res.headersSent) json(res, 500, { error: (e as Error).message });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 4983, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  allowed = new Set([`${shownHost}:${port}`.toLowerCase()]);
  if (isLoopback(host)) for (const h of ['127.0.0.1', 'localhost', '[::1]']) allowed.add(`${h}:${port}`);
  if (host === '0.0.0.0' || host === '::') allowed.add('*');
  return {
    url: `http://${shownHost}:${port}/`,
    port,
    host,
    token,
    api,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
