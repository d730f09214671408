/**
 * RESTORE: brings a table back to an earlier version in one commit (Delta Spark's
 * `RestoreTableCommand`).
 *
 * The files of the restored version and of the latest one are compared as logical files (path and
 * deletion vector): files added since are removed (`dataChange: true`), files removed since are
 * added back as they were (statistics, deletion vector, tags; `dataChange: true`), so the change
 * feed across a RESTORE is derived from those actions (no change-data files are written): the
 * rows brought back read as inserts, the rows taken away as deletes, and a file that only gained
 * or lost a deletion vector yields exactly the rows the vector hides or shows again.
 *
 * The metadata (schema, partitioning, properties) becomes the restored version's; the protocol
 * becomes the merge of both versions' (never downgraded, as Spark does by default); a
 * `delta.clustering` domain, when the table has one, gets the restored version's clustering
 * columns. Before committing, every file to bring back (and its deletion-vector file) must exist:
 * otherwise RESTORE_FILES_MISSING names them. As in Spark, a version older than the table's
 * `delta.deletedFileRetentionDuration` is refused (VERSION_BEYOND_RETENTION), since VACUUM may have
 * deleted its files at any moment; `enforceRetention: false` skips that check.
 *
 * The commit reads the whole table at Serializable isolation: any concurrent change conflicts.
 */
import { DeltaError, isDeltaError, throwIfAborted } from '../errors.js';
import type { AddFile } from '../log/actions.js';
import { ictEnablement, monotonize } from '../log/commit-timestamps.js';
import { logDirOf } from '../log/log-path.js';
import { fileActionKey, resolveLogPath } from '../log/paths.js';
import { listLogFiles } from '../log/segment.js';
import type { Snapshot } from '../table/snapshot.js';
import { Transaction } from '../transaction/transaction.js';
import { removeFor } from '../write/table-setup.js';
import { deletionVectorLocation } from '../deletion-vectors/load.js';
import { tombstoneRetentionMs, TOMBSTONE_RETENTION_KEY } from './interval.js';
import { mergeProtocols } from './protocol-merge.js';
import type { Engine } from '../engine.js';

export type RestoreTarget = { readonly version: number } | { readonly timestamp: string | Date | number };

export interface RestoreOptions {
  readonly signal?: AbortSignal;
  /**
   * Default true: refuse a version older than `delta.deletedFileRetentionDuration`, as Spark does
   * (`spark.databricks.delta.vacuum.enforceTimeTravelWithinDeletedFileRetentionDuration`).
   */
  readonly enforceRetention?: boolean;
}

/** Spark's RESTORE metrics, plus the versions involved. */
export interface RestoreMetrics {
  /** Bytes of the table's files after the restore. */
  readonly tableSizeAfterRestore: number;
  readonly numOfFilesAfterRestore: number;
  /** Files removed because they were added after the restored version. */
  readonly numRemovedFiles: number;
  /** Files added back because they were removed after the restored version. */
  readonly numRestoredFiles: number;
  readonly removedFilesSize: number;
  readonly restoredFilesSize: number;
  /** The version restored to. */
  readonly restoredVersion: number;
  /** The version of the RESTORE commit. */
  readonly version: number;
}

/** The table as RESTORE sees it: a DeltaTable satisfies this. */
export interface RestoreTableHandle {
  readonly engine: Engine;
  readonly tableRoot: string;
  snapshot(request?: { version?: number; timestamp?: string | Date | number; signal?: AbortSignal }): Promise<Snapshot>;
}

/** Missing files named in the error, at most. */
const MAX_NAMED_MISSING = 100;
/** Existence checks in flight at once. */
const HEAD_CONCURRENCY = 32;
const CLUSTERING_DOMAIN = 'delta.clustering';

