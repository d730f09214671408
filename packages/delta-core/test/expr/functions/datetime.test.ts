import { describe, expect, it } from 'vitest';
import { arith, call, cast, col, lit, type Expr } from '../../../src/expr/ast.js';
import { bindExpression } from '../../../src/expr/binder.js';
import { isDeltaError } from '../../../src/errors.js';
import { FUNCTIONS } from '../../../src/expr/functions/registry.js';
import { BOOLEAN, BYTE, DATE, DOUBLE, FLOAT, INT, LONG, SHORT, STRING, TIMESTAMP, TIMESTAMP_NTZ, decimalType } from '../../../src/expr/type-rules.js';
import { field, struct } from '../../../src/schema/types.js';
import { NOW, epochDays, evalRows, fold, intlWall, typed, utcMicros } from './datetime-helpers.js';

/**
 * Date and time functions, with cases from Spark's DateExpressionsSuite (written by hand, expected
 * values as Spark asserts or documents them). DuckDB comparisons are in datetime-duckdb.test.ts,
 * datetime patterns in datetime-format.test.ts.
 */

const d = (y: number, m: number, day: number): Expr => lit({ type: 'date', days: epochDays(y, m, day) });
const ts = (micros: bigint): Expr => lit({ type: 'timestamp', micros });
const tsText = (text: string): Expr => cast(lit(text), TIMESTAMP);
const int = (n: number): Expr => lit(BigInt(n));
const nullOf = (t: Parameters<typeof typed>[0]): Expr => typed(t, null);
const text = (e: Expr, zone = 'UTC'): unknown => fold(cast(e, STRING), zone);
const interval = (months: number, days: number, micros: bigint): Expr => lit({ type: 'interval', months, days, micros });
/** The zones Spark's suites call "outstanding". */
const ZONES = ['UTC', 'America/Los_Angeles', 'Asia/Kolkata', 'Europe/Amsterdam', 'Asia/Hong_Kong', 'Pacific/Kiritimati', 'Antarctica/Vostok', 'America/Sao_Paulo', '-08:00', '+05:30'];

// 2015-04-08 13:10:15 and 2013-11-08 13:10:15 UTC, as in DateExpressionsSuite.
const date = utcMicros(2015, 4, 8, 13, 10, 15);
const time = utcMicros(2013, 11, 8, 13, 10, 15);
const dDate = d(2015, 4, 8);

function failure(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a failure');
}

describe('registry', () => {
  it('registers every function and alias under Spark names', () => {
    const names = [
      'current_date', 'curdate', 'current_timestamp', 'now', 'localtimestamp', 'current_timezone', 'date_add', 'dateadd', 'date_sub', 'datediff', 'date_diff',
      'add_months', 'months_between', 'last_day', 'next_day', 'year', 'quarter', 'month', 'day', 'dayofmonth', 'dayofweek', 'weekday', 'dayofyear', 'weekofyear',
      'hour', 'minute', 'second', 'date_trunc', 'trunc', 'date_format', 'to_date', 'to_timestamp', 'to_timestamp_ltz', 'to_timestamp_ntz', 'unix_timestamp',
      'from_unixtime', 'to_unix_timestamp', 'timestamp_seconds', 'timestamp_millis', 'timestamp_micros', 'unix_seconds', 'unix_millis', 'unix_micros', 'unix_date',
      'date_from_unix_date', 'make_date', 'make_timestamp', 'make_timestamp_ltz', 'make_timestamp_ntz', 'from_utc_timestamp', 'to_utc_timestamp', 'date_part', 'datepart', 'extract', 'convert_timezone', 'timestampadd', 'timestampdiff', 'try_to_timestamp',
    ];
    for (const n of names) expect(FUNCTIONS.has(n), n).toBe(true);
  });
});

describe('clock', () => {
  it('reads the statement clock in the session zone and marks the kernels', () => {
    expect(fold(call('current_timestamp'))).toBe(NOW);
    expect(fold(call('now'))).toBe(NOW);
    // NOW is 2023-11-14T22:13:20.123456Z: the 14th in Los Angeles, the 15th in Tokyo.
    expect(fold(call('current_date'), 'America/Los_Angeles')).toBe(epochDays(2023, 11, 14));
    expect(fold(call('curdate'), 'Asia/Tokyo')).toBe(epochDays(2023, 11, 15));
    expect(fold(call('localtimestamp'), 'Asia/Tokyo')).toBe(NOW + 9n * 3_600_000_000n);
    expect(fold(call('current_timezone'), 'Europe/Paris')).toBe('Europe/Paris');
    expect(fold(call('unix_timestamp'))).toBe(1_700_000_000n);
    const t = bindExpression(call('year', col('d')), struct([field('d', DATE)]), { currentTimestampMicros: NOW });
    expect(t.kind === 'call' && t.fn.usesClock).toBeFalsy();
    for (const name of ['current_date', 'current_timestamp', 'now', 'localtimestamp']) {
      const def = FUNCTIONS.get(name)!;
      const bound = def.bind([], { name, timeZone: 'UTC', cast: (a) => a, constant: () => null, error: (m) => { throw new Error(m); } });
      expect(bound.fn.usesClock, name).toBe(true);
    }
  });
});

