/**
 * `dropDuplicates(columns)` / `distinct()` for batch DataFrames: keeps the first row (in input
 * order) of each distinct combination of `columns`, with Spark's grouping equality (nulls equal,
 * NaN = NaN, -0.0 = 0.0). Streams: each batch yields its rows whose key was not seen before, so
 * memory holds only the keys. (`dropDuplicatesWithinWatermark` is the same on a batch DataFrame,
 * as in Spark.)
 */
import { Vec, takeRows } from '@deltakit/core/internal';
import type { RecordBatch } from 'apache-arrow';
import type { Analyzed } from '../plan/analyze.js';
import { GroupTable } from './aggregates/grouping.js';

type DedupNode = Extract<Analyzed, { kind: 'dedup' }>;

export async function* dedup(node: DedupNode, input: AsyncIterable<RecordBatch>): AsyncGenerator<RecordBatch> {
  const fields = node.columns.map((c) => node.child.schema.fields.findIndex((f) => f.name === c));
  const table = new GroupTable(fields.map((i) => node.child.schema.fields[i]!.type));
  let groups = new Int32Array(0);
  for await (const batch of input) {
    const n = batch.numRows;
    if (n === 0) continue;
    if (groups.length < n) groups = new Int32Array(n);
    const keys = fields.map((i) => Vec.fromArrow(batch.data.children[i]!, node.child.schema.fields[i]!.type));
    let next = table.size;
    table.assign(keys, n, null, groups);
    if (table.size === next) continue;
    const keep = new Int32Array(table.size - next);
    for (let r = 0, k = 0; r < n; r++) {
      if (groups[r] !== next) continue;
      keep[k++] = r;
      next++;
    }
    yield keep.length === n ? batch : takeRows(batch, keep);
  }
}
