/**
 * The kinds of data a write accepts, normalised to one stream of record batches with a known
 * schema: an Arrow table, a (sync or async) iterable of record batches, or plain JS rows with a
 * Delta schema (see `rows-to-arrow.ts` for the accepted value representations).
 */
import { RecordBatch, Table } from 'apache-arrow';
import { DeltaError } from '../errors.js';
import { arrowToDeltaSchema } from '../schema/arrow.js';
import { formatDataType } from '../schema/json.js';
import type { StructType } from '../schema/types.js';
import { rowsToBatches } from './rows-to-arrow.js';

/** Plain JS rows with the Delta schema they follow. */
export interface RowsInput {
  readonly rows: readonly object[];
  readonly schema: StructType;
}

export type WriteInput = Table | Iterable<RecordBatch> | AsyncIterable<RecordBatch> | RowsInput;

export interface NormalizedInput {
  /** The Delta schema of the data (from the Arrow schema, or as given with rows); undefined for an empty stream. */
  readonly schema: StructType | undefined;
  /** Every batch, in order; each has `schema`'s shape (checked as they arrive). */
  readonly batches: AsyncIterable<RecordBatch>;
}

/**
 * Normalises `data`. Batch streams are peeked for their first batch to learn the schema; later
 * batches with a different schema throw INVALID_ARGUMENT when they arrive.
 */
export async function normalizeInput(data: WriteInput): Promise<NormalizedInput> {
  if (data instanceof Table) {
    return { schema: arrowToDeltaSchema(data.schema), batches: fromIterable(data.batches) };
  }
  if (isRowsInput(data)) {
    if (!Array.isArray(data.rows)) throw new DeltaError('INVALID_ARGUMENT', 'rows must be an array of objects. Pass { rows: [...], schema }.');
    return { schema: data.schema, batches: toAsync(rowsToBatches(data.rows, data.schema)) };
  }
  if (isAsyncIterable(data) || isIterable(data)) {
    const it = isAsyncIterable(data) ? data[Symbol.asyncIterator]() : toAsync(data)[Symbol.asyncIterator]();
    const first = await it.next();
    if (first.done) return { schema: undefined, batches: toAsync([]) };
    const batch = first.value;
    if (!(batch instanceof RecordBatch)) throw notABatch(batch);
    const rest: AsyncIterable<RecordBatch> = { [Symbol.asyncIterator]: () => it };
    return { schema: arrowToDeltaSchema(batch.schema), batches: checked(batch, rest) };
  }
  throw new DeltaError('INVALID_ARGUMENT', 'The data to write must be an Arrow Table, an iterable or async iterable of Arrow RecordBatches, or { rows, schema }.');
}

async function* checked(first: RecordBatch, rest: AsyncIterable<RecordBatch>): AsyncGenerator<RecordBatch> {
  // Names and types must agree; nullability may differ (each batch is checked for nulls anyway).
  const expected = formatDataType(arrowToDeltaSchema(first.schema));
  yield first;
  let index = 1;
  for await (const b of rest) {
    if (!(b instanceof RecordBatch)) throw notABatch(b);
    const actual = b.schema === first.schema ? expected : formatDataType(arrowToDeltaSchema(b.schema));
    if (actual !== expected) {
      throw new DeltaError('INVALID_ARGUMENT', `Record batch ${index} has columns ${actual} but the first batch of the stream had ${expected}; nothing was committed. Every batch of one write must have the same columns and types; write differently shaped data in separate calls.`);
    }
    index++;
    yield b;
  }
}

async function* fromIterable(batches: Iterable<RecordBatch>): AsyncGenerator<RecordBatch> {
  for (const b of batches) yield b;
}

async function* toAsync<T>(items: Iterable<T>): AsyncGenerator<T> {
  for (const x of items) yield x;
}

function isRowsInput(d: unknown): d is RowsInput {
  return typeof d === 'object' && d !== null && 'rows' in d && 'schema' in d;
}

function isAsyncIterable(d: unknown): d is AsyncIterable<RecordBatch> {
  return typeof d === 'object' && d !== null && typeof (d as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}

function isIterable(d: unknown): d is Iterable<RecordBatch> {
  return typeof d === 'object' && d !== null && typeof (d as Iterable<unknown>)[Symbol.iterator] === 'function';
}

function notABatch(v: unknown): DeltaError {
  return new DeltaError('INVALID_ARGUMENT', `The data stream yielded ${typeof v === 'object' ? 'an object' : typeof v} that is not an Arrow RecordBatch. Yield apache-arrow RecordBatch objects (from the same apache-arrow copy as this library).`);
}
