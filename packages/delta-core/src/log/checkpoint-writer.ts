/**
 * Writing classic checkpoints (`_delta_log/<version>.checkpoint.parquet`) and the
 * `_last_checkpoint` hint from a reconciled table state (protocol-notes §3). Tables with the
 * `v2Checkpoint` feature get a classic-named V2 checkpoint: same file name, plus one
 * `checkpointMetadata` row; file actions stay inline (no sidecars).
 */
import { Field, RecordBatch, Schema, Struct, Table, makeData } from 'apache-arrow';
import type { Engine } from '../engine.js';
import { DeltaError, throwIfAborted, wrapEngineError } from '../errors.js';
import { joinPath } from '../storage/paths.js';
import type { AddFile, DeletionVectorDescriptor, DomainMetadata, Metadata, Protocol, RemoveFile, SetTransaction } from './actions.js';
import { B, I, L, S, STRING_LIST, STRING_MAP, arrowTypeOf, buildColumn, struct } from './checkpoint-arrow.js';
import type { ColumnSpec } from './checkpoint-arrow.js';
import { withChecksum } from './last-checkpoint-checksum.js';
import { formatVersion, lastCheckpointPath, logDirOf } from './log-path.js';

/**
 * The state a checkpoint records. `TableState` from `replay.ts` fits; txns given as a map carry no
 * `lastUpdated` and therefore never expire.
 */
export interface CheckpointState {
  readonly version: number;
  readonly protocol: Protocol;
  readonly metadata: Metadata;
  /** Live files. */
  readonly files: readonly AddFile[];
  /** Tombstones; expired ones are dropped (see {@link selectCheckpointActions}). */
  readonly tombstones: readonly RemoveFile[];
  readonly txns: ReadonlyMap<string, bigint> | readonly SetTransaction[];
  /** The full txn actions (with `lastUpdated`), preferred over `txns` when present. */
  readonly setTransactions?: ReadonlyMap<string, SetTransaction>;
  /** Live domains; entries with `removed: true` are skipped. */
  readonly domains: ReadonlyMap<string, DomainMetadata> | readonly DomainMetadata[];
}

export interface WriteCheckpointOptions {
  /** Parquet codec; default snappy (what Spark writes). */
  readonly compression?: 'snappy' | 'zstd' | 'uncompressed';
  readonly signal?: AbortSignal;
}

/** What was written; `lastCheckpoint` is the exact `_last_checkpoint` text. */
export interface CheckpointWriteResult {
  /** Store path of the checkpoint file. */
  readonly path: string;
  readonly version: number;
  /** Rows (actions) in the checkpoint. */
  readonly size: number;
  readonly sizeInBytes: number;
  readonly numOfAddFiles: number;
  /** True when the checkpoint follows the V2 spec (has a `checkpointMetadata` row). */
  readonly v2: boolean;
  readonly lastCheckpoint: string;
}

/** The actions a checkpoint holds after retention rules, grouped by kind. */
export interface CheckpointActions {
  readonly protocol: Protocol;
  readonly metadata: Metadata;
  readonly txns: readonly SetTransaction[];
  readonly domains: readonly DomainMetadata[];
  readonly adds: readonly AddFile[];
  readonly removes: readonly RemoveFile[];
  /** Present for V2-spec checkpoints. */
  readonly checkpointVersion?: number;
}

const DEFAULT_TOMBSTONE_RETENTION = 'interval 1 week';

/**
 * Writes the checkpoint of `state` for the table at `tableRoot`, then overwrites
 * `_last_checkpoint` (only after the checkpoint file is complete). `engine.clock` decides which
 * tombstones and transactions have expired.
 */
export async function writeCheckpoint(engine: Engine, tableRoot: string, state: CheckpointState, options: WriteCheckpointOptions = {}): Promise<CheckpointWriteResult> {
  throwIfAborted(options.signal);
  const actions = selectCheckpointActions(state, engine.clock.nowMs());
  const table = buildCheckpointTable(actions);
  const bytes = await engine.parquet.writeTable(table, { compression: options.compression ?? 'snappy' });
  throwIfAborted(options.signal);
  const path = joinPath(logDirOf(tableRoot), `${formatVersion(state.version)}.checkpoint.parquet`);
  try {
    await engine.store.put(path, bytes);
  } catch (e) {
    throw wrapEngineError('Writing checkpoint', path, e);
  }
  const size = table.numRows;
  const numOfAddFiles = actions.adds.length;
  const lastCheckpoint = withChecksum({ version: state.version, size, sizeInBytes: bytes.byteLength, numOfAddFiles });
  const hintPath = lastCheckpointPath(tableRoot);
  try {
    await engine.store.put(hintPath, new TextEncoder().encode(lastCheckpoint));
  } catch (e) {
    throw wrapEngineError('Writing _last_checkpoint', hintPath, e);
  }
  return { path, version: state.version, size, sizeInBytes: bytes.byteLength, numOfAddFiles, v2: actions.checkpointVersion !== undefined, lastCheckpoint };
}

