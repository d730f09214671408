import type { Schema } from 'apache-arrow';
import type { Engine } from '../engine.js';
import type { AddFile, CommitInfo, DeletionVectorDescriptor, Metadata, Protocol } from '../log/actions.js';
import type { TableState } from '../log/replay.js';
import { deltaToArrowSchema } from '../schema/arrow.js';
import { columnMappingMode, type ColumnMappingMode } from '../schema/column-mapping.js';
import { parseSchemaString } from '../schema/json.js';
import type { StructType } from '../schema/types.js';
import { parseJson } from '../util/json.js';
import { Scan, type ScanOptions } from './scan.js';
import { DeltaError } from '../errors.js';
import { parseIntervalMs } from '../log/checkpoint-writer.js';

/** A live data file as a snapshot reports it. */
export interface FileInfo {
  /** The path as written in the log (URI-encoded, usually relative to the table root). */
  readonly path: string;
  readonly size: number;
  readonly modificationTime: number;
  /** Serialized partition values keyed by physical column name, as in the log. */
  readonly partitionValues: Readonly<Record<string, string | null>>;
  /** The parsed `stats` JSON (longs beyond 2^53 as bigint), when the file has stats. */
  readonly stats?: Readonly<Record<string, unknown>>;
  /** Physical row count from the stats, deletion vectors not subtracted. */
  readonly numRecords?: number;
  readonly deletionVector?: DeletionVectorDescriptor;
}

export interface SnapshotOptions {
  /** IANA zone for legacy zone-less timestamp partition values. Default UTC. */
  readonly sessionTimeZone: string;
}

/**
 * An immutable view of a table at one version. Everything is computed from the reconciled log
 * state; reading rows goes through {@link Snapshot.scan}.
 */
export class Snapshot {
  readonly version: number;
  readonly protocol: Protocol;
  readonly metadata: Metadata;
  readonly partitionColumns: readonly string[];
  readonly properties: Readonly<Record<string, string>>;
  readonly columnMapping: ColumnMappingMode;
  /** Latest `txn.version` per application id. */
  readonly appTransactions: ReadonlyMap<string, bigint>;
  /** Live domain metadata: domain name to its configuration text. */
  readonly domainMetadata: ReadonlyMap<string, string>;
  /**
   * The commitInfo of the commit at this version, when present. For a large commit at a
   * checkpoint version only its first and last 64 KiB are searched; `DeltaTable.history()`
   * reads commits whole.
   */
  readonly commitInfo: CommitInfo | undefined;

  readonly #engine: Engine;
  readonly #state: TableState;
  readonly #options: SnapshotOptions;
  #fileInfos: FileInfo[] | undefined;
  #schema: StructType | undefined;
  #arrowSchema: Schema | undefined;

  /** @internal Built by DeltaTable; not part of the public construction API. */
  constructor(engine: Engine, state: TableState, options: SnapshotOptions) {
    this.#engine = engine;
    this.#state = state;
    this.#options = options;
    this.version = state.version;
    this.protocol = state.protocol;
    this.metadata = state.metadata;
    this.partitionColumns = state.metadata.partitionColumns;
    this.properties = state.metadata.configuration;
    this.columnMapping = columnMappingMode(state.metadata.configuration);
    this.appTransactions = liveAppTransactions(state, engine.clock.nowMs());
    this.domainMetadata = new Map([...state.domains].map(([k, d]) => [k, d.configuration]));
    this.commitInfo = state.commitInfo;
  }

  /**
   * The logical Delta schema. Parsed on first use, so a log whose metadata lacks a schema still
   * opens for its history and file list; reading the schema of such a table throws INVALID_SCHEMA.
   */
  get schema(): StructType {
    if (this.#schema) return this.#schema;
    if (this.metadata.schemaString === '') {
      throw new DeltaError(
        'INVALID_SCHEMA',
        `The table at ${this.tableRoot} has no schema at version ${this.version}: its metaData action lacks schemaString. The writer produced an incomplete log; its files can be listed but not read.`,
        { details: { version: this.version } },
      );
    }
    return (this.#schema = parseSchemaString(this.metadata.schemaString));
  }

  /** The logical schema as Arrow, the shape scans produce. */
  get arrowSchema(): Schema {
    return (this.#arrowSchema ??= deltaToArrowSchema(this.schema));
  }

  /** The table root path in the engine's store. */
  get tableRoot(): string {
    return this.#state.tableRoot;
  }

  /** The raw live add actions (for maintenance and writers). */
  get addFiles(): readonly AddFile[] {
    return this.#state.files;
  }

  /** @internal The reconciled state this snapshot was built from. */
  get state(): TableState {
    return this.#state;
  }

  /** Live files with parsed statistics, in no particular order. */
  async files(): Promise<FileInfo[]> {
    this.#fileInfos ??= this.#state.files.map(toFileInfo);
    return this.#fileInfos;
  }

  /** A scan of this snapshot: projection, filter, and the row stream. */
  scan(options: ScanOptions = {}): Scan {
    return new Scan(this.#engine, this, options, this.#options.sessionTimeZone);
  }
}

/**
 * App transaction versions, without those expired by `delta.setTransactionRetentionDuration`
 * (`lastUpdated` older than now minus the retention), as Spark and delta-kernel report them. A
 * txn without `lastUpdated`, or a table without the property, never expires.
 */
function liveAppTransactions(state: TableState, nowMs: number): ReadonlyMap<string, bigint> {
  const retention = state.metadata.configuration['delta.setTransactionRetentionDuration'];
  if (retention === undefined) return state.txns;
  const cutoff = nowMs - parseIntervalMs(retention, 'delta.setTransactionRetentionDuration');
  const live = new Map<string, bigint>();
  for (const [appId, txn] of state.setTransactions) if (txn.lastUpdated === undefined || txn.lastUpdated > cutoff) live.set(appId, txn.version);
  return live;
}

/** Converts a live add action into the {@link FileInfo} shape, parsing its stats JSON. */
export function toFileInfo(add: AddFile): FileInfo {
  let stats: Record<string, unknown> | undefined;
  if (add.stats !== undefined && add.stats !== '') {
    try {
      const parsed = parseJson(add.stats);
      if (parsed !== null && typeof parsed === 'object') stats = parsed as Record<string, unknown>;
    } catch {
      stats = undefined; // unparseable stats only disable skipping; they never fail a read
    }
  } else if (add.statsParsed !== null && typeof add.statsParsed === 'object') {
    stats = add.statsParsed as Record<string, unknown>;
  }
  const n = stats?.numRecords;
  const info: { -readonly [K in keyof FileInfo]: FileInfo[K] } = {
    path: add.path,
    size: add.size,
    modificationTime: add.modificationTime,
    partitionValues: add.partitionValues,
  };
  if (stats !== undefined) info.stats = stats;
  // A count beyond 2^53 arrives as a bigint; it stays exact in `stats` rather than rounded here.
  if (typeof n === 'number') info.numRecords = n;
  if (add.deletionVector !== undefined) info.deletionVector = add.deletionVector;
  return info;
}
