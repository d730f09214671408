/**
 * The memory sink (`format('memory')`, named by `queryName`): keeps every batch's rows in
 * process memory, queryable as a batch DataFrame with `read.table(name)` or `memoryTable(name)`.
 * A batch id it already holds is ignored (Spark's MemorySink); complete mode keeps only the
 * latest batch.
 */
import { DeltaError, type StructType } from '@deltakit/core';
import type { RecordBatch } from 'apache-arrow';
import { DataFrame } from '../api/dataframe.js';
import { getDefaultSession, type Session } from '../api/session.js';
import { leaf } from '../plan/logical.js';
import type { ResolvedRelation, SourceProvider } from '../sources/source.js';
import type { MicroBatch, OutputMode, Sink, SinkContext, SinkResult } from './sink.js';

class MemoryTable {
  schema: StructType | undefined;
  readonly batches = new Map<number, RecordBatch[]>();
}

const tables = new Map<string, MemoryTable>();

export class MemorySink implements Sink {
  readonly description: string;
  readonly outputModes: readonly OutputMode[] = ['append', 'update', 'complete'];
  readonly #table: MemoryTable;
  constructor(readonly name: string) {
    this.description = `MemorySink[${name}]`;
    let t = tables.get(name);
    if (t === undefined) {
      t = new MemoryTable();
      tables.set(name, t);
    }
    this.#table = t;
  }

  async addBatch(batch: MicroBatch, ctx: SinkContext): Promise<SinkResult> {
    if (this.#table.batches.has(batch.batchId)) return { numOutputRows: 0 };
    const rows: RecordBatch[] = [];
    for await (const b of batch.batches(ctx.signal)) rows.push(b);
    if (batch.outputMode === 'complete') this.#table.batches.clear();
    this.#table.schema = batch.schema;
    this.#table.batches.set(batch.batchId, rows);
    return { numOutputRows: rows.reduce((n, b) => n + b.numRows, 0) };
  }
}

/** The rows a memory sink holds, as a batch DataFrame. */
export function memoryTable(name: string, session: Session = getDefaultSession()): DataFrame {
  return new DataFrame(leaf({ format: 'memoryTable', options: {}, path: name }, false), session);
}

/** Forgets a memory sink's rows (tests). */
export function dropMemoryTable(name: string): void {
  tables.delete(name);
}

export const memoryTableProvider: SourceProvider = {
  formats: ['memoryTable'],
  async resolve(spec): Promise<ResolvedRelation> {
    const t = tables.get(spec.path ?? '');
    if (t === undefined || t.schema === undefined) {
      throw new DeltaError('TABLE_NOT_FOUND', `There is no memory table named '${spec.path}'. Start a query with writeStream.format('memory').queryName('${spec.path}') and let it process a batch first.`);
    }
    const snapshot = [...t.batches.entries()].sort((a, b) => a[0] - b[0]).flatMap(([, b]) => b);
    return {
      kind: 'memoryTable',
      schema: t.schema,
      hidden: [],
      async *read() {
        yield* snapshot;
      },
    };
  },
};
