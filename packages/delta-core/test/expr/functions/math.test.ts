/**
 * Math functions. Expected values come from Spark's MathExpressionsSuite, RandomSuite and the
 * functions' documented examples; generated inputs are compared with DuckDB where both define
 * the function alike: exactly for abs, sqrt, degrees, radians, floor/ceil, factorial, bin, hex,
 * decimal round (HALF_UP) and pmod; within one unit in the last place for transcendental
 * functions (V8 uses fdlibm, as Java's StrictMath; DuckDB uses the C library).
 *
 * Not compared with DuckDB, and why: round/bround on doubles (DuckDB rounds the binary value,
 * Spark the decimal text Java prints: round(2.675, 2) is 2.68 in Spark; they are compared with
 * DuckDB's decimal rounding of that text instead); log/ln/log2 of values <= 0 (DuckDB raises,
 * Spark returns null); log2 (DuckDB's log2 is exact on powers of two, Spark divides two
 * natural logs); sqrt of negatives (DuckDB raises, Spark returns NaN); signum, hypot, conv,
 * width_bucket, rand (not in DuckDB or defined differently).
 */
import { describe, expect, it } from 'vitest';
import { duckRows } from '../../parquet/duckdb-oracle.js';
import {
  DOUBLE,
  INT,
  LONG,
  bindExpression,
  byte,
  call,
  compileExpression,
  dbl,
  dec,
  decimalType,
  errorCode,
  ev,
  evalColumns,
  evk,
  flt,
  int,
  lit,
  long,
  norm,
  nul,
  resultType,
  rng,
  short,
  str,
  struct,
  typedNull,
} from '../function-helpers.js';

/** `|d| = m · 2^e` exactly. */
function exact(d: number): [bigint, number] {
  const v = new DataView(new ArrayBuffer(8));
  v.setFloat64(0, Math.abs(d));
  const bits = v.getBigUint64(0);
  const exp = Number(bits >> 52n);
  const man = bits & ((1n << 52n) - 1n);
  return exp === 0 ? [man, -1074] : [man | (1n << 52n), exp - 1075];
}

/** The positive double `k` units in the last place away from positive `d`. */
function step(d: number, k: number): number {
  const v = new DataView(new ArrayBuffer(8));
  v.setFloat64(0, d);
  v.setBigUint64(0, v.getBigUint64(0) + BigInt(k));
  return v.getFloat64(0);
}

/** Whether `h` is within one ulp of the exact sqrt(x² + y²), checked with exact integer arithmetic. */
function withinOneUlpOfHypot(h: number, x: number, y: number): boolean {
  if (h === 0) return x === 0 && y === 0;
  const parts = [exact(x), exact(y), exact(step(h, -1)), exact(step(h, 1))];
  const base = Math.min(...parts.map(([, e]) => e));
  const sq = ([m, e]: [bigint, number]) => (m * m) << BigInt(2 * (e - base));
  const sum = sq(parts[0]!) + sq(parts[1]!);
  return sq(parts[2]!) <= sum && sum <= sq(parts[3]!);
}

/** Equal within `ulps` units in the last place (NaN equals NaN). */
const close = (a: number, b: number, ulps = 1): boolean => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b)) || Math.abs(a - b) <= ulps * Number.EPSILON * Math.max(Math.abs(a), Math.abs(b));

