/**
 * Spark 3's datetime patterns (`sql-ref-datetime-pattern`, Java's `DateTimeFormatter` with Spark's
 * restrictions): compiled once into fields, then used to format instants (`date_format`,
 * `from_unixtime`) and to parse text (`to_timestamp`, `unix_timestamp`...).
 *
 * Supported letters: G, y/u, D, M/L, d, Q/q, E, F, a, h, K, k, H, m, s, S…, V (VV), z, O, X, x, Z,
 * `'quoted text'`, `''`, `[optional]` sections and other characters as literals. Rejected as in
 * Spark: week-based letters (Y w W u e c), A B n N p, five-letter text forms, 7+ `y`, and E F q Q
 * when parsing; Java's rules reject unknown letters, too many letters and `{ } #`. Parsing is
 * case-insensitive and strict: numbers take their exact widths, a variable-width number leaves the
 * digits of the fixed-width numbers right after it, the whole text must be consumed, fields are
 * range-checked, missing date fields default to 1970-01-01 and missing time fields to 0, and text
 * that does not parse gives null.
 */
import { DeltaError } from '../../errors.js';
import { MICROS_PER_DAY, civilFromDays, daysFromCivil, daysInMonth, localDayTime, resolveZoneId, wallClockToUtcMicros } from '../datetime.js';

type NumField = 'year' | 'month' | 'day' | 'doy' | 'hour' | 'clockHour' | 'hourAmPm' | 'clockHourAmPm' | 'minute' | 'second' | 'quarter' | 'alignedDow';
type TextField = 'month' | 'dow' | 'ampm' | 'era' | 'quarter';
type Sign = 'normal' | 'notNegative' | 'exceedsPad';

type Field =
  | { readonly t: 'lit'; readonly text: string }
  | { readonly t: 'num'; readonly f: NumField; readonly min: number; readonly max: number; readonly sign: Sign; reserve: number }
  | { readonly t: 'reduced' }
  | { readonly t: 'text'; readonly f: TextField; readonly full: boolean }
  | { readonly t: 'frac'; readonly min: number; readonly max: number }
  | { readonly t: 'zoneId' }
  | { readonly t: 'zoneText'; readonly full: boolean }
  | { readonly t: 'offset'; readonly pattern: string; readonly zero: string }
  | { readonly t: 'gmtOffset'; readonly full: boolean }
  | { readonly t: 'opt'; readonly fields: readonly Field[] };

/** A compiled pattern. */
export interface DatetimePattern {
  readonly pattern: string;
  /** The text of an instant (µs since the epoch) in `timeZone`. */
  format(micros: bigint, timeZone: string): string;
  /** µs since the epoch of `text` (zone from the text, else `timeZone`), or null when it does not parse. */
  parse(text: string, timeZone: string): bigint | null;
  /** Wall-clock µs of `text` for TIMESTAMP_NTZ (a zone in the text is ignored), or null. */
  parseLocal(text: string): bigint | null;
}

const WEEK_BASED = new Set(['Y', 'W', 'w', 'u', 'e', 'c']);
const UNSUPPORTED = new Set(['A', 'B', 'n', 'N', 'p']);
const UNSUPPORTED_PARSING = new Set(['E', 'F', 'q', 'Q']);
const UNSUPPORTED_LENGTHS = ['GGGGG', 'MMMMM', 'LLLLL', 'EEEEE', 'QQQQQ', 'qqqqq', 'yyyyyyy'];

const invalid = (pattern: string, reason: string): DeltaError =>
  new DeltaError(
    'INVALID_ARGUMENT',
    `Invalid datetime pattern '${pattern}': ${reason}. Use Spark's datetime pattern letters (e.g. 'yyyy-MM-dd HH:mm:ss'); quote literal text in single quotes.`,
    { details: { pattern } },
  );

