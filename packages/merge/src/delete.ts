/**
 * DELETE FROM a Delta table, as Delta Spark's `DeleteCommand`:
 * - no condition: every file is removed;
 * - files the condition covers whole (partition predicates, or statistics proving every row
 *   matches) are removed without being read; files it cannot match are untouched;
 * - the other candidate files are read (only the columns the condition needs) and their matching
 *   rows removed: with deletion vectors when the table enables them, else by rewriting the file;
 * - rows where the condition is null are kept;
 * - change data feed: when files are rewritten, the deleted rows are written as `delete` change
 *   rows; a DELETE with deletion vectors or of whole files writes none (readers derive the deletes
 *   from the remove actions and deletion vectors), as Spark does.
 * A DELETE that matches nothing commits nothing (Spark elides empty commits), unless it has an
 * application transaction (`appTransaction`): then it commits the `txn` action alone. A DELETE
 * whose application transaction the table already records is skipped once its condition is
 * bound, before any file is read.
 */
import type { DeltaTable, Expr } from '@deltakit/core';
import { checkWriteSupported, throwIfAborted } from '@deltakit/core';
import { compilePredicate, filterBatch, typedColumns } from '@deltakit/core/internal';
import { DmlChangeSet } from './exec/change-set.js';
import { assertRemovable, commitDml } from './exec/commit.js';
import { bindDmlCondition, type ExprInput } from './exec/condition.js';
import { planFiles } from './exec/file-plan.js';
import { scanTargetFiles } from './exec/target-scan.js';
import { appTransactionApplied, checkAppTransaction, type DmlOptions } from './options.js';

export interface DeleteOptions extends DmlOptions {
  /** Rows to delete: SQL text (`id > 10 AND part = 'a'`) or an expression tree; every row when absent. */
  readonly condition?: ExprInput;
}

/** The metrics Delta Spark records in commitInfo for DELETE, plus the resulting table version. */
export interface DeleteResult {
  /**
   * The table version after the delete (unchanged when nothing matched and there is no
   * `appTransaction`: nothing is committed; the current version when skipped).
   */
  readonly version: number;
  /** True when `appTransaction` was already applied, so nothing ran (every metric is 0). */
  readonly skipped: boolean;
  readonly numRemovedFiles: number;
  readonly numAddedFiles: number;
  readonly numDeletedRows: number;
  readonly numCopiedRows: number;
  readonly numAddedChangeFiles: number;
  readonly numAddedBytes: number;
  readonly numRemovedBytes: number;
  readonly numDeletionVectorsAdded: number;
  readonly numDeletionVectorsRemoved: number;
  readonly numDeletionVectorsUpdated: number;
  readonly executionTimeMs: number;
  readonly scanTimeMs: number;
  readonly rewriteTimeMs: number;
}