describe('fields (DateExpressionsSuite)', () => {
  it('extracts date fields', () => {
    expect(fold(call('dayofyear', lit('1582-10-15 13:10:15')))).toBe(288);
    expect(fold(call('dayofyear', lit('1582-10-04 13:10:15')))).toBe(277);
    expect(fold(call('year', dDate))).toBe(2015);
    expect(fold(call('year', ts(time)))).toBe(2013);
    expect(fold(call('year', lit('1582-01-01 13:10:15')))).toBe(1582);
    expect(fold(call('year', lit('1581-12-31 13:10:15')))).toBe(1581);
    expect(fold(call('quarter', dDate))).toBe(2);
    expect(fold(call('quarter', ts(time)))).toBe(4);
    expect(fold(call('quarter', lit('1582-10-01 13:10:15')))).toBe(4);
    expect(fold(call('quarter', lit('1582-09-30 13:10:15')))).toBe(3);
    expect(fold(call('month', dDate))).toBe(4);
    expect(fold(call('month', ts(time)))).toBe(11);
    expect(fold(call('month', lit('1582-04-28 13:10:15')))).toBe(4);
    expect(fold(call('month', lit('1582-10-04 13:10:15')))).toBe(10);
    expect(fold(call('day', lit('2000-02-29')))).toBe(29);
    expect(fold(call('dayofmonth', dDate))).toBe(8);
    expect(fold(call('day', ts(time)))).toBe(8);
    expect(fold(call('dayofmonth', lit('1582-10-04 13:10:15')))).toBe(4);
    // 1 = Sunday … 7 = Saturday.
    expect(fold(call('dayofweek', dDate))).toBe(4);
    expect(fold(call('dayofweek', ts(time)))).toBe(6);
    expect(fold(call('dayofweek', lit('2011-05-06')))).toBe(6);
    expect(fold(call('dayofweek', d(2017, 5, 27)))).toBe(7);
    expect(fold(call('dayofweek', d(1582, 10, 15)))).toBe(6);
    // 0 = Monday … 6 = Sunday.
    expect(fold(call('weekday', dDate))).toBe(2);
    expect(fold(call('weekday', ts(time)))).toBe(4);
    expect(fold(call('weekday', lit('2011-05-06')))).toBe(4);
    expect(fold(call('weekday', d(2017, 5, 27)))).toBe(5);
    expect(fold(call('weekday', d(1582, 10, 15)))).toBe(4);
    expect(fold(call('weekofyear', dDate))).toBe(15);
    expect(fold(call('weekofyear', ts(time)))).toBe(45);
    expect(fold(call('weekofyear', lit('2011-05-06')))).toBe(18);
    expect(fold(call('weekofyear', lit('1582-10-15 13:10:15')))).toBe(41);
    expect(fold(call('weekofyear', lit('1582-10-04 13:10:15')))).toBe(40);
    expect(fold(call('weekofyear', lit('2008-02-20')))).toBe(8);
    for (const f of ['year', 'quarter', 'month', 'day', 'dayofweek', 'weekday', 'dayofyear', 'weekofyear']) expect(fold(call(f, nullOf(DATE))), f).toBeNull();
  });

  it('extracts time fields in the session zone, timestamp_ntz as it is', () => {
    for (const [f, want] of [['hour', 13], ['minute', 10], ['second', 15]] as const) {
      expect(fold(call(f, cast(dDate, TIMESTAMP)))).toBe(0);
      expect(fold(call(f, lit('2015-04-08 13:10:15')))).toBe(want);
      expect(fold(call(f, ts(time)))).toBe(want);
      expect(fold(call(f, typed(TIMESTAMP_NTZ, date)), 'Asia/Tokyo')).toBe(want);
    }
    expect(fold(call('hour', ts(time)), 'America/Los_Angeles')).toBe(5);
    expect(fold(call('hour', ts(time)), 'Asia/Tokyo')).toBe(22);
    for (const zone of ZONES) {
      for (let h = 0; h <= 24; h += 5) {
        const t = utcMicros(2016, 7, 3, h % 24, 29, 59) - 3_600_000_000n * BigInt(h % 7);
        const wall = intlWall(t, zone.startsWith('+') || zone.startsWith('-') ? `Etc/GMT${zone.startsWith('+') ? '-' : '+'}${Number(zone.slice(1, 3))}` : zone);
        if (zone.includes(':30')) continue;
        expect(fold(call('hour', ts(t)), zone), zone).toBe(Number(wall.slice(11, 13)));
        expect(fold(call('minute', ts(t)), zone), zone).toBe(Number(wall.slice(14, 16)));
        expect(fold(call('second', ts(t)), zone), zone).toBe(Number(wall.slice(17, 19)));
      }
    }
  });

  it('implements date_part / extract fields (SecondWithFraction is DECIMAL(8,6))', () => {
    const t = tsText('2019-08-12 01:00:00.123456');
    expect(fold(call('date_part', lit('YEAR'), t))).toBe(2019);
    expect(fold(call('date_part', lit('week'), t))).toBe(33);
    expect(fold(call('datepart', lit('doy'), d(2019, 8, 12)))).toBe(224);
    expect(fold(call('date_part', lit('SECONDS'), tsText('2019-10-01 00:00:01.000001')))).toEqual({ unscaled: 1_000_001n, scale: 6 });
    expect(fold(call('extract', lit('YEAROFWEEK'), call('make_date', int(2006), int(1), int(1))))).toBe(2005);
    expect(fold(call('extract', lit('YEAROFWEEK'), call('make_date', int(2006), int(1), int(2))))).toBe(2006);
    expect(fold(call('date_part', lit('DOW'), d(2015, 4, 8)))).toBe(4);
    expect(fold(call('date_part', lit('DOW_ISO'), d(2015, 4, 12)))).toBe(7);
    expect(fold(call('date_part', lit('qtr'), d(2015, 4, 8)))).toBe(2);
    expect(fold(call('date_part', lit('H'), t))).toBe(1);
    expect(fold(call('date_part', lit(null), t))).toBeNull();
    const secFrac = (sec: string): unknown =>
      fold(call('date_part', lit('s'), call('make_timestamp', int(2019), int(8), int(10), int(0), int(0), lit({ type: 'decimal', text: sec }), lit('America/Los_Angeles'))), 'America/Los_Angeles');
    expect(secFrac('10.123456')).toEqual({ unscaled: 10_123_456n, scale: 6 });
    expect(secFrac('59.000001')).toEqual({ unscaled: 59_000_001n, scale: 6 });
    expect(secFrac('0.000001')).toEqual({ unscaled: 1n, scale: 6 });
    expect(failure(() => fold(call('date_part', lit('decade'), t))).message).toMatch(/not a date\/time field/);
  });
});

