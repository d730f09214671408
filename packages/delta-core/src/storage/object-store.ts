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
}

export interface ListOptions {
  /** Only return entries whose file name (the part after `dir/`) is >= this value. */
  readonly startAt?: string;
  /** Also list files in sub-directories (paths relative to `dir` then contain `/`). Default false. */
  readonly recursive?: boolean;
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
  /** Writes an object, replacing any existing one. Readers never see a partial object. */
  put(path: string, data: Uint8Array): Promise<void>;
  /**
   * Creates an object only if none exists at `path`, atomically with respect to every other
   * writer of the same store. Readers never see a partial object.
   */
  putIfAbsent(path: string, data: Uint8Array): Promise<PutIfAbsentResult>;
  /** Deletes an object. Deleting a missing object succeeds. */
  delete(path: string): Promise<void>;
  /** True when `path` is an existing directory-like prefix (or, for flat stores, has any object under it). */
  isDirectory(path: string): Promise<boolean>;
}
