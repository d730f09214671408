/**
 * Writing deletion vectors in the format `load.ts` reads and Delta Spark writes:
 * - the bitmap is a portable RoaringBitmapArray (`serializeRoaringArray`);
 * - small bitmaps (at most {@link INLINE_DV_MAX_BYTES} serialized bytes) are stored inline in the
 *   log (`storageType 'i'`, Z85 text), which saves a file read per data file on every scan;
 * - larger ones go to `deletion_vector_<uuid>.bin` files at the table root (`storageType 'u'`, the
 *   UUID as 20 Z85 characters): a version byte 1, then per deletion vector its big-endian 4-byte
 *   size, the bitmap and the big-endian CRC-32 of the bitmap. Several deletion vectors share one
 *   file, each addressed by `offset` (of its size field), up to about
 *   {@link DV_FILE_TARGET_SIZE} bytes per file, as Spark packs them.
 *
 * Inline threshold: Delta Spark's DML always writes DV files (it creates inline descriptors only
 * in memory, e.g. for change-feed diffs); its readers, delta-kernel-rs and this library read both.
 * 64 bytes holds a bitmap of up to 16 scattered rows (or any number of rows in a few runs): below
 * that, a file read costs far more than the ~80 characters the descriptor adds to each log line.
 *
 * Nothing here commits: DV files written before a failure stay unreferenced until VACUUM.
 */
import type { Engine } from '../engine.js';
import { DeltaError, throwIfAborted, wrapEngineError } from '../errors.js';
import type { DeletionVectorDescriptor } from '../log/actions.js';
import { crc32 } from './crc32.js';
import { DeletedRows } from './deleted-rows.js';
import { loadDeletionVector, uuidDeletionVectorPath } from './load.js';
import { serializeRoaringArray } from './roaring.js';
import { z85Encode } from './z85.js';

/** Largest serialized bitmap stored inline in the log. */
export const INLINE_DV_MAX_BYTES = 64;
/** Bytes after which a new DV file is started (Spark's `deletionVectors.packing.targetSize`). */
export const DV_FILE_TARGET_SIZE = 2 * 1024 * 1024;
/** Largest DV file: offsets are 32-bit in Spark's descriptors. */
const MAX_DV_FILE_SIZE = 0x7fffffff;

export interface DeletionVectorWriterOptions {
  /** Serialized bitmaps of at most this many bytes are stored inline. Default {@link INLINE_DV_MAX_BYTES}; 0 never inlines. */
  readonly inlineMaxBytes?: number;
  /** Start a new DV file once the current one holds this many bytes. Default {@link DV_FILE_TARGET_SIZE}. */
  readonly fileTargetSize?: number;
  readonly signal?: AbortSignal;
}

interface PendingFile {
  readonly uuid: string;
  readonly path: string;
  readonly chunks: Uint8Array[];
  size: number;
}

/**
 * Writes the deletion vectors of one commit. `write` returns each descriptor at once (its file
 * offset is known before the file is stored); `finish` stores the last file and must complete
 * before the descriptors are committed.
 */
export class DeletionVectorWriter {
  readonly #engine: Engine;
  readonly #tableRoot: string;
  readonly #inlineMax: number;
  readonly #target: number;
  readonly #signal: AbortSignal | undefined;
  #current: PendingFile | undefined;
  readonly #stored: string[] = [];
  #bytes = 0;

  constructor(engine: Engine, tableRoot: string, options: DeletionVectorWriterOptions = {}) {
    this.#engine = engine;
    this.#tableRoot = tableRoot;
    this.#inlineMax = options.inlineMaxBytes ?? INLINE_DV_MAX_BYTES;
    this.#target = options.fileTargetSize ?? DV_FILE_TARGET_SIZE;
    this.#signal = options.signal;
  }

  /** Store paths of the DV files written so far. */
  get files(): readonly string[] {
    return this.#stored;
  }

  /** Bytes of DV files stored so far. */
  get bytesWritten(): number {
    return this.#bytes;
  }