describe('arithmetic (DateExpressionsSuite)', () => {
  it('adds and subtracts days', () => {
    for (const n of [typed(BYTE, 1), typed(SHORT, 1), int(1)]) expect(fold(call('date_add', d(2016, 2, 28), n))).toBe(epochDays(2016, 2, 29));
    expect(fold(call('date_add', d(2016, 2, 28), int(-365)))).toBe(epochDays(2015, 2, 28));
    expect(fold(call('dateadd', d(2016, 2, 28), int(32768)))).toBe(49627);
    expect(fold(call('date_add', d(2016, 2, 28), int(-32769)))).toBe(-15910);
    expect(fold(call('date_add', nullOf(DATE), int(1)))).toBeNull();
    expect(fold(call('date_add', d(2016, 2, 28), nullOf(INT)))).toBeNull();
    expect(fold(call('date_sub', d(2015, 1, 1), typed(BYTE, 1)))).toBe(epochDays(2014, 12, 31));
    expect(fold(call('date_sub', d(2015, 1, 1), int(-1)))).toBe(epochDays(2015, 1, 2));
    expect(fold(call('date_sub', d(2016, 2, 28), int(32768)))).toBe(-15909);
    expect(fold(call('date_sub', d(2016, 2, 28), int(-32769)))).toBe(49628);
    // Strings and timestamps are cast to dates; a string literal of days must be an integer.
    expect(fold(call('date_add', lit('2016-07-30'), int(1)))).toBe(epochDays(2016, 7, 31));
    expect(fold(call('date_sub', lit('2016-07-30'), int(1)))).toBe(epochDays(2016, 7, 29));
    expect(fold(call('date_add', lit('2016-07-30 23:00:00'), lit('2')))).toBe(epochDays(2016, 8, 1));
    expect(failure(() => fold(call('date_add', d(2016, 7, 30), lit('1.5')))).message).toMatch(/must be an integer/);
    expect(failure(() => fold(call('date_add', d(2016, 7, 30), typed(LONG, 1n)))).message).toMatch(/tinyint, smallint or int/);
    // `date + n` and `date - n` are date_add / date_sub.
    expect(fold(arith('+', d(2016, 2, 28), int(1)))).toBe(epochDays(2016, 2, 29));
    expect(fold(arith('-', d(2016, 3, 1), int(1)))).toBe(epochDays(2016, 2, 29));
  });

  it('counts days between dates', () => {
    expect(fold(call('datediff', d(2015, 7, 24), d(2015, 7, 21)))).toBe(3);
    expect(fold(call('date_diff', d(2015, 7, 21), d(2015, 7, 24)))).toBe(-3);
    expect(fold(call('datediff', lit('2009-07-31'), lit('2009-07-30')))).toBe(1);
    expect(fold(call('datediff', nullOf(DATE), d(2015, 7, 24)))).toBeNull();
  });

  it('adds months keeping the day when it exists, else the month end', () => {
    expect(fold(call('add_months', d(2015, 1, 30), int(1)))).toBe(epochDays(2015, 2, 28));
    expect(fold(call('add_months', d(2016, 3, 30), int(-1)))).toBe(epochDays(2016, 2, 29));
    expect(fold(call('add_months', lit('2016-08-31'), int(1)))).toBe(epochDays(2016, 9, 30));
    // Spark 3 no longer keeps month ends: Feb 28 + 1 month is Mar 28.
    expect(fold(call('add_months', d(2019, 2, 28), int(1)))).toBe(epochDays(2019, 3, 28));
    expect(fold(call('add_months', d(1, 1, 1), int(120000)))).toBe(epochDays(10001, 1, 1));
    expect(fold(call('add_months', d(9999, 12, 31), int(-120000)))).toBe(-719529);
    expect(fold(call('add_months', d(2015, 1, 30), nullOf(INT)))).toBeNull();
  });

  it('computes months_between with 31-day months, rounding to 8 digits unless told not to', () => {
    for (const zone of ZONES) {
      const at = (s: string): Expr => cast(lit(s), TIMESTAMP);
      expect(fold(call('months_between', at('1997-02-28 10:30:00'), at('1996-10-30 00:00:00')), zone), zone).toBe(3.94959677);
      expect(fold(call('months_between', at('1997-02-28 10:30:00'), at('1996-10-30 00:00:00'), lit(false)), zone)).toBe(3.9495967741935485);
      for (const r of [lit(true), lit(false)]) {
        expect(fold(call('months_between', at('2015-01-30 11:52:00'), at('2015-01-30 11:50:00'), r), zone)).toBe(0);
        expect(fold(call('months_between', at('2015-01-31 00:00:00'), at('2015-03-31 22:00:00'), r), zone)).toBe(-2);
        expect(fold(call('months_between', at('2015-03-31 22:00:00'), at('2015-02-28 00:00:00'), r), zone)).toBe(1);
      }
      expect(fold(call('months_between', at('2015-03-31 22:00:00'), nullOf(TIMESTAMP)), zone)).toBeNull();
      expect(fold(call('months_between', at('2015-03-31 22:00:00'), at('2015-03-31 22:00:00'), nullOf(BOOLEAN)), zone)).toBeNull();
    }
    expect(fold(call('months_between', lit('1997-02-28 10:30:00'), lit('1996-10-30')))).toBe(3.94959677);
  });

  it('finds the last day of the month and the next named day', () => {
    const lastDays: [number, number, number, number][] = [
      [2015, 2, 28, 28], [2015, 3, 27, 31], [2015, 4, 26, 30], [2015, 5, 25, 31], [2015, 6, 24, 30], [2015, 7, 23, 31],
      [2015, 8, 1, 31], [2015, 9, 2, 30], [2015, 10, 3, 31], [2015, 11, 4, 30], [2015, 12, 5, 31], [2016, 1, 6, 31], [2016, 2, 7, 29],
    ];
    for (const [y, m, day, last] of lastDays) expect(fold(call('last_day', d(y, m, day)))).toBe(epochDays(y, m, last));
    expect(fold(call('last_day', lit('2009-01-12')))).toBe(epochDays(2009, 1, 31));
    expect(fold(call('last_day', nullOf(DATE)))).toBeNull();
    const next: [string, string][] = [['Mon', '2015-07-27'], ['mo', '2015-07-27'], ['Tue', '2015-07-28'], ['tu', '2015-07-28'], ['we', '2015-07-29'], ['wed', '2015-07-29'], ['Thu', '2015-07-30'], ['TH', '2015-07-30'], ['Fri', '2015-07-24'], ['fr', '2015-07-24']];
    const schema = struct([field('dow', STRING)]);
    for (const [dow, want] of next) {
      expect(fold(call('next_day', d(2015, 7, 23), lit(dow))), dow).toBe(fold(cast(lit(want), DATE)));
      expect(evalRows(call('next_day', d(2015, 7, 23), col('dow')), schema, [{ dow }])).toEqual([fold(cast(lit(want), DATE))]);
    }
    expect(fold(call('next_day', lit('2015-01-14'), lit('TU')))).toBe(epochDays(2015, 1, 20));
    expect(fold(call('next_day', d(2015, 7, 23), lit('xx')))).toBeNull();
    expect(fold(call('next_day', d(2015, 7, 23), lit('"quote')))).toBeNull();
    expect(fold(call('next_day', nullOf(DATE), lit('xx')))).toBeNull();
    expect(fold(call('next_day', d(2015, 7, 23), nullOf(STRING)))).toBeNull();
  });

  it('adds intervals in the session zone (time_add, time_sub, year-month and day-time intervals)', () => {
    for (const zone of ZONES) {
      const at = (s: string): Expr => cast(lit(s), TIMESTAMP);
      const same = (e: Expr, want: string): void => expect(text(e, zone), `${want} in ${zone}`).toBe(want);
      same(arith('+', at('2016-01-29 10:00:00.000'), interval(1, 2, 123_000n)), '2016-03-02 10:00:00.123');
      same(arith('-', at('2016-03-31 10:00:00.000'), interval(1, 0, 0n)), '2016-02-29 10:00:00');
      same(arith('-', at('2016-03-31 10:00:00.000'), interval(1, 1, 0n)), '2016-02-28 10:00:00');
      same(arith('-', at('2016-03-30 00:00:01.000'), interval(1, 0, 2_000_000n)), '2016-02-28 23:59:59');
      same(arith('-', at('2016-03-30 00:00:01.000'), interval(1, 1, 2_000_000n)), '2016-02-27 23:59:59');
      same(arith('+', at('2016-01-29 10:11:12.123'), interval(2, 0, 0n)), '2016-03-29 10:11:12.123');
      same(arith('+', at('2021-01-01 00:00:00.123'), interval(0, 10, 600_321_000n)), '2021-01-11 00:10:00.444');
      same(arith('+', at('2021-01-01 00:10:00.123'), interval(0, -10, -540_120_000n)), '2020-12-22 00:01:00.003');
      const ntz = cast(lit('2016-01-29 10:00:00'), TIMESTAMP_NTZ);
      expect(fold(cast(arith('+', ntz, interval(1, 2, 123_000n)), STRING), zone)).toBe('2016-03-02 10:00:00.123');
    }
    // Dates plus whole days or months stay dates (DateAddInterval).
    expect(fold(arith('+', d(2016, 2, 28), interval(0, 1, 0n)))).toBe(epochDays(2016, 2, 29));
    expect(fold(arith('+', d(2016, 2, 28), interval(1, 1, 0n)))).toBe(epochDays(2016, 3, 29));
    expect(fold(arith('-', d(2016, 3, 31), interval(1, 0, 0n)))).toBe(epochDays(2016, 2, 29));
  });

  it('moves the wall clock across DST as java.time does', () => {
    const la = 'America/Los_Angeles';
    const at = (s: string): Expr => cast(lit(s), TIMESTAMP);
    // A day is 23 hours over the spring gap; 36 hours are one day and 12 hours (timestampAddDayTime).
    expect(text(arith('+', at('2023-03-11 12:00:00'), interval(0, 1, 0n)), la)).toBe('2023-03-12 12:00:00');
    expect(text(arith('+', at('2023-03-11 12:00:00'), interval(0, 0, 36n * 3_600_000_000n)), la)).toBe('2023-03-13 00:00:00');
    // Under a day, hours move the instant: 14 hours after noon PST is 3 am PDT.
    expect(text(arith('+', at('2023-03-11 12:00:00'), interval(0, 0, 14n * 3_600_000_000n)), la)).toBe('2023-03-12 03:00:00');
    // A wall time in the gap moves later by the gap.
    expect(text(arith('+', at('2023-03-11 02:30:00'), interval(0, 1, 0n)), la)).toBe('2023-03-12 03:30:00');
    // In the fall overlap the earlier offset is kept when it is still valid…
    const pdt = fold(arith('+', at('2023-11-04 01:30:00'), interval(0, 1, 0n)), la) as bigint;
    expect(pdt).toBe(utcMicros(2023, 11, 5, 8, 30));
    // …and a timestamp already in standard time keeps standard time (1:30 PST, one year less a day later).
    const pst = utcMicros(2022, 11, 6, 9, 30);
    expect(fold(arith('+', ts(pst), interval(12, -1, 0n)), la)).toBe(utcMicros(2023, 11, 5, 9, 30));
  });
});

