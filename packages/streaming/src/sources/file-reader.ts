/**
 * Reading one input file of a file source into Arrow batches in the relation's schema: the data
 * columns (parsed from JSON lines, CSV, text lines or parquet), then the Hive partition columns
 * (from the file's folders), then the rescued-data column when there is one, then the hidden
 * `_metadata` struct (`file_path`, `file_name`, `file_size`, `file_modification_time`).
 *
 * Parse modes, as Spark's: `PERMISSIVE` keeps a malformed record as a row of nulls (fields that
 * did parse are kept) with its text in `columnNameOfCorruptRecord` when the schema has that
 * column; `DROPMALFORMED` drops it; `FAILFAST` fails with MALFORMED_RECORD naming file and line.
 * With a rescued-data column (Auto Loader's `_rescued_data`) values that do not fit the schema
 * (type mismatches, fields whose name differs only in case, and, in `rescue` mode, new fields)
 * are kept as JSON text with the file's path under `_file_path`, and the record is not malformed.
 */
import { DeltaError, jsonKeys, parseJsonExact, stringifyJsonExact, struct, type DataType, type Engine, type StructField, type StructType } from '@deltakit/core';
import { conformBatch, convertJson, convertText, csvRecords, isJsonObject, JSON_LINE, readTextChunks, rowsToBatch, setField, splitLines, ValueError, createParquetHandler } from '@deltakit/core/internal';
import { Data, RecordBatch, Struct } from 'apache-arrow';
import { deltaToArrowSchema } from '@deltakit/core';
import { partitionValues } from './file-listing.js';

export type FileFormat = 'json' | 'csv' | 'text' | 'parquet';
export type ParseMode = 'PERMISSIVE' | 'DROPMALFORMED' | 'FAILFAST';

const STRING: DataType = { kind: 'primitive', name: 'string' };
const field = (name: string, type: DataType): StructField => ({ name, type, nullable: true, metadata: {} });

/** The hidden `_metadata` column of file sources, as Spark's file metadata struct. */
export const METADATA_FIELD: StructField = field(
  '_metadata',
  struct([field('file_path', STRING), field('file_name', STRING), field('file_size', { kind: 'primitive', name: 'long' }), field('file_modification_time', { kind: 'primitive', name: 'timestamp' })]),
);

export interface ReaderSpec {
  readonly format: FileFormat;
  /** Columns parsed from the file's content (without the partition, corrupt-record and rescue columns). */
  readonly dataSchema: StructType;
  /** Columns taken from the file's folders. */
  readonly partitionSchema: StructType;
  /** `rootPrefix` of the source (with a trailing slash), for partition folders. */
  readonly rootPrefix: string;
  readonly mode: ParseMode;
  /** Spark's `columnNameOfCorruptRecord`, when it is a (string) column of the relation. */
  readonly corruptColumn?: string;
  /** Auto Loader's rescued-data column, when the relation has one. */
  readonly rescueColumn?: string;
  /** Rescue fields that are not columns (Auto Loader's `rescue` mode); otherwise they are ignored. */
  readonly rescueNewFields: boolean;
  /** CSV: the first line names the columns (Spark's `header`, default false). */
  readonly csvHeader: boolean;
  /** The visible columns in the relation's order (rows are keyed by name); default: the order above. */
  readonly visibleOrder?: StructType;
  /** Called with each field name that is not a column (any case), for schema evolution. */
  readonly onUnknownField?: (name: string) => void;
}

/** The relation schema a reader produces: data, partition, corrupt-record, rescue, then `_metadata`. */
export function outputSchema(spec: ReaderSpec): StructType {
  if (spec.visibleOrder !== undefined && spec.format !== 'parquet') return struct([...spec.visibleOrder.fields, METADATA_FIELD]);
  const fields = [...spec.dataSchema.fields, ...spec.partitionSchema.fields];
  if (spec.corruptColumn !== undefined) fields.push(field(spec.corruptColumn, STRING));
  if (spec.rescueColumn !== undefined) fields.push(field(spec.rescueColumn, STRING));
  return struct([...fields, METADATA_FIELD]);
}

export interface InputFile {
  readonly path: string;
  readonly size: number;
  readonly mtime: number;
}

/** Rows per record batch. */
const BATCH_ROWS = 8192;

/** `file:` URI of a store path, as Spark's `_metadata.file_path` and Auto Loader's `_file_path`. */
export function fileUri(path: string): string {
  return `file:${encodeURI(path).replace(/\?/g, '%3F').replace(/#/g, '%23')}`;
}

export async function* readFile(engine: Engine, spec: ReaderSpec, file: InputFile, signal?: AbortSignal): AsyncGenerator<RecordBatch> {
  const schema = outputSchema(spec);
  const arrow = deltaToArrowSchema(schema);
  const extras = extraValues(spec, file);
  if (spec.format === 'parquet') {
    yield* readParquet(engine, spec, file, schema, extras, signal);
    return;
  }
  let rows: Record<string, unknown>[] = [];
  const records = spec.format === 'json' ? jsonRows(engine, spec, file, signal) : spec.format === 'csv' ? csvRows(engine, spec, file, signal) : textRows(engine, file, signal);
  for await (const chunk of records) {
    for (const row of chunk) {
      Object.assign(row, extras);
      rows.push(row);
      if (rows.length >= BATCH_ROWS) {
        yield rowsToBatch(rows, schema, arrow);
        rows = [];
      }
    }
  }
  if (rows.length > 0) yield rowsToBatch(rows, schema, arrow);
}

