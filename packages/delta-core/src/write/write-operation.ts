/**
 * `writeTable`: the DataFrame-style write of Delta Spark (`df.write.format("delta").mode(m).save`)
 * — append, overwrite (whole table, `replaceWhere`, or dynamic partition overwrite), create the
 * table when missing — with schema enforcement/evolution, idempotent application transactions,
 * and one atomic commit as the only visible step. Data files are streamed: the input is consumed
 * batch by batch and files are flushed as they fill.
 */
import type { RecordBatch } from 'apache-arrow';
import type { Engine } from '../engine.js';
import { DeltaError, throwIfAborted } from '../errors.js';
import type { Expr } from '../expr/ast.js';
import { bindPredicate } from '../expr/binder.js';
import { countSelected } from '../expr/compare.js';
import { compilePredicate, type CompiledPredicate } from '../expr/compile.js';
import { typedColumns, type TypedExpr } from '../expr/typed.js';
import { parsePredicate } from '../expr/parse.js';
import type { Metadata, Protocol } from '../log/actions.js';
import { clusteringDomainForOverwrite } from '../maintenance/clustering/ddl.js';
import { CLUSTERING_DOMAIN } from '../maintenance/clustering/domain.js';
import { columnMappingMode } from '../schema/column-mapping.js';
import type { StructType } from '../schema/types.js';
import type { Snapshot } from '../table/snapshot.js';
import { describeExpr } from '../transaction/describe-expr.js';
import { Transaction } from '../transaction/transaction.js';
import type { AutoCompactionOutcome } from '../maintenance/optimize/auto-settings.js';
import { optimizeWriteEnabled, resolveAutoCompact, type AutoCompactOption } from '../maintenance/optimize/auto-settings.js';
import { ChangeDataWriter } from './change-data-writer.js';
import { compileWriteChecks, type WriteChecks } from './checks.js';
import { DataFileWriter } from './data-writer.js';
import { normalizeInput, type WriteInput } from './input.js';
import { overwriteRemovals, type OverwritePlan } from './overwrite.js';
import { nullViolationError, nullViolations, reconcileSchema, type NullViolation, type SchemaProblem } from './schema-enforcement.js';
import { statsOptionsFromMetadata } from './stats-collector.js';
import { asNullable, loadSnapshotOrNull, planMetadata, samePartitioning, type MetadataPlan } from './table-setup.js';
import { reuseColumnMapping } from './schema-reuse.js';

export type WriteMode = 'append' | 'overwrite' | 'errorIfExists' | 'ignore';

export interface WriteOptions {
  /**
   * What to do with existing data: `append`, `overwrite` (all of it, or what `replaceWhere` /
   * dynamic partition overwrite selects), `errorIfExists` (default, as Spark: TABLE_ALREADY_EXISTS
   * when a table exists), `ignore` (do nothing when a table exists). A missing table is created
   * from the data's schema with every column nullable, as Spark's save does; use `createTable`
   * first for NOT NULL columns.
   */
  readonly mode?: WriteMode;
  /** Partition columns: for a new table (or with overwriteSchema); must match an existing table's. */
  readonly partitionBy?: readonly string[];
  /** With `overwrite`: replace only the rows matching this predicate; every written row must match it. */
  readonly replaceWhere?: string | Expr;
  /** With `overwrite` on a partitioned table: `dynamic` replaces only the partitions present in the data. Default `static`. */
  readonly partitionOverwriteMode?: 'static' | 'dynamic';
  /** Add data columns the table lacks (nested struct fields too) and allow enabled type widening. */
  readonly mergeSchema?: boolean;
  /** With `overwrite`: replace the table's schema and partitioning with the data's. */
  readonly overwriteSchema?: boolean;
  /** Table properties to set with this write (upgrading the protocol when they enable features). */
  readonly properties?: Readonly<Record<string, string>>;
  /** Idempotent write: skipped when the table's `txn` version for `appId` is already >= `version`. */
  readonly appTransaction?: { readonly appId: string; readonly version: bigint };
  readonly compression?: 'snappy' | 'zstd';
  /** Approximate bytes per data file; default 128 MiB. */
  readonly targetFileSize?: number;
  /**
   * Optimized write; overrides `delta.autoOptimize.optimizeWrite`. deltakit's writer always
   * buffers each partition's rows up to the target size over the whole write (what Spark's
   * optimized write achieves with a shuffle), so a write makes about one file per partition per
   * target size; see `DataWriterOptions.optimizeWrite`.
   */
  readonly optimizeWrite?: boolean;
  /**
   * Auto compaction after this write commits; overrides `delta.autoOptimize.autoCompact`.
   * `true` uses Spark's defaults (partitions written with at least 50 files of at most 64 MiB
   * are compacted into files of up to 128 MiB), or pass the settings. The outcome is
   * `WriteResult.autoCompaction`; it never fails the write.
   */
  readonly autoCompact?: AutoCompactOption;
  /** Maximum rows per parquet row group; default 1,048,576. */
  readonly rowGroupSize?: number;
  readonly signal?: AbortSignal;
  /**
   * The commitInfo operation and parameters to record instead of `WRITE` (the streaming Delta
   * sink records `STREAMING UPDATE` with `outputMode`, `queryId` and `epochId`, as Spark's).
   */
  readonly commitOperation?: { readonly name: string; readonly parameters: Readonly<Record<string, string>> };
  /** The data's schema when the input may be an empty stream of batches (which carries none). */
  readonly inputSchema?: StructType;
  /** Called after each input batch is buffered or written, with the rows consumed so far. */
  readonly onProgress?: (rowsWritten: number) => void;
  readonly engineInfo?: string;
  /**
   * IANA session time zone for expressions (constraints, generated columns, replaceWhere): Spark's
   * `spark.sql.session.timeZone`. `DeltaTable.write` passes the table's `sessionTimeZone`. Default UTC.
   */
  readonly timeZone?: string;
}