/** Compiles a pattern for formatting (`parsing` false) or parsing; throws INVALID_ARGUMENT as Spark 3 rejects it. */
export function compilePattern(pattern: string, options: { parsing: boolean }): DatetimePattern {
  // Spark's own restrictions apply to the unquoted parts of the pattern.
  const unquoted = pattern.split("'").filter((_, i) => i % 2 === 0);
  for (const part of unquoted) {
    for (const c of part) {
      if (WEEK_BASED.has(c)) throw invalid(pattern, `week-based pattern letter '${c}' is not supported since Spark 3.0; use EXTRACT or the functions weekofyear/dayofweek instead`);
      if (UNSUPPORTED.has(c) || (options.parsing && UNSUPPORTED_PARSING.has(c))) throw invalid(pattern, `pattern letter '${c}' is not supported${options.parsing ? ' for parsing' : ''}`);
    }
    const long = UNSUPPORTED_LENGTHS.find((s) => part.includes(s));
    if (long) throw invalid(pattern, `'${long}' is too long (narrow text forms and years of 7+ letters are not supported)`);
  }
  const era = unquoted.some((p) => p.includes('G'));
  const fields = tokenize(pattern, options.parsing, era);
  reserveAdjacent(fields);
  return {
    pattern,
    format: (micros, zone) => formatFields(fields, localOf(micros, zone), era),
    parse: (text, zone) => parseText(fields, text, zone, era, false),
    parseLocal: (text) => parseText(fields, text, 'UTC', era, true),
  };
}

// ---- pattern → fields -----------------------------------------------------------------------

function tokenize(pattern: string, parsing: boolean, era: boolean): Field[] {
  const stack: Field[][] = [[]];
  let i = 0;
  const top = (): Field[] => stack[stack.length - 1]!;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (/[A-Za-z]/.test(c)) {
      let n = 1;
      while (pattern[i + n] === c) n++;
      top().push(letterField(pattern, c, n, parsing, era));
      i += n;
    } else if (c === "'") {
      // 'text' is literal text, '' a quote, inside or outside quoted text.
      let j = i + 1;
      let text = '';
      for (;;) {
        if (j >= pattern.length) throw invalid(pattern, 'it ends with an unterminated quoted literal');
        if (pattern[j] === "'") {
          if (pattern[j + 1] !== "'") break;
          j++;
        }
        text += pattern[j];
        j++;
      }
      top().push({ t: 'lit', text: j === i + 1 ? "'" : text });
      i = j + 1;
    } else if (c === '[') {
      const section: Field[] = [];
      top().push({ t: 'opt', fields: section });
      stack.push(section);
      i++;
    } else if (c === ']') {
      if (stack.length === 1) throw invalid(pattern, "it has ']' without a preceding '['");
      stack.pop();
      i++;
    } else if (c === '{' || c === '}' || c === '#') {
      throw invalid(pattern, `'${c}' is reserved`);
    } else {
      top().push({ t: 'lit', text: c });
      i++;
    }
  }
  return stack[0]!;
}

const num = (f: NumField, min: number, max: number, sign: Sign = 'notNegative'): Field => ({ t: 'num', f, min, max, sign, reserve: 0 });

