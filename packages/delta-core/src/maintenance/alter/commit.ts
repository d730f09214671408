/**
 * The one commit every ALTER TABLE change ends with: a `metaData` action (and a `protocol` action
 * when the change needs a feature the table lacks) through a {@link Transaction}, recorded with
 * Spark's operation name and parameters. The change reads no data files, so only Spark's
 * metadata rules apply to concurrent commits: a winner that changed the metadata or protocol
 * makes this commit fail (METADATA_CHANGED / PROTOCOL_CHANGED); concurrent appends do not.
 */
import type { Engine } from '../../engine.js';
import { DeltaError } from '../../errors.js';
import type { Metadata, Protocol } from '../../log/actions.js';
import { supportedReaderFeatures, supportedWriterFeatures } from '../../log/protocol-check.js';
import { columnMappingMode, validateColumnMapping } from '../../schema/column-mapping.js';
import type { DataType, StructType } from '../../schema/types.js';
import type { Snapshot } from '../../table/snapshot.js';
import { Transaction } from '../../transaction/transaction.js';
import { planMetadata } from '../../write/table-setup.js';

export interface AlterOptions {
  readonly signal?: AbortSignal;
  /** commitInfo.engineInfo. */
  readonly engineInfo?: string;
}

/** The metadata after an ALTER change; fields left out keep the snapshot's values. */
export interface MetadataChange {
  /** The new logical schema (existing fields keep their column mapping annotations). */
  readonly schema?: StructType;
  readonly partitionColumns?: readonly string[];
  /** The complete new configuration. */
  readonly configuration?: Readonly<Record<string, string>>;
  /** The new table description; null removes it. */
  readonly description?: string | null;
  /** Spark's operation name, e.g. `ADD COLUMNS`. */
  readonly operation: string;
  readonly operationParameters: Readonly<Record<string, unknown>>;
}

export interface CommitOptions extends AlterOptions {
  /** Lost races retried before MAX_COMMIT_RETRIES (the Transaction default when absent). */
  readonly maxRetries?: number;
}

/**
 * Commits `change` on top of `snapshot`: column mapping ids and physical names are assigned to new
 * fields (`delta.columnMapping.maxColumnId` updated), the protocol is upgraded to what the new
 * schema and properties need (refusing features Spark only adds when asked, see
 * {@link refuseManualFeatures}), and the table rules are checked (core's `planMetadata`).
 */
export async function commitMetadataChange(engine: Engine, snapshot: Snapshot, change: MetadataChange, options: CommitOptions = {}): Promise<{ version: number }> {
  const current = snapshot.metadata;
  const schema = change.schema ?? snapshot.schema;
  refuseManualFeatures(snapshot.protocol, snapshot.schema, schema, snapshot.tableRoot);
  const description = change.description === undefined ? current.description : change.description ?? undefined;
  const plan = planMetadata({
    current: { protocol: snapshot.protocol, metadata: current },
    id: current.id,
    schema,
    partitionColumns: change.partitionColumns ?? snapshot.partitionColumns,
    configuration: change.configuration ?? current.configuration,
    ...(current.name === undefined ? {} : { name: current.name }),
    ...(description === undefined ? {} : { description }),
    createdTime: current.createdTime ?? engine.clock.nowMs(),
    keepsData: true,
  });
  validateColumnMapping(plan.schema, columnMappingMode(plan.metadata.configuration));
  const metadata: Metadata = { ...plan.metadata, format: current.format };
  const tx = Transaction.begin(engine, snapshot, {
    operation: change.operation,
    operationParameters: change.operationParameters,
    ...(options.engineInfo === undefined ? {} : { engineInfo: options.engineInfo }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.maxRetries === undefined ? {} : { maxRetries: options.maxRetries }),
  });
  if (plan.protocolChanged) tx.updateProtocol(plan.protocol);
  tx.updateMetadata(metadata);
  const { version } = await tx.commit();
  return { version };
}

/**
 * Delta Spark adds some features to an existing table's protocol only when asked explicitly
 * (`delta.feature.<name>=supported`), because older readers of the table would break: a
 * `timestamp_ntz` column (feature `timestampNtz`) is one. Throws UNSUPPORTED_OPERATION naming the
 * property to set when the change (schema `before` → `after`) starts to need such a feature the
 * protocol lacks.
 */
export function refuseManualFeatures(protocol: Protocol, before: StructType, after: StructType, tableRoot: string): void {
  const supported = new Set([...supportedReaderFeatures(protocol), ...supportedWriterFeatures(protocol)]);
  if (supported.has('timestampNtz') || !usesType(after, 'timestamp_ntz') || usesType(before, 'timestamp_ntz')) return;
  throw new DeltaError(
    'UNSUPPORTED_OPERATION',
    `The change gives the table at ${tableRoot} a timestamp_ntz column, which needs the table feature "timestampNtz" that its protocol does not support; as in Delta Spark, that feature is only added when asked for, because older readers cannot read the table afterwards. Nothing was changed. Add the feature first with setProperties({ 'delta.feature.timestampNtz': 'supported' }), then retry.`,
    { details: { feature: 'timestampNtz' } },
  );
}

function usesType(type: DataType, name: string): boolean {
  switch (type.kind) {
    case 'primitive':
      return type.name === name;
    case 'struct':
      return type.fields.some((f) => usesType(f.type, name));
    case 'array':
      return usesType(type.elementType, name);
    case 'map':
      return usesType(type.keyType, name) || usesType(type.valueType, name);
    default:
      return false;
  }
}
