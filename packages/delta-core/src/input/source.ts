/**
 * Input files for `deltakit write`: JSON lines, CSV (with a header) and parquet, each read as a
 * stream of record batches with bounded memory. Text inputs are converted to a given Delta schema
 * (the table's, or the one inferred by a first pass over the file); parquet batches pass through
 * as stored and the write conforms them to the table.
 */
import { DeltaError } from '../errors.js';
import { type StructType } from '../schema/types.js';
import { JsonSyntaxError } from '../util/json.js';
import type { RecordBatch } from 'apache-arrow';
import type { ReadProgress } from './text-source.js';
import { ValueError } from './values.js';

export type InputFormat = 'jsonl' | 'csv' | 'parquet';
export const INPUT_FORMATS: readonly InputFormat[] = ['jsonl', 'csv', 'parquet'];

/** One input file. */
export interface InputSource {
  readonly path: string;
  readonly format: InputFormat;
  /** Bytes read so far in the current pass (text inputs) or of the whole file (parquet). */
  readonly progress: ReadProgress;
  /** The input's own schema: inferred over the whole file for text, from the footer for parquet. */
  schema(signal?: AbortSignal): Promise<StructType>;
  /**
   * The rows as record batches. Text rows are converted to `schema` (missing columns are null;
   * a field the schema lacks is SCHEMA_MISMATCH); parquet ignores it.
   */
  batches(schema: StructType, signal?: AbortSignal): AsyncIterable<RecordBatch>;
  /** Releases resources (parquet decoding). */
  close(): Promise<void>;
}

/** Rows per record batch built from text input. */
export const BATCH_ROWS = 16_384;
/** Characters of input text per batch at most, so very wide rows still make small batches. */
export const BATCH_CHARS = 8 << 20;

/** The format named by the file's extension, or undefined. */
export function formatFromPath(path: string): InputFormat | undefined {
  const ext = /\.([a-z0-9]+)(?:\.gz)?$/i.exec(path)?.[1]?.toLowerCase();
  if (ext === 'jsonl' || ext === 'ndjson' || ext === 'json') return 'jsonl';
  if (ext === 'csv') return 'csv';
  if (ext === 'parquet' || ext === 'parq') return 'parquet';
  return undefined;
}

/** The error for bad input at `line` of `path` (PARSE_ERROR for syntax, the value's code otherwise). */
export function inputError(path: string, line: number, e: unknown): DeltaError {
  if (e instanceof JsonSyntaxError) {
    return new DeltaError('PARSE_ERROR', `${path} line ${line}: malformed JSON at character ${e.offset + 1}: ${e.reason}; nothing was written. Each line must be one complete JSON object; fix or remove the line.`, {
      cause: e,
      details: { path, line },
    });
  }
  if (e instanceof ValueError) {
    return new DeltaError(e.code, `${path} line ${line}: ${e.message}; nothing was written. ${e.fix}`, { cause: e, details: { path, line } });
  }
  return e instanceof DeltaError ? e : new DeltaError('INTERNAL', `${path} line ${line}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
}

/** A PARSE_ERROR at `line` of `path` with the given problem and fix. */
export function parseError(path: string, line: number, problem: string, fix: string): DeltaError {
  return new DeltaError('PARSE_ERROR', `${path} line ${line}: ${problem}; nothing was written. ${fix}`, { details: { path, line } });
}
