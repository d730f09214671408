import { describe, expect, it } from 'vitest';
import type { Expr } from '../../src/expr/ast.js';
import { MAX_NESTING, MAX_TREE_DEPTH, parseExpression } from '../../src/expr/parse.js';
import { col, cmp, lit } from '../../src/expr/ast.js';
import { argsOf, failureOf, nodesOf, parse } from './parse-helpers.js';

/** [input, caret offset, message pattern] */
const MALFORMED: Array<[string, number, RegExp]> = [
  ['', 0, /expected a column name, literal or \(, found end of input/],
  ['   ', 3, /found end of input/],
  ['a =', 3, /expected a column name, literal or \(, found end of input/],
  ['a = = b', 4, /found '='/],
  ['(a', 2, /expected '\)', found end of input/],
  ['a)', 1, /expected AND, OR or end of input, found '\)'/],
  ['a = 1;', 5, /found ';'/],
  ['f(a,', 4, /found end of input/],
  ['f(a b)', 4, /expected ',' or '\)' after a function argument, found 'b'/],
  ['a IN 1', 5, /expected '\(' after IN, found '1'/],
  ['a IN ()', 6, /expected a column name, literal or \(, found '\)'/],
  ['a IN (1 2)', 8, /expected ',' or '\)' in IN list/],
  ['a BETWEEN 1', 11, /expected AND in BETWEEN … AND …, found end of input/],
  ['a BETWEEN 1 OR 2', 12, /expected AND in BETWEEN/],
  ['a IS', 4, /expected NULL or NOT NULL/],
  ['a IS NOT 5', 9, /expected NULL, TRUE, FALSE, UNKNOWN or DISTINCT FROM after IS NOT, found '5'/],
  ['a IS DISTINCT b', 14, /expected FROM after IS DISTINCT/],
  ['a IS NULL IS NULL', 10, /expected AND, OR or end of input, found 'IS'/],
  ['a NOT 1', 2, /expected AND, OR or end of input, found 'NOT'/],
  ['CASE a END', 7, /expected WHEN in CASE, found 'END'/],
  ['CASE WHEN a THEN b', 18, /expected WHEN, ELSE or END in CASE, found end of input/],
  ['CASE WHEN a b END', 12, /expected THEN after the WHEN condition, found 'b'/],
  ['CASE WHEN a THEN b ELSE c', 25, /expected END to close CASE/],
  ['CAST(a)', 6, /expected AS and a type in CAST, found '\)'/],
  ['CAST(a AS int', 13, /expected '\)' to close CAST, found end of input/],
  ['CAST(a AS bogus)', 10, /unknown data type "bogus"/],
  ['CAST(a AS DECIMAL(50, 2))', 10, /DECIMAL\(50,2\) is out of range/],
  ['a::', 3, /expected a data type, found end of input/],
  ["'abc", 0, /unterminated string literal \(missing closing '\)/],
  ['"abc', 0, /unterminated string literal \(missing closing "\)/],
  ['`abc', 0, /unterminated back-quoted name/],
  ['a /* x', 2, /unclosed comment/],
  ['a $ b', 2, /unexpected character '\$'/],
  ['a & b', 2, /bitwise operator '&' is not supported/],
  ['a | b', 2, /bitwise operator '\|' is not supported/],
  ['a ^ b', 2, /bitwise operator '\^' is not supported/],
  ['a << 1', 2, /bitwise operator '<<' is not supported/],
  ['~a', 0, /bitwise operator '~' is not supported/],
  ['é = 1', 0, /the name 'é' has characters other than a-z, A-Z, 0-9 and _; quote it with back-quotes: `é`/],
  ['sum(a) OVER (PARTITION BY b)', 7, /OVER clauses \(window and aggregate functions\) are not supported/],
  ['a.*', 2, /\(all fields\) is not supported/],
  ['*', 0, /'\*' is only allowed as the sole argument of a function/],
  ['db.f(x)', 0, /qualified function names \('db.f'\) are not supported/],
  ['x -> x + 1', 0, /lambda functions/],
  ['transform(a, (x, y) -> x)', 13, /lambda functions/],
  ['f(a => 1)', 2, /named arguments \(a => …\) are not supported/],
  ['a IN (SELECT b FROM t)', 6, /subqueries are not supported/],
  ['EXISTS (SELECT 1)', 0, /subqueries are not supported/],
  ['exists(a, x -> x > 1)', 10, /lambda functions/],
  ['(SELECT 1) > a', 1, /subqueries are not supported/],
  ['a = ?', 4, /query parameters/],
  ['a LIKE b ESCAPE c', 16, /expected a one-character string after ESCAPE, found 'c'/],
  ["a LIKE b ESCAPE 'ab'", 16, /the ESCAPE string must be one character, found 'ab'/],
  ['a LIKE ANY ()', 11, /expected at least one pattern/],
  ['struct(a AS x)', 9, /use named_struct\('name', value, …\)/],
  ['f(a AS x)', 4, /aliases \(AS name\) are not supported/],
  ['1.5x', 3, /unexpected 'x' after the number 1.5/],
  ['a[1', 3, /expected '\]' to close the subscript, found end of input/],
  ['a.', 2, /expected a field name after \., found end of input/],
  ['end = 1', 0, /found the keyword END \(back-quote a column named so: `end`\)/],
  ['a = null = 1 AND from', 17, /found the keyword FROM/],
  ["DATE '2020-02-30'", 5, /expected a date YYYY-MM-DD in DATE literal, found '2020-02-30'/],
  ['a COLLATE utf8', 2, /COLLATE is not supported/],
  ['NOT', 3, /found end of input/],
  ['EXTRACT(YEAR ts)', 13, /expected FROM in EXTRACT\(field FROM value\)/],
  ["POSITION('a' s)", 13, /expected IN, ',' or '\)' in POSITION/],
  ['TRIM(BOTH x s)', 12, /expected FROM in TRIM\(BOTH … FROM string\)/],
  ['INTERVAL 1', 9, /expected AND, OR or end of input, found '1'/],
  ["INTERVAL '1' DAY TO", 19, /expected YEAR, MONTH, DAY, HOUR, MINUTE or SECOND after TO/],
  ['a = 1 b', 6, /expected AND, OR or end of input, found 'b'/],
];

describe('parse errors', () => {
  it.each(MALFORMED)('%j fails at offset %i', (text, position, message) => {
    const f = failureOf(text);
    expect(f.message).toMatch(message);
    expect(f.position).toBe(position);
    expect(f.column).toBe(position + 1);
  });

  it('shows the source line with a caret under the offending character', () => {
    const f = failureOf('a = = b');
    expect(f.message).toBe("expected a column name, literal or (, found '=' at column 5:\n  a = = b\n      ^");
  });

  it('names line and column in multi-line text', () => {
    const f = failureOf('a = 1\nAND b = \nOR c');
    expect(f.line).toBe(3);
    expect(f.column).toBe(1);
    expect(f.message).toMatch(/found the keyword OR .* at line 3, column 1:\n {2}OR c\n {2}\^$/);
  });

  it('shows an excerpt around the position of a long line', () => {
    const text = 'a = 1 AND '.repeat(30) + 'b = = 2';
    const f = failureOf(text);
    const [, shown, caret] = f.message.split('\n') as [string, string, string];
    expect(shown.length).toBeLessThan(110);
    expect(shown[caret.indexOf('^')]).toBe('=');
    expect(f.position).toBe(text.lastIndexOf('= 2'));
  });
});

describe('nesting limits', () => {
  const deep = (n: number, open: string, close: string, inner = 'a'): string => open.repeat(n) + inner + close.repeat(n);

  it(`parses nesting up to ${MAX_NESTING} levels`, () => {
    expect(parse(deep(MAX_NESTING - 1, '(', ')'))).toEqual(col('a'));
    expect(parseExpression(deep(MAX_NESTING - 1, 'f(', ')')).kind).toBe('call');
  });

  it.each([
    ['parentheses', deep(10_000, '(', ')')],
    ['function calls', deep(10_000, 'f(', ')')],
    ['subscripts', deep(10_000, 'a[', ']', '0')],
    ['CASE', deep(10_000, 'CASE WHEN ', ' THEN 1 END')],
    ['CAST', deep(10_000, 'CAST(', ' AS INT)')],
    ['IN lists', deep(10_000, 'a IN (', ')', '1')],
    ['NOT', 'NOT '.repeat(10_000) + 'a'],
    ['unary minus', '- '.repeat(10_000) + 'a'],
    ['casts', 'a' + '::int'.repeat(10_000)],
    ['field access', 'f(a)' + '.b'.repeat(10_000)],
    ['a chain of +', Array.from({ length: 10_000 }, () => 'a').join(' + ')],
    ['a chain of =', Array.from({ length: 10_000 }, () => 'a').join(' = ')],
    ['nested types', `CAST(a AS ${'ARRAY<'.repeat(10_000)}INT${'>'.repeat(10_000)})`],
    ['unclosed parentheses', '('.repeat(100_000)],
  ])('refuses 10 000 levels of %s with a PARSE_ERROR', (_, text) => {
    expect(failureOf(text).message).toMatch(/nest(s|ed) (more|deeper) than \d+ levels/);
  });

  it(`refuses a tree deeper than ${MAX_TREE_DEPTH} levels but takes flat chains`, () => {
    const chain = (n: number): string => Array.from({ length: n }, (_, k) => `a${k}`).join(' + ');
    expect(parseExpression(chain(MAX_TREE_DEPTH - 1)).kind).toBe('arith');
    expect(failureOf(chain(MAX_TREE_DEPTH + 1)).message).toMatch(/nested more than 1000 levels deep/);
    const flat = Array.from({ length: 5000 }, (_, k) => `c = ${k}`).join(' OR ');
    expect(argsOf(parseExpression(flat))).toHaveLength(5000);
  });
});

describe('spans', () => {
  const spanText = (text: string, e: Expr): string => text.slice(e.span![0], e.span![1]);

  it('covers the source of every node, parentheses of operands included', () => {
    const text = '(a + b) * c >= -5 AND f(x, \'y\') IS NOT NULL';
    const e = parseExpression(text);
    expect(spanText(text, e)).toBe(text);
    const texts = nodesOf(e).map((n) => spanText(text, n));
    expect(texts).toEqual([text, "(a + b) * c >= -5", '(a + b) * c', 'a + b', 'a', 'b', 'c', '-5', "f(x, 'y') IS NOT NULL", "f(x, 'y')", 'x', "'y'"]);
  });

  it('covers keywords, prefixes, postfixes and literals written in several tokens', () => {
    const cases: Array<[string, string[]]> = [
      ["DATE '2020-01-01'", ["DATE '2020-01-01'"]],
      ["'a'  'b'", ["'a'  'b'"]],
      ['NOT NOT a', ['NOT NOT a', 'NOT a', 'a']],
      ['- -a', ['- -a', '-a', 'a']],
      ['t.a.b[0].c', ['t.a.b[0].c', 't.a.b[0]', 't.a.b', '0']],
      ['x::int', ['x::int', 'x']],
      ['CAST(x AS DECIMAL(10,2))', ['CAST(x AS DECIMAL(10,2))', 'x']],
      ['INTERVAL 1 DAY 2 HOURS', ['INTERVAL 1 DAY 2 HOURS']],
      ['CASE WHEN a THEN 1 END', ['CASE WHEN a THEN 1 END', 'a', '1']],
      ['EXTRACT(YEAR FROM d)', ['EXTRACT(YEAR FROM d)', 'YEAR', 'd']],
      ['a IS TRUE', ['a IS TRUE', 'a', 'TRUE']],
      ['(a).b', ['(a).b']],
      ['count(*)', ['count(*)']],
      ['(a, b)', ['(a, b)', 'a', 'b']],
      ['a  OR  b', ['a  OR  b', 'a', 'b']],
    ];
    for (const [text, expected] of cases) expect(nodesOf(parseExpression(text)).map((n) => spanText(text, n)), text).toEqual(expected);
  });

  it('gives the nodes BETWEEN and LIKE ANY expand to the span of the whole predicate', () => {
    const text = 'x BETWEEN 1 AND 5';
    expect(nodesOf(parseExpression(text)).map((n) => spanText(text, n))).toEqual([text, text, 'x', '1', text, 'x', '5']);
  });

  it('counts offsets in the whole text across lines', () => {
    const text = 'a = 1\n  AND bb > 2';
    const e = parseExpression(text);
    expect(nodesOf(e).map((n) => spanText(text, n))).toEqual([text, 'a = 1', 'a', '1', 'bb > 2', 'bb', '2']);
    expect(parse(text)).toEqual({ kind: 'and', args: [cmp('=', col('a'), lit(1n)), cmp('>', col('bb'), lit(2n))] });
  });
});
