import { describe, expect, it } from 'vitest';
import { lit, type LiteralValue } from '../../src/expr/ast.js';
import { daysFromCivil } from '../../src/expr/datetime.js';
import { decimal, primitive, type DataType } from '../../src/schema/types.js';
import { failureOf, parse } from './parse-helpers.js';

const value = (text: string, timeZone?: string): LiteralValue => {
  const e = parse(text, timeZone ? { timeZone } : {});
  if (e.kind !== 'literal') throw new Error(`${text} parsed to a ${e.kind}, not a literal`);
  return e.value;
};
const typed = (dataType: DataType, v: unknown): LiteralValue => ({ type: 'typed', dataType, value: v });
const interval = (months: number, days: number, micros: bigint): LiteralValue => ({ type: 'interval', months, days, micros });
const H = 3_600_000_000n;
const M = 60_000_000n;
const S = 1_000_000n;

describe('numeric literals', () => {
  it('reads integers of any size as bigint, decimals as exact text, exponents as doubles', () => {
    expect(value('787324')).toBe(787324n);
    expect(value('7873247234798249234')).toBe(7873247234798249234n);
    expect(value('78732472347982492793712334')).toBe(78732472347982492793712334n);
    expect(value('-2147483648')).toBe(-2147483648n);
    expect(value('7873247234798249279371.2334')).toEqual({ type: 'decimal', text: '7873247234798249279371.2334' });
    expect(value('1.50')).toEqual({ type: 'decimal', text: '1.50' });
    expect(value('.5')).toEqual({ type: 'decimal', text: '.5' });
    expect(value('5.')).toEqual({ type: 'decimal', text: '5.' });
    expect(value('-0.25')).toEqual({ type: 'decimal', text: '-0.25' });
    // Spark's scientific literals are doubles
    for (const [text, v] of [['9.0e1', 90], ['.9e+2', 90], ['0.9e+2', 90], ['900e-1', 90], ['900.0E-1', 90], ['9.e+1', 90], ['1e3', 1000], ['1.5E-2', 0.015], ['-1e3', -1000]] as const) {
      expect(value(text), text).toBe(v);
    }
    expect(Object.is(value('-0e0'), -0)).toBe(true);
  });

  it('reads suffixed literals as typed values (D as the plain double form)', () => {
    expect(value('10Y')).toEqual(typed(primitive('byte'), 10));
    expect(value('-128Y')).toEqual(typed(primitive('byte'), -128));
    expect(value('10S')).toEqual(typed(primitive('short'), 10));
    expect(value('-32768s')).toEqual(typed(primitive('short'), -32768));
    expect(value('10L')).toEqual(typed(primitive('long'), 10n));
    expect(value('-9223372036854775808L')).toEqual(typed(primitive('long'), -9223372036854775808n));
    expect(value('9223372036854775807l')).toEqual(typed(primitive('long'), 9223372036854775807n));
    expect(value('10.0D')).toBe(10);
    expect(value('1.5e2d')).toBe(150);
    expect(Object.is(value('-0.0D'), -0)).toBe(true);
    expect(value('1.1F')).toEqual(typed(primitive('float'), Math.fround(1.1)));
    expect(value('3.4028235E38F')).toEqual(typed(primitive('float'), Math.fround(3.4028235e38)));
    expect(value('1e-50F')).toEqual(typed(primitive('float'), 0));
  });

  it('gives BD literals the precision and scale Spark gives them', () => {
    expect(value('90912830918230182310293801923652346786BD')).toEqual(typed(decimal(38, 0), { unscaled: 90912830918230182310293801923652346786n, scale: 0 }));
    expect(value('123.0E-28BD')).toEqual(typed(decimal(29, 29), { unscaled: 1230n, scale: 29 }));
    expect(value('123.08BD')).toEqual(typed(decimal(5, 2), { unscaled: 12308n, scale: 2 }));
    expect(value('0.01BD')).toEqual(typed(decimal(2, 2), { unscaled: 1n, scale: 2 }));
    expect(value('1E3BD')).toEqual(typed(decimal(4, 0), { unscaled: 1000n, scale: 0 }));
    expect(value('-1.50bd')).toEqual(typed(decimal(3, 2), { unscaled: -150n, scale: 2 }));
  });

  it('refuses out-of-range suffixed literals, naming the range', () => {
    expect(failureOf('-1000Y').message).toMatch(/TINYINT literal -1000Y does not fit in range \[-128, 127\]/);
    expect(failureOf('128Y').message).toMatch(/does not fit in range \[-128, 127\]/);
    expect(failureOf('40000S').message).toMatch(/SMALLINT literal 40000S does not fit in range \[-32768, 32767\]/);
    expect(failureOf('78732472347982492793712334L').message).toMatch(/BIGINT literal .* does not fit in range \[-9223372036854775808, 9223372036854775807\]/);
    expect(failureOf('9223372036854775808L').message).toMatch(/does not fit in range/);
    expect(failureOf('-1.8E308D').message).toMatch(/DOUBLE literal -1.8E308D does not fit in range/);
    expect(failureOf('1.8E308D').message).toMatch(/does not fit in range/);
    expect(failureOf('1e400').message).toMatch(/DOUBLE literal 1e400 does not fit in range/);
    expect(failureOf('3.5E38F').message).toMatch(/FLOAT literal 3.5E38F does not fit in range \[-3.4028235E38, 3.4028235E38\]/);
    expect(failureOf('1.20E-38BD').message).toMatch(/can only support precision up to 38/);
    expect(failureOf('x = 1.5L').message).toMatch(/unexpected 'L' after the number 1.5/);
  });
});

