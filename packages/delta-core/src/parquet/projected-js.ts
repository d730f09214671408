/**
 * A pure-JS decoder for projected reads of small parquet files: Delta checkpoints, where a few
 * leaf columns of hundreds are wanted and most others are null on every row. hyparquet supplies
 * the footer, page headers, decompression and the RLE/bit-packed hybrid; this file turns the
 * wanted leaf columns straight into Arrow `Data` (no per-row objects), and skips a leaf entirely
 * when its footer statistics prove it null on every row. No wasm compilation, no worker start.
 *
 * Contract (see ParquetReadOptions.fieldPaths): the same projection as the parquet-wasm decoder
 * (`presentFieldPaths`: paths naming a field the file lacks are dropped, a path is cut where it
 * reaches a map, list or leaf), batches in file order. Values read through the getters of
 * log/arrow-columns.ts equal those of the parquet-wasm decoder; the shapes may differ where that
 * is invisible to them: a field null on every row of a batch comes back as an Arrow `Null`
 * column, strings whose pages are all dictionary-encoded as Arrow dictionaries, and a row group
 * in several batches when a column is non-null on a short span of it only (see decodeRowGroup).
 *
 * Anything outside the supported subset throws {@link UnsupportedParquet}, and the caller decodes
 * the file with parquet-wasm instead: types other than boolean, signed int32/int64 (plain, date,
 * timestamp), float, double and binary/string; maps other than map<string,string>; lists other
 * than the 3-level list of a primitive; repeated fields elsewhere; encodings other than PLAIN,
 * dictionary and RLE booleans. Corrupt input may throw any error; the caller treats every error
 * the same way (the parquet-wasm decoder then reports the corruption).
 */
import { Binary, Bool, DateDay, Field, Float32, Float64, Int32, Int64, List, Map_, Null, RecordBatch, Schema, Struct, TimeUnit, Timestamp, Utf8, makeData } from 'apache-arrow';
import type { Data, DataType } from 'apache-arrow';
import { parquetMetadata, parquetSchema } from 'hyparquet';
import type { ColumnChunk, ColumnMetaData, SchemaElement, SchemaTree } from 'hyparquet';
import { bitmap, decodeChunk, placeValues, unsupported } from './projected-js-chunk.js';
import type { ChunkLeaf, DecodeMode, LeafData, Values } from './projected-js-chunk.js';

export { UnsupportedParquet } from './projected-js-chunk.js';

/**
 * A leaf column to decode (`def`/`rep`: its maximum definition and repetition levels; `type`
 * undefined when unsupported, fine only as a source of levels or when proven all-null).
 */
interface Leaf extends ChunkLeaf {
  readonly kind: 'leaf';
  readonly column: number;
  /** Asked for (not only a struct's source of levels). */
  readonly selected: boolean;
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
  const batches: RecordBatch[] = [];
  for (const group of metadata.row_groups) batches.push(...decodeRowGroup(bytes, group.columns, Number(group.num_rows), top));
  return batches;
}

/** Below this many rows a row group is decoded in one piece. */
const NARROW_MIN_ROWS = 4096;

/**
 * One row group's batches. A top-level column non-null on a short span of rows only (a
 * checkpoint's protocol and metaData among 300k adds) is built over that span alone: the row group
 * is cut into batches at the span ends, and the column is a Null column in the others. Every
 * other column is built whole once and sliced (zero-copy) into the batches.
 */
