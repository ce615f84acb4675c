import type { Connection } from '@forge/core';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTO_INCREMENT_DEFAULT, introspectMysql, normalizeColumnDefault, normalizeColumnType } from '../src/introspect.js';
import { probeMysql } from '../src/probe.js';
import { parseServerVersion, serverFeatures } from '../src/server.js';

const HOST = process.env.FORGE_TEST_MYSQL_HOST ?? '127.0.0.1';
const PORT = Number(process.env.FORGE_TEST_MYSQL_PORT ?? 3306);

/** A throwaway forge Connection over mysql2/promise: query only, which is all introspection uses. */
function rawConnection(c: mysql.Connection): Connection & { count(): number } {
  let queries = 0;
  const no = () => {
    throw new Error('not implemented in the test connection');
  };
  return {
    dialect: 'mysql',
    inTransaction: false,
    async query<R>(sql: string, params?: readonly unknown[]): Promise<R[]> {
      queries++;
      const [rows] = await c.query(sql, params as unknown[] | undefined);
      return rows as R[];
    },
    queryArrays: no,
    execute: no,
    stream: no,
    transaction: no,
    withSession: no,
    close: async () => {},
    count: () => queries,
  } as Connection & { count(): number };
}

describe('parseServerVersion / serverFeatures', () => {
  it('reads MariaDB and MySQL version strings', () => {
    expect(parseServerVersion('10.11.19-MariaDB-0+deb12u1')).toEqual({ flavor: 'mariadb', version: '10.11.19-MariaDB-0+deb12u1', major: 10, minor: 11, patch: 19 });
    expect(parseServerVersion('5.5.5-10.11.6-MariaDB')).toEqual({ flavor: 'mariadb', version: '10.11.6-MariaDB', major: 10, minor: 11, patch: 6 });
    expect(parseServerVersion('11.4.2-MariaDB')).toMatchObject({ flavor: 'mariadb', major: 11, minor: 4, patch: 2 });
    expect(parseServerVersion('8.0.36')).toEqual({ flavor: 'mysql', version: '8.0.36', major: 8, minor: 0, patch: 36 });
    expect(parseServerVersion('8.4.2')).toMatchObject({ flavor: 'mysql', major: 8, minor: 4, patch: 2 });
    expect(parseServerVersion('5.7.44-log')).toMatchObject({ flavor: 'mysql', major: 5, minor: 7, patch: 44 });
    expect(parseServerVersion('5.5.62')).toMatchObject({ flavor: 'mysql', major: 5, minor: 5, patch: 62 });
    expect(() => parseServerVersion('garbage')).toThrow(/version/);
  });

  it('derives features per flavour and version', () => {
    const f = (v: string) => serverFeatures(parseServerVersion(v));
    expect(f('10.11.19-MariaDB')).toEqual({ returning: true, functionalIndexes: false, checkConstraints: true, sridColumns: false, jsonIsText: true, instantAddColumn: true });
    expect(f('10.4.30-MariaDB')).toMatchObject({ returning: false, instantAddColumn: true });
    expect(f('10.3.1-MariaDB')).toMatchObject({ instantAddColumn: false, checkConstraints: true });
    expect(f('8.0.36')).toEqual({ returning: false, functionalIndexes: true, checkConstraints: true, sridColumns: true, jsonIsText: false, instantAddColumn: true });
    expect(f('8.0.12')).toMatchObject({ functionalIndexes: false, checkConstraints: false, instantAddColumn: true, sridColumns: true });
    expect(f('8.0.13')).toMatchObject({ functionalIndexes: true, checkConstraints: false });
    expect(f('8.0.16')).toMatchObject({ checkConstraints: true });
    expect(f('5.7.44-log')).toMatchObject({ functionalIndexes: false, checkConstraints: false, sridColumns: false, instantAddColumn: false });
  });
});

