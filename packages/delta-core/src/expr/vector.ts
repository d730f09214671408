import { Data, Type, makeData, type DataType as ArrowType } from 'apache-arrow';
import { DeltaError } from '../errors.js';
import { deltaTypeToArrow } from '../schema/arrow.js';
import type { DataType } from '../schema/types.js';
import { decimalAt, validityOf, viewOf } from './column-view.js';
import type { DecimalValue } from './scalar.js';
import { mapValue, structValue, type MapValue, type StructValue, type Value } from './value.js';

/**
 * The evaluator's column of values: `length` values of one Delta `type`. A Vec is backed by one of
 * an Arrow `Data` (a column read from a batch: converted lazily, and handed back zero-copy when an
 * expression returns it unchanged), a constant (a literal: materialized only when a kernel asks
 * for arrays), or a typed store built by a kernel. Stores by type:
 * - byte, short, integer, date → `i32()` Int32Array; float, double → `f64()` Float64Array (float
 *   values are float32-exact); long, timestamp, timestamp_ntz → `i64()` BigInt64Array (µs);
 * - decimal(p,s) → `dec()` unscaled bigints at scale s; boolean → `bool()` 0/1 bytes, or `codes()`
 *   (0 false, 1 null, 2 true) for three-valued logic;
 * - string → `str()` JS strings; binary → `bin()` byte arrays;
 * - struct → `children()`; array → `list()` offsets + element Vec; map → `map()` offsets + keys +
 *   values; void → nothing.
 * Invariants: `valid()` is null when every row is valid, else 1 per valid row; store entries of
 * null rows are unspecified (kernels must not read meaning into them); stores are never mutated
 * after a Vec is built.
 */
export class Vec {
  readonly type: DataType;
  readonly length: number;
  /** The Arrow data this Vec was read from, when it was. */
  readonly arrow: Data | undefined;
  /** True for a constant Vec (every row is {@link constantValue}). */
  readonly isConstant: boolean;
  readonly constantValue: Value;
  #valid: Uint8Array | null | undefined;
  #store: Store | undefined;

  private constructor(type: DataType, length: number, init: { arrow?: Data; constant?: Value; store?: Store; valid?: Uint8Array | null }) {
    this.type = type;
    this.length = length;
    this.arrow = init.arrow;
    this.isConstant = 'constant' in init;
    this.constantValue = init.constant ?? null;
    this.#store = init.store;
    this.#valid = init.valid;
    if (this.isConstant) this.#valid = this.constantValue === null ? new Uint8Array(length) : null;
  }

  /** A lazy view of Arrow data holding values of `type` (any layout `conformBatch` produces, dictionaries too). */
  static fromArrow(data: Data, type: DataType): Vec {
    return new Vec(type, data.length, { arrow: data });
  }

  /** `length` copies of `value`. */
  static constant(type: DataType, value: Value, length: number): Vec {
    return new Vec(type, length, { constant: value });
  }

  /** A Vec over a built store. */
  static of(type: DataType, store: Store, valid: Uint8Array | null, length: number = storeLength(store)): Vec {
    return new Vec(type, length, { store, valid });
  }

  /** A Vec of the given per-row values (null for SQL NULL). */
  static fromValues(type: DataType, values: readonly Value[]): Vec {
    return vecFromValues(type, values);
  }

