import { DateUnit, makeVector, TimeUnit, Type } from 'apache-arrow';
import type { Data, Decimal, Struct, Timestamp, Int as ArrowInt, Date_ } from 'apache-arrow';
import { ActionFieldError } from './parse-actions.js';

/**
 * Columnar readers over Arrow `Data` for checkpoint decoding. Each getter is built once per column
 * and called per row; none allocates row proxies. Conventions of Arrow JS relied on: `values` and
 * `valueOffsets` of a sliced Data are already sliced (index from 0), while validity bitmaps and
 * boolean values are indexed with `data.offset + i`.
 *
 * Getters return `undefined` for null.
 */
export type Getter<T> = (i: number) => T | undefined;

/** True when row `i` of `data` is not null. */
export function validity(data: Data): (i: number) => boolean {
  if (data.typeId === Type.Null) return () => false;
  const bitmap = data.nullBitmap;
  if (!bitmap || bitmap.length === 0 || data.nullCount === 0) return () => true;
  const off = data.offset;
  return (i) => {
    const j = off + i;
    return (bitmap[j >> 3]! & (1 << (j & 7))) !== 0;
  };
}

/** The rows of `data` that are not null, in order; a mostly-null column costs one check per 8 rows. */
export function validRows(data: Data): Int32Array {
  const n = data.length;
  if (data.typeId === Type.Null) return new Int32Array(0);
  const bitmap = data.nullBitmap;
  const out = new Int32Array(n - data.nullCount);
  if (!bitmap || bitmap.length === 0 || data.nullCount === 0) {
    for (let i = 0; i < n; i++) out[i] = i;
    return out;
  }
  const off = data.offset;
  let k = 0;
  for (let i = 0; i < n; ) {
    const j = off + i;
    if ((j & 7) === 0 && i + 8 <= n && bitmap[j >> 3] === 0) {
      i += 8;
      continue;
    }
    if ((bitmap[j >> 3]! & (1 << (j & 7))) !== 0) out[k++] = i;
    i++;
  }
  return out;
}

/** The child of a struct column by name, or undefined when the file lacks it. */
export function child(data: Data | undefined, name: string): Data | undefined {
  if (data === undefined || data.typeId !== Type.Struct) return undefined;
  const idx = (data.type as Struct).children.findIndex((f) => f.name === name);
  return idx < 0 ? undefined : data.children[idx];
}

const none = () => undefined;

/** Strings (Utf8, LargeUtf8, or anything else through Arrow's generic accessor). */
export function strings(data: Data | undefined): Getter<string> {
  if (data === undefined) return none;
  const valid = validity(data);
  if (data.typeId === Type.Utf8 || data.typeId === Type.LargeUtf8) {
    const offsets = data.valueOffsets as Int32Array | BigInt64Array;
    const bytes = data.values as Uint8Array;
    const big = offsets instanceof BigInt64Array;
    const start = big ? Number(offsets[0] ?? 0n) : ((offsets as Int32Array)[0] ?? 0);
    const end = big ? Number(offsets[data.length] ?? 0n) : ((offsets as Int32Array)[data.length] ?? 0);
    // Whole-buffer decode: when every byte is ASCII (valid UTF-8 decoding to as many characters
    // as bytes), byte offsets are character offsets and each value is a cheap slice of one string.
    if (!big) {
      const all = decodeAll(bytes.subarray(start, end));
      if (all !== undefined && all.length === end - start) {
        const o = offsets as Int32Array;
        return (i) => (valid(i) ? all.slice(o[i]! - start, o[i + 1]! - start) : undefined);
      }
    }
    return (i) => (valid(i) ? utf8.decode(bytes.subarray(Number(offsets[i]!), Number(offsets[i + 1]!))) : undefined);
  }
  if (data.typeId === Type.Dictionary && data.dictionary !== undefined && data.dictionary.data.length === 1) {
    // Each dictionary entry is decoded once and shared by the rows that use it.
    const dict = data.dictionary.data[0]!;
    const entry = strings(dict);
    const decoded = Array.from({ length: dict.length }, (_, k) => entry(k));
    const indexes = data.values as ArrayLike<number>;
    return (i) => (valid(i) ? decoded[Number(indexes[i])] : undefined);
  }
  const vec = makeVector(data);
  return (i) => {
    const v: unknown = valid(i) ? vec.get(i) : null;
    return v == null ? undefined : String(v);
  };
}

