/**
 * Stream-stream joins, as Spark's StreamingSymmetricHashJoinExec (state format 2, with the
 * `matched` flag): inner, left outer, right outer, full outer and left semi.
 *
 * Each side buffers its past rows in the state so that later rows of the other side can join
 * them. Per micro-batch:
 * 1. left input: rows older than the late-events watermark are dropped (numRowsDroppedByWatermark);
 *    rows failing the left-only conjuncts are never stored (a preserved side emits them with nulls
 *    at once); the others probe the right state by join key, pairs passing the conjuncts over both
 *    sides are output and the right rows marked matched, and each row is stored (left semi: a
 *    matched row is output once instead and not stored);
 * 2. right input: the same against the left state, which now holds this batch's left rows (so new
 *    pairs are produced exactly once); a right row that the watermark would evict in this very batch
 *    is not stored unless it must be emitted as unmatched (right/full outer). In a left semi join a
 *    stored left row is output on its first match only;
 * 3. eviction by the state watermarks (plan/join-conditions.ts): state with a key window/time at
 *    or before the watermark, or (range conditions) with an event time at or before the side's
 *    value watermark, is removed; evicted rows of a preserved side that never matched are output
 *    with nulls for the other side. As in Spark, numRowsRemoved counts the removals of the
 *    non-preserved sides only (outer-side removals are output, not counted).
 * numRowsUpdated counts rows added to the state; numRowsTotal is the rows buffered on both sides.
 * Rows with a null join key never match; they are dropped on a non-preserved side (Spark infers
 * `IS NOT NULL` filters there) and kept on a preserved one until evicted.
 *
 * State layout (one store for both sides, where Spark keeps keyToNumValues and
 * keyWithIndexToValue per side): key = (side 0/1, join key columns..., seq), value = (matched,
 * left columns..., right columns...) with the other side's columns null. `seq` is
 * `batchId * 2^32 + n` (n counts the side's rows stored in the batch), unique and deterministic, so
 * a batch run again after a failure stores the same rows under the same keys; a prefix scan on
 * (side, key) finds a key's rows in arrival order.
 */
import { deltaToArrowSchema, struct, type DataType, type StructField } from '@deltakit/core';
import { Vec, compileExpression, compilePredicate, vecToArrow, type CompiledPredicate } from '@deltakit/core/internal';
import { Data, RecordBatch, Struct } from 'apache-arrow';
import type { StatefulBatch, StatefulOperator } from '../engine/stateful.js';
import type { Analyzed } from '../plan/analyze.js';
import { hasWatermark } from '../plan/event-time.js';
import { streamJoinCondition } from '../plan/join-conditions.js';
import type { StateRow, StateValue } from '../state/row-codec.js';
import type { StateEntry } from '../state/state-store.js';
import { OUTPUT_BATCH_ROWS } from './aggregate.js';
import type { ExecContext } from './context.js';

type JoinNode = Extract<Analyzed, { kind: 'join' }>;
type Exec = (node: Analyzed, ctx: ExecContext) => AsyncIterable<RecordBatch>;

const LEFT = 0;
const RIGHT = 1;
type Side = typeof LEFT | typeof RIGHT;

const INT: DataType = { kind: 'primitive', name: 'integer' };
const LONG: DataType = { kind: 'primitive', name: 'long' };
const BOOLEAN: DataType = { kind: 'primitive', name: 'boolean' };

const nullable = (name: string, type: DataType): StructField => ({ name, type, nullable: true, metadata: {} });

/** The join's state schemas (see the module doc) and Spark's operator name. */
export function joinStateOperator(node: JoinNode): StatefulOperator {
  const cond = streamJoinCondition(node, { timeZone: 'UTC' });
  const keySchema = struct([nullable('side', INT), ...cond.keyTypes.map((t, i) => nullable(`k${i}`, t)), nullable('seq', LONG)]);
  const valueSchema = struct([
    nullable('matched', BOOLEAN),
    ...node.left.schema.fields.map((f) => nullable(`l:${f.name}`, f.type)),
    ...node.right.schema.fields.map((f) => nullable(`r:${f.name}`, f.type)),
  ]);
  return { node, name: 'symmetricHashJoin', keySchema, valueSchema };
}

/** One input row of a side, ready to probe and store. */
interface InputRow {
  readonly values: StateValue[];
  readonly key: StateValue[];
  readonly passes: boolean;
}

/** One output row: the left and right rows (null for the padded side). */
interface Joined {
  readonly left: readonly StateValue[] | null;
  readonly right: readonly StateValue[] | null;
}

