/**
 * Planning an OPTIMIZE as Delta Spark's `OptimizeExecutor` does: the live files of the selected
 * partitions are the considered files; the candidates among them (small files, files with deleted
 * rows; every file when Z-ordering) are grouped by partition, and each partition's candidates,
 * smallest first, are packed greedily into bins of at most the target size. A bin becomes one
 * output file (compaction) or, when Z-ordering, a partition is one bin whatever its size.
 *
 * Pure: reads the snapshot's log state only.
 */
import { DeltaError } from '../../errors.js';
import type { Expr } from '../../expr/ast.js';
import { bindPredicate } from '../../expr/binder.js';
import { parseExpression, parsePredicate } from '../../expr/parse.js';
import { compileFileFilter, type FileFilter } from '../../expr/skipping.js';
import { typedColumns } from '../../expr/typed.js';
import type { AddFile } from '../../log/actions.js';
import { physicalName } from '../../schema/column-mapping.js';
import { parsePartitionValue, serializePartitionValue } from '../../schema/partition-values.js';
import type { DataType, StructField, StructType } from '../../schema/types.js';
import type { Snapshot } from '../../table/snapshot.js';
import { describeExpr } from '../../transaction/describe-expr.js';
import { statsFields, statsOptionsFromMetadata } from '../../write/stats-collector.js';
import type { OptimizeSizes } from './options.js';

/** A group of files of one partition rewritten together. */
export interface OptimizeBin {
  /** Serialized partition values (physical names) as the first file of the bin has them. */
  readonly partitionValues: Readonly<Record<string, string | null>>;
  readonly files: readonly AddFile[];
}

/** A partition predicate, bound and compiled. */
export interface PartitionFilter {
  readonly expr: Expr;
  /** The predicate as recorded in commitInfo (`operationParameters.predicate`). */
  readonly text: string;
  readonly filter: FileFilter;
}

/** A resolved Z-order column. */
export interface ZOrderColumn {
  /** The name as the caller wrote it (recorded in commitInfo). */
  readonly name: string;
  /** Logical path in the schema, case resolved. */
  readonly path: readonly string[];
  readonly type: DataType;
}

export interface OptimizePlan {
  readonly bins: readonly OptimizeBin[];
  /** Live files in the selected partitions (Spark's `totalConsideredFiles`). */
  readonly consideredFiles: number;
}

export interface PlanOptions {
  readonly sizes: OptimizeSizes;
  readonly partitionFilter?: PartitionFilter;
  /** Z-ordering: every file of a partition is a candidate and a partition is one bin. */
  readonly multiDimensional?: boolean;
  /** Restricts to files whose partition key (see {@link partitionKey}) is in this set (auto compaction). */
  readonly partitionKeys?: ReadonlySet<string>;
  /** IANA zone for legacy zone-less timestamp partition values. */
  readonly timeZone?: string;
}

/** Plans the bins of one OPTIMIZE over `snapshot`. */
export function planOptimize(snapshot: Snapshot, options: PlanOptions): OptimizePlan {
  const { sizes, partitionFilter, partitionKeys } = options;
  const keyOf = partitionKeyFunction(snapshot, options.timeZone ?? 'UTC');
  const considered = snapshot.addFiles.filter((a) => (partitionFilter === undefined || partitionFilter.filter.mayMatchAdd(a)) && (partitionKeys === undefined || partitionKeys.has(keyOf(a))));
  const multi = options.multiDimensional ?? false;
  const candidates = multi ? considered : considered.filter((a) => a.size < sizes.minFileSize || hasTooManyDeletedRows(a, sizes.maxDeletedRowsRatio));
  const byPartition = new Map<string, AddFile[]>();
  for (const a of candidates) {
    const key = keyOf(a);
    const list = byPartition.get(key);
    if (list === undefined) byPartition.set(key, [a]);
    else list.push(a);
  }
  const bins: OptimizeBin[] = [];
  for (const files of byPartition.values()) {
    const partitionValues = files[0]!.partitionValues;
    for (const bin of packBins(files, multi ? Infinity : sizes.targetFileSize)) {
      if (multi || bin.length > 1 || bin[0]!.deletionVector !== undefined) bins.push({ partitionValues, files: bin });
    }
  }
  return { bins, consideredFiles: considered.length };
}

/**
 * Files sorted by size, cut greedily into runs whose total size stays within `maxBinSize` (a file
 * larger than that is a run of its own).
 */
