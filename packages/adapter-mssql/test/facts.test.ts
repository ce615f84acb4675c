import { describe, expect, it } from 'vitest';
import { categoryOf, mssqlFacts, normalizeExpression } from '../src/facts.js';
import { capabilities } from '../src/index.js';

describe('type categories', () => {
  it('map the catalog spellings (and .dbType() ones) to drift categories', () => {
    const cases: Array<[string, string | undefined]> = [
      ['nvarchar(255)', 'string'],
      ['nvarchar(max)', 'string'],
      ['NVARCHAR(MAX)', 'string'],
      ['text', 'string'],
      ['ntext', 'string'],
      ['varchar(120)', 'string'],
      ['char(36)', 'string'],
      ['uniqueidentifier', 'string'],
      ['bit', 'bool'],
      ['tinyint', 'int'],
      ['int', 'int'],
      ['bigint', 'bigint'],
      ['float', 'float'],
      ['real', 'float'],
      ['decimal(12,2)', 'decimal'],
      ['numeric(38,10)', 'decimal'],
      ['money', 'decimal'],
      ['datetime2(3)', 'datetime'],
      ['datetimeoffset(7)', 'datetime'],
      ['date', 'datetime'],
      ['json', 'json'],
      ['varbinary(max)', undefined],
      ['geography', undefined],
      ['vector(3)', undefined],
      ['xml', undefined],
    ];
    for (const [type, category] of cases) expect([type, categoryOf(type)]).toEqual([type, category]);
  });
});

describe('expression normalisation', () => {
  it('takes out brackets, wrapped constants, N prefixes; true/false are bits', () => {
    expect(normalizeExpression('([active]=(1))')).toBe('(active=1)');
    expect(normalizeExpression("([role]=n'admin')")).toBe("(role='admin')");
    expect(normalizeExpression('active = true and deleted = false')).toBe('active = 1 and deleted = 0');
    expect(normalizeExpression('([we"ird]>((10)))')).toBe('("we"ird">10)');
    expect(normalizeExpression("[a] is not null and [b]=n'it''s'")).toBe("a is not null and b='it''s'");
  });
});

describe('facts and capabilities', () => {
  it('names and namespaces', () => {
    expect(mssqlFacts.indexNamespace).toBe('table');
    expect(mssqlFacts.identifierKey!('Users')).toBe('users');
    expect(mssqlFacts.identifierProblem!('x'.repeat(129))).toMatch(/at most 128/);
    expect(mssqlFacts.identifierProblem!('')).toMatch(/empty/);
    expect(mssqlFacts.identifierProblem!('naïve name]')).toBeUndefined();
    expect(mssqlFacts.searchObjectNames('posts')).toEqual({ relations: [], columns: [] });
    expect(mssqlFacts.impliedRelationNames!({ name: 'users' } as never)).toEqual(['forge_users_pk']);
  });
  it('capabilities say what SQL Server does here', () => {
    expect(capabilities).toMatchObject({
      dialect: 'mssql',
      transactionalDdl: true,
      returning: true,
      savepoints: true,
      partialIndexes: true,
      expressionIndexes: false,
      coveringIndexes: true,
      fullTextSearch: false,
      jsonPath: true,
      nativeCursor: true,
      views: true,
      materializedViews: false,
      maxIdentifierLength: 128,
      referentialActions: ['cascade', 'restrict', 'noAction'],
    });
  });
});