export interface WriteResult {
  /** The table version after the write (the current version when skipped). */
  readonly version: number;
  /** True when nothing was written: `ignore` found a table, or `appTransaction` was already applied. */
  readonly skipped: boolean;
  readonly numFiles: number;
  readonly numOutputRows: number;
  readonly numOutputBytes: number;
  /** What auto compaction did after the commit, when it is enabled. */
  readonly autoCompaction?: AutoCompactionOutcome;
}

const SPARK_MODE: Record<WriteMode, string> = { append: 'Append', overwrite: 'Overwrite', errorIfExists: 'ErrorIfExists', ignore: 'Ignore' };

/** Writes `data` to the Delta table at `tableRoot` (created when missing). */
export async function writeTable(
  engine: Engine,
  tableRoot: string,
  data: WriteInput,
  options: WriteOptions = {},
  /** Supplies the current snapshot (null: no table yet); lets DeltaTable reuse its cached state. */
  current: (signal?: AbortSignal) => Promise<Snapshot | null> = (signal) => loadSnapshotOrNull(engine, tableRoot, signal),
): Promise<WriteResult> {
  const mode = validateOptions(options);
  const { signal } = options;
  const normalized = await normalizeInput(data);
  const input = normalized.schema === undefined && options.inputSchema !== undefined ? { ...normalized, schema: options.inputSchema } : normalized;
  const snapshot = await current(signal);
  if (snapshot !== null) {
    if (mode === 'errorIfExists') {
      throw new DeltaError('TABLE_ALREADY_EXISTS', `A Delta table already exists at ${tableRoot} (version ${snapshot.version}); nothing was written. Pass mode "append" or "overwrite" to write to it, or "ignore" to skip.`, {
        details: { tableRoot, version: snapshot.version },
      });
    }
    if (mode === 'ignore') return skipped(snapshot.version);
    const app = options.appTransaction;
    if (app !== undefined && (snapshot.appTransactions.get(app.appId) ?? -1n) >= app.version) return skipped(snapshot.version);
  }
  if (input.schema === undefined && snapshot === null) {
    throw new DeltaError('INVALID_ARGUMENT', `The data stream is empty, so there is no schema to create the table at ${tableRoot} from. Pass an Arrow Table or { rows: [], schema } to create an empty table, or createTable.`);
  }
  const target = planTarget(engine, snapshot, input.schema ?? snapshot!.schema, options, mode);
  const predicate = bindReplaceWhere(options, target);
  // A replaceWhere on data columns rewrites files; on a CDF table the commit then carries change
  // data: the replaced rows as `delete`, the written rows as `insert` (Spark's replaceWhere with
  // the change data feed), since readers take all of a commit's changes from its cdc files.
  const changeData =
    predicate && !predicate.partitionOnly && snapshot !== null && mode === 'overwrite' && cdfEnabled(target.metadata)
      ? new ChangeDataWriter(engine, {
          tableRoot,
          schema: target.schema,
          partitionColumns: target.metadata.partitionColumns,
          columnMappingMode: columnMappingMode(target.metadata.configuration),
          ...(options.compression === undefined ? {} : { compression: options.compression }),
          ...(signal === undefined ? {} : { signal }),
        })
      : undefined;

  const tx = Transaction.begin(engine, snapshot, {
    operation: options.commitOperation?.name ?? 'WRITE',
    operationParameters: options.commitOperation?.parameters ?? {
      mode: SPARK_MODE[mode],
      partitionBy: JSON.stringify(options.partitionBy ?? []),
      ...(predicate ? { predicate: JSON.stringify([predicate.text]) } : {}),
    },
    tableRoot,
    ...(options.engineInfo === undefined ? {} : { engineInfo: options.engineInfo }),
    ...(signal === undefined ? {} : { signal }),
    ...(options.autoCompact === undefined ? {} : { autoCompact: options.autoCompact }),
    ...(options.timeZone === undefined ? {} : { timeZone: options.timeZone }),
  });
  if (options.appTransaction !== undefined) tx.readAppTransaction(options.appTransaction.appId);
  if (target.plan !== undefined) {
    if (target.plan.protocolChanged) tx.updateProtocol(target.plan.protocol);
    tx.updateMetadata(target.plan.metadata);
  }

  const writer = newWriter(engine, tableRoot, target, options);
  const checks = compileWriteChecks(target.metadata, target.schema, {
    protocol: target.protocol,
    nowMicros: BigInt(engine.clock.nowMs()) * 1000n,
    ...(options.timeZone === undefined ? {} : { timeZone: options.timeZone }),
  });
  await writeInput(input.batches, target.schema, writer, predicate ? compilePredicate(predicate.bound) : undefined, options, checks, changeData);
  let adds = await writer.finish();
  let rowsWritten = writer.numOutputRows;
  let bytesWritten = writer.numOutputBytes;
  const metrics: Record<string, number> = {};

  if (snapshot !== null && mode === 'overwrite') {
    const plan: OverwritePlan = {
      snapshot,
      schema: target.schema,
      partitionColumns: target.metadata.partitionColumns,
      columnMapping: columnMappingMode(target.metadata.configuration),
      ...(predicate ? { replaceWhere: predicate } : {}),
      dynamic: options.partitionOverwriteMode === 'dynamic' && !options.overwriteSchema,
      writtenPartitions: [...writer.partitions.values()],
      newWriter: () => newWriter(engine, tableRoot, target, options),
      ...(changeData === undefined ? {} : { changeData }),
      ...(signal === undefined ? {} : { signal }),
    };
    const clustering = clusteringDomainForOverwrite(snapshot, { replaceWhere: predicate !== undefined });
    if (clustering !== undefined) tx.setFeatureDomainMetadata(CLUSTERING_DOMAIN, clustering);
    const removal = await overwriteRemovals(engine, tx, plan);
    tx.removeFiles(removal.removes);
    adds = [...adds, ...removal.copiedAdds];
    rowsWritten += removal.copiedRows;
    bytesWritten += removal.copiedBytes;
    metrics.numRemovedFiles = removal.removes.length;
    if (removal.copiedAdds.length > 0) metrics.numCopiedRows = removal.copiedRows;
  }
  if (changeData !== undefined) {
    const cdc = await changeData.finish();
    tx.addCdcFiles(cdc);
    metrics.numAddedChangeFiles = cdc.length;
  }
  throwIfAborted(signal);
  if (options.appTransaction !== undefined) tx.setAppTransaction(options.appTransaction.appId, options.appTransaction.version);
  tx.addFiles(adds);
  tx.operationMetrics({ numFiles: adds.length, numOutputRows: rowsWritten, numOutputBytes: bytesWritten, ...metrics });
  const { version, postCommit } = await tx.commit();
  const autoCompaction = postCommit?.autoCompaction;
  return { version, skipped: false, numFiles: adds.length, numOutputRows: rowsWritten, numOutputBytes: bytesWritten, ...(autoCompaction ? { autoCompaction } : {}) };
}

