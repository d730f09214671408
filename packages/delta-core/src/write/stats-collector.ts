import { DateUnit, TimeUnit, Type } from 'apache-arrow';
import type { Data, Decimal as ArrowDecimal, RecordBatch, Struct, Timestamp } from 'apache-arrow';
import { DeltaError } from '../errors.js';
import type { Metadata, Protocol } from '../log/actions.js';
import { columnMappingMode, physicalName } from '../schema/column-mapping.js';
import type { ColumnMappingMode } from '../schema/column-mapping.js';
import type { DataType, StructField, StructType } from '../schema/types.js';
import {
  floorDiv,
  formatDate,
  formatJavaBigDecimal,
  formatStatsFloating,
  formatTimestampMicros,
  jsonString,
} from './stats-format.js';

/**
 * Per-file statistics (`add.stats`) computed from the Arrow batches written to one data file,
 * rendered exactly as Spark renders them (protocol-notes §4.4): `numRecords`, `minValues`,
 * `maxValues`, `nullCount` nested like the schema under physical names, `tightBounds` on request.
 */

export interface StatsCollectorOptions {
  /** The table schema (logical names, with column mapping metadata). */
  readonly schema: StructType;
  /** Partition columns are not stored in data files and get no statistics. */
  readonly partitionColumns?: readonly string[];
  /** Selects physical names (`delta.columnMapping.physicalName`) for stats keys and file columns. Default `none`. */
  readonly columnMappingMode?: ColumnMappingMode;
  /** First N leaf columns get statistics; negative means all. Default 32. Ignored when `statsColumns` is set. */
  readonly numIndexedCols?: number;
  /** Explicit column paths (logical names, matched case-insensitively); a struct path selects all its leaves. */
  readonly statsColumns?: readonly (readonly string[])[];
  /** String min/max prefix length in characters. Default 32. */
  readonly stringPrefixLength?: number;
  /** Emit `"tightBounds":true` (Spark does so when the table supports deletion vectors). */
  readonly tightBounds?: boolean;
}

const DEFAULT_NUM_INDEXED_COLS = 32;
const DEFAULT_STRING_PREFIX = 32;

/**
 * Statistics options from a table's metadata and protocol: `delta.dataSkippingStatsColumns`,
 * `delta.dataSkippingNumIndexedCols`, `delta.columnMapping.mode`, and `tightBounds` when the
 * protocol supports deletion vectors.
 */
export function statsOptionsFromMetadata(metadata: Metadata, schema: StructType, protocol?: Protocol): StatsCollectorOptions {
  const conf = metadata.configuration;
  const statsColumnsText = conf['delta.dataSkippingStatsColumns'];
  const numText = conf['delta.dataSkippingNumIndexedCols'];
  let numIndexedCols = DEFAULT_NUM_INDEXED_COLS;
  if (numText !== undefined) {
    numIndexedCols = Number(numText.trim());
    if (!Number.isInteger(numIndexedCols) || numIndexedCols < -1) {
      throw new DeltaError(
        'INVALID_ARGUMENT',
        `Table property delta.dataSkippingNumIndexedCols is "${numText}", which is not an integer >= -1. Set it to a column count, or -1 for all columns.`,
      );
    }
  }
  return {
    schema,
    partitionColumns: metadata.partitionColumns,
    columnMappingMode: columnMappingMode(conf),
    numIndexedCols,
    ...(statsColumnsText !== undefined ? { statsColumns: parseStatsColumns(statsColumnsText) } : {}),
    tightBounds: protocol?.writerFeatures?.includes('deletionVectors') ?? false,
  };
}

/**
 * Parses `delta.dataSkippingStatsColumns`: a comma-separated list of dotted column paths where a
 * part may be back-quoted (`` `a.b` ``, with ``` `` ``` for a literal back-quote).
 */
