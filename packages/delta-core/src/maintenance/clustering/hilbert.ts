/**
 * The n-dimensional Hilbert curve: maps a point of an n-dimensional grid with 2^bits cells per
 * side to its position along the curve, such that consecutive positions are neighbouring cells
 * (Manhattan distance 1) and nearby positions stay in a compact region. Liquid clustering sorts
 * rows by the position of their range-partition ids (Delta Spark's `HilbertClustering`).
 *
 * Construction (Butz's algorithm as formulated by Hamilton, "Compact Hilbert Indices", 2006): the
 * point is read one bit plane at a time, from the most significant; each plane is an n-bit corner
 * label of the current sub-cube. The sub-cube's orientation is a state (entry corner e, principal
 * direction d): the label is transformed into the canonical frame (xor e, rotate right by d+1),
 * its inverse Gray code is the next n-bit digit of the position, and the digit determines the
 * child sub-cube's orientation. The (e, d) states reachable from (0, 0) are enumerated once per
 * dimension count into a transition table, so each bit plane costs one table lookup.
 */
import { DeltaError } from '../../errors.js';

/** Dimensions supported (Delta supports 2 to 9; 1 is the identity). */
export const MAX_HILBERT_DIMENSIONS = 9;
/** Positions are JS numbers: dimensions × bits must stay within 52 bits to remain exact. */
export const MAX_HILBERT_BITS = 52;

/** Per-dimension transition tables: for state s and label l, `digit[s << n | l]` and `next[s << n | l]`. */
interface Tables {
  readonly digit: Uint16Array;
  readonly next: Uint32Array;
  /** Inverse direction: for state s and digit w, the label and the next state. */
  readonly label: Uint16Array;
  readonly nextFromDigit: Uint32Array;
}

const TABLES = new Map<number, Tables>();

/** A Hilbert curve over `dims` dimensions with `bits` bits per coordinate. */
export class HilbertCurve {
  readonly dims: number;
  readonly bits: number;
  readonly #t: Tables;

  constructor(dims: number, bits: number) {
    if (!Number.isInteger(dims) || dims < 1 || dims > MAX_HILBERT_DIMENSIONS) {
      throw new DeltaError('INVALID_ARGUMENT', `A Hilbert curve needs 1 to ${MAX_HILBERT_DIMENSIONS} dimensions, got ${dims}. Cluster by at most ${MAX_HILBERT_DIMENSIONS} columns.`);
    }
    if (!Number.isInteger(bits) || bits < 1 || dims * bits > MAX_HILBERT_BITS) {
      throw new DeltaError('INVALID_ARGUMENT', `A Hilbert curve of ${dims} dimensions takes 1 to ${Math.floor(MAX_HILBERT_BITS / dims)} bits per coordinate, got ${bits}. Use fewer bits (coarser ranges).`);
    }
    this.dims = dims;
    this.bits = bits;
    this.#t = tablesFor(dims);
  }

  /** The number of cells: positions run from 0 to `size - 1`. */
  get size(): number {
    return 2 ** (this.dims * this.bits);
  }

  /** The position of `point` (coordinates in [0, 2^bits), one per dimension). */
  index(point: ArrayLike<number>): number {
    const n = this.dims;
    const { digit, next } = this.#t;
    let h = 0;
    let state = 0;
    const scale = 2 ** n;
    for (let i = this.bits - 1; i >= 0; i--) {
      let l = 0;
      for (let j = 0; j < n; j++) l |= ((point[j]! >>> i) & 1) << j;
      const k = (state << n) | l;
      h = h * scale + digit[k]!;
      state = next[k]!;
    }
    return h;
  }

  /** The point at position `h` (the inverse of {@link index}). */
  point(h: number): number[] {
    const n = this.dims;
    const { label, nextFromDigit } = this.#t;
    const p = new Array<number>(n).fill(0);
    let state = 0;
    const scale = 2 ** n;
    for (let i = this.bits - 1; i >= 0; i--) {
      const w = Math.floor(h / scale ** i) % scale;
      const k = (state << n) | w;
      const l = label[k]!;
      for (let j = 0; j < n; j++) p[j] = p[j]! | (((l >>> j) & 1) << i);
      state = nextFromDigit[k]!;
    }
    return p;
  }

