/**
 * Min/max accumulation for file statistics: one collector per value kind, scanning Arrow buffers
 * directly (typed-array loops, no per-row \`Vector.get\`), plus Spark's string bound truncation.
 */
import { DateUnit, TimeUnit, Type } from 'apache-arrow';
import type { Data, Decimal as ArrowDecimal, Timestamp } from 'apache-arrow';
import { DeltaError } from '../errors.js';
import type { DataType } from '../schema/types.js';
import { floorDiv, formatDate, formatJavaBigDecimal, formatStatsFloating, formatTimestampMicros, jsonString } from './stats-format.js';

export const DEFAULT_STRING_PREFIX = 32;

/** Spark's string min bound: the first `prefixLength` code points (any prefix is a lower bound). */
export function truncateMinString(s: string, prefixLength = DEFAULT_STRING_PREFIX): string {
  if (s.length <= prefixLength) return s;
  let units = 0;
  for (let n = 0; n < prefixLength && units < s.length; n++) {
    const c = s.charCodeAt(units);
    units += c >= 0xd800 && c <= 0xdbff && units + 1 < s.length ? 2 : 1;
  }
  return s.slice(0, units);
}

const ASCII_MAX = '\u007f';
const UTF8_MAX = '\udbff\udfff';

/**
 * Spark's string max bound: strings up to `prefixLength` UTF-16 units are kept; longer ones are cut
 * after the prefix (never inside a surrogate pair) and get a tie-breaker that sorts after every
 * possible continuation in UTF-8 byte order: U+007F when the next character is below it, else
 * U+10FFFF, skipping over U+10FFFF characters in the input. Returns undefined (no max) when no cut
 * point exists within twice the prefix length.
 */
export function truncateMaxString(s: string, prefixLength = DEFAULT_STRING_PREFIX): string | undefined {
  if (s.length <= prefixLength) return s;
  if (prefixLength <= 0) return undefined;
  const splitsPair = isHigh(s.charCodeAt(prefixLength - 1)) && isLow(s.charCodeAt(prefixLength));
  let len = splitsPair ? prefixLength + 1 : prefixLength;
  const limit = 2 * prefixLength;
  while (len <= limit) {
    if (len >= s.length) return s;
    if (len + 1 < s.length && s.charCodeAt(len) === 0xdbff && s.charCodeAt(len + 1) === 0xdfff) {
      len += 2;
    } else if (s.charCodeAt(len) < 0x7f) {
      return s.slice(0, len) + ASCII_MAX;
    } else {
      return s.slice(0, len) + UTF8_MAX;
    }
  }
  return undefined;
}

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/** Row validity: 1 = the value and all its ancestors are non-null; null means every row is valid. */
export type Mask = Uint8Array | null;

export function mismatch(column: string, expected: string, data: Data): DeltaError {
  return new DeltaError('SCHEMA_MISMATCH', `Column "${column}" holds Arrow ${String(data.type)} but the table schema expects ${expected}. Cast the data to the table schema before writing.`, {
    details: { column, arrowType: String(data.type) },
  });
}

export interface Bounds {
  update(data: Data, mask: Mask, column: string): void;
  minJson(): string | undefined;
  maxJson(): string | undefined;
}

export function boundsFor(type: DataType, prefixLength: number): Bounds | undefined {
  if (type.kind === 'decimal') return new DecimalBounds();
  if (type.kind !== 'primitive') return undefined;
  switch (type.name) {
    case 'byte':
    case 'short':
    case 'integer':
    case 'long':
      return new IntegerBounds();
    case 'float':
    case 'double':
      return new FloatBounds(type.name === 'float');
    case 'date':
      return new DateBounds();
    case 'timestamp':
    case 'timestamp_ntz':
      return new TimestampBounds(type.name === 'timestamp');
    case 'string':
      return new StringBounds(prefixLength);
    default:
      return undefined;
  }
}

