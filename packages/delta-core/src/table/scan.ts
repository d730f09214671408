import { Data, RecordBatch, Schema, Struct, Table, type Field } from 'apache-arrow';
import type { Engine } from '../engine.js';
import { DeltaError, throwIfAborted } from '../errors.js';
import type { Expr } from '../expr/ast.js';
import { bindPredicate } from '../expr/binder.js';
import { compilePredicate, type CompiledPredicate } from '../expr/compile.js';
import type { TypedExpr } from '../expr/typed.js';
import { filterBatch } from '../expr/filter.js';
import { parsePredicate } from '../expr/parse.js';
import { compileFileFilter, type FileFilter } from '../expr/skipping.js';
import { referencedColumns } from '../expr/ast.js';
import type { AddFile } from '../log/actions.js';
import { resolveLogPath } from '../log/paths.js';
import { deltaToArrowSchema } from '../schema/arrow.js';
import { physicalName } from '../schema/column-mapping.js';
import { conformBatch } from '../schema/conform.js';
import { buildPartitionColumn, parsePartitionValue } from '../schema/partition-values.js';
import type { StructField, StructType } from '../schema/types.js';
import { loadDeletionVector } from '../deletion-vectors/load.js';
import type { DeletedRows } from '../deletion-vectors/deleted-rows.js';
import type { FileInfo, Snapshot } from './snapshot.js';
import { toFileInfo } from './snapshot.js';

export interface ScanOptions {
  /** Top-level logical column names to return (case-insensitive), in any order; all when absent. */
  readonly columns?: readonly string[];
  /** Rows to keep: an expression tree, or predicate text such as `id > 10 AND part = 'a'`. */
  readonly filter?: Expr | string;
  /** Stop after this many rows. */
  readonly limit?: number;
  /**
   * Read exactly these add actions (each with its deletion vector applied, partition values from
   * the action) instead of the snapshot's live files, in the order given. They are read with the
   * snapshot's schema, partition columns and column mapping, so they must have been written under
   * a schema the snapshot's can read (a streaming source reads the files a range of commits added
   * this way). A filter still prunes them by partition values and statistics.
   */
  readonly files?: readonly AddFile[];
  readonly signal?: AbortSignal;
}

/**
 * A planned read of one snapshot. Files are pruned by partition values and statistics; the rows
 * that remain are filtered exactly, deletion vectors applied, and columns returned with their
 * logical names and types in schema order.
 */
export class Scan {
  /** The Arrow schema of every batch this scan yields. */
  readonly schema: Schema;
  readonly #engine: Engine;
  readonly #snapshot: Snapshot;
  readonly #options: ScanOptions;
  readonly #timeZone: string;
  readonly #output: readonly StructField[];
  /** Output fields plus the fields the filter needs, in schema order. */
  readonly #needed: readonly StructField[];
  readonly #predicate: CompiledPredicate | undefined;
  readonly #fileFilter: FileFilter | undefined;

