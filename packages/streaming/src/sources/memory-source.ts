/**
 * `memoryStream(schema)`: an in-process source for tests and examples, as Spark's MemoryStream.
 * `addData(...rows)` appends one batch of rows and returns its offset (0, 1, 2, ...); the data
 * stays in memory for the life of the object, so a query restarted in the same process replays
 * from its checkpoint exactly as with a durable source.
 */
import { DeltaError, parseDdlSchema, type StructType } from '@deltakit/core';
import { rowsToBatch } from '@deltakit/core/internal';
import type { RecordBatch } from 'apache-arrow';
import { DataFrame } from '../api/dataframe.js';
import { leaf } from '../plan/logical.js';
import type { ResolvedRelation, SourceProvider, StreamSource } from './source.js';

export class MemoryStream {
  readonly schema: StructType;
  readonly #batches: RecordBatch[] = [];
  readonly #df: DataFrame;

  constructor(schema: StructType | string) {
    this.schema = typeof schema === 'string' ? parseDdlSchema(schema) : schema;
    this.#df = new DataFrame(leaf({ format: 'memory', options: {}, instance: this }, true));
  }

  /** The streaming DataFrame over this source (the same one on every call). */
  toDF(): DataFrame {
    return this.#df;
  }

  /** Appends one batch of rows (plain objects, see `rowsToBatch` for value shapes); returns its offset. */
  addData(...rows: readonly object[]): number {
    const flat = rows.length === 1 && Array.isArray(rows[0]) ? (rows[0] as object[]) : rows;
    this.#batches.push(rowsToBatch(flat, this.schema));
    return this.#batches.length - 1;
  }

  /** The offset of the last batch added; -1 when none. */
  get latest(): number {
    return this.#batches.length - 1;
  }

  /** Batches with offsets in `(start, end]`. */
  slice(start: number, end: number): RecordBatch[] {
    return this.#batches.slice(start + 1, end + 1);
  }
}

export function memoryStream(schema: StructType | string): MemoryStream {
  return new MemoryStream(schema);
}

class MemoryStreamSource implements StreamSource<number> {
  readonly description: string;
  constructor(private readonly stream: MemoryStream) {
    this.description = `MemoryStream[${stream.schema.fields.map((f) => f.name).join(',')}]`;
  }
  async latestOffset(): Promise<number | undefined> {
    return this.stream.latest < 0 ? undefined : this.stream.latest;
  }
  async *getBatch(start: number | undefined, end: number): AsyncIterable<RecordBatch> {
    if (end > this.stream.latest) {
      throw new DeltaError('CHECKPOINT_INCOMPATIBLE', `The memory stream has data up to offset ${this.stream.latest}, but the checkpoint asks for offset ${end}. A memory stream lives only in its process; use a new checkpoint location for a new MemoryStream.`);
    }
    yield* this.stream.slice(start ?? -1, end);
  }
  async commit(): Promise<void> {}
  serialize(o: number): string {
    return String(o);
  }
  deserialize(json: string): number {
    const n = Number(json);
    if (!Number.isSafeInteger(n)) throw new DeltaError('CORRUPT_CHECKPOINT', `A memory stream offset must be an integer, found ${json}.`);
    return n;
  }
  sameOffset(a: number, b: number): boolean {
    return a === b;
  }
  async stop(): Promise<void> {}
}

export const memoryProvider: SourceProvider = {
  formats: ['memory'],
  async resolve(spec): Promise<ResolvedRelation> {
    const stream = spec.instance as MemoryStream;
    return {
      kind: 'memory',
      schema: stream.schema,
      hidden: [],
      read: () => toAsync(stream.slice(-1, stream.latest)),
      openStream: async () => new MemoryStreamSource(stream),
    };
  },
};

async function* toAsync<T>(items: readonly T[]): AsyncIterable<T> {
  yield* items;
}