describe('timestampadd, timestampdiff (the parser maps DATEADD/DATEDIFF with a unit to them)', () => {
  const ntz = (s: string): Expr => cast(lit(s), TIMESTAMP_NTZ);
  it('adds units as Spark documents: months move the date, days and finer a day-time interval', () => {
    expect(text(call('timestampadd', lit('HOUR'), int(8), ntz('2022-02-11 20:30:00')))).toBe('2022-02-12 04:30:00');
    expect(text(call('timestampadd', lit('MONTH'), int(1), tsText('2022-01-31 00:00:00')))).toBe('2022-02-28 00:00:00');
    expect(text(call('timestampadd', lit('SECOND'), int(-10), d(2022, 1, 1)))).toBe('2021-12-31 23:59:50');
    expect(text(call('timestampadd', lit('YEAR'), int(10), tsText('2000-02-29 23:59:59')))).toBe('2010-02-28 23:59:59');
    expect(text(call('timestampadd', lit('quarter'), int(1), tsText('2022-01-31 00:00:00')))).toBe('2022-04-30 00:00:00');
    expect(text(call('timestampadd', lit('WEEK'), int(2), tsText('2022-01-31 10:00:00')))).toBe('2022-02-14 10:00:00');
    // 25 hours are a day and an hour: across the spring gap the wall clock moves 25 hours.
    expect(text(call('timestampadd', lit('HOUR'), int(25), tsText('2023-03-11 12:00:00')), 'America/Los_Angeles')).toBe('2023-03-12 13:00:00');
    expect(fold(call('timestampadd', lit('DAY'), nullOf(INT), tsText('2022-01-31 00:00:00')))).toBeNull();
    expect(failure(() => fold(call('timestampadd', lit('DECADE'), int(1), tsText('2022-01-31 00:00:00')))).message).toMatch(/not a datetime unit/);
    expect(failure(() => fold(call('timestampadd', lit('MICROSECOND'), typed(LONG, (1n << 63n) - 1n), tsText('2022-01-31 00:00:00')))).message).toMatch(/overflows/);
  });

  it('counts complete units between wall-clock times as java.time (ChronoUnit.between)', () => {
    expect(fold(call('timestampdiff', lit('HOUR'), ntz('2022-02-11 20:30:00'), ntz('2022-02-12 04:30:00')))).toBe(8n);
    expect(fold(call('timestampdiff', lit('MONTH'), tsText('2022-01-01 00:00:00'), tsText('2022-02-28 00:00:00')))).toBe(1n);
    expect(fold(call('timestampdiff', lit('SECOND'), d(2022, 1, 1), tsText('2021-12-31 23:59:50')))).toBe(-10n);
    expect(fold(call('timestampdiff', lit('YEAR'), d(2022, 1, 1), d(2021, 1, 1)))).toBe(-1n);
    expect(fold(call('timestampdiff', lit('MONTH'), d(2020, 1, 31), d(2020, 2, 29)))).toBe(0n);
    expect(fold(call('timestampdiff', lit('MONTH'), d(2020, 2, 29), d(2020, 1, 31)))).toBe(0n);
    expect(fold(call('timestampdiff', lit('DAY'), tsText('2020-01-01 10:00:00'), tsText('2020-01-02 09:00:00')))).toBe(0n);
    expect(fold(call('timestampdiff', lit('DAY'), tsText('2020-01-02 09:00:00'), tsText('2020-01-01 10:00:00')))).toBe(0n);
    expect(fold(call('timestampdiff', lit('WEEK'), d(2020, 1, 1), d(2020, 1, 15)))).toBe(2n);
    expect(fold(call('timestampdiff', lit('QUARTER'), d(2020, 1, 15), d(2020, 7, 14)))).toBe(1n);
    // In the session zone: the spring-forward day has 23 wall-clock hours… but counts as one DAY.
    const la = 'America/Los_Angeles';
    expect(fold(call('timestampdiff', lit('DAY'), tsText('2023-03-11 12:00:00'), tsText('2023-03-12 12:00:00')), la)).toBe(1n);
    expect(fold(call('timestampdiff', lit('HOUR'), tsText('2023-03-11 12:00:00'), tsText('2023-03-12 12:00:00')), la)).toBe(24n);
  });
});

