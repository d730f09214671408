/**
 * The protocol a table needs for its properties and schema (protocol-notes §5), chosen the way
 * Delta Spark chooses it: the lowest legacy `(minReaderVersion, minWriterVersion)` pair when every
 * needed feature has one, else table features — `(1,7)` with `writerFeatures` when only
 * writer-side or legacy-reader features are needed, `(3,7)` with both lists when a reader-writer
 * feature is. When switching to table features, every feature the legacy versions implied is
 * listed too (`appendOnly`, `invariants`, ...), as Spark does; protocols only ever grow.
 */
import { generationExpressionsOf, hasInvariants } from '../constraints/definitions.js';
import { DeltaError } from '../errors.js';
import type { Protocol } from '../log/actions.js';
import { supportedReaderFeatures, supportedWriterFeatures } from '../log/protocol-check.js';
import type { DataType, StructType } from '../schema/types.js';

/** Legacy `(reader, writer)` versions that imply a feature; features absent here need table features. */
const LEGACY_VERSIONS: Readonly<Record<string, readonly [number, number]>> = {
  appendOnly: [1, 2],
  invariants: [1, 2],
  checkConstraints: [1, 3],
  changeDataFeed: [1, 4],
  generatedColumns: [1, 4],
  columnMapping: [2, 5],
  identityColumns: [1, 6],
};

/** Features implied by each legacy writer version, in Spark's listing order. */
const LEGACY_WRITER_ORDER: readonly (readonly [string, number])[] = [
  ['appendOnly', 2],
  ['invariants', 2],
  ['checkConstraints', 3],
  ['changeDataFeed', 4],
  ['generatedColumns', 4],
  ['columnMapping', 5],
  ['identityColumns', 6],
];

/** Features readers must support too (they go in both lists). */
export const READER_WRITER_FEATURES: ReadonlySet<string> = new Set([
  'columnMapping',
  'deletionVectors',
  'timestampNtz',
  'typeWidening',
  'typeWidening-preview',
  'v2Checkpoint',
  'vacuumProtocolCheck',
  'variantType',
  'variantType-preview',
]);

/** Writer-only features a table may request with `delta.feature.<name>=supported`. */
const WRITER_ONLY_FEATURES: ReadonlySet<string> = new Set([
  'appendOnly',
  'invariants',
  'checkConstraints',
  'changeDataFeed',
  'generatedColumns',
  'identityColumns',
  'inCommitTimestamp',
  'domainMetadata',
  'rowTracking',
  'clustering',
  'checkpointProtection',
  'allowColumnDefaults',
  'icebergCompatV1',
  'icebergCompatV2',
  'materializePartitionColumns',
]);

/** The canonical spelling of a table feature name this library knows (Spark matches them case-insensitively). */
export function canonicalFeatureName(name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const f of [...READER_WRITER_FEATURES, ...WRITER_ONLY_FEATURES]) if (f.toLowerCase() === lower) return f;
  return undefined;
}

/** Features that require others to be supported alongside them. */
const FEATURE_DEPENDENCIES: Readonly<Record<string, readonly string[]>> = {
  rowTracking: ['domainMetadata'],
  clustering: ['domainMetadata'],
};

/** Configuration keys that request protocol changes; Spark does not store them in `configuration`. */
const isProtocolProperty = (key: string): boolean =>
  key === 'delta.minReaderVersion' || key === 'delta.minWriterVersion' || key.startsWith('delta.feature.');

const isTrue = (v: string | undefined): boolean => v?.toLowerCase() === 'true';

export interface ProtocolRequirement {
  /** The protocol to commit (equal to `current` when nothing changes). */
  readonly protocol: Protocol;
  /** True when `protocol` differs from the current one (or there is none). */
  readonly changed: boolean;
  /** The configuration to store: protocol-request properties removed. */
  readonly configuration: Record<string, string>;
}

/**
 * The protocol a table needs for `configuration` and `schema`, never lower than `current` (the
 * table's protocol, or undefined for a new table, whose floor is Spark's default (1,2)).
 * Properties `delta.minReaderVersion`, `delta.minWriterVersion` and `delta.feature.<name>` are
 * honoured and stripped from the returned configuration. Unknown requested features throw
 * INVALID_ARGUMENT.
 */
export function protocolFor(configuration: Readonly<Record<string, string>>, schema: StructType, current?: Protocol): ProtocolRequirement {
  const floor: Protocol = current ?? { minReaderVersion: 1, minWriterVersion: 2 };
  // As Spark: a table that supports the preview of type widening keeps it instead of gaining the stable feature.
  const preview = supportedWriterFeatures(floor).has('typeWidening-preview');
  const needed = neededFeatures(configuration, schema).filter((f) => !(preview && f === 'typeWidening'));
  let reader = Math.max(floor.minReaderVersion, versionProperty(configuration, 'delta.minReaderVersion', 3));
  let writer = Math.max(floor.minWriterVersion, versionProperty(configuration, 'delta.minWriterVersion', 7));
  const legacyOnly = writer < 7 && reader < 3 && needed.every((f) => LEGACY_VERSIONS[f] !== undefined);
  let protocol: Protocol;
  if (legacyOnly) {
    for (const f of needed) {
      const [r, w] = LEGACY_VERSIONS[f]!;
      reader = Math.max(reader, r);
      writer = Math.max(writer, w);
    }
    protocol = { minReaderVersion: reader, minWriterVersion: writer };
  } else {
    protocol = tableFeaturesProtocol(floor, needed, reader);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(configuration)) if (!isProtocolProperty(k)) out[k] = v;
  return { protocol, changed: current === undefined || !sameProtocol(current, protocol), configuration: out };
}

