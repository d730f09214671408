/**
 * The evaluator against DuckDB: random expression trees (fast-check, fixed seeds) over a random
 * table of typed columns with nulls, evaluated by deltakit (bind + compile, Spark semantics) and by
 * DuckDB on the same rows (handed over as typed VALUES), compared row by row.
 *
 * The generator stays inside what both engines define identically. Restrictions, and why:
 * - magnitudes are small (ints ±100, longs ±10^4, doubles ±10^6, decimal(10,2) ±10^5, decimal(38,10)
 *   below 2^53 unscaled) and trees shallow: Spark wraps integer overflow and nulls decimal
 *   overflow, DuckDB raises an error; a query DuckDB refuses is skipped and counted;
 * - no `/` with a decimal operand: Spark's result is a decimal with its own scale rules, DuckDB's a
 *   double; and no decimal `+ - * %` whose exact result would need more than 38 digits (Spark then
 *   rounds to a reduced scale, DuckDB errors or keeps another scale);
 * - CAST to an integral type is rendered for DuckDB as `CAST(trunc(x) AS ...)`: Spark truncates
 *   fractions, DuckDB rounds; no CAST from double to decimal (Spark goes through the shortest
 *   decimal text of the double, DuckDB through its binary value: 1.005 gives 1.01 vs 1.00);
 * - decimal(38,10) values stay below 2^53 unscaled: DuckDB converts decimals to double by dividing
 *   the unscaled integer as a double, which double-rounds above 2^53;
 * - strings are only compared with strings (Spark casts the string side of `s = 1` to a number,
 *   DuckDB raises an error on text that is not a number), IN lists and CASE/COALESCE branches
 *   keep one type family (Spark promotes mixed numbers and strings to string);
 * - `div` only on integral columns (DuckDB's `//`); no NaN or -0.0 in the data (DuckDB's text
 *   input loses -0.0);
 * - `/` and `%` are rendered for DuckDB with `nullif(divisor, 0)`: Spark gives null for a zero
 *   divisor of any numeric type, DuckDB gives Infinity or NaN for doubles.
 * Result values are compared exactly: integers as integers, doubles bit for bit (-0 = 0), decimals
 * by value (the engines pick different scales for the same value), dates and strings as text.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  and,
  arith,
  call,
  caseWhen,
  cast,
  childrenOf as astChildren,
  cmp,
  col,
  inList,
  isNotNull,
  isNull,
  lit,
  negate,
  not,
  or,
  type ArithmeticOp,
  type ComparisonOp,
  type Expr,
} from '../../src/expr/ast.js';
import { arithmeticTypes } from '../../src/expr/functions/arithmetic.js';
import { bindExpression } from '../../src/expr/binder.js';
import { compileExpression } from '../../src/expr/compile.js';
import { formatDate } from '../../src/expr/datetime.js';
import { formatDecimal } from '../../src/expr/scalar.js';
import type { TypedExpr } from '../../src/expr/typed.js';
import type { Value } from '../../src/expr/value.js';
import { decimal, field, primitive, struct, type DataType, type StructType } from '../../src/schema/types.js';
import { rowsToBatch } from '../../src/write/rows-to-arrow.js';
import { duckRows } from '../parquet/duckdb-oracle.js';

const SCHEMA: StructType = struct([
  field('k', primitive('integer')),
  field('i', primitive('integer')),
  field('l', primitive('long')),
  field('d', primitive('double')),
  field('m', decimal(10, 2)),
  field('g', decimal(38, 10)),
  field('s', primitive('string')),
  field('b', primitive('boolean')),
  field('dt', primitive('date')),
]);

// ---- data ------------------------------------------------------------------------------------

const withNulls = <T>(a: fc.Arbitrary<T>) => fc.option(a, { freq: 6 });
const decimalText = (unscaled: bigint, scale: number) => formatDecimal({ unscaled, scale });
const rowArb = fc.record({
  i: withNulls(fc.integer({ min: -100, max: 100 })),
  l: withNulls(fc.bigInt({ min: -10000n, max: 10000n })),
  d: withNulls(fc.oneof(fc.integer({ min: -1000, max: 1000 }).map((x) => x / 8), fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((x) => (x === 0 ? 0 : x)))),
  m: withNulls(fc.bigInt({ min: -10000000n, max: 10000000n }).map((u) => decimalText(u, 2))),
  g: withNulls(fc.bigInt({ min: -(2n ** 53n) + 1n, max: 2n ** 53n - 1n }).map((u) => decimalText(u, 10))),
  s: withNulls(fc.string({ unit: fc.constantFrom('a', 'b', 'B', 'é', 'z', '1', ' ', '中'), maxLength: 3 })),
  b: withNulls(fc.boolean()),
  dt: withNulls(fc.integer({ min: -800, max: 20000 })),
});
const ROWS = fc.sample(rowArb, { numRuns: 150, seed: 4242 }).map((r, k) => ({ ...r, k, dt: r.dt === null ? null : formatDate(r.dt) }));

const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;
function duckValues(): string {
  const v = (x: unknown, type: string) => (x === null ? `NULL::${type}` : `${type === 'VARCHAR' ? sqlString(String(x)) : `'${String(x)}'`}::${type}`);
  return ROWS.map(
    (r) =>
      `(${r.k}, ${v(r.i, 'INTEGER')}, ${v(r.l, 'BIGINT')}, ${v(r.d, 'DOUBLE')}, ${v(r.m, 'DECIMAL(10,2)')}, ${v(r.g, 'DECIMAL(38,10)')}, ${v(r.s, 'VARCHAR')}, ${v(r.b, 'BOOLEAN')}, ${v(r.dt, 'DATE')})`,
  ).join(',\n');
}
const TABLE = `(VALUES ${duckValues()}) t(k, i, l, d, m, g, s, b, dt)`;

// ---- expressions -----------------------------------------------------------------------------

/** An expression in both languages. */
interface Pair {
  readonly e: Expr;
  readonly sql: string;
}
const P = (e: Expr, sql: string): Pair => ({ e, sql });