export function parseStatsColumns(text: string): string[][] {
  const out: string[][] = [];
  if (text.trim() === '') return out;
  let parts: string[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new DeltaError('INVALID_ARGUMENT', `Table property delta.dataSkippingStatsColumns "${text}" is malformed: ${why}. Use a comma-separated list of column names; quote names with special characters in back-quotes.`);
  };
  while (i <= text.length) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    let part = '';
    if (text[i] === '`') {
      i++;
      for (;;) {
        if (i >= text.length) fail('an unterminated back-quote');
        if (text[i] === '`') {
          if (text[i + 1] === '`') {
            part += '`';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        part += text[i++];
      }
      while (i < text.length && /\s/.test(text[i]!)) i++;
    } else {
      const start = i;
      while (i < text.length && !',.`'.includes(text[i]!)) i++;
      part = text.slice(start, i).trim();
      if (part === '') fail('an empty column name');
    }
    parts.push(part);
    if (i >= text.length || text[i] === ',') {
      out.push(parts);
      parts = [];
      i++;
    } else if (text[i] === '.') {
      i++;
    } else {
      fail(`an unexpected character at position ${i}`);
    }
  }
  return out;
}

/** Spark's string min bound: the first `prefixLength` code points (any prefix is a lower bound). */
export function truncateMinString(s: string, prefixLength = DEFAULT_STRING_PREFIX): string {
  if (s.length <= prefixLength) return s;
  let units = 0;
  for (let n = 0; n < prefixLength && units < s.length; n++) {
    const c = s.charCodeAt(units);
    units += c >= 0xd800 && c <= 0xdbff && units + 1 < s.length ? 2 : 1;
  }
  return s.slice(0, units);
}

const ASCII_MAX = '\u007f';
const UTF8_MAX = '\udbff\udfff';

/**
 * Spark's string max bound: strings up to `prefixLength` UTF-16 units are kept; longer ones are cut
 * after the prefix (never inside a surrogate pair) and get a tie-breaker that sorts after every
 * possible continuation in UTF-8 byte order: U+007F when the next character is below it, else
 * U+10FFFF, skipping over U+10FFFF characters in the input. Returns undefined (no max) when no cut
 * point exists within twice the prefix length.
 */
export function truncateMaxString(s: string, prefixLength = DEFAULT_STRING_PREFIX): string | undefined {
  if (s.length <= prefixLength) return s;
  if (prefixLength <= 0) return undefined;
  const splitsPair = isHigh(s.charCodeAt(prefixLength - 1)) && isLow(s.charCodeAt(prefixLength));
  let len = splitsPair ? prefixLength + 1 : prefixLength;
  const limit = 2 * prefixLength;
  while (len <= limit) {
    if (len >= s.length) return s;
    if (len + 1 < s.length && s.charCodeAt(len) === 0xdbff && s.charCodeAt(len + 1) === 0xdfff) {
      len += 2;
    } else if (s.charCodeAt(len) < 0x7f) {
      return s.slice(0, len) + ASCII_MAX;
    } else {
      return s.slice(0, len) + UTF8_MAX;
    }
  }
  return undefined;
}

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

// ---------------------------------------------------------------------------------------------
// Column plan

interface LeafNode {
  readonly kind: 'leaf';
  /** Physical name: the stats key and the column name in the data file. */
  readonly name: string;
  readonly type: DataType;
  /** Min/max collector; absent for types with null counts only. */
  readonly bounds?: Bounds;
  nullCount: number;
  /** Some batch lacked the column. */
  missing: boolean;
}

interface StructNode {
  readonly kind: 'struct';
  readonly name: string;
  readonly children: readonly PlanNode[];
}

type PlanNode = LeafNode | StructNode;

function planFields(fields: readonly StructField[], mode: ColumnMappingMode, prefixLength: number): PlanNode[] {
  return fields.map((f) => {
    const name = physicalName(f, mode);
    if (f.type.kind === 'struct') return { kind: 'struct', name, children: planFields(f.type.fields, mode, prefixLength) };
    const bounds = boundsFor(f.type, prefixLength);
    return { kind: 'leaf', name, type: f.type, nullCount: 0, missing: false, ...(bounds ? { bounds } : {}) };
  });
}

/** Spark's truncateSchema: keeps fields in order until `n` leaves (arrays and maps count as one) are taken. */
function truncateFields(fields: readonly StructField[], n: number): { fields: StructField[]; count: number } {
  const out: StructField[] = [];
  let count = 0;
  for (const f of fields) {
    if (count >= n) break;
    if (f.type.kind === 'struct') {
      const inner = truncateFields(f.type.fields, n - count);
      count += inner.count;
      out.push({ ...f, type: { kind: 'struct', fields: inner.fields } });
    } else {
      count += 1;
      out.push(f);
    }
  }
  return { fields: out, count };
}

/** Spark's filterSchema: keeps the fields named by `paths` (lower-cased), in schema order. */
function filterFields(fields: readonly StructField[], paths: readonly (readonly string[])[]): StructField[] {
  const out: StructField[] = [];
  for (const f of fields) {
    const tails = paths.filter((p) => p[0] === f.name.toLowerCase()).map((p) => p.slice(1));
    if (tails.length === 0) continue;
    if (tails.every((t) => t.length === 0)) out.push(f);
    else if (f.type.kind === 'struct') out.push({ ...f, type: { kind: 'struct', fields: filterFields(f.type.fields, tails.filter((t) => t.length > 0)) } });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Collector

/**
 * Accumulates statistics over the batches of one data file. Batches carry the file's columns
 * under physical names (partition columns absent); a schema column missing from the batches
 * counts every row as null and gets no bounds, as Spark does for columns absent from the data.
 */
export class StatsCollector {
  readonly #roots: readonly PlanNode[];
  readonly #tightBounds: boolean;
  #numRecords = 0;

  constructor(options: StatsCollectorOptions) {
    const mode = options.columnMappingMode ?? 'none';
    const partition = new Set((options.partitionColumns ?? []).map((c) => c.toLowerCase()));
    let fields: readonly StructField[] = options.schema.fields.filter((f) => !partition.has(f.name.toLowerCase()));
    if (options.statsColumns !== undefined) {
      fields = filterFields(fields, options.statsColumns.map((p) => p.map((s) => s.toLowerCase())));
    } else {
      const n = options.numIndexedCols ?? DEFAULT_NUM_INDEXED_COLS;
      if (n >= 0) fields = truncateFields(fields, n).fields;
    }
    this.#roots = planFields(fields, mode, options.stringPrefixLength ?? DEFAULT_STRING_PREFIX);
    this.#tightBounds = options.tightBounds ?? false;
  }

  /** Rows seen so far. */
  get numRecords(): number {
    return this.#numRecords;
  }

  /** Folds one batch into the statistics. */
  add(batch: RecordBatch): void {
    const n = batch.numRows;
    this.#numRecords += n;
    const byName = new Map<string, Data>();
    batch.schema.fields.forEach((f, i) => {
      const d = batch.data.children[i];
      if (d) byName.set(f.name, d);
    });
    for (const node of this.#roots) visit(node, byName.get(node.name), null, n);
  }

  /** The statistics JSON text for `add.stats`, as Spark writes it. */
  toJson(): string {
    const minMax = this.#roots.some(hasBounds);
    let out = '{"numRecords":' + this.#numRecords;
    if (minMax) {
      out += ',"minValues":' + boundsJson(this.#roots, 'min');
      out += ',"maxValues":' + boundsJson(this.#roots, 'max');
    }
    if (this.#roots.some(hasLeaf)) out += ',"nullCount":' + nullCountJson(this.#roots, this.#numRecords);
    if (this.#tightBounds) out += ',"tightBounds":true';
    return out + '}';
  }
}

/** Statistics JSON for the batches of one data file. */
export function collectStats(batches: Iterable<RecordBatch>, options: StatsCollectorOptions): string {
  const c = new StatsCollector(options);
  for (const b of batches) c.add(b);
  return c.toJson();
}

function hasBounds(node: PlanNode): boolean {
  return node.kind === 'leaf' ? node.bounds !== undefined : node.children.some(hasBounds);
}

function boundsJson(nodes: readonly PlanNode[], which: 'min' | 'max'): string {
  const parts: string[] = [];
  for (const node of nodes) {
    if (!hasBounds(node)) continue;
    if (node.kind === 'struct') {
      parts.push(jsonString(node.name) + ':' + boundsJson(node.children, which));
    } else {
      const v = which === 'min' ? node.bounds!.minJson() : node.bounds!.maxJson();
      if (v !== undefined) parts.push(jsonString(node.name) + ':' + v);
    }
  }
  return '{' + parts.join(',') + '}';
}

/**
 * Null counts nest like the schema; a struct without leaves is omitted. Spark sums an indicator
 * per row, and a sum over zero rows is null: an empty file has no counts for its present columns
 * (columns absent from the file count rows instead, which gives 0).
 */
function nullCountJson(nodes: readonly PlanNode[], numRecords: number): string {
  const parts: string[] = [];
  for (const node of nodes) {
    if (node.kind === 'struct') {
      if (hasLeaf(node)) parts.push(jsonString(node.name) + ':' + nullCountJson(node.children, numRecords));
    } else if (numRecords > 0 || node.missing) {
      parts.push(jsonString(node.name) + ':' + node.nullCount);
    }
  }
  return '{' + parts.join(',') + '}';
}

function hasLeaf(node: PlanNode): boolean {
  return node.kind === 'leaf' || node.children.some(hasLeaf);
}

/** Row validity: 1 = the value and all its ancestors are non-null; null means every row is valid. */
type Mask = Uint8Array | null;

function visit(node: PlanNode, data: Data | undefined, parentMask: Mask, length: number): void {
  if (data === undefined) {
    markMissing(node, length);
    return;
  }
  const mask = combineMask(data, parentMask, length);
  if (node.kind === 'struct') {
    if (data.typeId !== Type.Struct) throw mismatch(node.name, 'struct', data);
    const fields = (data.type as Struct).children;
    const byName = new Map<string, Data>();
    fields.forEach((f, i) => {
      const d = data.children[i];
      if (d) byName.set(f.name, d);
    });
    for (const child of node.children) visit(child, byName.get(child.name), mask, length);
    return;
  }
  node.nullCount += countInvalid(mask, length);
  node.bounds?.update(data, mask, node.name);
}

function markMissing(node: PlanNode, length: number): void {
  if (node.kind === 'leaf') {
    node.nullCount += length;
    node.missing = true;
  }
  else for (const c of node.children) markMissing(c, length);
}

function combineMask(data: Data, parent: Mask, length: number): Mask {
  if (data.typeId === Type.Null) return new Uint8Array(length);
  if (data.nullCount === 0) return parent;
  const bitmap = data.nullBitmap;
  if (!bitmap || bitmap.length === 0) return parent;
  const out = new Uint8Array(length);
  const off = data.offset;
  for (let i = 0; i < length; i++) {
    const j = off + i;
    out[i] = (bitmap[j >> 3]! >> (j & 7)) & 1 & (parent === null ? 1 : parent[i]!);
  }
  return out;
}

function countInvalid(mask: Mask, length: number): number {
  if (mask === null) return 0;
  let valid = 0;
  for (let i = 0; i < length; i++) valid += mask[i]!;
  return length - valid;
}

function mismatch(column: string, expected: string, data: Data): DeltaError {
  return new DeltaError('SCHEMA_MISMATCH', `Column "${column}" holds Arrow ${String(data.type)} but the table schema expects ${expected}. Cast the data to the table schema before writing.`, {
    details: { column, arrowType: String(data.type) },
  });
}

// ---------------------------------------------------------------------------------------------
// Bounds (min/max) per value kind

interface Bounds {
  update(data: Data, mask: Mask, column: string): void;
  minJson(): string | undefined;
  maxJson(): string | undefined;
}

function boundsFor(type: DataType, prefixLength: number): Bounds | undefined {
  if (type.kind === 'decimal') return new DecimalBounds();
  if (type.kind !== 'primitive') return undefined;
  switch (type.name) {
    case 'byte':
    case 'short':
    case 'integer':
    case 'long':
      return new IntegerBounds();
    case 'float':
    case 'double':
      return new FloatBounds(type.name === 'float');
    case 'date':
      return new DateBounds();
    case 'timestamp':
    case 'timestamp_ntz':
      return new TimestampBounds(type.name === 'timestamp');
    case 'string':
      return new StringBounds(prefixLength);
    default:
      return undefined;
  }
}

/** Runs `scan` over a dictionary's values restricted to the entries referenced by valid rows. */
function forDictionary(data: Data, mask: Mask, scan: (values: Data, mask: Mask) => void): boolean {
  if (data.typeId !== Type.Dictionary) return false;
  const dict = data.dictionary;
  if (!dict) return true;
  const used = new Uint8Array(dict.length);
  const idx = data.values as ArrayLike<number | bigint>;
  for (let i = 0; i < data.length; i++) if (mask === null || mask[i]) used[Number(idx[i])] = 1;
  let start = 0;
  for (const chunk of dict.data) {
    scan(chunk, used.subarray(start, start + chunk.length));
    start += chunk.length;
  }
  return true;
}

class IntegerBounds implements Bounds {
  min: number | bigint | undefined;
  max: number | bigint | undefined;

  update(data: Data, mask: Mask, column: string): void {
    if (forDictionary(data, mask, (d, m) => this.update(d, m, column))) return;
    if (data.typeId !== Type.Int) throw mismatch(column, 'an integer type', data);
    const r = scanMinMax(data.values as ArrayLike<number | bigint>, mask, data.length);
    if (r) this.merge(r[0], r[1]);
  }

  merge(lo: number | bigint, hi: number | bigint): void {
    if (this.min === undefined || lo < this.min) this.min = lo;
    if (this.max === undefined || hi > this.max) this.max = hi;
  }

  minJson(): string | undefined {
    return this.min === undefined ? undefined : String(this.min);
  }

  maxJson(): string | undefined {
    return this.max === undefined ? undefined : String(this.max);
  }
}

/** Min and max of the valid entries of a typed array (number or bigint elements, never mixed). */
function scanMinMax<T extends number | bigint>(v: ArrayLike<T>, mask: Mask, length: number): [T, T] | undefined {
  let i = 0;
  if (mask !== null) while (i < length && !mask[i]) i++;
  if (i >= length) return undefined;
  let lo = v[i]!;
  let hi = lo;
  if (mask === null) {
    for (; i < length; i++) {
      const x = v[i]!;
      if (x < lo) lo = x;
      else if (x > hi) hi = x;
    }
  } else {
    for (; i < length; i++) {
      if (!mask[i]) continue;
      const x = v[i]!;
      if (x < lo) lo = x;
      else if (x > hi) hi = x;
    }
  }
  return [lo, hi];
}

/** Spark ordering for floating point: NaN is larger than every other value. */
class FloatBounds implements Bounds {
  min = Infinity;
  max = -Infinity;
  seen = false;
  sawNaN = false;
  sawNumber = false;

  constructor(private readonly float32: boolean) {}

  update(data: Data, mask: Mask, column: string): void {
    if (data.typeId !== Type.Float) throw mismatch(column, 'a floating point type', data);
    const v = data.values as Float32Array | Float64Array;
    let { min, max, sawNaN, sawNumber } = this;
    for (let i = 0; i < data.length; i++) {
      if (mask !== null && !mask[i]) continue;
      const x = v[i]!;
      if (x !== x) {
        sawNaN = true;
        continue;
      }
      if (!sawNumber || x < min) min = x;
      if (!sawNumber || x > max) max = x;
      sawNumber = true;
    }
    Object.assign(this, { min, max, sawNaN, sawNumber });
  }

  minJson(): string | undefined {
    if (this.sawNumber) return formatStatsFloating(this.min, this.float32);
    return this.sawNaN ? formatStatsFloating(NaN, this.float32) : undefined;
  }

  maxJson(): string | undefined {
    if (this.sawNaN) return formatStatsFloating(NaN, this.float32);
    return this.sawNumber ? formatStatsFloating(this.max, this.float32) : undefined;
  }
}

class DateBounds implements Bounds {
  readonly ints = new IntegerBounds();

  update(data: Data, mask: Mask, column: string): void {
    if (data.typeId !== Type.Date) throw mismatch(column, 'date', data);
    const r = scanMinMax(data.values as ArrayLike<number | bigint>, mask, data.length);
    if (!r) return;
    if ((data.type as unknown as { unit: DateUnit }).unit === DateUnit.MILLISECOND) {
      this.ints.merge(Number(floorDiv(BigInt(r[0]), 86_400_000n)), Number(floorDiv(BigInt(r[1]), 86_400_000n)));
    } else {
      this.ints.merge(r[0], r[1]);
    }
  }

  minJson(): string | undefined {
    return this.ints.min === undefined ? undefined : '"' + formatDate(Number(this.ints.min)) + '"';
  }

  maxJson(): string | undefined {
    return this.ints.max === undefined ? undefined : '"' + formatDate(Number(this.ints.max)) + '"';
  }
}

const MICROS_PER_UNIT: Record<number, { mul: bigint; div: bigint }> = {
  [TimeUnit.SECOND]: { mul: 1_000_000n, div: 1n },
  [TimeUnit.MILLISECOND]: { mul: 1000n, div: 1n },
  [TimeUnit.MICROSECOND]: { mul: 1n, div: 1n },
  [TimeUnit.NANOSECOND]: { mul: 1n, div: 1000n },
};

class TimestampBounds implements Bounds {
  min: bigint | undefined;
  max: bigint | undefined;

  constructor(private readonly utc: boolean) {}

  update(data: Data, mask: Mask, column: string): void {
    if (data.typeId !== Type.Timestamp) throw mismatch(column, 'timestamp', data);
    const r = scanMinMax(data.values as BigInt64Array, mask, data.length);
    if (!r) return;
    const { mul, div } = MICROS_PER_UNIT[(data.type as Timestamp).unit]!;
    const lo = floorDiv(r[0] * mul, div);
    const hi = floorDiv(r[1] * mul, div);
    if (this.min === undefined || lo < this.min) this.min = lo;
    if (this.max === undefined || hi > this.max) this.max = hi;
  }

  minJson(): string | undefined {
    return this.min === undefined ? undefined : '"' + formatTimestampMicros(this.min, this.utc) + '"';
  }

  maxJson(): string | undefined {
    return this.max === undefined ? undefined : '"' + formatTimestampMicros(this.max, this.utc) + '"';
  }
}

/** Decimals compare as two's complement integers of 4 (128-bit) or 8 (256-bit) little-endian words. */
class DecimalBounds implements Bounds {
  min: Uint32Array | undefined;
  max: Uint32Array | undefined;
  scale = 0;

  update(data: Data, mask: Mask, column: string): void {
    if (forDictionary(data, mask, (d, m) => this.update(d, m, column))) return;
    if (data.typeId !== Type.Decimal) throw mismatch(column, 'decimal', data);
    const type = data.type as ArrowDecimal;
    this.scale = type.scale;
    const w = type.bitWidth / 32;
    const v = data.values as Uint32Array;
    let lo = -1;
    let hi = -1;
    for (let i = 0; i < data.length; i++) {
      if (mask !== null && !mask[i]) continue;
      if (lo < 0) {
        lo = hi = i;
        continue;
      }
      if (compareWords(v, i * w, v, lo * w, w) < 0) lo = i;
      else if (compareWords(v, i * w, v, hi * w, w) > 0) hi = i;
    }
    if (lo < 0) return;
    if (this.min === undefined || compareWords(v, lo * w, this.min, 0, w) < 0) this.min = v.slice(lo * w, lo * w + w);
    if (this.max === undefined || compareWords(v, hi * w, this.max, 0, w) > 0) this.max = v.slice(hi * w, hi * w + w);
  }

  minJson(): string | undefined {
    return this.min === undefined ? undefined : formatJavaBigDecimal(wordsToBigInt(this.min), this.scale);
  }

  maxJson(): string | undefined {
    return this.max === undefined ? undefined : formatJavaBigDecimal(wordsToBigInt(this.max), this.scale);
  }
}

function compareWords(a: Uint32Array, ai: number, b: Uint32Array, bi: number, w: number): number {
  const top = (a[ai + w - 1]! | 0) - (b[bi + w - 1]! | 0);
  if (top !== 0) return top;
  for (let k = w - 2; k >= 0; k--) {
    const d = a[ai + k]! - b[bi + k]!;
    if (d !== 0) return d;
  }
  return 0;
}

function wordsToBigInt(words: Uint32Array): bigint {
  let x = 0n;
  for (let k = words.length - 1; k >= 0; k--) x = (x << 32n) | BigInt(words[k]!);
  const bits = BigInt(words.length * 32);
  return words[words.length - 1]! & 0x80000000 ? x - (1n << bits) : x;
}

/** Strings compare by UTF-8 bytes (Spark's binary string order); bounds are truncated at the end. */
class StringBounds implements Bounds {
  min: Uint8Array | undefined;
  max: Uint8Array | undefined;

  constructor(private readonly prefixLength: number) {}

  update(data: Data, mask: Mask, column: string): void {
    if (forDictionary(data, mask, (d, m) => this.update(d, m, column))) return;
    if (data.typeId !== Type.Utf8 && data.typeId !== Type.LargeUtf8) throw mismatch(column, 'string', data);
    const offsets = data.valueOffsets as Int32Array | BigInt64Array;
    const bytes = data.values as Uint8Array;
    const large = data.typeId === Type.LargeUtf8;
    const at = (k: number): number => (large ? Number(offsets[k]) : (offsets[k] as number));
    let lo = -1;
    let hi = -1;
    for (let i = 0; i < data.length; i++) {
      if (mask !== null && !mask[i]) continue;
      if (lo < 0) {
        lo = hi = i;
        continue;
      }
      const s = at(i);
      const e = at(i + 1);
      if (compareBytes(bytes, s, e, bytes, at(lo), at(lo + 1)) < 0) lo = i;
      else if (compareBytes(bytes, s, e, bytes, at(hi), at(hi + 1)) > 0) hi = i;
    }
    if (lo < 0) return;
    const [ls, le, hs, he] = [at(lo), at(lo + 1), at(hi), at(hi + 1)];
    if (this.min === undefined || compareBytes(bytes, ls, le, this.min, 0, this.min.length) < 0) this.min = bytes.slice(ls, le);
    if (this.max === undefined || compareBytes(bytes, hs, he, this.max, 0, this.max.length) > 0) this.max = bytes.slice(hs, he);
  }

  minJson(): string | undefined {
    return this.min === undefined ? undefined : jsonString(truncateMinString(decoder.decode(this.min), this.prefixLength));
  }

  maxJson(): string | undefined {
    if (this.max === undefined) return undefined;
    const t = truncateMaxString(decoder.decode(this.max), this.prefixLength);
    return t === undefined ? undefined : jsonString(t);
  }
}

const decoder = new TextDecoder();

function compareBytes(a: Uint8Array, as: number, ae: number, b: Uint8Array, bs: number, be: number): number {
  const n = Math.min(ae - as, be - bs);
  for (let k = 0; k < n; k++) {
    const d = a[as + k]! - b[bs + k]!;
    if (d !== 0) return d;
  }
  return ae - as - (be - bs);
}
