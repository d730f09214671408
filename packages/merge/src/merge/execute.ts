/**
 * Running a MERGE on a table, as Delta Spark's `MergeIntoCommand`, over the DML exec layer:
 * 1. the source is read into memory (bounded by `maxSourceBytes`) and the statement planned;
 * 2. target files are pruned by the condition's target-only conjuncts and by the source's key
 *    ranges (`t.k = s.k` → `t.k BETWEEN min(s.k) AND max(s.k)`), with core's data skipping; with
 *    NOT MATCHED BY SOURCE clauses every file is read;
 * 3. the candidate files are scanned (only the columns the statement reads; every column when
 *    change data is written) and joined with the source batch by batch; rows that clauses update
 *    or delete are removed from their files (deletion vectors or rewrites, decided by the change
 *    set) and updated rows written as new rows; only files holding such rows are touched;
 * 4. NOT MATCHED clauses insert the source rows that matched nothing;
 * 5. one commit records what was read (the pruning predicate and the scanned files) so that
 *    conflict detection is precise, with Spark's MERGE metrics and operation parameters.
 * An insert-only MERGE (only NOT MATCHED clauses) reads only the join columns of the candidate
 * files and only appends. Change data (`delta.enableChangeDataFeed`): when the MERGE changes any
 * target row, every change (update pre/post images, deletes and inserts) goes to cdc files; a
 * MERGE that only inserts writes none (readers take its inserts from the added files), as Spark.
 * With an application transaction (`options.appTransaction`), a MERGE the table already records
 * is skipped before its source is read (Spark's `hasBeenExecuted`, checked first in `runMerge`);
 * otherwise its commit carries the `txn` action, even when nothing else changed.
 */
import type { DeltaTable, Expr, Metadata, Protocol, Snapshot } from '@deltakit/core';
import { DeltaError, and, checkWriteSupported, cmp, col, lit, throwIfAborted } from '@deltakit/core';
import { bindPredicate, compileFileFilter, planMetadata } from '@deltakit/core/internal';
import { DmlChangeSet, changeDataFeedEnabled } from '../exec/change-set.js';
import { assertRemovable, commitDml } from '../exec/commit.js';
import { scanTargetFiles } from '../exec/target-scan.js';
import { appTransactionApplied, checkAppTransaction } from '../options.js';
import type { MergeOptions } from './builder.js';
import { actionType, type ExprInput, type MergeClauses } from './clauses.js';
import { MergeMatcher, type KeyRange } from './match.js';
import { planMerge, type MergePlan } from './plan.js';
import { DEFAULT_MAX_SOURCE_BYTES, loadSource, type MergeSource } from './source.js';

/** What a MERGE did: Spark's commitInfo metrics for MERGE, and the table version after it. */
export interface MergeMetrics {
  /**
   * The table version after the MERGE (the read version when nothing changed and there is no
   * `appTransaction`: no commit; the current version when skipped).
   */
  readonly version: number;
  /** True when `appTransaction` was already applied, so nothing ran (every metric is 0). */
  readonly skipped: boolean;
  readonly numSourceRows: number;
  readonly numTargetRowsInserted: number;
  readonly numTargetRowsUpdated: number;
  readonly numTargetRowsMatchedUpdated: number;
  readonly numTargetRowsNotMatchedBySourceUpdated: number;
  readonly numTargetRowsDeleted: number;
  readonly numTargetRowsMatchedDeleted: number;
  readonly numTargetRowsNotMatchedBySourceDeleted: number;
  readonly numTargetRowsCopied: number;
  readonly numOutputRows: number;
  readonly numTargetFilesAdded: number;
  readonly numTargetFilesRemoved: number;
  readonly numTargetChangeFilesAdded: number;
  readonly numTargetDeletionVectorsAdded: number;
  readonly numTargetDeletionVectorsRemoved: number;
  readonly numTargetDeletionVectorsUpdated: number;
  readonly numTargetBytesAdded: number;
  readonly numTargetBytesRemoved: number;
  readonly executionTimeMs: number;
  readonly materializeSourceTimeMs: number;
  readonly scanTimeMs: number;
  readonly rewriteTimeMs: number;
}

export interface MergeRequest {
  readonly table: DeltaTable;
  readonly targetAlias: string | undefined;
  readonly sourceAlias: string | undefined;
  readonly source: MergeSource;
  readonly condition: ExprInput;
  readonly clauses: MergeClauses;
  readonly schemaEvolution: boolean;
  readonly options: MergeOptions;
  readonly signal?: AbortSignal;
}

