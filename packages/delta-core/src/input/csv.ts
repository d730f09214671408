/**
 * CSV input (RFC 4180): a header record naming the columns, then one record per row; fields
 * separated by `,`, records by LF or CRLF; a field in double quotes may hold commas, line breaks
 * and `""` for a quote. An unquoted empty field is null; a quoted empty field is the empty string
 * in string columns and null in others. Blank lines are skipped.
 */
import { DeltaError } from '../errors.js';
import { deltaToArrowSchema } from '../schema/arrow.js';
import { type DataType, type StructField, type StructType } from '../schema/types.js';
import { type ObjectStore } from '../storage/object-store.js';
import { rowsToBatch } from '../write/rows-to-arrow.js';
import type { RecordBatch } from 'apache-arrow';
import { inferCell, mergeInferred, NULL_TYPE, toDeltaType, type Inferred } from './infer.js';
import { BATCH_CHARS, BATCH_ROWS, inputError, parseError, type InputSource } from './source.js';
import { readTextChunks, type ReadProgress } from './text-source.js';
import { convertText, fieldIndex, setField, ValueError } from './values.js';

/** One CSV record: its fields (null for an unquoted empty field) and the line it starts on. */
export interface CsvRecord {
  readonly fields: (string | null)[];
  readonly line: number;
  /** Characters the record spans, for batch sizing. */
  readonly chars: number;
}

/**
 * Splits chunked CSV text into records, yielded as the records each chunk completes (batched to
 * keep per-record async overhead off the hot path). Throws PARSE_ERROR naming `path` and the line for a quote
 * inside an unquoted field, text after a closing quote, or a quote left open at the end.
 */
export async function* csvRecords(chunks: AsyncIterable<string>, path: string): AsyncGenerator<CsvRecord[]> {
  let fields: (string | null)[] = [];
  let field = '';
  let quoted = false; // the current field started with a quote
  let inQuotes = false; // inside the quotes of the current field
  let quotePending = false; // saw a quote inside quotes: either an escaped quote or the closing one
  let closed = false; // the quoted field's closing quote was seen
  let line = 1;
  let recordLine = 1;
  let chars = 0;
  const fail = (problem: string): DeltaError =>
    parseError(path, line, problem, 'Quote fields containing commas, quotes or line breaks with double quotes, and double any quote inside them ("say ""hi""").');
  const endField = (): void => {
    fields.push(quoted ? field : field === '' ? null : field);
    field = '';
    quoted = closed = false;
  };

  for await (const chunk of chunks) {
    const out: CsvRecord[] = [];
    chars += chunk.length;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (quotePending) {
        quotePending = false;
        if (c === 34) {
          field += '"';
          continue;
        }
        inQuotes = false;
        closed = true;
      }
      if (inQuotes) {
        if (c === 34) {
          quotePending = true;
          continue;
        }
        // Copy the run up to the next quote in one slice.
        const q = chunk.indexOf('"', i);
        const end = q < 0 ? chunk.length : q;
        const run = chunk.slice(i, end);
        for (let k = run.indexOf('\n'); k >= 0; k = run.indexOf('\n', k + 1)) line++;
        field += run;
        i = end - 1;
        continue;
      }
      if (c === 44) {
        endField();
      } else if (c === 10) {
        endField();
        if (!(fields.length === 1 && fields[0] === null)) out.push({ fields, line: recordLine, chars });
        fields = [];
        chars = 0;
        line++;
        recordLine = line;
      } else if (c === 13) {
        // CR is part of a CRLF line break; a bare CR outside quotes is dropped too.
      } else if (c === 34) {
        if (closed) throw fail('a quote follows the closing quote of a field');
        if (field !== '' || quoted) throw fail('a quote appears inside an unquoted field');
        quoted = inQuotes = true;
      } else {
        if (closed) throw fail(`the character '${chunk[i]}' follows the closing quote of a field`);
        let end = i + 1;
        while (end < chunk.length) {
          const d = chunk.charCodeAt(end);
          if (d === 44 || d === 10 || d === 13 || d === 34) break;
          end++;
        }
        field += chunk.slice(i, end);
        i = end - 1;
      }
    }
    if (out.length > 0) yield out;
  }
  if (quotePending) inQuotes = false; // the field's closing quote ended the file
  if (inQuotes) throw parseError(path, recordLine, 'a quoted field starting on this line is never closed', 'Close the quote, and double any quote inside the field.');
  if (field !== '' || quoted || fields.length > 0) {
    endField();
    if (!(fields.length === 1 && fields[0] === null)) yield [{ fields, line: recordLine, chars }];
  }
}

