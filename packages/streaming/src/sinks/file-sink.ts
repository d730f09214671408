/**
 * File sinks, Spark's `FileStreamSink`: `writeStream.format('json'|'csv'|'parquet')
 * .option('checkpointLocation', ...).start(path)`. Append output mode only, as Spark's.
 *
 * Each micro-batch writes new files under `path` (Hive-style `col=value/` folders with
 * `partitionBy`, partition columns left out of the files), named as Spark names them
 * (`part-00000-<uuid>.c000.snappy.parquet`, `.json`, `.csv`), then records them in
 * `<path>/_spark_metadata/<batchId>` (see file-sink-log.ts). That record is the commit: readers of
 * the folder list the log, not the folder, so files of a batch that failed or crashed before its
 * record are never seen, and a batch id already in the log is skipped (exactly-once with the
 * engine's replay of an uncommitted batch). A failed batch deletes the files it wrote.
 *
 * Formats:
 * - parquet through the engine's parquet handler (snappy; option `compression`: snappy, zstd,
 *   none/uncompressed).
 * - json: JSON lines as Spark's JSON writer (null fields left out, binary as base64, decimals as
 *   numbers); timestamps are ISO-8601 UTC with microseconds (Spark writes milliseconds with an
 *   offset), so nothing is lost on a round trip.
 * - csv: RFC 4180 quoting (`"` doubled), option `sep` (default `,`), a header row unless
 *   `header` is `false` (Spark's default is no header; deltakit's CSV reader reads a header row,
 *   so it is on by default here). Nulls are empty fields, empty strings `""`. Nested types are
 *   refused, as Spark's CSV writer refuses them.
 *
 * Option `maxRecordsPerFile` (Spark's) caps rows per file; 0 (default) means no cap.
 */
import { randomUUID } from 'node:crypto';
import { DeltaError, type DataType, type StructField, type StructType } from '@deltakit/core';
import { HIVE_DEFAULT_PARTITION, Vec, escapePartitionPathSegment, serializePartitionValue, takeRows, tableRootFromUri } from '@deltakit/core/internal';

type Scalar = Parameters<typeof serializePartitionValue>[0];
import { RecordBatch, Table, type Schema } from 'apache-arrow';
import { batchRows } from '../api/rows.js';
import { option } from '../sources/source.js';
import { registerSink, type SinkSpec } from './create.js';
import { requireSinkPath } from './delta-sink.js';
import { FileStreamSinkLog, addedFile, type SinkFileStatus } from './file-sink-log.js';
import type { MicroBatch, OutputMode, Sink, SinkContext, SinkResult } from './sink.js';

export type FileSinkFormat = 'json' | 'csv' | 'parquet';

export interface FileSinkOptions {
  readonly path: string;
  readonly format: FileSinkFormat;
  readonly partitionBy: readonly string[];
  readonly options: Readonly<Record<string, string>>;
}

/** Arrow bytes buffered for one output folder before a file is written early. */
const FLUSH_BYTES = 64 * 1024 * 1024;

export class FileSink implements Sink {
  readonly description: string;
  readonly outputModes: readonly OutputMode[] = ['append'];
  #log: FileStreamSinkLog | undefined;
  readonly #maxRecords: number;
  readonly #compression: 'snappy' | 'zstd' | 'uncompressed';

  constructor(private readonly options: FileSinkOptions) {
    this.description = `FileSink[${options.path}]`;
    const max = Number(option(options.options, 'maxRecordsPerFile') ?? 0);
    if (!Number.isSafeInteger(max) || max < 0) throw new DeltaError('INVALID_ARGUMENT', `maxRecordsPerFile must be a non-negative integer, got '${option(options.options, 'maxRecordsPerFile')}'.`);
    this.#maxRecords = max;
    const c = (option(options.options, 'compression') ?? 'snappy').toLowerCase();
    if (c !== 'snappy' && c !== 'zstd' && c !== 'none' && c !== 'uncompressed') throw new DeltaError('INVALID_ARGUMENT', `The ${options.format} sink's compression '${c}' is not supported; use snappy, zstd or none.`);
    if (options.format !== 'parquet' && c !== 'snappy' && option(options.options, 'compression') !== undefined) {
      throw new DeltaError('INVALID_ARGUMENT', `The ${options.format} sink writes uncompressed text; remove the compression option.`);
    }
    this.#compression = c === 'none' ? 'uncompressed' : c;
  }

