/**
 * OPTIMIZE building blocks, for other maintenance operations (clustering) and tools. The table
 * method is `DeltaTable.optimize`; these are exported from `@deltakit/core/internal`.
 *
 * - `planOptimize` / `packBins`: which files to rewrite together (plan.ts)
 * - `rewriteFiles(engine, snapshot, files, { order?, targetFileSize })`: rewrite a group of files,
 *   optionally in a given row order (`RowOrder`), without committing (rewrite.ts)
 * - `commitOptimize`: commit rewritten files as an OPTIMIZE with Spark's conflict rules (commit.ts)
 * - `zOrder`, `rangePartitionIds`, `sortByZValue`: the Z-order curve (zorder.ts)
 * - `optimizeOperationMetrics`, `fileSizeMetrics`: Spark's metrics (metrics.ts)
 */
export { optimizeTable, deleteQuietly, type OptimizeRun } from './optimize.js';
export { DEFAULT_OPTIMIZE_FILE_SIZE, DEFAULT_Z_ORDER_RANGES, parseByteSize, resolveSizes, type OptimizeOptions, type OptimizeProgress, type OptimizeSizes } from './options.js';
export {
  planOptimize,
  packBins,
  hasTooManyDeletedRows,
  numRecordsOf,
  partitionKeyFunction,
  bindPartitionFilter,
  resolveZOrderColumns,
  type OptimizeBin,
  type OptimizePlan,
  type PlanOptions,
  type PartitionFilter,
  type ZOrderColumn,
} from './plan.js';
export { readLiveRows, type LiveBatch, type ReadLiveRowsOptions } from './read-files.js';
export { rewriteFiles, DEFAULT_MAX_PASS_BYTES, type RowOrder, type RewriteOptions, type RewriteResult } from './rewrite.js';
export { commitOptimize, type OptimizeCommit } from './commit.js';
export { zOrder, rangePartitionIds, sortByZValue, interleaveBits, bitsFor, compareBytes, Z_ORDER_SAMPLE_SIZE, type ZOrderOptions } from './zorder.js';
export { fileSizeMetrics, optimizeOperationMetrics, zOrderStats, type OptimizeMetrics, type FileSizeMetrics, type ZOrderStats, type ZOrderFileStats, type DeletionVectorStats } from './metrics.js';
export { autoCompact, type CommittedFiles } from './auto-compact.js';
export {
  autoCompactSettings,
  resolveAutoCompact,
  optimizeWriteEnabled,
  DEFAULT_AUTO_COMPACT_MAX_FILE_SIZE,
  DEFAULT_AUTO_COMPACT_MIN_NUM_FILES,
  type AutoCompactSettings,
  type AutoCompactOption,
  type AutoCompactionOutcome,
} from './auto-settings.js';
