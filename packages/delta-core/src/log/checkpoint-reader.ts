import type { Data, RecordBatch } from 'apache-arrow';
import type { Engine } from '../engine.js';
import { DeltaError, isDeltaError, throwIfAborted } from '../errors.js';
import type { ObjectMeta } from '../storage/object-store.js';
import { joinPath } from '../storage/paths.js';
import type { Action, AddFile, Sidecar } from './actions.js';
import { booleans, child, plainValues, safeInts, sharedStringMaps, stringMaps, strings, validity, validRows } from './arrow-columns.js';
import type { CheckpointFiles } from './segment.js';
import { ActionFieldError, actionFromJson, located, parseActionLines, parseDeletionVector } from './parse-actions.js';
import { decodeOnce } from './paths.js';

/**
 * Reading checkpoints: classic (one parquet file), multi-part (every part), and V2 (a UUID-named
 * or classic-named top-level file in parquet or JSON, whose `sidecar` actions name parquet files
 * in `_delta_log/_sidecars/` holding the file actions). Parts may lack columns; missing columns
 * read as null.
 */

/** The actions of a checkpoint, with the (usually numerous) adds kept apart. */
export interface CheckpointContent {
  readonly adds: AddFile[];
  /** Every other action: remove (tombstones), metaData, protocol, txn, domainMetadata, checkpointMetadata, sidecar. */
  readonly actions: Action[];
}

export interface ReadCheckpointOptions {
  /** Read only protocol and metadata (skips file actions and sidecars). */
  readonly protocolAndMetadataOnly?: boolean;
  readonly signal?: AbortSignal;
}

/** Fields of each action a snapshot needs: what the parsers of parse-actions.ts read. */
const ADD_FIELDS = [
  'path',
  'partitionValues',
  'size',
  'modificationTime',
  'dataChange',
  'stats',
  'tags',
  'deletionVector',
  'baseRowId',
  'defaultRowCommitVersion',
  'clusteringProvider',
  'stats_parsed',
];
const REMOVE_FIELDS = [
  'path',
  'deletionTimestamp',
  'dataChange',
  'extendedFileMetadata',
  'partitionValues',
  'size',
  'stats',
  'tags',
  'deletionVector',
  'baseRowId',
  'defaultRowCommitVersion',
];
const FILE_ACTION_PATHS = [...ADD_FIELDS.map((f) => ['add', f]), ...REMOVE_FIELDS.map((f) => ['remove', f])];
const OTHER_PATHS = ['metaData', 'protocol', 'txn', 'domainMetadata', 'checkpointMetadata', 'sidecar'].map((c) => [c]);
const ALL_PATHS = [...FILE_ACTION_PATHS, ...OTHER_PATHS];
const PM_PATHS = [['metaData'], ['protocol']];

/** The projections the reader asks for (exported for tests of the parquet decoders). */
export const CHECKPOINT_FIELD_PATHS = { all: ALL_PATHS, fileActions: FILE_ACTION_PATHS, protocolAndMetadata: PM_PATHS } as const;

/**
 * Reads every action of `checkpoint` (of the table at `tableRoot`), including sidecar files.
 * Parquet parts are read through `engine.parquet.readFiles` (decoded in parallel where the handler
 * has workers), projected to the fields above: a protocol-and-metadata request decodes only those
 * two columns, and unknown fields of file actions are never decoded.
 */
export async function readCheckpoint(engine: Engine, tableRoot: string, checkpoint: CheckpointFiles, options: ReadCheckpointOptions = {}): Promise<CheckpointContent> {
  const out: CheckpointContent = { adds: [], actions: [] };
  if (checkpoint.format === 'json') for (const file of checkpoint.files) await readJsonCheckpoint(engine, file, out, options.signal);
  else await readParquetActions(engine, checkpoint.files, options.protocolAndMetadataOnly ? PM_PATHS : ALL_PATHS, out, options.signal);
  if (options.protocolAndMetadataOnly) return out;
  const sidecars = out.actions.filter((a): a is Extract<Action, { kind: 'sidecar' }> => a.kind === 'sidecar').map((a) => a.sidecar);
  const metas = sidecars.map((sidecar): ObjectMeta => ({ path: sidecarPath(tableRoot, sidecar), size: sidecar.sizeInBytes, lastModified: sidecar.modificationTime }));
  if (metas.length > 0) await readParquetActions(engine, metas, FILE_ACTION_PATHS, out, options.signal);
  return out;
}

/** Store path of a sidecar: its `path` is URI-encoded and relative to `_delta_log/_sidecars/`. */
export function sidecarPath(tableRoot: string, sidecar: Sidecar): string {
  const p = decodeOnce(sidecar.path);
  if (p.startsWith('/')) return p;
  if (/^file:/i.test(p)) return p.replace(/^file:(\/\/)?/i, '');
  return joinPath(tableRoot, '_delta_log', '_sidecars', p);
}

async function readJsonCheckpoint(engine: Engine, file: ObjectMeta, out: CheckpointContent, signal: AbortSignal | undefined): Promise<void> {
  const bytes = await engine.store.get(file.path, { signal });
  for (const a of parseActionLines(bytes, file.path, 'checkpoint')) {
    if (a.kind === 'add') out.adds.push(a.add);
    else out.actions.push(a);
  }
}