describe('documented examples and MathExpressionsSuite cases', () => {
  it('unary and binary doubles', () => {
    expect(ev('sqrt', int(4))).toBe(2);
    expect(ev('sqrt', dbl(-1))).toBe('NaN');
    expect(ev('cbrt', dbl(27))).toBe(3);
    expect(ev('exp', int(0))).toBe(1);
    expect(ev('expm1', int(0))).toBe(0);
    expect(ev('ln', int(1))).toBe(0);
    expect(ev('log', int(10), int(100))).toBe(2);
    expect(ev('log2', int(2))).toBe(1);
    expect(ev('log10', int(10))).toBe(1);
    expect(ev('log1p', int(0))).toBe(0);
    expect(ev('pow', int(2), int(3))).toBe(8);
    expect(ev('power', int(2), int(3))).toBe(8);
    expect(ev('hypot', int(3), int(4))).toBe(5);
    expect(ev('atan2', int(0), int(0))).toBe(0);
    expect(ev('signum', int(40))).toBe(1);
    expect(ev('sign', dbl(-0.0))).toBe('-0');
    expect(ev('rint', dbl(12.3456))).toBe(12);
    expect([2.5, 3.5, -2.5, -0.4, 0.5].map((x) => ev('rint', dbl(x)))).toEqual([2, 4, -2, '-0', 0]);
    expect(ev('acos', int(1))).toBe(0);
    expect(ev('acos', int(2))).toBe('NaN');
    expect(ev('asin', int(2))).toBe('NaN');
    expect(ev('atan', int(0))).toBe(0);
    expect(ev('cos', int(0))).toBe(1);
    expect(ev('cosh', int(0))).toBe(1);
    expect(ev('sin', int(0))).toBe(0);
    expect(ev('sinh', int(0))).toBe(0);
    expect(ev('tan', int(0))).toBe(0);
    expect(ev('tanh', int(0))).toBe(0);
    expect(ev('cot', int(1))).toBe(0.6420926159343306);
    expect(ev('sec', int(0))).toBe(1);
    expect(ev('csc', int(1))).toBe(1 / Math.sin(1));
    expect(ev('acosh', int(1))).toBe(0);
    expect(ev('acosh', int(0))).toBe('NaN');
    expect(ev('asinh', int(0))).toBe(0);
    expect(ev('asinh', dbl(-Infinity))).toBe(-Infinity);
    expect(ev('atanh', int(0))).toBe(0);
    expect(ev('atanh', int(2))).toBe('NaN');
    expect(ev('degrees', dbl(3.141592653589793))).toBe(180);
    expect(ev('radians', int(180))).toBe(3.141592653589793);
    expect(ev('e')).toBe(2.718281828459045);
    expect(ev('pi')).toBe(3.141592653589793);
    expect(ev('sqrt', str('4'))).toBe(2);
    expect(ev('sqrt', nul)).toBe(null);
  });

  it('logarithms are null for arguments <= 0 (log1p: <= -1)', () => {
    for (const x of [0, -0.5, -1]) {
      expect(ev('ln', dbl(x))).toBe(null);
      expect(ev('log10', dbl(x))).toBe(null);
      expect(ev('log2', dbl(x))).toBe(null);
      expect(ev('log', dbl(x))).toBe(null);
    }
    for (const x of [-1, -2, -10]) expect(ev('log1p', dbl(x))).toBe(null);
    expect(ev('log', dbl(-1), dbl(1))).toBe(null);
    expect(ev('log', dbl(1), dbl(-1))).toBe(null);
    expect(ev('log', nul, dbl(1))).toBe(null);
    expect(ev('ln', dbl(NaN))).toBe('NaN');
    for (let v = 1; v <= 20; v++) {
      const [a, b] = [v * 0.1, v * 0.2];
      expect(ev('log', dbl(a), dbl(b))).toBe(norm(Math.log(b) / Math.log(a)));
      expect(ev('log2', dbl(a))).toBe(norm(Math.log(a) / Math.log(2)));
    }
    expect(ev('pow', dbl(-1), dbl(0.9))).toBe('NaN');
    expect(ev('pow', dbl(-2.2), dbl(-1.7))).toBe('NaN');
  });

  it('atan2 treats -0.0 as 0.0, as Spark adds 0.0 to both arguments', () => {
    expect(ev('atan2', dbl(-0.0), dbl(-1))).toBe(Math.PI);
    expect(ev('atan2', dbl(0), dbl(-0.0))).toBe(0);
  });

  it('hypot is fdlibm’s (Java StrictMath)', () => {
    expect(ev('hypot', dbl(1e308), dbl(1e308))).toBe(1.4142135623730951e308);
    expect(ev('hypot', dbl(Infinity), dbl(NaN))).toBe(Infinity);
    expect(ev('hypot', dbl(NaN), dbl(1))).toBe('NaN');
    expect(ev('hypot', dbl(5e-324), dbl(0))).toBe(5e-324);
    const r = rng(3);
    const xs = Array.from({ length: 3000 }, () => (r() - 0.5) * 10 ** Math.floor(r() * 40 - 20));
    const ys = xs.map((_, k) => (r() - 0.5) * 10 ** Math.floor(r() * 40 - 20) * (k % 3 === 0 ? 1e-300 : 1));
    const hs = evalColumns('hypot', [{ type: DOUBLE, values: xs }, { type: DOUBLE, values: ys }]) as number[];
    // exact oracle (V8's Math.hypot is itself off by more than an ulp at times)
    hs.forEach((h, k) => expect(withinOneUlpOfHypot(h, xs[k]!, ys[k]!), `hypot(${xs[k]}, ${ys[k]}) = ${h}`).toBe(true));
    for (const [a, b, c] of [[3, 4, 5], [5, 12, 13], [8, 15, 17], [20, 21, 29], [119, 120, 169]] as const) expect(ev('hypot', dbl(a), dbl(b))).toBe(c);
  });

  it('integers: factorial, bin, shifts, abs wraps like Java', () => {
    const f = [1n, 1n, 2n, 6n, 24n, 120n, 720n, 5040n, 40320n, 362880n, 3628800n, 39916800n, 479001600n, 6227020800n, 87178291200n, 1307674368000n, 20922789888000n, 355687428096000n, 6402373705728000n, 121645100408832000n, 2432902008176640000n];
    f.forEach((v, i) => expect(ev('factorial', int(i))).toBe(v));
    expect(ev('factorial', int(21))).toBe(null);
    expect(ev('factorial', int(-1))).toBe(null);
    expect(ev('bin', int(13))).toBe('1101');
    expect(ev('bin', int(-13))).toBe('1111111111111111111111111111111111111111111111111111111111110011');
    expect(ev('bin', dbl(13.3))).toBe('1101');
    expect(ev('shiftleft', int(21), int(1))).toBe(42);
    expect(ev('shiftleft', long(-21n), int(1))).toBe(-42n);
    expect(ev('shiftleft', int(1), int(33))).toBe(2);
    expect(ev('shiftright', int(42), int(1))).toBe(21);
    expect(ev('shiftright', long(-42n), int(1))).toBe(-21n);
    expect(ev('shiftrightunsigned', long(-42n), int(1))).toBe(9223372036854775787n);
    expect(ev('shiftrightunsigned', int(-42), int(1))).toBe(2147483627);
    expect(ev('abs', int(-1))).toBe(1);
    expect(ev('abs', int(-2147483648))).toBe(-2147483648);
    expect(ev('abs', byte(-128))).toBe(-128);
    expect(ev('abs', short(-5))).toBe(5);
    expect(ev('abs', long(-9223372036854775808n))).toBe(-9223372036854775808n);
    expect(ev('abs', dec('-1.50', 5, 2))).toBe('dec:150e-2');
    expect(ev('abs', dbl(-0.0))).toBe(0);
    expect(ev('abs', str('-2.5'))).toBe(2.5);
    expect(resultType('abs', short(1))).toEqual({ kind: 'primitive', name: 'short' });
  });

  it('conv (MathExpressionsSuite and docs)', () => {
    const c = (n: string | null, from: number | null, to: number | null) => ev('conv', str(n), from === null ? typedNull(INT) : int(from), to === null ? typedNull(INT) : int(to));
    expect(c('3', 10, 2)).toBe('11');
    expect(c('-15', 10, -16)).toBe('-F');
    expect(c('-15', 10, 16)).toBe('FFFFFFFFFFFFFFF1');
    expect(c('big', 36, 16)).toBe('3A48');
    expect(c(null, 36, 16)).toBe(null);
    expect(c('3', null, 16)).toBe(null);
    expect(c('3', 16, null)).toBe(null);
    expect(c('1234', 10, 37)).toBe(null);
    expect(c('', 10, 16)).toBe(null);
    expect(c('9223372036854775807', 36, 16)).toBe('FFFFFFFFFFFFFFFF');
    expect(c('11abc', 10, 16)).toBe('B');
    expect(c('100', 2, 10)).toBe('4');
    expect(ev('conv', int(-10), int(16), int(-10))).toBe('-16');
    expect(c('  ff  ', 16, 10)).toBe('255');
    expect(c('-', 10, 10)).toBe('0');
  });

  it('width_bucket (docs) and pmod', () => {
    expect(ev('width_bucket', dbl(5.3), dbl(0.2), dbl(10.6), int(5))).toBe(3n);
    expect(ev('width_bucket', dbl(-2.1), dbl(1.3), dbl(3.4), int(3))).toBe(0n);
    expect(ev('width_bucket', dbl(8.1), dbl(0.0), dbl(5.7), int(4))).toBe(5n);
    expect(ev('width_bucket', dbl(-0.9), dbl(5.2), dbl(0.5), int(2))).toBe(3n);
    expect(ev('width_bucket', dbl(1), dbl(1), dbl(1), int(2))).toBe(null);
    expect(ev('width_bucket', dbl(1), dbl(0), dbl(2), int(0))).toBe(null);
    expect(ev('width_bucket', dbl(NaN), dbl(0), dbl(2), int(3))).toBe(null);
    // Java's double.toLong: an infinite span gives NaN (bucket 0 + 1); huge counts go through doubles
    expect(ev('width_bucket', dbl(1e308), dbl(-1e308), dbl(1.7e308), int(3))).toBe(1n);
    expect(ev('width_bucket', dbl(0.99), dbl(0), dbl(1), long(9223372036854775806n))).toBe(9131138316486227969n);
    expect(ev('pmod', int(10), int(3))).toBe(1);
    expect(ev('pmod', int(-10), int(3))).toBe(2);
    expect(ev('pmod', int(-7), int(-3))).toBe(-1);
    expect(ev('pmod', int(-1), int(-2147483648))).toBe(2147483647);
    expect(ev('pmod', int(5), int(0))).toBe(null);
    expect(ev('pmod', long(-10n), long(3n))).toBe(2n);
    expect(ev('pmod', dbl(-10.5), dbl(3))).toBe(1.5);
    expect(ev('pmod', dec('-10.5', 3, 1), int(3))).toBe('dec:15e-1');
    // an integer literal is decimal(1,0) next to a decimal (DecimalType.fromLiteral), so the remainder type is decimal(2,1)
    expect(resultType('pmod', dec('-10.5', 3, 1), int(3))).toEqual(decimalType(2, 1));
  });

  it('rand/randn reproduce Spark’s XORShiftRandom for a seed (RandomSuite, docs)', () => {
    const seeded = (name: string, seed: bigint | null, n = 1) => {
      const typed = bindExpression(call(name, seed === null ? lit(null) : lit({ type: 'typed', dataType: LONG, value: seed })), struct([]));
      // no columns are read: a stand-in batch only gives the row count
      return compileExpression(typed).evaluate({ numRows: n } as never).toValues();
    };
    expect(seeded('rand', 0n)).toEqual([0.7604953758285915]);
    expect(seeded('rand', null)).toEqual([0.7604953758285915]);
    expect(seeded('random', 1n)).toEqual([0.6363787615254752]);
    expect(seeded('rand', 30n)).toEqual([0.2762195585886885]);
    expect(seeded('randn', 30n)).toEqual([-1.0451987154313813]);
    expect(seeded('randn', null)).toEqual([1.6034991609278433]);
    expect(seeded('rand', 5419823303878592871n)).toEqual([0.7145363364564755]);
    expect(seeded('randn', 5419823303878592871n)).toEqual([0.7816815274533012]);
    const many = seeded('rand', 7n, 1000) as number[];
    expect(new Set(many).size).toBe(1000);
    expect(many.every((x) => x >= 0 && x < 1)).toBe(true);
    const unseeded = bindExpression(call('rand'), struct([]));
    expect(unseeded.kind).toBe('call');
    expect(errorCode(() => bindExpression(call('rand', lit(1.5)), struct([])))).toBe('TYPE_MISMATCH');
  });
});

