import { describe, expect, it } from 'vitest';
import { call, cast, col, lit, type Expr } from '../../../src/expr/ast.js';
import { isDeltaError } from '../../../src/errors.js';
import { LONG, STRING, TIMESTAMP, TIMESTAMP_NTZ } from '../../../src/expr/type-rules.js';
import { field, struct } from '../../../src/schema/types.js';
import { epochDays, evalRows, fold, intlWall, typed, utcMicros } from './datetime-helpers.js';

/**
 * Spark 3's datetime patterns (`date_format`, `to_timestamp`, `unix_timestamp`...). Expected texts
 * follow Java's DateTimeFormatter (Locale.US), which Spark's patterns are defined by, and cases
 * from Spark's DateExpressionsSuite; DuckDB's strftime is compared in datetime-duckdb.test.ts.
 */

const ts = (micros: bigint): Expr => lit({ type: 'timestamp', micros });
const format = (micros: bigint, pattern: string, zone = 'UTC'): unknown => fold(call('date_format', ts(micros), lit(pattern)), zone);
const parse = (text: string, pattern: string, zone = 'UTC'): unknown => fold(call('to_timestamp', lit(text), lit(pattern)), zone);
const ZONE_FREE = utcMicros(2009, 7, 30, 4, 17, 52, 123_456);

function failure(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a failure');
}

