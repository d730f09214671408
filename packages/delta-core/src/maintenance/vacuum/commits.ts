/**
 * The `VACUUM START` and `VACUUM END` commits Spark records around the deletions: commits with no
 * actions besides commitInfo (operation parameters and metrics), so no writer ever conflicts with
 * them. They read nothing, so only a concurrent metadata or protocol change makes one lose its
 * race; it is then simply recorded again on the new latest version.
 */
import { isDeltaError } from '../../errors.js';
import { Transaction } from '../../transaction/transaction.js';
import type { Retention } from './retention.js';
import type { TableHandle } from './types.js';

/** Attempts to record one event before giving up on a table whose metadata keeps changing. */
const EVENT_ATTEMPTS = 10;

async function recordEvent(
  table: TableHandle,
  operation: string,
  operationParameters: Record<string, unknown>,
  operationMetrics: Record<string, unknown>,
  signal: AbortSignal | undefined,
): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const snapshot = await table.snapshot(signal ? { signal } : {});
    const txn = Transaction.begin(table.engine, snapshot, { operation, operationParameters, ...(signal ? { signal } : {}) });
    if (Object.keys(operationMetrics).length > 0) txn.operationMetrics(operationMetrics);
    try {
      return (await txn.commit()).version;
    } catch (e) {
      if (attempt < EVENT_ATTEMPTS && isDeltaError(e, 'METADATA_CHANGED', 'PROTOCOL_CHANGED')) continue;
      throw e;
    }
  }
}

/** Records `VACUUM START` with what is about to be deleted; returns its version. */
export function recordVacuumStart(
  table: TableHandle,
  retention: Retention,
  metrics: { numFilesToDelete: number; sizeOfDataToDelete: number },
  signal: AbortSignal | undefined,
): Promise<number> {
  const parameters: Record<string, unknown> = { retentionCheckEnabled: retention.checkEnabled, defaultRetentionMillis: retention.defaultMs };
  if (retention.specifiedMs !== undefined) parameters.specifiedRetentionMillis = retention.specifiedMs;
  return recordEvent(table, 'VACUUM START', parameters, metrics, signal);
}

/**
 * Records `VACUUM END`: `COMPLETED` with the deletion metrics, or `FAILED` (no metrics) when the
 * deletions were interrupted. Returns its version.
 */
export function recordVacuumEnd(
  table: TableHandle,
  outcome: { status: 'COMPLETED'; numDeletedFiles: number; numVacuumedDirectories: number } | { status: 'FAILED' },
): Promise<number> {
  const metrics = outcome.status === 'COMPLETED' ? { numDeletedFiles: outcome.numDeletedFiles, numVacuumedDirectories: outcome.numVacuumedDirectories } : {};
  // No signal: the end of a cancelled VACUUM must still be recorded.
  return recordEvent(table, 'VACUUM END', { status: outcome.status }, metrics, undefined);
}
