/**
 * A pure-JS decoder for projected reads of small parquet files: Delta checkpoints, where a few
 * leaf columns of hundreds are wanted and most others are null on every row. hyparquet supplies
 * the footer, page headers, decompression and the RLE/bit-packed hybrid; this file turns the
 * wanted leaf columns straight into Arrow `Data` (no per-row objects), and skips a leaf entirely
 * when its footer statistics prove it null on every row. No wasm compilation, no worker start.
 *
 * Contract (see ParquetReadOptions.fieldPaths): the same projection as the parquet-wasm decoder
 * (`presentFieldPaths`: paths naming a field the file lacks are dropped, a path is cut where it
 * reaches a map, list or leaf), one RecordBatch per row group. Values read through the getters of
 * log/arrow-columns.ts equal those of the parquet-wasm decoder; types may differ where that is
 * invisible to them: a leaf proven all-null comes back as an Arrow `Null` column.
 *
 * Anything outside the supported subset throws {@link UnsupportedParquet}, and the caller decodes
 * the file with parquet-wasm instead: types other than boolean, signed int32/int64 (plain, date,
 * timestamp), float, double and binary/string; maps other than map<string,string>; lists other
 * than the 3-level list of a primitive; repeated fields elsewhere; encodings other than PLAIN,
 * dictionary and RLE booleans. Corrupt input may throw any error; the caller treats every error
 * the same way (the parquet-wasm decoder then reports the corruption).
 */
import { Binary, Bool, DateDay, Dictionary, Field, Float32, Float64, Int32, Int64, List, Map_, Null, RecordBatch, Schema, Struct, TimeUnit, Timestamp, Utf8, makeData, makeVector } from 'apache-arrow';
import type { Data, DataType } from 'apache-arrow';
import { parquetMetadata, parquetSchema } from 'hyparquet';
import type { ColumnMetaData, SchemaElement, SchemaTree } from 'hyparquet';
import { parquetHeader } from 'hyparquet/src/column.js';
import { decompressPage } from 'hyparquet/src/datapage.js';
import { readRleBitPackedHybrid } from 'hyparquet/src/encoding.js';
import { compressors } from 'hyparquet-compressors';

/** The file uses something this decoder does not handle; decode it with parquet-wasm. */
export class UnsupportedParquet extends Error {}

const unsupported = (what: string): never => {
  throw new UnsupportedParquet(what);
};

/** A leaf column to decode. `def`/`rep`: its maximum definition and repetition levels. */
interface Leaf {
  readonly kind: 'leaf';
  readonly element: SchemaElement;
  readonly column: number;
  readonly def: number;
  readonly rep: number;
  /** The Arrow type of its values; `undefined` when unsupported (fine only if proven all-null). */
  readonly type: DataType | undefined;
}

/** `def`: the definition level at which the node is non-null. */
type Node =
  | Leaf
  | { readonly kind: 'struct'; readonly def: number; readonly fields: readonly (readonly [string, Node])[]; readonly levels: Leaf }
  | { readonly kind: 'map'; readonly def: number; readonly entryDef: number; readonly key: Leaf; readonly value: Leaf }
  | { readonly kind: 'list'; readonly def: number; readonly entryDef: number; readonly element: Leaf };

/** A selection under a node: everything, or some fields of a struct. */
type Selection = true | Map<string, Selection>;

/**
 * Decodes the `fieldPaths` of a parquet file held in `bytes` into record batches, one per row
 * group. Throws {@link UnsupportedParquet} (or any error on corrupt input): see the file comment.
 */
export function decodeProjectedJs(bytes: Uint8Array, fieldPaths: readonly (readonly string[])[]): RecordBatch[] {
  const metadata = parquetMetadata(bytes);
  if (metadata.row_groups.length === 0) return []; // no rows (a checkpoint part may be empty)
  const root = parquetSchema(metadata);
  const selection = selectPaths(root, fieldPaths);
  const columns = new Map<string, number>();
  metadata.row_groups[0]?.columns.forEach((c, i) => columns.set((c.meta_data?.path_in_schema ?? []).join('\u0000'), i));
  const top: [string, Node][] = [];
  for (const [name, sel] of selection) {
    const tree = root.children.find((c) => c.element.name === name)!;
    top.push([name, planNode(tree, sel, 0, 0, columns)]);
  }
  const fields = top.map(([name]) => name);
  const batches: RecordBatch[] = [];
  for (const group of metadata.row_groups) {
    const rows = Number(group.num_rows);
    const cache = new Map<Leaf, LeafData>();
    const metaOf = (leaf: Leaf): ColumnMetaData => group.columns[leaf.column]?.meta_data ?? unsupported('column chunk without metadata');
    const source: LeafSource = {
      data(leaf: Leaf, levelsOnly: boolean): LeafData {
        const meta = metaOf(leaf);
        if (!levelsOnly && leaf.type === undefined) unsupported(`type of ${meta.path_in_schema.join('.')}`);
        let d = cache.get(leaf);
        if (d === undefined) cache.set(leaf, (d = decodeLeaf(bytes, meta, leaf)));
        return d;
      },
      absent: (leaf: Leaf, def: number) => provenAbsent(metaOf(leaf), leaf, def, rows),
    };
    const children = top.map(([, node]) => assemble(node, rows, source));
    const schemaFields = children.map((d, i) => new Field(fields[i]!, d.type, true));
    const data = makeData({ type: new Struct(schemaFields), length: rows, nullCount: 0, children });
    batches.push(new RecordBatch(new Schema(schemaFields), data));
  }
  return batches;
}