function sameRecord(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

function cdfEnabled(metadata: Metadata): boolean {
  const c = metadata.configuration;
  return c['delta.enableChangeDataFeed']?.toLowerCase() === 'true' || c['delta.enableChangeDataCapture']?.toLowerCase() === 'true';
}

function skipped(version: number): WriteResult {
  return { version, skipped: true, numFiles: 0, numOutputRows: 0, numOutputBytes: 0 };
}

function validateOptions(options: WriteOptions): WriteMode {
  const mode = options.mode ?? 'errorIfExists';
  const bad = (why: string): never => {
    throw new DeltaError('INVALID_ARGUMENT', why);
  };
  if (!(mode in SPARK_MODE)) bad(`Unknown write mode "${String(mode)}". Use "append", "overwrite", "errorIfExists" or "ignore".`);
  if (options.replaceWhere !== undefined && mode !== 'overwrite') bad('replaceWhere only applies to mode "overwrite". Pass mode: "overwrite", or drop replaceWhere.');
  if (options.overwriteSchema && mode !== 'overwrite') bad('overwriteSchema only applies to mode "overwrite"; appends cannot replace the schema. Use mergeSchema to add columns, or mode "overwrite".');
  if (options.overwriteSchema && options.replaceWhere !== undefined) bad('overwriteSchema cannot be combined with replaceWhere: replacing the schema replaces all data. Drop one of them.');
  if (options.partitionOverwriteMode === 'dynamic' && options.replaceWhere !== undefined) bad('partitionOverwriteMode "dynamic" cannot be combined with replaceWhere. Use one of them.');
  if (options.partitionOverwriteMode !== undefined && !['static', 'dynamic'].includes(options.partitionOverwriteMode)) bad(`Unknown partitionOverwriteMode "${String(options.partitionOverwriteMode)}". Use "static" or "dynamic".`);
  if (options.compression !== undefined && !['snappy', 'zstd'].includes(options.compression)) bad(`Unknown compression "${String(options.compression)}". Use "snappy" or "zstd".`);
  const positive = (name: string, v: number | undefined) => {
    if (v !== undefined && (!Number.isSafeInteger(v) || v < 1)) bad(`${name} must be a positive integer, got ${v}.`);
  };
  positive('targetFileSize', options.targetFileSize);
  if (options.autoCompact !== undefined && options.autoCompact !== false) resolveAutoCompact(options.autoCompact);
  positive('rowGroupSize', options.rowGroupSize);
  const app = options.appTransaction;
  if (app !== undefined && (typeof app.appId !== 'string' || app.appId === '' || typeof app.version !== 'bigint')) {
    bad('appTransaction needs a non-empty string appId and a bigint version, e.g. { appId: "job-1", version: 7n }.');
  }
  return mode;
}

/** The table as this write leaves it: schema, metadata and protocol, and what must be committed. */
interface Target {
  readonly schema: StructType;
  readonly metadata: Metadata;
  readonly protocol: Protocol;
  /** Metadata (and maybe protocol) to commit; undefined when the table's stay as they are. */
  readonly plan: MetadataPlan | undefined;
}

function planTarget(engine: Engine, snapshot: Snapshot | null, input: StructType, options: WriteOptions, mode: WriteMode): Target {
  const now = engine.clock.nowMs();
  const properties = options.properties ?? {};
  const fromPlan = (plan: MetadataPlan): Target => ({ schema: plan.schema, metadata: plan.metadata, protocol: plan.protocol, plan });
  if (snapshot === null) {
    return fromPlan(planMetadata({ schema: asNullable(input), partitionColumns: options.partitionBy ?? [], configuration: properties, createdTime: now, keepsData: false }));
  }
  const meta = snapshot.metadata;
  const kept = {
    current: { protocol: snapshot.protocol, metadata: meta },
    id: meta.id,
    ...(meta.name === undefined ? {} : { name: meta.name }),
    ...(meta.description === undefined ? {} : { description: meta.description }),
    createdTime: meta.createdTime ?? now,
  };
  const configuration = { ...meta.configuration, ...properties };
  if (mode === 'overwrite' && options.overwriteSchema) {
    const schema = reuseColumnMapping(asNullable(input), snapshot.schema, columnMappingMode(meta.configuration));
    return fromPlan(planMetadata({ ...kept, schema, partitionColumns: options.partitionBy ?? [], configuration, keepsData: false }));
  }
  const problems: SchemaProblem[] = [];
  if (options.partitionBy !== undefined && !samePartitioning(options.partitionBy, meta.partitionColumns)) {
    problems.push({
      path: `partitionBy [${options.partitionBy.join(', ')}]`,
      problem: `differs from the table's partitioning [${meta.partitionColumns.join(', ')}]`,
      fix: 'overwriteSchema',
    });
  }
  const typeWidening = configuration['delta.enableTypeWidening']?.toLowerCase() === 'true';
  const rec = reconcileSchema(snapshot.schema, input, { mergeSchema: options.mergeSchema ?? false, typeWidening }, problems);
  const unchanged: Target = { schema: snapshot.schema, metadata: meta, protocol: snapshot.protocol, plan: undefined };
  if (!rec.changed && Object.keys(properties).length === 0) return unchanged;
  const plan = planMetadata({ ...kept, schema: rec.schema, partitionColumns: meta.partitionColumns, configuration, keepsData: true });
  const same = !plan.protocolChanged && plan.metadata.schemaString === meta.schemaString && sameRecord(plan.metadata.configuration, meta.configuration);
  return same ? unchanged : fromPlan(plan);
}

export interface BoundReplaceWhere {
  readonly expr: Expr;
  readonly bound: TypedExpr;
  readonly text: string;
  /** Every column the predicate reads is a partition column. */
  readonly partitionOnly: boolean;
}

function bindReplaceWhere(options: WriteOptions, target: Target): BoundReplaceWhere | undefined {
  const rw = options.replaceWhere;
  if (rw === undefined) return undefined;
  const expr = typeof rw === 'string' ? parsePredicate(rw, options.timeZone === undefined ? {} : { timeZone: options.timeZone }) : rw;
  const bound = bindPredicate(expr, target.schema, {
    partitionColumns: target.metadata.partitionColumns,
    columnMappingMode: columnMappingMode(target.metadata.configuration),
    ...(typeof rw === 'string' ? { source: rw } : {}),
    ...(options.timeZone === undefined ? {} : { timeZone: options.timeZone }),
  });
  return { expr, bound, text: typeof rw === 'string' ? rw : describeExpr(rw), partitionOnly: typedColumns(bound).every((c) => c.partition) };
}

function newWriter(engine: Engine, tableRoot: string, target: Target, options: WriteOptions): DataFileWriter {
  return new DataFileWriter(engine, {
    tableRoot,
    schema: target.schema,
    partitionColumns: target.metadata.partitionColumns,
    columnMappingMode: columnMappingMode(target.metadata.configuration),
    stats: statsOptionsFromMetadata(target.metadata, target.schema, target.protocol),
    ...(options.compression === undefined ? {} : { compression: options.compression }),
    ...(options.targetFileSize === undefined ? {} : { targetFileSize: options.targetFileSize }),
    ...(options.rowGroupSize === undefined ? {} : { rowGroupSize: options.rowGroupSize }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    optimizeWrite: optimizeWriteEnabled(target.metadata, options.optimizeWrite),
  });
}

/**
 * Conforms every input batch to the table schema, applies the table's write checks (constraints,
 * invariants, generated columns: a violation stops the write at once) and hands it to the writer. Null values in
 * non-nullable columns and rows outside `replaceWhere` stop the writing but the input is still
 * scanned, so the error reports the full counts; nothing is committed then.
 */
async function writeInput(
  batches: AsyncIterable<RecordBatch>,
  schema: StructType,
  writer: DataFileWriter,
  replaceWhere: CompiledPredicate | undefined,
  options: WriteOptions,
  checks: WriteChecks,
  changeData: ChangeDataWriter | undefined,
): Promise<void> {
  const violations = new Map<string, NullViolation>();
  let outside = 0;
  let consumed = 0;
  for await (const batch of batches) {
    throwIfAborted(options.signal);
    const conformed = checks.apply(batch); // conformed to the table schema; generated columns computed; constraints checked
    nullViolations(conformed, schema, violations);
    if (replaceWhere !== undefined) outside += conformed.numRows - countSelected(replaceWhere.mask(conformed));
    if (violations.size > 0 || outside > 0) continue;
    await writer.write(conformed);
    await changeData?.write(conformed, 'insert');
    consumed += conformed.numRows;
    options.onProgress?.(consumed);
  }
  if (violations.size > 0) throw nullViolationError(violations.values());
  if (outside > 0) {
    throw new DeltaError(
      'INVALID_WRITE',
      `${outside} row${outside === 1 ? ' of the data does' : 's of the data do'} not match replaceWhere (${typeof options.replaceWhere === 'string' ? options.replaceWhere : describeExpr(options.replaceWhere!)}); nothing was committed. ` +
        'With replaceWhere every written row must satisfy the predicate: filter the data to the predicate, or widen the predicate.',
      { details: { nonMatchingRows: outside } },
    );
  }
}
