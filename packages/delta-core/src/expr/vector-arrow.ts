/**
 * Conversions between Arrow data and {@link Vec} stores: lazily reading any layout
 * `conformBatch` produces (dictionaries, large offsets, timestamp units, sliced data) and writing
 * a Vec back in the canonical Arrow shape of its Delta type.
 */
import { Data, Type, makeData, type DataType as ArrowType } from 'apache-arrow';
import { DeltaError } from '../errors.js';
import { deltaTypeToArrow } from '../schema/arrow.js';
import type { DataType } from '../schema/types.js';
import { decimalAt, validityOf, viewOf } from './column-view.js';
import { gatherVec } from './vector-ops.js';
import { Vec, constantStore, storeKindOf, triToBool, type Store } from './vector.js';

// ---- Arrow → store -----------------------------------------------------------------------------

const utf8 = new TextDecoder();
const latin1 = new TextDecoder('latin1');

/** The store of `type` holding the values of Arrow data `d`. */
export function arrowStore(d: Data, type: DataType): Store {
  const kind = storeKindOf(type);
  if (d.typeId === Type.Dictionary) return arrowStore(decodeDictionary(d), type);
  if (d.typeId === Type.Null) return constantStore(type, null, d.length);
  switch (kind) {
    case 'i32':
    case 'f64':
    case 'i64':
    case 'dec':
    case 'bool':
      return primitiveStore(d, kind, type);
    case 'str':
      return { kind: 'str', values: decodeStrings(d) };
    case 'bin':
      return { kind: 'bin', values: sliceBinary(d) };
    case 'struct': {
      const fields = type.kind === 'struct' ? type.fields.map((f) => f.type) : [{ kind: 'primitive', name: 'binary' } as DataType, { kind: 'primitive', name: 'binary' } as DataType];
      return { kind: 'struct', length: d.length, children: d.children.map((c, k) => Vec.fromArrow(c, fields[k]!)) };
    }
    case 'list': {
      const element = (type as Extract<DataType, { kind: 'array' }>).elementType;
      return { kind: 'list', offsets: offsets32(d), child: Vec.fromArrow(d.children[0]!, element) };
    }
    case 'map': {
      const t = type as Extract<DataType, { kind: 'map' }>;
      const entries = d.children[0]!;
      return { kind: 'map', offsets: offsets32(d), keys: Vec.fromArrow(entries.children[0]!, t.keyType), values: Vec.fromArrow(entries.children[1]!, t.valueType) };
    }
    case 'null':
      return { kind: 'null', length: d.length };
    case 'tri':
      break;
  }
  throw new DeltaError('INTERNAL', `No store for type ${JSON.stringify(type)}.`);
}

function primitiveStore(d: Data, kind: 'i32' | 'f64' | 'i64' | 'dec' | 'bool', type: DataType): Store {
  const view = viewOf(d);
  switch (kind) {
    case 'i32': {
      if (view.kind !== 'number') break;
      const vals = view.values;
      return { kind: 'i32', values: vals instanceof Int32Array ? vals : Int32Array.from(vals as ArrayLike<number>) };
    }
    case 'f64': {
      if (view.kind === 'number') return { kind: 'f64', values: view.values instanceof Float64Array ? view.values : Float64Array.from(view.values) };
      if (view.kind === 'bigint') return { kind: 'f64', values: Float64Array.from(view.values, Number) };
      break;
    }
    case 'i64': {
      if (view.kind === 'bigint') return { kind: 'i64', values: view.values instanceof BigInt64Array ? view.values : BigInt64Array.from(view.values) };
      if (view.kind === 'number') return { kind: 'i64', values: BigInt64Array.from(view.values as ArrayLike<number>, (x) => BigInt(x)) };
      break;
    }
    case 'dec': {
      if (view.kind !== 'decimal') break;
      const scale = type.kind === 'decimal' ? type.scale : view.scale;
      const factor = 10n ** BigInt(Math.max(0, scale - view.scale));
      const out = new Array<bigint>(d.length);
      for (let i = 0; i < out.length; i++) out[i] = decimalAt(view.lo, view.hi, i) * factor;
      return { kind: 'dec', values: out };
    }
    case 'bool': {
      if (view.kind !== 'bool') break;
      const out = new Uint8Array(d.length);
      const bits = view.bits;
      for (let i = 0; i < out.length; i++) {
        const j = view.offset + i;
        out[i] = (bits[j >> 3]! >> (j & 7)) & 1;
      }
      return { kind: 'bool', values: out };
    }
  }
  throw new DeltaError('INTERNAL', `Arrow data of type ${String(d.type)} cannot hold ${JSON.stringify(type)} values.`);
}

function offsets32(d: Data): Int32Array {
  const o = d.valueOffsets as Int32Array | BigInt64Array;
  return o instanceof Int32Array ? o : Int32Array.from(o, Number);
}

