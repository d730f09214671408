/**
 * The file sink's manifest, Spark's `FileStreamSinkLog`: `<output>/_spark_metadata/<batchId>`
 * holds the files one micro-batch committed, as
 *
 * ```
 * v1
 * {"path":"file:/out/part-00000-<uuid>.c000.snappy.parquet","size":512,"isDir":false,"modificationTime":1700000000000,"blockReplication":1,"blockSize":33554432,"action":"add"}
 * ```
 *
 * one JSON line per file (`SinkFileStatus`). A batch file is created atomically and only once
 * (`putIfAbsent`): a second writer of the same batch id fails with CONCURRENT_QUERY. Every
 * {@link DEFAULT_COMPACT_INTERVAL}th batch (`(batchId + 1) % 10 === 0`) is written as
 * `<batchId>.compact` holding every live entry so far, so readers read one compact file plus the
 * batches after it. A file is visible only when it is in the log with action `add` and no later
 * `delete` entry; files in the folder that are not in the log (an uncommitted or crashed batch)
 * are invisible to readers of the folder (see {@link hasSinkMetadata}, `read` of file formats).
 *
 * Paths are written as Spark writes them (`file:` + the URI-encoded absolute path); readers also
 * accept plain absolute paths and paths relative to the output folder.
 */
import { DeltaError, type ObjectStore } from '@deltakit/core';
import { tableRootFromUri } from '@deltakit/core/internal';

export const SINK_METADATA_DIR = '_spark_metadata';
export const SINK_LOG_VERSION = 1;
/** Spark's `spark.sql.streaming.fileSink.log.compactInterval`. */
export const DEFAULT_COMPACT_INTERVAL = 10;
/** What Hadoop's local file system reports for a file (Spark's log carries it). */
const LOCAL_BLOCK_SIZE = 33_554_432;

export interface SinkFileStatus {
  readonly path: string;
  readonly size: number;
  readonly isDir: boolean;
  readonly modificationTime: number;
  readonly blockReplication: number;
  readonly blockSize: number;
  readonly action: 'add' | 'delete';
}

/** A `SinkFileStatus` for a file just written at the store path `path`. */
export function addedFile(path: string, size: number, modificationTime: number): SinkFileStatus {
  return { path: pathToLogUri(path), size, isDir: false, modificationTime, blockReplication: 1, blockSize: LOCAL_BLOCK_SIZE, action: 'add' };
}

/** `file:` + the absolute path with each segment URI-encoded, as Hadoop's `Path.toUri.toString`. */
export function pathToLogUri(path: string): string {
  return 'file:' + path.split('/').map(encodeSegment).join('/');
}

function encodeSegment(s: string): string {
  return encodeURIComponent(s).replace(/%3D/g, '=').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%40/g, '@').replace(/%24/g, '$').replace(/%26/g, '&').replace(/%2B/g, '+');
}

/** The store path of a log entry's `path` (a `file:` URI, an absolute path, or relative to `outputPath`). */
export function logPathToStorePath(path: string, outputPath: string): string {
  if (/^[a-zA-Z][a-zA-Z0-9+.-]+:/.test(path)) return tableRootFromUri(path);
  if (path.startsWith('/')) return path;
  return `${outputPath.replace(/\/+$/, '')}/${path}`;
}

/** True when `outputPath` has a `_spark_metadata` folder: readers must then list files from the log. */
export async function hasSinkMetadata(store: ObjectStore, outputPath: string): Promise<boolean> {
  try {
    return await store.isDirectory(`${outputPath.replace(/\/+$/, '')}/${SINK_METADATA_DIR}`);
  } catch {
    return false;
  }
}

export class FileStreamSinkLog {
  readonly dir: string;
  constructor(
    private readonly store: ObjectStore,
    readonly outputPath: string,
    private readonly compactInterval = DEFAULT_COMPACT_INTERVAL,
  ) {
    this.dir = `${outputPath.replace(/\/+$/, '')}/${SINK_METADATA_DIR}`;
  }