describe('round, bround, ceil, floor', () => {
  it('round/bround every numeric type at scales -6..6 (MathExpressionsSuite)', () => {
    const scales = [-6, -5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6];
    const doubleResults = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 3.0, 3.1, 3.14, 3.142, 3.1416, 3.14159, 3.141593];
    const floatResults = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 3.0, 3.1, 3.14, 3.141, 3.1415, 3.1415, 3.1415].map(Math.fround);
    const shortResults = [0, 0, 30000, 31000, 31400, 31420, ...Array(7).fill(31415)];
    const intResults = [314000000, 314200000, 314160000, 314159000, 314159300, 314159270, ...Array(7).fill(314159265)];
    const intResultsB = [314000000, 314200000, 314160000, 314159000, 314159300, 314159260, ...Array(7).fill(314159265)];
    const longResults = [31415926536000000n, 31415926535900000n, 31415926535900000n, 31415926535898000n, 31415926535897900n, 31415926535897930n, ...Array(7).fill(31415926535897932n)];
    scales.forEach((s, i) => {
      for (const fn of ['round', 'bround']) {
        expect(evk(fn, dbl(Math.PI), int(s)), `${fn} pi ${s}`).toBe(doubleResults[i]);
        expect(evk(fn, flt(3.1415), int(s)), `${fn} float ${s}`).toBe(floatResults[i]);
        expect(evk(fn, short(31415), int(s))).toBe(shortResults[i]);
        expect(evk(fn, int(314159265), int(s))).toBe(fn === 'round' ? intResults[i] : intResultsB[i]);
        expect(evk(fn, long(31415926535897932n), int(s))).toBe(longResults[i]);
      }
    });
    const bd = ['3', '3.1', '3.14', '3.142', '3.1416', '3.14159', '3.141593', '3.1415927'];
    bd.forEach((want, i) => {
      expect(evk('round', dec('3.1415927', 8, 7), int(i))).toBe(norm(dec(want, 8, i).value));
      expect(evk('bround', dec('3.1415927', 8, 7), int(i))).toBe(norm(dec(want, 8, i).value));
    });
    for (const s of [8, 9, 10]) expect(evk('round', dec('3.1415927', 8, 7), int(s))).toBe('dec:31415927e-7');
    expect([evk('round', dbl(2.5), int(0)), evk('round', dbl(3.5), int(0)), evk('round', dbl(-2.5), int(0)), evk('round', dbl(-3.5), int(0)), evk('round', dbl(-0.35), int(1)), evk('round', int(-35), int(-1))]).toEqual([3, 4, -3, -4, -0.4, -40]);
    expect([evk('bround', dbl(2.5), int(0)), evk('bround', dbl(3.5), int(0)), evk('bround', dbl(-2.5), int(0)), evk('bround', dbl(-3.5), int(0)), evk('bround', dbl(-0.35), int(1)), evk('bround', int(-35), int(-1))]).toEqual([2, 4, -2, -4, -0.4, -40]);
    expect(evk('round', dbl(2.675), int(2))).toBe(2.68);
    expect(evk('round', dbl(-0.4), int(0))).toBe(0);
    expect(evk('round', dbl(NaN), int(2))).toBe('NaN');
    expect(evk('round', dbl(Infinity), int(-2))).toBe(Infinity);
    expect(ev('round', dec('2.5', 2, 1))).toBe('dec:3e-0');
    expect(evk('bround', int(25), int(-1))).toBe(20);
    expect(evk('round', int(2147483647), int(-1))).toBe(-2147483646);
    expect(evk('round', dbl(1.5), typedNull(INT))).toBe(null);
    expect(evk('round', typedNull(DOUBLE), int(2))).toBe(null);
  });

  it('decimal result types follow RoundBase', () => {
    expect(resultType('round', dec('1', 10, 3), int(1))).toEqual(decimalType(9, 1));
    expect(resultType('round', dec('1', 10, 3), int(5))).toEqual(decimalType(11, 3));
    expect(resultType('round', dec('1', 10, 3), int(-2))).toEqual(decimalType(8, 0));
    expect(resultType('round', dec('1', 5, 2), int(-6))).toEqual(decimalType(7, 0));
    expect(resultType('round', dec('1', 38, 10), int(2))).toEqual(decimalType(31, 2));
    expect(resultType('round', dec('1', 38, 0), int(-1))).toEqual(decimalType(38, 0));
    expect(resultType('round', int(1), int(-1))).toEqual(INT);
    expect(evk('round', dec('123.456', 6, 3), int(-1))).toBe('dec:120e-0');
    expect(evk('round', dec('99.95', 4, 2), int(1))).toBe('dec:1000e-1');
    expect(evk('round', dec('-99.95', 4, 2), int(-2))).toBe('dec:-100e-0');
    expect(errorCode(() => evk('round', dec('99999999999999999999999999999999999999', 38, 0), int(-1)))).toBe('INVALID_ARGUMENT');
    expect(errorCode(() => evalColumns('round', [{ type: DOUBLE, values: [1] }, { type: INT, values: [1] }]))).toBe('TYPE_MISMATCH');
  });

  it('ceil and floor (MathExpressionsSuite, docs)', () => {
    const cases: [number, bigint, bigint][] = [[3.1415, 4n, 3n], [-3.1415, -3n, -4n], [0.01, 1n, 0n], [-0.1, 0n, -1n], [5, 5n, 5n]];
    for (const [x, c, f] of cases) {
      expect(ev('ceil', dbl(x))).toBe(c);
      expect(ev('ceiling', dbl(x))).toBe(c);
      expect(ev('floor', dbl(x))).toBe(f);
    }
    expect(ev('ceil', flt(3.1415))).toBe(4n);
    expect(ev('ceil', long(12345678901234567n))).toBe(12345678901234567n);
    expect(ev('floor', long(-12345678901234567n))).toBe(-12345678901234567n);
    expect(ev('ceil', int(1))).toBe(1n);
    expect(ev('ceil', dbl(NaN))).toBe(0n);
    expect(ev('floor', dbl(1e300))).toBe(9223372036854775807n);
    expect(ev('ceil', nul)).toBe(null);
    expect(resultType('ceil', int(1))).toEqual(LONG);
    expect(resultType('floor', dec('1', 25, 3))).toEqual(decimalType(23, 0));
    expect(resultType('floor', dec('1', 5, 0))).toEqual(decimalType(5, 0));
    for (let k = -20; k <= 20; k++) {
      const text = (k / 10).toFixed(1);
      expect(ev('ceil', dec(text, 3, 1))).toBe(`dec:${Math.ceil(k / 10)}e-0`);
      expect(ev('floor', dec(text, 3, 1))).toBe(`dec:${Math.floor(k / 10)}e-0`);
    }
    expect(evk('ceil', dec('3.1411', 5, 4), int(3))).toBe('dec:3142e-3');
    expect(evk('ceil', dec('3.1411', 5, 4), int(-3))).toBe('dec:1000e-0');
    expect(evk('floor', dec('3.1411', 5, 4), int(3))).toBe('dec:3141e-3');
    expect(evk('floor', dec('3.1411', 5, 4), int(-3))).toBe('dec:0e-0');
    expect(resultType('ceil', int(5), int(-1))).toEqual(decimalType(11, 0));
    expect(evk('ceil', dbl(-0.5), int(0))).toBe('dec:0e-0');
  });
});