describe('string literals', () => {
  it('reads single and double quotes, concatenates adjacent literals', () => {
    expect(value('"hello"')).toBe('hello');
    expect(value("'hello'")).toBe('hello');
    expect(value(`"hello" 'world'`)).toBe('helloworld');
    expect(value(`'hello' " " 'world'`)).toBe('hello world');
    expect(value("'it''s'")).toBe("it's");
    expect(value('"say ""hi"""')).toBe('say "hi"');
    expect(value("''")).toBe('');
  });

  it('unescapes backslash sequences as Spark does', () => {
    expect(value(String.raw`'pattern%'`)).toBe('pattern%');
    expect(value(String.raw`'no-pattern\%'`)).toBe(String.raw`no-pattern\%`);
    expect(value(String.raw`'pattern\\%'`)).toBe(String.raw`pattern\%`);
    expect(value(String.raw`'pattern\\\%'`)).toBe(String.raw`pattern\\%`);
    expect(value(String.raw`'\0'`)).toBe('\u0000');
    expect(value(String.raw`'\''`)).toBe("'");
    expect(value(String.raw`'\"'`)).toBe('"');
    expect(value(String.raw`'\b'`)).toBe('\b');
    expect(value(String.raw`'\n'`)).toBe('\n');
    expect(value(String.raw`'\r'`)).toBe('\r');
    expect(value(String.raw`'\t'`)).toBe('\t');
    expect(value(String.raw`'\Z'`)).toBe('\u001A');
    expect(value(String.raw`'\_'`)).toBe(String.raw`\_`);
    expect(value(String.raw`'\q'`)).toBe('q');
    expect(value(String.raw`'\110\145\154\154\157\041'`)).toBe('Hello!');
    expect(value(String.raw`'\u0057\u006F\u0072\u006C\u0064\u0020\u003A\u0029'`)).toBe('World :)');
    expect(value(String.raw`'\U0001F600'`)).toBe('😀');
    expect(value(String.raw`"a\"b"`)).toBe('a"b');
  });

  it('keeps raw strings as written', () => {
    expect(value(String.raw`r'\d+\n'`)).toBe(String.raw`\d+\n`);
    expect(value(String.raw`R"C:\dir"`)).toBe(String.raw`C:\dir`);
  });

  it('keeps newlines and any Unicode inside strings', () => {
    expect(value("'line1\nline2'")).toBe('line1\nline2');
    expect(value("'héllo 世界'")).toBe('héllo 世界');
  });
});

