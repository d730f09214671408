import { describe, expect, it } from 'vitest';
import { HilbertCurve } from '../../../src/maintenance/clustering/hilbert.js';
import { isDeltaError } from '../../../src/errors.js';

const manhattan = (a: readonly number[], b: readonly number[]): number => a.reduce((s, x, i) => s + Math.abs(x - b[i]!), 0);

/** Z-order (bit interleaving), the curve Delta uses for ZORDER BY, as a baseline. */
function zOrder(point: readonly number[], bits: number): number {
  let h = 0;
  for (let i = bits - 1; i >= 0; i--) for (let j = point.length - 1; j >= 0; j--) h = h * 2 + ((point[j]! >>> i) & 1);
  return h;
}

/** Row-major order, the layout of unclustered data sorted by the first column. */
const rowMajor = (point: readonly number[], bits: number): number => point.reduceRight((h, x) => h * 2 ** bits + x, 0);

/** Curve position of every cell of the grid, indexed by the cell's row-major number. */
function positions(dims: number, bits: number, key: (p: number[]) => number): Float64Array {
  const side = 2 ** bits;
  const total = side ** dims;
  const out = new Float64Array(total);
  for (let c = 0; c < total; c++) {
    const p: number[] = [];
    let rest = c;
    for (let j = 0; j < dims; j++) {
      p.push(rest % side);
      rest = Math.floor(rest / side);
    }
    out[c] = key(p);
  }
  return out;
}

/** Seeded cubic query boxes of side `extent` (lower corners). */
function randomBoxes(dims: number, side: number, extent: number, count: number, seed: number): number[][] {
  let s = seed;
  const rand = (): number => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  return Array.from({ length: count }, () => Array.from({ length: dims }, () => Math.floor(rand() * (side - extent))));
}

/**
 * For each query box, the sorted curve positions of its cells; then the mean number of curve
 * segments (runs of `total / segments` positions: the files of a clustered table) the box
 * touches, and the mean number of maximal contiguous position ranges covering it (seeks).
 */
function queryCost(pos: Float64Array, dims: number, bits: number, extent: number, boxes: readonly number[][], segments: number): { files: number; ranges: number } {
  const side = 2 ** bits;
  const per = pos.length / segments;
  let files = 0;
  let ranges = 0;
  for (const lo of boxes) {
    const keys: number[] = [];
    const visit = (j: number, cell: number, stride: number): void => {
      if (j === dims) {
        keys.push(pos[cell]!);
        return;
      }
      for (let x = lo[j]!; x < lo[j]! + extent; x++) visit(j + 1, cell + x * stride, stride * side);
    };
    visit(0, 0, 1);
    keys.sort((a, b) => a - b);
    files += new Set(keys.map((k) => Math.floor(k / per))).size;
    let r = 1;
    for (let i = 1; i < keys.length; i++) if (keys[i] !== keys[i - 1]! + 1) r++;
    ranges += r;
  }
  return { files: files / boxes.length, ranges: ranges / boxes.length };
}

