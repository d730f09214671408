/**
 * An append-only log of one file per batch id (`<dir>/<batchId>`, decimal, unpadded), as Spark's
 * HDFSMetadataLog: an entry is written once, atomically (put-if-absent), never changed; a second
 * writer of the same id learns it lost (another query runs on the checkpoint). Files whose name
 * is not a number are ignored. Every entry starts with a version line `v<N>`.
 */
import { DeltaError, type ObjectStore } from '@deltakit/core';

const decoder = new TextDecoder();
const encoder = new TextEncoder();

export class MetadataLog {
  constructor(
    private readonly store: ObjectStore,
    /** Store path of the log folder. */
    readonly dir: string,
    /** Name for messages: `offsets` or `commits`. */
    private readonly name: string,
    /** The highest entry version this reader understands. */
    private readonly maxVersion: number,
  ) {}

  /** Writes entry `batchId`; false when it already exists (it is left as it was). */
  async add(batchId: number, text: string): Promise<boolean> {
    const r = await this.store.putIfAbsent(`${this.dir}/${batchId}`, encoder.encode(text));
    return r.created;
  }

  /** The entry's text without its version line, or undefined when it does not exist. */
  async get(batchId: number): Promise<string | undefined> {
    let bytes: Uint8Array;
    try {
      bytes = await this.store.get(`${this.dir}/${batchId}`);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
    const text = decoder.decode(bytes);
    const nl = text.indexOf('\n');
    const header = nl < 0 ? text : text.slice(0, nl);
    const m = /^v(\d+)$/.exec(header.trim());
    if (m === null) {
      throw new DeltaError('CORRUPT_CHECKPOINT', `${this.name}/${batchId} in ${this.dir} does not start with a version line (v1): the checkpoint is corrupt. Restore it from a backup, or start the query with a new checkpointLocation.`, { details: { path: `${this.dir}/${batchId}` } });
    }
    if (Number(m[1]) > this.maxVersion) {
      throw new DeltaError('CHECKPOINT_INCOMPATIBLE', `${this.name}/${batchId} in ${this.dir} has log version v${m[1]}, newer than this deltakit understands (v${this.maxVersion}). Upgrade deltakit to run this query.`, { details: { path: `${this.dir}/${batchId}` } });
    }
    return nl < 0 ? '' : text.slice(nl + 1);
  }

  /** Batch ids present, ascending. */
  async ids(): Promise<number[]> {
    const out: number[] = [];
    try {
      for await (const m of this.store.list(this.dir)) {
        const name = m.path.slice(m.path.lastIndexOf('/') + 1);
        if (/^\d+$/.test(name)) out.push(Number(name));
      }
    } catch (e) {
      if (isNotFound(e)) return [];
      throw e;
    }
    return out.sort((a, b) => a - b);
  }

  async latest(): Promise<number | undefined> {
    return (await this.ids()).at(-1);
  }

  /** Deletes entries with ids below `threshold`. */
  async purge(threshold: number): Promise<void> {
    for (const id of await this.ids()) if (id < threshold) await this.store.delete(`${this.dir}/${id}`);
  }
}

export function isNotFound(e: unknown): boolean {
  return typeof e === 'object' && e !== null && ((e as { code?: string }).code === 'FILE_NOT_FOUND' || (e as { code?: string }).code === 'ENOENT' || (e as { code?: string }).code === 'TABLE_NOT_FOUND');
}