function letterField(pattern: string, c: string, n: number, parsing: boolean, era: boolean): Field {
  const tooMany = (): never => {
    throw invalid(pattern, `too many pattern letters: ${c.repeat(n)}`);
  };
  const value12 = (f: NumField): Field => (n === 1 ? num(f, 1, 19, 'normal') : n === 2 ? num(f, 2, 2) : tooMany());
  switch (c) {
    case 'G':
      return n <= 4 ? { t: 'text', f: 'era', full: n === 4 } : tooMany();
    case 'y':
      if (n === 2) return { t: 'reduced' };
      return num('year', n, 19, n < 4 ? 'normal' : 'exceedsPad');
    case 'D':
      return n === 1 ? num('doy', 1, 19, 'normal') : n === 2 ? num('doy', 2, 3) : n === 3 ? num('doy', 3, 3) : tooMany();
    case 'M':
    case 'L':
      return n <= 2 ? value12('month') : n <= 4 ? { t: 'text', f: 'month', full: n === 4 } : tooMany();
    case 'Q':
    case 'q':
      return n <= 2 ? value12('quarter') : n <= 4 ? { t: 'text', f: 'quarter', full: n === 4 } : tooMany();
    case 'E':
      return n <= 4 ? { t: 'text', f: 'dow', full: n === 4 } : tooMany();
    case 'F':
      return n === 1 ? num('alignedDow', 1, 19, 'normal') : tooMany();
    case 'a':
      return n === 1 ? { t: 'text', f: 'ampm', full: false } : tooMany();
    case 'd':
      return value12('day');
    case 'h':
      return value12('clockHourAmPm');
    case 'K':
      return value12('hourAmPm');
    case 'k':
      return value12('clockHour');
    case 'H':
      return value12('hour');
    case 'm':
      return value12('minute');
    case 's':
      return value12('second');
    case 'S':
      if (n > 9) throw invalid(pattern, `a fraction has at most 9 digits, not ${n}`);
      // Spark parses fractions of 1 up to n digits.
      return { t: 'frac', min: parsing ? 1 : n, max: n };
    case 'V':
      if (n !== 2) throw invalid(pattern, `pattern letter count must be 2: ${c.repeat(n)}`);
      return { t: 'zoneId' };
    case 'z':
      return n <= 4 ? { t: 'zoneText', full: n === 4 } : tooMany();
    case 'O':
      if (n !== 1 && n !== 4) throw invalid(pattern, `pattern letter count must be 1 or 4: ${c.repeat(n)}`);
      return { t: 'gmtOffset', full: n === 4 };
    case 'X':
    case 'x':
      if (n > 5) tooMany();
      return { t: 'offset', pattern: OFFSET_PATTERNS[n - 1]!, zero: c === 'X' ? 'Z' : ['+00', '+0000', '+00:00', '+0000', '+00:00'][n - 1]! };
    case 'Z':
      if (n <= 3) return { t: 'offset', pattern: '+HHMM', zero: '+0000' };
      if (n === 4) return { t: 'gmtOffset', full: true };
      return n === 5 ? { t: 'offset', pattern: '+HH:MM:ss', zero: 'Z' } : tooMany();
    default:
      void era;
      throw invalid(pattern, `unknown pattern letter '${c}'`);
  }
}

const OFFSET_PATTERNS = ['+HHmm', '+HHMM', '+HH:MM', '+HHMMss', '+HH:MM:ss'];

/** Java's adjacent value parsing: a variable-width number leaves the digits of the fixed-width numbers right after it. */
function reserveAdjacent(fields: readonly Field[]): void {
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    if (f.t === 'opt') reserveAdjacent(f.fields);
    if (f.t !== 'num' || f.min === f.max) continue;
    let reserve = 0;
    for (let j = i + 1; j < fields.length; j++) {
      const g = fields[j]!;
      if (g.t === 'num' && g.min === g.max) reserve += g.min;
      else if (g.t === 'reduced') reserve += 2;
      else break;
    }
    f.reserve = reserve;
  }
}

// ---- formatting -----------------------------------------------------------------------------

interface Local {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly nanos: number;
  readonly micros: bigint;
  readonly offset: number;
  readonly zone: string;
}

