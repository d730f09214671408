/**
 * Writing checkpoints and the `_last_checkpoint` hint from a reconciled table state
 * (protocol-notes §3), the way Spark writes them:
 * - tables without the `v2Checkpoint` feature get a classic checkpoint
 *   (`<v>.checkpoint.parquet`), or a multi-part one (`<v>.checkpoint.<i>.<n>.parquet`) when it
 *   holds more file actions than `partSize`;
 * - tables with `v2Checkpoint` get a V2 checkpoint: file actions in parquet sidecars under
 *   `_delta_log/_sidecars/`, and a UUID-named top-level file (JSON by default, as Spark) with the
 *   other actions, one `checkpointMetadata` and a `sidecar` action per sidecar (see
 *   `checkpoint/v2.ts`); or, on request, a classic-named V2 checkpoint with every action inline.
 * Adds carry `stats` JSON unless `delta.checkpoint.writeStatsAsJson=false`, and typed
 * `stats_parsed`/`partitionValues_parsed` unless `delta.checkpoint.writeStatsAsStruct=false`.
 */
import type { Engine } from '../engine.js';
import { DeltaError, throwIfAborted } from '../errors.js';
import { joinPath } from '../storage/paths.js';
import type { AddFile, DomainMetadata, Metadata, Protocol, RemoveFile, SetTransaction } from './actions.js';
import { checkpointStatsSettings, parsedStatsLayout } from './checkpoint/parsed-stats.js';
import { pad10, partOf, putFile } from './checkpoint/files.js';
import { buildCheckpointTable, type CheckpointRows, type CheckpointTableOptions } from './checkpoint/table.js';
import { writeV2Checkpoint } from './checkpoint/v2.js';
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

/**
 * File actions per checkpoint file when none is given. Spark's `checkpoint.partSize` has no
 * default (one file); ours bounds the Arrow data one parquet encode holds, since the wasm encoder
 * has at most 4 GiB of memory.
 */
export const DEFAULT_CHECKPOINT_PART_SIZE = 1_000_000;

export interface WriteCheckpointOptions {
  /** Parquet codec; default snappy (what Spark writes). */
  readonly compression?: 'snappy' | 'zstd' | 'uncompressed';
  /**
   * Most file actions (adds plus tombstones) per parquet file, like Spark's
   * `spark.databricks.delta.checkpoint.partSize`: a classic checkpoint with more becomes a
   * multi-part checkpoint of ceil(actions / partSize) parts; a V2 checkpoint gets that many
   * sidecars. Default {@link DEFAULT_CHECKPOINT_PART_SIZE}.
   */
  readonly partSize?: number;
  /**
   * The top-level file of a V2 checkpoint (tables with `v2Checkpoint` only): `json` (Spark's
   * default) or `parquet` UUID-named files with sidecars, or `classic` for a classic-named
   * `<v>.checkpoint.parquet` holding every action inline. Default `json`.
   */
  readonly v2Format?: 'json' | 'parquet' | 'classic';
  readonly signal?: AbortSignal;
}

