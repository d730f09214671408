/**
 * Full VACUUM: what to delete, from one recursive listing of the table directory.
 *
 * The listing goes through the engine's store with `physical: true`: symbolic links are reported
 * as links and never followed (a linked directory is not descended, a linked file is never a
 * candidate, so nothing outside the root is reached through a link), and hidden directories
 * (see {@link hiddenNameRule}; `_delta_log` among them) are not descended.
 *
 * A file is deleted when its name is not hidden, it is older than the cutoff (modification time,
 * so files a concurrent writer has written but not yet committed stay), and the state does not
 * reference it. A directory is deleted, as Spark deletes it, when nothing at all is under it (no
 * file, link or hidden entry at any depth, counting files this run deletes, so a directory emptied
 * now goes on the next run) and no referenced file lies under it.
 */
import type { Engine } from '../../engine.js';
import { throwIfAborted } from '../../errors.js';
import type { Metadata } from '../../log/actions.js';
import type { Candidate, VacuumPlan } from './types.js';
import { addAncestors, baseName, hiddenNameRule, inLogDir, rootPrefix, type ValidFiles } from './valid-files.js';

export async function planFullVacuum(
  engine: Engine,
  tableRoot: string,
  metadata: Metadata,
  valid: ValidFiles,
  cutoff: number,
  signal: AbortSignal | undefined,
): Promise<VacuumPlan> {
  const prefix = rootPrefix(tableRoot);
  const hidden = hiddenNameRule(metadata);
  const files: Candidate[] = [];
  const listedDirs: string[] = [];
  /** Directories with something under them that stays or goes only in this run. */
  const occupied = new Set<string>();
  const listing = engine.store.list(tableRoot, {
    recursive: true,
    physical: true,
    descend: (rel) => !hidden(baseName(rel)) && !inLogDir(rel),
    ...(signal ? { signal } : {}),
  });
  for await (const entry of listing) {
    if (!entry.path.startsWith(prefix)) continue; // defensive: a store must list under the root only
    const rel = entry.path.slice(prefix.length);
    if (inLogDir(rel)) continue;
    const isHidden = hidden(baseName(rel));
    if (entry.kind === 'directory' && !isHidden) {
      listedDirs.push(rel);
      continue;
    }
    addAncestors(rel, occupied); // a file, a link, or a hidden directory keeps its parents
    if (entry.kind !== undefined || isHidden) continue; // links and hidden entries are never deleted
    if (entry.lastModified < cutoff && !valid.files.has(rel)) files.push({ rel, path: entry.path, size: entry.size });
  }
  throwIfAborted(signal);
  const directories = listedDirs
    .filter((d) => !occupied.has(d) && !valid.dirs.has(d))
    .sort((a, b) => depth(b) - depth(a) || (a < b ? -1 : a > b ? 1 : 0))
    .map((d) => prefix + d);
  return { files, directories, directoryCount: listedDirs.length + 1 };
}

function depth(rel: string): number {
  let n = 0;
  for (let i = rel.indexOf('/'); i >= 0; i = rel.indexOf('/', i + 1)) n++;
  return n;
}
