/** Projection: evaluates each output expression over every batch (compiled once per execution). */
import { deltaToArrowSchema } from '@deltakit/core';
import { bindExpression, compileExpression, vecToArrow } from '@deltakit/core/internal';
import { Data, RecordBatch, Struct } from 'apache-arrow';
import type { Analyzed } from '../plan/analyze.js';
import type { ExecContext } from './context.js';

type ProjectNode = Extract<Analyzed, { kind: 'project' }>;

export async function* project(node: ProjectNode, input: AsyncIterable<RecordBatch>, ctx: ExecContext): AsyncGenerator<RecordBatch> {
  const options = { timeZone: ctx.timeZone, currentTimestampMicros: ctx.nowMicros };
  const compiled = node.outputs.map((o) => compileExpression(bindExpression(o.expr, node.child.schema, options), { timeZone: ctx.timeZone, nowMicros: ctx.nowMicros }));
  const schema = deltaToArrowSchema(node.schema);
  for await (const batch of input) {
    const children = compiled.map((c, i) => vecToArrow(c.evaluate(batch), schema.fields[i]!.type));
    yield new RecordBatch(schema, new Data(new Struct(schema.fields), 0, batch.numRows, 0, undefined, children) as Data<Struct>);
  }
}