function decodeRowGroup(bytes: Uint8Array, chunks: readonly ColumnChunk[], rows: number, top: readonly (readonly [string, Node])[]): RecordBatch[] {
  const cache = new Map<Leaf, LeafData>();
  const levelsCache = new Map<Leaf, LeafData>();
  const metaOf = (leaf: Leaf): ColumnMetaData => chunks[leaf.column]?.meta_data ?? unsupported('column chunk without metadata');
  const rowStarts = new Map<Leaf, Int32Array>();
  const source: LeafSource = {
    data(leaf: Leaf, levelsOnly: boolean, compact: boolean): LeafData {
      const meta = metaOf(leaf);
      const full: DecodeMode = compact || leaf.rep > 0 ? 'compact' : 'dense';
      // A selected leaf read for levels is decoded whole at once: its values are wanted next.
      const wantValues = !levelsOnly || (leaf.selected && leaf.type !== undefined && !provenAbsent(meta, leaf, leaf.def, rows));
      let d = cache.get(leaf);
      if (d === undefined || (wantValues && d.mode !== full)) cache.set(leaf, (d = decodeChunk(bytes, meta, leaf, wantValues ? full : 'levels')));
      return d;
    },
    levels(leaf: Leaf): LeafData {
      let d = cache.get(leaf) ?? levelsCache.get(leaf);
      if (d === undefined) levelsCache.set(leaf, (d = decodeChunk(bytes, metaOf(leaf), leaf, 'levels')));
      return d;
    },
    absent: (leaf: Leaf, def: number) => provenAbsent(metaOf(leaf), leaf, def, rows),
    reaching: (leaf: Leaf, def: number) => levelsReaching(metaOf(leaf), leaf, def),
    rowStarts(leaf: Leaf, d: LeafData): Int32Array {
      let starts = rowStarts.get(leaf);
      if (starts === undefined) rowStarts.set(leaf, (starts = rowStartsOf(d, rows)));
      return starts;
    },
  };
  const plans = top.map(([, node]): { kind: 'null' | 'wide' } | { kind: 'narrow'; from: number; to: number } => {
    const levels = firstLeaf(node);
    if (source.absent(levels, node.def)) return { kind: 'null' };
    if (rows < NARROW_MIN_ROWS) return { kind: 'wide' };
    const reaching = source.reaching(levels, node.def);
    if (reaching !== undefined && reaching * 8 > rows) return { kind: 'wide' }; // known without decoding
    const d = source.levels(levels);
    const span = rowSpan(d, node.def, rows, d.rep === undefined ? undefined : source.rowStarts(levels, d));
    if (span === undefined) return { kind: 'null' };
    return (span.to - span.from) * 8 <= rows ? { kind: 'narrow', ...span } : { kind: 'wide' };
  });
  const cuts = new Set([0, rows]);
  for (const p of plans) if (p.kind === 'narrow') cuts.add(p.from).add(p.to);
  const bounds = [...cuts].sort((a, b) => a - b);
  const whole: (Data | undefined)[] = [];
  const batches: RecordBatch[] = [];
  for (let s = 0; s + 1 < bounds.length; s++) {
    const from = bounds[s]!;
    const to = bounds[s + 1]!;
    const children = plans.map((p, i) => {
      const node = top[i]![1];
      if (p.kind === 'null') return nullColumn(to - from);
      if (p.kind === 'narrow') return from >= p.from && to <= p.to ? assemble(node, from, to, rows, source, true) : nullColumn(to - from);
      const data = (whole[i] ??= assemble(node, 0, rows, rows, source, false));
      return from === 0 && to === rows ? data : data.slice(from, to - from);
    });
    const schemaFields = children.map((d, i) => new Field(top[i]![0], d.type, true));
    batches.push(new RecordBatch(new Schema(schemaFields), makeData({ type: new Struct(schemaFields), length: to - from, nullCount: 0, children })));
  }
  return batches;
}

/** The rows from the first to the last whose node (defined at `def`) is non-null, if any. */
function rowSpan(d: LeafData, def: number, rows: number, starts: Int32Array | undefined): { from: number; to: number } | undefined {
  const defs = d.def;
  if (starts === undefined && d.n !== rows) throw new Error('a column has a different row count than its row group');
  if (defs === undefined || def === 0) return { from: 0, to: rows };
  let from = -1;
  let to = -1;
  for (let r = 0; r < rows; r++) {
    if (defs[starts === undefined ? r : starts[r]!]! >= def) {
      if (from < 0) from = r;
      to = r + 1;
    }
  }
  return from < 0 ? undefined : { from, to };
}

