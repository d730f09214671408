/**
 * `min` and `max` in Spark's order (NaN above every double, strings by UTF-8 bytes), nulls
 * ignored, null for a group without values; the result has the argument's type. Typed loops for
 * integer/date, double, long/timestamp and string arguments; other types compare evaluator
 * values. Partial state: the value (see `values.ts`) or null.
 */
import { Vec, type Value } from '@deltakit/core/internal';
import { grown, type Accumulator, type AggregateSpec, type PartialState } from './accumulator.js';
import { compareAny, compareStrings, valueFromState, valueToState } from './values.js';

export class MinMaxAccumulator implements Accumulator {
  readonly #sign: number;
  #seen = new Uint8Array(16);
  #num = new Float64Array(16);
  #big = new BigInt64Array(16);
  #any: Value[] = [];

  constructor(readonly spec: AggregateSpec) {
    this.#sign = spec.kind === 'max' ? 1 : -1;
  }

  grow(n: number): void {
    this.#seen = grown(this.#seen, n);
    this.#num = grown(this.#num, n);
    this.#big = grown(this.#big, n);
    while (this.#any.length < n) this.#any.push(null);
  }

  update(groups: Int32Array, args: readonly Vec[], rows: number): void {
    const v = args[0]!;
    const valid = v.valid();
    const seen = this.#seen;
    const kind = v.store().kind;
    const max = this.#sign > 0;
    if (kind === 'i32' || kind === 'f64') {
      const x = kind === 'i32' ? v.i32() : v.f64();
      const num = this.#num;
      for (let r = 0; r < rows; r++) {
        const g = groups[r]!;
        if (g < 0 || (valid !== null && valid[r] === 0)) continue;
        const y = x[r]!;
        if (seen[g] === 0) {
          seen[g] = 1;
          num[g] = y;
          continue;
        }
        const c = num[g]!;
        // NaN is the largest double.
        if (max ? y > c || (y !== y && c === c) : y < c || (c !== c && y === y)) num[g] = y;
      }
      return;
    }
    if (kind === 'i64') {
      const x = v.i64();
      const big = this.#big;
      for (let r = 0; r < rows; r++) {
        const g = groups[r]!;
        if (g < 0 || (valid !== null && valid[r] === 0)) continue;
        const y = x[r]!;
        if (seen[g] === 0 || (max ? y > big[g]! : y < big[g]!)) {
          seen[g] = 1;
          big[g] = y;
        }
      }
      return;
    }
    const any = this.#any;
    const str = kind === 'str' ? v.str() : undefined;
    for (let r = 0; r < rows; r++) {
      const g = groups[r]!;
      if (g < 0 || (valid !== null && valid[r] === 0)) continue;
      const y = str !== undefined ? str[r]! : v.get(r);
      if (seen[g] === 0) {
        seen[g] = 1;
        any[g] = y;
        continue;
      }
      const c = str !== undefined ? compareStrings(y as string, any[g] as string) : compareAny(y, any[g]!);
      if (c * this.#sign > 0) any[g] = y;
    }
  }

  #value(g: number): Value {
    if (this.#seen[g] === 0) return null;
    const kind = storeKind(this.spec);
    return kind === 'num' ? this.#num[g]! : kind === 'big' ? this.#big[g]! : this.#any[g]!;
  }

  #offer(g: number, y: Value): void {
    if (y === null) return;
    const kind = storeKind(this.spec);
    if (this.#seen[g] === 1 && compareAny(y, this.#value(g)) * this.#sign <= 0) return;
    this.#seen[g] = 1;
    if (kind === 'num') this.#num[g] = y as number;
    else if (kind === 'big') this.#big[g] = y as bigint;
    else this.#any[g] = y;
  }

  merge(other: Accumulator, into: Int32Array): void {
    const o = other as MinMaxAccumulator;
    for (let g = 0; g < into.length; g++) this.#offer(into[g]!, o.#value(g));
  }

  save(g: number): PartialState {
    return valueToState(this.#value(g), this.spec.argType!);
  }

  load(g: number, s: PartialState): void {
    this.#offer(g, valueFromState(s, this.spec.argType!));
  }

  finish(n: number): Vec {
    const kind = storeKind(this.spec);
    const valid = this.#seen.slice(0, n);
    const t = this.spec.resultType;
    if (kind === 'num') {
      const num = this.#num.subarray(0, n);
      const isInt = t.kind === 'primitive' && (t.name === 'byte' || t.name === 'short' || t.name === 'integer' || t.name === 'date');
      return Vec.of(t, isInt ? { kind: 'i32', values: Int32Array.from(num) } : { kind: 'f64', values: num.slice() }, valid, n);
    }
    if (kind === 'big') return Vec.of(t, { kind: 'i64', values: this.#big.slice(0, n) }, valid, n);
    return Vec.fromValues(t, this.#any.slice(0, n).map((x, g) => (valid[g] === 1 ? x : null)));
  }
}

function storeKind(spec: AggregateSpec): 'num' | 'big' | 'any' {
  const t = spec.argType!;
  if (t.kind !== 'primitive') return 'any';
  switch (t.name) {
    case 'byte':
    case 'short':
    case 'integer':
    case 'date':
    case 'float':
    case 'double':
      return 'num';
    case 'long':
    case 'timestamp':
    case 'timestamp_ntz':
      return 'big';
    default:
      return 'any';
  }
}
