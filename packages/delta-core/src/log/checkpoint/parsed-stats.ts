/**
 * The typed `add.stats_parsed` and `add.partitionValues_parsed` checkpoint columns
 * (protocol-notes §3.3): their struct types, derived from the table schema the way Spark derives
 * its stats schema, and each file's values, converted exactly from the `stats` JSON (or from a
 * `stats_parsed` struct read from an earlier checkpoint) and from the partition value strings.
 */
import { parseDate, parseTimestampParts, MICROS_PER_SECOND } from '../../expr/datetime.js';
import { INT_RANGES, isDecimalValue, parseDecimal, rescaleDecimal } from '../../expr/scalar.js';
import type { DecimalValue, Scalar } from '../../expr/scalar.js';
import { columnMappingMode, physicalName } from '../../schema/column-mapping.js';
import type { ColumnMappingMode } from '../../schema/column-mapping.js';
import { parseSchemaString } from '../../schema/json.js';
import { parsePartitionValue } from '../../schema/partition-values.js';
import { field, primitive, struct } from '../../schema/types.js';
import type { DataType, StructField, StructType } from '../../schema/types.js';
import { JsonNumber, parseJsonExact } from '../../util/json.js';
import { statsFields, statsOptionsFromMetadata } from '../../write/stats-collector.js';
import type { AddFile, Metadata, Protocol } from '../actions.js';

/** Table properties that choose the stats columns of a checkpoint (Spark's defaults: both true). */
export const WRITE_STATS_AS_JSON = 'delta.checkpoint.writeStatsAsJson';
export const WRITE_STATS_AS_STRUCT = 'delta.checkpoint.writeStatsAsStruct';

/** Which stats columns a checkpoint of a table gets, from its properties. */
export function checkpointStatsSettings(metadata: Metadata): { asJson: boolean; asStruct: boolean } {
  const flag = (key: string) => (metadata.configuration[key] ?? 'true').trim().toLowerCase() !== 'false';
  return { asJson: flag(WRITE_STATS_AS_JSON), asStruct: flag(WRITE_STATS_AS_STRUCT) };
}

/** A stats leaf or struct, under its physical name. */
interface StatsNode {
  readonly name: string;
  readonly type: DataType;
  readonly children?: readonly StatsNode[];
}

/**
 * How to build the typed columns for one table. `statsType`/`partitionType` are undefined when
 * the column is not written (a partition struct would be empty for an unpartitioned table).
 */
export interface ParsedStatsLayout {
  readonly statsType?: StructType;
  readonly partitionType?: StructType;
  readonly statsNodes: readonly StatsNode[];
  readonly tightBounds: boolean;
  /** Partition columns: physical name (the key in `partitionValues`) and type. */
  readonly partitions: readonly { readonly name: string; readonly type: DataType }[];
  /** Some decimal needs more digits than a double carries: parse stats JSON exactly. */
  readonly exactJson: boolean;
}

/**
 * The layout for a table: `stats_parsed` holds `numRecords`, `minValues`/`maxValues` over the
 * stats columns with orderable types (numbers, decimals, dates, timestamps, strings), `nullCount`
 * over every stats leaf (arrays and maps included), and `tightBounds` when the table supports
 * deletion vectors. The stats columns follow `delta.dataSkippingStatsColumns` /
 * `delta.dataSkippingNumIndexedCols` as the data writer does; names are physical names.
 */
export function parsedStatsLayout(metadata: Metadata, protocol: Protocol): ParsedStatsLayout {
  const schema = parseSchemaString(metadata.schemaString);
  const mode = columnMappingMode(metadata.configuration);
  const options = statsOptionsFromMetadata(metadata, schema, protocol);
  const statsNodes = physicalNodes(statsFields(options), mode);
  const tightBounds = options.tightBounds ?? false;
  const boundFields = boundsFields(statsNodes);
  const countFields = nullCountFields(statsNodes);
  const statsType = struct([
    field('numRecords', primitive('long')),
    ...(boundFields.length > 0 ? [field('minValues', struct(boundFields)), field('maxValues', struct(boundFields))] : []),
    ...(countFields.length > 0 ? [field('nullCount', struct(countFields))] : []),
    ...(tightBounds ? [field('tightBounds', primitive('boolean'))] : []),
  ]);
  const byName = new Map(schema.fields.map((f) => [f.name.toLowerCase(), f]));
  const partitions = metadata.partitionColumns.flatMap((c) => {
    const f = byName.get(c.toLowerCase());
    return f === undefined ? [] : [{ name: physicalName(f, mode), type: f.type }];
  });
  const partitionType = partitions.length === 0 ? undefined : struct(partitions.map((p) => field(p.name, p.type)));
  const exactJson = hasWideDecimal(statsNodes);
  return { statsType, partitionType, statsNodes, tightBounds, partitions, exactJson };
}

