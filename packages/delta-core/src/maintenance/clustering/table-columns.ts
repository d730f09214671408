/**
 * A table's clustering columns, read from a snapshot: the `delta.clustering` domain's physical
 * paths resolved to the current schema's logical names (Spark's
 * `ClusteringColumnInfo.extractLogicalNames`). For `DESCRIBE DETAIL`, OPTIMIZE and the CLI.
 */
import { DeltaError } from '../../errors.js';
import type { Protocol } from '../../log/actions.js';
import type { StructType } from '../../schema/types.js';
import { logicalClusteringColumn, type ClusteringColumn } from './columns.js';
import { CLUSTERING_DOMAIN, physicalClusteringPaths } from './domain.js';

/** The parts of a snapshot clustering reads (a `Snapshot` has them all). */
export interface ClusteringSource {
  readonly protocol: Protocol;
  /** Live domain metadata: domain name to configuration text. */
  readonly domainMetadata: ReadonlyMap<string, string>;
  readonly schema: StructType;
  readonly tableRoot?: string;
}

/**
 * The clustering columns of a snapshot, resolved: undefined when the table is not clustered (no
 * `clustering` feature, or no `delta.clustering` domain), `[]` after CLUSTER BY NONE. A stored
 * path that names no column of the schema throws CORRUPT_LOG (writers keep the domain valid).
 */
export function clusteringColumnsOf(snapshot: ClusteringSource): ClusteringColumn[] | undefined {
  const paths = physicalClusteringPaths(snapshot.protocol, snapshot.domainMetadata);
  if (paths === undefined) return undefined;
  return paths.map((p) => {
    const c = logicalClusteringColumn(snapshot.schema, p);
    if (c === undefined) {
      throw new DeltaError(
        'CORRUPT_LOG',
        `The ${CLUSTERING_DOMAIN} domain of the table${snapshot.tableRoot === undefined ? '' : ` at ${snapshot.tableRoot}`} names clustering column [${p.join(', ')}] (physical names), which is not in the table schema. A writer changed the schema without updating the clustering columns; reset them with clusterBy(...).`,
        { details: { domain: CLUSTERING_DOMAIN, physicalPath: [...p] } },
      );
    }
    return c;
  });
}

/**
 * The clustering columns of a snapshot as Spark prints them (`a`, `s.x`, `` `a b` ``), in order;
 * `[]` when the table is not clustered or was set to CLUSTER BY NONE.
 */
export function clusteringColumns(snapshot: ClusteringSource): string[] {
  return (clusteringColumnsOf(snapshot) ?? []).map((c) => c.name);
}
