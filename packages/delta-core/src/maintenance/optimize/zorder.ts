/**
 * Z-order: the row order of Delta's `ZOrderClustering`. Each Z-order column is mapped to a range
 * id (`range_partition_id`: the column's domain is cut into up to `numRanges` ranges of about equal
 * row counts, at quantiles of a sample of its non-null values; nulls get range 0), and the range
 * ids are interleaved bit by bit, most significant bit first, column after column
 * (`interleave_bits`), giving each row its position on a Morton curve. Rows are written sorted by
 * that position, so each output file covers a compact box of the columns' joint domain and
 * min/max statistics skip files for predicates on any of the columns.
 *
 * Values compare as Spark orders them: numbers numerically (NaN above every number, -0 = 0), strings and
 * binary by unsigned bytes, booleans false < true; dates and timestamps by their instants. Longs,
 * timestamps and decimals are placed by a monotone double approximation (values that differ beyond
 * 2^53 may share a range boundary, which only moves rows between neighbouring ranges).
 */
import { DeltaError } from '../../errors.js';
import { columnView, type ColumnView } from '../../expr/column-view.js';
import { DEFAULT_Z_ORDER_RANGES } from './options.js';
import type { ZOrderColumn } from './plan.js';
import type { RowOrder } from './rewrite.js';

/** Values sampled per column to find range boundaries (Spark samples 100 per range). */
export const Z_ORDER_SAMPLE_SIZE = 100_000;

export interface ZOrderOptions {
  /** Ranges per column (Spark's `spark.databricks.io.skipping.mdc.rangeId.max`). Default 1000. */
  readonly numRanges?: number;
  /** Values sampled per column for the range boundaries. Default {@link Z_ORDER_SAMPLE_SIZE}. */
  readonly sampleSize?: number;
}

/** The Z-order of `columns` as a {@link RowOrder} for `rewriteFiles`. */
export function zOrder(columns: readonly Pick<ZOrderColumn, 'path'>[], options: ZOrderOptions = {}): RowOrder {
  if (columns.length === 0) throw new DeltaError('INVALID_ARGUMENT', 'Z-order needs at least one column.');
  const numRanges = options.numRanges ?? DEFAULT_Z_ORDER_RANGES;
  if (!Number.isSafeInteger(numRanges) || numRanges < 2 || numRanges > 1 << 20) {
    throw new DeltaError('INVALID_ARGUMENT', `numRanges must be an integer from 2 to 1048576, got ${numRanges}.`);
  }
  const sampleSize = options.sampleSize ?? Z_ORDER_SAMPLE_SIZE;
  return {
    columns: [...new Set(columns.map((c) => c.path[0]!))],
    permutation: (batches) => {
      const ids = columns.map((c) => rangePartitionIds(batches.map((b) => columnView(b, c.path)), numRanges, sampleSize));
      return sortByZValue(ids, bitsFor(numRanges - 1));
    },
  };
}

// ---- range ids ----------------------------------------------------------------------------

/** Sortable form of one column: doubles, or byte strings (strings and binary). */
type Sortable = { readonly kind: 'number'; readonly values: Float64Array; readonly valid: Uint8Array } | { readonly kind: 'bytes'; readonly values: Uint8Array[]; readonly valid: Uint8Array };

/**
 * Spark's `range_partition_id(col, numRanges)` over the rows of `views` (one per batch, in
 * order): boundaries at the quantiles of a sample of the non-null values (duplicates dropped, so
 * a column with few distinct values gets fewer ranges), each value's id the number of boundaries
 * below it; nulls get 0.
 */
export function rangePartitionIds(views: readonly ColumnView[], numRanges: number, sampleSize = Z_ORDER_SAMPLE_SIZE): Int32Array {
  const col = sortable(views);
  const n = col.valid.length;
  const ids = new Int32Array(n);
  const sample = sampleIndices(col.valid, sampleSize);
  if (sample.length === 0) return ids;
  if (col.kind === 'number') {
    const v = col.values;
    const sorted = Float64Array.from(sample, (i) => v[i]!).sort(); // NaN last
    const bounds = pickBounds(sorted.length, numRanges, (a, b) => greater(sorted[a]!, sorted[b]!), (i) => sorted[i]!);
    const b = Float64Array.from(bounds);
    for (let i = 0; i < n; i++) if (col.valid[i]) ids[i] = lowerBound(b.length, (k) => greater(v[i]!, b[k]!));
  } else {
    const v = col.values;
    const sorted = sample.map((i) => v[i]!).sort(compareBytes);
    const b = pickBounds(sorted.length, numRanges, (x, y) => compareBytes(sorted[x]!, sorted[y]!) > 0, (i) => sorted[i]!);
    for (let i = 0; i < n; i++) if (col.valid[i]) ids[i] = lowerBound(b.length, (k) => compareBytes(b[k]!, v[i]!) < 0);
  }
  return ids;
}

