import { describe, expect, it } from 'vitest';
import { and, arith, call, caseWhen, cast, cmp, col, fieldOf, inList, isNotNull, isNull, lit, negate, not, or, subscript, type Expr } from '../../src/expr/ast.js';
import { parseExpression, parsePredicate } from '../../src/expr/parse.js';
import { printExpr } from '../../src/expr/print.js';
import { isDeltaError } from '../../src/errors.js';
import { primitive } from '../../src/schema/types.js';
import { argsOf, failureOf, parse } from './parse-helpers.js';

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
    expect(parse("id > 10 AND part = 'a'")).toEqual(and(cmp('>', col('id'), lit(10n)), cmp('=', col('part'), lit('a'))));
    expect(parse('x <> -5')).toEqual(cmp('!=', col('x'), lit(-5n)));
    expect(parse('x <=> 1.50')).toEqual(cmp('<=>', col('x'), lit({ type: 'decimal', text: '1.50' })));
    expect(parse('x >= 1e3')).toEqual(cmp('>=', col('x'), lit(1000)));
    expect(parse("s = 'it''s'")).toEqual(cmp('=', col('s'), lit("it's")));
    expect(parse('b = TRUE OR b IS NULL')).toEqual(or(cmp('=', col('b'), lit(true)), isNull(col('b'))));
  });

  it('parses DISTINCT inside a call (aggregates), and prints it back', () => {
    const e = parseExpression('count(DISTINCT a) + count(ALL b)');
    expect(JSON.parse(JSON.stringify(e, (k, v) => (k === 'span' ? undefined : v)))).toEqual(
      arith('+', { kind: 'call', name: 'count', args: [col('a')], distinct: true }, call('count', col('b'))),
    );
    expect(printExpr(parseExpression('count(DISTINCT a, b)'))).toBe('count(DISTINCT a, b)');
  });

  it('gives AND precedence over OR, and NOT over AND', () => {
    expect(parse('a = 1 OR b = 2 AND c = 3')).toEqual(or(cmp('=', col('a'), lit(1n)), and(cmp('=', col('b'), lit(2n)), cmp('=', col('c'), lit(3n)))));
    expect(parse('NOT a = 1 AND b = 2')).toEqual(and(not(cmp('=', col('a'), lit(1n))), cmp('=', col('b'), lit(2n))));
    expect(parse('(a = 1 OR b = 2) AND c = 3')).toEqual(and(or(cmp('=', col('a'), lit(1n)), cmp('=', col('b'), lit(2n))), cmp('=', col('c'), lit(3n))));
  });

  it('parses IN, NOT IN, IS NOT NULL, BETWEEN', () => {
    expect(parse("p IN ('a', 'b', NULL)")).toEqual(inList(col('p'), [lit('a'), lit('b'), lit(null)]));
    expect(parse('p NOT IN (1, 2)')).toEqual(inList(col('p'), [lit(1n), lit(2n)], true));
    expect(parse('p IS NOT NULL')).toEqual(isNotNull(col('p')));
    expect(parse('x BETWEEN 1 AND 5')).toEqual(and(cmp('>=', col('x'), lit(1n)), cmp('<=', col('x'), lit(5n))));
  });

  it('parses DATE, TIMESTAMP and binary literals', () => {
    expect(parse("d = DATE '1970-01-02'")).toEqual(cmp('=', col('d'), lit({ type: 'date', days: 1 })));
    expect(parse("t < TIMESTAMP '1970-01-01T00:00:01.5Z'")).toEqual(cmp('<', col('t'), lit({ type: 'timestamp', micros: 1_500_000n })));
    // zone-less timestamps are read in the session zone: midnight in Los Angeles (PST) is 08:00 UTC
    expect(parse("t = TIMESTAMP '1970-01-01 00:00:00'", { timeZone: 'America/Los_Angeles' })).toEqual(
      cmp('=', col('t'), lit({ type: 'timestamp', micros: 8n * 3600n * 1_000_000n })),
    );
    expect(parse("b = X'0aFF'")).toEqual(cmp('=', col('b'), lit({ type: 'binary', bytes: Uint8Array.of(10, 255) })));
  });

  it('parses backtick-quoted and nested names; keywords only where reserved', () => {
    expect(parse('`my col`.`a``b` = 1')).toEqual(cmp('=', col('my col', 'a`b'), lit(1n)));
    expect(parse('s.inner.x = 1')).toEqual(cmp('=', col('s', 'inner', 'x'), lit(1n)));
    expect(parse('date = 1')).toEqual(cmp('=', col('date'), lit(1n)));
    expect(parse('`and` = 1')).toEqual(cmp('=', col('and'), lit(1n)));
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

const [a, b, c, d, e, f, g, h, i, k] = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'k'].map((n) => col(n)) as [Expr, Expr, Expr, Expr, Expr, Expr, Expr, Expr, Expr, Expr];

// Cases from Spark's ExpressionParserSuite (apache/spark sql/catalyst/.../parser/ExpressionParserSuite.scala),
// mapped onto the deltakit AST.
describe('parseExpression: Spark grammar', () => {
  it('binds AND tighter than OR and flattens chains into n-ary nodes', () => {
    expect(parse('a and b')).toEqual(and(a, b));
    expect(parse('a or b')).toEqual(or(a, b));
    expect(parse('a and b or c and d')).toEqual(or(and(a, b), and(c, d)));
    expect(parse('a or b or c and d')).toEqual(or(a, b, and(c, d)));
    expect(parse('a or b or c or d or e or f')).toEqual(or(a, b, c, d, e, f));
    expect(parse('(a or b) or c')).toEqual(or(or(a, b), c));
  });

  it('parses a 1000-term AND and OR chain into one node', () => {
    for (const [op, kind] of [[' AND ', 'and'], [' OR ', 'or']] as const) {
      const text = Array.from({ length: 1000 }, (_, n) => `${n} == ${n}`).join(op);
      const parsed = parseExpression(text);
      expect(parsed.kind).toBe(kind);
      expect(argsOf(parsed)).toHaveLength(1000);
      expect(argsOf(parsed).every((x) => x.kind === 'comparison')).toBe(true);
    }
  });

  it('parses NOT and ! over predicates', () => {
    expect(parse('not a')).toEqual(not(a));
    expect(parse('!a')).toEqual(not(a));
    expect(parse('not true > true')).toEqual(not(cmp('>', lit(true), lit(true))));
    expect(parse('NOT NOT a')).toEqual(not(not(a)));
    expect(parse('a ! IN (1)')).toEqual(inList(a, [lit(1n)], true));
  });

  it('maps every comparison operator', () => {
    const ops: Array<[string, string]> = [['=', '='], ['==', '='], ['<=>', '<=>'], ['<>', '!='], ['!=', '!='], ['<', '<'], ['<=', '<='], ['!>', '<='], ['>', '>'], ['>=', '>='], ['!<', '>=']];
    for (const [written, op] of ops) expect(parse(`a ${written} b`), written).toEqual(cmp(op as '=', a, b));
  });

  it('makes comparisons left associative value operators, looser than arithmetic', () => {
    expect(parse('a = b = c')).toEqual(cmp('=', cmp('=', a, b), c));
    expect(parse('a < b + c')).toEqual(cmp('<', a, arith('+', b, c)));
    expect(parse('a = b is null')).toEqual(isNull(cmp('=', a, b)));
    expect(parse('a = b is not null')).toEqual(isNotNull(cmp('=', a, b)));
    expect(parse('a = b in (c)')).toEqual(inList(cmp('=', a, b), [c]));
  });

  it('parses BETWEEN as two comparisons, with value expressions as bounds', () => {
    expect(parse('a between b and c')).toEqual(and(cmp('>=', a, b), cmp('<=', a, c)));
    expect(parse('a not between b and c')).toEqual(not(and(cmp('>=', a, b), cmp('<=', a, c))));
    expect(parse('a between b and c and d')).toEqual(and(and(cmp('>=', a, b), cmp('<=', a, c)), d));
    expect(parse('a + 1 between b - 1 and c * 2')).toEqual(and(cmp('>=', arith('+', a, lit(1n)), arith('-', b, lit(1n))), cmp('<=', arith('+', a, lit(1n)), arith('*', c, lit(2n)))));
  });

  it('parses IN lists of full expressions', () => {
    expect(parse('a in (b, c, d)')).toEqual(inList(a, [b, c, d]));
    expect(parse('a not in (b, c, d)')).toEqual(inList(a, [b, c, d], true));
    expect(parse('a in (b or c, d = 1)')).toEqual(inList(a, [or(b, c), cmp('=', d, lit(1n))]));
  });

  it('maps LIKE, ILIKE, RLIKE and REGEXP to calls', () => {
    expect(parse("a like 'pattern%'")).toEqual(call('like', a, lit('pattern%')));
    expect(parse("a not like 'pattern%'")).toEqual(not(call('like', a, lit('pattern%'))));
    expect(parse("a like 'p!%' escape '!'")).toEqual(call('like', a, lit('p!%'), lit('!')));
    expect(parse("a ilike 'P%'")).toEqual(call('ilike', a, lit('P%')));
    expect(parse("a not ilike 'P%' ESCAPE '#'")).toEqual(not(call('ilike', a, lit('P%'), lit('#'))));
    expect(parse("a rlike 'pattern%'")).toEqual(call('rlike', a, lit('pattern%')));
    expect(parse("a not rlike 'pattern%'")).toEqual(not(call('rlike', a, lit('pattern%'))));
    expect(parse("a regexp 'pattern%'")).toEqual(call('rlike', a, lit('pattern%')));
    expect(parse("a not regexp 'pattern%'")).toEqual(not(call('rlike', a, lit('pattern%'))));
    expect(parse('a like b || c')).toEqual(call('like', a, call('concat', b, c)));
  });

  it('expands LIKE ANY / SOME / ALL into OR / AND of LIKEs', () => {
    expect(parse("a like any ('x%', 'y%')")).toEqual(or(call('like', a, lit('x%')), call('like', a, lit('y%'))));
    expect(parse("a like some ('x%', 'y%')")).toEqual(or(call('like', a, lit('x%')), call('like', a, lit('y%'))));
    expect(parse("a like all ('x%', 'y%')")).toEqual(and(call('like', a, lit('x%')), call('like', a, lit('y%'))));
    expect(parse("a not like any ('x%', 'y%')")).toEqual(or(not(call('like', a, lit('x%'))), not(call('like', a, lit('y%')))));
    expect(parse("a not ilike all ('x%')")).toEqual(not(call('ilike', a, lit('x%'))));
  });

  it('maps IS [NOT] TRUE / FALSE / UNKNOWN / DISTINCT FROM with Spark semantics', () => {
    expect(parse('a is true')).toEqual(cmp('<=>', a, lit(true)));
    expect(parse('a is not true')).toEqual(not(cmp('<=>', a, lit(true))));
    expect(parse('a is false')).toEqual(cmp('<=>', a, lit(false)));
    expect(parse('a is not false')).toEqual(not(cmp('<=>', a, lit(false))));
    expect(parse('a is unknown')).toEqual(isNull(a));
    expect(parse('a is not unknown')).toEqual(isNotNull(a));
    expect(parse('a is distinct from b')).toEqual(not(cmp('<=>', a, b)));
    expect(parse('a is not distinct from b')).toEqual(cmp('<=>', a, b));
    expect(parse('a is distinct from b + 1')).toEqual(not(cmp('<=>', a, arith('+', b, lit(1n)))));
  });

  it('parses arithmetic with Spark precedence', () => {
    expect(parse('a * b')).toEqual(arith('*', a, b));
    expect(parse('a / b')).toEqual(arith('/', a, b));
    expect(parse('a DIV b')).toEqual(arith('div', a, b));
    expect(parse('a % b')).toEqual(arith('%', a, b));
    expect(parse('a + b')).toEqual(arith('+', a, b));
    expect(parse('a - b')).toEqual(arith('-', a, b));
    expect(parse('d - e + f % g DIV h / i * k')).toEqual(arith('+', arith('-', d, e), arith('*', arith('/', arith('div', arith('%', f, g), h), i), k)));
    expect(parse('a - b - c')).toEqual(arith('-', arith('-', a, b), c));
    expect(parse('a || b || c')).toEqual(call('concat', call('concat', a, b), c));
    expect(parse('a || b + c')).toEqual(arith('+', call('concat', a, b), c));
    expect(parse('a + b || c')).toEqual(call('concat', arith('+', a, b), c));
  });

  it('parses unary minus and plus; a minus against a number is part of the literal', () => {
    expect(parse('+a')).toEqual(a);
    expect(parse('-a')).toEqual(negate(a));
    expect(parse('- + - a')).toEqual(negate(negate(a)));
    expect(parse('-1')).toEqual(lit(-1n));
    expect(parse('- 1')).toEqual(negate(lit(1n)));
    expect(failureOf('--1').message).toMatch(/found end of input/); // `--` starts a comment
    expect(parse('1 - -1')).toEqual(arith('-', lit(1n), lit(-1n)));
  });

  it('parses postfix subscripts, fields and :: casts tighter than unary minus', () => {
    expect(parse('a[b]')).toEqual(subscript(a, b));
    expect(parse('a[1 + 1]')).toEqual(subscript(a, arith('+', lit(1n), lit(1n))));
    expect(parse('`c`.a[b]')).toEqual(subscript(col('c', 'a'), b));
    expect(parse('a[0].b')).toEqual(fieldOf(subscript(a, lit(0n)), 'b'));
    expect(parse('a[0][1]')).toEqual(subscript(subscript(a, lit(0n)), lit(1n)));
    expect(parse('-a::int')).toEqual(negate(cast(a, primitive('integer'))));
    expect(parse('-1::int')).toEqual(cast(lit(-1n), primitive('integer')));
    expect(parse('a + b::bigint')).toEqual(arith('+', a, cast(b, primitive('long'))));
    expect(parse("m['k'].x::string")).toEqual(cast(fieldOf(subscript(col('m'), lit('k')), 'x'), primitive('string')));
  });

  it('parses CAST and TRY_CAST with Spark DDL types', () => {
    expect(parse('cast(a as int)')).toEqual(cast(a, primitive('integer')));
    expect(parse('cast(a as timestamp)')).toEqual(cast(a, primitive('timestamp')));
    expect(parse('cast(a as array<int>)')).toEqual(cast(a, { kind: 'array', elementType: primitive('integer'), containsNull: true }));
    expect(parse('cast(cast(a as int) as long)')).toEqual(cast(cast(a, primitive('integer')), primitive('long')));
    expect(parse('try_cast(a as decimal(10, 2))')).toEqual({ kind: 'cast', arg: a, to: { kind: 'decimal', precision: 10, scale: 2 }, mode: 'try' });
    expect(parse('cast(a as varchar(10))')).toEqual(cast(a, primitive('string')));
    expect(parse('a::map<string, array<int>> = b')).toEqual(
      cmp('=', cast(a, { kind: 'map', keyType: primitive('string'), valueType: { kind: 'array', elementType: primitive('integer'), containsNull: true }, valueContainsNull: true }), b),
    );
  });

  it('parses function calls, count(*) and row constructors', () => {
    expect(parse('foo()')).toEqual(call('foo'));
    expect(parse('foo(*)')).toEqual({ kind: 'call', name: 'foo', args: [], star: true });
    expect(parse('count(*)')).toEqual({ kind: 'call', name: 'count', args: [], star: true });
    expect(parse('foo(a, b)')).toEqual(call('foo', a, b));
    expect(parse('foo(all a, b)')).toEqual(call('foo', a, b));
    expect(parse('`select`(all a, b)')).toEqual(call('select', a, b));
    expect(parse('FoO(a)')).toEqual(call('foo', a));
    expect(parse('IF(a > 1, b, c)')).toEqual(call('if', cmp('>', a, lit(1n)), b, c));
    expect(parse('coalesce(a, nvl(b, c), nullif(d, 0))')).toEqual(call('coalesce', a, call('nvl', b, c), call('nullif', d, lit(0n))));
    expect(parse('(a, b)')).toEqual(call('struct', a, b));
    expect(parse('(a, b, c)')).toEqual(call('struct', a, b, c));
    expect(parse('like(a, b)')).toEqual(call('like', a, b));
  });

  it('parses simple and searched CASE', () => {
    expect(parse('case a when 1 then b when 2 then c else d end')).toEqual(caseWhen([{ when: lit(1n), then: b }, { when: lit(2n), then: c }], d, a));
    expect(parse('case (a or b) when true then c when false then d else e end')).toEqual(caseWhen([{ when: lit(true), then: c }, { when: lit(false), then: d }], e, or(a, b)));
    expect(parse("case 'a'='a' when true then 1 end")).toEqual(caseWhen([{ when: lit(true), then: lit(1n) }], undefined, cmp('=', lit('a'), lit('a'))));
    expect(parse('case when a = 1 then b when a = 2 then c else d end')).toEqual(caseWhen([{ when: cmp('=', a, lit(1n)), then: b }, { when: cmp('=', a, lit(2n)), then: c }], d));
    expect(parse('case when (1) + case when a > b then c else d end then f else g end')).toEqual(
      caseWhen([{ when: arith('+', lit(1n), caseWhen([{ when: cmp('>', a, b), then: c }], d)), then: f }], g),
    );
  });

  it('keeps dotted names as one column and makes other dereferences field nodes', () => {
    expect(parse('a.b')).toEqual(col('a', 'b'));
    expect(parse('`select`.b')).toEqual(col('select', 'b'));
    expect(parse('t.`a.b`.c')).toEqual(col('t', 'a.b', 'c'));
    expect(parse('(a).b')).toEqual(col('a', 'b'));
    expect(parse('(a + b).b')).toEqual(fieldOf(arith('+', a, b), 'b'));
    expect(parse('struct(a, b).b')).toEqual(fieldOf(call('struct', a, b), 'b'));
    expect(parse("from_json(j, 'x INT').x")).toEqual(fieldOf(call('from_json', col('j'), lit('x INT')), 'x'));
    expect(parse('s.end.from')).toEqual(col('s', 'end', 'from'));
  });

  it('reads names that start with digits as Spark does (SPARK-17364)', () => {
    expect(parse('1a')).toEqual(col('1a'));
    expect(parse('123_')).toEqual(col('123_'));
    expect(parse('1SL')).toEqual(col('1SL'));
    expect(parse('1a.123_')).toEqual(col('1a', '123_'));
    expect(parse('a.123A')).toEqual(col('a', '123A'));
    expect(parse('a.123E3_column')).toEqual(col('a', '123E3_column'));
    expect(parse('a.123D_column')).toEqual(col('a', '123D_column'));
    expect(parse('a.123BD_column')).toEqual(col('a', '123BD_column'));
  });

  it('parses composed expressions', () => {
    expect(parse('1 + r.r')).toEqual(arith('+', lit(1n), col('r', 'r')));
    expect(parse("1 - f('o', o(bar))")).toEqual(arith('-', lit(1n), call('f', lit('o'), call('o', col('bar')))));
    expect(failureOf("1 - f('o', o(bar)) hello * world").message).toMatch(/found 'hello'/);
    expect(parse('r * (a + b)')).toEqual(arith('*', col('r'), arith('+', a, b)));
    expect(parse('(a)')).toEqual(a);
    expect(parse('((((a))))')).toEqual(a);
  });

  it('calls current_date, current_timestamp, current_user without parentheses', () => {
    expect(parse('current_date')).toEqual(call('current_date'));
    expect(parse('CURRENT_TIMESTAMP > ts')).toEqual(cmp('>', call('current_timestamp'), col('ts')));
    expect(parse('current_user')).toEqual(call('current_user'));
    expect(parse('current_date()')).toEqual(call('current_date'));
    expect(parse('current_timezone()')).toEqual(call('current_timezone'));
    expect(parse('`current_date`')).toEqual(col('current_date'));
  });

  it('accepts non-reserved keywords as column names', () => {
    for (const name of ['date', 'year', 'value', 'key', 'timestamp', 'interval', 'user', 'data', 'type', 'comment', 'set', 'where', 'to', 'escape', 'div', 'x', 'month', 'first', 'struct', 'extract', 'cast', 'trim']) {
      expect(parse(`${name} = 1`), name).toEqual(cmp('=', col(name), lit(1n)));
      expect(parse(`t.${name} + ${name}`), name).toEqual(arith('+', col('t', name), col(name)));
    }
    expect(parse("date = DATE '2020-01-01'")).toEqual(cmp('=', col('date'), lit({ type: 'date', days: 18262 })));
    expect(parse('year(date) = year')).toEqual(cmp('=', call('year', col('date')), col('year')));
    expect(parse('interval - 1')).toEqual(arith('-', col('interval'), lit(1n)));
    expect(parse('div div div')).toEqual(arith('div', col('div'), col('div')));
  });
});

describe('parseExpression: SQL forms', () => {
  it('maps EXTRACT(field FROM x) to date_part, as Spark does', () => {
    for (const field of ['YEAR', 'years', 'QUARTER', 'MONTH', 'DAY', 'd', 'HOUR', 'MINUTE', 'SECOND', 'DAYOFWEEK', 'dow', 'DOY', 'WEEK']) {
      expect(parse(`EXTRACT(${field} FROM ts)`), field).toEqual(call('date_part', lit(field.toUpperCase()), col('ts')));
    }
    expect(parse('extract(year from ts + interval 1 day)')).toEqual(call('date_part', lit('YEAR'), arith('+', col('ts'), lit({ type: 'interval', months: 0, days: 1, micros: 0n }))));
    expect(failureOf('EXTRACT(EPOCHS FROM ts)').message).toMatch(/'EPOCHS' is not a field EXTRACT supports/);
  });

  it('maps SUBSTRING / SUBSTR in both syntaxes', () => {
    expect(parse('SUBSTRING(s FROM 2)')).toEqual(call('substring', col('s'), lit(2n)));
    expect(parse('SUBSTRING(s FROM 2 FOR 3)')).toEqual(call('substring', col('s'), lit(2n), lit(3n)));
    expect(parse('substr(s, 2, 3)')).toEqual(call('substr', col('s'), lit(2n), lit(3n)));
    expect(parse('substring(s, 2)')).toEqual(call('substring', col('s'), lit(2n)));
  });

  it('maps TRIM forms to the function form, trim characters first', () => {
    expect(parse('TRIM(s)')).toEqual(call('trim', col('s')));
    expect(parse('TRIM(BOTH FROM s)')).toEqual(call('trim', col('s')));
    expect(parse("TRIM(BOTH 'x' FROM s)")).toEqual(call('trim', lit('x'), col('s')));
    expect(parse("TRIM('x' FROM s)")).toEqual(call('trim', lit('x'), col('s')));
    expect(parse("TRIM(LEADING 'x' FROM s)")).toEqual(call('ltrim', lit('x'), col('s')));
    expect(parse('TRIM(TRAILING FROM s)')).toEqual(call('rtrim', col('s')));
    expect(parse("trim(s, 'x')")).toEqual(call('trim', col('s'), lit('x')));
    expect(parse('trim(both)')).toEqual(call('trim', col('both')));
  });

  it('maps POSITION(a IN b) to locate and OVERLAY to overlay', () => {
    expect(parse("POSITION('a' IN s)")).toEqual(call('locate', lit('a'), col('s')));
    expect(parse("position('a', s, 2)")).toEqual(call('position', lit('a'), col('s'), lit(2n)));
    expect(parse("OVERLAY(s PLACING 'x' FROM 2)")).toEqual(call('overlay', col('s'), lit('x'), lit(2n)));
    expect(parse("OVERLAY(s PLACING 'x' FROM 2 FOR 1)")).toEqual(call('overlay', col('s'), lit('x'), lit(2n), lit(1n)));
  });

  it('passes the unit of TIMESTAMPADD / DATEDIFF as a string', () => {
    expect(parse('TIMESTAMPADD(HOUR, 2, ts)')).toEqual(call('timestampadd', lit('HOUR'), lit(2n), col('ts')));
    expect(parse('dateadd(day, 1, ts)')).toEqual(call('timestampadd', lit('DAY'), lit(1n), col('ts')));
    expect(parse('datediff(MONTH, a, b)')).toEqual(call('timestampdiff', lit('MONTH'), a, b));
    expect(parse('datediff(a, b)')).toEqual(call('datediff', a, b));
    expect(parse('date_add(ts, 1)')).toEqual(call('date_add', col('ts'), lit(1n)));
    expect(parse('date_add(`day`, 1, ts)')).toEqual(call('date_add', col('day'), lit(1n), col('ts')));
  });
});
