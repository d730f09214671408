/**
 * A file source's log of the files each of its batches took, as Spark's FileStreamSourceLog:
 * `<checkpoint>/sources/<n>/<logOffset>` holds `v1` then one JSON line per file,
 * `{"path":"/landing/a.json","timestamp":<mtime ms>,"batchId":<logOffset>,"size":<bytes>}`.
 * An entry is written once (put-if-absent) before the offset that names it reaches the offset
 * log, so `getBatch(start, end)` reads the same files on every run. Entries far behind the
 * committed offset are purged (the seen-files index keeps what dedup needs).
 */
import { DeltaError, type ObjectStore } from '@deltakit/core';
import { MetadataLog } from '../checkpoint/metadata-log.js';

export interface FileEntry {
  /** Store path of the file. */
  readonly path: string;
  /** Modification time, ms since the epoch. */
  readonly timestamp: number;
  /** The log offset that took the file. */
  readonly batchId: number;
  readonly size: number;
}

export class FileSourceLog {
  readonly #log: MetadataLog;

  constructor(store: ObjectStore, dir: string) {
    this.#log = new MetadataLog(store, dir, 'sources', 1);
  }

  /** Writes entry `logOffset`; false when another writer got there first. */
  add(logOffset: number, files: readonly FileEntry[]): Promise<boolean> {
    return this.#log.add(logOffset, ['v1', ...files.map((f) => JSON.stringify({ path: f.path, timestamp: f.timestamp, batchId: f.batchId, size: f.size }))].join('\n'));
  }

  /** The files of entry `logOffset`; CORRUPT_CHECKPOINT when it is missing. */
  async get(logOffset: number): Promise<FileEntry[]> {
    const text = await this.#log.get(logOffset);
    if (text === undefined) {
      throw new DeltaError('CORRUPT_CHECKPOINT', `The file source log entry ${this.#log.dir}/${logOffset} is missing, but the offset log refers to it. Restore the checkpoint, or start the query with a new checkpointLocation.`, { details: { path: `${this.#log.dir}/${logOffset}` } });
    }
    return text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as FileEntry);
  }

  ids(): Promise<number[]> {
    return this.#log.ids();
  }

  purge(threshold: number): Promise<void> {
    return this.#log.purge(threshold);
  }
}
