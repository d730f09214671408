import type { Engine } from '../engine.js';
import { throwIfAborted } from '../errors.js';
import type { Action, CommitInfo, Metadata, Protocol } from './actions.js';
import { readCheckpoint } from './checkpoint-reader.js';
import { compactionActions } from './log-compaction.js';
import type { LogFile } from './log-path.js';
import { parseActionLines } from './parse-actions.js';
import { checkReadSupported } from './protocol-check.js';
import { LogReplay, type TableState } from './replay.js';
import { buildLogSegment, listLogFiles, type LogSegment } from './segment.js';
import { logDirOf } from './log-path.js';

export interface LoadTableStateOptions {
  /** Version to load; the latest when absent. */
  readonly version?: number;
  readonly signal?: AbortSignal;
}

/** Commit files read at once. */
const READ_CONCURRENCY = 8;

/**
 * The reconciled state of the Delta table at `tableRoot` (a store path), at `options.version` or
 * the latest version. Lists `_delta_log` once, reads the newest usable checkpoint and the commits
 * after it, checks that the protocol is readable before replaying, then replays.
 */
export async function loadTableState(engine: Engine, tableRoot: string, options: LoadTableStateOptions = {}): Promise<TableState> {
  const segment = await buildLogSegment(engine, tableRoot, options);
  return replaySegment(engine, segment, options.signal);
}

/** Replays an already built segment (see {@link loadTableState}). */
export async function replaySegment(engine: Engine, segment: LogSegment, signal?: AbortSignal): Promise<TableState> {
  const commits = await readReplayFiles(engine, segment, signal);
  let protocol = latestProtocol(commits);
  if (protocol !== undefined) checkReadSupported(protocol, segment.tableRoot);
  const replay = new LogReplay(segment.tableRoot);
  if (segment.checkpoint !== undefined) {
    const content = await readCheckpoint(engine, segment.tableRoot, segment.checkpoint, { signal });
    if (protocol === undefined) {
      protocol = latestProtocol([content.actions]);
      if (protocol !== undefined) checkReadSupported(protocol, segment.tableRoot);
    }
    replay.addCheckpointFiles(content.adds);
    replay.addCheckpointTombstones(content.actions.flatMap((a) => (a.kind === 'remove' ? [a.remove] : [])));
    replay.apply(content.actions.filter((a) => a.kind !== 'remove'));
  }
  throwIfAborted(signal);
  let adds = 0;
  for (const actions of commits) for (const a of actions) if (a.kind === 'add') adds++;
  replay.reserve(adds);
  for (const actions of commits) replay.apply(actions);
  return replay.finish(segment.version, await snapshotCommitInfo(engine, segment, commits, signal));
}

/**
 * The actions of the segment's replay files in order: commits as they are, compaction files
 * reduced to one action per key (see log-compaction.ts).
 */
async function readReplayFiles(engine: Engine, segment: LogSegment, signal?: AbortSignal): Promise<Action[][]> {
  const files = segment.replayFiles ?? segment.commits;
  const actions = await readCommits(engine, files, signal);
  return actions.map((a, i) => (files[i]!.name.type === 'compaction' ? compactionActions(segment.tableRoot, a) : a));
}

/** The commitInfo of the commit at the segment's version, reading the checkpoint's commit if needed. */
async function snapshotCommitInfo(engine: Engine, segment: LogSegment, commits: readonly (readonly Action[])[], signal?: AbortSignal): Promise<CommitInfo | undefined> {
  const last = (segment.replayFiles ?? segment.commits).at(-1);
  // A compaction file has no commitInfo: read it from the commit at the segment's version.
  if (last?.name.type === 'compaction') return commitInfoOf(engine, segment.commits.at(-1)!, signal);
  const actions = commits.at(-1);
  if (actions === undefined) return segment.checkpointCommit === undefined ? undefined : commitInfoOf(engine, segment.checkpointCommit, signal);
  for (const a of actions) if (a.kind === 'commitInfo') return a.commitInfo;
  return undefined;
}

