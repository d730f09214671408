/**
 * The micro-batch loop, in Spark's order (MicroBatchExecution): plan each source's end offset,
 * write `offsets/<id>` before reading anything, read and run the batch, hand it to the sink,
 * then write `commits/<id>`. On restart the last planned batch without a commit is run again
 * with exactly the offsets it planned (and its batch timestamp, so `current_timestamp()` gives
 * the same values); sinks make that replay harmless. Offsets are kept serialized (the offset
 * log's text), and deserialized by their source when needed.
 */
import { DeltaError, isDeltaError, type Engine } from '@deltakit/core';
import type { RecordBatch } from 'apache-arrow';
import { DataFrame, visibleOnly } from '../api/dataframe.js';
import type { Session } from '../api/session.js';
import { CommitLog } from '../checkpoint/commit-log.js';
import { OffsetLog, type OffsetSeqMetadata } from '../checkpoint/offset-log.js';
import { execute } from '../operators/execute.js';
import type { ExecContext, ScanNode } from '../operators/context.js';
import { EventTimeStats } from '../operators/watermark.js';
import { visibleSchema, type Analyzed } from '../plan/analyze.js';
import { leaf } from '../plan/logical.js';
import type { MicroBatch, OutputMode, Sink } from '../sinks/sink.js';
import type { ResolvedRelation, StreamSource } from '../sources/source.js';
import { isoTimestamp, offsetForProgress, rate, type SourceProgress, type StreamingQueryProgress } from './progress.js';
import { nextBatchTime, type Trigger } from './trigger.js';
import { Sleeper } from './sleeper.js';
import { StatefulRuntime, type StatefulOperator } from './stateful.js';
import { LateRowsSink, type LateRowsTarget } from './late-rows.js';
import { aggregateStateOperator } from '../operators/streaming-aggregate.js';
import { dedupStateOperator } from '../operators/streaming-dedup.js';
import { groupStateOperator } from '../operators/group-state.js';
import { limitStateOperator } from '../operators/streaming-limit.js';
import { isSessionAggregate, sessionWindowStateOperator } from '../operators/session-window-streaming.js';
import { joinStateOperator } from '../operators/streaming-join.js';

export interface OpenedSource {
  readonly leafId: number;
  readonly stream: StreamSource;
}

export interface ExecutionSettings {
  readonly session: Session;
  readonly plan: Analyzed;
  readonly outputMode: OutputMode;
  readonly sink: Sink;
  readonly trigger: Trigger;
  /** Store path of the checkpoint folder. */
  readonly checkpoint: string;
  readonly sources: readonly OpenedSource[];
  readonly queryId: string;
  readonly runId: string;
  readonly name: string | null;
  readonly idlePollIntervalMs: number;
  readonly minBatchesToRetain: number;
  /**
   * Fault injection for crash tests: a pause between the sink's commit and the commits log, so
   * a kill at a random moment can land in that window. 0 (none) unless a test sets it.
   */
  readonly testDelayBeforeCommitLogMs?: number;
  /** The writer's options (state store settings are read from them). */
  readonly options?: Readonly<Record<string, string>>;
  /** Where rows that stateful operators drop as late go (engine/late-rows.ts); none: dropped and counted only. */
  readonly lateRows?: LateRowsTarget;
}

/** What the loop tells its query handle. */
export interface ExecutionEvents {
  progress(p: StreamingQueryProgress): void;
  idle(): void;
  status(message: string, dataAvailable: boolean, triggerActive: boolean): void;
}

export class MicroBatchExecution {
  readonly #s: ExecutionSettings;
  readonly #events: ExecutionEvents;
  readonly #engine: Engine;
  readonly #offsets: OffsetLog;
  readonly #commits: CommitLog;
  readonly #sleeper = new Sleeper();
  #batchId = 0;
  #committed: (string | undefined)[];
  #available: (string | undefined)[];
  #latest: (string | undefined)[];
  #meta: OffsetSeqMetadata = { batchWatermarkMs: 0, batchTimestampMs: 0, conf: {} };
  #constructed = false;
  #watermarkMs = 0;
  readonly #stateful: StatefulRuntime;
  /** The watermark of the batch before the current one: rows at or before it are late. */
  #lateWatermarkMs = 0;
  /** Start of the previous trigger that ran a batch, for inputRowsPerSecond (Spark's rule). */
  #lastBatchStartMs: number | undefined;
  /** The plan's watermark operators, in plan order (Spark's WatermarkTracker indexes them so). */
  readonly #watermarkNodes: readonly Analyzed[];
  /** Each watermark operator's own watermark in this run (0 until it sees data); not checkpointed, as in Spark. */
  readonly #operatorWatermarks = new Map<Analyzed, number>();
  readonly #lateRows: LateRowsSink | undefined;
  /** How the global watermark is chosen from the operators' (the checkpoint's choice wins on restart). */
  #watermarkPolicy: WatermarkPolicy;

