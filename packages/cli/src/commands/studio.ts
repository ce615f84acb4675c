import { spawn } from 'node:child_process';
import { connect, openAdapter } from '../adapter.js';
import { stringFlag, type CommandSpec } from '../command.js';
import { lockTimeoutMs } from '../config.js';
import { CliError, EXIT } from '../errors.js';
import { migrationsDir } from '../migrations.js';
import { prepare } from '../preflight.js';
import { loadSchema, resolveSchemaFile } from '../schema.js';

/** The browser the desktop would pick; a failure to start one is only a hint (the URL is printed anyway). */
function openBrowser(url: string): void {
  const [cmd, args] = process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', url]] : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args as string[], { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    /* no browser here: the printed URL is the way in */
  }
}

export const studio: CommandSpec = {
  name: 'studio',
  description: 'Open the local dashboard: data, ERD, drift, migrations and an SQL console, served from this machine only',
  usage: 'studio [--port 4983] [--host 127.0.0.1] [--no-open]',
  options: [
    ['--port <port>', 'Port to listen on (default 4983; 0 picks a free one)'],
    ['--host <host>', 'Interface to bind (default 127.0.0.1); anything but loopback exposes your database to the network'],
    ['--no-open', 'Do not open a browser; only print the URL'],
  ],
  help: [
    {
      title: 'Notes',
      body:
        '  Everything is served by this process (no CDN, no network). The page gets a token for this run;\n' +
        '  the API refuses calls without it and requests from other origins. Generate, Apply and Rollback are\n' +
        '  the same engine as `forge generate`, `forge migrate` and `forge migrate down`, with the same consent\n' +
        '  preview. Stop it with Ctrl-C.',
    },
    { title: 'Exit codes', body: '  0  stopped with Ctrl-C\n  1  pre-flight failed (no DATABASE_URL, schema did not load, port taken, database unreachable)' },
  ],
  examples: ['npx forge studio', 'npx forge studio --port 5000 --no-open'],
  async run(ctx, _args, flags) {
    const p = await prepare(ctx, stringFlag(flags, 'schema'));
    const portText = stringFlag(flags, 'port') ?? '4983';
    const port = Number(portText);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port ${portText} is not a port number`, 'pass a whole number from 1 to 65535 (or 0 for any free port)');
    const host = stringFlag(flags, 'host') ?? '127.0.0.1';
    const { startStudio, isLoopback } = await import('@forge/studio');
    if (!isLoopback(host)) {
      ctx.o.err(`${ctx.o.ce.yellow('warning:')} --host ${host} is not loopback: anyone who can reach this machine on port ${port} can open the studio page, and with it read and change your database. Use it only on a network you trust.`);
    }
    const adapter = await openAdapter(p.entry, ctx.cwd);
    const conn = await connect(adapter, p.url);
    const source = resolveSchemaFile({ cwd: ctx.cwd, flag: stringFlag(flags, 'schema'), env: ctx.env(), config: p.config });
    let server;
    try {
      server = await startStudio({
        adapter,
        conn,
        port,
        host,
        migrationsDir: migrationsDir(ctx.cwd, p.config),
        lockTimeoutMs: lockTimeoutMs(ctx.env(), p.config),
        // Read the file again on each reload, so a schema edit shows in the drift and generate views.
        loadSchema: async () => {
          const s = await loadSchema(source, ctx.cwd);
          return { ir: s.ir, models: s.models ?? {} };
        },
      });
    } catch (e) {
      await conn.close().catch(() => undefined);
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') throw new CliError(`port ${port} on ${host} is taken`, 'stop what runs there, or pick another port: forge studio --port 5000');
      if (code === 'EADDRNOTAVAIL') throw new CliError(`cannot bind ${host}: no such address on this machine`, 'use --host 127.0.0.1 (the default)');
      throw e;
    }
    const url = server.url;
    ctx.o.out(`forge studio on ${ctx.o.c.bold(url)}  (${adapter.kind}, schema ${p.schema.file})`);
    ctx.o.out(ctx.o.c.dim('  Ctrl-C stops it'));
    if (flags.open !== false) openBrowser(url);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await server.close();
    await conn.close().catch(() => undefined);
    return EXIT.ok;
  },
};
