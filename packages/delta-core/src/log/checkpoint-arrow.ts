/**
 * Arrow columns for checkpoint files, built straight into typed arrays (Arrow's generic builders
 * are slow for hundreds of thousands of strings). Shapes are described by a small {@link ColumnSpec}
 * tree; every column and nested field is nullable, as in Spark's checkpoints.
 */
import { Bool, Field, Int32, Int64, List, Map_, Struct, Utf8, makeData } from 'apache-arrow';
import type { Data, DataType } from 'apache-arrow';

/** A checkpoint column shape. Maps are `map<string,string>`, lists `list<string>`. */
export type ColumnSpec =
  | { readonly t: 'string' | 'long' | 'int' | 'bool' | 'stringMap' | 'stringList' }
  | { readonly t: 'struct'; readonly fields: readonly (readonly [string, ColumnSpec])[] }
  /** A column built elsewhere, already holding every row (its values and index are ignored). */
  | { readonly t: 'prebuilt'; readonly data: Data };

export const S: ColumnSpec = { t: 'string' };
export const L: ColumnSpec = { t: 'long' };
export const I: ColumnSpec = { t: 'int' };
export const B: ColumnSpec = { t: 'bool' };
export const STRING_MAP: ColumnSpec = { t: 'stringMap' };
export const STRING_LIST: ColumnSpec = { t: 'stringList' };
export const struct = (fields: readonly (readonly [string, ColumnSpec])[]): ColumnSpec => ({ t: 'struct', fields });

/** The Arrow type of a spec; map entries are named `key_value` and list items `element`, as Spark names them. */
export function arrowTypeOf(spec: ColumnSpec): DataType {
  switch (spec.t) {
    case 'string':
      return new Utf8();
    case 'long':
      return new Int64();
    case 'int':
      return new Int32();
    case 'bool':
      return new Bool();
    case 'stringList':
      return new List(new Field('element', new Utf8(), true));
    case 'stringMap':
      return new Map_(new Field('key_value', new Struct<{ key: Utf8; value: Utf8 }>([new Field('key', new Utf8(), false), new Field('value', new Utf8(), true)]), false), false);
    case 'struct':
      return new Struct(spec.fields.map(([name, s]) => new Field(name, arrowTypeOf(s), true)));
    case 'prebuilt':
      return spec.data.type;
  }
}

/**
 * Column data of `length` rows where row `index[k]` holds `values[k]` (indexes strictly
 * increasing) and every other row is null; `null`/`undefined` values are nulls too. Structs take
 * objects keyed by field name, maps `Record<string, string | null>`, lists string arrays, longs
 * numbers or bigints. Sparse input keeps columns that are null on most rows (every action kind
 * but `add` in a checkpoint) nearly free.
 */
