/**
 * OPTIMIZE as Delta Spark runs it (`OptimizeTableCommand` / `OptimizeExecutor`): plan bins of
 * candidate files per partition, rewrite each bin (compaction: one file per bin; Z-order: each
 * partition's rows sorted along the Z-curve of the columns, cut into files of the target size),
 * and commit every bin in one OPTIMIZE commit. Nothing to rewrite commits nothing, so a second
 * OPTIMIZE after a first one is a no-op.
 *
 * Failure leaves the table as it was: new files are only referenced by the final commit (files
 * already written are deleted on a best-effort basis; VACUUM removes any left behind).
 */
import type { Engine } from '../../engine.js';
import { throwIfAborted } from '../../errors.js';
import type { AddFile, RemoveFile } from '../../log/actions.js';
import { resolveLogPath } from '../../log/paths.js';
import type { Snapshot } from '../../table/snapshot.js';
import { checkWriteSupported } from '../../transaction/writer-features.js';
import { commitOptimize } from './commit.js';
import { fileSizeMetrics, optimizeOperationMetrics, zOrderStats, type OptimizeMetrics } from './metrics.js';
import { resolveSizes, type OptimizeOptions, type OptimizeProgress } from './options.js';
import { bindPartitionFilter, planOptimize, resolveZOrderColumns, type OptimizeBin, type ZOrderColumn } from './plan.js';
import { rewriteFiles, type RewriteResult } from './rewrite.js';
import { zOrder } from './zorder.js';

/** Settings of one run beyond the public options (session time zone, auto compaction). */
export interface OptimizeRun {
  /** IANA session zone for the predicate and legacy timestamp partition values. Default UTC. */
  readonly timeZone?: string;
  /** Auto compaction: recorded as `auto: true`. */
  readonly auto?: boolean;
  /** Restricts to these partition keys (see `partitionKeyFunction`); auto compaction's partitions. */
  readonly partitionKeys?: ReadonlySet<string>;
  /** `operationParameters.predicate` entries when no `where` is given (auto compaction's partitions). */
  readonly predicateTexts?: readonly string[];
}

/** Runs OPTIMIZE on `snapshot`; returns Spark's metrics (`version` null when nothing was committed). */
export async function optimizeTable(engine: Engine, snapshot: Snapshot, options: OptimizeOptions = {}, run: OptimizeRun = {}): Promise<OptimizeMetrics> {
  const startTimeMs = engine.clock.nowMs();
  const { signal } = options;
  const timeZone = run.timeZone ?? 'UTC';
  checkWriteSupported(snapshot.protocol, snapshot.metadata, snapshot.tableRoot);
  const sizes = resolveSizes(options, snapshot.metadata);
  const partitionFilter = options.where === undefined ? undefined : bindPartitionFilter(snapshot, options.where, timeZone);
  const zColumns: ZOrderColumn[] = options.zOrderBy !== undefined && options.zOrderBy.length > 0 ? resolveZOrderColumns(snapshot, options.zOrderBy) : [];
  const multi = zColumns.length > 0;
  const plan = planOptimize(snapshot, { sizes, multiDimensional: multi, timeZone, ...(partitionFilter ? { partitionFilter } : {}), ...(run.partitionKeys ? { partitionKeys: run.partitionKeys } : {}) });

  const progress = new Progress(plan.bins, options.onProgress);
  progress.report('planning');
  const done: { bin: OptimizeBin; result: RewriteResult }[] = [];
  try {
    for (const bin of plan.bins) {
      throwIfAborted(signal);
      const result = await rewriteFiles(engine, snapshot, bin.files, {
        targetFileSize: sizes.targetFileSize,
        singleFile: !multi,
        timeZone,
        ...(multi ? { order: zOrder(zColumns) } : {}),
        ...(signal ? { signal } : {}),
      });
      if (!multi && !rewriteHelps(bin, result)) await deleteQuietly(engine, snapshot, result.adds);
      // New files keep the partition values as the log wrote them (no reformatting of values).
      else done.push({ bin, result: { ...result, adds: result.adds.map((a) => ({ ...a, partitionValues: bin.partitionValues })) } });
      progress.binDone(bin);
    }
  } catch (e) {
    await deleteQuietly(engine, snapshot, done.flatMap((d) => d.result.adds));
    throw e;
  }

  const adds: AddFile[] = done.flatMap((d) => d.result.adds);
  const removes: RemoveFile[] = done.flatMap((d) => d.result.removes);
  const rewritten = done.flatMap((d) => d.bin.files);
  const withDvs = rewritten.filter((f) => f.deletionVector !== undefined);
  let version: number | null = null;
  if (removes.length > 0) {
    progress.report('committing');
    const predicateTexts = partitionFilter ? [partitionFilter.text] : (run.predicateTexts ?? []);
    try {
      const committed = await commitOptimize(engine, snapshot, {
        adds,
        removes,
        readFiles: rewritten,
        ...(partitionFilter ? { predicate: partitionFilter.expr } : {}),
        predicateTexts,
        zOrderBy: zColumns.map((c) => c.name),
        auto: run.auto ?? false,
        operationMetrics: optimizeOperationMetrics(adds, removes, withDvs.length),
        ...(signal ? { signal } : {}),
      });
      version = committed.version;
    } catch (e) {
      await deleteQuietly(engine, snapshot, adds);
      throw e;
    }
  }
  progress.report('done');

  const partitionsOptimized = new Set(done.map((d) => JSON.stringify(Object.entries(d.bin.partitionValues).sort()))).size;
  const numTableColumns = snapshot.schema.fields.length;
  const indexed = Number(snapshot.metadata.configuration['delta.dataSkippingNumIndexedCols'] ?? 32);
  return {
    numFilesAdded: adds.length,
    numFilesRemoved: removes.length,
    filesAdded: fileSizeMetrics(adds.map((a) => a.size)),
    filesRemoved: fileSizeMetrics(removes.map((r) => r.size ?? 0)),
    partitionsOptimized,
    zOrderStats: multi ? zOrderStats(removes, partitionsOptimized) : null,
    clusteringStats: null,
    numBins: done.length,
    numBatches: 1,
    totalConsideredFiles: plan.consideredFiles,
    totalFilesSkipped: plan.consideredFiles - removes.length,
    preserveInsertionOrder: false,
    numFilesSkippedToReduceWriteAmplification: 0,
    numBytesSkippedToReduceWriteAmplification: 0,
    startTimeMs,
    endTimeMs: engine.clock.nowMs(),
    totalClusterParallelism: engine.parquet.encodeParallelism ?? 1,
    totalScheduledTasks: 0,
    autoCompactParallelismStats: null,
    deletionVectorStats: withDvs.length === 0 ? null : { numDeletionVectorsRemoved: withDvs.length, numDeletionVectorRowsRemoved: withDvs.reduce((s, f) => s + f.deletionVector!.cardinality, 0) },
    numTableColumns,
    numTableColumnsWithStats: Number.isInteger(indexed) ? Math.min(indexed, numTableColumns) : numTableColumns,
    version,
  };
}