export async function restoreTable(table: RestoreTableHandle, target: RestoreTarget, options: RestoreOptions = {}): Promise<RestoreMetrics> {
  const { signal } = options;
  const { engine, tableRoot } = table;
  const by = checkTarget(target);
  const latest = await table.snapshot(signal ? { signal } : {});
  const source = await table.snapshot({ ...by, ...(signal ? { signal } : {}) });
  if (source.version >= latest.version) {
    throw new DeltaError(
      'INVALID_ARGUMENT',
      `Cannot restore ${tableRoot} to version ${source.version}: it is the latest version, and RESTORE goes back to an earlier one. Pass a version below ${latest.version}.`,
      { details: { tableRoot, version: source.version, latestVersion: latest.version } },
    );
  }
  if (options.enforceRetention !== false) await checkWithinRetention(engine, latest, source, signal);
  const { adds, removes } = fileDiff(source, latest, engine.clock.nowMs());
  await checkFilesExist(engine, tableRoot, source.version, adds, signal);
  throwIfAborted(signal);

  const sum = (files: readonly { size?: number }[]) => files.reduce((n, f) => n + (f.size ?? 0), 0);
  const metrics = {
    tableSizeAfterRestore: sum(source.addFiles),
    numOfFilesAfterRestore: source.addFiles.length,
    numRemovedFiles: removes.length,
    numRestoredFiles: adds.length,
    removedFilesSize: sum(removes),
    restoredFilesSize: sum(adds),
  };
  const parameters = 'version' in by ? { version: by.version } : { timestamp: timestampText(by.timestamp) };
  const txn = Transaction.begin(engine, latest, { operation: 'RESTORE', operationParameters: parameters, isolationLevel: 'Serializable', ...(signal ? { signal } : {}) });
  txn.readWholeTable();
  txn.updateMetadata(source.metadata);
  txn.updateProtocol(mergeProtocols(source.protocol, latest.protocol));
  const clustering = clusteringDomain(source, latest);
  if (clustering !== undefined) txn.setFeatureDomainMetadata(CLUSTERING_DOMAIN, clustering);
  txn.removeFiles(removes).addFiles(adds).operationMetrics(metrics);
  const { version } = await txn.commit();
  return { ...metrics, restoredVersion: source.version, version };
}

function checkTarget(target: RestoreTarget): { version: number } | { timestamp: string | Date | number } {
  const t = (target ?? {}) as { version?: unknown; timestamp?: unknown };
  const hasVersion = t.version !== undefined;
  const hasTimestamp = t.timestamp !== undefined;
  if (hasVersion === hasTimestamp) {
    throw new DeltaError('INVALID_ARGUMENT', 'RESTORE needs exactly one of { version } or { timestamp } to say which version to bring back.');
  }
  if (hasVersion) {
    if (typeof t.version !== 'number' || !Number.isSafeInteger(t.version) || t.version < 0) {
      throw new DeltaError('INVALID_ARGUMENT', `Version must be a non-negative integer, got ${String(t.version)}.`, { details: { version: t.version } });
    }
    return { version: t.version };
  }
  return { timestamp: t.timestamp as string | Date | number };
}

function timestampText(t: string | Date | number): string {
  return typeof t === 'string' ? t : new Date(t).toISOString();
}

/**
 * Logical files (path + deletion vector) of `source` missing from `latest` come back as adds;
 * those of `latest` missing from `source` leave as removes stamped `now`.
 */
function fileDiff(source: Snapshot, latest: Snapshot, now: number): { adds: AddFile[]; removes: ReturnType<typeof removeFor>[] } {
  const root = latest.tableRoot;
  const key = (a: AddFile) => fileActionKey(root, a.path, a.deletionVector);
  const sourceKeys = new Set(source.addFiles.map(key));
  const latestKeys = new Set(latest.addFiles.map(key));
  return {
    adds: source.addFiles.filter((a) => !latestKeys.has(key(a))).map((a) => ({ ...a, dataChange: true })),
    removes: latest.addFiles.filter((a) => !sourceKeys.has(key(a))).map((a) => removeFor(a, now)),
  };
}