/** Partition values and `_metadata` of a file, shared by its rows. */
function extraValues(spec: ReaderSpec, file: InputFile): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const values = new Map(partitionValues(file.path, spec.rootPrefix).map(([k, v]) => [k.toLowerCase(), v]));
  for (const f of spec.partitionSchema.fields) {
    const v = values.get(f.name.toLowerCase());
    try {
      out[f.name] = v === undefined || v === null ? null : convertText(v, f.type, f.name);
    } catch (e) {
      throw new DeltaError('SCHEMA_MISMATCH', `The partition folder ${f.name}=${v} of ${file.path} is not a valid ${f.type.kind === 'primitive' ? f.type.name : f.type.kind} value: ${e instanceof Error ? e.message : String(e)}. Fix the folder name, or declare the partition column as a string in the schema.`, { details: { path: file.path } });
    }
  }
  const slash = file.path.lastIndexOf('/');
  out._metadata = { file_path: fileUri(file.path), file_name: file.path.slice(slash + 1), file_size: BigInt(file.size), file_modification_time: BigInt(file.mtime) * 1000n };
  return out;
}

interface Matcher {
  readonly exact: Map<string, StructField>;
  readonly lower: Map<string, StructField>;
}

function matcher(schema: StructType, exclude: readonly (string | undefined)[]): Matcher {
  const fields = schema.fields.filter((f) => !exclude.includes(f.name));
  return { exact: new Map(fields.map((f) => [f.name, f])), lower: new Map(fields.map((f) => [f.name.toLowerCase(), f])) };
}

/** Builds one record's row, tracking rescued values and malformed fields. */
class RecordBuilder {
  row: Record<string, unknown> = {};
  rescued: [string, string][] = [];
  malformed: string | undefined;

  constructor(
    private readonly spec: ReaderSpec,
    private readonly m: Matcher,
    private readonly filePath: string,
  ) {}

  reset(): void {
    this.row = {};
    this.rescued = [];
    this.malformed = undefined;
  }

  /** One input field: `convert` turns the raw value into the column's type; `raw` is its JSON text for rescue. */
  put(name: string, convert: (f: StructField) => unknown, raw: () => string): void {
    const { spec } = this;
    let f = this.m.exact.get(name);
    if (f === undefined) {
      const ci = this.m.lower.get(name.toLowerCase());
      if (ci !== undefined && spec.rescueColumn !== undefined) {
        this.rescued.push([name, raw()]); // case mismatch
        return;
      }
      if (ci === undefined) {
        spec.onUnknownField?.(name);
        if (spec.rescueColumn !== undefined && spec.rescueNewFields) this.rescued.push([name, raw()]);
        return;
      }
      f = ci;
    }
    try {
      setField(this.row, f.name, convert(f));
    } catch (e) {
      if (!(e instanceof ValueError)) throw e;
      if (spec.rescueColumn !== undefined) this.rescued.push([name, raw()]);
      else this.malformed ??= e.message;
    }
  }

