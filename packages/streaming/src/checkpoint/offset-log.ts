/**
 * `offsets/<batchId>`: the write-ahead record of a batch, written before it reads anything, in
 * Spark's layout: `v1`, then the batch metadata JSON (`batchWatermarkMs`, `batchTimestampMs`,
 * `conf`), then one line per source in source order (its offset JSON, or `-` for none yet).
 */
import { DeltaError, type ObjectStore } from '@deltakit/core';
import { MetadataLog } from './metadata-log.js';

export interface OffsetSeqMetadata {
  readonly batchWatermarkMs: number;
  readonly batchTimestampMs: number;
  readonly conf: Readonly<Record<string, string>>;
}

export interface OffsetSeq {
  readonly metadata: OffsetSeqMetadata;
  /** Serialized offsets per source; undefined where the source had none. */
  readonly offsets: readonly (string | undefined)[];
}

export class OffsetLog {
  readonly #log: MetadataLog;
  constructor(store: ObjectStore, checkpoint: string) {
    this.#log = new MetadataLog(store, `${checkpoint}/offsets`, 'offsets', 1);
  }

  add(batchId: number, seq: OffsetSeq): Promise<boolean> {
    const lines = ['v1', JSON.stringify(seq.metadata), ...seq.offsets.map((o) => o ?? '-')];
    return this.#log.add(batchId, lines.join('\n'));
  }

  async get(batchId: number): Promise<OffsetSeq | undefined> {
    const text = await this.#log.get(batchId);
    if (text === undefined) return undefined;
    const [meta, ...offsets] = text.split('\n');
    let metadata: OffsetSeqMetadata;
    try {
      const m = meta ? (JSON.parse(meta) as Partial<OffsetSeqMetadata>) : {};
      metadata = { batchWatermarkMs: m.batchWatermarkMs ?? 0, batchTimestampMs: m.batchTimestampMs ?? 0, conf: m.conf ?? {} };
    } catch (e) {
      throw new DeltaError('CORRUPT_CHECKPOINT', `offsets/${batchId} has unreadable batch metadata: the checkpoint is corrupt. Restore it, or use a new checkpointLocation.`, { cause: e });
    }
    return { metadata, offsets: offsets.map((o) => (o === '-' || o === '' ? undefined : o)) };
  }

  latest(): Promise<number | undefined> {
    return this.#log.latest();
  }

  purge(threshold: number): Promise<void> {
    return this.#log.purge(threshold);
  }
}