  constructor(settings: ExecutionSettings, events: ExecutionEvents) {
    this.#s = settings;
    this.#events = events;
    this.#engine = settings.session.engine;
    this.#offsets = new OffsetLog(this.#engine.store, settings.checkpoint);
    this.#commits = new CommitLog(this.#engine.store, settings.checkpoint);
    const n = settings.sources.length;
    this.#committed = new Array<string | undefined>(n).fill(undefined);
    this.#available = new Array<string | undefined>(n).fill(undefined);
    this.#latest = new Array<string | undefined>(n).fill(undefined);
    this.#stateful = new StatefulRuntime(statefulOperators(settings.plan), this.#engine.store, settings.checkpoint, settings.options ?? {}, settings.session.logger);
    this.#watermarkNodes = watermarkOperators(settings.plan);
    this.#watermarkPolicy = watermarkPolicyOption(settings.options ?? {});
    this.#lateRows = settings.lateRows === undefined ? undefined : new LateRowsSink(settings.lateRows, this.#engine, settings.queryId, settings.session.logger);
  }

  /** Releases the state stores. */
  async close(): Promise<void> {
    await this.#stateful.close();
  }

  #stopRequested = false;

  /** Wakes an idle wait early (new data announced, or stop). */
  wake(): void {
    this.#sleeper.wake();
  }

  /** Ends the loop after the batch in flight (if any) has committed. */
  requestStop(): void {
    this.#stopRequested = true;
    this.#sleeper.wake();
  }

  get currentBatchId(): number {
    return this.#batchId;
  }

