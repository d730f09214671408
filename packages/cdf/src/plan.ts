/**
 * Planning a change-feed read: the version range, the end version's schema, and per commit its
 * log file and commit timestamp, after checking the whole range before any data is read:
 * - every protocol in the range is readable;
 * - the change data feed is enabled at the start version and no metadata change in the range
 *   disables it (CHANGE_DATA_FEED_NOT_ENABLED names the version);
 * - the schemas at the start version and of every metadata change in the range can be read with
 *   the end version's schema (INCOMPATIBLE_SCHEMA_CHANGE; see `schema-compat.ts` for the rule);
 *   so must the schema before the start version when the start commit changes the schema and
 *   deletes rows (an overwrite replacing the schema), since those rows were written under it.
 *
 * Commit timestamps: a commit's in-commit timestamp when the table has in-commit timestamps
 * enabled at that version (CORRUPT_LOG if the commit lacks it, as in delta-kernel-rs), else its
 * commit file's modification time made strictly increasing over the listed commits, as Delta Spark
 * does. `DeltaTable.history()` gives the same times (it decides in-commit timestamps from the
 * latest metadata, which differs only for a table that turned them off again).
 *
 * Memory: commits are read in windows; only their timestamps and metadata changes are kept, and
 * the reader reads each commit file again when it reaches it.
 */
import { DeltaError, deltaToArrowSchema, isDeltaError, field, parseSchemaString, primitive, type Engine, type Metadata, type Protocol, type StructField, type StructType } from '@deltakit/core';
import {
  checkReadSupported,
  columnMappingMode,
  ictEnablement,
  listLogFiles,
  loadProtocolAndMetadata,
  logDirOf,
  monotonize,
  readCommits,
  segmentFrom,
  tableNotFound,
  type ColumnMappingMode,
  type LogFile,
  type LogListing,
} from '@deltakit/core/internal';
import type { Schema } from 'apache-arrow';
import type { Bounds } from './options.js';
import { resolveRange, type ResolveOptions } from './range.js';
import { readIncompatibility, type VersionedSchema } from './schema-compat.js';

export const CHANGE_TYPE = '_change_type';
export const COMMIT_VERSION = '_commit_version';
export const COMMIT_TIMESTAMP = '_commit_timestamp';

/** The columns every change row carries after the table's own columns. */
export const CHANGE_FIELDS: readonly StructField[] = [
  field(CHANGE_TYPE, primitive('string'), false),
  field(COMMIT_VERSION, primitive('long'), false),
  field(COMMIT_TIMESTAMP, primitive('timestamp'), false),
];

/** One commit of the range. */
export interface PlannedCommit {
  readonly version: number;
  /** Commit timestamp, ms since the epoch. */
  readonly timestamp: number;
  readonly file: LogFile;
}

export interface FeedPlan {
  readonly tableRoot: string;
  /** First version read; `startVersion > endVersion` means the feed is empty. */
  readonly startVersion: number;
  readonly endVersion: number;
  /** The end version's logical schema, partition columns and column mapping: the read schema. */
  readonly tableSchema: StructType;
  readonly partitionColumns: readonly string[];
  readonly columnMapping: ColumnMappingMode;
  /** The Arrow schema of every batch: the table's columns, then `_change_type`, `_commit_version`, `_commit_timestamp`. */
  readonly schema: Schema;
  readonly commits: readonly PlannedCommit[];
}

/** Commit files read at once while checking the range. */
const WINDOW = 64;

export async function planFeed(engine: Engine, tableRoot: string, bounds: Bounds, options: ResolveOptions): Promise<FeedPlan> {
  const { signal } = options;
  const logDir = logDirOf(tableRoot);
  const listing = await listLogFiles(engine, logDir, undefined, signal);
  if (listing.commits.size === 0 && listing.checkpoints.size === 0) throw await tableNotFound(engine, tableRoot, logDir);
  const { start, end } = await resolveRange(engine, tableRoot, listing, bounds, options);
  if (start > end) {
    // An empty feed still has the columns of its end version.
    const endState = await stateAt(engine, tableRoot, listing, end, signal);
    return { ...planBase(tableRoot, start, end, versionedSchema(endState.metadata, tableRoot, end)), commits: [] };
  }

  const range = { tableRoot, start, end };
  const startState = await stateAt(engine, tableRoot, listing, start, signal);
  if (!cdfEnabled(startState.metadata)) throw notEnabled(range, start);
  const scan = await scanCommits(engine, listing, range, startState.metadata, signal);
  // The end version's metadata is the last one set in the range (or the start's).
  const read = versionedSchema(scan.metadataChanges.at(-1)?.metadata ?? startState.metadata, tableRoot, end);
  const base = planBase(tableRoot, start, end, read);
  let previous = startState.metadata;
  const schemaChanges: number[] = [];
  for (const { version, metadata } of scan.metadataChanges) {
    if (version === start) continue; // already part of the start version's schema
    if (metadata.schemaString !== previous.schemaString) schemaChanges.push(version);
    previous = metadata;
    const why = readIncompatibility(versionedSchema(metadata, tableRoot, version), read);
    if (why !== undefined) throw incompatible(range, version, why, [version]);
  }
  const why = readIncompatibility(versionedSchema(startState.metadata, tableRoot, start), read);
  if (why !== undefined) throw incompatible(range, start, why, schemaChanges);
  if (scan.startCommit.changesMetadata && scan.startCommit.deletesRows) await checkSchemaBeforeStart(engine, listing, range, read, signal);
  return { ...base, commits: scan.commits };
}