export async function executeMerge(req: MergeRequest): Promise<MergeMetrics> {
  const started = Date.now();
  const { table, signal, options } = req;
  const engine = table.engine;
  const maxSourceBytes = options.maxSourceBytes ?? DEFAULT_MAX_SOURCE_BYTES;
  if (!(maxSourceBytes > 0)) throw new DeltaError('INVALID_ARGUMENT', `maxSourceBytes must be a positive number of bytes, got ${String(options.maxSourceBytes)}.`);
  const { appTransaction } = options;
  checkAppTransaction(appTransaction);
  // Data files will be read: start the decode workers while the log and the statement are prepared.
  table.engine.parquet.prewarm?.();
  const snapshot = await table.snapshot(signal ? { signal } : {});
  checkWriteSupported(snapshot.protocol, snapshot.metadata, snapshot.tableRoot);
  if (appTransactionApplied(snapshot, appTransaction)) return skippedMerge(snapshot.version);
  const timeZone = table.sessionTimeZone;
  const nowMicros = BigInt(engine.clock.nowMs()) * 1000n;

  const source = await loadSource(req.source, { maxSourceBytes, ...(signal ? { signal } : {}) });
  const plan = planMerge({
    targetSchema: snapshot.schema,
    partitionColumns: snapshot.partitionColumns,
    columnMappingMode: snapshot.columnMapping,
    ...(req.targetAlias === undefined ? {} : { targetAlias: req.targetAlias }),
    sourceSchema: source.schema,
    ...(req.sourceAlias === undefined ? {} : { sourceAlias: req.sourceAlias }),
    condition: req.condition,
    clauses: req.clauses,
    schemaEvolution: req.schemaEvolution,
    timeZone,
    nowMicros,
  });
  // As Spark: only an insert-only MERGE may run on an append-only table.
  if (!plan.insertOnly) assertRemovable(snapshot, 'MERGE');
  const evolved = plan.schemaEvolved ? evolveMetadata(snapshot, plan, engine.clock.nowMs()) : undefined;
  const cdc = changeDataFeedEnabled(snapshot) && !plan.insertOnly;
  const matcher = new MergeMatcher(plan, source, { timeZone, nowMicros, changeData: cdc, ...(signal ? { signal } : {}) });
  const materializeSourceTimeMs = Date.now() - started;

  const read = readScope(snapshot, plan, matcher.keyRanges(), timeZone);
  const changes = new DmlChangeSet(engine, snapshot, {
    timeZone,
    nowMicros,
    ...(options.deletionVectors === undefined ? {} : { deletionVectors: options.deletionVectors }),
    ...(options.targetFileSize === undefined ? {} : { targetFileSize: options.targetFileSize }),
    ...(evolved ? { metadata: evolved.metadata } : {}),
    ...(signal ? { signal } : {}),
  });
  const columns = cdc ? undefined : plan.targetColumns;
  const recompute = {
    updated: { recomputeGenerated: unassignedGenerated(plan, [...plan.matched, ...plan.notMatchedBySource]) },
    inserted: { recomputeGenerated: unassignedGenerated(plan, plan.notMatched) },
  };
  let targetChanged = false;
  const scan = scanTargetFiles(engine, snapshot, read.files, { timeZone, ...(columns ? { columns } : {}), ...(signal ? { signal } : {}) });
  // The first target file is read and decoded on the workers while the join index gets ready here.
  const first = scan.next();
  matcher.prepare();
  for await (const scanned of resume(first, scan)) {
    throwIfAborted(signal);
    const res = matcher.processTarget(scanned.batch);
    if (res.deleted.length + res.updated.length === 0) continue;
    targetChanged = true;
    changes.removeRows(scanned.file, scanned.positionsOf(res.deleted, res.updated));
    if (res.deletedRows) await changes.addChangeRows(res.deletedRows, 'delete');
    if (res.updatedValues) {
      const written = await changes.addRows(res.updatedValues, recompute.updated);
      if (res.preimages) await changes.addChangeRows(res.preimages, 'update_preimage');
      await changes.addChangeRows(written, 'update_postimage');
    }
  }
  const inserts = matcher.inserts();
  if (inserts) {
    const written = await changes.addRows(inserts, recompute.inserted);
    // A commit with cdc files must hold every change in them; one that only inserts needs none.
    if (cdc && targetChanged) await changes.addChangeRows(written, 'insert');
  }
  const scanTimeMs = Date.now() - started - materializeSourceTimeMs;
  const result = await changes.finish();
  const m = result.metrics;
  const c = matcher.counts;
  const updated = c.matchedUpdated + c.notMatchedBySourceUpdated;
  const metrics = {
    numSourceRows: source.numRows,
    numTargetRowsInserted: c.inserted,
    numTargetRowsUpdated: updated,
    numTargetRowsMatchedUpdated: c.matchedUpdated,
    numTargetRowsNotMatchedBySourceUpdated: c.notMatchedBySourceUpdated,
    numTargetRowsDeleted: c.matchedDeleted + c.notMatchedBySourceDeleted,
    numTargetRowsMatchedDeleted: c.matchedDeleted,
    numTargetRowsNotMatchedBySourceDeleted: c.notMatchedBySourceDeleted,
    numTargetRowsCopied: m.numCopiedRows,
    numOutputRows: c.inserted + updated + m.numCopiedRows,
    numTargetFilesAdded: m.numAddedFiles,
    // As Spark: files removed whole or rewritten; files that only get a deletion vector are not removed.
    numTargetFilesRemoved: m.numRemovedFiles + m.numRewrittenFiles,
    numTargetChangeFilesAdded: m.numAddedChangeFiles,
    // As Spark's commitInfo (DeltaOperationMetrics.MERGE_DELETION_VECTORS): an updated vector counts as added and removed.
    numTargetDeletionVectorsAdded: m.numDeletionVectorsAdded + m.numDeletionVectorsUpdated,
    numTargetDeletionVectorsRemoved: m.numDeletionVectorsRemoved + m.numDeletionVectorsUpdated,
    numTargetDeletionVectorsUpdated: m.numDeletionVectorsUpdated,
    numTargetBytesAdded: m.numAddedBytes,
    numTargetBytesRemoved: m.numRemovedBytes,
    executionTimeMs: Date.now() - started,
    materializeSourceTimeMs,
    scanTimeMs,
    rewriteTimeMs: m.finishTimeMs,
  };
  const { version } = await commitDml(engine, snapshot, result, {
    operation: 'MERGE',
    operationParameters: operationParameters(plan, req.clauses),
    metrics,
    read: { ...(read.wholeTable ? { wholeTable: true } : { predicate: read.predicate }), files: read.files },
    ...(evolved ? { metadata: evolved.metadata, ...(evolved.protocol ? { protocol: evolved.protocol } : {}) } : {}),
    ...(appTransaction === undefined ? {} : { appTransaction }),
    ...(options.engineInfo === undefined ? {} : { engineInfo: options.engineInfo }),
    ...(signal === undefined ? {} : { signal }),
  });
  return { version, skipped: false, ...metrics };
}

