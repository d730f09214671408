/**
 * Number and datetime text as Spark's CAST reads and writes it: integral text (`UTF8String.toLong`),
 * Java's `Double.parseDouble` / `Float.parseFloat` (correctly rounded, hex floats included),
 * Java's `BigDecimal.toString`, and the `yyyy-MM-dd[ HH:mm:ss[.f…]]` text of dates and timestamps.
 */
import { civilFromDays, splitWallMicros } from './datetime.js';
import { sparkTrim } from './datetime-text.js';
import type { DecimalValue } from './scalar.js';

/**
 * A signed integer of `bits` bits from text the way Spark casts strings to integral types: trimmed,
 * an optional sign, digits, and an optional `.` followed by digits only (the fraction is dropped).
 * Null when malformed or out of range.
 */
export function parseSparkIntegral(text: string, bits: 8 | 16 | 32 | 64): bigint | null {
  const s = sparkTrim(text);
  if (s === '') return null;
  let i = 0;
  const negative = s[0] === '-';
  if (negative || s[0] === '+') {
    if (s.length === 1) return null;
    i = 1;
  }
  let end = s.indexOf('.', i);
  if (end < 0) end = s.length;
  else if (!/^\d*$/.test(s.slice(end + 1))) return null;
  const digits = s.slice(i, end);
  if (!/^\d*$/.test(digits)) return null;
  const v = digits === '' ? 0n : negative ? -BigInt(digits) : BigInt(digits);
  // Spark parses into an int for byte/short (then checks the range) and a long for longs.
  const limit = 1n << BigInt(bits - 1);
  return v < -limit || v >= limit ? null : v;
}

/** Java's `String.trim`: without leading and trailing characters up to U+0020. */
export function javaTrim(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && s.charCodeAt(a) <= 0x20) a++;
  while (b > a && s.charCodeAt(b - 1) <= 0x20) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

const JAVA_DECIMAL = /^([+-]?)(?:(\d+)\.?(\d*)|\.(\d+))(?:[eE]([+-]?\d+))?[fFdD]?$/;
const JAVA_HEX = /^([+-]?)0[xX](?:([0-9a-fA-F]+)\.?([0-9a-fA-F]*)|\.([0-9a-fA-F]+))[pP]([+-]?\d+)[fFdD]?$/;

interface Binary {
  readonly mantissa: number;
  readonly minExponent: number;
  readonly maxExponent: number;
}
const FLOAT64: Binary = { mantissa: 53, minExponent: -1022, maxExponent: 1023 };
const FLOAT32: Binary = { mantissa: 24, minExponent: -126, maxExponent: 127 };

const bitLength = (v: bigint): number => v.toString(2).length;

/** `num / den` (both positive) rounded to the nearest value of the binary format, ties to even. */
function roundRational(num: bigint, den: bigint, f: Binary): number {
  // Scale so the quotient has exactly `mantissa` bits (fewer for subnormals).
  let exp = bitLength(num) - bitLength(den);
  const quotient = (e: number): [bigint, bigint, bigint] => {
    const shift = f.mantissa - 1 - e;
    const n = shift >= 0 ? num << BigInt(shift) : num;
    const d = shift >= 0 ? den : den << BigInt(-shift);
    return [n / d, n % d, d];
  };
  let [q, r, d] = quotient(exp);
  if (q >= 1n << BigInt(f.mantissa)) [q, r, d] = quotient(++exp);
  else if (q < 1n << BigInt(f.mantissa - 1)) [q, r, d] = quotient(--exp);
  if (exp > f.maxExponent) return Infinity;
  if (exp < f.minExponent) {
    exp = f.minExponent;
    [q, r, d] = quotient(exp);
  }
  if (2n * r > d || (2n * r === d && (q & 1n) === 1n)) q += 1n;
  if (q === 0n) return 0;
  if (q >= 1n << BigInt(f.mantissa) && exp + 1 > f.maxExponent) return Infinity;
  // q < 2^54 and the scale is a power of two: exact in a double.
  return Number(q) * 2 ** (exp - (f.mantissa - 1));
}

/** The float32 nearest to an exact decimal (Java's `BigDecimal.floatValue`). */
export function decimalToFloat32(d: DecimalValue): number {
  if (d.unscaled === 0n) return 0;
  const abs = d.unscaled < 0n ? -d.unscaled : d.unscaled;
  const v = d.scale >= 0 ? roundRational(abs, 10n ** BigInt(d.scale), FLOAT32) : roundRational(abs * 10n ** BigInt(-d.scale), 1n, FLOAT32);
  return d.unscaled < 0n ? -v : v;
}

/** The float32 nearest to a long (Java's `(float) long`, rounded once). */
export function longToFloat32(v: bigint): number {
  if (v === 0n) return 0;
  const r = roundRational(v < 0n ? -v : v, 1n, FLOAT32);
  return v < 0n ? -r : r;
}

