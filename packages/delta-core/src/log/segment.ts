import type { Engine } from '../engine.js';
import { DeltaError, isDeltaError, throwIfAborted } from '../errors.js';
import type { ObjectMeta } from '../storage/object-store.js';
import { readLastCheckpoint, type LastCheckpointHint } from './last-checkpoint.js';
import { baseName, formatVersion, logDirOf, parseLogFileName, type LogFile } from './log-path.js';

/** A complete checkpoint: one classic or UUID-named file, or every part of a multi-part one. */
export interface CheckpointFiles {
  readonly version: number;
  readonly type: 'classic' | 'multiPart' | 'uuid';
  /** `parquet`, or `json` for a UUID-named V2 checkpoint written as JSON. */
  readonly format: 'parquet' | 'json';
  /** The files, parts in part order. */
  readonly files: readonly ObjectMeta[];
}

/**
 * The log files needed to reconstruct the table at one version.
 *
 * Invariants:
 * - `commits` are in ascending version order with no gaps; the first is `checkpoint.version + 1`
 *   (or 0 without a checkpoint) and the last is `version`. It is empty when the snapshot version
 *   is the checkpoint's version.
 * - `checkpoint`, when present, is complete (all parts of a multi-part checkpoint) and its version
 *   is <= `version`; no complete checkpoint with a greater version <= `version` was listed.
 * - `checkpointCommit` is the commit file at exactly the checkpoint version when it exists; it is
 *   not replayed (the checkpoint already contains its effect) but carries that version's
 *   commitInfo and in-commit timestamp.
 */
export interface LogSegment {
  readonly tableRoot: string;
  readonly logDir: string;
  readonly version: number;
  readonly checkpoint?: CheckpointFiles;
  readonly checkpointCommit?: LogFile;
  readonly commits: readonly LogFile[];
  /**
   * The files to replay after the checkpoint: `commits`, except that runs of commits covered by a
   * log compaction file (`<x>.<y>.compacted.json`, x..y within the segment) are replaced by it.
   * Versions ascending; covers exactly the versions of `commits`.
   */
  readonly replayFiles: readonly LogFile[];
  /** The `_last_checkpoint` hint as read (informational; it may be stale). */
  readonly hint?: LastCheckpointHint;
}

export interface LogSegmentOptions {
  /** Version to reconstruct; the latest when absent. */
  readonly version?: number;
  readonly signal?: AbortSignal;
}

/** What one listing of `_delta_log` found, grouped by version (zero-byte checkpoints dropped). */
export interface LogListing {
  readonly commits: Map<number, LogFile>;
  readonly checkpoints: Map<number, LogFile[]>;
  /** Log compaction files (non-empty ones), in listing order. */
  readonly compactions?: readonly LogFile[];
}

/**
 * Lists `_delta_log` once (from the `_last_checkpoint` hint's version when it is usable) and
 * chooses the files for the requested version. Falls back to listing from version 0 when the hint
 * names a checkpoint the listing does not find.
 */
export async function buildLogSegment(engine: Engine, tableRoot: string, options: LogSegmentOptions = {}): Promise<LogSegment> {
  const { version: target, signal } = options;
  if (target !== undefined && (!Number.isSafeInteger(target) || target < 0)) {
    throw new DeltaError('INVALID_ARGUMENT', `Version ${target} is not valid: table versions are non-negative integers.`, { details: { version: target } });
  }
  const logDir = logDirOf(tableRoot);
  const hint = await readLastCheckpoint(engine, tableRoot, signal);
  if (hint !== undefined && hint.version > 0 && (target === undefined || hint.version <= target)) {
    const listing = await listLogFiles(engine, logDir, hint.version, signal);
    try {
      return segmentFrom(tableRoot, logDir, listing, target, hint);
    } catch (e) {
      // The hint is stale or names a deleted checkpoint: decide from a full listing instead.
      if (!isDeltaError(e, 'VERSION_NOT_FOUND', 'VERSIONS_NOT_CONTIGUOUS')) throw e;
    }
  }
  const listing = await listLogFiles(engine, logDir, undefined, signal);
  if (listing.commits.size === 0 && listing.checkpoints.size === 0) throw await tableNotFound(engine, tableRoot, logDir);
  return segmentFrom(tableRoot, logDir, listing, target, hint);
}

