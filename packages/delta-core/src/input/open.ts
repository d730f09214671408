/** Opening an input file by format. */
import { DeltaError, isDeltaError } from '../errors.js';
import { type ObjectStore } from '../storage/object-store.js';
import { csvSource } from './csv.js';
import { jsonLinesSource } from './jsonl.js';
import { parquetSource } from './parquet.js';
import { formatFromPath, type InputFormat, type InputSource } from './source.js';
import { mergeIntoTable } from './infer.js';
import type { StructType } from '../schema/types.js';

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

/**
 * The input at `path`: one file, or every data file of a folder (recursively, in path order,
 * skipping names starting with `_` or `.` as Spark's file sources do). A folder's files all have
 * `format`; its schema is the first file's with the other files' new columns added.
 * Throws FILE_NOT_FOUND when the path holds no data file.
 */
export async function openInputPath(store: ObjectStore, path: string, format: InputFormat, signal?: AbortSignal): Promise<InputSource> {
  const files: string[] = [];
  const dir = path.replace(/\/+$/, '');
  try {
    for await (const meta of store.list(dir, { recursive: true, ...(signal ? { signal } : {}) })) {
      const rel = meta.path.startsWith(dir + '/') ? meta.path.slice(dir.length + 1) : meta.path;
      if (rel.split('/').some((part) => part.startsWith('_') || part.startsWith('.'))) continue;
      files.push(meta.path.startsWith(dir + '/') ? meta.path : `${dir}/${meta.path}`);
    }
  } catch (e) {
    if (isDeltaError(e, 'NOT_A_DIRECTORY')) return openInput(store, dir, format);
    throw e;
  }
  if (files.length === 0) {
    try {
      await store.head(path);
      return openInput(store, path, format);
    } catch (e) {
      throw new DeltaError('FILE_NOT_FOUND', `No ${format} data at ${path}: it is neither a file nor a folder with data files. Check the path.`, { cause: e, details: { path } });
    }
  }
  files.sort();
  const sources = files.map((f) => openInput(store, f, format));
  return combined(path, format, sources);
}

function combined(path: string, format: InputFormat, sources: readonly InputSource[]): InputSource {
  const progress = { bytesRead: 0, totalBytes: 0 };
  return {
    path,
    format,
    progress,
    async schema(signal) {
      let schema: StructType | undefined;
      for (const s of sources) {
        const next = await s.schema(signal);
        schema = schema === undefined ? next : mergeIntoTable(schema, next);
      }
      return schema!;
    },
    async *batches(schema, signal) {
      for (const s of sources) yield* s.batches(schema, signal);
    },
    async close() {
      for (const s of sources) await s.close();
    },
  };
}
