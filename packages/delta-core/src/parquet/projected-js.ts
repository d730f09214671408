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
import { Binary, Bool, DateDay, Field, Float32, Float64, Int32, Int64, List, Map_, Null, RecordBatch, Schema, Struct, TimeUnit, Timestamp, Utf8, makeData } from 'apache-arrow';
import type { Data, DataType } from 'apache-arrow';
import { parquetMetadata, parquetSchema } from 'hyparquet';
import type { ColumnMetaData, SchemaElement, SchemaTree } from 'hyparquet';
import { bitmap, decodeChunk, placeValues, unsupported } from './projected-js-chunk.js';
import type { ChunkLeaf, DecodeMode, LeafData } from './projected-js-chunk.js';

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
  const fields = top.map(([name]) => name);
  const batches: RecordBatch[] = [];
  for (const group of metadata.row_groups) {
    const rows = Number(group.num_rows);
    const cache = new Map<Leaf, LeafData>();
    const metaOf = (leaf: Leaf): ColumnMetaData => group.columns[leaf.column]?.meta_data ?? unsupported('column chunk without metadata');
    const source: LeafSource = {
      data(leaf: Leaf, levelsOnly: boolean): LeafData {
        const meta = metaOf(leaf);
        const full: DecodeMode = leaf.rep > 0 ? 'compact' : 'dense';
        // A selected leaf read for levels is decoded whole at once: its values are wanted next.
        const wantValues = !levelsOnly || (leaf.selected && leaf.type !== undefined && !provenAbsent(meta, leaf, leaf.def, rows));
        let d = cache.get(leaf);
        if (d === undefined || (wantValues && d.mode === 'levels')) cache.set(leaf, (d = decodeChunk(bytes, meta, leaf, wantValues ? full : 'levels')));
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
      if (d.n !== rows || d.dense === undefined) throw new Error('a leaf column has a different row count than its row group');
      return d.dense;
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
  const firstData = placeValues(first.type!, entries, entryValid.subarray(0, entries), d.values!);
  let child: Data;
  let type: DataType;
  if (node.kind === 'list') {
    type = new List(new Field('element', firstData.type, true));
    child = firstData;
  } else {
    const v = source.data(node.value, false);
    if (v.def === undefined || v.n !== d.n || v.values === undefined) throw new Error('map keys and values differ in length');
    const valueValid = new Uint8Array(entries);
    const vDefs = v.def;
    const valueDef = node.value.def;
    let e = 0;
    for (let j = 0; j < v.n; j++) {
      const def = vDefs[j]!;
      if (def >= entryDef && e < entries) valueValid[e++] = def === valueDef ? 1 : 0;
    }
    if (e !== entries) throw new Error('map keys and values differ in length');
    const values = placeValues(node.value.type!, entries, valueValid, v.values);
    const entryType = new Struct([new Field('key', firstData.type, false), new Field('value', values.type, true)]);
    child = makeData({ type: entryType, length: entries, nullCount: 0, children: [firstData, values] });
    type = new Map_(new Field('entries', entryType, false), false);
  }
  return makeData({ type: type as Map_, length: rows, ...bitmap(valid, rows), valueOffsets: offsets, child });
}
