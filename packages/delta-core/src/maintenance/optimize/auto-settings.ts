/**
 * Auto-optimize settings: optimized writes (`delta.autoOptimize.optimizeWrite`) and auto
 * compaction (`delta.autoOptimize.autoCompact`): whether they are on (table property or write
 * option) and auto compaction's sizes, with Spark's defaults. Kept apart from the compaction
 * itself (auto-compact.ts), which post-commit code loads only when needed.
 */
import { DeltaError } from '../../errors.js';
import type { Metadata } from '../../log/actions.js';
import type { OptimizeMetrics } from './metrics.js';

/** Spark's `spark.databricks.delta.autoCompact.minNumFiles`. */
export const DEFAULT_AUTO_COMPACT_MIN_NUM_FILES = 50;
/** Spark's `spark.databricks.delta.autoCompact.maxFileSize`: 128 MiB. */
export const DEFAULT_AUTO_COMPACT_MAX_FILE_SIZE = 128 * 1024 * 1024;

export interface AutoCompactSettings {
  /** A touched partition is compacted when it holds at least this many small files. Default 50. */
  readonly minNumFiles?: number;
  /** Bytes per compacted file (maximum bin size). Default 128 MiB. */
  readonly maxFileSize?: number;
  /** Files of at most this size count as small (and are compacted). Default `maxFileSize / 2`. */
  readonly minFileSize?: number;
}

/** A write's `autoCompact` option: on/off, or on with settings. */
export type AutoCompactOption = boolean | AutoCompactSettings;

/** What auto compaction did after a commit. */
export interface AutoCompactionOutcome {
  /** True when a compaction was committed. */
  readonly compacted: boolean;
  /** The version of the auto-compaction commit. */
  readonly version?: number;
  /** Its OPTIMIZE metrics. */
  readonly metrics?: OptimizeMetrics;
  /** Why nothing was compacted: too few small files, a conflict with a concurrent commit, a failure. */
  readonly note?: string;
}

/** The settings in force after a commit, or undefined when auto compaction is off. */
export function autoCompactSettings(metadata: Metadata, option: AutoCompactOption | undefined): Required<AutoCompactSettings> | undefined {
  if (option !== undefined) return option === false ? undefined : resolveAutoCompact(option);
  const conf = metadata.configuration;
  const prop = conf['delta.autoOptimize.autoCompact']?.trim().toLowerCase();
  if (conf['delta.autoOptimize']?.trim().toLowerCase() === 'true' || prop === 'true') return resolveAutoCompact(true);
  if (prop === undefined || prop === 'false') return undefined;
  throw new DeltaError('INVALID_ARGUMENT', `Table property delta.autoOptimize.autoCompact is "${conf['delta.autoOptimize.autoCompact']}"; it must be true or false. Set it to one of those.`, {
    details: { property: 'delta.autoOptimize.autoCompact', sparkErrorClass: 'DELTA_INVALID_AUTO_COMPACT_TYPE' },
  });
}

/** Settings of an enabled auto compaction with defaults filled in; INVALID_ARGUMENT for bad values. */
export function resolveAutoCompact(option: true | AutoCompactSettings): Required<AutoCompactSettings> {
  const settings = option === true ? {} : option;
  const maxFileSize = positive(settings.maxFileSize, 'maxFileSize') ?? DEFAULT_AUTO_COMPACT_MAX_FILE_SIZE;
  const minNumFiles = settings.minNumFiles ?? DEFAULT_AUTO_COMPACT_MIN_NUM_FILES;
  if (!Number.isSafeInteger(minNumFiles) || minNumFiles < 0) throw new DeltaError('INVALID_ARGUMENT', `autoCompact.minNumFiles must be a non-negative integer, got ${String(minNumFiles)}.`);
  return { minNumFiles, maxFileSize, minFileSize: positive(settings.minFileSize, 'minFileSize') ?? Math.floor(maxFileSize / 2) };
}

function positive(v: number | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isSafeInteger(v) || v < 1) throw new DeltaError('INVALID_ARGUMENT', `autoCompact.${name} must be a positive integer number of bytes, got ${String(v)}.`);
  return v;
}

/**
 * Whether a write is an optimized write: the write option when given, else the table property
 * `delta.autoOptimize.optimizeWrite` (Spark's session setting `optimizeWrite.enabled` is the
 * option's counterpart). See `DataWriterOptions.optimizeWrite` for what it changes.
 */
export function optimizeWriteEnabled(metadata: Metadata, option: boolean | undefined): boolean {
  if (option !== undefined) return option;
  return metadata.configuration['delta.autoOptimize.optimizeWrite']?.trim().toLowerCase() === 'true';
}