function planBase(tableRoot: string, start: number, end: number, read: VersionedSchema): Omit<FeedPlan, 'commits'> {
  checkNoReservedColumns(read.schema, tableRoot);
  return {
    tableRoot,
    startVersion: start,
    endVersion: end,
    tableSchema: read.schema,
    partitionColumns: read.partitionColumns,
    columnMapping: read.columnMapping,
    schema: deltaToArrowSchema({ kind: 'struct', fields: [...read.schema.fields, ...CHANGE_FIELDS] }),
  };
}

/**
 * A start commit that changes the schema and removes files (an overwrite replacing the schema)
 * reports rows written under the schema before it as deleted: that schema must be readable too.
 * When the version before the start can no longer be reconstructed the check is skipped.
 */
async function checkSchemaBeforeStart(engine: Engine, listing: LogListing, range: Range, read: VersionedSchema, signal: AbortSignal | undefined): Promise<void> {
  let before: { metadata: Metadata };
  try {
    before = await stateAt(engine, range.tableRoot, listing, range.start - 1, signal);
  } catch (e) {
    if (isDeltaError(e, 'VERSION_NOT_FOUND', 'VERSIONS_NOT_CONTIGUOUS')) return;
    throw e;
  }
  const why = readIncompatibility(versionedSchema(before.metadata, range.tableRoot, range.start - 1), read);
  if (why === undefined) return;
  throw new DeltaError(
    'INCOMPATIBLE_SCHEMA_CHANGE',
    `The change data feed of the table at ${range.tableRoot} cannot be read for versions ${range.start} to ${range.end}: version ${range.start} changed the schema and deleted rows written under the schema before it, which cannot be read with the schema of the end version ${range.end}: ${why}. ` +
      `Start the range after version ${range.start}, or end it before.`,
    { details: { tableRoot: range.tableRoot, version: range.start, startVersion: range.start, endVersion: range.end } },
  );
}

interface Range {
  readonly tableRoot: string;
  readonly start: number;
  readonly end: number;
}

interface CommitScan {
  readonly commits: PlannedCommit[];
  /** Every metaData action of the range, in version order. */
  readonly metadataChanges: Array<{ readonly version: number; readonly metadata: Metadata }>;
  /** What the start commit does (see {@link checkSchemaBeforeStart}). */
  readonly startCommit: { changesMetadata: boolean; deletesRows: boolean };
}

/**
 * Reads the commits of the range in windows: checks each protocol and that every metadata change
 * keeps the change data feed enabled, dates each commit, and collects the metadata changes (the
 * schema checks need the end version's schema, known only at the end).
 */
async function scanCommits(engine: Engine, listing: LogListing, range: Range, startMetadata: Metadata, signal: AbortSignal | undefined): Promise<CommitScan> {
  const fileTimes = monotonizedFileTimes(listing);
  const scan: CommitScan = { commits: [], metadataChanges: [], startCommit: { changesMetadata: false, deletesRows: false } };
  let metadata = startMetadata;
  for (let lo = range.start; lo <= range.end; lo += WINDOW) {
    const files: LogFile[] = [];
    for (let v = lo; v <= Math.min(range.end, lo + WINDOW - 1); v++) files.push(listing.commits.get(v)!);
    const actionLists = await readCommits(engine, files, signal);
    for (let k = 0; k < files.length; k++) {
      const version = lo + k;
      const actions = actionLists[k]!;
      let ict: number | undefined;
      for (const a of actions) {
        if (a.kind === 'protocol') checkReadSupported(a.protocol, range.tableRoot);
        else if (a.kind === 'commitInfo') ict = a.commitInfo.inCommitTimestamp;
        else if (a.kind === 'metaData') {
          if (!cdfEnabled(a.metaData)) throw notEnabled(range, version);
          scan.metadataChanges.push({ version, metadata: a.metaData });
          metadata = a.metaData;
        }
      }
      if (version === range.start) {
        scan.startCommit.changesMetadata = actions.some((a) => a.kind === 'metaData');
        scan.startCommit.deletesRows = !actions.some((a) => a.kind === 'cdc') && actions.some((a) => a.kind === 'remove' && a.remove.dataChange);
      }
      scan.commits.push({ version, timestamp: commitTimestamp(range.tableRoot, version, metadata, ict, fileTimes), file: files[k]! });
    }
  }
  return scan;
}

