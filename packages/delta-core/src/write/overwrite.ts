/**
 * Which live files an overwrite removes, and the rows it must copy forward:
 * - plain overwrite: every file;
 * - dynamic partition overwrite: the files of the partitions the new data wrote to;
 * - `replaceWhere` on partition columns only: the files whose partition values satisfy it;
 * - `replaceWhere` reading data columns: every file that may hold matching rows is removed and
 *   its rows that do not match are rewritten to new files (Spark's behaviour), so exactly the
 *   matching rows are replaced.
 * Each case records its read in the transaction so concurrent changes to what it replaced conflict.
 */
import type { Engine } from '../engine.js';
import { throwIfAborted } from '../errors.js';
import { bindPredicate } from '../expr/binder.js';
import { evaluatePredicate } from '../expr/compile.js';
import { filterBatch } from '../expr/filter.js';
import { compileFileFilter } from '../expr/skipping.js';
import type { AddFile, RemoveFile } from '../log/actions.js';
import { physicalName } from '../schema/column-mapping.js';
import type { ColumnMappingMode } from '../schema/column-mapping.js';
import { conformBatch } from '../schema/conform.js';
import { parsePartitionValue, serializePartitionValue } from '../schema/partition-values.js';
import type { StructField, StructType } from '../schema/types.js';
import type { Snapshot } from '../table/snapshot.js';
import type { Transaction } from '../transaction/transaction.js';
import type { ChangeDataWriter } from './change-data-writer.js';
import type { DataFileWriter } from './data-writer.js';
import { readFileRows } from './file-rows.js';
import { removeFor } from './table-setup.js';
import type { BoundReplaceWhere } from './write-operation.js';

export interface OverwritePlan {
  readonly snapshot: Snapshot;
  /** The table schema after the write (copied rows are conformed to it). */
  readonly schema: StructType;
  readonly partitionColumns: readonly string[];
  readonly columnMapping: ColumnMappingMode;
  readonly replaceWhere?: BoundReplaceWhere;
  /** Dynamic partition overwrite (ignored for unpartitioned tables: everything is replaced). */
  readonly dynamic: boolean;
  /** Serialized partition values (physical keys) of every partition the new data wrote to. */
  readonly writtenPartitions: readonly Readonly<Record<string, string | null>>[];
  /** A fresh data writer for copied rows. */
  readonly newWriter: () => DataFileWriter;
  /** Change-data writer (CDF tables): rows a data-column replaceWhere replaces are written to it as `delete`. */
  readonly changeData?: ChangeDataWriter;
  readonly signal?: AbortSignal;
}

export interface OverwriteRemoval {
  readonly removes: RemoveFile[];
  /** Files holding the rows copied forward (replaceWhere on data columns). */
  readonly copiedAdds: AddFile[];
  readonly copiedRows: number;
  readonly copiedBytes: number;
}

/** Decides the removes (and copies) of an overwrite, recording its reads in `tx`. */
export async function overwriteRemovals(engine: Engine, tx: Transaction, plan: OverwritePlan): Promise<OverwriteRemoval> {
  const snap = plan.snapshot;
  const now = engine.clock.nowMs();
  const none = { copiedAdds: [], copiedRows: 0, copiedBytes: 0 };
  const rw = plan.replaceWhere;
  if (rw === undefined && plan.dynamic && plan.partitionColumns.length > 0) {
    tx.readWholeTable();
    const fields = partitionFields(snap.schema, snap.partitionColumns);
    const keyOf = (values: Readonly<Record<string, string | null>>) => canonicalKey(values, fields, snap.columnMapping);
    const written = new Set(plan.writtenPartitions.map(keyOf));
    return { removes: snap.addFiles.filter((a) => written.has(keyOf(a.partitionValues))).map((a) => removeFor(a, now)), ...none };
  }
  if (rw === undefined) {
    tx.readWholeTable();
    return { removes: snap.addFiles.map((a) => removeFor(a, now)), ...none };
  }
  tx.readPredicate(rw.expr);
  const bound = bindPredicate(rw.expr, snap.schema, { partitionColumns: snap.partitionColumns, columnMappingMode: snap.columnMapping });
  const filter = compileFileFilter(bound);
  const candidates = filter.satisfiable ? snap.addFiles.filter((a) => filter.mayMatchAdd(a)) : [];
  const removes = candidates.map((a) => removeFor(a, now));
  if (rw.partitionOnly) return { removes, ...none };
  tx.readFiles(candidates);
  const writer = plan.newWriter();
  const ctx = {
    tableRoot: snap.tableRoot,
    schema: snap.schema,
    partitionColumns: snap.partitionColumns,
    columnMapping: snap.columnMapping,
    ...(plan.signal === undefined ? {} : { signal: plan.signal }),
  };
  for (const add of candidates) {
    for await (const batch of readFileRows(engine, add, ctx)) {
      throwIfAborted(plan.signal);
      const matches = evaluatePredicate(bound, batch);
      if (plan.changeData !== undefined) {
        const replaced = filterBatch(batch, matches);
        if (replaced.numRows > 0) await plan.changeData.write(conformBatch(replaced, plan.schema, { columnMapping: 'none' }), 'delete');
      }
      for (let i = 0; i < matches.length; i++) matches[i] = matches[i] === 1 ? 0 : 1;
      const kept = filterBatch(batch, matches);
      if (kept.numRows > 0) await writer.write(conformBatch(kept, plan.schema, { columnMapping: 'none' }));
    }
  }
  const copiedAdds = await writer.finish();
  return { removes, copiedAdds, copiedRows: writer.numOutputRows, copiedBytes: writer.numOutputBytes };
}

function partitionFields(schema: StructType, columns: readonly string[]): StructField[] {
  return columns.map((c) => schema.fields.find((f) => f.name.toLowerCase() === c.toLowerCase())!);
}

/**
 * A partition's identity independent of how its values were spelled: each value parsed with its
 * type and serialized canonically (Spark's legacy `2021-09-08 11:11:11` and ISO forms agree).
 */
function canonicalKey(values: Readonly<Record<string, string | null>>, fields: readonly StructField[], mode: ColumnMappingMode): string {
  return JSON.stringify(
    fields.map((f) => {
      const raw = values[physicalName(f, mode)];
      if (raw === null || raw === undefined || raw === '') return null;
      try {
        return serializePartitionValue(parsePartitionValue(raw, f.type, { column: f.name }), f.type);
      } catch {
        return raw;
      }
    }),
  );
}