/** Refuses a source version committed before now minus the table's deleted-file retention. */
async function checkWithinRetention(engine: Engine, latest: Snapshot, source: Snapshot, signal: AbortSignal | undefined): Promise<void> {
  const retention = tombstoneRetentionMs(latest.metadata);
  const now = engine.clock.nowMs();
  const committed = await commitTimestamp(engine, latest, source, signal);
  if (committed >= now - retention) return;
  const hours = Math.ceil(retention / 3_600_000);
  throw new DeltaError(
    'VERSION_BEYOND_RETENTION',
    `Cannot restore ${latest.tableRoot} to version ${source.version}: it was committed at ${new Date(committed).toISOString()}, more than ${hours} hours ago (${TOMBSTONE_RETENTION_KEY}), so VACUUM may have deleted its files, now or while the restore runs. ` +
      `Restore a version within the last ${hours} hours, or, if no VACUUM with a shorter retention has run, pass enforceRetention: false (deltakit restore --force-retention).`,
    { details: { tableRoot: latest.tableRoot, version: source.version, committedAt: committed, retentionMillis: retention } },
  );
}

/**
 * The commit timestamp of `source`'s version as the history reports it: its in-commit timestamp
 * when those are enabled for it, else its commit file's time made monotonic over the log (a
 * version known only from a checkpoint is dated by the checkpoint file).
 */
async function commitTimestamp(engine: Engine, latest: Snapshot, source: Snapshot, signal: AbortSignal | undefined): Promise<number> {
  const ict = ictEnablement(latest.metadata);
  const inCommit = source.commitInfo?.inCommitTimestamp;
  if (ict !== undefined && source.version >= ict.fromVersion && inCommit !== undefined) return inCommit;
  const listing = await listLogFiles(engine, logDirOf(latest.tableRoot), undefined, signal);
  const commits = [...listing.commits.values()].sort((a, b) => a.name.version - b.name.version);
  const times = monotonize(commits.map((c) => c.meta.lastModified));
  const i = commits.findIndex((c) => c.name.version === source.version);
  if (i >= 0) return times[i]!;
  return listing.checkpoints.get(source.version)?.[0]?.meta.lastModified ?? 0;
}

/** Throws RESTORE_FILES_MISSING unless every data file to add back, and its deletion-vector file, exists. */
async function checkFilesExist(engine: Engine, tableRoot: string, version: number, adds: readonly AddFile[], signal: AbortSignal | undefined): Promise<void> {
  const paths = new Set<string>();
  for (const a of adds) {
    paths.add(resolveLogPath(tableRoot, a.path));
    if (a.deletionVector !== undefined && a.deletionVector.storageType !== 'i') {
      const loc = deletionVectorLocation(tableRoot, a.deletionVector);
      if (loc.kind === 'file') paths.add(loc.path);
    }
  }
  const list = [...paths];
  const missing: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < list.length) {
      const path = list[next++]!;
      throwIfAborted(signal);
      try {
        await engine.store.head(path);
      } catch (e) {
        if (!isDeltaError(e, 'FILE_NOT_FOUND')) throw e;
        missing.push(path);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(HEAD_CONCURRENCY, list.length) }, worker));
  if (missing.length === 0) return;
  missing.sort();
  const named = missing.slice(0, MAX_NAMED_MISSING);
  throw new DeltaError(
    'RESTORE_FILES_MISSING',
    `Cannot restore ${tableRoot} to version ${version}: ${missing.length} file(s) of that version no longer exist (deleted by VACUUM or by hand): ${named.join(', ')}${missing.length > named.length ? `, and ${missing.length - named.length} more` : ''}. ` +
      `Nothing was committed. Restore a later version whose files are still present, or put the files back from a backup.`,
    { details: { tableRoot, version, missingFiles: named, numMissingFiles: missing.length } },
  );
}

/**
 * The `delta.clustering` domain configuration to commit: only when the latest version has that
 * domain, set to the restored version's clustering columns (none when it was not clustered), as
 * Spark does.
 */
function clusteringDomain(source: Snapshot, latest: Snapshot): string | undefined {
  if (!latest.domainMetadata.has(CLUSTERING_DOMAIN)) return undefined;
  return source.domainMetadata.get(CLUSTERING_DOMAIN) ?? '{"clusteringColumns":[]}';
}
