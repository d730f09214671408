import { Type, type Data, type RecordBatch } from 'apache-arrow';
import { DeltaError } from '../errors.js';
import { compareDecimals, compareScalars, parseDecimal, type DecimalValue, type Scalar } from './scalar.js';

/**
 * Read access to one Arrow column in the representation predicates compare in, built once per
 * batch so row loops index plain typed arrays (never `Vector.get`):
 * - `number`: ints up to 32 bits, floats, Date32 days;
 * - `bigint`: Int64, and timestamps converted to µs;
 * - `decimal`: 128-bit little-endian words with the column's scale;
 * - `bool`, `bytes` (Utf8/Binary, also the Large variants), `null`;
 * - `dictionary`: a view of the dictionary plus per-row indices.
 * Invariant: `valid` is null when every row is valid, else 1 per valid row, with the validity of
 * enclosing structs folded in.
 */
export type ColumnView =
  | { readonly kind: 'number'; readonly length: number; readonly valid: Uint8Array | null; readonly values: ArrayLike<number> }
  | { readonly kind: 'bigint'; readonly length: number; readonly valid: Uint8Array | null; readonly values: BigInt64Array | BigUint64Array }
  | { readonly kind: 'decimal'; readonly length: number; readonly valid: Uint8Array | null; readonly lo: BigUint64Array; readonly hi: BigInt64Array; readonly scale: number }
  | { readonly kind: 'bool'; readonly length: number; readonly valid: Uint8Array | null; readonly bits: Uint8Array; readonly offset: number }
  | { readonly kind: 'bytes'; readonly length: number; readonly valid: Uint8Array | null; readonly offsets: Int32Array | BigInt64Array; readonly data: Uint8Array; readonly utf8: boolean }
  | { readonly kind: 'null'; readonly length: number; readonly valid: Uint8Array }
  /** Nested and other types: only validity is readable (enough for IS NULL). */
  | { readonly kind: 'opaque'; readonly length: number; readonly valid: Uint8Array | null; readonly typeName: string }
  | { readonly kind: 'dictionary'; readonly length: number; readonly valid: Uint8Array | null; readonly indices: ArrayLike<number> | BigInt64Array; readonly dictionary: ColumnView };

/** Per-row validity of `d` (1 = valid), or null when no row is null. */
export function validityOf(d: Data): Uint8Array | null {
  if (d.typeId === Type.Null) return new Uint8Array(d.length);
  if (d.nullCount === 0 || !d.nullBitmap || d.nullBitmap.length === 0) return null;
  const out = new Uint8Array(d.length);
  const bm = d.nullBitmap;
  const off = d.offset;
  for (let i = 0; i < d.length; i++) {
    const j = off + i;
    out[i] = (bm[j >> 3]! >> (j & 7)) & 1;
  }
  return out;
}

function andValidity(a: Uint8Array | null, b: Uint8Array | null): Uint8Array | null {
  if (!a) return b;
  if (!b) return a;
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! & b[i]!;
  return out;
}

/** Finds a child by exact name, else case-insensitively. */
function childIndex(names: readonly string[], name: string): number {
  const exact = names.indexOf(name);
  if (exact >= 0) return exact;
  const lower = name.toLowerCase();
  return names.findIndex((n) => n.toLowerCase() === lower);
}

/**
 * The view of the column at `path` in `batch`; a column the batch lacks reads as all null
 * (files written before a column was added do not contain it).
 */
export function columnView(batch: RecordBatch, path: readonly string[]): ColumnView {
  let data: Data = batch.data;
  let parentValid: Uint8Array | null = null;
  for (let k = 0; k < path.length; k++) {
    const fields: readonly { name: string }[] = k === 0 ? batch.schema.fields : (data.type.children as { name: string }[]);
    const idx = data.typeId === Type.Struct ? childIndex(fields.map((f) => f.name), path[k]!) : -1;
    if (idx < 0) return { kind: 'null', length: batch.numRows, valid: new Uint8Array(batch.numRows) };
    if (k > 0) parentValid = andValidity(parentValid, validityOf(data));
    data = data.children[idx]!;
  }
  return viewOf(data, parentValid);
}

