/**
 * `count(*)` (no argument: every row) and `count(x)` (the rows where x is not null); 0 for an
 * empty group. Partial state: the count as a number.
 */
import { Vec } from '@deltakit/core/internal';
import { grown, type Accumulator, type AggregateSpec, type PartialState } from './accumulator.js';

export class CountAccumulator implements Accumulator {
  #counts = new Float64Array(16);
  constructor(readonly spec: AggregateSpec) {}

  grow(n: number): void {
    this.#counts = grown(this.#counts, n);
  }

  update(groups: Int32Array, args: readonly Vec[], rows: number): void {
    const c = this.#counts;
    const valid = args.length === 0 ? null : args[0]!.valid();
    for (let r = 0; r < rows; r++) {
      const g = groups[r]!;
      if (g >= 0 && (valid === null || valid[r] === 1)) c[g]!++;
    }
  }

  merge(other: Accumulator, into: Int32Array): void {
    const o = (other as CountAccumulator).#counts;
    for (let g = 0; g < into.length; g++) this.#counts[into[g]!]! += o[g]!;
  }

  save(g: number): PartialState {
    return this.#counts[g]!;
  }

  load(g: number, s: PartialState): void {
    this.#counts[g]! += s as number;
  }

  finish(n: number): Vec {
    const out = new BigInt64Array(n);
    for (let g = 0; g < n; g++) out[g] = BigInt(this.#counts[g]!);
    return Vec.of(this.spec.resultType, { kind: 'i64', values: out }, null, n);
  }
}
