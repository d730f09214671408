/**
 * Streaming aggregation (Spark's StateStoreRestore/StateStoreSave around a partial aggregate):
 * each batch is aggregated by the batch hash aggregation, every group's partial state is merged
 * with the one kept in the state store (keyed by the group's key values, the value being each
 * aggregate's saved partial state as JSON text), and the output follows the output mode:
 * - complete: every group in the state, each batch;
 * - update: the groups this batch changed, then groups older than the watermark are evicted;
 * - append: groups whose event time (a window's end, or the event-time key) is at or before the
 *   eviction watermark are emitted once and evicted.
 * With an event-time key, rows of groups already at or before the late-events watermark are
 * dropped and counted (numRowsDroppedByWatermark), as Spark drops late data.
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
const LONG: DataType = { kind: 'primitive', name: 'long' };

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
  const late = BigInt(state.lateEventsWatermarkMs) * 1000n;
  const evict = BigInt(state.evictionWatermarkMs) * 1000n;
  // The batch's partial aggregates, plus a row count per group (for rows dropped as late).
  const rowsSpec = { name: '__rows', spec: { kind: 'count' as const, argType: undefined, resultType: LONG }, args: [] };
  const batchNode: AggregateNode = { ...node, aggregates: [...node.aggregates, rowsSpec], schema: struct([...node.schema.fields, { name: '__rows', type: LONG, nullable: true, metadata: {} }]) };
  const agg = new HashAggregation(batchNode, ctx);
  for await (const b of input) agg.update(b);
  const n = agg.table.size;
  const keyVecs = agg.table.keyVecs().map((v, i) => {
    const k = node.keys[i]!;
    return k.window ? windowStructs(k.window, k.type, v) : v;
  });
  const accs = agg.accumulators;
  for (const a of accs) a.grow(n);
  const rowCounts = accs.at(-1)!.finish(n);
  const updated: { key: StateRow; value: StateRow }[] = [];
  const t0 = performance.now();
  for (let g = 0; g < n; g++) {
    const key = keyVecs.map((v) => v.get(g) as StateValue);
    const time = keyTime(key, et);
    if (time !== undefined && time <= late) {
      counts.numRowsDroppedByWatermark += Number(rowCounts.get(g) as bigint);
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