describe('boolean, null and typed literals', () => {
  it('reads TRUE, FALSE, NULL in any case', () => {
    expect(value('trUe')).toBe(true);
    expect(value('False')).toBe(false);
    expect(value('null')).toBe(null);
  });

  it('reads DATE literals, including Spark partial forms', () => {
    expect(value("dAte '2016-03-11'")).toEqual({ type: 'date', days: daysFromCivil(2016, 3, 11) });
    expect(value("DATE '2019-01-14'")).toEqual({ type: 'date', days: 17910 });
    expect(value("DATE '2019-01'")).toEqual({ type: 'date', days: 17897 });
    expect(value("DATE '2019'")).toEqual({ type: 'date', days: 17897 });
    expect(value("DATE '2019-1-5'")).toEqual({ type: 'date', days: daysFromCivil(2019, 1, 5) });
    expect(value("DATE '1969-12-31'")).toEqual({ type: 'date', days: -1 });
    expect(value("DATE 'epoch'")).toEqual({ type: 'date', days: 0 });
    expect(failureOf("DAtE 'mar 11 2016'").message).toMatch(/expected a date YYYY-MM-DD in DATE literal, found 'mar 11 2016'/);
    expect(failureOf("DATE '2019-02-29'").message).toMatch(/DATE literal/);
  });

  it('reads TIMESTAMP literals in the session zone unless they name an offset', () => {
    const wall = (y: number, mo: number, d: number, h: number, mi: number): bigint => BigInt(daysFromCivil(y, mo, d)) * 86_400_000_000n + BigInt(h) * H + BigInt(mi) * M;
    expect(value("tImEstAmp '2016-03-11 20:54:00.000'")).toEqual({ type: 'timestamp', micros: wall(2016, 3, 11, 20, 54) });
    expect(value("Timestamp '2000-01-01T00:55:00'")).toEqual({ type: 'timestamp', micros: wall(2000, 1, 1, 0, 55) });
    expect(value("TIMESTAMP '2019-01-16 20:50:00.567000+01:00'", 'America/Los_Angeles')).toEqual({ type: 'timestamp', micros: 1547668200567000n });
    // Tokyo is UTC+9 all year
    expect(value("TIMESTAMP '2019-01-14 20:54:00'", 'Asia/Tokyo')).toEqual({ type: 'timestamp', micros: wall(2019, 1, 14, 11, 54) });
    expect(value("TIMESTAMP_LTZ '1970-01-01 00:00:01'")).toEqual({ type: 'timestamp', micros: 1_000_000n });
    expect(value("TIMESTAMP_NTZ '2016-03-11 20:54:00.123456'", 'Asia/Tokyo')).toEqual({ type: 'timestamp_ntz', micros: wall(2016, 3, 11, 20, 54) + 123456n });
    expect(failureOf("timestamP '2016-33-11 20:54:00.000'").message).toMatch(/in TIMESTAMP literal, found '2016-33-11 20:54:00.000'/);
  });

  it('reads binary literals, padding an odd digit count as Spark does', () => {
    expect(value("X'A'")).toEqual({ type: 'binary', bytes: Uint8Array.of(0x0a) });
    expect(value("x'A10C'")).toEqual({ type: 'binary', bytes: Uint8Array.of(0xa1, 0x0c) });
    expect(value("X''")).toEqual({ type: 'binary', bytes: new Uint8Array(0) });
    expect(failureOf("x'A1OC'").message).toMatch(/expected hexadecimal digits in X literal/);
  });

  it('refuses other typed literals', () => {
    expect(failureOf("GEO '(10,-6)'").message).toMatch(/literals of type GEO are not supported/);
  });
});

