/**
 * What the Delta streaming sources (`delta-source.ts`, `delta-cdf-source.ts`) share: their options
 * (Delta's `DeltaOptions` names, case-insensitive), admission control (Delta's `AdmissionLimits`),
 * the schema-change rule (Delta's `checkReadIncompatibleSchemaChanges` without schema tracking),
 * the starting version, and reading the log commit by commit.
 */
import { DeltaError, parseByteSize, type DeltaTable, type Snapshot, parseSchemaString, type Action, type DataType, type Engine, type Metadata, type StructType } from '@deltakit/core';
import { listLogFiles, logDirOf, readCommits, resolveVersionAtOrAfterTimestamp, checkReadSupported, type LogFile } from '@deltakit/core/internal';
import type { SourceSpec } from '../plan/logical.js';
import { option, type StreamContext } from './source.js';

/** Delta's `MAX_FILES_PER_TRIGGER_OPTION_DEFAULT`. */
export const DEFAULT_MAX_FILES_PER_TRIGGER = 1000;

export interface DeltaStreamOptions {
  /** Undefined: 1000 when `maxBytesPerTrigger` is unset too, else unlimited. */
  readonly maxFilesPerTrigger: number | undefined;
  readonly maxBytesPerTrigger: number | undefined;
  readonly startingVersion: number | 'latest' | undefined;
  /** Epoch ms. */
  readonly startingTimestamp: number | undefined;
  readonly ignoreDeletes: boolean;
  /** `ignoreChanges` or its deprecated alias `ignoreFileDeletion`. */
  readonly ignoreChanges: boolean;
  readonly skipChangeCommits: boolean;
  readonly excludeRegex: RegExp | undefined;
  readonly readChangeFeed: boolean;
}

/**
 * The order a Delta source reads the files of its initial snapshot in, as Delta's: by modification
 * time, then path, so the indices in offsets name the same files after a restart.
 */
