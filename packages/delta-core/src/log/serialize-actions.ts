/**
 * Writing actions as commit-file JSON: one compact object per line, protocol field names in the
 * order Spark writes them, absent optional fields omitted, 64-bit values exact. The inverse of
 * `parse-actions.ts` (parse(serialize(a)) equals a).
 */
import { DeltaError } from '../errors.js';
import { JsonNumber } from '../util/json.js';
import type {
  Action,
  AddCDCFile,
  AddFile,
  CheckpointMetadata,
  DeletionVectorDescriptor,
  DomainMetadata,
  Metadata,
  Protocol,
  RemoveFile,
  SetTransaction,
  Sidecar,
} from './actions.js';

/** One action as a single line of JSON (no trailing newline), e.g. `{"add":{"path":…}}`. */
export function serializeAction(action: Action): string {
  return '{' + JSON.stringify(action.kind) + ':' + toJson(actionBody(action), action.kind) + '}';
}

/** A commit file: every action on its own line, each line ending with `\n`. */
export function serializeCommit(actions: readonly Action[]): Uint8Array {
  let text = '';
  for (const a of actions) text += serializeAction(a) + '\n';
  return encoder.encode(text);
}

const encoder = new TextEncoder();

/** The action's fields as a plain object in protocol order (undefined fields are dropped later). */
export function actionBody(action: Action): Record<string, unknown> {
  switch (action.kind) {
    case 'add':
      return addBody(action.add);
    case 'remove':
      return removeBody(action.remove);
    case 'metaData':
      return metadataBody(action.metaData);
    case 'protocol':
      return protocolBody(action.protocol);
    case 'cdc':
      return cdcBody(action.cdc);
    case 'txn':
      return txnBody(action.txn);
    case 'commitInfo':
      return { ...action.commitInfo };
    case 'domainMetadata':
      return domainBody(action.domainMetadata);
    case 'checkpointMetadata':
      return checkpointMetadataBody(action.checkpointMetadata);
    case 'sidecar':
      return sidecarBody(action.sidecar);
  }
}

function addBody(a: AddFile): Record<string, unknown> {
  return {
    path: a.path,
    partitionValues: a.partitionValues,
    size: a.size,
    modificationTime: a.modificationTime,
    dataChange: a.dataChange,
    stats: a.stats,
    tags: a.tags,
    deletionVector: dvBody(a.deletionVector),
    baseRowId: a.baseRowId,
    defaultRowCommitVersion: a.defaultRowCommitVersion,
    clusteringProvider: a.clusteringProvider,
  };
}

function removeBody(r: RemoveFile): Record<string, unknown> {
  return {
    path: r.path,
    deletionTimestamp: r.deletionTimestamp,
    dataChange: r.dataChange,
    extendedFileMetadata: r.extendedFileMetadata,
    partitionValues: r.partitionValues,
    size: r.size,
    tags: r.tags,
    deletionVector: dvBody(r.deletionVector),
    baseRowId: r.baseRowId,
    defaultRowCommitVersion: r.defaultRowCommitVersion,
    stats: r.stats,
  };
}

function dvBody(dv: DeletionVectorDescriptor | undefined): Record<string, unknown> | undefined {
  if (dv === undefined) return undefined;
  return { storageType: dv.storageType, pathOrInlineDv: dv.pathOrInlineDv, offset: dv.offset, sizeInBytes: dv.sizeInBytes, cardinality: dv.cardinality };
}

function metadataBody(m: Metadata): Record<string, unknown> {
  return {
    id: m.id,
    name: m.name,
    description: m.description,
    format: { provider: m.format.provider, options: m.format.options },
    schemaString: m.schemaString,
    partitionColumns: m.partitionColumns,
    configuration: m.configuration,
    createdTime: m.createdTime,
  };
}

function protocolBody(p: Protocol): Record<string, unknown> {
  return { minReaderVersion: p.minReaderVersion, minWriterVersion: p.minWriterVersion, readerFeatures: p.readerFeatures, writerFeatures: p.writerFeatures };
}

function cdcBody(c: AddCDCFile): Record<string, unknown> {
  return { path: c.path, partitionValues: c.partitionValues, size: c.size, dataChange: c.dataChange, tags: c.tags };
}

function txnBody(t: SetTransaction): Record<string, unknown> {
  return { appId: t.appId, version: t.version, lastUpdated: t.lastUpdated };
}

function domainBody(d: DomainMetadata): Record<string, unknown> {
  return { domain: d.domain, configuration: d.configuration, removed: d.removed };
}

function checkpointMetadataBody(c: CheckpointMetadata): Record<string, unknown> {
  return { version: c.version, tags: c.tags };
}

function sidecarBody(s: Sidecar): Record<string, unknown> {
  return { path: s.path, sizeInBytes: s.sizeInBytes, modificationTime: s.modificationTime, tags: s.tags };
}

/**
 * Compact JSON for action values: object keys keep their order, `undefined` members are
 * omitted, bigints and {@link JsonNumber}s print exactly, `null` stays `null` (partition values).
 */
export function toJson(value: unknown, where = 'value'): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw invalid(where, String(value));
      return JSON.stringify(value);
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (value instanceof JsonNumber) return value.text;
      if (Array.isArray(value)) return '[' + value.map((v, i) => (v === undefined ? 'null' : toJson(v, `${where}[${i}]`))).join(',') + ']';
      const parts: string[] = [];
      for (const [k, v] of Object.entries(value)) {
        if (v === undefined) continue;
        parts.push(JSON.stringify(k) + ':' + toJson(v, `${where}.${k}`));
      }
      return '{' + parts.join(',') + '}';
    }
    default:
      throw invalid(where, typeof value);
  }
}

function invalid(where: string, what: string): DeltaError {
  return new DeltaError('INVALID_ARGUMENT', `Cannot write ${where} as JSON: ${what} has no JSON form. Use finite numbers, strings, booleans, bigints, arrays and plain objects.`);
}
