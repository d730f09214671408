/**
 * `commits/<batchId>`: written after the sink committed batch `batchId`, in Spark's layout:
 * `v1` then `{"nextBatchWatermarkMs":<ms>}` (the watermark the next batch uses).
 */
import type { ObjectStore } from '@deltakit/core';
import { MetadataLog } from './metadata-log.js';

export class CommitLog {
  readonly #log: MetadataLog;
  constructor(store: ObjectStore, checkpoint: string) {
    this.#log = new MetadataLog(store, `${checkpoint}/commits`, 'commits', 1);
  }

  add(batchId: number, nextBatchWatermarkMs: number): Promise<boolean> {
    return this.#log.add(batchId, `v1\n${JSON.stringify({ nextBatchWatermarkMs })}`);
  }

  async get(batchId: number): Promise<{ nextBatchWatermarkMs: number } | undefined> {
    const text = await this.#log.get(batchId);
    if (text === undefined) return undefined;
    const parsed = text.trim() === '' ? {} : (JSON.parse(text) as { nextBatchWatermarkMs?: number });
    return { nextBatchWatermarkMs: parsed.nextBatchWatermarkMs ?? 0 };
  }

  latest(): Promise<number | undefined> {
    return this.#log.latest();
  }

  purge(threshold: number): Promise<void> {
    return this.#log.purge(threshold);
  }
}
