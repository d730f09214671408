/** Row selection over {@link Vec}s: gathering rows by index and choosing rows among candidates. */
import type { DataType } from '../schema/types.js';
import type { Value } from './value.js';
import { Vec, storeKindOf, vecFromValues, type Store } from './vector.js';

// ---- gather -------------------------------------------------------------------------------

/** The rows at `indices` (any order, repeats allowed; -1 gives null) of `v`. */
export function gatherVec(v: Vec, indices: Int32Array): Vec {
  const n = indices.length;
  if (v.isConstant) return Vec.constant(v.type, v.constantValue, n);
  const src = v.valid();
  let valid: Uint8Array | null = null;
  for (let k = 0; k < n; k++) {
    const i = indices[k]!;
    if (i < 0 || (src !== null && src[i] === 0)) {
      valid ??= new Uint8Array(n).fill(1);
      valid[k] = 0;
    }
  }
  const s = v.store();
  const at = <T>(arr: ArrayLike<T>, empty: T): T[] => Array.from(indices, (i) => (i < 0 ? empty : arr[i]!));
  switch (s.kind) {
    case 'i32':
      return Vec.of(v.type, { kind: 'i32', values: Int32Array.from(indices, (i) => (i < 0 ? 0 : s.values[i]!)) }, valid, n);
    case 'f64':
      return Vec.of(v.type, { kind: 'f64', values: Float64Array.from(indices, (i) => (i < 0 ? 0 : s.values[i]!)) }, valid, n);
    case 'i64': {
      const out = new BigInt64Array(n);
      for (let k = 0; k < n; k++) if (indices[k]! >= 0) out[k] = s.values[indices[k]!]!;
      return Vec.of(v.type, { kind: 'i64', values: out }, valid, n);
    }
    case 'dec':
      return Vec.of(v.type, { kind: 'dec', values: at(s.values, 0n) }, valid, n);
    case 'bool':
      return Vec.of(v.type, { kind: 'bool', values: Uint8Array.from(indices, (i) => (i < 0 ? 0 : s.values[i]!)) }, valid, n);
    case 'tri':
      return Vec.of(v.type, { kind: 'tri', codes: Uint8Array.from(indices, (i) => (i < 0 ? 1 : s.codes[i]!)) }, valid, n);
    case 'str':
      return Vec.of(v.type, { kind: 'str', values: at(s.values, '') }, valid, n);
    case 'bin':
      return Vec.of(v.type, { kind: 'bin', values: at(s.values, new Uint8Array(0)) }, valid, n);
    case 'null':
      return Vec.of(v.type, { kind: 'null', length: n }, new Uint8Array(n), n);
    case 'struct':
      return Vec.of(v.type, { kind: 'struct', length: n, children: s.children.map((c) => gatherVec(c, indices)) }, valid, n);
    case 'list':
    case 'map': {
      const offsets = new Int32Array(n + 1);
      const childIdx: number[] = [];
      for (let k = 0; k < n; k++) {
        const i = indices[k]!;
        if (i >= 0) for (let j = s.offsets[i]!; j < s.offsets[i + 1]!; j++) childIdx.push(j);
        offsets[k + 1] = childIdx.length;
      }
      const ci = Int32Array.from(childIdx);
      if (s.kind === 'list') return Vec.of(v.type, { kind: 'list', offsets, child: gatherVec(s.child, ci) }, valid, n);
      return Vec.of(v.type, { kind: 'map', offsets, keys: gatherVec(s.keys, ci), values: gatherVec(s.values, ci) }, valid, n);
    }
  }
}

// ---- row selection --------------------------------------------------------------------------

/**
 * Row i of the result is row i of `candidates[choice[i]]` (-1: null). All candidates have the
 * result `type` and `choice.length` rows (constants allowed). Used by CASE, IF and COALESCE.
 */
export function chooseRows(type: DataType, choice: Int32Array, candidates: readonly Vec[]): Vec {
  const n = choice.length;
  let valid: Uint8Array | null = null;
  const cvalid = candidates.map((c) => c.valid());
  for (let i = 0; i < n; i++) {
    const k = choice[i]!;
    if (k < 0 || (cvalid[k] !== null && cvalid[k]![i] === 0)) (valid ??= new Uint8Array(n).fill(1))[i] = 0;
  }
  const kind = storeKindOf(type);
  const one = candidates.map((c) => (c.isConstant ? Vec.constant(c.type, c.constantValue, 1) : c));
  const idx = (k: number, i: number): number => (candidates[k]!.isConstant ? 0 : i);
  switch (kind) {
    case 'i32':
    case 'f64':
    case 'i64':
    case 'bool': {
      const arrays = one.map((c) => (kind === 'i32' ? c.i32() : kind === 'f64' ? c.f64() : kind === 'i64' ? c.i64() : c.bool()));
      const out = kind === 'i32' ? new Int32Array(n) : kind === 'f64' ? new Float64Array(n) : kind === 'i64' ? new BigInt64Array(n) : new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        const k = choice[i]!;
        if (k >= 0) (out as unknown as unknown[])[i] = (arrays[k] as unknown as unknown[])[idx(k, i)];
      }
      return Vec.of(type, { kind, values: out } as Store, valid, n);
    }
    case 'str':
    case 'bin':
    case 'dec': {
      const arrays = one.map((c) => (kind === 'str' ? c.str() : kind === 'bin' ? c.bin() : c.dec())) as readonly (readonly unknown[])[];
      const empty = kind === 'str' ? '' : kind === 'bin' ? new Uint8Array(0) : 0n;
      const out = new Array<unknown>(n);
      for (let i = 0; i < n; i++) {
        const k = choice[i]!;
        out[i] = k >= 0 ? arrays[k]![idx(k, i)] : empty;
      }
      return Vec.of(type, { kind, values: out } as Store, valid, n);
    }
    default: {
      const out = new Array<Value>(n);
      for (let i = 0; i < n; i++) {
        const k = choice[i]!;
        out[i] = k >= 0 ? candidates[k]!.get(i) : null;
      }
      return vecFromValues(type, out);
    }
  }
}
