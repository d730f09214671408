import type { Engine } from '../engine.js';
import { readCommits } from '../log/load-table-state.js';
import { commitPath, logDirOf, type LogFile } from '../log/log-path.js';
import { listLogFiles } from '../log/segment.js';
import type { WinningCommit } from './conflict-checker.js';

/** A winning commit as read from the log, with its file's modification time. */
export interface ReadWinner extends WinningCommit {
  readonly lastModified: number;
}

/**
 * The commits `from`, `from + 1`, … up to the last contiguous one, parsed. The caller knows
 * `from` exists (its put-if-absent found it), so it is read even when a lagging listing misses it.
 */
export async function readWinningCommits(engine: Engine, tableRoot: string, from: number, signal?: AbortSignal): Promise<ReadWinner[]> {
  const listing = await listLogFiles(engine, logDirOf(tableRoot), from, signal);
  const files: LogFile[] = [];
  for (let v = from; ; v++) {
    const f = listing.commits.get(v);
    if (f !== undefined) files.push(f);
    else if (v === from) files.push({ name: { type: 'commit', version: v }, meta: await engine.store.head(commitPath(tableRoot, v)) });
    else break;
  }
  const actions = await readCommits(engine, files, signal);
  return files.map((f, i) => ({ version: f.name.version, actions: actions[i]!, lastModified: f.meta.lastModified }));
}

/** The `commitInfo.txnId` of a commit, when it has one. */
export function txnIdOf(w: WinningCommit): string | undefined {
  for (const a of w.actions) {
    if (a.kind === 'commitInfo') return typeof a.commitInfo.txnId === 'string' ? a.commitInfo.txnId : undefined;
  }
  return undefined;
}
