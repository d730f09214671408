/**
 * ALTER TABLE SET / UNSET TBLPROPERTIES and enabling column mapping, as Delta Spark runs them.
 *
 * Setting validates each property as Spark's `DeltaConfigs.validateConfiguration` does: keys of
 * known Delta properties match case-insensitively and are stored in their canonical spelling;
 * their values must parse (booleans, calendar intervals such as `interval 30 days` without months
 * or years, positive integers...); an unknown `delta.` key is refused; CHECK constraints go
 * through addConstraint; `delta.logRetentionDuration` may not be shorter than
 * `delta.deletedFileRetentionDuration` (each compared with the other's given or default value).
 * The key `comment` sets the table description. Other keys are stored as given.
 *
 * Unsetting refuses keys the table does not have, unless `ifExists`.
 */
import type { Engine } from '../../engine.js';
import { DeltaError } from '../../errors.js';
import { parseIntervalMs } from '../../log/checkpoint-writer.js';
import { columnMappingMode, COLUMN_ID_KEY, COLUMN_MAPPING_MODE_KEY, PHYSICAL_NAME_KEY } from '../../schema/column-mapping.js';
import type { Snapshot } from '../../table/snapshot.js';
import { canonicalFeatureName } from '../../write/protocol-for.js';
import { parseStatsColumns } from '../../write/stats-collector.js';
import { commitMetadataChange, type AlterOptions } from './commit.js';
import { parseByteSize } from '../optimize/options.js';
import { allFields } from './paths.js';

/** The table property holding the table description (Spark's `TableCatalog.PROP_COMMENT`). */
const COMMENT = 'comment';
const MAX_COLUMN_ID = 'delta.columnMapping.maxColumnId';
const LOG_RETENTION = 'delta.logRetentionDuration';
const FILE_RETENTION = 'delta.deletedFileRetentionDuration';
const DEFAULT_LOG_RETENTION_MS = 30 * 86_400_000;
const DEFAULT_FILE_RETENTION_MS = 7 * 86_400_000;

type Check = (value: string) => boolean;

const bool: Check = (v) => /^(true|false)$/i.test(v);
const integer = (ok: (n: number) => boolean): Check => (v) => /^[+-]?\d+$/.test(v) && Math.abs(Number(v)) <= 2 ** 31 && ok(Number(v));
const long: Check = (v) => /^[+-]?\d+$/.test(v);
const any: Check = () => true;
const interval: Check = (v) => {
  try {
    parseIntervalMs(v);
    return true;
  } catch {
    return false;
  }
};
const byteSize: Check = (v) => {
  try {
    return parseByteSize(v) > 0;
  } catch {
    return false;
  }
};
const statsColumns: Check = (v) => {
  try {
    parseStatsColumns(v);
    return true;
  } catch {
    return false;
  }
};

interface KnownProperty {
  readonly check: Check;
  /** What a valid value looks like, for messages. */
  readonly expected: string;
}

const BOOLEAN: KnownProperty = { check: bool, expected: 'true or false' };
const INTERVAL: KnownProperty = { check: interval, expected: "a calendar interval such as 'interval 2 weeks' or '30 days' (months and years are not accepted; use days)" };
const ANY: KnownProperty = { check: any, expected: 'any value' };
const LONG: KnownProperty = { check: long, expected: 'an integer' };