export async function* streamingJoin(node: JoinNode, ctx: ExecContext, state: StatefulBatch, exec: Exec): AsyncGenerator<RecordBatch> {
  const store = state.store(node);
  const counts = state.counts(node);
  const settings = { timeZone: ctx.timeZone, currentTimestampMicros: ctx.nowMicros };
  const compileOptions = { timeZone: ctx.timeZone, nowMicros: ctx.nowMicros };
  const cond = streamJoinCondition(node, settings);
  const how = node.how;
  const preserved = [how === 'left_outer' || how === 'full_outer', how === 'right_outer' || how === 'full_outer'] as const;
  const semi = how === 'left_semi';
  const watermarked = hasWatermark(node);
  const late = BigInt(state.lateEventsWatermarkMs) * 1000n;
  const evictMs = state.evictionWatermarkMs;
  const nLeft = node.left.schema.fields.length;
  const nRight = node.right.schema.fields.length;
  const eventTime = [cond.leftEventTime, cond.rightEventTime] as const;
  const valueWatermark = cond.watermarkKey !== undefined ? [undefined, undefined] : [cond.leftStateWatermark(evictMs), cond.rightStateWatermark(evictMs)];
  const both = cond.both === undefined ? undefined : compilePredicate(cond.both, compileOptions);

  /** Spark's state watermark predicates: whether a row of `side` is evicted by this batch's watermark. */
  const evicts = (side: Side, key: StateRow, row: readonly StateValue[]): boolean => {
    if (!watermarked) return false;
    if (cond.watermarkKey !== undefined) {
      const t = timeOf(key[1 + cond.watermarkKey]!);
      return t !== undefined && t <= BigInt(evictMs) * 1000n;
    }
    const w = valueWatermark[side];
    const et = eventTime[side];
    if (w === undefined || et === undefined) return false;
    const t = timeOf(row[et]!);
    return t !== undefined && t <= BigInt(w) * 1000n;
  };

  const out: Joined[] = [];
  const t0 = performance.now();
  const seqBase = BigInt(state.batchId) << 32n;
  for (const side of [LEFT, RIGHT] as const) {
    const child = side === LEFT ? node.left : node.right;
    const other: Side = side === LEFT ? RIGHT : LEFT;
    const keys = (side === LEFT ? cond.leftKeys : cond.rightKeys).map((k) => compileExpression(k, compileOptions));
    const only = side === LEFT ? cond.leftOnly : cond.rightOnly;
    const pre = only === undefined ? undefined : compilePredicate(only, compileOptions);
    const rows: InputRow[] = [];
    for await (const batch of exec(child, ctx)) rows.push(...inputRows(batch, child, keys, pre));
    const pairs: { row: number; entry: StateEntry }[] = [];
    const accepted: InputRow[] = [];
    for (const row of rows) {
      const nullKey = row.key.some((v) => v === null);
      if (nullKey && !preserved[side]) continue;
      const et = eventTime[side];
      if (watermarked && et !== undefined) {
        const t = timeOf(row.values[et]!);
        if (t !== undefined && t <= late) {
          counts.numRowsDroppedByWatermark++;
          continue;
        }
      }
      if (!row.passes) {
        if (preserved[side]) out.push(side === LEFT ? { left: row.values, right: null } : { left: null, right: row.values });
        continue;
      }
      const index = accepted.length;
      accepted.push(row);
      if (nullKey) continue;
      for (const entry of store.prefixScan([other, ...row.key])) pairs.push({ row: index, entry });
    }
    const mask = both === undefined || pairs.length === 0 ? undefined : pairMask(both, pairs, accepted, side, node, nLeft);
    const matchedNow = new Set<bigint>();
    const hasMatch = new Uint8Array(accepted.length);
    for (let i = 0; i < pairs.length; i++) {
      if (mask !== undefined && mask[i] === 0) continue;
      const { row, entry } = pairs[i]!;
      const seq = entry.key[entry.key.length - 1] as bigint;
      const already = entry.value[0] === true || matchedNow.has(seq);
      // Left semi, right input: a stored left row is output on its first match only.
      if (semi && side === RIGHT && already) continue;
      hasMatch[row] = 1;
      const otherValues = sideValues(entry.value, other, nLeft, nRight);
      if (!already) {
        store.put(entry.key, [true, ...entry.value.slice(1)]);
        matchedNow.add(seq);
      }
      if (semi) {
        if (side === RIGHT) out.push({ left: otherValues, right: null });
        continue;
      }
      out.push(side === LEFT ? { left: accepted[row]!.values, right: otherValues } : { left: otherValues, right: accepted[row]!.values });
    }
    let n = 0n;
    for (let r = 0; r < accepted.length; r++) {
      const row = accepted[r]!;
      const matched = hasMatch[r] === 1;
      if (semi && side === LEFT && matched) {
        out.push({ left: row.values, right: null });
        continue;
      }
      const key = [side, ...row.key, seqBase + n];
      if (side === RIGHT && evicts(RIGHT, key, row.values) && !(preserved[RIGHT] && !matched)) continue;
      n++;
      const value = side === LEFT ? [matched, ...row.values, ...new Array<StateValue>(nRight).fill(null)] : [matched, ...new Array<StateValue>(nLeft).fill(null), ...row.values];
      store.put(key, value);
      counts.numRowsUpdated++;
    }
  }
  const r0 = performance.now();
  counts.allUpdatesTimeMs += r0 - t0;
  if (watermarked) {
    for (const e of store.iterator()) {
      const side = e.key[0] as Side;
      const values = sideValues(e.value, side, nLeft, nRight);
      if (!evicts(side, e.key, values)) continue;
      store.remove(e.key);
      if (preserved[LEFT] || preserved[RIGHT]) {
        if (!preserved[side]) counts.numRowsRemoved++;
        else if (e.value[0] !== true) out.push(side === LEFT ? { left: values, right: null } : { left: null, right: values });
      } else counts.numRowsRemoved++;
    }
  }
  counts.allRemovalsTimeMs += performance.now() - r0;
  yield* outputBatches(node, out);
}

