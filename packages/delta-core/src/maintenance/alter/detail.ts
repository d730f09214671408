/**
 * DESCRIBE DETAIL, as Delta Spark's `DescribeDeltaDetailCommand` reports a Delta table: one record
 * of the table's identity, location, times, layout, size, properties and protocol.
 */
import type { Engine } from '../../engine.js';
import { DeltaError, isDeltaError, throwIfAborted, wrapEngineError } from '../../errors.js';
import type { Protocol } from '../../log/actions.js';
import { commitPath, formatVersion, logDirOf } from '../../log/log-path.js';
import type { Snapshot } from '../../table/snapshot.js';
import { clusteringColumnPaths } from './dependents.js';
import { quotedColumnPath } from './paths.js';

/** The fields of Spark's DESCRIBE DETAIL (`TableDetail`), in its order. */
export interface TableDetail {
  /** Always `delta`. */
  readonly format: 'delta';
  /** The table id (`metaData.id`). */
  readonly id: string;
  /** `metaData.name` (null for path-based tables without one, as in Spark). */
  readonly name: string | null;
  /** `metaData.description`. */
  readonly description: string | null;
  /** The table root, as Spark prints a path (`file:/tmp/t` for a local table). */
  readonly location: string;
  /** `metaData.createdTime`, when recorded. */
  readonly createdAt: Date | null;
  /** Modification time of the snapshot's commit file (Spark's `lastModified`). */
  readonly lastModified: Date;
  readonly partitionColumns: readonly string[];
  /** Clustering columns from the `delta.clustering` domain (logical names, `a.b` for nested); [] when not clustered. */
  readonly clusteringColumns: readonly string[];
  /** Live data files. */
  readonly numFiles: number;
  /** Total size of the live data files in bytes. */
  readonly sizeInBytes: number;
  /** `metaData.configuration`. */
  readonly properties: Readonly<Record<string, string>>;
  readonly minReaderVersion: number;
  readonly minWriterVersion: number;
  /** Every feature the protocol supports, explicitly listed or implied by legacy versions, sorted. */
  readonly tableFeatures: readonly string[];
}

/** Legacy features with the `(reader, writer)` versions that imply them (Spark's `isLegacyFeature` set). */
const LEGACY_FEATURES: readonly (readonly [string, number, number])[] = [
  ['appendOnly', 1, 2],
  ['invariants', 1, 2],
  ['checkConstraints', 1, 3],
  ['changeDataFeed', 1, 4],
  ['generatedColumns', 1, 4],
  ['columnMapping', 2, 5],
  ['identityColumns', 1, 6],
];

/**
 * The features of a protocol as DESCRIBE DETAIL lists them: the reader and writer feature lists
 * plus, for protocols without table features, the legacy features their versions imply. Sorted.
 */
export function tableFeatures(protocol: Protocol): string[] {
  const explicit = [...(protocol.readerFeatures ?? []), ...(protocol.writerFeatures ?? [])];
  const readerFeatures = protocol.minReaderVersion >= 3;
  const writerFeatures = protocol.minWriterVersion >= 7;
  const implied =
    readerFeatures && writerFeatures
      ? []
      : LEGACY_FEATURES.filter(([, r, w]) => !(readerFeatures || protocol.minReaderVersion < r) && !(writerFeatures || protocol.minWriterVersion < w)).map(([f]) => f);
  return [...new Set([...explicit, ...implied])].sort();
}

/** The DESCRIBE DETAIL record of `snapshot`; `location` is the table URI to report. */
export async function describeDetail(engine: Engine, snapshot: Snapshot, location: string, signal?: AbortSignal): Promise<TableDetail> {
  throwIfAborted(signal);
  const { metadata, protocol } = snapshot;
  let sizeInBytes = 0;
  for (const f of snapshot.addFiles) sizeInBytes += f.size;
  return {
    format: 'delta',
    id: metadata.id,
    name: metadata.name ?? null,
    description: metadata.description ?? null,
    location,
    createdAt: metadata.createdTime === undefined ? null : new Date(metadata.createdTime),
    lastModified: new Date(await commitFileTime(engine, snapshot.tableRoot, snapshot.version, signal)),
    partitionColumns: [...metadata.partitionColumns],
    clusteringColumns: clusteringColumnPaths(protocol, snapshot.domainMetadata, snapshot.schema).map(quotedColumnPath),
    numFiles: snapshot.addFiles.length,
    sizeInBytes,
    properties: { ...metadata.configuration },
    minReaderVersion: protocol.minReaderVersion,
    minWriterVersion: protocol.minWriterVersion,
    tableFeatures: tableFeatures(protocol),
  };
}

/**
 * The modification time of the commit file of `version`; when that file is gone (the state comes
 * from a checkpoint whose commits were cleaned up), of the newest log file of that version.
 */
async function commitFileTime(engine: Engine, tableRoot: string, version: number, signal?: AbortSignal): Promise<number> {
  const path = commitPath(tableRoot, version);
  try {
    return (await engine.store.head(path)).lastModified;
  } catch (e) {
    if (!isDeltaError(e, 'FILE_NOT_FOUND')) throw wrapEngineError('Reading the commit time', path, e);
  }
  const prefix = formatVersion(version);
  let latest: number | undefined;
  for await (const meta of engine.store.list(logDirOf(tableRoot), { startAt: prefix, ...(signal ? { signal } : {}) })) {
    const name = meta.path.slice(meta.path.lastIndexOf('/') + 1);
    if (!name.startsWith(prefix)) break;
    latest = Math.max(latest ?? 0, meta.lastModified);
  }
  if (latest !== undefined) return latest;
  throw new DeltaError('FILE_NOT_FOUND', `No log file of version ${version} remains in ${logDirOf(tableRoot)} (removed while the table was being described). Retry to describe the latest version.`, {
    details: { tableRoot, version },
  });
}

/** How DESCRIBE DETAIL prints a table root: `file:<path>` for local paths (as Hadoop's Path), URIs unchanged. */
export function locationOf(uri: string, tableRoot: string): string {
  if (/^memory:/i.test(uri)) return `memory://${tableRoot.replace(/^\/+/, '')}`;
  return `file:${tableRoot}`;
}
