/**
 * Value formatting for `add.stats` JSON, matching what Spark writes byte for byte: Spark renders
 * statistics with Jackson, so numbers follow Java's `Double.toString` / `Float.toString` /
 * `BigDecimal.toString`, timestamps are millisecond ISO strings and dates `YYYY-MM-DD`.
 */
import { civilFromDays } from '../expr/datetime.js';

/**
 * Java `Double.toString` layout for a finite double: plain notation (`1.0`, `0.001`) when
 * 1e-3 <= |x| < 1e7, otherwise `d.dddE±n` (`4.661261177E7`, `1.0E-4`). Digits are the shortest
 * that round-trip. Non-finite values are the caller's business (Spark quotes them, see
 * {@link formatStatsFloating}).
 */
export function formatJavaDouble(x: number): string {
  return javaLayout(x, shortestDigits(x, false));
}

/** Java `Float.toString` for a float32 value: the shortest digits that round-trip through float32. */
export function formatJavaFloat(x: number): string {
  return javaLayout(x, shortestDigits(x, true));
}

/**
 * A float or double statistic as Jackson writes it: a JSON number, or the quoted strings
 * `"NaN"`, `"Infinity"`, `"-Infinity"` (Jackson's default for non-numeric numbers).
 */
export function formatStatsFloating(x: number, float32: boolean): string {
  if (Number.isNaN(x)) return '"NaN"';
  if (x === Infinity) return '"Infinity"';
  if (x === -Infinity) return '"-Infinity"';
  return float32 ? formatJavaFloat(x) : formatJavaDouble(x);
}

interface Digits {
  /** Significant digits without leading zeros (at least one). */
  readonly digits: string;
  /** Decimal exponent of the first digit: value = d.ddd × 10^exp. */
  readonly exp: number;
}

function shortestDigits(x: number, float32: boolean): Digits {
  const abs = Math.abs(x);
  if (abs === 0) return { digits: '0', exp: 0 };
  let text = abs.toExponential();
  if (float32) {
    for (let p = 0; p <= 8; p++) {
      const candidate = abs.toExponential(p);
      if (Math.fround(Number(candidate)) === abs) {
        text = candidate;
        break;
      }
    }
  }
  const e = text.indexOf('e');
  const digits = text.slice(0, e).replace('.', '');
  return { digits, exp: Number(text.slice(e + 1)) };
}

function javaLayout(x: number, { digits, exp }: Digits): string {
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  const abs = Math.abs(x);
  if (abs === 0) return sign + '0.0';
  if (abs >= 1e-3 && abs < 1e7) {
    if (exp < 0) return sign + '0.' + '0'.repeat(-exp - 1) + digits;
    const intPart = digits.length > exp + 1 ? digits.slice(0, exp + 1) : digits + '0'.repeat(exp + 1 - digits.length);
    const frac = digits.length > exp + 1 ? digits.slice(exp + 1) : '0';
    return sign + intPart + '.' + frac;
  }
  return sign + digits[0] + '.' + (digits.length > 1 ? digits.slice(1) : '0') + 'E' + exp;
}

/**
 * Java `BigDecimal.toString` of `unscaled × 10^-scale`: plain when the scale is non-negative and
 * the adjusted exponent is >= -6 (`123.45`, `0.00`), scientific otherwise (`0E-10`, `1.5E-8`).
 */
export function formatJavaBigDecimal(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const coeff = (negative ? -unscaled : unscaled).toString();
  const sign = negative ? '-' : '';
  const adjusted = -scale + (coeff.length - 1);
  if (scale >= 0 && adjusted >= -6) {
    if (scale === 0) return sign + coeff;
    if (coeff.length > scale) return sign + coeff.slice(0, coeff.length - scale) + '.' + coeff.slice(coeff.length - scale);
    return sign + '0.' + '0'.repeat(scale - coeff.length) + coeff;
  }
  const mantissa = coeff.length > 1 ? coeff[0] + '.' + coeff.slice(1) : coeff;
  return sign + mantissa + (adjusted === 0 ? '' : 'E' + (adjusted > 0 ? '+' : '') + adjusted);
}

/** Days since the epoch as `YYYY-MM-DD` (proleptic Gregorian, as Spark 3 formats dates). */
export function formatDate(days: number): string {
  const { year, month, day } = civilFromDays(days);
  return formatYear(year) + '-' + pad2(month) + '-' + pad2(day);
}

/**
 * Microseconds since the epoch as a millisecond-precision ISO timestamp, truncated toward
 * negative infinity as Spark's formatter does: `2023-06-15T12:30:00.000Z` when `utc`, without the
 * zone suffix for `timestamp_ntz`.
 */
export function formatTimestampMicros(micros: bigint, utc: boolean): string {
  const ms = Number(floorDiv(micros, 1000n));
  const days = Math.floor(ms / 86_400_000);
  let rest = ms - days * 86_400_000;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = Math.floor(rest / 1000);
  const milli = rest - s * 1000;
  const text = `${formatDate(days)}T${pad2(h)}:${pad2(m)}:${pad2(s)}.${String(milli).padStart(3, '0')}`;
  return utc ? text + 'Z' : text;
}

/** Floor division for bigints (BigInt `/` truncates toward zero). */
export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
}

/**
 * A string as a JSON string literal the way Jackson escapes it: like `JSON.stringify`, but
 * `\uXXXX` escapes use upper-case hex.
 */
export function jsonString(s: string): string {
  const text = JSON.stringify(s);
  if (!text.includes('\\u')) return text;
  return text.replace(/\\\\|\\u[0-9a-f]{4}/g, (m) => (m === '\\\\' ? m : '\\u' + m.slice(2).toUpperCase()));
}

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

function formatYear(year: number): string {
  if (year > 9999) return '+' + year;
  if (year < 0) return '-' + String(-year).padStart(4, '0');
  return String(year).padStart(4, '0');
}