/** A CSV file with a header, read through `store`. */
export function csvSource(store: ObjectStore, path: string): InputSource {
  const progress: ReadProgress = { bytesRead: 0, totalBytes: 0 };

  /** The header names, checked; then the data records, each with the header's field count. */
  async function* withHeader(signal: AbortSignal | undefined, onHeader: (names: string[]) => void): AsyncGenerator<CsvRecord[]> {
    let header: string[] | undefined;
    for await (const records of csvRecords(readTextChunks(store, path, progress, signal), path)) {
      let from = 0;
      if (header === undefined) {
        header = headerNames(records[0]!, path);
        onHeader(header);
        from = 1;
      }
      for (let i = from; i < records.length; i++) {
        const r = records[i]!;
        if (r.fields.length !== header.length) {
          throw parseError(path, r.line, `the record has ${r.fields.length} field${r.fields.length === 1 ? '' : 's'} but the header has ${header.length}`, 'Give every record one field per header column (quote fields that contain commas).');
        }
      }
      yield from === 0 ? records : records.slice(from);
    }
    if (header === undefined) throw new DeltaError('INVALID_ARGUMENT', `${path} is empty: a CSV input needs a header line naming the columns. Add the header, or write a non-empty input.`, { details: { path } });
  }

  return {
    path,
    format: 'csv',
    progress,
    async schema(signal) {
      let names: string[] = [];
      let types: Inferred[] = [];
      const rows = withHeader(signal, (h) => {
        names = h;
        types = h.map(() => NULL_TYPE);
      });
      for await (const records of rows) {
        for (const r of records) r.fields.forEach((cell, j) => (types[j] = mergeInferred(types[j]!, inferCell(cell))));
      }
      return { kind: 'struct', fields: names.map((name, j) => ({ name, type: toDeltaType(types[j]!), nullable: true, metadata: {} })) };
    },
    async *batches(schema: StructType, signal?: AbortSignal): AsyncGenerator<RecordBatch> {
      const arrowSchema = deltaToArrowSchema(schema);
      let targets: StructField[] = [];
      const rows = withHeader(signal, (h) => {
        targets = h.map((name) => {
          const k = fieldIndex(schema, name);
          if (k < 0) {
            throw inputError(path, 1, new ValueError('SCHEMA_MISMATCH', `column "${name}" is not a column of the table (columns: ${schema.fields.map((f) => f.name).join(', ')})`, 'Pass --merge-schema to add the column, or drop it from the input.'));
          }
          return schema.fields[k]!;
        });
      });
      let batch: Array<Record<string, unknown>> = [];
      let chars = 0;
      for await (const records of rows) {
        for (const r of records) {
          const row: Record<string, unknown> = {};
          try {
            r.fields.forEach((cell, j) => {
              const f = targets[j]!;
              setField(row, f.name, cellValue(cell, f.type, f.name));
            });
          } catch (e) {
            throw inputError(path, r.line, e);
          }
          batch.push(row);
          chars += r.chars;
          if (batch.length >= BATCH_ROWS || chars >= BATCH_CHARS) {
            yield rowsToBatch(batch, schema, arrowSchema);
            batch = [];
            chars = 0;
          }
        }
      }
      if (batch.length > 0) yield rowsToBatch(batch, schema, arrowSchema);
    },
    async close() {},
  };
}

function cellValue(cell: string | null, type: DataType, name: string): unknown {
  if (cell === null) return null;
  if (cell === '' && !(type.kind === 'primitive' && type.name === 'string')) return null;
  return convertText(cell, type, name);
}

function headerNames(r: CsvRecord, path: string): string[] {
  const seen = new Map<string, number>();
  return r.fields.map((name, j) => {
    if (name === null || name.trim() === '') throw parseError(path, r.line, `header column ${j + 1} has no name`, 'Name every column in the header line.');
    const previous = seen.get(name.toLowerCase());
    if (previous !== undefined) throw parseError(path, r.line, `header columns ${previous + 1} and ${j + 1} are both named "${name}" (names are case-insensitive)`, 'Give every column a distinct name.');
    seen.set(name.toLowerCase(), j);
    return name;
  });
}
