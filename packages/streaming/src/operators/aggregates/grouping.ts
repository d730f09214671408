/**
 * Hash grouping: assigns each row a dense group id (0, 1, 2, ... in first-seen order) by the
 * values of its key columns, as DataFusion separates it: one primitive key (integer, date,
 * double, long, timestamp, string, boolean) looks up a Map on the raw value; several keys (or a
 * nested type) look up a Map on a serialized key text. Group equality is Spark's: nulls group
 * together, NaN with NaN, -0.0 with 0.0 (kept as 0.0, as Spark's NormalizeFloatingNumbers).
 * The first row of each group supplies its key values (`keyVecs`).
 */
import type { DataType } from '@deltakit/core';
import { Vec, type Value } from '@deltakit/core/internal';
import { Type } from 'apache-arrow';
import { keyText } from './values.js';

type Primitive = number | bigint | string | boolean;
const decoder = new TextDecoder();

export class GroupTable {
  #size = 0;
  readonly #single = new Map<Primitive, number>();
  readonly #multi = new Map<string, number>();
  #nullGroup = -1;
  readonly #byHash = new Map<number, number | number[]>();
  readonly #groupBytes = new Map<number, Uint8Array>();
  readonly #values: Value[][];

  constructor(readonly keyTypes: readonly DataType[]) {
    this.#values = keyTypes.map(() => []);
  }

  /** The number of groups so far. */
  get size(): number {
    return this.#size;
  }

  /**
   * Writes each row's group id to `out` (creating groups as needed); rows where `mask` is 0 get
   * -1. With no key columns every row is group 0 (a global aggregate).
   */
  assign(keys: readonly Vec[], rows: number, mask: Uint8Array | null, out: Int32Array): void {
    if (keys.length === 0) {
      if (this.#size === 0) this.#size = 1;
      for (let r = 0; r < rows; r++) out[r] = mask === null || mask[r] === 1 ? 0 : -1;
      return;
    }
    if (keys.length === 1) {
      const a = keys[0]!.arrow;
      if (a !== undefined && a.typeId === Type.Utf8 && a.valueOffsets instanceof Int32Array) return this.#assignUtf8(keys[0]!, a.valueOffsets, a.values as Uint8Array, rows, mask, out);
      const kind = keys[0]!.store().kind;
      if (kind === 'i32' || kind === 'f64' || kind === 'i64' || kind === 'str' || kind === 'bool') return this.#assignSingle(keys[0]!, kind, rows, mask, out);
    }
    this.#assignMulti(keys, rows, mask, out);
  }

  /** One Utf8 key read as bytes: hashed (FNV-1a) and compared without decoding a string per row. */
  #assignUtf8(key: Vec, offsets: Int32Array, bytes: Uint8Array, rows: number, mask: Uint8Array | null, out: Int32Array): void {
    const valid = key.valid();
    const keep = this.#values[0]!;
    for (let r = 0; r < rows; r++) {
      if (mask !== null && mask[r] === 0) {
        out[r] = -1;
        continue;
      }
      if (valid !== null && valid[r] === 0) {
        if (this.#nullGroup < 0) {
          this.#nullGroup = this.#size++;
          keep.push(null);
        }
        out[r] = this.#nullGroup;
        continue;
      }
      const s = offsets[r]!;
      const e = offsets[r + 1]!;
      let h = 0x811c9dc5;
      for (let i = s; i < e; i++) h = Math.imul(h ^ bytes[i]!, 16777619);
      let g = this.#findBytes(h, bytes, s, e);
      if (g < 0) {
        const text = decoder.decode(bytes.subarray(s, e));
        g = this.#single.get(text) ?? this.#newString(text, h, bytes.slice(s, e));
        if (this.#byHash.get(h) === undefined || !this.#groupBytes.has(g)) this.#addHash(h, g, bytes.slice(s, e));
      }
      out[r] = g;
    }
  }

  #findBytes(h: number, bytes: Uint8Array, s: number, e: number): number {
    const c = this.#byHash.get(h);
    if (c === undefined) return -1;
    const list = typeof c === 'number' ? [c] : c;
    for (const g of list) {
      const k = this.#groupBytes.get(g)!;
      if (k.length !== e - s) continue;
      let i = 0;
      while (i < k.length && k[i] === bytes[s + i]) i++;
      if (i === k.length) return g;
    }
    return -1;
  }

