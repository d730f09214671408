/**
 * Helpers for writing function kernels: per-row mapping with Spark's null propagation, and
 * builders that write results straight into typed stores.
 */
import type { DataType } from '../../schema/types.js';
import type { BoundFunction, EvalContext } from '../typed.js';
import type { Value } from '../value.js';
import { Vec, storeKindOf, vecFromValues } from '../vector.js';

/**
 * Collects one value per row into the store of `type`; atomic types go straight into typed arrays,
 * nested types through {@link Value}s.
 */
export class VecBuilder {
  readonly #type: DataType;
  readonly #n: number;
  readonly #kind: ReturnType<typeof storeKindOf>;
  readonly #valid: Uint8Array;
  #nulls = 0;
  readonly #i32?: Int32Array;
  readonly #f64?: Float64Array;
  readonly #i64?: BigInt64Array;
  readonly #bool?: Uint8Array;
  readonly #any?: unknown[];

  constructor(type: DataType, length: number) {
    this.#type = type;
    this.#n = length;
    this.#kind = storeKindOf(type);
    this.#valid = new Uint8Array(length).fill(1);
    switch (this.#kind) {
      case 'i32':
        this.#i32 = new Int32Array(length);
        break;
      case 'f64':
        this.#f64 = new Float64Array(length);
        break;
      case 'i64':
        this.#i64 = new BigInt64Array(length);
        break;
      case 'bool':
        this.#bool = new Uint8Array(length);
        break;
      default:
        this.#any = new Array<unknown>(length).fill(null);
    }
  }

  /** Sets row `i` to `v` (null for SQL NULL); `v` must be in the representation of the type. */
  set(i: number, v: Value): void {
    if (v === null) {
      if (this.#valid[i]) this.#nulls++;
      this.#valid[i] = 0;
      return;
    }
    switch (this.#kind) {
      case 'i32':
        this.#i32![i] = v as number;
        return;
      case 'f64':
        this.#f64![i] = v as number;
        return;
      case 'i64':
        this.#i64![i] = v as bigint;
        return;
      case 'bool':
        this.#bool![i] = v ? 1 : 0;
        return;
      default:
        this.#any![i] = v;
    }
  }

  setNull(i: number): void {
    this.set(i, null);
  }

  finish(): Vec {
    const valid = this.#nulls === 0 ? null : this.#valid;
    switch (this.#kind) {
      case 'i32':
        return Vec.of(this.#type, { kind: 'i32', values: this.#i32! }, valid, this.#n);
      case 'f64':
        return Vec.of(this.#type, { kind: 'f64', values: this.#f64! }, valid, this.#n);
      case 'i64':
        return Vec.of(this.#type, { kind: 'i64', values: this.#i64! }, valid, this.#n);
      case 'bool':
        return Vec.of(this.#type, { kind: 'bool', values: this.#bool! }, valid, this.#n);
      case 'str':
        return Vec.of(this.#type, { kind: 'str', values: (this.#any as (string | null)[]).map((s) => s ?? '') }, valid, this.#n);
      default: {
        const values = this.#any as Value[];
        if (valid) for (let i = 0; i < this.#n; i++) if (!valid[i]) values[i] = null;
        return vecFromValues(this.#type, values);
      }
    }
  }
}

export interface RowwiseOptions {
  /** Call `f` even when an argument is null (default: any null argument gives null, as most Spark functions). */
  readonly nullSafe?: boolean;
}

/**
 * A kernel applying `f` to each row's argument values; `f` returns the result value (null allowed).
 * With constant arguments `f` runs once and the result is a constant Vec.
 */
export function rowwise(type: DataType, f: (args: Value[], ctx: EvalContext) => Value, options: RowwiseOptions = {}): BoundFunction {
  return {
    eval(args, ctx) {
      const n = ctx.length;
      if (args.every((a) => a.isConstant)) {
        const vals = args.map((a) => a.constantValue);
        const r = !options.nullSafe && vals.some((v) => v === null) ? null : f(vals, ctx);
        return Vec.constant(type, r, n);
      }
      const out = new VecBuilder(type, n);
      const row = new Array<Value>(args.length);
      for (let i = 0; i < n; i++) {
        let hasNull = false;
        for (let k = 0; k < args.length; k++) {
          const v = args[k]!.get(i);
          row[k] = v;
          if (v === null) hasNull = true;
        }
        out.set(i, hasNull && !options.nullSafe ? null : f(row, ctx));
      }
      return out.finish();
    },
  };
}

/** The same function marked as reading the statement clock. */
export function usingClock(fn: BoundFunction): BoundFunction {
  return { ...fn, usesClock: true };
}

/** The same function marked non-deterministic (never folded, evaluated per row). */
export function nonDeterministic(fn: BoundFunction): BoundFunction {
  return { ...fn, deterministic: false };
}
