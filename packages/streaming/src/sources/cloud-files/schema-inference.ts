/**
 * Schema inference for file sources, as Auto Loader does it: over a sample of the files (the
 * first 1000 files or 50 GB, whichever comes first, oldest first), JSON objects and CSV cells
 * typed by core's inference (long, double, boolean, string, struct, array; fields in order of
 * first appearance), or, with `cloudFiles.inferColumnTypes` off (its default), every JSON and
 * CSV leaf a string (structs and arrays keep their shape). Parquet uses its footer types; text
 * is `value STRING`. Then `cloudFiles.schemaHints` override types and add columns.
 */
import { DeltaError, parseDdlSchema, parseJsonExact, struct, type DataType, type Engine, type StructField, type StructType } from '@deltakit/core';
import { csvRecords, inferCell, inferJson, isJsonObject, JSON_LINE, mergeInferred, mergeIntoTable, NULL_TYPE, openInput, readTextChunks, splitLines, toDeltaStruct, type Inferred } from '@deltakit/core/internal';
import type { FileFormat } from '../file-reader.js';
import type { ListedFile } from '../file-listing.js';

export const SAMPLE_FILES = 1000;
export const SAMPLE_BYTES = 50 * 1024 ** 3;

export interface InferOptions {
  readonly inferTypes: boolean;
  readonly csvHeader: boolean;
  readonly signal?: AbortSignal;
}

/** The data schema of `files` (a sample is taken); undefined when they hold no record at all. */
export async function inferFileSchema(engine: Engine, files: readonly ListedFile[], format: FileFormat, options: InferOptions): Promise<StructType | undefined> {
  if (format === 'text') return struct([{ name: 'value', type: { kind: 'primitive', name: 'string' }, nullable: true, metadata: {} }]);
  const sample: ListedFile[] = [];
  let bytes = 0;
  for (const f of [...files].sort((a, b) => a.mtime - b.mtime || (a.path < b.path ? -1 : 1))) {
    if (sample.length >= SAMPLE_FILES || bytes >= SAMPLE_BYTES) break;
    sample.push(f);
    bytes += f.size;
  }
  if (format === 'parquet') {
    let schema: StructType | undefined;
    for (const f of sample) {
      const input = openInput(engine.store, f.path, 'parquet');
      try {
        const s = await input.schema(options.signal);
        schema = schema === undefined ? s : mergeIntoTable(schema, s);
      } finally {
        await input.close();
      }
    }
    return schema;
  }
  let row: Inferred = NULL_TYPE;
  let seen = false;
  for (const f of sample) {
    const progress = { bytesRead: 0, totalBytes: 0 };
    const chunks = readTextChunks(engine.store, f.path, progress, options.signal);
    if (format === 'json') {
      for await (const lines of splitLines(chunks)) {
        for (const { text } of lines) {
          if (text.trim() === '') continue;
          let v: unknown;
          try {
            v = parseJsonExact(text, JSON_LINE);
          } catch {
            continue; // malformed lines do not shape the schema
          }
          if (!isJsonObject(v)) continue;
          seen = true;
          row = mergeInferred(row, inferJson(v));
        }
      }
    } else {
      let header: string[] | undefined;
      for await (const records of csvRecords(chunks, f.path)) {
        for (const r of records) {
          if (header === undefined && options.csvHeader) {
            header = r.fields.map((x, j) => x ?? `_c${j}`);
            continue;
          }
          const names = header ?? r.fields.map((_, j) => `_c${j}`);
          const fields = new Map<string, Inferred>();
          names.forEach((n, j) => fields.set(n, inferCell(r.fields[j] ?? null)));
          seen = true;
          row = mergeInferred(row, { kind: 'struct', fields });
        }
      }
    }
  }
  if (!seen || row.kind !== 'struct') return undefined;
  const schema = toDeltaStruct(row.fields);
  return options.inferTypes ? schema : allStrings(schema);
}

/** Every leaf a string; structs and arrays keep their shape (Auto Loader without inferColumnTypes). */
function allStrings(schema: StructType): StructType {
  const leaf = (t: DataType): DataType => {
    if (t.kind === 'struct') return allStrings(t);
    if (t.kind === 'array') return { ...t, elementType: leaf(t.elementType) };
    if (t.kind === 'map') return { ...t, valueType: leaf(t.valueType) };
    return { kind: 'primitive', name: 'string' };
  };
  return struct(schema.fields.map((f) => ({ ...f, type: leaf(f.type) })));
}

/**
 * `schema` with `cloudFiles.schemaHints` applied: a hinted column takes the hint's type (names
 * match case-insensitively); a hinted column the data lacks is added at the end.
 */
export function applyHints(schema: StructType, hints: string | undefined): StructType {
  if (hints === undefined || hints.trim() === '') return schema;
  let parsed: StructType;
  try {
    parsed = parseDdlSchema(hints);
  } catch (e) {
    throw new DeltaError('INVALID_ARGUMENT', `cloudFiles.schemaHints '${hints}' is not a list of columns with types: ${e instanceof Error ? e.message : String(e)}. Write it as DDL, e.g. 'order_time TIMESTAMP, amount DECIMAL(10,2)'.`, { cause: e, details: { option: 'cloudFiles.schemaHints' } });
  }
  const fields: StructField[] = schema.fields.map((f) => {
    const h = parsed.fields.find((x) => x.name.toLowerCase() === f.name.toLowerCase());
    return h === undefined ? f : { ...f, type: h.type };
  });
  for (const h of parsed.fields) if (!fields.some((f) => f.name.toLowerCase() === h.name.toLowerCase())) fields.push({ ...h, nullable: true });
  return struct(fields);
}

/** Field names of `schema`, lower-cased. */
export function lowerNames(schema: StructType): Set<string> {
  return new Set(schema.fields.map((f) => f.name.toLowerCase()));
}