describe('truncation (DateExpressionsSuite)', () => {
  it('truncates dates to year, quarter, month and week; finer units give null', () => {
    for (const fmt of ['yyyy', 'YYYY', 'year', 'YEAR', 'yy', 'YY']) expect(fold(call('trunc', d(2015, 7, 22), lit(fmt)))).toBe(epochDays(2015, 1, 1));
    for (const fmt of ['month', 'MONTH', 'mon', 'MON', 'mm', 'MM']) expect(fold(call('trunc', d(2015, 7, 22), lit(fmt)))).toBe(epochDays(2015, 7, 1));
    for (const fmt of ['DD', 'SECOND', 'HOUR', 'INVALID', 'decade', 'century', 'millennium', 'whatever']) expect(fold(call('trunc', d(2015, 7, 22), lit(fmt))), fmt).toBeNull();
    expect(fold(call('trunc', d(2015, 7, 22), nullOf(STRING)))).toBeNull();
    expect(fold(call('trunc', lit('2019-08-04'), lit('week')))).toBe(epochDays(2019, 7, 29));
    expect(fold(call('trunc', lit('2019-08-04'), lit('quarter')))).toBe(epochDays(2019, 7, 1));
    expect(fold(call('trunc', lit('2009-02-12'), lit('MM')))).toBe(epochDays(2009, 2, 1));
    const schema = struct([field('f', STRING)]);
    expect(evalRows(call('trunc', d(2015, 7, 22), col('f')), schema, [{ f: 'MON' }, { f: 'DD' }, { f: null }, { f: 'year' }])).toEqual([epochDays(2015, 7, 1), null, null, epochDays(2015, 1, 1)]);
  });

  it('truncates timestamps in the session zone', () => {
    const input = tsText('2015-07-22 05:30:06');
    const cases: [string[], string][] = [
      [['yyyy', 'YYYY', 'year', 'YEAR', 'yy', 'YY'], '2015-01-01 00:00:00'],
      [['month', 'MONTH', 'mon', 'MON', 'mm', 'MM'], '2015-07-01 00:00:00'],
      [['DAY', 'day', 'DD', 'dd'], '2015-07-22 00:00:00'],
      [['HOUR', 'hour'], '2015-07-22 05:00:00'],
      [['MINUTE', 'minute'], '2015-07-22 05:30:00'],
      [['SECOND', 'second'], '2015-07-22 05:30:06'],
      [['WEEK', 'week'], '2015-07-20 00:00:00'],
      [['QUARTER', 'quarter'], '2015-07-01 00:00:00'],
    ];
    for (const zone of ['UTC', 'America/Los_Angeles', 'Asia/Kolkata']) {
      for (const [fmts, want] of cases) for (const f of fmts) expect(text(call('date_trunc', lit(f), input), zone), `${f} in ${zone}`).toBe(want);
      for (const f of ['INVALID', 'decade', 'century', 'millennium', 'whatever']) expect(fold(call('date_trunc', lit(f), input), zone)).toBeNull();
    }
    expect(text(call('date_trunc', lit('MILLISECOND'), lit('2015-03-05T09:32:05.123456')))).toBe('2015-03-05 09:32:05.123');
    expect(text(call('date_trunc', lit('MICROSECOND'), lit('2015-03-05T09:32:05.123456')))).toBe('2015-03-05 09:32:05.123456');
    expect(fold(call('date_trunc', lit('MON'), nullOf(TIMESTAMP)))).toBeNull();
    // Before the epoch, sub-second truncation rounds down.
    expect(fold(call('date_trunc', lit('SECOND'), ts(-1n)))).toBe(-1_000_000n);
    // Truncation keeps the offset in the fall overlap (ZonedDateTime.truncatedTo).
    const la = 'America/Los_Angeles';
    expect(fold(call('date_trunc', lit('HOUR'), ts(utcMicros(2023, 11, 5, 8, 30))), la)).toBe(utcMicros(2023, 11, 5, 8, 0));
    expect(fold(call('date_trunc', lit('HOUR'), ts(utcMicros(2023, 11, 5, 9, 30))), la)).toBe(utcMicros(2023, 11, 5, 9, 0));
    // A day starting in a DST gap starts after it (Sao Paulo skipped midnight on 2018-11-04).
    expect(fold(call('date_trunc', lit('DAY'), tsText('2018-11-04 12:00:00-02:00')), 'America/Sao_Paulo')).toBe(utcMicros(2018, 11, 4, 3, 0));
  });
});

