/**
 * Shared pieces of the datetime functions: Spark's argument coercions (implicit casts of
 * `ImplicitCastInputTypes`, exact types of `ExpectsInputTypes`), typed unary kernels, and
 * wall-clock field helpers.
 */
import { DeltaError } from '../../errors.js';
import type { DataType } from '../../schema/types.js';
import { resolveZoneId } from '../datetime.js';
import { DATE, TIMESTAMP, canImplicitCast, isPrimitive, isVoid, sameType } from '../type-rules.js';
import type { BoundFunction, EvalContext, TypedExpr } from '../typed.js';
import type { Value } from '../value.js';
import { Vec } from '../vector.js';
import type { FunctionBindContext } from './function.js';
import { VecBuilder } from './kernels.js';

/** A type's name as Spark SQL writes it, for messages. */
export function typeName(t: DataType): string {
  switch (t.kind) {
    case 'primitive':
      return t.name === 'void' ? 'null' : t.name;
    case 'decimal':
      return `decimal(${t.precision},${t.scale})`;
    default:
      return t.kind;
  }
}

/** `arg` as `type` when Spark implicitly casts it there (`ImplicitCastInputTypes`), else a binding error. */
export function implicitArg(arg: TypedExpr, type: DataType, position: number, ctx: FunctionBindContext): TypedExpr {
  if (sameType(arg.type, type)) return arg;
  if (!canImplicitCast(arg.type, type)) {
    ctx.error(`Argument ${position} of ${ctx.name} must be ${typeName(type)}, but it has type ${typeName(arg.type)}. Cast it explicitly, e.g. CAST(x AS ${typeName(type).toUpperCase()})`);
  }
  return ctx.cast(arg, type, position);
}

/** `arg` when its type is one of `types` (`ExpectsInputTypes`: no implicit cast); a NULL literal becomes the first type. */
export function exactArg(arg: TypedExpr, types: readonly DataType[], position: number, ctx: FunctionBindContext): TypedExpr {
  if (types.some((t) => sameType(arg.type, t))) return arg;
  if (isVoid(arg.type)) return ctx.cast(arg, types[0]!, position);
  return ctx.error(`Argument ${position} of ${ctx.name} must be ${types.map(typeName).join(' or ')}, but it has type ${typeName(arg.type)}. Convert it first, e.g. with CAST`);
}

/** A date argument: strings, timestamps and timestamp_ntz are implicitly cast to DATE. */
export const dateArg = (arg: TypedExpr, position: number, ctx: FunctionBindContext): TypedExpr => implicitArg(arg, DATE, position, ctx);

/** A timestamp argument where TIMESTAMP_NTZ is also accepted (`AnyTimestampType`); dates and strings become TIMESTAMP. */
export function anyTimestampArg(arg: TypedExpr, position: number, ctx: FunctionBindContext): TypedExpr {
  return isPrimitive(arg.type, 'timestamp', 'timestamp_ntz') ? arg : implicitArg(arg, TIMESTAMP, position, ctx);
}

/** The zone a timestamp of this type is read in: the session zone, or UTC for TIMESTAMP_NTZ. */
export const zoneFor = (t: DataType, ctx: EvalContext): string => (isPrimitive(t, 'timestamp_ntz') ? 'UTC' : ctx.timeZone);

/** A zone id given as a function argument, or INVALID_ARGUMENT naming the function (Spark fails even in non-ANSI mode). */
export function zoneArgument(text: string, fn: string): string {
  const id = resolveZoneId(text);
  if (id === undefined) {
    throw new DeltaError('INVALID_ARGUMENT', `${fn}: "${text}" is not a time zone. Use a region name like "America/Los_Angeles", "UTC", or an offset like "+08:00".`, {
      details: { function: fn, timeZone: text },
    });
  }
  return id;
}

/**
 * A one-argument kernel over typed stores (i32 for dates and ints, i64 for longs and timestamps,
 * f64, str): `f` sees raw values of non-null rows and returns the result (null allowed).
 */
export function unaryKernel<T extends number | bigint | string>(type: DataType, f: (x: T, ctx: EvalContext) => Value): BoundFunction {
  return {
    eval([a], ctx) {
      const v = a!;
      if (v.isConstant) return Vec.constant(type, v.constantValue === null ? null : f(v.constantValue as T, ctx), ctx.length);
      const s = v.store();
      if (s.kind !== 'i32' && s.kind !== 'i64' && s.kind !== 'f64' && s.kind !== 'str') throw new Error(`unaryKernel over a ${s.kind} store`);
      const values = s.values as unknown as ArrayLike<T>;
      const valid = v.valid();
      const n = ctx.length;
      const out = new VecBuilder(type, n);
      for (let i = 0; i < n; i++) out.set(i, valid !== null && valid[i] === 0 ? null : f(values[i]!, ctx));
      return out.finish();
    },
  };
}