  #addHash(h: number, g: number, key: Uint8Array): void {
    this.#groupBytes.set(g, key);
    const c = this.#byHash.get(h);
    this.#byHash.set(h, c === undefined ? g : typeof c === 'number' ? [c, g] : [...c, g]);
  }

  #newString(text: string, h: number, key: Uint8Array): number {
    const g = this.#size++;
    this.#single.set(text, g);
    this.#values[0]!.push(text);
    this.#addHash(h, g, key);
    return g;
  }

  #assignSingle(key: Vec, kind: 'i32' | 'f64' | 'i64' | 'str' | 'bool', rows: number, mask: Uint8Array | null, out: Int32Array): void {
    const valid = key.valid();
    const values: ArrayLike<Primitive> = kind === 'i32' ? key.i32() : kind === 'f64' ? key.f64() : kind === 'i64' ? key.i64() : kind === 'str' ? key.str() : key.bool();
    const map = this.#single;
    const keep = this.#values[0]!;
    for (let r = 0; r < rows; r++) {
      if (mask !== null && mask[r] === 0) {
        out[r] = -1;
        continue;
      }
      if (valid !== null && valid[r] === 0) {
        if (this.#nullGroup < 0) {
          this.#nullGroup = this.#size++;
          keep.push(null);
        }
        out[r] = this.#nullGroup;
        continue;
      }
      let v = values[r]!;
      if (v === 0) v = 0; // -0.0 groups with 0.0
      let g = map.get(v);
      if (g === undefined) {
        g = this.#size++;
        map.set(v, g);
        keep.push(kind === 'bool' ? v === 1 : v);
      }
      out[r] = g;
    }
  }

  #assignMulti(keys: readonly Vec[], rows: number, mask: Uint8Array | null, out: Int32Array): void {
    const parts = keys.map(keyPartsOf);
    const map = this.#multi;
    for (let r = 0; r < rows; r++) {
      if (mask !== null && mask[r] === 0) {
        out[r] = -1;
        continue;
      }
      let text = '';
      for (let k = 0; k < parts.length; k++) text += parts[k]!(r) + '\u0001';
      let g = map.get(text);
      if (g === undefined) {
        g = this.#size++;
        map.set(text, g);
        for (let k = 0; k < keys.length; k++) {
          const v = keys[k]!.get(r);
          this.#values[k]!.push(v === 0 ? 0 : v);
        }
      }
      out[r] = g;
    }
  }

  /** The key values of every group, one Vec per key column, in group-id order. */
  keyVecs(): Vec[] {
    return this.keyTypes.map((t, k) => Vec.fromValues(t, this.#values[k]!));
  }
}

/** A function giving row r's key text for one column (typed stores read without per-row objects). */
function keyPartsOf(v: Vec): (r: number) => string {
  const valid = v.valid();
  const isNull = (r: number) => valid !== null && valid[r] === 0;
  const kind = v.store().kind;
  switch (kind) {
    case 'i32': {
      const x = v.i32();
      return (r) => (isNull(r) ? '\u0000' : 'n' + x[r]);
    }
    case 'f64': {
      const x = v.f64();
      return (r) => (isNull(r) ? '\u0000' : 'n' + (x[r] === 0 ? '0' : String(x[r])));
    }
    case 'i64': {
      const x = v.i64();
      return (r) => (isNull(r) ? '\u0000' : 'b' + x[r]);
    }
    case 'str': {
      const x = v.str();
      return (r) => (isNull(r) ? '\u0000' : 's' + x[r]!.length + ':' + x[r]);
    }
    default:
      return (r) => keyText(v.get(r));
  }
}
