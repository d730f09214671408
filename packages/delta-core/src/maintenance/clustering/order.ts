/**
 * The clustering order of rows (Delta Spark's `HilbertClustering`): every clustering column is cut
 * into up to {@link DEFAULT_RANGE_IDS} ranges of about equal row counts (`range_partition_id`, an
 * approximate rank; nulls first, in range 0), and the rows are ordered by the Hilbert position of
 * their range ids (one column: by its range id). Consecutive runs of that order become files, so
 * each file covers a compact box of the clustering columns' value space.
 *
 * Values are compared as Spark orders them: numbers numerically (NaN above everything, -0 = 0), decimals
 * and 64-bit values through a monotone conversion to doubles (ranks may merge values beyond 2^53,
 * which only coarsens ranges), strings and binary bytewise.
 */
import type { ColumnView } from '../../expr/column-view.js';
import { DeltaError } from '../../errors.js';
import { HilbertCurve } from './hilbert.js';

/** Spark's `spark.databricks.io.skipping.mdc.rangeId.max`. */
export const DEFAULT_RANGE_IDS = 1000;
/** Rows sampled per range to place the bounds (Spark's range partitioner samples 20 per range). */
const SAMPLES_PER_RANGE = 20;

/** One clustering column of a set of rows, as the views of its consecutive batches. */
export type ColumnChunks = readonly ColumnView[];

/**
 * The range id of every row (batches concatenated): the number of range bounds below the value
 * (Spark's `range_partition_id`: a value equal to a bound falls in that bound's range). Bounds come
 * from the non-null values of an evenly spaced sample of 20 rows per range (every row when there
 * are fewer). Nulls get 0. Ids are below `numRanges`.
 */
