/**
 * Reads the live rows of one data file in the table's logical shape: data columns conformed to
 * the schema, partition columns materialised from the log, deletion vector applied. Used by
 * writes that rewrite files (replaceWhere on data columns) to copy the rows they keep.
 */
import { Data, RecordBatch, Struct } from 'apache-arrow';
import { loadDeletionVector } from '../deletion-vectors/load.js';
import type { Engine } from '../engine.js';
import { throwIfAborted } from '../errors.js';
import { filterBatch } from '../expr/filter.js';
import type { AddFile } from '../log/actions.js';
import { resolveLogPath } from '../log/paths.js';
import { deltaToArrowSchema } from '../schema/arrow.js';
import { physicalName } from '../schema/column-mapping.js';
import type { ColumnMappingMode } from '../schema/column-mapping.js';
import { conformBatch } from '../schema/conform.js';
import { buildPartitionColumn, parsePartitionValue } from '../schema/partition-values.js';
import type { StructType } from '../schema/types.js';

export interface FileRowsContext {
  readonly tableRoot: string;
  /** The logical schema of the table the file belongs to. */
  readonly schema: StructType;
  readonly partitionColumns: readonly string[];
  readonly columnMapping: ColumnMappingMode;
  readonly signal?: AbortSignal;
}

/** The live rows of `add` as logical batches with every column of `ctx.schema`, in schema order. */
export async function* readFileRows(engine: Engine, add: AddFile, ctx: FileRowsContext): AsyncGenerator<RecordBatch> {
  const partitions = new Set(ctx.partitionColumns.map((c) => c.toLowerCase()));
  const dataFields = ctx.schema.fields.filter((f) => !partitions.has(f.name.toLowerCase()));
  const dataTarget: StructType = { kind: 'struct', fields: dataFields };
  const arrow = deltaToArrowSchema(ctx.schema);
  const path = resolveLogPath(ctx.tableRoot, add.path);
  const dv = add.deletionVector === undefined ? undefined : await loadDeletionVector(engine, ctx.tableRoot, add.deletionVector, ctx.signal ? { signal: ctx.signal } : {});
  let start = 0;
  const columns = dataFields.map((f) => physicalName(f, ctx.columnMapping));
  for await (const batch of engine.parquet.readBatches({ path, size: add.size }, { columns, ...(ctx.signal ? { signal: ctx.signal } : {}) })) {
    throwIfAborted(ctx.signal);
    const n = batch.numRows;
    const offset = start;
    start += n;
    if (n === 0) continue;
    const data = conformBatch(batch, dataTarget, { columnMapping: ctx.columnMapping, filePath: path });
    const children = ctx.schema.fields.map((f) => {
      const child = data.getChild(f.name);
      if (child) return child.data[0]!;
      const key = physicalName(f, ctx.columnMapping);
      return buildPartitionColumn(parsePartitionValue(add.partitionValues[key], f.type, { column: f.name }), f.type, n);
    });
    let full = new RecordBatch(arrow, new Data(new Struct(arrow.fields), 0, n, 0, undefined, children) as Data<Struct>);
    const keep = dv?.selectionForRange(offset, n) ?? null;
    if (keep !== null) full = filterBatch(full, keep);
    if (full.numRows > 0) yield full;
  }
}
