/**
 * Per-file statistics (`add.stats`) computed from the Arrow batches written to one data file,
 * rendered exactly as Spark renders them (protocol-notes §4.4): `numRecords`, `minValues`,
 * `maxValues`, `nullCount` nested like the schema under physical names, `tightBounds` on request.
 */

import { Type } from 'apache-arrow';
import type { Data, RecordBatch, Struct } from 'apache-arrow';
import { DeltaError } from '../errors.js';
import type { Metadata, Protocol } from '../log/actions.js';
import { columnMappingMode, physicalName } from '../schema/column-mapping.js';
import type { ColumnMappingMode } from '../schema/column-mapping.js';
import type { DataType, StructField, StructType } from '../schema/types.js';
import { DEFAULT_STRING_PREFIX, boundsFor, mismatch } from './stats-bounds.js';
import type { Bounds, Mask } from './stats-bounds.js';
import { jsonString } from './stats-format.js';

export { truncateMaxString, truncateMinString } from './stats-bounds.js';

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
    this.#roots = planFields(statsFields(options), mode, options.stringPrefixLength ?? DEFAULT_STRING_PREFIX);
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

/**
 * The data fields that get statistics under `options` (logical names, structs pruned to the
 * selected leaves): `statsColumns` when set, else the first `numIndexedCols` leaves.
 */
export function statsFields(options: StatsCollectorOptions): StructField[] {
  const partition = new Set((options.partitionColumns ?? []).map((c) => c.toLowerCase()));
  const fields = options.schema.fields.filter((f) => !partition.has(f.name.toLowerCase()));
  if (options.statsColumns !== undefined) return filterFields(fields, options.statsColumns.map((p) => p.map((s) => s.toLowerCase())));
  const n = options.numIndexedCols ?? DEFAULT_NUM_INDEXED_COLS;
  return n >= 0 ? truncateFields(fields, n).fields : fields;
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
