/**
 * Keeping the `delta.clustering` domain valid across schema changes (ALTER TABLE RENAME / DROP /
 * CHANGE COLUMN, overwrites with a new schema). The domain stores physical paths, so under column
 * mapping a rename changes nothing; without column mapping the physical name is the logical one
 * and a rename must rewrite the path. Dropping a clustering column (or a struct holding one) is
 * refused, as Spark refuses it (DELTA_UNSUPPORTED_DROP_CLUSTERING_COLUMN).
 *
 * Callers (the ALTER TABLE operations) run this on the schema they are about to commit and stage
 * the returned configuration with `Transaction.setFeatureDomainMetadata(CLUSTERING_DOMAIN, ...)`.
 */
import { DeltaError } from '../../errors.js';
import type { Protocol } from '../../log/actions.js';
import { PHYSICAL_NAME_KEY } from '../../schema/column-mapping.js';
import type { StructField, StructType } from '../../schema/types.js';
import { checkClusteringStats, formatColumnName, logicalClusteringColumn, storedName, type ClusteringColumn } from './columns.js';
import { CLUSTERING_DOMAIN, physicalClusteringPaths, serializeClusteringDomain, type PhysicalPath } from './domain.js';

/** A column renamed by the change: its logical path before and after. */
export interface ColumnRename {
  readonly from: readonly string[];
  readonly to: readonly string[];
}

export interface SchemaChange {
  /** The table's protocol and live domains before the change (a `Snapshot` has both). */
  readonly protocol: Protocol;
  readonly domainMetadata: ReadonlyMap<string, string>;
  readonly oldSchema: StructType;
  /** The schema about to be committed (with its column mapping annotations). */
  readonly newSchema: StructType;
  /** Renames the change makes (a renamed struct renames every path below it). Default none. */
  readonly renames?: readonly ColumnRename[];
  /**
   * Also require statistics on every clustering column under the new schema and `configuration`
   * (Spark's optional check after ALTER COLUMN ... FIRST/AFTER; off by default there). Default false.
   */
  readonly checkStats?: { readonly configuration: Readonly<Record<string, string>>; readonly partitionColumns?: readonly string[] };
}

/** The outcome: the domain configuration to stage, or undefined when the domain stays as it is. */
export interface ClusteringUpdate {
  readonly domain: typeof CLUSTERING_DOMAIN;
  readonly configuration: string;
  /** The clustering columns after the change, as Spark prints them. */
  readonly columns: readonly string[];
}

/**
 * The clustering domain after a schema change. Each stored path is found in the old schema, followed
 * through `renames`, and resolved in the new schema; its new physical path is stored. Throws
 * UNSUPPORTED_OPERATION (DELTA_UNSUPPORTED_DROP_CLUSTERING_COLUMN, naming every such column) when
 * the change drops a clustering column or a struct holding one. Returns undefined when the table is
 * not clustered or no path changes.
 */
export function clusteringAfterSchemaChange(change: SchemaChange): ClusteringUpdate | undefined {
  const paths = physicalClusteringPaths(change.protocol, change.domainMetadata);
  if (paths === undefined || paths.length === 0) return undefined;
  const dropped: string[] = [];
  const after: ClusteringColumn[] = [];
  for (const path of paths) {
    const before = logicalClusteringColumn(change.oldSchema, path);
    // A path that did not resolve before the change is left to OPTIMIZE to report; keep it as is.
    if (before === undefined) return undefined;
    // Under column mapping the physical path identifies the column whatever its new name;
    // without it the path is the logical name, followed through the reported renames.
    const now = mappedColumn(change.newSchema, path) ?? resolveLogical(change.newSchema, renamed(before.logical, change.renames ?? []));
    if (now === undefined) dropped.push(before.name);
    else after.push(now);
  }
  if (dropped.length > 0) {
    throw new DeltaError(
      'UNSUPPORTED_OPERATION',
      `Dropping clustering columns (${dropped.join(',')}) is not allowed. Nothing was changed. Change the clustering columns first (clusterBy without ${dropped.length === 1 ? 'it' : 'them'}, or clusterBy('none')), then drop the column.`,
      { details: { errorClass: 'DELTA_UNSUPPORTED_DROP_CLUSTERING_COLUMN', columns: dropped } },
    );
  }
  if (change.checkStats !== undefined) {
    checkClusteringStats(after, { schema: change.newSchema, configuration: change.checkStats.configuration, partitionColumns: change.checkStats.partitionColumns ?? [], protocol: change.protocol });
  }
  const unchanged = after.every((c, i) => samePath(c.physical, paths[i]!));
  if (unchanged) return undefined;
  return { domain: CLUSTERING_DOMAIN, configuration: serializeClusteringDomain(after.map((c) => c.physical)), columns: after.map((c) => c.name) };
}

/** Applies the first rename whose `from` is a prefix of `path` (case-insensitive). */
function renamed(path: readonly string[], renames: readonly ColumnRename[]): readonly string[] {
  for (const r of renames) {
    if (r.from.length <= path.length && r.from.every((p, i) => p.toLowerCase() === path[i]!.toLowerCase())) return [...r.to, ...path.slice(r.from.length)];
  }
  return path;
}

/** The column at a logical path of `schema` (case-insensitive), with its physical path. */
function resolveLogical(schema: StructType, logical: readonly string[]): ClusteringColumn | undefined {
  const names: string[] = [];
  const physical: string[] = [];
  let fields: readonly StructField[] | undefined = schema.fields;
  let field: StructField | undefined;
  for (const part of logical) {
    field = fields?.find((f) => f.name.toLowerCase() === part.toLowerCase());
    if (field === undefined) return undefined;
    names.push(field.name);
    physical.push(storedName(field));
    fields = field.type.kind === 'struct' ? field.type.fields : undefined;
  }
  if (field === undefined) return undefined;
  return { logical: names, physical, name: formatColumnName(names), type: field.type };
}

/** The column stored at a physical path when its leaf carries a column mapping physical name. */
function mappedColumn(schema: StructType, physical: PhysicalPath): ClusteringColumn | undefined {
  const c = logicalClusteringColumn(schema, physical);
  if (c === undefined) return undefined;
  let fields: readonly StructField[] = schema.fields;
  let leaf: StructField | undefined;
  for (const name of c.logical) {
    leaf = fields.find((f) => f.name === name);
    fields = leaf?.type.kind === 'struct' ? leaf.type.fields : [];
  }
  return typeof leaf?.metadata[PHYSICAL_NAME_KEY] === 'string' ? c : undefined;
}

function samePath(a: PhysicalPath, b: PhysicalPath): boolean {
  return a.length === b.length && a.every((p, i) => p === b[i]);
}