function localOf(micros: bigint, zone: string): Local {
  const local = localDayTime(micros, zone);
  const { year, month, day } = civilFromDays(local.days);
  const secs = Math.floor(local.micros / 1e6);
  return {
    year,
    month,
    day,
    hour: Math.floor(secs / 3600),
    minute: Math.floor(secs / 60) % 60,
    second: secs % 60,
    nanos: (local.micros % 1e6) * 1000,
    micros,
    offset: local.offset,
    zone,
  };
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const QUARTERS = ['1st quarter', '2nd quarter', '3rd quarter', '4th quarter'];

/** ISO day of week, 1 = Monday … 7 = Sunday. */
const isoDow = (year: number, month: number, day: number): number => (((daysFromCivil(year, month, day) + 3) % 7) + 7) % 7 + 1;
const dayOfYear = (year: number, month: number, day: number): number => daysFromCivil(year, month, day) - daysFromCivil(year, 1, 1) + 1;

function numValue(f: NumField, l: Local, era: boolean): number {
  switch (f) {
    case 'year':
      return era && l.year <= 0 ? 1 - l.year : l.year;
    case 'month':
      return l.month;
    case 'day':
      return l.day;
    case 'doy':
      return dayOfYear(l.year, l.month, l.day);
    case 'hour':
      return l.hour;
    case 'clockHour':
      return l.hour === 0 ? 24 : l.hour;
    case 'hourAmPm':
      return l.hour % 12;
    case 'clockHourAmPm':
      return l.hour % 12 === 0 ? 12 : l.hour % 12;
    case 'minute':
      return l.minute;
    case 'second':
      return l.second;
    case 'quarter':
      return Math.floor((l.month - 1) / 3) + 1;
    case 'alignedDow':
      return ((l.day - 1) % 7) + 1;
  }
}

function textValue(f: TextField, full: boolean, l: Local): string {
  const short = (s: string): string => (full ? s : s.slice(0, 3));
  switch (f) {
    case 'month':
      return short(MONTHS[l.month - 1]!);
    case 'dow':
      return short(DAYS[isoDow(l.year, l.month, l.day) - 1]!);
    case 'ampm':
      return l.hour < 12 ? 'AM' : 'PM';
    case 'era':
      return l.year > 0 ? (full ? 'Anno Domini' : 'AD') : full ? 'Before Christ' : 'BC';
    case 'quarter':
      return full ? QUARTERS[Math.floor((l.month - 1) / 3)]! : `Q${Math.floor((l.month - 1) / 3) + 1}`;
  }
}

function formatNumber(v: number, min: number, sign: Sign): string {
  const digits = String(Math.abs(v)).padStart(min, '0');
  if (v < 0) return '-' + digits;
  return sign === 'exceedsPad' && String(v).length > min ? '+' + digits : digits;
}

/** An offset as Java's `appendOffset(pattern, zeroText)` prints it. */
function formatOffset(seconds: number, pattern: string, zero: string): string {
  if (seconds === 0) return zero;
  const a = Math.abs(seconds);
  const h = Math.floor(a / 3600);
  const m = Math.floor(a / 60) % 60;
  const s = a % 60;
  const colon = pattern.includes(':') ? ':' : '';
  const p2 = (x: number): string => String(x).padStart(2, '0');
  let out = (seconds < 0 ? '-' : '+') + p2(h);
  const minutes = pattern.length > 3; // +HH prints hours only
  const optionalMinutes = pattern.endsWith('mm');
  if (minutes && (!optionalMinutes || m !== 0 || s !== 0)) out += colon + p2(m);
  if (pattern.endsWith('ss') && s !== 0) out += colon + p2(s);
  else if (pattern.endsWith('SS')) out += colon + p2(s);
  return out;
}

/** `GMT`, `GMT+8`, `GMT+08:00` (Java's localized offset). */
function formatGmtOffset(seconds: number, full: boolean): string {
  if (seconds === 0) return 'GMT';
  const a = Math.abs(seconds);
  const h = Math.floor(a / 3600);
  const m = Math.floor(a / 60) % 60;
  const s = a % 60;
  const p2 = (x: number): string => String(x).padStart(2, '0');
  let out = `GMT${seconds < 0 ? '-' : '+'}${full ? p2(h) : h}`;
  if (full || m !== 0 || s !== 0) out += ':' + p2(m);
  if (s !== 0) out += ':' + p2(s);
  return out;
}

const zoneNameFormatters = new Map<string, Intl.DateTimeFormat>();

/** A zone's display name at an instant (`PST`, `Pacific Standard Time`); offsets print their id. */
function zoneName(l: Local, full: boolean): string {
  const id = resolveZoneId(l.zone) ?? l.zone;
  if (/^[+-]|^Z$/.test(id)) return id;
  if (id === 'GMT') return full ? 'Greenwich Mean Time' : 'GMT';
  if (id === 'UTC' || id === 'UT') return full ? 'Coordinated Universal Time' : 'UTC';
  if (/^(UTC|GMT|UT)[+-]/.test(id)) return id;
  const key = `${id}|${full}`;
  let f = zoneNameFormatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: id, timeZoneName: full ? 'long' : 'short' });
    zoneNameFormatters.set(key, f);
  }
  const part = f.formatToParts(new Date(Number(l.micros / 1000n))).find((p) => p.type === 'timeZoneName');
  return part?.value ?? id;
}

