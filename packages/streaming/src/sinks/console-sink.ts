/**
 * The console sink: prints each batch as Spark's does (`Batch: <id>` framed by dashes, then
 * `show(numRows, truncate)`). Options `numRows` (default 20) and `truncate` (default true).
 */
import { batchRows, type Row } from '../api/rows.js';
import { formatShow } from '../api/show.js';
import type { MicroBatch, OutputMode, Sink, SinkContext, SinkResult } from './sink.js';

export class ConsoleSink implements Sink {
  readonly description = 'ConsoleSink';
  readonly outputModes: readonly OutputMode[] = ['append', 'update', 'complete'];
  constructor(
    private readonly numRows: number,
    private readonly truncate: boolean,
    private readonly print: (text: string) => void = (t) => console.log(t),
  ) {}

  async addBatch(batch: MicroBatch, ctx: SinkContext): Promise<SinkResult> {
    const rows: Row[] = [];
    let total = 0;
    for await (const b of batch.batches(ctx.signal)) {
      total += b.numRows;
      if (rows.length <= this.numRows) batchRows(b, batch.schema, rows);
    }
    const dash = '-------------------------------------------';
    this.print(`${dash}\nBatch: ${batch.batchId}\n${dash}\n${formatShow(batch.schema, rows, this.numRows, this.truncate)}\n`);
    return { numOutputRows: total };
  }
}