export function packBins(files: readonly AddFile[], maxBinSize: number): AddFile[][] {
  const sorted = [...files].sort((a, b) => a.size - b.size);
  const bins: AddFile[][] = [];
  let current: AddFile[] = [];
  let size = 0;
  for (const f of sorted) {
    if (current.length > 0 && size + f.size > maxBinSize) {
      bins.push(current);
      current = [];
      size = 0;
    }
    current.push(f);
    size += f.size;
  }
  if (current.length > 0) bins.push(current);
  return bins;
}

/**
 * Whether a file's deleted rows exceed `ratio` of its rows. A file with a deletion vector but no
 * row count in its stats always qualifies (as in Spark: rewriting gives it stats).
 */
export function hasTooManyDeletedRows(add: AddFile, ratio: number): boolean {
  const dv = add.deletionVector;
  if (dv === undefined || dv.cardinality === 0) return false;
  const n = numRecordsOf(add);
  return n === undefined || n === 0 || dv.cardinality / n > ratio;
}

/** `numRecords` of an add's stats, without parsing the rest. */
export function numRecordsOf(add: AddFile): number | undefined {
  if (add.stats !== undefined) {
    const m = /"numRecords"\s*:\s*(\d+)/.exec(add.stats);
    return m ? Number(m[1]) : undefined;
  }
  const parsed = add.statsParsed as { numRecords?: unknown } | null | undefined;
  const n = parsed?.numRecords;
  return typeof n === 'number' ? n : typeof n === 'bigint' ? Number(n) : undefined;
}

/**
 * A function giving each file's partition key: its partition values parsed by type and serialized
 * again, so equal values written differently (legacy timestamps, `1` vs `01`) land together, as
 * Spark groups by normalized partition values.
 */
export function partitionKeyFunction(snapshot: Snapshot, timeZone: string): (add: Pick<AddFile, 'partitionValues'>) => string {
  const fields = partitionFields(snapshot);
  if (fields.length === 0) return () => '[]';
  const mode = snapshot.columnMapping;
  const names = fields.map((f) => physicalName(f, mode));
  return (add) =>
    JSON.stringify(
      fields.map((f, i) => {
        const raw = add.partitionValues[names[i]!];
        try {
          return serializePartitionValue(parsePartitionValue(raw, f.type, { timeZone, column: f.name }), f.type);
        } catch {
          return raw ?? null; // unparseable values group by their text
        }
      }),
    );
}

function partitionFields(snapshot: Snapshot): StructField[] {
  const fields = snapshot.schema.fields;
  return snapshot.partitionColumns.map((c) => fields.find((f) => f.name.toLowerCase() === c.toLowerCase())!);
}

/**
 * Binds an OPTIMIZE `WHERE` predicate: it must reference partition columns only (Spark's
 * DELTA_NON_PARTITION_COLUMN_REFERENCE), and decides exactly which files are considered.
 */
export function bindPartitionFilter(snapshot: Snapshot, where: string | Expr, timeZone: string): PartitionFilter {
  const source = typeof where === 'string' ? where : undefined;
  const expr = typeof where === 'string' ? parsePredicate(where, { timeZone }) : where;
  const bound = bindPredicate(expr, snapshot.schema, {
    partitionColumns: snapshot.partitionColumns,
    columnMappingMode: snapshot.columnMapping,
    timeZone,
    ...(source === undefined ? {} : { source }),
  });
  const other = typedColumns(bound).find((c) => !c.partition);
  if (other !== undefined) {
    throw new DeltaError(
      'INVALID_ARGUMENT',
      `The OPTIMIZE predicate ${source ?? describeExpr(expr)} references column '${other.path.join('.')}', which is not a partition column: OPTIMIZE selects whole partitions, so its predicate may use only the partition columns [${snapshot.partitionColumns.join(', ')}]. Remove the condition on '${other.path.join('.')}'.`,
      { details: { column: other.path.join('.'), partitionColumns: [...snapshot.partitionColumns], sparkErrorClass: 'DELTA_NON_PARTITION_COLUMN_REFERENCE' } },
    );
  }
  // Recorded as Spark records it: the expression's SQL (`(p = 'a')`), not the text as typed.
  return { expr, text: describeExpr(expr), filter: compileFileFilter(bound, { timeZone }) };
}

/**
 * Resolves Z-order column names against the table: each must name a data column (nested struct
 * fields as `a.b`, names with dots in backticks) of an orderable atomic type whose statistics the
 * table collects, as Spark requires (else Z-ordering cannot help data skipping).
 */
