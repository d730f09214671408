/**
 * Turns a stream of logical record batches into data files and their `add` actions: rows are
 * split by partition values into Hive-style directories, buffered per partition up to about one
 * target file, renamed to physical names with field ids (column mapping), encoded with the
 * engine's parquet handler, described by Spark-identical statistics and stored under unique
 * names (`part-00000-<uuid>-c000.snappy.parquet`). Nothing here commits: files written before a
 * failure stay unreferenced until VACUUM removes them.
 *
 * Memory: at most ~one target file of Arrow data per open partition, and at most
 * {@link MAX_BUFFERED_BYTES} over all partitions (the largest buffer is flushed first).
 */
import { Data, RecordBatch, Schema, Struct, Table, Type, type DataType } from 'apache-arrow';
import type { Engine } from '../engine.js';
import { throwIfAborted, wrapEngineError } from '../errors.js';
import { columnView, scalarAt } from '../expr/column-view.js';
import { concatBatches } from '../expr/concat.js';
import { takeRows } from '../expr/filter.js';
import type { Scalar } from '../expr/scalar.js';
import type { AddFile } from '../log/actions.js';
import { deltaToArrowSchema } from '../schema/arrow.js';
import { physicalName } from '../schema/column-mapping.js';
import type { ColumnMappingMode } from '../schema/column-mapping.js';
import { toPhysicalBatch } from '../schema/conform.js';
import { serializePartitionValue } from '../schema/partition-values.js';
import type { StructField, StructType } from '../schema/types.js';
import { dataFileName, dataFileRelativePath, encodeLogPath } from './partition-paths.js';
import { StatsCollector } from './stats-collector.js';
import type { StatsCollectorOptions } from './stats-collector.js';

/** Default target size of one data file, as Spark's `maxFileSize` for OPTIMIZE. */
export const DEFAULT_TARGET_FILE_SIZE = 128 * 1024 * 1024;
/** Default maximum rows per parquet row group. */
export const DEFAULT_ROW_GROUP_SIZE = 1 << 20;
/** Arrow bytes buffered over all partitions before the largest buffer is flushed early. */
export const MAX_BUFFERED_BYTES = 1024 * 1024 * 1024;
/** Arrow bytes encoded in one call at most (wasm32 memory caps at 4 GiB). */
const MAX_FILE_ARROW_BYTES = 512 * 1024 * 1024;

export interface DataWriterOptions {
  readonly tableRoot: string;
  /** The logical table schema (with column mapping metadata); batches given to `write` have its shape. */
  readonly schema: StructType;
  /** Logical partition column names, in table order. */
  readonly partitionColumns: readonly string[];
  readonly columnMappingMode: ColumnMappingMode;
  /** Statistics settings (see `statsOptionsFromMetadata`). */
  readonly stats: StatsCollectorOptions;
  readonly compression?: 'snappy' | 'zstd';
  /** Approximate bytes per data file. */
  readonly targetFileSize?: number;
  /** Maximum rows per row group. */
  readonly rowGroupSize?: number;
  readonly signal?: AbortSignal;
  /**
   * Directory under the table root (unencoded, no leading or trailing `/`) that holds the files
   * and their partition directories, e.g. `_change_data` for change-data files. Default: the
   * table root itself.
   */
  readonly directory?: string;
  /** First part of each file name (`<prefix>-00000-<uuid>-c000.snappy.parquet`). Default `part`. */
  readonly fileNamePrefix?: string;
  /** Compute `add.stats` for each file. Default true; change-data files carry none. */
  readonly collectStats?: boolean;
  /**
   * Optimized write (`delta.autoOptimize.optimizeWrite`): each partition's rows are coalesced
   * into files of about the target size over the whole write, so {@link DataFileWriter.flush}
   * does not start files early (DML rewrites call it after each rewritten file). Files are still
   * started early when all buffers together exceed {@link MAX_BUFFERED_BYTES}.
   */
  readonly optimizeWrite?: boolean;
  /**
   * At `finish`, a partition's remaining rows (at least 2 × {@link PARALLEL_FINISH_MIN_ROWS}) are
   * split into up to the handler's encode parallelism files, encoded at once, so the last file
   * does not leave every core but one idle. For latency-bound writes (DML's new rows); OPTIMIZE
   * and appends keep files of the target size.
   */
  readonly parallelFinish?: boolean;
}

/** Fewest rows per file when `parallelFinish` splits the last rows of a partition. */
export const PARALLEL_FINISH_MIN_ROWS = 1 << 18;