/** Lists `_delta_log` from `fromVersion` (or everything), keeping commit and checkpoint files. */
export async function listLogFiles(engine: Engine, logDir: string, fromVersion: number | undefined, signal: AbortSignal | undefined): Promise<LogListing> {
  const commits = new Map<number, LogFile>();
  const checkpoints = new Map<number, LogFile[]>();
  const compactions: LogFile[] = [];
  const startAt = fromVersion === undefined ? undefined : formatVersion(fromVersion);
  for await (const meta of engine.store.list(logDir, { startAt, signal })) {
    const name = parseLogFileName(baseName(meta.path));
    if (name === undefined) continue;
    if (name.type === 'commit') commits.set(name.version, { name, meta });
    else if (name.type === 'compaction') {
      if (meta.size > 0) compactions.push({ name, meta });
    } else if (name.type === 'classicCheckpoint' || name.type === 'multiPartCheckpoint' || name.type === 'uuidCheckpoint') {
      if (meta.size === 0) continue; // an interrupted write; never a valid checkpoint
      const list = checkpoints.get(name.version);
      if (list) list.push({ name, meta });
      else checkpoints.set(name.version, [{ name, meta }]);
    }
  }
  throwIfAborted(signal);
  return { commits, checkpoints, compactions };
}

/** The segment for `target` (latest when undefined) from one listing; throws when it cannot be served. */
export function segmentFrom(tableRoot: string, logDir: string, listing: LogListing, target: number | undefined, hint: LastCheckpointHint | undefined): LogSegment {
  const latest = latestVersion(listing);
  if (latest === undefined || (target !== undefined && target > latest)) throw versionNotFound(tableRoot, target ?? 0, listing);
  const version = target ?? latest;
  const checkpoint = chooseCheckpoint(listing, version);
  if (checkpoint === undefined && !listing.commits.has(0)) {
    const later = availableRange(listing);
    if (target !== undefined && later !== undefined && later.reconstructable) throw versionNotFound(tableRoot, target, listing);
    throw logStartsLate(tableRoot, listing);
  }
  const start = checkpoint === undefined ? 0 : checkpoint.version + 1;
  const commits: LogFile[] = [];
  for (let v = start; v <= version; v++) {
    const c = listing.commits.get(v);
    if (c === undefined) throw notContiguous(tableRoot, v, start, version, listing);
    commits.push(c);
  }
  const checkpointCommit = checkpoint === undefined ? undefined : listing.commits.get(checkpoint.version);
  const replayFiles = withCompactions(commits, listing.compactions ?? []);
  return { tableRoot, logDir, version, checkpoint, checkpointCommit, commits, replayFiles, hint };
}

/**
 * The fewest files that replay `commits` (contiguous versions): each commit, or a compaction
 * `x..y` standing for commits x..y when both ends lie within them. Compaction files may overlap
 * or extend past the segment; only those fully inside are candidates, and overlapping ones are
 * never combined (one version is replayed once).
 */
export function withCompactions(commits: readonly LogFile[], compactions: readonly LogFile[]): LogFile[] {
  if (commits.length === 0 || compactions.length === 0) return [...commits];
  const first = commits[0]!.name.version;
  const n = commits.length;
  const startingAt = new Map<number, LogFile[]>();
  for (const c of compactions) {
    if (c.name.type !== 'compaction') continue;
    const from = c.name.version - first;
    const to = c.name.endVersion - first;
    if (from < 0 || to >= n) continue;
    const list = startingAt.get(from);
    if (list) list.push(c);
    else startingAt.set(from, [c]);
  }
  if (startingAt.size === 0) return [...commits];
  // cost[i]: fewest files replaying commits i..n-1; choice[i]: the compaction to use at i, if any.
  const cost = new Int32Array(n + 1);
  const choice = new Array<LogFile | undefined>(n);
  for (let i = n - 1; i >= 0; i--) {
    cost[i] = cost[i + 1]! + 1;
    for (const c of startingAt.get(i) ?? []) {
      const next = (c.name as { endVersion: number }).endVersion - first + 1;
      if (cost[next]! + 1 < cost[i]!) {
        cost[i] = cost[next]! + 1;
        choice[i] = c;
      }
    }
  }
  const out: LogFile[] = [];
  for (let i = 0; i < n; ) {
    const c = choice[i];
    if (c === undefined) out.push(commits[i++]!);
    else {
      out.push(c);
      i = (c.name as { endVersion: number }).endVersion - first + 1;
    }
  }
  return out;
}

function latestVersion(listing: LogListing): number | undefined {
  let max: number | undefined;
  for (const v of listing.commits.keys()) if (max === undefined || v > max) max = v;
  for (const [v, files] of listing.checkpoints) if ((max === undefined || v > max) && completeCheckpoint(v, files)) max = v;
  return max;
}

function minVersion(listing: LogListing): number {
  let min = Infinity;
  for (const v of listing.commits.keys()) min = Math.min(min, v);
  for (const v of listing.checkpoints.keys()) min = Math.min(min, v);
  return min;
}

/** The newest complete checkpoint with version <= `version`. */
function chooseCheckpoint(listing: LogListing, version: number): CheckpointFiles | undefined {
  let best: CheckpointFiles | undefined;
  for (const [v, files] of listing.checkpoints) {
    if (v > version || (best !== undefined && v <= best.version)) continue;
    const c = completeCheckpoint(v, files);
    if (c !== undefined) best = c;
  }
  return best;
}

