import type { RecordBatch, Schema, Table } from 'apache-arrow';

/** A parquet file to read, addressed in the engine's object store. */
export interface ParquetFileRef {
  /** Absolute store path. */
  readonly path: string;
  /** Size in bytes when known (from the log); saves a head request. */
  readonly size?: number;
}

export interface ParquetReadOptions {
  /**
   * Top-level column names (as stored in the file) to read; all when absent. Names missing from a
   * file are skipped, not an error: schema evolution means old files lack new columns.
   */
  readonly columns?: readonly string[];
  /**
   * Nested fields to read, each a path from a top-level column (`['add', 'path']`); replaces
   * `columns` when given. The top-level columns of these paths come back pruned to the listed
   * fields where the handler can prune (it may return more fields of a struct than asked, never
   * fewer of those the file has). Paths the file lacks are skipped, as with `columns`.
   * A field null on every row may come back as an Arrow `Null` column instead of its type, and
   * the rows of a file may come in more batches than with `columns` (still in file order): this
   * is the projection for Delta checkpoints, read through log/arrow-columns.ts, which treats both
   * alike.
   */
  readonly fieldPaths?: readonly (readonly string[])[];
  /** Rows per batch; the handler picks a large default (small batches halve throughput). */
  readonly batchSize?: number;
  readonly signal?: AbortSignal;
}

export interface ParquetWriteOptions {
  readonly compression?: 'snappy' | 'zstd' | 'uncompressed';
  /** Maximum rows per row group. */
  readonly rowGroupSize?: number;
}

/**
 * Reads and writes parquet through the engine's store. Contract on what comes out:
 * - INT96 timestamps arrive as `Timestamp<MICROSECOND, "UTC">` with exact values for every year
 *   0001-9999; other timestamp units are left as stored.
 * - Arrow field metadata carries `PARQUET:field_id` where the file has field ids.
 * - A file that cannot be decoded throws DeltaError CORRUPT_DATA_FILE naming the path; a missing
 *   file throws FILE_NOT_FOUND.
 */
export interface ParquetHandler {
  /** The Arrow schema of a file, from its footer. */
  readSchema(file: ParquetFileRef, options?: { signal?: AbortSignal }): Promise<Schema>;
  /** One file's rows as record batches, in file order. */
  readBatches(file: ParquetFileRef, options?: ParquetReadOptions): AsyncIterable<RecordBatch>;
  /**
   * Many files, decoded in parallel where the handler can (worker threads), yielded in the order
   * given: every batch of `files[0]`, then of `files[1]`, and so on.
   */
  readFiles(files: readonly ParquetFileRef[], options?: ParquetReadOptions): AsyncIterable<{ fileIndex: number; batch: RecordBatch }>;
  /** Encodes an Arrow table as parquet bytes. Field metadata `PARQUET:field_id` becomes parquet field ids. */
  writeTable(table: Table, options?: ParquetWriteOptions): Promise<Uint8Array>;
  /** How many `writeTable` calls a writer should keep in flight to use every core (default 1). */
  readonly encodeParallelism?: number;
  /**
   * Starts the worker threads that `readFiles`/`writeTable` will use, so their start-up (thread,
   * modules, wasm compilation) overlaps the caller's own work before its first read. Optional: a
   * handler without workers omits it; idle workers never keep the process alive.
   */
  prewarm?(): void;
  /** Releases worker threads. Idempotent. */
  close(): Promise<void>;
}