/** Delta Spark's table properties (`DeltaConfigs`), by canonical key after `delta.`. */
const KNOWN: Readonly<Record<string, KnownProperty>> = {
  minReaderVersion: ANY, // validated with the protocol (write/protocol-for.ts)
  minWriterVersion: ANY,
  ignoreProtocolDefaults: BOOLEAN,
  logRetentionDuration: INTERVAL,
  sampleRetentionDuration: INTERVAL,
  checkpointRetentionDuration: INTERVAL,
  deletedFileRetentionDuration: INTERVAL,
  setTransactionRetentionDuration: INTERVAL,
  'dropFeatureTruncateHistory.retentionDuration': INTERVAL,
  checkpointInterval: { check: integer((n) => n > 0), expected: 'a positive integer' },
  randomPrefixLength: { check: integer((n) => n > 0), expected: 'an integer greater than 0' },
  dataSkippingNumIndexedCols: { check: integer((n) => n >= -1), expected: 'an integer larger than or equal to -1' },
  dataSkippingStringPrefixLength: { check: integer(() => true), expected: 'an integer' },
  dataSkippingStatsColumns: { check: statsColumns, expected: 'a comma-separated list of column names (back-quote names with special characters)' },
  'redirectReaderWriter-preview': ANY,
  'redirectWriterOnly-preview': ANY,
  'autoOptimize.autoCompact': ANY,
  targetFileSize: { check: byteSize, expected: "a positive byte size such as '268435456' or '256mb'" },
  tuneFileSizesForRewrites: BOOLEAN,
  'parquet.format.version': ANY,
  enableExpiredLogCleanup: BOOLEAN,
  enableFullRetentionRollback: BOOLEAN,
  randomizeFilePrefixes: BOOLEAN,
  appendOnly: BOOLEAN,
  enableDeletionVectors: BOOLEAN,
  enableVariantShredding: BOOLEAN,
  autoOptimize: BOOLEAN,
  'autoOptimize.optimizeWrite': BOOLEAN,
  'checkpoint.writeStatsAsJson': BOOLEAN,
  'checkpoint.writeStatsAsStruct': BOOLEAN,
  'compatibility.symlinkFormatManifest.enabled': BOOLEAN,
  enableChangeDataCapture: BOOLEAN,
  enableChangeDataFeed: BOOLEAN,
  'columnMapping.mode': { check: (v) => /^(none|name|id)$/i.test(v), expected: 'none, name or id' },
  'columnMapping.maxColumnId': ANY, // refused below: only writers assign it
  isolationLevel: { check: (v) => v.toLowerCase() === 'serializable', expected: 'Serializable' },
  checkpointPolicy: { check: (v) => /^(classic|v2)$/i.test(v), expected: 'classic or v2' },
  enableRowTracking: BOOLEAN,
  rowTrackingSuspended: BOOLEAN,
  'universalFormat.enabledFormats': { check: (v) => v.split(',').every((f) => ['iceberg', 'hudi'].includes(f.trim().toLowerCase())), expected: 'a comma-separated list of iceberg and hudi' },
  enableIcebergCompatV1: BOOLEAN,
  enableIcebergCompatV2: BOOLEAN,
  enableIcebergCompatV3: BOOLEAN,
  'universalFormat.iceberg.atomicConversion.supported': BOOLEAN,
  castIcebergTimeType: BOOLEAN,
  ignoreIcebergBucketPartition: BOOLEAN,
  enableTypeWidening: BOOLEAN,
  'coordinatedCommits.commitCoordinator-preview': ANY,
  'coordinatedCommits.commitCoordinatorConf-preview': ANY,
  'coordinatedCommits.tableConf-preview': ANY,
  enableInCommitTimestamps: BOOLEAN,
  inCommitTimestampEnablementVersion: LONG,
  inCommitTimestampEnablementTimestamp: LONG,
  requireCheckpointProtectionBeforeVersion: LONG,
  enableMaterializePartitionColumnsFeature: BOOLEAN,
  writePartitionColumnsToParquet: BOOLEAN,
};

const FEATURE_PREFIX = 'delta.feature.';
const CANONICAL = new Map(Object.keys(KNOWN).map((k) => [`delta.${k.toLowerCase()}`, `delta.${k}`]));

/**
 * The canonical spelling of a known Delta property key (case-insensitive), else the key as given;
 * `delta.feature.<name>` gets the feature's canonical name (Spark matches feature names
 * case-insensitively).
 */
export function normalizePropertyKey(key: string): string {
  const lower = key.toLowerCase();
  if (lower.startsWith(FEATURE_PREFIX)) {
    const feature = canonicalFeatureName(key.slice(FEATURE_PREFIX.length));
    return feature === undefined ? key : FEATURE_PREFIX + feature;
  }
  return CANONICAL.get(lower) ?? key;
}


/**
 * Validates properties to set and returns them with canonical keys (see the module doc). Throws
 * INVALID_ARGUMENT for an unknown `delta.` key, an invalid value, a constraint, or a property
 * Delta manages itself; UNSUPPORTED_OPERATION for features this library cannot maintain.
 */
