/**
 * EventTimeWatermark: passes rows through and records the event-time statistics of the batch
 * (min, max, sum, count of the watermark column, µs) that the engine turns into the progress
 * `eventTime` and the next watermark (max event time minus the delay; it never moves back).
 */
import { Vec } from '@deltakit/core/internal';
import type { RecordBatch } from 'apache-arrow';
import type { Analyzed } from '../plan/analyze.js';
import type { ExecContext } from './context.js';

type WatermarkNode = Extract<Analyzed, { kind: 'watermark' }>;

/** Event-time statistics of one watermark operator over one execution. */
export class EventTimeStats {
  min: bigint | undefined;
  max: bigint | undefined;
  sum = 0n;
  count = 0;

  add(micros: bigint): void {
    if (this.min === undefined || micros < this.min) this.min = micros;
    if (this.max === undefined || micros > this.max) this.max = micros;
    this.sum += micros;
    this.count++;
  }
}

export async function* watermark(node: WatermarkNode, input: AsyncIterable<RecordBatch>, ctx: ExecContext): AsyncGenerator<RecordBatch> {
  const stats = ctx.eventTime?.(node);
  const index = node.schema.fields.findIndex((f) => f.name === node.column);
  const type = node.schema.fields[index]!.type;
  for await (const batch of input) {
    if (stats !== undefined && batch.numRows > 0) {
      const v = Vec.fromArrow(batch.data.children[index]!, type);
      for (let i = 0; i < batch.numRows; i++) {
        const x = v.get(i);
        if (typeof x === 'bigint') stats.add(x);
      }
    }
    yield batch;
  }
}