  /** Runs triggers until the trigger ends the query or `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    await this.#populateStartOffsets();
    const { trigger } = this.#s;
    if (trigger.kind === 'availableNow') for (const s of this.#s.sources) await s.stream.prepareForTriggerAvailableNow?.(signal);
    while (!signal.aborted && !this.#stopRequested) {
      const started = this.#engine.clock.nowMs();
      this.#events.status('Getting offsets from sources', false, true);
      const durations: Record<string, number> = {};
      const t0 = performance.now();
      if (!this.#constructed) this.#constructed = await this.#constructNextBatch(signal, durations);
      if (signal.aborted) return;
      const ran = this.#constructed;
      if (this.#constructed) {
        await this.#runBatch(signal, durations, t0, started);
        this.#batchId++;
        this.#constructed = false;
        if (trigger.kind === 'once') return;
      } else {
        this.#events.status('Waiting for data to arrive', false, false);
        this.#events.idle();
        if (trigger.kind === 'once' || trigger.kind === 'availableNow') return;
      }
      if (signal.aborted || this.#stopRequested) return;
      if (trigger.kind === 'processingTime') {
        // Timers may fire a little early: wait until the clock has reached the boundary.
        const next = nextBatchTime(started, trigger.intervalMs);
        for (let wait = next - this.#engine.clock.nowMs(); wait > 0 && !signal.aborted && !this.#stopRequested; wait = next - this.#engine.clock.nowMs()) {
          await this.#sleeper.sleep(wait, signal);
          if (this.#sleeper.woken) break;
        }
      } else if (trigger.kind === 'default' && !ran) {
        await this.#sleeper.sleep(this.#s.idlePollIntervalMs, signal);
      }
    }
  }

  async #populateStartOffsets(): Promise<void> {
    const latest = await this.#offsets.latest();
    if (latest === undefined) return;
    const seq = (await this.#offsets.get(latest))!;
    if (seq.offsets.length !== this.#s.sources.length) {
      throw new DeltaError(
        'CHECKPOINT_INCOMPATIBLE',
        `The checkpoint at ${this.#s.checkpoint} has offsets for ${seq.offsets.length} source(s), but this query reads ${this.#s.sources.length}. The number of sources cannot change on restart; use a new checkpointLocation.`,
        { details: { checkpoint: this.#s.checkpoint } },
      );
    }
    this.#batchId = latest;
    this.#available = [...seq.offsets];
    this.#meta = seq.metadata;
    // Spark: the policy recorded in the checkpoint wins over the query's option; a checkpoint
    // written before the option existed keeps the original behavior (min).
    this.#watermarkPolicy = parseWatermarkPolicy(seq.metadata.conf[MULTIPLE_WATERMARK_POLICY] ?? 'min', `${MULTIPLE_WATERMARK_POLICY} in offsets/${latest}`);
    this.#watermarkMs = seq.metadata.batchWatermarkMs;
    if (latest > 0) {
      const prev = await this.#offsets.get(latest - 1);
      if (prev === undefined) {
        throw new DeltaError('CORRUPT_CHECKPOINT', `offsets/${latest - 1} is missing from ${this.#s.checkpoint} although offsets/${latest} exists: the checkpoint is corrupt. Restore it, or use a new checkpointLocation.`);
      }
      this.#committed = [...prev.offsets];
      this.#lateWatermarkMs = prev.metadata.batchWatermarkMs;
    }
    const lastCommit = await this.#commits.latest();
    if (lastCommit === latest) {
      const c = await this.#commits.get(latest);
      this.#watermarkMs = Math.max(this.#watermarkMs, c?.nextBatchWatermarkMs ?? 0);
      this.#committed = [...this.#available];
      this.#lateWatermarkMs = seq.metadata.batchWatermarkMs;
      this.#batchId = latest + 1;
      this.#constructed = false;
    } else {
      this.#s.session.logger.info({ batchId: latest, checkpoint: this.#s.checkpoint }, 'Resuming: running the planned but uncommitted batch again with its offsets');
      this.#constructed = true;
    }
    this.#latest = [...this.#available];
  }

  async #constructNextBatch(signal: AbortSignal, durations: Record<string, number>): Promise<boolean> {
    const limit = { allAvailable: this.#s.trigger.kind === 'once' };
    const t = performance.now();
    const next = [...this.#available];
    for (let i = 0; i < this.#s.sources.length; i++) {
      const src = this.#s.sources[i]!.stream;
      const start = this.#available[i] === undefined ? undefined : src.deserialize(this.#available[i]!);
      const end = await src.latestOffset(start, limit, signal);
      if (end !== undefined) next[i] = src.serialize(end);
    }
    durations.latestOffset = Math.round(performance.now() - t);
    this.#latest = [...next];
    const hasNew = next.some((o, i) => o !== undefined && (this.#committed[i] === undefined || !this.#same(i, o, this.#committed[i]!)));
    // A batch without new data runs when the watermark moved and stateful operators may evict or emit.
    const noDataBatch =
      !hasNew && !this.#stateful.isEmpty && this.#batchId > 0 && (this.#watermarkMs > this.#meta.batchWatermarkMs || this.#stateful.timeoutDue(this.#engine.clock.nowMs()));
    if (!hasNew && !noDataBatch) return false;
    if (this.#batchId > 0) this.#lateWatermarkMs = this.#meta.batchWatermarkMs;
    this.#available = next;
    this.#meta = { batchWatermarkMs: this.#watermarkMs, batchTimestampMs: this.#engine.clock.nowMs(), conf: { 'deltakit.streaming.stateFormatVersion': '1', [MULTIPLE_WATERMARK_POLICY]: this.#watermarkPolicy } };
    const w = performance.now();
    if (!(await this.#offsets.add(this.#batchId, { metadata: this.#meta, offsets: this.#available }))) {
      throw new DeltaError(
        'CONCURRENT_QUERY',
        `Another query wrote offsets/${this.#batchId} in ${this.#s.checkpoint} while this one was planning it: two queries are running on the same checkpoint. Stop one of them; each query needs its own checkpointLocation.`,
        { details: { checkpoint: this.#s.checkpoint, batchId: this.#batchId } },
      );
    }
    if (this.#batchId > 0) await this.#commitSources(this.#batchId - 1);
    if (this.#batchId > this.#s.minBatchesToRetain) {
      const threshold = this.#batchId - this.#s.minBatchesToRetain;
      await this.#offsets.purge(threshold);
      await this.#commits.purge(threshold);
    }
    durations.walCommit = Math.round(performance.now() - w);
    return true;
  }

  /**
   * The watermark after a batch (Spark's WatermarkTracker): each watermark operator that saw
   * rows moves its own watermark to its max event time minus its delay (never back); an operator
   * without rows yet counts as 0. The global watermark is the min (or, by policy, max) of those,
   * and never moves back either.
   */
  #nextWatermark(stats: ReadonlyMap<Analyzed, EventTimeStats>): number {
    if (this.#watermarkNodes.length === 0) return this.#watermarkMs;
    for (const node of this.#watermarkNodes) {
      const s = stats.get(node);
      const prev = this.#operatorWatermarks.get(node);
      if (s !== undefined && s.count > 0 && s.max !== undefined && node.kind === 'watermark') {
        const candidate = Number(s.max / 1000n) - node.delayMs;
        if (prev === undefined || candidate > prev) this.#operatorWatermarks.set(node, candidate);
      } else if (prev === undefined) {
        this.#operatorWatermarks.set(node, 0);
      }
    }
    const values = [...this.#operatorWatermarks.values()];
    const chosen = this.#watermarkPolicy === 'max' ? Math.max(...values) : Math.min(...values);
    return Math.max(this.#watermarkMs, chosen);
  }

  #same(i: number, a: string, b: string): boolean {
    if (a === b) return true;
    const src = this.#s.sources[i]!.stream;
    return src.sameOffset(src.deserialize(a), src.deserialize(b));
  }

  async #commitSources(batchId: number): Promise<void> {
    const seq = await this.#offsets.get(batchId);
    if (seq === undefined) return;
    for (let i = 0; i < this.#s.sources.length; i++) {
      const o = seq.offsets[i];
      if (o !== undefined) await this.#s.sources[i]!.stream.commit(this.#s.sources[i]!.stream.deserialize(o));
    }
  }