const column = (name: string): Pair => P(col(name), name);
const numLeaf = fc.oneof(
  fc.constantFrom('i', 'l', 'd', 'm', 'g').map(column),
  fc.integer({ min: -20, max: 20 }).map((x) => P(lit(BigInt(x)), `${x}`)),
  fc.bigInt({ min: -5000n, max: 5000n }).map((x) => P(lit({ type: 'typed', dataType: primitive('long'), value: x }), `CAST(${x} AS BIGINT)`)),
  fc.integer({ min: -400, max: 400 }).map((x) => P(lit(x / 4 + 0.5), `${x / 4 + 0.5}e0`)),
  fc.tuple(fc.integer({ min: -9999, max: 9999 }), fc.integer({ min: 0, max: 3 })).map(([u, s]) => {
    const text = decimalText(BigInt(u), s);
    return P(lit({ type: 'decimal', text }), `CAST('${text}' AS DECIMAL(${Math.max(String(Math.abs(u)).length, s, 1)},${s}))`);
  }),
  fc.constant(P(lit(null), 'NULL')),
);
const strLeaf = fc.oneof(column('s') as unknown as fc.Arbitrary<Pair>, fc.constantFrom('a', 'b', '', 'é', 'zz').map((s) => P(lit(s), sqlString(s)))).map((x) => x);
const dateLeaf = fc.oneof(fc.constant(column('dt')), fc.integer({ min: -800, max: 20000 }).map((d) => P(lit({ type: 'date', days: d }), `DATE '${formatDate(d)}'`)));

const CAST_TARGETS: readonly [DataType, string][] = [
  [primitive('integer'), 'INTEGER'],
  [primitive('long'), 'BIGINT'],
  [primitive('double'), 'DOUBLE'],
  [decimal(18, 4), 'DECIMAL(18,4)'],
  [decimal(38, 10), 'DECIMAL(38,10)'],
];
const ARITH: readonly ArithmeticOp[] = ['+', '-', '*', '/', '%'];
const CMP: readonly ComparisonOp[] = ['=', '!=', '<', '<=', '>', '>=', '<=>'];
const cmpSql = (op: ComparisonOp) => (op === '<=>' ? 'IS NOT DISTINCT FROM' : op === '!=' ? '<>' : op);

