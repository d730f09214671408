/**
 * Reading the target files of a DML statement: each file's live rows in the table's logical shape
 * (column mapping resolved, missing columns null, widened types converted, partition columns
 * materialised from the log), batch by batch, each row tagged with its position in the physical
 * parquet file. Rows already deleted by the file's deletion vector are not returned.
 *
 * Files are read in the order given, decoded in parallel by the engine's parquet handler (at most
 * a few files in flight); nothing is held beyond the batch being consumed.
 */
import { Data, RecordBatch, Schema, Struct } from 'apache-arrow';
import type { AddFile, Engine, Snapshot, StructField, StructType } from '@deltakit/core';
import { DeltaError, deltaToArrowSchema, throwIfAborted } from '@deltakit/core';
import {
  buildPartitionColumn,
  conformBatch,
  loadDeletionVector,
  parsePartitionValue,
  physicalName,
  resolveLogPath,
  takeRows,
  type DeletedRows,
} from '@deltakit/core/internal';

export interface TargetScanOptions {
  /**
   * Top-level logical column names to return (case-insensitive); every column when absent.
   * Batches always have the requested columns in table schema order.
   */
  readonly columns?: readonly string[];
  /** IANA zone for legacy zone-less timestamp partition values. Default UTC. */
  readonly timeZone?: string;
  /** Rows per batch (whole row groups are decoded together); the parquet handler's default when absent. */
  readonly batchSize?: number;
  readonly signal?: AbortSignal;
}

/** One batch of live rows of one target file. */
export interface TargetBatch {
  /** The file the rows come from (the snapshot's add action). */
  readonly file: AddFile;
  /** Index of `file` in the array given to {@link scanTargetFiles}. */
  readonly fileIndex: number;
  /** The rows, logical shape, the requested columns in schema order. */
  readonly batch: RecordBatch;
  /**
   * `positions[i]` is the 0-based position of row `i` in the physical parquet file (what a
   * deletion vector holds). Ascending within a file. Built on first access.
   */
  readonly positions: Float64Array;
  /** The positions of the given rows of `batch`, list after list (without building `positions`). */
  positionsOf(...rows: Int32Array[]): Float64Array;
}

/** A batch whose rows are rows `start + rows[i]` of its file (`rows` null: `start + i`). */
class ScannedBatch implements TargetBatch {
  #positions: Float64Array | undefined;

  constructor(
    readonly file: AddFile,
    readonly fileIndex: number,
    readonly batch: RecordBatch,
    private readonly start: number,
    private readonly rows: Int32Array | null,
  ) {}

  get positions(): Float64Array {
    if (this.#positions) return this.#positions;
    const n = this.batch.numRows;
    const out = new Float64Array(n);
    const { start, rows } = this;
    for (let i = 0; i < n; i++) out[i] = start + (rows === null ? i : rows[i]!);
    return (this.#positions = out);
  }

  positionsOf(...lists: Int32Array[]): Float64Array {
    const out = new Float64Array(lists.reduce((n, l) => n + l.length, 0));
    const { start, rows } = this;
    let k = 0;
    for (const list of lists) for (let i = 0; i < list.length; i++) out[k++] = start + (rows === null ? list[i]! : rows[list[i]!]!);
    return out;
  }
}

/**
 * Streams the live rows of `files` (add actions of `snapshot`) with their physical positions.
 * Every row of every file is visited exactly once, files in the order given.
 */
export async function* scanTargetFiles(engine: Engine, snapshot: Snapshot, files: readonly AddFile[], options: TargetScanOptions = {}): AsyncGenerator<TargetBatch> {
  const { signal } = options;
  if (files.length === 0) return;
  const mode = snapshot.columnMapping;
  const fields = selectFields(snapshot.schema, options.columns);
  const partitionSet = new Set(snapshot.partitionColumns.map((c) => c.toLowerCase()));
  const dataFields = fields.filter((f) => !partitionSet.has(f.name.toLowerCase()));
  // Reading no column gives no row count, so a scan of partition columns only reads one data column.
  const readFields = dataFields.length > 0 ? dataFields : firstDataField(snapshot.schema, partitionSet);
  const readTarget: StructType = { kind: 'struct', fields: readFields };
  const columns = readFields.map((f) => physicalName(f, mode));
  const outSchema = deltaToArrowSchema({ kind: 'struct', fields });
  const refs = files.map((a) => ({ path: resolveLogPath(snapshot.tableRoot, a.path), size: a.size }));
  const offsets = new Float64Array(files.length);
  const dvs = new Map<number, Promise<DeletedRows>>();
  const timeZone = options.timeZone ?? 'UTC';

  for await (const { fileIndex, batch } of engine.parquet.readFiles(refs, { columns, ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }), ...(signal ? { signal } : {}) })) {
    throwIfAborted(signal);
    const file = files[fileIndex]!;
    const start = offsets[fileIndex]!;
    const n = batch.numRows;
    offsets[fileIndex] = start + n;
    if (n === 0) continue;
    const data = conformBatch(batch, readTarget, { columnMapping: mode, filePath: refs[fileIndex]!.path });
    const children = fields.map((f): Data => {
      const child = data.getChild(f.name);
      if (child) return child.data[0]!;
      const value = parsePartitionValue(file.partitionValues[physicalName(f, mode)], f.type, { timeZone, column: f.name });
      return buildPartitionColumn(value, f.type, n);
    });
    let out = new RecordBatch(outSchema, new Data(new Struct(outSchema.fields), 0, n, 0, undefined, children) as Data<Struct>);
    let rows: Int32Array | null = null;
    if (file.deletionVector !== undefined) {
      let dv = dvs.get(fileIndex);
      if (!dv) dvs.set(fileIndex, (dv = loadDeletionVector(engine, snapshot.tableRoot, file.deletionVector, signal ? { signal } : {})));
      const keep = (await dv).selectionForRange(start, n);
      if (keep !== null) {
        rows = indicesOf(keep);
        if (rows.length === 0) continue;
        out = takeRows(out, rows);
      }
    }
    yield new ScannedBatch(file, fileIndex, out, start, rows);
  }
}

/** The fields of `columns` (case-insensitive) in schema order; all fields when undefined. */
export function selectFields(schema: StructType, columns: readonly string[] | undefined): StructField[] {
  if (columns === undefined) return [...schema.fields];
  const wanted = new Set<string>();
  for (const c of columns) {
    const f = schema.fields.find((x) => x.name.toLowerCase() === c.toLowerCase());
    if (!f) {
      throw new DeltaError('COLUMN_NOT_FOUND', `Column "${c}" does not exist. Available columns: ${schema.fields.map((x) => x.name).join(', ')}.`, { details: { column: c } });
    }
    wanted.add(f.name);
  }
  return schema.fields.filter((f) => wanted.has(f.name));
}

/** The Arrow schema of batches a scan of `columns` yields. */
export function targetSchema(snapshot: Snapshot, columns?: readonly string[]): Schema {
  return deltaToArrowSchema({ kind: 'struct', fields: selectFields(snapshot.schema, columns) });
}

function firstDataField(schema: StructType, partitions: ReadonlySet<string>): StructField[] {
  const f = schema.fields.find((x) => !partitions.has(x.name.toLowerCase()));
  return f ? [f] : [];
}

function indicesOf(mask: Uint8Array): Int32Array {
  let count = 0;
  for (let i = 0; i < mask.length; i++) count += mask[i]!;
  const out = new Int32Array(count);
  for (let i = 0, k = 0; i < mask.length; i++) if (mask[i]) out[k++] = i;
  return out;
}