describe('epoch conversions (DateExpressionsSuite)', () => {
  const integral = [0n, 127n, -128n, 32767n, -32768n, 2147483647n, -2147483648n, 2147483747n, -2147483748n];
  const typedIntegral = (v: bigint): Expr =>
    v >= -128n && v <= 127n ? typed(BYTE, Number(v)) : v >= -32768n && v <= 32767n ? typed(SHORT, Number(v)) : v >= -2147483648n && v <= 2147483647n ? int(Number(v)) : typed(LONG, v);

  it('converts seconds, milliseconds and microseconds to timestamps, overflow being an error', () => {
    for (const v of integral) {
      expect(fold(call('timestamp_seconds', typedIntegral(v)))).toBe(v * 1_000_000n);
      expect(fold(call('timestamp_millis', typedIntegral(v)))).toBe(v * 1000n);
      expect(fold(call('timestamp_micros', typedIntegral(v)))).toBe(v);
      expect(fold(call('date_from_unix_date', int(Number(BigInt.asIntN(32, v)))))).toBe(Number(BigInt.asIntN(32, v)));
      expect(fold(call('unix_date', typed(DATE, Number(BigInt.asIntN(32, v)))))).toBe(Number(BigInt.asIntN(32, v)));
    }
    for (const f of ['timestamp_seconds', 'timestamp_millis', 'timestamp_micros', 'date_from_unix_date']) expect(fold(call(f, nullOf(INT)))).toBeNull();
    const max = typed(LONG, (1n << 63n) - 1n);
    for (const f of ['timestamp_seconds', 'timestamp_millis']) {
      const e = failure(() => fold(call(f, max)));
      expect(isDeltaError(e) && e.code).toBe('INVALID_ARGUMENT');
      expect(e.message).toMatch(/out of the timestamp range/);
    }
    expect(fold(call('timestamp_micros', max))).toBe((1n << 63n) - 1n);
    expect(fold(call('timestamp_micros', typed(LONG, -(1n << 63n))))).toBe(-(1n << 63n));
    for (const s of ['1.0', '-1.0', '1.234567', '-1.234567']) {
      const want = BigInt(Math.trunc(Number(s) * 1e6));
      expect(fold(call('timestamp_seconds', typed(FLOAT, Math.fround(Number(s))))), s).toBe(want);
      expect(fold(call('timestamp_seconds', lit(Number(s))))).toBe(want);
      expect(fold(call('timestamp_seconds', lit({ type: 'decimal', text: s })))).toBe(want);
    }
    expect(failure(() => fold(call('timestamp_seconds', lit({ type: 'decimal', text: '9'.repeat(38) })))).message).toMatch(/out of the timestamp range/);
    expect(failure(() => fold(call('timestamp_seconds', lit({ type: 'decimal', text: '0.1234567' })))).message).toMatch(/whole number of microseconds/);
    expect(fold(call('timestamp_seconds', lit(NaN)))).toBeNull();
    expect(fold(call('timestamp_seconds', typed(FLOAT, NaN)))).toBeNull();
    expect(fold(call('timestamp_seconds', lit(123.456789123)))).toBe(123_456_789n);
    expect(fold(call('timestamp_seconds', typed(FLOAT, 16777215)))).toBe(16_777_215_000_000n);
    expect(fold(call('timestamp_seconds', lit(1230219000n)))).toBe(utcMicros(2008, 12, 25, 15, 30));
    expect(failure(() => fold(call('timestamp_millis', lit(1.5)))).message).toMatch(/integral/);
  });

  it('converts timestamps to seconds, milliseconds and microseconds rounding down', () => {
    const ms = (v: bigint): Expr => ts(v * 1000n);
    expect(fold(call('unix_seconds', ms(0n)))).toBe(0n);
    expect(fold(call('unix_seconds', ms(1000n)))).toBe(1n);
    expect(fold(call('unix_seconds', ms(-1000n)))).toBe(-1n);
    expect(fold(call('unix_seconds', ms(-1n)))).toBe(-1n);
    expect(fold(call('unix_seconds', ms(1999n)))).toBe(1n);
    expect(fold(call('unix_millis', ts(1_000_999n)))).toBe(1000n);
    expect(fold(call('unix_millis', ms(-1000n)))).toBe(-1000n);
    expect(fold(call('unix_micros', ts(1_000_001n)))).toBe(1_000_001n);
    expect(fold(call('unix_micros', ms(-1000n)))).toBe(-1_000_000n);
    for (const f of ['unix_seconds', 'unix_millis', 'unix_micros']) expect(fold(call(f, nullOf(TIMESTAMP)))).toBeNull();
    expect(fold(call('unix_date', nullOf(DATE)))).toBeNull();
    expect(failure(() => fold(call('unix_seconds', d(2020, 1, 1)))).message).toMatch(/must be timestamp/);
  });
});

