/**
 * OPTIMIZE on a clustered table (Delta Spark's OPTIMIZE with `ClusteringStrategy`): incremental
 * liquid clustering. The files to recluster are chosen by ZCube (see `zcube.ts`: new files, partial
 * ZCubes of the current clustering columns; with `full`, also files clustered by other columns);
 * each group of them is rewritten along the Hilbert curve of the clustering columns' range ids
 * (`order.ts`), cut into files of the target size, and the new files form one new ZCube:
 * `clusteringProvider: "liquid"`, tags `ZCUBE_ID` and `ZCUBE_ZORDER_BY`. Everything commits as one
 * OPTIMIZE (operation parameters `clusterBy`, `isFull`), with OPTIMIZE's conflict rules.
 *
 * As in Spark, a clustered table refuses `where` and `zOrderBy`, and a clustered table without
 * clustering columns (after CLUSTER BY NONE) is compacted like any table.
 *
 * Cost: a group's clustering-column values are held in memory, and its rows are gathered in
 * passes of `maxPassBytes` of input (see `rewriteFiles`); a group is at most
 * max(minCubeSize, targetCubeSize) bytes of input.
 */
import { randomUUID } from 'node:crypto';
import type { Engine } from '../../engine.js';
import { DeltaError, throwIfAborted } from '../../errors.js';
import { columnView } from '../../expr/column-view.js';
import type { AddFile, RemoveFile } from '../../log/actions.js';
import type { Snapshot } from '../../table/snapshot.js';
import { checkWriteSupported } from '../../transaction/writer-features.js';
import { commitOptimize } from '../optimize/commit.js';
import { fileSizeMetrics, optimizeOperationMetrics, type OptimizeMetrics } from '../optimize/metrics.js';
import { deleteQuietly } from '../optimize/optimize.js';
import { DEFAULT_OPTIMIZE_FILE_SIZE, resolveSizes, type OptimizeOptions } from '../optimize/options.js';
import { rewriteFiles, type RowOrder } from '../optimize/rewrite.js';
import type { ClusteringColumn } from './columns.js';
import { isClusteredProtocol, LIQUID_PROVIDER } from './domain.js';
import { clusteringKeys, DEFAULT_RANGE_IDS, orderByKey, rangeIds } from './order.js';
import { clusteringColumnsOf } from './table-columns.js';
import { selectZCubeGroups, zCubeTags, type ClusteringStats } from './zcube.js';

/** Spark's `optimize.clustering.mergeStrategy.minCubeSize.threshold`: 100 × the default maximum file size. */
export const DEFAULT_MIN_CUBE_SIZE = 100 * DEFAULT_OPTIMIZE_FILE_SIZE;
/** Spark's `optimize.clustering.mergeStrategy.minCubeSize.targetCubeSize`: 1.5 × the minimum cube size. */
export const DEFAULT_TARGET_CUBE_SIZE = 1.5 * DEFAULT_MIN_CUBE_SIZE;

/** What clustering adds to OPTIMIZE's options. */
export interface ClusteringOptimizeOptions {
  /** OPTIMIZE FULL: also recluster files clustered by other columns (after CLUSTER BY changes). */
  readonly full?: boolean;
  /** ZCubes of at least this many bytes are sealed: later runs leave them alone. Default 100 GiB (Spark). */
  readonly minCubeSize?: number;
  /** Bytes of input per new ZCube (at least `minCubeSize`). Default 150 GiB (Spark). */
  readonly targetCubeSize?: number;
}

export interface OptimizeRunSettings {
  /** IANA session zone (legacy timestamp partition values). Default UTC. */
  readonly timeZone?: string;
  /** Auto compaction (Spark's auto compaction clusters clustered tables): recorded as `auto: true`. */
  readonly auto?: boolean;
}

/**
 * OPTIMIZE of a clustered table with clustering columns; undefined when the table is not
 * clustered or has no clustering columns (the caller then compacts). Refuses `where`, `zOrderBy`
 * (UNSUPPORTED_OPERATION, Spark's DELTA_CLUSTERING_WITH_PARTITION_PREDICATE / _WITH_ZORDER_BY) and
 * `full` without clustering columns (DELTA_OPTIMIZE_FULL_NOT_SUPPORTED).
 */
