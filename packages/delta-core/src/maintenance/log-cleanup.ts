import type { Engine } from '../engine.js';
import { throwIfAborted } from '../errors.js';
import type { Metadata } from '../log/actions.js';
import { parseIntervalMs } from '../log/checkpoint-writer.js';
import { logDirOf } from '../log/log-path.js';
import { parseLogFileName, type LogFileName } from '../log/log-path.js';
import type { ObjectMeta } from '../storage/object-store.js';

/** `delta.logRetentionDuration` when the table does not set it. */
export const DEFAULT_LOG_RETENTION = 'interval 30 days';

export interface LogCleanupResult {
  /** The checkpoint version the log now starts at, when anything could be cleaned. */
  readonly keptFromVersion: number | undefined;
  readonly deleted: readonly string[];
}

/**
 * Deletes log files that only versions older than the retention window need.
 *
 * Contract: the log keeps starting at a complete checkpoint whose files are no newer than the
 * cutoff (now - `delta.logRetentionDuration`), so every version committed inside the window can
 * still be reconstructed and time traveled to. Everything with a smaller version (commits,
 * checkpoints, `.crc` files, compactions ending before it) is deleted. Without such a checkpoint,
 * nothing is deleted. Sidecars are left alone. Disabled by `delta.enableExpiredLogCleanup=false`.
 */
export async function cleanUpExpiredLogs(engine: Engine, tableRoot: string, metadata: Metadata, options: { signal?: AbortSignal } = {}): Promise<LogCleanupResult> {
  const conf = metadata.configuration;
  if ((conf['delta.enableExpiredLogCleanup'] ?? 'true').toLowerCase() === 'false') return { keptFromVersion: undefined, deleted: [] };
  const retention = parseIntervalMs(conf['delta.logRetentionDuration'] ?? DEFAULT_LOG_RETENTION, 'delta.logRetentionDuration');
  const cutoff = engine.clock.nowMs() - retention;
  const files: Array<{ name: Exclude<LogFileName, { type: 'lastCheckpoint' }>; meta: ObjectMeta }> = [];
  for await (const meta of engine.store.list(logDirOf(tableRoot), options.signal ? { signal: options.signal } : {})) {
    const name = parseLogFileName(meta.path.slice(meta.path.lastIndexOf('/') + 1));
    if (name && name.type !== 'lastCheckpoint') files.push({ name, meta });
  }
  const keep = newestExpiredCheckpoint(files, cutoff);
  if (keep === undefined) return { keptFromVersion: undefined, deleted: [] };
  const deleted: string[] = [];
  for (const f of files) {
    const end = f.name.type === 'compaction' ? f.name.endVersion : f.name.version;
    if (end >= keep) continue;
    throwIfAborted(options.signal);
    await engine.store.delete(f.meta.path);
    deleted.push(f.meta.path);
  }
  return { keptFromVersion: keep, deleted };
}

/** The newest version with a complete checkpoint written at or before `cutoff`. */
function newestExpiredCheckpoint(files: ReadonlyArray<{ name: LogFileName; meta: ObjectMeta }>, cutoff: number): number | undefined {
  const parts = new Map<string, { have: Set<number>; numParts: number; version: number; newest: number }>();
  let best: number | undefined;
  for (const { name, meta } of files) {
    if (name.type === 'classicCheckpoint' || name.type === 'uuidCheckpoint') {
      if (meta.lastModified <= cutoff && meta.size > 0) best = Math.max(best ?? -1, name.version);
    } else if (name.type === 'multiPartCheckpoint') {
      const key = `${name.version}/${name.numParts}`;
      const p = parts.get(key) ?? { have: new Set<number>(), numParts: name.numParts, version: name.version, newest: 0 };
      p.have.add(name.part);
      p.newest = Math.max(p.newest, meta.lastModified);
      parts.set(key, p);
    }
  }
  for (const p of parts.values()) if (p.have.size === p.numParts && p.newest <= cutoff) best = Math.max(best ?? -1, p.version);
  return best;
}