const { num, bool } = fc.letrec<{ num: Pair; bool: Pair; str: Pair; date: Pair }>((tie) => ({
  num: fc.oneof(
    { depthSize: 'small', maxDepth: 3 },
    numLeaf,
    // Spark: x / 0 and x % 0 are null for every numeric type; DuckDB gives Infinity / NaN for doubles.
    fc.tuple(fc.constantFrom(...ARITH), tie('num'), tie('num')).map(([op, a, b]) =>
      P(arith(op, a.e, b.e), op === '/' || op === '%' ? `(${a.sql} ${op} nullif(${b.sql}, 0))` : `(${a.sql} ${op} ${b.sql})`),
    ),
    fc.constantFrom('i', 'l').chain((x) => fc.constantFrom('i', 'l').map((y) => P(arith('div', col(x), col(y)), `(${x} // ${y})`))),
    tie('num').map((a) => P(negate(a.e), `(- ${a.sql})`)),
    fc.tuple(tie('num'), fc.constantFrom(...CAST_TARGETS)).map(([a, [t, name]]) =>
      P(cast(a.e, t), t.kind === 'primitive' && t.name !== 'double' ? `CAST(trunc(${a.sql}) AS ${name})` : `CAST(${a.sql} AS ${name})`),
    ),
    fc.tuple(tie('bool'), tie('num'), tie('num')).map(([c, a, b]) => P(caseWhen([{ when: c.e, then: a.e }], b.e), `(CASE WHEN ${c.sql} THEN ${a.sql} ELSE ${b.sql} END)`)),
    fc.tuple(tie('bool'), tie('num')).map(([c, a]) => P(caseWhen([{ when: c.e, then: a.e }]), `(CASE WHEN ${c.sql} THEN ${a.sql} END)`)),
    fc.array(tie('num'), { minLength: 2, maxLength: 3 }).map((xs) => P(call('coalesce', ...xs.map((x) => x.e)), `coalesce(${xs.map((x) => x.sql).join(', ')})`)),
    fc.tuple(tie('num'), tie('num')).map(([a, b]) => P(call('nullif', a.e, b.e), `nullif(${a.sql}, ${b.sql})`)),
  ),
  str: fc.oneof(
    { depthSize: 'small', maxDepth: 2 },
    strLeaf,
    fc.tuple(tie('bool'), tie('str'), tie('str')).map(([c, a, b]) => P(caseWhen([{ when: c.e, then: a.e }], b.e), `(CASE WHEN ${c.sql} THEN ${a.sql} ELSE ${b.sql} END)`)),
    fc.tuple(tie('str'), tie('str')).map(([a, b]) => P(call('coalesce', a.e, b.e), `coalesce(${a.sql}, ${b.sql})`)),
  ),
  date: fc.oneof(dateLeaf, fc.tuple(dateLeaf, dateLeaf).map(([a, b]) => P(call('coalesce', a.e, b.e), `coalesce(${a.sql}, ${b.sql})`))),
  bool: fc.oneof(
    { depthSize: 'small', maxDepth: 3 },
    fc.constant(column('b')),
    fc.tuple(fc.constantFrom(...CMP), tie('num'), tie('num')).map(([op, a, b]) => P(cmp(op, a.e, b.e), `(${a.sql} ${cmpSql(op)} ${b.sql})`)),
    fc.tuple(fc.constantFrom(...CMP), tie('str'), tie('str')).map(([op, a, b]) => P(cmp(op, a.e, b.e), `(${a.sql} ${cmpSql(op)} ${b.sql})`)),
    fc.tuple(fc.constantFrom(...CMP), tie('date'), tie('date')).map(([op, a, b]) => P(cmp(op, a.e, b.e), `(${a.sql} ${cmpSql(op)} ${b.sql})`)),
    fc.tuple(fc.constantFrom('=', '!=', '<'), tie('bool'), tie('bool')).map(([op, a, b]) => P(cmp(op as ComparisonOp, a.e, b.e), `(${a.sql} ${cmpSql(op as ComparisonOp)} ${b.sql})`)),
    fc.array(tie('bool'), { minLength: 2, maxLength: 3 }).map((xs) => P(and(...xs.map((x) => x.e)), `(${xs.map((x) => x.sql).join(' AND ')})`)),
    fc.array(tie('bool'), { minLength: 2, maxLength: 3 }).map((xs) => P(or(...xs.map((x) => x.e)), `(${xs.map((x) => x.sql).join(' OR ')})`)),
    tie('bool').map((a) => P(not(a.e), `(NOT ${a.sql})`)),
    fc.tuple(fc.oneof(tie('num'), tie('str'), tie('date')), fc.boolean()).map(([a, neg]) => P(neg ? isNotNull(a.e) : isNull(a.e), `(${a.sql} IS ${neg ? 'NOT ' : ''}NULL)`)),
    fc.tuple(tie('num'), fc.array(numLeaf, { minLength: 1, maxLength: 4 }), fc.boolean()).map(([a, xs, neg]) =>
      P(inList(a.e, xs.map((x) => x.e), neg), `(${a.sql} ${neg ? 'NOT ' : ''}IN (${xs.map((x) => x.sql).join(', ')}))`),
    ),
    fc.tuple(tie('str'), fc.array(strLeaf, { minLength: 1, maxLength: 3 }), fc.boolean()).map(([a, xs, neg]) =>
      P(inList(a.e, xs.map((x) => x.e), neg), `(${a.sql} ${neg ? 'NOT ' : ''}IN (${xs.map((x) => x.sql).join(', ')}))`),
    ),
  ),
}));

