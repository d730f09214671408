import { describe, expect, it } from 'vitest';
import { and, cmp, col, inList, isNotNull, isNull, lit, not, or } from '../../src/expr/ast.js';
import { parsePredicate } from '../../src/expr/parse.js';
import { isDeltaError } from '../../src/errors.js';

function parseError(text: string): { message: string; column: unknown } {
  try {
    parsePredicate(text);
  } catch (e) {
    if (!isDeltaError(e, 'PARSE_ERROR')) throw e;
    return { message: e.message, column: e.details['column'] };
  }
  throw new Error(`expected ${text} to fail`);
}

describe('parsePredicate', () => {
  it('parses comparisons with typed literals', () => {
    expect(parsePredicate("id > 10 AND part = 'a'")).toEqual(and(cmp('>', col('id'), lit(10n)), cmp('=', col('part'), lit('a'))));
    expect(parsePredicate('x <> -5')).toEqual(cmp('!=', col('x'), lit(-5n)));
    expect(parsePredicate('x <=> 1.50')).toEqual(cmp('<=>', col('x'), lit({ type: 'decimal', text: '1.50' })));
    expect(parsePredicate('x >= 1e3')).toEqual(cmp('>=', col('x'), lit(1000)));
    expect(parsePredicate("s = 'it''s'")).toEqual(cmp('=', col('s'), lit("it's")));
    expect(parsePredicate('b = TRUE OR b IS NULL')).toEqual(or(cmp('=', col('b'), lit(true)), isNull(col('b'))));
  });

  it('gives AND precedence over OR, and NOT over AND', () => {
    expect(parsePredicate('a = 1 OR b = 2 AND c = 3')).toEqual(
      or(cmp('=', col('a'), lit(1n)), and(cmp('=', col('b'), lit(2n)), cmp('=', col('c'), lit(3n)))),
    );
    expect(parsePredicate('NOT a = 1 AND b = 2')).toEqual(and(not(cmp('=', col('a'), lit(1n))), cmp('=', col('b'), lit(2n))));
    expect(parsePredicate('(a = 1 OR b = 2) AND c = 3')).toEqual(
      and(or(cmp('=', col('a'), lit(1n)), cmp('=', col('b'), lit(2n))), cmp('=', col('c'), lit(3n))),
    );
  });

  it('parses IN, NOT IN, IS NOT NULL, BETWEEN', () => {
    expect(parsePredicate("p IN ('a', 'b', NULL)")).toEqual(inList(col('p'), [lit('a'), lit('b'), lit(null)]));
    expect(parsePredicate('p NOT IN (1, 2)')).toEqual(inList(col('p'), [lit(1n), lit(2n)], true));
    expect(parsePredicate('p IS NOT NULL')).toEqual(isNotNull(col('p')));
    expect(parsePredicate('x BETWEEN 1 AND 5')).toEqual(and(cmp('>=', col('x'), lit(1n)), cmp('<=', col('x'), lit(5n))));
  });

  it('parses DATE, TIMESTAMP and binary literals', () => {
    expect(parsePredicate("d = DATE '1970-01-02'")).toEqual(cmp('=', col('d'), lit({ type: 'date', days: 1 })));
    expect(parsePredicate("t < TIMESTAMP '1970-01-01T00:00:01.5Z'")).toEqual(cmp('<', col('t'), lit({ type: 'timestamp', micros: 1_500_000n })));
    // zone-less timestamps are read in the session zone: midnight in Los Angeles (PST) is 08:00 UTC
    expect(parsePredicate("t = TIMESTAMP '1970-01-01 00:00:00'", { timeZone: 'America/Los_Angeles' })).toEqual(
      cmp('=', col('t'), lit({ type: 'timestamp', micros: 8n * 3600n * 1_000_000n })),
    );
    expect(parsePredicate("b = X'0aFF'")).toEqual(cmp('=', col('b'), lit({ type: 'binary', bytes: Uint8Array.of(10, 255) })));
  });

  it('parses backtick-quoted and nested names; keywords only where reserved', () => {
    expect(parsePredicate('`my col`.`a``b` = 1')).toEqual(cmp('=', col('my col', 'a`b'), lit(1n)));
    expect(parsePredicate('s.inner.x = 1')).toEqual(cmp('=', col('s', 'inner', 'x'), lit(1n)));
    expect(parsePredicate('date = 1')).toEqual(cmp('=', col('date'), lit(1n)));
    expect(parsePredicate('`and` = 1')).toEqual(cmp('=', col('and'), lit(1n)));
  });

  it('reports what was expected and the 1-based column', () => {
    expect(parseError('id >')).toMatchObject({ column: 5 });
    expect(parseError('id >').message).toMatch(/expected a column name, literal or \(, found end of input at column 5/);
    expect(parseError('(a = 1')).toMatchObject({ column: 7 });
    expect(parseError('(a = 1').message).toMatch(/expected '\)'/);
    expect(parseError('a = 1 b = 2').message).toMatch(/expected AND, OR or end of input, found 'b' at column 7/);
    expect(parseError("a = 'x")).toMatchObject({ column: 5 });
    expect(parseError('a IS 5').message).toMatch(/expected NULL or NOT NULL/);
    expect(parseError("d = DATE '2020-13-01'").message).toMatch(/expected a date YYYY-MM-DD in DATE literal/);
    expect(parseError('a = 1 AND OR').message).toMatch(/at column 11/);
    expect(parseError('a # 1')).toMatchObject({ column: 3 });
  });
});
