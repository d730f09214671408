import type { Engine, Expr, Metadata, Protocol, Snapshot, WriteIsolationLevel } from '@deltakit/core';
import { DeltaError, Transaction } from '@deltakit/core';
import type { AddFile } from '@deltakit/core';
import type { AppTransaction } from '../options.js';
import type { DmlChanges } from './change-set.js';

export interface DmlCommitOptions {
  /** commitInfo.operation, e.g. `DELETE`, `UPDATE`, `MERGE`. */
  readonly operation: string;
  /** commitInfo.operationParameters (values written as strings, as Spark does). */
  readonly operationParameters: Readonly<Record<string, unknown>>;
  /** commitInfo.operationMetrics. */
  readonly metrics: Readonly<Record<string, unknown>>;
  /**
   * What the statement read, for conflict detection:
   * - `predicate`: a condition over the table (bindable against its schema): concurrently added
   *   files that may match it conflict (CONCURRENT_APPEND), unless they are blind appends under
   *   WriteSerializable;
   * - `wholeTable`: the statement depends on every file (e.g. no condition);
   * - `files`: the files it scanned or removed: their concurrent removal conflicts
   *   (CONCURRENT_DELETE_READ). Files this commit removes also conflict with concurrent removals
   *   of the same files (CONCURRENT_DELETE_DELETE).
   */
  readonly read: { readonly predicate?: Expr; readonly wholeTable?: boolean; readonly files: readonly Pick<AddFile, 'path'>[] };
  readonly isolationLevel?: WriteIsolationLevel;
  /** A metadata (and protocol) change the statement commits with its actions (MERGE schema evolution). */
  readonly metadata?: Metadata;
  readonly protocol?: Protocol;
  /**
   * The statement's application transaction (already checked not to be applied in `snapshot`):
   * the commit reads `appId` (a concurrent commit recording it fails this one with
   * CONCURRENT_TRANSACTION) and records `txn{appId, version, lastUpdated: engine clock}`.
   */
  readonly appTransaction?: AppTransaction;
  readonly engineInfo?: string;
  readonly signal?: AbortSignal;
}

/** Outcome of {@link commitDml}. */
export interface DmlCommitResult {
  /** The table version after the statement: the new commit, or the read version when nothing changed. */
  readonly version: number;
  /**
   * False when the statement changed nothing and has no application transaction, so no commit was
   * written (Spark skips empty DML commits).
   */
  readonly committed: boolean;
}

/**
 * Commits the actions of a finished change set on the snapshot it was built from, recording the
 * statement's reads for Delta's conflict rules. A change set with no action (and no metadata
 * change) is not committed, as Delta Spark elides empty DML commits — unless the statement has an
 * application transaction: then the commit holds just the `txn` action, so that a replay of the
 * statement is recognised as done and skipped. That is what Spark's UPDATE and MERGE do (they
 * prepend the `SetTransaction` to their actions, so `commitIfNeeded` never sees an empty list).
 * Spark's DELETE attaches it only when it removes something, so a no-op DELETE there records no
 * `txn`; deltakit records it for DELETE too, so that every statement of a replayed batch is
 * skipped alike (a replayed no-op DELETE could otherwise delete rows appended since).
 */
export async function commitDml(engine: Engine, snapshot: Snapshot, changes: DmlChanges, options: DmlCommitOptions): Promise<DmlCommitResult> {
  const noActions = changes.adds.length === 0 && changes.removes.length === 0 && changes.cdc.length === 0;
  const app = options.appTransaction;
  if (noActions && options.metadata === undefined && app === undefined) return { version: snapshot.version, committed: false };
  const tx = Transaction.begin(engine, snapshot, {
    operation: options.operation,
    operationParameters: options.operationParameters,
    ...(options.isolationLevel === undefined ? {} : { isolationLevel: options.isolationLevel }),
    ...(options.engineInfo === undefined ? {} : { engineInfo: options.engineInfo }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  if (options.protocol !== undefined) tx.updateProtocol(options.protocol);
  if (options.metadata !== undefined) tx.updateMetadata(options.metadata);
  if (options.read.wholeTable) tx.readWholeTable();
  if (options.read.predicate !== undefined) tx.readPredicate(options.read.predicate);
  tx.readFiles(options.read.files);
  if (app !== undefined) tx.readAppTransaction(app.appId).setAppTransaction(app.appId, app.version);
  tx.removeFiles(changes.removes);
  tx.addFiles(changes.adds);
  tx.addCdcFiles(changes.cdc);
  tx.operationMetrics(options.metrics);
  const { version } = await tx.commit();
  return { version, committed: true };
}

/**
 * Throws APPEND_ONLY_VIOLATION before anything is read or written when `operation` would remove
 * rows from an append-only table (`delta.appendOnly=true`), as Spark's `DeltaLog.assertRemovable`.
 */
export function assertRemovable(snapshot: Snapshot, operation: string): void {
  if (snapshot.properties['delta.appendOnly']?.toLowerCase() !== 'true') return;
  throw new DeltaError(
    'APPEND_ONLY_VIOLATION',
    `${operation} cannot run on the table at ${snapshot.tableRoot}: it is append-only (delta.appendOnly=true), so rows may only be added. Nothing was changed. To ${operation === 'DELETE' ? 'delete' : 'change'} rows, first set delta.appendOnly=false.`,
    { details: { tableRoot: snapshot.tableRoot, operation } },
  );
}