// ---------------------------------------------------------------------------------------------
// Projection and plan

/** The wanted top-level columns and fields, with the semantics of `presentFieldPaths`. */
function selectPaths(root: SchemaTree, paths: readonly (readonly string[])[]): Map<string, Selection> {
  const out = new Map<string, Selection>();
  for (const path of paths) {
    const trees: SchemaTree[] = [];
    let children = root.children;
    let present = true;
    for (const name of path) {
      const tree = children.find((c) => c.element.name === name);
      if (tree === undefined) {
        present = false;
        break;
      }
      trees.push(tree);
      if (!isStruct(tree)) break;
      children = tree.children;
    }
    if (!present || trees.length === 0) continue;
    // Mark trees[0..last] as a chain, the last one wholly selected.
    let level: Map<string, Selection> = out;
    for (let i = 0; i < trees.length; i++) {
      const name = trees[i]!.element.name;
      const existing = level.get(name);
      if (existing === true) break;
      if (i === trees.length - 1) {
        level.set(name, true);
        break;
      }
      const next = existing ?? new Map<string, Selection>();
      level.set(name, next);
      level = next;
    }
  }
  return out;
}

const isStruct = (t: SchemaTree): boolean => t.children.length > 0 && !isMap(t) && !isList(t);
const isMap = (t: SchemaTree): boolean =>
  t.element.converted_type === 'MAP' || t.element.converted_type === 'MAP_KEY_VALUE' || t.element.logical_type?.type === 'MAP';
const isList = (t: SchemaTree): boolean => t.element.converted_type === 'LIST' || t.element.logical_type?.type === 'LIST';

function planNode(tree: SchemaTree, sel: Selection, parentDef: number, parentRep: number, columns: ReadonlyMap<string, number>): Node {
  const rt = tree.element.repetition_type;
  if (rt === 'REPEATED') unsupported(`repeated field ${tree.path.join('.')} outside a list or map`);
  const def = parentDef + (rt === 'OPTIONAL' ? 1 : 0);
  if (tree.children.length === 0) return planLeaf(tree, def, parentRep, columns);
  if (isMap(tree)) {
    const kv = tree.children[0];
    if (tree.children.length !== 1 || kv === undefined || kv.element.repetition_type !== 'REPEATED' || kv.children.length !== 2) unsupported('map layout');
    const [k, v] = kv!.children as [SchemaTree, SchemaTree];
    if (k.children.length > 0 || v.children.length > 0) unsupported('map of nested values');
    const entryDef = def + 1;
    const key = planLeaf(k, entryDef + (k.element.repetition_type === 'OPTIONAL' ? 1 : 0), parentRep + 1, columns);
    const value = planLeaf(v, entryDef + (v.element.repetition_type === 'OPTIONAL' ? 1 : 0), parentRep + 1, columns);
    if (!isStringType(key.type) || !isStringType(value.type)) unsupported('map of non-string keys or values');
    return { kind: 'map', def, entryDef, key, value };
  }
  if (isList(tree)) {
    const list = tree.children[0];
    const el = list?.children[0];
    if (tree.children.length !== 1 || list === undefined || list.element.repetition_type !== 'REPEATED' || list.children.length !== 1 || el === undefined || el.children.length > 0) {
      unsupported('list layout');
    }
    const entryDef = def + 1;
    const element = planLeaf(el!, entryDef + (el!.element.repetition_type === 'OPTIONAL' ? 1 : 0), parentRep + 1, columns);
    if (element.type === undefined) unsupported('list of an unsupported type');
    return { kind: 'list', def, entryDef, element };
  }
  const fields: [string, Node][] = [];
  for (const child of tree.children) {
    const childSel = sel === true ? true : sel.get(child.element.name);
    if (childSel === undefined) continue;
    fields.push([child.element.name, planNode(child, childSel, def, parentRep, columns)]);
  }
  const first = fields[0]?.[1] ?? planNode(tree.children[0]!, true, def, parentRep, columns);
  return { kind: 'struct', def, fields, levels: firstLeaf(first) };
}

