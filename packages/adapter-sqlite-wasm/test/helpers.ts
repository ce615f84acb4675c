import sqlite3InitModule from '@sqlite.org/sqlite-wasm';
import { MessageChannel } from 'node:worker_threads';
import { serveSqlite } from '../src/host.js';
import type { PortLike } from '../src/protocol.js';

/**
 * The worker's side served in this process over a real MessageChannel: every request and answer is posted and
 * structured-cloned exactly as between a page and its Worker. Node has no OPFS, so `auto` falls back to memory.
 */
export function channel(): { page: PortLike & { close(): void }; worker: PortLike & { close(): void } } {
  const { port1, port2 } = new MessageChannel();
  const worker = port2 as unknown as PortLike & { close(): void };
  serveSqlite(worker, { init: () => sqlite3InitModule() });
  return { page: port1 as unknown as PortLike & { close(): void }, worker };
}
