/**
 * The files of one state store (`<checkpoint>/state/<operatorId>/<partition>/`), in Spark's
 * HDFS-provider layout with deltakit's own row encoding (see row-codec.ts):
 *
 * - `<version>.delta`: the changes of the batch that produced `version` (batch `version - 1`).
 * - `<version>.snapshot`: the whole state at `version`, a manifest naming its parts
 *   `<version>.snapshot.<i>` (i = 0, 1, ...; each at most `snapshotPartBytes`, so the state is
 *   never held in one buffer). Parts are written first, the manifest last: a snapshot without its
 *   manifest does not exist.
 *
 * A delta file and a snapshot part are binary record files:
 * ```
 * deltakit-state v1 delta\n            (or `... v1 snapshot\n` for a part)
 * record*                              0x01 varint(keyLen) key varint(valueLen) value   (put)
 *                                      0x02 varint(keyLen) key                          (remove)
 * 0x00 u32(records) u32(crc32 of the record bytes)                                     (end)
 * ```
 * Lengths are unsigned LEB128, integers big-endian. A delta lists each changed key once, in key
 * byte order (so the same changes give the same bytes); a snapshot part holds only puts. The
 * manifest is text: `v1\n{"version":V,"parts":N,"numKeys":K}`.
 * A file that does not parse, is cut short or fails its checksum is CORRUPT_CHECKPOINT.
 */
import { crc32 } from 'node:zlib';
import { DeltaError } from '@deltakit/core';
import { ByteWriter } from './row-codec.js';

export const STATE_FORMAT_VERSION = 1;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export type FileKind = 'delta' | 'snapshot';

const headers: Record<FileKind, Uint8Array> = {
  delta: encoder.encode(`deltakit-state v${STATE_FORMAT_VERSION} delta\n`),
  snapshot: encoder.encode(`deltakit-state v${STATE_FORMAT_VERSION} snapshot\n`),
};

/** What a listing of a store folder holds. */
export interface StateFileListing {
  readonly deltas: Set<number>;
  /** Versions with a complete snapshot (its manifest exists). */
  readonly snapshots: Set<number>;
  /** Every state file by version (deltas, manifests, parts), for cleanup. */
  readonly byVersion: Map<number, string[]>;
}

export const deltaPath = (dir: string, version: number): string => `${dir}/${version}.delta`;
export const snapshotPath = (dir: string, version: number): string => `${dir}/${version}.snapshot`;
export const snapshotPartPath = (dir: string, version: number, part: number): string => `${dir}/${version}.snapshot.${part}`;

const NAME = /^(\d+)\.(delta|snapshot)(?:\.(\d+))?$/;

/** Classifies one file name of a store folder; undefined for names that are not state files. */
export function parseStateFileName(name: string): { version: number; kind: FileKind; part?: number } | undefined {
  const m = NAME.exec(name);
  if (m === null) return undefined;
  if (m[2] === 'delta' && m[3] !== undefined) return undefined;
  return { version: Number(m[1]), kind: m[2] as FileKind, ...(m[3] === undefined ? {} : { part: Number(m[3]) }) };
}

/** Writes the record stream of one file. */
export class RecordFileWriter {
  readonly w = new ByteWriter(1 << 16);
  records = 0;
  private bodyStart: number;
  constructor(kind: FileKind) {
    this.w.bytes(headers[kind]);
    this.bodyStart = this.w.pos;
  }
  put(key: Uint8Array, value: Uint8Array): void {
    const w = this.w;
    w.byte(1);
    w.varint(key.length);
    w.bytes(key);
    w.varint(value.length);
    w.bytes(value);
    this.records++;
  }
  remove(key: Uint8Array): void {
    const w = this.w;
    w.byte(2);
    w.varint(key.length);
    w.bytes(key);
    this.records++;
  }
  get size(): number {
    return this.w.pos;
  }
  finish(): Uint8Array {
    const crc = crc32(this.w.buf.subarray(this.bodyStart, this.w.pos));
    this.w.byte(0);
    this.w.u32(this.records);
    this.w.u32(crc);
    return this.w.take();
  }
}

/**
 * Reads a record file, checking header, terminator and checksum before any record is handed out:
 * a corrupt file applies nothing. `value` is null for a remove; both are views into `bytes`.
 */