/** A key's time in µs: a window's end, a timestamp, or a date's midnight; undefined for null. */
function timeOf(v: StateValue): bigint | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(v) * 86_400_000_000n;
  if (typeof v === 'object' && 'kind' in v && v.kind === 'struct') return timeOf(v.values[1]!);
  return undefined;
}

function sideValues(value: StateRow, side: Side, nLeft: number, nRight: number): StateValue[] {
  return side === LEFT ? value.slice(1, 1 + nLeft) : value.slice(1 + nLeft, 1 + nLeft + nRight);
}

function inputRows(batch: RecordBatch, child: Analyzed, keys: readonly ReturnType<typeof compileExpression>[], pre: CompiledPredicate | undefined): InputRow[] {
  const n = batch.numRows;
  if (n === 0) return [];
  const cols = child.schema.fields.map((f, i) => Vec.fromArrow(batch.data.children[i]!, f.type));
  const keyVecs = keys.map((k) => k.evaluate(batch));
  const mask = pre?.mask(batch);
  const out: InputRow[] = [];
  for (let r = 0; r < n; r++) {
    out.push({
      values: cols.map((c) => c.get(r) as StateValue),
      key: keyVecs.map((k) => k.get(r) as StateValue),
      passes: mask === undefined || mask[r] === 1,
    });
  }
  return out;
}

/** The conjuncts over both sides, for each candidate pair (1 = passes). */
function pairMask(both: CompiledPredicate, pairs: readonly { row: number; entry: StateEntry }[], rows: readonly InputRow[], side: Side, node: JoinNode, nLeft: number): Uint8Array {
  const nRight = node.right.schema.fields.length;
  const thisRows = pairs.map((p) => rows[p.row]!.values);
  const otherRows = pairs.map((p) => sideValues(p.entry.value, side === LEFT ? RIGHT : LEFT, nLeft, nRight));
  const [l, r] = side === LEFT ? [thisRows, otherRows] : [otherRows, thisRows];
  return both.mask([rowsBatch(node.left.schema.fields, l), rowsBatch(node.right.schema.fields, r)]);
}

function rowsBatch(fields: readonly StructField[], rows: readonly (readonly StateValue[])[]): RecordBatch {
  const schema = deltaToArrowSchema(struct(fields.map((f) => ({ ...f, nullable: true }))));
  const children = fields.map((f, i) => vecToArrow(Vec.fromValues(f.type, rows.map((row) => row[i]!) as never), schema.fields[i]!.type));
  return new RecordBatch(schema, new Data(new Struct(schema.fields), 0, rows.length, 0, undefined, children) as Data<Struct>);
}

/** Output rows as batches of the join's schema (`using` columns take the right's value when the left is null). */
function* outputBatches(node: JoinNode, rows: readonly Joined[]): Generator<RecordBatch> {
  const schema = deltaToArrowSchema(node.schema);
  const left = node.left.schema.fields;
  const right = node.right.schema.fields;
  const semi = node.how === 'left_semi';
  const keptRight = semi ? [] : right.map((f, i) => (node.usingColumns.some((u) => u.toLowerCase() === f.name.toLowerCase()) ? -1 : i)).filter((i) => i >= 0);
  const usingFromRight = left.map((f) => {
    const u = node.usingColumns.find((c) => c.toLowerCase() === f.name.toLowerCase());
    return u === undefined ? -1 : right.findIndex((x) => x.name.toLowerCase() === u.toLowerCase());
  });
  for (let start = 0; start < rows.length; start += OUTPUT_BATCH_ROWS) {
    const part = rows.slice(start, start + OUTPUT_BATCH_ROWS);
    const leftCols = left.map((f, i) => Vec.fromValues(f.type, part.map((j) => (j.left !== null ? j.left[i]! : usingFromRight[i]! >= 0 && j.right !== null ? j.right[usingFromRight[i]!]! : null)) as never));
    const rightCols = keptRight.map((ri) => Vec.fromValues(right[ri]!.type, part.map((j) => (j.right === null ? null : j.right[ri]!)) as never));
    const children = [...leftCols, ...rightCols].map((v, i) => vecToArrow(v, schema.fields[i]!.type));
    yield new RecordBatch(schema, new Data(new Struct(schema.fields), 0, part.length, 0, undefined, children) as Data<Struct>);
  }
}
