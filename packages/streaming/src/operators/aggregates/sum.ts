/**
 * `sum` and `avg` with Spark's (non-ANSI) semantics:
 * - sum of byte/short/integer/long → long, wrapping on overflow as Java's long addition;
 *   sum of double (float and strings are cast to double first) → double; sum of decimal(p,s) →
 *   decimal(p+10,s), null when the result does not fit;
 * - avg → double (the inputs cast to double, summed, divided by the count); avg of decimal(p,s)
 *   → decimal(p+4,s+4), the exact quotient rounded half-up, null when it does not fit;
 * - nulls are ignored; a group without a non-null value is null.
 * Integral sums add into a double while it is exact (|partial| < 2^52) and spill into a wrapped
 * 64-bit total otherwise, so the hot loop stays on doubles.
 * Partial state: sum → the sum (long and decimal as decimal text, double as a number) or null
 * when no value was seen; avg → `[sum, count]`.
 */
import type { DataType } from '@deltakit/core';
import { Vec } from '@deltakit/core/internal';
import { bigFromState, bigState, doubleFromState, doubleState, grown, type Accumulator, type AggregateSpec, type PartialState } from './accumulator.js';

type Domain = 'integral' | 'double' | 'decimal';
const EXACT = 2 ** 52;

function domainOf(t: DataType | undefined): Domain {
  if (t?.kind === 'decimal') return 'decimal';
  if (t?.kind === 'primitive' && (t.name === 'byte' || t.name === 'short' || t.name === 'integer' || t.name === 'long')) return 'integral';
  return 'double';
}

export class SumAccumulator implements Accumulator {
  readonly #domain: Domain;
  readonly #avg: boolean;
  #seen = new Float64Array(16);
  #dbl = new Float64Array(16);
  #big = new BigInt64Array(16);
  #dec: bigint[] = [];

  constructor(readonly spec: AggregateSpec) {
    this.#domain = domainOf(spec.argType);
    this.#avg = spec.kind === 'avg';
  }

