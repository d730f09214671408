/**
 * Durations as Spark writes them for triggers, watermark delays and windows (`'10 seconds'`,
 * `'1 minute 30 seconds'`, `'interval 2 hours'`) and in short form (`'500ms'`, `'2s'`, `'5m'`),
 * in milliseconds. Months and years are refused: their length is not fixed.
 */
import { DeltaError } from '@deltakit/core';

const UNIT_MS: Readonly<Record<string, number>> = {
  us: 0.001, microsecond: 0.001, microseconds: 0.001,
  ms: 1, millisecond: 1, milliseconds: 1, msec: 1, msecs: 1,
  s: 1000, sec: 1000, secs: 1000, second: 1000, seconds: 1000,
  m: 60_000, min: 60_000, mins: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  d: 86_400_000, day: 86_400_000, days: 86_400_000,
  w: 604_800_000, week: 604_800_000, weeks: 604_800_000,
};

const PART = /^\s*(-?\d+(?:\.\d+)?)\s*([a-z]+)\s*/;

/** Milliseconds of a duration text; `what` names the setting in the error. */
export function parseDurationMs(text: string | number, what = 'duration'): number {
  if (typeof text === 'number') {
    if (Number.isFinite(text) && text >= 0) return text;
    throw badDuration(String(text), what);
  }
  let rest = text.trim().toLowerCase();
  if (rest.startsWith('interval ')) rest = rest.slice('interval '.length);
  if (/^\d+$/.test(rest)) return Number(rest);
  let total = 0;
  let parts = 0;
  while (rest.length > 0) {
    const m = PART.exec(rest);
    const unit = m ? UNIT_MS[m[2]!] : undefined;
    if (!m || unit === undefined) throw badDuration(text, what);
    total += Number(m[1]) * unit;
    rest = rest.slice(m[0].length);
    parts++;
  }
  if (parts === 0 || total < 0) throw badDuration(text, what);
  return total;
}

/** A watermark delay (`withWatermark(col, '10 minutes')`). */
export function parseDelay(text: string): number {
  return parseDurationMs(text, 'watermark delay');
}

function badDuration(text: string, what: string): DeltaError {
  return new DeltaError(
    'INVALID_ARGUMENT',
    `'${text}' is not a valid ${what}. Write a number and a unit, as Spark does ('10 seconds', '1 minute 30 seconds', 'interval 2 hours') or in short form ('500ms', '2s', '5m'); months and years are not fixed lengths and are not accepted.`,
  );
}