interface PartitionBuffer {
  readonly values: Record<string, string | null>;
  batches: RecordBatch[];
  /** Small batches not yet merged into one (see {@link COALESCE_ROWS}). */
  small: RecordBatch[];
  smallRows: number;
  rows: number;
  bytes: number;
}

/**
 * Small batches (fewer rows than this) are merged into batches of at least this many rows before
 * encoding: parquet-wasm spends about three times the CPU on a table of many small batches (e.g.
 * rows read from many small files by OPTIMIZE) as on the same rows in a few large ones.
 */
const COALESCE_ROWS = 1 << 16;

/** Writes data files for one write operation; call `write` per batch, then `finish` once. */
export class DataFileWriter {
  readonly #engine: Engine;
  readonly #options: DataWriterOptions;
  readonly #partitionFields: readonly StructField[];
  readonly #partitionKeys: readonly string[];
  readonly #dataIndices: readonly number[];
  readonly #dataSchema: StructType;
  readonly #logicalDataArrow: Schema;
  readonly #physicalArrow: Schema;
  /** Whether every column's Arrow type can be concatenated (merging small batches). */
  readonly #coalescible: boolean;
  readonly #buffers = new Map<string, PartitionBuffer>();
  readonly #adds: AddFile[] = [];
  /** Serialized partition values of every partition that received rows (for dynamic overwrite). */
  readonly partitions = new Map<string, Readonly<Record<string, string | null>>>();
  #fileCount = 0;
  /**
   * Files being encoded and stored. Up to the parquet handler's encode parallelism run at once,
   * so encoding (on workers) overlaps with reading input and computing stats (here).
   */
  readonly #inflight: Promise<void>[] = [];
  #buffered = 0;
  /** Observed parquet bytes per Arrow byte, refined after every file. */
  #ratio = 0.5;
  #arrowWritten = 0;
  numOutputRows = 0;
  numOutputBytes = 0;

  constructor(engine: Engine, options: DataWriterOptions) {
    this.#engine = engine;
    this.#options = options;
    const lower = options.partitionColumns.map((c) => c.toLowerCase());
    const fields = options.schema.fields;
    this.#partitionFields = lower.map((c) => fields.find((f) => f.name.toLowerCase() === c)!);
    this.#partitionKeys = this.#partitionFields.map((f) => physicalName(f, options.columnMappingMode));
    const dataIdx: number[] = [];
    fields.forEach((f, i) => {
      if (!lower.includes(f.name.toLowerCase())) dataIdx.push(i);
    });
    this.#dataIndices = dataIdx;
    this.#dataSchema = { kind: 'struct', fields: dataIdx.map((i) => fields[i]!) };
    this.#logicalDataArrow = deltaToArrowSchema(this.#dataSchema);
    this.#physicalArrow = deltaToArrowSchema(this.#dataSchema, { physical: true, columnMappingMode: options.columnMappingMode });
    this.#coalescible = this.#physicalArrow.fields.every((f) => concatenable(f.type));
  }

  /** The add actions of the files written so far. */
  get adds(): readonly AddFile[] {
    return this.#adds;
  }