describe('HilbertCurve', () => {
  // The (dimensions, bits) grid of Delta's HilbertIndexSuite.
  const cases: [number, number][] = [
    [1, 8],
    [2, 10],
    [3, 6],
    [4, 5],
    [5, 4],
    [6, 3],
  ];

  it.each(cases)('visits every cell of %i dimensions × %i bits once, each step moving to a neighbouring cell', (dims, bits) => {
    const curve = new HilbertCurve(dims, bits);
    const seen = new Uint8Array(curve.size);
    let last: number[] | undefined;
    let problem = '';
    for (let h = 0; h < curve.size && problem === ''; h++) {
      const p = curve.point(h);
      const cell = rowMajor(p, bits);
      if (p.some((x) => x < 0 || x >= 2 ** bits)) problem = `point(${h}) = ${p} is outside the grid`;
      else if (last !== undefined && manhattan(last, p) !== 1) problem = `step ${h - 1} → ${h} jumps from ${last} to ${p}`;
      else if (seen[cell] === 1) problem = `cell ${p} visited twice`;
      else if (curve.index(p) !== h) problem = `index(point(${h})) = ${curve.index(p)}`;
      seen[cell] = 1;
      last = p;
    }
    expect(problem).toBe('');
    expect(seen.every((v) => v === 1)).toBe(true);
  });

  it('is continuous across the whole range for 2 to 9 dimensions (blocks sampled along the curve)', () => {
    for (let dims = 2; dims <= 9; dims++) {
      const bits = Math.floor(52 / dims) > 15 - dims ? 15 - dims : Math.floor(52 / dims);
      const curve = new HilbertCurve(dims, bits);
      const step = Math.floor(curve.size / 200);
      let problem = '';
      for (let b = 0; b < 200; b++) {
        let last = curve.point(b * step);
        for (let h = b * step + 1; h < b * step + 200 && h < curve.size; h++) {
          const p = curve.point(h);
          if (manhattan(last, p) !== 1) problem ||= `${dims}D: step to ${h} jumps from ${last} to ${p}`;
          if (curve.index(p) !== h) problem ||= `${dims}D: index(point(${h})) = ${curve.index(p)}`;
          last = p;
        }
      }
      expect(problem).toBe('');
    }
  });

  it('starts at the origin and ends at a corner adjacent to it along one axis', () => {
    for (const [dims, bits] of cases) {
      const curve = new HilbertCurve(dims, bits);
      expect(curve.point(0)).toEqual(new Array(dims).fill(0));
      const end = curve.point(curve.size - 1);
      // The last cell lies on a face of the grid shared with the first (a closed-ish curve would end next to the start).
      expect(end.filter((x) => x === 0).length).toBe(dims - 1);
    }
  });

  it('indexColumns agrees with index point by point', () => {
    const curve = new HilbertCurve(3, 10);
    const rows = 5000;
    const cols = [0, 1, 2].map((j) => Int32Array.from({ length: rows }, (_, r) => (r * (7919 + j * 104729)) % 1024));
    const out = curve.indexColumns(cols, rows);
    for (let r = 0; r < rows; r += 37) expect(out[r]).toBe(curve.index([cols[0]![r]!, cols[1]![r]!, cols[2]![r]!]));
  });

  it('answers box queries with fewer files and fewer contiguous ranges than Z-order or row-major order (2D)', () => {
    const bits = 7;
    const curve = new HilbertCurve(2, bits);
    const boxes = randomBoxes(2, 2 ** bits, 10, 300, 42);
    // 100 files: runs of the curve that are not aligned with its recursive quadrants.
    const h = queryCost(positions(2, bits, (p) => curve.index(p)), 2, bits, 10, boxes, 100);
    const z = queryCost(positions(2, bits, (p) => zOrder(p, bits)), 2, bits, 10, boxes, 100);
    const rows = queryCost(positions(2, bits, (p) => rowMajor(p, bits)), 2, bits, 10, boxes, 100);
    expect(rows.ranges).toBe(10); // one range per row of the box
    expect(h.files).toBeLessThan(z.files);
    expect(h.files).toBeLessThan(rows.files / 2);
    // Moon et al.: the Hilbert curve needs markedly fewer contiguous ranges than Z-order.
    expect(h.ranges).toBeLessThan(z.ranges * 0.75);
  });

  it('answers box queries with fewer files and ranges than Z-order in 3 dimensions, and aligned runs are sub-cubes', () => {
    const bits = 4;
    const curve = new HilbertCurve(3, bits);
    const pos = positions(3, bits, (p) => curve.index(p));
    // Each aligned run of 8^2 = 64 positions fills a 4×4×4 sub-cube (the recursive structure).
    const cells = Array.from(pos.keys()).sort((a, b) => pos[a]! - pos[b]!);
    for (let start = 0; start < cells.length; start += 64) {
      for (let j = 0; j < 3; j++) {
        const xs = cells.slice(start, start + 64).map((c) => Math.floor(c / 16 ** j) % 16);
        expect(Math.max(...xs) - Math.min(...xs)).toBe(3);
      }
    }
    const boxes = randomBoxes(3, 2 ** bits, 4, 200, 7);
    const h = queryCost(pos, 3, bits, 4, boxes, 100);
    const z = queryCost(positions(3, bits, (p) => zOrder(p, bits)), 3, bits, 4, boxes, 100);
    expect(h.files).toBeLessThan(z.files);
    expect(h.ranges).toBeLessThan(z.ranges * 0.75);
  });

  it('refuses dimension and bit counts it cannot represent exactly', () => {
    const codes = [() => new HilbertCurve(0, 4), () => new HilbertCurve(10, 4), () => new HilbertCurve(4, 14), () => new HilbertCurve(2, 0)].map((f) => {
      try {
        f();
        return 'ok';
      } catch (e) {
        return isDeltaError(e, 'INVALID_ARGUMENT') ? 'INVALID_ARGUMENT' : String(e);
      }
    });
    expect(codes).toEqual(['INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'INVALID_ARGUMENT']);
  });
});