export function validateProperties(properties: Readonly<Record<string, string>>): Record<string, string> {
  if (typeof properties !== 'object' || properties === null) throw new DeltaError('INVALID_ARGUMENT', 'Table properties must be an object of string keys and values.');
  const out: Record<string, string> = {};
  for (const [rawKey, value] of Object.entries(properties)) {
    if (typeof value !== 'string') throw invalid(`Table property ${rawKey} must have a string value, got ${typeof value}`, 'Pass the value as text, e.g. "true" or "30 days".', rawKey);
    const lower = rawKey.toLowerCase();
    if (lower.startsWith('delta.constraints.')) {
      throw invalid(`Table property ${rawKey} would define a CHECK constraint`, `Use addConstraint(name, expression) (ALTER TABLE ADD CONSTRAINT), which checks the existing rows first.`, rawKey);
    }
    if (lower === 'location' || lower === 'provider') throw invalid(`Table property ${rawKey} cannot be set`, 'A table\'s location and format are fixed; create a new table instead.', rawKey);
    if (lower === 'clusteringcolumns' || lower === 'delta.feature.clustering') {
      throw invalid(`Table property ${rawKey} cannot be set directly`, 'Change clustering with ALTER TABLE ... CLUSTER BY (clusterBy).', rawKey);
    }
    const key = normalizePropertyKey(rawKey);
    if (lower.startsWith('delta.') && !lower.startsWith('delta.feature.') && !lower.startsWith('delta.universalformat.config.')) {
      const known = KNOWN[key.slice('delta.'.length)];
      if (known === undefined) {
        throw invalid(`Unknown configuration was specified: ${rawKey}`, 'Check the spelling of the Delta table property (keys starting with "delta." must be properties Delta knows); use a key without the "delta." prefix for your own properties.', rawKey);
      }
      if (key === MAX_COLUMN_ID) throw invalid(`Table property ${key} cannot be modified`, 'Delta assigns column ids itself.', rawKey);
      if (key.startsWith('delta.coordinatedCommits.')) {
        throw new DeltaError('UNSUPPORTED_OPERATION', `Table property ${key} would make the table use coordinated commits, which this library cannot write. Nothing was changed. Leave the property unset.`, { details: { property: key } });
      }
      if (!known.check(value)) throw invalid(`Table property ${key} is "${value}"; it needs to be ${known.expected}`, `Set ${key} to ${known.expected}.`, rawKey);
    }
    out[key] = value;
  }
  checkRetentions(out);
  return out;
}

/** `delta.logRetentionDuration` ≥ `delta.deletedFileRetentionDuration`, each given here or at its default. */
function checkRetentions(props: Readonly<Record<string, string>>): void {
  const log = props[LOG_RETENTION];
  const files = props[FILE_RETENTION];
  if (log === undefined && files === undefined) return;
  const logMs = log === undefined ? DEFAULT_LOG_RETENTION_MS : parseIntervalMs(log, LOG_RETENTION);
  const filesMs = files === undefined ? DEFAULT_FILE_RETENTION_MS : parseIntervalMs(files, FILE_RETENTION);
  if (logMs >= filesMs) return;
  throw invalid(
    `The table property ${LOG_RETENTION} (${log ?? 'default interval 30 days'}) needs to be greater than or equal to ${FILE_RETENTION} (${files ?? 'default interval 1 week'}): the log must keep the record of removed files at least as long as the files themselves are kept`,
    `Raise ${LOG_RETENTION} or lower ${FILE_RETENTION}.`,
    log === undefined ? FILE_RETENTION : LOG_RETENTION,
  );
}

function invalid(problem: string, fix: string, property: string): DeltaError {
  return new DeltaError('INVALID_ARGUMENT', `${problem}. Nothing was changed. ${fix}`, { details: { property } });
}

/**
 * Sets table properties (merged over the current ones), upgrading the protocol when a property
 * turns on a feature; `comment` sets the description. Enabling column mapping (`name`) names the
 * existing columns physically by their current names. Returns the new version, or the current one
 * when nothing changes.
 */
export async function setTableProperties(engine: Engine, snapshot: Snapshot, properties: Readonly<Record<string, string>>, options: AlterOptions = {}): Promise<{ version: number }> {
  const props = validateProperties(properties);
  const { [COMMENT]: comment, ...rest } = props;
  const configuration = { ...snapshot.properties, ...rest };
  const unchanged = (comment === undefined || comment === snapshot.metadata.description) && Object.entries(rest).every(([k, v]) => snapshot.properties[k] === v) && !Object.keys(rest).some(isProtocolKey);
  if (unchanged) return { version: snapshot.version };
  return commitMetadataChange(
    engine,
    snapshot,
    { configuration, ...(comment === undefined ? {} : { description: comment }), operation: 'SET TBLPROPERTIES', operationParameters: { properties: JSON.stringify(props) } },
    options,
  );
}

const isProtocolKey = (k: string): boolean => k === 'delta.minReaderVersion' || k === 'delta.minWriterVersion' || k.startsWith('delta.feature.');

export interface UnsetPropertiesOptions extends AlterOptions {
  /** Ignore keys the table does not have. Default false: INVALID_ARGUMENT naming the key. */
  readonly ifExists?: boolean;
}