/** Runs `scan` over a dictionary's values restricted to the entries referenced by valid rows. */
function forDictionary(data: Data, mask: Mask, scan: (values: Data, mask: Mask) => void): boolean {
  if (data.typeId !== Type.Dictionary) return false;
  const dict = data.dictionary;
  if (!dict) return true;
  const used = new Uint8Array(dict.length);
  const idx = data.values as ArrayLike<number | bigint>;
  for (let i = 0; i < data.length; i++) if (mask === null || mask[i]) used[Number(idx[i])] = 1;
  let start = 0;
  for (const chunk of dict.data) {
    scan(chunk, used.subarray(start, start + chunk.length));
    start += chunk.length;
  }
  return true;
}

class IntegerBounds implements Bounds {
  min: number | bigint | undefined;
  max: number | bigint | undefined;

  update(data: Data, mask: Mask, column: string): void {
    if (forDictionary(data, mask, (d, m) => this.update(d, m, column))) return;
    if (data.typeId !== Type.Int) throw mismatch(column, 'an integer type', data);
    const r = scanMinMax(data.values as ArrayLike<number | bigint>, mask, data.length);
    if (r) this.merge(r[0], r[1]);
  }

  merge(lo: number | bigint, hi: number | bigint): void {
    if (this.min === undefined || lo < this.min) this.min = lo;
    if (this.max === undefined || hi > this.max) this.max = hi;
  }

  minJson(): string | undefined {
    return this.min === undefined ? undefined : String(this.min);
  }

  maxJson(): string | undefined {
    return this.max === undefined ? undefined : String(this.max);
  }
}

/** Min and max of the valid entries of a typed array (number or bigint elements, never mixed). */
function scanMinMax<T extends number | bigint>(v: ArrayLike<T>, mask: Mask, length: number): [T, T] | undefined {
  let i = 0;
  if (mask !== null) while (i < length && !mask[i]) i++;
  if (i >= length) return undefined;
  let lo = v[i]!;
  let hi = lo;
  if (mask === null) {
    for (; i < length; i++) {
      const x = v[i]!;
      if (x < lo) lo = x;
      else if (x > hi) hi = x;
    }
  } else {
    for (; i < length; i++) {
      if (!mask[i]) continue;
      const x = v[i]!;
      if (x < lo) lo = x;
      else if (x > hi) hi = x;
    }
  }
  return [lo, hi];
}

/** Spark ordering for floating point: NaN is larger than every other value. */
class FloatBounds implements Bounds {
  min = Infinity;
  max = -Infinity;
  seen = false;
  sawNaN = false;
  sawNumber = false;

  constructor(private readonly float32: boolean) {}

  update(data: Data, mask: Mask, column: string): void {
    if (data.typeId !== Type.Float) throw mismatch(column, 'a floating point type', data);
    const v = data.values as Float32Array | Float64Array;
    let { min, max, sawNaN, sawNumber } = this;
    for (let i = 0; i < data.length; i++) {
      if (mask !== null && !mask[i]) continue;
      const x = v[i]!;
      if (x !== x) {
        sawNaN = true;
        continue;
      }
      if (!sawNumber || x < min) min = x;
      if (!sawNumber || x > max) max = x;
      sawNumber = true;
    }
    Object.assign(this, { min, max, sawNaN, sawNumber });
  }

  minJson(): string | undefined {
    if (this.sawNumber) return formatStatsFloating(this.min, this.float32);
    return this.sawNaN ? formatStatsFloating(NaN, this.float32) : undefined;
  }

  maxJson(): string | undefined {
    if (this.sawNaN) return formatStatsFloating(NaN, this.float32);
    return this.sawNumber ? formatStatsFloating(this.max, this.float32) : undefined;
  }
}

class DateBounds implements Bounds {
  readonly ints = new IntegerBounds();