  #sinkLog(ctx: SinkContext): FileStreamSinkLog {
    this.#log ??= new FileStreamSinkLog(ctx.engine.store, this.options.path);
    return this.#log;
  }

  async addBatch(batch: MicroBatch, ctx: SinkContext): Promise<SinkResult> {
    const log = this.#sinkLog(ctx);
    const latest = await log.latestBatchId();
    if (latest !== undefined && batch.batchId <= latest) {
      ctx.logger.info({ batchId: batch.batchId, path: this.options.path }, 'Skipping already committed batch');
      return { numOutputRows: 0 };
    }
    const layout = this.#layout(batch.schema);
    const writer = new BatchFiles(ctx, this.options, layout, this.#maxRecords, this.#compression);
    let rows = 0;
    try {
      for await (const b of batch.batches(ctx.signal)) {
        rows += b.numRows;
        await writer.write(b);
      }
      const files = await writer.finish();
      if (!(await log.add(batch.batchId, files))) {
        throw new DeltaError('CONCURRENT_QUERY', `Concurrent update to the file sink log ${log.dir}: batch ${batch.batchId} was committed by another run. Multiple streaming queries are writing to ${this.options.path}; run one query per output folder.`, {
          details: { path: this.options.path, batchId: batch.batchId },
        });
      }
    } catch (e) {
      await writer.abort();
      throw e;
    }
    return { numOutputRows: rows };
  }

  #layout(schema: StructType): Layout {
    const fields = schema.fields;
    const partIdx = this.options.partitionBy.map((c) => {
      const i = fields.findIndex((f) => f.name.toLowerCase() === c.toLowerCase());
      if (i < 0) throw new DeltaError('INVALID_ARGUMENT', `Partition column '${c}' is not a column of the stream (${fields.map((f) => f.name).join(', ')}). Fix partitionBy(...).`, { details: { column: c } });
      const t = fields[i]!.type;
      if (t.kind !== 'primitive' && t.kind !== 'decimal') throw new DeltaError('INVALID_ARGUMENT', `Cannot partition by '${c}': a partition column must have an atomic type, not ${t.kind}.`, { details: { column: c } });
      return i;
    });
    if (partIdx.length > 0 && partIdx.length === fields.length) {
      throw new DeltaError('INVALID_ARGUMENT', `Cannot use all columns (${fields.map((f) => f.name).join(', ')}) as partition columns: the files would have no columns. Partition by fewer columns.`);
    }
    const dataIdx = fields.map((_, i) => i).filter((i) => !partIdx.includes(i));
    const dataSchema: StructType = { kind: 'struct', fields: dataIdx.map((i) => fields[i]!) };
    if (this.options.format === 'csv') {
      for (const f of dataSchema.fields) {
        if (f.type.kind !== 'primitive' && f.type.kind !== 'decimal') throw new DeltaError('UNSUPPORTED_OPERATION', `The CSV sink cannot write column '${f.name}' of type ${f.type.kind}: CSV holds atomic values only. Write it with toJson(...) or use the json or parquet sink.`, { details: { column: f.name } });
      }
    }
    return { partIdx, partFields: partIdx.map((i) => fields[i]!), dataIdx, dataSchema };
  }
}

interface Layout {
  readonly partIdx: readonly number[];
  readonly partFields: readonly StructField[];
  readonly dataIdx: readonly number[];
  readonly dataSchema: StructType;
}

interface FolderBuffer {
  batches: RecordBatch[];
  rows: number;
  bytes: number;
}