  /** @internal Created by {@link Snapshot.scan}. */
  constructor(engine: Engine, snapshot: Snapshot, options: ScanOptions, timeZone: string) {
    this.#engine = engine;
    this.#snapshot = snapshot;
    this.#options = options;
    this.#timeZone = timeZone;
    if (options.limit !== undefined && (!Number.isSafeInteger(options.limit) || options.limit < 0)) {
      throw new DeltaError('INVALID_ARGUMENT', `Scan limit must be a non-negative integer, got ${options.limit}.`);
    }
    const fields = snapshot.schema.fields;
    this.#output = selectColumns(fields, options.columns);
    if (options.filter !== undefined) {
      const source = typeof options.filter === 'string' ? options.filter : undefined;
      const expr = typeof options.filter === 'string' ? parsePredicate(options.filter, { timeZone }) : options.filter;
      const nowMicros = BigInt(engine.clock.nowMs()) * 1000n;
      const bound: TypedExpr = bindPredicate(expr, snapshot.schema, {
        partitionColumns: snapshot.partitionColumns,
        columnMappingMode: snapshot.columnMapping,
        timeZone,
        currentTimestampMicros: nowMicros,
        ...(source === undefined ? {} : { source }),
      });
      this.#predicate = compilePredicate(bound, { timeZone, nowMicros });
      this.#fileFilter = compileFileFilter(bound, { timeZone });
      const filterCols = new Set(referencedColumns(expr).map((p) => p[0]!.toLowerCase()));
      const outNames = new Set(this.#output.map((f) => f.name));
      this.#needed = fields.filter((f) => outNames.has(f.name) || filterCols.has(f.name.toLowerCase()));
    } else {
      this.#needed = this.#output;
    }
    this.schema = deltaToArrowSchema({ kind: 'struct', fields: this.#output });
  }

  /** The live files this scan will read, after partition and statistics pruning. */
  async files(): Promise<FileInfo[]> {
    return this.#prunedAdds().map(toFileInfo);
  }

  /** The matching rows as record batches; stops early at `limit`. */
  async *batches(): AsyncGenerator<RecordBatch> {
    const { signal } = this.#options;
    let remaining = this.#options.limit ?? Infinity;
    if (remaining === 0) return;
    const adds = this.#prunedAdds();
    if (adds.length === 0) return;
    const snap = this.#snapshot;
    const mode = snap.columnMapping;
    const partitionSet = new Set(snap.partitionColumns.map((c) => c.toLowerCase()));
    const dataFields = this.#needed.filter((f) => !partitionSet.has(f.name.toLowerCase()));
    // Reading no column gives no row count, so a scan that needs none reads one narrow column.
    const readFields = dataFields.length > 0 ? dataFields : firstDataField(snap.schema, partitionSet);
    const dataTarget: StructType = { kind: 'struct', fields: readFields };
    const columns = readFields.map((f) => physicalName(f, mode));
    const refs = adds.map((a) => ({ path: resolveLogPath(snap.tableRoot, a.path), size: a.size }));
    const neededSchema = deltaToArrowSchema({ kind: 'struct', fields: this.#needed });
    const rowOffsets = new Array<number>(adds.length).fill(0);
    const dvs = new Map<number, Promise<DeletedRows>>();

    for await (const { fileIndex, batch } of this.#engine.parquet.readFiles(refs, { columns, ...(signal ? { signal } : {}) })) {
      throwIfAborted(signal);
      const add = adds[fileIndex]!;
      const start = rowOffsets[fileIndex]!;
      rowOffsets[fileIndex] = start + batch.numRows;
      if (batch.numRows === 0) continue;
      const data = conformBatch(batch, dataTarget, { columnMapping: mode, filePath: refs[fileIndex]!.path });
      let full = this.#assemble(neededSchema, data, add, batch.numRows);
      let mask: Uint8Array | null = null;
      if (add.deletionVector !== undefined) {
        let dv = dvs.get(fileIndex);
        if (!dv) dvs.set(fileIndex, (dv = loadDeletionVector(this.#engine, snap.tableRoot, add.deletionVector, signal ? { signal } : {})));
        mask = (await dv).selectionForRange(start, batch.numRows);
      }
      if (this.#predicate) mask = andMasks(mask, this.#predicate.mask(full));
      if (mask) full = filterBatch(full, mask);
      if (full.numRows === 0) continue;
      let out = project(full, this.schema);
      if (out.numRows > remaining) out = out.slice(0, remaining);
      remaining -= out.numRows;
      yield out;
      if (remaining <= 0) return;
    }
  }

  /** All matching rows as one Arrow table. */
  async toTable(): Promise<Table> {
    const batches: RecordBatch[] = [];
    for await (const b of this.batches()) batches.push(b);
    return batches.length === 0 ? new Table(this.schema) : new Table(batches);
  }

  #prunedAdds(): AddFile[] {
    const all = this.#options.files ?? this.#snapshot.addFiles;
    const filter = this.#fileFilter;
    if (!filter) return [...all];
    if (!filter.satisfiable) return [];
    return all.filter((a) => filter.mayMatchAdd(a));
  }

  /** Data columns from the file plus partition columns from the log, in `schema` order. */
  #assemble(schema: Schema, data: RecordBatch, add: AddFile, numRows: number): RecordBatch {
    const snap = this.#snapshot;
    const children: Data[] = [];
    for (const f of this.#needed) {
      const child = data.getChild(f.name);
      if (child) {
        children.push(child.data[0]!);
        continue;
      }
      const key = physicalName(f, snap.columnMapping);
      const value = parsePartitionValue(add.partitionValues[key], f.type, { timeZone: this.#timeZone, column: f.name });
      children.push(buildPartitionColumn(value, f.type, numRows));
    }
    return new RecordBatch(schema, new Data(new Struct(schema.fields), 0, numRows, 0, undefined, children) as Data<Struct>);
  }
}

function selectColumns(fields: readonly StructField[], columns: readonly string[] | undefined): StructField[] {
  if (columns === undefined) return [...fields];
  const wanted = new Set<string>();
  for (const c of columns) {
    const f = fields.find((x) => x.name.toLowerCase() === c.toLowerCase());
    if (!f) {
      throw new DeltaError('COLUMN_NOT_FOUND', `Column "${c}" does not exist. Available columns: ${fields.map((x) => x.name).join(', ')}.`, {
        details: { column: c },
      });
    }
    wanted.add(f.name);
  }
  return fields.filter((f) => wanted.has(f.name));
}

function firstDataField(schema: StructType, partitions: ReadonlySet<string>): StructField[] {
  const f = schema.fields.find((x) => !partitions.has(x.name.toLowerCase()));
  return f ? [f] : [];
}

function andMasks(a: Uint8Array | null, b: Uint8Array): Uint8Array {
  if (!a) return b;
  for (let i = 0; i < a.length; i++) a[i]! &= b[i]!;
  return a;
}

function project(batch: RecordBatch, schema: Schema): RecordBatch {
  if (batch.schema.fields.length === schema.fields.length) return batch;
  const children = schema.fields.map((f: Field) => batch.getChild(f.name)!.data[0]!);
  return new RecordBatch(schema, new Data(new Struct(schema.fields), 0, batch.numRows, 0, undefined, children) as Data<Struct>);
}