export function snapshotFileOrder<T extends { readonly modificationTime: number; readonly path: string }>(adds: Iterable<T>): T[] {
  return [...adds].sort((a, b) => a.modificationTime - b.modificationTime || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export function parseDeltaStreamOptions(spec: SourceSpec): DeltaStreamOptions {
  const bool = (key: string): boolean => {
    const v = option(spec, key);
    if (v === undefined) return false;
    const t = v.trim().toLowerCase();
    if (t !== 'true' && t !== 'false') throw new DeltaError('INVALID_ARGUMENT', `Option ${key} must be 'true' or 'false', got '${v}'.`, { details: { option: key } });
    return t === 'true';
  };
  const maxFilesText = option(spec, 'maxFilesPerTrigger');
  let maxFilesPerTrigger: number | undefined;
  if (maxFilesText !== undefined) {
    maxFilesPerTrigger = Number(maxFilesText);
    if (!Number.isSafeInteger(maxFilesPerTrigger) || maxFilesPerTrigger <= 0) {
      throw new DeltaError('INVALID_ARGUMENT', `maxFilesPerTrigger must be a positive integer, got '${maxFilesText}'.`, { details: { option: 'maxFilesPerTrigger' } });
    }
  }
  const maxBytesText = option(spec, 'maxBytesPerTrigger');
  const maxBytesPerTrigger = maxBytesText === undefined ? undefined : parseByteSize(maxBytesText, 'maxBytesPerTrigger');
  const sv = option(spec, 'startingVersion');
  const st = option(spec, 'startingTimestamp');
  if (sv !== undefined && st !== undefined) {
    throw new DeltaError('INVALID_ARGUMENT', "Please either provide 'startingVersion' or 'startingTimestamp', not both.", { details: { option: 'startingVersion' } });
  }
  let startingVersion: number | 'latest' | undefined;
  if (sv !== undefined) {
    if (sv.trim().toLowerCase() === 'latest') startingVersion = 'latest';
    else {
      startingVersion = /^\s*\d+\s*$/.test(sv) ? Number(sv) : NaN;
      if (!Number.isSafeInteger(startingVersion)) throw new DeltaError('INVALID_ARGUMENT', `Invalid value '${sv}' for option 'startingVersion': it must be a table version (an integer >= 0) or 'latest'.`, { details: { option: 'startingVersion' } });
    }
  }
  let startingTimestamp: number | undefined;
  if (st !== undefined) {
    startingTimestamp = parseTimestampOption(st);
  }
  const regex = option(spec, 'excludeRegex');
  let excludeRegex: RegExp | undefined;
  if (regex !== undefined) {
    try {
      excludeRegex = new RegExp(regex);
    } catch (e) {
      throw new DeltaError('INVALID_ARGUMENT', `Option excludeRegex '${regex}' is not a valid regular expression: ${(e as Error).message}`, { details: { option: 'excludeRegex' } });
    }
  }
  return {
    maxFilesPerTrigger,
    maxBytesPerTrigger,
    startingVersion,
    startingTimestamp,
    ignoreDeletes: bool('ignoreDeletes'),
    ignoreChanges: bool('ignoreChanges') || bool('ignoreFileDeletion'),
    skipChangeCommits: bool('skipChangeCommits'),
    excludeRegex,
    readChangeFeed: bool('readChangeFeed') || bool('readChangeData'),
  };
}

/** A timestamp string (`2024-01-31`, `2024-01-31 12:00:00`, ISO with a zone; UTC when none) as epoch ms. */
function parseTimestampOption(text: string): number {
  const t = text.trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(t);
  if (m === null) {
    throw new DeltaError('INVALID_ARGUMENT', `The provided timestamp ('${text}') cannot be converted to a valid timestamp for option 'startingTimestamp'. Use 'YYYY-MM-DD', 'YYYY-MM-DD HH:MM:SS' or ISO 8601 text (UTC when no zone is given).`, {
      details: { option: 'startingTimestamp' },
    });
  }
  const zone = m[8] === undefined ? 'Z' : m[8].length === 5 ? `${m[8].slice(0, 3)}:${m[8].slice(3)}` : m[8];
  const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4] ?? '00'}:${m[5] ?? '00'}:${m[6] ?? '00'}${(m[7] ?? '').slice(0, 4)}${zone}`;
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) throw new DeltaError('INVALID_ARGUMENT', `The provided timestamp ('${text}') is not a valid date for option 'startingTimestamp'.`, { details: { option: 'startingTimestamp' } });
  return ms;
}

/**
 * How much one batch may take, as Delta's `AdmissionLimits`: a file is admitted while there is
 * capacity left *before* taking it (so at least one file, and maxBytes is soft); placeholders
 * (version sentinels) are always admitted and not counted.
 */
export class Admission {
  #files: number;
  #bytes: number;
  #takenCommit = false;

  constructor(options: DeltaStreamOptions) {
    this.#bytes = options.maxBytesPerTrigger ?? Number.MAX_SAFE_INTEGER;
    this.#files = options.maxFilesPerTrigger ?? (options.maxBytesPerTrigger === undefined ? DEFAULT_MAX_FILES_PER_TRIGGER : Number.MAX_SAFE_INTEGER);
  }

  /** One file (size in bytes), or a placeholder (`undefined`). */
  admit(size: number | undefined): boolean {
    this.#takenCommit = true;
    if (size === undefined) return true;
    const ok = this.#files > 0 && this.#bytes > 0;
    this.#files -= 1;
    this.#bytes -= size;
    return ok;
  }

  /** A whole commit at once (change feed): always the first one of a batch, later ones only when they fit entirely. */
  admitAll(count: number, bytes: number): boolean {
    if (count === 0) return true;
    const ok = !this.#takenCommit || (this.#files - count >= 0 && this.#bytes - bytes >= 0);
    this.#takenCommit = true;
    this.#files -= count;
    this.#bytes -= bytes;
    return ok;
  }
}

/**
 * The version a stream without a checkpoint starts from when `startingVersion` or
 * `startingTimestamp` is given (`latest`: the version after the latest, i.e. only new commits;
 * a timestamp: the first commit at or after it), or undefined to start from the initial snapshot.
 */
export async function startingVersionOf(options: DeltaStreamOptions, engine: Engine, tableRoot: string, latestVersion: number, signal?: AbortSignal): Promise<number | undefined> {
  if (options.startingVersion === 'latest') return latestVersion + 1;
  if (options.startingVersion !== undefined) {
    if (options.startingVersion > latestVersion) {
      throw new DeltaError('VERSION_NOT_FOUND', `Cannot time travel Delta table to version ${options.startingVersion}: the latest version of ${tableRoot} is ${latestVersion}. Use startingVersion between 0 and ${latestVersion}, or 'latest' for new commits only.`, {
        details: { version: options.startingVersion, latestVersion },
      });
    }
    return options.startingVersion;
  }
  if (options.startingTimestamp !== undefined) {
    return resolveVersionAtOrAfterTimestamp(engine, tableRoot, options.startingTimestamp, signal ? { signal } : {});
  }
  return undefined;
}

/** One commit of the log. */
export interface Commit {
  readonly version: number;
  readonly actions: readonly Action[];
  readonly file: LogFile;
}

/** Commit files read ahead at once. */
const READ_AHEAD = 8;

/**
 * The commits from `from` on, in version order, read a few at a time (nothing is read past what
 * the consumer takes). A gap (commit `from` missing while later ones exist, e.g. removed by log
 * cleanup) is a typed error, as Delta's `failOnDataLoss`.
 */
export async function* commitsFrom(engine: Engine, tableRoot: string, from: number, signal?: AbortSignal): AsyncGenerator<Commit> {
  const listing = await listLogFiles(engine, logDirOf(tableRoot), from, signal);
  if (!listing.commits.has(from)) {
    const later = [...listing.commits.keys()].filter((v) => v > from);
    if (later.length > 0) {
      const first = Math.min(...later);
      throw new DeltaError(
        'VERSION_NOT_FOUND',
        `The stream needs version ${from} of the Delta table at ${tableRoot}, but its log starts at version ${first} now: versions ${from}..${first - 1} were removed (log retention). Some data may have been lost. Start the query again with a new checkpointLocation (and startingVersion ${first} if wanted).`,
        { details: { version: from, earliestVersion: first } },
      );
    }
    return;
  }
  const files: LogFile[] = [];
  for (let v = from; listing.commits.has(v); v++) files.push(listing.commits.get(v)!);
  for (let i = 0; i < files.length; i += READ_AHEAD) {
    const window = files.slice(i, i + READ_AHEAD);
    const read = await readCommits(engine, window, signal);
    for (let k = 0; k < window.length; k++) yield { version: window[k]!.name.version, actions: read[k]!, file: window[k]! };
  }
}

/** What a commit means to a Delta stream (Delta's `validateCommitAndDecideSkipping`). */
export interface CommitVerdict {
  /** `skipChangeCommits` and the commit removes data: none of its files are emitted. */
  readonly skip: boolean;
  readonly metadata: Metadata | undefined;
}

/**
 * Checks one commit: removes with `dataChange` fail the stream unless the options allow them
 * (adds and removes together: an update, needing ignoreChanges or skipChangeCommits; removes
 * only: a delete, needing ignoreDeletes too); `dataChange: false` actions (OPTIMIZE, compaction)
 * are ignored; a protocol must be readable; a metadata action goes through `onMetadata`.
 */
export function validateCommit(commit: Commit, options: DeltaStreamOptions, tableRoot: string, onMetadata: (m: Metadata, version: number) => void): CommitVerdict {
  const allowChanges = options.ignoreChanges || options.skipChangeCommits;
  const allowDeletes = allowChanges || options.ignoreDeletes;
  let seenAdd = false;
  let removed: string | undefined;
  let operation: string | undefined;
  let metadata: Metadata | undefined;
  for (const a of commit.actions) {
    if (a.kind === 'add' && a.add.dataChange) seenAdd = true;
    else if (a.kind === 'remove' && a.remove.dataChange) removed ??= a.remove.path;
    else if (a.kind === 'metaData') {
      onMetadata(a.metaData, commit.version);
      metadata = a.metaData;
    } else if (a.kind === 'protocol') checkReadSupported(a.protocol, tableRoot);
    else if (a.kind === 'commitInfo') operation = `${a.commitInfo.operation ?? 'UNKNOWN'} (${JSON.stringify(a.commitInfo.operationParameters ?? {})})`;
  }
  if (removed !== undefined) {
    if (seenAdd && !allowChanges) {
      throw new DeltaError(
        'SOURCE_CHANGED',
        `Detected a data update (for example ${operation ?? removed}) in the source table at version ${commit.version}. This is currently not supported. If this is going to happen regularly and you are okay to skip changes, set the option 'skipChangeCommits' to 'true' (or 'ignoreChanges' to 'true' to also read the rewritten files again, duplicates included). If you would like the data update to be reflected, restart this query with a fresh checkpoint directory, or read the change data feed with readChangeFeed. The source table can be found at path ${tableRoot}.`,
        { details: { version: commit.version, option: 'skipChangeCommits', tableRoot } },
      );
    }
    if (!seenAdd && !allowDeletes) {
      throw new DeltaError(
        'SOURCE_CHANGED',
        `Detected deleted data (for example ${removed}) from streaming source at version ${commit.version}. This is currently not supported. If you'd like to ignore deletes, set the option 'ignoreDeletes' to 'true'. The source table can be found at path ${tableRoot}.`,
        { details: { version: commit.version, option: 'ignoreDeletes', tableRoot } },
      );
    }
  }
  return { skip: removed !== undefined && options.skipChangeCommits, metadata };
}