export function resolveZOrderColumns(snapshot: Snapshot, names: readonly string[]): ZOrderColumn[] {
  const schema = snapshot.schema;
  const partitions = new Set(snapshot.partitionColumns.map((c) => c.toLowerCase()));
  const out: ZOrderColumn[] = [];
  const withoutStats: string[] = [];
  const statSchema: StructType = { kind: 'struct', fields: statsFields(statsOptionsFromMetadata(snapshot.metadata, schema, snapshot.protocol)) };
  for (const name of names) {
    const parts = columnPath(name);
    if (parts.length === 1 && partitions.has(parts[0]!.toLowerCase())) {
      throw new DeltaError('INVALID_ARGUMENT', `Cannot Z-order by ${name}: it is a partition column, and every file holds a single value of it. Z-order by data columns only; restrict partitions with \`where\` instead.`, {
        details: { column: name, sparkErrorClass: 'DELTA_ZORDERING_ON_PARTITION_COLUMN' },
      });
    }
    const found = findField(schema, parts);
    if (found === undefined || partitions.has(parts[0]!.toLowerCase())) {
      throw new DeltaError('COLUMN_NOT_FOUND', `Z-order column ${name} is not a column of the table's data schema (columns: ${schema.fields.filter((f) => !partitions.has(f.name.toLowerCase())).map((f) => f.name).join(', ')}). Check the spelling; nested fields are written a.b.`, {
        details: { column: name, sparkErrorClass: 'DELTA_ZORDERING_COLUMN_DOES_NOT_EXIST' },
      });
    }
    const kind = found.type.kind;
    if (kind !== 'primitive' && kind !== 'decimal') {
      throw new DeltaError('UNSUPPORTED_OPERATION', `Cannot Z-order by ${name}: its type is ${kind}, and only atomic columns (numbers, strings, dates, timestamps, booleans, binary) have the ordering Z-order needs. Z-order by an atomic field inside it instead.`, { details: { column: name } });
    }
    if (kind === 'primitive' && found.type.name === 'variant') {
      throw new DeltaError('UNSUPPORTED_OPERATION', `Cannot Z-order by ${name}: variant values have no ordering. Z-order by an atomic column.`, { details: { column: name } });
    }
    if (findField(statSchema, found.path) === undefined) withoutStats.push(name);
    out.push({ name, path: found.path, type: found.type });
  }
  if (withoutStats.length > 0) {
    throw new DeltaError(
      'INVALID_ARGUMENT',
      `Cannot Z-order by [${withoutStats.join(', ')}]: the table collects no statistics for ${withoutStats.length === 1 ? 'this column' : 'these columns'}, so the new layout could not be used to skip files. Add ${withoutStats.length === 1 ? 'it' : 'them'} to delta.dataSkippingStatsColumns (or raise delta.dataSkippingNumIndexedCols) first.`,
      { details: { columns: withoutStats, sparkErrorClass: 'DELTA_ZORDERING_ON_COLUMN_WITHOUT_STATS' } },
    );
  }
  return out;
}

/** A column name as written (`a.b`, `` `a.b` ``) split into its parts. */
function columnPath(name: string): string[] {
  let e: Expr;
  try {
    e = parseExpression(name);
  } catch (cause) {
    throw new DeltaError('INVALID_ARGUMENT', `Z-order column "${name}" is not a column name. Write names as a, a.b, or \`name with dots\`.`, { cause, details: { column: name } });
  }
  if (e.kind !== 'column') throw new DeltaError('INVALID_ARGUMENT', `Z-order column "${name}" is not a column name. Write names as a, a.b, or \`name with dots\`.`, { details: { column: name } });
  return [...e.path];
}

/** The field at `parts` (case-insensitive), with its path as spelled in the schema. */
function findField(schema: StructType, parts: readonly string[]): { path: string[]; type: DataType } | undefined {
  let fields = schema.fields;
  const path: string[] = [];
  let type: DataType | undefined;
  for (const p of parts) {
    const f = fields.find((x) => x.name === p) ?? fields.find((x) => x.name.toLowerCase() === p.toLowerCase());
    if (f === undefined) return undefined;
    path.push(f.name);
    type = f.type;
    fields = f.type.kind === 'struct' ? f.type.fields : [];
  }
  return type === undefined ? undefined : { path, type };
}
