import { DeltaError } from '../errors.js';

/**
 * Calendar arithmetic for Delta dates (days since 1970-01-01) and timestamps (bigint microseconds
 * since the epoch), in the proleptic Gregorian calendar, for years 0001-9999 and beyond. Zones are
 * read as Spark reads them (region names, Java's short ids, fixed offsets); region offsets come
 * from `Intl`, so any IANA zone works and DST transitions are honoured, resolved the way Java's
 * `ZonedDateTime` resolves them.
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

// ---- time zones --------------------------------------------------------------------------

/**
 * Java's `ZoneId.SHORT_IDS`, which Spark applies to every zone id it reads (session zone, zone
 * arguments, zones inside timestamp text).
 */
const SHORT_IDS: Readonly<Record<string, string>> = {
  ACT: 'Australia/Darwin',
  AET: 'Australia/Sydney',
  AGT: 'America/Argentina/Buenos_Aires',
  ART: 'Africa/Cairo',
  AST: 'America/Anchorage',
  BET: 'America/Sao_Paulo',
  BST: 'Asia/Dhaka',
  CAT: 'Africa/Harare',
  CNT: 'America/St_Johns',
  CST: 'America/Chicago',
  CTT: 'Asia/Shanghai',
  EAT: 'Africa/Addis_Ababa',
  ECT: 'Europe/Paris',
  IET: 'America/Indiana/Indianapolis',
  IST: 'Asia/Kolkata',
  JST: 'Asia/Tokyo',
  MIT: 'Pacific/Apia',
  NET: 'Asia/Yerevan',
  NST: 'Pacific/Auckland',
  PLT: 'Asia/Karachi',
  PNT: 'America/Phoenix',
  PRT: 'America/Puerto_Rico',
  PST: 'America/Los_Angeles',
  SST: 'Pacific/Guadalcanal',
  VST: 'Asia/Ho_Chi_Minh',
  EST: '-05:00',
  MST: '-07:00',
  HST: '-10:00',
};

/** A resolved zone: a fixed offset, or a region whose offsets come from `Intl`. */
interface Zone {
  /** Canonical id: `UTC`/`GMT`/`UT`, `Z`, `+HH:MM[:SS]`, or a region name. */
  readonly id: string;
  /** Offset in seconds for fixed-offset zones. */
  readonly fixed?: number;
  readonly formatter?: Intl.DateTimeFormat;
  /** Offsets by UTC day number (NaN: the offset changes during that day). */
  readonly days?: Map<number, number>;
}

/** Resolved zones by the text that named them; texts that are not zones are kept apart (parsers probe many). */
const zones = new Map<string, Zone>();
const notZones = new Set<string>();

/** `±h`, `±hh`, `±hh:mm`, `±hhmm`, `±hh:mm:ss`, `±hhmmss` (Java's `ZoneOffset.of`), in seconds. */
function parseZoneOffset(text: string): number | undefined {
  const m = /^([+-])(?:(\d)|(\d\d)|(\d\d):(\d\d)|(\d\d)(\d\d)|(\d\d):(\d\d):(\d\d)|(\d\d)(\d\d)(\d\d))$/.exec(text);
  if (!m) return undefined;
  const g = m.slice(2).filter((x) => x !== undefined).map(Number);
  const [h = 0, mi = 0, s = 0] = g;
  if (h > 18 || mi > 59 || s > 59) return undefined;
  const total = h * 3600 + mi * 60 + s;
  if (total > 18 * 3600) return undefined;
  return m[1] === '-' ? -total : total;
}

/** `+HH:MM[:SS]` of an offset (`Z` for zero), as Java prints a `ZoneOffset`. */
export function formatZoneOffset(seconds: number): string {
  if (seconds === 0) return 'Z';
  const a = Math.abs(seconds);
  const s = a % 60;
  const base = `${seconds < 0 ? '-' : '+'}${pad(Math.floor(a / 3600), 2)}:${pad(Math.floor((a % 3600) / 60), 2)}`;
  return s === 0 ? base : `${base}:${pad(s, 2)}`;
}

