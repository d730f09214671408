/** Filter: keeps the rows where the condition is true (not false, not null). */
import { bindCondition, compilePredicate, filterBatch } from '@deltakit/core/internal';
import type { RecordBatch } from 'apache-arrow';
import type { Analyzed } from '../plan/analyze.js';
import type { ExecContext } from './context.js';

type FilterNode = Extract<Analyzed, { kind: 'filter' }>;

export async function* filter(node: FilterNode, input: AsyncIterable<RecordBatch>, ctx: ExecContext): AsyncGenerator<RecordBatch> {
  const bound = bindCondition(node.condition, node.child.schema, { timeZone: ctx.timeZone, currentTimestampMicros: ctx.nowMicros });
  const predicate = compilePredicate(bound, { timeZone: ctx.timeZone, nowMicros: ctx.nowMicros });
  for await (const batch of input) {
    if (batch.numRows === 0) continue;
    const out = filterBatch(batch, predicate.mask(batch));
    if (out.numRows > 0) yield out;
  }
}
