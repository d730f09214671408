import type { DeltaError } from '../errors.js';
import type { DataType } from '../schema/types.js';
import type { Expr, LiteralValue } from './ast.js';
import { parseDate, parseTimestamp, parseTimestampNtz } from './datetime.js';
import { compareDecimals, parseDecimal, type DecimalValue } from './scalar.js';

/**
 * Values of SQL literals, as Spark's AstBuilder computes them: numbers with their suffixes and
 * ranges, typed literals (`DATE '…'`, `X'…'`) and calendar intervals. Pure functions of text;
 * the parser supplies positions for errors.
 */

export type IntervalLiteral = Extract<LiteralValue, { type: 'interval' }>;

const primitive = (name: 'long' | 'short' | 'byte' | 'float'): DataType => ({ kind: 'primitive', name });
const typed = (dataType: DataType, value: unknown): LiteralValue => ({ type: 'typed', dataType, value });

const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;
const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
/** Spark checks DOUBLE / FLOAT literals against these decimal bounds (Scala's BigDecimal(Double.MaxValue)). */
const DOUBLE_BOUND = parseDecimal('1.7976931348623157E308')!;
const FLOAT_BOUND = parseDecimal('3.4028235E38')!;
const MAX_PRECISION = 38;

const NUMBER_RE = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?([bB][dD]|[lLsSyYdDfF])?$/;

/**
 * The value of a number token (`negative` when a `-` was written right against it):
 * - integers → bigint of any size; `1.50` → exact decimal text; `1e3` → double (JS number);
 * - `10L` → typed long (bigint), `10S` short, `10Y` byte (numbers), `1.5F` float (Math.fround),
 *   `1.5D` → double (JS number, the AST's DOUBLE form), `1.50BD` → typed decimal with Spark's
 *   precision and scale (`{unscaled, scale}`).
 * Out-of-range values are errors naming the range, as Spark's.
 */
export function numberLiteral(text: string, negative: boolean, error: (message: string) => DeltaError): LiteralValue {
  const m = NUMBER_RE.exec(text);
  if (!m) throw error(`'${text}' is not a number`);
  const [, mantissa = '', exponent = '', suffix] = m;
  const signed = (negative ? '-' : '') + mantissa + exponent;
  const integral = !exponent && !mantissa.includes('.');
  switch (suffix?.toUpperCase()) {
    case undefined:
      if (integral) return BigInt(signed);
      return exponent ? double(signed, signed, error) : { type: 'decimal', text: signed };
    case 'L': {
      const v = BigInt(signed);
      if (v < LONG_MIN || v > LONG_MAX) throw error(rangeMessage('BIGINT', signed + 'L', String(LONG_MIN), String(LONG_MAX)));
      return typed(primitive('long'), v);
    }
    case 'S':
      return typed(primitive('short'), smallIntegral(signed, 'SMALLINT', 'S', -32768, 32767, error));
    case 'Y':
      return typed(primitive('byte'), smallIntegral(signed, 'TINYINT', 'Y', -128, 127, error));
    case 'D':
      return double(signed, signed + suffix, error);
    case 'F': {
      const exact = parseDecimal(signed)!;
      if (outside(exact, FLOAT_BOUND)) throw error(rangeMessage('FLOAT', signed + 'F', '-3.4028235E38', '3.4028235E38'));
      return typed(primitive('float'), Math.fround(Number(signed)));
    }
    default:
      return bigDecimal(signed, error);
  }
}

const rangeMessage = (type: string, text: string, min: string, max: string): string =>
  `the ${type} literal ${text} does not fit in range [${min}, ${max}]`;

const outside = (v: DecimalValue, bound: DecimalValue): boolean =>
  compareDecimals(v, bound) > 0 || compareDecimals(v, { unscaled: -bound.unscaled, scale: bound.scale }) < 0;

function smallIntegral(signed: string, type: string, suffix: string, min: number, max: number, error: (m: string) => DeltaError): number {
  const v = BigInt(signed);
  if (v < BigInt(min) || v > BigInt(max)) throw error(rangeMessage(type, signed + suffix, String(min), String(max)));
  return Number(v);
}

