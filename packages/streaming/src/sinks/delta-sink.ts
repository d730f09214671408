/**
 * The Delta sink: each micro-batch is one Delta commit carrying `txn {appId: queryId, version:
 * batchId}`, so a batch replayed after a crash is recognised and skipped (Spark's DeltaSink).
 * Append adds the rows; complete replaces the whole table. A missing table is created by the
 * first batch. Concurrent runs of the same query conflict on the txn (CONCURRENT_TRANSACTION).
 */
import { DeltaError, DeltaTable } from '@deltakit/core';
import type { RecordBatch } from 'apache-arrow';
import type { MicroBatch, OutputMode, Sink, SinkContext, SinkResult } from './sink.js';

export interface DeltaSinkOptions {
  readonly path: string;
  readonly mergeSchema: boolean;
  readonly partitionBy: readonly string[];
  /** Extra writer options as given (`optimizeWrite`, `targetFileSize`...). */
  readonly options: Readonly<Record<string, string>>;
}

export class DeltaSink implements Sink {
  readonly description: string;
  readonly outputModes: readonly OutputMode[] = ['append', 'complete'];
  /** One table handle for the query's life: it keeps the table state and reads only new commits. */
  #table: DeltaTable | undefined;
  constructor(private readonly options: DeltaSinkOptions) {
    this.description = `DeltaSink[${options.path}]`;
  }

  async addBatch(batch: MicroBatch, ctx: SinkContext): Promise<SinkResult> {
    this.#table ??= DeltaTable.forPath(this.options.path, { engine: ctx.engine });
    const table = this.#table;
    let rows = 0;
    const counted = async function* (it: AsyncIterable<RecordBatch>) {
      for await (const b of it) {
        rows += b.numRows;
        yield b;
      }
    };
    const result = await table.write(counted(batch.batches(ctx.signal)), {
      mode: batch.outputMode === 'complete' ? 'overwrite' : 'append',
      ...(this.options.partitionBy.length > 0 ? { partitionBy: this.options.partitionBy } : {}),
      mergeSchema: this.options.mergeSchema,
      appTransaction: { appId: ctx.queryId, version: BigInt(batch.batchId) },
      commitOperation: { name: 'STREAMING UPDATE', parameters: { outputMode: capitalize(batch.outputMode), queryId: ctx.queryId, epochId: String(batch.batchId) } },
      inputSchema: batch.schema,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    if (result.skipped) {
      ctx.logger.info({ batchId: batch.batchId, table: this.options.path }, 'Skipping already complete epoch');
      return { numOutputRows: 0, metrics: { tableVersion: String(result.version), skipped: 'true' } };
    }
    return { numOutputRows: rows, metrics: { tableVersion: String(result.version) } };
  }
}

const capitalize = (s: string) => s[0]!.toUpperCase() + s.slice(1);

export function requireSinkPath(path: string | undefined, format: string): string {
  if (path === undefined || path === '') throw new DeltaError('INVALID_ARGUMENT', `The ${format} sink needs a path: writeStream.format('${format}').start('<path>') or .toTable('<path>').`);
  return path;
}