describe('make_date, make_timestamp', () => {
  it('builds dates; invalid fields give null', () => {
    expect(fold(call('make_date', int(2013), int(7), int(15)))).toBe(epochDays(2013, 7, 15));
    expect(fold(call('make_date', nullOf(INT), int(7), int(15)))).toBeNull();
    expect(fold(call('make_date', int(2019), nullOf(INT), int(19)))).toBeNull();
    expect(fold(call('make_date', int(2147483647), int(13), int(19)))).toBeNull();
    expect(fold(call('make_date', int(2019), int(13), int(19)))).toBeNull();
    expect(fold(call('make_date', int(2019), int(7), int(32)))).toBeNull();
    expect(fold(call('make_date', int(2019), int(2), int(29)))).toBeNull();
  });

  it('builds timestamps in the session zone or a given one; 60 seconds is the next minute', () => {
    const sec = (s: string): Expr => lit({ type: 'decimal', text: s });
    const mk = (y: number, mo: number, day: number, h: number, mi: number, s: Expr, zone?: string): Expr =>
      call('make_timestamp', int(y), int(mo), int(day), int(h), int(mi), s, ...(zone ? [lit(zone)] : []));
    for (const zone of ['UTC', 'America/Los_Angeles']) {
      expect(text(mk(2013, 7, 15, 8, 15, sec('23.5'), zone), zone)).toBe('2013-07-15 08:15:23.5');
      expect(text(mk(2013, 7, 15, 8, 15, sec('23.5')), zone)).toBe('2013-07-15 08:15:23.5');
      expect(text(call('make_timestamp_ntz', int(2013), int(7), int(15), int(8), int(15), sec('23.5')), zone)).toBe('2013-07-15 08:15:23.5');
      for (const bad of [mk(2147483647, 7, 15, 8, 15, sec('23.5')), mk(2013, 13, 15, 8, 15, sec('23.5')), mk(2013, 7, 32, 8, 15, sec('23.5')), mk(2013, 7, 15, 25, 15, sec('23.5')), mk(2013, 7, 15, 8, 65, sec('23.5')), mk(2013, 7, 15, 8, 15, sec('70.0'))]) {
        expect(fold(bad, zone)).toBeNull();
      }
      expect(text(mk(2019, 6, 30, 23, 59, sec('60.0')), zone)).toBe('2019-07-01 00:00:00');
      expect(fold(mk(2019, 6, 30, 23, 59, sec('60.5')), zone)).toBeNull();
      expect(text(mk(2019, 8, 12, 0, 0, sec('58.000001')), zone)).toBe('2019-08-12 00:00:58.000001');
    }
    expect(fold(call('make_timestamp', nullOf(INT), int(7), int(22), int(15), int(30), int(0)))).toBeNull();
    // Documented examples: CET is +01:00 in December; the integer 60 is accepted as seconds.
    expect(text(mk(2014, 12, 28, 6, 30, sec('45.887'), 'CET'), 'America/Los_Angeles')).toBe('2014-12-27 21:30:45.887');
    expect(text(call('make_timestamp', int(2019), int(6), int(30), int(23), int(59), int(60)))).toBe('2019-07-01 00:00:00');
    expect(text(call('make_timestamp', int(2019), int(6), int(30), int(23), int(59), lit(1.5)))).toBe('2019-06-30 23:59:01.5');
    expect(failure(() => fold(mk(2019, 6, 30, 23, 59, sec('1'), 'Invalid/Zone'))).message).toMatch(/not a time zone/);
  });
});

