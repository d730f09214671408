/**
 * `approx_count_distinct(x)`: HyperLogLog++ as Spark's HyperLogLogPlusPlus with its default
 * relative standard deviation 0.05: p = ceil(2·log2(1.106 / 0.05)) = 9, m = 512 registers, the
 * value hashed with Spark's XXH64 (seed 42, the `xxhash64` function's hash, which the operator
 * passes as the second argument), register index = the top p bits, rank = leading zeros of the
 * rest + 1; the estimate is linear counting `m·ln(m/V)` while it is at most Spark's threshold for
 * p = 9 (400), else the raw estimate `α·m²/Σ2^-M`. Spark also subtracts an empirical bias from
 * raw estimates below 5m (2560); this does not (so between ~400 and ~2560 distinct values the
 * estimate may differ from Spark's by a few percent, within the 5% target); below the threshold
 * and above 5m the result is Spark's for the same hashes. Nulls are ignored; an empty group is 0.
 * Partial state: null, or the 512 registers as base64 text.
 */
import { Vec } from '@deltakit/core/internal';
import type { Accumulator, AggregateSpec, PartialState } from './accumulator.js';

export const HLL_P = 9;
const M = 1 << HLL_P;
const THRESHOLD = 400;
const ALPHA_M2 = (0.7213 / (1 + 1.079 / M)) * M * M;

export class HllAccumulator implements Accumulator {
  #registers: (Uint8Array | undefined)[] = [];
  constructor(readonly spec: AggregateSpec) {}

  grow(n: number): void {
    while (this.#registers.length < n) this.#registers.push(undefined);
  }

  update(groups: Int32Array, args: readonly Vec[], rows: number): void {
    const valid = args[0]!.valid();
    const h = args[1]!.i64();
    const words = new Uint32Array(h.buffer, h.byteOffset, h.length * 2);
    const regs = this.#registers;
    for (let r = 0; r < rows; r++) {
      const g = groups[r]!;
      if (g < 0 || (valid !== null && valid[r] === 0)) continue;
      const lo = words[2 * r]!;
      const hi = words[2 * r + 1]!;
      const idx = hi >>> (32 - HLL_P);
      const hi2 = ((hi << HLL_P) | (lo >>> (32 - HLL_P))) >>> 0;
      const lo2 = ((lo << HLL_P) | (1 << (HLL_P - 1))) >>> 0;
      const rank = (hi2 !== 0 ? Math.clz32(hi2) : 32 + Math.clz32(lo2)) + 1;
      let reg = regs[g];
      if (reg === undefined) reg = regs[g] = new Uint8Array(M);
      if (rank > reg[idx]!) reg[idx] = rank;
    }
  }

  #fold(g: number, other: Uint8Array | undefined): void {
    if (other === undefined) return;
    let reg = this.#registers[g];
    if (reg === undefined) reg = this.#registers[g] = new Uint8Array(M);
    for (let j = 0; j < M; j++) if (other[j]! > reg[j]!) reg[j] = other[j]!;
  }

  merge(other: Accumulator, into: Int32Array): void {
    const o = other as HllAccumulator;
    for (let g = 0; g < into.length; g++) this.#fold(into[g]!, o.#registers[g]);
  }

  save(g: number): PartialState {
    const reg = this.#registers[g];
    return reg === undefined ? null : Buffer.from(reg).toString('base64');
  }

  load(g: number, s: PartialState): void {
    if (s !== null) this.#fold(g, new Uint8Array(Buffer.from(s as string, 'base64')));
  }

  finish(n: number): Vec {
    const out = new BigInt64Array(n);
    for (let g = 0; g < n; g++) out[g] = BigInt(hllEstimate(this.#registers[g]));
    return Vec.of(this.spec.resultType, { kind: 'i64', values: out }, null, n);
  }
}

export function hllEstimate(reg: Uint8Array | undefined): number {
  if (reg === undefined) return 0;
  let zInverse = 0;
  let zeros = 0;
  for (let j = 0; j < M; j++) {
    zInverse += 1 / 2 ** reg[j]!;
    if (reg[j] === 0) zeros++;
  }
  const e = ALPHA_M2 / zInverse;
  if (zeros > 0) {
    const h = M * Math.log(M / zeros);
    if (h <= THRESHOLD) return Math.round(h);
  }
  return Math.round(e);
}