const isStringType = (t: DataType | undefined): boolean => t instanceof Utf8 || t instanceof Binary;

function firstLeaf(node: Node): Leaf {
  switch (node.kind) {
    case 'leaf':
      return node;
    case 'struct':
      return node.levels;
    case 'map':
      return node.key;
    case 'list':
      return node.element;
  }
}

function planLeaf(tree: SchemaTree, def: number, rep: number, columns: ReadonlyMap<string, number>): Leaf {
  const column = columns.get(tree.path.join('\u0000'));
  if (column === undefined) unsupported(`no column chunk for ${tree.path.join('.')}`);
  if (def > 255 || rep > 255) unsupported('nesting too deep');
  return { kind: 'leaf', element: tree.element, column: column!, def, rep, type: leafType(tree.element) };
}

/** The Arrow type a leaf is read as, matching what parquet-wasm produces where it matters. */
function leafType(el: SchemaElement): DataType | undefined {
  const logical = el.logical_type;
  const converted = el.converted_type;
  switch (el.type) {
    case 'BOOLEAN':
      return logical || converted ? undefined : new Bool();
    case 'INT32':
      if (logical?.type === 'DATE' || converted === 'DATE') return new DateDay();
      if (logical?.type === 'INTEGER') return logical.isSigned ? new Int32() : undefined;
      if (converted === 'INT_8' || converted === 'INT_16' || converted === 'INT_32') return new Int32();
      return logical || converted ? undefined : new Int32();
    case 'INT64':
      if (logical?.type === 'TIMESTAMP') return new Timestamp(TIME_UNITS[logical.unit], logical.isAdjustedToUTC ? 'UTC' : null);
      if (converted === 'TIMESTAMP_MILLIS') return new Timestamp(TimeUnit.MILLISECOND, 'UTC');
      if (converted === 'TIMESTAMP_MICROS') return new Timestamp(TimeUnit.MICROSECOND, 'UTC');
      if (logical?.type === 'INTEGER') return logical.isSigned ? new Int64() : undefined;
      if (converted === 'INT_64') return new Int64();
      return logical || converted ? undefined : new Int64();
    case 'FLOAT':
      return logical || converted ? undefined : new Float32();
    case 'DOUBLE':
      return logical || converted ? undefined : new Float64();
    case 'BYTE_ARRAY':
      if (logical?.type === 'STRING' || logical?.type === 'ENUM' || logical?.type === 'JSON') return new Utf8();
      if (converted === 'UTF8' || converted === 'ENUM' || converted === 'JSON') return new Utf8();
      return logical || converted ? undefined : new Binary();
    default:
      return undefined;
  }
}

const TIME_UNITS = { MILLIS: TimeUnit.MILLISECOND, MICROS: TimeUnit.MICROSECOND, NANOS: TimeUnit.NANOSECOND } as const;

// ---------------------------------------------------------------------------------------------
// Leaf decoding

/** Non-null values of a leaf, in level order. */
type Values =
  | { readonly t: 'bytes'; readonly offsets: Int32Array; readonly bytes: Uint8Array }
  /** Strings whose every page was dictionary-encoded: value `k` is `dictionary[indexes[k]]`. */
  | { readonly t: 'dict'; readonly dictionary: ByteValues; readonly indexes: Int32Array }
  | { readonly t: 'fixed'; readonly values: Int32Array | BigInt64Array | Float32Array | Float64Array | Uint8Array };

/** One leaf column of one row group: its levels (one entry per value slot) and non-null values. */
interface LeafData {
  readonly n: number;
  /** Definition levels; `undefined` when every slot is at the maximum (a required leaf). */
  readonly def: Uint8Array | undefined;
  readonly rep: Uint8Array | undefined;
  readonly values: Values;
}

/**
 * True when the footer proves that no level of `leaf` in this chunk reaches definition level
 * `def`, so the node defined at `def` (the leaf itself, or a struct, map or list above it) is null
 * on every row. From the definition level histogram when the writer stored one; else, for a
 * non-repeated leaf and its own level only, from a null count equal to the row count. (A null
 * count cannot prove more: it does not tell which ancestor is null, nor an empty map or list from
 * a null one.)
 */
