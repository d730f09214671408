import type { Engine } from '../engine.js';
import { DeltaError } from '../errors.js';
import type { CommitInfo, Metadata } from './actions.js';
import { loadProtocolAndMetadata, readCommits } from './load-table-state.js';
import { logDirOf, type LogFile } from './log-path.js';
import { availableRange, listLogFiles, segmentFrom, tableNotFound, type LogListing } from './segment.js';

/**
 * Commit timestamps. A version's timestamp is its `commitInfo.inCommitTimestamp` when in-commit
 * timestamps are enabled for it (`delta.enableInCommitTimestamps` in the latest metadata, for
 * versions >= `delta.inCommitTimestampEnablementVersion`, or all versions when that is unset);
 * otherwise the commit file's modification time, made strictly increasing across versions (a
 * time not after its predecessor's becomes the predecessor's + 1 ms), as Delta Spark does.
 */

/** When in-commit timestamps apply: versions >= `fromVersion`; undefined when they are disabled. */
export function ictEnablement(metadata: Metadata | undefined): { fromVersion: number } | undefined {
  const c = metadata?.configuration;
  if (c?.['delta.enableInCommitTimestamps']?.toLowerCase() !== 'true') return undefined;
  const raw = c['delta.inCommitTimestampEnablementVersion'];
  const v = raw === undefined ? 0 : Number(raw);
  return { fromVersion: Number.isSafeInteger(v) && v >= 0 ? v : 0 };
}

/** Strictly increasing copy of `times`: each value is at least its predecessor + 1. */
export function monotonize(times: readonly number[]): number[] {
  const out = times.slice();
  for (let i = 1; i < out.length; i++) if (out[i]! <= out[i - 1]!) out[i] = out[i - 1]! + 1;
  return out;
}

/** One listing of the log plus what is needed to date its commits. */
interface Timeline {
  readonly tableRoot: string;
  /** Commit files in ascending version order. */
  readonly commits: readonly LogFile[];
  /** Monotonized file times, parallel to `commits`. */
  readonly fileTimes: readonly number[];
  readonly ict: { fromVersion: number } | undefined;
  /** Oldest version that can be reconstructed (time travel never resolves below it). */
  readonly earliest: number;
}

async function timeline(engine: Engine, tableRoot: string, signal?: AbortSignal): Promise<Timeline> {
  const listing: LogListing = await listLogFiles(engine, logDirOf(tableRoot), undefined, signal);
  if (listing.commits.size === 0 && listing.checkpoints.size === 0) throw await tableNotFound(engine, tableRoot, logDirOf(tableRoot));
  const segment = segmentFrom(tableRoot, logDirOf(tableRoot), listing, undefined, undefined);
  const { metadata } = await loadProtocolAndMetadata(engine, segment, signal);
  const commits = [...listing.commits.values()].sort((a, b) => a.name.version - b.name.version);
  const range = availableRange(listing);
  return {
    tableRoot,
    commits,
    fileTimes: monotonize(commits.map((c) => c.meta.lastModified)),
    ict: ictEnablement(metadata),
    earliest: range?.reconstructable ? range.earliest : 0,
  };
}

/** A commit's in-commit timestamp, or undefined when its commitInfo lacks one. */
function inCommitTimestamp(actions: readonly { kind: string; commitInfo?: CommitInfo }[]): number | undefined {
  for (const a of actions) if (a.kind === 'commitInfo') return a.commitInfo?.inCommitTimestamp;
  return undefined;
}

function commitInfoOf(actions: readonly { kind: string; commitInfo?: CommitInfo }[]): CommitInfo | undefined {
  for (const a of actions) if (a.kind === 'commitInfo') return a.commitInfo;
  return undefined;
}

function usesIct(t: Timeline, version: number): boolean {
  return t.ict !== undefined && version >= t.ict.fromVersion;
}

/** An entry of {@link readHistory}. */
export interface HistoryEntry {
  readonly version: number;
  /** Commit timestamp in ms since the epoch (see the module doc for its source). */
  readonly timestamp: number;
  readonly commitInfo?: CommitInfo;
}

/** The commits of the table, newest first, at most `limit` of them (all when absent). */
export async function readHistory(engine: Engine, tableRoot: string, options: { limit?: number; signal?: AbortSignal } = {}): Promise<HistoryEntry[]> {
  const t = await timeline(engine, tableRoot, options.signal);
  const limit = options.limit ?? t.commits.length;
  if (!Number.isSafeInteger(limit) || limit < 0) {
    throw new DeltaError('INVALID_ARGUMENT', `History limit ${limit} is not valid: pass a non-negative integer.`, { details: { limit } });
  }
  const idx = t.commits.map((_, i) => i).reverse().slice(0, limit);
  const actions = await readCommits(engine, idx.map((i) => t.commits[i]!), options.signal);
  return idx.map((i, k) => {
    const file = t.commits[i]!;
    const version = file.name.version;
    const info = commitInfoOf(actions[k]!);
    const ict = usesIct(t, version) ? info?.inCommitTimestamp : undefined;
    return { version, timestamp: ict ?? t.fileTimes[i]!, commitInfo: info };
  });
}

