import { describe, expect, it } from 'vitest';
import { checkValues } from '../src/introspect.js';

// pg_get_constraintdef's spellings of CHECK (col IN (...)), as Postgres 15 prints them back.
describe('checkValues: the value list of a CHECK as pg_get_constraintdef prints it', () => {
  it('reads a text column (= ANY (ARRAY[...]))', () => {
    expect(checkValues("CHECK ((status = ANY (ARRAY['draft'::text, 'live'::text])))", 'status')).toEqual(['draft', 'live']);
    // A parenthesis inside a quoted column name is not one (found by the convergence property: a column named ') ').
    expect(checkValues(`CHECK ((") " = 'ünï'::text))`, ') ')).toEqual(['ünï']);
    expect(checkValues(`CHECK (("a(""b" = ANY (ARRAY['x'::text, ')'::text])))`, 'a("b')).toEqual(['x', ')']);
  });
  it('reads a varchar column (cast on both sides) and doubled quotes', () => {
    expect(checkValues("CHECK (((status)::text = ANY ((ARRAY['a'::character varying, 'it''s'::character varying])::text[])))", 'status')).toEqual(['a', "it's"]);
  });
  it('reads a quoted column name and a list of one', () => {
    expect(checkValues(`CHECK (("my col" = 'only'::text))`, 'my col')).toEqual(['only']);
  });
  it('is not a value list: another column, another operator, an OR, a NOT VALID list elsewhere', () => {
    expect(checkValues("CHECK ((other = ANY (ARRAY['a'::text])))", 'status')).toBeUndefined();
    expect(checkValues('CHECK ((length(status) > 2))', 'status')).toBeUndefined();
    expect(checkValues("CHECK (((status = 'a'::text) OR (status = 'b'::text)))", 'status')).toBeUndefined();
    expect(checkValues("CHECK ((status <> ALL (ARRAY['a'::text])))", 'status')).toBeUndefined();
  });
  it('reads a CHECK added NOT VALID', () => {
    expect(checkValues("CHECK ((status = ANY (ARRAY['a'::text, 'b'::text]))) NOT VALID", 'status')).toEqual(['a', 'b']);
  });
});
