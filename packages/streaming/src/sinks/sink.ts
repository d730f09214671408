/**
 * Sinks: where a streaming query's micro-batches go. The contract is Spark's `Sink.addBatch`:
 * the engine may call `addBatch` again with a batch id it already gave (after a crash between
 * the sink's commit and `commits/<id>`), and a sink that promises exactly-once must then do
 * nothing (the Delta sink records the batch id in the table's `txn` action).
 */
import type { Engine, StructType } from '@deltakit/core';
import type { RecordBatch } from 'apache-arrow';
import type { DataFrame } from '../api/dataframe.js';
import type { Logger } from '../util/logger.js';

export type OutputMode = 'append' | 'update' | 'complete';

/** One micro-batch's output, re-computable: each call of `batches()` runs the batch plan again on the same input. */
export interface MicroBatch {
  readonly batchId: number;
  readonly schema: StructType;
  readonly outputMode: OutputMode;
  batches(signal?: AbortSignal): AsyncIterable<RecordBatch>;
  /** The batch as a batch DataFrame (for foreachBatch). */
  dataFrame(): DataFrame;
}

export interface SinkContext {
  readonly engine: Engine;
  readonly queryId: string;
  readonly logger: Logger;
  readonly signal?: AbortSignal;
}

export interface SinkResult {
  readonly numOutputRows: number;
  /** Sink metrics for the progress report (the Delta sink gives the table version it committed). */
  readonly metrics?: Readonly<Record<string, string>>;
}

export interface Sink {
  /** Spark's sink description for progress reports, e.g. `DeltaSink[/tables/silver]`. */
  readonly description: string;
  /** Output modes this sink accepts. */
  readonly outputModes: readonly OutputMode[];
  addBatch(batch: MicroBatch, ctx: SinkContext): Promise<SinkResult>;
  stop?(): Promise<void>;
}