  /** Batch ids in the log (compact files count as their batch), ascending. */
  async #entries(): Promise<{ id: number; compact: boolean }[]> {
    const out: { id: number; compact: boolean }[] = [];
    for await (const meta of this.store.list(this.dir)) {
      const name = meta.path.slice(meta.path.lastIndexOf('/') + 1);
      const m = /^(\d+)(\.compact)?$/.exec(name);
      if (m) out.push({ id: Number(m[1]), compact: m[2] !== undefined });
    }
    return out.sort((a, b) => a.id - b.id);
  }

  /** The last batch id in the log, or undefined when it is empty. */
  async latestBatchId(): Promise<number | undefined> {
    const entries = await this.#entries();
    return entries.length === 0 ? undefined : entries[entries.length - 1]!.id;
  }

  /** The entries of one batch (`<id>` or `<id>.compact`). */
  async get(batchId: number, compact = false): Promise<SinkFileStatus[]> {
    const path = `${this.dir}/${batchId}${compact ? '.compact' : ''}`;
    return parseLog(new TextDecoder().decode(await this.store.get(path)), path);
  }

  /** Every visible file: the latest compact file plus the batches after it, deletes applied. */
  async allFiles(): Promise<SinkFileStatus[]> {
    const entries = await this.#entries();
    let from = 0;
    for (let i = entries.length - 1; i >= 0; i--) {
      if (entries[i]!.compact) {
        from = i;
        break;
      }
    }
    const live = new Map<string, SinkFileStatus>();
    for (const e of entries.slice(from)) {
      for (const f of await this.get(e.id, e.compact)) {
        if (f.action === 'delete') live.delete(f.path);
        else live.set(f.path, f);
      }
    }
    return [...live.values()];
  }

  /**
   * Records the files of `batchId`. Returns false (writing nothing) when the batch is already in
   * the log: the caller wrote those files twice, or another run of the query is writing too.
   */
  async add(batchId: number, files: readonly SinkFileStatus[]): Promise<boolean> {
    const compact = (batchId + 1) % this.compactInterval === 0;
    let entries = files;
    if (compact) {
      if (((await this.latestBatchId()) ?? -1) >= batchId) return false;
      entries = [...(await this.allFiles()), ...files];
    }
    const text = [`v${SINK_LOG_VERSION}`, ...entries.map(serializeStatus)].join('\n');
    const result = await this.store.putIfAbsent(`${this.dir}/${batchId}${compact ? '.compact' : ''}`, new TextEncoder().encode(text));
    return result.created;
  }
}

function serializeStatus(f: SinkFileStatus): string {
  // Field order as Spark's json4s writes the case class.
  return JSON.stringify({ path: f.path, size: f.size, isDir: f.isDir, modificationTime: f.modificationTime, blockReplication: f.blockReplication, blockSize: f.blockSize, action: f.action });
}

function parseLog(text: string, path: string): SinkFileStatus[] {
  const lines = text.split('\n');
  const version = /^v(\d+)$/.exec(lines[0] ?? '');
  if (!version) throw new DeltaError('CORRUPT_CHECKPOINT', `${path} is not a file sink log: its first line must be 'v1'. The _spark_metadata folder was damaged; restore it or write to a new output folder.`, { details: { path } });
  if (Number(version[1]) > SINK_LOG_VERSION) {
    throw new DeltaError('CORRUPT_CHECKPOINT', `${path} has file sink log version ${version[1]}, newer than the supported v${SINK_LOG_VERSION}. It was written by a newer version; upgrade to read it.`, { details: { path } });
  }
  const out: SinkFileStatus[] = [];
  for (const line of lines.slice(1)) {
    if (line.trim() === '') continue;
    let o: Partial<SinkFileStatus>;
    try {
      o = JSON.parse(line) as Partial<SinkFileStatus>;
    } catch (e) {
      throw new DeltaError('CORRUPT_CHECKPOINT', `${path} has a line that is not JSON: ${line.slice(0, 80)}. The _spark_metadata folder was damaged.`, { cause: e, details: { path } });
    }
    if (typeof o.path !== 'string') throw new DeltaError('CORRUPT_CHECKPOINT', `${path} has an entry without a path: ${line.slice(0, 80)}.`, { details: { path } });
    out.push({
      path: o.path,
      size: Number(o.size ?? 0),
      isDir: o.isDir === true,
      modificationTime: Number(o.modificationTime ?? 0),
      blockReplication: Number(o.blockReplication ?? 1),
      blockSize: Number(o.blockSize ?? LOCAL_BLOCK_SIZE),
      action: o.action === 'delete' ? 'delete' : 'add',
    });
  }
  return out;
}