/**
 * Up to `numRanges - 1` boundaries from `m` sorted sample values, as Spark's
 * `RangePartitioner.determineBounds` picks them with equal weights: walking the sample, a value
 * becomes the next boundary once the walked count reaches the next multiple of `m / numRanges`,
 * unless it equals the previous boundary (then the next larger value is taken).
 */
function pickBounds<T>(m: number, numRanges: number, greater: (a: number, b: number) => boolean, at: (i: number) => T): T[] {
  const bounds: T[] = [];
  const step = m / numRanges;
  let target = step;
  let last = -1;
  for (let i = 0; i < m && bounds.length < numRanges - 1; i++) {
    if (i + 1 < target) continue;
    if (last >= 0 && !greater(i, last)) continue;
    bounds.push(at(i));
    last = i;
    target += step;
  }
  return bounds;
}

/** The first k in [0, len) for which `below(k)` is false (len when none): bounds below a value. */
function lowerBound(len: number, below: (k: number) => boolean): number {
  let lo = 0;
  let hi = len;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (below(mid)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** `a > b` in Spark's double ordering: NaN above every number (and equal to NaN). */
function greater(a: number, b: number): boolean {
  return a > b || (a !== a && b === b);
}

/** Row indices of up to `size` non-null rows, spread evenly over the column (deterministic). */
function sampleIndices(valid: Uint8Array, size: number): number[] {
  let nonNull = 0;
  for (let i = 0; i < valid.length; i++) nonNull += valid[i]!;
  const out: number[] = [];
  if (nonNull === 0) return out;
  const stride = Math.max(1, nonNull / size);
  let next = 0;
  let seen = 0;
  for (let i = 0; i < valid.length && out.length < size; i++) {
    if (!valid[i]) continue;
    if (seen >= next) {
      out.push(i);
      next += stride;
    }
    seen++;
  }
  return out;
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

const TWO_32 = 4294967296;

/** The rows of `views` in a sortable form (one array over every batch). */
function sortable(views: readonly ColumnView[]): Sortable {
  const n = views.reduce((s, v) => s + v.length, 0);
  const valid = new Uint8Array(n);
  const first = views.find((v) => v.kind !== 'null');
  if (first !== undefined && first.kind === 'bytes') {
    const values = new Array<Uint8Array>(n);
    let pos = 0;
    for (const v of views) {
      if (v.kind === 'bytes') {
        const o = v.offsets;
        for (let i = 0; i < v.length; i++, pos++) {
          if (v.valid !== null && !v.valid[i]) continue;
          valid[pos] = 1;
          values[pos] = v.data.subarray(Number(o[i]!), Number(o[i + 1]!));
        }
      } else if (v.kind === 'null') pos += v.length;
      else throw unsupported(v);
    }
    return { kind: 'bytes', values, valid };
  }
  const values = new Float64Array(n);
  let pos = 0;
  for (const v of views) {
    if (v.length > 0) fillNumbers(v, values, valid, pos);
    pos += v.length;
  }
  return { kind: 'number', values, valid };
}

/** Writes `v`'s values as doubles (and validity) at `pos`. */
function fillNumbers(v: ColumnView, out: Float64Array, valid: Uint8Array, pos: number): void {
  const ok = (i: number) => v.valid === null || v.valid[i] === 1;
  switch (v.kind) {
    case 'number':
      for (let i = 0; i < v.length; i++) {
        if (!ok(i)) continue;
        const x = v.values[i]!;
        out[pos + i] = x === 0 ? 0 : x; // -0 equals 0; NaN stays NaN (see greater)
        valid[pos + i] = 1;
      }
      return;
    case 'bigint': {
      const words = new Int32Array(v.values.buffer, v.values.byteOffset, v.length * 2);
      const unsigned = v.values instanceof BigUint64Array;
      for (let i = 0; i < v.length; i++) {
        if (!ok(i)) continue;
        const hi = words[2 * i + 1]!;
        out[pos + i] = (unsigned ? hi >>> 0 : hi) * TWO_32 + (words[2 * i]! >>> 0);
        valid[pos + i] = 1;
      }
      return;
    }
    case 'decimal': {
      const lo = new Uint32Array(v.lo.buffer, v.lo.byteOffset, v.length * 4);
      for (let i = 0; i < v.length; i++) {
        if (!ok(i)) continue;
        const w = 4 * i; // little-endian 128-bit two's complement: words w..w+3, the last signed
        out[pos + i] = ((lo[w + 3]! | 0) * TWO_32 + lo[w + 2]!) * TWO_32 * TWO_32 + lo[w + 1]! * TWO_32 + lo[w]!;
        valid[pos + i] = 1;
      }
      return;
    }
    case 'bool':
      for (let i = 0; i < v.length; i++) {
        if (!ok(i)) continue;
        const j = v.offset + i;
        out[pos + i] = (v.bits[j >> 3]! >> (j & 7)) & 1;
        valid[pos + i] = 1;
      }
      return;
    case 'null':
      return;
    default:
      throw unsupported(v);
  }
}

function unsupported(v: ColumnView): DeltaError {
  return new DeltaError('UNSUPPORTED_OPERATION', `Cannot Z-order by a column of Arrow layout "${v.kind === 'opaque' ? v.typeName : v.kind}": only atomic columns have the ordering Z-order needs.`);
}

// ---- interleaving and sorting --------------------------------------------------------------

/** Bits needed to hold `max` (at least 1). */
export function bitsFor(max: number): number {
  let b = 1;
  while (2 ** b <= max) b++;
  return b;
}

/**
 * The permutation sorting rows by their interleaved range ids (`ids[c][row]`, each below
 * 2^bits): bit `bits-1` of column 0, of column 1, ..., then bit `bits-2` of each column, and so on
 * (Spark's `interleave_bits` over the ids, whose higher bits are all zero). Ties keep row order.
 */
export function sortByZValue(ids: readonly Int32Array[], bits: number): Int32Array {
  const n = ids[0]?.length ?? 0;
  const keyBits = ids.length * bits;
  const indexBits = bitsFor(Math.max(1, n - 1));
  const words = interleave(ids, bits, Math.ceil(keyBits / 52));
  if (keyBits + indexBits <= 53) {
    // One double per row: z-value above, row index below; a native numeric sort orders both.
    const scale = 2 ** indexBits;
    const packed = new Float64Array(n);
    const z = words[0]!;
    for (let i = 0; i < n; i++) packed[i] = z[i]! * scale + i;
    packed.sort();
    const perm = new Int32Array(n);
    for (let k = 0; k < n; k++) perm[k] = packed[k]! % scale;
    return perm;
  }
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  perm.sort((a, b) => {
    for (const w of words) {
      const d = w[a]! - w[b]!;
      if (d !== 0) return d;
    }
    return a - b;
  });
  return perm;
}

/**
 * Spark's `interleave_bits` of 32-bit ints: bit 31 of each input in turn, then bit 30, ..., as
 * `4 * n` bytes, most significant first (the reference {@link sortByZValue} is ordered by).
 */
export function interleaveBits(values: ArrayLike<number>): Uint8Array {
  const n = values.length;
  const out = new Uint8Array(4 * n);
  let bit = 0;
  for (let b = 31; b >= 0; b--) {
    for (let c = 0; c < n; c++, bit++) if ((values[c]! >>> b) & 1) out[bit >> 3]! |= 0x80 >> (bit & 7);
  }
  return out;
}

/** The interleaved bits of each row, most significant first, in words of up to 52 bits. */
function interleave(ids: readonly Int32Array[], bits: number, numWords: number): Float64Array[] {
  const n = ids[0]?.length ?? 0;
  const total = ids.length * bits;
  const words = Array.from({ length: Math.max(1, numWords) }, () => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    let pos = 0;
    let acc = 0;
    for (let b = bits - 1; b >= 0; b--) {
      for (let c = 0; c < ids.length; c++) {
        acc = acc * 2 + ((ids[c]![i]! >> b) & 1);
        pos++;
        if (pos % 52 === 0 || pos === total) {
          words[Math.ceil(pos / 52) - 1]![i] = acc;
          acc = 0;
        }
      }
    }
  }
  return words;
}
