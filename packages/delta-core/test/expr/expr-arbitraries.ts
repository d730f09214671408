import fc from 'fast-check';
import type { ArithmeticOp, ComparisonOp, Expr, LiteralValue } from '../../src/expr/ast.js';
import { tokenize } from '../../src/expr/lexer.js';
import type { DataType, PrimitiveTypeName } from '../../src/schema/types.js';

/**
 * fast-check generators for the parser tests: expression trees that printExpr writes faithfully
 * (so that parse(print(e)) must give e back), expression texts using the whole grammar, token
 * soup and mutations of valid texts.
 */

/** Words the parser gives a meaning to in some position; generated names avoid them. */
const SPECIAL_WORDS = new Set(
  (
    'and or not is in between like ilike rlike regexp case when then else end null true false distinct from as escape any some all ' +
    'cast try_cast extract substring substr trim position overlay interval date timestamp timestamp_ltz timestamp_ntz x r ' +
    'current_date current_timestamp current_user session_user both leading trailing placing for div collate exists select with values ' +
    'year quarter month week day dayofyear hour minute second millisecond microsecond unknown over filter within struct ' +
    'timestampadd dateadd date_add timestampdiff datediff date_diff timediff'
  ).split(' '),
);

const plainName = fc.stringMatching(/^[a-z_][a-z0-9_]{0,7}$/).filter((n) => !SPECIAL_WORDS.has(n));
/** Column name parts: plain identifiers and arbitrary text (printed back-quoted). */
export const namePart = fc.oneof(
  { weight: 4, arbitrary: plainName },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }).filter((n) => !SPECIAL_WORDS.has(n.toLowerCase())) },
);
const functionName = fc.oneof(
  fc.constantFrom('f', 'coalesce', 'concat', 'if', 'abs', 'upper', 'like', 'rlike', 'ilike', 'array', 'named_struct', 'locate', 'count', 'nvl', 'ltrim', 'my fn'),
  plainName,
);

const MAX_LONG = 2n ** 63n - 1n;
const int = (min: number, max: number) => fc.integer({ min, max });
const primitive = (name: PrimitiveTypeName): DataType => ({ kind: 'primitive', name });
const typed = (dataType: DataType, value: unknown): LiteralValue => ({ type: 'typed', dataType, value });

const decimalText = fc
  .tuple(fc.boolean(), fc.stringMatching(/^\d{1,12}$/), fc.stringMatching(/^\d{0,12}$/))
  .map(([neg, whole, frac]) => `${neg ? '-' : ''}${whole}.${frac}`);
const typedDecimal = fc.tuple(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), int(0, 17)).map(([unscaled, scale]) => {
  const digits = (unscaled < 0n ? -unscaled : unscaled).toString().length;
  return typed({ kind: 'decimal', precision: Math.max(digits, scale), scale }, { unscaled, scale });
});

/** Literal values in the forms the parser produces and printExpr writes back. */
export const literalValue: fc.Arbitrary<LiteralValue> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  decimalText.map((text): LiteralValue => ({ type: 'decimal', text })),
  int(-700_000, 2_900_000).map((days): LiteralValue => ({ type: 'date', days })),
  fc.bigInt({ min: -62_000_000_000_000_000n, max: 250_000_000_000_000_000n }).map((micros): LiteralValue => ({ type: 'timestamp', micros })),
  fc.bigInt({ min: -62_000_000_000_000_000n, max: 250_000_000_000_000_000n }).map((micros): LiteralValue => ({ type: 'timestamp_ntz', micros })),
  fc.uint8Array({ maxLength: 8 }).map((bytes): LiteralValue => ({ type: 'binary', bytes })),
  fc.bigInt({ min: -MAX_LONG - 1n, max: MAX_LONG }).map((v) => typed(primitive('long'), v)),
  int(-32768, 32767).map((v) => typed(primitive('short'), v)),
  int(-128, 127).map((v) => typed(primitive('byte'), v)),
  fc.float({ noNaN: true, noDefaultInfinity: true }).filter((v) => !Object.is(v, -0)).map((v) => typed(primitive('float'), v)),
  typedDecimal,
  fc.tuple(int(-(2 ** 31), 2 ** 31 - 1), int(-(2 ** 31), 2 ** 31 - 1), fc.bigInt({ min: -MAX_LONG - 1n, max: MAX_LONG })).map(
    ([months, days, micros]): LiteralValue => ({ type: 'interval', months, days, micros }),
  ),
);

