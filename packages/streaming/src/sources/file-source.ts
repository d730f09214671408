/**
 * The streaming file source, as Spark's FileStreamSource (and, configured by `cloud-files/`, Auto
 * Loader): each batch takes files not seen before, oldest first (`latestFirst`: newest first),
 * within `maxFilesPerTrigger` / `maxBytesPerTrigger`; their list is written to the source's log
 * (`sources/<n>/<logOffset>`, see `file-log.ts`) before the offset `{"logOffset":N}` reaches
 * the offset log, so `getBatch(start, end)` reads exactly the files of log entries start+1..end
 * on every run. The set of files seen lives in an embedded store under the source's folder
 * (`seen-files.ts`), so restarts never re-read a file and millions of entries cost no heap.
 *
 * `maxFileAge` (Spark's, default a week for plain file sources; relative to the newest file
 * seen; the first batch takes every file; ignored with latestFirst and maxFilesPerTrigger)
 * skips old files. `cleanSource` archives or deletes a batch's files once the batch is
 * committed. A file rewritten in place is taken again only with `cloudFiles.allowOverwrites`
 * (when its size or modification time changed).
 */
import { DeltaError, LocalFileSystemStore } from '@deltakit/core';
import type { RecordBatch } from 'apache-arrow';
import type { ReadLimit, StreamContext, StreamSource } from './source.js';
import { FileSourceLog, type FileEntry } from './file-log.js';
import { accept, listDataFiles, type ListedFile } from './file-listing.js';
import type { FileSourceOptions } from './file-options.js';
import { readFile, type ReaderSpec } from './file-reader.js';
import { MemorySeenFiles, SeenFiles, type SeenIndex } from './cloud-files/seen-files.js';
import { FileNotifications } from './cloud-files/notifications.js';

export interface FileOffset {
  readonly logOffset: number;
}

/** What a batch that met unknown fields does about them (Auto Loader's schema evolution). */
export interface NewColumnsHandler {
  /** Called after a batch read its files, with the fields not in the schema; may throw. */
  onNewColumns(names: readonly string[], files: readonly ListedFile[]): Promise<void>;
}

export interface FileSourceConfig {
  /** `FileStreamSource` or `CloudFilesSource`, for progress reports. */
  readonly name: string;
  readonly root: string;
  readonly options: FileSourceOptions;
  readonly reader: ReaderSpec;
  /** Present when unknown fields must be reported after each batch. */
  readonly newColumns?: NewColumnsHandler;
}

/** Log entries kept behind the committed offset (the index keeps what dedup needs). */
const LOG_ENTRIES_TO_RETAIN = 100;

export class FileStreamSource implements StreamSource<FileOffset> {
  readonly description: string;
  readonly #ctx: StreamContext;
  readonly #cfg: FileSourceConfig;
  readonly #log: FileSourceLog;
  readonly #rootPrefix: string;
  #seen!: SeenIndex;
  #latestLogId = -1;
  #maxMtime = 0;
  #pinned: Set<string> | undefined;
  #notifications: FileNotifications | undefined;
  #lastCleaned = -1;
  #onData: (() => void) | undefined;

  private constructor(ctx: StreamContext, cfg: FileSourceConfig) {
    this.#ctx = ctx;
    this.#cfg = cfg;
    this.#log = new FileSourceLog(ctx.engine.store, ctx.metadataPath);
    this.#rootPrefix = cfg.root.endsWith('/') ? cfg.root : `${cfg.root}/`;
    this.description = `${cfg.name}[${cfg.root}]`;
  }

  static async open(ctx: StreamContext, cfg: FileSourceConfig): Promise<FileStreamSource> {
    const s = new FileStreamSource(ctx, cfg);
    await s.#init();
    return s;
  }

