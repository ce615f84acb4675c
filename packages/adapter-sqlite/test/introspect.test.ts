import { describe, expect, it } from 'vitest';
import { introspectSqlite, sqliteDdl } from '../src/index.js';
import { counting, memory } from './helpers.js';

describe('introspectSqlite', () => {
  it.each([1, 10, 200])('reads %i tables in the same number of statements', async (n) => {
    const conn = await memory();
    for (let i = 0; i < n; i++) {
      await conn.execute(`CREATE TABLE t${i} (id TEXT PRIMARY KEY NOT NULL, parent TEXT REFERENCES t0(id), v INTEGER)`);
      await conn.execute(`CREATE INDEX t${i}_v ON t${i} (v)`);
    }
    const { conn: counted, count } = counting(conn);
    const snap = await introspectSqlite(counted);
    expect(snap.tables).toHaveLength(n);
    expect(snap.tables.every((t) => t.columns.length === 3 && t.foreignKeys.length === 1)).toBe(true);
    expect(count()).toBe(4);
    await conn.close();
  });

  it('reads a database forge did not create', async () => {
    const conn = await memory();
    await conn.execute(`CREATE TABLE parent (a INTEGER, b TEXT, "we""ird" BLOB, PRIMARY KEY (a, b), UNIQUE (b))`);
    await conn.execute(`CREATE TABLE child (id INTEGER PRIMARY KEY, pa INTEGER, pb TEXT, note varchar(20) DEFAULT 'x',
      FOREIGN KEY (pa, pb) REFERENCES parent ON DELETE SET DEFAULT)`);
    await conn.execute(`CREATE INDEX "odd (name)" ON child (note COLLATE NOCASE DESC, (pa + 1), pb) WHERE note <> ')' AND pb IN ('a,b', "pa")`);
    await conn.execute(`CREATE VIEW v (x, y) AS SELECT a, b FROM parent`);
    const snap = await introspectSqlite(conn);

    const parent = snap.tables.find((t) => t.name === 'parent')!;
    expect(parent.columns.map((c) => [c.name, c.type, c.nullable, c.primaryKey])).toEqual([
      ['a', 'integer', false, true],
      ['b', 'text', false, true],
      ['we"ird', 'blob', true, false],
    ]);
    expect(parent.indexes.map((i) => [i.columns, i.unique, i.primary])).toEqual([
      [['a', 'b'], true, true],
      [['b'], true, false],
    ]);

    const child = snap.tables.find((t) => t.name === 'child')!;
    expect(child.columns.find((c) => c.name === 'id')).toMatchObject({ type: 'integer', nullable: false, primaryKey: true });
    expect(child.columns.find((c) => c.name === 'note')).toMatchObject({ type: 'varchar(20)', default: `'x'` });
    expect(child.foreignKeys).toEqual([
      { name: 'forge_child_fk_pa_pb', columns: ['pa', 'pb'], refTable: 'parent', refColumns: ['a', 'b'], onDelete: 'setDefault', onUpdate: 'noAction' },
    ]);
    expect(child.indexes).toEqual([
      {
        name: 'odd (name)',
        columns: ['note', 'pb'],
        directions: [-1, 1],
        unique: false,
        primary: false,
        where: `note <> ')' AND pb IN ('a,b', "pa")`,
        expression: 'pa + 1',
      },
    ]);
    expect(snap.views).toEqual([{ name: 'v', materialized: false, sql: 'SELECT a, b FROM parent' }]);
    await conn.close();
  });

  it('puts FTS tables, their shadow tables and triggers, and sqlite_ tables in internal', async () => {
    const conn = await memory();
    await conn.execute('CREATE TABLE docs (id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT)');
    await conn.execute('ANALYZE');
    const table = { name: 'docs', columns: [], primaryKey: ['id'], indexes: [], foreignKeys: [], relations: [], readonly: false };
    const title = { field: 'title', name: 'title', kind: 'string' as const, nullable: true, primaryKey: false, unique: false, searchable: true };
    for (const sql of sqliteDdl.emit({ op: 'createSearch', table, columns: [title] }).sql) await conn.execute(sql);
    await conn.execute(`CREATE VIRTUAL TABLE spots USING rtree(id, x0, x1)`);
    const snap = await introspectSqlite(conn);
    expect(snap.tables.map((t) => t.name)).toEqual(['docs']);
    expect(snap.internal?.sort()).toEqual(
      [
        'docs_fts', 'docs_fts_ad', 'docs_fts_ai', 'docs_fts_au', 'docs_fts_config', 'docs_fts_data', 'docs_fts_docsize', 'docs_fts_idx',
        'spots', 'spots_node', 'spots_parent', 'spots_rowid', 'sqlite_sequence', 'sqlite_stat1', 'sqlite_stat4',
      ].sort(),
    );
    expect(snap.search).toEqual([{ table: 'docs', columns: ['title'], complete: true }]);
    await conn.close();
  });

  it('recognises forge\'s search object exactly, not by a name: a user table or index with _fts in its name is the user\'s', async () => {
    const conn = await memory();
    await conn.execute('CREATE TABLE notes (id INTEGER PRIMARY KEY, "we""ird" TEXT, body TEXT)');
    await conn.execute('CREATE TABLE notes_fts_lookup (id INTEGER PRIMARY KEY)');
    await conn.execute('CREATE INDEX idx_notes_fts_lookup ON notes (body)');
    const table = { name: 'notes', columns: [], primaryKey: ['id'], indexes: [], foreignKeys: [], relations: [], readonly: false };
    const column = (name: string) => ({ field: name, name, kind: 'string' as const, nullable: true, primaryKey: false, unique: false, searchable: true });
    const [createFts, ...rest] = sqliteDdl.emit({ op: 'createSearch', table, columns: [column('we"ird'), column('body')] }).sql;
    await conn.execute(createFts);
    let snap = await introspectSqlite(conn);
    expect(snap.tables.map((t) => t.name)).toEqual(['notes', 'notes_fts_lookup']);
    expect(snap.tables[0].indexes.map((i) => i.name)).toEqual(['idx_notes_fts_lookup']);
    // Without its triggers the search object is half-built.
    expect(snap.search).toEqual([{ table: 'notes', columns: ['we"ird', 'body'], complete: false }]);
    for (const sql of rest) await conn.execute(sql);
    snap = await introspectSqlite(conn);
    expect(snap.search).toEqual([{ table: 'notes', columns: ['we"ird', 'body'], complete: true }]);
    for (const sql of sqliteDdl.emit({ op: 'dropSearch', table: 'notes' }).sql) await conn.execute(sql);
    snap = await introspectSqlite(conn);
    expect(snap.search).toBeUndefined();
    expect(snap.internal).toEqual([]);
    await conn.close();
  });

  it('reads an empty database', async () => {
    const conn = await memory();
    expect(await introspectSqlite(conn)).toEqual({ dialect: 'sqlite', tables: [], views: [], internal: [] });
    await conn.close();
  });
});
