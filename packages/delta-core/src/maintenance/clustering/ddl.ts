/**
 * Clustering DDL as Delta Spark runs it: CREATE [OR REPLACE] TABLE ... CLUSTER BY (the `clusterBy`
 * option of `createTable`), ALTER TABLE ... CLUSTER BY (cols) | NONE (`DeltaTable.clusterBy`), and
 * what a whole-table overwrite does to the clustering columns.
 *
 * A clustered table supports the `clustering` writer feature (with `domainMetadata`, writer
 * version 7) and stores its columns in the `delta.clustering` domain. The feature is never
 * removed: REPLACE and CLUSTER BY NONE keep it and store an empty column list.
 */
import type { Engine } from '../../engine.js';
import { DeltaError, isDeltaError } from '../../errors.js';
import type { Protocol } from '../../log/actions.js';
import type { Snapshot } from '../../table/snapshot.js';
import { Transaction } from '../../transaction/transaction.js';
import type { MetadataPlan } from '../../write/table-setup.js';
import { protocolFor } from '../../write/protocol-for.js';
import { formatColumnName, validateClusteringColumns, type ClusteringColumn } from './columns.js';
import { CLUSTERING_DOMAIN, CLUSTERING_FEATURE, isClusteredProtocol, parseClusteringDomain, serializeClusteringDomain } from './domain.js';
import { clusteringColumnsOf } from './table-columns.js';

/** The property that asks for the clustering feature; set only by CLUSTER BY, never by users. */
const FEATURE_PROPERTY = `delta.feature.${CLUSTERING_FEATURE}`;
/** Spark's catalog property for clustering columns; never stored in the table's configuration. */
const COLUMNS_PROPERTY = 'clusteringColumns';

/** What `createTable` needs to add for clustering. */
export interface CreateClustering {
  /** The properties to plan the table with (the clustering feature requested when clustering). */
  readonly properties: Readonly<Record<string, string>>;
  /**
   * The `delta.clustering` domain configuration to commit for the planned table, checking the
   * columns against its final schema and statistics settings; undefined when none is written.
   */
  domainFor(plan: MetadataPlan): { readonly configuration: string; readonly columns: readonly string[] } | undefined;
}

/**
 * Checks `clusterBy` for CREATE / REPLACE TABLE and returns how to plan and commit it. `existing`
 * is the table being replaced (null when creating). Refuses clustering together with partitioning,
 * replacing a clustered table with a partitioned one, and the clustering feature or Spark's
 * `clusteringColumns` requested through properties (INVALID_ARGUMENT with Spark's error class).
 */
export function prepareCreateClustering(
  existing: Snapshot | null,
  request: { readonly clusterBy: readonly string[] | undefined; readonly partitionBy: readonly string[]; readonly properties: Readonly<Record<string, string>> },
): CreateClustering {
  const { clusterBy, partitionBy, properties } = request;
  for (const key of Object.keys(properties)) {
    if (key.toLowerCase() === FEATURE_PROPERTY.toLowerCase()) {
      throw invalid('DELTA_CREATE_TABLE_SET_CLUSTERING_TABLE_FEATURE_NOT_ALLOWED', `The ${CLUSTERING_FEATURE} table feature cannot be enabled through the property ${key}.`, 'Pass clusterBy: [columns] to create a clustered table.');
    }
    if (key === COLUMNS_PROPERTY) {
      throw invalid('DELTA_CANNOT_MODIFY_TABLE_PROPERTY', `The table property ${COLUMNS_PROPERTY} cannot be set.`, 'Pass clusterBy: [columns] to choose the clustering columns.');
    }
  }
  if (clusterBy !== undefined) {
    if (!Array.isArray(clusterBy) || clusterBy.length === 0) {
      throw new DeltaError('INVALID_ARGUMENT', 'clusterBy must list at least one column (at most 4). Omit clusterBy for a table without clustering.');
    }
    if (partitionBy.length > 0) {
      throw invalid('DELTA_CLUSTER_BY_WITH_PARTITIONED_BY', 'Clustering and partitioning cannot both be specified.', 'Remove partitionBy to create a clustered table, or clusterBy to create a partitioned one.');
    }
  }
  const wasClustered = existing !== null && isClusteredProtocol(existing.protocol);
  if (wasClustered && partitionBy.length > 0) {
    throw invalid('DELTA_CLUSTERING_REPLACE_TABLE_WITH_PARTITIONED_TABLE', `The table at ${existing.tableRoot} is clustered, and replacing a clustered table with a partitioned table is not allowed.`, 'Replace it without partitionBy (optionally with clusterBy), or create the partitioned table at another location.');
  }
  return {
    properties: clusterBy === undefined ? properties : { ...properties, [FEATURE_PROPERTY]: 'supported' },
    domainFor(plan) {
      if (clusterBy !== undefined) {
        const columns = validateClusteringColumns(clusterBy, { schema: plan.schema, configuration: plan.metadata.configuration, partitionColumns: [], protocol: plan.protocol });
        return { configuration: serializeClusteringDomain(columns.map((c) => c.physical)), columns: columns.map((c) => c.name) };
      }
      // REPLACE without CLUSTER BY: a table that had clustering columns keeps the feature with none.
      if (existing !== null && existing.domainMetadata.has(CLUSTERING_DOMAIN)) return { configuration: serializeClusteringDomain([]), columns: [] };
      return undefined;
    },
  };
}

