import type { Snapshot } from '@deltakit/core';
import { DeltaError } from '@deltakit/core';

/**
 * An application transaction: Delta's `txnAppId`/`txnVersion` (the `txn` action). A statement
 * run with one is idempotent per `appId`: it is skipped when the table already records a version
 * >= `version` for `appId`, and otherwise commits `txn{appId, version}` with its changes. A
 * streaming `foreachBatch` passes its query id and batch id, so a batch replayed after a crash is
 * not applied twice.
 */
export interface AppTransaction {
  readonly appId: string;
  readonly version: bigint;
}

/** Options every DML statement takes. */
export interface DmlOptions {
  readonly signal?: AbortSignal;
  /** commitInfo.engineInfo; default `deltakit/<version>`. */
  readonly engineInfo?: string;
  /**
   * Idempotent statement (Delta's `txnAppId`/`txnVersion`): skipped, with `skipped: true` and
   * zero metrics, when the table's `txn` version for `appId` is already >= `version`; otherwise
   * the commit records `txn{appId, version}`, even when the statement changes no row (see
   * `commitDml`).
   */
  readonly appTransaction?: AppTransaction;
}

/**
 * Throws INVALID_ARGUMENT unless `app` is absent or a non-empty string `appId` with a bigint
 * `version` (the same check, and message, as core's `writeTable`).
 */
export function checkAppTransaction(app: AppTransaction | undefined): void {
  if (app === undefined) return;
  const ok = typeof app === 'object' && app !== null && typeof app.appId === 'string' && app.appId !== '' && typeof app.version === 'bigint';
  if (!ok) throw new DeltaError('INVALID_ARGUMENT', 'appTransaction needs a non-empty string appId and a bigint version, e.g. { appId: "job-1", version: 7n }.');
}

/** True when `snapshot` already records version >= `app.version` for `app.appId` (Spark's `hasBeenExecuted`). */
export function appTransactionApplied(snapshot: Snapshot, app: AppTransaction | undefined): boolean {
  return app !== undefined && (snapshot.appTransactions.get(app.appId) ?? -1n) >= app.version;
}
