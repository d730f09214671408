import { describe, expect, it } from 'vitest';
import { cast, col, lit } from '../../src/expr/ast.js';
import { canCast, castValue } from '../../src/expr/cast.js';
import { BINARY, BOOLEAN, BYTE, DATE, DOUBLE, FLOAT, INT, LONG, SHORT, STRING, TIMESTAMP, TIMESTAMP_NTZ, VOID, decimalType } from '../../src/expr/type-rules.js';
import type { Value } from '../../src/expr/value.js';
import { field, struct, type DataType } from '../../src/schema/types.js';
import { duckRows } from '../parquet/duckdb-oracle.js';
import { NOW, castOf, epochDays, evalRows, fold, intlWall, typed, utcMicros } from './functions/datetime-helpers.js';

/**
 * CAST follows Spark's non-ANSI Cast. Cases are from Spark's CastSuiteBase and
 * CastWithAnsiOffSuite (written here by hand, expected values as Spark asserts them) and Java's
 * conversion rules; DuckDB is the oracle where it agrees with Spark (ISO date text, datetime text,
 * date/timestamp conversions, epoch seconds). DuckDB differs (so is not compared) on: integral
 * overflow (an error or null instead of wrapping), double → integral (rounds instead of
 * truncating), `'2015'` as a date (null in DuckDB), double text (`1e+20`) and decimal text.
 */

const arr = (elementType: DataType, containsNull = true): DataType => ({ kind: 'array', elementType, containsNull });
const map = (keyType: DataType, valueType: DataType, valueContainsNull = true): DataType => ({ kind: 'map', keyType, valueType, valueContainsNull });
const dec = (p: number, s: number) => decimalType(p, s);
const decimal = (text: string): Value => {
  const [i = '', f = ''] = text.replace('-', '').split('.');
  return { unscaled: BigInt((text.startsWith('-') ? '-' : '') + i + f), scale: f.length };
};
const ts = (micros: bigint) => lit({ type: 'timestamp', micros });
const date = (days: number) => lit({ type: 'date', days });
const float = (v: number) => typed(FLOAT, Math.fround(v));

describe('canCast (which casts binding refuses)', () => {
  it('follows Spark: no numbers or booleans to dates, no numbers to or from timestamp_ntz', () => {
    for (const t of [BYTE, SHORT, INT, LONG, FLOAT, DOUBLE, BOOLEAN, dec(10, 2)]) {
      expect(canCast(t, DATE), `${JSON.stringify(t)} → date`).toBe(false);
      if (t !== BOOLEAN) expect(canCast(t, TIMESTAMP_NTZ)).toBe(false);
      if (t !== BOOLEAN) expect(canCast(TIMESTAMP_NTZ, t)).toBe(false);
    }
    expect(canCast(STRING, DATE)).toBe(true);
    expect(canCast(TIMESTAMP, DATE)).toBe(true);
    expect(canCast(TIMESTAMP_NTZ, DATE)).toBe(true);
    expect(canCast(DATE, TIMESTAMP_NTZ)).toBe(true);
    expect(canCast(TIMESTAMP, TIMESTAMP_NTZ)).toBe(true);
    expect(canCast(LONG, TIMESTAMP)).toBe(true);
    expect(canCast(BOOLEAN, TIMESTAMP)).toBe(true);
    expect(canCast(DATE, BOOLEAN)).toBe(true);
    expect(canCast(DATE, INT)).toBe(true);
    expect(canCast(LONG, BINARY)).toBe(true);
    expect(canCast(DOUBLE, BINARY)).toBe(false);
    expect(canCast(BINARY, INT)).toBe(false);
    expect(canCast(BINARY, STRING)).toBe(true);
    expect(canCast(arr(INT), INT)).toBe(false);
    expect(canCast(struct([field('a', INT)]), INT)).toBe(false);
    expect(canCast(arr(INT), STRING)).toBe(true);
  });

  it('checks nullability of nested casts as Spark (a cast that can give null needs a nullable target)', () => {
    expect(canCast(arr(STRING, true), arr(BOOLEAN, false))).toBe(false);
    expect(canCast(arr(STRING, false), arr(BOOLEAN, true))).toBe(true);
    expect(canCast(arr(STRING, false), arr(BOOLEAN, false))).toBe(false);
    expect(canCast(arr(STRING, false), arr(INT, false))).toBe(false);
    expect(canCast(map(STRING, STRING, true), map(STRING, BOOLEAN, false))).toBe(false);
    expect(canCast(map(STRING, STRING), map(INT, STRING))).toBe(false);
    expect(canCast(map(STRING, STRING, false), map(STRING, BOOLEAN, true))).toBe(true);
    const s = struct([field('a', STRING), field('b', STRING), field('c', STRING, false)]);
    expect(canCast(s, struct([field('a', BOOLEAN), field('b', BOOLEAN), field('c', BOOLEAN, true)]))).toBe(true);
    expect(canCast(s, struct([field('a', BOOLEAN), field('b', BOOLEAN), field('c', BOOLEAN, false)]))).toBe(false);
    expect(canCast(s, struct([field('a', STRING), field('b', STRING)]))).toBe(false);
    // Null types cast to anything, keeping non-nullability.
    expect(canCast(arr(VOID, false), arr(INT, false))).toBe(true);
    expect(canCast(map(VOID, VOID, false), map(INT, INT, false))).toBe(true);
    expect(canCast(struct([field('a', VOID, false)]), struct([field('a', INT, false)]))).toBe(true);
    // Widening needs no nullability: int → long never gives null.
    expect(canCast(arr(INT, false), arr(LONG, false))).toBe(true);
  });

  it('casts null of every type to null wherever a cast is allowed (CastSuiteBase "null cast")', () => {
    const atomic: DataType[] = [BOOLEAN, BYTE, SHORT, INT, LONG, FLOAT, DOUBLE, dec(10, 2), dec(38, 18), STRING, BINARY, DATE, TIMESTAMP, TIMESTAMP_NTZ];
    let allowed = 0;
    for (const from of [VOID, ...atomic]) {
      for (const to of atomic) {
        if (!canCast(from, to)) continue;
        allowed++;
        expect(castOf(typed(from, null), to), `${JSON.stringify(from)} → ${JSON.stringify(to)}`).toBeNull();
      }
    }
    // Spark's canCast among these 14 types: null 14, boolean 11, each integral 12, each fractional or
    // decimal 11, string 14, binary 2, date 13 (numbers and boolean give null), timestamp 13, timestamp_ntz 4.
    expect(allowed).toBe(14 + 11 + 4 * 12 + 4 * 11 + 14 + 2 + 13 + 13 + 4);
    expect(castOf(ts(0n), BOOLEAN)).toBe(false);
    expect(castOf(ts(1n), BOOLEAN)).toBe(true);
  });

  it('refuses them at bind time with TYPE_MISMATCH', () => {
    expect(() => fold(cast(lit(1n), DATE))).toThrow(/Cannot cast integer to date/);
    expect(() => fold(cast(lit(false), DATE))).toThrow(/Cannot cast boolean to date/);
  });
});

