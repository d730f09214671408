/**
 * The Delta streaming source's offset, as Delta's `DeltaSourceOffset`: a position in a table's
 * history, `(reservoirVersion, index)`, ordered lexicographically.
 *
 * - `reservoirId` is the table id (`metaData.id`); an offset of another table is refused.
 * - `index` is the position of an add action within the version (0, 1, ...), or a sentinel:
 *   {@link BASE_INDEX} "before any file of this version" (kept as -100 in memory and written as
 *   -1 with `sourceVersion` 1, as Delta does for compatibility with older readers),
 *   {@link METADATA_CHANGE_INDEX} / {@link POST_METADATA_CHANGE_INDEX} (schema-change barriers,
 *   written with `sourceVersion` 3), and {@link END_INDEX} "after every file of this version",
 *   which is never written: an offset ending on it becomes `(version + 1, BASE_INDEX)`.
 * - `isInitialSnapshot` (written under Delta's legacy name `isStartingVersion`) is true while the
 *   offset points into the initial snapshot of version `reservoirVersion` (the whole table at the
 *   query's first start) rather than into the commit of that version.
 *
 * Serialized form, field order as Delta writes it:
 * `{"sourceVersion":1,"reservoirId":"<id>","reservoirVersion":12,"index":-1,"isStartingVersion":false}`.
 */
import { DeltaError } from '@deltakit/core';

export interface DeltaSourceOffset {
  readonly reservoirId: string;
  readonly reservoirVersion: number;
  readonly index: number;
  readonly isInitialSnapshot: boolean;
}

export const BASE_INDEX = -100;
export const METADATA_CHANGE_INDEX = -20;
export const POST_METADATA_CHANGE_INDEX = -19;
/** Never serialized (Delta's is Long.MaxValue - 100; any value above every file index will do). */
export const END_INDEX = Number.MAX_SAFE_INTEGER;

const BASE_INDEX_V1 = -1;
const VERSION_1 = 1;
const VERSION_2 = 2;
const VERSION_3 = 3;

export function isMetadataChangeIndex(index: number): boolean {
  return index === METADATA_CHANGE_INDEX || index === POST_METADATA_CHANGE_INDEX;
}

/** Delta's JSON for an offset (END_INDEX is refused: such an offset is bumped before it is stored). */
export function serializeOffset(o: DeltaSourceOffset): string {
  if (o.index === END_INDEX) throw new DeltaError('INVALID_ARGUMENT', 'A Delta source offset at END_INDEX must be moved to the next version before it is written.');
  const sourceVersion = isMetadataChangeIndex(o.index) ? VERSION_3 : VERSION_1;
  const index = o.index === BASE_INDEX ? BASE_INDEX_V1 : o.index;
  return JSON.stringify({ sourceVersion, reservoirId: o.reservoirId, reservoirVersion: o.reservoirVersion, index, isStartingVersion: o.isInitialSnapshot });
}

/**
 * Parses Delta's JSON. `tableId`, when given, must match `reservoirId`: otherwise the checkpoint
 * was written by a query reading another table (Delta's `differentDeltaTableReadByStreamingSource`).
 */
export function deserializeOffset(json: string, tableId?: string): DeltaSourceOffset {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw invalidFormat(json);
  }
  if (raw === null || typeof raw !== 'object') throw invalidFormat(json);
  const r = raw as Record<string, unknown>;
  const { sourceVersion, reservoirId, reservoirVersion, index, isStartingVersion } = r;
  if (typeof sourceVersion !== 'number' || typeof reservoirId !== 'string' || typeof reservoirVersion !== 'number' || typeof index !== 'number' || typeof isStartingVersion !== 'boolean') {
    throw invalidFormat(json);
  }
  if (!Number.isSafeInteger(reservoirVersion) || !Number.isSafeInteger(index)) throw invalidFormat(json);
  if (sourceVersion < VERSION_1 || sourceVersion === VERSION_2) {
    throw new DeltaError('CORRUPT_CHECKPOINT', `The Delta source offset ${json} has sourceVersion ${sourceVersion}, which no Delta source writes. The checkpoint is corrupt; restore it or use a new checkpointLocation.`);
  }
  if (sourceVersion > VERSION_3) {
    throw new DeltaError(
      'CHECKPOINT_INCOMPATIBLE',
      `The Delta source offset ${json} has sourceVersion ${sourceVersion}, but this build reads up to version ${VERSION_3}: the checkpoint was written by a newer Delta. Use a newer deltakit, or a new checkpointLocation.`,
      { details: { sourceVersion } },
    );
  }
  if (tableId !== undefined && reservoirId !== tableId) throw differentTable(tableId, reservoirId);
  const inMemory = sourceVersion < VERSION_3 && index === BASE_INDEX_V1 ? BASE_INDEX : index;
  return { reservoirId, reservoirVersion, index: inMemory, isInitialSnapshot: isStartingVersion };
}

/** Order by `(reservoirVersion, index)`. */
export function compareOffsets(a: DeltaSourceOffset, b: DeltaSourceOffset): number {
  return a.reservoirVersion - b.reservoirVersion || a.index - b.index;
}

/**
 * The offset after the last file a batch takes: an END sentinel moves to the next version's base
 * (skipping that version file altogether next time); the initial-snapshot flag holds only while the
 * offset stays in the snapshot's version.
 */
export function offsetAfter(tableId: string, version: number, index: number, previousVersion: number, previousIsInitialSnapshot: boolean): DeltaSourceOffset {
  if (index === END_INDEX) return { reservoirId: tableId, reservoirVersion: version + 1, index: BASE_INDEX, isInitialSnapshot: false };
  return { reservoirId: tableId, reservoirVersion: version, index, isInitialSnapshot: version === previousVersion && previousIsInitialSnapshot };
}

export function differentTable(newTableId: string, oldTableId: string): DeltaError {
  return new DeltaError(
    'CHECKPOINT_INCOMPATIBLE',
    `The streaming query was reading from an unexpected Delta table (id = '${newTableId}'). It used to read from another Delta table (id = '${oldTableId}') according to the checkpoint. This happens when the code was changed to read from a new table, or the table was deleted and re-created. Revert the change, or use a new checkpointLocation to start from scratch.`,
    { details: { newTableId, oldTableId } },
  );
}

function invalidFormat(json: string): DeltaError {
  return new DeltaError('CORRUPT_CHECKPOINT', `Failed to read a Delta source offset from ${json}: expected {"sourceVersion":1,"reservoirId":...,"reservoirVersion":...,"index":...,"isStartingVersion":...}. The checkpoint is corrupt; restore it or use a new checkpointLocation.`);
}