/**
 * Delta's schema-change rule without schema tracking. The read schema is fixed when the query
 * starts; a metadata action at `version` (in the table `tableId`) must let that schema read the
 * files written after it (at or before the start version: the files before it):
 * - another table id: CHECKPOINT_INCOMPATIBLE;
 * - partition columns changed, a column missing, a type changed, or nullability tightened:
 *   SCHEMA_CHANGED. It says the change is retryable when a restart (which reads with the new
 *   schema) can continue: an additive change after the stream started.
 */
export function checkSchemaChange(args: {
  readonly metadata: Metadata;
  readonly version: number;
  readonly init: Metadata;
  readonly initVersion: number;
  readonly readSchema: StructType;
  readonly tableRoot: string;
  readonly startingOption: boolean;
}): void {
  const { metadata, version, init, initVersion, readSchema, tableRoot } = args;
  const backfilling = version < initVersion;
  const [newer, older] = backfilling ? [init, metadata] : [metadata, init];
  if (newer.id !== older.id) {
    throw new DeltaError(
      'CHECKPOINT_INCOMPATIBLE',
      `The streaming query was reading from an unexpected Delta table (id = '${newer.id}'). It used to read from another Delta table (id = '${older.id}'). This happens when the table was deleted and re-created at ${tableRoot}. Use a new checkpointLocation to start from scratch.`,
      { details: { newTableId: newer.id, oldTableId: older.id } },
    );
  }
  if (metadata.schemaString === init.schemaString && sameList(newer.partitionColumns, older.partitionColumns)) return;
  const dataSchema = parseSchemaString(metadata.schemaString);
  const partitionsChanged = !sameList(newer.partitionColumns, older.partitionColumns);
  if (!partitionsChanged && readCompatible(dataSchema, readSchema)) return;
  const retryable = !backfilling && !partitionsChanged && readCompatible(readSchema, dataSchema);
  const show = (s: StructType) => s.fields.map((f) => `${f.name} ${typeText(f.type)}${f.nullable ? '' : ' NOT NULL'}`).join(', ');
  const hint = retryable
    ? 'Restart the query: it continues with the new schema. If this repeats across restarts without making progress, the change is incompatible and the query must start from scratch with a new checkpointLocation.'
    : 'The change is not compatible with the data already read: start the query from scratch with a new checkpointLocation.';
  const starting = args.startingOption ? ` If it persists with a new checkpointLocation, change 'startingVersion' or 'startingTimestamp' to start from a version newer than ${version}.` : '';
  throw new DeltaError(
    'SCHEMA_CHANGED',
    `Detected schema change in version ${version} of the Delta table at ${tableRoot}:\nstreaming source schema: ${show(readSchema)}\ndata file schema: ${show(dataSchema)}${partitionsChanged ? `\npartition columns changed from [${older.partitionColumns.join(', ')}] to [${newer.partitionColumns.join(', ')}]` : ''}\n${hint}${starting}`,
    { details: { version, retryable, tableRoot } },
  );
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x.toLowerCase() === b[i]!.toLowerCase());
}

