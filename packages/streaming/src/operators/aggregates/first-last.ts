/**
 * `first(x)` / `last(x)`: the value of the first / last row of the group in input order (nulls
 * included, as Spark's default `ignoreNulls = false`; skipped with ignoreNulls). Input order is
 * the scan order, so the result is deterministic here where Spark's depends on partitioning.
 * Partial state: null when the group has no row yet, else `[value]` (the value may be null).
 */
import { Vec, type Value } from '@deltakit/core/internal';
import { grown, type Accumulator, type AggregateSpec, type PartialState } from './accumulator.js';
import { valueFromState, valueToState } from './values.js';

export class FirstLastAccumulator implements Accumulator {
  readonly #last: boolean;
  #seen = new Uint8Array(16);
  #values: Value[] = [];

  constructor(readonly spec: AggregateSpec) {
    this.#last = spec.kind === 'last';
  }

  grow(n: number): void {
    this.#seen = grown(this.#seen, n);
    while (this.#values.length < n) this.#values.push(null);
  }

  update(groups: Int32Array, args: readonly Vec[], rows: number): void {
    const v = args[0]!;
    const valid = v.valid();
    const skipNulls = this.spec.ignoreNulls === true;
    for (let r = 0; r < rows; r++) {
      const g = groups[r]!;
      if (g < 0 || (skipNulls && valid !== null && valid[r] === 0)) continue;
      if (this.#seen[g] === 1 && !this.#last) continue;
      this.#seen[g] = 1;
      this.#values[g] = v.get(r);
    }
  }

  #offer(g: number, seen: boolean, value: Value): void {
    if (!seen || (this.#seen[g] === 1 && !this.#last)) return;
    this.#seen[g] = 1;
    this.#values[g] = value;
  }

  merge(other: Accumulator, into: Int32Array): void {
    const o = other as FirstLastAccumulator;
    for (let g = 0; g < into.length; g++) this.#offer(into[g]!, o.#seen[g] === 1, o.#values[g]!);
  }

  save(g: number): PartialState {
    return this.#seen[g] === 0 ? null : [valueToState(this.#values[g]!, this.spec.argType!)];
  }

  load(g: number, s: PartialState): void {
    if (s !== null) this.#offer(g, true, valueFromState((s as readonly PartialState[])[0]!, this.spec.argType!));
  }

  finish(n: number): Vec {
    return Vec.fromValues(this.spec.resultType, this.#values.slice(0, n));
  }
}