const PRIMITIVES: PrimitiveTypeName[] = ['long', 'integer', 'short', 'byte', 'float', 'double', 'boolean', 'binary', 'string', 'date', 'timestamp', 'timestamp_ntz', 'variant'];
/** Types printExpr writes faithfully (struct field names upper case: the printer upper-cases types). */
export const dataType: fc.Arbitrary<DataType> = fc.letrec<{ type: DataType }>((tie) => ({
  type: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...PRIMITIVES).map(primitive),
    int(1, 38).chain((p) => int(0, p).map((s): DataType => ({ kind: 'decimal', precision: p, scale: s }))),
    tie('type').map((elementType): DataType => ({ kind: 'array', elementType, containsNull: true })),
    fc.tuple(tie('type'), tie('type')).map(([keyType, valueType]): DataType => ({ kind: 'map', keyType, valueType, valueContainsNull: true })),
    fc.array(tie('type'), { minLength: 1, maxLength: 3 }).map(
      (types): DataType => ({ kind: 'struct', fields: types.map((type, i) => ({ name: `F${i}`, type, nullable: true, metadata: {} })) }),
    ),
  ),
})).type;

const COMPARISONS: ComparisonOp[] = ['=', '!=', '<', '<=', '>', '>=', '<=>'];
const ARITHMETIC: ArithmeticOp[] = ['+', '-', '*', '/', '%', 'div'];

/** Expression trees in parser-produced forms (spans omitted). */
export const anyExpr: fc.Arbitrary<Expr> = fc.letrec<{ expr: Expr }>((tie) => {
  const expr = tie('expr');
  const list = (min: number, max: number) => fc.array(expr, { minLength: min, maxLength: max });
  return {
    expr: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      { weight: 3, arbitrary: literalValue.map((value): Expr => ({ kind: 'literal', value })) },
      { weight: 3, arbitrary: fc.array(namePart, { minLength: 1, maxLength: 3 }).map((path): Expr => ({ kind: 'column', path })) },
      fc.tuple(fc.constantFrom(...COMPARISONS), expr, expr).map(([op, left, right]): Expr => ({ kind: 'comparison', op, left, right })),
      list(2, 4).map((args): Expr => ({ kind: 'and', args })),
      list(2, 4).map((args): Expr => ({ kind: 'or', args })),
      expr.map((arg): Expr => ({ kind: 'not', arg })),
      fc.tuple(expr, fc.boolean()).map(([arg, negated]): Expr => ({ kind: 'isNull', arg, negated })),
      fc.tuple(expr, list(1, 4), fc.boolean()).map(([arg, l, negated]): Expr => ({ kind: 'in', arg, list: l, negated })),
      fc.tuple(fc.constantFrom(...ARITHMETIC), expr, expr).map(([op, left, right]): Expr => ({ kind: 'arith', op, left, right })),
      expr.map((arg): Expr => ({ kind: 'negate', arg })),
      fc.tuple(functionName, list(0, 3)).map(([name, args]): Expr => ({ kind: 'call', name, args })),
      fc.constant<Expr>({ kind: 'call', name: 'count', args: [], star: true }),
      fc.tuple(expr, dataType, fc.boolean()).map(([arg, to, isTry]): Expr => (isTry ? { kind: 'cast', arg, to, mode: 'try' } : { kind: 'cast', arg, to })),
      fc
        .tuple(fc.option(expr, { nil: undefined }), fc.array(fc.tuple(expr, expr), { minLength: 1, maxLength: 3 }), fc.option(expr, { nil: undefined }))
        .map(([operand, branches, otherwise]): Expr => ({
          kind: 'case',
          ...(operand ? { operand } : {}),
          branches: branches.map(([when, then]) => ({ when, then })),
          ...(otherwise ? { otherwise } : {}),
        })),
      fc.tuple(expr, namePart).map(([arg, name]): Expr => ({ kind: 'field', arg, name })),
      fc.tuple(expr, expr).map(([arg, index]): Expr => ({ kind: 'subscript', arg, index })),
    ),
  };
}).expr.filter(printable);

const isIntervalLiteral = (e: Expr): boolean => e.kind === 'literal' && typeof e.value === 'object' && e.value !== null && 'type' in e.value && e.value.type === 'interval';

/**
 * Trees printExpr writes in a form that parses back to them: printExpr writes an interval as a
 * sum of three literals, which operators binding tighter than `+` would split; it writes a field
 * of a column like a longer column name, and a field of an integer like a decimal number.
 */
