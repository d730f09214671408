/**
 * `df.writeStream`: an immutable builder of a streaming query's sink, output mode, trigger and
 * options, ending in `start(path?)` / `toTable(path)`, as PySpark's DataStreamWriter. `start`
 * analyzes the plan and refuses what the engine cannot run (typed errors, nothing written),
 * then opens the checkpoint and the sources and starts the micro-batch loop in the background.
 */
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { DeltaError } from '@deltakit/core';
import { tableRootFromUri } from '@deltakit/core/internal';
import { loadOrCreateMetadata } from '../checkpoint/stream-metadata.js';
import { parseDurationMs } from '../plan/durations.js';
import { parseTrigger, type TriggerSpec } from '../engine/trigger.js';
import type { OpenedSource } from '../engine/micro-batch.js';
import { analyze, type Analyzed } from '../plan/analyze.js';
import { checkStreamingPlan } from '../plan/unsupported.js';
import { createSink } from '../sinks/create.js';
import type { ForeachBatchFunction } from '../sinks/foreach-batch-sink.js';
import type { LateRowsFunction, LateRowsTarget } from '../engine/late-rows.js';
import type { OutputMode } from '../sinks/sink.js';
import { option } from '../sources/source.js';
import type { DataFrame } from './dataframe.js';
import { StreamingQuery } from './streaming-query.js';

type OptionValue = string | number | boolean | bigint;

interface WriterState {
  readonly format: string;
  readonly outputMode: OutputMode;
  readonly options: Readonly<Record<string, string>>;
  readonly partitionBy: readonly string[];
  readonly queryName: string | null;
  readonly trigger: TriggerSpec | undefined;
  readonly foreachBatch: ForeachBatchFunction | undefined;
  readonly onLateRows?: LateRowsFunction;
}

/** Batches of offsets and commits kept in the checkpoint (Spark's `spark.sql.streaming.minBatchesToRetain`). */
export const DEFAULT_MIN_BATCHES_TO_RETAIN = 100;
/** Wait between looks at the sources when the default trigger finds no data. */
export const DEFAULT_IDLE_POLL_MS = 10;

export class DataStreamWriter {
  readonly #df: DataFrame;
  readonly #state: WriterState;

  constructor(df: DataFrame, state?: WriterState) {
    this.#df = df;
    this.#state = state ?? { format: 'delta', outputMode: 'append', options: {}, partitionBy: [], queryName: null, trigger: undefined, foreachBatch: undefined };
  }

  #with(changes: Partial<WriterState>): DataStreamWriter {
    return new DataStreamWriter(this.#df, { ...this.#state, ...changes });
  }

  format(format: string): DataStreamWriter {
    return this.#with({ format });
  }

  outputMode(mode: OutputMode | string): DataStreamWriter {
    const m = mode.toLowerCase();
    if (m !== 'append' && m !== 'update' && m !== 'complete') throw new DeltaError('INVALID_ARGUMENT', `Unknown output mode '${mode}'. Use append, update or complete.`);
    return this.#with({ outputMode: m });
  }

  option(key: string, value: OptionValue): DataStreamWriter {
    return this.#with({ options: { ...this.#state.options, [key]: String(value) } });
  }