function physicalNodes(fields: readonly StructField[], mode: ColumnMappingMode): StatsNode[] {
  return fields.map((f) => {
    const name = physicalName(f, mode);
    return f.type.kind === 'struct' ? { name, type: f.type, children: physicalNodes(f.type.fields, mode) } : { name, type: f.type };
  });
}

/** Types with min/max statistics (Spark's data skipping types). */
function hasBounds(type: DataType): boolean {
  if (type.kind === 'decimal') return true;
  if (type.kind !== 'primitive') return false;
  return ['byte', 'short', 'integer', 'long', 'float', 'double', 'date', 'timestamp', 'timestamp_ntz', 'string'].includes(type.name);
}

function boundsFields(nodes: readonly StatsNode[]): StructField[] {
  const out: StructField[] = [];
  for (const n of nodes) {
    if (n.children) {
      const inner = boundsFields(n.children);
      if (inner.length > 0) out.push(field(n.name, struct(inner)));
    } else if (hasBounds(n.type)) out.push(field(n.name, n.type));
  }
  return out;
}

function nullCountFields(nodes: readonly StatsNode[]): StructField[] {
  const out: StructField[] = [];
  for (const n of nodes) {
    if (n.children) {
      const inner = nullCountFields(n.children);
      if (inner.length > 0) out.push(field(n.name, struct(inner)));
    } else out.push(field(n.name, primitive('long')));
  }
  return out;
}

function hasWideDecimal(nodes: readonly StatsNode[]): boolean {
  return nodes.some((n) => (n.children ? hasWideDecimal(n.children) : n.type.kind === 'decimal' && n.type.precision > 15));
}

// ---------------------------------------------------------------------------------------------
// Values

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof JsonNumber);

/**
 * The `stats_parsed` value of one file, or undefined when it has no statistics: from its `stats`
 * JSON when present, else from the struct an earlier checkpoint held. Values that do not fit the
 * column's type are left null (no statistic), never rounded inward: a decimal bound with more
 * fraction digits than the column's scale is rounded outward (min down, max up).
 */
export function statsParsedValue(add: AddFile, layout: ParsedStatsLayout): Obj | undefined {
  let root: unknown;
  if (typeof add.stats === 'string' && add.stats !== '') root = parseStatsText(add.stats, layout.exactJson);
  else root = add.statsParsed;
  if (!isObject(root)) return undefined;
  const out: Obj = { numRecords: toLong(root['numRecords']) };
  if (layout.statsType!.fields.some((f) => f.name === 'minValues')) {
    out['minValues'] = boundsValue(layout.statsNodes, root['minValues'], 'min');
    out['maxValues'] = boundsValue(layout.statsNodes, root['maxValues'], 'max');
  }
  if (layout.statsType!.fields.some((f) => f.name === 'nullCount')) out['nullCount'] = nullCountValue(layout.statsNodes, root['nullCount']);
  if (layout.tightBounds) {
    const t = root['tightBounds'];
    out['tightBounds'] = typeof t === 'boolean' ? t : undefined;
  }
  return out;
}

/** The `partitionValues_parsed` value of one file: each partition string as its column's type. */
export function partitionValuesParsed(add: AddFile, layout: ParsedStatsLayout): Obj | undefined {
  if (layout.partitionType === undefined) return undefined;
  const out: Obj = {};
  for (const p of layout.partitions) {
    const text = add.partitionValues[p.name];
    let v: Scalar;
    try {
      v = parsePartitionValue(text, p.type);
    } catch {
      v = null; // an unparseable value gets no typed copy; the string map still holds it
    }
    out[p.name] = toRowValue(v, p.type);
  }
  return out;
}

