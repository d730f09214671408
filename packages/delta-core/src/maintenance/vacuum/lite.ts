/**
 * VACUUM LITE: what to delete, from the log alone (Spark's `VACUUM … LITE`).
 *
 * Instead of listing the table directory, it reads the commits from the one after the last
 * VACUUM's (recorded in `_delta_log/_last_vacuum_info`), or from version 0, up to the newest
 * commit at or before the cutoff, and takes the files they removed (with their deletion-vector
 * files) and their change-data files. Those whose tombstone expired (deletion time before the
 * cutoff; change-data files always) and that the state no longer references are deleted.
 *
 * So it costs time in proportion to the commits since the last VACUUM rather than to the files in
 * the directory, but it never finds files the log never named (left by failed writes, or written
 * by other tools) and never removes empty directories; run a full VACUUM for those. When the
 * commits it needs were cleaned up from the log, it fails with VACUUM_LITE_UNAVAILABLE, as Spark's
 * does. Unlike Spark's, each candidate is checked to exist (so a dry run lists only real files,
 * with their real sizes).
 */
import type { Engine } from '../../engine.js';
import { DeltaError, isDeltaError, throwIfAborted } from '../../errors.js';
import { resolveVersionAtTimestamp } from '../../log/commit-timestamps.js';
import type { Action } from '../../log/actions.js';
import type { LogFile } from '../../log/log-path.js';
import { parseActionLines } from '../../log/parse-actions.js';
import { logDirOf } from '../../log/log-path.js';
import { listLogFiles } from '../../log/segment.js';
import { parseJson } from '../../util/json.js';
import type { Candidate, VacuumPlan } from './types.js';
import { inLogDir, relativeDvPath, relativeLogPath, rootPrefix, type ValidFiles } from './valid-files.js';

/** Commits read (and held in memory) at a time. */
const COMMIT_CHUNK = 64;
/** Commit files read at once. */
const READ_CONCURRENCY = 8;
/** Existence checks in flight at once. */
const HEAD_CONCURRENCY = 32;

export const LAST_VACUUM_INFO = '_last_vacuum_info';

/** The newest commit at or before `cutoff`, or undefined when every commit is newer. */
export async function latestCommitBefore(engine: Engine, tableRoot: string, cutoff: number, signal: AbortSignal | undefined): Promise<number | undefined> {
  try {
    return await resolveVersionAtTimestamp(engine, tableRoot, cutoff, signal ? { signal } : {});
  } catch (e) {
    if (isDeltaError(e, 'TIMESTAMP_OUT_OF_RANGE')) return undefined;
    throw e;
  }
}

/** `latestCommitVersionOutsideOfRetentionWindow` from `_last_vacuum_info`; undefined when absent or unreadable. */
export async function readLastVacuumVersion(engine: Engine, tableRoot: string, signal: AbortSignal | undefined): Promise<number | undefined> {
  try {
    const bytes = await engine.store.get(`${logDirOf(tableRoot)}/${LAST_VACUUM_INFO}`, signal ? { signal } : {});
    const info = parseJson(new TextDecoder().decode(bytes)) as { latestCommitVersionOutsideOfRetentionWindow?: unknown } | null;
    const v = info?.latestCommitVersionOutsideOfRetentionWindow;
    return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined;
  } catch (e) {
    if (isDeltaError(e, 'CANCELLED')) throw e;
    return undefined; // missing or corrupt: Spark treats both as "no previous vacuum"
  }
}

/** Records the newest commit this VACUUM covered, for the next LITE run. Best effort, as in Spark. */
export async function writeLastVacuumVersion(engine: Engine, tableRoot: string, version: number | undefined): Promise<void> {
  const json = version === undefined ? '{}' : `{"latestCommitVersionOutsideOfRetentionWindow":${version}}`;
  try {
    await engine.store.put(`${logDirOf(tableRoot)}/${LAST_VACUUM_INFO}`, new TextEncoder().encode(json));
  } catch {
    // Only the next LITE run needs it, and it then reads further back (or asks for a full VACUUM).
  }
}

interface LogCandidate {
  readonly rel: string;
  /** Deletion time (tombstones), 0 for change-data files. */
  readonly time: number;
}