const COMMIT_INFO_LINE = /^\s*\{\s*"commitInfo"\s*:/;

/** Bytes read at each end of a large commit when only its commitInfo is wanted. */
const COMMIT_INFO_WINDOW = 64 * 1024;

/**
 * The commitInfo of one commit file without reading all of a large one: writers put it first
 * (required with in-commit timestamps) or last, so a window at each end is searched; a commitInfo
 * anywhere else in a commit over 128 KiB is not found.
 */
async function commitInfoOf(engine: Engine, file: LogFile, signal?: AbortSignal): Promise<CommitInfo | undefined> {
  const size = file.meta.size;
  if (size <= 2 * COMMIT_INFO_WINDOW) {
    for (const a of (await readCommits(engine, [file], signal))[0]!) if (a.kind === 'commitInfo') return a.commitInfo;
    return undefined;
  }
  const decoder = new TextDecoder();
  const head = decoder.decode(await engine.store.getRange(file.meta.path, 0, COMMIT_INFO_WINDOW, signal ? { signal } : undefined));
  const tail = decoder.decode(await engine.store.getRange(file.meta.path, size - COMMIT_INFO_WINDOW, size, signal ? { signal } : undefined));
  const lines = [...head.slice(0, head.lastIndexOf('\n')).split('\n'), ...tail.slice(tail.indexOf('\n') + 1).split('\n')];
  const line = lines.find((l) => COMMIT_INFO_LINE.test(l));
  if (line === undefined) return undefined;
  const actions = parseActionLines(new TextEncoder().encode(line), file.meta.path);
  return actions[0]?.kind === 'commitInfo' ? actions[0].commitInfo : undefined;
}

/** Reads and parses commit files, at most {@link READ_CONCURRENCY} at a time, in the given order. */
export async function readCommits(engine: Engine, files: readonly LogFile[], signal?: AbortSignal): Promise<Action[][]> {
  const out = new Array<Action[]>(files.length);
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const i = next++;
      throwIfAborted(signal);
      const path = files[i]!.meta.path;
      out[i] = parseActionLines(await engine.store.get(path, { signal }), path);
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, files.length) }, worker));
  return out;
}

function latestProtocol(commits: readonly (readonly Action[])[]): Protocol | undefined {
  for (let c = commits.length - 1; c >= 0; c--) {
    const actions = commits[c]!;
    for (let i = actions.length - 1; i >= 0; i--) {
      const a = actions[i]!;
      if (a.kind === 'protocol') return a.protocol;
    }
  }
  return undefined;
}

/**
 * The protocol and metadata of a segment without reconstructing the file list: the newest of each
 * in the commits, else from the checkpoint (reading only its protocol and metaData columns).
 */
export async function loadProtocolAndMetadata(engine: Engine, segment: LogSegment, signal?: AbortSignal): Promise<{ protocol?: Protocol; metadata?: Metadata }> {
  const commits = await readReplayFiles(engine, segment, signal);
  let protocol = latestProtocol(commits);
  let metadata: Metadata | undefined;
  for (let c = commits.length - 1; c >= 0 && metadata === undefined; c--) {
    for (const a of commits[c]!) if (a.kind === 'metaData') metadata = a.metaData;
  }
  if ((protocol === undefined || metadata === undefined) && segment.checkpoint !== undefined) {
    const content = await readCheckpoint(engine, segment.tableRoot, segment.checkpoint, { signal, protocolAndMetadataOnly: true });
    for (const a of content.actions) {
      if (a.kind === 'protocol') protocol ??= a.protocol;
      if (a.kind === 'metaData') metadata ??= a.metaData;
    }
  }
  return { protocol, metadata };
}

/**
 * Brings `previous` up to the latest version by replaying only the commits after it, the way a
 * long-lived reader follows a table. Returns `previous` itself when nothing was committed since.
 * Falls back to a full {@link loadTableState} when the log no longer continues from `previous`
 * (its commit file is gone: the table was deleted and recreated, or the log was cleaned up).
 */
export async function refreshTableState(engine: Engine, previous: TableState, options: { signal?: AbortSignal } = {}): Promise<TableState> {
  const { signal } = options;
  const listing = await listLogFiles(engine, logDirOf(previous.tableRoot), previous.version, signal);
  if (!listing.commits.has(previous.version)) return loadTableState(engine, previous.tableRoot, options);
  const newer: LogFile[] = [];
  for (let v = previous.version + 1; listing.commits.has(v); v++) newer.push(listing.commits.get(v)!);
  if (newer.length === 0) return previous;
  const commits = await readCommits(engine, newer, signal);
  const protocol = latestProtocol(commits);
  if (protocol !== undefined) checkReadSupported(protocol, previous.tableRoot);
  const replay = new LogReplay(previous.tableRoot);
  replay.addCheckpointFiles(previous.files);
  replay.addCheckpointTombstones(previous.tombstones);
  replay.apply(stateAsActions(previous));
  for (const actions of commits) replay.apply(actions);
  const last = commits.at(-1)!;
  const commitInfo = last.find((a) => a.kind === 'commitInfo');
  return replay.finish(previous.version + newer.length, commitInfo?.kind === 'commitInfo' ? commitInfo.commitInfo : undefined);
}

/** The non-file parts of a state as actions, to seed a replay with. */
function stateAsActions(state: TableState): Action[] {
  const out: Action[] = [
    { kind: 'protocol', protocol: state.protocol },
    { kind: 'metaData', metaData: state.metadata },
  ];
  for (const txn of state.setTransactions.values()) out.push({ kind: 'txn', txn });
  for (const d of state.domains.values()) out.push({ kind: 'domainMetadata', domainMetadata: d });
  return out;
}
