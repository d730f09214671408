import { verifyLastCheckpointChecksum } from './last-checkpoint-checksum.js';
import type { Engine } from '../engine.js';
import { isDeltaError } from '../errors.js';
import { parseJson } from '../util/json.js';
import type { Action, Sidecar } from './actions.js';
import { lastCheckpointPath } from './log-path.js';
import { actionFromJson, parseSidecar, toSafeInteger } from './parse-actions.js';

/**
 * The `_last_checkpoint` file: a hint at the newest checkpoint. Only `version` is relied on (to
 * start the listing there); everything else is informational. It may be stale, point at a deleted
 * checkpoint, be empty or corrupt, or use the legacy snake_case `size_in_bytes`.
 */
export interface LastCheckpointHint {
  readonly version: number;
  /** Number of actions in the checkpoint. */
  readonly size?: number;
  /** Number of parts of a multi-part checkpoint. */
  readonly parts?: number;
  readonly sizeInBytes?: number;
  readonly numOfAddFiles?: number;
  /** For V2 checkpoints: the top-level checkpoint file and, when small, its non-file actions. */
  readonly v2Checkpoint?: {
    readonly path: string;
    readonly sizeInBytes?: number;
    readonly modificationTime?: number;
    readonly nonFileActions?: readonly Action[];
    readonly sidecarFiles?: readonly Sidecar[];
  };
  readonly checksum?: string;
}

/**
 * Reads the hint of the table at `tableRoot`, or `undefined` when it is missing or unusable.
 * Never throws for the hint's content or absence; only cancellation propagates.
 */
export async function readLastCheckpoint(engine: Engine, tableRoot: string, signal?: AbortSignal): Promise<LastCheckpointHint | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await engine.store.get(lastCheckpointPath(tableRoot), { signal });
  } catch (e) {
    if (isDeltaError(e, 'CANCELLED') || signal?.aborted) throw e;
    return undefined; // missing or unreadable: list from the start instead
  }
  return parseLastCheckpoint(bytes);
}

/** Parses the hint's bytes; `undefined` when they do not describe a usable checkpoint version. */
function verifyChecksum(text: string): boolean | undefined {
  try {
    return verifyLastCheckpointChecksum(text);
  } catch {
    return false;
  }
}

export function parseLastCheckpoint(bytes: Uint8Array): LastCheckpointHint | undefined {
  let value: unknown;
  let text: string;
  try {
    text = new TextDecoder().decode(bytes);
    value = parseJson(text);
  } catch {
    return undefined;
  }
  // A hint whose checksum does not match was damaged or half-written: ignore it like any other
  // unusable hint (the log is listed instead). A hint without a checksum is taken as is.
  if (verifyChecksum(text) === false) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const o = value as Record<string, unknown>;
  const version = optInt(o.version);
  if (version === undefined || version < 0) return undefined;
  const hint: LastCheckpointHint = {
    version,
    size: optInt(o.size),
    parts: optInt(o.parts),
    sizeInBytes: optInt(o.sizeInBytes ?? o.size_in_bytes),
    numOfAddFiles: optInt(o.numOfAddFiles ?? o.num_of_add_files),
    checksum: typeof o.checksum === 'string' ? o.checksum : undefined,
    v2Checkpoint: parseV2(o.v2Checkpoint),
  };
  return hint;
}

function optInt(v: unknown): number | undefined {
  try {
    return v == null ? undefined : toSafeInteger(v, '_last_checkpoint', 'field');
  } catch {
    return undefined;
  }
}

function parseV2(v: unknown): LastCheckpointHint['v2Checkpoint'] {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  if (typeof o.path !== 'string') return undefined;
  let nonFileActions: Action[] | undefined;
  let sidecarFiles: Sidecar[] | undefined;
  try {
    if (Array.isArray(o.nonFileActions)) nonFileActions = o.nonFileActions.map(actionFromJson).filter((a): a is Action => a !== undefined);
    if (Array.isArray(o.sidecarFiles)) sidecarFiles = o.sidecarFiles.map((s) => parseSidecar(s as Record<string, unknown>));
  } catch {
    nonFileActions = undefined;
    sidecarFiles = undefined;
  }
  return { path: o.path, sizeInBytes: optInt(o.sizeInBytes), modificationTime: optInt(o.modificationTime), nonFileActions, sidecarFiles };
}