  /** Buffers one batch in the logical shape of the table schema, flushing files that fill up. */
  async write(batch: RecordBatch): Promise<void> {
    throwIfAborted(this.#options.signal);
    if (batch.numRows === 0) return;
    this.numOutputRows += batch.numRows;
    for (const group of this.#split(batch)) await this.#append(group.key, group.values, group.batch);
    while (this.#buffered > MAX_BUFFERED_BYTES) await this.#flushLargest();
  }

  /**
   * Starts files for every buffered row now (e.g. after all rows of one source file were copied,
   * so output files follow input files and buffers stay small); waits only as encoding
   * parallelism requires. Does nothing for an optimized write, which coalesces across calls.
   */
  async flush(): Promise<void> {
    if (this.#options.optimizeWrite) return;
    for (const key of [...this.#buffers.keys()]) await this.#flush(key);
  }

  /** Flushes every buffer, waits for every file to be written, and returns all add actions. */
  async finish(): Promise<AddFile[]> {
    for (const key of [...this.#buffers.keys()]) await this.#flush(key, this.#options.parallelFinish === true);
    while (this.#inflight.length > 0) await this.#inflight.shift();
    return [...this.#adds];
  }

  #split(batch: RecordBatch): { key: string; values: Record<string, string | null>; batch: RecordBatch }[] {
    const data = this.#dataBatch(batch);
    if (this.#partitionFields.length === 0) return [{ key: '', values: {}, batch: data }];
    const n = batch.numRows;
    const views = this.#partitionFields.map((f) => columnView(batch, [f.name]));
    const keys = new Array<string>(n);
    const groups = new Map<string, number[]>();
    const valuesOf = new Map<string, Record<string, string | null>>();
    for (let i = 0; i < n; i++) {
      const parts = views.map((v, k) => partitionText(v.valid === null || v.valid[i] === 1 ? scalarAt(v, i) : null, this.#partitionFields[k]!));
      const key = JSON.stringify(parts);
      keys[i] = key;
      let rows = groups.get(key);
      if (rows === undefined) {
        groups.set(key, (rows = []));
        const values: Record<string, string | null> = {};
        this.#partitionKeys.forEach((k, j) => (values[k] = parts[j]!));
        valuesOf.set(key, values);
      }
      rows.push(i);
    }
    if (groups.size === 1) {
      const [key] = groups.keys();
      return [{ key: key!, values: valuesOf.get(key!)!, batch: data }];
    }
    return [...groups].map(([key, rows]) => ({ key, values: valuesOf.get(key)!, batch: takeRows(data, Int32Array.from(rows)) }));
  }

  /** The non-partition columns of a logical batch, renamed to physical names with field ids. */
  #dataBatch(batch: RecordBatch): RecordBatch {
    const children = this.#dataIndices.map((i) => batch.data.children[i]!);
    const logical = new RecordBatch(this.#logicalDataArrow, new Data(new Struct(this.#logicalDataArrow.fields), 0, batch.numRows, 0, undefined, children) as Data<Struct>);
    const physical = toPhysicalBatch(logical, this.#dataSchema, this.#options.columnMappingMode);
    return new RecordBatch(this.#physicalArrow, physical.data.clone(new Struct(this.#physicalArrow.fields)) as Data<Struct>);
  }

  async #append(key: string, values: Record<string, string | null>, batch: RecordBatch): Promise<void> {
    if (!this.partitions.has(key)) this.partitions.set(key, values);
    let rest = batch;
    // Measured once: a slice's byteLength still counts the whole value buffer of variable-width
    // columns, so re-measuring each remainder would shrink every later file.
    const perRow = batch.data.byteLength / Math.max(1, batch.numRows);
    while (rest.numRows > 0) {
      let buf = this.#buffers.get(key);
      if (buf === undefined) this.#buffers.set(key, (buf = { values, batches: [], small: [], smallRows: 0, rows: 0, bytes: 0 }));
      const limit = this.#arrowLimit();
      const bytes = perRow * rest.numRows;
      let take = rest.numRows;
      if (buf.bytes + bytes > limit) take = Math.max(1, Math.floor((limit - buf.bytes) / perRow));
      const whole = take === rest.numRows;
      const part = whole ? rest : rest.slice(0, take);
      rest = whole ? rest.slice(0, 0) : rest.slice(take);
      const partBytes = whole ? bytes : perRow * take;
      this.#push(buf, part);
      buf.rows += take;
      buf.bytes += partBytes;
      this.#buffered += partBytes;
      if (buf.bytes >= limit) await this.#flush(key);
    }
  }

  /** Adds a batch to a buffer, merging runs of small batches (see {@link COALESCE_ROWS}). */
  #push(buf: PartitionBuffer, batch: RecordBatch): void {
    if (batch.numRows >= COALESCE_ROWS || !this.#coalescible) {
      this.#mergeSmall(buf);
      buf.batches.push(batch);
      return;
    }
    buf.small.push(batch);
    buf.smallRows += batch.numRows;
    if (buf.smallRows >= COALESCE_ROWS) this.#mergeSmall(buf);
  }

  #mergeSmall(buf: PartitionBuffer): void {
    if (buf.small.length === 0) return;
    buf.batches.push(buf.small.length === 1 ? buf.small[0]! : concatBatches(this.#physicalArrow, buf.small));
    buf.small = [];
    buf.smallRows = 0;
  }

  /** Arrow bytes that make about one target file. */
  #arrowLimit(): number {
    const target = this.#options.targetFileSize ?? DEFAULT_TARGET_FILE_SIZE;
    return Math.min(MAX_FILE_ARROW_BYTES, Math.max(1, target / this.#ratio));
  }

  async #flushLargest(): Promise<void> {
    let best: string | undefined;
    let size = -1;
    for (const [k, b] of this.#buffers) if (b.bytes > size) [best, size] = [k, b.bytes];
    if (best !== undefined) await this.#flush(best);
  }

  /** Starts the file(s) of one partition's buffer; with `split`, see {@link DataWriterOptions.parallelFinish}. */
  async #flush(key: string, split = false): Promise<void> {
    const buf = this.#buffers.get(key);
    this.#buffers.delete(key);
    if (buf === undefined || buf.rows === 0) return;
    this.#buffered -= buf.bytes;
    throwIfAborted(this.#options.signal);
    this.#mergeSmall(buf);
    const parallelism = this.#engine.parquet.encodeParallelism ?? 1;
    const parts = split ? Math.min(parallelism, Math.floor(buf.rows / PARALLEL_FINISH_MIN_ROWS)) : 1;
    if (parts < 2) {
      await this.#startFile(buf.values, buf.batches, buf.bytes);
      return;
    }
    const table = new Table(this.#physicalArrow, buf.batches);
    for (let p = 0; p < parts; p++) {
      const from = Math.floor((buf.rows * p) / parts);
      const to = Math.floor((buf.rows * (p + 1)) / parts);
      await this.#startFile(buf.values, table.slice(from, to).batches, (buf.bytes * (to - from)) / buf.rows);
    }
  }

  /** Encodes `batches` as one file (on a worker when the handler has them) and stores it; waits only as encode parallelism requires. */
  async #startFile(values: Record<string, string | null>, batches: RecordBatch[], bytes: number): Promise<void> {
    const { compression = 'snappy', rowGroupSize = DEFAULT_ROW_GROUP_SIZE } = this.#options;
    const encoded = this.#engine.parquet.writeTable(new Table(this.#physicalArrow, batches), { compression, rowGroupSize });
    let stats: string | undefined;
    if (this.#options.collectStats !== false) {
      const collector = new StatsCollector(this.#options.stats);
      for (const b of batches) collector.add(b);
      stats = collector.toJson();
    }
    const fileName = dataFileName({ partIndex: this.#fileCount++, codec: compression, ...(this.#options.fileNamePrefix === undefined ? {} : { prefix: this.#options.fileNamePrefix }) });
    const task = this.#store(encoded, { values, bytes }, fileName, stats);
    task.catch(() => undefined); // surfaced when awaited below or in finish()
    this.#inflight.push(task);
    const limit = this.#engine.parquet.encodeParallelism ?? 1;
    while (this.#inflight.length >= limit) await this.#inflight.shift();
  }

  /** Stores one encoded file and records its add action. */
  async #store(encoded: Promise<Uint8Array>, buf: { values: Record<string, string | null>; bytes: number }, fileName: string, stats: string | undefined): Promise<void> {
    const bytes = await encoded;
    const dir = this.#options.directory;
    const relative = (dir === undefined || dir === '' ? '' : dir + '/') + dataFileRelativePath(this.#partitionKeys, buf.values, fileName);
    const path = `${this.#options.tableRoot.replace(/\/+$/, '')}/${relative}`;
    throwIfAborted(this.#options.signal);
    try {
      await this.#engine.store.put(path, bytes);
    } catch (e) {
      throw wrapEngineError('Writing data file', path, e);
    }
    this.#arrowWritten += buf.bytes;
    this.numOutputBytes += bytes.length;
    this.#ratio = Math.min(4, Math.max(0.02, this.numOutputBytes / Math.max(1, this.#arrowWritten)));
    this.#adds.push({
      path: encodeLogPath(relative),
      partitionValues: { ...buf.values },
      size: bytes.length,
      modificationTime: this.#engine.clock.nowMs(),
      dataChange: true,
      ...(stats === undefined ? {} : { stats }),
    });
  }
}

/** Whether `concatData` handles this type (everything Delta types map to; not dictionaries or unions). */
function concatenable(type: DataType): boolean {
  switch (type.typeId) {
    case Type.Dictionary:
    case Type.Union:
    case Type.FixedSizeList:
      return false;
    default:
      return (type.children ?? []).every((c) => concatenable(c.type));
  }
}

const decoder = new TextDecoder();

/** The serialized partition value of one row (scalarAt gives strings as UTF-8 bytes). */
function partitionText(v: Scalar, field: StructField): string | null {
  if (v === null) return null;
  const value = field.type.kind === 'primitive' && field.type.name === 'string' && v instanceof Uint8Array ? decoder.decode(v) : v;
  const text = serializePartitionValue(value, field.type);
  // Delta reads an empty partition value as null; Spark writes empty strings as null too.
  return text === '' ? null : text;
}