/** The view of one Data; `parentValid` is validity inherited from enclosing structs. */
export function viewOf(d: Data, parentValid: Uint8Array | null = null): ColumnView {
  const valid = andValidity(parentValid, validityOf(d));
  const length = d.length;
  const t = d.type as { bitWidth?: number; unit?: number; scale?: number };
  switch (d.typeId) {
    case Type.Null:
      return { kind: 'null', length, valid: new Uint8Array(length) };
    case Type.Int:
      if (t.bitWidth === 64) return { kind: 'bigint', length, valid, values: d.values as BigInt64Array };
      return { kind: 'number', length, valid, values: d.values as Int32Array };
    case Type.Float:
      return { kind: 'number', length, valid, values: d.values as Float64Array };
    case Type.Date:
      if (d.values instanceof Int32Array) return { kind: 'number', length, valid, values: d.values };
      return { kind: 'number', length, valid, values: Int32Array.from(d.values as BigInt64Array, (ms) => Number(floorDiv(ms, 86_400_000n))) };
    case Type.Timestamp:
      return { kind: 'bigint', length, valid, values: toMicros(d.values as BigInt64Array, t.unit ?? 2) };
    case Type.Decimal: {
      if ((t.bitWidth ?? 128) !== 128) break;
      const words = d.values as Uint32Array;
      const aligned = words.byteOffset % 8 === 0 ? words : words.slice();
      const pairs = aligned.length / 2;
      const u = new BigUint64Array(aligned.buffer, aligned.byteOffset, pairs);
      const s = new BigInt64Array(aligned.buffer, aligned.byteOffset, pairs);
      return { kind: 'decimal', length, valid, lo: u, hi: s, scale: t.scale ?? 0 };
    }
    case Type.Bool:
      return { kind: 'bool', length, valid, bits: d.values as Uint8Array, offset: d.offset };
    case Type.Utf8:
    case Type.Binary:
    case Type.LargeUtf8:
    case Type.LargeBinary:
      return {
        kind: 'bytes',
        length,
        valid,
        offsets: d.valueOffsets as Int32Array | BigInt64Array,
        data: d.values as Uint8Array,
        utf8: d.typeId === Type.Utf8 || d.typeId === Type.LargeUtf8,
      };
    case Type.Dictionary: {
      const dict = d.dictionary;
      if (!dict || dict.data.length !== 1) break;
      return { kind: 'dictionary', length, valid, indices: d.values as Int32Array, dictionary: viewOf(dict.data[0]!) };
    }
  }
  return { kind: 'opaque', length, valid, typeName: String(d.type) };
}

const floorDiv = (a: bigint, b: bigint): bigint => (a >= 0n ? a / b : -((-a + b - 1n) / b));

/** Timestamp values in µs whatever the stored unit (0 s, 1 ms, 2 µs, 3 ns; ns rounds toward -∞). */
function toMicros(values: BigInt64Array, unit: number): BigInt64Array {
  if (unit === 2) return values;
  const out = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    out[i] = unit === 0 ? v * 1_000_000n : unit === 1 ? v * 1000n : floorDiv(v, 1000n);
  }
  return out;
}

const TWO_64 = 1n << 64n;

/** The 128-bit decimal at row `i` as an unscaled bigint. */
export function decimalAt(lo: BigUint64Array, hi: BigInt64Array, i: number): bigint {
  const h = hi[2 * i + 1]!;
  const l = lo[2 * i]!;
  if (h === 0n) return l;
  if (h === -1n) return l - TWO_64;
  return (h << 64n) + l;
}

/** The value at row `i` (validity not checked) as a comparable scalar; strings come back as bytes. */
export function scalarAt(v: ColumnView, i: number): Exclude<Scalar, null> {
  switch (v.kind) {
    case 'number':
      return v.values[i]!;
    case 'bigint':
      return v.values[i]!;
    case 'decimal':
      return { unscaled: decimalAt(v.lo, v.hi, i), scale: v.scale };
    case 'bool': {
      const j = v.offset + i;
      return ((v.bits[j >> 3]! >> (j & 7)) & 1) === 1;
    }
    case 'bytes': {
      const start = Number(v.offsets[i]!);
      const end = Number(v.offsets[i + 1]!);
      return v.data.subarray(start, end);
    }
    case 'null':
      throw new TypeError('null column has no values');
    case 'opaque':
      throw new DeltaError('UNSUPPORTED_OPERATION', `Values of Arrow type ${v.typeName} cannot be compared; only IS NULL applies to them.`);
    case 'dictionary':
      return scalarAt(v.dictionary, Number(v.indices[i]!));
  }
}

const encoder = new TextEncoder();

/** Compares scalars across representations that mean the same domain (int vs long, decimal vs number, string vs bytes). */
export function compareMixed(a: Exclude<Scalar, null>, b: Exclude<Scalar, null>): number {
  if (typeof a === typeof b && !(typeof a === 'object')) return compareScalars(a, b);
  if (typeof a === 'string') return compareMixed(encoder.encode(a), b);
  if (typeof b === 'string') return compareMixed(a, encoder.encode(b));
  if (a instanceof Uint8Array && b instanceof Uint8Array) return compareScalars(a, b);
  if (typeof a === 'number' && typeof b === 'bigint') return -compareMixed(b, a);
  if (typeof a === 'bigint' && typeof b === 'number') {
    if (Number.isInteger(b)) return compareScalars(a, BigInt(b));
    if (Number.isNaN(b)) return -1;
    return Number(a) < b ? -1 : 1;
  }
  const da = toDecimal(a);
  const db = toDecimal(b);
  if (da && db) return compareDecimals(da, db);
  if (typeof a === 'number' || typeof b === 'number') return compareScalars(toNumber(a), toNumber(b));
  return compareScalars(a, b);
}

function toDecimal(v: Exclude<Scalar, null>): DecimalValue | undefined {
  if (typeof v === 'bigint') return { unscaled: v, scale: 0 };
  if (typeof v === 'number') return Number.isFinite(v) ? parseDecimal(String(v)) : undefined;
  if (typeof v === 'object' && 'unscaled' in v) return v;
  return undefined;
}

function toNumber(v: Exclude<Scalar, null>): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'object' && 'unscaled' in v) return Number(v.unscaled) / 10 ** v.scale;
  return NaN;
}
