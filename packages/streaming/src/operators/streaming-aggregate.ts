/**
 * Streaming aggregation (Spark's StateStoreRestore/StateStoreSave around a partial aggregate):
 * each batch is aggregated by the batch hash aggregation, every group's partial state is merged
 * with the one kept in the state store (keyed by the group's key values, the value being each
 * aggregate's saved partial state as JSON text), and the output follows the output mode:
 * - complete: every group in the state, each batch;
 * - update: the groups this batch changed, then groups older than the watermark are evicted;
 * - append: groups whose event time (a window's end, or the event-time key) is at or before the
 *   eviction watermark are emitted once and evicted.
 * With an event-time key, in append and update modes, the partial aggregate of a group already at
 * or before the late-events watermark is dropped and counted (numRowsDroppedByWatermark counts
 * groups, as Spark counts the partial-aggregate rows it drops); its input rows go to the
 * late-rows target when the query has one. Complete mode keeps every group and drops nothing.
 */
import { deltaToArrowSchema, struct, type DataType, type StructType } from '@deltakit/core';
import { Vec, vecToArrow } from '@deltakit/core/internal';
import { Data, RecordBatch, Struct } from 'apache-arrow';
import type { StatefulBatch, StatefulOperator } from '../engine/stateful.js';
import type { Analyzed } from '../plan/analyze.js';
import { eventTimeColumns, keyEventTime } from '../plan/event-time.js';
import type { StateRow, StateValue } from '../state/row-codec.js';
import { HashAggregation, OUTPUT_BATCH_ROWS } from './aggregate.js';
import type { PartialState } from './aggregates/accumulator.js';
import { createAccumulator } from './aggregates/registry.js';
import type { ExecContext } from './context.js';
import { windowStructs } from './window-time.js';

type AggregateNode = Extract<Analyzed, { kind: 'aggregate' }>;

const STRING: DataType = { kind: 'primitive', name: 'string' };

/** The state schemas of a streaming aggregation: its keys, and one JSON text column per aggregate. */
export function aggregateStateOperator(node: AggregateNode): StatefulOperator {
  const keySchema = struct(node.keys.map((k) => ({ name: k.name, type: k.type, nullable: true, metadata: {} })));
  const valueSchema = struct(node.aggregates.map((a, i) => ({ name: `a${i}:${a.spec.kind}`, type: STRING, nullable: true, metadata: {} })));
  return { node, name: 'stateStoreSave', keySchema, valueSchema };
}

/** Which key holds event time: its index and whether it is a window (compare its end). */
function eventTimeKey(node: AggregateNode): { index: number; window: boolean } | undefined {
  const input = eventTimeColumns(node.child);
  for (let i = 0; i < node.keys.length; i++) {
    if (keyEventTime(node.keys[i]!.expr, input) !== undefined) return { index: i, window: node.keys[i]!.window !== undefined || node.keys[i]!.type.kind === 'struct' };
  }
  return undefined;
}

/** The event time of a key row in µs (a window's end), or undefined when it has none. */
function keyTime(key: StateRow, et: { index: number; window: boolean } | undefined): bigint | undefined {
  if (et === undefined) return undefined;
  const v = key[et.index];
  if (v === null || v === undefined) return undefined;
  if (et.window) return (v as { readonly values: readonly StateValue[] }).values[1] as bigint;
  return typeof v === 'bigint' ? v : BigInt(v as number) * 86_400_000_000n;
}