describe('formatting', () => {
  it('prints every supported letter as Java DateTimeFormatter (Locale.US)', () => {
    const cases: [string, string][] = [
      ['G', 'AD'], ['GGGG', 'Anno Domini'], ['y', '2009'], ['yy', '09'], ['yyy', '2009'], ['yyyy', '2009'], ['yyyyy', '02009'], ['u'.replace('u', 'yyyyyy'), '002009'],
      ['M', '7'], ['MM', '07'], ['MMM', 'Jul'], ['MMMM', 'July'], ['L', '7'], ['LL', '07'], ['LLL', 'Jul'], ['LLLL', 'July'],
      ['d', '30'], ['dd', '30'], ['D', '211'], ['DD', '211'], ['DDD', '211'], ['Q', '3'], ['QQ', '03'], ['QQQ', 'Q3'], ['QQQQ', '3rd quarter'], ['q', '3'],
      ['E', 'Thu'], ['EEE', 'Thu'], ['EEEE', 'Thursday'], ['F', '2'], ['a', 'AM'], ['h', '4'], ['hh', '04'], ['K', '4'], ['KK', '04'], ['k', '4'], ['kk', '04'],
      ['H', '4'], ['HH', '04'], ['m', '17'], ['mm', '17'], ['s', '52'], ['ss', '52'], ['S', '1'], ['SS', '12'], ['SSS', '123'], ['SSSSSS', '123456'], ['SSSSSSSSS', '123456000'],
      ['VV', 'UTC'], ['z', 'UTC'], ['zzzz', 'Coordinated Universal Time'], ['O', 'GMT'], ['OOOO', 'GMT'], ['X', 'Z'], ['XX', 'Z'], ['XXX', 'Z'], ['XXXXX', 'Z'],
      ['x', '+00'], ['xx', '+0000'], ['xxx', '+00:00'], ['Z', '+0000'], ['ZZZZ', 'GMT'], ['ZZZZZ', 'Z'],
      ["yyyy-MM-dd'T'HH:mm:ss.SSS", '2009-07-30T04:17:52.123'], ["'o''clock' ''", "o'clock '"], ['[yyyy]', '2009'], ['yyyy/MM/dd, HH.mm', '2009/07/30, 04.17'],
    ];
    for (const [pattern, want] of cases) expect(format(ZONE_FREE, pattern), pattern).toBe(want);
  });

  it('prints zone names and offsets of the session zone', () => {
    const la: [string, string][] = [
      ['HH', '21'], ['X', '-07'], ['XX', '-0700'], ['XXX', '-07:00'], ['XXXX', '-0700'], ['XXXXX', '-07:00'], ['x', '-07'], ['Z', '-0700'], ['ZZZZ', 'GMT-07:00'],
      ['O', 'GMT-7'], ['OOOO', 'GMT-07:00'], ['z', 'PDT'], ['zzzz', 'Pacific Daylight Time'], ['VV', 'America/Los_Angeles'], ['dd', '29'],
    ];
    for (const [pattern, want] of la) expect(format(ZONE_FREE, pattern, 'America/Los_Angeles'), pattern).toBe(want);
    expect(format(utcMicros(2009, 1, 30), 'z zzzz', 'America/Los_Angeles')).toBe('PST Pacific Standard Time');
    const india: [string, string][] = [['X', '+0530'], ['XX', '+0530'], ['XXX', '+05:30'], ['O', 'GMT+5:30'], ['OOOO', 'GMT+05:30'], ['HH:mm', '09:47']];
    for (const [pattern, want] of india) expect(format(ZONE_FREE, pattern, 'Asia/Kolkata'), pattern).toBe(want);
    expect(format(ZONE_FREE, 'VV z XXX', '+05:30')).toBe('+05:30 +05:30 +05:30');
  });

  it('pads, signs and clocks as Java: 5+ year digits get a sign, 12-hour and 24-hour clocks', () => {
    expect(format(utcMicros(12345, 1, 2), 'yyyy-MM-dd')).toBe('+12345-01-02');
    expect(format(utcMicros(12345, 1, 2), 'y')).toBe('12345');
    expect(format(utcMicros(1, 1, 2), 'y yy yyyy')).toBe('1 01 0001');
    expect(format(utcMicros(2020, 1, 1, 0, 5), 'h K k H a')).toBe('12 0 24 0 AM');
    expect(format(utcMicros(2020, 1, 1, 12, 5), 'h K k H a')).toBe('12 0 12 12 PM');
    expect(format(utcMicros(2020, 1, 1, 23, 5), 'hh KK kk HH a')).toBe('11 11 23 23 PM');
    expect(format(-1n, 'yyyy-MM-dd HH:mm:ss.SSSSSS')).toBe('1969-12-31 23:59:59.999999');
  });

  it('matches DateExpressionsSuite "DateFormat" and the documented example', () => {
    const d = utcMicros(2015, 4, 8);
    const time = utcMicros(2013, 11, 8, 13, 10, 15);
    expect(format(d, 'y')).toBe('2015');
    expect(format(time, 'y')).toBe('2013');
    expect(format(d, 'H')).toBe('0');
    expect(format(time, 'H')).toBe('13');
    expect(format(time, 'H', 'America/Los_Angeles')).toBe('5');
    expect(format(time, 'H', 'Asia/Tokyo')).toBe('22');
    expect(fold(call('date_format', cast(lit('2015-04-08'), TIMESTAMP), lit('H')), 'Asia/Tokyo')).toBe('0');
    expect(fold(call('date_format', lit('2016-04-08'), lit('y')))).toBe('2016');
    expect(fold(call('date_format', typed(TIMESTAMP, null), lit('y')))).toBeNull();
    expect(fold(call('date_format', ts(d), typed(STRING, null)))).toBeNull();
    // A pattern from a column is compiled per distinct value.
    const schema = struct([field('p', STRING)]);
    expect(evalRows(call('date_format', ts(time), col('p')), schema, [{ p: 'yyyy' }, { p: 'HH:mm' }, { p: null }, { p: 'yyyy' }])).toEqual(['2013', '13:10', null, '2013']);
  });

  it('formats from_unixtime in the session zone (DateExpressionsSuite "from_unixtime")', () => {
    for (const zone of ['UTC', 'America/Los_Angeles', 'Asia/Kolkata', 'Europe/Amsterdam', 'Pacific/Kiritimati']) {
      expect(fold(call('from_unixtime', lit(0n), lit('yyyy-MM-dd HH:mm:ss')), zone)).toBe(intlWall(0n, zone));
      expect(fold(call('from_unixtime', lit(1000n), lit('yyyy-MM-dd HH:mm:ss')), zone)).toBe(intlWall(1_000_000_000n, zone));
      expect(fold(call('from_unixtime', lit(-1000n), lit('yyyy-MM-dd HH:mm:ss.SSS')), zone)).toBe(`${intlWall(-1_000_000_000n, zone)}.000`);
      expect(fold(call('from_unixtime', lit(0n)), zone)).toBe(intlWall(0n, zone));
      expect(fold(call('from_unixtime', typed(LONG, null), lit('yyyy')), zone)).toBeNull();
      expect(fold(call('from_unixtime', lit(1000n), typed(STRING, null)), zone)).toBeNull();
    }
    expect(fold(call('from_unixtime', lit(0n), lit('yyyy-MM-dd HH:mm:ss')), 'America/Los_Angeles')).toBe('1969-12-31 16:00:00');
  });
});