// ---- restrictions on bound trees ------------------------------------------------------------

/**
 * Why an expression is outside the compared subset, or undefined. Checked on the AST with each
 * operand bound on its own, because binding folds constant subtrees (hiding their operators).
 */
function outsideSubset(e: Expr): string | undefined {
  if (e.kind === 'arith' && e.op !== 'div') {
    const types = arithmeticTypes(e.op, bindExpression(e.left, SCHEMA), bindExpression(e.right, SCHEMA));
    if (typeof types !== 'string' && types.left.kind === 'decimal' && types.right.kind === 'decimal') {
      const [a, b] = [types.left, types.right];
      if (e.op === '/') return 'decimal division';
      const raw = e.op === '*' ? a.precision + b.precision + 1 : Math.max(a.precision - a.scale, b.precision - b.scale) + Math.max(a.scale, b.scale) + (e.op === '%' ? 0 : 1);
      if (raw > 38) return 'decimal result beyond 38 digits';
    }
  }
  if (e.kind === 'cast' && e.to.kind === 'decimal') {
    const from = bindExpression(e.arg, SCHEMA).type;
    if (from.kind === 'primitive' && from.name === 'double') return 'double to decimal cast';
  }
  for (const c of astChildren(e)) {
    const why = outsideSubset(c);
    if (why) return why;
  }
  return undefined;
}

// ---- comparison ------------------------------------------------------------------------------

/** Exact decimal text without trailing fraction zeros (`-1.50` → `-1.5`, `0.00` → `0`). */
function canonicalDecimal(text: string): string {
  text = text.replace(/^(-?)\./, '$10.'); // DuckDB prints DECIMAL(p,p) as .5
  let s = text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
  if (/^-0*$/.test(s) || s === '') s = '0';
  return s.replace(/^(-?)0+(?=\d)/, '$1');
}

function ours(v: Value, type: DataType): string | null {
  if (v === null) return null;
  if (type.kind === 'decimal') return canonicalDecimal(formatDecimal(v as { unscaled: bigint; scale: number }));
  if (type.kind === 'primitive' && type.name === 'date') return formatDate(v as number);
  if (typeof v === 'number') return Object.is(v, -0) ? '0' : String(v);
  return String(v);
}

function theirs(v: unknown, type: DataType): string | null {
  if (v === null || v === undefined) return null;
  if (type.kind === 'decimal') return canonicalDecimal(String(v));
  if (typeof v === 'number') return Object.is(v, -0) ? '0' : String(v);
  return String(v);
}

