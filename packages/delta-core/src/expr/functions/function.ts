import type { DataType } from '../../schema/types.js';
import type { BoundFunction, TypedExpr } from '../typed.js';
import type { Value } from '../value.js';

/**
 * A SQL function known to the binder. `bind` checks the argument count and types (inserting
 * implicit casts through `ctx.cast`), and returns the result type and the kernel. It throws only
 * through `ctx.error` / `ctx.cast`, so every failure is a typed binding error pointing at the call.
 */
export interface FunctionDef {
  /** Lower-case name as called in SQL. */
  readonly name: string;
  readonly aliases?: readonly string[];
  /** Argument count accepted: `[min, max]` (max Infinity for variadic). Checked before `bind`. */
  readonly arity: readonly [number, number];
  /** Short signature for messages, e.g. `substring(str, pos[, len])`. */
  readonly signature: string;
  bind(args: readonly TypedExpr[], ctx: FunctionBindContext): BoundCall;
}

export interface BoundCall {
  readonly type: DataType;
  /** The arguments as the kernel receives them (with casts inserted); the originals when omitted. */
  readonly args?: readonly TypedExpr[];
  readonly fn: BoundFunction;
}

export interface FunctionBindContext {
  /** The function name as called (an alias keeps its own name). */
  readonly name: string;
  /** IANA session time zone. */
  readonly timeZone: string;
  /**
   * `arg` as `type`: unchanged when it already is, with an implicit cast when Spark would insert
   * one, else a binding error naming the argument (1-based `position`) and both types.
   */
  cast(arg: TypedExpr, type: DataType, position: number): TypedExpr;
  /** The value of a constant argument (folded literal), or a binding error saying it must be constant. */
  constant(arg: TypedExpr, position: number): Value;
  /** Throws a binding error at the call with this message (state problem and fix). */
  error(message: string): never;
}