/**
 * A compaction bin is worth committing when it reduces the file count or purges deleted rows. It
 * may not when the writer had to split the bin (a file's Arrow data is capped by wasm memory), and
 * committing it anyway would make every later OPTIMIZE rewrite the same files again.
 */
function rewriteHelps(bin: OptimizeBin, result: RewriteResult): boolean {
  return result.adds.length < bin.files.length || bin.files.some((f) => f.deletionVector !== undefined);
}

/** Deletes files written for an OPTIMIZE that will not be committed; failures are ignored (VACUUM cleans up). */
export async function deleteQuietly(engine: Engine, snapshot: Snapshot, adds: readonly AddFile[]): Promise<void> {
  await Promise.all(adds.map((a) => engine.store.delete(resolveLogPath(snapshot.tableRoot, a.path)).catch(() => undefined)));
}

class Progress {
  readonly #bins: readonly OptimizeBin[];
  readonly #callback: ((p: OptimizeProgress) => void) | undefined;
  readonly #filesTotal: number;
  readonly #bytesTotal: number;
  #binsDone = 0;
  #filesDone = 0;
  #bytesDone = 0;

  constructor(bins: readonly OptimizeBin[], callback: ((p: OptimizeProgress) => void) | undefined) {
    this.#bins = bins;
    this.#callback = callback;
    this.#filesTotal = bins.reduce((s, b) => s + b.files.length, 0);
    this.#bytesTotal = bins.reduce((s, b) => s + b.files.reduce((t, f) => t + f.size, 0), 0);
  }

  binDone(bin: OptimizeBin): void {
    this.#binsDone++;
    this.#filesDone += bin.files.length;
    this.#bytesDone += bin.files.reduce((t, f) => t + f.size, 0);
    this.report('rewriting');
  }

  report(phase: OptimizeProgress['phase']): void {
    this.#callback?.({ phase, binsTotal: this.#bins.length, binsDone: this.#binsDone, filesTotal: this.#filesTotal, filesDone: this.#filesDone, bytesTotal: this.#bytesTotal, bytesDone: this.#bytesDone });
  }
}