export function rangeIds(chunks: ColumnChunks, numRanges = DEFAULT_RANGE_IDS): Int32Array {
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const kind = baseKind(chunks);
  if (kind === 'bytes') return bytesRangeIds(chunks, total, numRanges);
  const { values, valid } = orderNumbers(chunks, total);
  // The bounds come from an evenly spaced sample of the rows, as Spark's range partitioner samples
  // (20 values per range); a column with fewer rows is used whole.
  const stride = Math.max(1, total / (numRanges * SAMPLES_PER_RANGE));
  const picked: number[] = [];
  for (let r = 0; r < total; r += stride) {
    const i = Math.floor(r);
    if (valid[i]) picked.push(values[i]!);
  }
  const sorted = Float64Array.from(picked).sort(); // NaN last, as Spark orders it
  const bounds = Float64Array.from(quantileBounds(sorted.length, numRanges, (a, b) => !Object.is(sorted[a], sorted[b]), (i) => sorted[i]!));
  const nanIds = bounds.filter((b) => !Number.isNaN(b)).length; // every other bound is below NaN
  const ids = new Int32Array(total);
  for (let i = 0; i < total; i++) {
    if (!valid[i]) continue;
    const v = values[i]!;
    if (v !== v) {
      ids[i] = nanIds;
      continue;
    }
    let lo = 0;
    let hi = bounds.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (bounds[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    ids[i] = lo;
  }
  return ids;
}

/**
 * The clustering key of every row: the Hilbert position of its range ids over all columns (one
 * column: the range id itself, as Spark orders a single column by Z-order of one value).
 */
export function clusteringKeys(ids: readonly Int32Array[], numRanges = DEFAULT_RANGE_IDS): Float64Array {
  const rows = ids[0]?.length ?? 0;
  if (ids.length === 1) return Float64Array.from(ids[0]!);
  // Spark: numBits = floor(log2(numRanges)) + 1, enough for every id below numRanges.
  const bits = Math.floor(Math.log2(numRanges)) + 1;
  return new HilbertCurve(ids.length, bits).indexColumns(ids, rows);
}

/**
 * Row order by ascending key (ties in input order): an LSD radix sort over the integer keys
 * (non-negative, below 2^52), 13 bits per pass.
 */
export function orderByKey(keys: Float64Array): Uint32Array {
  const n = keys.length;
  let max = 0;
  for (let i = 0; i < n; i++) if (keys[i]! > max) max = keys[i]!;
  if (!Number.isSafeInteger(max)) throw new DeltaError('INTERNAL', `Clustering keys must be safe integers, got ${max}.`);
  let order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let next = new Uint32Array(n);
  const RADIX = 1 << 13;
  const counts = new Uint32Array(RADIX);
  for (let shift = 1; shift <= max; shift *= RADIX) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[Math.floor(keys[order[i]!]! / shift) % RADIX]!++;
    let sum = 0;
    for (let d = 0; d < RADIX; d++) {
      const c = counts[d]!;
      counts[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const r = order[i]!;
      next[counts[Math.floor(keys[r]! / shift) % RADIX]!++] = r;
    }
    [order, next] = [next, order];
  }
  return order;
}

type BaseKind = 'numeric' | 'bytes';

function baseKind(chunks: ColumnChunks): BaseKind {
  for (const c of chunks) {
    const v = c.kind === 'dictionary' ? c.dictionary : c;
    if (v.kind === 'bytes') return 'bytes';
    if (v.kind === 'opaque') {
      throw new DeltaError('UNSUPPORTED_OPERATION', `Cannot cluster by a column of Arrow type ${v.typeName}: its values have no order. Cluster by numeric, date, timestamp or string columns.`);
    }
  }
  return 'numeric';
}

/**
 * Range bounds over `count` sorted values, as Spark's `RangePartitioner.determineBounds` picks them
 * (every value weighing one): walking the values, a value becomes the next bound once the running
 * count reaches the next multiple of count/numRanges and it is greater than the previous bound.
 */
function quantileBounds<T>(count: number, numRanges: number, differ: (a: number, b: number) => boolean, at: (i: number) => T): T[] {
  const bounds: T[] = [];
  const step = count / numRanges;
  let target = step;
  let last = -1;
  for (let i = 0; i < count && bounds.length < numRanges - 1; i++) {
    if (i + 1 < target) {
      // Jump straight to the next candidate: values before it cannot become bounds.
      i = Math.max(i, Math.ceil(target) - 2);
      continue;
    }
    if (last >= 0 && !differ(last, i)) continue;
    bounds.push(at(i));
    last = i;
    target += step;
  }
  return bounds;
}

const TWO_32 = 2 ** 32;

/** Every row's value as a double that orders as the value does; `valid[i]` is 0 for nulls. */
function orderNumbers(chunks: ColumnChunks, total: number): { values: Float64Array; valid: Uint8Array } {
  const values = new Float64Array(total);
  const valid = new Uint8Array(total);
  let base = 0;
  for (const c of chunks) {
    fillNumbers(c, values, valid, base);
    base += c.length;
  }
  return { values, valid };
}

function fillNumbers(c: ColumnView, out: Float64Array, valid: Uint8Array, base: number): void {
  const n = c.length;
  if (c.kind === 'null' || c.kind === 'opaque' || c.kind === 'bytes') return;
  for (let i = 0; i < n; i++) valid[base + i] = c.valid === null ? 1 : c.valid[i]!;
  switch (c.kind) {
    case 'number':
      for (let i = 0; i < n; i++) {
        const v = c.values[i]!;
        out[base + i] = v === 0 ? 0 : v; // -0 equals 0
      }
      return;
    case 'bigint': {
      // Two 32-bit words per value: no BigInt per row.
      const w = new Int32Array(c.values.buffer, c.values.byteOffset, n * 2);
      const unsigned = c.values instanceof BigUint64Array;
      for (let i = 0; i < n; i++) {
        const hi = unsigned ? w[2 * i + 1]! >>> 0 : w[2 * i + 1]!;
        out[base + i] = hi * TWO_32 + (w[2 * i]! >>> 0);
      }
      return;
    }
    case 'decimal': {
      const w = new Int32Array(c.lo.buffer, c.lo.byteOffset, c.lo.length * 2);
      for (let i = 0; i < n; i++) {
        const k = 4 * i;
        out[base + i] = ((w[k + 3]! * TWO_32 + (w[k + 2]! >>> 0)) * TWO_32 + (w[k + 1]! >>> 0)) * TWO_32 + (w[k]! >>> 0);
      }
      return;
    }
    case 'bool':
      for (let i = 0; i < n; i++) {
        const j = c.offset + i;
        out[base + i] = (c.bits[j >> 3]! >> (j & 7)) & 1;
      }
      return;
    case 'dictionary': {
      const d = new Float64Array(c.dictionary.length);
      const dv = new Uint8Array(c.dictionary.length);
      fillNumbers(c.dictionary, d, dv, 0);
      for (let i = 0; i < n; i++) {
        const k = Number(c.indices[i]!);
        out[base + i] = d[k]!;
        if (!dv[k]) valid[base + i] = 0;
      }
      return;
    }
  }
}

/** A string/binary value: bytes `data[start, end)`. */
interface ByteRef {
  readonly data: Uint8Array;
  readonly start: number;
  readonly end: number;
}

/** Compares `a` with the bytes `data[start, end)` (unsigned, then by length). */
function compareWith(a: ByteRef, data: Uint8Array, start: number, end: number): number {
  const la = a.end - a.start;
  const lb = end - start;
  const n = Math.min(la, lb);
  const ad = a.data;
  for (let i = 0; i < n; i++) {
    const d = ad[a.start + i]! - data[start + i]!;
    if (d !== 0) return d;
  }
  return la - lb;
}

const compareBytes = (a: ByteRef, b: ByteRef): number => compareWith(a, b.data, b.start, b.end);

/** The bytes of row `i` of a bytes (or dictionary-of-bytes) view, or undefined when null. */
function bytesAt(c: ColumnView, i: number): ByteRef | undefined {
  if (c.valid !== null && !c.valid[i]) return undefined;
  if (c.kind === 'dictionary') return bytesAt(c.dictionary, Number(c.indices[i]!));
  if (c.kind !== 'bytes') return undefined;
  return { data: c.data, start: Number(c.offsets[i]!), end: Number(c.offsets[i + 1]!) };
}

/** Bounds below `data[start, end)`: a binary search over the sorted bounds. */
function idOfBytes(bounds: readonly ByteRef[], data: Uint8Array, start: number, end: number): number {
  let lo = 0;
  let hi = bounds.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareWith(bounds[mid]!, data, start, end) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function bytesRangeIds(chunks: ColumnChunks, total: number, numRanges: number): Int32Array {
  // An evenly spaced sample of the rows (deterministic), sorted, gives the bounds.
  const want = Math.min(total, numRanges * SAMPLES_PER_RANGE);
  const sample: ByteRef[] = [];
  const stride = total / Math.max(1, want);
  let chunk = 0;
  let start = 0;
  for (let s = 0; s < want; s++) {
    const row = Math.floor(s * stride);
    while (row >= start + chunks[chunk]!.length) start += chunks[chunk++]!.length;
    const v = bytesAt(chunks[chunk]!, row - start);
    if (v !== undefined) sample.push(v);
  }
  sample.sort(compareBytes);
  const bounds = quantileBounds(sample.length, numRanges, (a, b) => compareBytes(sample[a]!, sample[b]!) !== 0, (i) => sample[i]!);
  const ids = new Int32Array(total);
  let base = 0;
  for (const c of chunks) {
    fillBytesIds(c, bounds, ids, base);
    base += c.length;
  }
  return ids;
}

/** Writes the range ids of one view's rows at `base` (nulls stay 0). */
function fillBytesIds(c: ColumnView, bounds: readonly ByteRef[], ids: Int32Array, base: number): void {
  const valid = c.valid;
  if (c.kind === 'bytes') {
    const { data, offsets } = c;
    if (offsets instanceof Int32Array) {
      for (let i = 0; i < c.length; i++) if (valid === null || valid[i]) ids[base + i] = idOfBytes(bounds, data, offsets[i]!, offsets[i + 1]!);
    } else {
      for (let i = 0; i < c.length; i++) if (valid === null || valid[i]) ids[base + i] = idOfBytes(bounds, data, Number(offsets[i]!), Number(offsets[i + 1]!));
    }
  } else if (c.kind === 'dictionary') {
    // Each dictionary entry's id once, then per row by index.
    const dict = new Int32Array(c.dictionary.length);
    fillBytesIds(c.dictionary, bounds, dict, 0);
    const dv = c.dictionary.valid;
    for (let i = 0; i < c.length; i++) {
      if (valid !== null && !valid[i]) continue;
      const k = Number(c.indices[i]!);
      if (dv === null || dv[k]) ids[base + i] = dict[k]!;
    }
  }
}
