/**
 * The set of files a file source has already taken, as Auto Loader keeps it (in RocksDB there,
 * in LMDB here: an embedded, memory-mapped, transactional store with prebuilt binaries): one
 * key per file path, valued with its size, modification time and the log offset (batch of the
 * source's file log) that took it. It lives in the source's metadata folder
 * (`<checkpoint>/sources/<n>/seen-files/`), survives restarts and is read through the OS page
 * cache, so millions of entries cost no JS heap.
 *
 * The store is an index over the source's file log (`file-log.ts`), which stays the truth: an
 * entry is indexed after its log entry is written, and `indexedThrough` records the last log
 * entry fully indexed, so a crash between the two is repaired on the next open by indexing the
 * log entries after it.
 */
import { DeltaError } from '@deltakit/core';
import { open, type RootDatabase } from 'lmdb';

/** What the index keeps per file. */
export interface SeenFile {
  readonly size: number;
  /** Modification time, ms since the epoch. */
  readonly mtime: number;
  /** The log offset that took the file; -1 for files marked seen without being read (includeExistingFiles=false). */
  readonly logOffset: number;
}

/** Meta keys start with a NUL byte, which no file path contains. */
const META = '\u0000meta:';

/** The index's operations (LMDB on the local file system, a Map for in-memory stores). */
export interface SeenIndex {
  get(path: string): SeenFile | undefined;
  putAll(files: Iterable<readonly [string, SeenFile]>, meta?: Readonly<Record<string, string>>): Promise<void>;
  meta(key: string): string | undefined;
  readonly count: number;
  close(): Promise<void>;
}

/** The index for stores without a local folder (MemoryStore): lives as long as the process. */
export class MemorySeenFiles implements SeenIndex {
  static readonly #byPath = new Map<string, MemorySeenFiles>();
  readonly #files = new Map<string, SeenFile>();
  readonly #meta = new Map<string, string>();

  /** The index of `key` (a checkpoint path), shared by every run in this process. */
  static for(key: string): MemorySeenFiles {
    let s = MemorySeenFiles.#byPath.get(key);
    if (s === undefined) MemorySeenFiles.#byPath.set(key, (s = new MemorySeenFiles()));
    return s;
  }
  get(path: string): SeenFile | undefined {
    return this.#files.get(path);
  }
  async putAll(files: Iterable<readonly [string, SeenFile]>, meta: Readonly<Record<string, string>> = {}): Promise<void> {
    for (const [p, f] of files) this.#files.set(p, f);
    for (const [k, v] of Object.entries(meta)) this.#meta.set(k, v);
  }
  meta(key: string): string | undefined {
    return this.#meta.get(key);
  }
  get count(): number {
    return this.#files.size;
  }
  async close(): Promise<void> {}
}

export class SeenFiles implements SeenIndex {
  readonly #db: RootDatabase<string, string>;

  private constructor(db: RootDatabase<string, string>) {
    this.#db = db;
  }

  /** Opens (or creates) the index in the local folder `dir`. */
  static async open(dir: string): Promise<SeenFiles> {
    try {
      // noSync: a process crash loses nothing (the OS has the pages); what a machine crash could
      // lose is re-indexed from the file log on the next open (`indexedThrough`).
      const db = open<string, string>({ path: dir, encoding: 'string', compression: false, noSync: true });
      return new SeenFiles(db);
    } catch (e) {
      throw new DeltaError('STORAGE_ERROR', `Cannot open the seen-files index at ${dir}: ${e instanceof Error ? e.message : String(e)}. Check that the checkpoint folder is on a local disk and writable.`, { cause: e, details: { path: dir } });
    }
  }

  /** The entry of `path`, or undefined when the file was never taken. Synchronous: a page-cache read. */
  get(path: string): SeenFile | undefined {
    const v = this.#db.get(path);
    if (v === undefined) return undefined;
    const [size, mtime, logOffset] = v.split(',').map(Number);
    return { size: size!, mtime: mtime!, logOffset: logOffset! };
  }

  /** Records files in one transaction, with meta values to set at the same time. */
  async putAll(files: Iterable<readonly [string, SeenFile]>, meta: Readonly<Record<string, string>> = {}): Promise<void> {
    await this.#db.transaction(() => {
      for (const [path, f] of files) void this.#db.put(path, `${f.size},${f.mtime},${f.logOffset}`);
      for (const [k, v] of Object.entries(meta)) void this.#db.put(META + k, v);
    });
  }

  meta(key: string): string | undefined {
    return this.#db.get(META + key);
  }

  /** Entries (excluding meta keys), for inspection (Auto Loader's cloud_files_state). */
  *entries(): Generator<[string, SeenFile]> {
    for (const { key } of this.#db.getRange({ start: '\u0001' })) {
      const f = this.get(key);
      if (f !== undefined) yield [key, f];
    }
  }

  /** Number of file entries (meta keys excluded). */
  get count(): number {
    return this.#db.getCount({ start: '\u0001' });
  }

  async close(): Promise<void> {
    await this.#db.close();
  }
}
