import { MICROS_PER_SECOND, parseDate, parseTimestampParts, wallClockToUtcMicros } from '../expr/datetime.js';
import { INT_RANGES, parseDecimal, rescaleDecimal, type DecimalValue, type Scalar } from '../expr/scalar.js';
import { JsonNumber, parseJsonExact } from '../util/json.js';
import type { DataType, StructType } from './types.js';

/**
 * Per-file statistics (`add.stats` JSON or a checkpoint's `stats_parsed` struct) as typed bounds.
 * Parsing never throws: malformed or ill-typed stats for a column make that column's stats
 * missing, and unparseable stats make the whole file's stats missing; either way the file is
 * simply not skipped.
 */

/** A leaf column whose stats are wanted: its physical path (one name per struct level) and type. */
export interface StatsColumn {
  readonly path: readonly string[];
  readonly type: DataType;
}

/**
 * Stats of one leaf column. `min`/`max` are bounds on the non-null values (never null when
 * present): every non-null value v satisfies min <= v <= max. Timestamp maxima are already widened
 * by 999µs because writers truncate them to milliseconds; decimal bounds with more digits than
 * the column's scale are rounded outward.
 */
export interface ColumnStats {
  readonly min?: Exclude<Scalar, null>;
  readonly max?: Exclude<Scalar, null>;
  readonly nullCount?: number;
}

/** Invariant: `columns[i]` are the stats of the i-th requested {@link StatsColumn}. */
export interface FileStats {
  /** Physical rows in the file, deletion vectors ignored. */
  readonly numRecords?: number;
  /** False when bounds may be loose (rows removed by a DV without recomputing stats). Absent in the log ⇒ true. */
  readonly tightBounds: boolean;
  readonly columns: ReadonlyArray<ColumnStats | undefined>;
}

/** The leaves of a (physical) schema that can carry stats, in schema order; arrays and maps are leaves. */
export function statsColumns(schema: StructType): StatsColumn[] {
  const out: StatsColumn[] = [];
  const walk = (s: StructType, prefix: readonly string[]): void => {
    for (const f of s.fields) {
      const path = [...prefix, f.name];
      if (f.type.kind === 'struct') walk(f.type, path);
      else out.push({ path, type: f.type });
    }
  };
  walk(schema, []);
  return out;
}

/** Where a file's statistics come from: the add action's fields of the same names. */
export interface StatsSource {
  readonly stats?: string;
  readonly statsParsed?: unknown;
}

/**
 * Parses a file's statistics for the requested columns, or returns undefined when the file has
 * none (or they cannot be parsed). Prefers `statsParsed` when present. Legacy zone-less timestamp
 * bounds (none are known in the wild) are read in `timeZone`, default UTC.
 */
export function parseStats(source: StatsSource, columns: readonly StatsColumn[], timeZone = 'UTC'): FileStats | undefined {
  if (isObject(source.statsParsed)) return statsFromRoot(source.statsParsed, columns, true, timeZone);
  if (typeof source.stats !== 'string' || source.stats === '') return undefined;
  const exact = needsExactJson(columns);
  const root = parseText(source.stats, exact);
  if (!isObject(root)) return undefined;
  const stats = statsFromRoot(root, columns, false, timeZone);
  // Native parsing rounds integers beyond 2^53: reparse exactly in that (rare) case.
  if (!exact && stats.columns.some((c) => c !== undefined && (c.min === IMPRECISE || c.max === IMPRECISE))) {
    const exactRoot = parseText(source.stats, true);
    return isObject(exactRoot) ? statsFromRoot(exactRoot, columns, false, timeZone) : undefined;
  }
  return stats;
}

/** Marker for a long bound that native JSON parsing rounded; never escapes {@link parseStats}. */
const IMPRECISE = Symbol('imprecise') as unknown as bigint;

function parseText(text: string, exact: boolean): unknown {
  try {
    return exact ? parseJsonExact(text) : JSON.parse(text);
  } catch {
    return undefined;
  }
}

function statsFromRoot(root: Record<string, unknown>, columns: readonly StatsColumn[], fromStruct: boolean, timeZone: string): FileStats {
  const minValues = root['minValues'];
  const maxValues = root['maxValues'];
  const nullCounts = root['nullCount'];
  const out: Array<ColumnStats | undefined> = [];
  for (const c of columns) {
    let min = convertBound(lookup(minValues, c.path), c.type, 'min', fromStruct, timeZone);
    let max = convertBound(lookup(maxValues, c.path), c.type, 'max', fromStruct, timeZone);
    if (fromStruct && min === IMPRECISE) min = undefined;
    if (fromStruct && max === IMPRECISE) max = undefined;
    const nullCount = toCount(lookup(nullCounts, c.path));
    if (min === undefined && max === undefined && nullCount === undefined) out.push(undefined);
    else out.push({ min, max, nullCount });
  }
  return { numRecords: toCount(root['numRecords']), tightBounds: root['tightBounds'] !== false, columns: out };
}