function provenAbsent(meta: ColumnMetaData, leaf: Leaf, def: number, rows: number): boolean {
  const histogram = meta.size_statistics?.definition_level_histogram;
  if (histogram !== undefined && histogram.length === leaf.def + 1) {
    let total = 0;
    let reaching = 0;
    for (let d = 0; d < histogram.length; d++) {
      total += Number(histogram[d]);
      if (d >= def) reaching += Number(histogram[d]);
    }
    if (total === Number(meta.num_values)) return reaching === 0;
  }
  const nullCount = meta.statistics?.null_count;
  return def === leaf.def && leaf.rep === 0 && nullCount !== undefined && Number(nullCount) === rows && Number(meta.num_values) === rows;
}

/**
 * Decodes one column chunk: all its levels, and its values when its type is supported (a leaf of
 * another type only serves as the source of its parents' validity).
 */
function decodeLeaf(bytes: Uint8Array, meta: ColumnMetaData, leaf: Leaf): LeafData {
  const n = Number(meta.num_values);
  const withValues = leaf.type !== undefined;
  const def = leaf.def > 0 ? new Uint8Array(n) : undefined;
  const rep = leaf.rep > 0 ? new Uint8Array(n) : undefined;
  const collector = new ValueCollector(leaf.element, meta.type);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dictOffset = meta.dictionary_page_offset === undefined ? undefined : Number(meta.dictionary_page_offset);
  const dataOffset = Number(meta.data_page_offset);
  const start = dictOffset !== undefined && dictOffset > 0 && dictOffset < dataOffset ? dictOffset : dataOffset;
  const end = start + Number(meta.total_compressed_size);
  const reader = { view, offset: start };
  let filled = 0;
  while (filled < n) {
    if (reader.offset >= end) throw new Error(`column ${meta.path_in_schema.join('.')} ends after ${filled} of ${n} values`);
    const header = parquetHeader(reader);
    const body = bytes.subarray(reader.offset, reader.offset + header.compressed_page_size);
    reader.offset += header.compressed_page_size;
    if (header.type === 'DICTIONARY_PAGE') {
      if (!withValues) continue;
      const page = decompressPage(body, header.uncompressed_page_size, meta.codec, compressors);
      collector.dictionaryPage(page, header.dictionary_page_header!.num_values);
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
      page = decompressPage(body, header.uncompressed_page_size, meta.codec, compressors);
      const r = { view: new DataView(page.buffer, page.byteOffset, page.byteLength), offset: 0 };
      if (rep) {
        if (h.repetition_level_encoding !== 'RLE') unsupported(`repetition level encoding ${h.repetition_level_encoding}`);
        readRleBitPackedHybrid(r, bitWidth(leaf.rep), rep.subarray(filled, filled + count));
      }
      if (def) {
        if (h.definition_level_encoding !== 'RLE') unsupported(`definition level encoding ${h.definition_level_encoding}`);
        readRleBitPackedHybrid(r, bitWidth(leaf.def), def.subarray(filled, filled + count));
      }
      pos = r.offset;
    } else if (header.type === 'DATA_PAGE_V2') {
      const h = header.data_page_header_v2!;
      count = h.num_values;
      encoding = h.encoding;
      const r = { view: new DataView(body.buffer, body.byteOffset, body.byteLength), offset: 0 };
      if (rep) readRleBitPackedHybrid(r, bitWidth(leaf.rep), rep.subarray(filled, filled + count), h.repetition_levels_byte_length);
      r.offset = h.repetition_levels_byte_length;
      if (def) readRleBitPackedHybrid(r, bitWidth(leaf.def), def.subarray(filled, filled + count), h.definition_levels_byte_length);
      const levelBytes = h.repetition_levels_byte_length + h.definition_levels_byte_length;
      const rest = body.subarray(levelBytes);
      page = h.is_compressed === false ? rest : decompressPage(rest, header.uncompressed_page_size - levelBytes, meta.codec, compressors);
    } else {
      continue; // index pages
    }
    if (count > n - filled) throw new Error(`column ${meta.path_in_schema.join('.')} has more values than its metadata says`);
    let present = count;
    if (def) {
      present = 0;
      for (let i = filled; i < filled + count; i++) if (def[i] === leaf.def) present++;
    }
    filled += count;
    if (present > 0 && withValues) collector.page(page, pos, present, encoding);
  }
  return { n, def, rep, values: collector.finish(leaf.type instanceof Utf8) };
}

