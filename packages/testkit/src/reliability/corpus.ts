/**
 * Values that would break or subvert SQL if they were spliced into its text instead of bound: quotes,
 * backslash escapes, every driver's placeholder syntax, comments, statement separators, Unicode that
 * changes direction or width. Each carries a marker so a test can prove it never appears in SQL text.
 */
export const INJECTION_MARK = '⟦inj';

const RAW: readonly string[] = [
  "' OR '1'='1",
  "'; DROP TABLE canary; --",
  '" OR ""="',
  "\\'; DROP TABLE canary; --",
  'back\\slash\\',
  '$1',
  '$1::text',
  '?',
  '?, ?',
  ':name',
  '@p1',
  '%_%',
  '\\%\\_',
  "'||(SELECT word FROM canary)||'",
  '*/ /* comment',
  '`; --',
  "E'\\x27'",
  '$$ $tag$ $$',
  'naïve 表 😀',
  '\u202e rtl override',
  '\r\n\t',
  'a"b\'c`d',
];

/** The corpus, each entry made unique and detectable by its marker. */
export const INJECTION_VALUES: readonly string[] = RAW.map((v, i) => `${v}${INJECTION_MARK}${i}⟧`);

/** Filter objects as they arrive from a JSON request body: operators where a scalar belongs. */
export const JSON_BODY_FILTERS: ReadonlyArray<{ body: string; outcome: 'refused' | 'operator' }> = [
  { body: '{"$ne": null}', outcome: 'refused' },
  { body: '{"$gt": ""}', outcome: 'refused' },
  { body: '{"equals": {"$gt": ""}}', outcome: 'refused' },
  { body: '{"in": "abc"}', outcome: 'refused' },
  { body: '{"gt": {"a": 1}}', outcome: 'refused' },
  { body: '["a", "b"]', outcome: 'refused' },
  { body: '{"toString": "x"}', outcome: 'refused' },
  { body: '{"__proto__": {"equals": "x"}}', outcome: 'refused' },
  { body: '{"not": "nobody"}', outcome: 'operator' },
  { body: '{"not": {"equals": "nobody"}}', outcome: 'operator' },
];
