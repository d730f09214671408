import type { Data } from 'apache-arrow';
import { DeltaError } from '../errors.js';
import type { DataType } from '../schema/types.js';
import { validityOf } from './column-view.js';
import type { DecimalValue } from './scalar.js';
import { mapValue, structValue, type MapValue, type StructValue, type Value } from './value.js';
import { arrowStore } from './vector-arrow.js';

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

/** 0/1 values of three-valued codes (null rows read as 0). */
export function triToBool(codes: Uint8Array): Uint8Array {
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

// ---- constants -------------------------------------------------------------------------------

export function constantStore(type: DataType, value: Value, n: number): Store {
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


export { gatherVec, chooseRows } from './vector-ops.js';
export { vecToArrow } from './vector-arrow.js';
