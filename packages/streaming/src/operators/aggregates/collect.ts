/**
 * Aggregates that keep values per group:
 * - `collect_list(x)`: the non-null values in input order → array<T> (empty array, not null,
 *   for a group without values, as Spark);
 * - `collect_set(x)`: the distinct non-null values (first occurrence order) → array<T>;
 * - `count(DISTINCT x)`: the number of distinct non-null values → long.
 * Distinctness is Spark's grouping equality (NaN = NaN, -0.0 = 0.0; see `values.ts` keyText).
 * Partial state: the array of kept values (each as `values.ts` encodes it).
 */
import { Vec, type Value } from '@deltakit/core/internal';
import type { Accumulator, AggregateSpec, PartialState } from './accumulator.js';
import { keyText, valueFromState, valueToState } from './values.js';

export class CollectAccumulator implements Accumulator {
  readonly #distinct: boolean;
  #values: Value[][] = [];
  #keys: Set<string>[] = [];

  constructor(readonly spec: AggregateSpec) {
    this.#distinct = spec.kind !== 'collect_list';
  }

  grow(n: number): void {
    while (this.#values.length < n) {
      this.#values.push([]);
      if (this.#distinct) this.#keys.push(new Set());
    }
  }

  #add(g: number, y: Value): void {
    if (this.#distinct) {
      const k = typeof y === 'string' ? y : keyText(y);
      const set = this.#keys[g]!;
      if (set.has(k)) return;
      set.add(k);
    }
    this.#values[g]!.push(y);
  }

  update(groups: Int32Array, args: readonly Vec[], rows: number): void {
    const v = args[0]!;
    const valid = v.valid();
    const str = v.store().kind === 'str' ? v.str() : undefined;
    for (let r = 0; r < rows; r++) {
      const g = groups[r]!;
      if (g < 0 || (valid !== null && valid[r] === 0)) continue;
      this.#add(g, str !== undefined ? str[r]! : v.get(r));
    }
  }

  merge(other: Accumulator, into: Int32Array): void {
    const o = other as CollectAccumulator;
    for (let g = 0; g < into.length; g++) for (const y of o.#values[g]!) this.#add(into[g]!, y);
  }

  save(g: number): PartialState {
    return this.#values[g]!.map((y) => valueToState(y, this.spec.argType!));
  }

  load(g: number, s: PartialState): void {
    for (const y of s as readonly PartialState[]) this.#add(g, valueFromState(y, this.spec.argType!));
  }

  finish(n: number): Vec {
    if (this.spec.kind === 'count_distinct') {
      const out = new BigInt64Array(n);
      for (let g = 0; g < n; g++) out[g] = BigInt(this.#values[g]!.length);
      return Vec.of(this.spec.resultType, { kind: 'i64', values: out }, null, n);
    }
    return Vec.fromValues(this.spec.resultType, this.#values.slice(0, n));
  }
}
