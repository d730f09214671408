/**
 * Listing a file source's folder, as Spark's InMemoryFileIndex does for a streaming source: every
 * data file under the root (sub-folders descended; names starting with `_` or `.` skipped, as
 * Spark's hidden-file rule), filtered by `pathGlobFilter` on the file name, with the Hive-style
 * partition values (`country=fr/day=2024-01-02/...`) of its folders unless `recursiveFileLookup`
 * turns partition discovery off, as Spark does.
 */
import { DeltaError, type ObjectMeta, type ObjectStore } from '@deltakit/core';

export interface ListedFile {
  readonly path: string;
  readonly size: number;
  /** Modification time, ms since the epoch. */
  readonly mtime: number;
}

export interface ListingOptions {
  /** Glob on the file name (`*.json`, `part-?.csv`, `{a,b}*`, `[0-9]*`). */
  readonly glob?: RegExp;
  readonly signal?: AbortSignal;
}

/** Data files under `root` (a folder; a missing folder lists as empty). */
export async function listDataFiles(store: ObjectStore, root: string, options: ListingOptions = {}): Promise<ListedFile[]> {
  const out: ListedFile[] = [];
  const prefix = root.endsWith('/') ? root : `${root}/`;
  for await (const m of store.list(root, { recursive: true, descend: (rel) => !hiddenName(rel.slice(rel.lastIndexOf('/') + 1)), ...(options.signal ? { signal: options.signal } : {}) })) {
    if (!accept(m, prefix, options.glob)) continue;
    out.push({ path: m.path, size: m.size, mtime: m.lastModified });
  }
  return out;
}

/** True when `m` is a data file of the source (for file-system events too). */
export function accept(m: Pick<ObjectMeta, 'path'>, rootPrefix: string, glob: RegExp | undefined): boolean {
  if (!m.path.startsWith(rootPrefix)) return false;
  const rel = m.path.slice(rootPrefix.length);
  if (rel.split('/').some(hiddenName)) return false;
  const name = rel.slice(rel.lastIndexOf('/') + 1);
  return glob === undefined || glob.test(name);
}

/** Spark's hidden-path rule: `_x` and `.x` are skipped (temporary and metadata files). */
function hiddenName(name: string): boolean {
  return name.startsWith('_') || name.startsWith('.');
}

/** A glob on file names as a regular expression: `*`, `?`, `[...]`, `[!...]`, `{a,b}`. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  let braces = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) throw badGlob(glob);
      let body = glob.slice(i + 1, end);
      if (body.startsWith('!') || body.startsWith('^')) body = `^${body.slice(1)}`;
      re += `[${body.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else if (c === '{') {
      braces++;
      re += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      re += ')';
    } else if (c === ',' && braces > 0) re += '|';
    else if (c === '\\' && i + 1 < glob.length) re += `\\${glob[++i]}`;
    else re += c.replace(/[.+^$()|\\/]/g, '\\$&');
  }
  if (braces > 0) throw badGlob(glob);
  return new RegExp(`^${re}$`);
}

function badGlob(glob: string): DeltaError {
  return new DeltaError('INVALID_ARGUMENT', `pathGlobFilter '${glob}' is not a valid glob: a '[' or '{' is never closed. Close it, or escape it with a backslash.`);
}

/**
 * The Hive-style partition values of a file under `rootPrefix` (`a=1/b=x/f.json` → a: '1', b:
 * 'x'), names in folder order; `__HIVE_DEFAULT_PARTITION__` is null; `%XX` escapes are decoded.
 */
export function partitionValues(path: string, rootPrefix: string): [string, string | null][] {
  const rel = path.startsWith(rootPrefix) ? path.slice(rootPrefix.length) : path;
  const parts = rel.split('/').slice(0, -1);
  const out: [string, string | null][] = [];
  for (const part of parts) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const value = unescapePath(part.slice(eq + 1));
    out.push([unescapePath(part.slice(0, eq)), value === '__HIVE_DEFAULT_PARTITION__' ? null : value]);
  }
  return out;
}

function unescapePath(s: string): string {
  return s.includes('%') ? s.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))) : s;
}
