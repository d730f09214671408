/**
 * Rewriting a group of data files: their live rows (deletion vectors applied) are written again
 * through the table's writer (`DataFileWriter`: partition directories, column mapping, Spark's
 * statistics) as new files, and the old files are removed. Nothing is committed here: the
 * returned actions (`dataChange: false`, as data is rearranged, not changed) go to
 * {@link commitOptimize} or a caller's own transaction. This is the building block of compaction,
 * Z-ordering and clustering.
 *
 * Without an order, rows stream through in file order (memory: about one output file). With a
 * {@link RowOrder}, the order's key columns of every live row are read first (held in memory), the
 * order computed, and the rows then written in that order. Rows are gathered in passes: each pass
 * re-reads the input and keeps the rows of the next slice of the order, so at most about
 * `maxPassBytes` of input (plus its Arrow copy) is held at once; larger groups cost one extra read
 * of the input per pass.
 */
import type { RecordBatch } from 'apache-arrow';
import type { Engine } from '../../engine.js';
import { DeltaError, throwIfAborted } from '../../errors.js';
import { concatBatches } from '../../expr/concat.js';
import { takeRows } from '../../expr/filter.js';
import type { AddFile, RemoveFile } from '../../log/actions.js';
import { resolveLogPath } from '../../log/paths.js';
import { deltaToArrowSchema } from '../../schema/arrow.js';
import type { StructField } from '../../schema/types.js';
import type { Snapshot } from '../../table/snapshot.js';
import { DataFileWriter } from '../../write/data-writer.js';
import { statsOptionsFromMetadata } from '../../write/stats-collector.js';
import { removeFor } from '../../write/table-setup.js';
import { numRecordsOf } from './plan.js';
import { readLiveRows } from './read-files.js';

/** Input bytes (file sizes) gathered per pass of an ordered rewrite, by default. */
export const DEFAULT_MAX_PASS_BYTES = 256 * 1024 * 1024;

/**
 * An order to write rows in. `permutation` receives the `columns` of every live row of the group,
 * numbered 0..n-1 across `batches` in order (file after file, in the order the files were given),
 * and returns `perm` with `perm[k]` = the number of the row to write k-th (a permutation of
 * 0..n-1). Output files are consecutive runs of that order.
 */
export interface RowOrder {
  /** Top-level logical column names the order reads (case-insensitive). */
  readonly columns: readonly string[];
  permutation(batches: readonly RecordBatch[]): Int32Array | Promise<Int32Array>;
}

export interface RewriteOptions {
  /** Bytes per output file. */
  readonly targetFileSize: number;
  /**
   * Write everything into as few files as the writer allows (one file per partition unless a file
   * would exceed the writer's per-file memory cap), ignoring `targetFileSize`: a compaction bin.
   */
  readonly singleFile?: boolean;
  /** Write rows in this order; absent: file order. */
  readonly order?: RowOrder;
  /** Input bytes per pass of an ordered rewrite. Default {@link DEFAULT_MAX_PASS_BYTES}. */
  readonly maxPassBytes?: number;
  /** IANA zone for legacy zone-less timestamp partition values. Default UTC. */
  readonly timeZone?: string;
  readonly signal?: AbortSignal;
  /** Called with the rows written so far, after each batch handed to the writer. */
  onRows?(rowsWritten: number): void;
}

export interface RewriteResult {
  /** The new files (`dataChange: false`), in the order written. */
  readonly adds: AddFile[];
  /** Removes of every input file (`dataChange: false`). */
  readonly removes: RemoveFile[];
  /** Live rows read and written. */
  readonly numRows: number;
}