/**
 * Whether data written with `existing` can be read with `read` (Delta's `SchemaUtils.isReadCompatible`
 * with tightened nullability forbidden): every existing column is in `read` (case-insensitively)
 * with a compatible type, and no nullable column becomes non-nullable. Columns only `read` has are
 * fine (read as null); columns only `existing` has are not (a drop), as in Delta.
 */
export function readCompatible(existing: StructType, read: StructType): boolean {
  const byName = new Map(read.fields.map((f) => [f.name.toLowerCase(), f]));
  for (const e of existing.fields) {
    const r = byName.get(e.name.toLowerCase());
    if (r === undefined || (e.nullable && !r.nullable) || !typeCompatible(e.type, r.type)) return false;
  }
  return true;
}

function typeCompatible(e: DataType, r: DataType): boolean {
  if (e.kind === 'struct' && r.kind === 'struct') return readCompatible(e, r);
  if (e.kind === 'array' && r.kind === 'array') return !(e.containsNull && !r.containsNull) && typeCompatible(e.elementType, r.elementType);
  if (e.kind === 'map' && r.kind === 'map') return !(e.valueContainsNull && !r.valueContainsNull) && typeCompatible(e.keyType, r.keyType) && typeCompatible(e.valueType, r.valueType);
  return typeText(e) === typeText(r);
}