/** What was written; `lastCheckpoint` is the exact `_last_checkpoint` text. */
export interface CheckpointWriteResult {
  /** Store path of the checkpoint file (the top-level file of a V2 checkpoint, part 1 of a multi-part one). */
  readonly path: string;
  /** Every checkpoint file written except sidecars: one, or each part in order. */
  readonly files: readonly string[];
  /** Store paths of the sidecar files of a V2 checkpoint. */
  readonly sidecars: readonly string[];
  readonly version: number;
  /** Rows (actions) in the checkpoint, sidecars included. */
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
 * `_last_checkpoint` (only after every checkpoint file is complete). `engine.clock` decides which
 * tombstones and transactions have expired.
 */
export async function writeCheckpoint(engine: Engine, tableRoot: string, state: CheckpointState, options: WriteCheckpointOptions = {}): Promise<CheckpointWriteResult> {
  throwIfAborted(options.signal);
  const partSize = options.partSize ?? DEFAULT_CHECKPOINT_PART_SIZE;
  if (!Number.isSafeInteger(partSize) || partSize < 1) {
    throw new DeltaError('INVALID_ARGUMENT', `Checkpoint partSize is ${partSize}; it must be a positive integer (the most file actions per checkpoint file).`, { details: { partSize } });
  }
  const actions = selectCheckpointActions(state, engine.clock.nowMs());
  const tableOptions = checkpointTableOptions(actions);
  const compression = options.compression ?? 'snappy';
  if (actions.checkpointVersion !== undefined && (options.v2Format ?? 'json') !== 'classic') {
    return writeV2Checkpoint(engine, tableRoot, actions, { ...tableOptions, format: options.v2Format === 'parquet' ? 'parquet' : 'json', partSize, compression, signal: options.signal });
  }
  const numFileActions = actions.adds.length + actions.removes.length;
  const numParts = actions.checkpointVersion === undefined ? Math.max(1, Math.ceil(numFileActions / partSize)) : 1;
  const logDir = logDirOf(tableRoot);
  const prefix = formatVersion(state.version);
  const parts = splitIntoParts(actions, numParts);
  const files: string[] = [];
  let size = 0;
  let sizeInBytes = 0;
  for (let p = 0; p < numParts; p++) {
    const table = buildCheckpointTable(parts[p]!, { ...tableOptions, kind: actions.checkpointVersion === undefined ? 'classic' : 'v2' });
    const bytes = await engine.parquet.writeTable(table, { compression });
    throwIfAborted(options.signal);
    const name = numParts === 1 ? `${prefix}.checkpoint.parquet` : `${prefix}.checkpoint.${pad10(p + 1)}.${pad10(numParts)}.parquet`;
    const path = joinPath(logDir, name);
    await putFile(engine, path, bytes, 'Writing checkpoint');
    files.push(path);
    size += table.numRows;
    sizeInBytes += bytes.byteLength;
  }
  const numOfAddFiles = actions.adds.length;
  const lastCheckpoint = withChecksum({ version: state.version, size, ...(numParts > 1 ? { parts: numParts } : {}), sizeInBytes, numOfAddFiles });
  await putFile(engine, lastCheckpointPath(tableRoot), new TextEncoder().encode(lastCheckpoint), 'Writing _last_checkpoint');
  return { path: files[0]!, files, sidecars: [], version: state.version, size, sizeInBytes, numOfAddFiles, v2: actions.checkpointVersion !== undefined, lastCheckpoint };
}

/** Stats columns per the table's `delta.checkpoint.writeStatsAs*` properties. */
function checkpointTableOptions(actions: CheckpointActions): Omit<CheckpointTableOptions, 'kind'> {
  const settings = checkpointStatsSettings(actions.metadata);
  return { statsAsJson: settings.asJson, ...(settings.asStruct ? { parsed: parsedStatsLayout(actions.metadata, actions.protocol) } : {}) };
}

/** The rows of each part: non-file actions in the first; each file action in the part of its path ({@link partOf}). */
export function splitIntoParts(actions: CheckpointActions, numParts: number): CheckpointRows[] {
  const base: CheckpointRows = {
    protocol: actions.protocol,
    metadata: actions.metadata,
    txns: actions.txns,
    domains: actions.domains,
    ...(actions.checkpointVersion === undefined ? {} : { checkpointVersion: actions.checkpointVersion }),
  };
  if (numParts === 1) return [{ ...base, adds: actions.adds, removes: actions.removes }];
  const adds: AddFile[][] = Array.from({ length: numParts }, () => []);
  const removes: RemoveFile[][] = Array.from({ length: numParts }, () => []);
  for (const a of actions.adds) adds[partOf(a.path, numParts)]!.push(a);
  for (const r of actions.removes) removes[partOf(r.path, numParts)]!.push(r);
  return adds.map((a, p) => (p === 0 ? { ...base, adds: a, removes: removes[p]! } : { adds: a, removes: removes[p]! }));
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