/** The files one batch writes: buffered per output folder, then encoded and stored. */
class BatchFiles {
  readonly #uuid = randomUUID();
  readonly #buffers = new Map<string, FolderBuffer>();
  readonly #written: string[] = [];
  readonly #files: SinkFileStatus[] = [];
  #part = 0;

  constructor(
    private readonly ctx: SinkContext,
    private readonly options: FileSinkOptions,
    private readonly layout: Layout,
    private readonly maxRecords: number,
    private readonly compression: 'snappy' | 'zstd' | 'uncompressed',
  ) {}

  async write(batch: RecordBatch): Promise<void> {
    if (batch.numRows === 0) return;
    const data = batch.selectAt([...this.layout.dataIdx]) as RecordBatch;
    for (const [dir, rows] of this.#split(batch)) {
      const part = rows === undefined ? data : takeRows(data, Int32Array.from(rows));
      let rest = part;
      while (rest.numRows > 0) {
        let buf = this.#buffers.get(dir);
        if (buf === undefined) this.#buffers.set(dir, (buf = { batches: [], rows: 0, bytes: 0 }));
        const room = this.maxRecords > 0 ? this.maxRecords - buf.rows : rest.numRows;
        const take = Math.min(room, rest.numRows);
        const piece = take === rest.numRows ? rest : rest.slice(0, take);
        rest = take === rest.numRows ? rest.slice(0, 0) : rest.slice(take);
        buf.batches.push(piece);
        buf.rows += piece.numRows;
        buf.bytes += piece.data.byteLength;
        if ((this.maxRecords > 0 && buf.rows >= this.maxRecords) || buf.bytes >= FLUSH_BYTES) await this.#flush(dir);
      }
    }
  }