/** Decimals beyond 15 significant digits need the exact parser; everything else parses natively. */
function needsExactJson(columns: readonly StatsColumn[]): boolean {
  return columns.some((c) => c.type.kind === 'decimal' && c.type.precision > 15);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof JsonNumber);

function lookup(root: unknown, path: readonly string[]): unknown {
  let cur = root;
  for (const name of path) {
    if (!isObject(cur)) return undefined;
    cur = cur[name];
  }
  return cur;
}

function toCount(v: unknown): number | undefined {
  const n = v instanceof JsonNumber ? Number(v.text) : typeof v === 'bigint' ? Number(v) : v;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/** A JSON-ish number (JS number, bigint, JsonNumber) as exact text, else undefined. */
function numberText(v: unknown): string | undefined {
  if (v instanceof JsonNumber) return v.text;
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

function toFloating(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (v instanceof JsonNumber || typeof v === 'bigint') return Number(String(v));
  if (v === 'NaN' || v === 'Infinity' || v === '-Infinity') return Number(v);
  return undefined;
}

function convertBound(v: unknown, type: DataType, which: 'min' | 'max', fromStruct: boolean, timeZone: string): Exclude<Scalar, null> | undefined {
  if (v === null || v === undefined) return undefined;
  if (type.kind === 'decimal') return convertDecimal(v, type.scale, which);
  if (type.kind !== 'primitive') return undefined;
  switch (type.name) {
    case 'byte':
    case 'short':
    case 'integer': {
      const text = numberText(v);
      const n = text === undefined ? NaN : Number(text);
      const [lo, hi] = INT_RANGES[type.name]!;
      return Number.isInteger(n) && n >= lo && n <= hi ? n : undefined;
    }
    case 'long': {
      if (typeof v === 'number' && Number.isInteger(v)) return Number.isSafeInteger(v) ? BigInt(v) : IMPRECISE;
      const text = numberText(v);
      return text !== undefined && /^-?\d+$/.test(text) ? BigInt(text) : undefined;
    }
    case 'float':
    case 'double': {
      const n = toFloating(v);
      if (n === undefined || Number.isNaN(n)) return undefined;
      return type.name === 'float' ? Math.fround(n) : n;
    }
    case 'date':
      if (typeof v === 'string') return parseDate(v);
      if (typeof v === 'number' && Number.isInteger(v)) return v;
      if (v instanceof Date && !Number.isNaN(v.getTime())) return Math.floor(v.getTime() / 86_400_000);
      return undefined;
    case 'timestamp':
    case 'timestamp_ntz':
      return convertTimestamp(v, type.name === 'timestamp_ntz', which, fromStruct, timeZone);
    case 'string':
      return typeof v === 'string' ? v : undefined;
    case 'boolean':
      return typeof v === 'boolean' ? v : undefined;
    default:
      return undefined;
  }
}

function convertDecimal(v: unknown, scale: number, which: 'min' | 'max'): DecimalValue | undefined {
  const text = numberText(v) ?? (typeof v === 'string' ? v : undefined);
  const parsed = text === undefined ? undefined : parseDecimal(text);
  if (!parsed) return undefined;
  const r = rescaleDecimal(parsed, scale);
  if ('exact' in r) return r.exact;
  return which === 'min' ? r.floor : r.ceil;
}

/** Writers truncate timestamp stats to milliseconds: a max written with ≤3 fraction digits may hide up to 999µs. */
const TRUNCATION_SLACK = 999n;

function convertTimestamp(v: unknown, ntz: boolean, which: 'min' | 'max', fromStruct: boolean, timeZone: string): bigint | undefined {
  let micros: bigint;
  let truncated = fromStruct;
  if (typeof v === 'string') {
    const parts = parseTimestampParts(v);
    if (!parts) return undefined;
    truncated = parts.fractionDigits <= 3;
    if (ntz || parts.offsetSeconds !== undefined) micros = parts.wallMicros - BigInt(ntz ? 0 : (parts.offsetSeconds ?? 0)) * MICROS_PER_SECOND;
    else {
      const zoned = zonedLegacy(parts.wallMicros, timeZone);
      if (zoned === undefined) return undefined;
      micros = zoned;
    }
  } else if (typeof v === 'bigint') micros = v;
  else if (typeof v === 'number' && Number.isSafeInteger(v)) micros = BigInt(v);
  else if (v instanceof Date && !Number.isNaN(v.getTime())) {
    micros = BigInt(v.getTime()) * 1000n;
    truncated = true;
  } else return undefined;
  return which === 'max' && truncated ? micros + TRUNCATION_SLACK : micros;
}

function zonedLegacy(wallMicros: bigint, timeZone: string): bigint | undefined {
  try {
    return wallClockToUtcMicros(wallMicros, timeZone);
  } catch {
    return undefined;
  }
}
