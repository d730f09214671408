/**
 * Parquet input: the file's record batches as decoded, in file order. The parquet handler reads
 * the file whole (then decodes batch by batch), so memory grows with the file's compressed size.
 */
import { createParquetHandler } from '../parquet/parquet-wasm-handler.js';
import { arrowToDeltaSchema } from '../schema/arrow.js';
import { type ObjectStore } from '../storage/object-store.js';
import type { RecordBatch } from 'apache-arrow';
import type { InputSource } from './source.js';
import type { ReadProgress } from './text-source.js';

/** A parquet file read through `store`. */
export function parquetSource(store: ObjectStore, path: string): InputSource {
  const handler = createParquetHandler(store, { workers: 0 });
  const progress: ReadProgress = { bytesRead: 0, totalBytes: 0 };
  return {
    path,
    format: 'parquet',
    progress,
    async schema(signal) {
      return arrowToDeltaSchema(await handler.readSchema({ path }, signal ? { signal } : {}));
    },
    async *batches(_schema, signal): AsyncGenerator<RecordBatch> {
      // No byte progress: the handler reads the file whole before the first batch.
      yield* handler.readBatches({ path }, signal ? { signal } : {});
    },
    close: () => handler.close(),
  };
}
