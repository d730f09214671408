/**
 * Log compaction files (PROTOCOL.md "Log Compaction Files"): `<x>.<y>.compacted.json` holds the
 * reconciled actions of commits x..y, so a reader replays one file instead of y - x + 1 commits.
 * Reading them is optional for readers (`segment.ts` substitutes them when they fit the segment);
 * this module writes them and prepares their actions for replay.
 */
import type { Engine } from '../engine.js';
import { DeltaError, throwIfAborted } from '../errors.js';
import { joinPath } from '../storage/paths.js';
import type { Action } from './actions.js';
import { putFile } from './checkpoint/files.js';
import { formatVersion, logDirOf } from './log-path.js';
import { parseActionLines } from './parse-actions.js';
import { fileActionKey } from './paths.js';
import { listLogFiles } from './segment.js';
import { serializeAction } from './serialize-actions.js';

export interface LogCompactionResult {
  /** Store path of the compaction file. */
  readonly path: string;
  /** Actions written. */
  readonly actions: number;
}

/**
 * Writes `<startVersion>.<endVersion>.compacted.json` for the table at `tableRoot` from its
 * commits in that range (all must exist; `startVersion < endVersion`). The actions are reconciled
 * as the protocol describes: for each logical file (path and deletion vector) its newest `add` or
 * `remove` (removes are kept, unexpired, since they cancel files added before the range); the
 * newest `protocol` and `metaData`; the newest `txn` per application; the newest `domainMetadata`
 * per domain (a removal included). `commitInfo` and `cdc` are dropped.
 */
export async function writeLogCompaction(engine: Engine, tableRoot: string, startVersion: number, endVersion: number, options: { signal?: AbortSignal } = {}): Promise<LogCompactionResult> {
  if (!Number.isSafeInteger(startVersion) || !Number.isSafeInteger(endVersion) || startVersion < 0 || endVersion <= startVersion) {
    throw new DeltaError('INVALID_ARGUMENT', `A log compaction needs versions 0 <= start < end; got ${startVersion} to ${endVersion}.`, { details: { startVersion, endVersion } });
  }
  const listing = await listLogFiles(engine, logDirOf(tableRoot), startVersion, options.signal);
  const files = [];
  for (let v = startVersion; v <= endVersion; v++) {
    const f = listing.commits.get(v);
    if (f === undefined) {
      throw new DeltaError('VERSION_NOT_FOUND', `Cannot compact versions ${startVersion} to ${endVersion} of ${tableRoot}: commit ${formatVersion(v)}.json does not exist. Choose a range of existing commits.`, {
        details: { tableRoot, version: v },
      });
    }
    files.push(f);
  }
  const commits: Action[][] = [];
  for (const f of files) commits.push(parseActionLines(await engine.store.get(f.meta.path, options.signal ? { signal: options.signal } : {}), f.meta.path));
  const actions = reconcileRange(tableRoot, commits);
  throwIfAborted(options.signal);
  const path = joinPath(logDirOf(tableRoot), `${formatVersion(startVersion)}.${formatVersion(endVersion)}.compacted.json`);
  await putFile(engine, path, new TextEncoder().encode(actions.map((a) => serializeAction(a) + '\n').join('')), 'Writing log compaction');
  return { path, actions: actions.length };
}

/**
 * The reconciled actions of consecutive commits (oldest first): adds, then removes, then the
 * protocol, metadata, txns and domains.
 */
export function reconcileRange(tableRoot: string, commits: readonly (readonly Action[])[]): Action[] {
  const newestFirst: Action[] = [];
  for (let c = commits.length - 1; c >= 0; c--) newestFirst.push(...commits[c]!);
  return firstPerKey(tableRoot, newestFirst);
}

/**
 * The actions of a compaction file ready to replay as one commit: a well-formed file holds each
 * key once; for files listing several actions per key (some writers concatenate the commits
 * newest first), the first one is the newest and is kept.
 */
export function compactionActions(tableRoot: string, actions: readonly Action[]): Action[] {
  return firstPerKey(tableRoot, actions);
}

/** Keeps the first action per reconciliation key, newest-first input; file actions first. */
function firstPerKey(tableRoot: string, newestFirst: readonly Action[]): Action[] {
  const seen = new Set<string>();
  const adds: Action[] = [];
  const removes: Action[] = [];
  const others: Action[] = [];
  for (const a of newestFirst) {
    let key: string;
    switch (a.kind) {
      case 'add':
        key = 'f:' + fileActionKey(tableRoot, a.add.path, a.add.deletionVector);
        break;
      case 'remove':
        key = 'f:' + fileActionKey(tableRoot, a.remove.path, a.remove.deletionVector);
        break;
      case 'protocol':
        key = 'protocol';
        break;
      case 'metaData':
        key = 'metaData';
        break;
      case 'txn':
        key = 't:' + a.txn.appId;
        break;
      case 'domainMetadata':
        key = 'd:' + a.domainMetadata.domain;
        break;
      default:
        continue; // commitInfo, cdc, checkpoint-only actions
    }
    if (seen.has(key)) continue;
    seen.add(key);
    (a.kind === 'add' ? adds : a.kind === 'remove' ? removes : others).push(a);
  }
  const order = ['protocol', 'metaData', 'txn', 'domainMetadata'];
  others.sort((x, y) => order.indexOf(x.kind) - order.indexOf(y.kind));
  return [...adds, ...removes, ...others];
}