function parseStatsText(text: string, exact: boolean): unknown {
  try {
    return exact || /\d{16}/.test(text) ? parseJsonExact(text, { duplicateKeys: 'last' }) : JSON.parse(text);
  } catch {
    return undefined;
  }
}

function boundsValue(nodes: readonly StatsNode[], source: unknown, which: 'min' | 'max'): Obj | undefined {
  if (!isObject(source)) return undefined;
  const out: Obj = {};
  for (const n of nodes) {
    if (n.children) out[n.name] = boundsValue(n.children, source[n.name], which);
    else if (hasBounds(n.type)) out[n.name] = boundValue(source[n.name], n.type, which);
  }
  return out;
}

function nullCountValue(nodes: readonly StatsNode[], source: unknown): Obj | undefined {
  if (!isObject(source)) return undefined;
  const out: Obj = {};
  for (const n of nodes) out[n.name] = n.children ? nullCountValue(n.children, source[n.name]) : toLong(source[n.name]);
  return out;
}

/** Exact integer text of a JSON/struct number, else undefined. */
function integerText(v: unknown): string | undefined {
  if (v instanceof JsonNumber) return /^-?\d+$/.test(v.text) ? v.text : undefined;
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  return undefined;
}

function toLong(v: unknown): bigint | undefined {
  const t = integerText(v);
  if (t === undefined) return undefined;
  const b = BigInt(t);
  return b >= -(1n << 63n) && b < 1n << 63n ? b : undefined;
}

/** One min or max bound as the value {@link rowsToBatch} takes for `type`, or undefined. */
function boundValue(v: unknown, type: DataType, which: 'min' | 'max'): unknown {
  if (v === null || v === undefined) return undefined;
  if (type.kind === 'decimal') {
    const text = v instanceof JsonNumber ? v.text : typeof v === 'number' || typeof v === 'bigint' || typeof v === 'string' ? String(v) : undefined;
    const d = isDecimalValue(v) ? v : text === undefined ? undefined : parseDecimal(text);
    if (d === undefined) return undefined;
    const r = rescaleDecimal(d, type.scale);
    const at = 'exact' in r ? r.exact : which === 'min' ? r.floor : r.ceil;
    return fitsPrecision(at, type.precision) ? at : undefined;
  }
  if (type.kind !== 'primitive') return undefined;
  switch (type.name) {
    case 'byte':
    case 'short':
    case 'integer': {
      const t = integerText(v);
      const n = t === undefined ? NaN : Number(t);
      const [lo, hi] = INT_RANGES[type.name]!;
      return Number.isInteger(n) && n >= lo && n <= hi ? n : undefined;
    }
    case 'long':
      return toLong(v);
    case 'float':
    case 'double': {
      const n = v instanceof JsonNumber ? Number(v.text) : typeof v === 'number' ? v : v === 'NaN' || v === 'Infinity' || v === '-Infinity' ? Number(v) : undefined;
      return n === undefined || Number.isNaN(n) ? undefined : n;
    }
    case 'date':
      if (typeof v === 'string') return parseDate(v);
      return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
    case 'timestamp':
    case 'timestamp_ntz': {
      if (typeof v === 'bigint') return v;
      if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
      if (typeof v !== 'string') return undefined;
      const parts = parseTimestampParts(v);
      if (parts === undefined) return undefined;
      if (type.name === 'timestamp_ntz') return parts.wallMicros;
      // A zone-less timestamp bound is ambiguous (no known writer produces one): leave it out.
      return parts.offsetSeconds === undefined ? undefined : parts.wallMicros - BigInt(parts.offsetSeconds) * MICROS_PER_SECOND;
    }
    case 'string':
      return typeof v === 'string' ? v : undefined;
    default:
      return undefined;
  }
}

function fitsPrecision(d: DecimalValue, precision: number): boolean {
  const abs = d.unscaled < 0n ? -d.unscaled : d.unscaled;
  return abs < 10n ** BigInt(precision);
}

/** A parsed partition scalar as the value {@link rowsToBatch} takes. */
function toRowValue(v: Scalar, type: DataType): unknown {
  if (v === null) return undefined;
  if (type.kind === 'decimal' && isDecimalValue(v)) {
    const r = rescaleDecimal(v, type.scale);
    return 'exact' in r && fitsPrecision(r.exact, type.precision) ? r.exact : undefined;
  }
  return v;
}