  /**
   * Positions of many points at once: `coords[j][r]` is coordinate j of row r. Writes into `out`
   * (allocated when absent) and returns it.
   */
  indexColumns(coords: readonly ArrayLike<number>[], rows: number, out: Float64Array = new Float64Array(rows)): Float64Array {
    const n = this.dims;
    if (coords.length !== n) throw new DeltaError('INTERNAL', `Hilbert index of ${n} dimensions given ${coords.length} coordinate columns.`);
    const { digit, next } = this.#t;
    const scale = 2 ** n;
    // Coordinates interleaved in one typed array: the row loop then reads a single array.
    const points = new Int32Array(rows * n);
    for (let j = 0; j < n; j++) {
      const c = coords[j]!;
      for (let r = 0, k = j; r < rows; r++, k += n) points[k] = c[r]!;
    }
    for (let r = 0, base = 0; r < rows; r++, base += n) {
      let h = 0;
      let state = 0;
      for (let i = this.bits - 1; i >= 0; i--) {
        let l = 0;
        for (let j = 0; j < n; j++) l |= ((points[base + j]! >>> i) & 1) << j;
        const k = (state << n) | l;
        h = h * scale + digit[k]!;
        state = next[k]!;
      }
      out[r] = h;
    }
    return out;
  }
}

/** Transition tables for `n` dimensions, built on first use. */
function tablesFor(n: number): Tables {
  const cached = TABLES.get(n);
  if (cached) return cached;
  const corners = 1 << n;
  const mask = corners - 1;
  const rotr = (x: number, k: number): number => {
    const s = k % n;
    return s === 0 ? x : ((x >>> s) | (x << (n - s))) & mask;
  };
  const rotl = (x: number, k: number): number => rotr(x, n - (k % n));
  // States are (entry corner e, direction d); enumerate those reachable from (0, 0).
  const ids = new Map<number, number>();
  const queue: [number, number][] = [];
  const idOf = (e: number, d: number): number => {
    const key = d * corners + e;
    let id = ids.get(key);
    if (id === undefined) {
      id = ids.size;
      ids.set(key, id);
      queue.push([e, d]);
    }
    return id;
  };
  idOf(0, 0);
  const rows: { digit: number[]; next: number[] }[] = [];
  for (let q = 0; q < queue.length; q++) {
    const [e, d] = queue[q]!;
    const digit = new Array<number>(corners);
    const next = new Array<number>(corners);
    for (let l = 0; l < corners; l++) {
      const w = inverseGray(rotr(l ^ e, d + 1));
      digit[l] = w;
      next[l] = idOf(e ^ rotl(entryCorner(w), d + 1), (d + direction(w, n) + 1) % n);
    }
    rows.push({ digit, next });
  }
  const size = rows.length * corners;
  const t: Tables = { digit: new Uint16Array(size), next: new Uint32Array(size), label: new Uint16Array(size), nextFromDigit: new Uint32Array(size) };
  rows.forEach((row, s) => {
    for (let l = 0; l < corners; l++) {
      const k = (s << n) | l;
      t.digit[k] = row.digit[l]!;
      t.next[k] = row.next[l]!;
      const kw = (s << n) | row.digit[l]!;
      t.label[kw] = l;
      t.nextFromDigit[kw] = row.next[l]!;
    }
  });
  TABLES.set(n, t);
  return t;
}

const gray = (i: number): number => i ^ (i >>> 1);

function inverseGray(g: number): number {
  let i = g;
  for (let s = g >>> 1; s !== 0; s >>>= 1) i ^= s;
  return i;
}

/** Number of trailing one bits of `i`. */
function trailingOnes(i: number): number {
  let c = 0;
  while (i & 1) {
    c++;
    i >>>= 1;
  }
  return c;
}

/** The corner where the curve enters the w-th sub-cube (Hamilton's e(w)). */
function entryCorner(w: number): number {
  return w === 0 ? 0 : gray(2 * Math.floor((w - 1) / 2));
}

/** The axis along which the curve leaves the w-th sub-cube (Hamilton's d(w)). */
function direction(w: number, n: number): number {
  if (w === 0) return 0;
  return (w % 2 === 0 ? trailingOnes(w - 1) : trailingOnes(w)) % n;
}