/**
 * Java's `Double.parseDouble` (or `Float.parseFloat` with `float`) on text, then Spark's
 * case-insensitive `inf`/`infinity`/`nan` spellings. Null when the text is not a number.
 */
export function parseJavaFloating(text: string, float = false): number | null {
  const s = javaTrim(text);
  const m = JAVA_DECIMAL.exec(s);
  if (m) {
    const [, sign, int = '', frac = '', fracOnly, exp = '0'] = m;
    const digits = (fracOnly === undefined ? int + frac : fracOnly).replace(/^0+/, '');
    const scale = (fracOnly === undefined ? frac.length : fracOnly.length) - Number(exp);
    let v: number;
    if (digits === '') v = 0;
    else if (float) {
      // Beyond float range whatever the digits: skip the exact arithmetic.
      const magnitude = digits.length - scale;
      v = magnitude > 40 ? Infinity : magnitude < -47 ? 0 : decimalToFloat32({ unscaled: BigInt(digits), scale });
    } else v = Number(`${digits}e${-scale}`);
    return sign === '-' ? -v : v;
  }
  const h = JAVA_HEX.exec(s);
  if (h) {
    const [, sign, int = '', frac = '', fracOnly, exp = '0'] = h;
    const hex = fracOnly === undefined ? int + frac : fracOnly;
    const binExp = Number(exp) - 4 * (fracOnly === undefined ? frac.length : fracOnly.length);
    const mant = BigInt('0x' + hex);
    let v = 0;
    if (mant !== 0n) {
      const f = float ? FLOAT32 : FLOAT64;
      v = binExp > 2000 ? Infinity : binExp < -2200 ? 0 : binExp >= 0 ? roundRational(mant << BigInt(binExp), 1n, f) : roundRational(mant, 1n << BigInt(-binExp), f);
    }
    return sign === '-' ? -v : v;
  }
  if (/^[+-]?(NaN|Infinity)$/.test(s)) return s.endsWith('NaN') ? NaN : s.startsWith('-') ? -Infinity : Infinity;
  switch (s.toLowerCase()) {
    case 'inf':
    case '+inf':
    case 'infinity':
    case '+infinity':
      return Infinity;
    case '-inf':
    case '-infinity':
      return -Infinity;
    case 'nan':
      return NaN;
    default:
      return null;
  }
}

/** Java's `BigDecimal.toString`: plain, or scientific (`1.23E-7`, `0E-18`) when the exponent is below -6. */
export function javaDecimalString(d: DecimalValue): string {
  const neg = d.unscaled < 0n;
  const digits = (neg ? -d.unscaled : d.unscaled).toString();
  const adjusted = digits.length - 1 - d.scale;
  let body: string;
  if (d.scale >= 0 && adjusted >= -6) {
    if (d.scale === 0) body = digits;
    else {
      const padded = digits.padStart(d.scale + 1, '0');
      body = `${padded.slice(0, -d.scale)}.${padded.slice(-d.scale)}`;
    }
  } else body = `${digits[0]}${digits.length > 1 ? '.' + digits.slice(1) : ''}E${adjusted > 0 ? '+' : ''}${adjusted}`;
  return neg ? '-' + body : body;
}

const pad = (n: number, w: number): string => String(n).padStart(w, '0');
const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

/** A year as Java's `uuuu` prints it: 4 digits padded, `-` for negative years, `+` beyond 9999. */
export function javaYear(year: number): string {
  if (year < 0) return '-' + pad(-year, 4);
  if (year > 9999) return '+' + year;
  return year >= 1000 ? String(year) : pad(year, 4);
}

/** `yyyy-MM-dd` of a day number, as Spark casts a date to a string. */
export function sparkDateString(days: number): string {
  const { year, month, day } = civilFromDays(days);
  return `${javaYear(year)}-${TWO_DIGITS[month]}-${TWO_DIGITS[day]}`;
}

/** `yyyy-MM-dd HH:mm:ss[.f…]` of a date and a time of day in µs, the fraction without trailing zeros. */
export function formatSparkDayTime(days: number, micros: number): string {
  const secs = Math.floor(micros / 1e6);
  let frac = micros - secs * 1e6;
  const base = `${sparkDateString(days)} ${TWO_DIGITS[Math.floor(secs / 3600)]}:${TWO_DIGITS[Math.floor(secs / 60) % 60]}:${TWO_DIGITS[secs % 60]}`;
  if (frac === 0) return base;
  let width = 6;
  while (frac % 10 === 0) {
    frac /= 10;
    width--;
  }
  return `${base}.${pad(frac, width)}`;
}

/** `yyyy-MM-dd HH:mm:ss[.f…]` of wall-clock µs, the fraction without trailing zeros (Spark's timestamp text). */
export function formatSparkTimestamp(wallMicros: bigint): string {
  const { days, micros } = splitWallMicros(wallMicros);
  return formatSparkDayTime(days, micros);
}
