/**
 * Clustering columns by name: parsing the names users write (`a`, `s.x`, `` `a.b` ``), resolving
 * them against a schema to physical paths (Spark's `ClusteringColumn`), the reverse (Spark's
 * `ClusteringColumnInfo`), and Spark's checks on a clustering specification: at most four
 * columns, no duplicates, existing columns of orderable types, and statistics collected for each
 * (within `delta.dataSkippingNumIndexedCols` or `delta.dataSkippingStatsColumns`).
 *
 * Names resolve case-insensitively, as Delta resolves columns. Errors carry Spark's error class
 * in `details.errorClass`.
 */
import { DeltaError } from '../../errors.js';
import type { Metadata, Protocol } from '../../log/actions.js';
import { PHYSICAL_NAME_KEY } from '../../schema/column-mapping.js';
import { formatDataType } from '../../schema/json.js';
import type { DataType, StructField, StructType } from '../../schema/types.js';
import { boundsFor } from '../../write/stats-bounds.js';
import { statsFields, statsOptionsFromMetadata } from '../../write/stats-collector.js';
import { MAX_CLUSTERING_COLUMNS, type PhysicalPath } from './domain.js';

/** A clustering column resolved against a schema. */
export interface ClusteringColumn {
  /** Logical names from the top-level field down, in the schema's spelling. */
  readonly logical: readonly string[];
  /** Physical names (`delta.columnMapping.physicalName` where set), as the domain stores them. */
  readonly physical: PhysicalPath;
  /** The name as Spark prints it: parts joined by `.`, quoted with back-quotes where needed. */
  readonly name: string;
  readonly type: DataType;
}

/**
 * Splits a column name into parts as Spark's attribute-name parser does: `.` separates parts
 * outside back-quotes; a back-quoted part may hold any character, with ``` `` ``` for a back-quote.
 * Throws INVALID_ARGUMENT for empty parts or unbalanced quotes.
 */
export function parseColumnName(text: string): string[] {
  const parts: string[] = [];
  let part = '';
  let quoted = false;
  let wasQuoted = false;
  const fail = (why: string): never => {
    throw new DeltaError('INVALID_ARGUMENT', `Column name ${JSON.stringify(text)} is malformed: ${why}. Separate nested fields with "." and quote names with special characters in back-quotes, e.g. \`a.b\`.`, {
      details: { column: text },
    });
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch !== '`') part += ch;
      else if (text[i + 1] === '`') {
        part += '`';
        i++;
      } else {
        quoted = false;
        if (i + 1 < text.length && text[i + 1] !== '.') fail(`a quoted part must be followed by "." or end the name (position ${i + 1})`);
      }
    } else if (ch === '`') {
      if (part !== '') fail(`a back-quote in the middle of a part (position ${i})`);
      quoted = true;
      wasQuoted = true;
    } else if (ch === '.') {
      if (part === '' && !wasQuoted) fail('an empty part');
      parts.push(part);
      part = '';
      wasQuoted = false;
    } else {
      part += ch;
    }
  }
  if (quoted) fail('an unterminated back-quote');
  if (part === '' && !wasQuoted) fail('an empty part');
  parts.push(part);
  return parts;
}

/** A column path as Spark prints it (`FieldReference.toString`): parts that are not plain identifiers are back-quoted. */
export function formatColumnName(parts: readonly string[]): string {
  return parts.map((p) => (/^[A-Za-z0-9_]+$/.test(p) && !/^\d+$/.test(p) ? p : '`' + p.replaceAll('`', '``') + '`')).join('.');
}

/** The name of a field in data files and in the clustering domain (Spark's `getPhysicalName`). */
export function storedName(f: StructField): string {
  const p = f.metadata[PHYSICAL_NAME_KEY];
  return typeof p === 'string' && p !== '' ? p : f.name;
}

/**
 * Resolves a column name (parsed with {@link parseColumnName}) to its logical and physical path.
 * Throws COLUMN_NOT_FOUND when it names no column, and INVALID_ARGUMENT when it is or crosses a
 * variant (not orderable, as Spark refuses).
 */