describe('interval literals', () => {
  it('reads every unit, singular and plural, numeric or quoted, signed', () => {
    const units: Array<[string, (v: number) => LiteralValue]> = [
      ['year', (v) => interval(12 * v, 0, 0n)],
      ['month', (v) => interval(v, 0, 0n)],
      ['week', (v) => interval(0, 7 * v, 0n)],
      ['day', (v) => interval(0, v, 0n)],
      ['hour', (v) => interval(0, 0, BigInt(v) * H)],
      ['minute', (v) => interval(0, 0, BigInt(v) * M)],
      ['second', (v) => interval(0, 0, BigInt(v) * S)],
      ['millisecond', (v) => interval(0, 0, BigInt(v) * 1000n)],
      ['microsecond', (v) => interval(0, 0, BigInt(v))],
    ];
    for (const [unit, expected] of units) {
      for (const form of ['', 's']) {
        for (const v of [0, 10, -7, 21]) {
          expect(value(`interval ${v} ${unit}${form}`), `${v} ${unit}${form}`).toEqual(expected(v));
          expect(value(`INTERVAL '${v}' ${unit.toUpperCase()}${form.toUpperCase()}`), `'${v}' ${unit}${form}`).toEqual(expected(v));
        }
      }
    }
    expect(value('INTERVAL - 5 DAYS')).toEqual(interval(0, -5, 0n));
    expect(value("INTERVAL -'5' DAYS")).toEqual(interval(0, -5, 0n));
  });

  it('combines several units and keeps fractional seconds to the microsecond', () => {
    expect(value('INTERVAL 1 DAY 2 HOURS 3 SECONDS')).toEqual(interval(0, 1, 2n * H + 3n * S));
    expect(value('interval 3 months 22 seconds 1 millisecond')).toEqual(interval(3, 0, 22_001_000n));
    expect(value('INTERVAL 10 MINUTES')).toEqual(interval(0, 0, 10n * M));
    expect(value('interval 13.123456789 seconds')).toEqual(interval(0, 0, 13_123_456n));
    expect(value('interval -13.123456789 second')).toEqual(interval(0, 0, -13_123_456n));
    expect(value("INTERVAL '1.5' SECOND")).toEqual(interval(0, 0, 1_500_000n));
    expect(value('INTERVAL 1 YEAR -1 MONTH')).toEqual(interval(11, 0, 0n));
  });

  it('reads FROM TO forms', () => {
    const ym: Array<[string, number]> = [['123-10', 1486], ['496-0', 5952], ['-2-3', -27], ['-123-0', -1476]];
    for (const [v, months] of ym) expect(value(`INTERVAL '${v}' YEAR TO MONTH`), v).toEqual(interval(months, 0, 0n));
    expect(value("INTERVAL '1-2' YEAR TO MONTH")).toEqual(interval(14, 0, 0n));
    expect(value("INTERVAL '99 11:22:33.123456789' DAY TO SECOND")).toEqual(interval(0, 99, 11n * H + 22n * M + 33n * S + 123456n));
    expect(value("INTERVAL '-99 11:22:33.123456789' DAY TO SECOND")).toEqual(interval(0, -99, -(11n * H + 22n * M + 33n * S + 123456n)));
    expect(value("INTERVAL '10 9:8:7.123456789' DAY TO SECOND")).toEqual(interval(0, 10, 9n * H + 8n * M + 7n * S + 123456n));
    expect(value("INTERVAL '1 02:03:04' DAY TO SECOND")).toEqual(interval(0, 1, 2n * H + 3n * M + 4n * S));
    expect(value("INTERVAL '1 0:0:1' day to second")).toEqual(interval(0, 1, S));
    expect(value("INTERVAL '1 5' DAY TO HOUR")).toEqual(interval(0, 1, 5n * H));
    expect(value("INTERVAL '1 5:30' DAY TO MINUTE")).toEqual(interval(0, 1, 5n * H + 30n * M));
    expect(value("INTERVAL '26:30' HOUR TO MINUTE")).toEqual(interval(0, 0, 26n * H + 30n * M));
    expect(value("INTERVAL '1:02:03.5' HOUR TO SECOND")).toEqual(interval(0, 0, H + 2n * M + 3n * S + 500_000n));
    expect(value("INTERVAL '2:03' MINUTE TO SECOND")).toEqual(interval(0, 0, 2n * M + 3n * S));
    expect(value("INTERVAL -'1 02:03:04' DAY TO SECOND")).toEqual(interval(0, -1, -(2n * H + 3n * M + 4n * S)));
  });

  it('reads a whole interval string', () => {
    expect(value("INTERVAL '1 day 2 hours'")).toEqual(interval(0, 1, 2n * H));
    expect(value("INTERVAL 'interval 3 weeks -1 day'")).toEqual(interval(0, 20, 0n));
  });

  it('adds interval literals written with +, as printExpr writes one interval', () => {
    expect(value("INTERVAL '3' MONTH + INTERVAL '-4' DAY + INTERVAL '5' MICROSECOND")).toEqual(interval(3, -4, 5n));
    expect(value("INTERVAL '0' MONTH + INTERVAL '0' DAY + INTERVAL '9223372036854775807' MICROSECOND")).toEqual(interval(0, 0, 9223372036854775807n));
  });

  it('refuses malformed intervals with the reason', () => {
    expect(failureOf('interval 10 nanoseconds').message).toMatch(/NANOSECOND intervals are not supported/);
    expect(failureOf("interval '10' month to second").message).toMatch(/intervals FROM MONTH TO SECOND are not supported/);
    expect(failureOf('interval 1 day to second').message).toMatch(/must be a string/);
    expect(failureOf("interval '1-12' year to month").message).toMatch(/month 12 is outside 0..11/);
    expect(failureOf("interval '1 24:00:00' day to second").message).toMatch(/hour 24 is outside 0..23/);
    expect(failureOf("interval '1:2:3' day to second").message).toMatch(/does not match the DAY TO SECOND form/);
    expect(failureOf('interval 1.5 days').message).toMatch(/only seconds can have a fractional part/);
    expect(failureOf("interval '1 day' hour").message).toMatch(/must be a number/);
    expect(failureOf('interval 1 day 2').message).toMatch(/found '2'/);
    expect(failureOf("interval '1 fortnight'").message).toMatch(/'fortnight' is not an interval unit/);
    expect(failureOf("interval ''").message).toMatch(/the interval string is empty/);
    expect(failureOf('interval 3000000000 months').message).toMatch(/overflow a 32-bit integer/);
    expect(failureOf("interval '1-2' year to month 3 days").message).toMatch(/one FROM TO range/);
  });

  it('reads a column named interval when no interval value follows', () => {
    expect(parse('interval')).toEqual({ kind: 'column', path: ['interval'] });
    expect(parse('interval + 1')).toEqual({ kind: 'arith', op: '+', left: { kind: 'column', path: ['interval'] }, right: lit(1n) });
  });
});
