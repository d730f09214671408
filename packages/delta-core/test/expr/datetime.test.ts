import { describe, expect, it } from 'vitest';
import { civilFromDays, daysFromCivil, parseDate } from '../../src/expr/datetime.js';
import { formatDate } from '../../src/write/stats-format.js';

/** Days since the epoch of a proleptic Gregorian date, computed by `Date`. */
function dateDays(year: number, month: number, day: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return Math.round(d.getTime() / 86_400_000);
}

describe('civil dates', () => {
  it('agree with Date in both directions across eras, leap days and the epoch', () => {
    for (const [y, m, d] of [
      [1, 1, 1],
      [4, 2, 29],
      [1582, 10, 4],
      [1582, 10, 15],
      [1900, 2, 28],
      [1969, 12, 31],
      [1970, 1, 1],
      [2000, 2, 29],
      [2024, 12, 31],
      [9999, 12, 31],
      [-44, 3, 15],
      [12345, 6, 7],
    ] as const) {
      const days = dateDays(y, m, d);
      expect(daysFromCivil(y, m, d), `${y}-${m}-${d}`).toBe(days);
      expect(civilFromDays(days), `${y}-${m}-${d}`).toEqual({ year: y, month: m, day: d });
    }
  });

  it('parse only real dates and format them as statistics do', () => {
    expect(parseDate('2000-02-29')).toBe(dateDays(2000, 2, 29));
    for (const bad of ['1900-02-29', '2024-04-31', '2024-13-01', '2024-00-10', 'x']) expect(parseDate(bad), bad).toBeUndefined();
    expect(formatDate(dateDays(1, 1, 1))).toBe('0001-01-01');
    expect(formatDate(dateDays(12345, 6, 7))).toBe('+12345-06-07');
    expect(formatDate(dateDays(-44, 3, 15))).toBe('-0044-03-15');
  });
});