/** The metrics of a MERGE skipped because its application transaction was already applied. */
function skippedMerge(version: number): MergeMetrics {
  return {
    version,
    skipped: true,
    numSourceRows: 0,
    numTargetRowsInserted: 0,
    numTargetRowsUpdated: 0,
    numTargetRowsMatchedUpdated: 0,
    numTargetRowsNotMatchedBySourceUpdated: 0,
    numTargetRowsDeleted: 0,
    numTargetRowsMatchedDeleted: 0,
    numTargetRowsNotMatchedBySourceDeleted: 0,
    numTargetRowsCopied: 0,
    numOutputRows: 0,
    numTargetFilesAdded: 0,
    numTargetFilesRemoved: 0,
    numTargetChangeFilesAdded: 0,
    numTargetDeletionVectorsAdded: 0,
    numTargetDeletionVectorsRemoved: 0,
    numTargetDeletionVectorsUpdated: 0,
    numTargetBytesAdded: 0,
    numTargetBytesRemoved: 0,
    executionTimeMs: 0,
    materializeSourceTimeMs: 0,
    scanTimeMs: 0,
    rewriteTimeMs: 0,
  };
}

/**
 * Generated columns (`delta.generationExpression`) that no clause of `clauses` assigns: the write
 * checks compute them from the row's other values, as Spark does for UPDATE and INSERT actions. A
 * generated column assigned by some clauses only is checked, not recomputed, in every row.
 */
