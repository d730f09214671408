/**
 * Change-data files (`_change_data/`): the rows a DML commit changed, each with its `_change_type`,
 * written as Delta Spark writes them for tables with `delta.enableChangeDataFeed=true`:
 * - under `_change_data/` in Hive-style partition directories like data files, named
 *   `cdc-00000-<uuid>-c000.snappy.parquet`;
 * - the table's data columns under their physical names (column mapping) with field ids, plus a
 *   string column `_change_type`; partition columns are not in the file (their values are in the
 *   `cdc` action's `partitionValues`);
 * - described by `cdc` actions with `dataChange: false`, partition values and size, no stats.
 *
 * When a commit has `cdc` actions, change-feed readers take all its changes from them and ignore
 * its `add` and `remove` actions, so a commit that writes any change row must write every changed
 * row. Built on {@link DataFileWriter} (same buffering, partition split, encoding and memory bound).
 */
import { Data, RecordBatch, Schema, Struct, Utf8, makeData } from 'apache-arrow';
import type { Engine } from '../engine.js';
import { DeltaError } from '../errors.js';
import type { AddCDCFile } from '../log/actions.js';
import { deltaToArrowSchema } from '../schema/arrow.js';
import { PHYSICAL_NAME_KEY, type ColumnMappingMode } from '../schema/column-mapping.js';
import type { StructField, StructType } from '../schema/types.js';
import { DataFileWriter } from './data-writer.js';
import type { StatsCollectorOptions } from './stats-collector.js';

/** Name of the change-type column in change-data files and change-feed rows. */
export const CHANGE_TYPE_COLUMN = '_change_type';
/** Directory of change-data files under the table root. */
export const CHANGE_DATA_DIR = '_change_data';

/** The change types DML writes (Spark's `CDCReader.CDC_TYPE_*`). */
export type ChangeType = 'insert' | 'delete' | 'update_preimage' | 'update_postimage';

const CHANGE_TYPES: ReadonlySet<string> = new Set(['insert', 'delete', 'update_preimage', 'update_postimage']);

export interface ChangeDataWriterOptions {
  readonly tableRoot: string;
  /** The logical table schema; batches given to `write` have its shape. */
  readonly schema: StructType;
  readonly partitionColumns: readonly string[];
  readonly columnMappingMode: ColumnMappingMode;
  readonly compression?: 'snappy' | 'zstd';
  /** Approximate bytes per change-data file; default as data files (128 MiB). */
  readonly targetFileSize?: number;
  readonly signal?: AbortSignal;
}

/** Writes the change-data files of one commit; call `write` per batch, then `finish` once. */
export class ChangeDataWriter {
  readonly #writer: DataFileWriter;
  readonly #schema: StructType;
  readonly #withType: Schema;

  constructor(engine: Engine, options: ChangeDataWriterOptions) {
    if (options.schema.fields.some((f) => f.name.toLowerCase() === CHANGE_TYPE_COLUMN)) {
      throw new DeltaError('INVALID_SCHEMA', `The table has a column named ${CHANGE_TYPE_COLUMN}, which the change data feed reserves; change data cannot be written for it. Rename the column.`);
    }
    this.#schema = options.schema;
    const typeField: StructField = {
      name: CHANGE_TYPE_COLUMN,
      type: { kind: 'primitive', name: 'string' },
      nullable: true,
      // Under column mapping every written field needs a physical name; this one is not mapped.
      metadata: options.columnMappingMode === 'none' ? {} : { [PHYSICAL_NAME_KEY]: CHANGE_TYPE_COLUMN },
    };
    const schema: StructType = { kind: 'struct', fields: [...options.schema.fields, typeField] };
    this.#withType = deltaToArrowSchema(schema);
    const stats: StatsCollectorOptions = { schema: options.schema };
    this.#writer = new DataFileWriter(engine, {
      tableRoot: options.tableRoot,
      schema,
      partitionColumns: options.partitionColumns,
      columnMappingMode: options.columnMappingMode,
      stats,
      collectStats: false,
      directory: CHANGE_DATA_DIR,
      fileNamePrefix: 'cdc',
      ...(options.compression === undefined ? {} : { compression: options.compression }),
      ...(options.targetFileSize === undefined ? {} : { targetFileSize: options.targetFileSize }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  }

  /** Change rows written so far. */
  get numOutputRows(): number {
    return this.#writer.numOutputRows;
  }

  /** Bytes of the change-data files stored so far. */
  get numOutputBytes(): number {
    return this.#writer.numOutputBytes;
  }

  /**
   * Buffers `batch` (the table's logical shape: every column in schema order, as scans return
   * them) as change rows of type `changeType`.
   */
  async write(batch: RecordBatch, changeType: ChangeType): Promise<void> {
    if (!CHANGE_TYPES.has(changeType)) {
      throw new DeltaError('INVALID_ARGUMENT', `Unknown change type "${String(changeType)}". Use insert, delete, update_preimage or update_postimage.`);
    }
    if (batch.numRows === 0) return;
    const fields = this.#schema.fields;
    if (batch.numCols !== fields.length) {
      throw new DeltaError('INVALID_ARGUMENT', `A change batch has ${batch.numCols} columns but the table has ${fields.length} (${fields.map((f) => f.name).join(', ')}); pass rows in the table's logical shape.`);
    }
    const children = [...batch.data.children, constantUtf8(changeType, batch.numRows)];
    const data = new Data(new Struct(this.#withType.fields), 0, batch.numRows, 0, undefined, children) as Data<Struct>;
    await this.#writer.write(new RecordBatch(this.#withType, data));
  }

  /** Flushes and stores every file; returns their `cdc` actions. */
  async finish(): Promise<AddCDCFile[]> {
    const adds = await this.#writer.finish();
    return adds.map((a) => ({ path: a.path, partitionValues: a.partitionValues, size: a.size, dataChange: false }));
  }
}

const encoder = new TextEncoder();

/** `length` copies of `value` as Utf8 data (one shared byte run per row). */
function constantUtf8(value: string, length: number): Data<Utf8> {
  const bytes = encoder.encode(value);
  const offsets = new Int32Array(length + 1);
  for (let i = 1; i <= length; i++) offsets[i] = i * bytes.length;
  const data = new Uint8Array(length * bytes.length);
  for (let i = 0; i < length; i++) data.set(bytes, i * bytes.length);
  return makeData({ type: new Utf8(), length, nullCount: 0, valueOffsets: offsets, data });
}
