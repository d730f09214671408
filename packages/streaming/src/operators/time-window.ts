/**
 * The timeWindow node (plan/time-window.ts): appends each row's window `struct<start, end>`;
 * a sliding window repeats the row once per window holding it (Spark's Expand + Filter). Rows
 * whose time is null are dropped.
 */
import { deltaToArrowSchema, type DataType } from '@deltakit/core';
import { Vec, bindExpression, compileExpression, takeRows, vecToArrow } from '@deltakit/core/internal';
import { Data, RecordBatch, Struct } from 'apache-arrow';
import type { Analyzed } from '../plan/analyze.js';
import type { ExecContext } from './context.js';
import { windowPasses, windowStructs } from './window-time.js';

type TimeWindowNode = Extract<Analyzed, { kind: 'timeWindow' }>;

const DOUBLE: DataType = { kind: 'primitive', name: 'double' };

export async function* timeWindow(node: TimeWindowNode, input: AsyncIterable<RecordBatch>, ctx: ExecContext): AsyncGenerator<RecordBatch> {
  const time = compileExpression(bindExpression(node.time, node.child.schema, { timeZone: ctx.timeZone, currentTimestampMicros: ctx.nowMicros }), { timeZone: ctx.timeZone, nowMicros: ctx.nowMicros });
  const schema = deltaToArrowSchema(node.schema);
  const windowField = node.schema.fields[node.schema.fields.length - 1]!;
  const windowArrow = schema.fields[schema.fields.length - 1]!.type;
  for await (const batch of input) {
    if (batch.numRows === 0) continue;
    const passes = windowPasses(node.spec, time.evaluate(batch), batch.numRows);
    for (const pass of passes) {
      const rows: number[] = [];
      for (let r = 0; r < batch.numRows; r++) if (pass.mask[r] === 1) rows.push(r);
      if (rows.length === 0) continue;
      const all = pass.starts.f64();
      const starts = Float64Array.from(rows, (r) => all[r]!);
      const taken = rows.length === batch.numRows ? batch : takeRows(batch, Int32Array.from(rows));
      const windows = windowStructs(node.spec, windowField.type, Vec.of(DOUBLE, { kind: 'f64', values: starts }, null, rows.length));
      const children = [...taken.data.children, vecToArrow(windows, windowArrow)];
      yield new RecordBatch(schema, new Data(new Struct(schema.fields), 0, rows.length, 0, undefined, children) as Data<Struct>);
    }
  }
}
