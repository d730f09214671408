/**
 * `foreachBatch(fn)`: calls `fn(batchDf, batchId)` with each micro-batch as a batch DataFrame.
 * At-least-once, as in Spark: after a crash the last batch may be given again with the same id
 * and the same rows. Make the function idempotent with an app transaction on its writes
 * (`{ appTransaction: { appId: queryId, version: BigInt(batchId) } }` on a Delta write or
 * MERGE), which Delta skips when it was already committed.
 */
import type { DataFrame } from '../api/dataframe.js';
import type { MicroBatch, OutputMode, Sink, SinkContext, SinkResult } from './sink.js';

export type ForeachBatchFunction = (batch: DataFrame, batchId: number) => unknown | Promise<unknown>;

export class ForeachBatchSink implements Sink {
  readonly description = 'ForeachBatchSink';
  readonly outputModes: readonly OutputMode[] = ['append', 'update', 'complete'];
  constructor(private readonly fn: ForeachBatchFunction) {}

  async addBatch(batch: MicroBatch, _ctx: SinkContext): Promise<SinkResult> {
    const df = batch.dataFrame();
    const out = await this.fn(df, batch.batchId);
    // A function returning upsertBatch's result reports the table version it left.
    const version = typeof out === 'object' && out !== null && typeof (out as { version?: unknown }).version === 'number' ? (out as { version: number }).version : undefined;
    return { numOutputRows: -1, ...(version === undefined ? {} : { metrics: { tableVersion: String(version) } }) };
  }
}
