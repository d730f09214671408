/**
 * The `delta.clustering` domain metadata (PROTOCOL.md, "Clustered Table"): a clustered table
 * stores its clustering columns as physical name paths,
 * `{"clusteringColumns":[["col-a1b2"],["s","x"]],"domainName":"delta.clustering"}` — every path is
 * the list of physical names from the top-level field down to the leaf. Delta Spark writes the
 * `domainName` key too; readers only need `clusteringColumns`.
 */
import { DeltaError } from '../../errors.js';
import type { Protocol } from '../../log/actions.js';
import { supportedWriterFeatures } from '../../log/protocol-check.js';
import { parseJson } from '../../util/json.js';

/** The domain holding a clustered table's clustering columns. */
export const CLUSTERING_DOMAIN = 'delta.clustering';
/** The writer feature of clustered tables (it requires `domainMetadata`). */
export const CLUSTERING_FEATURE = 'clustering';
/** `add.clusteringProvider` of files written by liquid clustering (Spark's `ClusteredTableUtils.clusteringProvider`). */
export const LIQUID_PROVIDER = 'liquid';
/** Most clustering columns a table may have (Spark's `clusteredTable.numClusteringColumnsLimit` default). */
export const MAX_CLUSTERING_COLUMNS = 4;

/** A clustering column as stored: its physical name path. */
export type PhysicalPath = readonly string[];

/** Whether the protocol supports the `clustering` writer feature (a clustered table). */
export function isClusteredProtocol(protocol: Protocol): boolean {
  return supportedWriterFeatures(protocol).has(CLUSTERING_FEATURE);
}

/** The domain configuration text for `columns`, exactly as Delta Spark serializes it. */
export function serializeClusteringDomain(columns: readonly PhysicalPath[]): string {
  return JSON.stringify({ clusteringColumns: columns.map((c) => [...c]), domainName: CLUSTERING_DOMAIN });
}

/**
 * The physical clustering column paths of a domain configuration. Throws CORRUPT_LOG when the
 * text is not JSON or `clusteringColumns` is not a list of non-empty lists of strings.
 */
export function parseClusteringDomain(configuration: string): PhysicalPath[] {
  let parsed: unknown;
  try {
    parsed = parseJson(configuration);
  } catch (e) {
    throw corruptDomain(configuration, e);
  }
  const columns = parsed !== null && typeof parsed === 'object' ? (parsed as { clusteringColumns?: unknown }).clusteringColumns : undefined;
  if (!Array.isArray(columns)) throw corruptDomain(configuration);
  for (const c of columns) {
    if (!Array.isArray(c) || c.length === 0 || !c.every((p) => typeof p === 'string')) throw corruptDomain(configuration);
  }
  return columns as string[][];
}

/**
 * The physical clustering paths of a table state: the live `delta.clustering` domain when the
 * protocol supports clustering; undefined for a table that is not clustered (or lacks the domain,
 * which Spark treats as no clustering columns).
 */
export function physicalClusteringPaths(protocol: Protocol, domains: ReadonlyMap<string, string>): PhysicalPath[] | undefined {
  if (!isClusteredProtocol(protocol)) return undefined;
  const text = domains.get(CLUSTERING_DOMAIN);
  return text === undefined ? undefined : parseClusteringDomain(text);
}

function corruptDomain(text: string, cause?: unknown): DeltaError {
  return new DeltaError(
    'CORRUPT_LOG',
    `The table's ${CLUSTERING_DOMAIN} domain metadata is not valid: ${JSON.stringify(text.slice(0, 200))}. It must be {"clusteringColumns": [["physicalName", ...], ...]}; the log was written by a non-conforming writer. Reset the clustering columns with clusterBy(...) from a client that can write the table.`,
    { ...(cause === undefined ? {} : { cause }), details: { domain: CLUSTERING_DOMAIN } },
  );
}
