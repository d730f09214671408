/**
 * Spark's calendar-interval text for duration properties (IntervalUtils.stringToInterval), with
 * Delta's rules for durations: `interval ` optional, no months or years, not negative.
 */
import { describe, expect, it } from 'vitest';
import { durationPropertyMs, parseCalendarInterval } from '../../src/maintenance/interval.js';
import type { Metadata } from '../../src/log/actions.js';

const meta = (value?: string): Metadata => ({
  id: 'x',
  format: { provider: 'parquet', options: {} },
  schemaString: '{"type":"struct","fields":[]}',
  partitionColumns: [],
  configuration: value === undefined ? {} : { 'delta.deletedFileRetentionDuration': value },
});
const ms = (value?: string) => durationPropertyMs(meta(value), 'delta.deletedFileRetentionDuration', 'interval 1 week');

describe('duration properties', () => {
  it('parses the forms Delta users write', () => {
    expect(ms()).toBe(7 * 86_400_000);
    expect(ms('interval 7 days')).toBe(7 * 86_400_000);
    expect(ms('INTERVAL 2 WEEKS')).toBe(14 * 86_400_000);
    expect(ms('30 days')).toBe(30 * 86_400_000);
    expect(ms('  interval 1 day 12 hours  ')).toBe(36 * 3_600_000);
    expect(ms('interval 1 hour 30 minutes')).toBe(90 * 60_000);
    expect(ms('interval 1 second 500 milliseconds')).toBe(1500);
    expect(ms('interval 2000 microseconds')).toBe(2);
    expect(ms('interval 1999 microseconds')).toBe(1); // microseconds truncate to milliseconds
    expect(ms('interval 0 seconds')).toBe(0);
  });

  it('follows Spark: signs per value, fractions of seconds only, units singular or plural', () => {
    expect(ms('interval 1 day -1 hour')).toBe(23 * 3_600_000);
    expect(ms('interval + 3 hours')).toBe(3 * 3_600_000);
    expect(ms('interval 1.5 seconds')).toBe(1500);
    expect(ms('interval .25 second')).toBe(250);
    expect(ms('interval 2. seconds')).toBe(2000);
    expect(ms('interval 1 week 1 day 1 hour 1 minute 1 second')).toBe(8 * 86_400_000 + 3_661_000);
  });

  it('refuses what Spark refuses, naming the property', () => {
    for (const bad of ['', 'interval', '1day', '1 dayss', '1 fortnight', '1.5 hours', 'interval 1', '7', 'days', '. second', '1 day,', 'interval interval 1 day', '1.1234567891 seconds']) {
      expect(() => ms(bad), bad).toThrow(/delta\.deletedFileRetentionDuration/);
    }
  });

  it('refuses months, years and negative durations (their length varies or they make no sense)', () => {
    expect(() => ms('interval 1 month')).toThrow(/month or year/);
    expect(() => ms('interval 1 year')).toThrow(/month or year/);
    expect(() => ms('interval -1 day')).toThrow(/negative/);
    expect(() => ms('interval 1 hour -2 hours')).toThrow(/negative/);
  });

  it('reports months and days apart from exact microseconds', () => {
    expect(parseCalendarInterval('interval 1 year 2 months 3 weeks 4 days 5 microseconds')).toEqual({ months: 14, days: 25, micros: 5n });
    expect(parseCalendarInterval('interval 99999999999999999999 seconds')).toHaveProperty('error');
  });
});
