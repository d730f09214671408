/**
 * Loading a deletion vector from its descriptor: where it lives (inline, table-relative UUID
 * file, absolute path), the file envelope (version byte; per DV a big-endian size, the bitmap and
 * a big-endian CRC-32 of the bitmap), and the bitmap itself.
 */
import type { Engine } from '../engine.js';
import { DeltaError, throwIfAborted, wrapEngineError } from '../errors.js';
import type { DeletionVectorDescriptor } from '../log/actions.js';
import { resolveLogPath } from '../log/paths.js';
import { crc32 } from './crc32.js';
import type { DeletedRows } from './deleted-rows.js';
import { parseRoaringArray } from './roaring.js';
import { uuidFromBytes, z85Decode } from './z85.js';

/** Where a descriptor's bitmap is: inline bytes, or a byte range of a file. */
export type DeletionVectorLocation =
  | { readonly kind: 'inline'; readonly bytes: Uint8Array }
  | { readonly kind: 'file'; readonly path: string; readonly offset: number };

const UUID_CHARS = 20;

/** Store path of a `u` deletion-vector file: table root + optional prefix dir + UUID file name. */
export function uuidDeletionVectorPath(tableRoot: string, pathOrInlineDv: string): string {
  if (pathOrInlineDv.length < UUID_CHARS) {
    throw new DeltaError('CORRUPT_DELETION_VECTOR', `Deletion vector descriptor "${pathOrInlineDv}" is too short: storage type "u" needs a 20-character Z85 UUID. The log entry is damaged.`);
  }
  const prefix = pathOrInlineDv.slice(0, -UUID_CHARS);
  const uuid = uuidFromBytes(z85Decode(pathOrInlineDv.slice(-UUID_CHARS)));
  const root = tableRoot.replace(/\/+$/, '');
  return `${root}/${prefix ? prefix + '/' : ''}deletion_vector_${uuid}.bin`;
}

/** Resolves a descriptor to its location. `p` paths are resolved like log paths (URI-decoded once). */
export function deletionVectorLocation(tableRoot: string, dv: DeletionVectorDescriptor): DeletionVectorLocation {
  switch (dv.storageType) {
    case 'i': {
      const raw = z85Decode(dv.pathOrInlineDv);
      if (raw.length < dv.sizeInBytes) {
        throw new DeltaError('CORRUPT_DELETION_VECTOR', `Inline deletion vector holds ${raw.length} bytes but its descriptor says sizeInBytes=${dv.sizeInBytes}. The log entry is damaged.`);
      }
      return { kind: 'inline', bytes: raw.subarray(0, dv.sizeInBytes) };
    }
    case 'u':
      return { kind: 'file', path: uuidDeletionVectorPath(tableRoot, dv.pathOrInlineDv), offset: dv.offset ?? 1 };
    case 'p':
      return { kind: 'file', path: resolveLogPath(tableRoot, dv.pathOrInlineDv), offset: dv.offset ?? 1 };
    default:
      throw new DeltaError(
        'UNSUPPORTED_READER_FEATURE',
        `Deletion vector storage type "${String((dv as { storageType: unknown }).storageType)}" is not supported; only "u", "i" and "p" are. Upgrade deltakit or rewrite the table without it.`,
      );
  }
}

/** The bitmap bytes of one DV inside a DV file, after checking size and CRC. */
async function readEnvelope(engine: Engine, path: string, offset: number, dv: DeletionVectorDescriptor, signal?: AbortSignal): Promise<Uint8Array> {
  const end = offset + 4 + dv.sizeInBytes + 4;
  let bytes: Uint8Array;
  let version: Uint8Array;
  try {
    [version, bytes] = await Promise.all([
      engine.store.getRange(path, 0, 1, signal ? { signal } : undefined),
      engine.store.getRange(path, offset, end, signal ? { signal } : undefined),
    ]);
  } catch (e) {
    throw wrapEngineError('Reading deletion vector', path, e);
  }
  const corrupt = (why: string) =>
    new DeltaError('CORRUPT_DELETION_VECTOR', `Deletion vector file ${path} is corrupt at offset ${offset}: ${why}. Restore the file; the table's deleted rows cannot be known without it.`, {
      details: { path, offset },
    });
  if (version[0] !== 1) throw corrupt(`its format version byte is ${version[0] ?? 'missing'}, expected 1`);
  if (bytes.length !== end - offset) throw corrupt(`the file ends before the ${dv.sizeInBytes}-byte bitmap and its checksum`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = view.getUint32(0, false);
  if (size !== dv.sizeInBytes) throw corrupt(`the stored size ${size} differs from the descriptor's sizeInBytes ${dv.sizeInBytes}`);
  const bitmap = bytes.subarray(4, 4 + size);
  const stored = view.getUint32(4 + size, false);
  const actual = crc32(bitmap);
  if (stored !== actual) {
    throw new DeltaError(
      'DELETION_VECTOR_CHECKSUM_MISMATCH',
      `Deletion vector in ${path} at offset ${offset} fails its checksum (stored CRC-32 ${stored.toString(16)}, computed ${actual.toString(16)}): the file is damaged. Restore it from a backup.`,
      { details: { path, offset } },
    );
  }
  return bitmap;
}

/**
 * Loads and decodes the deletion vector `dv` of a file in the table at `tableRoot`.
 * Errors: FILE_NOT_FOUND (missing DV file), DELETION_VECTOR_CHECKSUM_MISMATCH, CORRUPT_DELETION_VECTOR
 * (bad envelope or bitmap, or a row count different from `dv.cardinality`).
 */
export async function loadDeletionVector(engine: Engine, tableRoot: string, dv: DeletionVectorDescriptor, options: { signal?: AbortSignal } = {}): Promise<DeletedRows> {
  throwIfAborted(options.signal);
  const loc = deletionVectorLocation(tableRoot, dv);
  const where = loc.kind === 'inline' ? `(inline ${dv.pathOrInlineDv.slice(0, 20)}…)` : loc.path;
  const bitmap = loc.kind === 'inline' ? loc.bytes : await readEnvelope(engine, loc.path, loc.offset, dv, options.signal);
  const rows = parseRoaringArray(bitmap, where);
  if (rows.cardinality !== dv.cardinality) {
    throw new DeltaError(
      'CORRUPT_DELETION_VECTOR',
      `Deletion vector ${where} holds ${rows.cardinality} rows but its descriptor says cardinality=${dv.cardinality}. The log and the DV disagree; restore the DV file.`,
      { details: { path: where } },
    );
  }
  return rows;
}
