/**
 * Column chunk decoding for the pure-JS projected decoder (projected-js.ts): page headers,
 * decompression and the RLE/bit-packed hybrid come from hyparquet; levels and values are decoded
 * here into typed arrays.
 *
 * A chunk is decoded in one of three modes:
 * - `levels`: definition and repetition levels only (the leaf serves as the validity source of
 *   a struct, map or list above it);
 * - `dense` (non-repeated leaves): an Arrow column with one slot per row, values written straight
 *   into their row positions as pages are read (no compact intermediate, no second pass);
 * - `compact` (leaves under a map or list): the non-null values in order, placed later by the
 *   caller, which knows the entries.
 *
 * Throws {@link UnsupportedParquet} for encodings and types outside the supported subset, and
 * plain errors on inconsistent input (the caller then falls back to parquet-wasm).
 */
import { Binary, Bool, Dictionary, Int32, Utf8, makeData, makeVector } from 'apache-arrow';
import type { Data, DataType } from 'apache-arrow';
import type { ColumnMetaData, SchemaElement } from 'hyparquet';
import { parquetHeader } from 'hyparquet/src/column.js';
import { decompressPage } from 'hyparquet/src/datapage.js';
import { readRleBitPackedHybrid } from 'hyparquet/src/encoding.js';
import { compressors } from 'hyparquet-compressors';
import { readLevels, readPrefixedLevels } from './projected-js-levels.js';

/** The file uses something the JS decoder does not handle; decode it with parquet-wasm. */
export class UnsupportedParquet extends Error {}

export const unsupported = (what: string): never => {
  throw new UnsupportedParquet(what);
};

/** A leaf column: its schema element, maximum definition and repetition levels, Arrow type. */
export interface ChunkLeaf {
  readonly element: SchemaElement;
  readonly def: number;
  readonly rep: number;
  /** `undefined` when the type is unsupported: such a leaf can only be a source of levels. */
  readonly type: DataType | undefined;
}

export type DecodeMode = 'levels' | 'dense' | 'compact';

/** Byte array values: value `k` is `bytes[offsets[k] .. offsets[k + 1])`. */
export interface ByteValues {
  readonly offsets: Int32Array;
  readonly bytes: Uint8Array;
}

/** Compact (non-null only) values of a leaf. Fixed-width values are kept as 32-bit words. */
export type Values =
  | ({ readonly t: 'bytes' } & ByteValues)
  /** Strings whose every page was dictionary-encoded: value `k` is `dictionary[indexes[k]]`. */
  | { readonly t: 'dict'; readonly dictionary: ByteValues; readonly indexes: Int32Array }
  /** `w` 32-bit words per value (1: int32, float; 2: int64, double); booleans as 0/1 words. */
  | { readonly t: 'words'; readonly words: Int32Array; readonly w: number };

/** One leaf column of one row group. */
export interface LeafData {
  /** Level entries (rows for a non-repeated leaf). */
  readonly n: number;
  /** Definition levels; `undefined` when every entry is at the maximum (a required leaf). */
  readonly def: Uint8Array | undefined;
  readonly rep: Uint8Array | undefined;
  readonly mode: DecodeMode;
  /** `compact` mode: the non-null values. */
  readonly values?: Values;
  /** `dense` mode: the leaf as an Arrow column of `n` rows. */
  readonly dense?: Data;
}