describe('numbers and booleans', () => {
  it('casts from boolean, int, long, float, double and decimal (CastSuiteBase)', () => {
    expect(castOf(true, INT)).toBe(1);
    expect(castOf(false, INT)).toBe(0);
    expect(castOf(true, STRING)).toBe('true');
    expect(castOf(cast(lit(1n), BOOLEAN), INT)).toBe(1);
    for (const [v, zero] of [[1n, 0n], [typed(LONG, 1n), typed(LONG, 0n)], [float(1.5), float(0)], [lit(1.5), lit(0)], [lit({ type: 'decimal', text: '1.5' }), lit({ type: 'decimal', text: '0.0' })]] as const) {
      const value = typeof v === 'bigint' ? lit(v) : v;
      const z = typeof zero === 'bigint' ? lit(zero) : zero;
      expect(castOf(z, BOOLEAN)).toBe(false);
      expect(castOf(value, BOOLEAN)).toBe(true);
      expect(castOf(value, BYTE)).toBe(1);
      expect(castOf(value, SHORT)).toBe(1);
      expect(castOf(value, INT)).toBe(1);
      expect(castOf(value, LONG)).toBe(1n);
    }
    expect(castOf(-5n, BOOLEAN)).toBe(true);
    expect(castOf(1n, FLOAT)).toBe(1);
    expect(castOf(123n, STRING)).toBe('123');
    expect(castOf(123n, dec(10, 0))).toEqual(decimal('123'));
    expect(castOf(123n, dec(3, 0))).toEqual(decimal('123'));
    expect(castOf(float(1.5), DOUBLE)).toBe(1.5);
    expect(castOf(float(1.5), STRING)).toBe('1.5');
    expect(castOf(1.5, FLOAT)).toBe(1.5);
    expect(castOf(1.5, STRING)).toBe('1.5');
    expect(castOf({ type: 'decimal', text: '1.5' }, FLOAT)).toBe(1.5);
    expect(castOf({ type: 'decimal', text: '1.5' }, STRING)).toBe('1.5');
  });

  it('overflows decimals to null and rounds half up (CastWithAnsiOffSuite)', () => {
    expect(castOf(typed(LONG, 123n), dec(3, 1))).toBeNull();
    expect(castOf(typed(LONG, 123n), dec(2, 0))).toBeNull();
    expect(castOf(123n, dec(3, 1))).toBeNull();
    const cases: [number | string, number, number, string | null][] = [
      [10.03, 38, 18, '10.030000000000000000'], [10.03, 4, 2, '10.03'], [10.03, 3, 1, '10.0'], [10.03, 2, 0, '10'],
      [10.03, 1, 0, null], [10.03, 2, 1, null], [10.03, 3, 2, null],
      [10.05, 4, 2, '10.05'], [10.05, 3, 1, '10.1'], [10.05, 2, 0, '10'], [10.05, 1, 0, null],
      [9.95, 3, 2, '9.95'], [9.95, 3, 1, '10.0'], [9.95, 2, 0, '10'], [9.95, 2, 1, null], [9.95, 1, 0, null],
      [-9.95, 3, 2, '-9.95'], [-9.95, 3, 1, '-10.0'], [-9.95, 2, 0, '-10'], [-9.95, 2, 1, null],
      ['10.03', 3, 1, '10.0'], ['10.03', 3, 2, null], ['10.05', 3, 1, '10.1'], ['9.95', 3, 1, '10.0'], ['9.95', 1, 0, null], ['-9.95', 3, 1, '-10.0'],
      ['1003', 38, 18, '1003.000000000000000000'], ['1003', 4, 0, '1003'], ['1003', 3, 0, null], ['995', 3, 0, '995'],
    ];
    for (const [v, p, s, want] of cases) {
      const source = typeof v === 'number' ? lit(v) : lit({ type: 'decimal', text: v });
      expect(castOf(source, dec(p, s)), `${v} as decimal(${p},${s})`).toEqual(want === null ? null : decimal(want));
    }
    for (const v of [NaN, Infinity]) {
      expect(castOf(v, dec(38, 18))).toBeNull();
      expect(castOf(float(v), dec(2, 1))).toBeNull();
    }
    expect(castOf(true, dec(2, 1))).toEqual(decimal('1.0'));
    expect(castOf(true, dec(1, 1))).toBeNull();
    // SPARK-28470: overflow gives null.
    expect(castOf('134.12', dec(3, 2))).toBeNull();
    expect(castOf(ts(utcMicros(2019, 7, 25, 22, 4, 36)), dec(3, 2))).toBeNull();
    expect(castOf(134.12, dec(3, 2))).toBeNull();
  });

  it('parses decimal text exactly, failing fast beyond 38 integral digits (CastWithAnsiOffSuite)', () => {
    expect(castOf('12345678901234567890123456789012345678', dec(38, 0))).toEqual(decimal('12345678901234567890123456789012345678'));
    expect(castOf('123456789012345678901234567890123456789', dec(38, 0))).toBeNull();
    expect(castOf('12345678901234567890123456789012345678', dec(38, 1))).toBeNull();
    expect(castOf('0.00000000000000000000000000000000000001', dec(38, 0))).toEqual(decimal('0'));
    expect(castOf('0.00000000000000000000000000000000000000000001', dec(38, 0))).toEqual(decimal('0'));
    expect(castOf('0.00000000000000000000000000000000000001', dec(38, 18))).toEqual({ unscaled: 0n, scale: 18 });
    expect(castOf('6E-120', dec(38, 0))).toEqual(decimal('0'));
    expect(castOf('6E+37', dec(38, 0))).toEqual(decimal('6' + '0'.repeat(37)));
    expect(castOf('6E+38', dec(38, 0))).toBeNull();
    expect(castOf('6E+37', dec(38, 1))).toBeNull();
    expect(castOf('abcd', dec(38, 1))).toBeNull();
    expect(castOf('12.65', dec(38, 18))).toEqual(decimal('12.650000000000000000'));
  });

  it('converts floats to decimals through their double value, as Spark widens them first', () => {
    // 0.1f is 0.100000001490116119384765625; Spark reads Double.toString of the widened double.
    expect(castOf(float(0.1), dec(20, 18))).toEqual(decimal('0.100000001490116120'));
    expect(castOf(0.1, dec(20, 18))).toEqual(decimal('0.100000000000000000'));
  });

  it('narrows integers by keeping the low bits and saturates fractional values, as Java casts', () => {
    expect(castOf(128n, BYTE)).toBe(-128);
    expect(castOf(32768n, SHORT)).toBe(-32768);
    expect(castOf(typed(LONG, 2147483648n), INT)).toBe(-2147483648);
    expect(castOf(typed(LONG, 4294967297n), INT)).toBe(1);
    expect(castOf(1e10, INT)).toBe(2147483647);
    expect(castOf(-1e10, INT)).toBe(-2147483648);
    // (short)(int) 1e10 = (short) 2147483647 = -1
    expect(castOf(1e10, SHORT)).toBe(-1);
    expect(castOf(1e20, LONG)).toBe((1n << 63n) - 1n);
    expect(castOf(NaN, INT)).toBe(0);
    expect(castOf(-1.9, INT)).toBe(-1);
    expect(castOf({ type: 'decimal', text: '-1.9' }, LONG)).toBe(-1n);
    // BigDecimal.longValue keeps the low 64 bits.
    expect(castOf({ type: 'decimal', text: '18446744073709551617.5' }, LONG)).toBe(1n);
  });

  it('rounds longs and decimals to float once, as Java (no double rounding)', () => {
    // 2^60 + 2^36 + 1 is just above the midpoint between two floats; via a double it would be a tie.
    expect(castOf(typed(LONG, (1n << 60n) + (1n << 36n) + 1n), FLOAT)).toBe(2 ** 60 + 2 ** 37);
    expect(castOf('1.0000001788139343261718749', FLOAT)).toBe(Math.fround(1 + 2 ** -23));
    expect(castOf({ type: 'decimal', text: '1.0000001788139343261718749' }, FLOAT)).toBe(Math.fround(1 + 2 ** -23));
    expect(castOf('16777217', FLOAT)).toBe(16777216);
    expect(castOf('3.4028236e38', FLOAT)).toBe(Infinity);
    expect(castOf('1.4e-45', FLOAT)).toBe(Math.fround(1.4e-45));
    expect(castOf('0x1.8p1', DOUBLE)).toBe(3);
  });

  it('reads number text as Spark: trimmed, integral text may have a fraction, inf/nan in any case', () => {
    expect(castOf(' 123 ', LONG)).toBe(123n);
    expect(castOf('123 ', LONG)).toBe(123n);
    expect(castOf('1.9', INT)).toBe(1);
    expect(castOf('-1.9', INT)).toBe(-1);
    expect(castOf('+5', SHORT)).toBe(5);
    expect(castOf('1e3', INT)).toBeNull();
    expect(castOf('1.2.3', INT)).toBeNull();
    expect(castOf('-', INT)).toBeNull();
    expect(castOf('', INT)).toBeNull();
    expect(castOf('2147483648', INT)).toBeNull();
    expect(castOf('2147483648', LONG)).toBe(2147483648n);
    expect(castOf('128', BYTE)).toBeNull();
    expect(castOf('-128', BYTE)).toBe(-128);
    expect(castOf('9223372036854775808', LONG)).toBeNull();
    expect(castOf('23', DOUBLE)).toBe(23);
    expect(castOf('23', FLOAT)).toBe(23);
    expect(castOf('23', dec(10, 0))).toEqual(decimal('23'));
    expect(castOf('23', BYTE)).toBe(23);
    expect(castOf('1.2', DOUBLE)).toBe(1.2);
    expect(castOf('1.5d', DOUBLE)).toBe(1.5);
    expect(castOf('badvalue', DOUBLE)).toBeNull();
    expect(castOf('badvalue', FLOAT)).toBeNull();
    expect(castOf('2012-12-11', DOUBLE)).toBeNull();
    expect(castOf('abdef', dec(10, 0))).toBeNull();
    for (const s of ['inf', '+inf', 'infinity', '+infiNity', ' infinity ']) {
      expect(castOf(s, FLOAT)).toBe(Infinity);
      expect(castOf(s, DOUBLE)).toBe(Infinity);
    }
    for (const s of ['-infinity', '-infiniTy', '  -infinity  ', '  -inf  ']) expect(castOf(s, DOUBLE)).toBe(-Infinity);
    for (const s of ['nan', 'nAn', ' nan ']) expect(castOf(s, FLOAT)).toBeNaN();
  });

  it('reads booleans from t/true/y/yes/1 and f/false/n/no/0 in any case', () => {
    for (const s of ['t', 'true', 'tRUe', 'y', 'yes', '1', 'true ']) expect(castOf(s, BOOLEAN), s).toBe(true);
    for (const s of ['f', 'false', 'FAlsE', 'n', 'no', '0']) expect(castOf(s, BOOLEAN), s).toBe(false);
    for (const s of ['abc', '']) expect(castOf(s, BOOLEAN), s).toBeNull();
  });

  it('prints decimals as Java BigDecimal.toString, doubles as Double.toString (SPARK-39749)', () => {
    expect(castOf(typed(dec(9, 9), { unscaled: 123n, scale: 9 }), STRING)).toBe('1.23E-7');
    expect(castOf(typed(dec(38, 18), { unscaled: 0n, scale: 18 }), STRING)).toBe('0E-18');
    expect(castOf(typed(dec(10, 6), { unscaled: 1n, scale: 6 }), STRING)).toBe('0.000001');
    expect(castOf(typed(dec(5, 2), { unscaled: -12345n, scale: 2 }), STRING)).toBe('-123.45');
    expect(castOf(1e20, STRING)).toBe('1.0E20');
    expect(castOf(0.001, STRING)).toBe('0.001');
    expect(castOf(1e-4, STRING)).toBe('1.0E-4');
    expect(castOf(-0, STRING)).toBe('-0.0');
  });

  it('converts strings to binary (UTF-8) and integers to big-endian bytes of their width', () => {
    expect(castOf('abé', BINARY)).toEqual(new Uint8Array([0x61, 0x62, 0xc3, 0xa9]));
    expect(castOf(cast(lit('abdef'), BINARY), STRING)).toBe('abdef');
    expect(castOf(typed(BYTE, -1), BINARY)).toEqual(new Uint8Array([0xff]));
    expect(castOf(typed(SHORT, 258), BINARY)).toEqual(new Uint8Array([1, 2]));
    expect(castOf(1n, BINARY)).toEqual(new Uint8Array([0, 0, 0, 1]));
    expect(castOf(typed(LONG, -2n), BINARY)).toEqual(new Uint8Array([255, 255, 255, 255, 255, 255, 255, 254]));
  });

  it('chains casts as CastSuiteBase "data type casting"', () => {
    const chain = cast(cast(cast(cast(cast(lit('5'), BYTE), SHORT), INT), FLOAT), DOUBLE);
    expect(castOf(chain, LONG)).toBe(5n);
    const viaTimestamp = cast(cast(cast(cast(cast(lit('5'), BYTE), TIMESTAMP), dec(38, 18)), LONG), STRING);
    expect(castOf(viaTimestamp, SHORT)).toBe(5);
    // '5' is not a timestamp (a year needs 4 digits).
    const badTimestamp = cast(cast(cast(cast(cast(lit('5'), TIMESTAMP), BYTE), dec(38, 18)), LONG), STRING);
    expect(castOf(badTimestamp, SHORT)).toBeNull();
    const viaDecimal = cast(cast(cast(cast(cast(lit('5'), dec(38, 18)), BYTE), TIMESTAMP), LONG), STRING);
    expect(castOf(viaDecimal, SHORT)).toBe(5);
  });
});