/** Rewrites the live rows of `files` (add actions of `snapshot`) into new files. */
export async function rewriteFiles(engine: Engine, snapshot: Snapshot, files: readonly AddFile[], options: RewriteOptions): Promise<RewriteResult> {
  const writer = new DataFileWriter(engine, {
    tableRoot: snapshot.tableRoot,
    schema: snapshot.schema,
    partitionColumns: snapshot.partitionColumns,
    columnMappingMode: snapshot.columnMapping,
    stats: statsOptionsFromMetadata(snapshot.metadata, snapshot.schema, snapshot.protocol),
    targetFileSize: options.singleFile ? Number.MAX_SAFE_INTEGER : options.targetFileSize,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  let numRows: number;
  let written: AddFile[];
  try {
    numRows = options.order === undefined ? await copyInFileOrder(engine, snapshot, files, writer, options) : await copyInOrder(engine, snapshot, files, writer, options.order, options);
    written = await writer.finish();
    checkRowCount(files, numRows, writer.numOutputRows);
  } catch (e) {
    await Promise.all(writer.adds.map((a) => engine.store.delete(resolveLogPath(snapshot.tableRoot, a.path)).catch(() => undefined)));
    throw e;
  }
  const now = engine.clock.nowMs();
  return {
    adds: written.map((a) => ({ ...a, dataChange: false })),
    removes: files.map((f) => ({ ...removeFor(f, now), dataChange: false })),
    numRows,
  };
}

async function copyInFileOrder(engine: Engine, snapshot: Snapshot, files: readonly AddFile[], writer: DataFileWriter, options: RewriteOptions): Promise<number> {
  let rows = 0;
  for await (const { batch } of readLiveRows(engine, snapshot, files, readOptions(options))) {
    await writer.write(batch);
    rows += batch.numRows;
    options.onRows?.(rows);
  }
  return rows;
}

async function copyInOrder(engine: Engine, snapshot: Snapshot, files: readonly AddFile[], writer: DataFileWriter, order: RowOrder, options: RewriteOptions): Promise<number> {
  const keyFields = fieldsNamed(snapshot, order.columns);
  const keys: RecordBatch[] = [];
  for await (const { batch } of readLiveRows(engine, snapshot, files, { ...readOptions(options), fields: keyFields })) keys.push(batch);
  const n = keys.reduce((s, b) => s + b.numRows, 0);
  const rank = ranksOf(await order.permutation(keys), n);
  keys.length = 0;
  if (n === 0) return 0;
  const totalBytes = files.reduce((s, f) => s + f.size, 0);
  const passes = Math.min(n, Math.max(1, Math.ceil(totalBytes / (options.maxPassBytes ?? DEFAULT_MAX_PASS_BYTES))));
  const perPass = Math.ceil(n / passes);
  const schema = deltaToArrowSchema(snapshot.schema);
  let written = 0;
  for (let lo = 0; lo < n; lo += perPass) {
    throwIfAborted(options.signal);
    const hi = Math.min(n, lo + perPass);
    const pass = await gatherPass(engine, snapshot, files, rank, lo, hi, options);
    const whole = concatBatches(schema, pass.pieces);
    pass.pieces.length = 0;
    const at = new Int32Array(hi - lo);
    for (let j = 0; j < pass.ranks.length; j++) at[pass.ranks[j]! - lo] = j;
    await writer.write(takeRows(whole, at));
    written += hi - lo;
    options.onRows?.(written);
  }
  return n;
}

/** The rows whose rank is in [lo, hi), with their ranks, read in one pass over the input. */
async function gatherPass(engine: Engine, snapshot: Snapshot, files: readonly AddFile[], rank: Int32Array, lo: number, hi: number, options: RewriteOptions): Promise<{ pieces: RecordBatch[]; ranks: Int32Array }> {
  const pieces: RecordBatch[] = [];
  const ranks = new Int32Array(hi - lo);
  let kept = 0;
  let g = 0;
  const everything = lo === 0 && hi === rank.length;
  for await (const { batch } of readLiveRows(engine, snapshot, files, readOptions(options))) {
    const m = batch.numRows;
    if (g + m > rank.length) throw changedInput(files);
    if (everything) {
      for (let i = 0; i < m; i++) ranks[kept++] = rank[g + i]!;
      pieces.push(batch);
    } else {
      const idx: number[] = [];
      for (let i = 0; i < m; i++) {
        const r = rank[g + i]!;
        if (r >= lo && r < hi) {
          idx.push(i);
          ranks[kept++] = r;
        }
      }
      if (idx.length > 0) pieces.push(idx.length === m ? batch : takeRows(batch, Int32Array.from(idx)));
    }
    g += m;
  }
  if (g !== rank.length || kept !== hi - lo) throw changedInput(files);
  return { pieces, ranks };
}

/** `rank[i]` = position of row i in the order; checks `perm` is a permutation of 0..n-1. */
function ranksOf(perm: Int32Array, n: number): Int32Array {
  if (perm.length !== n) throw new DeltaError('INTERNAL', `A row order returned ${perm.length} positions for ${n} rows; it must return a permutation of every row. This is a bug in the order's implementation.`);
  const rank = new Int32Array(n).fill(-1);
  for (let k = 0; k < n; k++) {
    const i = perm[k]!;
    if (!(i >= 0 && i < n) || rank[i] !== -1) throw new DeltaError('INTERNAL', `A row order is not a permutation (row ${i} at position ${k}). This is a bug in the order's implementation.`);
    rank[i] = k;
  }
  return rank;
}

/** The top-level fields named (case-insensitive), in schema order. */
function fieldsNamed(snapshot: Snapshot, names: readonly string[]): StructField[] {
  const wanted = new Set(names.map((c) => c.toLowerCase()));
  const fields = snapshot.schema.fields.filter((f) => wanted.has(f.name.toLowerCase()));
  if (fields.length !== wanted.size) {
    const missing = [...wanted].filter((w) => !fields.some((f) => f.name.toLowerCase() === w));
    throw new DeltaError('COLUMN_NOT_FOUND', `The row order reads column(s) ${missing.join(', ')}, which the table does not have. Columns: ${snapshot.schema.fields.map((f) => f.name).join(', ')}.`);
  }
  return fields;
}

function readOptions(options: RewriteOptions): { timeZone?: string; signal?: AbortSignal } {
  return { ...(options.timeZone === undefined ? {} : { timeZone: options.timeZone }), ...(options.signal ? { signal: options.signal } : {}) };
}

/** Live rows expected from the log (when every file has a row count) must match rows read and written. */
function checkRowCount(files: readonly AddFile[], read: number, written: number): void {
  let expected = 0;
  for (const f of files) {
    const n = numRecordsOf(f);
    if (n === undefined) {
      expected = -1;
      break;
    }
    expected += n - (f.deletionVector?.cardinality ?? 0);
  }
  if (read !== written || (expected >= 0 && expected !== read)) {
    throw new DeltaError('INTERNAL', `Rewriting ${files.length} files read ${read} live rows and wrote ${written}, but their statistics count ${expected}. Nothing was committed; the table is unchanged. This is a bug in deltakit or a data file disagrees with its statistics.`, {
      details: { read, written, expected },
    });
  }
}

function changedInput(files: readonly AddFile[]): DeltaError {
  return new DeltaError('CORRUPT_DATA_FILE', `The ${files.length} files being rewritten returned a different number of rows on a second read. Nothing was committed; check that no process modifies data files in place.`);
}