function formatFields(fields: readonly Field[], l: Local, era: boolean): string {
  let out = '';
  for (const f of fields) {
    switch (f.t) {
      case 'lit':
        out += f.text;
        break;
      case 'num':
        out += formatNumber(numValue(f.f, l, era), f.min, f.sign);
        break;
      case 'reduced':
        out += String(Math.abs(l.year % 100)).padStart(2, '0');
        break;
      case 'text':
        out += textValue(f.f, f.full, l);
        break;
      case 'frac':
        out += String(l.nanos).padStart(9, '0').slice(0, f.max);
        break;
      case 'zoneId':
        out += resolveZoneId(l.zone) ?? l.zone;
        break;
      case 'zoneText':
        out += zoneName(l, f.full);
        break;
      case 'offset':
        out += formatOffset(l.offset, f.pattern, f.zero);
        break;
      case 'gmtOffset':
        out += formatGmtOffset(l.offset, f.full);
        break;
      case 'opt':
        out += formatFields(f.fields, l, era);
        break;
    }
  }
  return out;
}

// ---- parsing --------------------------------------------------------------------------------

type Parsed = Partial<Record<NumField | 'era' | 'ampm' | 'nanos' | 'offset', number>> & { zone?: string };

/** Parses `fields` from `text` at `pos`: the position after them, or -1. Fills `p`. */
function parseFields(fields: readonly Field[], text: string, pos: number, p: Parsed): number {
  for (const f of fields) {
    if (pos < 0) return -1;
    switch (f.t) {
      case 'lit':
        pos = text.slice(pos, pos + f.text.length).toLowerCase() === f.text.toLowerCase() ? pos + f.text.length : -1;
        break;
      case 'num':
        pos = parseNumber(f, text, pos, p);
        break;
      case 'reduced': {
        if (digitsAt(text, pos, 2) < 2) return -1;
        p.year = 2000 + Number(text.slice(pos, pos + 2));
        pos += 2;
        break;
      }
      case 'text':
        pos = parseText1(f.f, f.full, text, pos, p);
        break;
      case 'frac': {
        const n = digitsAt(text, pos, f.max);
        if (n < f.min) return -1;
        p.nanos = Number(text.slice(pos, pos + n).padEnd(9, '0'));
        pos += n;
        break;
      }
      case 'zoneId':
      case 'zoneText':
        pos = parseZone(text, pos, p);
        break;
      case 'offset':
        pos = parseOffset(f.pattern, f.zero, text, pos, p);
        break;
      case 'gmtOffset':
        pos = parseGmtOffset(text, pos, p);
        break;
      case 'opt': {
        const saved = { ...p };
        const next = parseFields(f.fields, text, pos, p);
        if (next < 0) {
          for (const k of Object.keys(p) as (keyof Parsed)[]) delete p[k];
          Object.assign(p, saved);
        } else pos = next;
        break;
      }
    }
  }
  return pos;
}

/** The number of ASCII digits at `pos`, at most `max`. */
function digitsAt(text: string, pos: number, max: number): number {
  let n = 0;
  while (n < max && pos + n < text.length && text.charCodeAt(pos + n) >= 48 && text.charCodeAt(pos + n) <= 57) n++;
  return n;
}