function double(signed: string, written: string, error: (m: string) => DeltaError): number {
  if (outside(parseDecimal(signed)!, DOUBLE_BOUND)) throw error(rangeMessage('DOUBLE', written, '-1.7976931348623157E308', '1.7976931348623157E308'));
  return Number(signed);
}

/** `123.08BD`: Spark's BigDecimal literal, DECIMAL(max(precision, scale), scale), at most 38 digits. */
function bigDecimal(signed: string, error: (m: string) => DeltaError): LiteralValue {
  const value = parseDecimal(signed)!;
  const digits = (value.unscaled < 0n ? -value.unscaled : value.unscaled).toString().length;
  const precision = Math.max(digits, value.scale);
  if (precision > MAX_PRECISION) {
    throw error(`the DECIMAL literal ${signed}BD needs precision ${precision}, but a decimal can only support precision up to ${MAX_PRECISION}`);
  }
  return typed({ kind: 'decimal', precision, scale: value.scale }, value);
}

/** Literal kinds written `KIND 'text'`. */
export const TYPED_LITERAL_KINDS = new Set(['DATE', 'TIMESTAMP', 'TIMESTAMP_LTZ', 'TIMESTAMP_NTZ', 'X']);

const DATE_TEXT = /^\s*([+-]?\d{4,6})(?:-(\d{1,2})(?:-(\d{1,2})(?:[T ].*)?)?)?\s*$/;

/**
 * The value of `DATE '…'`, `TIMESTAMP '…'` (zone-less text read in `timeZone`),
 * `TIMESTAMP_LTZ '…'`, `TIMESTAMP_NTZ '…'` and `X'hex'` (an odd number of digits gets a leading 0,
 * as in Spark). Dates take Spark's partial forms `2019` and `2019-01`; `'epoch'` is the epoch.
 */
export function typedLiteral(kind: string, text: string, timeZone: string, error: (message: string) => DeltaError): LiteralValue {
  const bad = (what: string): never => {
    throw error(`expected ${what} in ${kind} literal, found '${text}'`);
  };
  const epoch = text.trim().toLowerCase() === 'epoch';
  switch (kind) {
    case 'DATE': {
      if (epoch) return { type: 'date', days: 0 };
      const m = DATE_TEXT.exec(text);
      const days = m ? parseDate(`${m[1]}-${m[2] ?? '1'}-${m[3] ?? '1'}`) : undefined;
      return { type: 'date', days: days ?? bad('a date YYYY-MM-DD') };
    }
    case 'TIMESTAMP_NTZ':
      return { type: 'timestamp_ntz', micros: epoch ? 0n : (parseTimestampNtz(text) ?? bad('a timestamp YYYY-MM-DD HH:mm:ss[.ffffff]')) };
    case 'X': {
      const hex = text.length % 2 === 1 ? '0' + text : text;
      if (!/^[0-9a-fA-F]*$/.test(hex)) bad('hexadecimal digits');
      const bytes = new Uint8Array(hex.length / 2);
      for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
      return { type: 'binary', bytes };
    }
    default:
      return { type: 'timestamp', micros: epoch ? 0n : (parseTimestamp(text, timeZone) ?? bad('a timestamp YYYY-MM-DD[ HH:mm:ss[.ffffff]][zone]')) };
  }
}

// ---- intervals --------------------------------------------------------------------------------

const MICROS: Readonly<Record<string, bigint>> = {
  hour: 3_600_000_000n,
  minute: 60_000_000n,
  second: 1_000_000n,
  millisecond: 1_000n,
  microsecond: 1n,
};
/** Units of `INTERVAL n unit …` (singular; a trailing `s` is accepted). */
export const INTERVAL_UNITS = new Set(['year', 'month', 'week', 'day', ...Object.keys(MICROS)]);

class IntervalBuilder {
  months = 0;
  days = 0;
  micros = 0n;

