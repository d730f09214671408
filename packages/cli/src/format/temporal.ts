/**
 * Exact text for Delta dates and timestamps. Values arrive as integer counts from the Unix epoch
 * (days, or seconds/ms/µs/ns as bigint); no step goes through `Date`, so microseconds and dates
 * outside JavaScript's Date range print exactly.
 */
import { civilFromDays } from '@deltakit/core/internal';

const SECONDS_PER_DAY = 86_400;

/**
 * ISO 8601 year text: four digits for years 0..9999, otherwise the expanded form with a sign
 * (`+10000`, `-0001`), so every year sorts and parses unambiguously.
 */
function yearText(year: number): string {
  if (year >= 0 && year <= 9999) return String(year).padStart(4, '0');
  return (year < 0 ? '-' : '+') + String(Math.abs(year)).padStart(4, '0');
}

const pad2 = (n: number): string => (n < 10 ? '0' : '') + n;

/** `YYYY-MM-DD` (proleptic Gregorian calendar) for a count of days since 1970-01-01. */
export function formatEpochDays(days: number): string {
  const { year, month, day } = civilFromDays(days);
  return `${yearText(year)}-${pad2(month)}-${pad2(day)}`;
}

/** Arrow time units in the order of `arrow.TimeUnit`: SECOND, MILLISECOND, MICROSECOND, NANOSECOND. */
export type TimeUnitIndex = 0 | 1 | 2 | 3;

const UNITS_PER_SECOND = [1, 1_000, 1_000_000, 1_000_000_000] as const;
const UNITS_PER_SECOND_BIG = [1n, 1_000n, 1_000_000n, 1_000_000_000n] as const;

/**
 * A formatter for timestamps of one unit: `YYYY-MM-DDTHH:MM:SS.ffffff` plus `Z` when `utc`.
 * Six fraction digits always (Delta's precision is microseconds); nanosecond values with a
 * non-zero sub-microsecond part get nine digits rather than being rounded.
 * `fromNumber` takes values within ±(2^53 - 1) (the fast path); `fromBigInt` takes any int64.
 * The formatter caches the last day's text, as consecutive values usually share a day.
 */
export function timestampFormatter(unit: TimeUnitIndex, utc: boolean): { fromNumber(value: number): string; fromBigInt(value: bigint): string } {
  const suffix = utc ? 'Z' : '';
  const perSecond = UNITS_PER_SECOND[unit];
  const perDay = perSecond * SECONDS_PER_DAY;
  const perDayBig = UNITS_PER_SECOND_BIG[unit] * BigInt(SECONDS_PER_DAY);
  let cachedDay = NaN;
  let cachedDayText = '';
  // `rem`: units since midnight, 0 <= rem < perDay (below 2^53 for every unit).
  const text = (day: number, rem: number): string => {
    if (day !== cachedDay) {
      cachedDay = day;
      cachedDayText = formatEpochDays(day);
    }
    const sod = Math.floor(rem / perSecond);
    const fraction = rem - sod * perSecond;
    const hh = Math.floor(sod / 3600);
    const mm = Math.floor((sod % 3600) / 60);
    const ss = sod % 60;
    return `${cachedDayText}T${pad2(hh)}:${pad2(mm)}:${pad2(ss)}.${fractionText(fraction, unit)}${suffix}`;
  };
  const fromNumber = (n: number): string => {
    let day = Math.floor(n / perDay);
    let rem = n - day * perDay;
    // The float division can round across a day boundary; the remainder shows it exactly.
    if (rem < 0) {
      day -= 1;
      rem += perDay;
    } else if (rem >= perDay) {
      day += 1;
      rem -= perDay;
    }
    return text(day, rem);
  };
  const fromBigInt = (value: bigint): string => {
    if (value >= -MAX_SAFE && value <= MAX_SAFE) return fromNumber(Number(value));
    let d = value / perDayBig;
    let r = value - d * perDayBig;
    if (r < 0n) {
      d -= 1n;
      r += perDayBig;
    }
    return text(Number(d), Number(r));
  };
  return { fromNumber, fromBigInt };
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function fractionText(fraction: number, unit: TimeUnitIndex): string {
  switch (unit) {
    case 0:
      return '000000';
    case 1:
      return String(fraction * 1000).padStart(6, '0');
    case 2:
      return String(fraction).padStart(6, '0');
    case 3:
      return fraction % 1000 === 0 ? String(fraction / 1000).padStart(6, '0') : String(fraction).padStart(9, '0');
  }
}
