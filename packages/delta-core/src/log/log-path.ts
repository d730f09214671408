import { DeltaError } from '../errors.js';
import type { ObjectMeta } from '../storage/object-store.js';
import { joinPath } from '../storage/paths.js';

/**
 * The kinds of files in `_delta_log/` that a reader acts on, parsed once from the file name.
 * Versions are safe JS integers; a name carrying a larger version is rejected with PRECISION_LOSS
 * rather than rounded.
 */
export type LogFileName =
  | { readonly type: 'commit'; readonly version: number }
  | { readonly type: 'classicCheckpoint'; readonly version: number }
  /** Part `part` (1-based) of a checkpoint split into `numParts` files; 1 <= part <= numParts. */
  | { readonly type: 'multiPartCheckpoint'; readonly version: number; readonly part: number; readonly numParts: number }
  | { readonly type: 'uuidCheckpoint'; readonly version: number; readonly uuid: string; readonly format: 'json' | 'parquet' }
  /** Reconciled actions of commits `version`..`endVersion` inclusive (`version < endVersion`). */
  | { readonly type: 'compaction'; readonly version: number; readonly endVersion: number }
  | { readonly type: 'crc'; readonly version: number }
  | { readonly type: 'lastCheckpoint' };

export type LogFileType = LogFileName['type'];

/** A listed log file with its parsed name. */
export interface LogFile {
  readonly name: Exclude<LogFileName, { type: 'lastCheckpoint' }>;
  readonly meta: ObjectMeta;
}

const COMMIT = /^(\d{20})\.json$/;
const CLASSIC = /^(\d{20})\.checkpoint\.parquet$/;
const MULTI = /^(\d{20})\.checkpoint\.(\d{10})\.(\d{10})\.parquet$/;
const UUID_CKPT = /^(\d{20})\.checkpoint\.([0-9a-fA-F-]{36})\.(json|parquet)$/;
const COMPACTION = /^(\d{20})\.(\d{20})\.compacted\.json$/;
const CRC = /^(\d{20})\.crc$/;

/**
 * Parses a file name (the part after `_delta_log/`, no directories) into its log-file kind, or
 * `undefined` for anything a reader must ignore: Hadoop `.x.crc` files, `_commits/`, sidecars,
 * staged commits, malformed numbers, unknown suffixes.
 */
export function parseLogFileName(name: string): LogFileName | undefined {
  if (name === '_last_checkpoint') return { type: 'lastCheckpoint' };
  const c = name.charCodeAt(0);
  if (c < 48 || c > 57) return undefined; // every versioned log file starts with a digit
  let m = COMMIT.exec(name);
  if (m) return { type: 'commit', version: toVersion(m[1]!, name) };
  m = CLASSIC.exec(name);
  if (m) return { type: 'classicCheckpoint', version: toVersion(m[1]!, name) };
  m = MULTI.exec(name);
  if (m) {
    const part = Number(m[2]);
    const numParts = Number(m[3]);
    if (part < 1 || part > numParts) return undefined;
    return { type: 'multiPartCheckpoint', version: toVersion(m[1]!, name), part, numParts };
  }
  m = UUID_CKPT.exec(name);
  if (m) return { type: 'uuidCheckpoint', version: toVersion(m[1]!, name), uuid: m[2]!, format: m[3] as 'json' | 'parquet' };
  m = COMPACTION.exec(name);
  if (m) {
    const version = toVersion(m[1]!, name);
    const endVersion = toVersion(m[2]!, name);
    return version < endVersion ? { type: 'compaction', version, endVersion } : undefined;
  }
  m = CRC.exec(name);
  if (m) return { type: 'crc', version: toVersion(m[1]!, name) };
  return undefined;
}

function toVersion(digits: string, name: string): number {
  const v = Number(digits);
  if (!Number.isSafeInteger(v)) {
    throw new DeltaError(
      'PRECISION_LOSS',
      `Log file ${name} has version ${digits}, beyond 2^53 - 1, which this library cannot represent exactly. Such a version is not produced by real writers; remove or rename the file.`,
      { details: { file: name } },
    );
  }
  return v;
}

/** The 20-digit zero-padded form of a version, as used in log file names. */
export function formatVersion(version: number): string {
  return String(version).padStart(20, '0');
}

/** `<tableRoot>/_delta_log`. */
export function logDirOf(tableRoot: string): string {
  return joinPath(tableRoot, '_delta_log');
}

/** Store path of the commit file of `version`. */
export function commitPath(tableRoot: string, version: number): string {
  return joinPath(logDirOf(tableRoot), `${formatVersion(version)}.json`);
}

/** Store path of the `_last_checkpoint` hint. */
export function lastCheckpointPath(tableRoot: string): string {
  return joinPath(logDirOf(tableRoot), '_last_checkpoint');
}

/** The file name part of a store path. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