  options(options: Readonly<Record<string, OptionValue>>): DataStreamWriter {
    const merged: Record<string, string> = { ...this.#state.options };
    for (const [k, v] of Object.entries(options)) merged[k] = String(v);
    return this.#with({ options: merged });
  }

  partitionBy(...columns: string[]): DataStreamWriter {
    return this.#with({ partitionBy: columns.flat() });
  }

  queryName(name: string): DataStreamWriter {
    return this.#with({ queryName: name });
  }

  /** `{ processingTime: '2 seconds' }`, `{ once: true }`, `{ availableNow: true }`; none = as fast as possible. */
  trigger(spec: TriggerSpec): DataStreamWriter {
    parseTrigger(spec);
    return this.#with({ trigger: spec });
  }

  foreachBatch(fn: ForeachBatchFunction): DataStreamWriter {
    if (typeof fn !== 'function') throw new DeltaError('INVALID_ARGUMENT', 'foreachBatch takes a function (batchDf, batchId) => ...');
    return this.#with({ foreachBatch: fn, format: 'foreachBatch' });
  }

  /**
   * Beyond Spark: `fn(rows, info)` gets the rows stateful operators drop as late (with
   * `_late_reason`, the operator, the batch id and the watermark) instead of losing them; at least
   * once per batch, like foreachBatch. `.option('lateRowsPath', '<delta table>')` writes them to a
   * Delta table exactly once instead (or as well). See engine/late-rows.ts.
   */
  onLateRows(fn: LateRowsFunction): DataStreamWriter {
    if (typeof fn !== 'function') throw new DeltaError('INVALID_ARGUMENT', 'onLateRows takes a function (rows, info) => ...');
    return this.#with({ onLateRows: fn });
  }

  /** Starts the query writing to `path` (the Delta table or output folder; memory/console/foreachBatch need none). */
  async start(path?: string, options: { signal?: AbortSignal } = {}): Promise<StreamingQuery> {
    const session = this.#df.session;
    const engine = session.engine;
    const state = this.#state;
    const trigger = parseTrigger(state.trigger);
    const plan = await analyze(this.#df.plan, { engine, timeZone: session.timeZone, ...(options.signal ? { signal: options.signal } : {}) });
    checkStreamingPlan(plan, state.outputMode);
    const sink = createSink(state.format, { path: option(state.options, 'path') ?? path, options: state.options, partitionBy: state.partitionBy, queryName: state.queryName, foreachBatch: state.foreachBatch });
    if (!sink.outputModes.includes(state.outputMode)) {
      throw new DeltaError('UNSUPPORTED_OPERATION', `The ${state.format} sink does not support ${state.outputMode} output mode; it supports ${sink.outputModes.join(' and ')}.`, { details: { outputMode: state.outputMode, sink: state.format } });
    }
    const checkpoint = checkpointLocation(state);
    const streamingScans = streamingLeaves(plan);
    const metadata = await loadOrCreateMetadata(engine.store, checkpoint, { sources: streamingScans.map((s) => s.relation.kind), sink: state.format.toLowerCase() });
    const sources: OpenedSource[] = [];
    try {
      for (let i = 0; i < streamingScans.length; i++) {
        const scan = streamingScans[i]!;
        const stream = await scan.relation.openStream!({ engine, metadataPath: `${checkpoint}/sources/${i}`, queryId: metadata.id, timeZone: session.timeZone, logger: session.logger });
        sources.push({ leafId: scan.leaf.id, stream });
      }
    } catch (e) {
      for (const s of sources) await s.stream.stop();
      throw e;
    }
    return new StreamingQuery(
      {
        session,
        plan,
        outputMode: state.outputMode,
        sink,
        trigger,
        checkpoint,
        sources,
        queryId: metadata.id,
        runId: randomUUID(),
        name: state.queryName,
        idlePollIntervalMs: parseDurationMs(option(state.options, 'idlePollInterval') ?? DEFAULT_IDLE_POLL_MS, 'idlePollInterval'),
        minBatchesToRetain: positiveInt(option(state.options, 'minBatchesToRetain'), DEFAULT_MIN_BATCHES_TO_RETAIN, 'minBatchesToRetain'),
        testDelayBeforeCommitLogMs: Number(option(state.options, 'deltakit.testing.delayBeforeCommitLogMs') ?? 0),
        options: state.options,
        ...lateRowsTarget(state),
      },
      options.signal,
    );
  }

  /** Starts the query writing to the Delta table at `path` (Spark's `toTable`). */
  toTable(path: string, options: { signal?: AbortSignal } = {}): Promise<StreamingQuery> {
    return this.format('delta').start(path, options);
  }
}

function lateRowsTarget(state: WriterState): { lateRows?: LateRowsTarget } {
  const path = option(state.options, 'lateRowsPath');
  if ((path === undefined || path === '') && state.onLateRows === undefined) return {};
  return { lateRows: { ...(path ? { path: tableRootFromUri(path) } : {}), ...(state.onLateRows ? { callback: state.onLateRows } : {}) } };
}

function checkpointLocation(state: WriterState): string {
  const given = option(state.options, 'checkpointLocation');
  if (given !== undefined && given !== '') return tableRootFromUri(given);
  const f = state.format.toLowerCase();
  if (f === 'memory' || f === 'console' || f === 'foreachbatch') return tableRootFromUri(`${tmpdir()}/deltakit-checkpoint-${randomUUID()}`);
  throw new DeltaError('INVALID_ARGUMENT', `checkpointLocation must be set for the ${state.format} sink: writeStream.option('checkpointLocation', '<dir>'). It holds the offsets and commits that make the query exactly-once and let it resume after a restart.`);
}

/** The streaming scans, one per distinct leaf, in source order. */
function streamingLeaves(plan: Analyzed): Extract<Analyzed, { kind: 'scan' }>[] {
  const out: Extract<Analyzed, { kind: 'scan' }>[] = [];
  const seen = new Set<number>();
  const walk = (n: Analyzed) => {
    if (n.kind === 'scan') {
      if (n.streaming && !seen.has(n.leaf.id)) {
        seen.add(n.leaf.id);
        out.push(n);
      }
      return;
    }
    const kids = n.kind === 'union' ? n.children : n.kind === 'join' ? [n.left, n.right] : [n.child];
    for (const k of kids) walk(k);
  };
  walk(plan);
  return out;
}

function positiveInt(text: string | undefined, fallback: number, what: string): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new DeltaError('INVALID_ARGUMENT', `${what} must be a positive integer, got '${text}'.`);
  return n;
}
