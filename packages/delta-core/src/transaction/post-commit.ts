import type { Engine } from '../engine.js';
import type { Metadata } from '../log/actions.js';
import { writeCheckpoint } from '../log/checkpoint-writer.js';
import { loadTableState } from '../log/load-table-state.js';
import { cleanUpExpiredLogs } from '../maintenance/log-cleanup.js';

/** `delta.checkpointInterval` when the table does not set it. */
export const DEFAULT_CHECKPOINT_INTERVAL = 10;

/** What happened after a commit; never a reason for the commit to fail. */
export interface PostCommitOutcome {
  /** The version a checkpoint was written for. */
  readonly checkpointVersion?: number;
  /** Log files deleted by expired-log cleanup. */
  readonly deletedLogFiles: number;
  /** Problems met after the commit succeeded (the commit stands regardless). */
  readonly warnings: readonly string[];
}

/** The table's checkpoint interval: a positive integer property, else the default. */
export function checkpointInterval(metadata: Metadata): number {
  const n = Number(metadata.configuration['delta.checkpointInterval']);
  return Number.isSafeInteger(n) && n > 0 ? n : DEFAULT_CHECKPOINT_INTERVAL;
}

/**
 * Runs after a successful commit: writes a checkpoint every `delta.checkpointInterval` versions,
 * then deletes expired log files behind it. Both are optimizations, so any failure becomes a
 * warning and the committed version stands.
 */
export async function afterCommit(engine: Engine, tableRoot: string, version: number, metadata: Metadata): Promise<PostCommitOutcome> {
  if (version === 0 || version % checkpointInterval(metadata) !== 0) return { deletedLogFiles: 0, warnings: [] };
  const warnings: string[] = [];
  let checkpointVersion: number | undefined;
  let deletedLogFiles = 0;
  try {
    const state = await loadTableState(engine, tableRoot, { version });
    await writeCheckpoint(engine, tableRoot, state);
    checkpointVersion = version;
    deletedLogFiles = (await cleanUpExpiredLogs(engine, tableRoot, state.metadata)).deleted.length;
  } catch (e) {
    warnings.push(`Post-commit checkpoint or log cleanup at version ${version} failed (the commit itself succeeded): ${e instanceof Error ? e.message : String(e)}`);
  }
  return { ...(checkpointVersion === undefined ? {} : { checkpointVersion }), deletedLogFiles, warnings };
}
