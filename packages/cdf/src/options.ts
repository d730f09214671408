/**
 * The options of a change-feed read and their validation: which bounds were given, and
 * timestamps (ISO 8601 text, Date, or epoch milliseconds) turned into epoch milliseconds.
 */
import { DeltaError } from '@deltakit/core';

/** An instant: ISO 8601 text (UTC when it names no zone), a Date, or milliseconds since the epoch. */
export type TimestampInput = string | Date | number;

export interface TableChangesOptions {
  /** First version whose changes are returned. Give this or `startingTimestamp`. */
  readonly startingVersion?: number;
  /** Start at the first version committed at or after this instant. */
  readonly startingTimestamp?: TimestampInput;
  /** Last version whose changes are returned; the latest when neither ending bound is given. */
  readonly endingVersion?: number;
  /** End at the last version committed at or before this instant. */
  readonly endingTimestamp?: TimestampInput;
  /**
   * A `startingTimestamp` after the latest commit gives an empty feed instead of
   * TIMESTAMP_OUT_OF_RANGE (Spark's `spark.databricks.delta.changeDataFeed.timestampOutOfRange.enabled`).
   */
  readonly allowOutOfRangeTimestamp?: boolean;
  readonly signal?: AbortSignal;
}

/** One end of the requested range. `ms` may have a fraction (sub-millisecond digits of ISO text). */
export type Bound = { readonly kind: 'version'; readonly version: number } | { readonly kind: 'timestamp'; readonly ms: number };

export interface Bounds {
  readonly start: Bound;
  /** Absent: the latest version. */
  readonly end: Bound | undefined;
}

/** Validates the options (INVALID_ARGUMENT naming the option) and returns the bounds they give. */
export function parseBounds(options: TableChangesOptions): Bounds {
  if (typeof options !== 'object' || options === null) {
    throw new DeltaError('INVALID_ARGUMENT', 'tableChanges needs an options object with startingVersion or startingTimestamp, e.g. { startingVersion: 0 }.');
  }
  const start = bound(options, 'startingVersion', 'startingTimestamp');
  if (start === undefined) {
    throw new DeltaError(
      'INVALID_ARGUMENT',
      'The change data feed needs a start: pass startingVersion (a version number) or startingTimestamp (ISO text, Date or epoch ms). Use startingVersion: 0 to read from the first version.',
    );
  }
  return { start, end: bound(options, 'endingVersion', 'endingTimestamp') };
}

function bound(options: TableChangesOptions, versionKey: 'startingVersion' | 'endingVersion', timestampKey: 'startingTimestamp' | 'endingTimestamp'): Bound | undefined {
  const version = options[versionKey];
  const timestamp = options[timestampKey];
  if (version !== undefined && timestamp !== undefined) {
    throw new DeltaError('INVALID_ARGUMENT', `Pass either ${versionKey} or ${timestampKey}, not both: each sets the same end of the range.`);
  }
  if (version !== undefined) {
    if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0) {
      throw new DeltaError('INVALID_ARGUMENT', `${versionKey} must be a non-negative integer, got ${String(version)}.`, { details: { [versionKey]: version } });
    }
    return { kind: 'version', version };
  }
  if (timestamp !== undefined) return { kind: 'timestamp', ms: toEpochMs(timestamp, timestampKey) };
  return undefined;
}

/** `YYYY-MM-DD`, optionally `THH:MM[:SS[.fraction]]` (or a space for `T`), optionally `Z` or `±HH[:]MM`. */
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * Milliseconds since the epoch of an instant. ISO text without a zone is UTC (never the process's
 * local zone, so results do not depend on where they run); fraction digits beyond the millisecond
 * are kept as a fraction of a millisecond.
 */
export function toEpochMs(value: TimestampInput, option: string): number {
  let ms: number | undefined;
  if (typeof value === 'number') ms = Number.isFinite(value) ? value : undefined;
  else if (value instanceof Date) ms = Number.isFinite(value.getTime()) ? value.getTime() : undefined;
  else if (typeof value === 'string') ms = parseIso(value.trim());
  if (ms === undefined) {
    throw new DeltaError(
      'INVALID_ARGUMENT',
      `${option} "${String(value)}" is not a valid timestamp. Use ISO 8601 text such as 2024-01-31T12:00:00Z (UTC when no zone is given), a Date, or milliseconds since the epoch.`,
      { details: { [option]: String(value) } },
    );
  }
  return ms;
}

function parseIso(text: string): number | undefined {
  const m = ISO.exec(text);
  if (m === null) return undefined;
  const [year, month, day, hour = 0, minute = 0, second = 0] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((s) => (s === undefined ? undefined : Number(s))) as number[];
  if (month! < 1 || month! > 12 || day! < 1 || day! > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(year!, month! - 1, day!); // not Date.UTC, which maps years 0-99 to 1900-1999
  date.setUTCHours(hour, minute, second, 0);
  if (date.getUTCDate() !== day) return undefined; // 2024-02-30 and the like
  const utc = date.getTime();
  const fraction = m[7] === undefined ? 0 : Number(`0.${m[7]}`) * 1000;
  return utc + fraction - offsetMs(m[8]);
}

function offsetMs(zone: string | undefined): number {
  if (zone === undefined || zone.toUpperCase() === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
  return sign * (hours * 60 + minutes) * 60_000;
}