function typeText(t: DataType): string {
  switch (t.kind) {
    case 'primitive':
      return t.name.toUpperCase();
    case 'decimal':
      return `DECIMAL(${t.precision},${t.scale})`;
    case 'array':
      return `ARRAY<${typeText(t.elementType)}>`;
    case 'map':
      return `MAP<${typeText(t.keyType)},${typeText(t.valueType)}>`;
    case 'struct':
      return `STRUCT<${t.fields.map((f) => `${f.name}: ${typeText(f.type)}`).join(', ')}>`;
  }
}

/** Where the version `startingVersion: 'latest'` resolved to is kept, so a replayed first batch reads the same range. */
export const STARTING_VERSION_FILE = 'deltaStartingVersion';

/**
 * The start of a stream without a checkpointed offset: the version the options name (resolved
 * once per checkpoint for `latest` and kept in the source's metadata folder), or undefined for the
 * initial snapshot.
 */
export async function resolveStartingVersion(table: DeltaTable, init: Snapshot, options: DeltaStreamOptions, ctx: StreamContext): Promise<number | undefined> {
  if (options.startingVersion !== 'latest') return startingVersionOf(options, table.engine, table.tableRoot, init.version);
  const path = `${ctx.metadataPath}/${STARTING_VERSION_FILE}`;
  const store = ctx.engine.store;
  const fresh = init.version + 1;
  const res = await store.putIfAbsent(path, new TextEncoder().encode(`v1\n${JSON.stringify({ startingVersion: fresh })}`));
  if (res.created) return fresh;
  const text = new TextDecoder().decode(await store.get(path));
  const parsed = JSON.parse(text.split('\n')[1] ?? '{}') as { startingVersion?: unknown };
  return typeof parsed.startingVersion === 'number' ? parsed.startingVersion : fresh;
}