export function resolveClusteringColumn(schema: StructType, name: string): ClusteringColumn {
  const parts = parseColumnName(name);
  const logical: string[] = [];
  const physical: string[] = [];
  let type: DataType = schema;
  for (const part of parts) {
    const f: StructField | undefined = type.kind === 'struct' ? type.fields.find((x) => x.name.toLowerCase() === part.toLowerCase()) : undefined;
    if (f === undefined) {
      throw new DeltaError('COLUMN_NOT_FOUND', `Clustering column ${name} is not a column of the table (columns: ${schema.fields.map((x) => formatColumnName([x.name])).join(', ')}). Cluster by existing columns; use a.b for nested fields.`, {
        details: { column: name, errorClass: 'DELTA_COLUMN_NOT_FOUND_IN_SCHEMA' },
      });
    }
    if (containsVariant(f.type)) throw unsupportedTypes([`${name} : ${formatDataType(f.type)}`]);
    logical.push(f.name);
    physical.push(storedName(f));
    type = f.type;
  }
  return { logical, physical, name: formatColumnName(logical), type };
}

/**
 * The logical column of a stored physical path (Spark's `ClusteringColumnInfo`), matching names
 * case-insensitively; undefined when the path names no field of `schema`.
 */
export function logicalClusteringColumn(schema: StructType, physical: PhysicalPath): ClusteringColumn | undefined {
  const logical: string[] = [];
  let type: DataType = schema;
  for (const part of physical) {
    if (type.kind !== 'struct') return undefined;
    const lower = part.toLowerCase();
    const f: StructField | undefined = type.fields.find((x) => storedName(x) === part) ?? type.fields.find((x) => storedName(x).toLowerCase() === lower);
    if (f === undefined) return undefined;
    logical.push(f.name);
    type = f.type;
  }
  return { logical, physical: [...physical], name: formatColumnName(logical), type };
}

/** What the checks of a clustering specification need to know about the table. */
export interface ClusteringTableContext {
  readonly schema: StructType;
  /** The configuration that decides which columns get statistics. */
  readonly configuration: Readonly<Record<string, string>>;
  readonly partitionColumns: readonly string[];
  readonly protocol?: Protocol;
}

/**
 * Resolves and checks a clustering specification as Spark does for CREATE and ALTER ... CLUSTER
 * BY: at most {@link MAX_CLUSTERING_COLUMNS} columns, no column twice, each resolvable and of an
 * orderable type, and each with statistics collected. Returns the columns in the given order.
 */
export function validateClusteringColumns(names: readonly string[], table: ClusteringTableContext): ClusteringColumn[] {
  if (!Array.isArray(names) || names.some((n) => typeof n !== 'string')) {
    throw new DeltaError('INVALID_ARGUMENT', 'Clustering columns must be an array of column names (strings), or "none" to remove clustering.');
  }
  if (names.length > MAX_CLUSTERING_COLUMNS) {
    throw new DeltaError(
      'INVALID_ARGUMENT',
      `CLUSTER BY supports up to ${MAX_CLUSTERING_COLUMNS} clustering columns, but ${names.length} were given (${names.join(', ')}). Remove the extra clustering columns.`,
      { details: { errorClass: 'DELTA_CLUSTER_BY_INVALID_NUM_COLUMNS', numColumnsLimit: MAX_CLUSTERING_COLUMNS, actualNumColumns: names.length } },
    );
  }
  const columns = names.map((n) => resolveClusteringColumn(table.schema, n));
  const seen = new Set<string>();
  for (const c of columns) {
    const key = c.logical.map((p) => p.toLowerCase()).join('\u0000');
    if (seen.has(key)) {
      throw new DeltaError('INVALID_ARGUMENT', `Clustering column ${c.name} is listed twice. List each clustering column once.`, {
        details: { errorClass: 'DELTA_DUPLICATE_COLUMNS_FOUND', column: c.name },
      });
    }
    seen.add(key);
  }
  checkClusteringStats(columns, table);
  return columns;
}