/** The entry where each row starts, for a repeated leaf (`rows + 1` values, the last = entries). */
function rowStartsOf(d: LeafData, rows: number): Int32Array {
  const reps = d.rep ?? fail('levels were not decoded');
  const starts = new Int32Array(rows + 1);
  let r = 0;
  for (let j = 0; j < d.n; j++) {
    if (reps[j] !== 0) continue;
    if (r >= rows) throw new Error('more rows in a column than in its row group');
    starts[r++] = j;
  }
  if (r !== rows || (d.n > 0 && reps[0] !== 0)) throw new Error('a column and its row group differ in rows');
  starts[rows] = d.n;
  return starts;
}

const fail = (message: string): never => {
  throw new Error(message);
};

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

function planNode(tree: SchemaTree, sel: Selection, parentDef: number, parentRep: number, columns: ReadonlyMap<string, number>, selected = true): Node {
  const rt = tree.element.repetition_type;
  if (rt === 'REPEATED') unsupported(`repeated field ${tree.path.join('.')} outside a list or map`);
  const def = parentDef + (rt === 'OPTIONAL' ? 1 : 0);
  if (tree.children.length === 0) return planLeaf(tree, def, parentRep, columns, selected);
  if (isMap(tree)) {
    const kv = tree.children[0];
    if (tree.children.length !== 1 || kv === undefined || kv.element.repetition_type !== 'REPEATED' || kv.children.length !== 2) unsupported('map layout');
    const [k, v] = kv!.children as [SchemaTree, SchemaTree];
    if (k.children.length > 0 || v.children.length > 0) unsupported('map of nested values');
    const entryDef = def + 1;
    const key = planLeaf(k, entryDef + (k.element.repetition_type === 'OPTIONAL' ? 1 : 0), parentRep + 1, columns, selected);
    const value = planLeaf(v, entryDef + (v.element.repetition_type === 'OPTIONAL' ? 1 : 0), parentRep + 1, columns, selected);
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
    const element = planLeaf(el!, entryDef + (el!.element.repetition_type === 'OPTIONAL' ? 1 : 0), parentRep + 1, columns, selected);
    if (element.type === undefined) unsupported('list of an unsupported type');
    return { kind: 'list', def, entryDef, element };
  }
  const fields: [string, Node][] = [];
  for (const child of tree.children) {
    const childSel = sel === true ? true : sel.get(child.element.name);
    if (childSel === undefined) continue;
    fields.push([child.element.name, planNode(child, childSel, def, parentRep, columns, selected)]);
  }
  const first = fields[0]?.[1] ?? planNode(tree.children[0]!, true, def, parentRep, columns, false);
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

function planLeaf(tree: SchemaTree, def: number, rep: number, columns: ReadonlyMap<string, number>, selected: boolean): Leaf {
  const column = columns.get(tree.path.join('\u0000'));
  if (column === undefined) unsupported(`no column chunk for ${tree.path.join('.')}`);
  if (def > 255 || rep > 255) unsupported('nesting too deep');
  return { kind: 'leaf', element: tree.element, column: column!, def, rep, type: leafType(tree.element), selected };
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
// Footer proofs

/** How many definition levels of the chunk are `def` or more, from the footer's histogram if any. */
function levelsReaching(meta: ColumnMetaData, leaf: Leaf, def: number): number | undefined {
  const histogram = meta.size_statistics?.definition_level_histogram;
  if (histogram === undefined || histogram.length !== leaf.def + 1) return undefined;
  let total = 0;
  let reaching = 0;
  for (let d = 0; d < histogram.length; d++) {
    total += Number(histogram[d]);
    if (d >= def) reaching += Number(histogram[d]);
  }
  return total === Number(meta.num_values) ? reaching : undefined;
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
  const reaching = levelsReaching(meta, leaf, def);
  if (reaching !== undefined) return reaching === 0;
  const nullCount = meta.statistics?.null_count;
  return def === leaf.def && leaf.rep === 0 && nullCount !== undefined && Number(nullCount) === rows && Number(meta.num_values) === rows;
}

// ---------------------------------------------------------------------------------------------
// Assembly into Arrow

/** The row group's leaves: decoded on first use, or proven absent. */
interface LeafSource {
  /** The leaf decoded for levels only (`levelsOnly`) or with values, `compact` or dense. */
  data(leaf: Leaf, levelsOnly: boolean, compact: boolean): LeafData;
  /** The leaf's levels (from a decode with values when there is one). */
  levels(leaf: Leaf): LeafData;
  absent(leaf: Leaf, def: number): boolean;
  /** How many levels of the leaf reach `def`, when the footer says. */
  reaching(leaf: Leaf, def: number): number | undefined;
  /** The entry where each row starts, for a repeated leaf decoded as `d`. */
  rowStarts(leaf: Leaf, d: LeafData): Int32Array;
}

const nullColumn = (rows: number): Data => makeData({ type: new Null(), length: rows });

/**
 * Rows [from, to) of `node` (a row group of `rows` rows). `narrow`: leaves are decoded compact and
 * placed for these rows only; otherwise the range is the whole row group and non-repeated leaves
 * are decoded dense.
 */
function assemble(node: Node, from: number, to: number, rows: number, source: LeafSource, narrow: boolean): Data {
  const length = to - from;
  switch (node.kind) {
    case 'leaf': {
      if (source.absent(node, node.def)) return nullColumn(length);
      const d = source.data(node, false, narrow);
      if (d.n !== rows) throw new Error('a leaf column has a different row count than its row group');
      if (d.dense !== undefined) return d.dense;
      const before = d.def === undefined ? from : countEqual(d.def, node.def, 0, from);
      const valid = d.def === undefined ? undefined : levelMask(d.def.subarray(from, to), node.def);
      const count = valid === undefined ? length : countEqual(valid, 1, 0, length);
      return placeValues(node.type!, length, valid, sliceValues(d.values!, before, before + count));
    }
    case 'struct': {
      if (source.absent(node.levels, node.def)) return nullColumn(length);
      const d = source.data(node.levels, true, narrow);
      const valid = validityAt(d, node.def, from, to, d.rep === undefined ? undefined : source.rowStarts(node.levels, d));
      // A struct null on every row reads like a Null column (no getter looks below a null row).
      if (valid !== undefined && !valid.includes(1)) return nullColumn(length);
      const children = node.fields.map(([, child]) => assemble(child, from, to, rows, source, narrow));
      const type = new Struct(node.fields.map(([name], i) => new Field(name, children[i]!.type, true)));
      return makeData({ type, length, ...bitmap(valid, length), children });
    }
    case 'map':
    case 'list':
      return assembleRepeated(node, from, to, rows, source);
  }
}

/** Row validity from the levels of any leaf under the node: a row is valid when its first level reaches `def`. */
function validityAt(d: LeafData, def: number, from: number, to: number, starts: Int32Array | undefined): Uint8Array | undefined {
  if (d.def === undefined || def === 0) return undefined;
  const out = new Uint8Array(to - from);
  const defs = d.def;
  if (starts === undefined) for (let r = from; r < to; r++) out[r - from] = defs[r]! >= def ? 1 : 0;
  else for (let r = from; r < to; r++) out[r - from] = defs[starts[r]!]! >= def ? 1 : 0;
  return out;
}

function levelMask(def: Uint8Array, max: number): Uint8Array {
  const out = new Uint8Array(def.length);
  for (let i = 0; i < def.length; i++) out[i] = def[i] === max ? 1 : 0;
  return out;
}

function countEqual(a: Uint8Array, value: number, from: number, to: number): number {
  let k = 0;
  for (let i = from; i < to; i++) if (a[i] === value) k++;
  return k;
}

/** Compact values `from .. to - 1`. */
function sliceValues(v: Values, from: number, to: number): Values {
  if (v.t === 'bytes') return { t: 'bytes', offsets: v.offsets.subarray(from, to + 1), bytes: v.bytes };
  if (v.t === 'dict') return { t: 'dict', dictionary: v.dictionary, indexes: v.indexes.subarray(from, to) };
  return { t: 'words', words: v.words.subarray(from * v.w, to * v.w), w: v.w };
}

/**
 * Rows [from, to) of a map or list: offsets from the repetition levels of its key (element),
 * entries from the compact values.
 */
function assembleRepeated(node: Extract<Node, { kind: 'map' | 'list' }>, from: number, to: number, rows: number, source: LeafSource): Data {
  const length = to - from;
  const first = node.kind === 'map' ? node.key : node.element;
  if (source.absent(first, node.def)) return nullColumn(length);
  const d = source.data(first, false, true);
  if (d.rep === undefined || d.def === undefined || d.values === undefined) throw new Error('levels were not decoded');
  const whole = from === 0 && to === rows;
  const starts = whole ? undefined : source.rowStarts(first, d);
  const e0 = starts === undefined ? 0 : starts[from]!;
  const e1 = starts === undefined ? d.n : starts[to]!;
  const offsets = new Int32Array(length + 1);
  const valid = new Uint8Array(length);
  const entryValid = new Uint8Array(e1 - e0);
  const defs = d.def;
  const reps = d.rep;
  const entryDef = node.entryDef;
  const nodeDef = node.def;
  const leafDef = first.def;
  let r = -1;
  let entries = 0;
  for (let j = e0; j < e1; j++) {
    const def = defs[j]!;
    if (reps[j] === 0) {
      if (++r >= length) throw new Error('more rows in a column than in its row group');
      valid[r] = def >= nodeDef ? 1 : 0;
    } else if (r < 0) throw new Error('a column starts inside a row');
    if (def >= entryDef) entryValid[entries++] = def === leafDef ? 1 : 0;
    offsets[r + 1] = entries;
  }
  if (r !== length - 1) throw new Error('fewer rows in a column than in its row group');
  if (entries === 0 && !valid.includes(1)) return nullColumn(length);
  const keyBefore = e0 === 0 ? 0 : countEqual(defs, leafDef, 0, e0);
  const keyCount = countEqual(entryValid, 1, 0, entries);
  const firstData = placeValues(first.type!, entries, entryValid.subarray(0, entries), sliceValues(d.values, keyBefore, keyBefore + keyCount));
  let child: Data;
  let type: DataType;
  if (node.kind === 'list') {
    type = new List(new Field('element', firstData.type, true));
    child = firstData;
  } else {
    const v = source.data(node.value, false, true);
    if (v.def === undefined || v.n !== d.n || v.values === undefined) throw new Error('map keys and values differ in length');
    const valueValid = new Uint8Array(entries);
    const vDefs = v.def;
    const valueDef = node.value.def;
    let e = 0;
    for (let j = e0; j < e1; j++) {
      const def = vDefs[j]!;
      if (def >= entryDef && e < entries) valueValid[e++] = def === valueDef ? 1 : 0;
    }
    if (e !== entries) throw new Error('map keys and values differ in length');
    const valueBefore = e0 === 0 ? 0 : countEqual(vDefs, valueDef, 0, e0);
    const valueCount = countEqual(valueValid, 1, 0, entries);
    const values = placeValues(node.value.type!, entries, valueValid, sliceValues(v.values, valueBefore, valueBefore + valueCount));
    const entryType = new Struct([new Field('key', firstData.type, false), new Field('value', values.type, true)]);
    child = makeData({ type: entryType, length: entries, nullCount: 0, children: [firstData, values] });
    type = new Map_(new Field('entries', entryType, false), false);
  }
  return makeData({ type: type as Map_, length, ...bitmap(valid, length), valueOffsets: offsets, child });
}
