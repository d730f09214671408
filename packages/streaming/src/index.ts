/**
 * `@deltakit/streaming`: Spark Structured Streaming's model on Delta tables, in Node.
 *
 * ```ts
 * import { readStream, col, currentTimestamp } from '@deltakit/streaming';
 * const query = await readStream.format('delta').load('./tables/bronze')
 *   .withColumn('seen_at', currentTimestamp())
 *   .writeStream.format('delta').option('checkpointLocation', './chk/silver')
 *   .start('./tables/silver');
 * ```
 */
import { readerFor } from './api/reader.js';
import { registerFileSinks } from './sinks/file-sink.js';
import { registerSource as register } from './sources/registry.js';
import { rateProvider } from './sources/rate-source.js';
import { socketProvider } from './sources/socket-source.js';

export { DataFrame, GroupedData, type JoinHow } from './api/dataframe.js';
export { Column, col, lit, expr, type ColumnLike } from './api/column.js';
export * from './api/functions-sql.js';
export { count, countDistinct, sum, avg, mean, min, max, first, last, collectList, collectSet, approxCountDistinct, stddev, stddevSamp, stddevPop, variance, varSamp, varPop, window, sessionWindow, when, WhenBuilder } from './api/functions.js';
export { callFunction } from './api/function-call.js';
export { DataFrameReader, DataStreamReader } from './api/reader.js';
export { DataFrameWriter } from './api/writer.js';
export { DataStreamWriter, DEFAULT_IDLE_POLL_MS, DEFAULT_MIN_BATCHES_TO_RETAIN } from './api/stream-writer.js';
export { StreamingQuery } from './api/streaming-query.js';
export { GroupState, type GroupStateFunction, type GroupStateOptions, type GroupStateTimeout } from './api/group-state.js';
export { Session, getDefaultSession, type SessionOptions } from './api/session.js';
export type { Row } from './api/rows.js';
export { memoryStream, MemoryStream } from './sources/memory-source.js';
export { memoryTable, dropMemoryTable } from './sinks/memory-sink.js';
export { registerSource } from './sources/registry.js';
export { registerSink, type SinkSpec } from './sinks/create.js';
export type { StreamSource, SourceProvider, ResolvedRelation, ReadPushdown, StreamContext, ResolveContext, ReadLimit } from './sources/source.js';
export { sql, type SqlQueryOptions } from './sql/sql.js';
export type { Sink, MicroBatch, SinkContext, SinkResult, OutputMode } from './sinks/sink.js';
export type { ForeachBatchFunction } from './sinks/foreach-batch-sink.js';
export { LATE_ROW_FIELDS, type LateRowsFunction, type LateRowsInfo } from './engine/late-rows.js';
export { MULTIPLE_WATERMARK_POLICY } from './engine/micro-batch.js';
export type { StreamingQueryProgress, StreamingQueryStatus, SourceProgress, SinkProgress, StateOperatorProgress } from './engine/progress.js';
export type { TriggerSpec } from './engine/trigger.js';
export { streams, addListener, type StreamingQueryListener, type QueryStartedEvent, type QueryProgressEvent, type QueryIdleEvent, type QueryTerminatedEvent } from './engine/listeners.js';
export type { Logger } from './util/logger.js';

const defaults = readerFor();
/** Batch reads with the default session: `read.format('delta').load(path)`. */
export const read = defaults.read;
/** Streaming reads with the default session: `readStream.format('cloudFiles').option(...).load(path)`. */
export const readStream = defaults.readStream;

/** Readers bound to a session (an injected engine, clock or time zone). */
export function sessionReaders(session: import('./api/session.js').Session) {
  return readerFor(session);
}
export { upsertBatch, type UpsertOptions, type UpsertResult } from './sinks/merge-upsert.js';

// Sources and sinks that register themselves by format (file sinks, rate, socket).
registerFileSinks();
register(rateProvider);
register(socketProvider);
export {
  type StateStore,
  type StateStoreProvider,
  type StateStoreProviderKind,
  type StateStoreProviderSpec,
  type StateStoreOptions,
  type StateStoreMetrics,
  type StateEntry,
  STATE_STORE_PROVIDERS,
  DEFAULT_MIN_DELTAS_FOR_SNAPSHOT,
  DEFAULT_STATE_MIN_BATCHES_TO_RETAIN,
  DEFAULT_MAX_VERSIONS_IN_MEMORY,
} from './state/state-store.js';
export { openStateStoreProvider } from './state/provider.js';
export type { StateRow, StateValue } from './state/row-codec.js';
export { stateStoreOptionsFrom, stateOperatorProgress, type StatefulOperatorCounts } from './state/options.js';