/** DuckDB's SELECT list item for a result of (deltakit's) `type`: decimals and dates as text. */
const selectAs = (sql: string, type: DataType) => (type.kind === 'decimal' || (type.kind === 'primitive' && type.name === 'date') ? `CAST(${sql} AS VARCHAR)` : sql);

describe('evaluator = DuckDB on random expressions', () => {
  const batch = rowsToBatch(ROWS, SCHEMA);

  async function compare(pairs: readonly Pair[]): Promise<{ compared: number; skipped: Map<string, number>; mismatches: string[] }> {
    const skipped = new Map<string, number>();
    const skip = (why: string) => skipped.set(why, (skipped.get(why) ?? 0) + 1);
    const mismatches: string[] = [];
    let compared = 0;
    for (const { e, sql } of pairs) {
      let typed: TypedExpr;
      try {
        typed = bindExpression(e, SCHEMA);
      } catch {
        skip('does not bind');
        continue;
      }
      const why = outsideSubset(e);
      if (why) {
        skip(why);
        continue;
      }
      let duck: Record<string, unknown>[];
      try {
        duck = await duckRows(`SELECT ${selectAs(sql, typed.type)} AS r FROM ${TABLE} ORDER BY k`);
      } catch {
        skip('DuckDB refuses');
        continue;
      }
      let got: Value[];
      try {
        got = compileExpression(typed).evaluate(batch).toValues();
      } catch (e) {
        mismatches.push(`${sql}\n  deltakit threw ${(e as Error).message}`);
        continue;
      }
      compared++;
      for (let r = 0; r < ROWS.length; r++) {
        const a = ours(got[r]!, typed.type);
        const b = theirs(duck[r]!['r'], typed.type);
        if (a !== b) {
          const row = JSON.stringify(ROWS[r], (_k, x: unknown) => (typeof x === 'bigint' ? String(x) : x));
          mismatches.push(`${sql}\n  row ${r} ${row}: deltakit ${a}, DuckDB ${b} (type ${JSON.stringify(typed.type)})`);
          break;
        }
      }
    }
    return { compared, skipped, mismatches };
  }

  it('numeric expressions (arithmetic, negation, casts, CASE, COALESCE, NULLIF)', async () => {
    const pairs = fc.sample(num, { numRuns: 300, seed: 1 });
    const r = await compare(pairs);
    expect(r.mismatches).toEqual([]);
    expect(r.compared, `skipped: ${JSON.stringify([...r.skipped])}`).toBeGreaterThan(250);
  });

  it('conditions (comparisons, AND/OR/NOT, IS NULL, IN) over numbers, strings, dates, booleans', async () => {
    const pairs = fc.sample(bool, { numRuns: 300, seed: 2 });
    const r = await compare(pairs);
    expect(r.mismatches).toEqual([]);
    expect(r.compared, `skipped: ${JSON.stringify([...r.skipped])}`).toBeGreaterThan(250);
  });

  // Cases the generator found, kept as plain regressions.
  it('CASE whose branches are all NULL has type void (NullType), so it widens like NULL', async () => {
    const e = call('coalesce', caseWhen([{ when: col('b'), then: lit(null) }]), lit({ type: 'decimal', text: '1.5' }));
    expect(bindExpression(caseWhen([{ when: col('b'), then: lit(null) }]), SCHEMA).type).toEqual(primitive('void'));
    expect(bindExpression(e, SCHEMA).type).toEqual(decimal(2, 1));
    const r = await compare([P(e, `coalesce(CASE WHEN b THEN NULL END, 1.5)`)]);
    expect(r).toMatchObject({ compared: 1, mismatches: [] });
  });

  it('decimal arithmetic over rows that an earlier operation made null', async () => {
    const mod = arith('%', col('m'), call('nullif', col('i'), lit(0n)));
    const r = await compare([
      P(arith('*', caseWhen([{ when: col('b'), then: lit(null) }]), call('nullif', mod, lit(17n))), '((CASE WHEN b THEN NULL END) * nullif(m % nullif(i, 0), 17))'),
      P(arith('+', mod, col('m')), '((m % nullif(i, 0)) + m)'),
    ]);
    expect(r).toMatchObject({ compared: 2, mismatches: [] });
  });
});
