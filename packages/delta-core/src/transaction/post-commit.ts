import type { Engine } from '../engine.js';
import type { AddFile, Metadata } from '../log/actions.js';
import { writeCheckpoint } from '../log/checkpoint-writer.js';
import { loadTableState } from '../log/load-table-state.js';
import { cleanUpExpiredLogs } from '../maintenance/log-cleanup.js';
import { autoCompactSettings, type AutoCompactionOutcome, type AutoCompactOption } from '../maintenance/optimize/auto-settings.js';

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
  /** What auto compaction did, when it is enabled and the commit wrote data files. */
  readonly autoCompaction?: AutoCompactionOutcome;
}

/** The committed work post-commit hooks look at. */
export interface CommittedWork {
  /** commitInfo.operation of the commit. */
  readonly operation: string;
  /** The add actions it committed. */
  readonly adds: readonly AddFile[];
  /** The transaction's auto-compaction option (overrides the table property). */
  readonly autoCompact?: AutoCompactOption;
  readonly timeZone?: string;
  readonly signal?: AbortSignal;
}

/** The table's checkpoint interval: a positive integer property, else the default. */
export function checkpointInterval(metadata: Metadata): number {
  const n = Number(metadata.configuration['delta.checkpointInterval']);
  return Number.isSafeInteger(n) && n > 0 ? n : DEFAULT_CHECKPOINT_INTERVAL;
}

/**
 * Runs after a successful commit: writes a checkpoint every `delta.checkpointInterval` versions,
 * then deletes expired log files behind it; then, when auto compaction is on and the commit wrote
 * data files (and is not itself an OPTIMIZE), compacts the partitions it wrote to (see
 * maintenance/optimize/auto-compact.ts). All of these are optimizations, so any failure becomes a
 * warning or note and the committed version stands.
 */
export async function afterCommit(engine: Engine, tableRoot: string, version: number, metadata: Metadata, work?: CommittedWork): Promise<PostCommitOutcome> {
  const outcome = await checkpointAfter(engine, tableRoot, version, metadata);
  if (work === undefined || work.operation === 'OPTIMIZE' || work.adds.length === 0) return outcome;
  let settings;
  try {
    settings = autoCompactSettings(metadata, work.autoCompact);
  } catch (e) {
    return { ...outcome, autoCompaction: { compacted: false, note: `Auto compaction is misconfigured (the commit itself succeeded): ${e instanceof Error ? e.message : String(e)}` } };
  }
  if (settings === undefined) return outcome;
  // Loaded on demand: the OPTIMIZE machinery depends on transactions, which import this module.
  const { autoCompact } = await import('../maintenance/optimize/auto-compact.js');
  const autoCompaction = await autoCompact(engine, { tableRoot, adds: work.adds, ...(work.timeZone ? { timeZone: work.timeZone } : {}), ...(work.signal ? { signal: work.signal } : {}) }, settings);
  return { ...outcome, autoCompaction };
}

async function checkpointAfter(engine: Engine, tableRoot: string, version: number, metadata: Metadata): Promise<PostCommitOutcome> {
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
