/**
 * Low-level builders for Arrow `Data` used by the schema casts. Conventions of Arrow JS relied on:
 * `values` and `valueOffsets` of a sliced Data are already sliced (index them from 0), while the
 * validity bitmap is indexed with `data.offset + i`. So a cast that replaces `values` keeps the
 * source's offset and bitmap unchanged, and nothing is copied but the converted values.
 */
import { Data, Type } from 'apache-arrow';
import type { DataType as ArrowType, Decimal, FixedSizeBinary, List, Map_, Struct } from 'apache-arrow';

/** Data of `type` sharing `src`'s rows, validity and offset, with new value buffer `values` (row i at index i·stride). */
export function withValues(src: Data, type: ArrowType, values: ArrayBufferView): Data {
  return new Data(type, src.offset, src.length, src.nullCount, [undefined, values, src.nullBitmap] as never);
}

/** Data of `type` sharing every buffer of `src`: a zero-copy reinterpretation (same physical layout). */
export function retype(src: Data, type: ArrowType): Data {
  return src.clone(type);
}

/** `length` rows of null of `type`, nested children included (lists and maps get empty children). */
export function nullData(type: ArrowType, length: number): Data {
  if (type.typeId === Type.Null) return new Data(type, 0, length, length);
  const validity = new Uint8Array((length + 7) >> 3);
  switch (type.typeId) {
    case Type.Struct:
      return new Data(
        type,
        0,
        length,
        length,
        [undefined, undefined, validity] as never,
        (type as Struct).children.map((c) => nullData(c.type, length)),
      );
    case Type.List:
    case Type.Map: {
      const child = (type as List | Map_).children[0]!;
      return new Data(type, 0, length, length, [new Int32Array(length + 1), undefined, validity] as never, [nullData(child.type, 0)]);
    }
    case Type.Utf8:
    case Type.Binary:
      return new Data(type, 0, length, length, [new Int32Array(length + 1), new Uint8Array(0), validity] as never);
    case Type.Bool:
      return new Data(type, 0, length, length, [undefined, new Uint8Array((length + 7) >> 3), validity] as never);
    case Type.Decimal:
      return new Data(type, 0, length, length, [undefined, new Uint32Array(length * ((type as Decimal).bitWidth / 32)), validity] as never);
    case Type.FixedSizeBinary:
      return new Data(type, 0, length, length, [undefined, new Uint8Array(length * (type as FixedSizeBinary).byteWidth), validity] as never);
    default: {
      const ArrayType = type.ArrayType as new (n: number) => ArrayBufferView;
      return new Data(type, 0, length, length, [undefined, new ArrayType(length), validity] as never);
    }
  }
}

/** Int32 offsets from 64-bit offsets (LargeUtf8, LargeBinary, LargeList); throws RangeError past 2^31. */
export function narrowOffsets(offsets: BigInt64Array): Int32Array {
  const out = new Int32Array(offsets.length);
  for (let i = 0; i < offsets.length; i++) {
    const v = Number(offsets[i]!);
    if (v > 0x7fffffff) throw new RangeError('offset exceeds 2^31-1');
    out[i] = v;
  }
  return out;
}

/** Offsets `0, w, 2w, …` for `length` fixed-width values. */
export function fixedOffsets(length: number, width: number): Int32Array {
  const out = new Int32Array(length + 1);
  for (let i = 0; i <= length; i++) out[i] = i * width;
  return out;
}

/** A 32-bit-word view (low word first, little-endian) of a 64-bit integer array. */
export function words64(values: BigInt64Array): Int32Array {
  return new Int32Array(values.buffer, values.byteOffset, values.length * 2);
}

/** Sign-extends each int32 value to int64, without BigInt. */
export function int32ToInt64(values: Int32Array | Int16Array | Int8Array): BigInt64Array {
  const out = new BigInt64Array(values.length);
  const w = words64(out);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    w[2 * i] = v;
    w[2 * i + 1] = v >> 31;
  }
  return out;
}

/** Writes an integer-valued double (|n| < 2^63, exactly representable) as int64 words at row i. */
export function writeInt64FromDouble(w: Int32Array, i: number, n: number): void {
  const hi = Math.floor(n / 4294967296);
  w[2 * i] = n - hi * 4294967296;
  w[2 * i + 1] = hi;
}

/** Decimal128 words (little-endian, 4 per value) from unscaled int32/int64 values, sign-extended. */
export function unscaledToDecimal128(values: Int32Array | BigInt64Array): Uint32Array {
  const out = new Uint32Array(values.length * 4);
  if (values instanceof Int32Array) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      const sign = v >> 31;
      out[4 * i] = v;
      out[4 * i + 1] = sign;
      out[4 * i + 2] = sign;
      out[4 * i + 3] = sign;
    }
    return out;
  }
  const w = words64(values);
  for (let i = 0; i < values.length; i++) {
    const hi = w[2 * i + 1]!;
    const sign = hi >> 31;
    out[4 * i] = w[2 * i]!;
    out[4 * i + 1] = hi;
    out[4 * i + 2] = sign;
    out[4 * i + 3] = sign;
  }
  return out;
}

/**
 * The decimal at row i as a double when it is a safe integer (|v| < 2^53), else undefined: lets
 * casts skip BigInt for the common small values.
 */
export function decimal128AsSafeNumber(words: Uint32Array, i: number): number | undefined {
  const o = 4 * i;
  const hi = words[o + 1]! | 0;
  const sign = (hi >> 31) >>> 0;
  if (words[o + 2] !== sign || words[o + 3] !== sign) return undefined;
  const v = hi * 4294967296 + words[o]!;
  return Number.isSafeInteger(v) ? v : undefined;
}

/** Writes a safe integer as the decimal at row i (sign-extended to 128 bits). */
export function writeDecimal128FromSafeNumber(words: Uint32Array, i: number, n: number): void {
  const hi = Math.floor(n / 4294967296);
  const o = 4 * i;
  const sign = hi < 0 ? 0xffffffff : 0;
  words[o] = n - hi * 4294967296;
  words[o + 1] = hi;
  words[o + 2] = sign;
  words[o + 3] = sign;
}

const TWO_64 = 1n << 64n;
const TWO_128 = 1n << 128n;

/** The signed value of the 128-bit little-endian decimal at row i. */
export function readDecimal128(words: Uint32Array, i: number): bigint {
  const o = 4 * i;
  const lo = BigInt(words[o]!) | (BigInt(words[o + 1]!) << 32n);
  const hi = BigInt(words[o + 2]!) | (BigInt(words[o + 3]!) << 32n);
  const u = lo | (hi << 64n);
  return u >= TWO_128 / 2n ? u - TWO_128 : u;
}

/** Writes `v` (two's complement, must fit 128 bits) as the decimal at row i. */
export function writeDecimal128(words: Uint32Array, i: number, v: bigint): void {
  const u = v < 0n ? v + TWO_128 : v;
  const lo = u % TWO_64;
  const hi = u / TWO_64;
  const o = 4 * i;
  words[o] = Number(lo & 0xffffffffn);
  words[o + 1] = Number(lo >> 32n);
  words[o + 2] = Number(hi & 0xffffffffn);
  words[o + 3] = Number(hi >> 32n);
}