const utf8 = new TextDecoder('utf-8');
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The bytes as one string, or undefined when they are not valid UTF-8. */
function decodeAll(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Integers as JS numbers; a 64-bit value beyond 2^53 throws a precision-loss field error. */
export function safeInts(data: Data | undefined, field: string): Getter<number> {
  if (data === undefined) return none;
  const valid = validity(data);
  const values = data.values as ArrayLike<number | bigint>;
  if (data.typeId === Type.Int || data.typeId === Type.Float) {
    if ((values instanceof BigInt64Array || values instanceof BigUint64Array) && LITTLE_ENDIAN) {
      // From the two 32-bit halves, without a BigInt per value: exact whenever the high word
      // fits 21 bits (|v| < 2^53); anything else goes through BigInt and the precision check.
      const w = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
      const signed = values instanceof BigInt64Array;
      return (i) => {
        if (!valid(i)) return undefined;
        const hi = w[2 * i + 1]!;
        const lo = w[2 * i]! >>> 0;
        if (hi >= 0 && hi < 0x200000) return hi * 0x1_0000_0000 + lo;
        if (signed && hi < 0 && hi >= -0x200000) {
          const n = hi * 0x1_0000_0000 + lo;
          if (Number.isSafeInteger(n)) return n;
        }
        const n = Number(values[i]!);
        if (!Number.isSafeInteger(n)) throw new ActionFieldError(`field ${field} = ${values[i]!} is beyond 2^53 - 1 and cannot be represented exactly`, true);
        return n;
      };
    }
    if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
      return (i) => {
        if (!valid(i)) return undefined;
        const n = Number(values[i]!);
        if (!Number.isSafeInteger(n)) throw new ActionFieldError(`field ${field} = ${values[i]!} is beyond 2^53 - 1 and cannot be represented exactly`, true);
        return n;
      };
    }
    return (i) => (valid(i) ? (values[i] as number) : undefined);
  }
  const plain = plainValues(data, 'number-if-safe');
  return (i) => {
    const v = plain(i);
    return typeof v === 'number' ? v : undefined;
  };
}

export function booleans(data: Data | undefined): Getter<boolean> {
  if (data === undefined) return none;
  const valid = validity(data);
  if (data.typeId !== Type.Bool) return none;
  const bits = data.values as Uint8Array;
  const off = data.offset;
  return (i) => {
    if (!valid(i)) return undefined;
    const j = off + i;
    return (bits[j >> 3]! & (1 << (j & 7))) !== 0;
  };
}

/** A `map<string,string>` column as plain objects (null values kept as null). */
export function stringMaps(data: Data | undefined): Getter<Record<string, string | null>> {
  if (data === undefined) return none;
  if (data.typeId !== Type.Map) {
    const plain = plainValues(data, 'number-if-safe');
    return (i) => plain(i) as Record<string, string | null> | undefined;
  }
  const valid = validity(data);
  const offsets = data.valueOffsets as Int32Array;
  const entries = data.children[0]!;
  const keys = strings(entries.children[0]);
  const vals = strings(entries.children[1]);
  return (i) => {
    if (!valid(i)) return undefined;
    const out: Record<string, string | null> = {};
    for (let k = offsets[i]!; k < offsets[i + 1]!; k++) {
      const key = keys(k);
      if (key !== undefined) out[key] = vals(k) ?? null;
    }
    return out;
  };
}

/**
 * {@link stringMaps} for columns with few distinct maps over many rows (a checkpoint's partition
 * values): when keys and values are dictionary-encoded, rows with the same entries share one
 * frozen object, sparing an object per row. Otherwise the same as {@link stringMaps}.
 */
export function sharedStringMaps(data: Data | undefined): Getter<Readonly<Record<string, string | null>>> {
  if (data === undefined || data.typeId !== Type.Map) return stringMaps(data);
  const entries = data.children[0]!;
  const keyData = entries.children[0];
  const valueData = entries.children[1];
  if (keyData?.typeId !== Type.Dictionary || valueData?.typeId !== Type.Dictionary) return stringMaps(data);
  const fresh = stringMaps(data);
  const valid = validity(data);
  const offsets = data.valueOffsets as Int32Array;
  const keyIndexes = keyData.values as Int32Array;
  const valueIndexes = valueData.values as Int32Array;
  const keyValid = validity(keyData);
  const valueValid = validity(valueData);
  const nullValue = valueData.dictionary!.length;
  // One-entry maps (a table partitioned by one column) are found by number in an array when the
  // dictionaries are small, anything else by a text key.
  const single = keyData.dictionary!.length * (nullValue + 1) <= 1 << 16 ? new Array<Readonly<Record<string, string | null>> | undefined>(keyData.dictionary!.length * (nullValue + 1)) : undefined;
  const cache = new Map<number | string, Readonly<Record<string, string | null>>>();
  return (i) => {
    if (!valid(i)) return undefined;
    const start = offsets[i]!;
    const end = offsets[i + 1]!;
    if (end - start === 1 && single !== undefined && keyValid(start)) {
      const id = keyIndexes[start]! * (nullValue + 1) + (valueValid(start) ? valueIndexes[start]! : nullValue);
      return (single[id] ??= Object.freeze(fresh(i)!));
    }
    let id = '';
    for (let k = start; k < end; k++) id += `${keyValid(k) ? keyIndexes[k] : -1}:${valueValid(k) ? valueIndexes[k] : -1},`;
    let m = cache.get(id);
    if (m === undefined) cache.set(id, (m = Object.freeze(fresh(i)!)));
    return m;
  };
}