/**
 * The preferred complete checkpoint among the files of one version, as Delta Spark orders them:
 * a UUID-named checkpoint (greatest name) over a multi-part one (most parts) over a classic one.
 */
export function completeCheckpoint(version: number, files: readonly LogFile[]): CheckpointFiles | undefined {
  let uuid: LogFile | undefined;
  let classic: LogFile | undefined;
  const parts = new Map<number, Map<number, ObjectMeta>>();
  for (const f of files) {
    const n = f.name;
    if (n.type === 'uuidCheckpoint') {
      if (uuid === undefined || f.meta.path > uuid.meta.path) uuid = f;
    } else if (n.type === 'classicCheckpoint') classic = f;
    else if (n.type === 'multiPartCheckpoint') {
      let set = parts.get(n.numParts);
      if (!set) parts.set(n.numParts, (set = new Map()));
      set.set(n.part, f.meta);
    }
  }
  if (uuid !== undefined) {
    const format = uuid.name.type === 'uuidCheckpoint' ? uuid.name.format : 'parquet';
    return { version, type: 'uuid', format, files: [uuid.meta] };
  }
  let bestParts: ObjectMeta[] | undefined;
  for (const [numParts, set] of parts) {
    if (set.size !== numParts || (bestParts !== undefined && bestParts.length >= numParts)) continue;
    bestParts = [];
    for (let p = 1; p <= numParts; p++) bestParts.push(set.get(p)!);
  }
  if (bestParts !== undefined) return { version, type: 'multiPart', format: 'parquet', files: bestParts };
  if (classic !== undefined) return { version, type: 'classic', format: 'parquet', files: [classic.meta] };
  return undefined;
}

/**
 * The versions a listing can reconstruct: from its oldest complete checkpoint (or 0) to its newest
 * version. `reconstructable` is false when neither commit 0 nor any checkpoint is listed.
 */
export function availableRange(listing: LogListing): { earliest: number; latest: number; reconstructable: boolean } | undefined {
  const latest = latestVersion(listing);
  if (latest === undefined) return undefined;
  let earliest = listing.commits.has(0) ? 0 : Infinity;
  for (const [v, files] of listing.checkpoints) if (v < earliest && completeCheckpoint(v, files)) earliest = v;
  const reconstructable = Number.isFinite(earliest);
  return { earliest: reconstructable ? earliest : minVersion(listing), latest, reconstructable };
}

function versionNotFound(tableRoot: string, version: number, listing: LogListing): DeltaError {
  const range = availableRange(listing);
  const avail = range === undefined ? 'the table has no versions' : `available versions are ${range.earliest} to ${range.latest}`;
  const { reconstructable: _r, ...bounds } = range ?? { reconstructable: false };
  return new DeltaError(
    'VERSION_NOT_FOUND',
    `Version ${version} of the Delta table at ${tableRoot} cannot be read: ${avail}. Older versions disappear when log files are cleaned up; choose a version in the available range.`,
    { details: { tableRoot, version, ...bounds } },
  );
}

function notContiguous(tableRoot: string, missing: number, start: number, end: number, listing: LogListing): DeltaError {
  const present = [...listing.commits.keys()].filter((v) => v >= start && v <= end).sort((a, b) => a - b);
  return new DeltaError(
    'VERSIONS_NOT_CONTIGUOUS',
    `The Delta log at ${tableRoot} is missing commit ${formatVersion(missing)}.json: versions ${start} to ${end} are needed but only ${summarize(present)} exist. ` +
      `The log is incomplete (a file was deleted or not yet copied); restore the missing commit file.`,
    { details: { tableRoot, missingVersion: missing, present } },
  );
}

function logStartsLate(tableRoot: string, listing: LogListing): DeltaError {
  const first = minVersion(listing);
  return new DeltaError(
    'VERSIONS_NOT_CONTIGUOUS',
    `The Delta log at ${tableRoot} starts at version ${first} and has no complete checkpoint at or below the requested version, so the table state cannot be rebuilt. ` +
      `Restore the earlier commit files or a checkpoint.`,
    { details: { tableRoot, firstVersion: first } },
  );
}

function summarize(vs: readonly number[]): string {
  if (vs.length === 0) return 'none';
  if (vs.length <= 6) return vs.join(', ');
  return `${vs.slice(0, 3).join(', ')}, …, ${vs.slice(-2).join(', ')}`;
}

/** The TABLE_NOT_FOUND error for a table whose log lists no commit or checkpoint. */
export async function tableNotFound(engine: Engine, tableRoot: string, logDir: string): Promise<DeltaError> {
  const hasLogDir = await engine.store.isDirectory(logDir).catch(() => false);
  const why = hasLogDir ? `_delta_log at ${logDir} contains no commit or checkpoint files` : `no _delta_log directory at ${tableRoot}`;
  return new DeltaError('TABLE_NOT_FOUND', `Not a Delta table: ${why}. Check the path, or create a table there first.`, {
    details: { tableRoot },
  });
}