/** Removes table properties (`comment` removes the description). Returns the new version (the current one when `ifExists` found none). */
export async function unsetTableProperties(engine: Engine, snapshot: Snapshot, keys: readonly string[], options: UnsetPropertiesOptions = {}): Promise<{ version: number }> {
  if (!Array.isArray(keys) || keys.length === 0 || keys.some((k) => typeof k !== 'string' || k === '')) {
    throw new DeltaError('INVALID_ARGUMENT', `unsetProperties needs a non-empty list of property keys, got ${JSON.stringify(keys)}.`);
  }
  const normalized = keys.map(normalizePropertyKey);
  const current = snapshot.properties;
  const exists = (k: string): boolean => (k === COMMENT ? snapshot.metadata.description !== undefined : k in current);
  if (!options.ifExists) {
    const missing = normalized.find((k) => !exists(k));
    if (missing !== undefined) {
      throw new DeltaError('INVALID_ARGUMENT', `Attempted to unset non-existent property '${missing}' in the table at ${snapshot.tableRoot}. Nothing was changed. Check the key (the table has: ${Object.keys(current).join(', ') || 'no properties'}), or pass { ifExists: true } to ignore missing keys.`, {
        details: { property: missing },
      });
    }
  }
  if (normalized.includes(MAX_COLUMN_ID) && MAX_COLUMN_ID in current) throw invalid(`Table property ${MAX_COLUMN_ID} cannot be removed`, 'Delta assigns column ids itself and needs it to never reuse one.', MAX_COLUMN_ID);
  const configuration = Object.fromEntries(Object.entries(current).filter(([k]) => !normalized.includes(k)));
  if (!normalized.some(exists)) return { version: snapshot.version };
  return commitMetadataChange(
    engine,
    snapshot,
    {
      configuration,
      ...(normalized.includes(COMMENT) ? { description: null } : {}),
      operation: 'UNSET TBLPROPERTIES',
      operationParameters: { properties: JSON.stringify(normalized), ifExists: options.ifExists === true },
    },
    options,
  );
}

/**
 * Enables column mapping on an existing table, as Delta Spark allows it: mode `name` only (the
 * existing columns keep their names as physical names, so existing files still resolve; ids are
 * assigned and the protocol upgraded to reader 2 / writer 5, or the `columnMapping` feature). Mode
 * `id` can only be chosen when a table is created, and a mapped table cannot switch modes.
 * Returns the new version (the current one when the table already uses the mode).
 */
export async function enableColumnMapping(engine: Engine, snapshot: Snapshot, mode: 'name' | 'id', options: AlterOptions = {}): Promise<{ version: number }> {
  if (mode !== 'name' && mode !== 'id') throw new DeltaError('INVALID_ARGUMENT', `Column mapping mode must be "name" or "id", got ${JSON.stringify(mode)}.`);
  const current = columnMappingMode(snapshot.properties);
  if (current === mode) return { version: snapshot.version };
  if (current !== 'none') {
    throw new DeltaError('UNSUPPORTED_OPERATION', `The table at ${snapshot.tableRoot} already uses column mapping mode "${current}"; changing it to "${mode}" is not supported (as in Delta Spark). Nothing was changed. Keep mode "${current}", or copy the data into a new table created with mode "${mode}".`, {
      details: { from: current, to: mode },
    });
  }
  if (mode === 'id') {
    throw new DeltaError(
      'UNSUPPORTED_OPERATION',
      `Column mapping mode "id" can only be chosen when a table is created (as in Delta Spark): existing data files carry no field ids to resolve by. Nothing was changed. Use enableColumnMapping('name'), or create a new table with ${COLUMN_MAPPING_MODE_KEY}=id and copy the data.`,
      { details: { mode } },
    );
  }
  const stale = allFields(snapshot.schema).find((f) => COLUMN_ID_KEY in f.field.metadata || PHYSICAL_NAME_KEY in f.field.metadata);
  if (stale !== undefined) {
    throw new DeltaError(
      'UNSUPPORTED_OPERATION',
      `Cannot enable column mapping on the table at ${snapshot.tableRoot}: its schema already carries column mapping metadata (column ${stale.path.join('.')}) although column mapping is off, left by an earlier writer; enabling it could resolve columns to the wrong data. Nothing was changed. Rewrite the table to a new one to clean the schema.`,
      { details: { column: stale.path.join('.') } },
    );
  }
  return setTableProperties(engine, snapshot, { [COLUMN_MAPPING_MODE_KEY]: mode }, options);
}
