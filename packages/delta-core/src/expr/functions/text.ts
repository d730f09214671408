/**
 * Text helpers shared by the string functions. Spark counts characters as Unicode code points
 * (UTF-8 characters), JS strings are UTF-16: positions and lengths go through these helpers,
 * which take a fast path when a string has no surrogate pairs (then code points = code units).
 */
import type { DataType } from '../../schema/types.js';
import type { BoundFunction } from '../typed.js';
import { viewOf } from '../column-view.js';
import type { Value } from '../value.js';
import { Vec } from '../vector.js';
import { VecBuilder } from './kernels.js';

const SURROGATE = /[\uD800-\uDFFF]/;

/** True when `s` has surrogate code units (so code point and UTF-16 indices differ). */
export const hasSurrogates = (s: string): boolean => SURROGATE.test(s);

/** Number of code points (Spark's `numChars`). */
export function cpLength(s: string): number {
  if (!hasSurrogates(s)) return s.length;
  let n = 0;
  for (let i = 0; i < s.length; i++, n++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
  }
  return n;
}

/** UTF-16 offset of code point index `cp` (clamped to `[0, length]`). */
export function cpOffset(s: string, cp: number): number {
  if (cp <= 0) return 0;
  if (!hasSurrogates(s)) return Math.min(cp, s.length);
  let i = 0;
  for (let n = 0; n < cp && i < s.length; n++) {
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
  }
  return i;
}

/** Code points `[start, end)` of `s`, indices clamped to the string (Spark's `substring`). */
export function cpSlice(s: string, start: number, end: number): string {
  const from = Math.max(start, 0);
  if (end <= from) return '';
  if (!hasSurrogates(s)) return s.substring(from, end);
  const a = cpOffset(s, from);
  return s.substring(a, cpOffset(s, end));
}

/** The `[from, to)` range Spark's `substringSQL(pos, len)` selects from `n` items. */
export function sqlRange(n: number, pos: number, len: number): [number, number] {
  const start = pos > 0 ? pos - 1 : pos < 0 ? n + pos : 0;
  const from = Math.max(start, 0);
  const to = Math.min(start + len, n);
  return to > from ? [from, to] : [0, 0];
}

export function substringSql(s: string, pos: number, len: number): string {
  const n = hasSurrogates(s) ? cpLength(s) : s.length;
  const [from, to] = sqlRange(n, pos, len);
  return cpSlice(s, from, to);
}

/** The code points of `s` as strings (one or two UTF-16 units each). */
export const codePoints = (s: string): string[] => (hasSurrogates(s) ? Array.from(s) : s.split(''));

/** Number of UTF-8 bytes of `s`. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
export const utf8Encode = (s: string): Uint8Array => encoder.encode(s);
/** UTF-8 bytes → string, malformed sequences replaced by U+FFFD as Java's decoder does. */
export const utf8Decode = (b: Uint8Array): string => decoder.decode(b);

/**
 * A kernel over one string argument: `f` maps each non-null string to the result value of
 * `type` (null allowed). Loops over the string store directly; a constant input runs `f` once.
 */
export function stringKernel(type: DataType, f: (s: string) => Value): BoundFunction {
  return {
    eval([v], ctx) {
      const n = ctx.length;
      if (v!.isConstant) return Vec.constant(type, v!.constantValue === null ? null : f(v!.constantValue as string), n);
      const values = v!.str();
      const valid = v!.valid();
      const out = new VecBuilder(type, n);
      for (let i = 0; i < n; i++) out.set(i, valid !== null && valid[i] === 0 ? null : f(values[i]!));
      return out.finish();
    },
  };
}

/** Concatenation of byte arrays. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * The offsets and bytes of a string or binary Vec read from Arrow, without decoding (row i is
 * `data[offsets[i], offsets[i + 1])`), or undefined when the Vec has no such buffers (constants,
 * dictionaries, computed values): callers then use `str()` / `bin()`.
 */
export function rawBytes(v: Vec): { readonly offsets: Int32Array | BigInt64Array; readonly data: Uint8Array } | undefined {
  if (v.isConstant || v.arrow === undefined) return undefined;
  const view = viewOf(v.arrow);
  if (view.kind !== 'bytes') return undefined;
  return { offsets: view.offsets, data: view.data ?? new Uint8Array(0) };
}

/** Code points in UTF-8 bytes `[start, end)`: bytes that do not continue a sequence. */
export function utf8CodePoints(data: Uint8Array, start: number, end: number): number {
  let n = 0;
  for (let j = start; j < end; j++) if ((data[j]! & 0xc0) !== 0x80) n++;
  return n;
}