// ---- DuckDB comparisons ---------------------------------------------------------------------

async function duck(sqlExpr: string, columns: { sqlType: string; values: readonly (number | bigint | string | null)[] }[]): Promise<unknown[]> {
  const n = columns[0]!.values.length;
  // values travel as text so that DuckDB parses them exactly (a numeric literal would go through DECIMAL first)
  const cell = (v: number | bigint | string | null, t: string) => (v === null ? `NULL::${t}` : typeof v === 'number' && !Number.isFinite(v) ? `'${v > 0 ? 'inf' : v < 0 ? '-inf' : 'nan'}'::${t}` : `'${String(v)}'::${t}`);
  const rows = Array.from({ length: n }, (_, i) => `(${i}, ${columns.map((c) => cell(c.values[i]!, c.sqlType)).join(', ')})`).join(',\n');
  const out = await duckRows(`SELECT ${sqlExpr} AS r FROM (VALUES ${rows}) t(i, ${columns.map((_, k) => `c${k}`).join(', ')}) ORDER BY i`);
  return out.map((r) => r['r']);
}

const r = rng(11);
const doubles = [0, -0, 1, -1, 0.5, 2.675, 1e-300, 1e300, 123456.789, -9.87654321e-5, Math.PI, ...Array.from({ length: 300 }, () => (r() - 0.5) * 10 ** Math.floor(r() * 16 - 6))];
const positives = doubles.filter((x) => x > 0);