describe('normalizeColumnDefault', () => {
  const maria = (raw: string | null, type: string, extra = '') => normalizeColumnDefault(raw, { type, extra, flavor: 'mariadb' });
  const my = (raw: string | null, type: string, extra = '') => normalizeColumnDefault(raw, { type, extra, flavor: 'mysql' });

  it('gives MySQL 8 and MariaDB answers the same form', () => {
    expect(maria("'it''s'", 'varchar(20)')).toBe("'it''s'");
    expect(my("it's", 'varchar(20)')).toBe("'it''s'");
    expect(my('x\\y', 'varchar(20)')).toBe(maria("'x\\\\y'", 'varchar(20)'));
    expect(maria('NULL', 'varchar(20)')).toBeNull();
    expect(my(null, 'varchar(20)')).toBeNull();
    expect(maria("'NULL'", 'varchar(20)')).toBe("'NULL'");
    expect(my('NULL', 'varchar(20)')).toBe("'NULL'");
    expect(maria('0.00', 'decimal(10,2)')).toBe('0.00');
    expect(my('0.00', 'decimal(10,2)')).toBe('0.00');
    expect(my('1', 'tinyint(1)')).toBe('1');
    expect(my('a', "enum('a','b')")).toBe("'a'");
    for (const now of ['current_timestamp(3)', 'current_timestamp()']) expect(maria(now, 'datetime(3)')).toBe('CURRENT_TIMESTAMP');
    expect(my('CURRENT_TIMESTAMP(3)', 'datetime(3)', 'DEFAULT_GENERATED')).toBe('CURRENT_TIMESTAMP');
    expect(my('CURRENT_TIMESTAMP', 'timestamp', 'DEFAULT_GENERATED on update CURRENT_TIMESTAMP')).toBe('CURRENT_TIMESTAMP');
    expect(my('CURRENT_TIMESTAMP', 'timestamp')).toBe('CURRENT_TIMESTAMP'); // MySQL 5.7: no DEFAULT_GENERATED
    expect(my('uuid()', 'varchar(36)', 'DEFAULT_GENERATED')).toBe('uuid()');
    expect(maria('uuid()', 'varchar(36)')).toBe('uuid()');
    expect(my(null, 'int', 'auto_increment')).toBe(AUTO_INCREMENT_DEFAULT);
    expect(maria(null, 'int', 'STORED GENERATED')).toBeNull();
  });

  it('drops integer display widths but keeps tinyint(1) and zerofill', () => {
    expect(normalizeColumnType('INT(11)')).toBe('int');
    expect(normalizeColumnType('int(10) unsigned')).toBe('int unsigned');
    expect(normalizeColumnType('bigint(20)')).toBe('bigint');
    expect(normalizeColumnType('tinyint(1)')).toBe('tinyint(1)');
    expect(normalizeColumnType('int(5) unsigned zerofill')).toBe('int(5) unsigned zerofill');
    expect(normalizeColumnType('decimal(10,2)')).toBe('decimal(10,2)');
  });
});

describe('introspectMysql against a MySQL 8 catalog (canned rows)', () => {
  it('selects STATISTICS.EXPRESSION and joins TABLE_CONSTRAINTS for checks, keeps native json', async () => {
    const sqls: string[] = [];
    const rows = (sql: string): Record<string, unknown>[] => {
      if (sql.includes('VERSION()')) return [{ version: '8.0.36', db: 'app' }];
      if (sql.includes('information_schema.TABLES')) return [{ table_name: 'docs', table_type: 'BASE TABLE' }];
      if (sql.includes('information_schema.COLUMNS')) {
        return [
          { table_name: 'docs', column_name: 'id', position: 1, column_type: 'int', is_nullable: 'NO', column_default: null, extra: 'auto_increment' },
          { table_name: 'docs', column_name: 'body', position: 2, column_type: 'json', is_nullable: 'YES', column_default: null, extra: '' },
          { table_name: 'docs', column_name: 'title', position: 3, column_type: 'varchar(50)', is_nullable: 'NO', column_default: "it's", extra: '' },
        ];
      }
      if (sql.includes('information_schema.STATISTICS')) {
        return [
          { table_name: 'docs', index_name: 'PRIMARY', non_unique: 0, seq: 1, column_name: 'id', collation: 'A', sub_part: null, index_type: 'BTREE', expression: null },
          { table_name: 'docs', index_name: 'docs_lower_title', non_unique: 0, seq: 1, column_name: null, collation: 'A', sub_part: null, index_type: 'BTREE', expression: 'lower(`title`)' },
        ];
      }
      return [];
    };
    const conn = {
      dialect: 'mysql',
      async query(sql: string) {
        sqls.push(sql);
        return rows(sql);
      },
    } as unknown as Connection;
    const snap = await introspectMysql(conn);
    expect(sqls).toHaveLength(7);
    expect(sqls.some((s) => s.includes('EXPRESSION AS expression'))).toBe(true);
    expect(sqls.some((s) => s.includes('information_schema.TABLE_CONSTRAINTS'))).toBe(true);
    expect(snap.tables[0].columns).toEqual([
      { name: 'id', type: 'int', nullable: false, primaryKey: true, default: AUTO_INCREMENT_DEFAULT },
      { name: 'body', type: 'json', nullable: true, primaryKey: false, default: null },
      { name: 'title', type: 'varchar(50)', nullable: false, primaryKey: false, default: "'it''s'" },
    ]);
    expect(snap.tables[0].indexes).toEqual([{ name: 'docs_lower_title', columns: [], directions: [], unique: true, primary: false, method: 'btree', expression: 'lower(`title`)' }]);
  });
});