  update(data: Data, mask: Mask, column: string): void {
    if (data.typeId !== Type.Date) throw mismatch(column, 'date', data);
    const r = scanMinMax(data.values as ArrayLike<number | bigint>, mask, data.length);
    if (!r) return;
    if ((data.type as unknown as { unit: DateUnit }).unit === DateUnit.MILLISECOND) {
      this.ints.merge(Number(floorDiv(BigInt(r[0]), 86_400_000n)), Number(floorDiv(BigInt(r[1]), 86_400_000n)));
    } else {
      this.ints.merge(r[0], r[1]);
    }
  }

  minJson(): string | undefined {
    return this.ints.min === undefined ? undefined : '"' + formatDate(Number(this.ints.min)) + '"';
  }

  maxJson(): string | undefined {
    return this.ints.max === undefined ? undefined : '"' + formatDate(Number(this.ints.max)) + '"';
  }
}

const MICROS_PER_UNIT: Record<number, { mul: bigint; div: bigint }> = {
  [TimeUnit.SECOND]: { mul: 1_000_000n, div: 1n },
  [TimeUnit.MILLISECOND]: { mul: 1000n, div: 1n },
  [TimeUnit.MICROSECOND]: { mul: 1n, div: 1n },
  [TimeUnit.NANOSECOND]: { mul: 1n, div: 1000n },
};

class TimestampBounds implements Bounds {
  min: bigint | undefined;
  max: bigint | undefined;

  constructor(private readonly utc: boolean) {}

  update(data: Data, mask: Mask, column: string): void {
    if (data.typeId !== Type.Timestamp) throw mismatch(column, 'timestamp', data);
    const r = scanMinMax(data.values as BigInt64Array, mask, data.length);
    if (!r) return;
    const { mul, div } = MICROS_PER_UNIT[(data.type as Timestamp).unit]!;
    const lo = floorDiv(r[0] * mul, div);
    const hi = floorDiv(r[1] * mul, div);
    if (this.min === undefined || lo < this.min) this.min = lo;
    if (this.max === undefined || hi > this.max) this.max = hi;
  }

  minJson(): string | undefined {
    return this.min === undefined ? undefined : '"' + formatTimestampMicros(this.min, this.utc) + '"';
  }

  maxJson(): string | undefined {
    return this.max === undefined ? undefined : '"' + formatTimestampMicros(this.max, this.utc) + '"';
  }
}

/** Decimals compare as two's complement integers of 4 (128-bit) or 8 (256-bit) little-endian words. */
class DecimalBounds implements Bounds {
  min: Uint32Array | undefined;
  max: Uint32Array | undefined;
  scale = 0;

  update(data: Data, mask: Mask, column: string): void {
    if (forDictionary(data, mask, (d, m) => this.update(d, m, column))) return;
    if (data.typeId !== Type.Decimal) throw mismatch(column, 'decimal', data);
    const type = data.type as ArrowDecimal;
    this.scale = type.scale;
    const w = type.bitWidth / 32;
    const v = data.values as Uint32Array;
    let lo = -1;
    let hi = -1;
    for (let i = 0; i < data.length; i++) {
      if (mask !== null && !mask[i]) continue;
      if (lo < 0) {
        lo = hi = i;
        continue;
      }
      if (compareWords(v, i * w, v, lo * w, w) < 0) lo = i;
      else if (compareWords(v, i * w, v, hi * w, w) > 0) hi = i;
    }
    if (lo < 0) return;
    if (this.min === undefined || compareWords(v, lo * w, this.min, 0, w) < 0) this.min = v.slice(lo * w, lo * w + w);
    if (this.max === undefined || compareWords(v, hi * w, this.max, 0, w) > 0) this.max = v.slice(hi * w, hi * w + w);
  }

  minJson(): string | undefined {
    return this.min === undefined ? undefined : formatJavaBigDecimal(wordsToBigInt(this.min), this.scale);
  }

  maxJson(): string | undefined {
    return this.max === undefined ? undefined : formatJavaBigDecimal(wordsToBigInt(this.max), this.scale);
  }
}