describe('agrees with DuckDB on generated numbers', () => {
  const col = (values: readonly number[]) => ({ type: DOUBLE, values });

  it('abs, sqrt, degrees, radians, floor, ceil exactly', async () => {
    const special = [...doubles, NaN, Infinity, -Infinity];
    expect(evalColumns('abs', [col(special)]).map(norm)).toEqual((await duck('abs(c0)', [{ sqlType: 'DOUBLE', values: special }])).map(norm as never));
    expect(evalColumns('sqrt', [col(positives)])).toEqual(await duck('sqrt(c0)', [{ sqlType: 'DOUBLE', values: positives }]));
    // Java keeps the sign of -0.0 (x * constant); DuckDB prints 0: zeros are compared without sign
    const unsigned = (xs: unknown[]) => xs.map((x) => (x as number) + 0);
    expect(unsigned(evalColumns('degrees', [col(doubles)]))).toEqual(unsigned(await duck('degrees(c0)', [{ sqlType: 'DOUBLE', values: doubles }])));
    expect(unsigned(evalColumns('radians', [col(doubles)]))).toEqual(unsigned(await duck('radians(c0)', [{ sqlType: 'DOUBLE', values: doubles }])));
    const moderate = doubles.filter((x) => Math.abs(x) < 1e15);
    expect(evalColumns('floor', [col(moderate)]).map(Number)).toEqual((await duck('floor(c0)', [{ sqlType: 'DOUBLE', values: moderate }])).map((x) => (x as number) + 0));
    expect(evalColumns('ceil', [col(moderate)]).map(Number)).toEqual((await duck('ceil(c0)', [{ sqlType: 'DOUBLE', values: moderate }])).map((x) => (x as number) + 0));
  });

  it('transcendental functions within one ulp', async () => {
    const small = doubles.filter((x) => Math.abs(x) < 700);
    const unit = doubles.map((x) => Math.tanh(x));
    // cbrt: glibc's is not correctly rounded (cbrt(123456.789) is 2 ulps off; fdlibm's is within 1)
    const checks: [string, string, readonly number[], number?][] = [
      ['exp', 'exp(c0)', small],
      ['ln', 'ln(c0)', positives],
      ['log10', 'log10(c0)', positives],
      ['sin', 'sin(c0)', small],
      ['cos', 'cos(c0)', small],
      ['tan', 'tan(c0)', small],
      ['atan', 'atan(c0)', doubles],
      ['asin', 'asin(c0)', unit],
      ['acos', 'acos(c0)', unit],
      ['cbrt', 'cbrt(c0)', doubles, 2],
      ['sinh', 'sinh(c0)', small],
      ['cosh', 'cosh(c0)', small],
      ['tanh', 'tanh(c0)', doubles],
    ];
    for (const [fn, sql, values, ulps] of checks) {
      const ours = evalColumns(fn, [col(values)]) as number[];
      const theirs = (await duck(sql, [{ sqlType: 'DOUBLE', values }])) as number[];
      ours.forEach((v, i) => expect(close(v, theirs[i]!, ulps), `${fn}(${values[i]}) = ${v} vs ${theirs[i]}`).toBe(true));
    }
    const ys = doubles.map((_, i) => doubles[(i * 7) % doubles.length]!);
    const bases = positives.map((x) => Math.min(x, 50));
    const expos = positives.map((_, i) => ((i % 21) - 10) / 3);
    const pairs: [string, string, readonly number[], readonly number[]][] = [
      ['atan2', 'atan2(c0, c1)', doubles, ys],
      ['pow', 'pow(c0, c1)', bases, expos],
    ];
    for (const [fn, sql, a, b] of pairs) {
      const ours = evalColumns(fn, [col(a), col(b)]) as number[];
      const theirs = (await duck(sql, [{ sqlType: 'DOUBLE', values: a }, { sqlType: 'DOUBLE', values: b }])) as number[];
      ours.forEach((v, i) => expect(close(v, theirs[i]!), `${fn}(${a[i]}, ${b[i]}) = ${v} vs ${theirs[i]}`).toBe(true));
    }
  });

  it('round HALF_UP on decimals, and on doubles through the decimal text Java prints', async () => {
    const texts = Array.from({ length: 300 }, () => ((r() - 0.5) * 10 ** Math.floor(r() * 8)).toFixed(Math.floor(r() * 6)));
    for (const d of [-3, -1, 0, 1, 2, 4]) {
      const ours = evalColumns('round', [{ type: decimalType(18, 5), values: texts.map((t) => dec(t, 18, 5).value) }, { literal: int(d) }]).map(norm);
      const theirs = await duck(`round(c0, ${d})::VARCHAR`, [{ sqlType: 'DECIMAL(18,5)', values: texts }]);
      expect(ours.map((v) => decimalText(v as string))).toEqual(theirs.map((t) => Number(t as string)));
    }
    const moderate = doubles.filter((x) => Math.abs(x) < 1e12 && Math.abs(x) > 1e-6);
    for (const d of [0, 2, 3]) {
      const ours = evalColumns('round', [col(moderate), { literal: int(d) }]);
      const theirs = await duck(`round(c0::VARCHAR::DECIMAL(38, 20), ${d})::DOUBLE`, [{ sqlType: 'DOUBLE', values: moderate }]);
      expect(ours.map((x) => (x as number) + 0)).toEqual(theirs.map((x) => (x as number) + 0));
    }
  });

  it('round/bround of doubles equal rounding the exact decimal text, near ties and at every small scale', () => {
    // An independent reference: the shortest decimal text of x, rounded with BigInts, parsed back.
    const reference = (x: number, k: number, even: boolean): number => {
      const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(x))!;
      const digits = m[2]! + (m[3] ?? '');
      const scale = (m[3]?.length ?? 0) - Number(m[4] ?? 0);
      const u = BigInt(digits);
      const shift = scale - k;
      let q: bigint;
      if (shift > 0) {
        const d = 10n ** BigInt(shift);
        q = u / d;
        const twice = (u % d) * 2n;
        if (twice > d || (twice === d && (!even || q % 2n === 1n))) q += 1n;
      } else q = u * 10n ** BigInt(-shift);
      return q === 0n ? 0 : Number(`${m[1]}${q}e-${k}`);
    };
    const xs: number[] = [];
    for (let i = 0; i < 4000; i++) {
      const k = Math.floor(r() * 8);
      const n = Math.floor((r() - 0.5) * 10 ** Math.floor(r() * 10));
      const tie = (n + 0.5) / 10 ** k;
      xs.push(tie, tie * (1 + 1e-15), tie * (1 - 1e-15), (r() - 0.5) * 10 ** (Math.floor(r() * 20) - 8));
    }
    xs.push(0, -0, 2.675, 1.005, -1.005, 0.285, 1.0000000000000002, 5e-324, 1099511627775.5, 1099511627776.5, 4503599627370495.5);
    for (const k of [0, 1, 2, 3, 5, 8, 12, 15, 16]) {
      for (const fn of ['round', 'bround']) {
        const ours = evalColumns(fn, [col(xs), { literal: int(k) }]) as number[];
        expect(xs.flatMap((x, i) => (Object.is(ours[i], reference(x, k, fn === 'bround')) ? [] : [`${fn}(${x}, ${k}) = ${ours[i]}`]))).toEqual([]);
      }
    }
  });

  it('factorial, bin, hex of longs, pmod of integers', async () => {
    const ns = Array.from({ length: 21 }, (_, i) => i);
    expect(evalColumns('factorial', [{ type: INT, values: ns }])).toEqual((await duck('factorial(c0)::BIGINT', [{ sqlType: 'INTEGER', values: ns }])) as bigint[]);
    const longs = [0n, 1n, -1n, 13n, -13n, 9223372036854775807n, -9223372036854775808n, ...Array.from({ length: 100 }, () => BigInt(Math.floor((r() - 0.5) * 2 ** 53)) * 1009n)];
    expect(evalColumns('bin', [{ type: LONG, values: longs }])).toEqual(await duck('bin(c0)', [{ sqlType: 'BIGINT', values: longs }]));
    expect(evalColumns('hex', [{ type: LONG, values: longs }])).toEqual(await duck('hex(c0)', [{ sqlType: 'BIGINT', values: longs }]));
    const as = Array.from({ length: 200 }, () => Math.floor((r() - 0.5) * 2000));
    const ns2 = Array.from({ length: 200 }, () => Math.floor(r() * 40) + 1);
    expect(evalColumns('pmod', [{ type: INT, values: as }, { type: INT, values: ns2 }])).toEqual(await duck('((c0 % c1) + c1) % c1', [{ sqlType: 'INTEGER', values: as }, { sqlType: 'INTEGER', values: ns2 }]));
  });
});

/** `dec:<unscaled>e-<scale>` as a number (test inputs have few digits). */
function decimalText(v: string): number {
  const m = /^dec:(-?\d+)e-(\d+)$/.exec(v)!;
  return Number(m[1]) / 10 ** Number(m[2]);
}