  async #init(): Promise<void> {
    const local = this.#ctx.engine.store instanceof LocalFileSystemStore;
    this.#seen = local ? await SeenFiles.open(`${this.#ctx.metadataPath}/seen-files`) : MemorySeenFiles.for(this.#ctx.metadataPath);
    const ids = await this.#log.ids();
    this.#latestLogId = ids.at(-1) ?? -1;
    this.#maxMtime = Number(this.#seen.meta('maxMtime') ?? 0);
    // Repair the index: log entries written but not yet indexed (a crash between the two).
    const indexed = Number(this.#seen.meta('indexedThrough') ?? -1);
    for (const id of ids) if (id > indexed) await this.#index(id, await this.#log.get(id));
    if (this.#seen.meta('initialized') === undefined) {
      if (!this.#cfg.options.includeExistingFiles) {
        const existing = await this.#list();
        for (let i = 0; i < existing.length; i += 10_000) await this.#seen.putAll(existing.slice(i, i + 10_000).map((f) => [f.path, { size: f.size, mtime: f.mtime, logOffset: -1 }] as const));
      }
      await this.#seen.putAll([], { initialized: '1' });
    }
    if (this.#cfg.options.useNotifications && local) {
      await this.#ctx.engine.store.put(`${this.#ctx.metadataPath}/.watch`, new Uint8Array(0)); // the folder must exist to be watched
      await this.#ctx.engine.store.delete(`${this.#ctx.metadataPath}/.watch`);
      try {
        this.#notifications = await FileNotifications.watch(this.#ctx.engine.store, this.#cfg.root, this.#cfg.options.backfillIntervalMs);
        this.#notifications.onEvent(() => this.#onData?.());
      } catch (e) {
        this.#ctx.logger.warn({ root: this.#cfg.root, err: e instanceof Error ? e.message : String(e) }, 'Cannot watch the source folder; listing it instead');
      }
    }
  }

  onDataAvailable(callback: () => void): void {
    this.#onData = callback;
  }