/**
 * The domain configuration a whole-table overwrite commits (Spark's `WriteIntoDelta` replacing a
 * table without CLUSTER BY): an empty column list when the table has clustering columns; undefined
 * otherwise. `replaceWhere` overwrites keep the columns (pass `replaceWhere: true`).
 */
export function clusteringDomainForOverwrite(snapshot: Snapshot, options: { readonly replaceWhere: boolean }): string | undefined {
  if (options.replaceWhere || !snapshot.domainMetadata.has(CLUSTERING_DOMAIN)) return undefined;
  return serializeClusteringDomain([]);
}

export interface ClusterByOptions {
  readonly engineInfo?: string;
  readonly signal?: AbortSignal;
}

/**
 * ALTER TABLE ... CLUSTER BY (columns) or CLUSTER BY NONE (`'none'` or `[]`): commits the new
 * `delta.clustering` domain (operation `CLUSTER BY`). A table without the clustering feature gets
 * it (protocol upgrade) unless the change is NONE, which is then a no-op as in Spark. Existing
 * files are not rewritten; the next OPTIMIZE clusters new data by the new columns. Partitioned
 * tables are refused (UNSUPPORTED_OPERATION). A concurrent change of the clustering columns makes
 * the later commit fail with CONCURRENT_TRANSACTION; a concurrent schema change with
 * METADATA_CHANGED. Returns the new version (the current one for a no-op).
 */
export async function alterClusterBy(engine: Engine, snapshot: Snapshot, columns: readonly string[] | 'none', options: ClusterByOptions = {}): Promise<{ version: number }> {
  const names = columns === 'none' ? [] : columns;
  if (!Array.isArray(names)) {
    throw new DeltaError('INVALID_ARGUMENT', `clusterBy takes an array of column names or "none", got ${JSON.stringify(columns)}.`);
  }
  const context = { schema: snapshot.schema, configuration: snapshot.metadata.configuration, partitionColumns: snapshot.partitionColumns, protocol: snapshot.protocol };
  // Spark resolves the columns (existence, duplicates, count) before looking at partitioning.
  const resolved: ClusteringColumn[] = names.length > 0 ? validateClusteringColumns(names, context) : [];
  if (snapshot.partitionColumns.length > 0) {
    throw new DeltaError(
      'UNSUPPORTED_OPERATION',
      `ALTER TABLE CLUSTER BY cannot be applied to the table at ${snapshot.tableRoot}: it is partitioned by ${snapshot.partitionColumns.join(', ')}. Nothing was changed. Clustered tables are unpartitioned; rewrite the data into a new table created with clusterBy.`,
      { details: { errorClass: 'DELTA_ALTER_TABLE_CLUSTER_BY_ON_PARTITIONED_TABLE_NOT_ALLOWED' } },
    );
  }
  const clustered = isClusteredProtocol(snapshot.protocol);
  if (resolved.length === 0 && !clustered) return { version: snapshot.version };
  const old = clustered ? previousColumns(snapshot) : [];
  const tx = Transaction.begin(engine, snapshot, {
    operation: 'CLUSTER BY',
    operationParameters: { oldClusteringColumns: old.join(','), newClusteringColumns: resolved.map((c) => c.name).join(',') },
    ...(options.engineInfo === undefined ? {} : { engineInfo: options.engineInfo }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  if (!clustered) tx.updateProtocol(clusteringProtocol(snapshot));
  tx.setFeatureDomainMetadata(CLUSTERING_DOMAIN, serializeClusteringDomain(resolved.map((c) => c.physical)));
  const { version } = await tx.commit();
  return { version };
}

/**
 * The current clustering columns for the commit's `oldClusteringColumns`; a domain naming columns
 * the schema lacks (written by a non-conforming writer) is reported by its physical paths, so
 * CLUSTER BY can still replace it.
 */
function previousColumns(snapshot: Snapshot): string[] {
  try {
    return (clusteringColumnsOf(snapshot) ?? []).map((c) => c.name);
  } catch (e) {
    if (!isDeltaError(e, 'CORRUPT_LOG')) throw e;
    const text = snapshot.domainMetadata.get(CLUSTERING_DOMAIN) ?? '';
    try {
      return parseClusteringDomain(text).map((p) => formatColumnName(p));
    } catch {
      return [];
    }
  }
}

/** The table's protocol with the clustering feature (and `domainMetadata`) added. */
function clusteringProtocol(snapshot: Snapshot): Protocol {
  return protocolFor({ ...snapshot.metadata.configuration, [FEATURE_PROPERTY]: 'supported' }, snapshot.schema, snapshot.protocol).protocol;
}

function invalid(errorClass: string, problem: string, fix: string): DeltaError {
  return new DeltaError('INVALID_ARGUMENT', `${problem} Nothing was changed. ${fix}`, { details: { errorClass } });
}