type LongMode = 'bigint' | 'number-if-safe';

/**
 * Any column as plain JS values: structs as objects, lists as arrays, maps as objects with string
 * keys, 64-bit integers as bigint (or as numbers when safe in `number-if-safe` mode), dates as
 * days since the epoch, timestamps as bigint microseconds, decimals as exact decimal strings,
 * binary as Uint8Array.
 */
export function plainValues(data: Data | undefined, longs: LongMode): Getter<unknown> {
  if (data === undefined) return none;
  const valid = validity(data);
  const wrap = (f: (i: number) => unknown): Getter<unknown> => (i) => (valid(i) ? f(i) : undefined);
  const values = data.values as ArrayLike<unknown>;
  switch (data.typeId) {
    case Type.Null:
      return none;
    case Type.Int: {
      if ((data.type as ArrowInt).bitWidth < 64) return wrap((i) => values[i]);
      const v64 = values as BigInt64Array;
      return wrap((i) => (longs === 'bigint' || !Number.isSafeInteger(Number(v64[i]!)) ? v64[i]! : Number(v64[i]!)));
    }
    case Type.Float:
      return wrap((i) => Number(values[i]));
    case Type.Bool:
      return booleans(data);
    case Type.Utf8:
    case Type.LargeUtf8:
      return strings(data);
    case Type.Date:
      if ((data.type as Date_).unit === DateUnit.DAY) return wrap((i) => values[i]);
      return wrap((i) => Math.floor(Number(values[i]) / 86_400_000));
    case Type.Timestamp:
      return timestampMicros(data, valid);
    case Type.Decimal:
      return decimals(data, valid);
    case Type.Struct:
      return structs(data, valid, longs);
    case Type.List:
    case Type.LargeList: {
      const offsets = data.valueOffsets as ArrayLike<number | bigint>;
      const items = plainValues(data.children[0], longs);
      return wrap((i) => {
        const out: unknown[] = [];
        for (let k = Number(offsets[i]); k < Number(offsets[i + 1]); k++) out.push(items(k) ?? null);
        return out;
      });
    }
    case Type.Map:
      return stringMaps(data);
    case Type.Dictionary:
      if (data.dictionary?.type.typeId === Type.Utf8) return strings(data);
      return wrap(((vec) => (i: number) => vec.get(i) ?? undefined)(makeVector(data)));
    default: {
      const vec = makeVector(data);
      return wrap((i) => vec.get(i) ?? undefined);
    }
  }
}

function structs(data: Data, valid: (i: number) => boolean, longs: LongMode): Getter<unknown> {
  const fields = (data.type as Struct).children.map((f, k) => ({ name: f.name, get: plainValues(data.children[k], longs) }));
  return (i) => {
    if (!valid(i)) return undefined;
    const out: Record<string, unknown> = {};
    for (const f of fields) {
      const v = f.get(i);
      if (v !== undefined) out[f.name] = v;
    }
    return out;
  };
}

const UNIT_TO_MICROS: Record<number, [bigint, bigint]> = {
  [TimeUnit.SECOND]: [1_000_000n, 1n],
  [TimeUnit.MILLISECOND]: [1000n, 1n],
  [TimeUnit.MICROSECOND]: [1n, 1n],
  [TimeUnit.NANOSECOND]: [1n, 1000n],
};

function timestampMicros(data: Data, valid: (i: number) => boolean): Getter<unknown> {
  const [mul, div] = UNIT_TO_MICROS[(data.type as Timestamp).unit] ?? [1n, 1n];
  const values = data.values as unknown as ArrayLike<bigint | number>;
  return (i) => {
    if (!valid(i)) return undefined;
    const v = BigInt(values[i]!) * mul;
    return div === 1n ? v : floorDiv(v, div);
  };
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

function decimals(data: Data, valid: (i: number) => boolean): Getter<unknown> {
  const type = data.type as Decimal;
  const words = data.values as unknown as Uint32Array;
  const stride = type.bitWidth / 32;
  const bits = BigInt(type.bitWidth);
  return (i) => {
    if (!valid(i)) return undefined;
    let v = 0n;
    for (let k = stride - 1; k >= 0; k--) v = (v << 32n) | BigInt(words[i * stride + k]!);
    if (v >> (bits - 1n) === 1n) v -= 1n << bits;
    return decimalText(v, type.scale);
  };
}

/** The exact decimal text of `unscaled * 10^-scale`. */
export function decimalText(unscaled: bigint, scale: number): string {
  if (scale <= 0) return (unscaled * 10n ** BigInt(-scale)).toString();
  const neg = unscaled < 0n;
  const digits = (neg ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  return `${neg ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}