function resolveZone(text: string): Zone | null {
  const cached = zones.get(text);
  if (cached !== undefined) return cached;
  if (notZones.has(text)) return null;
  let zone: Zone | null = null;
  // Spark also accepts the pre-3.0 forms `±h:mm` and `±hh:m`.
  const id = SHORT_IDS[text] ?? text.replace(/([+-])(\d):/, '$10$2:').replace(/([+-])(\d\d):(\d)$/, '$1$2:0$3');
  if (id === 'Z') zone = { id: 'Z', fixed: 0 };
  else if (id === 'UTC' || id === 'GMT' || id === 'UT') zone = { id, fixed: 0 };
  else if (/^[+-]/.test(id)) {
    const o = parseZoneOffset(id);
    zone = o === undefined ? null : { id: formatZoneOffset(o), fixed: o };
  } else if (/^(UTC|GMT|UT)[+-]/.test(id)) {
    const prefix = /^(UTC|GMT|UT)/.exec(id)![1]!;
    const o = parseZoneOffset(id.slice(prefix.length));
    zone = o === undefined ? null : { id: o === 0 ? prefix : `${prefix}${formatZoneOffset(o)}`, fixed: o };
  } else if (/^[A-Za-z][A-Za-z0-9~/._+-]+$/.test(id)) {
    try {
      const formatter = new Intl.DateTimeFormat('en-US', {
        timeZone: id,
        hourCycle: 'h23',
        era: 'short',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
      zone = { id, formatter, days: new Map() };
    } catch {
      zone = null;
    }
  }
  if (zone === null) {
    if (notZones.size > 10_000) notZones.clear();
    notZones.add(text);
  } else {
    if (zones.size > 10_000) zones.clear();
    zones.set(text, zone);
  }
  return zone;
}

/**
 * The canonical id of a zone as Spark reads one (`DateTimeUtils.getZoneId`): region names
 * (`America/Los_Angeles`), Java's short ids (`PST`), `Z`, `UTC`/`GMT`/`UT` optionally followed by
 * an offset, and offsets `±h[h][[:]mm[[:]ss]]`. Undefined when it is not a zone id.
 */
export function resolveZoneId(text: string): string | undefined {
  return resolveZone(text)?.id;
}

function zoneOrThrow(timeZone: string): Zone {
  const z = resolveZone(timeZone);
  if (z) return z;
  throw new DeltaError(
    'INVALID_ARGUMENT',
    `Unknown time zone "${timeZone}": it is neither a region name this runtime knows nor an offset. Use a name like "UTC" or "America/Los_Angeles", or an offset like "+08:00".`,
    { details: { timeZone } },
  );
}

/** Throws INVALID_ARGUMENT unless `timeZone` is a zone id Spark accepts (see {@link resolveZoneId}). */
export function validateTimeZone(timeZone: string): void {
  zoneOrThrow(timeZone);
}

/** Offset of a region east of UTC at an instant, read from `Intl` (exact to the second). */
function regionOffset(z: Zone, epochSeconds: number): number {
  const parts = z.formatter!.formatToParts(new Date(epochSeconds * 1000));
  let year = 0;
  let month = 0;
  let day = 0;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let bc = false;
  for (const p of parts) {
    switch (p.type) {
      case 'year':
        year = Number(p.value);
        break;
      case 'month':
        month = Number(p.value);
        break;
      case 'day':
        day = Number(p.value);
        break;
      case 'hour':
        hour = Number(p.value);
        break;
      case 'minute':
        minute = Number(p.value);
        break;
      case 'second':
        second = Number(p.value);
        break;
      case 'era':
        bc = p.value.startsWith('B');
        break;
      default:
        break;
    }
  }
  const wall = daysFromCivil(bc ? 1 - year : year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
  return wall - epochSeconds;
}

/** The offset of a region during UTC day `day`, or NaN when it changes that day (cached). */
function dayOffset(z: Zone, day: number): number {
  const days = z.days!;
  let o = days.get(day);
  if (o === undefined) {
    const start = regionOffset(z, day * 86400);
    o = regionOffset(z, day * 86400 + 86399) === start ? start : NaN;
    if (days.size > 100_000) days.clear();
    days.set(day, o);
  }
  return o;
}

/** Offset of `timeZone` east of UTC, in seconds, at the instant `epochSeconds`. */
export function zoneOffsetSeconds(epochSeconds: number, timeZone: string): number {
  const z = zoneOrThrow(timeZone);
  if (z.fixed !== undefined) return z.fixed;
  // Offsets change at most once a day: one cached offset per UTC day when it holds all day.
  const o = dayOffset(z, Math.floor(epochSeconds / 86400));
  return Number.isNaN(o) ? regionOffset(z, epochSeconds) : o;
}

/**
 * Offset of a zone at an instant in µs. The day is found from the µs as a double (off by far less
 * than a second even in year 9999), so exact bigint arithmetic is needed only within a second of a
 * UTC midnight or on a day with a transition.
 */
function offsetAtMicros(z: Zone, micros: bigint): number {
  if (z.fixed !== undefined) return z.fixed;
  const approx = Number(micros) / 1e6;
  const day = Math.floor(approx / 86400);
  const rem = approx - day * 86400;
  if (rem >= 1 && rem <= 86398) {
    const o = dayOffset(z, day);
    if (!Number.isNaN(o)) return o;
  }
  const seconds = Number(floorDivBig(micros, MICROS_PER_SECOND));
  const o = dayOffset(z, Math.floor(seconds / 86400));
  return Number.isNaN(o) ? regionOffset(z, seconds) : o;
}

/** µs since the epoch → wall-clock µs in `timeZone` (the local date-time read as UTC). */
export function utcToWallMicros(micros: bigint, timeZone: string): bigint {
  return micros + BigInt(offsetAtMicros(zoneOrThrow(timeZone), micros)) * MICROS_PER_SECOND;
}

/**
 * Converts a wall-clock time in `timeZone` to UTC µs the way Java's `ZonedDateTime.ofLocal` does:
 * in a DST overlap the earlier instant wins unless `preferredOffsetSeconds` is one of the two
 * valid offsets; a time inside a DST gap moves later by the gap.
 */
export function wallClockToUtcMicros(wallMicros: bigint, timeZone: string, preferredOffsetSeconds?: number): bigint {
  const z = zoneOrThrow(timeZone);
  if (z.fixed !== undefined) return wallMicros - BigInt(z.fixed) * MICROS_PER_SECOND;
  // Fast path: one offset over the three UTC days around the wall time (the instant is within 18 hours of it).
  const day = Math.floor(Number(wallMicros) / 86_400e6);
  const o = dayOffset(z, day);
  if (!Number.isNaN(o) && dayOffset(z, day - 1) === o && dayOffset(z, day + 1) === o) return wallMicros - BigInt(o) * MICROS_PER_SECOND;
  const wallSecBig = floorDivBig(wallMicros, MICROS_PER_SECOND);
  const sub = wallMicros - wallSecBig * MICROS_PER_SECOND;
  const wallSec = Number(wallSecBig);
  const before = zoneOffsetSeconds(wallSec - 86400, timeZone);
  const after = zoneOffsetSeconds(wallSec + 86400, timeZone);
  const valid = (before === after ? [before] : [before, after]).filter((x) => zoneOffsetSeconds(wallSec - x, timeZone) === x);
  let offset: number;
  if (valid.length === 0) offset = before;
  else if (valid.length === 1) offset = valid[0]!;
  else offset = preferredOffsetSeconds !== undefined && valid.includes(preferredOffsetSeconds) ? preferredOffsetSeconds : Math.max(...valid);
  return BigInt(wallSec - offset) * MICROS_PER_SECOND + sub;
}

/** |µs| below which wall-clock µs (with any offset) are exact as doubles. */
const SAFE_MICROS = 2n ** 53n - 100_000_000_000n;
const DAY_US = 86_400e6;

/** Day and µs of the day of exact integer µs given as a double (corrects the rounding of the division). */
function splitNumber(w: number): { days: number; micros: number } {
  let days = Math.floor(w / DAY_US);
  let micros = w - days * DAY_US;
  if (micros < 0) {
    days--;
    micros += DAY_US;
  } else if (micros >= DAY_US) {
    days++;
    micros -= DAY_US;
  }
  return { days, micros };
}

/** Days since the epoch and µs of the day of wall-clock µs. */
export function splitWallMicros(wall: bigint): { days: number; micros: number } {
  if (wall > -SAFE_MICROS && wall < SAFE_MICROS) return splitNumber(Number(wall));
  const d = floorDivBig(wall, MICROS_PER_DAY);
  return { days: Number(d), micros: Number(wall - d * MICROS_PER_DAY) };
}

/** The local date (days since the epoch), time of day (µs) and offset (seconds) of an instant in `timeZone`. */
export function localDayTime(micros: bigint, timeZone: string): { days: number; micros: number; offset: number } {
  const offset = offsetAtMicros(zoneOrThrow(timeZone), micros);
  const local = micros > -SAFE_MICROS && micros < SAFE_MICROS ? splitNumber(Number(micros) + offset * 1e6) : splitWallMicros(micros + BigInt(offset) * MICROS_PER_SECOND);
  return { days: local.days, micros: local.micros, offset };
}

/** The date (days since the epoch) of an instant in `timeZone` (Spark's `microsToDays`). */
export function microsToDays(micros: bigint, timeZone: string): number {
  return localDayTime(micros, timeZone).days;
}

/** The first instant of a date in `timeZone` (Spark's `daysToMicros`; after the gap when midnight is skipped). */
export function daysToMicros(days: number, timeZone: string): bigint {
  return wallClockToUtcMicros(BigInt(days) * MICROS_PER_DAY, timeZone);
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

/** A timestamp's wall-clock date moved by `f` in `timeZone`, keeping the time of day (Java's `ZonedDateTime.plusDays/plusMonths`). */
function moveWallDate(micros: bigint, timeZone: string, f: (days: number) => number): bigint {
  const offset = zoneOffsetSeconds(Number(floorDivBig(micros, MICROS_PER_SECOND)), timeZone);
  const wall = micros + BigInt(offset) * MICROS_PER_SECOND;
  const day = floorDivBig(wall, MICROS_PER_DAY);
  const timeOfDay = wall - day * MICROS_PER_DAY;
  return wallClockToUtcMicros(BigInt(f(Number(day))) * MICROS_PER_DAY + timeOfDay, timeZone, offset);
}

/**
 * A timestamp plus an interval of `months`, `days` and `extraMicros`, as Spark 3.5 adds interval
 * literals: months move the wall-clock date in `timeZone` (clamping the day to the month's end),
 * then days, then the microseconds move the instant. An interval without months is a day-time
 * interval: its whole days (of 24 hours, `INTERVAL 36 HOURS` has one) move the wall-clock date, so
 * a day is 23 or 25 hours across a DST change, and the rest moves the instant (`timestampAddDayTime`).
 * A wall-clock time in a DST overlap keeps the offset it had when valid, one in a gap moves later.
 */
export function addIntervalToTimestamp(micros: bigint, months: number, days: number, extraMicros: bigint, timeZone: string): bigint {
  let wholeDays = days;
  let rest = extraMicros;
  if (months === 0) {
    const total = BigInt(days) * MICROS_PER_DAY + extraMicros;
    const d = total / MICROS_PER_DAY;
    wholeDays = Number(d);
    rest = total - d * MICROS_PER_DAY;
  }
  let r = micros;
  if (months !== 0) r = moveWallDate(r, timeZone, (d) => addMonthsToDays(d, months));
  if (wholeDays !== 0) r = moveWallDate(r, timeZone, (d) => d + wholeDays);
  return r + rest;
}

/** Floor division of bigints (rounds toward negative infinity). */
export function floorDivBig(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}