function bitWidth(max: number): number {
  return 32 - Math.clz32(max);
}

/** Byte array values: value `k` is `bytes[offsets[k] .. offsets[k + 1])`. */
interface ByteValues {
  readonly offsets: Int32Array;
  readonly bytes: Uint8Array;
}

type NumericArray = Int32Array | BigInt64Array | Float32Array | Float64Array;

/** One data page's values: PLAIN-decoded, or dictionary indexes. */
type PageValues = { readonly plain: ByteValues | NumericArray | Uint8Array } | { readonly indexes: Int32Array };

/** Gathers the non-null values of a column chunk page by page. */
class ValueCollector {
  readonly #pages: PageValues[] = [];
  #dictionary: ByteValues | NumericArray | Uint8Array | undefined;
  constructor(
    private readonly element: SchemaElement,
    private readonly type: string,
  ) {}

  dictionaryPage(page: Uint8Array, count: number): void {
    this.#dictionary = this.#plain(page, 0, count);
  }

  /** `count` PLAIN values at `page[pos..]`. */
  #plain(page: Uint8Array, pos: number, count: number): ByteValues | NumericArray | Uint8Array {
    switch (this.type) {
      case 'BYTE_ARRAY':
        return plainByteArrays(page, pos, count);
      case 'BOOLEAN': {
        if (pos + ((count + 7) >> 3) > page.length) throw new Error('values run past the page');
        const out = new Uint8Array(count);
        for (let k = 0; k < count; k++) out[k] = (page[pos + (k >> 3)]! >> (k & 7)) & 1;
        return out;
      }
      case 'INT32':
      case 'FLOAT':
      case 'INT64':
      case 'DOUBLE': {
        const width = this.type === 'INT32' || this.type === 'FLOAT' ? 4 : 8;
        if (pos + count * width > page.length) throw new Error('values run past the page');
        // An aligned copy (Uint8Array's slice: a Node Buffer's own slice would be a view).
        const b = Uint8Array.prototype.slice.call(page, pos, pos + count * width).buffer;
        return this.type === 'INT32' ? new Int32Array(b) : this.type === 'FLOAT' ? new Float32Array(b) : this.type === 'INT64' ? new BigInt64Array(b) : new Float64Array(b);
      }
      default:
        return unsupported(`physical type ${this.type} of ${this.element.name}`);
    }
  }

  /** The `count` non-null values of one data page. */
  page(page: Uint8Array, pos: number, count: number, encoding: string): void {
    if (encoding === 'PLAIN') {
      this.#pages.push({ plain: this.#plain(page, pos, count) });
      return;
    }
    const view = new DataView(page.buffer, page.byteOffset, page.byteLength);
    if (encoding === 'RLE' && this.type === 'BOOLEAN') {
      const out = new Uint8Array(count);
      readRleBitPackedHybrid({ view, offset: pos }, 1, out);
      this.#pages.push({ plain: out });
      return;
    }
    if (encoding !== 'RLE_DICTIONARY' && encoding !== 'PLAIN_DICTIONARY') unsupported(`encoding ${encoding}`);
    if (this.#dictionary === undefined) throw new Error('dictionary-encoded page without a dictionary');
    const width = page[pos]!;
    const indexes = new Int32Array(count);
    if (width > 0) readRleBitPackedHybrid({ view, offset: pos + 1 }, width, indexes, page.length - pos - 1);
    const size = valueCount(this.#dictionary);
    for (let k = 0; k < count; k++) if (indexes[k]! >= size) throw new Error('dictionary index out of range');
    this.#pages.push({ indexes });
  }

  /** All values; strings stay dictionary-encoded when every page was (`keepDictionary`). */
  finish(keepDictionary: boolean): Values {
    const pages = this.#pages;
    const dict = this.#dictionary;
    if (this.type === 'BYTE_ARRAY') {
      if (keepDictionary && pages.length > 0 && pages.every((p) => 'indexes' in p)) {
        return { t: 'dict', dictionary: dict as ByteValues, indexes: concatIndexes(pages as { indexes: Int32Array }[]) };
      }
      if (pages.length === 1 && 'plain' in pages[0]!) return { t: 'bytes', ...(pages[0].plain as ByteValues) };
      return { t: 'bytes', ...concatBytes(pages, dict as ByteValues | undefined) };
    }
    if (pages.length === 1 && 'plain' in pages[0]!) return { t: 'fixed', values: pages[0].plain as NumericArray | Uint8Array };
    return { t: 'fixed', values: concatFixed(pages, dict as NumericArray | Uint8Array | undefined, this.type) };
  }
}

function valueCount(v: ByteValues | NumericArray | Uint8Array): number {
  return 'offsets' in v ? v.offsets.length - 1 : v.length;
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

function concatIndexes(pages: readonly { indexes: Int32Array }[]): Int32Array {
  if (pages.length === 1) return pages[0]!.indexes;
  let n = 0;
  for (const p of pages) n += p.indexes.length;
  const out = new Int32Array(n);
  let k = 0;
  for (const p of pages) {
    out.set(p.indexes, k);
    k += p.indexes.length;
  }
  return out;
}

/** Byte values of all pages in order, dictionary pages resolved. */
function concatBytes(pages: readonly PageValues[], dict: ByteValues | undefined): ByteValues {
  let count = 0;
  let size = 0;
  for (const p of pages) {
    if ('plain' in p) {
      const v = p.plain as ByteValues;
      count += v.offsets.length - 1;
      size += v.bytes.length;
    } else {
      count += p.indexes.length;
      const d = dict!.offsets;
      for (let k = 0; k < p.indexes.length; k++) size += d[p.indexes[k]! + 1]! - d[p.indexes[k]!]!;
    }
  }
  const offsets = new Int32Array(count + 1);
  const bytes = new Uint8Array(size);
  let k = 0;
  let pos = 0;
  for (const p of pages) {
    if ('plain' in p) {
      const v = p.plain as ByteValues;
      const o = v.offsets;
      for (let i = 1; i < o.length; i++) offsets[++k] = pos + o[i]!;
      bytes.set(v.bytes, pos);
      pos += v.bytes.length;
    } else {
      const d = dict!.offsets;
      const b = dict!.bytes;
      const idx = p.indexes;
      for (let i = 0; i < idx.length; i++) {
        const from = d[idx[i]!]!;
        const len = d[idx[i]! + 1]! - from;
        copyBytes(b, from, bytes, pos, len);
        pos += len;
        offsets[++k] = pos;
      }
    }
  }
  return { offsets, bytes };
}

/** Fixed-width values of all pages in order, dictionary pages resolved. */
function concatFixed(pages: readonly PageValues[], dict: NumericArray | Uint8Array | undefined, type: string): NumericArray | Uint8Array {
  const ctor = type === 'INT32' ? Int32Array : type === 'INT64' ? BigInt64Array : type === 'FLOAT' ? Float32Array : type === 'DOUBLE' ? Float64Array : Uint8Array;
  let n = 0;
  for (const p of pages) n += 'plain' in p ? (p.plain as NumericArray).length : p.indexes.length;
  const out = new ctor(n);
  let k = 0;
  for (const p of pages) {
    if ('plain' in p) {
      const v = p.plain as NumericArray | Uint8Array;
      (out as Uint8Array).set(v as Uint8Array, k);
      k += v.length;
    } else {
      if (out instanceof Uint8Array) gatherU8(dict as Uint8Array, out.subarray(k), p.indexes);
      // 32-bit words: no BigInt per value, and float NaN payloads are kept bit for bit.
      else gatherWords(words(dict as NumericArray), words(out).subarray(k * (out.BYTES_PER_ELEMENT >> 2)), out.BYTES_PER_ELEMENT >> 2, p.indexes);
      k += p.indexes.length;
    }
  }
  return out;
}

function gatherU8(src: Uint8Array, out: Uint8Array, indexes: Int32Array): void {
  for (let k = 0; k < indexes.length; k++) out[k] = src[indexes[k]!]!;
}

/** `out[k] = src[indexes[k]]` over values of `w` 32-bit words each. */
function gatherWords(src: Int32Array, out: Int32Array, w: number, indexes: Int32Array): void {
  const n = indexes.length;
  if (w === 1) {
    for (let k = 0; k < n; k++) out[k] = src[indexes[k]!]!;
    return;
  }
  for (let k = 0; k < n; k++) {
    const i = indexes[k]!;
    out[2 * k] = src[2 * i]!;
    out[2 * k + 1] = src[2 * i + 1]!;
  }
}

/** Copies `len` bytes; short runs byte by byte (a subarray per value would cost more). */
function copyBytes(src: Uint8Array, from: number, dst: Uint8Array, to: number, len: number): void {
  if (len > 64) {
    dst.set(src.subarray(from, from + len), to);
    return;
  }
  for (let b = 0; b < len; b++) dst[to + b] = src[from + b]!;
}

/** The 32-bit words of a numeric array (two per 64-bit value). */
function words(a: Int32Array | BigInt64Array | Float32Array | Float64Array): Int32Array {
  return a instanceof Int32Array ? a : new Int32Array(a.buffer, a.byteOffset, a.byteLength >> 2);
}

// ---------------------------------------------------------------------------------------------
// Assembly into Arrow

/** The row group's leaves: decoded on first use (`levelsOnly`: values may be missing), or proven absent. */
interface LeafSource {
  data(leaf: Leaf, levelsOnly: boolean): LeafData;
  absent(leaf: Leaf, def: number): boolean;
}

const nullColumn = (rows: number): Data => makeData({ type: new Null(), length: rows });

function assemble(node: Node, rows: number, source: LeafSource): Data {
  switch (node.kind) {
    case 'leaf': {
      if (source.absent(node, node.def)) return nullColumn(rows);
      const d = source.data(node, false);
      if (d.n !== rows) throw new Error('a leaf column has a different row count than its row group');
      const valid = d.def === undefined ? undefined : levelMask(d.def, node.def);
      return denseLeaf(node.type!, rows, valid, d.values);
    }
    case 'struct': {
      if (source.absent(node.levels, node.def)) return nullColumn(rows);
      const valid = validityAt(source.data(node.levels, true), node.def, rows);
      // A struct null on every row reads like a Null column (no getter looks below a null row).
      if (valid !== undefined && !valid.includes(1)) return nullColumn(rows);
      const children = node.fields.map(([, child]) => assemble(child, rows, source));
      const type = new Struct(node.fields.map(([name], i) => new Field(name, children[i]!.type, true)));
      return makeData({ type, length: rows, ...bitmap(valid, rows), children });
    }
    case 'map':
    case 'list':
      return assembleRepeated(node, rows, source);
  }
}

/** Row validity from the levels of any leaf under the node: a row is valid when its first level reaches `def`. */
function validityAt(d: LeafData, def: number, rows: number): Uint8Array | undefined {
  if (d.def === undefined || def === 0) return undefined;
  const out = new Uint8Array(rows);
  const defs = d.def;
  const reps = d.rep;
  let r = -1;
  if (reps === undefined) {
    if (d.n !== rows) throw new Error('a column has a different row count than its row group');
    for (let j = 0; j < rows; j++) out[j] = defs[j]! >= def ? 1 : 0;
    return out;
  }
  for (let j = 0; j < d.n; j++) {
    if (reps[j] !== 0) continue;
    if (++r >= rows) throw new Error('more rows in a column than in its row group');
    out[r] = defs[j]! >= def ? 1 : 0;
  }
  if (r !== rows - 1) throw new Error('fewer rows in a column than in its row group');
  return out;
}

function levelMask(def: Uint8Array, max: number): Uint8Array {
  const out = new Uint8Array(def.length);
  for (let i = 0; i < def.length; i++) out[i] = def[i] === max ? 1 : 0;
  return out;
}

/** A map or list: offsets from the repetition levels of its key (element), entries from the values. */
function assembleRepeated(node: Extract<Node, { kind: 'map' | 'list' }>, rows: number, source: LeafSource): Data {
  const first = node.kind === 'map' ? node.key : node.element;
  if (source.absent(first, node.def)) return nullColumn(rows);
  const d = source.data(first, false);
  if (d.rep === undefined || d.def === undefined) throw new Error('levels were not decoded');
  const offsets = new Int32Array(rows + 1);
  const valid = new Uint8Array(rows);
  const entryValid = new Uint8Array(d.n);
  const defs = d.def;
  const reps = d.rep;
  const entryDef = node.entryDef;
  const nodeDef = node.def;
  const leafDef = first.def;
  let r = -1;
  let entries = 0;
  for (let j = 0; j < d.n; j++) {
    const def = defs[j]!;
    if (reps[j] === 0) {
      if (++r >= rows) throw new Error('more rows in a column than in its row group');
      valid[r] = def >= nodeDef ? 1 : 0;
    } else if (r < 0) throw new Error('a column starts inside a row');
    if (def >= entryDef) entryValid[entries++] = def === leafDef ? 1 : 0;
    offsets[r + 1] = entries;
  }
  if (r !== rows - 1) throw new Error('fewer rows in a column than in its row group');
  if (entries === 0 && !valid.includes(1)) return nullColumn(rows);
  const firstData = denseLeaf(first.type!, entries, entryValid.subarray(0, entries), d.values);
  let child: Data;
  let type: DataType;
  if (node.kind === 'list') {
    type = new List(new Field('element', firstData.type, true));
    child = firstData;
  } else {
    const v = source.data(node.value, false);
    if (v.def === undefined || v.n !== d.n) throw new Error('map keys and values differ in length');
    const valueValid = new Uint8Array(entries);
    const vDefs = v.def;
    const valueDef = node.value.def;
    let e = 0;
    for (let j = 0; j < v.n; j++) {
      const def = vDefs[j]!;
      if (def >= entryDef && e < entries) valueValid[e++] = def === valueDef ? 1 : 0;
    }
    if (e !== entries) throw new Error('map keys and values differ in length');
    const values = denseLeaf(node.value.type!, entries, valueValid, v.values);
    const entryType = new Struct([new Field('key', firstData.type, false), new Field('value', values.type, true)]);
    child = makeData({ type: entryType, length: entries, nullCount: 0, children: [firstData, values] });
    type = new Map_(new Field('entries', entryType, false), false);
  }
  return makeData({ type: type as Map_, length: rows, ...bitmap(valid, rows), valueOffsets: offsets, child });
}

/** Arrow validity bitmap and null count of a 0/1 mask (`undefined`: all valid). */
function bitmap(valid: Uint8Array | undefined, length: number): { nullCount: number; nullBitmap?: Uint8Array } {
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

/** Bit-packs compact 0/1 `values` into the valid slots of `length`. */
function packBits(values: Uint8Array, valid: Uint8Array | undefined, length: number): Uint8Array {
  const bits = new Uint8Array((length + 7) >> 3);
  let k = 0;
  for (let i = 0; i < length; i++) {
    if (valid !== undefined && !valid[i]) continue;
    if (values[k++]) bits[i >> 3]! |= 1 << (i & 7);
  }
  return bits;
}

/** Puts the compact values of `src` (`w` words each) at the valid slots of `out`. */
function scatterWords(src: Int32Array, out: Int32Array, w: number, valid: Uint8Array): void {
  let k = 0;
  if (w === 1) {
    for (let i = 0; i < valid.length; i++) if (valid[i]) out[i] = src[k++]!;
    return;
  }
  for (let i = 0; i < valid.length; i++) {
    if (!valid[i]) continue;
    out[2 * i] = src[2 * k]!;
    out[2 * i + 1] = src[2 * k + 1]!;
    k++;
  }
}

/** A leaf of `length` slots whose valid slots take the compact `values` in order. */
function denseLeaf(type: DataType, length: number, valid: Uint8Array | undefined, values: Values): Data {
  const nulls = bitmap(valid, length);
  if (values.t === 'bytes') {
    if (!(type instanceof Utf8 || type instanceof Binary)) throw new Error('byte values for a non-binary type');
    const src = values.offsets;
    let offsets = src;
    let k = length;
    if (valid !== undefined && nulls.nullCount > 0) {
      offsets = new Int32Array(length + 1);
      k = 0;
      for (let i = 0; i < length; i++) {
        k += valid[i]!;
        offsets[i + 1] = src[k]!;
      }
    }
    if (k !== src.length - 1) throw new Error('value count does not match the levels');
    return makeData({ type: type as Utf8, length, ...nulls, valueOffsets: offsets, data: values.bytes });
  }
  if (values.t === 'dict') {
    const dictionary = makeVector(makeData({ type: type as Utf8, length: values.dictionary.offsets.length - 1, nullCount: 0, valueOffsets: values.dictionary.offsets, data: values.dictionary.bytes }));
    let indexes = values.indexes;
    const count = valid === undefined ? length : length - nulls.nullCount;
    if (count !== indexes.length) throw new Error('value count does not match the levels');
    if (valid !== undefined && nulls.nullCount > 0) {
      const out = new Int32Array(length);
      scatterWords(indexes, out, 1, valid);
      indexes = out;
    }
    return makeData({ type: new Dictionary(type as Utf8, new Int32()), length, ...nulls, data: indexes, dictionary });
  }
  const src = values.values;
  const count = valid === undefined ? length : length - nulls.nullCount;
  if (count !== src.length) throw new Error('value count does not match the levels');
  if (type instanceof Bool) return makeData({ type, length, ...nulls, data: packBits(src as Uint8Array, valid, length) });
  let data = src;
  if (valid !== undefined && nulls.nullCount > 0) {
    const out = new (src.constructor as new (n: number) => Exclude<typeof src, Uint8Array>)(length);
    scatterWords(words(src as Exclude<typeof src, Uint8Array>), words(out), out.BYTES_PER_ELEMENT >> 2, valid);
    data = out;
  }
  return makeData({ type: type as Int32, length, ...nulls, data: data as Int32Array });
}
