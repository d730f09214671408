/**
 * greatest, least and mod (the function form of `%`). Expected values: the functions' documented
 * examples and Spark's TypeCoercion rules (GREATEST/LEAST take the wider common type *without*
 * string promotion, so greatest('a', 1) is a type error; NaN is larger than any double; nulls
 * are skipped). Generated integers with nulls are compared with DuckDB, which defines
 * greatest/least (nulls skipped) and `%` (truncated remainder, null for a zero divisor through
 * nullif) the same way.
 */
import { describe, expect, it } from 'vitest';
import { duckRows } from '../../parquet/duckdb-oracle.js';
import {
  DOUBLE,
  INT,
  LONG,
  STRING,
  TIMESTAMP,
  bool,
  date,
  dbl,
  dec,
  decimalType,
  errorCode,
  ev,
  evalColumns,
  evalFn,
  int,
  long,
  resultType,
  rng,
  str,
  ts,
  typedNull,
} from '../function-helpers.js';

describe('greatest and least (documented examples, Spark coercion)', () => {
  it('pick the largest / smallest value, skipping nulls', () => {
    expect(ev('greatest', int(10), int(9), int(2), int(4), int(3))).toBe(10);
    expect(ev('least', int(10), int(9), int(2), int(4), int(3))).toBe(2);
    expect(ev('greatest', int(1), typedNull(INT), int(3))).toBe(3);
    expect(ev('least', typedNull(INT), int(7), int(3))).toBe(3);
    expect(ev('greatest', typedNull(INT), typedNull(INT))).toBe(null);
    expect(ev('least', long(-(2n ** 63n)), long(2n ** 63n - 1n))).toBe(-(2n ** 63n));
  });

  it('compare strings by their UTF-8 bytes, dates, timestamps and booleans by value', () => {
    expect(ev('greatest', str('b'), str('ab'), str('B'))).toBe('b');
    expect(ev('least', str('b'), str('ab'), str('B'))).toBe('B');
    expect(ev('greatest', str('z'), str('é'))).toBe('é');
    expect(ev('greatest', date(1), date(5), date(-3))).toBe(5);
    expect(ev('least', ts(10n), ts(-10n))).toBe(-10n);
    expect(ev('greatest', bool(false), bool(true))).toBe(true);
  });

  it('treat NaN as larger than any double, as Spark does', () => {
    expect(ev('greatest', dbl(NaN), dbl(Infinity))).toBe('NaN');
    expect(ev('least', dbl(NaN), dbl(1))).toBe(1);
  });

  it('take the wider common type: decimals widen, int and double give double, date and timestamp give timestamp', () => {
    expect(resultType('greatest', int(1), dec('2.5', 2, 1))).toEqual(decimalType(11, 1));
    expect(ev('greatest', int(1), dec('2.5', 2, 1))).toBe('dec:25e-1');
    expect(ev('least', int(1), dec('2.5', 2, 1))).toBe('dec:10e-1');
    expect(resultType('greatest', int(1), dbl(0.5))).toEqual(DOUBLE);
    expect(resultType('least', int(1), long(2n))).toEqual(LONG);
    expect(resultType('greatest', date(0), ts(1n))).toEqual(TIMESTAMP);
    expect(ev('greatest', date(1), ts(1n))).toBe(86_400_000_000n);
    expect(resultType('least', str('a'), str('b'))).toEqual(STRING);
  });

  it('refuse mixed strings and numbers (no string promotion, unlike coalesce), maps and fewer than two arguments', () => {
    expect(errorCode(() => evalFn('greatest', str('a'), int(1)))).toBe('TYPE_MISMATCH');
    expect(errorCode(() => evalFn('least', int(1), str('5')))).toBe('TYPE_MISMATCH');
    expect(errorCode(() => evalFn('greatest', date(1), str('2024-01-01')))).toBe('TYPE_MISMATCH');
    // coalesce does promote to string
    expect(ev('coalesce', typedNull(STRING), int(1))).toBe('1');
    expect(errorCode(() => evalFn('greatest', int(1)))).toBe('WRONG_ARGUMENT_COUNT');
    expect(errorCode(() => evalFn('least'))).toBe('WRONG_ARGUMENT_COUNT');
  });

  it('agree with DuckDB on generated integer columns with nulls', async () => {
    const r = rng(29);
    const gen = () => Array.from({ length: 300 }, () => (r() < 0.2 ? null : Math.floor((r() - 0.5) * 2_000_000)));
    const [a, b, c] = [gen(), gen(), gen()];
    const cell = (v: number | null) => (v === null ? 'NULL::INTEGER' : `${v}::INTEGER`);
    const values = a.map((_, i) => `(${i}, ${cell(a[i]!)}, ${cell(b[i]!)}, ${cell(c[i]!)})`).join(',');
    const duck = await duckRows(`SELECT greatest(a, b, c) AS g, least(a, b, c) AS l FROM (VALUES ${values}) t(i, a, b, c) ORDER BY i`);
    const cols = [a, b, c].map((values) => ({ type: INT, values }));
    expect(evalColumns('greatest', cols)).toEqual(duck.map((x) => x['g']));
    expect(evalColumns('least', cols)).toEqual(duck.map((x) => x['l']));
  });
});

