import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** better-sqlite3 belongs to the SQLite adapter; borrow it from there to inspect databases the CLI wrote. */
const requireFromAdapter = createRequire(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../adapter-sqlite/package.json'));

interface Statement {
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): unknown;
}
interface Database {
  prepare(sql: string): Statement;
  exec(sql: string): void;
  close(): void;
}

export function withDb<T>(file: string, fn: (db: Database) => T): T {
  const Ctor = requireFromAdapter('better-sqlite3') as new (file: string) => Database;
  const db = new Ctor(file);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

export function columnsOf(file: string, table: string): string[] {
  return withDb(file, (db) => (db.prepare(`PRAGMA table_info("${table}")`).all() as Array<{ name: string }>).map((c) => c.name));
}

export function tablesOf(file: string): string[] {
  return withDb(file, (db) =>
    (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).map((t) => t.name),
  );
}

export function ledgerRows(file: string): Array<{ name: string; applied_at: string }> {
  if (!tablesOf(file).includes('_forge_migrations')) return [];
  return withDb(file, (db) => db.prepare('SELECT name, applied_at FROM _forge_migrations').all() as Array<{ name: string; applied_at: string }>);
}