/** Decodes one column chunk of `bytes` (the whole file) in `mode`. */
export function decodeChunk(bytes: Uint8Array, meta: ColumnMetaData, leaf: ChunkLeaf, mode: DecodeMode): LeafData {
  if (meta.codec !== 'UNCOMPRESSED' && meta.codec !== 'SNAPPY' && compressors[meta.codec] === undefined) unsupported(`codec ${meta.codec}`);
  const n = Number(meta.num_values);
  const def = leaf.def > 0 ? new Uint8Array(n) : undefined;
  const rep = leaf.rep > 0 ? new Uint8Array(n) : undefined;
  const sink = mode === 'levels' ? undefined : makeSink(leaf, meta, n, mode);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dictOffset = meta.dictionary_page_offset === undefined ? undefined : Number(meta.dictionary_page_offset);
  const dataOffset = Number(meta.data_page_offset);
  const start = dictOffset !== undefined && dictOffset > 0 && dictOffset < dataOffset ? dictOffset : dataOffset;
  const end = start + Number(meta.total_compressed_size);
  const reader = { view, offset: start };
  const name = meta.path_in_schema.join('.');
  let filled = 0;
  while (filled < n) {
    if (reader.offset >= end) throw new Error(`column ${name} ends after ${filled} of ${n} values`);
    const header = parquetHeader(reader);
    const body = bytes.subarray(reader.offset, reader.offset + header.compressed_page_size);
    if (body.length !== header.compressed_page_size) throw new Error(`column ${name} is truncated`);
    reader.offset += header.compressed_page_size;
    if (header.type === 'DICTIONARY_PAGE') {
      if (sink !== undefined) sink.dictionary(decompressPage(body, header.uncompressed_page_size, meta.codec, compressors), header.dictionary_page_header!.num_values);
      continue;
    }
    let page: Uint8Array;
    let pos = 0;
    let count: number;
    let encoding: string;
    if (header.type === 'DATA_PAGE') {
      const h = header.data_page_header!;
      count = h.num_values;
      encoding = h.encoding;
      if (count > n - filled) throw new Error(`column ${name} has more values than its metadata says`);
      page = decompressPage(body, header.uncompressed_page_size, meta.codec, compressors);
      if (rep) {
        if (h.repetition_level_encoding !== 'RLE') unsupported(`repetition level encoding ${h.repetition_level_encoding}`);
        pos = readPrefixedLevels(page, pos, bitWidth(leaf.rep), rep.subarray(filled, filled + count));
      }
      if (def) {
        if (h.definition_level_encoding !== 'RLE') unsupported(`definition level encoding ${h.definition_level_encoding}`);
        pos = readPrefixedLevels(page, pos, bitWidth(leaf.def), def.subarray(filled, filled + count));
      }
    } else if (header.type === 'DATA_PAGE_V2') {
      const h = header.data_page_header_v2!;
      count = h.num_values;
      encoding = h.encoding;
      if (count > n - filled) throw new Error(`column ${name} has more values than its metadata says`);
      const repEnd = h.repetition_levels_byte_length;
      const defEnd = repEnd + h.definition_levels_byte_length;
      if (defEnd > body.length) throw new Error(`column ${name} has levels past its page`);
      if (rep) readLevels(body, 0, repEnd, bitWidth(leaf.rep), rep.subarray(filled, filled + count));
      if (def) readLevels(body, repEnd, defEnd, bitWidth(leaf.def), def.subarray(filled, filled + count));
      const levelBytes = h.repetition_levels_byte_length + h.definition_levels_byte_length;
      const rest = body.subarray(levelBytes);
      page = h.is_compressed === false ? rest : decompressPage(rest, header.uncompressed_page_size - levelBytes, meta.codec, compressors);
    } else {
      continue; // index pages
    }
    if (sink !== undefined) {
      const levels = def?.subarray(filled, filled + count);
      let present = count;
      if (levels !== undefined) present = countEqual(levels, leaf.def);
      sink.page(page, pos, present, encoding, levels, leaf.def);
    }
    filled += count;
  }
  if (sink === undefined) return { n, def, rep, mode };
  return mode === 'dense' ? { n, def, rep, mode, dense: sink.finish() as Data } : { n, def, rep, mode, values: sink.finish() as Values };
}

function countEqual(levels: Uint8Array, max: number): number {
  let k = 0;
  for (let i = 0; i < levels.length; i++) if (levels[i] === max) k++;
  return k;
}

function bitWidth(max: number): number {
  return 32 - Math.clz32(max);
}