export async function optimizeClusteredTable(engine: Engine, snapshot: Snapshot, options: OptimizeOptions & ClusteringOptimizeOptions = {}, run: OptimizeRunSettings = {}): Promise<OptimizeMetrics | undefined> {
  const clustered = isClusteredProtocol(snapshot.protocol);
  if (clustered) refuseUnsupportedOptions(options);
  const columns = clustered ? (clusteringColumnsOf(snapshot) ?? []) : [];
  if (columns.length === 0) {
    if (options.full) {
      throw new DeltaError('UNSUPPORTED_OPERATION', `OPTIMIZE FULL applies to clustered tables with clustering columns; the table at ${snapshot.tableRoot} has none. Run OPTIMIZE without full, or set clustering columns with clusterBy first.`, {
        details: { errorClass: 'DELTA_OPTIMIZE_FULL_NOT_SUPPORTED' },
      });
    }
    return undefined;
  }
  return clusterTable(engine, snapshot, columns, options, run);
}

function refuseUnsupportedOptions(options: OptimizeOptions): void {
  if (options.where !== undefined) {
    throw new DeltaError('UNSUPPORTED_OPERATION', 'OPTIMIZE on a clustered table does not take a predicate (where): clustered tables are unpartitioned and clustering chooses the files itself. Remove the predicate.', {
      details: { errorClass: 'DELTA_CLUSTERING_WITH_PARTITION_PREDICATE' },
    });
  }
  if (options.zOrderBy !== undefined && options.zOrderBy.length > 0) {
    throw new DeltaError('UNSUPPORTED_OPERATION', `OPTIMIZE on a clustered table cannot Z-order (zOrderBy ${options.zOrderBy.join(', ')}): it clusters by the table's clustering columns. Remove zOrderBy, or change the clustering columns with clusterBy.`, {
      details: { errorClass: 'DELTA_CLUSTERING_WITH_ZORDER_BY', zOrderBy: [...options.zOrderBy] },
    });
  }
}

