/**
 * Spark's text forms of dates and timestamps, as `CAST(string AS DATE | TIMESTAMP | TIMESTAMP_NTZ)`
 * reads them (`DateTimeUtils.stringToDate`, `stringToTimestamp`): the text is trimmed of
 * whitespace and control characters; dates are `[+-]yyyy[y…]`, `-[m]m`, `-[d]d`, optionally followed
 * by `T` or a space and anything; timestamps add `[h]h[:[m]m[:[s]s[.fraction]]]` after `T` or a
 * space, then an optional zone (`Z`, `±h[h][:mm]`, `UTC+…`, a short id, a region name), or are a
 * time alone (on today's date in the zone). Invalid text gives null.
 */
import { MICROS_PER_DAY, MICROS_PER_SECOND, daysFromCivil, daysInMonth, floorDivBig, resolveZoneId, utcToWallMicros, wallClockToUtcMicros } from './datetime.js';

/** Whitespace or control characters as Spark trims them from text it parses (`UTF8String.trimAll`). */
const isTrimmed = (c: number): boolean => c <= 0x20 || c === 0x7f;

/** `s` without the leading and trailing characters Spark trims before parsing numbers and datetimes. */
export function sparkTrim(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isTrimmed(s.charCodeAt(a))) a++;
  while (b > a && isTrimmed(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;
const LONG_MIN = -(1n << 63n);
const LONG_MAX = (1n << 63n) - 1n;

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** A valid proleptic Gregorian date as days since the epoch, or null (also when beyond a 32-bit day count). */
function validDate(year: number, month: number, day: number): number | null {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  const days = daysFromCivil(year, month, day);
  return days < INT_MIN || days > INT_MAX ? null : days;
}

/** Days since the epoch of Spark's date text, or null when it is not a date. */
export function parseSparkDate(text: string): number | null {
  const s = sparkTrim(text);
  if (s === '') return null;
  const seg = [1, 1, 1];
  let sign = 1;
  let j = 0;
  if (s[0] === '-' || s[0] === '+') {
    sign = s[0] === '-' ? -1 : 1;
    j = 1;
  }
  let i = 0;
  let cur = 0;
  let digits = 0;
  // The year has 4 to 7 digits, month and day 1 or 2.
  const validDigits = (segment: number, n: number): boolean => (segment === 0 ? n >= 4 && n <= 7 : n > 0 && n <= 2);
  while (j < s.length && s[j] !== ' ' && s[j] !== 'T') {
    const c = s.charCodeAt(j);
    if (i < 2 && c === 45) {
      if (!validDigits(i, digits)) return null;
      seg[i++] = cur;
      cur = 0;
      digits = 0;
    } else if (isDigit(c)) {
      cur = cur * 10 + (c - 48);
      digits++;
    } else return null;
    j++;
  }
  if (!validDigits(i, digits)) return null;
  // `yyyy` and `yyyy-[m]m` must be the whole text.
  if (i < 2 && j < s.length) return null;
  seg[i] = cur;
  return validDate(sign * seg[0]!, seg[1]!, seg[2]!);
}

/** The fields of Spark's timestamp text, before they are checked as a date and a time. */
interface TimestampSegments {
  /** year, month, day, hour, minute, second, microsecond. */
  readonly seg: readonly number[];
  /** Canonical zone id when the text names a zone. */
  readonly zone?: string;
  /** True for a time without a date. */
  readonly justTime: boolean;
}

/** Splits Spark's timestamp text into segments (`DateTimeUtils.parseTimestampString`), or undefined. */
function timestampSegments(text: string): TimestampSegments | undefined {
  const s = sparkTrim(text);
  if (s === '') return undefined;
  const seg = [1, 1, 1, 0, 0, 0, 0, 0, 0];
  let j = 0;
  let yearSign: number | undefined;
  if (s[0] === '-' || s[0] === '+') {
    yearSign = s[0] === '-' ? -1 : 1;
    j = 1;
  }
  let i = 0;
  let cur = 0;
  let digits = 0;
  let fractionDigits = 0;
  let justTime = false;
  let zoneText: string | undefined;
  // Years have 4 to 6 digits, fractions any number (only 6 are kept), the rest 1 or 2.
  const validDigits = (segment: number, n: number): boolean =>
    segment === 6 || (segment === 0 && n >= 4 && n <= 6) || (segment === 7 && n <= 2) || (segment !== 0 && segment !== 6 && segment !== 7 && n > 0 && n <= 2);
  const next = (segment: number): boolean => {
    if (!validDigits(segment, digits)) return false;
    seg[segment] = cur;
    cur = 0;
    digits = 0;
    return true;
  };
  while (j < s.length) {
    const c = s.charCodeAt(j);
    if (isDigit(c)) {
      if (i === 6) fractionDigits++;
      if (i !== 6 || digits < 6) cur = cur * 10 + (c - 48);
      digits++;
    } else if (j === 0 && c === 84 /* T */) {
      justTime = true;
      i += 3;
    } else if (i < 2) {
      if (c === 45 /* - */) {
        if (!next(i)) return undefined;
        i++;
      } else if (i === 0 && c === 58 /* : */ && yearSign === undefined) {
        justTime = true;
        if (!next(3)) return undefined;
        i = 4;
      } else return undefined;
    } else if (i === 2) {
      if (c !== 32 && c !== 84) return undefined;
      if (!next(2)) return undefined;
      i++;
    } else if (i === 3 || i === 4) {
      if (c !== 58) return undefined;
      if (!next(i)) return undefined;
      i++;
    } else if (i === 5 || i === 6) {
      if (c === 46 /* . */ && i === 5) {
        if (!next(5)) return undefined;
        i++;
      } else {
        // Anything else after the seconds starts the zone, which runs to the end.
        if (!next(i)) return undefined;
        i++;
        zoneText = s.slice(j);
        j = s.length - 1;
      }
      if (i === 6 && c !== 46) i++;
    } else {
      if (i >= seg.length || (c !== 58 && c !== 32)) return undefined;
      if (!next(i)) return undefined;
      i++;
    }
    j++;
  }
  if (!next(i)) return undefined;
  for (; fractionDigits < 6; fractionDigits++) seg[6] = seg[6]! * 10;
  let zone: string | undefined;
  if (zoneText !== undefined) {
    zone = resolveZoneId(zoneText.trim());
    if (zone === undefined) return undefined;
  }
  seg[0] = seg[0]! * (yearSign ?? 1);
  return { seg, justTime, ...(zone === undefined ? {} : { zone }) };
}

/** Wall-clock µs of checked segments (the date given in days), or null when a field is out of range. */
function wallMicros(days: number | null, seg: readonly number[]): bigint | null {
  const [, , , hour = 0, minute = 0, second = 0, micro = 0] = seg;
  if (days === null || hour > 23 || minute > 59 || second > 59) return null;
  return BigInt(days) * MICROS_PER_DAY + BigInt(hour * 3600 + minute * 60 + second) * MICROS_PER_SECOND + BigInt(micro);
}

const inLongRange = (v: bigint): bigint | null => (v < LONG_MIN || v > LONG_MAX ? null : v);

/**
 * µs since the epoch of Spark's timestamp text: wall-clock text in the zone it names, else in
 * `timeZone`. A time alone is on the current date (from `nowMicros`) in that zone; without
 * `nowMicros` it gives null. Null when the text is not a timestamp.
 */
export function parseSparkTimestamp(text: string, timeZone: string, nowMicros?: bigint): bigint | null {
  const parts = timestampSegments(text);
  if (!parts) return null;
  const zone = parts.zone ?? timeZone;
  let days: number | null;
  if (parts.justTime) {
    if (nowMicros === undefined) return null;
    days = Number(floorDivBig(utcToWallMicros(nowMicros, zone), MICROS_PER_DAY));
  } else days = validDate(parts.seg[0]!, parts.seg[1]!, parts.seg[2]!);
  const wall = wallMicros(days, parts.seg);
  return wall === null ? null : inLongRange(wallClockToUtcMicros(wall, zone));
}

/** Wall-clock µs of Spark's timestamp text as TIMESTAMP_NTZ (a zone in the text is ignored; a time alone is null). */
export function parseSparkTimestampNtz(text: string): bigint | null {
  const parts = timestampSegments(text);
  if (!parts || parts.justTime) return null;
  const wall = wallMicros(validDate(parts.seg[0]!, parts.seg[1]!, parts.seg[2]!), parts.seg);
  return wall === null ? null : inLongRange(wall);
}