/** Where a chunk's values go, page by page. */
interface Sink {
  dictionary(page: Uint8Array, count: number): void;
  /** `present` non-null values at `page[pos..]`; `levels`: this page's definition levels. */
  page(page: Uint8Array, pos: number, present: number, encoding: string, levels: Uint8Array | undefined, maxDef: number): void;
  finish(): Data | Values;
}

function makeSink(leaf: ChunkLeaf, meta: ColumnMetaData, n: number, mode: 'dense' | 'compact'): Sink {
  const type = leaf.type ?? unsupported(`type of ${meta.path_in_schema.join('.')}`);
  const physical = meta.type;
  if (physical === 'BYTE_ARRAY') {
    // Strings stay dictionary-encoded when the footer says every data page is.
    const stats = meta.encoding_stats?.filter((s) => s.page_type === 'DATA_PAGE' || s.page_type === 'DATA_PAGE_V2');
    const allDictionary = type instanceof Utf8 && stats !== undefined && stats.length > 0 && stats.every((s) => s.encoding === 'RLE_DICTIONARY' || s.encoding === 'PLAIN_DICTIONARY');
    // Room for every value's bytes (exact when the footer has size statistics) plus one page of
    // length prefixes, which PLAIN pages are compacted over in place.
    const exact = meta.size_statistics?.unencoded_byte_array_data_bytes;
    const byteHint = exact === undefined ? Number(meta.total_uncompressed_size) : Number(exact) + Math.min(4 * n, 1 << 22);
    return allDictionary ? new DictionarySink(type, n, mode) : new BytesSink(type, n, mode, byteHint);
  }
  if (physical !== 'BOOLEAN' && physical !== 'INT32' && physical !== 'FLOAT' && physical !== 'INT64' && physical !== 'DOUBLE') unsupported(`physical type ${physical}`);
  return new WordsSink(type, n, mode, physical === 'INT64' || physical === 'DOUBLE' ? 2 : 1, physical === 'BOOLEAN');
}

/** Row validity as an Arrow bitmap, set while values are placed. */
class Validity {
  readonly bits: Uint8Array;
  valid = 0;
  constructor(readonly length: number) {
    this.bits = new Uint8Array((length + 7) >> 3);
  }
  setRange(from: number, count: number): void {
    const bits = this.bits;
    const end = from + count;
    let i = from;
    for (; i < end && (i & 7) !== 0; i++) bits[i >> 3]! |= 1 << (i & 7);
    if (end - i >= 8) {
      bits.fill(0xff, i >> 3, end >> 3);
      i = end & ~7;
    }
    for (; i < end; i++) bits[i >> 3]! |= 1 << (i & 7);
    this.valid += count;
  }
  set(i: number): void {
    this.bits[i >> 3]! |= 1 << (i & 7);
    this.valid++;
  }
  props(): { nullCount: number; nullBitmap?: Uint8Array } {
    return this.valid === this.length ? { nullCount: 0 } : { nullCount: this.length - this.valid, nullBitmap: this.bits };
  }
}

/**
 * Fixed-width values (int32, int64, float, double, boolean) as 32-bit words: no BigInt per value,
 * and float NaN payloads are copied bit for bit.
 */
class WordsSink implements Sink {
  #dict: Int32Array | undefined;
  readonly #out: Int32Array;
  readonly #valid: Validity;
  #slot = 0;
  #values = 0;
  constructor(
    private readonly type: DataType,
    private readonly n: number,
    private readonly mode: 'dense' | 'compact',
    private readonly w: number,
    private readonly bool: boolean,
  ) {
    this.#out = new Int32Array(n * w);
    this.#valid = new Validity(mode === 'dense' ? n : 0);
  }

  dictionary(page: Uint8Array, count: number): void {
    this.#dict = this.#plain(page, 0, count);
  }