  /** Per-row validity (1 = valid), or null when no row is null. */
  valid(): Uint8Array | null {
    if (this.#valid === undefined) this.#valid = this.arrow ? validityOf(this.arrow) : null;
    return this.#valid;
  }

  /** Whether row `i` is null. */
  isNull(i: number): boolean {
    const v = this.valid();
    return v !== null && v[i] === 0;
  }

  /** The number of null rows. */
  nullCount(): number {
    const v = this.valid();
    if (v === null) return 0;
    let c = 0;
    for (let i = 0; i < v.length; i++) c += v[i]!;
    return this.length - c;
  }

  store(): Store {
    if (this.#store === undefined) this.#store = this.isConstant ? constantStore(this.type, this.constantValue, this.length) : arrowStore(this.arrow!, this.type);
    return this.#store;
  }

  i32(): Int32Array {
    return expectStore(this, 'i32').values;
  }
  f64(): Float64Array {
    return expectStore(this, 'f64').values;
  }
  i64(): BigInt64Array {
    return expectStore(this, 'i64').values;
  }
  dec(): readonly bigint[] {
    return expectStore(this, 'dec').values;
  }
  bool(): Uint8Array {
    const s = this.store();
    if (s.kind === 'tri') return triToBool(s.codes);
    return expectStore(this, 'bool').values;
  }
  /** Three-valued logic codes of a boolean Vec: 0 false, 1 null, 2 true. */
  codes(): Uint8Array {
    const s = this.store();
    if (s.kind === 'tri') return s.codes;
    const b = expectStore(this, 'bool').values;
    const valid = this.valid();
    const out = new Uint8Array(this.length);
    for (let i = 0; i < out.length; i++) out[i] = valid !== null && valid[i] === 0 ? 1 : b[i]! ? 2 : 0;
    return out;
  }
  str(): readonly string[] {
    return expectStore(this, 'str').values;
  }
  bin(): readonly Uint8Array[] {
    return expectStore(this, 'bin').values;
  }
  children(): readonly Vec[] {
    return expectStore(this, 'struct').children;
  }
  list(): { readonly offsets: Int32Array; readonly child: Vec } {
    return expectStore(this, 'list');
  }
  map(): { readonly offsets: Int32Array; readonly keys: Vec; readonly values: Vec } {
    return expectStore(this, 'map');
  }

  /** The value at row `i` in the per-row form ({@link Value}). */
  get(i: number): Value {
    if (this.isConstant) return this.constantValue;
    if (this.isNull(i)) return null;
    const s = this.store();
    switch (s.kind) {
      case 'i32':
      case 'f64':
      case 'i64':
      case 'str':
      case 'bin':
        return s.values[i]!;
      case 'dec':
        return { unscaled: s.values[i]!, scale: this.type.kind === 'decimal' ? this.type.scale : 0 } satisfies DecimalValue;
      case 'bool':
        return s.values[i] === 1;
      case 'tri':
        return s.codes[i] === 2;
      case 'struct':
        return structValue(s.children.map((c) => c.get(i)));
      case 'list': {
        const out: Value[] = [];
        for (let j = s.offsets[i]!; j < s.offsets[i + 1]!; j++) out.push(s.child.get(j));
        return out;
      }
      case 'map': {
        const keys: Value[] = [];
        const values: Value[] = [];
        for (let j = s.offsets[i]!; j < s.offsets[i + 1]!; j++) {
          keys.push(s.keys.get(j));
          values.push(s.values.get(j));
        }
        return mapValue(keys, values);
      }
      case 'null':
        return null;
    }
  }

  /** All values in the per-row form (for tests and small results). */
  toValues(): Value[] {
    const out = new Array<Value>(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.get(i);
    return out;
  }

  /** The same values with extra nulls where `valid` is 0 (null `valid` adds none). */
  withNulls(valid: Uint8Array | null): Vec {
    if (valid === null) return this;
    const merged = andValid(this.valid(), valid);
    return new Vec(this.type, this.length, { store: this.store(), valid: merged });
  }

  /** The same values seen as another type with the same store layout (e.g. decimal(5,2) as decimal(10,2)). */
  retype(type: DataType): Vec {
    if (this.isConstant) return Vec.constant(type, this.constantValue, this.length);
    return new Vec(type, this.length, { store: this.store(), valid: this.valid() });
  }
}

/** Typed storage of a {@link Vec}; see its doc for which type uses which kind. */
export type Store =
  | { readonly kind: 'i32'; readonly values: Int32Array }
  | { readonly kind: 'f64'; readonly values: Float64Array }
  | { readonly kind: 'i64'; readonly values: BigInt64Array }
  | { readonly kind: 'dec'; readonly values: readonly bigint[] }
  | { readonly kind: 'bool'; readonly values: Uint8Array }
  | { readonly kind: 'tri'; readonly codes: Uint8Array }
  | { readonly kind: 'str'; readonly values: readonly string[] }
  | { readonly kind: 'bin'; readonly values: readonly Uint8Array[] }
  | { readonly kind: 'struct'; readonly children: readonly Vec[]; readonly length: number }
  | { readonly kind: 'list'; readonly offsets: Int32Array; readonly child: Vec }
  | { readonly kind: 'map'; readonly offsets: Int32Array; readonly keys: Vec; readonly values: Vec }
  | { readonly kind: 'null'; readonly length: number };

type StoreKind = Store['kind'];

/** The store kind that holds values of `type`. */
export function storeKindOf(type: DataType): StoreKind {
  switch (type.kind) {
    case 'decimal':
      return 'dec';
    case 'struct':
      return 'struct';
    case 'array':
      return 'list';
    case 'map':
      return 'map';
    case 'primitive':
      switch (type.name) {
        case 'byte':
        case 'short':
        case 'integer':
        case 'date':
          return 'i32';
        case 'float':
        case 'double':
          return 'f64';
        case 'long':
        case 'timestamp':
        case 'timestamp_ntz':
          return 'i64';
        case 'boolean':
          return 'bool';
        case 'string':
          return 'str';
        case 'binary':
          return 'bin';
        case 'void':
          return 'null';
        case 'variant':
          return 'struct';
      }
  }
}

function storeLength(s: Store): number {
  switch (s.kind) {
    case 'tri':
      return s.codes.length;
    case 'struct':
    case 'null':
      return s.length;
    case 'list':
    case 'map':
      return s.offsets.length - 1;
    default:
      return s.values.length;
  }
}

function expectStore<K extends StoreKind>(v: Vec, kind: K): Extract<Store, { kind: K }> {
  const s = v.store();
  if (s.kind !== kind) {
    throw new DeltaError('INTERNAL', `A ${kind} store was asked of a value of type ${JSON.stringify(v.type)} held as ${s.kind}. This is a bug in deltakit; please report it.`);
  }
  return s as Extract<Store, { kind: K }>;
}

function triToBool(codes: Uint8Array): Uint8Array {
  const out = new Uint8Array(codes.length);
  for (let i = 0; i < codes.length; i++) out[i] = codes[i] === 2 ? 1 : 0;
  return out;
}

/** Elementwise AND of two validity arrays (null meaning all valid). */
export function andValid(a: Uint8Array | null, b: Uint8Array | null): Uint8Array | null {
  if (a === null) return b;
  if (b === null) return a;
  const out = new Uint8Array(a.length);
  for (let i = 0; i < out.length; i++) out[i] = a[i]! & b[i]!;
  return out;
}

// ---- Arrow → store -----------------------------------------------------------------------------

const utf8 = new TextDecoder();
const latin1 = new TextDecoder('latin1');

function arrowStore(d: Data, type: DataType): Store {
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

// ---- constants -------------------------------------------------------------------------------

function constantStore(type: DataType, value: Value, n: number): Store {
  const kind = storeKindOf(type);
  switch (kind) {
    case 'i32':
      return { kind, values: new Int32Array(n).fill(value === null ? 0 : (value as number)) };
    case 'f64':
      return { kind, values: new Float64Array(n).fill(value === null ? 0 : (value as number)) };
    case 'i64':
      return { kind, values: new BigInt64Array(n).fill(value === null ? 0n : (value as bigint)) };
    case 'dec':
      return { kind, values: new Array<bigint>(n).fill(value === null ? 0n : (value as DecimalValue).unscaled) };
    case 'bool':
      return { kind, values: new Uint8Array(n).fill(value === true ? 1 : 0) };
    case 'str':
      return { kind, values: new Array<string>(n).fill(value === null ? '' : (value as string)) };
    case 'bin':
      return { kind, values: new Array<Uint8Array>(n).fill(value === null ? new Uint8Array(0) : (value as Uint8Array)) };
    case 'null':
      return { kind, length: n };
    default:
      return vecFromValues(type, new Array<Value>(n).fill(value)).store();
  }
}

// ---- values → Vec --------------------------------------------------------------------------

/** Builds a Vec of `type` from per-row values (null for SQL NULL). */
export function vecFromValues(type: DataType, values: readonly Value[]): Vec {
  const n = values.length;
  let valid: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    if (values[i] === null) {
      valid ??= new Uint8Array(n).fill(1);
      valid[i] = 0;
    }
  }
  const kind = storeKindOf(type);
  const pick = <T>(f: (v: Value) => T, empty: T): T[] => values.map((v) => (v === null ? empty : f(v)));
  switch (kind) {
    case 'i32':
      return Vec.of(type, { kind, values: Int32Array.from(values, (v) => (v === null ? 0 : (v as number))) }, valid, n);
    case 'f64':
      return Vec.of(type, { kind, values: Float64Array.from(values, (v) => (v === null ? 0 : (v as number))) }, valid, n);
    case 'i64':
      return Vec.of(type, { kind, values: BigInt64Array.from(values, (v) => (v === null ? 0n : (v as bigint))) }, valid, n);
    case 'dec': {
      const scale = (type as Extract<DataType, { kind: 'decimal' }>).scale;
      return Vec.of(type, { kind, values: pick((v) => rescaleExact(v as DecimalValue, scale), 0n) }, valid, n);
    }
    case 'bool':
      return Vec.of(type, { kind, values: Uint8Array.from(values, (v) => (v === true ? 1 : 0)) }, valid, n);
    case 'str':
      return Vec.of(type, { kind, values: pick((v) => v as string, '') }, valid, n);
    case 'bin':
      return Vec.of(type, { kind, values: pick((v) => v as Uint8Array, new Uint8Array(0)) }, valid, n);
    case 'null':
      return Vec.of(type, { kind, length: n }, new Uint8Array(n), n);
    case 'struct': {
      const fieldTypes = type.kind === 'struct' ? type.fields.map((f) => f.type) : [];
      const children = fieldTypes.map((ft, k) => vecFromValues(ft, values.map((v) => (v === null ? null : ((v as StructValue).values[k] ?? null)))));
      return Vec.of(type, { kind, children, length: n }, valid, n);
    }
    case 'list': {
      const element = (type as Extract<DataType, { kind: 'array' }>).elementType;
      const offsets = new Int32Array(n + 1);
      const flat: Value[] = [];
      values.forEach((v, i) => {
        if (v !== null) for (const x of v as readonly Value[]) flat.push(x);
        offsets[i + 1] = flat.length;
      });
      return Vec.of(type, { kind, offsets, child: vecFromValues(element, flat) }, valid, n);
    }
    case 'map': {
      const t = type as Extract<DataType, { kind: 'map' }>;
      const offsets = new Int32Array(n + 1);
      const keys: Value[] = [];
      const vals: Value[] = [];
      values.forEach((v, i) => {
        if (v !== null) {
          const m = v as MapValue;
          keys.push(...m.keys);
          vals.push(...m.values);
        }
        offsets[i + 1] = keys.length;
      });
      return Vec.of(type, { kind, offsets, keys: vecFromValues(t.keyType, keys), values: vecFromValues(t.valueType, vals) }, valid, n);
    }
    case 'tri':
      break;
  }
  throw new DeltaError('INTERNAL', `No store for type ${JSON.stringify(type)}.`);
}

function rescaleExact(v: DecimalValue, scale: number): bigint {
  if (v.scale === scale) return v.unscaled;
  if (v.scale < scale) return v.unscaled * 10n ** BigInt(scale - v.scale);
  return v.unscaled / 10n ** BigInt(v.scale - scale);
}

// ---- gather -------------------------------------------------------------------------------

/** The rows at `indices` (any order, repeats allowed; -1 gives null) of `v`. */
export function gatherVec(v: Vec, indices: Int32Array): Vec {
  const n = indices.length;
  if (v.isConstant) return Vec.constant(v.type, v.constantValue, n);
  const src = v.valid();
  let valid: Uint8Array | null = null;
  for (let k = 0; k < n; k++) {
    const i = indices[k]!;
    if (i < 0 || (src !== null && src[i] === 0)) {
      valid ??= new Uint8Array(n).fill(1);
      valid[k] = 0;
    }
  }
  const s = v.store();
  const at = <T>(arr: ArrayLike<T>, empty: T): T[] => Array.from(indices, (i) => (i < 0 ? empty : arr[i]!));
  switch (s.kind) {
    case 'i32':
      return Vec.of(v.type, { kind: 'i32', values: Int32Array.from(indices, (i) => (i < 0 ? 0 : s.values[i]!)) }, valid, n);
    case 'f64':
      return Vec.of(v.type, { kind: 'f64', values: Float64Array.from(indices, (i) => (i < 0 ? 0 : s.values[i]!)) }, valid, n);
    case 'i64': {
      const out = new BigInt64Array(n);
      for (let k = 0; k < n; k++) if (indices[k]! >= 0) out[k] = s.values[indices[k]!]!;
      return Vec.of(v.type, { kind: 'i64', values: out }, valid, n);
    }
    case 'dec':
      return Vec.of(v.type, { kind: 'dec', values: at(s.values, 0n) }, valid, n);
    case 'bool':
      return Vec.of(v.type, { kind: 'bool', values: Uint8Array.from(indices, (i) => (i < 0 ? 0 : s.values[i]!)) }, valid, n);
    case 'tri':
      return Vec.of(v.type, { kind: 'tri', codes: Uint8Array.from(indices, (i) => (i < 0 ? 1 : s.codes[i]!)) }, valid, n);
    case 'str':
      return Vec.of(v.type, { kind: 'str', values: at(s.values, '') }, valid, n);
    case 'bin':
      return Vec.of(v.type, { kind: 'bin', values: at(s.values, new Uint8Array(0)) }, valid, n);
    case 'null':
      return Vec.of(v.type, { kind: 'null', length: n }, new Uint8Array(n), n);
    case 'struct':
      return Vec.of(v.type, { kind: 'struct', length: n, children: s.children.map((c) => gatherVec(c, indices)) }, valid, n);
    case 'list':
    case 'map': {
      const offsets = new Int32Array(n + 1);
      const childIdx: number[] = [];
      for (let k = 0; k < n; k++) {
        const i = indices[k]!;
        if (i >= 0) for (let j = s.offsets[i]!; j < s.offsets[i + 1]!; j++) childIdx.push(j);
        offsets[k + 1] = childIdx.length;
      }
      const ci = Int32Array.from(childIdx);
      if (s.kind === 'list') return Vec.of(v.type, { kind: 'list', offsets, child: gatherVec(s.child, ci) }, valid, n);
      return Vec.of(v.type, { kind: 'map', offsets, keys: gatherVec(s.keys, ci), values: gatherVec(s.values, ci) }, valid, n);
    }
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

// ---- row selection --------------------------------------------------------------------------

/**
 * Row i of the result is row i of `candidates[choice[i]]` (-1: null). All candidates have the
 * result `type` and `choice.length` rows (constants allowed). Used by CASE, IF and COALESCE.
 */
export function chooseRows(type: DataType, choice: Int32Array, candidates: readonly Vec[]): Vec {
  const n = choice.length;
  let valid: Uint8Array | null = null;
  const cvalid = candidates.map((c) => c.valid());
  for (let i = 0; i < n; i++) {
    const k = choice[i]!;
    if (k < 0 || (cvalid[k] !== null && cvalid[k]![i] === 0)) (valid ??= new Uint8Array(n).fill(1))[i] = 0;
  }
  const kind = storeKindOf(type);
  const one = candidates.map((c) => (c.isConstant ? Vec.constant(c.type, c.constantValue, 1) : c));
  const idx = (k: number, i: number): number => (candidates[k]!.isConstant ? 0 : i);
  switch (kind) {
    case 'i32':
    case 'f64':
    case 'i64':
    case 'bool': {
      const arrays = one.map((c) => (kind === 'i32' ? c.i32() : kind === 'f64' ? c.f64() : kind === 'i64' ? c.i64() : c.bool()));
      const out = kind === 'i32' ? new Int32Array(n) : kind === 'f64' ? new Float64Array(n) : kind === 'i64' ? new BigInt64Array(n) : new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        const k = choice[i]!;
        if (k >= 0) (out as unknown as unknown[])[i] = (arrays[k] as unknown as unknown[])[idx(k, i)];
      }
      return Vec.of(type, { kind, values: out } as Store, valid, n);
    }
    case 'str':
    case 'bin':
    case 'dec': {
      const arrays = one.map((c) => (kind === 'str' ? c.str() : kind === 'bin' ? c.bin() : c.dec())) as readonly (readonly unknown[])[];
      const empty = kind === 'str' ? '' : kind === 'bin' ? new Uint8Array(0) : 0n;
      const out = new Array<unknown>(n);
      for (let i = 0; i < n; i++) {
        const k = choice[i]!;
        out[i] = k >= 0 ? arrays[k]![idx(k, i)] : empty;
      }
      return Vec.of(type, { kind, values: out } as Store, valid, n);
    }
    default: {
      const out = new Array<Value>(n);
      for (let i = 0; i < n; i++) {
        const k = choice[i]!;
        out[i] = k >= 0 ? candidates[k]!.get(i) : null;
      }
      return vecFromValues(type, out);
    }
  }
}
