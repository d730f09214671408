import { DeltaError } from '../errors.js';
import type { Metadata, Protocol } from './actions.js';

/**
 * Protocol gating. A reader must refuse a table whose reader version or reader features it does
 * not implement, before interpreting anything else of the table; writer features matter only to
 * writers.
 */

/** Highest `minReaderVersion` this library reads. */
export const MAX_READER_VERSION = 3;

/** Reader (ReaderWriter) features this library implements. */
export const SUPPORTED_READER_FEATURES: ReadonlySet<string> = new Set([
  'columnMapping',
  'deletionVectors',
  'timestampNtz',
  'timestampWithoutTimezone', // non-canonical alias of timestampNtz found in real tables
  'v2Checkpoint',
  'vacuumProtocolCheck',
  'typeWidening',
  'typeWidening-preview',
  'variantType',
  'variantType-preview',
]);

/**
 * Throws unless this library can read a table with `protocol`: UNSUPPORTED_READER_VERSION for a
 * reader version above 3, UNSUPPORTED_READER_FEATURE naming every unknown reader feature, and
 * INVALID_PROTOCOL for versions below 1 or a version-3 protocol without `readerFeatures`.
 */
export function checkReadSupported(protocol: Protocol, tableRoot: string): void {
  const { minReaderVersion: r, minWriterVersion: w } = protocol;
  if (r < 1 || w < 1) {
    throw new DeltaError('INVALID_PROTOCOL', `The table at ${tableRoot} has an invalid protocol (minReaderVersion ${r}, minWriterVersion ${w}): versions start at 1. The log is corrupt; restore it from a backup.`, {
      details: { tableRoot, protocol },
    });
  }
  if (r > MAX_READER_VERSION) {
    throw new DeltaError(
      'UNSUPPORTED_READER_VERSION',
      `The table at ${tableRoot} requires reader version ${r}, but this library reads versions 1 to ${MAX_READER_VERSION}. Read it with a newer Delta client.`,
      { details: { tableRoot, minReaderVersion: r } },
    );
  }
  if (r < 3) return;
  if (protocol.readerFeatures === undefined) {
    throw new DeltaError('INVALID_PROTOCOL', `The table at ${tableRoot} has reader version 3 but no readerFeatures list, which the protocol requires. The log is corrupt.`, {
      details: { tableRoot, protocol },
    });
  }
  const unsupported = protocol.readerFeatures.filter((f) => !SUPPORTED_READER_FEATURES.has(f));
  if (unsupported.length > 0) {
    const names = unsupported.map((f) => `"${f}"`).join(', ');
    throw new DeltaError(
      'UNSUPPORTED_READER_FEATURE',
      `The table at ${tableRoot} uses reader feature${unsupported.length > 1 ? 's' : ''} ${names} that this library does not support, so it cannot be read correctly. Read it with a client that supports ${unsupported.length > 1 ? 'them' : 'it'}.`,
      { details: { tableRoot, features: unsupported } },
    );
  }
}

/** Writer features implied by each legacy writer version (cumulative). */
const LEGACY_WRITER_FEATURES: readonly (readonly string[])[] = [
  [],
  [],
  ['appendOnly', 'invariants'],
  ['checkConstraints'],
  ['changeDataFeed', 'generatedColumns'],
  ['columnMapping'],
  ['identityColumns'],
];

/** Features a protocol supports for readers: the explicit list at version 3, else implied. */
export function supportedReaderFeatures(protocol: Protocol): Set<string> {
  if (protocol.minReaderVersion >= 3) return new Set(protocol.readerFeatures ?? []);
  return new Set(protocol.minReaderVersion === 2 ? ['columnMapping'] : []);
}

/** Features a protocol supports for writers: the explicit list at version 7, else implied by the version. */
export function supportedWriterFeatures(protocol: Protocol): Set<string> {
  if (protocol.minWriterVersion >= 7) return new Set([...(protocol.writerFeatures ?? []), ...(protocol.readerFeatures ?? [])]);
  const out = new Set<string>();
  for (let v = 1; v <= Math.min(protocol.minWriterVersion, LEGACY_WRITER_FEATURES.length - 1); v++) {
    for (const f of LEGACY_WRITER_FEATURES[v]!) out.add(f);
  }
  return out;
}

const isTrue = (config: Readonly<Record<string, string>>, key: string) => config[key]?.toLowerCase() === 'true';

/**
 * Whether a supported feature is in use given the table metadata. Features without an enabling
 * property are active whenever supported. Column-level features are detected from their metadata
 * keys in the schema JSON.
 */
function isActive(feature: string, metadata: Metadata): boolean {
  const c = metadata.configuration;
  switch (feature) {
    case 'appendOnly':
      return isTrue(c, 'delta.appendOnly');
    case 'invariants':
      return metadata.schemaString.includes('"delta.invariants"');
    case 'checkConstraints':
      return Object.keys(c).some((k) => k.startsWith('delta.constraints.'));
    case 'changeDataFeed':
      return isTrue(c, 'delta.enableChangeDataFeed') || isTrue(c, 'delta.enableChangeDataCapture');
    case 'generatedColumns':
      return metadata.schemaString.includes('"delta.generationExpression"');
    case 'identityColumns':
      return metadata.schemaString.includes('"delta.identity.');
    case 'columnMapping': {
      const mode = c['delta.columnMapping.mode'];
      return mode === 'name' || mode === 'id';
    }
    case 'deletionVectors':
      return isTrue(c, 'delta.enableDeletionVectors');
    case 'rowTracking':
      return isTrue(c, 'delta.enableRowTracking') && !isTrue(c, 'delta.rowTrackingSuspended');
    case 'inCommitTimestamp':
      return isTrue(c, 'delta.enableInCommitTimestamps');
    case 'typeWidening':
    case 'typeWidening-preview':
      return isTrue(c, 'delta.enableTypeWidening') || metadata.schemaString.includes('"delta.typeChanges"');
    case 'allowColumnDefaults':
      return metadata.schemaString.includes('"CURRENT_DEFAULT"');
    default:
      return true;
  }
}

/**
 * The writer features a writer must honour for this table: those the protocol supports (legacy
 * versions imply theirs) and the metadata enables.
 */
export function activeWriterFeatures(protocol: Protocol, metadata: Metadata): Set<string> {
  const out = new Set<string>();
  for (const f of supportedWriterFeatures(protocol)) if (isActive(f, metadata)) out.add(f);
  return out;
}