  #plain(page: Uint8Array, pos: number, count: number): Int32Array {
    if (this.bool) {
      if (pos + ((count + 7) >> 3) > page.length) throw new Error('values run past the page');
      const out = new Int32Array(count);
      for (let k = 0; k < count; k++) out[k] = (page[pos + (k >> 3)]! >> (k & 7)) & 1;
      return out;
    }
    const size = count * this.w * 4;
    if (pos + size > page.length) throw new Error('values run past the page');
    // An aligned copy (Uint8Array's slice: a Node Buffer's own slice would be a view).
    return new Int32Array(Uint8Array.prototype.slice.call(page, pos, pos + size).buffer);
  }

  page(page: Uint8Array, pos: number, present: number, encoding: string, levels: Uint8Array | undefined, maxDef: number): void {
    let src: Int32Array;
    if (encoding === 'PLAIN') src = this.#plain(page, pos, present);
    else if (encoding === 'RLE' && this.bool) {
      src = new Int32Array(present);
      readRleBitPackedHybrid({ view: new DataView(page.buffer, page.byteOffset, page.byteLength), offset: pos }, 1, src);
    } else if (encoding === 'RLE_DICTIONARY' || encoding === 'PLAIN_DICTIONARY') {
      const dict = this.#dict ?? fail('dictionary-encoded page without a dictionary');
      src = gatherWords(dict, this.w, dictionaryIndexes(page, pos, present, dict.length / this.w));
    } else return unsupported(`encoding ${encoding}`);
    const out = this.#out;
    const w = this.w;
    if (this.mode === 'compact') {
      out.set(src, this.#values * w);
      this.#values += present;
      return;
    }
    const slot = this.#slot;
    if (levels === undefined || present === levels.length) {
      out.set(src, slot * w);
      this.#valid.setRange(slot, present);
    } else placeWords(src, out, w, levels, maxDef, slot, this.#valid);
    this.#slot += levels === undefined ? present : levels.length;
  }

  finish(): Data | Values {
    if (this.mode === 'compact') return { t: 'words', words: this.#out.subarray(0, this.#values * this.w), w: this.w };
    const n = this.n;
    const nulls = this.#valid.props();
    if (this.bool) return makeData({ type: this.type as Bool, length: n, ...nulls, data: packWordBits(this.#out, n) });
    const ctor = (this.type as { ArrayType: new (b: ArrayBuffer, o: number, l: number) => ArrayLike<unknown> }).ArrayType;
    const buf = this.#out.buffer as ArrayBuffer;
    return makeData({ type: this.type as Int32, length: n, ...nulls, data: new ctor(buf, 0, (n * this.w * 4) / bytesPer(this.type)) as Int32Array });
  }
}

const fail = (message: string): never => {
  throw new Error(message);
};

function bytesPer(type: DataType): number {
  return (type as unknown as { ArrayType: { BYTES_PER_ELEMENT: number } }).ArrayType.BYTES_PER_ELEMENT;
}

/** Places compact words at the slots whose level is `maxDef`, marking them valid. */
function placeWords(src: Int32Array, out: Int32Array, w: number, levels: Uint8Array, maxDef: number, slot: number, valid: Validity): void {
  let k = 0;
  for (let j = 0; j < levels.length; j++) {
    if (levels[j] !== maxDef) continue;
    const to = (slot + j) * w;
    out[to] = src[k * w]!;
    if (w === 2) out[to + 1] = src[k * w + 1]!;
    valid.set(slot + j);
    k++;
  }
}

function packWordBits(words: Int32Array, n: number): Uint8Array {
  const bits = new Uint8Array((n + 7) >> 3);
  for (let i = 0; i < n; i++) if (words[i]) bits[i >> 3]! |= 1 << (i & 7);
  return bits;
}

/** `count` dictionary indexes (bit width byte, then RLE/bit-packed hybrid), range-checked. */
function dictionaryIndexes(page: Uint8Array, pos: number, count: number, size: number): Int32Array {
  const width = page[pos] ?? fail('dictionary-encoded page without indexes');
  const indexes = new Int32Array(count);
  if (width > 0) readRleBitPackedHybrid({ view: new DataView(page.buffer, page.byteOffset, page.byteLength), offset: pos + 1 }, width, indexes, page.length - pos - 1);
  for (let k = 0; k < count; k++) if (indexes[k]! >= size || indexes[k]! < 0) throw new Error('dictionary index out of range');
  return indexes;
}

function gatherWords(dict: Int32Array, w: number, indexes: Int32Array): Int32Array {
  const out = new Int32Array(indexes.length * w);
  if (w === 1) {
    for (let k = 0; k < indexes.length; k++) out[k] = dict[indexes[k]!]!;
    return out;
  }
  for (let k = 0; k < indexes.length; k++) {
    const i = indexes[k]!;
    out[2 * k] = dict[2 * i]!;
    out[2 * k + 1] = dict[2 * i + 1]!;
  }
  return out;
}

/** Byte arrays written once, straight into one growing buffer (dictionary pages resolved). */
class BytesSink implements Sink {
  #dict: ByteValues | undefined;
  /** Dense: one offset per slot; compact: one per value. */
  readonly #offsets: Int32Array;
  #data: Uint8Array;
  #size = 0;
  #slot = 0;
  readonly #valid: Validity;
  constructor(
    private readonly type: DataType,
    private readonly n: number,
    private readonly mode: 'dense' | 'compact',
    byteHint: number,
  ) {
    this.#offsets = new Int32Array(n + 1);
    this.#data = new Uint8Array(Math.max(64, byteHint));
    this.#valid = new Validity(mode === 'dense' ? n : 0);
  }

  dictionary(page: Uint8Array, count: number): void {
    this.#dict = plainByteArrays(page, 0, count);
  }

  #reserve(extra: number): void {
    if (this.#size + extra <= this.#data.length) return;
    const grown = new Uint8Array(Math.max(this.#size + extra, Math.floor(this.#data.length * 1.5)));
    grown.set(this.#data.subarray(0, this.#size));
    this.#data = grown;
  }

  page(page: Uint8Array, pos: number, present: number, encoding: string, levels: Uint8Array | undefined, maxDef: number): void {
    // Values are appended compactly first (their ends in `ends`), then spread over the slots.
    const ends = new Int32Array(present);
    if (encoding === 'PLAIN') {
      // The page's values are copied in one piece, then compacted in place over their length
      // prefixes (a native move per value beats a byte loop).
      this.#reserve(page.length - pos);
      const data = this.#data;
      const base = this.#size;
      const limit = base + page.length - pos;
      data.set(page.subarray(pos), base);
      let src = base;
      let dst = base;
      for (let k = 0; k < present; k++) {
        if (src + 4 > limit) throw new Error('byte array values run past the page');
        const len = (data[src]! | (data[src + 1]! << 8) | (data[src + 2]! << 16) | (data[src + 3]! << 24)) >>> 0;
        src += 4;
        if (src + len > limit) throw new Error('byte array values run past the page');
        data.copyWithin(dst, src, src + len);
        dst += len;
        src += len;
        ends[k] = dst;
      }
      this.#size = dst;
    } else if (encoding === 'RLE_DICTIONARY' || encoding === 'PLAIN_DICTIONARY') {
      const dict = this.#dict ?? fail('dictionary-encoded page without a dictionary');
      const indexes = dictionaryIndexes(page, pos, present, dict.offsets.length - 1);
      const dOffsets = dict.offsets;
      const dBytes = dict.bytes;
      let total = 0;
      for (let k = 0; k < present; k++) total += dOffsets[indexes[k]! + 1]! - dOffsets[indexes[k]!]!;
      this.#reserve(total);
      const data = this.#data;
      let size = this.#size;
      for (let k = 0; k < present; k++) {
        const i = indexes[k]!;
        let from = dOffsets[i]!;
        const to = dOffsets[i + 1]!;
        if (to - from > 64) {
          data.set(dBytes.subarray(from, to), size);
          size += to - from;
        } else while (from < to) data[size++] = dBytes[from++]!;
        ends[k] = size;
      }
      this.#size = size;
    } else unsupported(`encoding ${encoding}`);
    const offsets = this.#offsets;
    const slot = this.#slot;
    if (this.mode === 'compact' || levels === undefined || present === levels.length) {
      offsets.set(ends, slot + 1);
      if (this.mode === 'dense') this.#valid.setRange(slot, present);
      this.#slot += present;
      return;
    }
    let k = 0;
    let last = offsets[slot]!;
    for (let j = 0; j < levels.length; j++) {
      if (levels[j] === maxDef) {
        last = ends[k++]!;
        this.#valid.set(slot + j);
      }
      offsets[slot + j + 1] = last;
    }
    this.#slot += levels.length;
  }

  finish(): Data | Values {
    const bytes = this.#data.subarray(0, this.#size);
    if (this.mode === 'compact') return { t: 'bytes', offsets: this.#offsets.subarray(0, this.#slot + 1), bytes };
    return makeData({ type: this.type as Utf8, length: this.n, ...this.#valid.props(), valueOffsets: this.#offsets, data: bytes });
  }
}

/** Strings whose every data page is dictionary-encoded: indexes into the dictionary, kept. */
class DictionarySink implements Sink {
  #dict: ByteValues | undefined;
  readonly #indexes: Int32Array;
  #slot = 0;
  readonly #valid: Validity;
  constructor(
    private readonly type: Utf8,
    private readonly n: number,
    private readonly mode: 'dense' | 'compact',
  ) {
    this.#indexes = new Int32Array(n);
    this.#valid = new Validity(mode === 'dense' ? n : 0);
  }

  dictionary(page: Uint8Array, count: number): void {
    this.#dict = plainByteArrays(page, 0, count);
  }

  page(page: Uint8Array, pos: number, present: number, encoding: string, levels: Uint8Array | undefined, maxDef: number): void {
    if (encoding !== 'RLE_DICTIONARY' && encoding !== 'PLAIN_DICTIONARY') throw new Error(`a ${encoding} page where the footer promised dictionary pages only`);
    const dict = this.#dict ?? fail('dictionary-encoded page without a dictionary');
    const indexes = dictionaryIndexes(page, pos, present, dict.offsets.length - 1);
    if (this.mode === 'compact' || levels === undefined || present === levels.length) {
      this.#indexes.set(indexes, this.#slot);
      if (this.mode === 'dense') this.#valid.setRange(this.#slot, present);
      this.#slot += present;
      return;
    }
    const out = this.#indexes;
    let k = 0;
    for (let j = 0; j < levels.length; j++) {
      if (levels[j] !== maxDef) continue;
      out[this.#slot + j] = indexes[k++]!;
      this.#valid.set(this.#slot + j);
    }
    this.#slot += levels.length;
  }

  finish(): Data | Values {
    const dict = this.#dict ?? { offsets: new Int32Array(1), bytes: new Uint8Array(0) };
    if (this.mode === 'compact') return { t: 'dict', dictionary: dict, indexes: this.#indexes.subarray(0, this.#slot) };
    return dictionaryData(this.type, this.n, this.#valid.props(), this.#indexes, dict);
  }
}

function dictionaryData(type: Utf8, length: number, nulls: { nullCount: number; nullBitmap?: Uint8Array }, indexes: Int32Array, dict: ByteValues): Data {
  const dictionary = makeVector(makeData({ type, length: dict.offsets.length - 1, nullCount: 0, valueOffsets: dict.offsets, data: dict.bytes }));
  return makeData({ type: new Dictionary(type, new Int32()), length, ...nulls, data: indexes, dictionary });
}

/** PLAIN byte arrays (4-byte little-endian length, then the bytes), in one pass. */
function plainByteArrays(page: Uint8Array, pos: number, count: number): ByteValues {
  const offsets = new Int32Array(count + 1);
  const out = new Uint8Array(Math.max(0, page.length - pos - 4 * count));
  let p = pos;
  let size = 0;
  for (let k = 0; k < count; k++) {
    if (p + 4 > page.length) throw new Error('byte array values run past the page');
    const len = (page[p]! | (page[p + 1]! << 8) | (page[p + 2]! << 16) | (page[p + 3]! << 24)) >>> 0;
    p += 4;
    if (p + len > page.length) throw new Error('byte array values run past the page');
    copyBytes(page, p, out, size, len);
    p += len;
    size += len;
    offsets[k + 1] = size;
  }
  return { offsets, bytes: out.subarray(0, size) };
}

/** Copies `len` bytes; short runs byte by byte (a subarray per value would cost more). */
function copyBytes(src: Uint8Array, from: number, dst: Uint8Array, to: number, len: number): void {
  if (len > 64) {
    dst.set(src.subarray(from, from + len), to);
    return;
  }
  for (let b = 0; b < len; b++) dst[to + b] = src[from + b]!;
}

// ---------------------------------------------------------------------------------------------
// Compact values placed by the caller (entries of maps and lists)

/** Arrow validity bitmap and null count of a 0/1 mask (`undefined`: all valid). */
export function bitmap(valid: Uint8Array | undefined, length: number): { nullCount: number; nullBitmap?: Uint8Array } {
  if (valid === undefined) return { nullCount: 0 };
  const nullBitmap = new Uint8Array((length + 7) >> 3);
  let n = 0;
  for (let i = 0; i < length; i++) {
    if (valid[i]) {
      nullBitmap[i >> 3]! |= 1 << (i & 7);
      n++;
    }
  }
  return n === length ? { nullCount: 0 } : { nullCount: length - n, nullBitmap };
}

/** A column of `length` slots whose valid slots (0/1 `valid`) take the compact `values` in order. */
export function placeValues(type: DataType, length: number, valid: Uint8Array | undefined, values: Values): Data {
  const nulls = bitmap(valid, length);
  const count = length - nulls.nullCount;
  if (values.t === 'bytes') {
    if (!(type instanceof Utf8 || type instanceof Binary)) throw new Error('byte values for a non-binary type');
    if (values.offsets.length - 1 !== count) throw new Error('value count does not match the levels');
    let offsets = values.offsets;
    if (nulls.nullCount > 0) {
      offsets = new Int32Array(length + 1);
      let k = 0;
      for (let i = 0; i < length; i++) {
        k += valid![i]!;
        offsets[i + 1] = values.offsets[k]!;
      }
    }
    return makeData({ type: type as Utf8, length, ...nulls, valueOffsets: offsets, data: values.bytes });
  }
  if (values.t === 'dict') {
    if (values.indexes.length !== count) throw new Error('value count does not match the levels');
    let indexes = values.indexes;
    if (nulls.nullCount > 0) {
      indexes = new Int32Array(length);
      let k = 0;
      for (let i = 0; i < length; i++) if (valid![i]) indexes[i] = values.indexes[k++]!;
    }
    return dictionaryData(type as Utf8, length, nulls, indexes, values.dictionary);
  }
  const w = values.w;
  if (values.words.length !== count * w) throw new Error('value count does not match the levels');
  let words = values.words;
  if (nulls.nullCount > 0) {
    words = new Int32Array(length * w);
    let k = 0;
    for (let i = 0; i < length; i++) {
      if (!valid![i]) continue;
      words[i * w] = values.words[k * w]!;
      if (w === 2) words[i * w + 1] = values.words[k * w + 1]!;
      k++;
    }
  }
  if (type instanceof Bool) return makeData({ type, length, ...nulls, data: packWordBits(words, length) });
  const ctor = (type as unknown as { ArrayType: new (b: ArrayBuffer, o: number, l: number) => ArrayLike<unknown> }).ArrayType;
  return makeData({ type: type as Int32, length, ...nulls, data: new ctor(words.buffer as ArrayBuffer, words.byteOffset, (length * w * 4) / bytesPer(type)) as Int32Array });
}
