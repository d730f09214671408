/**
 * Z85 (ZeroMQ Base85), the text encoding of deletion-vector UUIDs and inline bitmaps: every 4
 * bytes (a big-endian uint32) become 5 characters, most significant digit first.
 */
import { DeltaError } from '../errors.js';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#';
const DECODE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

/** Decodes Z85 text (length a multiple of 5) to bytes. Invalid text throws CORRUPT_DELETION_VECTOR. */
export function z85Decode(text: string): Uint8Array {
  if (text.length % 5 !== 0) {
    throw new DeltaError('CORRUPT_DELETION_VECTOR', `Invalid Z85 text "${text}": its length ${text.length} is not a multiple of 5. The deletion vector descriptor in the log is damaged.`);
  }
  const out = new Uint8Array((text.length / 5) * 4);
  for (let i = 0, o = 0; i < text.length; i += 5, o += 4) {
    let v = 0;
    for (let j = 0; j < 5; j++) {
      const c = text.charCodeAt(i + j);
      const d = c < 128 ? DECODE[c]! : -1;
      if (d < 0) {
        throw new DeltaError('CORRUPT_DELETION_VECTOR', `Invalid Z85 text "${text}": character ${JSON.stringify(text[i + j])} is not in the Z85 alphabet. The deletion vector descriptor in the log is damaged.`);
      }
      v = v * 85 + d;
    }
    if (v >= 0x100000000) {
      // Not valid Z85: the tail padding of the Rust z85 crate (delta-rs writes inline DVs with
      // it). A group with k leading '#' holds only 4-k bytes, encoded by its other 5-k digits.
      // Strict Z85 can never start a group with '#' (84 * 85^4 > 2^32), so this is unambiguous.
      const k = leadingHashes(text, i);
      let tail = 0;
      for (let j = k; j < 5; j++) tail = tail * 85 + DECODE[text.charCodeAt(i + j)]!;
      if (k === 0 || k > 3 || tail >= 2 ** (8 * (4 - k))) {
        throw new DeltaError('CORRUPT_DELETION_VECTOR', `Invalid Z85 text "${text}": group ${i / 5} encodes a value above 2^32. The deletion vector descriptor in the log is damaged.`);
      }
      for (let b = 4 - k - 1; b >= 0; b--, tail = Math.floor(tail / 256)) out[o + b] = tail & 0xff;
      continue;
    }
    out[o] = v >>> 24;
    out[o + 1] = (v >>> 16) & 0xff;
    out[o + 2] = (v >>> 8) & 0xff;
    out[o + 3] = v & 0xff;
  }
  return out;
}

function leadingHashes(text: string, at: number): number {
  let k = 0;
  while (k < 5 && text[at + k] === '#') k++;
  return k;
}

/** Encodes bytes as Z85, zero-padding the input to a multiple of 4 bytes (as Delta does for inline DVs). */
export function z85Encode(bytes: Uint8Array): string {
  const padded = bytes.length % 4 === 0 ? bytes : new Uint8Array(bytes.length + 4 - (bytes.length % 4));
  if (padded !== bytes) padded.set(bytes);
  let out = '';
  for (let i = 0; i < padded.length; i += 4) {
    let v = ((padded[i]! << 24) | (padded[i + 1]! << 16) | (padded[i + 2]! << 8) | padded[i + 3]!) >>> 0;
    const chars: string[] = [];
    for (let j = 0; j < 5; j++) {
      chars.push(ALPHABET[v % 85]!);
      v = Math.floor(v / 85);
    }
    out += chars.reverse().join('');
  }
  return out;
}

/** Formats 16 bytes as a lowercase UUID string. */
export function uuidFromBytes(b: Uint8Array): string {
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
