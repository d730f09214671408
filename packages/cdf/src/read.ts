/**
 * Streaming the rows of a planned change feed. Commits are read in order; their change files are
 * gathered into groups handed to the engine's parquet handler (`readFiles` decodes several files
 * in parallel and yields their batches in file order), and every batch is shaped like a scan's:
 * conformed to the end version's logical schema (column mapping, missing columns, type widening),
 * partition columns added from the action's partition values, then the three change columns, and
 * the rows outside the file's selection (deletion vectors) dropped.
 *
 * Memory: the actions of the few commits read ahead, the deletion vectors of one group of files,
 * and the batches the parquet handler keeps in flight; never the whole feed.
 */
import { DeltaError, throwIfAborted, type Action, type Engine, type StructField, type StructType } from '@deltakit/core';
import { buildPartitionColumn, conformBatch, filterBatch, parsePartitionValue, physicalName, readCommits, type ColumnMappingMode } from '@deltakit/core/internal';
import { Data, RecordBatch, Struct, type Schema } from 'apache-arrow';
import { pendingChangeFiles, resolveFiles, type ChangeFile, type PendingFile } from './change-files.js';
import { CHANGE_FIELDS, CHANGE_TYPE, type FeedPlan } from './plan.js';

/** Files per `readFiles` call: enough to keep the decode workers busy across small commits. */
const FILES_PER_GROUP = 32;
/** Commit files read ahead of the one being processed. */
const COMMITS_AHEAD = 8;

export interface ReadContext {
  readonly engine: Engine;
  /** IANA zone for legacy zone-less timestamp partition values. */
  readonly sessionTimeZone: string;
  readonly signal: AbortSignal | undefined;
}

/** The change rows of `plan`, batch by batch. */
export async function* readChanges(plan: FeedPlan, ctx: ReadContext): AsyncGenerator<RecordBatch> {
  const shape = outputShape(plan);
  const flush = async function* (group: readonly PendingFile[]): AsyncGenerator<RecordBatch> {
    const files = await resolveFiles(group, ctx.engine, plan.tableRoot, ctx.signal);
    if (files.length > 0) yield* readGroup(files, shape, ctx);
  };
  let group: PendingFile[] = [];
  for await (const files of commitFiles(plan, ctx)) {
    for (const f of files) {
      group.push(f);
      if (group.length >= FILES_PER_GROUP) {
        yield* flush(group);
        group = [];
      }
    }
  }
  if (group.length > 0) yield* flush(group);
}

/** The change files of each commit in order, reading commit files a window ahead. */
async function* commitFiles(plan: FeedPlan, ctx: ReadContext): AsyncGenerator<PendingFile[]> {
  const commits = plan.commits;
  const pending = new Map<number, Promise<Action[][]>>();
  const fetch = (i: number) => {
    if (i >= commits.length || pending.has(i)) return;
    const p = readCommits(ctx.engine, [commits[i]!.file], ctx.signal);
    p.catch(() => undefined); // observed when awaited; never an unhandled rejection meanwhile
    pending.set(i, p);
  };
  try {
    for (let i = 0; i < commits.length; i++) {
      for (let k = i; k < i + COMMITS_AHEAD; k++) fetch(k);
      const [actions] = await pending.get(i)!;
      pending.delete(i);
      throwIfAborted(ctx.signal);
      const { version, timestamp } = commits[i]!;
      yield pendingChangeFiles(actions!, { tableRoot: plan.tableRoot, version, timestamp });
    }
  } finally {
    pending.clear();
  }
}

/** How a file batch becomes an output batch. */
interface OutputShape {
  readonly schema: Schema;
  readonly fields: readonly StructField[];
  readonly partitions: ReadonlySet<string>;
  /** Position of each non-partition column in the conformed file batch. */
  readonly dataIndex: ReadonlyMap<string, number>;
  readonly dataTarget: StructType;
  readonly dataColumns: readonly string[];
  readonly columnMapping: ColumnMappingMode;
  /** See {@link constantColumn}. */
  readonly constants: Map<string, Data>;
}

function outputShape(plan: FeedPlan): OutputShape {
  const partitions = new Set(plan.partitionColumns.map((c) => c.toLowerCase()));
  const fields = plan.tableSchema.fields;
  const dataFields = fields.filter((f) => !partitions.has(f.name.toLowerCase()));
  return {
    schema: plan.schema,
    fields,
    partitions,
    dataIndex: new Map(dataFields.map((f, k) => [f.name, k])),
    dataTarget: { kind: 'struct', fields: dataFields },
    dataColumns: dataFields.map((f) => physicalName(f, plan.columnMapping)),
    columnMapping: plan.columnMapping,
    constants: new Map(),
  };
}

const CHANGE_TYPE_TARGET: StructType = { kind: 'struct', fields: [CHANGE_FIELDS[0]!] };

