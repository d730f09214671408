/**
 * `stddev_samp` (`stddev`), `stddev_pop`, `var_samp` (`variance`), `var_pop` over doubles (the
 * argument is cast to double), with Spark's CentralMomentAgg updates (count, mean, M2; Welford's
 * update and Chan's merge) and Spark 3's null results: null for an empty group, and null for the
 * sample statistics of a single value (`spark.sql.legacy.statisticalAggregate=false`).
 * Partial state: null for an empty group, else `[n, mean, m2]` (doubles as `accumulator.ts` encodes).
 */
import { Vec } from '@deltakit/core/internal';
import { doubleFromState, doubleState, grown, type Accumulator, type AggregateSpec, type PartialState } from './accumulator.js';

export class MomentsAccumulator implements Accumulator {
  #n = new Float64Array(16);
  #mean = new Float64Array(16);
  #m2 = new Float64Array(16);
  constructor(readonly spec: AggregateSpec) {}

  grow(n: number): void {
    this.#n = grown(this.#n, n);
    this.#mean = grown(this.#mean, n);
    this.#m2 = grown(this.#m2, n);
  }

  update(groups: Int32Array, args: readonly Vec[], rows: number): void {
    const v = args[0]!;
    const valid = v.valid();
    const x = v.f64();
    const cnt = this.#n;
    const mean = this.#mean;
    const m2 = this.#m2;
    for (let r = 0; r < rows; r++) {
      const g = groups[r]!;
      if (g < 0 || (valid !== null && valid[r] === 0)) continue;
      const n = cnt[g]! + 1;
      const delta = x[r]! - mean[g]!;
      const deltaN = delta / n;
      mean[g]! += deltaN;
      m2[g]! += delta * (delta - deltaN);
      cnt[g] = n;
    }
  }

  #combine(g: number, n2: number, mean2: number, m22: number): void {
    if (n2 === 0) return;
    const n1 = this.#n[g]!;
    const n = n1 + n2;
    const delta = mean2 - this.#mean[g]!;
    const deltaN = delta / n;
    this.#mean[g]! += deltaN * n2;
    this.#m2[g]! += m22 + delta * deltaN * n1 * n2;
    this.#n[g] = n;
  }

  merge(other: Accumulator, into: Int32Array): void {
    const o = other as MomentsAccumulator;
    for (let g = 0; g < into.length; g++) this.#combine(into[g]!, o.#n[g]!, o.#mean[g]!, o.#m2[g]!);
  }

  save(g: number): PartialState {
    return this.#n[g] === 0 ? null : [this.#n[g]!, doubleState(this.#mean[g]!), doubleState(this.#m2[g]!)];
  }

  load(g: number, s: PartialState): void {
    if (s === null) return;
    const [n, mean, m2] = s as readonly PartialState[];
    this.#combine(g, n as number, doubleFromState(mean!), doubleFromState(m2!));
  }

  finish(count: number): Vec {
    const out = new Float64Array(count);
    const valid = new Uint8Array(count);
    const kind = this.spec.kind;
    const sample = kind === 'stddev_samp' || kind === 'var_samp';
    for (let g = 0; g < count; g++) {
      const n = this.#n[g]!;
      if (n === 0 || (sample && n === 1)) continue;
      const variance = this.#m2[g]! / (sample ? n - 1 : n);
      out[g] = kind === 'stddev_samp' || kind === 'stddev_pop' ? Math.sqrt(variance) : variance;
      valid[g] = 1;
    }
    return Vec.of(this.spec.resultType, { kind: 'f64', values: out }, valid, count);
  }
}