  /** The finished row (undefined: dropped), given the record's text and line for errors. */
  finish(text: () => string, line: number): Record<string, unknown> | undefined {
    const { spec } = this;
    if (this.malformed !== undefined) {
      if (spec.mode === 'FAILFAST') throw malformed(this.filePath, line, this.malformed);
      if (spec.mode === 'DROPMALFORMED') return undefined;
      if (spec.corruptColumn !== undefined) this.row[spec.corruptColumn] = text();
    }
    if (spec.rescueColumn !== undefined) {
      this.row[spec.rescueColumn] = this.rescued.length === 0 ? null : `{${[...this.rescued, ['_file_path', JSON.stringify(fileUri(this.filePath))]].map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;
    }
    return this.row;
  }

  /** A record that could not be parsed at all. */
  corrupt(text: string, line: number, why: string): Record<string, unknown> | undefined {
    const { spec } = this;
    if (spec.mode === 'FAILFAST') throw malformed(this.filePath, line, why);
    if (spec.mode === 'DROPMALFORMED') return undefined;
    const row: Record<string, unknown> = {};
    if (spec.corruptColumn !== undefined) row[spec.corruptColumn] = text;
    return row;
  }
}

function malformed(path: string, line: number, why: string): DeltaError {
  return new DeltaError(
    'MALFORMED_RECORD',
    `Malformed record in ${path} line ${line}: ${why}. The source reads in FAILFAST mode, so the batch failed. Fix or remove the record, or read with option('mode', 'PERMISSIVE') (malformed records become nulls, with their text in columnNameOfCorruptRecord) or 'DROPMALFORMED'.`,
    { details: { path, line } },
  );
}

async function* jsonRows(engine: Engine, spec: ReaderSpec, file: InputFile, signal?: AbortSignal): AsyncGenerator<Record<string, unknown>[]> {
  const b = new RecordBuilder(spec, matcher(spec.dataSchema, [spec.corruptColumn, spec.rescueColumn]), file.path);
  const progress = { bytesRead: 0, totalBytes: 0 };
  for await (const lines of splitLines(readTextChunks(engine.store, file.path, progress, signal))) {
    const out: Record<string, unknown>[] = [];
    for (const { text, line } of lines) {
      if (text.trim() === '') continue;
      let value: unknown;
      try {
        value = parseJsonExact(text, JSON_LINE);
      } catch (e) {
        const row = b.corrupt(text, line, e instanceof Error ? `malformed JSON (${e.message})` : 'malformed JSON');
        if (row !== undefined) out.push(row);
        continue;
      }
      if (!isJsonObject(value)) {
        const row = b.corrupt(text, line, 'the line is not a JSON object');
        if (row !== undefined) out.push(row);
        continue;
      }
      b.reset();
      for (const key of jsonKeys(value)) {
        const v = value[key];
        b.put(key, (f) => convertJson(v, f.type, f.name), () => stringifyJsonExact(v));
      }
      const row = b.finish(() => text, line);
      if (row !== undefined) out.push(row);
    }
    if (out.length > 0) yield out;
  }
}

async function* csvRows(engine: Engine, spec: ReaderSpec, file: InputFile, signal?: AbortSignal): AsyncGenerator<Record<string, unknown>[]> {
  const m = matcher(spec.dataSchema, [spec.corruptColumn, spec.rescueColumn]);
  const positional = [...m.exact.values()];
  const b = new RecordBuilder(spec, m, file.path);
  let header: string[] | undefined = spec.csvHeader ? undefined : positional.map((f) => f.name);
  const progress = { bytesRead: 0, totalBytes: 0 };
  const cell = (c: string | null, f: StructField): unknown => (c === null || (c === '' && !(f.type.kind === 'primitive' && f.type.name === 'string')) ? null : convertText(c, f.type, f.name));
  try {
    for await (const records of csvRecords(readTextChunks(engine.store, file.path, progress, signal), file.path)) {
      const out: Record<string, unknown>[] = [];
      for (const r of records) {
        if (header === undefined) {
          header = r.fields.map((x, j) => x ?? `_c${j}`);
          continue;
        }
        const text = () => r.fields.map((x) => (x === null ? '' : /[",\n]/.test(x) ? `"${x.replace(/"/g, '""')}"` : x)).join(',');
        b.reset();
        r.fields.forEach((c, j) => {
          const name = header![j];
          if (name === undefined) {
            b.malformed ??= `the record has ${r.fields.length} fields but the ${spec.csvHeader ? 'header' : 'schema'} has ${header!.length}`;
            return;
          }
          b.put(name, (f) => cell(c, f), () => (c === null ? 'null' : JSON.stringify(c)));
        });
        if (r.fields.length < header.length && spec.mode === 'FAILFAST') b.malformed ??= `the record has ${r.fields.length} fields but the ${spec.csvHeader ? 'header' : 'schema'} has ${header.length}`;
        const row = b.finish(text, r.line);
        if (row !== undefined) out.push(row);
      }
      if (out.length > 0) yield out;
    }
  } catch (e) {
    if (e instanceof DeltaError && e.code === 'PARSE_ERROR') {
      throw new DeltaError('MALFORMED_RECORD', `${e.message.replace(/; nothing was written\./, '.')} The file cannot be split into CSV records, in any parse mode.`, { cause: e, details: { path: file.path } });
    }
    throw e;
  }
}

async function* textRows(engine: Engine, file: InputFile, signal?: AbortSignal): AsyncGenerator<Record<string, unknown>[]> {
  const progress = { bytesRead: 0, totalBytes: 0 };
  for await (const lines of splitLines(readTextChunks(engine.store, file.path, progress, signal))) yield lines.map((l) => ({ value: l.text }));
}

async function* readParquet(engine: Engine, spec: ReaderSpec, file: InputFile, schema: StructType, extras: Record<string, unknown>, signal?: AbortSignal): AsyncGenerator<RecordBatch> {
  const handler = createParquetHandler(engine.store, { workers: 0 });
  const data = struct(spec.dataSchema.fields);
  const rest = struct(schema.fields.slice(data.fields.length));
  const restArrow = deltaToArrowSchema(rest);
  const arrow = deltaToArrowSchema(schema);
  try {
    for await (const batch of handler.readBatches({ path: file.path }, signal ? { signal } : {})) {
      const conformed = conformBatch(batch, data, { columnMapping: 'none', filePath: file.path });
      const tail = rowsToBatch(Array.from({ length: batch.numRows }, () => extras), rest, restArrow);
      const children = [...conformed.data.children, ...tail.data.children];
      yield new RecordBatch(arrow, new Data(new Struct(arrow.fields), 0, batch.numRows, 0, undefined, children) as Data<Struct>);
    }
  } finally {
    await handler.close();
  }
}

