/**
 * Duration table properties (`delta.deletedFileRetentionDuration`, ...) as Delta Spark reads them:
 * Spark's calendar-interval text (`IntervalUtils.stringToInterval`), with `interval ` prepended
 * when missing, then Delta's rule for durations: no months or years (their length varies) and not
 * negative. A day is 24 hours.
 *
 * Grammar (case-insensitive, whitespace-separated): `[interval] (sign? value unit)+` where sign is
 * `+` or `-` (optionally followed by spaces), value is digits, and unit is one of year, month,
 * week, day, hour, minute, second, millisecond, microsecond, singular or plural. Only seconds take
 * a fraction (`1.5 seconds`, `.25 second`; at most 9 fraction digits, truncated to microseconds).
 */
import { DeltaError } from '../errors.js';
import type { Metadata } from '../log/actions.js';

/** A parsed interval: calendar months, days, and an exact number of microseconds. */
export interface CalendarInterval {
  readonly months: number;
  readonly days: number;
  readonly micros: bigint;
}

/** `delta.deletedFileRetentionDuration` when the table does not set it (Spark's default). */
export const DEFAULT_TOMBSTONE_RETENTION = 'interval 1 week';
export const TOMBSTONE_RETENTION_KEY = 'delta.deletedFileRetentionDuration';

const MICROS_PER_DAY = 86_400_000_000n;
const INT_MAX = 2 ** 31 - 1;
const LONG_MAX = 2n ** 63n - 1n;

/** Unit names in the order Spark tries them (`month` before `minute`, `millisecond`, `microsecond`). */
const UNITS: readonly (readonly [string, (v: bigint, frac: bigint, acc: Acc) => void])[] = [
  ['year', (v, _f, a) => void (a.months += Number(v) * 12)],
  ['month', (v, _f, a) => void (a.months += Number(v))],
  ['minute', (v, _f, a) => void (a.micros += v * 60_000_000n)],
  ['millisecond', (v, _f, a) => void (a.micros += v * 1000n)],
  ['microsecond', (v, _f, a) => void (a.micros += v)],
  ['week', (v, _f, a) => void (a.days += Number(v) * 7)],
  ['day', (v, _f, a) => void (a.days += Number(v))],
  ['hour', (v, _f, a) => void (a.micros += v * 3_600_000_000n)],
  ['second', (v, f, a) => void (a.micros += v * 1_000_000n + f)],
];

interface Acc {
  months: number;
  days: number;
  micros: bigint;
}

/** Thrown inside the parser; carries the reason for the caller's message. */
class IntervalSyntax extends Error {}

/**
 * Parses Spark's interval text. Returns the interval, or a reason when the text is not one (the
 * way Spark's `safeStringToInterval` returns null).
 */
export function parseCalendarInterval(text: string): CalendarInterval | { readonly error: string } {
  const s = text.trim().toLowerCase();
  if (s === '') return { error: 'it is empty' };
  try {
    return parseUnits(s.startsWith('interval ') ? s.slice('interval '.length) : s);
  } catch (e) {
    if (e instanceof IntervalSyntax) return { error: e.message };
    throw e;
  }
}

const isSpace = (c: string | undefined): boolean => c !== undefined && /\s/.test(c);
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

function parseUnits(s: string): CalendarInterval {
  const acc: Acc = { months: 0, days: 0, micros: 0n };
  let i = 0;
  let parts = 0;
  const skipSpaces = () => {
    while (isSpace(s[i])) i++;
  };
  for (skipSpaces(); i < s.length; skipSpaces()) {
    let negative = false;
    if (s[i] === '-' || s[i] === '+') {
      negative = s[i] === '-';
      i++;
      skipSpaces();
    }
    const start = i;
    while (isDigit(s[i])) i++;
    const whole = s.slice(start, i);
    let fraction: string | undefined;
    if (s[i] === '.') {
      const f0 = ++i;
      while (isDigit(s[i])) i++;
      fraction = s.slice(f0, i);
      if (whole === '' && fraction === '') throw new IntervalSyntax(`"." is not a number`);
      if (fraction.length > 9) throw new IntervalSyntax(`"${whole}.${fraction}" has more than nanosecond precision`);
    }
    if (whole === '' && fraction === undefined) throw new IntervalSyntax(`expected a number at "${s.slice(i).split(/\s/)[0] || s}"`);
    if (!isSpace(s[i])) throw new IntervalSyntax(i >= s.length ? `a unit must follow "${s.slice(start)}"` : `"${s.slice(start).split(/\s/)[0]}" is not a number followed by a space and a unit`);
    skipSpaces();
    const unit = UNITS.find(([name]) => s.startsWith(name, i));
    if (unit === undefined) throw new IntervalSyntax(`"${s.slice(i).split(/\s/)[0]}" is not a unit (year, month, week, day, hour, minute, second, millisecond, microsecond)`);
    if (fraction !== undefined && unit[0] !== 'second') throw new IntervalSyntax(`only seconds may have a fraction, not ${unit[0]}s`);
    i += unit[0].length;
    if (s[i] === 's') i++;
    if (i < s.length && !isSpace(s[i])) throw new IntervalSyntax(`"${s.slice(i - unit[0].length).split(/\s/)[0]}" is not a unit`);
    const value = BigInt(whole === '' ? '0' : whole);
    const nanos = fraction === undefined ? 0n : BigInt(fraction.padEnd(9, '0'));
    const sign = negative ? -1n : 1n;
    unit[1](sign * value, sign * (nanos / 1000n), acc);
    if (Math.abs(acc.months) > INT_MAX || Math.abs(acc.days) > INT_MAX || acc.micros > LONG_MAX || -acc.micros > LONG_MAX) throw new IntervalSyntax('the value overflows');
    parts++;
  }
  if (parts === 0) throw new IntervalSyntax('it has no value and unit');
  return acc;
}

/**
 * Milliseconds of a duration property of `metadata` (its default when unset). An invalid value, a
 * month or year part, or a negative total throws INVALID_ARGUMENT naming the property, as Delta
 * Spark refuses such a table property.
 */
export function durationPropertyMs(metadata: Metadata, key: string, defaultValue: string): number {
  const text = metadata.configuration[key] ?? defaultValue;
  const parsed = parseCalendarInterval(text);
  const fail = (why: string): never => {
    throw new DeltaError(
      'INVALID_ARGUMENT',
      `Table property ${key} is "${text}", which is not a valid duration: ${why}. Set it to a calendar interval such as "interval 7 days" or "2 weeks" (months and years are not accepted; write "365 days" for a year).`,
      { details: { property: key, value: text } },
    );
  };
  if ('error' in parsed) return fail(parsed.error);
  if (parsed.months !== 0) return fail('it has a month or year part, whose length varies');
  const micros = BigInt(parsed.days) * MICROS_PER_DAY + parsed.micros;
  if (micros < 0n) return fail('it is negative');
  return Number(micros / 1000n);
}

/** The table's `delta.deletedFileRetentionDuration` in milliseconds (default one week). */
export function tombstoneRetentionMs(metadata: Metadata): number {
  return durationPropertyMs(metadata, TOMBSTONE_RETENTION_KEY, DEFAULT_TOMBSTONE_RETENTION);
}
