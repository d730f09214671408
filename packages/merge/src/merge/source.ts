/**
 * The MERGE source: read once, conformed to its canonical Arrow shape, and held in memory as one
 * batch (the build side of the hash join; Spark likewise materializes the source so that both of
 * its passes see the same rows). Its memory (Arrow data plus the join index's share per row) is
 * bounded by `maxSourceBytes`: a larger source fails with LIMIT_EXCEEDED as soon as the bound is
 * crossed while reading it, before the join allocates anything. While the batches are assembled
 * into one, the source briefly takes twice its Arrow size.
 */
import { RecordBatch, Table } from 'apache-arrow';
import { DeltaError, throwIfAborted, type StructType } from '@deltakit/core';
import { conformBatch, normalizeInput } from '@deltakit/core/internal';
import { concatBatches } from './concat.js';

/** What MERGE accepts as its source. */
export type MergeSource = Table | readonly RecordBatch[] | Iterable<RecordBatch> | AsyncIterable<RecordBatch>;

/**
 * Memory the join needs per source row beyond its Arrow data, measured (bench/merge.mjs
 * `--source-memory`): the hash index (open-addressing slots at load factor ≤ 0.5, row chains, a
 * Bloom filter) and the per-row bookkeeping, about 64 bytes for a single long key.
 */
export const JOIN_BYTES_PER_SOURCE_ROW = 64;

/**
 * Default bound on the memory the source takes: its Arrow data plus
 * {@link JOIN_BYTES_PER_SOURCE_ROW} per row. 1 GiB admits about 10M rows of a source of four
 * columns (id, double, short string, timestamp: 33 Arrow bytes per row).
 */
export const DEFAULT_MAX_SOURCE_BYTES = 1024 * 1024 * 1024;

export interface LoadedSource {
  readonly schema: StructType;
  readonly batch: RecordBatch;
  readonly numRows: number;
  /** Arrow bytes of the source as held. */
  readonly bytes: number;
}

export async function loadSource(input: MergeSource, options: { maxSourceBytes: number; signal?: AbortSignal }): Promise<LoadedSource> {
  const normalized = await normalizeInput(Array.isArray(input) ? (input as readonly RecordBatch[]) : (input as Table | Iterable<RecordBatch> | AsyncIterable<RecordBatch>));
  const schema = normalized.schema;
  if (schema === undefined) {
    throw new DeltaError('INVALID_ARGUMENT', 'The MERGE source is an empty stream of record batches, so it has no schema to resolve the merge condition against. Pass an Arrow Table (an empty one is fine) or at least one (possibly empty) RecordBatch.');
  }
  const batches: RecordBatch[] = [];
  let bytes = 0;
  let rows = 0;
  for await (const b of normalized.batches) {
    throwIfAborted(options.signal);
    const c = conformBatch(b, schema, { columnMapping: 'none', subMicrosecond: 'error' });
    bytes += c.data.byteLength;
    rows += c.numRows;
    if (bytes + rows * JOIN_BYTES_PER_SOURCE_ROW > options.maxSourceBytes) throw tooLarge(bytes, rows, options.maxSourceBytes);
    batches.push(c);
  }
  // With no batch at all, conforming an empty batch gives the schema's shape with zero rows.
  const batch = batches.length === 0 ? conformBatch(new RecordBatch({}), schema, { columnMapping: 'none' }) : concatBatches(batches[0]!.schema, batches);
  return { schema, batch, numRows: batch.numRows, bytes };
}

function tooLarge(bytes: number, rows: number, limit: number): DeltaError {
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
  return new DeltaError(
    'LIMIT_EXCEEDED',
    `The MERGE source exceeds maxSourceBytes (${mib(limit)}): the ${rows} rows read so far take ${mib(bytes)} of Arrow memory plus about ${mib(rows * JOIN_BYTES_PER_SOURCE_ROW)} for the join index. MERGE holds its source in memory as the build side of the join; nothing was done. ` +
      'Raise maxSourceBytes if the machine has the memory, or split the source into several MERGE statements on disjoint key ranges.',
    { details: { maxSourceBytes: limit, bytesRead: bytes, rowsRead: rows } },
  );
}