function compareWords(a: Uint32Array, ai: number, b: Uint32Array, bi: number, w: number): number {
  const top = (a[ai + w - 1]! | 0) - (b[bi + w - 1]! | 0);
  if (top !== 0) return top;
  for (let k = w - 2; k >= 0; k--) {
    const d = a[ai + k]! - b[bi + k]!;
    if (d !== 0) return d;
  }
  return 0;
}

function wordsToBigInt(words: Uint32Array): bigint {
  let x = 0n;
  for (let k = words.length - 1; k >= 0; k--) x = (x << 32n) | BigInt(words[k]!);
  const bits = BigInt(words.length * 32);
  return words[words.length - 1]! & 0x80000000 ? x - (1n << bits) : x;
}

/** Strings compare by UTF-8 bytes (Spark's binary string order); bounds are truncated at the end. */
class StringBounds implements Bounds {
  min: Uint8Array | undefined;
  max: Uint8Array | undefined;

  constructor(private readonly prefixLength: number) {}

  update(data: Data, mask: Mask, column: string): void {
    if (forDictionary(data, mask, (d, m) => this.update(d, m, column))) return;
    if (data.typeId !== Type.Utf8 && data.typeId !== Type.LargeUtf8) throw mismatch(column, 'string', data);
    const offsets = data.valueOffsets as Int32Array | BigInt64Array;
    const bytes = data.values as Uint8Array;
    const large = data.typeId === Type.LargeUtf8;
    const at = (k: number): number => (large ? Number(offsets[k]) : (offsets[k] as number));
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let lo = -1;
    let hi = -1;
    for (let i = 0; i < data.length; i++) {
      if (mask !== null && !mask[i]) continue;
      if (lo < 0) {
        lo = hi = i;
        continue;
      }
      const s = at(i);
      const e = at(i + 1);
      if (compareWithin(bytes, view, s, e, at(lo), at(lo + 1)) < 0) lo = i;
      else if (compareWithin(bytes, view, s, e, at(hi), at(hi + 1)) > 0) hi = i;
    }
    if (lo < 0) return;
    const [ls, le, hs, he] = [at(lo), at(lo + 1), at(hi), at(hi + 1)];
    if (this.min === undefined || compareBytes(bytes, ls, le, this.min, 0, this.min.length) < 0) this.min = bytes.slice(ls, le);
    if (this.max === undefined || compareBytes(bytes, hs, he, this.max, 0, this.max.length) > 0) this.max = bytes.slice(hs, he);
  }

  minJson(): string | undefined {
    return this.min === undefined ? undefined : jsonString(truncateMinString(decoder.decode(this.min), this.prefixLength));
  }

  maxJson(): string | undefined {
    if (this.max === undefined) return undefined;
    const t = truncateMaxString(decoder.decode(this.max), this.prefixLength);
    return t === undefined ? undefined : jsonString(t);
  }
}

const decoder = new TextDecoder();

/**
 * Byte order of two values in the same buffer, four bytes at a time: a big-endian 32-bit word
 * compares exactly like its bytes, and string columns often share long prefixes.
 */
function compareWithin(bytes: Uint8Array, view: DataView, as: number, ae: number, bs: number, be: number): number {
  const n = Math.min(ae - as, be - bs);
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    const x = view.getUint32(as + k);
    const y = view.getUint32(bs + k);
    if (x !== y) return x < y ? -1 : 1;
  }
  for (; k < n; k++) {
    const d = bytes[as + k]! - bytes[bs + k]!;
    if (d !== 0) return d;
  }
  return ae - as - (be - bs);
}

function compareBytes(a: Uint8Array, as: number, ae: number, b: Uint8Array, bs: number, be: number): number {
  const n = Math.min(ae - as, be - bs);
  for (let k = 0; k < n; k++) {
    const d = a[as + k]! - b[bs + k]!;
    if (d !== 0) return d;
  }
  return ae - as - (be - bs);
}