  grow(n: number): void {
    this.#seen = grown(this.#seen, n);
    this.#dbl = grown(this.#dbl, n);
    if (this.#domain === 'integral') this.#big = grown(this.#big, n);
    while (this.#dec.length < n && this.#domain === 'decimal') this.#dec.push(0n);
  }

  update(groups: Int32Array, args: readonly Vec[], rows: number): void {
    const v = args[0]!;
    const valid = v.valid();
    const seen = this.#seen;
    const dbl = this.#dbl;
    if (this.#domain === 'double') {
      const x = v.f64();
      for (let r = 0; r < rows; r++) {
        const g = groups[r]!;
        if (g < 0 || (valid !== null && valid[r] === 0)) continue;
        dbl[g]! += x[r]!;
        seen[g]!++;
      }
    } else if (this.#domain === 'decimal') {
      const x = v.dec();
      const dec = this.#dec;
      for (let r = 0; r < rows; r++) {
        const g = groups[r]!;
        if (g < 0 || (valid !== null && valid[r] === 0)) continue;
        dec[g]! += x[r]!;
        seen[g]!++;
      }
    } else if (v.store().kind === 'i32') {
      const x = v.i32();
      for (let r = 0; r < rows; r++) {
        const g = groups[r]!;
        if (g < 0 || (valid !== null && valid[r] === 0)) continue;
        const s = dbl[g]! + x[r]!;
        seen[g]!++;
        if (s >= EXACT || s <= -EXACT) this.#spill(g, s);
        else dbl[g] = s;
      }
    } else {
      const x = v.i64();
      for (let r = 0; r < rows; r++) {
        const g = groups[r]!;
        if (g < 0 || (valid !== null && valid[r] === 0)) continue;
        seen[g]!++;
        const b = x[r]!;
        const n = Number(b);
        if (n < EXACT && n > -EXACT) {
          const s = dbl[g]! + n;
          if (s >= EXACT || s <= -EXACT) this.#spill(g, s);
          else dbl[g] = s;
        } else this.#big[g] = BigInt.asIntN(64, this.#big[g]! + b);
      }
    }
  }

  #spill(g: number, s: number): void {
    this.#big[g] = BigInt.asIntN(64, this.#big[g]! + BigInt(s));
    this.#dbl[g] = 0;
  }

  /** The wrapped total of an integral group. */
  #long(g: number): bigint {
    return BigInt.asIntN(64, this.#big[g]! + BigInt(this.#dbl[g]!));
  }

  merge(other: Accumulator, into: Int32Array): void {
    const o = other as SumAccumulator;
    for (let g = 0; g < into.length; g++) this.#add(into[g]!, o.#seen[g]!, o.#domain === 'integral' ? o.#long(g) : o.#domain === 'decimal' ? o.#dec[g]! : o.#dbl[g]!);
  }

  #add(g: number, count: number, sum: number | bigint): void {
    if (count === 0) return;
    this.#seen[g]! += count;
    if (this.#domain === 'double') this.#dbl[g]! += sum as number;
    else if (this.#domain === 'decimal') this.#dec[g]! += sum as bigint;
    else this.#big[g] = BigInt.asIntN(64, this.#big[g]! + (sum as bigint));
  }

  save(g: number): PartialState {
    const n = this.#seen[g]!;
    const sum = n === 0 ? null : this.#domain === 'double' ? doubleState(this.#dbl[g]!) : bigState(this.#domain === 'decimal' ? this.#dec[g]! : this.#long(g));
    return this.#avg ? [sum, n] : sum;
  }

  load(g: number, s: PartialState): void {
    const [sum, n] = this.#avg ? (s as readonly [PartialState, number]) : [s, s === null ? 0 : 1];
    if (sum === null || n === 0) return;
    this.#add(g, n, this.#domain === 'double' ? doubleFromState(sum) : bigFromState(sum));
  }

  finish(n: number): Vec {
    const valid = new Uint8Array(n);
    const t = this.spec.resultType;
    if (this.#avg) {
      if (t.kind === 'decimal') {
        const scaleUp = 10n ** BigInt(t.scale - (this.spec.argType as { scale: number }).scale);
        const limit = 10n ** BigInt(t.precision);
        const out = new Array<bigint>(n).fill(0n);
        for (let g = 0; g < n; g++) {
          if (this.#seen[g] === 0) continue;
          const q = divHalfUp(this.#dec[g]! * scaleUp, BigInt(this.#seen[g]!));
          if (q >= limit || q <= -limit) continue;
          out[g] = q;
          valid[g] = 1;
        }
        return Vec.of(t, { kind: 'dec', values: out }, valid, n);
      }
      const out = new Float64Array(n);
      for (let g = 0; g < n; g++) {
        if (this.#seen[g] === 0) continue;
        out[g] = (this.#domain === 'integral' ? Number(this.#long(g)) : this.#dbl[g]!) / this.#seen[g]!;
        valid[g] = 1;
      }
      return Vec.of(t, { kind: 'f64', values: out }, valid, n);
    }
    for (let g = 0; g < n; g++) valid[g] = this.#seen[g] === 0 ? 0 : 1;
    if (this.#domain === 'double') return Vec.of(t, { kind: 'f64', values: this.#dbl.slice(0, n) }, valid, n);
    if (this.#domain === 'integral') {
      const out = new BigInt64Array(n);
      for (let g = 0; g < n; g++) out[g] = this.#long(g);
      return Vec.of(t, { kind: 'i64', values: out }, valid, n);
    }
    const limit = 10n ** BigInt((t as { precision: number }).precision);
    const out = this.#dec.slice(0, n);
    for (let g = 0; g < n; g++) if (out[g]! >= limit || out[g]! <= -limit) valid[g] = 0;
    return Vec.of(t, { kind: 'dec', values: out }, valid, n);
  }
}

/** a / b rounded half away from zero (b > 0). */
function divHalfUp(a: bigint, b: bigint): bigint {
  const q = a / b;
  const r = a % b;
  if (2n * (r < 0n ? -r : r) >= b) return a < 0n ? q - 1n : q + 1n;
  return q;
}
