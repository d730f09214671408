/**
 * Reading the live rows of given data files in the table's logical shape: column mapping
 * resolved, missing columns null, widened types converted, partition columns materialised from
 * each file's partition values, rows deleted by the file's deletion vector dropped.
 *
 * Files are decoded in parallel by the engine's parquet handler and yielded strictly in the order
 * given (every batch of `files[0]`, then of `files[1]`, ...), so the k-th row yielded is the k-th
 * live row of the concatenation: rewrites rely on that to address rows across passes.
 */
import { Data, RecordBatch, Struct } from 'apache-arrow';
import type { Engine } from '../../engine.js';
import { throwIfAborted } from '../../errors.js';
import { loadDeletionVector } from '../../deletion-vectors/load.js';
import type { DeletedRows } from '../../deletion-vectors/deleted-rows.js';
import { filterBatch } from '../../expr/filter.js';
import type { AddFile } from '../../log/actions.js';
import { resolveLogPath } from '../../log/paths.js';
import { deltaToArrowSchema } from '../../schema/arrow.js';
import { physicalName } from '../../schema/column-mapping.js';
import { conformBatch } from '../../schema/conform.js';
import { buildPartitionColumn, parsePartitionValue } from '../../schema/partition-values.js';
import type { StructField, StructType } from '../../schema/types.js';
import type { Snapshot } from '../../table/snapshot.js';

export interface ReadLiveRowsOptions {
  /** Top-level logical columns to return (schema order, case resolved); all when absent. */
  readonly fields?: readonly StructField[];
  /** IANA zone for legacy zone-less timestamp partition values. Default UTC. */
  readonly timeZone?: string;
  readonly signal?: AbortSignal;
}

/** One batch of live rows of `files[fileIndex]`. */
export interface LiveBatch {
  readonly fileIndex: number;
  readonly batch: RecordBatch;
}

/** Streams the live rows of `files` (add actions of `snapshot`), file after file. */
export async function* readLiveRows(engine: Engine, snapshot: Snapshot, files: readonly AddFile[], options: ReadLiveRowsOptions = {}): AsyncGenerator<LiveBatch> {
  const { signal } = options;
  if (files.length === 0) return;
  const mode = snapshot.columnMapping;
  const fields = options.fields ?? snapshot.schema.fields;
  const partitionSet = new Set(snapshot.partitionColumns.map((c) => c.toLowerCase()));
  const dataFields = fields.filter((f) => !partitionSet.has(f.name.toLowerCase()));
  // Reading no column gives no row count, so partition columns alone read one data column.
  const readFields = dataFields.length > 0 ? dataFields : snapshot.schema.fields.filter((f) => !partitionSet.has(f.name.toLowerCase())).slice(0, 1);
  const readTarget: StructType = { kind: 'struct', fields: readFields };
  const columns = readFields.map((f) => physicalName(f, mode));
  const outSchema = deltaToArrowSchema({ kind: 'struct', fields });
  const refs = files.map((a) => ({ path: resolveLogPath(snapshot.tableRoot, a.path), size: a.size }));
  const offsets = new Float64Array(files.length);
  const dvs = new Map<number, Promise<DeletedRows>>();
  const timeZone = options.timeZone ?? 'UTC';

  for await (const { fileIndex, batch } of engine.parquet.readFiles(refs, { columns, ...(signal ? { signal } : {}) })) {
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
    if (file.deletionVector !== undefined) {
      let dv = dvs.get(fileIndex);
      if (!dv) dvs.set(fileIndex, (dv = loadDeletionVector(engine, snapshot.tableRoot, file.deletionVector, signal ? { signal } : {})));
      const keep = (await dv).selectionForRange(start, n);
      if (keep !== null) out = filterBatch(out, keep);
      if (out.numRows === 0) continue;
    }
    yield { fileIndex, batch: out };
  }
}
