/**
 * The accumulator contract shared by batch aggregation and (next) streaming aggregation.
 *
 * An accumulator holds the partial aggregate of many groups at once, as columns indexed by a
 * dense group id (0, 1, 2, ...), so updates are loops over typed arrays, not per-row objects:
 * - `grow(n)` makes groups `0..n-1` exist (new groups start empty);
 * - `update(groups, args, rows)` folds rows into groups: `groups[r]` is row r's group id, or -1 to
 *   skip the row (a row outside a sliding window, a filtered row); `args` are the aggregate's
 *   evaluated argument vectors (none for `count(*)`);
 * - `merge(other, into)` folds another accumulator of the same spec: its group g into `into[g]`
 *   (partial aggregates of several inputs, Spark's PartialMerge);
 * - `save(g)` is group g's partial state as a JSON-safe value ({@link PartialState}): no bigint,
 *   no NaN/Infinity, no typed arrays; `load(g, state)` merges a saved state into group g, so
 *   `load(fresh, save(g))` reproduces g and loading two states merges them;
 * - `finish(n)` is the final value of groups `0..n-1` as a column of the result type.
 *
 * Saved states are versionless shapes owned by each accumulator kind (documented in its file);
 * a state store keys them by aggregate position and records the spec ({@link AggregateSpec})
 * next to them so an incompatible query change is detected before states are loaded.
 */
import type { DataType } from '@deltakit/core';
import type { Vec } from '@deltakit/core/internal';

/** A JSON-safe value: what `JSON.stringify` round-trips exactly. */
export type PartialState = null | boolean | number | string | readonly PartialState[] | { readonly [k: string]: PartialState };

export type AggregateKind =
  | 'count'
  | 'count_distinct'
  | 'sum'
  | 'avg'
  | 'min'
  | 'max'
  | 'first'
  | 'last'
  | 'collect_list'
  | 'collect_set'
  | 'approx_count_distinct'
  | 'stddev_samp'
  | 'stddev_pop'
  | 'var_samp'
  | 'var_pop';

/**
 * One aggregate as the operator runs it: the function, the type of its (already cast) argument
 * (undefined for `count(*)`), and the result type (Spark's rules, see `registry.ts`).
 */
export interface AggregateSpec {
  readonly kind: AggregateKind;
  readonly argType: DataType | undefined;
  readonly resultType: DataType;
  /** `first`/`last` with ignoreNulls (Spark's second argument); false by default. */
  readonly ignoreNulls?: boolean;
}

export interface Accumulator {
  readonly spec: AggregateSpec;
  grow(numGroups: number): void;
  update(groups: Int32Array, args: readonly Vec[], numRows: number): void;
  merge(other: Accumulator, into: Int32Array): void;
  save(group: number): PartialState;
  load(group: number, state: PartialState): void;
  finish(numGroups: number): Vec;
}

/** Capacity growth for per-group typed arrays (doubling, at least `n`). */
export function grown<T extends Float64Array | Int32Array | Uint8Array | BigInt64Array>(a: T, n: number): T {
  if (n <= a.length) return a;
  const C = a.constructor as new (n: number) => T;
  const out = new C(Math.max(n, a.length * 2, 16));
  out.set(a as never);
  return out;
}

/** A double as a JSON-safe value (NaN and infinities as text). */
export const doubleState = (x: number): PartialState => (Number.isFinite(x) ? (Object.is(x, -0) ? 0 : x) : String(x));
export const doubleFromState = (s: PartialState): number => (typeof s === 'number' ? s : Number(s as string));
/** A bigint as decimal text. */
export const bigState = (x: bigint): PartialState => x.toString();
export const bigFromState = (s: PartialState): bigint => BigInt(s as string);
