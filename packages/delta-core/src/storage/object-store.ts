/**
 * The storage boundary. Nothing outside `storage/` knows which store it talks to.
 *
 * Paths are absolute, slash-separated, without a scheme (`/data/t/_delta_log/00000000000000000000.json`).
 * A store decides how to map them onto its medium (a local directory tree, a bucket, memory).
 */

export interface ObjectMeta {
  /** Absolute path of the object. */
  readonly path: string;
  /** Size in bytes. */
  readonly size: number;
  /** Last modification time in milliseconds since the epoch. */
  readonly lastModified: number;
  /**
   * What the entry is, reported only by a {@link ListOptions.physical} listing: a directory (size
   * 0) or a symbolic link (never followed). Absent for plain files.
   */
  readonly kind?: 'directory' | 'symlink';
}

export interface ListOptions {
  /** Only return entries whose file name (the part after `dir/`) is >= this value. */
  readonly startAt?: string;
  /** Also list files in sub-directories (paths relative to `dir` then contain `/`). Default false. */
  readonly recursive?: boolean;
  /**
   * List the tree as it is, for maintenance that deletes what it lists (VACUUM): directories are
   * returned too (`kind: 'directory'`), and symbolic links are returned as `kind: 'symlink'`
   * entries without following them: a linked directory is not descended and a linked file is not
   * reported as its target. Stores without directories or links list as usual.
   */
  readonly physical?: boolean;
  /**
   * With `recursive`: a sub-directory (its path relative to `dir`, no trailing slash) is descended
   * only when this returns true. A directory not descended is still returned by a physical listing.
   */
  readonly descend?: (relativeDir: string) => boolean;
  readonly signal?: AbortSignal;
}

/** Outcome of {@link ObjectStore.putIfAbsent}: an expected result, not an error. */
export type PutIfAbsentResult = { readonly created: true } | { readonly created: false };

export interface ObjectStore {
  /**
   * Lists the files (never directories) under `dir`, sorted by full path in UTF-8 byte order.
   * A missing directory lists as empty.
   */
  list(dir: string, options?: ListOptions): AsyncIterable<ObjectMeta>;
  /** Reads a whole object. Missing objects throw DeltaError FILE_NOT_FOUND. */
  get(path: string, options?: { signal?: AbortSignal }): Promise<Uint8Array>;
  /** Reads bytes [start, end) of an object. Missing objects throw FILE_NOT_FOUND. */
  getRange(path: string, start: number, end: number, options?: { signal?: AbortSignal }): Promise<Uint8Array>;
  /** Metadata of one object. Missing objects throw FILE_NOT_FOUND. */
  head(path: string): Promise<ObjectMeta>;
  /**
   * Metadata of the entry at `path` itself, never following a symbolic link: `kind` tells a
   * directory or a link from a file. Missing entries throw FILE_NOT_FOUND. Only stores with
   * directories or links implement it (elsewhere {@link head} says the same).
   */
  statEntry?(path: string): Promise<ObjectMeta>;
  /** Writes an object, replacing any existing one. Readers never see a partial object. */
  put(path: string, data: Uint8Array): Promise<void>;
  /**
   * Creates an object only if none exists at `path`, atomically with respect to every other
   * writer of the same store. Readers never see a partial object.
   */
  putIfAbsent(path: string, data: Uint8Array): Promise<PutIfAbsentResult>;
  /**
   * Moves the object at `from` to `to` (creating `to`'s parent folders), never replacing an
   * existing object: returns `{ created: false }` and leaves both in place when `to` exists.
   * On the local file system the move is a rename (atomic, same device) or a copy then delete
   * across devices; readers of `to` never see a partial object. Missing `from` throws
   * FILE_NOT_FOUND. Used to archive processed input files (a streaming file source's
   * `cleanSource=archive`). Optional: stores without it cannot archive.
   */
  rename?(from: string, to: string): Promise<PutIfAbsentResult>;
  /**
   * Calls `onChange(path)` soon after an entry under `dir` (recursively) is created or changed,
   * with the entry's store path, and `onChange(undefined)` when events may have been lost (the
   * caller should list). Best effort: events can be missed or repeated, so callers keep a periodic
   * listing. Returns a function that stops watching. Only stores with local directories have it.
   */
  watch?(dir: string, onChange: (path: string | undefined) => void): () => void;
  /** Deletes an object. Deleting a missing object succeeds. */
  delete(path: string): Promise<void>;
  /** True when `path` is an existing directory-like prefix (or, for flat stores, has any object under it). */
  isDirectory(path: string): Promise<boolean>;
  /**
   * Removes the directory at `path` if it is empty (never recursively, never through a link).
   * Returns true when it was removed or did not exist, false when it is not empty or not a
   * directory. Only stores with real directories implement it.
   */
  deleteDirectory?(path: string): Promise<boolean>;
}