describe('zone shifts', () => {
  it('shifts timestamps from and to UTC', () => {
    const at = (s: string | null): Expr => (s === null ? nullOf(TIMESTAMP) : tsText(s));
    const cases: [string | null, string | null, string | null, string | null][] = [
      ['2015-07-24 00:00:00', 'America/Los_Angeles', '2015-07-24 07:00:00', '2015-07-23 17:00:00'],
      ['2015-01-24 00:00:00', 'America/Los_Angeles', '2015-01-24 08:00:00', '2015-01-23 16:00:00'],
      [null, 'UTC', null, null],
      ['2015-07-24 00:00:00', null, null, null],
    ];
    for (const [t, zone, toUtc, fromUtc] of cases) {
      const z = zone === null ? nullOf(STRING) : lit(zone);
      expect(fold(call('to_utc_timestamp', at(t), z))).toBe(toUtc === null ? null : fold(tsText(toUtc)));
      expect(fold(call('from_utc_timestamp', at(t), z))).toBe(fromUtc === null ? null : fold(tsText(fromUtc)));
      const schema = struct([field('z', STRING)]);
      expect(evalRows(call('to_utc_timestamp', at(t), col('z')), schema, [{ z: zone }])).toEqual([toUtc === null ? null : fold(tsText(toUtc))]);
    }
    expect(text(call('from_utc_timestamp', lit('2016-08-31'), lit('Asia/Seoul')))).toBe('2016-08-31 09:00:00');
    expect(text(call('to_utc_timestamp', lit('2016-08-31'), lit('Asia/Seoul')))).toBe('2016-08-30 15:00:00');
    expect(text(call('from_utc_timestamp', lit('2017-07-14 02:40:00.0'), lit('GMT+1')))).toBe('2017-07-14 03:40:00');
    for (const bad of ['Invalid time zone', '"quote', 'UTC*42']) {
      const e = failure(() => fold(call('to_utc_timestamp', tsText('2015-07-24 00:00:00'), lit(bad))));
      expect(isDeltaError(e) && e.code).toBe('INVALID_ARGUMENT');
      expect(e.message).toContain(bad);
      expect(failure(() => fold(call('from_utc_timestamp', ts(0n), lit(bad)))).message).toContain(bad);
    }
  });

  it('converts timestamp_ntz between zones (convert_timezone)', () => {
    const ntz = (s: string): Expr => cast(lit(s), TIMESTAMP_NTZ);
    expect(text(call('convert_timezone', lit('Europe/Brussels'), lit('America/Los_Angeles'), ntz('2021-12-06 00:00:00')))).toBe('2021-12-05 15:00:00');
    expect(text(call('convert_timezone', lit('Europe/Brussels'), ntz('2021-12-05 15:00:00')), 'America/Los_Angeles')).toBe('2021-12-06 00:00:00');
  });
});

describe('functions in scan filters', () => {
  it('filter a table written through DeltaTable', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { DeltaTable } = await import('../../../src/table/delta-table.js');
    const { createDefaultEngine } = await import('../../../src/table/default-engine.js');
    const { LocalFileSystemStore } = await import('../../../src/storage/local-store.js');
    const { and, cmp } = await import('../../../src/expr/ast.js');
    const dir = mkdtempSync(join(tmpdir(), 'deltakit-datetime-'));
    const engine = createDefaultEngine({ store: new LocalFileSystemStore(), workers: 0 });
    try {
      const schema = struct([field('id', LONG), field('d', DATE), field('t', TIMESTAMP), field('s', STRING), field('part', DATE)]);
      const rows = Array.from({ length: 40 }, (_, i) => ({
        id: BigInt(i),
        d: epochDays(2020, 1, 1) + i * 17,
        t: utcMicros(2020, 1, 1) + BigInt(i) * 86_400_000_000n * 7n + BigInt(i) * 3_600_000_000n,
        s: `2020-${String((i % 12) + 1).padStart(2, '0')}-15`,
        part: epochDays(2020, 1 + (i % 3), 1),
      }));
      const table = DeltaTable.forPath(dir, { engine });
      await table.write({ rows, schema }, { partitionBy: ['part'] });
      const ids = async (filter: Expr): Promise<number[]> => {
        const out: number[] = [];
        for await (const b of (await table.snapshot()).scan({ filter }).batches()) {
          const v = b.getChild('id')!;
          for (let i = 0; i < b.numRows; i++) out.push(Number(v.get(i)));
        }
        return out.sort((a, b) => a - b);
      };
      const expected = (f: (r: (typeof rows)[number]) => boolean): number[] => rows.filter(f).map((r) => Number(r.id));
      const civil = (days: number): Date => new Date(days * 86_400_000);
      expect(await ids(cmp('=', call('month', col('d')), lit(3n)))).toEqual(expected((r) => civil(r.d).getUTCMonth() === 2));
      expect(await ids(cmp('=', call('dayofweek', col('t')), lit(2n)))).toEqual(expected((r) => new Date(Number(r.t / 1000n)).getUTCDay() === 1));
      expect(await ids(cmp('>', call('datediff', col('d'), call('to_date', col('s'))), lit(100n)))).toEqual(expected((r) => r.d - Math.round(Date.parse(r.s) / 86_400_000) > 100));
      expect(await ids(cmp('=', call('date_format', col('t'), lit('EEE')), lit('Sun')))).toEqual(expected((r) => new Date(Number(r.t / 1000n)).getUTCDay() === 0));
      expect(await ids(and(cmp('=', call('month', col('part')), lit(2n)), cmp('<', call('hour', col('t')), lit(10n))))).toEqual(expected((r) => r.part === epochDays(2020, 2, 1) && (Number(r.id) % 24) < 10));
      expect(await ids(cmp('<', col('t'), arith('-', call('current_timestamp'), interval(0, 0, 0n))))).toEqual(expected(() => true));
    } finally {
      await engine.parquet.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

void DOUBLE;
void decimalType;
