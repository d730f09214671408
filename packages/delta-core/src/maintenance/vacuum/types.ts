import type { Engine } from '../../engine.js';
import type { Snapshot } from '../../table/snapshot.js';

/** `full` lists the table directory; `lite` reads only the log (Spark's `VACUUM LITE`). */
export type VacuumMode = 'full' | 'lite';

export interface VacuumOptions {
  /**
   * Keep files needed by versions of the last `retentionHours` hours (rounded to whole hours, as
   * Spark does). Default: the table's `delta.deletedFileRetentionDuration` (default 7 days).
   */
  readonly retentionHours?: number;
  /** List what would be deleted without deleting anything or committing. Default false. */
  readonly dryRun?: boolean;
  /** Default `full`. */
  readonly mode?: VacuumMode;
  /**
   * Default true: a `retentionHours` shorter than the table's retention is refused with
   * RETENTION_TOO_SHORT. False is Spark's `spark.databricks.delta.retentionDurationCheck.enabled=false`.
   */
  readonly enforceRetention?: boolean;
  readonly signal?: AbortSignal;
}

/** What a VACUUM deleted (or, with `dryRun`, would delete). */
export interface VacuumResult {
  readonly mode: VacuumMode;
  readonly dryRun: boolean;
  /** The table version whose state decided what is still needed. */
  readonly tableVersion: number;
  /**
   * Store paths deleted, or with `dryRun` those that would be: files in path order, then empty
   * directories (deepest first).
   */
  readonly paths: readonly string[];
  /** Files and directories found eligible (Spark's `numFilesToDelete`). */
  readonly numFilesToDelete: number;
  /** Bytes of the eligible files (Spark's `sizeOfDataToDelete`). */
  readonly sizeOfDataToDelete: number;
  /** Files and directories actually deleted; 0 for a dry run (Spark's `numDeletedFiles`). */
  readonly numDeletedFiles: number;
  /** Directories under the table root that were listed, plus the root (Spark's `numVacuumedDirectories`). */
  readonly numVacuumedDirectories: number;
  /** The retention applied, in milliseconds. */
  readonly retentionMillis: number;
  /** The table's `delta.deletedFileRetentionDuration`, in milliseconds. */
  readonly defaultRetentionMillis: number;
  /** Files (by modification time) and tombstones (by deletion time) older than this were eligible. */
  readonly minRetainedTimestamp: number;
  /** Lite mode: the commits whose removed files were considered (inclusive), when any. */
  readonly eligibleStartCommitVersion?: number;
  readonly eligibleEndCommitVersion?: number;
  /** The `VACUUM START` and `VACUUM END` commits (absent for a dry run). */
  readonly startVersion?: number;
  readonly endVersion?: number;
  /** Deletions that failed (the file stays; a later VACUUM retries it). */
  readonly failed: readonly { readonly path: string; readonly message: string }[];
}

/** The table as maintenance sees it: a DeltaTable satisfies this. */
export interface TableHandle {
  readonly engine: Engine;
  readonly tableRoot: string;
  snapshot(request?: { version?: number; signal?: AbortSignal }): Promise<Snapshot>;
}

/** A file VACUUM may delete: its path relative to the table root, store path and size. */
export interface Candidate {
  readonly rel: string;
  readonly path: string;
  readonly size: number;
}

/** What one mode found: files, empty directories (deepest first), and listing facts. */
export interface VacuumPlan {
  readonly files: readonly Candidate[];
  readonly directories: readonly string[];
  /** Directories listed under the root, plus one for the root. */
  readonly directoryCount: number;
  readonly eligibleStartCommitVersion?: number;
  readonly eligibleEndCommitVersion?: number;
}