export function readRecordFile(bytes: Uint8Array, kind: FileKind, path: string, onRecord: (key: Uint8Array, value: Uint8Array | null) => void): number {
  const header = headers[kind];
  const nl = bytes.indexOf(0x0a);
  if (nl < 0 || nl > 64) throw corrupt(path, 'it does not start with a deltakit-state header line');
  const line = decoder.decode(bytes.subarray(0, nl));
  const m = /^deltakit-state v(\d+) (delta|snapshot)$/.exec(line);
  if (m === null) throw corrupt(path, `its header line is ${JSON.stringify(line.slice(0, 40))}, not "deltakit-state v1 ${kind}"`);
  if (Number(m[1]) > STATE_FORMAT_VERSION) {
    throw new DeltaError('CHECKPOINT_INCOMPATIBLE', `State file ${path} has format v${m[1]}, newer than this deltakit understands (v${STATE_FORMAT_VERSION}). Upgrade deltakit to run this query.`, { details: { path } });
  }
  if (m[2] !== kind) throw corrupt(path, `it is a ${m[2]} file where a ${kind} file was expected`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bodyStart = header.length;
  // First pass: walk the records to find the terminator, then verify count and checksum.
  const walk = (apply: boolean): number => {
    let pos = bodyStart;
    let count = 0;
    const varint = (): number => {
      let n = 0;
      let mul = 1;
      for (let i = 0; i < 8; i++) {
        if (pos >= bytes.length) throw corrupt(path, 'it is cut short (a record length is incomplete)');
        const b = bytes[pos++]!;
        n += (b & 0x7f) * mul;
        if (b < 0x80) return n;
        mul *= 0x80;
      }
      throw corrupt(path, 'a record length is malformed');
    };
    const slice = (n: number): Uint8Array => {
      if (pos + n > bytes.length) throw corrupt(path, 'it is cut short (a record is incomplete)');
      const s = bytes.subarray(pos, pos + n);
      pos += n;
      return s;
    };
    for (;;) {
      if (pos >= bytes.length) throw corrupt(path, 'it is cut short (the end record is missing)');
      const tag = bytes[pos++]!;
      if (tag === 0) break;
      if (tag === 1) {
        const key = slice(varint());
        const value = slice(varint());
        if (apply) onRecord(key, value);
      } else if (tag === 2) {
        if (kind === 'snapshot') throw corrupt(path, 'a snapshot holds a remove record');
        const key = slice(varint());
        if (apply) onRecord(key, null);
      } else throw corrupt(path, `record ${count} has unknown tag ${tag}`);
      count++;
    }
    if (!apply) {
      if (pos + 8 !== bytes.length) throw corrupt(path, pos + 8 > bytes.length ? 'it is cut short (the end record is incomplete)' : 'it has bytes after its end record');
      const expectedCount = view.getUint32(pos);
      const expectedCrc = view.getUint32(pos + 4);
      if (expectedCount !== count) throw corrupt(path, `it holds ${count} records where its end record says ${expectedCount}`);
      if (crc32(bytes.subarray(bodyStart, pos - 1)) !== expectedCrc) throw corrupt(path, 'its checksum does not match its content');
    }
    return count;
  };
  walk(false);
  return walk(true);
}

export interface SnapshotManifest {
  readonly version: number;
  readonly parts: number;
  readonly numKeys: number;
}

export function encodeManifest(m: SnapshotManifest): Uint8Array {
  return encoder.encode(`v${STATE_FORMAT_VERSION}\n${JSON.stringify({ version: m.version, parts: m.parts, numKeys: m.numKeys })}`);
}

export function decodeManifest(bytes: Uint8Array, path: string, version: number): SnapshotManifest {
  const text = decoder.decode(bytes);
  const nl = text.indexOf('\n');
  const m = /^v(\d+)$/.exec(nl < 0 ? text : text.slice(0, nl));
  if (m === null) throw corrupt(path, 'it does not start with a version line (v1)');
  if (Number(m[1]) > STATE_FORMAT_VERSION) {
    throw new DeltaError('CHECKPOINT_INCOMPATIBLE', `State snapshot ${path} has format v${m[1]}, newer than this deltakit understands (v${STATE_FORMAT_VERSION}). Upgrade deltakit to run this query.`, { details: { path } });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.slice(nl + 1));
  } catch {
    throw corrupt(path, 'its manifest is not JSON');
  }
  const p = parsed as Partial<SnapshotManifest>;
  if (typeof p !== 'object' || p === null || p.version !== version || !Number.isInteger(p.parts) || (p.parts as number) < 0 || !Number.isInteger(p.numKeys)) {
    throw corrupt(path, `its manifest is not {"version":${version},"parts":N,"numKeys":K}`);
  }
  return { version, parts: p.parts as number, numKeys: p.numKeys as number };
}

export function corrupt(path: string, why: string, cause?: unknown): DeltaError {
  return new DeltaError('CORRUPT_CHECKPOINT', `State file ${path} cannot be read: ${why}. The checkpoint's state is damaged; restore the checkpoint from a backup, or start the query with a new checkpointLocation (its state starts empty).`, { details: { path }, ...(cause === undefined ? {} : { cause }) });
}

/** Byte equality (a re-committed delta against the one on the checkpoint). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