export function buildColumn(spec: ColumnSpec, length: number, index: ArrayLike<number>, values: readonly unknown[]): Data {
  if (spec.t === 'prebuilt') return spec.data;
  const type = arrowTypeOf(spec);
  const { nullBitmap, nullCount } = validity(length, index, values);
  const n = values.length;
  switch (spec.t) {
    case 'string':
      return makeData({ type: type as Utf8, length, nullCount, nullBitmap, ...utf8(length, index, values as readonly (string | null | undefined)[]) });
    case 'long': {
      const data = new BigInt64Array(length);
      for (let k = 0; k < n; k++) if (values[k] != null) data[index[k]!] = BigInt(values[k] as number | bigint);
      return makeData({ type: type as Int64, length, nullCount, nullBitmap, data });
    }
    case 'int': {
      const data = new Int32Array(length);
      for (let k = 0; k < n; k++) if (values[k] != null) data[index[k]!] = values[k] as number;
      return makeData({ type: type as Int32, length, nullCount, nullBitmap, data });
    }
    case 'bool': {
      const data = new Uint8Array((length + 7) >> 3);
      for (let k = 0; k < n; k++) {
        const i = index[k]!;
        if (values[k] === true) data[i >> 3]! |= 1 << (i & 7);
      }
      return makeData({ type: type as Bool, length, nullCount, nullBitmap, data });
    }
    case 'stringList': {
      const { valueOffsets, items } = flatten(length, index, values as readonly (readonly string[] | null | undefined)[], (v) => v);
      const child = buildDenseColumn(S, items) as Data<Utf8>;
      return makeData({ type: type as List<Utf8>, length, nullCount, nullBitmap, valueOffsets, child });
    }
    case 'stringMap': {
      const { valueOffsets, items } = flatten(length, index, values as readonly (Readonly<Record<string, string | null>> | null | undefined)[], (v) => Object.entries(v));
      const mapType = type as Map_<Utf8, Utf8>;
      const entries = makeData({
        type: mapType.children[0]!.type as Struct,
        length: items.length,
        nullCount: 0,
        children: [buildDenseColumn(S, items.map((e) => e[0])), buildDenseColumn(S, items.map((e) => e[1]))],
      });
      return makeData({ type: mapType, length, nullCount, nullBitmap, valueOffsets, child: entries });
    }
    case 'struct': {
      const children = spec.fields.map(([name, s]) =>
        buildColumn(s, length, index, values.map((v) => (v == null ? undefined : (v as Record<string, unknown>)[name]))),
      );
      return makeData({ type: type as Struct, length, nullCount, nullBitmap, children });
    }
  }
}

/** {@link buildColumn} for one value per row. */
export function buildDenseColumn(spec: ColumnSpec, values: readonly unknown[]): Data {
  const index = new Int32Array(values.length);
  for (let i = 0; i < index.length; i++) index[i] = i;
  return buildColumn(spec, values.length, index, values);
}

function validity(length: number, index: ArrayLike<number>, values: readonly unknown[]): { nullBitmap: Uint8Array; nullCount: number } {
  const nullBitmap = new Uint8Array((length + 7) >> 3);
  let valid = 0;
  for (let k = 0; k < values.length; k++) {
    if (values[k] == null) continue;
    const i = index[k]!;
    nullBitmap[i >> 3]! |= 1 << (i & 7);
    valid++;
  }
  return { nullBitmap, nullCount: length - valid };
}

/** Offsets for variable-length rows: row `index[k]` ends at `ends[k]`; null rows are empty. */
function offsetsOf(length: number, index: ArrayLike<number>, ends: Int32Array): Int32Array {
  const offsets = new Int32Array(length + 1);
  for (let k = 0; k < ends.length; k++) offsets[index[k]! + 1] = ends[k]!;
  for (let i = 1; i <= length; i++) if (offsets[i]! < offsets[i - 1]!) offsets[i] = offsets[i - 1]!;
  return offsets;
}

function flatten<V, T>(length: number, index: ArrayLike<number>, values: readonly (V | null | undefined)[], items: (v: V) => readonly T[]): { valueOffsets: Int32Array; items: T[] } {
  const ends = new Int32Array(values.length);
  const out: T[] = [];
  for (let k = 0; k < values.length; k++) {
    const v = values[k];
    if (v != null) for (const item of items(v)) out.push(item);
    ends[k] = out.length;
  }
  return { valueOffsets: offsetsOf(length, index, ends), items: out };
}

const encoder = new TextEncoder();

function utf8(length: number, index: ArrayLike<number>, values: readonly (string | null | undefined)[]): { valueOffsets: Int32Array; data: Uint8Array } {
  const ends = new Int32Array(values.length);
  let data = new Uint8Array(Math.max(64, values.length * 16));
  let pos = 0;
  for (let k = 0; k < values.length; k++) {
    const s = values[k];
    if (s != null && s.length > 0) {
      const need = pos + s.length * 3;
      if (need > data.length) {
        const grown = new Uint8Array(Math.max(need, data.length * 2));
        grown.set(data.subarray(0, pos));
        data = grown;
      }
      pos += encoder.encodeInto(s, data.subarray(pos)).written;
    }
    ends[k] = pos;
  }
  return { valueOffsets: offsetsOf(length, index, ends), data: data.subarray(0, pos) };
}