  async #index(id: number, files: readonly FileEntry[]): Promise<void> {
    let max = this.#maxMtime;
    for (const f of files) max = Math.max(max, f.timestamp);
    await this.#seen.putAll(
      files.map((f) => [f.path, { size: f.size, mtime: f.timestamp, logOffset: id }] as const),
      { indexedThrough: String(id), maxMtime: String(max) },
    );
    this.#maxMtime = max;
  }

  #list(signal?: AbortSignal): Promise<ListedFile[]> {
    return listDataFiles(this.#ctx.engine.store, this.#cfg.root, { ...(this.#cfg.options.glob ? { glob: this.#cfg.options.glob } : {}), ...(signal ? { signal } : {}) });
  }

  /** Candidate files: a listing, or (notifications) the files events named since the last look. */
  async #discover(signal?: AbortSignal): Promise<ListedFile[]> {
    const n = this.#notifications;
    const now = Date.now();
    if (n === undefined || this.#pinned !== undefined) return this.#list(signal);
    if (n.backfillDue(now)) {
      n.backfillStarted(now);
      return this.#list(signal);
    }
    const out: ListedFile[] = [];
    for (const path of n.drain()) {
      if (!accept({ path }, this.#rootPrefix, this.#cfg.options.glob)) continue;
      try {
        const m = await this.#ctx.engine.store.head(path);
        if (m.kind !== 'directory') out.push({ path, size: m.size, mtime: m.lastModified });
      } catch {
        // gone, or a folder: the next backfill listing settles it
      }
    }
    return out;
  }

  async prepareForTriggerAvailableNow(signal?: AbortSignal): Promise<void> {
    this.#pinned = new Set((await this.#list(signal)).map((f) => f.path));
  }

  async latestOffset(start: FileOffset | undefined, limit: ReadLimit, signal?: AbortSignal): Promise<FileOffset | undefined> {
    const current = this.#latestLogId < 0 ? undefined : { logOffset: this.#latestLogId };
    // A log entry a crashed run wrote but never planned: offer it as it is.
    if (this.#latestLogId > (start?.logOffset ?? -1)) return current;
    const o = this.#cfg.options;
    const ageLimited = o.maxFileAgeMs !== undefined && this.#latestLogId >= 0 && !(o.latestFirst && o.maxFilesPerTrigger !== undefined);
    const threshold = ageLimited ? this.#maxMtime - o.maxFileAgeMs! : Number.NEGATIVE_INFINITY;
    const fresh: ListedFile[] = [];
    for (const f of await this.#discover(signal)) {
      if (this.#pinned !== undefined && !this.#pinned.has(f.path)) continue;
      if (f.mtime < threshold) continue;
      const seen = this.#seen.get(f.path);
      if (seen !== undefined && !(o.allowOverwrites && (seen.size !== f.size || seen.mtime !== f.mtime))) continue;
      fresh.push(f);
    }
    if (fresh.length === 0) return current;
    fresh.sort((a, b) => a.mtime - b.mtime || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    if (o.latestFirst) fresh.reverse();
    const take: ListedFile[] = [];
    let bytes = 0;
    for (const f of fresh) {
      if (!limit.allAvailable && take.length > 0) {
        if (o.maxFilesPerTrigger !== undefined && take.length >= o.maxFilesPerTrigger) break;
        if (o.maxBytesPerTrigger !== undefined && bytes + f.size > o.maxBytesPerTrigger) break;
      }
      take.push(f);
      bytes += f.size;
    }
    if (take.length < fresh.length) this.#onData?.(); // more is waiting: no need to sleep
    const id = this.#latestLogId + 1;
    const entries: FileEntry[] = take.map((f) => ({ path: f.path, timestamp: f.mtime, batchId: id, size: f.size }));
    if (!(await this.#log.add(id, entries))) {
      throw new DeltaError('CONCURRENT_QUERY', `The file source log entry ${this.#ctx.metadataPath}/${id} was written by another query: two queries run on the same checkpoint. Stop one of them.`, { details: { path: `${this.#ctx.metadataPath}/${id}` } });
    }
    await this.#index(id, entries);
    this.#latestLogId = id;
    return { logOffset: id };
  }

  async *getBatch(start: FileOffset | undefined, end: FileOffset, signal?: AbortSignal): AsyncIterable<RecordBatch> {
    const unknown = new Set<string>();
    const reader: ReaderSpec = this.#cfg.newColumns === undefined ? this.#cfg.reader : { ...this.#cfg.reader, onUnknownField: (n) => unknown.add(n) };
    const files: ListedFile[] = [];
    for (let id = (start?.logOffset ?? -1) + 1; id <= end.logOffset; id++) {
      for (const e of await this.#log.get(id)) {
        const file = { path: e.path, size: e.size, mtime: e.timestamp };
        files.push(file);
        yield* readFile(this.#ctx.engine, reader, file, signal);
      }
    }
    if (unknown.size > 0) await this.#cfg.newColumns!.onNewColumns([...unknown], files);
  }

  async commit(end: FileOffset): Promise<void> {
    const o = this.#cfg.options;
    if (o.cleanSource !== 'off') {
      const ids = await this.#log.ids();
      for (const id of ids) {
        if (id <= this.#lastCleaned || id > end.logOffset) continue;
        for (const e of await this.#log.get(id)) await this.#clean(e.path);
        this.#lastCleaned = id;
      }
    }
    if (end.logOffset >= LOG_ENTRIES_TO_RETAIN) await this.#log.purge(end.logOffset - LOG_ENTRIES_TO_RETAIN + 1);
  }

  async #clean(path: string): Promise<void> {
    const store = this.#ctx.engine.store;
    try {
      if (this.#cfg.options.cleanSource === 'delete') {
        await store.delete(path);
        return;
      }
      if (store.rename === undefined) throw new DeltaError('UNSUPPORTED_OPERATION', 'This store cannot move files, so cleanSource archive is unavailable; use cleanSource delete.');
      // Spark's layout: the file's full path under the archive folder.
      await store.rename(path, `${this.#cfg.options.sourceArchiveDir!.replace(/\/+$/, '')}${path}`);
    } catch (e) {
      if (e instanceof DeltaError && e.code === 'FILE_NOT_FOUND') return; // cleaned before a restart
      this.#ctx.logger.warn({ path, err: e instanceof Error ? e.message : String(e) }, 'cleanSource could not clean a processed file');
    }
  }

  serialize(o: FileOffset): string {
    return JSON.stringify({ logOffset: o.logOffset });
  }

  deserialize(json: string): FileOffset {
    let v: unknown;
    try {
      v = JSON.parse(json);
    } catch {
      v = undefined;
    }
    const n = typeof v === 'object' && v !== null ? (v as { logOffset?: unknown }).logOffset : typeof v === 'number' ? v : undefined;
    if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw new DeltaError('CORRUPT_CHECKPOINT', `A file source offset must be {"logOffset":N}, found ${json}. Restore the checkpoint, or use a new checkpointLocation.`);
    return { logOffset: n };
  }

  sameOffset(a: FileOffset, b: FileOffset): boolean {
    return a.logOffset === b.logOffset;
  }

  /** Simulates lost file-system events (tests of the backfill listing). */
  dropPendingEventsForTest(): void {
    this.#notifications?.dropPending();
  }

  /** Number of files in the seen-files index. */
  get seenFileCount(): number {
    return this.#seen.count;
  }

  async stop(): Promise<void> {
    await this.#notifications?.close();
    this.#notifications = undefined;
    await this.#seen.close();
  }
}

