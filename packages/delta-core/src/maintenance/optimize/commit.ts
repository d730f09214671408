/**
 * Committing a rewrite as an OPTIMIZE: the removes of the rewritten files and the adds of their
 * replacements (all `dataChange: false`) in one commit with operation `OPTIMIZE`, recording the
 * rewritten files as read. Conflict rules (core's checker, Spark's): the commit runs under
 * SnapshotIsolation (it only rearranges data), so files appended concurrently never conflict and
 * the commit is retried on top of them; a concurrent commit that removed any rewritten file
 * (DELETE, UPDATE, MERGE, another OPTIMIZE, a deletion vector added to it) makes it fail with
 * CONCURRENT_DELETE_READ, because committing would resurrect or duplicate rows. A concurrent
 * metadata or protocol change fails it too.
 */
import type { Engine } from '../../engine.js';
import type { Expr } from '../../expr/ast.js';
import type { AddFile, RemoveFile } from '../../log/actions.js';
import type { Snapshot } from '../../table/snapshot.js';
import type { CommitResult } from '../../transaction/commit-loop.js';
import { Transaction } from '../../transaction/transaction.js';

export interface OptimizeCommit {
  /** New files (`dataChange: false`). */
  readonly adds: readonly AddFile[];
  /** Removes of the rewritten files (`dataChange: false`). */
  readonly removes: readonly RemoveFile[];
  /** The rewritten files as the snapshot lists them (recorded as read). */
  readonly readFiles: readonly AddFile[];
  /** The partition predicate that selected the files, recorded as read. */
  readonly predicate?: Expr;
  /** `operationParameters.predicate`: the predicates as text (JSON array). */
  readonly predicateTexts?: readonly string[];
  /** `operationParameters.zOrderBy` (JSON array). */
  readonly zOrderBy?: readonly string[];
  /** `operationParameters.clusterBy` (JSON array), for clustered tables. */
  readonly clusterBy?: readonly string[];
  /** `operationParameters.isFull`, written only with non-empty `clusterBy` (OPTIMIZE FULL). */
  readonly isFull?: boolean;
  /** `operationParameters.auto`: true for auto compaction. */
  readonly auto?: boolean;
  /** commitInfo.operationMetrics (see `optimizeOperationMetrics`). */
  readonly operationMetrics: Readonly<Record<string, number>>;
  readonly signal?: AbortSignal;
}

/** Commits `commit` on top of `snapshot` (retrying past concurrent appends); returns the commit result. */
export async function commitOptimize(engine: Engine, snapshot: Snapshot, commit: OptimizeCommit): Promise<CommitResult> {
  const clusterBy = commit.clusterBy ?? [];
  const tx = Transaction.begin(engine, snapshot, {
    operation: 'OPTIMIZE',
    operationParameters: {
      predicate: JSON.stringify(commit.predicateTexts ?? []),
      // Spark records zOrderBy empty when clustering.
      zOrderBy: JSON.stringify(clusterBy.length > 0 ? [] : (commit.zOrderBy ?? [])),
      clusterBy: JSON.stringify(clusterBy),
      auto: commit.auto ?? false,
      ...(clusterBy.length > 0 ? { isFull: commit.isFull ?? false } : {}),
    },
    ...(commit.signal ? { signal: commit.signal } : {}),
  });
  tx.readFiles(commit.readFiles);
  if (commit.predicate !== undefined) tx.readPredicate(commit.predicate);
  tx.removeFiles(commit.removes);
  tx.addFiles(commit.adds);
  tx.operationMetrics(commit.operationMetrics);
  return tx.commit();
}
