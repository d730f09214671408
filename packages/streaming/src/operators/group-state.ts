/**
 * `flatMapGroupsWithState` (see api/group-state.ts): rows are grouped by key in arrival order and
 * the user function is called per key. In a batch query every key starts without state. In a
 * stream, the key's value and timeout live in the state store (value: the user value as tagged
 * JSON, and the timeout in ms); after the keys with data, keys whose timeout expired (processing
 * time: the batch timestamp reached it; event time: the watermark passed it) are called with no
 * rows and `hasTimedOut`.
 */
import { struct, type DataType } from '@deltakit/core';
import { Vec, rowsToBatch } from '@deltakit/core/internal';
import type { RecordBatch } from 'apache-arrow';
import { GroupState, decodeStateValue, encodeStateValue } from '../api/group-state.js';
import { batchRows, toJs, type Row } from '../api/rows.js';
import type { StatefulBatch, StatefulOperator } from '../engine/stateful.js';
import type { Analyzed } from '../plan/analyze.js';
import type { StateRow, StateValue } from '../state/row-codec.js';
import type { ExecContext } from './context.js';

type GroupStateNode = Extract<Analyzed, { kind: 'groupState' }>;

const STRING: DataType = { kind: 'primitive', name: 'string' };
const LONG: DataType = { kind: 'primitive', name: 'long' };

export function groupStateOperator(node: GroupStateNode): StatefulOperator {
  const keySchema = struct(node.keys.map((k) => ({ ...node.child.schema.fields.find((f) => f.name === k)!, nullable: true, metadata: {} })));
  const valueSchema = struct([
    { name: 'value', type: STRING, nullable: true, metadata: {} },
    { name: 'timeoutMs', type: LONG, nullable: true, metadata: {} },
  ]);
  return { node, name: 'flatMapGroupsWithState', keySchema, valueSchema };
}

interface Group {
  readonly key: StateRow;
  readonly keyRow: Row;
  readonly rows: Row[];
}

/** Groups the input rows by key, keys in first-arrival order. */
async function groupRows(node: GroupStateNode, input: AsyncIterable<RecordBatch>): Promise<Map<string, Group>> {
  const groups = new Map<string, Group>();
  const schema = node.child.schema;
  const keyIdx = node.keys.map((k) => schema.fields.findIndex((f) => f.name === k));
  for await (const batch of input) {
    const keyVecs = keyIdx.map((i) => Vec.fromArrow(batch.data.children[i]!, schema.fields[i]!.type));
    const rows = batchRows(batch, schema);
    for (let r = 0; r < rows.length; r++) {
      const key = keyVecs.map((v) => v.get(r) as StateValue);
      const id = encodeStateValue(key);
      let g = groups.get(id);
      if (g === undefined) {
        const keyRow: Row = {};
        node.keys.forEach((k, i) => (keyRow[k] = toJs(key[i], schema.fields[keyIdx[i]!]!.type)));
        g = { key, keyRow, rows: [] };
        groups.set(id, g);
      }
      g.rows.push(rows[r]!);
    }
  }
  return groups;
}

export async function* groupStateBatch(node: GroupStateNode, input: AsyncIterable<RecordBatch>, ctx: ExecContext): AsyncGenerator<RecordBatch> {
  const out: Row[] = [];
  const nowMs = Number(ctx.nowMicros / 1000n);
  for (const g of (await groupRows(node, input)).values()) {
    const state = new GroupState<unknown>({ value: undefined, exists: false, timedOut: false, timeout: 'NoTimeout', batchTimestampMs: nowMs, watermarkMs: undefined });
    for (const row of await node.spec.fn(g.keyRow, g.rows, state)) out.push(row);
  }
  if (out.length > 0) yield rowsToBatch(out, node.spec.outputSchema);
}

export async function* groupStateStreaming(node: GroupStateNode, input: AsyncIterable<RecordBatch>, ctx: ExecContext, state: StatefulBatch): AsyncGenerator<RecordBatch> {
  const store = state.store(node);
  const counts = state.counts(node);
  const nowMs = Number(ctx.nowMicros / 1000n);
  const watermarkMs = node.hasWatermark ? state.evictionWatermarkMs : undefined;
  const out: Row[] = [];
  const call = async (g: Group, stored: StateRow | undefined, timedOut: boolean) => {
    const s = new GroupState<unknown>({
      value: stored?.[0] === null || stored === undefined ? undefined : decodeStateValue(stored[0] as string),
      exists: stored !== undefined && stored[0] !== null,
      timedOut,
      timeout: node.spec.timeout,
      batchTimestampMs: nowMs,
      watermarkMs,
    });
    for (const row of await node.spec.fn(g.keyRow, g.rows, s)) out.push(row);
    const o = s.outcome();
    if (o.keep) {
      store.put(g.key, [encodeStateValue(o.value), o.timeoutMs === undefined ? null : BigInt(o.timeoutMs)]);
      counts.numRowsUpdated++;
    } else if (stored !== undefined) {
      store.remove(g.key);
      counts.numRowsRemoved++;
    }
  };
  const t0 = performance.now();
  const groups = await groupRows(node, input);
  for (const g of groups.values()) await call(g, store.get(g.key), false);
  counts.allUpdatesTimeMs += performance.now() - t0;
  if (node.spec.timeout !== 'NoTimeout') {
    const now = node.spec.timeout === 'ProcessingTimeTimeout' ? nowMs : watermarkMs;
    const expired: { key: StateRow; value: StateRow }[] = [];
    for (const e of store.iterator()) {
      const t = e.value[1] as bigint | null;
      if (t !== null && now !== undefined && t <= BigInt(now) && !groups.has(encodeStateValue(e.key))) expired.push(e);
    }
    const keyTypes = node.keys.map((k) => node.child.schema.fields.find((f) => f.name === k)!.type);
    for (const e of expired) {
      const keyRow: Row = {};
      node.keys.forEach((k, i) => (keyRow[k] = toJs(e.key[i], keyTypes[i]!)));
      await call({ key: e.key, keyRow, rows: [] }, [e.value[0]!, null], true);
    }
  }
  if (out.length > 0) yield rowsToBatch(out, node.spec.outputSchema);
}

/** The earliest pending timeout in the store (ms), to decide whether a no-data batch is due. */
export function nextTimeoutMs(entries: Iterable<{ value: StateRow }>): number | undefined {
  let min: bigint | undefined;
  for (const e of entries) {
    const t = e.value[1] as bigint | null;
    if (t !== null && (min === undefined || t < min)) min = t;
  }
  return min === undefined ? undefined : Number(min);
}