describe('pattern errors', () => {
  it('rejects what Spark 3 rejects, as INVALID_ARGUMENT naming the function', () => {
    const bad: [string, RegExp][] = [
      ['YYYY', /week-based/], ['w', /week-based/], ['W', /week-based/], ['u', /week-based/], ['e', /week-based/], ['c', /week-based/],
      ['A', /not supported/], ['B', /not supported/], ['n', /not supported/], ['N', /not supported/], ['p', /not supported/],
      ['GGGGG', /too long/], ['MMMMM', /too long/], ['LLLLL', /too long/], ['EEEEE', /too long/], ['QQQQQ', /too long/], ['yyyyyyy', /too long/],
      ['ddd', /too many/], ['HHH', /too many/], ['aa', /too many/], ['DDDD', /too many/], ['zzzzz', /too many/], ['XXXXXX', /too many/],
      ['SSSSSSSSSS', /at most 9/], ['VVV', /count must be 2/], ['OO', /count must be 1 or 4/],
      ['b', /unknown pattern letter/], ['yyyy-MM-dd t', /unknown pattern letter/], ['{', /reserved/], ['#', /reserved/],
      ["yyyy 'T", /unterminated/], ['yyyy]', /without a preceding/],
    ];
    for (const [pattern, reason] of bad) {
      const e = failure(() => format(0n, pattern));
      expect(isDeltaError(e) && e.code, pattern).toBe('INVALID_ARGUMENT');
      expect(e.message, pattern).toMatch(reason);
      expect(e.message, pattern).toMatch(/^date_format: /);
    }
    // Quoted text may use any letter.
    expect(format(0n, "'Year' yyyy 'week w'''")).toBe("Year 1970 week w'");
  });

  it('rejects the same letters in every formatting and parsing function (DateExpressionsSuite)', () => {
    const parsing = (c: string): Expr[] => [
      call('to_timestamp', lit('1'), lit(c)),
      call('to_date', lit('1'), lit(c)),
      call('to_unix_timestamp', lit('1'), lit(c)),
      call('unix_timestamp', lit('1'), lit(c)),
    ];
    for (const c of ['Y', 'W', 'w', 'E', 'u', 'F', 'q', 'Q', 'e', 'c', 'A', 'n', 'N', 'p']) {
      for (const e of parsing(c)) expect(() => fold(e), c).toThrow(/Invalid datetime pattern/);
      const fmt = call('from_unixtime', lit(0n), lit(c));
      if (['E', 'F', 'q', 'Q'].includes(c)) expect(typeof fold(fmt)).toBe('string');
      else expect(() => fold(fmt), c).toThrow(/Invalid datetime pattern/);
    }
  });

  it('fails only when a row is evaluated, as Spark creates the formatter lazily', () => {
    const schema = struct([field('t', TIMESTAMP)]);
    expect(evalRows(call('date_format', col('t'), lit('YYYY')), schema, [{ t: null }, { t: null }])).toEqual([null, null]);
    expect(() => evalRows(call('date_format', col('t'), lit('YYYY')), schema, [{ t: null }, { t: 0n }])).toThrow(/week-based/);
  });
});