function printable(e: Expr): boolean {
  switch (e.kind) {
    case 'literal':
    case 'column':
      return true;
    case 'arith':
      return !isIntervalLiteral(e.left) && !isIntervalLiteral(e.right) && printable(e.left) && printable(e.right);
    case 'negate':
      return !isIntervalLiteral(e.arg) && printable(e.arg);
    case 'field':
      return !isIntervalLiteral(e.arg) && e.arg.kind !== 'column' && !(e.arg.kind === 'literal' && typeof e.arg.value === 'bigint') && printable(e.arg);
    case 'subscript':
      return !isIntervalLiteral(e.arg) && printable(e.arg) && printable(e.index);
    case 'comparison':
      return printable(e.left) && printable(e.right);
    case 'and':
    case 'or':
    case 'call':
      return e.args.every(printable);
    case 'not':
    case 'isNull':
    case 'cast':
      return printable(e.arg);
    case 'in':
      return printable(e.arg) && e.list.every(printable);
    case 'case':
      return (!e.operand || printable(e.operand)) && e.branches.every((b) => printable(b.when) && printable(b.then)) && (!e.otherwise || printable(e.otherwise));
  }
}

// ---- texts ------------------------------------------------------------------------------------

const paren = (s: string): string => `(${s})`;
const identText = fc.oneof(plainName, fc.constantFrom('date', 'year', 'value', 'key', 'timestamp', 'user', 't.a', 's.`x y`.z', '`end`', 'a.b.c'));
const atomText = fc.oneof(
  identText,
  fc.constantFrom('1', '-1', '0.5', '1e3', '10L', '5S', '3Y', '2.5D', '1.5F', '1.50BD', "'str'", '"dq"', "'it''s'", "'a' 'b'", String.raw`'\n\u0041'`),
  fc.constantFrom('NULL', 'TRUE', 'false', "DATE '2020-01-01'", "TIMESTAMP '2020-01-01 10:00:00'", "TIMESTAMP_NTZ '2020-01-01 00:00:00.5'", "X'0aff'"),
  fc.constantFrom('INTERVAL 10 MINUTES', "INTERVAL '1' DAY", 'INTERVAL 1 DAY 2 HOURS', "INTERVAL '1-2' YEAR TO MONTH", "INTERVAL '1 02:03:04' DAY TO SECOND", 'INTERVAL -1.5 SECONDS'),
  fc.constantFrom('current_date', 'current_timestamp', 'count(*)', 'f()'),
);

/** Valid expression texts over the whole grammar (operands parenthesized so any nesting is valid). */
export const exprText: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => {
  const e = tie('e');
  const p = e.map(paren);
  return {
    e: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      { weight: 4, arbitrary: atomText },
      fc.tuple(p, fc.constantFrom('+', '-', '*', '/', '%', 'DIV', '||', '=', '==', '<>', '!=', '<', '<=', '>', '>=', '<=>', '!<', '!>', 'AND', 'OR', 'and'), p).map(([a, op, b]) => `${a} ${op} ${b}`),
      fc.tuple(fc.constantFrom('NOT ', '!', '-', '- ', '+'), p).map(([op, a]) => op + a),
      fc.tuple(p, fc.constantFrom('IS NULL', 'IS NOT NULL', 'IS TRUE', 'IS NOT FALSE', 'IS UNKNOWN')).map(([a, s]) => `${a} ${s}`),
      fc.tuple(p, fc.constantFrom('', 'NOT '), p, p).map(([a, n, lo, hi]) => `${a} ${n}BETWEEN ${lo} AND ${hi}`),
      fc.tuple(p, fc.constantFrom('', 'NOT '), fc.array(e, { minLength: 1, maxLength: 3 })).map(([a, n, l]) => `${a} ${n}IN (${l.join(', ')})`),
      fc.tuple(p, fc.constantFrom('LIKE', 'NOT LIKE', 'ILIKE', 'RLIKE', 'NOT REGEXP'), p).map(([a, op, b]) => `${a} ${op} ${b}`),
      fc.tuple(p, fc.constantFrom('LIKE ANY', 'NOT LIKE ALL', 'ILIKE SOME'), fc.array(e, { minLength: 1, maxLength: 3 })).map(([a, op, l]) => `${a} ${op} (${l.join(', ')})`),
      fc.tuple(p, p).map(([a, b]) => `${a} IS DISTINCT FROM ${b}`),
      fc.tuple(fc.constantFrom('f', 'coalesce', 'if', 'concat', '`odd fn`'), fc.array(e, { maxLength: 3 })).map(([f, l]) => `${f}(${l.join(', ')})`),
      fc.tuple(fc.constantFrom('CAST', 'TRY_CAST'), e, fc.constantFrom('INT', 'BIGINT', 'DECIMAL(10, 2)', 'STRING', 'ARRAY<INT>', 'MAP<STRING, DOUBLE>', 'STRUCT<a: INT, b STRING>', 'DATE', 'TIMESTAMP_NTZ')).map(([c, a, t]) => `${c}(${a} AS ${t})`),
      fc.tuple(p, fc.constantFrom('INT', 'STRING', 'DECIMAL(5,1)')).map(([a, t]) => `${a}::${t}`),
      fc.tuple(fc.option(p, { nil: undefined }), fc.array(fc.tuple(e, e), { minLength: 1, maxLength: 3 }), fc.option(e, { nil: undefined })).map(
        ([op, ws, el]) => `CASE${op ? ' ' + op : ''}${ws.map(([w, t]) => ` WHEN ${w} THEN ${t}`).join('')}${el ? ' ELSE ' + el : ''} END`,
      ),
      fc.tuple(fc.constantFrom('YEAR', 'MONTH', 'DAY', 'HOUR', 'DOW'), p).map(([f, a]) => `EXTRACT(${f} FROM ${a})`),
      fc.tuple(e, e, fc.option(e, { nil: undefined })).map(([s, a, l]) => `SUBSTRING(${s} FROM ${a}${l ? ` FOR ${l}` : ''})`),
      fc.tuple(fc.constantFrom('', 'BOTH ', 'LEADING ', 'TRAILING '), fc.option(e, { nil: undefined }), e).map(([m, ch, s]) => (m === '' && !ch ? `TRIM(${s})` : `TRIM(${m}${ch ?? ''} FROM ${s})`)),
      fc.tuple(p, p).map(([a, b]) => `POSITION(${a} IN ${b})`),
      fc.tuple(p, p).map(([a, i]) => `${a}[${i}]`),
      fc.tuple(p, plainName).map(([a, f]) => `${a}.${f}`),
      fc.tuple(e, e).map(([a, b]) => `(${a}, ${b})`),
      fc.tuple(fc.constantFrom('DAY', 'HOUR'), e, e).map(([u, a, b]) => `TIMESTAMPADD(${u}, ${a}, ${b})`),
    ),
  };
}).e;