  /** The descriptor of a deletion vector holding `rows` (at least one row). */
  async write(rows: DeletedRows): Promise<DeletionVectorDescriptor> {
    throwIfAborted(this.#signal);
    if (rows.cardinality === 0) {
      throw new DeltaError('INVALID_ARGUMENT', 'A deletion vector must delete at least one row; a file whose rows all stay needs no deletion vector.');
    }
    const bitmap = serializeRoaringArray(rows);
    if (bitmap.length <= this.#inlineMax) {
      return { storageType: 'i', pathOrInlineDv: z85Encode(bitmap), sizeInBytes: bitmap.length, cardinality: rows.cardinality };
    }
    const entry = 4 + bitmap.length + 4;
    if (1 + entry > MAX_DV_FILE_SIZE) {
      throw new DeltaError('UNSUPPORTED_OPERATION', `A deletion vector of ${bitmap.length} bytes is larger than a DV file can address (2 GiB). Rewrite the data file instead.`);
    }
    let file = this.#current;
    if (file !== undefined && (file.size >= this.#target || file.size + entry > MAX_DV_FILE_SIZE)) {
      await this.#flush();
      file = undefined;
    }
    file ??= this.#current = this.#newFile();
    const offset = file.size;
    const head = new Uint8Array(4);
    new DataView(head.buffer).setUint32(0, bitmap.length, false);
    const tail = new Uint8Array(4);
    new DataView(tail.buffer).setUint32(0, crc32(bitmap), false);
    file.chunks.push(head, bitmap, tail);
    file.size += entry;
    return { storageType: 'u', pathOrInlineDv: file.uuid, offset, sizeInBytes: bitmap.length, cardinality: rows.cardinality };
  }

  /** Stores the file being filled. Call once after the last `write`, before committing. */
  async finish(): Promise<void> {
    await this.#flush();
  }

  #newFile(): PendingFile {
    const id = globalThis.crypto.randomUUID();
    const uuid = z85Encode(uuidBytes(id));
    return { uuid, path: uuidDeletionVectorPath(this.#tableRoot, uuid), chunks: [Uint8Array.of(1)], size: 1 };
  }

  async #flush(): Promise<void> {
    const file = this.#current;
    this.#current = undefined;
    if (file === undefined) return;
    throwIfAborted(this.#signal);
    const bytes = new Uint8Array(file.size);
    let at = 0;
    for (const c of file.chunks) {
      bytes.set(c, at);
      at += c.length;
    }
    try {
      await this.#engine.store.put(file.path, bytes);
    } catch (e) {
      throw wrapEngineError('Writing deletion vector file', file.path, e);
    }
    this.#stored.push(file.path);
    this.#bytes += bytes.length;
  }
}

/** The 16 bytes of a UUID text (`8-4-4-4-12` hex), most significant first. */
export function uuidBytes(uuid: string): Uint8Array {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new DeltaError('INVALID_ARGUMENT', `"${uuid}" is not a UUID.`);
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/**
 * The rows a file's new deletion vector must hold: `rows` plus those of its current deletion
 * vector `existing` (loaded from the table), as Spark merges them.
 */
export async function mergeWithExisting(engine: Engine, tableRoot: string, existing: DeletionVectorDescriptor | undefined, rows: DeletedRows, options: { signal?: AbortSignal } = {}): Promise<DeletedRows> {
  if (existing === undefined) return rows;
  const old = await loadDeletionVector(engine, tableRoot, existing, options);
  return old.cardinality === 0 ? rows : old.union(rows);
}

/**
 * The `stats` of a file that gets a (new) deletion vector, as Spark's DML keeps them: the same
 * statistics with `tightBounds: false` (bounds still hold for the remaining rows but may be loose),
 * and, where bounds were tight and a column's null count equalled the file's live rows (every live
 * row null), that null count raised to the physical row count. `undefined` stays undefined.
 * `oldCardinality` is the cardinality of the deletion vector the stats were computed under.
 */
export function statsWithWideBounds(stats: string | undefined, oldCardinality: number): string | undefined {
  if (stats === undefined || stats === '') return stats;
  let root: unknown;
  try {
    root = JSON.parse(stats, (_k, v: unknown) => v);
  } catch {
    return stats;
  }
  if (root === null || typeof root !== 'object' || Array.isArray(root)) return stats;
  const rec = root as Record<string, unknown>;
  const physical = rec.numRecords;
  const tight = rec.tightBounds === true;
  if (tight && typeof physical === 'number' && rec.nullCount !== null && typeof rec.nullCount === 'object') {
    const live = physical - oldCardinality;
    rec.nullCount = raiseAllNull(rec.nullCount as Record<string, unknown>, live, physical);
  }
  rec.tightBounds = false;
  return rewriteStats(stats, rec);
}

function raiseAllNull(counts: Record<string, unknown>, live: number, physical: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(counts)) {
    if (typeof v === 'number') out[k] = v === live ? physical : v;
    else if (v !== null && typeof v === 'object' && !Array.isArray(v)) out[k] = raiseAllNull(v as Record<string, unknown>, live, physical);
    else out[k] = v;
  }
  return out;
}

/**
 * Serializes the edited stats. Min/max values are copied as written in `original` (exact digits of
 * longs, decimals and doubles), since JSON.parse may have rounded them; only `nullCount` and
 * `tightBounds` come from `edited`.
 */
function rewriteStats(original: string, edited: Record<string, unknown>): string {
  const keep = rawTopLevel(original);
  const parts: string[] = [];
  const seen = new Set<string>();
  for (const [key, raw] of keep) {
    seen.add(key);
    if (key === 'nullCount' || key === 'tightBounds') parts.push(`${JSON.stringify(key)}:${JSON.stringify(edited[key])}`);
    else parts.push(`${JSON.stringify(key)}:${raw}`);
  }
  if (!seen.has('tightBounds')) parts.push('"tightBounds":false');
  return `{${parts.join(',')}}`;
}

/** The top-level members of a JSON object text as [key, raw value text], in order. */
function rawTopLevel(text: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  let i = text.indexOf('{') + 1;
  const skipWs = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  while (i < text.length) {
    skipWs();
    if (text[i] === '}') break;
    if (text[i] === ',') {
      i++;
      continue;
    }
    const keyStart = i;
    i = endOfString(text, i);
    const key = JSON.parse(text.slice(keyStart, i)) as string;
    skipWs();
    i++; // ':'
    skipWs();
    const valueStart = i;
    i = endOfValue(text, i);
    out.push([key, text.slice(valueStart, i).trim()]);
  }
  return out;
}

function endOfString(text: string, i: number): number {
  i++;
  while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  return i + 1;
}

function endOfValue(text: string, i: number): number {
  let depth = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      i = endOfString(text, i);
      continue;
    }
    if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      if (depth === 0) return i;
      depth--;
    } else if (c === ',' && depth === 0) return i;
    i++;
  }
  return i;
}
