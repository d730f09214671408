import { DeltaError } from '../errors.js';

/**
 * Calendar arithmetic for Delta dates (days since 1970-01-01) and timestamps (bigint microseconds
 * since the epoch), in the proleptic Gregorian calendar, for years 0001-9999 and beyond. Zone
 * offsets come from `Intl`, so any IANA zone name works and DST transitions are honoured.
 */

export const MICROS_PER_SECOND = 1_000_000n;
export const MICROS_PER_DAY = 86_400_000_000n;

/** Days since the epoch of a proleptic Gregorian civil date (month 1-12). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The civil date of a day number (inverse of {@link daysFromCivil}). */
export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** Days in a month of the proleptic Gregorian calendar (month 1-12). */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

const DATE_RE = /^([+-]?\d{4,6})-(\d{1,2})-(\d{1,2})$/;

/** Days since the epoch of `YYYY-MM-DD`, or undefined when the text is not a valid date. */
export function parseDate(text: string): number | undefined {
  const m = DATE_RE.exec(text.trim());
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return daysFromCivil(year, month, day);
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

function formatYear(year: number): string {
  if (year >= 0 && year <= 9999) return pad(year, 4);
  return (year < 0 ? '-' : '+') + pad(Math.abs(year), 6);
}

/** `YYYY-MM-DD` of a day number. */
export function formatDate(days: number): string {
  const { year, month, day } = civilFromDays(days);
  return `${formatYear(year)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/**
 * The parts of a timestamp text: date, optional time with up to 9 fraction digits (truncated to
 * µs), optional zone (`Z`, `±HH`, `±HH:MM`, `±HHMM`, `±HH:MM:SS`). `fractionDigits` tells callers
 * how precise the writer was (statistics are truncated to milliseconds).
 */
export interface TimestampParts {
  /** Microseconds since the epoch of the wall-clock time read as UTC. */
  readonly wallMicros: bigint;
  /** Offset east of UTC in seconds, when the text names one. */
  readonly offsetSeconds?: number;
  readonly fractionDigits: number;
}

const TS_RE =
  /^([+-]?\d{4,6})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|UTC|[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?)?$/i;

/** Splits a timestamp text into parts, or undefined when it is not a timestamp. */
export function parseTimestampParts(text: string): TimestampParts | undefined {
  const m = TS_RE.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, hh, mi, ss, frac, zone] = m;
  const days = parseDate(`${y}-${mo}-${d}`);
  if (days === undefined) return undefined;
  const hour = Number(hh ?? 0);
  const minute = Number(mi ?? 0);
  const second = Number(ss ?? 0);
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const fraction = frac ?? '';
  const micros = BigInt((fraction + '000000').slice(0, 6));
  const wallMicros = BigInt(days) * MICROS_PER_DAY + BigInt(hour * 3600 + minute * 60 + second) * MICROS_PER_SECOND + micros;
  const parts: TimestampParts = { wallMicros, fractionDigits: fraction.length };
  if (zone === undefined) return parts;
  return { ...parts, offsetSeconds: parseOffset(zone) };
}

function parseOffset(zone: string): number {
  if (/^(z|utc)$/i.test(zone)) return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(/:/g, '');
  const h = Number(digits.slice(0, 2));
  const m = Number(digits.slice(2, 4) || 0);
  const s = Number(digits.slice(4, 6) || 0);
  return sign * (h * 3600 + m * 60 + s);
}

/**
 * Parses a timestamp text to µs since the epoch. Text with an offset is exact; zone-less text is a
 * wall-clock time in `timeZone` (IANA name). Returns undefined for text that is not a timestamp.
 */
export function parseTimestamp(text: string, timeZone: string): bigint | undefined {
  const parts = parseTimestampParts(text);
  if (!parts) return undefined;
  if (parts.offsetSeconds !== undefined) return parts.wallMicros - BigInt(parts.offsetSeconds) * MICROS_PER_SECOND;
  return wallClockToUtcMicros(parts.wallMicros, timeZone);
}

/** Parses a zone-less timestamp_ntz text to wall-clock µs; an explicit offset is ignored (Spark drops it too). */
export function parseTimestampNtz(text: string): bigint | undefined {
  return parseTimestampParts(text)?.wallMicros;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f) return f;
  try {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch (e) {
    throw new DeltaError(
      'INVALID_ARGUMENT',
      `Unknown time zone "${timeZone}": it is not an IANA zone name this runtime knows. Use a name like "UTC" or "America/Los_Angeles".`,
      { cause: e, details: { timeZone } },
    );
  }
  formatters.set(timeZone, f);
  return f;
}

/** Throws INVALID_ARGUMENT unless `timeZone` is an IANA zone name the runtime knows. */
export function validateTimeZone(timeZone: string): void {
  if (!isUtc(timeZone)) formatterFor(timeZone);
}

const isUtc = (tz: string): boolean => tz === 'UTC' || tz === 'Etc/UTC' || tz === 'Z';

/** Offset of `timeZone` east of UTC, in seconds, at the instant `epochSeconds`. */
export function zoneOffsetSeconds(epochSeconds: number, timeZone: string): number {
  if (isUtc(timeZone)) return 0;
  const parts = formatterFor(timeZone).formatToParts(new Date(epochSeconds * 1000));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const era = parts.find((p) => p.type === 'era')?.value ?? 'AD';
  const year = era.startsWith('B') ? 1 - get('year') : get('year');
  const wall = daysFromCivil(year, get('month'), get('day')) * 86400 + get('hour') * 3600 + get('minute') * 60 + get('second');
  return wall - epochSeconds;
}

/**
 * Converts a wall-clock time in `timeZone` to UTC µs the way Java's `LocalDateTime.atZone` does:
 * in a DST overlap the earlier instant wins; a time inside a DST gap moves later by the gap.
 */
export function wallClockToUtcMicros(wallMicros: bigint, timeZone: string): bigint {
  if (isUtc(timeZone)) return wallMicros;
  const sub = ((wallMicros % MICROS_PER_SECOND) + MICROS_PER_SECOND) % MICROS_PER_SECOND;
  const wallSec = Number((wallMicros - sub) / MICROS_PER_SECOND);
  const before = zoneOffsetSeconds(wallSec - 86400, timeZone);
  const after = zoneOffsetSeconds(wallSec + 86400, timeZone);
  const valid = [wallSec - before, wallSec - after].filter((t) => t + zoneOffsetSeconds(t, timeZone) === wallSec);
  const instant = valid.length === 0 ? wallSec - before : Math.min(...valid);
  return BigInt(instant) * MICROS_PER_SECOND + sub;
}

function splitMicros(micros: bigint): { days: number; secondOfDay: number; micro: number } {
  let days = micros / MICROS_PER_DAY;
  let rest = micros % MICROS_PER_DAY;
  if (rest < 0n) {
    rest += MICROS_PER_DAY;
    days -= 1n;
  }
  return { days: Number(days), secondOfDay: Number(rest / MICROS_PER_SECOND), micro: Number(rest % MICROS_PER_SECOND) };
}

function formatWall(micros: bigint, separator: string): string {
  const { days, secondOfDay, micro } = splitMicros(micros);
  const hh = Math.floor(secondOfDay / 3600);
  const mm = Math.floor((secondOfDay % 3600) / 60);
  const ss = secondOfDay % 60;
  return `${formatDate(days)}${separator}${pad(hh, 2)}:${pad(mm, 2)}:${pad(ss, 2)}.${pad(micro, 6)}`;
}

/** ISO-8601 UTC with microseconds: `1970-01-01T00:00:00.123456Z` (the recommended partition form). */
export function formatTimestampUtc(micros: bigint): string {
  return formatWall(micros, 'T') + 'Z';
}

/** Zone-less `YYYY-MM-DD HH:mm:ss.ffffff` (timestamp_ntz partition form). */
export function formatTimestampNtz(micros: bigint): string {
  return formatWall(micros, ' ');
}

/** `days` plus `months` calendar months, clamping the day to the end of a shorter month (Spark's add_months). */
export function addMonthsToDays(days: number, months: number): number {
  const { year, month, day } = civilFromDays(days);
  const total = year * 12 + (month - 1) + months;
  const y = Math.floor(total / 12);
  const m = total - y * 12 + 1;
  return daysFromCivil(y, m, Math.min(day, daysInMonth(y, m)));
}

/**
 * A timestamp plus a calendar interval as Spark's `timestampAddInterval`: months and days are added
 * to the wall-clock date in `timeZone` (so a day is 23 or 25 hours across DST), then micros.
 */
export function addIntervalToTimestamp(micros: bigint, months: number, days: number, extraMicros: bigint, timeZone: string): bigint {
  if (months === 0 && days === 0) return micros + extraMicros;
  const offset = BigInt(zoneOffsetSeconds(Number(floorDivBig(micros, MICROS_PER_SECOND)), timeZone)) * MICROS_PER_SECOND;
  const wall = micros + offset;
  const day = floorDivBig(wall, MICROS_PER_DAY);
  const timeOfDay = wall - day * MICROS_PER_DAY;
  const newDay = addMonthsToDays(Number(day), months) + days;
  return wallClockToUtcMicros(BigInt(newDay) * MICROS_PER_DAY + timeOfDay, timeZone) + extraMicros;
}

/** Floor division of bigints (rounds toward negative infinity). */
export function floorDivBig(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}