function commitTimestamp(tableRoot: string, version: number, metadata: Metadata, ict: number | undefined, fileTimes: ReadonlyMap<number, number>): number {
  const enabled = ictEnablement(metadata);
  if (enabled === undefined || version < enabled.fromVersion) return fileTimes.get(version)!;
  if (ict !== undefined) return ict;
  throw new DeltaError(
    'CORRUPT_LOG',
    `Commit ${version} of the table at ${tableRoot} has no commitInfo.inCommitTimestamp although in-commit timestamps are enabled at that version, so its commit time is unknown. ` +
      'The writer of that commit broke the protocol; read a range that does not include it.',
    { details: { tableRoot, version } },
  );
}

/** Commit file times made strictly increasing in version order over every listed commit. */
function monotonizedFileTimes(listing: LogListing): Map<number, number> {
  const versions = [...listing.commits.keys()].sort((a, b) => a - b);
  const times = monotonize(versions.map((v) => listing.commits.get(v)!.meta.lastModified));
  return new Map(versions.map((v, i) => [v, times[i]!]));
}

/** The protocol and metadata at `version` (checked readable), without replaying its files. */
async function stateAt(engine: Engine, tableRoot: string, listing: LogListing, version: number, signal: AbortSignal | undefined): Promise<{ protocol: Protocol; metadata: Metadata }> {
  const segment = segmentFrom(tableRoot, logDirOf(tableRoot), listing, version, undefined);
  const { protocol, metadata } = await loadProtocolAndMetadata(engine, segment, signal);
  if (protocol === undefined || metadata === undefined) {
    const what = protocol === undefined ? 'protocol' : 'metaData';
    throw new DeltaError(
      protocol === undefined ? 'MISSING_PROTOCOL' : 'MISSING_METADATA',
      `The Delta log at ${tableRoot} has no ${what} action up to version ${version}; every table must declare one. The log or its checkpoint is incomplete or corrupt; restore it from a backup.`,
      { details: { tableRoot, version } },
    );
  }
  checkReadSupported(protocol, tableRoot);
  return { protocol, metadata };
}

function versionedSchema(metadata: Metadata, tableRoot: string, version: number): VersionedSchema {
  if (metadata.schemaString === '') {
    throw new DeltaError('INVALID_SCHEMA', `The table at ${tableRoot} has no schema at version ${version}: its metaData action lacks schemaString, so its rows cannot be read.`, {
      details: { tableRoot, version },
    });
  }
  return { schema: parseSchemaString(metadata.schemaString), partitionColumns: metadata.partitionColumns, columnMapping: columnMappingMode(metadata.configuration) };
}

/** `delta.enableChangeDataFeed` (or its legacy name `delta.enableChangeDataCapture`) is true. */
export function cdfEnabled(metadata: Metadata): boolean {
  const c = metadata.configuration;
  return c['delta.enableChangeDataFeed']?.toLowerCase() === 'true' || c['delta.enableChangeDataCapture']?.toLowerCase() === 'true';
}

function checkNoReservedColumns(schema: StructType, tableRoot: string): void {
  const reserved = new Set(CHANGE_FIELDS.map((f) => f.name));
  const clash = schema.fields.find((f) => reserved.has(f.name.toLowerCase()));
  if (clash !== undefined) {
    throw new DeltaError(
      'INVALID_SCHEMA',
      `The table at ${tableRoot} has a column named ${clash.name}, which the change data feed adds to every row, so its changes cannot be returned. Rename the column.`,
      { details: { tableRoot, column: clash.name } },
    );
  }
}

function notEnabled(range: Range, version: number): DeltaError {
  return new DeltaError(
    'CHANGE_DATA_FEED_NOT_ENABLED',
    `The change data feed of the table at ${range.tableRoot} cannot be read for versions ${range.start} to ${range.end}: it is not enabled at version ${version} ` +
      `(the table property delta.enableChangeDataFeed is not "true" there), so the changes of that version were not recorded. ` +
      'Read a range of versions where it is enabled; set delta.enableChangeDataFeed=true on the table to record changes from then on.',
    { details: { tableRoot: range.tableRoot, version, startVersion: range.start, endVersion: range.end } },
  );
}

function incompatible(range: Range, version: number, why: string, changes: readonly number[]): DeltaError {
  const where = version === range.start ? `the schema at the start version ${version}` : `the schema set at version ${version}`;
  const split = changes.length === 0 ? '' : ` The schema changed at version ${changes.join(', ')}; read ranges that do not cross ${changes.length === 1 ? 'it' : 'them'}.`;
  return new DeltaError(
    'INCOMPATIBLE_SCHEMA_CHANGE',
    `The change data feed of the table at ${range.tableRoot} cannot be read for versions ${range.start} to ${range.end}: ${where} cannot be read with the schema of the end version ${range.end}: ${why}. ` +
      `Rows written under both schemas cannot be returned with one schema.${split}`,
    { details: { tableRoot: range.tableRoot, version, startVersion: range.start, endVersion: range.end } },
  );
}
