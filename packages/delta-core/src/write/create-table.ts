/**
 * Table-level metadata operations: creating (or replacing) a table, and changing its properties.
 * Both choose the lowest protocol the table's features need (see `protocol-for.ts`) and commit
 * through a {@link Transaction}.
 */
import type { Schema } from 'apache-arrow';
import type { Engine } from '../engine.js';
import { DeltaError } from '../errors.js';
import type { StructType } from '../schema/types.js';
import { CLUSTERING_DOMAIN } from '../maintenance/clustering/domain.js';
import { prepareCreateClustering } from '../maintenance/clustering/ddl.js';
import { Transaction } from '../transaction/transaction.js';
import { loadSnapshotOrNull, planMetadata, removeFor, toDeltaSchema } from './table-setup.js';

export interface CreateTableOptions {
  /** The table schema, as a Delta StructType or an Arrow schema. */
  readonly schema: StructType | Schema;
  /** Top-level columns to partition by, in order. */
  readonly partitionBy?: readonly string[];
  /**
   * Clustering columns (liquid clustering, CREATE TABLE ... CLUSTER BY): 1 to 4 data columns with
   * statistics (`a`, `s.x` for nested fields, back-quotes for names with dots). Not with
   * `partitionBy`. See `DeltaTable.clusterBy` and `DeltaTable.optimize`.
   */
  readonly clusterBy?: readonly string[];
  /** Table properties (`delta.*` and user keys); `delta.feature.<name>=supported` adds a feature. */
  readonly properties?: Readonly<Record<string, string>>;
  readonly name?: string;
  readonly description?: string;
  /**
   * When a table already exists: `error` (default) throws TABLE_ALREADY_EXISTS, `ifNotExists`
   * leaves it untouched, `replace` replaces its schema, properties and data (all files removed)
   * keeping its table id, like Spark's CREATE OR REPLACE.
   */
  readonly mode?: 'error' | 'ifNotExists' | 'replace';
  readonly engineInfo?: string;
  readonly signal?: AbortSignal;
}

export interface CreateTableResult {
  /** The table's version after the call. */
  readonly version: number;
  /** False when `ifNotExists` found a table and did nothing. */
  readonly created: boolean;
}

/** Creates a Delta table at `tableRoot` (a path in the engine's store). */
export async function createTable(engine: Engine, tableRoot: string, options: CreateTableOptions): Promise<CreateTableResult> {
  const mode = options.mode ?? 'error';
  if (!['error', 'ifNotExists', 'replace'].includes(mode)) {
    throw new DeltaError('INVALID_ARGUMENT', `Unknown createTable mode "${String(mode)}". Use "error", "ifNotExists" or "replace".`);
  }
  const schema = toDeltaSchema(options.schema);
  const partitionBy = options.partitionBy ?? [];
  const snapshot = await loadSnapshotOrNull(engine, tableRoot, options.signal);
  if (snapshot !== null && mode === 'error') {
    throw new DeltaError('TABLE_ALREADY_EXISTS', `A Delta table already exists at ${tableRoot} (version ${snapshot.version}); nothing was changed. Use mode "ifNotExists" to keep it or "replace" to replace it.`, {
      details: { tableRoot, version: snapshot.version },
    });
  }
  if (snapshot !== null && mode === 'ifNotExists') return { version: snapshot.version, created: false };
  const clustering = prepareCreateClustering(snapshot, { clusterBy: options.clusterBy, partitionBy, properties: options.properties ?? {} });
  const now = engine.clock.nowMs();
  const plan = planMetadata({
    ...(snapshot ? { current: { protocol: snapshot.protocol, metadata: snapshot.metadata }, id: snapshot.metadata.id } : {}),
    schema,
    partitionColumns: partitionBy,
    configuration: clustering.properties,
    ...(options.name === undefined ? {} : { name: options.name }),
    ...(options.description === undefined ? {} : { description: options.description }),
    createdTime: now,
    keepsData: false,
  });
  const replacing = snapshot !== null;
  const domain = clustering.domainFor(plan);
  const tx = Transaction.begin(engine, snapshot, {
    operation: replacing ? 'CREATE OR REPLACE TABLE' : 'CREATE TABLE',
    operationParameters: {
      isManaged: 'false',
      ...(options.description === undefined ? {} : { description: options.description }),
      partitionBy: JSON.stringify(plan.metadata.partitionColumns),
      clusterBy: JSON.stringify(domain?.columns ?? []),
      properties: JSON.stringify(plan.metadata.configuration),
    },
    tableRoot,
    ...(options.engineInfo === undefined ? {} : { engineInfo: options.engineInfo }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  if (plan.protocolChanged) tx.updateProtocol(plan.protocol);
  tx.updateMetadata(plan.metadata);
  if (domain !== undefined) tx.setFeatureDomainMetadata(CLUSTERING_DOMAIN, domain.configuration);
  if (snapshot !== null) {
    tx.readWholeTable();
    tx.removeFiles(snapshot.addFiles.map((a) => removeFor(a, now)));
  }
  const { version } = await tx.commit();
  return { version, created: true };
}

export interface SetTablePropertiesOptions {
  readonly engineInfo?: string;
  readonly signal?: AbortSignal;
}

/**
 * Sets table properties (merged over the current ones) and upgrades the protocol when a property
 * turns on a feature the protocol lacks (e.g. `delta.enableDeletionVectors=true` → (3,7)).
 * Enabling column mapping (`name`) names existing columns physically by their current names.
 * Returns the new version, or the current one when nothing changes.
 */
export async function setTableProperties(
  engine: Engine,
  tableRoot: string,
  properties: Readonly<Record<string, string>>,
  options: SetTablePropertiesOptions = {},
): Promise<{ version: number }> {
  const snapshot = await loadSnapshotOrNull(engine, tableRoot, options.signal);
  if (snapshot === null) {
    throw new DeltaError('TABLE_NOT_FOUND', `There is no Delta table at ${tableRoot}, so its properties cannot be set. Create the table first (createTable).`, { details: { tableRoot } });
  }
  const configuration = { ...snapshot.metadata.configuration, ...properties };
  const plan = planMetadata({
    current: { protocol: snapshot.protocol, metadata: snapshot.metadata },
    id: snapshot.metadata.id,
    schema: snapshot.schema,
    partitionColumns: snapshot.partitionColumns,
    configuration,
    ...(snapshot.metadata.name === undefined ? {} : { name: snapshot.metadata.name }),
    ...(snapshot.metadata.description === undefined ? {} : { description: snapshot.metadata.description }),
    createdTime: snapshot.metadata.createdTime ?? engine.clock.nowMs(),
    keepsData: true,
  });
  const unchanged = !plan.protocolChanged && JSON.stringify(plan.metadata.configuration) === JSON.stringify(snapshot.metadata.configuration) && plan.metadata.schemaString === snapshot.metadata.schemaString;
  if (unchanged) return { version: snapshot.version };
  const tx = Transaction.begin(engine, snapshot, {
    operation: 'SET TBLPROPERTIES',
    operationParameters: { properties: JSON.stringify(properties) },
    ...(options.engineInfo === undefined ? {} : { engineInfo: options.engineInfo }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  if (plan.protocolChanged) tx.updateProtocol(plan.protocol);
  tx.updateMetadata(plan.metadata);
  const { version } = await tx.commit();
  return { version };
}