function parseNumber(f: Extract<Field, { t: 'num' }>, text: string, pos: number, p: Parsed): number {
  let i = pos;
  let negative = false;
  if (f.sign !== 'notNegative' && (text[i] === '-' || text[i] === '+')) {
    // Strict parsing: '-' for normal numbers; '+' only when the value exceeds the pad width.
    if (text[i] === '+' && f.sign !== 'exceedsPad') return -1;
    negative = text[i] === '-';
    i++;
  }
  const available = digitsAt(text, i, f.max + f.reserve);
  const take = f.reserve > 0 ? Math.max(f.min, available - f.reserve) : Math.min(available, f.max);
  if (take < f.min || take > available) return -1;
  const digits = text.slice(i, i + take);
  if (f.sign === 'exceedsPad' && i > pos && text[pos] === '+' && take <= f.min) return -1;
  if (f.sign === 'exceedsPad' && i === pos && take > f.min) return -1;
  const v = Number(digits);
  p[f.f] = negative ? -v : v;
  return i + take;
}

function matchName(names: readonly string[], text: string, pos: number): number {
  const rest = text.slice(pos).toLowerCase();
  let best = -1;
  names.forEach((n, i) => {
    if (rest.startsWith(n.toLowerCase()) && (best < 0 || n.length > names[best]!.length)) best = i;
  });
  return best;
}

function parseText1(f: TextField, full: boolean, text: string, pos: number, p: Parsed): number {
  const names =
    f === 'month' ? MONTHS.map((m) => (full ? m : m.slice(0, 3))) : f === 'ampm' ? ['AM', 'PM'] : f === 'era' ? (full ? ['Before Christ', 'Anno Domini'] : ['BC', 'AD']) : [];
  const i = matchName(names, text, pos);
  if (i < 0) return -1;
  if (f === 'month') p.month = i + 1;
  else if (f === 'ampm') p.ampm = i;
  else p.era = i;
  return pos + names[i]!.length;
}

/**
 * A zone (Java's `ZoneIdPrinterParser`): an offset `±HH:MM[:ss]`, or the longest prefix that is a
 * zone id (region, short id, `Z`, `UTC`/`GMT`/`UT` with an optional offset).
 */
function parseZone(text: string, pos: number, p: Parsed): number {
  if (text[pos] === '+' || text[pos] === '-') return parseOffset('+HH:MM:ss', 'Z', text, pos, p);
  const m = /^[A-Za-z0-9~/._+:-]+/.exec(text.slice(pos));
  if (!m) return -1;
  for (let len = m[0].length; len > 0; len--) {
    const id = resolveZoneId(m[0].slice(0, len));
    if (id !== undefined) {
      p.zone = id;
      return pos + len;
    }
  }
  return -1;
}

const offsetRegexes = new Map<string, RegExp>();

/** The text an offset pattern accepts: `±HH`, then minutes and seconds as the pattern says. */
function offsetRegex(pattern: string): RegExp {
  let re = offsetRegexes.get(pattern);
  if (!re) {
    const colon = pattern.includes(':') ? ':' : '';
    const mm = pattern.length <= 3 ? '' : pattern.endsWith('mm') ? `(?:${colon}(\\d{2}))?` : `${colon}(\\d{2})`;
    const ss = pattern.endsWith('ss') ? `(?:${colon}(\\d{2}))?` : pattern.endsWith('SS') ? `${colon}(\\d{2})` : '';
    re = new RegExp(`^([+-])(\\d{2})${mm}${ss}`);
    offsetRegexes.set(pattern, re);
  }
  return re;
}