/**
 * Throws unless statistics are collected for every clustering column (Spark's
 * `validateClusteringColumnsInStatsSchema`): INVALID_ARGUMENT with error class
 * DELTA_CLUSTERING_COLUMNS_DATATYPE_NOT_SUPPORTED when a column's type has no min/max statistics
 * (booleans, binary, structs, arrays, maps), else DELTA_CLUSTERING_COLUMN_MISSING_STATS when a
 * column lies outside the indexed columns.
 */
export function checkClusteringStats(columns: readonly ClusteringColumn[], table: ClusteringTableContext): void {
  const options = statsOptionsFromMetadata(metadataFor(table), table.schema, table.protocol);
  const indexed = statsFields(options);
  const missing = columns.filter((c) => !hasMinMax(indexed, c.logical));
  if (missing.length === 0) return;
  const ineligible = missing.filter((c) => c.type.kind === 'struct' || boundsFor(c.type, 32) === undefined);
  if (ineligible.length > 0) throw unsupportedTypes(ineligible.map((c) => `${c.name} : ${formatDataType(c.type)}`));
  const names = missing.map((c) => c.name).join(', ');
  throw new DeltaError(
    'INVALID_ARGUMENT',
    `Clustering requires statistics on the clustering columns, but none are collected for ${names}. Columns with statistics: ${leafNames(indexed).join(', ') || '(none)'}. Move the column among the first delta.dataSkippingNumIndexedCols columns, raise that property, or list the column in delta.dataSkippingStatsColumns.`,
    { details: { errorClass: 'DELTA_CLUSTERING_COLUMN_MISSING_STATS', columns: missing.map((c) => c.name) } },
  );
}

function metadataFor(table: ClusteringTableContext): Metadata {
  return { id: '', format: { provider: 'parquet', options: {} }, schemaString: '', partitionColumns: table.partitionColumns, configuration: table.configuration };
}

/** Whether `path` names a leaf of `fields` whose type gets min/max statistics. */
function hasMinMax(fields: readonly StructField[], path: readonly string[]): boolean {
  let level: readonly StructField[] = fields;
  for (let i = 0; i < path.length; i++) {
    const f = level.find((x) => x.name.toLowerCase() === path[i]!.toLowerCase());
    if (f === undefined) return false;
    if (i === path.length - 1) return f.type.kind !== 'struct' && boundsFor(f.type, 32) !== undefined;
    if (f.type.kind !== 'struct') return false;
    level = f.type.fields;
  }
  return false;
}

function leafNames(fields: readonly StructField[], prefix: readonly string[] = []): string[] {
  return fields.flatMap((f) => {
    const path = [...prefix, f.name];
    if (f.type.kind === 'struct') return leafNames(f.type.fields, path);
    return boundsFor(f.type, 32) === undefined ? [] : [formatColumnName(path)];
  });
}

function containsVariant(t: DataType): boolean {
  switch (t.kind) {
    case 'primitive':
      return t.name === 'variant';
    case 'struct':
      return t.fields.some((f) => containsVariant(f.type));
    case 'array':
      return containsVariant(t.elementType);
    case 'map':
      return containsVariant(t.keyType) || containsVariant(t.valueType);
    default:
      return false;
  }
}

function unsupportedTypes(columnsWithTypes: readonly string[]): DeltaError {
  return new DeltaError(
    'INVALID_ARGUMENT',
    `CLUSTER BY is not supported for ${columnsWithTypes.join(', ')}: data skipping does not support ${columnsWithTypes.length === 1 ? 'this type' : 'these types'}. Cluster by columns of numeric, date, timestamp or string type.`,
    { details: { errorClass: 'DELTA_CLUSTERING_COLUMNS_DATATYPE_NOT_SUPPORTED', columns: [...columnsWithTypes] } },
  );
}