export async function planLiteVacuum(
  engine: Engine,
  tableRoot: string,
  snapshotVersion: number,
  valid: ValidFiles,
  cutoff: number,
  latestOutside: number | undefined,
  signal: AbortSignal | undefined,
): Promise<VacuumPlan> {
  const none: VacuumPlan = { files: [], directories: [], directoryCount: 1 };
  if (latestOutside === undefined) return none; // every commit is inside the window
  const listing = await listLogFiles(engine, logDirOf(tableRoot), undefined, signal);
  let earliest = Infinity;
  for (const v of listing.commits.keys()) earliest = Math.min(earliest, v);
  const lastVacuum = await readLastVacuumVersion(engine, tableRoot, signal);
  const from = lastVacuum === undefined ? 0 : lastVacuum + 1;
  if (from < earliest) throw liteUnavailable(tableRoot, from, earliest, lastVacuum);
  const start = Math.min(snapshotVersion, from);
  const end = latestOutside;
  if (start > end) return none;
  const commits = [];
  for (let v = start; v <= end; v++) {
    const c = listing.commits.get(v);
    if (c === undefined) throw liteUnavailable(tableRoot, v, earliest, lastVacuum);
    commits.push(c);
  }
  const byPath = new Map<string, LogCandidate>();
  const note = (rel: string | undefined, time: number) => {
    if (rel === undefined || inLogDir(rel)) return;
    const seen = byPath.get(rel);
    if (seen === undefined || seen.time < time) byPath.set(rel, { rel, time });
  };
  for (let i = 0; i < commits.length; i += COMMIT_CHUNK) {
    for (const actions of await readRemovals(engine, commits.slice(i, i + COMMIT_CHUNK), signal)) {
      for (const a of actions) {
        if (a.kind === 'remove') {
          const time = a.remove.deletionTimestamp ?? 0;
          note(relativeLogPath(tableRoot, a.remove.path), time);
          note(relativeDvPath(tableRoot, a.remove.deletionVector), time);
        } else if (a.kind === 'cdc') {
          note(relativeLogPath(tableRoot, a.cdc.path), 0);
        }
      }
    }
  }
  const eligible = [...byPath.values()].filter((c) => c.time < cutoff && !valid.files.has(c.rel)).map((c) => c.rel);
  eligible.sort();
  const files = await existing(engine, rootPrefix(tableRoot), eligible, signal);
  return { files, directories: [], directoryCount: 1, eligibleStartCommitVersion: start, eligibleEndCommitVersion: end };
}

const REMOVAL_LINE = /^\s*\{\s*"(?:remove|cdc)"/;
const decoder = new TextDecoder();
const encoder = new TextEncoder();

/**
 * The `remove` and `cdc` actions of commit files, in order. Other lines (above all the `add`s,
 * with their statistics) are skipped by their key before any JSON parsing.
 */
async function readRemovals(engine: Engine, files: readonly LogFile[], signal: AbortSignal | undefined): Promise<Action[][]> {
  const out = new Array<Action[]>(files.length);
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const i = next++;
      throwIfAborted(signal);
      const path = files[i]!.meta.path;
      const lines = decoder.decode(await engine.store.get(path, signal ? { signal } : {})).split('\n');
      const kept = lines.filter((l) => REMOVAL_LINE.test(l));
      out[i] = kept.length === 0 ? [] : parseActionLines(encoder.encode(kept.join('\n')), path);
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, files.length) }, worker));
  return out;
}

/**
 * The candidates that exist as plain files, with their sizes, in the order given. On stores with
 * links, a candidate that is a link, or whose directory is reached through a link, is dropped: a
 * path the log names under the root must not lead VACUUM outside it.
 */
async function existing(engine: Engine, prefix: string, rels: readonly string[], signal: AbortSignal | undefined): Promise<Candidate[]> {
  const store = engine.store;
  const stat = store.statEntry === undefined ? (p: string) => store.head(p) : (p: string) => store.statEntry!(p);
  const realDirs = new Map<string, Promise<boolean>>();
  /** Whether root-relative directory `dir` and its ancestors are directories, not links. */
  const realDir = (dir: string): Promise<boolean> => {
    if (dir === '' || store.statEntry === undefined) return Promise.resolve(true);
    let known = realDirs.get(dir);
    if (known === undefined) {
      const parent = dir.includes('/') ? dir.slice(0, dir.lastIndexOf('/')) : '';
      known = realDir(parent).then(async (ok) => ok && (await store.statEntry!(prefix + dir).then((m) => m.kind === 'directory', () => false)));
      realDirs.set(dir, known);
    }
    return known;
  };
  const found: (Candidate | undefined)[] = new Array(rels.length);
  let next = 0;
  const worker = async () => {
    while (next < rels.length) {
      const i = next++;
      throwIfAborted(signal);
      const rel = rels[i]!;
      const path = prefix + rel;
      try {
        const meta = await stat(path);
        if (meta.kind !== undefined || !(await realDir(rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : ''))) continue;
        found[i] = { rel, path, size: meta.size };
      } catch (e) {
        if (!isDeltaError(e, 'FILE_NOT_FOUND', 'NOT_A_DIRECTORY')) throw e; // already deleted (by an earlier VACUUM)
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(HEAD_CONCURRENCY, rels.length) }, worker));
  return found.filter((c): c is Candidate => c !== undefined);
}

function liteUnavailable(tableRoot: string, needed: number, earliest: number, lastVacuum: number | undefined): DeltaError {
  const since = lastVacuum === undefined ? 'no VACUUM has recorded where it stopped, so it must read the log from version 0' : `the last VACUUM covered the log up to version ${lastVacuum}`;
  return new DeltaError(
    'VACUUM_LITE_UNAVAILABLE',
    `VACUUM LITE cannot clean ${tableRoot}: it finds removed files by reading the commits it has not covered yet, and ${since}, but commit ${needed} is no longer in the log (it now starts at version ${earliest}; expired log files were cleaned up). ` +
      `Files removed by the missing commits would never be deleted. Run a full VACUUM instead (mode 'full'), which lists the directory; later LITE runs continue from it.`,
    { details: { tableRoot, neededVersion: needed, earliestVersion: earliest, lastVacuumVersion: lastVacuum } },
  );
}
