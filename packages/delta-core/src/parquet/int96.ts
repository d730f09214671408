/**
 * Exact INT96 timestamps. parquet-wasm converts INT96 to int64 nanoseconds and silently wraps
 * outside the years 1677-2262 (9999-12-31 comes back as garbage). This module finds INT96 columns
 * from the footer and decodes them with hyparquet using bigint arithmetic, producing
 * `Timestamp<MICROSECOND, "UTC">` data.
 *
 * Cost model: files without INT96 pay only a scan of their Arrow schema for
 * `Timestamp<NANOSECOND>` without a zone (the only type INT96 maps to); only those files get
 * their footer parsed by hyparquet.
 */
import { Data, DataType, Field, TimeUnit, Timestamp, TimestampMicrosecond, Type } from 'apache-arrow';
import type { Schema } from 'apache-arrow';
import type { FileMetaData, SchemaElement } from 'hyparquet';

/** hyparquet is loaded on first use: most files have no INT96, and decode workers start faster without it. */
const hyparquet = () => import('hyparquet');

/** INT96 columns of one file. */
export interface Int96Info {
  /** Top-level columns stored as INT96: decoded exactly. */
  readonly topLevel: ReadonlySet<string>;
  /** True when INT96 leaves exist inside structs/lists/maps: those are cast ns → µs (range 1677-2262). */
  readonly nested: boolean;
  readonly metadata: FileMetaData;
}

/** Exact µs values of one top-level INT96 column for the whole file. */
export interface Int96Column {
  readonly micros: BigInt64Array;
  /** 1 = valid, 0 = null; one byte per row. */
  readonly valid: Uint8Array;
  readonly nullCount: number;
}

/** True when the Arrow type (at any depth) is a zone-less nanosecond timestamp, INT96's mapping. */
function mayHoldInt96(type: DataType): boolean {
  if (type.typeId === Type.Timestamp) {
    const t = type as Timestamp;
    return t.unit === TimeUnit.NANOSECOND && !t.timezone;
  }
  return (type.children ?? []).some((c: Field) => mayHoldInt96(c.type));
}

/** Cheap check on the Arrow schema; returns null for files that cannot contain INT96. */
export async function detectInt96(schema: Schema, bytes: Uint8Array): Promise<Int96Info | null> {
  if (!schema.fields.some((f) => mayHoldInt96(f.type))) return null;
  const metadata = (await hyparquet()).parquetMetadata(bytes);
  const topLevel = new Set<string>();
  let nested = false;
  // Walk the flattened schema tree: element 0 is the root; children follow depth-first.
  const walk = (index: number, depth: number, topName: string | undefined): number => {
    const el: SchemaElement | undefined = metadata.schema[index];
    if (!el) return index + 1;
    const name = depth === 1 ? el.name : topName;
    if (el.type === 'INT96') {
      if (depth === 1) topLevel.add(el.name);
      else nested = true;
    }
    let next = index + 1;
    for (let c = 0; c < (el.num_children ?? 0); c++) next = walk(next, depth + 1, name);
    return next;
  };
  walk(0, 0, undefined);
  if (topLevel.size === 0 && !nested) return null;
  return { topLevel, nested, metadata };
}

const floorDiv1000 = (ns: bigint): bigint => {
  const q = ns / 1000n;
  return ns < 0n && q * 1000n !== ns ? q - 1n : q;
};

/** Decodes whole top-level INT96 columns with hyparquet (bigint math, exact for years 0001-9999). */
export async function decodeInt96Columns(bytes: Uint8Array, info: Int96Info, names: readonly string[]): Promise<Map<string, Int96Column>> {
  const out = new Map<string, Int96Column>();
  if (names.length === 0) return out;
  const numRows = Number(info.metadata.num_rows);
  const cols = new Map<string, { micros: BigInt64Array; valid: Uint8Array }>();
  for (const n of names) cols.set(n, { micros: new BigInt64Array(numRows), valid: new Uint8Array(numRows) });
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const [{ parquetRead }, { compressors }] = await Promise.all([hyparquet(), import('hyparquet-compressors')]);
  await parquetRead({
    file: buffer,
    metadata: info.metadata,
    columns: [...names],
    compressors,
    parsers: { timestampFromNanoseconds: floorDiv1000 },
    onChunk: (chunk) => {
      const col = cols.get(chunk.columnName);
      if (!col) return;
      const values = chunk.columnData;
      for (let i = 0; i < values.length; i++) {
        const v = values[i] as unknown;
        const row = chunk.rowStart + i;
        if (typeof v === 'bigint') {
          col.micros[row] = v;
          col.valid[row] = 1;
        }
      }
    },
  });
  for (const [name, col] of cols) {
    let valid = 0;
    for (let i = 0; i < numRows; i++) valid += col.valid[i]!;
    out.set(name, { ...col, nullCount: numRows - valid });
  }
  return out;
}

/** The type INT96 columns are read as. */
export const MICROS_UTC = new TimestampMicrosecond('UTC');

/** Arrow data for rows [start, start+length) of an exactly decoded INT96 column. */
export function int96Slice(col: Int96Column, start: number, length: number): Data {
  const values = col.micros.slice(start, start + length);
  let nullCount = 0;
  let bitmap: Uint8Array | undefined;
  for (let i = 0; i < length; i++) if (col.valid[start + i] === 0) nullCount++;
  if (nullCount > 0) {
    bitmap = new Uint8Array((length + 7) >> 3);
    for (let i = 0; i < length; i++) if (col.valid[start + i] === 1) bitmap[i >> 3]! |= 1 << (i & 7);
  }
  return new Data(MICROS_UTC, 0, length, nullCount, [undefined, values, bitmap]);
}

/**
 * Rewrites zone-less ns timestamps nested inside `data` as µs UTC (floor division). Used only for
 * files with nested INT96 leaves; exact within parquet-wasm's ns range (years 1677-2262).
 */
export function castNestedNanos(data: Data, topLevel = true): Data {
  const type = data.type as DataType;
  if (type.typeId === Type.Timestamp) {
    const t = type as Timestamp;
    // A top-level zone-less ns column is INT96 only if the footer says so (handled exactly).
    if (topLevel || t.unit !== TimeUnit.NANOSECOND || t.timezone) return data;
    const src = (data.values as BigInt64Array | undefined) ?? new BigInt64Array(0);
    const values = new BigInt64Array(src.length);
    for (let i = 0; i < src.length; i++) values[i] = floorDiv1000(src[i]!);
    return new Data(MICROS_UTC, data.offset, data.length, data.nullCount, [undefined, values, data.nullBitmap]);
  }
  if (!type.children || type.children.length === 0 || !mayHoldInt96(type)) return data;
  const children = data.children.map((c) => castNestedNanos(c, false));
  const newType = retypeChildren(type, children);
  return new Data(newType, data.offset, data.length, data.nullCount, [data.valueOffsets, data.values, data.nullBitmap, data.typeIds], children, data.dictionary);
}

function retypeChildren(type: DataType, children: Data[]): DataType {
  const fields = type.children.map((f: Field, i: number) => f.clone({ type: children[i]!.type }));
  // Struct, List, Map, FixedSizeList, LargeList and unions all keep their children in `children`.
  const copy = Object.create(Object.getPrototypeOf(type) as object) as DataType;
  Object.assign(copy, type, { children: fields });
  return copy;
}