  add(unit: string, value: bigint, fractionMicros: bigint): string | undefined {
    switch (unit) {
      case 'year':
        return this.addMonths(value * 12n);
      case 'month':
        return this.addMonths(value);
      case 'week':
        return this.addDays(value * 7n);
      case 'day':
        return this.addDays(value);
      default:
        return this.addMicros(value * MICROS[unit]! + fractionMicros);
    }
  }

  addMonths(v: bigint): string | undefined {
    const m = BigInt(this.months) + v;
    if (m < BigInt(INT_MIN) || m > BigInt(INT_MAX)) return 'the months of the interval overflow a 32-bit integer';
    this.months = Number(m);
    return undefined;
  }

  addDays(v: bigint): string | undefined {
    const d = BigInt(this.days) + v;
    if (d < BigInt(INT_MIN) || d > BigInt(INT_MAX)) return 'the days of the interval overflow a 32-bit integer';
    this.days = Number(d);
    return undefined;
  }

  addMicros(v: bigint): string | undefined {
    const u = this.micros + v;
    if (u < LONG_MIN || u > LONG_MAX) return 'the microseconds of the interval overflow a 64-bit integer';
    this.micros = u;
    return undefined;
  }

  result(): IntervalLiteral {
    return { type: 'interval', months: this.months, days: this.days, micros: this.micros };
  }
}

const INTERVAL_VALUE = /^([+-]?)(\d*)(?:(\.)(\d*))?$/;

/** Microseconds of a fraction-of-second digit string (up to 9 digits, truncated to µs). */
const fractionMicros = (digits: string): bigint => BigInt((digits + '000000').slice(0, 6));

/**
 * Spark's interval string (`stringToInterval`): `[interval] <value> <unit> …`, values optionally
 * signed, only seconds with a fraction (up to 9 digits, kept to µs), units singular or plural,
 * case-insensitive. Returns the interval, or a message saying what is wrong.
 */
export function stringToInterval(text: string): IntervalLiteral | string {
  const words = text.trim().toLowerCase().split(/\s+/).filter((w) => w !== '');
  let i = words[0] === 'interval' ? 1 : 0;
  if (i >= words.length) return 'the interval string is empty';
  const b = new IntervalBuilder();
  while (i < words.length) {
    let value = words[i++]!;
    if ((value === '+' || value === '-') && i < words.length) value += words[i++]!;
    const m = INTERVAL_VALUE.exec(value);
    if (!m || (m[2] === '' && (m[4] ?? '') === '')) return `'${value}' is not a number`;
    const [, sign, whole = '', dot, fraction = ''] = m;
    if (fraction.length > 9) return `'${value}' has more than 9 fraction digits (intervals have nanosecond precision at most)`;
    const word = words[i++];
    if (word === undefined) return `expected a unit name after '${value}'`;
    const unit = INTERVAL_UNITS.has(word) ? word : word.endsWith('s') && INTERVAL_UNITS.has(word.slice(0, -1)) ? word.slice(0, -1) : undefined;
    if (unit === undefined) return `'${word}' is not an interval unit (use YEAR, MONTH, WEEK, DAY, HOUR, MINUTE, SECOND, MILLISECOND or MICROSECOND)`;
    if (dot && unit !== 'second') return `'${value} ${word}': only seconds can have a fractional part`;
    const magnitude = BigInt(whole === '' ? '0' : whole);
    const neg = sign === '-';
    if (magnitude > (neg ? -LONG_MIN : LONG_MAX)) return `'${value}' overflows a 64-bit integer`;
    const frac = fractionMicros(fraction);
    const problem = b.add(unit, neg ? -magnitude : magnitude, neg ? -frac : frac);
    if (problem) return problem;
  }
  return b.result();
}

