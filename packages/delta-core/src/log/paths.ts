import type { DeletionVectorDescriptor } from './actions.js';

/**
 * Resolution of file paths written in the log (`add.path`, `remove.path`, `cdc.path`) to store
 * paths. Log paths are RFC 2396 URIs: relative to the table root, or absolute (`file:/x`,
 * `file:///x`, or a bare `/x`, which all name the same file). They are URI-decoded exactly once,
 * so a partition directory that Hive-escaped `:` to `%3A` appears in the log as `%253A` and
 * resolves to the literal `%3A` on storage.
 *
 * Deletion-vector `pathOrInlineDv` is never decoded here: for storage types `u` and `i` it is Z85
 * text that may contain `%`.
 */

/**
 * The store path of a file named in the log, relative to `tableRoot` (a store path). The result is
 * canonical: two spellings of one file give the same string, so it is used as the replay key.
 */
export function resolveLogPath(tableRoot: string, logPath: string): string {
  if (isPlainRelative(logPath)) return joinRoot(tableRoot, logPath);
  const abs = absolutePart(logPath);
  if (abs !== undefined) return normalizeSegments(decodeOnce(abs));
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(logPath)) return logPath; // another scheme (s3://…): left as written
  return normalizeSegments(joinRoot(tableRoot, decodeOnce(logPath)));
}

/** True for the common case that needs no decoding or normalization: `a/b.parquet`. */
function isPlainRelative(p: string): boolean {
  if (p.length === 0 || p.charCodeAt(0) === 47) return false;
  for (let i = 0; i < p.length; i++) {
    const c = p.charCodeAt(i);
    if (c === 37 /* % */ || c === 58 /* : */) return false;
    if (c === 46 /* . */ && (i === 0 || p.charCodeAt(i - 1) === 47) && (p.charCodeAt(i + 1) === 46 || p.charCodeAt(i + 1) === 47)) return false;
    if (c === 47 && p.charCodeAt(i + 1) === 47) return false;
  }
  return true;
}

/** The path part of an absolute log path (`/x`, `file:/x`, `file:///x`, `file://localhost/x`). */
function absolutePart(p: string): string | undefined {
  if (p.startsWith('/')) return p;
  if (!/^file:/i.test(p)) return undefined;
  const rest = p.slice(5);
  if (rest.startsWith('///')) return rest.slice(2);
  if (rest.startsWith('//localhost/')) return rest.slice(11);
  if (rest.startsWith('/') && !rest.startsWith('//')) return rest;
  return undefined;
}

function joinRoot(root: string, rel: string): string {
  return root.endsWith('/') ? root + rel : root + '/' + rel;
}

/**
 * Decodes `%XX` escapes once (as UTF-8). A `%` that does not start a valid escape is kept as is,
 * so a path that was never encoded still resolves to itself.
 */
export function decodeOnce(s: string): string {
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
  }
}

/** Collapses `//`, `.` and `..` segments of an absolute path. */
function normalizeSegments(p: string): string {
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return '/' + out.join('/');
}

/**
 * The protocol's deletion-vector unique id: `storageType + pathOrInlineDv`, plus `@offset` when an
 * offset is present; `undefined` when the file has no deletion vector.
 */
export function deletionVectorUniqueId(dv: DeletionVectorDescriptor | undefined): string | undefined {
  if (dv === undefined) return undefined;
  const base = dv.storageType + dv.pathOrInlineDv;
  return dv.offset === undefined ? base : `${base}@${dv.offset}`;
}

/**
 * The replay key of a logical file: its canonical path plus deletion-vector unique id. Two actions
 * name the same logical file exactly when their keys are equal. Files under the table root are
 * keyed by their path relative to it, so the common plain relative path is its own key.
 */
export function fileActionKey(tableRoot: string, path: string, dv: DeletionVectorDescriptor | undefined): string {
  let key: string;
  if (isPlainRelative(path)) key = path;
  else {
    const resolved = resolveLogPath(tableRoot, path);
    const prefix = tableRoot.endsWith('/') ? tableRoot : tableRoot + '/';
    key = resolved.startsWith(prefix) ? resolved.slice(prefix.length) : resolved;
  }
  const dvId = deletionVectorUniqueId(dv);
  // NUL cannot occur in a path, so the pair is unambiguous.
  return dvId === undefined ? key : `${key}\u0000${dvId}`;
}