const VOCABULARY = [
  'a', 'b', 't.c', '`q d`', 'date', 'interval', 'x', '1', '-1', '2.5', '1e3', '7L', '300Y', '1.5F', "'s'", '"d"', "X'0A'", "DATE '2020-01-01'", 'NULL', 'TRUE',
  'AND', 'OR', 'NOT', '!', 'IS', 'NULL', 'IN', 'BETWEEN', 'LIKE', 'ILIKE', 'RLIKE', 'ESCAPE', 'ANY', 'ALL', 'DISTINCT', 'FROM', 'CASE', 'WHEN', 'THEN', 'ELSE', 'END',
  'CAST', 'AS', 'INT', 'ARRAY<INT>', 'EXTRACT', 'YEAR', 'SUBSTRING', 'FOR', 'TRIM', 'BOTH', 'POSITION', 'INTERVAL', 'DAY', 'HOURS', 'TO', 'SECOND', "'1-2'",
  '(', ')', '[', ']', ',', '.', '+', '-', '*', '/', '%', 'DIV', '||', '=', '==', '<>', '!=', '<', '<=', '>', '>=', '<=>', '::', '->', '=>', '&', '~', ';', '?', '--', '/*', '*/', '`', "'", '"',
];

/** Random sequences of tokens of the expression language. */
export const tokenSoup: fc.Arbitrary<string> = fc
  .array(fc.tuple(fc.constantFrom(...VOCABULARY), fc.constantFrom(' ', ' ', ' ', '', '\n')), { maxLength: 40 })
  .map((parts) => parts.map(([t, sep]) => t + sep).join(''));

/** Token slices of a valid text. */
function tokenTexts(text: string): string[] {
  return tokenize(text)
    .filter((t) => t.kind !== 'eof')
    .map((t) => text.slice(t.pos, t.end));
}

/** A valid text with one edit: a token deleted, duplicated, swapped or replaced, or the text cut. */
export const mutatedText: fc.Arbitrary<string> = fc
  .tuple(exprText, fc.constantFrom('delete', 'duplicate', 'swap', 'replace', 'truncate'), fc.nat(), fc.nat(), fc.constantFrom(...VOCABULARY))
  .map(([text, edit, i, j, word]) => {
    const tokens = tokenTexts(text);
    if (tokens.length === 0) return text;
    const at = i % tokens.length;
    const other = j % tokens.length;
    switch (edit) {
      case 'delete':
        tokens.splice(at, 1);
        break;
      case 'duplicate':
        tokens.splice(at, 0, tokens[at]!);
        break;
      case 'swap':
        [tokens[at], tokens[other]] = [tokens[other]!, tokens[at]!];
        break;
      case 'replace':
        tokens[at] = word;
        break;
      case 'truncate':
        return text.slice(0, i % (text.length + 1));
    }
    return tokens.join(' ');
  });