describe('introspectMysql and probeMysql against the live server', () => {
  const database = `forge_introspect_${Math.random().toString(36).slice(2, 10)}`;
  let admin: mysql.Connection;
  let client: mysql.Connection;
  let conn: Connection & { count(): number };

  beforeAll(async () => {
    admin = await mysql.createConnection({ host: HOST, port: PORT, user: 'root', multipleStatements: true });
    await admin.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4`);
    client = await mysql.createConnection({ host: HOST, port: PORT, user: 'root', database, multipleStatements: true });
    conn = rawConnection(client);
  });
  afterAll(async () => {
    await client?.end();
    await admin?.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await admin?.end();
  });

  it('reads tables, columns, defaults, indexes, foreign keys, search and views', async () => {
    await client.query(`
      CREATE TABLE users (
        id int AUTO_INCREMENT PRIMARY KEY,
        email varchar(120) NOT NULL,
        bio text,
        active tinyint(1) NOT NULL DEFAULT 1,
        balance decimal(10,2) NOT NULL DEFAULT 0.00,
        created_at datetime(3) DEFAULT CURRENT_TIMESTAMP(3),
        motto varchar(40) DEFAULT 'it''s',
        settings json,
        nickname varchar(40),
        UNIQUE KEY users_email (email),
        KEY users_active_created (active, created_at DESC)
      ) ENGINE=InnoDB;
      CREATE TABLE articles (
        id bigint AUTO_INCREMENT PRIMARY KEY,
        author_id int NOT NULL,
        title varchar(200) NOT NULL,
        body text,
        FULLTEXT KEY forge_articles_idx_fts (title, body),
        FULLTEXT KEY articles_title_ft (title),
        KEY articles_body_prefix (body(20)),
        CONSTRAINT articles_author_fk FOREIGN KEY (author_id) REFERENCES users (id) ON DELETE CASCADE
      ) ENGINE=InnoDB;
      CREATE TABLE _forge_migrations (name varchar(255) PRIMARY KEY, applied_at varchar(64));
      CREATE VIEW active_users AS SELECT id, email FROM users WHERE active = 1;
    `);
    const snap = await introspectMysql(conn);
    expect(snap.dialect).toBe('mysql');
    expect(snap.tables.map((t) => t.name)).toEqual(['_forge_migrations', 'articles', 'users']);
    const users = snap.tables.find((t) => t.name === 'users')!;
    expect(users.columns).toEqual([
      { name: 'id', type: 'int', nullable: false, primaryKey: true, default: AUTO_INCREMENT_DEFAULT },
      { name: 'email', type: 'varchar(120)', nullable: false, primaryKey: false, default: null },
      { name: 'bio', type: 'text', nullable: true, primaryKey: false, default: null },
      { name: 'active', type: 'tinyint(1)', nullable: false, primaryKey: false, default: '1' },
      { name: 'balance', type: 'decimal(10,2)', nullable: false, primaryKey: false, default: '0.00' },
      { name: 'created_at', type: 'datetime(3)', nullable: true, primaryKey: false, default: 'CURRENT_TIMESTAMP' },
      { name: 'motto', type: 'varchar(40)', nullable: true, primaryKey: false, default: "'it''s'" },
      { name: 'settings', type: 'json', nullable: true, primaryKey: false, default: null },
      { name: 'nickname', type: 'varchar(40)', nullable: true, primaryKey: false, default: null },
    ]);
    expect(users.indexes).toEqual([
      { name: 'users_active_created', columns: ['active', 'created_at'], directions: [1, -1], unique: false, primary: false, method: 'btree' },
      { name: 'users_email', columns: ['email'], directions: [1], unique: true, primary: false, method: 'btree' },
    ]);
    expect(users.foreignKeys).toEqual([]);

    const articles = snap.tables.find((t) => t.name === 'articles')!;
    expect(articles.columns.map((c) => [c.name, c.type])).toEqual([
      ['id', 'bigint'],
      ['author_id', 'int'],
      ['title', 'varchar(200)'],
      ['body', 'text'],
    ]);
    // The FK's own index (named after the constraint) is reported like any non-unique index; forge's search index is not.
    expect(articles.indexes).toEqual([
      { name: 'articles_author_fk', columns: ['author_id'], directions: [1], unique: false, primary: false, method: 'btree' },
      { name: 'articles_body_prefix', columns: ['body'], directions: [1], unique: false, primary: false, method: 'btree' },
      { name: 'articles_title_ft', columns: ['title'], unique: false, primary: false, method: 'fulltext' },
    ]);
    expect(articles.foreignKeys).toEqual([{ name: 'articles_author_fk', columns: ['author_id'], refTable: 'users', refColumns: ['id'], onDelete: 'cascade', onUpdate: 'restrict' }]);
    expect(snap.search).toEqual([{ table: 'articles', columns: ['title', 'body'], complete: true }]);

    expect(snap.views).toHaveLength(1);
    expect(snap.views[0]).toMatchObject({ name: 'active_users', materialized: false });
    // MySQL 8 parenthesises the WHERE clause, MariaDB does not.
    expect(snap.views[0].sql).toMatch(/^select `users`\.`id` AS `id`,`users`\.`email` AS `email` from `users` where \(?`users`\.`active` = 1\)?$/i);
    expect(snap.views[0].sql).not.toContain(database);
    expect(snap.internal).toEqual([]);
  });

  it('costs the same number of catalog queries for 1 and for 20 tables', async () => {
    const counts: number[] = [];
    for (const n of [1, 20]) {
      const db = `${database}_${n}`;
      await admin.query(`CREATE DATABASE \`${db}\``);
      const c = await mysql.createConnection({ host: HOST, port: PORT, user: 'root', database: db, multipleStatements: true });
      try {
        const ddl = ['CREATE TABLE t0 (id int PRIMARY KEY)'];
        for (let i = 1; i < n; i++) ddl.push(`CREATE TABLE t${i} (id int PRIMARY KEY, code varchar(20) UNIQUE, parent int, FOREIGN KEY (parent) REFERENCES t0 (id), body json)`);
        await c.query(ddl.join(';\n'));
        const counting = rawConnection(c);
        const snap = await introspectMysql(counting);
        expect(snap.tables).toHaveLength(n);
        counts.push(counting.count());
      } finally {
        await c.end();
        await admin.query(`DROP DATABASE IF EXISTS \`${db}\``);
      }
    }
    expect(counts[0]).toBe(counts[1]);
    expect(counts[0]).toBe(7);
  });

  it('probes the server: flavour, features and settings', async () => {
    const report = await probeMysql(conn);
    const [[{ v }]] = (await client.query('SELECT VERSION() AS v')) as unknown as [[{ v: string }]];
    const server = parseServerVersion(v);
    expect(report.dialect).toBe('mysql');
    expect(report.version).toBe(server.version);
    expect(report.features).toMatchObject({ flavor: server.flavor, ...serverFeatures(server), charset: 'utf8mb4' });
    expect(typeof report.features.sqlMode).toBe('string');
    expect(report.actions.some((a) => a.includes('utf8mb4'))).toBe(false);
  });

  it('turns settings into actions and never throws', async () => {
    const fake = (row: Record<string, unknown>) => ({ dialect: 'mysql', query: async () => [row] }) as unknown as Connection;
    const old = await probeMysql(fake({ version: '5.7.44-log', db: 'app', sql_mode: 'NO_BACKSLASH_ESCAPES', charset: 'latin1', collation: 'latin1_swedish_ci', lower_case_table_names: '1' }));
    expect(old.features).toMatchObject({ flavor: 'mysql', strictMode: false, noBackslashEscapes: true, charset: 'latin1', lowerCaseTableNames: '1', sridColumns: false });
    expect(old.actions.join('\n')).toMatch(/Upgrade MySQL to 8\.0/);
    expect(old.actions.join('\n')).toMatch(/STRICT_TRANS_TABLES/);
    expect(old.actions.join('\n')).toMatch(/NO_BACKSLASH_ESCAPES/);
    expect(old.actions.join('\n')).toMatch(/ALTER DATABASE `app` CHARACTER SET utf8mb4/);
    expect(old.actions.join('\n')).toMatch(/lower_case_table_names = 1/);
    const failing = await probeMysql({ dialect: 'mysql', query: async () => Promise.reject(new Error('boom')) } as unknown as Connection);
    expect(failing.features.error).toBe('boom');
    expect(failing.actions).toHaveLength(1);
  });
});