export async function* streamingAggregate(node: AggregateNode, input: AsyncIterable<RecordBatch>, ctx: ExecContext, state: StatefulBatch): AsyncGenerator<RecordBatch> {
  const store = state.store(node);
  const counts = state.counts(node);
  const et = eventTimeKey(node);
  // Complete mode neither drops late rows nor evicts (Spark's StateStoreSaveExec): its result is every group.
  const late = state.outputMode === 'complete' ? -(2n ** 63n) : BigInt(state.lateEventsWatermarkMs) * 1000n;
  const evict = BigInt(state.evictionWatermarkMs) * 1000n;
  const agg = new HashAggregation(node, ctx);
  // With a late-rows target, each row's group per grouping pass, to find the rows of late groups.
  const passes: { batch: RecordBatch; groups: Int32Array }[] = [];
  if (state.late !== undefined && et !== undefined) agg.observe = (batch, groups, rows) => passes.push({ batch, groups: groups.slice(0, rows) });
  for await (const b of input) agg.update(b);
  const n = agg.table.size;
  const keyVecs = agg.table.keyVecs().map((v, i) => {
    const k = node.keys[i]!;
    return k.window ? windowStructs(k.window, k.type, v) : v;
  });
  const accs = agg.accumulators;
  for (const a of accs) a.grow(n);
  const updated: { key: StateRow; value: StateRow }[] = [];
  const lateGroups = new Map<number, { time: bigint; key: StateRow }>();
  const t0 = performance.now();
  for (let g = 0; g < n; g++) {
    const key = keyVecs.map((v) => v.get(g) as StateValue);
    const time = keyTime(key, et);
    if (time !== undefined && time <= late) {
      // Spark drops the late partial aggregate of a group (one row per group and partition) and counts it.
      counts.numRowsDroppedByWatermark++;
      lateGroups.set(g, { time, key });
      continue;
    }
    const existing = store.get(key);
    if (existing !== undefined) {
      for (let i = 0; i < node.aggregates.length; i++) accs[i]!.load(g, JSON.parse(existing[i] as string) as PartialState);
    }
    const value = node.aggregates.map((_, i) => JSON.stringify(accs[i]!.save(g)));
    store.put(key, value);
    counts.numRowsUpdated++;
    updated.push({ key, value });
  }
  counts.allUpdatesTimeMs += performance.now() - t0;
  if (state.late !== undefined && lateGroups.size > 0) reportLateRows(node, et!, passes, lateGroups, state);

  const out: { key: StateRow; value: StateRow }[] = [];
  const r0 = performance.now();
  if (state.outputMode === 'complete') {
    for (const e of store.iterator()) out.push(e);
  } else if (state.outputMode === 'update') {
    out.push(...updated);
    if (et !== undefined) {
      for (const e of store.iterator()) {
        const time = keyTime(e.key, et);
        if (time !== undefined && time <= evict) {
          store.remove(e.key);
          counts.numRowsRemoved++;
        }
      }
    }
  } else {
    for (const e of store.iterator()) {
      const time = keyTime(e.key, et);
      if (time !== undefined && time <= evict) {
        out.push(e);
        store.remove(e.key);
        counts.numRowsRemoved++;
      }
    }
  }
  counts.allRemovalsTimeMs += performance.now() - r0;
  yield* outputBatches(node, out);
}

/** Hands the input rows of late groups to the late-rows collector, with the reason. */
function reportLateRows(node: AggregateNode, et: { index: number; window: boolean }, passes: readonly { batch: RecordBatch; groups: Int32Array }[], lateGroups: ReadonlyMap<number, { time: bigint; key: StateRow }>, state: StatefulBatch): void {
  const wm = isoMicros(BigInt(state.lateEventsWatermarkMs) * 1000n);
  const keyName = node.keys[et.index]!.name;
  for (const { batch, groups } of passes) {
    const indices: number[] = [];
    const times: bigint[] = [];
    const reasons: string[] = [];
    for (let r = 0; r < groups.length; r++) {
      const g = lateGroups.get(groups[r]!);
      if (g === undefined) continue;
      indices.push(r);
      times.push(g.time);
      if (et.window) {
        const w = g.key[et.index] as { readonly values: readonly StateValue[] };
        reasons.push(`late: window [${isoMicros(w.values[0] as bigint)}, ${isoMicros(w.values[1] as bigint)}) of '${keyName}' ends at or before the watermark ${wm}; its aggregate was already final`);
      } else {
        reasons.push(`late: event time '${keyName}' ${isoMicros(g.time)} is at or before the watermark ${wm}`);
      }
    }
    state.late!.add(node, node.child.schema, batch, indices, times, reasons);
  }
}

const isoMicros = (micros: bigint): string => new Date(Number(micros / 1000n)).toISOString();

/** Rows of (key, saved states) as batches of the aggregate's schema. */
function* outputBatches(node: AggregateNode, entries: readonly { key: StateRow; value: StateRow }[]): Generator<RecordBatch> {
  const schema: StructType = node.schema;
  const arrow = deltaToArrowSchema(schema);
  for (let start = 0; start < entries.length; start += OUTPUT_BATCH_ROWS) {
    const part = entries.slice(start, start + OUTPUT_BATCH_ROWS);
    const n = part.length;
    const keys = node.keys.map((k, i) => Vec.fromValues(k.type, part.map((e) => e.key[i] as never)));
    const values = node.aggregates.map((a, i) => {
      const acc = createAccumulator(a.spec);
      acc.grow(n);
      for (let r = 0; r < n; r++) acc.load(r, JSON.parse(part[r]!.value[i] as string) as PartialState);
      return acc.finish(n);
    });
    const children = [...keys, ...values].map((v, i) => vecToArrow(v, arrow.fields[i]!.type));
    yield new RecordBatch(arrow, new Data(new Struct(arrow.fields), 0, n, 0, undefined, children) as Data<Struct>);
  }
}