describe('mod (the function form of %)', () => {
  it('keeps the sign of the dividend and gives null for a zero divisor', () => {
    expect(ev('mod', int(-7), int(3))).toBe(-1);
    expect(ev('mod', int(7), int(-3))).toBe(1);
    expect(ev('mod', int(7), int(0))).toBe(null);
    expect(ev('mod', long(-(2n ** 63n)), long(-1n))).toBe(0n);
    expect(ev('mod', dbl(-5.5), dbl(2))).toBe(-1.5);
    expect(ev('mod', dbl(1), dbl(0))).toBe(null);
  });

  it('computes decimals exactly with their result type (docs: mod(2, 1.8) = 0.2)', () => {
    expect(ev('mod', int(2), dec('1.8', 2, 1))).toBe('dec:2e-1');
    expect(resultType('mod', int(2), dec('1.8', 2, 1))).toEqual(decimalType(2, 1));
    expect(ev('mod', dec('10.25', 4, 2), dec('3', 1, 0))).toBe('dec:125e-2');
  });

  it('casts strings to double, as non-ANSI arithmetic does, and takes exactly two arguments', () => {
    expect(resultType('mod', str('7'), int(2))).toEqual(DOUBLE);
    expect(ev('mod', str('7'), int(2))).toBe(1);
    expect(errorCode(() => evalFn('mod', int(1), int(2), int(3)))).toBe('WRONG_ARGUMENT_COUNT');
    expect(errorCode(() => evalFn('mod', bool(true), int(2)))).toBe('TYPE_MISMATCH');
  });

  it('agrees with % and with DuckDB on generated longs, zero divisors included', async () => {
    const r = rng(31);
    const n = 300;
    const a = Array.from({ length: n }, () => (r() < 0.1 ? null : BigInt(Math.floor((r() - 0.5) * 2 ** 52))));
    const b = Array.from({ length: n }, (_, i) => (i % 17 === 0 ? 0n : r() < 0.1 ? null : BigInt(Math.floor((r() - 0.5) * 2 ** 20))));
    const cell = (v: bigint | null) => (v === null ? 'NULL::BIGINT' : `${v}::BIGINT`);
    const values = a.map((_, i) => `(${i}, ${cell(a[i]!)}, ${cell(b[i]!)})`).join(',');
    const duck = await duckRows(`SELECT a % nullif(b, 0) AS m FROM (VALUES ${values}) t(i, a, b) ORDER BY i`);
    const cols = [a, b].map((values) => ({ type: LONG, values }));
    const got = evalColumns('mod', cols);
    expect(got).toEqual(duck.map((x) => x['m']));
    expect(got).toEqual(evalColumns('%', cols));
  });
});
