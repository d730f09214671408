/** Opening an input file by format. */
import { DeltaError, type ObjectStore } from '@deltakit/core';
import { csvSource } from './csv.js';
import { jsonLinesSource } from './jsonl.js';
import { parquetSource } from './parquet.js';
import { formatFromPath, type InputFormat, type InputSource } from './source.js';

/**
 * The input at `path`, in `format` or the one its extension names (.jsonl/.ndjson/.json, .csv,
 * .parquet). Throws INVALID_ARGUMENT when neither gives a format.
 */
export function openInput(store: ObjectStore, path: string, format?: InputFormat): InputSource {
  const f = format ?? formatFromPath(path);
  switch (f) {
    case 'jsonl':
      return jsonLinesSource(store, path);
    case 'csv':
      return csvSource(store, path);
    case 'parquet':
      return parquetSource(store, path);
    case undefined:
      throw new DeltaError('INVALID_ARGUMENT', `Cannot tell the format of ${path} from its extension. Name it .jsonl, .csv or .parquet, or pass --input-format jsonl|csv|parquet.`);
  }
}