function parseOffset(pattern: string, zero: string, text: string, pos: number, p: Parsed): number {
  if (text.slice(pos, pos + zero.length).toLowerCase() === zero.toLowerCase() && !/^\d/.test(text.slice(pos + zero.length))) {
    p.offset = 0;
    return pos + zero.length;
  }
  const m = offsetRegex(pattern).exec(text.slice(pos));
  if (!m) return -1;
  const [h, mi, s] = [Number(m[2]), Number(m[3] ?? 0), Number(m[4] ?? 0)];
  if (h > 18 || mi > 59 || s > 59) return -1;
  p.offset = (m[1] === '-' ? -1 : 1) * (h * 3600 + mi * 60 + s);
  return pos + m[0].length;
}

function parseGmtOffset(text: string, pos: number, p: Parsed): number {
  const m = /^GMT(?:([+-])(\d{1,2})(?::(\d{2})(?::(\d{2}))?)?)?/i.exec(text.slice(pos));
  if (!m) return -1;
  const [h, mi, s] = [Number(m[2] ?? 0), Number(m[3] ?? 0), Number(m[4] ?? 0)];
  if (h > 18 || mi > 59 || s > 59) return -1;
  p.offset = (m[1] === '-' ? -1 : 1) * (h * 3600 + mi * 60 + s);
  return pos + m[0].length;
}

/** Resolves parsed fields to wall-clock µs as Spark does (strict ranges, defaults 1970-01-01 00:00). */
function resolveWall(p: Parsed, era: boolean): bigint | null {
  // With G in the pattern y is the year of era.
  const year = p.year === undefined ? 1970 : era && p.era === 0 ? 1 - p.year : p.year;
  const inRange = (v: number | undefined, lo: number, hi: number): boolean => v === undefined || (v >= lo && v <= hi);
  if (!inRange(p.month, 1, 12) || !inRange(p.day, 1, 31) || !inRange(p.doy, 1, 366)) return null;
  let days: number;
  if (p.doy !== undefined) {
    const leap = daysInMonth(year, 2) === 29;
    if (p.doy > (leap ? 366 : 365)) return null;
    days = daysFromCivil(year, 1, 1) + p.doy - 1;
    const c = civilFromDays(days);
    if ((p.month !== undefined && p.month !== c.month) || (p.day !== undefined && p.day !== c.day)) return null;
  } else {
    const month = p.month ?? 1;
    const day = p.day ?? 1;
    if (day > daysInMonth(year, month)) return null;
    days = daysFromCivil(year, month, day);
  }
  if (!inRange(p.hour, 0, 23) || !inRange(p.clockHour, 1, 24) || !inRange(p.hourAmPm, 0, 11) || !inRange(p.clockHourAmPm, 1, 12)) return null;
  if (!inRange(p.minute, 0, 59) || !inRange(p.second, 0, 59)) return null;
  let hour: number;
  const amPmHour = p.hourAmPm ?? (p.clockHourAmPm === undefined ? undefined : p.clockHourAmPm % 12);
  if (p.hour !== undefined) hour = p.hour;
  else if (p.clockHour !== undefined) hour = p.clockHour % 24;
  else if (amPmHour !== undefined) hour = amPmHour + (p.ampm === 1 ? 12 : 0);
  else hour = p.ampm === 1 ? 12 : 0;
  const micros = Math.floor((p.nanos ?? 0) / 1000);
  return BigInt(days) * MICROS_PER_DAY + BigInt(hour * 3600 + (p.minute ?? 0) * 60 + (p.second ?? 0)) * 1_000_000n + BigInt(micros);
}

function parseText(fields: readonly Field[], text: string, timeZone: string, era: boolean, local: boolean): bigint | null {
  const p: Parsed = {};
  if (parseFields(fields, text, 0, p) !== text.length) return null;
  const wall = resolveWall(p, era);
  if (wall === null || local) return wall;
  if (p.offset !== undefined) return wall - BigInt(p.offset) * 1_000_000n;
  return wallClockToUtcMicros(wall, p.zone ?? timeZone);
}

/** Spark's default patterns. */
export const DEFAULT_TIMESTAMP_PATTERN = 'yyyy-MM-dd HH:mm:ss';
