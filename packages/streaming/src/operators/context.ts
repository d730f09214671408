import type { RecordBatch } from 'apache-arrow';
import type { Analyzed } from '../plan/analyze.js';
import type { EventTimeStats } from './watermark.js';
import type { StatefulBatch } from '../engine/stateful.js';

export type ScanNode = Extract<Analyzed, { kind: 'scan' }>;

/**
 * What one execution of a plan (a batch query, or one micro-batch) sees: the rows of each leaf,
 * the session time zone, and `current_timestamp()` fixed for the whole execution (Spark's batch
 * timestamp, so a replayed micro-batch computes the same values).
 */
export interface ExecContext {
  readonly input: (scan: ScanNode) => AsyncIterable<RecordBatch>;
  readonly timeZone: string;
  readonly nowMicros: bigint;
  readonly signal?: AbortSignal;
  /** The statistics collector of a watermark operator (streaming executions only). */
  readonly eventTime?: (node: Extract<Analyzed, { kind: 'watermark' }>) => EventTimeStats;
  /** The state of the stateful operators for this micro-batch (streaming executions only). */
  readonly stateful?: StatefulBatch;
}