function unassignedGenerated(plan: MergePlan, clauses: MergePlan['matched']): string[] {
  return plan.finalSchema.fields
    .filter((f, i) => typeof f.metadata['delta.generationExpression'] === 'string' && clauses.every((c) => c.values === undefined || c.values[i]!.kind === 'keep' || c.values[i]!.kind === 'null'))
    .map((f) => f.name);
}

/** The rest of an iteration whose first `next()` was already called; closes it when the consumer stops early. */
async function* resume<T>(first: Promise<IteratorResult<T>>, it: AsyncGenerator<T>): AsyncGenerator<T> {
  let done = false;
  try {
    for (let r = await first; !r.done; r = await it.next()) yield r.value;
    done = true;
  } finally {
    if (!done) await it.return(undefined);
  }
}

interface ReadScope {
  readonly files: Snapshot['addFiles'];
  readonly wholeTable: boolean;
  /** Over unqualified target columns; recorded as the transaction's read predicate. */
  readonly predicate: Expr;
}

/**
 * The target files the MERGE must read and the predicate describing them. NOT MATCHED BY SOURCE
 * clauses need every target row; otherwise only rows that can match a source row: those passing
 * the condition's target-only conjuncts with each plain-column join key inside the source's range.
 */
function readScope(snapshot: Snapshot, plan: MergePlan, keys: { empty: boolean; ranges: KeyRange[] }, timeZone: string): ReadScope {
  const all = snapshot.addFiles;
  if (plan.notMatchedBySource.length > 0) return { files: all, wholeTable: true, predicate: lit(true) };
  if (keys.empty) return { files: [], wholeTable: false, predicate: lit(false) };
  const parts: Expr[] = plan.targetOnlyExpr === undefined ? [] : [plan.targetOnlyExpr];
  for (const r of keys.ranges) {
    const column = plan.keys[r.key]!.target;
    if (column.kind !== 'column') continue;
    const c = col(...column.path);
    const value = (v: unknown): Expr => lit({ type: 'typed', dataType: r.type, value: v });
    parts.push(cmp('>=', c, value(r.min)), cmp('<=', c, value(r.max)));
  }
  if (parts.length === 0) return { files: all, wholeTable: false, predicate: lit(true) };
  const predicate = parts.length === 1 ? parts[0]! : and(...parts);
  const bound = bindPredicate(predicate, snapshot.schema, { partitionColumns: snapshot.partitionColumns, columnMappingMode: snapshot.columnMapping, timeZone });
  const filter = compileFileFilter(bound, { timeZone });
  const files = filter.satisfiable ? all.filter((f) => filter.mayMatchAdd(f)) : [];
  return { files, wholeTable: false, predicate };
}

/** Metadata (and protocol) with the evolved schema; column mapping ids assigned to new fields. */
function evolveMetadata(snapshot: Snapshot, plan: MergePlan, nowMs: number): { metadata: Metadata; protocol: Protocol | undefined } {
  const meta = snapshot.metadata;
  const p = planMetadata({
    current: { protocol: snapshot.protocol, metadata: meta },
    schema: plan.finalSchema,
    partitionColumns: meta.partitionColumns,
    configuration: meta.configuration,
    id: meta.id,
    ...(meta.name === undefined ? {} : { name: meta.name }),
    ...(meta.description === undefined ? {} : { description: meta.description }),
    createdTime: meta.createdTime ?? nowMs,
    keepsData: true,
  });
  return { metadata: p.metadata, protocol: p.protocolChanged ? p.protocol : undefined };
}

/** Spark's MERGE operationParameters: the condition and each clause group's predicates as JSON text. */
function operationParameters(plan: MergePlan, clauses: MergeClauses): Record<string, string> {
  const group = (planned: MergePlan['matched'], raw: readonly Parameters<typeof actionType>[0][]) =>
    JSON.stringify(planned.map((p, i) => ({ ...(p.predicateText === undefined ? {} : { predicate: p.predicateText }), actionType: actionType(raw[i]!) })));
  return {
    predicate: JSON.stringify([plan.conditionText]),
    matchedPredicates: group(plan.matched, clauses.matched),
    notMatchedPredicates: group(plan.notMatched, clauses.notMatched),
    notMatchedBySourcePredicates: group(plan.notMatchedBySource, clauses.notMatchedBySource),
  };
}
