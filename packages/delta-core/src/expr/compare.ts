import type { ComparisonOp } from './ast.js';
import { compareMixed, decimalAt, scalarAt, type ColumnView } from './column-view.js';
import { compareNumbers, rescaleDecimal, type Scalar } from './scalar.js';

/**
 * Comparison kernels over Arrow column views, the evaluator's fast path for `column op literal`
 * and `column op column`: typed-array loops straight over Arrow buffers (strings compared as
 * UTF-8 bytes, never decoded). Results are three-valued codes per row: 0 false, 1 null (unknown),
 * 2 true, so AND is min, OR is max and NOT is 2 - x.
 */

export const FALSE = 0;
export const NULL = 1;
export const TRUE = 2;

/** Sets `code` on invalid rows. */
export function applyNulls(out: Uint8Array, valid: Uint8Array | null, code: number): void {
  if (!valid) return;
  for (let i = 0; i < out.length; i++) if (!valid[i]) out[i] = code;
}

/** Result codes by comparison sign (-1, 0, 1) for each operator. */
const TABLES: Record<ComparisonOp, Uint8Array> = {
  '=': Uint8Array.of(FALSE, TRUE, FALSE),
  '<=>': Uint8Array.of(FALSE, TRUE, FALSE),
  '!=': Uint8Array.of(TRUE, FALSE, TRUE),
  '<': Uint8Array.of(TRUE, FALSE, FALSE),
  '<=': Uint8Array.of(TRUE, TRUE, FALSE),
  '>': Uint8Array.of(FALSE, FALSE, TRUE),
  '>=': Uint8Array.of(FALSE, TRUE, TRUE),
};

const encoder = new TextEncoder();

/** `column op literal` per row. */
export function compareLiteral(v: ColumnView, op: ComparisonOp, lit: Scalar): Uint8Array {
  const n = v.length;
  const out = new Uint8Array(n);
  const nullCode = op === '<=>' ? (lit === null ? TRUE : FALSE) : NULL;
  if (lit === null) {
    out.fill(op === '<=>' ? FALSE : NULL);
    if (op === '<=>') applyNulls(out, v.valid, TRUE);
    return out;
  }
  const table = TABLES[op];
  switch (v.kind) {
    case 'null':
      return out.fill(nullCode);
    case 'number':
      if (typeof lit === 'number' || typeof lit === 'bigint') {
        numberLoop(v.values, Number(lit), table, out);
        break;
      }
      genericLoop(v, lit, table, out);
      break;
    case 'bigint':
      if (typeof lit === 'bigint') bigintLoop(v.values, lit, table, out);
      else genericLoop(v, lit, table, out);
      break;
    case 'decimal': {
      const r = typeof lit === 'object' && 'unscaled' in lit ? rescaleDecimal(lit, v.scale) : undefined;
      if (r && 'exact' in r) decimalLoop(v.lo, v.hi, r.exact.unscaled, table, out);
      else genericLoop(v, lit, table, out);
      break;
    }
    case 'bytes': {
      const bytes = typeof lit === 'string' ? encoder.encode(lit) : lit instanceof Uint8Array ? lit : undefined;
      if (bytes) bytesLoop(v.offsets, v.data, bytes, table, out);
      else genericLoop(v, lit, table, out);
      break;
    }
    case 'dictionary': {
      const dict = compareLiteral(v.dictionary, op, lit);
      const idx = v.indices;
      for (let i = 0; i < n; i++) out[i] = dict[Number(idx[i]!)]!;
      break;
    }
    case 'bool':
    case 'opaque':
      genericLoop(v, lit, table, out);
      break;
  }
  applyNulls(out, v.valid, nullCode);
  return out;
}

function numberLoop(values: ArrayLike<number>, lit: number, table: Uint8Array, out: Uint8Array): void {
  const lt = table[0]!;
  const eq = table[1]!;
  const gt = table[2]!;
  if (Number.isNaN(lit)) {
    for (let i = 0; i < out.length; i++) out[i] = table[compareNumbers(values[i]!, lit) + 1]!;
    return;
  }
  for (let i = 0; i < out.length; i++) {
    const x = values[i]!;
    out[i] = x < lit ? lt : x > lit ? gt : x === lit ? eq : gt; // NaN sorts above every number
  }
}

function bigintLoop(values: BigInt64Array | BigUint64Array, lit: bigint, table: Uint8Array, out: Uint8Array): void {
  const lt = table[0]!;
  const eq = table[1]!;
  const gt = table[2]!;
  for (let i = 0; i < out.length; i++) {
    const x = values[i]!;
    out[i] = x < lit ? lt : x > lit ? gt : eq;
  }
}