function decodeStrings(d: Data): string[] {
  const offsets = d.valueOffsets as Int32Array | BigInt64Array;
  const bytes = (d.values as Uint8Array | undefined) ?? new Uint8Array(0);
  const n = d.length;
  const out = new Array<string>(n);
  const small = offsets instanceof Int32Array;
  const base = small ? offsets[0]! : Number(offsets[0]!);
  const end = small ? offsets[n]! : Number(offsets[n]!);
  let ascii = true;
  for (let j = base; j < end; j++) {
    if (bytes[j]! >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) {
    // One decode of the whole buffer, then substrings: far faster than one decode per row.
    const all = latin1.decode(bytes.subarray(base, end));
    for (let i = 0; i < n; i++) {
      const s = (small ? offsets[i]! : Number(offsets[i]!)) - base;
      const e = (small ? offsets[i + 1]! : Number(offsets[i + 1]!)) - base;
      out[i] = all.substring(s, e);
    }
    return out;
  }
  for (let i = 0; i < n; i++) {
    const s = small ? offsets[i]! : Number(offsets[i]!);
    const e = small ? offsets[i + 1]! : Number(offsets[i + 1]!);
    out[i] = utf8.decode(bytes.subarray(s, e));
  }
  return out;
}

function sliceBinary(d: Data): Uint8Array[] {
  if (d.typeId === Type.FixedSizeBinary) {
    const w = (d.type as unknown as { byteWidth: number }).byteWidth;
    const bytes = d.values as Uint8Array;
    return Array.from({ length: d.length }, (_, i) => bytes.subarray(i * w, (i + 1) * w));
  }
  const offsets = d.valueOffsets as Int32Array | BigInt64Array;
  const bytes = (d.values as Uint8Array | undefined) ?? new Uint8Array(0);
  const out = new Array<Uint8Array>(d.length);
  for (let i = 0; i < d.length; i++) out[i] = bytes.subarray(Number(offsets[i]!), Number(offsets[i + 1]!));
  return out;
}

function decodeDictionary(d: Data): Data {
  const dict = d.dictionary!.data[0]!;
  const idx = d.values as ArrayLike<number | bigint>;
  const take = new Int32Array(d.length);
  for (let i = 0; i < take.length; i++) take[i] = Number(idx[i]!);
  // Gather the dictionary entries, then re-apply the dictionary column's own validity.
  const values = Vec.fromArrow(dict, arrowTypeToDeltaLoose(dict.type));
  const gathered = gatherVec(values, take);
  return vecToArrow(gathered.withNulls(validityOf(d)));
}

function arrowTypeToDeltaLoose(t: ArrowType): DataType {
  switch (t.typeId) {
    case Type.Utf8:
    case Type.LargeUtf8:
      return { kind: 'primitive', name: 'string' };
    case Type.Binary:
    case Type.LargeBinary:
      return { kind: 'primitive', name: 'binary' };
    case Type.Int:
      return { kind: 'primitive', name: (t as unknown as { bitWidth: number }).bitWidth === 64 ? 'long' : 'integer' };
    case Type.Float:
      return { kind: 'primitive', name: 'double' };
    default:
      throw new DeltaError('UNSUPPORTED_OPERATION', `Dictionary-encoded values of Arrow type ${String(t)} are not supported in expressions. Decode the column first.`);
  }
}

// ---- Vec → Arrow --------------------------------------------------------------------------

const encoder = new TextEncoder();

/**
 * The Arrow data of `v` in the canonical Arrow shape of its Delta type (`deltaTypeToArrow`).
 * Returns the backing Arrow data itself when it already has that shape (zero-copy).
 */
export function vecToArrow(v: Vec, arrowType: ArrowType = deltaTypeToArrow(v.type)): Data {
  if (v.arrow !== undefined && sameLayout(v.arrow.type, arrowType)) return v.arrow.type === arrowType ? v.arrow : v.arrow.clone(arrowType);
  const n = v.length;
  const valid = v.valid();
  const { nullBitmap, nullCount } = bitmapOf(valid, n);
  const base = { type: arrowType, length: n, nullCount, ...(nullBitmap ? { nullBitmap } : {}) };
  const make = makeData as unknown as (props: Record<string, unknown>) => Data;
  const s = v.store();
  switch (s.kind) {
    case 'i32': {
      const T = (arrowType as unknown as { ArrayType: new (x: ArrayLike<number>) => ArrayBufferView }).ArrayType;
      return make({ ...base, data: s.values instanceof T ? s.values : new T(s.values) });
    }
    case 'f64': {
      const T = (arrowType as unknown as { ArrayType: new (x: ArrayLike<number>) => ArrayBufferView }).ArrayType;
      return make({ ...base, data: s.values instanceof T ? s.values : new T(s.values) });
    }
    case 'i64':
      return make({ ...base, data: s.values });
    case 'dec': {
      const words = new Uint32Array(n * 4);
      for (let i = 0; i < n; i++) {
        const x = BigInt.asUintN(128, s.values[i]!);
        words[4 * i] = Number(x & 0xffffffffn);
        words[4 * i + 1] = Number((x >> 32n) & 0xffffffffn);
        words[4 * i + 2] = Number((x >> 64n) & 0xffffffffn);
        words[4 * i + 3] = Number((x >> 96n) & 0xffffffffn);
      }
      return make({ ...base, data: words });
    }
    case 'bool':
    case 'tri': {
      const b = s.kind === 'bool' ? s.values : triToBool(s.codes);
      const bits = new Uint8Array((n + 7) >> 3);
      for (let i = 0; i < n; i++) if (b[i]) bits[i >> 3]! |= 1 << (i & 7);
      return make({ ...base, data: bits });
    }
    case 'str':
      return make({ ...base, ...encodeStrings(s.values, valid) });
    case 'bin': {
      let total = 0;
      for (let i = 0; i < n; i++) if (valid === null || valid[i]) total += s.values[i]!.length;
      const data = new Uint8Array(total);
      const valueOffsets = new Int32Array(n + 1);
      let pos = 0;
      for (let i = 0; i < n; i++) {
        if (valid === null || valid[i]) {
          data.set(s.values[i]!, pos);
          pos += s.values[i]!.length;
        }
        valueOffsets[i + 1] = pos;
      }
      return make({ ...base, valueOffsets, data });
    }
    case 'null':
      return make({ type: arrowType, length: n });
    case 'struct': {
      const fields = (arrowType as unknown as { children: { type: ArrowType }[] }).children;
      return make({ ...base, children: s.children.map((c, k) => vecToArrow(c, fields[k]!.type)) });
    }
    case 'list':
    case 'map': {
      const childType = (arrowType as unknown as { children: { type: ArrowType }[] }).children[0]!.type;
      if (s.kind === 'list') return make({ ...base, valueOffsets: s.offsets, child: vecToArrow(s.child, childType) });
      const [kf, vf] = (childType as unknown as { children: { type: ArrowType }[] }).children;
      const entries = make({ type: childType, length: s.keys.length, nullCount: 0, children: [vecToArrow(s.keys, kf!.type), vecToArrow(s.values, vf!.type)] });
      return make({ ...base, valueOffsets: s.offsets, child: entries });
    }
  }
}

function sameLayout(a: ArrowType, b: ArrowType): boolean {
  if (a.typeId !== b.typeId) return false;
  const x = a as unknown as Record<string, unknown>;
  const y = b as unknown as Record<string, unknown>;
  for (const k of ['bitWidth', 'precision', 'scale', 'unit', 'isSigned']) if (x[k] !== y[k]) return false;
  if (a.typeId === Type.Timestamp && Boolean(x['timezone']) !== Boolean(y['timezone'])) return false;
  const ca = (a.children ?? []) as { type: ArrowType }[];
  const cb = (b.children ?? []) as { type: ArrowType }[];
  return ca.length === cb.length && ca.every((c, i) => sameLayout(c.type, cb[i]!.type));
}

function bitmapOf(valid: Uint8Array | null, n: number): { nullBitmap?: Uint8Array; nullCount: number } {
  if (valid === null) return { nullCount: 0 };
  const bm = new Uint8Array((n + 7) >> 3);
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    if (valid[i]) bm[i >> 3]! |= 1 << (i & 7);
    else nulls++;
  }
  return nulls === 0 ? { nullCount: 0 } : { nullBitmap: bm, nullCount: nulls };
}

function encodeStrings(values: readonly string[], valid: Uint8Array | null): { valueOffsets: Int32Array; data: Uint8Array } {
  const n = values.length;
  let bound = 0;
  for (let i = 0; i < n; i++) if (valid === null || valid[i]) bound += values[i]!.length * 3;
  let data = new Uint8Array(bound);
  const valueOffsets = new Int32Array(n + 1);
  let pos = 0;
  for (let i = 0; i < n; i++) {
    if (valid === null || valid[i]) {
      const s = values[i]!;
      if (isAscii(s)) {
        for (let j = 0; j < s.length; j++) data[pos + j] = s.charCodeAt(j);
        pos += s.length;
      } else pos += encoder.encodeInto(s, data.subarray(pos)).written;
    }
    valueOffsets[i + 1] = pos;
  }
  if (pos < data.length / 2) data = data.slice(0, pos);
  return { valueOffsets, data };
}

function isAscii(s: string): boolean {
  for (let j = 0; j < s.length; j++) if (s.charCodeAt(j) >= 0x80) return false;
  return true;
}