async function readParquetActions(engine: Engine, files: readonly ObjectMeta[], fieldPaths: readonly (readonly string[])[], out: CheckpointContent, signal: AbortSignal | undefined): Promise<void> {
  const rowBase = new Array<number>(files.length).fill(0);
  let fileIndex = 0;
  try {
    const refs = files.map((f) => ({ path: f.path, size: f.size }));
    for await (const item of engine.parquet.readFiles(refs, { fieldPaths, signal })) {
      throwIfAborted(signal);
      fileIndex = item.fileIndex;
      decodeBatch(item.batch, out, files[fileIndex]!.path, rowBase[fileIndex]!);
      rowBase[fileIndex]! += item.batch.numRows;
    }
  } catch (e) {
    throw asCheckpointError(e, files[fileIndex]!.path);
  }
}

function asCheckpointError(e: unknown, path: string): unknown {
  if (e instanceof ActionFieldError) return located(e, 'checkpoint', path);
  if (isDeltaError(e, 'CORRUPT_DATA_FILE')) {
    // With several parts in flight, the failing part is the one the decoder names.
    if (typeof e.details.path === 'string') path = e.details.path;
    return new DeltaError(
      'CORRUPT_CHECKPOINT',
      `Checkpoint ${path} cannot be decoded (${e.message}). Delete this checkpoint file (and fix or delete _last_checkpoint) so readers replay the JSON commits instead.`,
      { cause: e, details: { path } },
    );
  }
  return e;
}

function column(batch: RecordBatch, name: string): Data | undefined {
  const idx = batch.schema.fields.findIndex((f) => f.name === name);
  return idx < 0 ? undefined : batch.data.children[idx];
}

function decodeBatch(batch: RecordBatch, out: CheckpointContent, path: string, rowBase: number): void {
  const add = column(batch, 'add');
  if (add !== undefined) decodeAdds(add, batch.numRows, out.adds, path, rowBase);
  for (const kind of ['remove', 'metaData', 'protocol', 'txn', 'domainMetadata', 'checkpointMetadata', 'sidecar'] as const) {
    const data = column(batch, kind);
    if (data === undefined || data.nullCount === data.length) continue;
    const rows = plainValues(data, 'number-if-safe');
    for (const i of validRows(data)) {
      try {
        const a = actionFromJson({ [kind]: rows(i) });
        if (a !== undefined) out.actions.push(a);
      } catch (e) {
        if (e instanceof ActionFieldError) throw rowError(e, path, rowBase + i);
        throw e;
      }
    }
  }
}

function rowError(e: ActionFieldError, path: string, row: number): DeltaError {
  const err = located(e, 'checkpoint', path);
  return new DeltaError(err.code, err.message.replace(path, `${path} (row ${row})`), { cause: e, details: { path, row } });
}

/** The add column, converted column by column into AddFile objects. */
function decodeAdds(add: Data, numRows: number, out: AddFile[], path: string, rowBase: number): void {
  const valid = validity(add);
  const paths = strings(child(add, 'path'));
  const partitionValues = sharedStringMaps(child(add, 'partitionValues'));
  const sizes = safeInts(child(add, 'size'), 'add.size');
  const modTimes = safeInts(child(add, 'modificationTime'), 'add.modificationTime');
  const dataChanges = booleans(child(add, 'dataChange'));
  const stats = strings(child(add, 'stats'));
  const tags = stringMaps(child(add, 'tags'));
  const dvData = child(add, 'deletionVector');
  const dvValid = dvData === undefined ? () => false : validity(dvData);
  const dvs = plainValues(dvData, 'number-if-safe');
  const baseRowIds = safeInts(child(add, 'baseRowId'), 'add.baseRowId');
  const rowCommitVersions = safeInts(child(add, 'defaultRowCommitVersion'), 'add.defaultRowCommitVersion');
  const clustering = strings(child(add, 'clusteringProvider'));
  const statsParsedData = child(add, 'stats_parsed');
  const statsParsed = statsParsedData === undefined ? undefined : plainValues(statsParsedData, 'bigint');
  for (let i = 0; i < numRows; i++) {
    if (!valid(i)) continue;
    try {
      const p = paths(i);
      const size = sizes(i);
      const modificationTime = modTimes(i);
      const dataChange = dataChanges(i);
      if (p === undefined || size === undefined || modificationTime === undefined) {
        throw new ActionFieldError(`add row lacks a required field (path, size or modificationTime)`);
      }
      // Only the fields present are set: smaller objects for large checkpoints (an absent
      // field reads as undefined all the same, as with adds parsed from JSON).
      const a: { -readonly [K in keyof AddFile]: AddFile[K] } = { path: p, partitionValues: partitionValues(i) ?? {}, size, modificationTime, dataChange: dataChange ?? false };
      const s = stats(i);
      if (s !== undefined) a.stats = s;
      const sp = statsParsed?.(i);
      if (sp !== undefined) a.statsParsed = sp;
      const t = tags(i);
      if (t !== undefined) a.tags = t;
      if (dvValid(i)) a.deletionVector = parseDeletionVector(dvs(i) as Record<string, unknown>, 'add.deletionVector');
      const b = baseRowIds(i);
      if (b !== undefined) a.baseRowId = b;
      const v = rowCommitVersions(i);
      if (v !== undefined) a.defaultRowCommitVersion = v;
      const c = clustering(i);
      if (c !== undefined) a.clusteringProvider = c;
      out.push(a);
    } catch (e) {
      if (e instanceof ActionFieldError) throw rowError(e, path, rowBase + i);
      throw e;
    }
  }
}