/**
 * Applies retention to `state`: tombstones are kept while `deletionTimestamp` is newer than
 * `now - delta.deletedFileRetentionDuration` (default one week; a missing timestamp counts as
 * expired); txns with `lastUpdated <= now - delta.setTransactionRetentionDuration` are dropped
 * when that property is set; removed domains are dropped.
 */
export function selectCheckpointActions(state: CheckpointState, nowMs: number): CheckpointActions {
  const conf = state.metadata.configuration;
  const tombstoneCutoff = nowMs - parseIntervalMs(conf['delta.deletedFileRetentionDuration'] ?? DEFAULT_TOMBSTONE_RETENTION, 'delta.deletedFileRetentionDuration');
  const txnRetention = conf['delta.setTransactionRetentionDuration'];
  const txnCutoff = txnRetention === undefined ? undefined : nowMs - parseIntervalMs(txnRetention, 'delta.setTransactionRetentionDuration');
  const txns: SetTransaction[] = state.setTransactions
    ? [...state.setTransactions.values()]
    : isMap(state.txns)
      ? [...state.txns].map(([appId, version]) => ({ appId, version }))
      : [...state.txns];
  const domains = isMap(state.domains) ? [...state.domains.values()] : [...state.domains];
  const v2 = supportsV2Checkpoints(state.protocol);
  return {
    protocol: state.protocol,
    metadata: state.metadata,
    txns: txns.filter((t) => txnCutoff === undefined || t.lastUpdated === undefined || t.lastUpdated > txnCutoff),
    domains: domains.filter((d) => !d.removed),
    adds: state.files,
    removes: state.tombstones.filter((r) => (r.deletionTimestamp ?? 0) > tombstoneCutoff),
    ...(v2 ? { checkpointVersion: state.version } : {}),
  };
}

function isMap<K, V>(x: ReadonlyMap<K, V> | readonly unknown[]): x is ReadonlyMap<K, V> {
  return x instanceof Map;
}

/** Tables with the `v2Checkpoint` feature must write V2-spec checkpoints. */
export function supportsV2Checkpoints(protocol: Protocol): boolean {
  return protocol.minWriterVersion >= 7 && (protocol.writerFeatures ?? []).includes('v2Checkpoint');
}

// ---------------------------------------------------------------------------------------------
// Parquet layout (Spark's: see protocol-notes §3.2)

const DV: ColumnSpec = struct([
  ['storageType', S],
  ['pathOrInlineDv', S],
  ['offset', I],
  ['sizeInBytes', I],
  ['cardinality', L],
]);

const COLUMNS: readonly (readonly [string, ColumnSpec])[] = [
  ['txn', struct([['appId', S], ['version', L], ['lastUpdated', L]])],
  [
    'add',
    struct([
      ['path', S],
      ['partitionValues', STRING_MAP],
      ['size', L],
      ['modificationTime', L],
      ['dataChange', B],
      ['tags', STRING_MAP],
      ['deletionVector', DV],
      ['baseRowId', L],
      ['defaultRowCommitVersion', L],
      ['clusteringProvider', S],
      ['stats', S],
    ]),
  ],
  [
    'remove',
    struct([
      ['path', S],
      ['deletionTimestamp', L],
      ['dataChange', B],
      ['extendedFileMetadata', B],
      ['partitionValues', STRING_MAP],
      ['size', L],
      ['deletionVector', DV],
      ['baseRowId', L],
      ['defaultRowCommitVersion', L],
    ]),
  ],
  [
    'metaData',
    struct([
      ['id', S],
      ['name', S],
      ['description', S],
      ['format', struct([['provider', S], ['options', STRING_MAP]])],
      ['schemaString', S],
      ['partitionColumns', STRING_LIST],
      ['configuration', STRING_MAP],
      ['createdTime', L],
    ]),
  ],
  ['protocol', struct([['minReaderVersion', I], ['minWriterVersion', I], ['readerFeatures', STRING_LIST], ['writerFeatures', STRING_LIST]])],
  ['domainMetadata', struct([['domain', S], ['configuration', S], ['removed', B]])],
];