/** The features `configuration` and `schema` put to use or explicitly request, dependencies included. */
export function neededFeatures(configuration: Readonly<Record<string, string>>, schema: StructType): string[] {
  const out: string[] = [];
  const add = (f: string): void => {
    if (out.includes(f)) return;
    for (const d of FEATURE_DEPENDENCIES[f] ?? []) add(d);
    out.push(f);
  };
  const c = configuration;
  if (isTrue(c['delta.enableDeletionVectors'])) add('deletionVectors');
  if (schemaUses(schema, (t) => t.kind === 'primitive' && t.name === 'timestamp_ntz')) add('timestampNtz');
  if (schemaUses(schema, (t) => t.kind === 'primitive' && t.name === 'variant')) add('variantType');
  if (isTrue(c['delta.enableTypeWidening'])) add('typeWidening');
  if (isTrue(c['delta.enableInCommitTimestamps'])) add('inCommitTimestamp');
  if (isTrue(c['delta.enableRowTracking'])) add('rowTracking');
  const mode = c['delta.columnMapping.mode']?.toLowerCase();
  if (mode === 'name' || mode === 'id') add('columnMapping');
  if (isTrue(c['delta.enableChangeDataFeed']) || isTrue(c['delta.enableChangeDataCapture'])) add('changeDataFeed');
  if (isTrue(c['delta.appendOnly'])) add('appendOnly');
  if (Object.keys(c).some((k) => k.startsWith('delta.constraints.'))) add('checkConstraints');
  if (hasInvariants(schema)) add('invariants');
  if (generationExpressionsOf(schema).length > 0) add('generatedColumns');
  for (const [k, v] of Object.entries(c)) {
    if (!k.startsWith('delta.feature.')) continue;
    const name = k.slice('delta.feature.'.length);
    if (!['supported', 'enabled'].includes(v.toLowerCase())) {
      throw new DeltaError('INVALID_ARGUMENT', `Table property ${k} is "${v}"; the only accepted value is "supported". Set ${k}=supported to add the feature, or remove the property.`, {
        details: { property: k, value: v },
      });
    }
    if (!READER_WRITER_FEATURES.has(name) && !WRITER_ONLY_FEATURES.has(name)) {
      throw new DeltaError('INVALID_ARGUMENT', `Table property ${k} names the table feature "${name}", which this library does not know. Check the feature name (e.g. deletionVectors, inCommitTimestamp).`, {
        details: { property: k, feature: name },
      });
    }
    add(name);
  }
  return out;
}

function tableFeaturesProtocol(floor: Protocol, needed: readonly string[], requestedReader: number): Protocol {
  const writerFeatures = [...supportedWriterFeatures(floor)];
  const readerFeatures = [...supportedReaderFeatures(floor)];
  const push = (list: string[], f: string): void => {
    if (!list.includes(f)) list.push(f);
  };
  const fresh = floor.minWriterVersion < 7;
  // Spark lists the new features first, then those the legacy versions implied.
  const ordered = fresh ? [...needed, ...LEGACY_WRITER_ORDER.map(([f]) => f).filter((f) => writerFeatures.includes(f))] : [...writerFeatures, ...needed];
  const writer: string[] = [];
  for (const f of ordered) push(writer, f);
  const rw = writer.filter((f) => READER_WRITER_FEATURES.has(f));
  for (const f of rw) push(readerFeatures, f);
  const needsReaderFeatures = floor.minReaderVersion >= 3 || requestedReader >= 3 || readerFeatures.some((f) => f !== 'columnMapping');
  if (needsReaderFeatures) {
    return { minReaderVersion: 3, minWriterVersion: 7, readerFeatures, writerFeatures: writer };
  }
  const reader = Math.max(floor.minReaderVersion, readerFeatures.includes('columnMapping') ? 2 : 1);
  return { minReaderVersion: reader, minWriterVersion: 7, writerFeatures: writer };
}

function versionProperty(configuration: Readonly<Record<string, string>>, key: string, max: number): number {
  const raw = configuration[key];
  if (raw === undefined) return 0;
  const n = Number(raw.trim());
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new DeltaError('INVALID_ARGUMENT', `Table property ${key} is "${raw}", which is not a protocol version between 1 and ${max}. Pass a supported version or omit the property.`, {
      details: { property: key, value: raw },
    });
  }
  return n;
}

function schemaUses(type: DataType, test: (t: DataType) => boolean): boolean {
  if (test(type)) return true;
  switch (type.kind) {
    case 'struct':
      return type.fields.some((f) => schemaUses(f.type, test));
    case 'array':
      return schemaUses(type.elementType, test);
    case 'map':
      return schemaUses(type.keyType, test) || schemaUses(type.valueType, test);
    default:
      return false;
  }
}

function sameProtocol(a: Protocol, b: Protocol): boolean {
  const list = (x: readonly string[] | undefined) => JSON.stringify([...(x ?? [])].sort());
  return (
    a.minReaderVersion === b.minReaderVersion &&
    a.minWriterVersion === b.minWriterVersion &&
    list(a.readerFeatures) === list(b.readerFeatures) &&
    list(a.writerFeatures) === list(b.writerFeatures)
  );
}
