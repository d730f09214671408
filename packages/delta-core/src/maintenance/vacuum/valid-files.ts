/**
 * What a VACUUM must keep, from the table state alone: every file a live `add` or a tombstone
 * inside the retention window names (data files and their deletion-vector files), as paths
 * relative to the table root, plus every directory above them. Files outside the table root are
 * not the table's to delete and are not listed here.
 */
import type { DeletionVectorDescriptor, Metadata } from '../../log/actions.js';
import { fileActionKey, resolveLogPath } from '../../log/paths.js';
import type { TableState } from '../../log/replay.js';
import { uuidDeletionVectorPath } from '../../deletion-vectors/load.js';

export interface ValidFiles {
  /** Root-relative paths of files still referenced. */
  readonly files: ReadonlySet<string>;
  /** Root-relative directories holding a referenced file (never deleted, even when empty). */
  readonly dirs: ReadonlySet<string>;
}

/** The log directory, which VACUUM never touches whatever the log says. */
export const LOG_DIR = '_delta_log';

/** `tableRoot` with exactly one trailing slash: the prefix of every store path under it. */
export function rootPrefix(tableRoot: string): string {
  return tableRoot.replace(/\/+$/, '') + '/';
}

/** True for a root-relative path inside `_delta_log` (or naming it). */
export function inLogDir(rel: string): boolean {
  return rel === LOG_DIR || rel.startsWith(LOG_DIR + '/');
}

/**
 * The root-relative path of a file named in the log (`add.path`, `remove.path`, `cdc.path`), or
 * undefined when it lies outside the table root (absolute paths elsewhere, other schemes).
 */
export function relativeLogPath(tableRoot: string, logPath: string): string | undefined {
  const key = fileActionKey(tableRoot, logPath, undefined);
  if (key === '' || key.charCodeAt(0) === 47 /* / */) return undefined;
  if (key.includes(':') && /^[A-Za-z][A-Za-z0-9+.-]*:/.test(key)) return undefined;
  if (key.includes('..') && key.split('/').includes('..')) return undefined;
  return key;
}

/** The root-relative path of a deletion vector's file, or undefined (inline, or outside the root). */
export function relativeDvPath(tableRoot: string, dv: DeletionVectorDescriptor | undefined): string | undefined {
  if (dv === undefined || dv.storageType === 'i') return undefined;
  const prefix = rootPrefix(tableRoot);
  const path = dv.storageType === 'u' ? uuidDeletionVectorPath(tableRoot, dv.pathOrInlineDv) : resolveLogPath(tableRoot, dv.pathOrInlineDv);
  if (!path.startsWith(prefix) || path.length === prefix.length) return undefined;
  const rel = path.slice(prefix.length);
  // A `u` descriptor's prefix is not normalized: `..` or empty segments could point elsewhere.
  return rel.split('/').some((seg) => seg === '' || seg === '.' || seg === '..') ? undefined : rel;
}

/** Adds every ancestor directory of root-relative `rel` to `dirs`. */
export function addAncestors(rel: string, dirs: Set<string>): void {
  for (let i = rel.lastIndexOf('/'); i > 0; i = rel.lastIndexOf('/', i - 1)) {
    const dir = rel.slice(0, i);
    if (dirs.has(dir)) return; // its ancestors were added with it
    dirs.add(dir);
  }
}

/**
 * Files `state` still needs when files and tombstones older than `cutoff` may go: the live files
 * and the tombstones with `deletionTimestamp >= cutoff` (a missing one counts as 0), each with its
 * deletion-vector file.
 */
export function validFiles(state: TableState, cutoff: number): ValidFiles {
  const root = state.tableRoot;
  const files = new Set<string>();
  const dirs = new Set<string>();
  const keep = (rel: string | undefined) => {
    if (rel === undefined) return;
    files.add(rel);
    addAncestors(rel, dirs);
  };
  for (const a of state.files) {
    keep(relativeLogPath(root, a.path));
    if (a.deletionVector !== undefined) keep(relativeDvPath(root, a.deletionVector));
  }
  for (const r of state.tombstones) {
    if ((r.deletionTimestamp ?? 0) < cutoff) continue;
    keep(relativeLogPath(root, r.path));
    if (r.deletionVector !== undefined) keep(relativeDvPath(root, r.deletionVector));
  }
  return { files, dirs };
}

/**
 * Spark's rule for names VACUUM never lists (`DeltaTableUtils.isHiddenDirectory`), applied to
 * every file and directory name at any depth: names starting with `.` or `_` are hidden, except
 * `_change_data…` and `_delta_index…` and partition directories `<partitionColumn>=…` (so a
 * partition column named `_p` is still cleaned); `metadata` is hidden on tables that also write
 * Iceberg metadata (UniForm).
 */
export function hiddenNameRule(metadata: Metadata): (name: string) => boolean {
  const partitionPrefixes = metadata.partitionColumns.map((c) => c + '=');
  const formats = (metadata.configuration['delta.universalFormat.enabledFormats'] ?? '').split(',').map((f) => f.trim().toLowerCase());
  const icebergMetadataHidden = formats.includes('iceberg');
  return (name) => {
    if (icebergMetadataHidden && name === 'metadata') return true;
    if (!name.startsWith('.') && !name.startsWith('_')) return false;
    if (name.startsWith('_delta_index') || name.startsWith('_change_data')) return false;
    return !partitionPrefixes.some((p) => name.startsWith(p));
  };
}

/** The last segment of a slash-separated path. */
export function baseName(rel: string): string {
  return rel.slice(rel.lastIndexOf('/') + 1);
}
