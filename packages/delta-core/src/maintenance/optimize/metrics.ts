/**
 * OPTIMIZE metrics in Delta Spark's shapes: the `OptimizeMetrics` object the command returns (its
 * `metrics` column, field for field; Spark's `None` is `null`) and the `operationMetrics` recorded
 * in commitInfo (the names of `DeltaOperationMetrics.OPTIMIZE`, sizes as percentiles of the added
 * files).
 */
import type { AddFile, RemoveFile } from '../../log/actions.js';
import type { ClusteringStats } from '../clustering/zcube.js';

/** Sizes of a set of files (Spark's `FileSizeMetrics`); `min`/`max` null when there are none. */
export interface FileSizeMetrics {
  readonly min: number | null;
  readonly max: number | null;
  readonly avg: number;
  readonly totalFiles: number;
  readonly totalSize: number;
}

export interface ZOrderFileStats {
  readonly num: number;
  readonly size: number;
}

/** Spark's `ZOrderStats` for `OPTIMIZE ... ZORDER BY`. */
export interface ZOrderStats {
  readonly strategyName: string;
  readonly inputCubeFiles: ZOrderFileStats;
  readonly inputOtherFiles: ZOrderFileStats;
  readonly inputNumCubes: number;
  readonly mergedFiles: ZOrderFileStats;
  readonly numOutputCubes: number;
  readonly mergedNumCubes: number | null;
}

export interface DeletionVectorStats {
  readonly numDeletionVectorsRemoved: number;
  readonly numDeletionVectorRowsRemoved: number;
}

/** What `DeltaTable.optimize` returns: Spark's `OptimizeMetrics`, plus the version committed. */
export interface OptimizeMetrics {
  readonly numFilesAdded: number;
  readonly numFilesRemoved: number;
  readonly filesAdded: FileSizeMetrics;
  readonly filesRemoved: FileSizeMetrics;
  readonly partitionsOptimized: number;
  readonly zOrderStats: ZOrderStats | null;
  /** Filled by clustering (liquid clustering tables); null for compaction and Z-order. */
  readonly clusteringStats: ClusteringStats | null;
  readonly numBins: number;
  readonly numBatches: number;
  readonly totalConsideredFiles: number;
  readonly totalFilesSkipped: number;
  readonly preserveInsertionOrder: boolean;
  readonly numFilesSkippedToReduceWriteAmplification: number;
  readonly numBytesSkippedToReduceWriteAmplification: number;
  readonly startTimeMs: number;
  readonly endTimeMs: number;
  /** Parallel encoders of the engine (Spark: the cluster's default parallelism). */
  readonly totalClusterParallelism: number;
  readonly totalScheduledTasks: number;
  readonly autoCompactParallelismStats: null;
  readonly deletionVectorStats: DeletionVectorStats | null;
  readonly numTableColumns: number;
  readonly numTableColumnsWithStats: number;
  /** deltakit: the version OPTIMIZE committed, null when nothing needed rewriting (nothing committed). */
  readonly version: number | null;
}

/** Size summary of files (Spark's `FileSizeStats.toFileSizeMetrics`). */
export function fileSizeMetrics(sizes: readonly number[]): FileSizeMetrics {
  if (sizes.length === 0) return { min: null, max: null, avg: 0, totalFiles: 0, totalSize: 0 };
  let min = Infinity;
  let max = -Infinity;
  let total = 0;
  for (const s of sizes) {
    if (s < min) min = s;
    if (s > max) max = s;
    total += s;
  }
  return { min, max, avg: total / sizes.length, totalFiles: sizes.length, totalSize: total };
}

/**
 * commitInfo.operationMetrics of an OPTIMIZE commit: counts and bytes of added and removed files,
 * the added files' size percentiles (element `n/4`, `n/2`, `3n/4` of the sorted sizes, as Spark
 * takes them), and the deletion vectors removed.
 */
export function optimizeOperationMetrics(adds: readonly AddFile[], removes: readonly RemoveFile[], removedDvs: number): Record<string, number> {
  const sizes = adds.map((a) => a.size).sort((a, b) => a - b);
  const n = sizes.length;
  const pick = (i: number) => (n === 0 ? 0 : sizes[Math.min(n - 1, i)]!);
  return {
    numAddedFiles: n,
    numRemovedFiles: removes.length,
    numAddedBytes: sizes.reduce((s, x) => s + x, 0),
    numRemovedBytes: removes.reduce((s, r) => s + (r.size ?? 0), 0),
    minFileSize: pick(0),
    p25FileSize: pick(Math.floor(n / 4)),
    p50FileSize: pick(Math.floor(n / 2)),
    p75FileSize: pick(Math.floor((3 * n) / 4)),
    maxFileSize: pick(n - 1),
    numDeletionVectorsRemoved: removedDvs,
  };
}

/** Spark's Z-order stats: all files of each optimized partition merged, one cube per partition. */
export function zOrderStats(removed: readonly { size?: number }[], partitionsOptimized: number): ZOrderStats {
  const merged = { num: removed.length, size: removed.reduce((s, r) => s + (r.size ?? 0), 0) };
  return { strategyName: 'all', inputCubeFiles: { num: 0, size: 0 }, inputOtherFiles: merged, inputNumCubes: 0, mergedFiles: merged, numOutputCubes: partitionsOptimized, mergedNumCubes: null };
}
