/**
 * `StreamingQueryProgress` and `StreamingQueryStatus` with the fields and JSON shape of Spark's
 * (`progress.scala`): one progress per trigger that ran a batch (and one per idle period),
 * timestamps as ISO-8601 text, durations in ms under Spark's phase names.
 */
export interface SourceProgress {
  readonly description: string;
  readonly startOffset: unknown;
  readonly endOffset: unknown;
  readonly latestOffset: unknown;
  readonly numInputRows: number;
  readonly inputRowsPerSecond: number;
  readonly processedRowsPerSecond: number;
  readonly metrics: Readonly<Record<string, string>>;
}

export interface SinkProgress {
  readonly description: string;
  readonly numOutputRows: number;
  readonly metrics: Readonly<Record<string, string>>;
}

export interface StateOperatorProgress {
  readonly operatorName: string;
  readonly numRowsTotal: number;
  readonly numRowsUpdated: number;
  readonly numRowsRemoved: number;
  readonly numRowsDroppedByWatermark: number;
  readonly allUpdatesTimeMs: number;
  readonly allRemovalsTimeMs: number;
  readonly commitTimeMs: number;
  readonly memoryUsedBytes: number;
  readonly numShufflePartitions: number;
  readonly numStateStoreInstances: number;
  readonly customMetrics: Readonly<Record<string, number>>;
}

export interface StreamingQueryProgress {
  readonly id: string;
  readonly runId: string;
  readonly name: string | null;
  readonly timestamp: string;
  readonly batchId: number;
  readonly batchDuration: number;
  readonly numInputRows: number;
  readonly inputRowsPerSecond: number;
  readonly processedRowsPerSecond: number;
  /** Spark's phases: latestOffset, walCommit, getBatch, queryPlanning, addBatch, commitOffsets, triggerExecution. */
  readonly durationMs: Readonly<Record<string, number>>;
  /** min/max/avg event time of the batch and the watermark, ISO-8601; empty without a watermark. */
  readonly eventTime: Readonly<Record<string, string>>;
  readonly stateOperators: readonly StateOperatorProgress[];
  readonly sources: readonly SourceProgress[];
  readonly sink: SinkProgress;
  readonly observedMetrics: Readonly<Record<string, unknown>>;
}

export interface StreamingQueryStatus {
  readonly message: string;
  readonly isDataAvailable: boolean;
  readonly isTriggerActive: boolean;
}

/** Rows per second over `ms`, 0 for an empty interval (Spark reports NaN as 0 in JSON too). */
export function rate(rows: number, ms: number): number {
  return ms > 0 ? (rows * 1000) / ms : 0;
}

/** Spark's progress timestamp text: ISO-8601 in UTC with milliseconds. */
export function isoTimestamp(ms: number): string {
  return new Date(ms).toISOString();
}

/** An offset for the progress JSON: parsed JSON when the serialized offset is JSON, else the text. */
export function offsetForProgress(serialized: string | undefined): unknown {
  if (serialized === undefined) return null;
  try {
    return JSON.parse(serialized) as unknown;
  } catch {
    return serialized;
  }
}
