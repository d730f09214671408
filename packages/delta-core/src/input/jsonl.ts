/** JSON lines input: one object per line; blank lines are skipped. */
import { DeltaError } from '../errors.js';
import { deltaToArrowSchema } from '../schema/arrow.js';
import { type StructType } from '../schema/types.js';
import { type ObjectStore } from '../storage/object-store.js';
import { parseJsonExact } from '../util/json.js';
import { rowsToBatch } from '../write/rows-to-arrow.js';
import type { RecordBatch } from 'apache-arrow';
import { inferJson, mergeInferred, NULL_TYPE, toDeltaStruct, type Inferred } from './infer.js';
import { BATCH_CHARS, BATCH_ROWS, inputError, parseError, type InputSource } from './source.js';
import { readTextChunks, splitLines, type ReadProgress, type TextLine } from './text-source.js';
import { convertStruct, isJsonObject, JSON_LINE } from './values.js';

/** A JSON lines file read through `store`. */
export function jsonLinesSource(store: ObjectStore, path: string): InputSource {
  const progress: ReadProgress = { bytesRead: 0, totalBytes: 0 };

  /** The objects of the lines each chunk completes (blank lines skipped). */
  async function* objects(signal?: AbortSignal): AsyncGenerator<Array<{ object: Record<string, unknown>; line: TextLine }>> {
    for await (const lines of splitLines(readTextChunks(store, path, progress, signal))) {
      const out: Array<{ object: Record<string, unknown>; line: TextLine }> = [];
      for (const line of lines) {
        if (line.text.trim() === '') continue;
        let value;
        try {
          value = parseJsonExact(line.text, JSON_LINE);
        } catch (e) {
          throw inputError(path, line.line, e);
        }
        if (!isJsonObject(value)) {
          throw parseError(path, line.line, `the line is ${Array.isArray(value) ? 'an array' : 'a JSON scalar'}, not a JSON object`, 'Write one JSON object per line, e.g. {"id": 1, "name": "a"}.');
        }
        out.push({ object: value, line });
      }
      yield out;
    }
  }

  return {
    path,
    format: 'jsonl',
    progress,
    async schema(signal) {
      let row: Inferred = NULL_TYPE;
      let rows = 0;
      for await (const items of objects(signal)) {
        for (const { object } of items) row = mergeInferred(row, inferJson(object));
        rows += items.length;
      }
      if (rows === 0 || row.kind !== 'struct') {
        throw new DeltaError('INVALID_ARGUMENT', `${path} has no rows, so there is no schema to create the table from. Create the table first with 'deltakit create --schema', or write a non-empty input.`, { details: { path } });
      }
      return toDeltaStruct(row.fields);
    },
    async *batches(schema: StructType, signal?: AbortSignal): AsyncGenerator<RecordBatch> {
      const arrowSchema = deltaToArrowSchema(schema);
      let rows: Array<Record<string, unknown>> = [];
      let chars = 0;
      for await (const items of objects(signal)) {
        for (const { object, line } of items) {
          try {
            rows.push(convertStruct(object, schema, ''));
          } catch (e) {
            throw inputError(path, line.line, e);
          }
          chars += line.text.length;
          if (rows.length >= BATCH_ROWS || chars >= BATCH_CHARS) {
            yield rowsToBatch(rows, schema, arrowSchema);
            rows = [];
            chars = 0;
          }
        }
      }
      if (rows.length > 0) yield rowsToBatch(rows, schema, arrowSchema);
    },
    async close() {},
  };
}