const CHECKPOINT_METADATA: readonly [string, ColumnSpec] = ['checkpointMetadata', struct([['version', L], ['tags', STRING_MAP]])];

/**
 * The checkpoint as an Arrow table: one row per action, exactly one non-null top-level column per
 * row. Rows: protocol, metaData, txns, domains, [checkpointMetadata], adds, removes. File actions
 * are written with `dataChange: false`, as Spark does.
 */
export function buildCheckpointTable(actions: CheckpointActions): Table {
  const columns = actions.checkpointVersion === undefined ? COLUMNS : [...COLUMNS, CHECKPOINT_METADATA];
  const groups: Record<string, readonly unknown[]> = {
    protocol: [actions.protocol],
    metaData: [actions.metadata],
    txn: actions.txns,
    domainMetadata: actions.domains,
    checkpointMetadata: actions.checkpointVersion === undefined ? [] : [{ version: actions.checkpointVersion }],
    add: actions.adds.map(addRow),
    remove: actions.removes.map(removeRow),
  };
  // Rows are laid out group after group; each top-level column is non-null only on its group's rows.
  const order = ['protocol', 'metaData', 'txn', 'domainMetadata', 'checkpointMetadata', 'add', 'remove'];
  const start: Record<string, number> = {};
  let length = 0;
  for (const kind of order) {
    start[kind] = length;
    length += groups[kind]!.length;
  }
  const children = columns.map(([name, spec]) => {
    const values = groups[name]!;
    const index = new Int32Array(values.length);
    for (let k = 0; k < index.length; k++) index[k] = start[name]! + k;
    return buildColumn(spec, length, index, values);
  });
  const fields = columns.map(([name, spec]) => new Field(name, arrowTypeOf(spec), true));
  const data = makeData({ type: new Struct(fields), length, nullCount: 0, children });
  return new Table(new Schema(fields), [new RecordBatch(new Schema(fields), data)]);
}

function addRow(a: AddFile): Record<string, unknown> {
  return { ...a, dataChange: false, deletionVector: dvRow(a.deletionVector) };
}

function removeRow(r: RemoveFile): Record<string, unknown> {
  return { ...r, dataChange: false, deletionVector: dvRow(r.deletionVector) };
}

function dvRow(dv: DeletionVectorDescriptor | undefined): Record<string, unknown> | undefined {
  return dv === undefined ? undefined : { ...dv };
}

// ---------------------------------------------------------------------------------------------
// Interval properties

const UNIT_MS: Record<string, number> = {
  microsecond: 0.001,
  millisecond: 1,
  second: 1000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 604_800_000,
};

/**
 * Milliseconds in a Delta interval property such as `interval 1 week` or `interval 2 days 12 hours`
 * (the `interval` keyword is optional; units are singular or plural, case-insensitive; months and
 * years are rejected because their length varies, as Spark rejects them for durations).
 */
export function parseIntervalMs(text: string, property = 'interval'): number {
  const tokens = text.trim().toLowerCase().split(/\s+/);
  if (tokens[0] === 'interval') tokens.shift();
  const fail = (why: string): never => {
    throw new DeltaError('INVALID_ARGUMENT', `Table property ${property} is "${text}", which is not a valid interval: ${why}. Use a value like "interval 1 week" or "interval 30 days".`, {
      details: { property, value: text },
    });
  };
  if (tokens.length === 0 || tokens.length % 2 !== 0) fail('expected pairs of a number and a unit');
  let ms = 0;
  for (let i = 0; i < tokens.length; i += 2) {
    const n = tokens[i]!;
    if (!/^\d+$/.test(n)) fail(`"${n}" is not a non-negative whole number`);
    const unit = tokens[i + 1]!.replace(/s$/, '');
    const per = UNIT_MS[unit];
    if (per === undefined) fail(`"${tokens[i + 1]}" is not a supported unit (microsecond, millisecond, second, minute, hour, day, week)`);
    ms += Number(n) * per!;
  }
  return ms;
}