async function clusterTable(engine: Engine, snapshot: Snapshot, columns: readonly ClusteringColumn[], options: OptimizeOptions & ClusteringOptimizeOptions, run: OptimizeRunSettings): Promise<OptimizeMetrics> {
  const startTimeMs = engine.clock.nowMs();
  const { signal } = options;
  checkWriteSupported(snapshot.protocol, snapshot.metadata, snapshot.tableRoot);
  const { targetFileSize } = resolveSizes(options, snapshot.metadata);
  const minCubeSize = cubeSize(options.minCubeSize, 'minCubeSize') ?? DEFAULT_MIN_CUBE_SIZE;
  const targetCubeSize = cubeSize(options.targetCubeSize, 'targetCubeSize') ?? DEFAULT_TARGET_CUBE_SIZE;
  const names = columns.map((c) => c.name);
  const full = options.full ?? false;
  const selection = selectZCubeGroups(snapshot.addFiles, { columns: names, minCubeSize, targetCubeSize, full });
  const order = hilbertOrder(columns);

  const adds: AddFile[] = [];
  const removes: RemoveFile[] = [];
  const total = { files: selection.groups.reduce((s, g) => s + g.length, 0), bytes: selection.groups.reduce((s, g) => s + g.reduce((t, f) => t + f.size, 0), 0) };
  const done = { bins: 0, files: 0, bytes: 0 };
  const report = (phase: 'planning' | 'rewriting' | 'committing' | 'done'): void =>
    options.onProgress?.({ phase, binsTotal: selection.groups.length, binsDone: done.bins, filesTotal: total.files, filesDone: done.files, bytesTotal: total.bytes, bytesDone: done.bytes });
  report('planning');
  try {
    for (const group of selection.groups) {
      throwIfAborted(signal);
      const result = await rewriteFiles(engine, snapshot, group, { targetFileSize, order, ...(run.timeZone ? { timeZone: run.timeZone } : {}), ...(signal ? { signal } : {}) });
      const cube = randomUUID();
      // Spark's ClusteringStrategy.tagAddFile: dataChange false, clusteringProvider, ZCube tags.
      adds.push(...result.adds.map((a) => ({ ...a, dataChange: false, clusteringProvider: LIQUID_PROVIDER, tags: zCubeTags(a.tags, cube, names) })));
      removes.push(...result.removes);
      done.bins++;
      done.files += group.length;
      done.bytes += group.reduce((t, f) => t + f.size, 0);
      report('rewriting');
    }
  } catch (e) {
    await deleteQuietly(engine, snapshot, adds);
    throw e;
  }

  const rewritten = selection.groups.flat();
  const withDvs = rewritten.filter((f) => f.deletionVector !== undefined);
  let version: number | null = null;
  if (removes.length > 0) {
    report('committing');
    try {
      const committed = await commitOptimize(engine, snapshot, {
        adds,
        removes,
        readFiles: rewritten,
        predicateTexts: [],
        clusterBy: names,
        isFull: full,
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
  report('done');
  return metrics(engine, snapshot, { adds, removes, withDvs, stats: selection.stats, bins: selection.groups.length, startTimeMs, version });
}

/** The clustering order of `columns` as a row order for `rewriteFiles`. */
export function hilbertOrder(columns: readonly ClusteringColumn[], numRanges = DEFAULT_RANGE_IDS): RowOrder {
  return {
    columns: [...new Set(columns.map((c) => c.logical[0]!))],
    permutation: (batches) => {
      const ids = columns.map((c) => rangeIds(batches.map((b) => columnView(b, c.logical)), numRanges));
      const order = orderByKey(clusteringKeys(ids, numRanges));
      return new Int32Array(order.buffer, order.byteOffset, order.length);
    },
  };
}

function cubeSize(v: number | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isSafeInteger(v) || v < 1) throw new DeltaError('INVALID_ARGUMENT', `${name} must be a positive integer number of bytes, got ${String(v)}.`, { details: { [name]: v } });
  return v;
}

interface RunOutcome {
  readonly adds: readonly AddFile[];
  readonly removes: readonly RemoveFile[];
  readonly withDvs: readonly AddFile[];
  readonly stats: ClusteringStats;
  readonly bins: number;
  readonly startTimeMs: number;
  readonly version: number | null;
}

/** Spark's OptimizeMetrics of a clustering run (one "partition": clustered tables are unpartitioned). */
function metrics(engine: Engine, snapshot: Snapshot, r: RunOutcome): OptimizeMetrics {
  const considered = snapshot.addFiles.length;
  const numTableColumns = snapshot.schema.fields.length;
  const indexed = Number(snapshot.metadata.configuration['delta.dataSkippingNumIndexedCols'] ?? 32);
  return {
    numFilesAdded: r.adds.length,
    numFilesRemoved: r.removes.length,
    filesAdded: fileSizeMetrics(r.adds.map((a) => a.size)),
    filesRemoved: fileSizeMetrics(r.removes.map((x) => x.size ?? 0)),
    partitionsOptimized: r.bins > 0 ? 1 : 0,
    zOrderStats: null,
    clusteringStats: r.stats,
    numBins: r.bins,
    numBatches: 1,
    totalConsideredFiles: considered,
    totalFilesSkipped: considered - r.removes.length,
    preserveInsertionOrder: false,
    numFilesSkippedToReduceWriteAmplification: 0,
    numBytesSkippedToReduceWriteAmplification: 0,
    startTimeMs: r.startTimeMs,
    endTimeMs: engine.clock.nowMs(),
    totalClusterParallelism: engine.parquet.encodeParallelism ?? 1,
    totalScheduledTasks: 0,
    autoCompactParallelismStats: null,
    deletionVectorStats: r.withDvs.length === 0 ? null : { numDeletionVectorsRemoved: r.withDvs.length, numDeletionVectorRowsRemoved: r.withDvs.reduce((s, f) => s + f.deletionVector!.cardinality, 0) },
    numTableColumns,
    numTableColumnsWithStats: Number.isInteger(indexed) && indexed >= 0 ? Math.min(indexed, numTableColumns) : numTableColumns,
    version: r.version,
  };
}
