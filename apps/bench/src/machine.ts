import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { BENCH_DIR, postgresUrlFor } from './common.js';
import { mysqlServerVersion } from './dataset.js';

export interface MachineFacts {
  date: string;
  cpu: string;
  cores: number;
  ramGb: number;
  loadAvg: string;
  os: string;
  node: string;
  versions: Record<string, string>;
  sqlite?: string;
  postgres?: string;
  /** `VERSION()` of the MySQL / MariaDB server at FORGE_BENCH_MYSQL_URL. */
  mysql?: string;
}

/** The version a direct dependency of apps/bench resolved to (pnpm links each one under node_modules). */
export function depVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(path.join(BENCH_DIR, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

export async function machineFacts(): Promise<MachineFacts> {
  const cpus = os.cpus();
  const facts: MachineFacts = {
    date: new Date().toISOString(),
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    ramGb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    loadAvg: os.loadavg().map((x) => x.toFixed(2)).join(' '),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    versions: Object.fromEntries(
      ['forge-orm', 'better-sqlite3', 'pg', 'mysql2', 'drizzle-orm', 'kysely', '@prisma/client', 'prisma', '@prisma/adapter-better-sqlite3', '@prisma/adapter-pg', '@duckdb/node-api'].map((n) => [n, depVersion(n)]),
    ),
  };
  try {
    const db = new Database(':memory:');
    facts.sqlite = (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
    db.close();
  } catch {
    // Reported as unknown.
  }
  try {
    const c = new pg.Client({ connectionString: postgresUrlFor('postgres'), connectionTimeoutMillis: 3000 });
    await c.connect();
    facts.postgres = (await c.query('SHOW server_version')).rows[0].server_version;
    await c.end();
  } catch {
    // Postgres is optional: its rows then carry the connection error.
  }
  try {
    facts.mysql = await mysqlServerVersion();
  } catch {
    // MySQL is optional too.
  }
  return facts;
}