async function* readGroup(files: readonly ChangeFile[], shape: OutputShape, ctx: ReadContext): AsyncGenerator<RecordBatch> {
  const refs = files.map((f) => (f.size === undefined ? { path: f.path } : { path: f.path, size: f.size }));
  const columns = files.some((f) => f.source === 'cdc') ? [...shape.dataColumns, CHANGE_TYPE] : shape.dataColumns;
  const rowOffsets = new Array<number>(files.length).fill(0);
  const constants = new Map<number, FileConstants>();
  for await (const { fileIndex, batch } of ctx.engine.parquet.readFiles(refs, { columns, ...(ctx.signal ? { signal: ctx.signal } : {}) })) {
    throwIfAborted(ctx.signal);
    const file = files[fileIndex]!;
    const start = rowOffsets[fileIndex]!;
    const n = batch.numRows;
    rowOffsets[fileIndex] = start + n;
    if (n === 0) continue;
    const mask = selectionMask(file, start, n);
    if (mask === 'none') continue;
    let fc = constants.get(fileIndex);
    if (fc === undefined) constants.set(fileIndex, (fc = fileConstants(file, shape, ctx)));
    let out = assemble(batch, file, fc, shape);
    if (mask !== null) out = filterBatch(out, mask);
    if (out.numRows > 0) yield out;
  }
}

/**
 * Keep-mask of rows [start, start + n) of a file: null keeps all, `none` keeps none. Row indexes
 * are positions in the file, as deletion vectors count them.
 */
function selectionMask(file: ChangeFile, start: number, n: number): Uint8Array | null | 'none' {
  const s = file.selection;
  if (s.kind === 'all') return null;
  const deletedMask = s.rows.selectionForRange(start, n); // 1 = not in the set
  if (s.kind === 'except') return deletedMask;
  if (deletedMask === null) return 'none';
  for (let i = 0; i < n; i++) deletedMask[i] = deletedMask[i]! ^ 1;
  return deletedMask;
}

/** The values every row of one file shares: its partition values, change type, version and time. */
interface FileConstants {
  readonly partitions: ReadonlyMap<string, ReturnType<typeof parsePartitionValue>>;
  readonly changeType: string | undefined;
  readonly version: bigint;
  readonly timestampMicros: bigint;
}

function fileConstants(file: ChangeFile, shape: OutputShape, ctx: ReadContext): FileConstants {
  const partitions = new Map<string, ReturnType<typeof parsePartitionValue>>();
  for (const f of shape.fields) {
    if (!shape.partitions.has(f.name.toLowerCase())) continue;
    if (file.partitionValues === undefined) {
      throw new DeltaError(
        'CORRUPT_LOG',
        `The remove action of ${file.path} at version ${file.version} has no partitionValues, so the partition columns of its deleted rows are unknown. ` +
          'The writer omitted them (extendedFileMetadata); read a range that does not include that version.',
        { details: { path: file.path, version: file.version } },
      );
    }
    const text = file.partitionValues[physicalName(f, shape.columnMapping)];
    partitions.set(f.name, parsePartitionValue(text, f.type, { timeZone: ctx.sessionTimeZone, column: f.name }));
  }
  return { partitions, changeType: file.changeType, version: BigInt(file.version), timestampMicros: BigInt(file.timestamp) * 1000n };
}

function assemble(batch: RecordBatch, file: ChangeFile, fc: FileConstants, shape: OutputShape): RecordBatch {
  const n = batch.numRows;
  const data = conformBatch(batch, shape.dataTarget, { columnMapping: shape.columnMapping, filePath: file.path });
  const children: Data[] = [];
  for (const f of shape.fields) {
    const k = shape.dataIndex.get(f.name);
    children.push(k === undefined ? buildPartitionColumn(fc.partitions.get(f.name) ?? null, f.type, n) : data.data.children[k]!);
  }
  const [changeType, version, timestamp] = CHANGE_FIELDS as [StructField, StructField, StructField];
  children.push(fc.changeType === undefined ? changeTypeColumn(batch, file) : constantColumn(shape, fc.changeType, changeType, n));
  children.push(constantColumn(shape, fc.version, version, n));
  children.push(constantColumn(shape, fc.timestampMicros, timestamp, n));
  return new RecordBatch(shape.schema, new Data(new Struct(shape.schema.fields), 0, n, 0, undefined, children) as Data<Struct>);
}

/** Constant columns kept for reuse: batches of equal length share them (Arrow data is immutable). */
const CONSTANTS_KEPT = 16;

/** A column of `n` copies of `value`, reused across batches (most batches of a feed have equal lengths). */
function constantColumn(shape: OutputShape, value: string | bigint, f: StructField, n: number): Data {
  const key = `${f.name}\u0000${String(value)}\u0000${n}`;
  let data = shape.constants.get(key);
  if (data === undefined) {
    if (shape.constants.size >= CONSTANTS_KEPT) shape.constants.clear();
    shape.constants.set(key, (data = buildPartitionColumn(value, f.type, n)));
  }
  return data;
}

/** The `_change_type` column of a change data file, as a plain string column. */
function changeTypeColumn(batch: RecordBatch, file: ChangeFile): Data {
  if (!batch.schema.fields.some((f) => f.name === CHANGE_TYPE)) {
    throw new DeltaError(
      'CORRUPT_DATA_FILE',
      `Change data file ${file.path} (version ${file.version}) has no ${CHANGE_TYPE} column, so the kind of its changes is unknown. The file was not written as change data; restore it or read a range without version ${file.version}.`,
      { details: { path: file.path, version: file.version } },
    );
  }
  return conformBatch(batch, CHANGE_TYPE_TARGET, { columnMapping: 'none', filePath: file.path }).data.children[0]!;
}