  async #runBatch(signal: AbortSignal, durations: Record<string, number>, t0: number, startedMs: number): Promise<void> {
    const batchId = this.#batchId;
    this.#events.status(`Processing new data`, true, true);
    const plan = this.#s.plan;
    const rowsRead = new Array<number>(this.#s.sources.length).fill(0);
    const sourceIndex = new Map(this.#s.sources.map((s, i) => [s.leafId, i]));
    const committed = [...this.#committed];
    const available = [...this.#available];
    const input = (scan: ScanNode): AsyncIterable<RecordBatch> => {
      const i = sourceIndex.get(scan.leaf.id);
      if (i === undefined) return scan.relation.read!({ engine: this.#engine, timeZone: this.#s.session.timeZone, signal });
      const end = available[i];
      if (end === undefined || (committed[i] !== undefined && this.#same(i, end, committed[i]!))) return empty();
      const src = this.#s.sources[i]!.stream;
      return countRows(src.getBatch(committed[i] === undefined ? undefined : src.deserialize(committed[i]!), src.deserialize(end), signal), (n) => (rowsRead[i] = Math.max(rowsRead[i]!, n)));
    };
    // Event-time statistics per watermark operator, from the first complete pass over the batch.
    const stats = new Map<Analyzed, EventTimeStats>();
    const eventTime = (node: Analyzed) => {
      const s = new EventTimeStats();
      if (!stats.has(node)) stats.set(node, s);
      return stats.get(node) === s ? s : new EventTimeStats();
    };
    const ctx: ExecContext = { input, timeZone: this.#s.session.timeZone, nowMicros: BigInt(this.#meta.batchTimestampMs) * 1000n, signal, eventTime };
    const schema = visibleSchema(plan);
    let batches = (sig?: AbortSignal) => visibleOnly(plan, execute(plan, sig ? { ...ctx, signal: sig } : ctx));
    if (!this.#stateful.isEmpty) {
      // Stateful operators run once per batch: their output is computed here, the state committed
      // (version batchId + 1), and the sink gets the computed rows, however often it reads them.
      await this.#stateful.begin(batchId);
      const stateful = this.#stateful.batch(batchId, this.#s.outputMode, this.#lateWatermarkMs, this.#meta.batchWatermarkMs, this.#lateRows !== undefined);
      const statefulCtx: ExecContext = { ...ctx, stateful };
      const rows: RecordBatch[] = [];
      for await (const b of visibleOnly(plan, execute(plan, statefulCtx))) rows.push(b);
      await this.#stateful.commit();
      // Late rows go out after the state commit and before the sink: a batch run again after a
      // crash recomputes the same late rows from the same state version (the Delta target skips them by its app transaction).
      if (stateful.late !== undefined && !stateful.late.isEmpty) {
        const l = performance.now();
        await this.#lateRows!.deliver(stateful.late, signal);
        durations.lateRows = Math.round(performance.now() - l);
      }
      batches = () => replay(rows);
    }
    const session = this.#s.session;
    const micro: MicroBatch = {
      batchId,
      schema,
      outputMode: this.#s.outputMode,
      batches,
      dataFrame: () => new DataFrame(leaf({ format: 'relation', options: {}, instance: relationOf(schema, batches) }, false), session),
    };
    const a = performance.now();
    const result = await this.#s.sink.addBatch(micro, { engine: this.#engine, queryId: this.#s.queryId, logger: session.logger, signal });
    durations.addBatch = Math.round(performance.now() - a);
    if (signal.aborted) return;
    if (this.#s.testDelayBeforeCommitLogMs) await new Promise((r) => setTimeout(r, this.#s.testDelayBeforeCommitLogMs));
    const batchWatermarkMs = this.#watermarkMs;
    this.#watermarkMs = this.#nextWatermark(stats);
    const c = performance.now();
    if (!(await this.#commits.add(batchId, this.#watermarkMs))) {
      throw new DeltaError('CONCURRENT_QUERY', `commits/${batchId} in ${this.#s.checkpoint} was written by another query: two queries are running on the same checkpoint. Stop one of them.`, { details: { checkpoint: this.#s.checkpoint, batchId } });
    }
    durations.commitOffsets = Math.round(performance.now() - c);
    this.#committed = available;
    durations.triggerExecution = Math.round(performance.now() - t0);
    durations.getBatch ??= 0;
    durations.queryPlanning ??= 0;
    const total = rowsRead.reduce((x, y) => x + y, 0);
    const sinceLast = this.#lastBatchStartMs === undefined ? 0 : startedMs - this.#lastBatchStartMs;
    this.#lastBatchStartMs = startedMs;
    const sources: SourceProgress[] = this.#s.sources.map((s, i) => ({
      description: s.stream.description,
      startOffset: offsetForProgress(committed[i]),
      endOffset: offsetForProgress(available[i]),
      latestOffset: offsetForProgress(this.#latest[i]),
      numInputRows: rowsRead[i]!,
      inputRowsPerSecond: rate(rowsRead[i]!, sinceLast),
      processedRowsPerSecond: rate(rowsRead[i]!, durations.triggerExecution!),
      metrics: {},
    }));
    this.#events.progress({
      id: this.#s.queryId,
      runId: this.#s.runId,
      name: this.#s.name,
      timestamp: isoTimestamp(startedMs),
      batchId,
      batchDuration: durations.triggerExecution,
      numInputRows: total,
      inputRowsPerSecond: rate(total, sinceLast),
      processedRowsPerSecond: rate(total, durations.triggerExecution),
      durationMs: durations,
      eventTime: eventTimeProgress(stats, batchWatermarkMs),
      stateOperators: this.#stateful.progress(),
      sources,
      sink: { description: this.#s.sink.description, numOutputRows: result.numOutputRows, metrics: result.metrics ?? {} },
      observedMetrics: {},
    });
  }
}

async function* empty(): AsyncGenerator<RecordBatch> {}

async function* replay(rows: readonly RecordBatch[]): AsyncGenerator<RecordBatch> {
  yield* rows;
}

/** The plan's streaming stateful operators in Spark's id order (pre-order: downstream first). */
function statefulOperators(plan: Analyzed): StatefulOperator[] {
  const out: StatefulOperator[] = [];
  const walk = (n: Analyzed) => {
    if (n.kind === 'aggregate' && n.streaming) out.push(isSessionAggregate(n) ? sessionWindowStateOperator(n) : aggregateStateOperator(n));
    if (n.kind === 'dedup' && n.streaming) out.push(dedupStateOperator(n));
    if (n.kind === 'groupState' && n.streaming) out.push(groupStateOperator(n));
    if (n.kind === 'limit' && n.streaming) out.push(limitStateOperator(n));
    if (n.kind === 'join' && n.left.streaming && n.right.streaming) out.push(joinStateOperator(n));
    if (n.kind === 'scan') return;
    const kids = n.kind === 'union' ? n.children : n.kind === 'join' ? [n.left, n.right] : [n.child];
    for (const k of kids) walk(k);
  };
  walk(plan);
  return out;
}

/** Spark's `spark.sql.streaming.multipleWatermarkPolicy`: the global watermark is the min (default) or max of the operators'. */
export const MULTIPLE_WATERMARK_POLICY = 'spark.sql.streaming.multipleWatermarkPolicy';
export type WatermarkPolicy = 'min' | 'max';

function parseWatermarkPolicy(text: string, where: string): WatermarkPolicy {
  const v = text.trim().toLowerCase();
  if (v === 'min' || v === 'max') return v;
  throw new DeltaError('INVALID_ARGUMENT', `${where} is '${text}': valid values are 'min' and 'max'. 'min' (the default) keeps the global watermark at the slowest input's; 'max' follows the fastest and drops more data as late.`);
}

function watermarkPolicyOption(options: Readonly<Record<string, string>>): WatermarkPolicy {
  const raw = options[MULTIPLE_WATERMARK_POLICY] ?? options.multipleWatermarkPolicy;
  return raw === undefined ? 'min' : parseWatermarkPolicy(raw, `Option ${MULTIPLE_WATERMARK_POLICY}`);
}

/** The watermark operators of a plan in pre-order. */
function watermarkOperators(plan: Analyzed): Analyzed[] {
  const out: Analyzed[] = [];
  const walk = (n: Analyzed) => {
    if (n.kind === 'watermark') out.push(n);
    if (n.kind === 'scan') return;
    const kids = n.kind === 'union' ? n.children : n.kind === 'join' ? [n.left, n.right] : [n.child];
    for (const k of kids) walk(k);
  };
  walk(plan);
  return out;
}

/** Spark's progress eventTime: avg/max/min of the batch's event times and the batch's watermark. */
function eventTimeProgress(stats: ReadonlyMap<Analyzed, EventTimeStats>, watermarkMs: number): Record<string, string> {
  if (stats.size === 0) return {};
  let min: bigint | undefined;
  let max: bigint | undefined;
  let sum = 0n;
  let count = 0;
  for (const s of stats.values()) {
    if (s.min !== undefined && (min === undefined || s.min < min)) min = s.min;
    if (s.max !== undefined && (max === undefined || s.max > max)) max = s.max;
    sum += s.sum;
    count += s.count;
  }
  const out: Record<string, string> = {};
  if (count > 0) {
    out.avg = isoTimestamp(Number(sum / BigInt(count) / 1000n));
    out.max = isoTimestamp(Number(max! / 1000n));
    out.min = isoTimestamp(Number(min! / 1000n));
  }
  out.watermark = isoTimestamp(watermarkMs);
  return out;
}

async function* countRows(it: AsyncIterable<RecordBatch>, report: (n: number) => void): AsyncGenerator<RecordBatch> {
  let n = 0;
  for await (const b of it) {
    n += b.numRows;
    report(n);
    yield b;
  }
}

/** A batch relation over a micro-batch's (re-computable) output, for foreachBatch DataFrames. */
function relationOf(schema: ResolvedRelation['schema'], batches: (signal?: AbortSignal) => AsyncIterable<RecordBatch>): ResolvedRelation {
  return { kind: 'microBatch', schema, hidden: [], read: (ctx) => batches(ctx.signal) };
}

/** True when `e` is the cancellation of a stopping query rather than a failure. */
export function isCancellation(e: unknown, signal: AbortSignal): boolean {
  return signal.aborted && (isDeltaError(e, 'CANCELLED') || (e instanceof Error && e.name === 'AbortError'));
}
