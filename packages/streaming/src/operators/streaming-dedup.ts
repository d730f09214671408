/**
 * Streaming deduplication, as Spark's StreamingDeduplicateExec and
 * StreamingDeduplicateWithinWatermarkExec:
 * - `dropDuplicates(cols)`: the first row of each key is emitted and its key kept. With a
 *   watermark, rows whose event-time column (key or not, as Spark's data predicate over the
 *   child's output) is at or before the late-events watermark are dropped; keys are evicted
 *   when the watermark passes them only if the event-time column is among the keys, and kept
 *   forever otherwise.
 * - `dropDuplicatesWithinWatermark(cols)`: the key is kept until the watermark passes the first
 *   row's event time plus the watermark delay; rows at or before the late-events watermark are
 *   dropped. Needs a watermark (checked at start).
 */
import { struct, type DataType, type StructField } from '@deltakit/core';
import { Vec, takeRows } from '@deltakit/core/internal';
import type { RecordBatch } from 'apache-arrow';
import type { StatefulBatch, StatefulOperator } from '../engine/stateful.js';
import type { Analyzed } from '../plan/analyze.js';
import { eventTimeColumns } from '../plan/event-time.js';
import type { StateValue } from '../state/row-codec.js';

type DedupNode = Extract<Analyzed, { kind: 'dedup' }>;

const LONG: DataType = { kind: 'primitive', name: 'long' };

export function dedupStateOperator(node: DedupNode): StatefulOperator {
  const keySchema = struct(node.columns.map((c) => ({ ...node.child.schema.fields.find((f) => f.name === c)!, nullable: true, metadata: {} }) as StructField));
  const valueSchema = node.withinWatermark ? struct([{ name: 'expiresAtMicros', type: LONG, nullable: true, metadata: {} }]) : struct([]);
  return { node, name: node.withinWatermark ? 'dedupeWithinWatermark' : 'dedupe', keySchema, valueSchema };
}

export async function* streamingDedup(node: DedupNode, input: AsyncIterable<RecordBatch>, state: StatefulBatch): AsyncGenerator<RecordBatch> {
  const store = state.store(node);
  const counts = state.counts(node);
  const eventTime = eventTimeColumns(node.child);
  const schema = node.child.schema;
  const keyIndex = node.columns.map((c) => schema.fields.findIndex((f) => f.name === c));
  // The event-time column of the input (late rows are dropped by it), and whether it is a key (state is evicted by it).
  const etName = [...eventTime.keys()].find((c) => schema.fields.some((f) => f.name === c));
  const etIndex = etName === undefined ? -1 : schema.fields.findIndex((f) => f.name === etName);
  const etKey = etName === undefined ? -1 : node.columns.indexOf(etName);
  const delayMicros = etName === undefined ? 0n : BigInt(eventTime.get(etName)!) * 1000n;
  const late = BigInt(state.lateEventsWatermarkMs) * 1000n;
  const evict = BigInt(state.evictionWatermarkMs) * 1000n;
  const lateText = new Date(state.lateEventsWatermarkMs).toISOString();
  // Spark's custom metric: rows dropped because their key was already seen (late rows not included).
  let duplicates = 0;
  const t0 = performance.now();
  for await (const batch of input) {
    const vecs = keyIndex.map((i) => Vec.fromArrow(batch.data.children[i]!, schema.fields[i]!.type));
    const et = etIndex < 0 ? undefined : Vec.fromArrow(batch.data.children[etIndex]!, schema.fields[etIndex]!.type);
    const keep: number[] = [];
    const dropped: number[] = [];
    const droppedTimes: bigint[] = [];
    for (let r = 0; r < batch.numRows; r++) {
      const time = et === undefined ? undefined : (et.get(r) as bigint | null);
      if (time !== undefined && time !== null && time <= late) {
        counts.numRowsDroppedByWatermark++;
        if (state.late !== undefined) {
          dropped.push(r);
          droppedTimes.push(time);
        }
        continue;
      }
      const key = vecs.map((v) => v.get(r) as StateValue);
      if (store.get(key) !== undefined) {
        duplicates++;
        continue;
      }
      store.put(key, node.withinWatermark ? [time === undefined || time === null ? null : time + delayMicros] : []);
      counts.numRowsUpdated++;
      keep.push(r);
    }
    if (dropped.length > 0) {
      const reasons = droppedTimes.map((t) => `late: event time '${etName}' ${new Date(Number(t / 1000n)).toISOString()} is at or before the watermark ${lateText}`);
      state.late!.add(node, schema, batch, dropped, droppedTimes, reasons);
    }
    if (keep.length > 0) yield keep.length === batch.numRows ? batch : takeRows(batch, Int32Array.from(keep));
  }
  counts.allUpdatesTimeMs += performance.now() - t0;
  counts.custom = { ...counts.custom, numDroppedDuplicateRows: (counts.custom?.numDroppedDuplicateRows ?? 0) + duplicates };
  if (etIndex < 0 || (!node.withinWatermark && etKey < 0)) return;
  const r0 = performance.now();
  for (const e of store.iterator()) {
    const expires = node.withinWatermark ? (e.value[0] as bigint | null) : (e.key[etKey] as bigint | null);
    if (expires !== null && expires !== undefined && expires <= evict) {
      store.remove(e.key);
      counts.numRowsRemoved++;
    }
  }
  counts.allRemovalsTimeMs += performance.now() - r0;
}