describe('dates and timestamps', () => {
  it('reads Spark date text (CastSuiteBase "cast string to date")', () => {
    expect(castOf('12345', DATE)).toBe(epochDays(12345, 1, 1));
    expect(castOf('12345-12-18', DATE)).toBe(epochDays(12345, 12, 18));
    expect(castOf('2015', DATE)).toBe(epochDays(2015, 1, 1));
    expect(castOf('2015-03', DATE)).toBe(epochDays(2015, 3, 1));
    for (const s of ['2015-03-18', '2015-03-18 ', '2015-03-18 123142', '2015-03-18T123123', '2015-03-18T', ' 2015-3-18', '+2015-03-18']) {
      expect(castOf(s, DATE), s).toBe(epochDays(2015, 3, 18));
    }
    for (const s of ['2015-03-18X', '2015/03/18', '2015.03.18', '20150318', '2015-031-8', '2015-02-29', '2015-13-01', '15-03-18', '2015-03 x', '']) {
      expect(castOf(s, DATE), s).toBeNull();
    }
    expect(castOf('-0044-03-15', DATE)).toBe(epochDays(-44, 3, 15));
  });

  it('reads timestamp text in the session zone unless it names its own (CastSuiteBase "cast string to timestamp")', async () => {
    const zones = ['UTC', 'America/Los_Angeles', 'Asia/Kolkata', 'Europe/Amsterdam', 'Pacific/Chatham', 'Australia/Lord_Howe'];
    for (const zone of zones) {
      const cases: [string, string][] = [
        ['2015', '2015-01-01 00:00:00'],
        ['2015-03', '2015-03-01 00:00:00'],
        ['2015-03-18', '2015-03-18 00:00:00'],
        ['2015-03-18 ', '2015-03-18 00:00:00'],
        ['2015-03-18 12:03:17', '2015-03-18 12:03:17'],
        ['2015-03-18T12:03:17', '2015-03-18 12:03:17'],
        ['2015-03-18 12:03:17.123', '2015-03-18 12:03:17.123'],
        ['2015-03-18T12:03:17.123', '2015-03-18 12:03:17.123'],
      ];
      for (const [text, wall] of cases) {
        const [{ us }] = (await duckRows(`SET TimeZone='${zone}'; SELECT epoch_us(TIMESTAMPTZ '${wall}') AS us`)) as [{ us: bigint }];
        expect(castOf(text, TIMESTAMP, zone), `${text} in ${zone}`).toBe(us);
      }
      const utc = utcMicros(2015, 3, 18, 12, 3, 17);
      const h = 3_600_000_000n;
      const withZone: [string, bigint][] = [
        ['2015-03-18T12:03:17Z', utc],
        ['2015-03-18 12:03:17Z', utc],
        ['2015-03-18T12:03:17-1:0', utc + h],
        ['2015-03-18T12:03:17-01:00', utc + h],
        ['2015-03-18T12:03:17+07:30', utc - 7n * h - h / 2n],
        ['2015-03-18T12:03:17+7:3', utc - 7n * h - 3n * 60_000_000n],
        ['2015-03-18T12:03:17.456Z', utc + 456_000n],
        ['2015-03-18 12:03:17.456Z', utc + 456_000n],
        ['2015-03-18T12:03:17.123-1:0', utc + h + 123_000n],
        ['2015-03-18T12:03:17.123+07:30', utc - 7n * h - h / 2n + 123_000n],
        ['2015-03-18T12:03:17.123456789 UTC', utc + 123_456n],
        ['2015-03-18T12:03:17 GMT+08:00', utc - 8n * h],
        ['2015-03-18T12:03:17 PST', utc + 7n * h],
        ['2015-03-18T12:03:17 America/New_York', utc + 4n * h],
      ];
      for (const [text, want] of withZone) expect(castOf(text, TIMESTAMP, zone), `${text} in ${zone}`).toBe(want);
    }
    for (const s of ['2015-03-18T', '2015-03-18 12:03Z', '2015-03-18 24:00:00', '2015-03-18 12:03:17 Nowhere/Zone', '5', '12345678-01-01', 'abc']) {
      expect(castOf(s, TIMESTAMP), s).toBeNull();
    }
  });

  it('dates a time alone on the statement date in the zone', () => {
    // NOW is 2023-11-14T22:13:20Z: still the 14th in Los Angeles, already the 15th in Tokyo.
    expect(castOf('12:03:17', TIMESTAMP, 'America/Los_Angeles')).toBe(utcMicros(2023, 11, 14, 20, 3, 17));
    expect(castOf('T12:03:17', TIMESTAMP, 'Asia/Tokyo')).toBe(utcMicros(2023, 11, 15, 3, 3, 17));
    expect(castOf('12:03:17', TIMESTAMP_NTZ)).toBeNull();
    void NOW;
  });

  it('agrees with DuckDB on ISO date text and on datetime text in UTC', async () => {
    const texts: string[] = [];
    for (let i = 0; i < 200; i++) {
      const y = 1 + ((i * 7919) % 9999);
      const m = 1 + (i % 12);
      const d = 1 + ((i * 13) % 31);
      const pad = (v: number, w: number) => String(v).padStart(w, '0');
      texts.push(`${pad(y, 4)}-${i % 3 ? pad(m, 2) : m}-${i % 5 ? pad(d, 2) : d}${i % 4 === 0 ? ' 10:11:12' : i % 4 === 1 ? 'T01:02:03.4' : ''}`);
    }
    const rows = await duckRows(`SELECT t, (TRY_CAST(t AS DATE) - DATE '1970-01-01')::INTEGER AS d FROM (VALUES ${texts.map((t) => `('${t}')`).join(',')}) v(t)`);
    for (const r of rows) expect(castOf(r['t'] as string, DATE), r['t'] as string).toBe(r['d']);
    const tsRows = await duckRows(`SET TimeZone='UTC'; SELECT t, epoch_us(TRY_CAST(t AS TIMESTAMP)) AS us FROM (VALUES ${texts.map((t) => `('${t}')`).join(',')}) v(t)`);
    for (const r of tsRows) expect(castOf(r['t'] as string, TIMESTAMP), r['t'] as string).toBe(r['us']);
  });

  it('prints and reads back timestamps in every zone (CastSuiteBase "data type casting")', () => {
    const instants = [utcMicros(2015, 3, 8, 2, 30, 0, 123_000), utcMicros(2015, 11, 1, 2, 30, 0, 456_000)];
    for (const zone of Intl.supportedValuesOf('timeZone')) {
      for (const t of instants) {
        const text = castOf(ts(t), STRING, zone) as string;
        expect(text.slice(0, 19), zone).toBe(intlWall(t, zone));
        expect(castOf(lit(text), TIMESTAMP, zone), `${text} in ${zone}`).toBe(t);
      }
    }
  });

  it('converts between dates, timestamps and text (CastSuiteBase, CastWithAnsiOffSuite)', () => {
    expect(castOf(cast(lit('1970-01-01'), DATE), STRING)).toBe('1970-01-01');
    expect(castOf(cast(date(0), STRING), DATE)).toBe(0);
    expect(castOf(cast(lit('1970-01-01 00:00:02.1'), TIMESTAMP), STRING)).toBe('1970-01-01 00:00:02.1');
    expect(castOf(cast(cast(lit('1970-01-01 00:00:02.1'), TIMESTAMP), DATE), STRING)).toBe('1970-01-01');
    expect(castOf(cast(cast(ts(2_100_000n), DATE), TIMESTAMP), STRING)).toBe('1970-01-01 00:00:00');
    for (const t of [SHORT, INT, LONG, FLOAT, DOUBLE, dec(38, 18), dec(10, 2), BOOLEAN]) expect(castOf(date(0), t)).toBeNull();
    expect(castOf(cast(date(0), TIMESTAMP), STRING)).toBe('1970-01-01 00:00:00');
    expect(castOf(cast(date(0), TIMESTAMP, ), STRING, 'America/Los_Angeles')).toBe('1970-01-01 00:00:00');
    expect(castOf(date(0), TIMESTAMP, 'America/Los_Angeles')).toBe(8n * 3_600_000_000n);
    expect(castOf(ts(-1n), DATE, 'UTC')).toBe(-1);
    expect(castOf(ts(0n), DATE, 'Asia/Tokyo')).toBe(0);
    expect(castOf(ts(0n), DATE, 'America/Los_Angeles')).toBe(-1);
    expect(castOf(date(epochDays(12345, 6, 7)), STRING)).toBe('+12345-06-07');
    expect(castOf(date(epochDays(-44, 3, 15)), STRING)).toBe('-0044-03-15');
  });

  it('converts timestamps to and from numbers as seconds (CastSuiteBase "cast from timestamp")', () => {
    const t = ts(15_003_000n);
    expect(castOf(t, SHORT)).toBe(15);
    expect(castOf(t, INT)).toBe(15);
    expect(castOf(t, LONG)).toBe(15n);
    expect(castOf(t, FLOAT)).toBe(Math.fround(15.003));
    expect(castOf(t, DOUBLE)).toBe(15.003);
    const tss = ts(15_003_003_000n);
    for (const via of [SHORT, INT, LONG]) expect(castOf(cast(tss, via), TIMESTAMP)).toBe(15_003_000_000n);
    expect(castOf(cast(float(15.003), TIMESTAMP), FLOAT)).toBe(Math.fround(15.003));
    expect(castOf(cast(lit(15.003), TIMESTAMP), DOUBLE)).toBe(15.003);
    expect(castOf(cast(lit({ type: 'decimal', text: '1' }), TIMESTAMP), dec(38, 18))).toEqual(decimal('1.000000000000000000'));
    expect(castOf(cast(lit(0.000001), TIMESTAMP), DOUBLE)).toBe(0.000001);
    expect(castOf(cast(lit(1000n), TIMESTAMP), LONG)).toBe(1000n);
    expect(castOf(cast(lit(-1200n), TIMESTAMP), LONG)).toBe(-1200n);
    expect(castOf(cast(lit(1.0), TIMESTAMP), DOUBLE)).toBe(1);
    for (const v of [NaN, Infinity]) {
      expect(castOf(v, TIMESTAMP)).toBeNull();
      expect(castOf(float(v), TIMESTAMP)).toBeNull();
    }
    // Whole seconds saturate at the long range (TimeUnit.SECONDS.toMicros).
    expect(castOf(typed(LONG, (1n << 63n) - 1n), TIMESTAMP)).toBe((1n << 63n) - 1n);
    expect(castOf(typed(LONG, -(1n << 63n)), TIMESTAMP)).toBe(-(1n << 63n));
    // SPARK-34727: a float cast to timestamp.
    expect(castOf(float(16777215), TIMESTAMP)).toBe(16_777_215_000_000n);
    // SPARK-42176: true is one microsecond.
    expect(castOf(true, TIMESTAMP)).toBe(1n);
    expect(castOf(false, TIMESTAMP)).toBe(0n);
    // Decimal seconds truncate below a microsecond (BigDecimal.longValue).
    expect(castOf({ type: 'decimal', text: '1.0000009' }, TIMESTAMP)).toBe(1_000_000n);
    expect(castOf({ type: 'decimal', text: '-1.0000009' }, TIMESTAMP)).toBe(-1_000_000n);
    // Before the epoch, seconds round toward negative infinity, then narrow.
    const negative = utcMicros(1900, 5, 5, 18, 34, 56, 100_000);
    const seconds = (negative - 100_000n) / 1_000_000n;
    expect(castOf(ts(negative), LONG)).toBe(seconds);
    expect(castOf(ts(negative), INT)).toBe(Number(BigInt.asIntN(32, seconds)));
    expect(castOf(ts(negative), SHORT)).toBe(Number(BigInt.asIntN(16, seconds)));
    expect(castOf(ts(negative), BYTE)).toBe(Number(BigInt.asIntN(8, seconds)));
  });

  it('agrees with DuckDB on epoch seconds of timestamps and timestamps of double seconds', async () => {
    const micros = Array.from({ length: 100 }, (_, i) => BigInt(Math.round(Math.sin(i + 1) * 1e16)) + BigInt(i * 7));
    const rows = await duckRows(`SELECT us, epoch(make_timestamp(us)) AS s FROM (VALUES ${micros.map((m) => `(${m})`).join(',')}) v(us)`);
    for (const r of rows) expect(castOf(ts(r['us'] as bigint), DOUBLE)).toBe(r['s']);
  });

  it('handles timestamp_ntz casts as Spark (SPARK-35698…35720)', () => {
    const special: [number, number, number, number, number, number][] = [
      [1, 1, 1, 0, 0, 0],
      [1582, 10, 15, 23, 59, 59],
      [1970, 1, 1, 0, 0, 0],
      [9999, 12, 31, 23, 59, 59],
    ];
    for (const [y, mo, d, h, mi, s] of special) {
      const wall = utcMicros(y, mo, d, h, mi, s);
      const text = `${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}T${String(h).padStart(2, '0')}:${String(mi).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
      const ntz = typed(TIMESTAMP_NTZ, wall);
      expect(castOf(ntz, STRING)).toBe(text.replace('T', ' '));
      expect(castOf(ntz, DATE)).toBe(epochDays(y, mo, d));
      expect(castOf(typed(DATE, epochDays(y, mo, d)), TIMESTAMP_NTZ)).toBe(utcMicros(y, mo, d));
      expect(castOf(text, TIMESTAMP_NTZ)).toBe(wall);
      expect(castOf(`  ${text}   `, TIMESTAMP_NTZ)).toBe(wall);
      for (const zone of ['America/Los_Angeles', 'Asia/Kolkata', 'Europe/Amsterdam']) {
        // The same wall clock in every zone, both ways; a zone in ntz text is ignored.
        const instant = castOf(ntz, TIMESTAMP, zone) as bigint;
        expect(intlWall(instant, zone), zone).toBe(text.replace('T', ' '));
        expect(castOf(typed(TIMESTAMP, instant), TIMESTAMP_NTZ, zone)).toBe(wall);
        expect(castOf(`${text}.123456${zone === 'Asia/Kolkata' ? '+05:30' : zone}`, TIMESTAMP_NTZ)).toBe(wall + 123_456n);
      }
    }
    expect(castOf('2021-06-17', TIMESTAMP_NTZ)).toBe(utcMicros(2021, 6, 17));
    for (const s of ['00:00:00', 'a', '123', 'a2021-06-17', '2021-06-17abc', '2021-06-17 00:00:00ABC']) expect(castOf(s, TIMESTAMP_NTZ), s).toBeNull();
  });
});

describe('nested values', () => {
  const strings = typed(arr(STRING), ['123', 'true', 'f', null]);
  it('casts arrays, maps and structs element-wise (CastWithAnsiOffSuite)', () => {
    expect(castOf(strings, arr(BOOLEAN))).toEqual([null, true, false, null]);
    expect(castOf(strings, arr(INT))).toEqual([123, null, null, null]);
    const m = typed(map(STRING, STRING), { kind: 'map', keys: ['a', 'b', 'c', 'd'], values: ['123', 'true', 'f', null] });
    expect(castOf(m, map(STRING, BOOLEAN))).toEqual({ kind: 'map', keys: ['a', 'b', 'c', 'd'], values: [null, true, false, null] });
    expect(castOf(m, map(STRING, INT))).toEqual({ kind: 'map', keys: ['a', 'b', 'c', 'd'], values: [123, null, null, null] });
    const s = struct([field('a', STRING), field('b', STRING), field('c', STRING), field('d', STRING)]);
    const sv = typed(s, { kind: 'struct', values: ['123', 'true', 'f', null] });
    expect(castOf(sv, struct([field('a', BOOLEAN), field('b', BOOLEAN), field('c', BOOLEAN), field('d', BOOLEAN)]))).toEqual({ kind: 'struct', values: [null, true, false, null] });
    expect(castOf(sv, struct([field('a', INT), field('b', INT), field('c', INT), field('d', INT)]))).toEqual({ kind: 'struct', values: [123, null, null, null] });
    // SPARK-20302: same structure, other names.
    const from = struct([field('a', INT), field('b', struct([field('b1', LONG)]))]);
    const to = struct([field('a1', INT), field('b1', struct([field('b11', LONG)]))]);
    const row = { kind: 'struct', values: [10, { kind: 'struct', values: [12n] }] };
    expect(castOf(typed(from, row), to)).toEqual(row);
  });

  it('prints arrays, maps and structs as Spark (SPARK-22825, 22973, 22981, 33291)', () => {
    expect(castOf(typed(arr(INT), [1, 2, 3, 4, 5]), STRING)).toBe('[1, 2, 3, 4, 5]');
    expect(castOf(typed(arr(STRING), ['ab', 'cde', 'f']), STRING)).toBe('[ab, cde, f]');
    expect(castOf(typed(arr(STRING), ['ab', null, 'c']), STRING)).toBe('[ab, null, c]');
    expect(castOf(typed(arr(BINARY), [new TextEncoder().encode('ab'), new TextEncoder().encode('cde')]), STRING)).toBe('[ab, cde]');
    expect(castOf(typed(arr(DATE), [epochDays(2014, 12, 3), epochDays(2014, 12, 4)]), STRING)).toBe('[2014-12-03, 2014-12-04]');
    expect(castOf(typed(arr(TIMESTAMP), [utcMicros(2014, 12, 3, 13, 1), utcMicros(2014, 12, 4, 15, 5)]), STRING)).toBe('[2014-12-03 13:01:00, 2014-12-04 15:05:00]');
    expect(castOf(typed(arr(arr(INT)), [[1, 2, 3], [4, 5]]), STRING)).toBe('[[1, 2, 3], [4, 5]]');
    expect(castOf(typed(arr(STRING), [null, null]), STRING)).toBe('[null, null]');
    expect(castOf(typed(map(INT, STRING), { kind: 'map', keys: [1, 2, 3], values: ['a', 'b', 'c'] }), STRING)).toBe('{1 -> a, 2 -> b, 3 -> c}');
    expect(castOf(typed(map(STRING, BINARY), { kind: 'map', keys: ['1', '2'], values: [null, new TextEncoder().encode('a')] }), STRING)).toBe('{1 -> null, 2 -> a}');
    expect(castOf(typed(map(INT, arr(INT)), { kind: 'map', keys: [1, 2], values: [[1, 2, 3], [4, 5, 6]] }), STRING)).toBe('{1 -> [1, 2, 3], 2 -> [4, 5, 6]}');
    const s3 = struct([field('_1', INT), field('_2', STRING), field('_3', DOUBLE)]);
    expect(castOf(typed(s3, { kind: 'struct', values: [1, 'a', 0.1] }), STRING)).toBe('{1, a, 0.1}');
    expect(castOf(typed(s3, { kind: 'struct', values: [1, null, 0.1] }), STRING)).toBe('{1, null, 0.1}');
    expect(castOf(typed(struct([field('a', STRING), field('b', STRING)]), { kind: 'struct', values: [null, null] }), STRING)).toBe('{null, null}');
    const nested = struct([field('_1', struct([field('_1', INT), field('_2', STRING)])), field('_2', INT), field('_3', DOUBLE)]);
    expect(castOf(typed(nested, { kind: 'struct', values: [{ kind: 'struct', values: [1, 'a'] }, 5, 0.1] }), STRING)).toBe('{{1, a}, 5, 0.1}');
  });
});

describe('columns', () => {
  it('casts whole columns with the same results as value by value (fast paths included)', () => {
    const schema = struct([field('i', INT), field('l', LONG), field('d', DOUBLE), field('day', DATE), field('t', TIMESTAMP), field('s', STRING)]);
    const rows = Array.from({ length: 300 }, (_, k) => ({
      i: k % 7 === 0 ? null : (k * 2654435761) | 0,
      l: BigInt(k) * 123456789012345n - 18000000000000000n,
      d: k % 11 === 0 ? NaN : Math.sin(k) * 10 ** (k % 12),
      day: (k * 9973) % 3000000 - 1000000,
      t: BigInt(k) * 86_400_123_456_789n - 10n ** 17n,
      s: [' 42 ', '2015-03-18 12:03:17', 'x', '1.5', '2015-3-8'][k % 5],
    }));
    const targets: [string, DataType[]][] = [
      ['i', [BYTE, SHORT, LONG, FLOAT, DOUBLE, STRING, BOOLEAN, dec(12, 2)]],
      ['l', [INT, DOUBLE, FLOAT, TIMESTAMP, dec(20, 0)]],
      ['d', [INT, LONG, SHORT, FLOAT, TIMESTAMP, dec(38, 10)]],
      ['day', [TIMESTAMP, TIMESTAMP_NTZ, STRING]],
      ['t', [DATE, LONG, DOUBLE, TIMESTAMP_NTZ, STRING]],
      ['s', [INT, DOUBLE, DATE, TIMESTAMP, BOOLEAN, dec(10, 3)]],
    ];
    for (const zone of ['UTC', 'America/Los_Angeles']) {
      for (const [name, types] of targets) {
        const from = schema.fields.find((f) => f.name === name)!.type;
        const input = evalRows(col(name), schema, rows, zone);
        for (const to of types) {
          const got = evalRows(cast(col(name), to), schema, rows, zone);
          const want = input.map((v) => (v === null ? null : castValue(v, from, to, zone, NOW)));
          expect(got, `${name} → ${JSON.stringify(to)} in ${zone}`).toEqual(want);
        }
      }
    }
  });
});

void fold;

describe('timestamp to date over whole columns', () => {
  it('agrees with the per-value cast at day boundaries, before 1970 and beyond 2^53 µs', async () => {
    const { castVec } = await import('../../src/expr/cast.js');
    const { Vec } = await import('../../src/expr/vector.js');
    const day = 86_400_000_000n;
    const values: bigint[] = [0n, -1n, 1n, day - 1n, day, -day, -day - 1n, -day + 1n, 2n ** 53n, 2n ** 53n + day - 1n, -(2n ** 53n) - 1n, 253402300799999999n, -62135596800000000n];
    let seed = 7n;
    for (let i = 0; i < 2000; i++) {
      seed = (seed * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n);
      values.push((seed % 600_000_000_000_000_000n) - 300_000_000_000_000_000n);
    }
    for (const from of [TIMESTAMP, TIMESTAMP_NTZ]) {
      const vec = Vec.of(from, { kind: 'i64', values: BigInt64Array.from(values) }, null, values.length);
      const out = castVec(vec, DATE, { length: values.length, timeZone: 'UTC', nowMicros: 0n }).toValues();
      expect(out).toEqual(values.map((v) => castValue(v, from, DATE, 'UTC')));
    }
  });
});
