/**
 * Liquid clustering (PROTOCOL.md "Clustered Table", Delta Spark's `skipping/clustering`): the
 * `delta.clustering` domain, clustering columns by name, CREATE/ALTER ... CLUSTER BY, keeping the
 * domain valid across schema changes, the Hilbert curve, and clustered OPTIMIZE.
 */
export { CLUSTERING_DOMAIN, CLUSTERING_FEATURE, LIQUID_PROVIDER, MAX_CLUSTERING_COLUMNS, isClusteredProtocol, parseClusteringDomain, serializeClusteringDomain, type PhysicalPath } from './domain.js';
export { formatColumnName, parseColumnName, resolveClusteringColumn, validateClusteringColumns, type ClusteringColumn, type ClusteringTableContext } from './columns.js';
export { clusteringColumns, clusteringColumnsOf, type ClusteringSource } from './table-columns.js';
export { alterClusterBy, clusteringDomainForOverwrite, prepareCreateClustering, type ClusterByOptions } from './ddl.js';
export { clusteringAfterSchemaChange, type ClusteringUpdate, type ColumnRename, type SchemaChange } from './schema-change.js';
export { HilbertCurve } from './hilbert.js';
export { optimizeClusteredTable, hilbertOrder, DEFAULT_MIN_CUBE_SIZE, DEFAULT_TARGET_CUBE_SIZE, type ClusteringOptimizeOptions } from './optimize.js';
export { selectZCubeGroups, zCubeOf, type ClusteringStats, type ClusteringFileStats, type ZCubeInfo } from './zcube.js';
export { rangeIds, clusteringKeys, orderByKey, DEFAULT_RANGE_IDS } from './order.js';
