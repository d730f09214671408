/**
 * `limit(n)` on a stream, as Spark's StreamingGlobalLimitExec: in append mode the number of rows
 * emitted so far is kept in the state store (one entry), so across all batches (and restarts) at
 * most n rows are emitted; in complete mode each batch's full result is cut to n rows (no state).
 */
import { struct, type DataType } from '@deltakit/core';
import type { RecordBatch } from 'apache-arrow';
import type { StatefulBatch, StatefulOperator } from '../engine/stateful.js';
import type { Analyzed } from '../plan/analyze.js';
import { limit } from './limit.js';

type LimitNode = Extract<Analyzed, { kind: 'limit' }>;

const INT: DataType = { kind: 'primitive', name: 'integer' };
const LONG: DataType = { kind: 'primitive', name: 'long' };
const KEY = [0];

export function limitStateOperator(node: LimitNode): StatefulOperator {
  return {
    node,
    name: 'globalLimit',
    keySchema: struct([{ name: 'key', type: INT, nullable: false, metadata: {} }]),
    valueSchema: struct([{ name: 'emitted', type: LONG, nullable: false, metadata: {} }]),
  };
}

export async function* streamingLimit(node: LimitNode, input: AsyncIterable<RecordBatch>, state: StatefulBatch): AsyncGenerator<RecordBatch> {
  if (state.outputMode === 'complete') {
    yield* limit(node, input);
    return;
  }
  const store = state.store(node);
  const counts = state.counts(node);
  const emitted = Number((store.get(KEY)?.[0] as bigint | undefined) ?? 0n);
  let left = node.n - emitted;
  let now = 0;
  for await (const b of input) {
    if (left <= 0) break;
    if (b.numRows === 0) continue;
    const take = Math.min(left, b.numRows);
    yield take === b.numRows ? b : b.slice(0, take);
    left -= take;
    now += take;
  }
  if (now > 0) {
    store.put(KEY, [BigInt(emitted + now)]);
    counts.numRowsUpdated++;
  }
}