function decimalLoop(lo: BigUint64Array, hi: BigInt64Array, lit: bigint, table: Uint8Array, out: Uint8Array): void {
  for (let i = 0; i < out.length; i++) {
    const x = decimalAt(lo, hi, i);
    out[i] = table[x < lit ? 0 : x > lit ? 2 : 1]!;
  }
}

/** Unsigned byte-wise comparison of each row with `lit` (UTF-8 byte order for strings). */
function bytesLoop(offsets: Int32Array | BigInt64Array, data: Uint8Array, lit: Uint8Array, table: Uint8Array, out: Uint8Array): void {
  if (offsets instanceof Int32Array) {
    if (table[0] === table[2]) bytesEqualLoop(offsets, data, lit, table[1]!, table[0]!, out);
    else bytesOrderLoop(offsets, data, lit, table, out);
    return;
  }
  const m = lit.length;
  for (let i = 0; i < out.length; i++) {
    const start = Number(offsets[i]!);
    const len = Number(offsets[i + 1]!) - start;
    out[i] = table[compareBytesAt(data, start, len, lit, m) + 1]!;
  }
}

/** `=` / `!=`: rows of another length differ without reading their bytes. */
function bytesEqualLoop(offsets: Int32Array, data: Uint8Array, lit: Uint8Array, same: number, differ: number, out: Uint8Array): void {
  const m = lit.length;
  for (let i = 0; i < out.length; i++) {
    const start = offsets[i]!;
    if (offsets[i + 1]! - start !== m) {
      out[i] = differ;
      continue;
    }
    let j = m - 1;
    while (j >= 0 && data[start + j] === lit[j]) j--;
    out[i] = j < 0 ? same : differ;
  }
}

function bytesOrderLoop(offsets: Int32Array, data: Uint8Array, lit: Uint8Array, table: Uint8Array, out: Uint8Array): void {
  const m = lit.length;
  for (let i = 0; i < out.length; i++) {
    const start = offsets[i]!;
    out[i] = table[compareBytesAt(data, start, offsets[i + 1]! - start, lit, m) + 1]!;
  }
}

function compareBytesAt(data: Uint8Array, start: number, len: number, lit: Uint8Array, m: number): number {
  const k = len < m ? len : m;
  for (let j = 0; j < k; j++) {
    const d = data[start + j]! - lit[j]!;
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return len === m ? 0 : len < m ? -1 : 1;
}

/**
 * `values[i] op lit` for every row of a typed store (ints, floats or longs), ignoring validity:
 * the evaluator's fast path when one side of a comparison is a computed column and the other a
 * constant. Longs compare exactly; NaN sorts above every number.
 */
export function compareTypedLiteral(values: Int32Array | Float64Array | BigInt64Array, op: ComparisonOp, lit: number | bigint): Uint8Array {
  const out = new Uint8Array(values.length);
  const table = TABLES[op];
  if (values instanceof BigInt64Array) bigintLoop(values, BigInt(lit), table, out);
  else numberLoop(values, Number(lit), table, out);
  return out;
}

function genericLoop(v: ColumnView, lit: Exclude<Scalar, null>, table: Uint8Array, out: Uint8Array): void {
  for (let i = 0; i < out.length; i++) {
    if (v.valid && !v.valid[i]) continue;
    out[i] = table[Math.sign(compareMixed(scalarAt(v, i), lit)) + 1]!;
  }
}

/** `left op right` for two columns, row by row. */
export function compareColumns(left: ColumnView, op: ComparisonOp, right: ColumnView): Uint8Array {
  const n = left.length;
  const out = new Uint8Array(n);
  const table = TABLES[op];
  const lv = left.valid;
  const rv = right.valid;
  for (let i = 0; i < n; i++) {
    const lnull = lv !== null && !lv[i];
    const rnull = rv !== null && !rv[i];
    if (lnull || rnull) {
      out[i] = op === '<=>' ? (lnull && rnull ? TRUE : FALSE) : NULL;
      continue;
    }
    out[i] = table[Math.sign(compareMixed(scalarAt(left, i), scalarAt(right, i))) + 1]!;
  }
  return out;
}

/** Number of selected rows in a mask. */
export function countSelected(mask: Uint8Array): number {
  let c = 0;
  for (let i = 0; i < mask.length; i++) c += mask[i]!;
  return c;
}