/** Deletes the rows of `table` matching `options.condition` (all rows without one). */
export async function deleteFrom(table: DeltaTable, options: DeleteOptions = {}): Promise<DeleteResult> {
  const started = Date.now();
  const { signal, appTransaction } = options;
  checkAppTransaction(appTransaction);
  const engine = table.engine;
  // Data files will be read: start the decode workers while the log and the statement are prepared.
  table.engine.parquet.prewarm?.();
  const snapshot = await table.snapshot(signal ? { signal } : {});
  checkWriteSupported(snapshot.protocol, snapshot.metadata, snapshot.tableRoot);
  assertRemovable(snapshot, 'DELETE');
  const timeZone = table.sessionTimeZone;
  const nowMicros = BigInt(engine.clock.nowMs()) * 1000n;
  const condition = options.condition === undefined ? undefined : bindDmlCondition(snapshot, options.condition, { timeZone, nowMicros, alias: aliasOf(table) });
  // As Spark, the statement is analysed (its condition bound) before the skip check.
  if (appTransactionApplied(snapshot, appTransaction)) return skippedDelete(snapshot.version);
  const plan = planFiles(snapshot, condition, { timeZone });
  const changes = new DmlChangeSet(engine, snapshot, { timeZone, nowMicros, ...(signal ? { signal } : {}) });
  for (const f of plan.whole) changes.removeFile(f);

  if (condition !== undefined && plan.scan.length > 0) {
    // Spark writes `delete` change rows only when it rewrites files; with deletion vectors readers derive them.
    const writeChangeRows = changes.writesChangeData && !changes.usesDeletionVectors;
    const columns = writeChangeRows ? undefined : [...new Set(typedColumns(condition.bound).map((c) => c.path[0]!))];
    const predicate = compilePredicate(condition.bound, { timeZone, nowMicros });
    for await (const { file, batch, positions } of scanTargetFiles(engine, snapshot, plan.scan, { timeZone, ...(columns ? { columns } : {}), ...(signal ? { signal } : {}) })) {
      throwIfAborted(signal);
      const mask = predicate.mask(batch);
      const matched = matchedPositions(mask, positions);
      if (matched.length === 0) continue;
      changes.removeRows(file, matched);
      if (writeChangeRows) await changes.addChangeRows(filterBatch(batch, mask), 'delete');
    }
  }
  const scanTimeMs = Date.now() - started;
  const result = await changes.finish();
  const m = result.metrics;
  const metrics = {
    numRemovedFiles: m.numRemovedFiles + m.numRewrittenFiles,
    numAddedFiles: m.numAddedFiles,
    numDeletedRows: m.numRemovedRows,
    numCopiedRows: m.numCopiedRows,
    numAddedChangeFiles: m.numAddedChangeFiles,
    numAddedBytes: m.numAddedBytes,
    numRemovedBytes: m.numRemovedBytes,
    numDeletionVectorsAdded: m.numDeletionVectorsAdded,
    numDeletionVectorsRemoved: m.numDeletionVectorsRemoved,
    numDeletionVectorsUpdated: m.numDeletionVectorsUpdated,
    executionTimeMs: Date.now() - started,
    scanTimeMs,
    rewriteTimeMs: m.finishTimeMs,
  };
  const { version } = await commitDml(engine, snapshot, result, {
    operation: 'DELETE',
    operationParameters: { predicate: JSON.stringify(condition === undefined ? [] : [condition.sql]) },
    metrics,
    read: {
      ...(condition === undefined ? { wholeTable: true } : { predicate: condition.expr }),
      files: [...plan.whole, ...plan.scan],
    },
    ...(appTransaction === undefined ? {} : { appTransaction }),
    ...(options.engineInfo === undefined ? {} : { engineInfo: options.engineInfo }),
    ...(signal === undefined ? {} : { signal }),
  });
  return { version, skipped: false, ...metrics };
}

/** The result of a DELETE skipped because its application transaction was already applied. */
function skippedDelete(version: number): DeleteResult {
  return {
    version,
    skipped: true,
    numRemovedFiles: 0,
    numAddedFiles: 0,
    numDeletedRows: 0,
    numCopiedRows: 0,
    numAddedChangeFiles: 0,
    numAddedBytes: 0,
    numRemovedBytes: 0,
    numDeletionVectorsAdded: 0,
    numDeletionVectorsRemoved: 0,
    numDeletionVectorsUpdated: 0,
    executionTimeMs: 0,
    scanTimeMs: 0,
    rewriteTimeMs: 0,
  };
}

/** Positions of the rows selected by `mask`. */
export function matchedPositions(mask: Uint8Array, positions: Float64Array): Float64Array {
  let count = 0;
  for (let i = 0; i < mask.length; i++) count += mask[i]!;
  const out = new Float64Array(count);
  for (let i = 0, k = 0; i < mask.length; i++) if (mask[i]) out[k++] = positions[i]!;
  return out;
}

export type { Expr };

/** The alias of a `@deltakit/merge` table (`table.alias('t')`), if any. */
export function aliasOf(table: DeltaTable): string | undefined {
  return (table as { readonly aliasName?: string }).aliasName;
}