/** The dated commits of a timeline that time travel may resolve to: indexes `first`..`last`. */
interface DatedCommits {
  readonly t: Timeline;
  readonly first: number;
  readonly last: number;
  /** The commit timestamp of the commit at an index (reads the commit only for in-commit timestamps). */
  readonly timeOf: (i: number) => Promise<number>;
}

async function datedCommits(engine: Engine, tableRoot: string, timestampMs: number, signal: AbortSignal | undefined): Promise<DatedCommits> {
  if (!Number.isFinite(timestampMs)) {
    throw new DeltaError('INVALID_ARGUMENT', `Timestamp ${timestampMs} is not valid: pass milliseconds since the epoch.`, { details: { timestampMs } });
  }
  const t = await timeline(engine, tableRoot, signal);
  const first = t.commits.findIndex((c) => c.name.version >= t.earliest);
  if (first < 0) throw new DeltaError('TIMESTAMP_OUT_OF_RANGE', `The table at ${tableRoot} has no commit files to resolve a timestamp against.`, { details: { tableRoot } });
  const cache = new Map<number, number>();
  const timeOf = async (i: number): Promise<number> => {
    const file = t.commits[i]!;
    if (!usesIct(t, file.name.version)) return t.fileTimes[i]!;
    let ts = cache.get(i);
    if (ts === undefined) {
      const [actions] = await readCommits(engine, [file], signal);
      ts = inCommitTimestamp(actions!) ?? t.fileTimes[i]!;
      cache.set(i, ts);
    }
    return ts;
  };
  return { t, first, last: t.commits.length - 1, timeOf };
}

/**
 * The latest version whose commit timestamp is <= `timestampMs`. A time after the latest commit
 * gives the latest version; a time before the earliest reconstructable commit fails with
 * TIMESTAMP_OUT_OF_RANGE naming the earliest commit and its timestamp.
 */
export async function resolveVersionAtTimestamp(engine: Engine, tableRoot: string, timestampMs: number, options: { signal?: AbortSignal } = {}): Promise<number> {
  const { t, first, last, timeOf } = await datedCommits(engine, tableRoot, timestampMs, options.signal);
  const firstTime = await timeOf(first);
  if (timestampMs < firstTime) {
    const earliest = t.commits[first]!.name.version;
    throw new DeltaError(
      'TIMESTAMP_OUT_OF_RANGE',
      `Timestamp ${new Date(timestampMs).toISOString()} is before the earliest available commit of the table at ${tableRoot} (version ${earliest} at ${new Date(firstTime).toISOString()}). Use a timestamp at or after it.`,
      { details: { tableRoot, timestampMs, earliestVersion: earliest, earliestTimestampMs: firstTime } },
    );
  }
  // Binary search for the last index with time <= T; timestamps increase with the version
  // within the file-time range and within the ICT range, and the ICT range starts after it.
  let lo = first;
  let hi = last;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((await timeOf(mid)) <= timestampMs) lo = mid;
    else hi = mid - 1;
  }
  return t.commits[lo]!.name.version;
}

/**
 * The earliest version whose commit timestamp is >= `timestampMs` (where a change feed given a
 * starting timestamp begins, as in Delta Spark). A time at or before the earliest reconstructable
 * commit gives that commit; a time after the latest commit fails with TIMESTAMP_OUT_OF_RANGE,
 * whose details carry `latestVersion` and `latestTimestampMs`.
 */
export async function resolveVersionAtOrAfterTimestamp(engine: Engine, tableRoot: string, timestampMs: number, options: { signal?: AbortSignal } = {}): Promise<number> {
  const { t, first, last, timeOf } = await datedCommits(engine, tableRoot, timestampMs, options.signal);
  const lastTime = await timeOf(last);
  if (timestampMs > lastTime) {
    const latest = t.commits[last]!.name.version;
    throw new DeltaError(
      'TIMESTAMP_OUT_OF_RANGE',
      `Timestamp ${new Date(timestampMs).toISOString()} is after the latest commit of the table at ${tableRoot} (version ${latest} at ${new Date(lastTime).toISOString()}), so no version starts at or after it. Use a timestamp at or before it.`,
      { details: { tableRoot, timestampMs, latestVersion: latest, latestTimestampMs: lastTime } },
    );
  }
  // Binary search for the first index with time >= T (same ordering argument as above).
  let lo = first;
  let hi = last;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((await timeOf(mid)) >= timestampMs) hi = mid;
    else lo = mid + 1;
  }
  return t.commits[lo]!.name.version;
}