  /** Rows of `batch` by partition folder (`undefined` rows: all of them). */
  #split(batch: RecordBatch): Map<string, number[] | undefined> {
    const { partIdx, partFields } = this.layout;
    if (partIdx.length === 0) return new Map([['', undefined]]);
    const vecs = partIdx.map((i, k) => Vec.fromArrow(batch.data.children[i]!, partFields[k]!.type));
    const groups = new Map<string, number[]>();
    for (let r = 0; r < batch.numRows; r++) {
      const dir = partFields.map((f, k) => `${escapePartitionPathSegment(f.name)}=${partitionSegment(vecs[k]!.get(r) as Scalar, f.type)}`).join('/');
      let rows = groups.get(dir);
      if (rows === undefined) groups.set(dir, (rows = []));
      rows.push(r);
    }
    if (groups.size === 1) return new Map([[groups.keys().next().value!, undefined]]);
    return groups;
  }

  async #flush(dir: string): Promise<void> {
    const buf = this.#buffers.get(dir);
    this.#buffers.delete(dir);
    if (buf === undefined || buf.rows === 0) return;
    const { format } = this.options;
    const ext = format === 'parquet' ? (this.compression === 'uncompressed' ? '.parquet' : `.${this.compression}.parquet`) : `.${format}`;
    const name = `part-${String(this.#part++).padStart(5, '0')}-${this.#uuid}.c000${ext}`;
    const root = this.options.path.replace(/\/+$/, '');
    const path = dir === '' ? `${root}/${name}` : `${root}/${dir}/${name}`;
    const bytes = await this.#encode(buf.batches);
    const store = this.ctx.engine.store;
    this.#written.push(path);
    await store.put(path, bytes);
    const meta = await store.head(path);
    this.#files.push(addedFile(path, meta.size, meta.lastModified));
  }

  async #encode(batches: RecordBatch[]): Promise<Uint8Array> {
    const schema = this.layout.dataSchema;
    switch (this.options.format) {
      case 'parquet':
        return this.ctx.engine.parquet.writeTable(new Table(batches[0]!.schema as Schema, batches), { compression: this.compression });
      case 'json': {
        const lines: string[] = [];
        for (const b of batches) for (const row of batchRows(b, schema)) lines.push(jsonRow(row, schema));
        return new TextEncoder().encode(lines.map((l) => l + '\n').join(''));
      }
      case 'csv': {
        const sep = option(this.options.options, 'sep') ?? option(this.options.options, 'delimiter') ?? ',';
        const header = (option(this.options.options, 'header') ?? 'true').toLowerCase() !== 'false';
        const lines: string[] = header ? [schema.fields.map((f) => csvField(f.name, sep)).join(sep)] : [];
        for (const b of batches) {
          for (const row of batchRows(b, schema)) lines.push(schema.fields.map((f) => csvValue(row[f.name], f.type, sep)).join(sep));
        }
        return new TextEncoder().encode(lines.map((l) => l + '\n').join(''));
      }
    }
  }

  /** Writes every buffered row; returns the log entries of every file written. */
  async finish(): Promise<SinkFileStatus[]> {
    for (const dir of [...this.#buffers.keys()]) await this.#flush(dir);
    return this.#files;
  }

  /** Deletes the files written so far (Spark's `abortJob`); best effort. */
  async abort(): Promise<void> {
    for (const path of this.#written) {
      try {
        await this.ctx.engine.store.delete(path);
      } catch (e) {
        this.ctx.logger.warn({ path, err: e }, 'Could not delete a file of a failed batch; readers ignore it (not in _spark_metadata)');
      }
    }
  }
}

/** One partition folder value: the value as text, Hive-escaped; null and '' as `__HIVE_DEFAULT_PARTITION__`. */
function partitionSegment(value: Scalar, type: DataType): string {
  const v = type.kind === 'primitive' && type.name === 'string' && value instanceof Uint8Array ? new TextDecoder().decode(value) : value;
  const text = v === null ? null : serializePartitionValue(v, type);
  return text === null || text === '' ? HIVE_DEFAULT_PARTITION : escapePartitionPathSegment(text);
}

function jsonRow(row: Record<string, unknown>, schema: StructType): string {
  return jsonValue(row, schema);
}

function jsonValue(v: unknown, type: DataType): string {
  if (v === null || v === undefined) return 'null';
  switch (type.kind) {
    case 'decimal':
      return String(v);
    case 'struct': {
      const o = v as Record<string, unknown>;
      const parts: string[] = [];
      for (const f of type.fields) {
        const x = o[f.name];
        if (x === null || x === undefined) continue;
        parts.push(`${JSON.stringify(f.name)}:${jsonValue(x, f.type)}`);
      }
      return `{${parts.join(',')}}`;
    }
    case 'array':
      return `[${(v as unknown[]).map((x) => jsonValue(x, type.elementType)).join(',')}]`;
    case 'map': {
      const parts: string[] = [];
      for (const [k, x] of v as Map<unknown, unknown>) parts.push(`${JSON.stringify(String(k))}:${jsonValue(x, type.valueType)}`);
      return `{${parts.join(',')}}`;
    }
    case 'primitive':
      if (typeof v === 'bigint') return String(v);
      if (typeof v === 'number') return Number.isFinite(v) ? String(v) : JSON.stringify(String(v));
      if (v instanceof Uint8Array) return JSON.stringify(Buffer.from(v).toString('base64'));
      return JSON.stringify(v);
  }
  return JSON.stringify(v);
}

function csvValue(v: unknown, type: DataType, sep: string): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Uint8Array) return csvField(Buffer.from(v).toString('base64'), sep);
  const text = String(v);
  if (text === '' && type.kind === 'primitive' && type.name === 'string') return '""';
  return csvField(text, sep);
}

function csvField(text: string, sep: string): string {
  return text.includes(sep) || text.includes('"') || text.includes('\n') || text.includes('\r') ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The sink of `writeStream.format(format)`. */
export function createFileSink(format: FileSinkFormat, spec: SinkSpec): FileSink {
  return new FileSink({ path: tableRootFromUri(requireSinkPath(spec.path, format)), format, partitionBy: spec.partitionBy, options: spec.options });
}

/** Registers the json, csv and parquet sinks (idempotent). */
export function registerFileSinks(): void {
  for (const f of ['json', 'csv', 'parquet'] as const) registerSink(f, (spec) => createFileSink(f, spec));
}