describe('parsing', () => {
  it('parses with defaults for missing fields, in the session zone or the zone in the text', () => {
    expect(fold(call('to_timestamp', lit('2016-12-31 00:12:00')))).toBe(utcMicros(2016, 12, 31, 0, 12));
    expect(parse('2016-12-31', 'yyyy-MM-dd')).toBe(utcMicros(2016, 12, 31));
    expect(parse('foo', 'yyyy-MM-dd')).toBeNull();
    expect(fold(call('to_date', lit('2016-12-31'), lit('yyyy-MM-dd')))).toBe(epochDays(2016, 12, 31));
    expect(fold(call('to_date', lit('2009-07-30 04:17:52')))).toBe(epochDays(2009, 7, 30));
    expect(parse('12/31/2016 11:12 PM', 'MM/dd/yyyy hh:mm a', 'America/Los_Angeles')).toBe(utcMicros(2017, 1, 1, 7, 12));
    expect(parse('10:30', 'HH:mm')).toBe(utcMicros(1970, 1, 1, 10, 30));
    expect(parse('2020 60', 'yyyy D')).toBe(utcMicros(2020, 2, 29));
    expect(parse('2020-03 60', 'yyyy-MM D')).toBeNull();
    expect(parse('02-28', 'MM-dd')).toBe(utcMicros(1970, 2, 28));
    expect(parse('02-29', 'MM-dd')).toBeNull();
    // SPARK-31896: PM without an hour is noon; the hour of 'h' without 'a' is AM.
    expect(parse('PM', 'a')).toBe(utcMicros(1970, 1, 1, 12));
    expect(parse('11:11 PM', 'mm:ss a')).toBe(utcMicros(1970, 1, 1, 12, 11, 11));
    expect(parse('12:30', 'hh:mm')).toBe(utcMicros(1970, 1, 1, 0, 30));
    expect(parse('24:00', 'kk:mm')).toBe(utcMicros(1970, 1, 1, 0, 0));
    expect(parse('11 PM', 'K a')).toBe(utcMicros(1970, 1, 1, 23));
  });

  it('takes exact widths, leaves room for adjacent fixed-width fields and reads fractions of 1 to n digits', () => {
    expect(parse('20200102', 'yyyyMMdd')).toBe(utcMicros(2020, 1, 2));
    expect(parse('20200102030405', 'yyyyMMddHHmmss')).toBe(utcMicros(2020, 1, 2, 3, 4, 5));
    expect(parse('2020-1-2', 'yyyy-M-d')).toBe(utcMicros(2020, 1, 2));
    expect(parse('2020-1-2', 'yyyy-MM-dd')).toBeNull();
    expect(parse('2020-01-02 03:04:05.1', 'yyyy-MM-dd HH:mm:ss.SSSSSS')).toBe(utcMicros(2020, 1, 2, 3, 4, 5, 100_000));
    expect(parse('2020-01-02 03:04:05.123456', 'yyyy-MM-dd HH:mm:ss.SSSSSS')).toBe(utcMicros(2020, 1, 2, 3, 4, 5, 123_456));
    expect(parse('2020-01-02 03:04:05.1234567', 'yyyy-MM-dd HH:mm:ss.SSSSSS')).toBeNull();
    expect(parse('2020-01-02 03:04:05.123456789', 'yyyy-MM-dd HH:mm:ss.SSSSSSSSS')).toBe(utcMicros(2020, 1, 2, 3, 4, 5, 123_456));
    expect(parse('99-01-02', 'yy-MM-dd')).toBe(utcMicros(2099, 1, 2));
    expect(parse('+12345-01-02', 'yyyy-MM-dd')).toBe(utcMicros(12345, 1, 2));
    expect(parse('12345-01-02', 'yyyy-MM-dd')).toBeNull();
    expect(parse('+2020-01-02', 'yyyy-MM-dd')).toBeNull();
    expect(parse('jan 5 2020', 'MMM d yyyy')).toBe(utcMicros(2020, 1, 5));
    expect(parse('JANUARY 5 2020', 'MMMM d yyyy')).toBe(utcMicros(2020, 1, 5));
    expect(parse('January 5 2020', 'MMM d yyyy')).toBeNull();
    expect(parse('2020-01-02T03:04', "yyyy-MM-dd'T'HH:mm")).toBe(utcMicros(2020, 1, 2, 3, 4));
    expect(parse('2020-01-02', 'yyyy-MM-dd[ HH:mm]')).toBe(utcMicros(2020, 1, 2));
    expect(parse('2020-01-02 03:04', 'yyyy-MM-dd[ HH:mm]')).toBe(utcMicros(2020, 1, 2, 3, 4));
  });

  it('checks field ranges strictly and needs the whole text', () => {
    for (const [text, pattern] of <[string, string][]>[['2020-13-01', 'yyyy-MM-dd'], ['2020-02-30', 'yyyy-MM-dd'], ['2020-01-01 24:00', 'yyyy-MM-dd HH:mm'], ['13:00', 'hh:mm'], ['00:00', 'hh:mm'], ['2020-01-01x', 'yyyy-MM-dd'], ['2020-01-01 ', 'yyyy-MM-dd'], ['', 'yyyy']]) {
      expect(parse(text, pattern), `${text} / ${pattern}`).toBeNull();
    }
    // SPARK-33498 (CORRECTED policy, non-ANSI): unparseable text is null.
    expect(parse('2020-01-27T20:06:11.847', 'yyyy-MM-dd HH:mm:ss.SSS')).toBeNull();
    expect(parse('Unparseable', 'yyyy-MM-dd HH:mm:ss.SSS')).toBeNull();
    expect(parse('2020-01-27T20:06:11.847!!!', "yyyy-MM-dd'T'HH:mm:ss.SSS")).toBeNull();
    expect(fold(call('unix_timestamp', lit('2020-01-27T20:06:11.847!!!'), lit("yyyy-MM-dd'T'HH:mm:ss.SSS")))).toBeNull();
    expect(fold(call('to_unix_timestamp', lit('Unparseable'), lit('yyyy-MM-dd HH:mm:ss.SSS')))).toBeNull();
  });

  it('reads offsets and zones from the text', () => {
    const instant = 1_580_184_371_847_000n; // 2020-01-27T20:06:11.847-08:00
    expect(parse('2020-01-27T20:06:11.847-08:00', "yyyy-MM-dd'T'HH:mm:ss.SSSXXX", 'Asia/Tokyo')).toBe(instant);
    expect(parse('2020-01-27T20:06:11.847-0800', "yyyy-MM-dd'T'HH:mm:ss.SSSZ")).toBe(instant);
    expect(parse('2020-01-27T20:06:11.847-08', "yyyy-MM-dd'T'HH:mm:ss.SSSx")).toBe(instant);
    expect(parse('2020-01-28T04:06:11.847Z', "yyyy-MM-dd'T'HH:mm:ss.SSSX")).toBe(instant);
    expect(parse('2020-01-27T20:06:11.847 America/Los_Angeles', "yyyy-MM-dd'T'HH:mm:ss.SSS VV")).toBe(instant);
    expect(parse('2020-01-27T20:06:11.847 PST', "yyyy-MM-dd'T'HH:mm:ss.SSS z")).toBe(instant);
    expect(parse('2020-01-27T20:06:11.847 GMT-08:00', "yyyy-MM-dd'T'HH:mm:ss.SSS OOOO")).toBe(instant);
    // "to_timestamp exception mode" (CORRECTED): 'z' does not read "-0800".
    expect(parse('2020-01-27T20:06:11.847-0800', "yyyy-MM-dd'T'HH:mm:ss.SSSz")).toBeNull();
  });

  it('parses timestamp_ntz ignoring zones (DateExpressionsSuite "to_timestamp_ntz")', () => {
    const special: [number, number, number, number, number, number][] = [[1, 1, 1, 0, 0, 0], [1582, 10, 15, 23, 59, 59], [1970, 1, 1, 0, 0, 0], [9999, 12, 31, 23, 59, 59]];
    for (const zone of ['UTC', 'America/Los_Angeles', 'Asia/Kolkata']) {
      for (const [y, mo, d, h, mi, s] of special) {
        const p = (v: number, w = 2) => String(v).padStart(w, '0');
        const input = `${p(y, 4)}-${p(mo)}-${p(d)} ${p(h)}:${p(mi)}:${p(s)}`;
        const wall = utcMicros(y, mo, d, h, mi, s);
        expect(fold(call('to_timestamp_ntz', lit(input), lit('yyyy-MM-dd HH:mm:ss')), zone)).toBe(wall);
        for (const segment of ['.123456', '.123456PST', '.123456CST', '.123456UTC']) {
          expect(fold(call('to_timestamp_ntz', lit(input + segment), lit('yyyy-MM-dd HH:mm:ss.SSSSSS[zzz]')), zone), input + segment).toBe(wall + 123_456n);
        }
      }
    }
    expect(fold(call('to_timestamp_ntz', lit('2016-12-31 00:12:00')))).toBe(utcMicros(2016, 12, 31, 0, 12));
    expect(fold(call('to_timestamp_ntz', lit('2016-12-31'), lit('yyyy-MM-dd')), 'Asia/Tokyo')).toBe(utcMicros(2016, 12, 31));
  });

  it('converts text, dates and timestamps to unix seconds (DateExpressionsSuite "unix_timestamp", "to_unix_timestamp")', () => {
    for (const zone of ['UTC', 'America/Los_Angeles', 'Asia/Kolkata', 'Pacific/Kiritimati']) {
      for (const f of ['unix_timestamp', 'to_unix_timestamp']) {
        expect(fold(call(f, lit(intlWall(0n, zone)), lit('yyyy-MM-dd HH:mm:ss')), zone)).toBe(0n);
        expect(fold(call(f, lit(intlWall(1_000_000_000n, zone)), lit('yyyy-MM-dd HH:mm:ss')), zone)).toBe(1000n);
        expect(fold(call(f, ts(1_000_000_000n), lit('yyyy-MM-dd HH:mm:ss')), zone)).toBe(1000n);
        expect(fold(call(f, typed(TIMESTAMP_NTZ, 1_000_000_000n), lit('yyyy-MM-dd HH:mm:ss')), zone)).toBe(1000n);
        const day = lit({ type: 'date', days: epochDays(2015, 7, 24) });
        const dayStart = (fold(cast(day, TIMESTAMP), zone) as bigint) / 1_000_000n;
        expect(fold(call(f, day, lit('yyyy-MM-dd HH:mm:ss')), zone)).toBe(dayStart);
        expect(fold(call(f, day, typed(STRING, null)), zone)).toBe(dayStart);
        expect(fold(call(f, lit(`${intlWall(-1_000_000_000n, zone)}.000`), lit('yyyy-MM-dd HH:mm:ss.SSS')), zone)).toBe(-1000n);
        expect(fold(call(f, lit('15-07-24'), lit('yy-MM-dd')), zone)).toBe(dayStart);
        expect(fold(call(f, typed({ kind: 'primitive', name: 'date' }, null), lit('yyyy')), zone)).toBeNull();
        expect(fold(call(f, lit('2015-07-24 00:00:00'), typed(STRING, null)), zone)).toBeNull();
      }
    }
    expect(fold(call('unix_timestamp', lit('2016-04-08'), lit('yyyy-MM-dd')), 'America/Los_Angeles')).toBe(1_460_098_800n);
    expect(fold(call('unix_timestamp', lit('1970-01-01 00:00:01'), lit('yyyy-MM-dd HH:mm:ss')), 'UTC')).toBe(1n);
    expect(fold(call('unix_timestamp', lit('1970-01-01 00:00:01')))).toBe(1n);
    // Seconds are truncated toward zero (Java's long division), also before the epoch.
    expect(fold(call('unix_timestamp', ts(-1_500_000n)))).toBe(-1n);
    expect(() => fold(call('unix_timestamp', lit(5n)))).toThrow(/must be string or date or timestamp or timestamp_ntz/);
  });
});