const DAY_TIME_FORMS: Readonly<Record<string, { readonly re: RegExp; readonly fields: readonly string[] }>> = {
  'day-hour': { re: /^(\d+) (\d+)$/, fields: ['day', 'hour'] },
  'day-minute': { re: /^(\d+) (\d+):(\d+)$/, fields: ['day', 'hour', 'minute'] },
  'day-second': { re: /^(\d+) (\d+):(\d+):(\d+)(?:\.(\d{0,9}))?$/, fields: ['day', 'hour', 'minute', 'second'] },
  'hour-minute': { re: /^(\d+):(\d+)$/, fields: ['hour', 'minute'] },
  'hour-second': { re: /^(\d+):(\d+):(\d+)(?:\.(\d{0,9}))?$/, fields: ['hour', 'minute', 'second'] },
  'minute-second': { re: /^(\d+):(\d+)(?:\.(\d{0,9}))?$/, fields: ['minute', 'second'] },
};
const FIELD_MAX: Readonly<Record<string, bigint>> = { hour: 23n, minute: 59n, second: 59n };

/**
 * `INTERVAL 'text' FROM TO TO`: `'y-m'` YEAR TO MONTH, `'[-]d h:m:s[.f]'` DAY TO SECOND and the
 * other day-time ranges (a leading sign negates every field; fields after the first are bounded
 * as on a clock). `from`/`to` are lower case. Returns the interval or a message.
 */
export function fromToInterval(text: string, from: string, to: string): IntervalLiteral | string {
  const trimmed = text.trim();
  const neg = trimmed.startsWith('-');
  const body = trimmed.replace(/^[+-]/, '');
  const b = new IntervalBuilder();
  if (from === 'year' && to === 'month') {
    const m = /^(\d+)-(\d+)$/.exec(body);
    if (!m) return `'${text}' is not a year-month interval [+|-]y-m`;
    const months = BigInt(m[2]!);
    if (months > 11n) return `month ${months} is outside 0..11 in '${text}'`;
    const total = BigInt(m[1]!) * 12n + months;
    return b.addMonths(neg ? -total : total) ?? b.result();
  }
  const form = DAY_TIME_FORMS[`${from}-${to}`];
  if (form === undefined) return `intervals FROM ${from.toUpperCase()} TO ${to.toUpperCase()} are not supported`;
  const m = form.re.exec(body);
  if (!m) return `'${text}' does not match the ${from.toUpperCase()} TO ${to.toUpperCase()} form ${dayTimePattern(form.fields)}`;
  for (let k = 0; k < form.fields.length; k++) {
    const field = form.fields[k]!;
    const value = BigInt(m[k + 1]!);
    if (k > 0 && value > FIELD_MAX[field]!) return `${field} ${value} is outside 0..${FIELD_MAX[field]} in '${text}'`;
    const fraction = field === 'second' ? fractionMicros(m[k + 2] ?? '') : 0n;
    const problem = b.add(field, neg ? -value : value, neg ? -fraction : fraction);
    if (problem) return problem;
  }
  return b.result();
}

function dayTimePattern(fields: readonly string[]): string {
  const parts: Record<string, string> = { day: 'd', hour: 'h', minute: 'm', second: 's[.fffffffff]' };
  const head = fields[0] === 'day' ? 'd ' : '';
  return `'[+|-]${head}${fields.filter((f) => f !== 'day').map((f) => parts[f]).join(':')}'`;
}

/** The sum of two interval literal nodes (how printExpr writes one interval), else undefined. */
export function addIntervals(a: Expr, b: Expr): IntervalLiteral | undefined {
  if (a.kind !== 'literal' || b.kind !== 'literal') return undefined;
  const x = a.value;
  const y = b.value;
  if (!isInterval(x) || !isInterval(y)) return undefined;
  const sum = new IntervalBuilder();
  if (sum.addMonths(BigInt(x.months) + BigInt(y.months)) || sum.addDays(BigInt(x.days) + BigInt(y.days)) || sum.addMicros(x.micros + y.micros)) return undefined;
  return sum.result();
}

const isInterval = (v: LiteralValue): v is IntervalLiteral => typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && 'type' in v && v.type === 'interval';
