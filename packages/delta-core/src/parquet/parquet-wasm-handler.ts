/**
 * The ParquetHandler implementation over parquet-wasm. Bytes always come through the engine's
 * ObjectStore; decoding happens in this thread (`readSchema`, `readBatches`) or in a pool of
 * worker threads (`readFiles`).
 */
import { tableToIPC, type RecordBatch, type Schema, type Table } from 'apache-arrow';
import { availableParallelism } from 'node:os';
import { throwIfAborted, wrapEngineError } from '../errors.js';
import type { ObjectStore } from '../storage/object-store.js';
import { decodeInThread, decodeSchema } from './decode.js';
import { encodeTable } from './encode.js';
import type { ParquetFileRef, ParquetHandler, ParquetReadOptions, ParquetWriteOptions } from './handler.js';
import { decodeProjectedJs } from './projected-js.js';
import { WorkerPool } from './worker-pool.js';

/** Below this many rows, shipping a table to a worker costs more than encoding it here. */
const WORKER_ENCODE_MIN_ROWS = 50_000;

export interface ParquetHandlerOptions {
  /**
   * Worker threads for `readFiles`; default min(2, CPUs). 0 decodes every file in this thread.
   * Workers load the built `dist/parquet/decode-worker.js` (see worker-pool.ts).
   */
  readonly workers?: number;
  /**
   * Decode `fieldPaths` reads (checkpoints) on the calling thread with the pure-JS decoder of
   * projected-js.ts, which reads only the wanted leaf columns and skips those the footer proves
   * all-null; files it does not support go to parquet-wasm as before. Default true; false always
   * uses parquet-wasm (tests compare the two).
   */
  readonly jsProjection?: boolean;
}

/** Creates the parquet-wasm handler reading and writing through `store`. */
export function createParquetHandler(store: ObjectStore, options: ParquetHandlerOptions = {}): ParquetHandler {
  return new ParquetWasmHandler(store, options.workers ?? Math.min(2, availableParallelism()), options.jsProjection ?? true);
}

async function readBytes(store: ObjectStore, file: ParquetFileRef, signal: AbortSignal | undefined): Promise<Uint8Array> {
  throwIfAborted(signal);
  try {
    return await store.get(file.path, signal ? { signal } : undefined);
  } catch (e) {
    throw wrapEngineError('Reading parquet file', file.path, e);
  }
}

class ParquetWasmHandler implements ParquetHandler {
  #pool: WorkerPool | undefined;

  constructor(
    private readonly store: ObjectStore,
    private readonly workers: number,
    private readonly jsProjection: boolean,
  ) {}

  async readSchema(file: ParquetFileRef, options: { signal?: AbortSignal } = {}): Promise<Schema> {
    const bytes = await readBytes(this.store, file, options.signal);
    return decodeSchema(bytes, file.path);
  }

  async *readBatches(file: ParquetFileRef, options: ParquetReadOptions = {}): AsyncIterable<RecordBatch> {
    const bytes = await readBytes(this.store, file, options.signal);
    for await (const batch of decodeInThread(bytes, file.path, options)) {
      throwIfAborted(options.signal);
      yield batch;
    }
  }

  async *readFiles(files: readonly ParquetFileRef[], options: ParquetReadOptions = {}): AsyncIterable<{ fileIndex: number; batch: RecordBatch }> {
    if (options.fieldPaths !== undefined && this.jsProjection) {
      for (let i = 0; i < files.length; i++) {
        const bytes = await readBytes(this.store, files[i]!, options.signal);
        for await (const batch of this.#readProjected(files[i]!, bytes, options)) yield { fileIndex: i, batch };
      }
      return;
    }
    if (this.workers <= 0 || files.length === 0) {
      for (let i = 0; i < files.length; i++) {
        for await (const batch of this.readBatches(files[i]!, options)) yield { fileIndex: i, batch };
      }
      return;
    }
    this.#pool ??= new WorkerPool(this.workers);
    yield* this.#pool.readFiles(files, options, (file, signal) => readBytes(this.store, file, signal));
  }

  /**
   * One file's `fieldPaths` with the JS decoder, or with parquet-wasm (on a worker when there are
   * workers) when the JS decoder fails for any reason: an unsupported layout, or corrupt bytes,
   * which parquet-wasm then reports as CORRUPT_DATA_FILE.
   */
  async *#readProjected(file: ParquetFileRef, bytes: Uint8Array, options: ParquetReadOptions): AsyncIterable<RecordBatch> {
    let batches: RecordBatch[] | undefined;
    try {
      batches = decodeProjectedJs(bytes, options.fieldPaths!);
    } catch {
      batches = undefined;
    }
    if (batches !== undefined) {
      yield* batches;
      return;
    }
    if (this.workers <= 0) {
      yield* decodeInThread(bytes, file.path, options);
      return;
    }
    this.#pool ??= new WorkerPool(this.workers);
    for await (const item of this.#pool.readFiles([file], options, () => Promise.resolve(bytes))) yield item.batch;
  }

  /**
   * Small tables encode in this thread; larger ones go to a worker so a writer that keeps
   * several encodes in flight uses every core.
   */
  async writeTable(table: Table, options?: ParquetWriteOptions): Promise<Uint8Array> {
    if (this.workers === 0 || table.numRows < WORKER_ENCODE_MIN_ROWS) return encodeTable(table, options);
    this.#pool ??= new WorkerPool(this.workers);
    return this.#pool.encode(tableToIPC(table, 'stream'), options ?? {});
  }

  /** How many encodes a writer should keep in flight to use this handler fully. */
  get encodeParallelism(): number {
    return Math.max(1, this.workers);
  }

  prewarm(): void {
    if (this.workers <= 0) return;
    (this.#pool ??= new WorkerPool(this.workers)).prewarm();
  }

  async close(): Promise<void> {
    const pool = this.#pool;
    this.#pool = undefined;
    await pool?.close();
  }
}
