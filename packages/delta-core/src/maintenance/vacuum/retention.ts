import { DeltaError } from '../../errors.js';
import type { Metadata } from '../../log/actions.js';
import { TOMBSTONE_RETENTION_KEY, tombstoneRetentionMs } from '../interval.js';

const HOUR_MS = 3_600_000;

/** The retention a VACUUM applies. */
export interface Retention {
  /** The table's `delta.deletedFileRetentionDuration`. */
  readonly defaultMs: number;
  /** From the `retentionHours` argument, when given. */
  readonly specifiedMs?: number;
  /** What applies: `specifiedMs` when given, else `defaultMs`. */
  readonly effectiveMs: number;
  /** Whether shorter-than-table retentions are refused (recorded in VACUUM START). */
  readonly checkEnabled: boolean;
}

/**
 * The retention for a VACUUM of a table with `metadata`, as Spark decides it: `retentionHours` is
 * rounded to whole hours (half up); a negative one is refused; one shorter than the table's
 * retention is refused with RETENTION_TOO_SHORT unless `enforceRetention` is false.
 */
export function resolveRetention(metadata: Metadata, tableRoot: string, options: { retentionHours?: number; enforceRetention?: boolean }): Retention {
  const defaultMs = tombstoneRetentionMs(metadata);
  const checkEnabled = options.enforceRetention !== false;
  const hours = options.retentionHours;
  if (hours === undefined) return { defaultMs, effectiveMs: defaultMs, checkEnabled };
  if (typeof hours !== 'number' || !Number.isFinite(hours)) {
    throw new DeltaError('INVALID_ARGUMENT', `retentionHours must be a finite number of hours, got ${String(hours)}.`, { details: { retentionHours: hours } });
  }
  const specifiedMs = Math.floor(hours + 0.5) * HOUR_MS;
  if (specifiedMs < 0) {
    throw new DeltaError('INVALID_ARGUMENT', `VACUUM retention of ${hours} hours is less than 0: a retention keeps the last N hours of history. Pass 0 or more hours.`, {
      details: { retentionHours: hours },
    });
  }
  if (checkEnabled && specifiedMs < defaultMs) throw retentionTooShort(tableRoot, specifiedMs, defaultMs);
  return { defaultMs, specifiedMs, effectiveMs: specifiedMs, checkEnabled };
}

function retentionTooShort(tableRoot: string, specifiedMs: number, defaultMs: number): DeltaError {
  const tableHours = Math.ceil(defaultMs / HOUR_MS);
  return new DeltaError(
    'RETENTION_TOO_SHORT',
    `VACUUM of ${tableRoot} with a retention of ${specifiedMs / HOUR_MS} hours was refused: the table keeps removed files for ${tableHours} hours (${TOMBSTONE_RETENTION_KEY}). ` +
      `Deleting them sooner breaks readers of older versions (time travel, long queries, streams) and can corrupt the table when a concurrent write has written files it has not committed yet. ` +
      `Keep the retention at ${tableHours} hours or more; if you are certain no operation uses older versions or is writing, pass enforceRetention: false (deltakit vacuum --force-retention), ` +
      `as Spark's spark.databricks.delta.retentionDurationCheck.enabled = false does.`,
    { details: { tableRoot, retentionMillis: specifiedMs, tableRetentionMillis: defaultMs } },
  );
}
