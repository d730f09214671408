/**
 * VACUUM: deletes the files under a table's root that no version inside the retention window needs
 * (Delta Spark's `VacuumCommand`).
 *
 * Steps: the latest snapshot; the full writer-protocol check, unconditionally (what the
 * `vacuumProtocolCheck` feature requires, and what Spark does for every table); the retention
 * (RETENTION_TOO_SHORT below the table's unless disabled); the files still needed (live files and
 * unexpired tombstones, with their deletion-vector files); the candidates, from a listing of the
 * directory (full, see `full.ts`) or from the log (lite, see `lite.ts`). A dry run stops there.
 * Otherwise `VACUUM START` is committed, the files and then the empty directories are deleted,
 * `VACUUM END` is committed (`COMPLETED`, or `FAILED` when interrupted), and
 * `_delta_log/_last_vacuum_info` records the newest commit the window excluded, where the next
 * LITE run continues (Spark records it only after LITE runs; recording it after a full run too
 * lets LITE continue after a full VACUUM on a table whose early log was cleaned up).
 *
 * Safety: only paths listed under the root (full) or named by the log and resolved under the root
 * (lite) are candidates; `_delta_log` is never touched; links are never followed or deleted;
 * files younger than the cutoff stay, so files a concurrent writer has not committed yet survive
 * (unless the retention is made shorter than that writer's run). Time comes from `engine.clock`.
 */
import { DeltaError, throwIfAborted } from '../../errors.js';
import { checkWriteSupported } from '../../transaction/writer-features.js';
import { recordVacuumEnd, recordVacuumStart } from './commits.js';
import { planFullVacuum } from './full.js';
import { latestCommitBefore, planLiteVacuum, writeLastVacuumVersion } from './lite.js';
import { resolveRetention } from './retention.js';
import type { TableHandle, VacuumMode, VacuumOptions, VacuumPlan, VacuumResult } from './types.js';
import { validFiles } from './valid-files.js';

/** Deletions in flight at once. */
const DELETE_CONCURRENCY = 16;

export async function vacuumTable(table: TableHandle, options: VacuumOptions = {}): Promise<VacuumResult> {
  const { signal } = options;
  const mode = checkMode(options.mode);
  const dryRun = options.dryRun === true;
  const { engine, tableRoot } = table;
  const snapshot = await table.snapshot(signal ? { signal } : {});
  checkWriteSupported(snapshot.protocol, snapshot.metadata, tableRoot);
  const retention = resolveRetention(snapshot.metadata, tableRoot, options);
  const cutoff = engine.clock.nowMs() - retention.effectiveMs;
  const valid = validFiles(snapshot.state, cutoff);
  const latestOutside = mode === 'lite' || !dryRun ? await latestCommitBefore(engine, tableRoot, cutoff, signal) : undefined;
  const plan =
    mode === 'lite'
      ? await planLiteVacuum(engine, tableRoot, snapshot.version, valid, cutoff, latestOutside, signal)
      : await planFullVacuum(engine, tableRoot, snapshot.metadata, valid, cutoff, signal);
  const numFilesToDelete = plan.files.length + plan.directories.length;
  const sizeOfDataToDelete = plan.files.reduce((n, f) => n + f.size, 0);
  const base = {
    mode,
    dryRun,
    tableVersion: snapshot.version,
    numFilesToDelete,
    sizeOfDataToDelete,
    numVacuumedDirectories: plan.directoryCount,
    retentionMillis: retention.effectiveMs,
    defaultRetentionMillis: retention.defaultMs,
    minRetainedTimestamp: cutoff,
    ...(plan.eligibleStartCommitVersion === undefined ? {} : { eligibleStartCommitVersion: plan.eligibleStartCommitVersion, eligibleEndCommitVersion: plan.eligibleEndCommitVersion }),
  };
  if (dryRun) {
    return { ...base, paths: [...plan.files.map((f) => f.path), ...plan.directories], numDeletedFiles: 0, failed: [] };
  }
  throwIfAborted(signal);
  const startVersion = await recordVacuumStart(table, retention, { numFilesToDelete, sizeOfDataToDelete }, signal);
  let outcome: Deletions;
  try {
    outcome = await deletePlan(table, plan, signal);
  } catch (e) {
    await recordVacuumEnd(table, { status: 'FAILED' }).catch(() => undefined); // the original failure matters more
    throw e;
  }
  const endVersion = await recordVacuumEnd(table, { status: 'COMPLETED', numDeletedFiles: outcome.deleted.length, numVacuumedDirectories: plan.directoryCount });
  await writeLastVacuumVersion(engine, tableRoot, latestOutside);
  return { ...base, paths: outcome.deleted, numDeletedFiles: outcome.deleted.length, startVersion, endVersion, failed: outcome.failed };
}

function checkMode(mode: unknown): VacuumMode {
  if (mode === undefined || mode === 'full' || mode === 'lite') return mode ?? 'full';
  throw new DeltaError('INVALID_ARGUMENT', `VACUUM mode must be 'full' or 'lite', got ${JSON.stringify(mode)}.`, { details: { mode } });
}

interface Deletions {
  readonly deleted: string[];
  readonly failed: { path: string; message: string }[];
}

/**
 * Deletes the plan's files, then its directories deepest first (each only if still empty). A file
 * that cannot be deleted is reported and skipped, as Spark skips it; cancellation stops at once.
 */
async function deletePlan(table: TableHandle, plan: VacuumPlan, signal: AbortSignal | undefined): Promise<Deletions> {
  const store = table.engine.store;
  const out: Deletions = { deleted: [], failed: [] };
  const done = new Array<boolean>(plan.files.length).fill(false);
  let next = 0;
  const worker = async () => {
    while (next < plan.files.length) {
      const i = next++;
      throwIfAborted(signal);
      const path = plan.files[i]!.path;
      try {
        await store.delete(path);
        done[i] = true;
      } catch (e) {
        out.failed.push({ path, message: e instanceof Error ? e.message : String(e) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(DELETE_CONCURRENCY, plan.files.length) }, worker));
  plan.files.forEach((f, i) => done[i] && out.deleted.push(f.path));
  for (const dir of plan.directories) {
    throwIfAborted(signal);
    try {
      if (await store.deleteDirectory?.(dir)) out.deleted.push(dir);
    } catch (e) {
      out.failed.push({ path: dir, message: e instanceof Error ? e.message : String(e) });
    }
  }
  return out;
}
