/** `limit(n)`: the first n rows; stops reading its input once it has them. */
import type { RecordBatch } from 'apache-arrow';
import type { Analyzed } from '../plan/analyze.js';

type LimitNode = Extract<Analyzed, { kind: 'limit' }>;

export async function* limit(node: LimitNode, input: AsyncIterable<RecordBatch>): AsyncGenerator<RecordBatch> {
  let left = node.n;
  if (left === 0) return;
  for await (const b of input) {
    if (b.numRows === 0) continue;
    if (b.numRows >= left) {
      yield b.numRows === left ? b : b.slice(0, left);
      return;
    }
    left -= b.numRows;
    yield b;
  }
}
