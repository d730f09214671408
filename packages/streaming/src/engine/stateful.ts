/**
 * The state of a query's stateful operators across micro-batches. Operators get ids in Spark's
 * order (a pre-order walk of the plan: the downstream operator first), one state store each
 * (partition 0; deltakit runs one partition) under `<checkpoint>/state/<id>/0/`. Batch N reads
 * the store at version N and commits version N+1 after its output is computed, before the sink
 * runs, so a batch run again after a crash starts from exactly the state the previous batch left.
 */
import { struct, type StructType } from '@deltakit/core';
import type { Analyzed } from '../plan/analyze.js';
import type { OutputMode } from '../sinks/sink.js';
import { stateOperatorProgress, stateStoreOptionsFrom, type StatefulOperatorCounts } from '../state/options.js';
import { openStateStoreProvider } from '../state/provider.js';
import type { StateStore, StateStoreProvider } from '../state/state-store.js';
import type { Logger } from '../util/logger.js';
import type { ObjectStore } from '@deltakit/core';
import type { StateOperatorProgress } from './progress.js';
import { nextTimeoutMs } from '../operators/group-state.js';
import { LateRowsCollector } from './late-rows.js';

/** A stateful operator as the runtime knows it: its plan node, Spark's name, and its state schemas. */
export interface StatefulOperator {
  readonly node: Analyzed;
  readonly name: string;
  readonly keySchema: StructType;
  readonly valueSchema: StructType;
}

/** Counters an operator updates while it runs one batch. */
export interface OperatorCounts {
  numRowsUpdated: number;
  numRowsRemoved: number;
  numRowsDroppedByWatermark: number;
  allUpdatesTimeMs: number;
  allRemovalsTimeMs: number;
  /** Operator-specific custom metrics (Spark's, e.g. dedupe's `numDroppedDuplicateRows`), added to the store's. */
  custom?: Record<string, number>;
}

/** What a stateful operator sees during one batch. */
export interface StatefulBatch {
  readonly batchId: number;
  readonly outputMode: OutputMode;
  /** Rows with event time at or before this are late and dropped (the previous batch's watermark). */
  readonly lateEventsWatermarkMs: number;
  /** State with event time at or before this is evicted (this batch's watermark). */
  readonly evictionWatermarkMs: number;
  store(node: Analyzed): StateStore;
  counts(node: Analyzed): OperatorCounts;
  /** Where operators hand the rows they drop as late; present only when the query has a late-rows target. */
  readonly late?: LateRowsCollector;
}

export class StatefulRuntime {
  readonly operators: readonly StatefulOperator[];
  readonly #providers = new Map<Analyzed, StateStoreProvider>();
  #stores = new Map<Analyzed, StateStore>();
  #counts = new Map<Analyzed, OperatorCounts>();

  constructor(
    operators: readonly StatefulOperator[],
    private readonly store: ObjectStore,
    private readonly checkpoint: string,
    private readonly options: Readonly<Record<string, string>>,
    private readonly logger: Logger,
  ) {
    this.operators = operators;
  }

  get isEmpty(): boolean {
    return this.operators.length === 0;
  }

  /** Opens every operator's store at version `batchId` (the state after batch `batchId - 1`). */
  async begin(batchId: number): Promise<void> {
    this.#stores = new Map();
    this.#counts = new Map();
    for (let id = 0; id < this.operators.length; id++) {
      const op = this.operators[id]!;
      let provider = this.#providers.get(op.node);
      if (provider === undefined) {
        provider = await openStateStoreProvider({
          store: this.store,
          checkpoint: this.checkpoint,
          operatorId: id,
          partition: 0,
          keySchema: op.keySchema,
          valueSchema: op.valueSchema.fields.length === 0 ? struct([]) : op.valueSchema,
          options: { ...stateStoreOptionsFrom(this.options), logger: this.logger },
        });
        this.#providers.set(op.node, provider);
      }
      this.#stores.set(op.node, await provider.getStore(batchId));
      this.#counts.set(op.node, { numRowsUpdated: 0, numRowsRemoved: 0, numRowsDroppedByWatermark: 0, allUpdatesTimeMs: 0, allRemovalsTimeMs: 0 });
    }
  }

  /** The operators' view of batch `batchId`; `collectLate` gives it a late-rows collector. */
  batch(batchId: number, outputMode: OutputMode, lateEventsWatermarkMs: number, evictionWatermarkMs: number, collectLate = false): StatefulBatch {
    const stores = this.#stores;
    const counts = this.#counts;
    const late = collectLate ? new LateRowsCollector(batchId, lateEventsWatermarkMs, (node) => this.#operatorOf(node)) : undefined;
    return {
      ...(late ? { late } : {}),
      batchId,
      outputMode,
      lateEventsWatermarkMs,
      evictionWatermarkMs,
      store: (node) => stores.get(node)!,
      counts: (node) => counts.get(node)!,
    };
  }

  #operatorOf(node: Analyzed): { id: number; name: string } {
    const id = this.operators.findIndex((o) => o.node === node);
    return { id, name: this.operators[id]?.name ?? node.kind };
  }

  /** Commits every store (version batchId + 1), and notes the earliest pending processing-time timeout. */
  async commit(): Promise<void> {
    this.#nextTimeoutMs = undefined;
    for (const op of this.operators) {
      if (op.node.kind !== 'groupState' || op.node.spec.timeout !== 'ProcessingTimeTimeout') continue;
      const t = nextTimeoutMs(this.#stores.get(op.node)!.iterator());
      if (t !== undefined && (this.#nextTimeoutMs === undefined || t < this.#nextTimeoutMs)) this.#nextTimeoutMs = t;
    }
    for (const s of this.#stores.values()) if (!s.hasCommitted) await s.commit();
  }

  #nextTimeoutMs: number | undefined;

  /** True when a processing-time timeout is due by `nowMs` (a batch without data must run to fire it). */
  timeoutDue(nowMs: number): boolean {
    return this.#nextTimeoutMs !== undefined && this.#nextTimeoutMs <= nowMs;
  }

  /** Progress entries, in operator id order. */
  progress(): StateOperatorProgress[] {
    return this.operators.map((op) => {
      const store = this.#stores.get(op.node);
      const counts: StatefulOperatorCounts = this.#counts.get(op.node) ?? { numRowsUpdated: 0, numRowsRemoved: 0, numRowsDroppedByWatermark: 0, allUpdatesTimeMs: 0, allRemovalsTimeMs: 0 };
      const p = stateOperatorProgress(op.name, store ? [store.metrics()] : [], counts, 1);
      const custom = this.#counts.get(op.node)?.custom;
      if (custom === undefined) return p;
      const merged = { ...p.customMetrics, ...custom };
      return { ...p, customMetrics: Object.fromEntries(Object.keys(merged).sort().map((k) => [k, merged[k]!])) };
    });
  }

  async close(): Promise<void> {
    for (const p of this.#providers.values()) await p.close();
    this.#providers.clear();
  }
}
