import { DeltaError } from '../errors.js';
import type { Metadata, Protocol } from '../log/actions.js';
import { activeWriterFeatures, checkReadSupported, supportedWriterFeatures } from '../log/protocol-check.js';

/**
 * Writer-side protocol gating. A writer must honour every writer feature a table's protocol
 * supports (and, for features with an enabling property, enables). This library commits only to
 * tables whose features it can honour, and refuses the others before anything is written.
 *
 * Policy:
 * - Always accepted (honoured, or nothing to do for the actions this library commits):
 *   appendOnly (enforced by the transaction), changeDataFeed (appends and whole-file removes need
 *   no `cdc` files; DML that rewrites rows must stage them), columnMapping, deletionVectors,
 *   timestampNtz, domainMetadata, v2Checkpoint, vacuumProtocolCheck, inCommitTimestamp,
 *   typeWidening(-preview), variantType(-preview), checkpointProtection (this library never
 *   deletes history), clustering (as Spark's writers: new files are written unclustered, and
 *   OPTIMIZE clusters them; `maintenance/clustering/` keeps the `delta.clustering` domain valid).
 * - Enforced on every write through `write/checks.ts` (`compileWriteChecks`, which appends,
 *   overwrites and DML apply to every batch of new rows): invariants (`delta.invariants` column
 *   expressions), checkConstraints (`delta.constraints.*` properties; `DeltaTable.addConstraint`
 *   validates existing rows), generatedColumns (missing values computed, given ones checked).
 * - Accepted while inactive, refused when in use: identityColumns (a column has
 *   `delta.identity.*`), allowColumnDefaults (a column has a `CURRENT_DEFAULT`): this library does
 *   not assign identity values or fill in defaults.
 * - Refused whenever supported: rowTracking (every new file would need a `baseRowId` and the
 *   table's high-water mark maintained), and every feature not named above.
 * - Writer versions above 7 are refused.
 */

/** Highest `minWriterVersion` this library writes. */
export const MAX_WRITER_VERSION = 7;

/** Writer features honoured whenever supported. */
export const WRITABLE_FEATURES: ReadonlySet<string> = new Set([
  'appendOnly',
  'changeDataFeed',
  'columnMapping',
  'deletionVectors',
  'timestampNtz',
  'timestampWithoutTimezone',
  'domainMetadata',
  'v2Checkpoint',
  'vacuumProtocolCheck',
  'inCommitTimestamp',
  'typeWidening',
  'typeWidening-preview',
  'variantType',
  'variantType-preview',
  'checkpointProtection',
  'clustering',
  'invariants',
  'checkConstraints',
  'generatedColumns',
]);

/** Features accepted only while no column or property puts them to use. */
const REFUSED_WHEN_ACTIVE: Readonly<Record<string, string>> = {
  identityColumns: 'a column is an identity column, and this library cannot assign identity values or update its high-water mark',
  allowColumnDefaults: 'a column has a default value (CURRENT_DEFAULT), which this library cannot fill in',
};

/** Why a supported feature is refused even while inactive. */
const REFUSED_WHEN_SUPPORTED: Readonly<Record<string, string>> = {
  rowTracking: 'every new file would need a baseRowId and the table a row-id high-water mark, which this library does not assign',
};

/** Outcome of a successful check: notes about features accepted but not enforced. */
export interface WriteSupport {
  readonly warnings: readonly string[];
}

/**
 * Throws unless this library may commit to a table with `protocol` and `metadata`: reading must
 * be supported (see `checkReadSupported`), the writer version must be at most 7, and every
 * supported writer feature must be one this library honours (see the module policy).
 * Throws UNSUPPORTED_WRITER_VERSION or UNSUPPORTED_WRITER_FEATURE (naming the feature in
 * `details.feature`); returns warnings for features accepted without enforcement.
 */
export function checkWriteSupported(protocol: Protocol, metadata: Metadata, tableRoot: string): WriteSupport {
  checkReadSupported(protocol, tableRoot);
  const w = protocol.minWriterVersion;
  if (w > MAX_WRITER_VERSION) {
    throw new DeltaError(
      'UNSUPPORTED_WRITER_VERSION',
      `The table at ${tableRoot} requires writer version ${w}, but this library writes versions 1 to ${MAX_WRITER_VERSION}. Write to it with a newer Delta client.`,
      { details: { tableRoot, minWriterVersion: w } },
    );
  }
  const supported = supportedWriterFeatures(protocol);
  const active = activeWriterFeatures(protocol, metadata);
  for (const feature of supported) {
    const always = REFUSED_WHEN_SUPPORTED[feature];
    const whenActive = REFUSED_WHEN_ACTIVE[feature];
    let reason: string | undefined;
    if (always !== undefined) reason = always;
    else if (whenActive !== undefined) reason = active.has(feature) ? whenActive : undefined;
    else if (!WRITABLE_FEATURES.has(feature)) reason = 'this library does not know what the feature requires of writers';
    if (reason !== undefined) throw unsupportedFeature(tableRoot, feature, reason);
  }
  return { warnings: [] };
}

function unsupportedFeature(tableRoot: string, feature: string, reason: string): DeltaError {
  return new DeltaError(
    'UNSUPPORTED_WRITER_FEATURE',
    `Cannot write to the table at ${tableRoot}: it uses writer feature "${feature}" and ${reason}. Nothing was written. Write to it with a client that supports "${feature}" (for example Delta Spark), or read it only.`,
    { details: { tableRoot, feature } },
  );
}
