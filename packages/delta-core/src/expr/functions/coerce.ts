/**
 * Spark's implicit casts for function arguments (`ImplicitTypeCasts` with `ExpectsInputTypes`):
 * an argument already of an accepted type is kept; otherwise the first accepted type Spark can
 * implicitly cast it to is chosen (a `TypeCollection` tries its types in order); otherwise the
 * call is a binding error. Narrower than CAST: e.g. an integer is not implicitly binary, a map
 * is never a string.
 */
import type { DataType } from '../../schema/types.js';
import { typeName } from '../scalar.js';
import { BINARY, DATE, DOUBLE, STRING, decimalForIntegral, decimalType, isAtomic, isDatetime, isNumeric, isPrimitive, isString, isVoid, sameType } from '../type-rules.js';
import type { TypedExpr } from '../typed.js';
import type { FunctionBindContext } from './function.js';

/** An accepted argument type: a concrete type, or an abstract family Spark accepts as is. */
export type Expected = DataType | 'numeric' | 'decimal' | 'any';

const accepts = (t: DataType, e: Expected): boolean => {
  if (e === 'any') return true;
  if (e === 'numeric') return isNumeric(t);
  if (e === 'decimal') return t.kind === 'decimal';
  if (t.kind === 'array' && e.kind === 'array') return accepts(t.elementType, e.elementType);
  return sameType(t, e);
};

/** The type Spark implicitly casts a value of `from` to for `e`, or undefined when it does not. */
export function implicitTarget(from: DataType, e: Expected): DataType | undefined {
  if (accepts(from, e)) return from;
  if (e === 'any') return from;
  if (isVoid(from)) return e === 'numeric' ? DOUBLE : e === 'decimal' ? decimalType(38, 18) : e;
  if (e === 'numeric') return isString(from) ? DOUBLE : undefined;
  if (e === 'decimal') {
    if (isString(from)) return decimalType(38, 18);
    return isNumeric(from) ? decimalForIntegral(from) : undefined;
  }
  if (isNumeric(e)) return isNumeric(from) || isString(from) ? e : undefined;
  if (isDatetime(e)) {
    if (isString(from)) return e;
    if (isPrimitive(from, 'date') && isPrimitive(e, 'timestamp', 'timestamp_ntz')) return e;
    if (isPrimitive(from, 'timestamp', 'timestamp_ntz') && isPrimitive(e, 'date')) return DATE;
    return undefined;
  }
  if (isPrimitive(e, 'binary')) return isString(from) ? BINARY : undefined;
  if (isString(e)) return isAtomic(from) ? STRING : undefined;
  if (e.kind === 'array' && from.kind === 'array') {
    const element = implicitTarget(from.elementType, e.elementType);
    return element && { kind: 'array', elementType: element, containsNull: true };
  }
  return undefined;
}

const expectedText = (e: Expected): string => (typeof e === 'string' ? e : e.kind === 'array' ? `array<${typeName(e.elementType)}>` : typeName(e));

/**
 * `arg` as the first of `expected` it is or can be implicitly cast to (position is 1-based, for
 * messages); a binding error naming the function, the argument and the accepted types otherwise.
 */
export function coerceArg(ctx: FunctionBindContext, arg: TypedExpr, position: number, ...expected: Expected[]): TypedExpr {
  for (const e of expected) if (accepts(arg.type, e)) return arg;
  for (const e of expected) {
    const target = implicitTarget(arg.type, e);
    if (target !== undefined) return sameType(target, arg.type) ? arg : ctx.cast(arg, target, position);
  }
  const want = expected.map(expectedText).join(' or ');
  return ctx.error(`Argument ${position} of ${ctx.name} must be ${want}, but it has type ${describeType(arg.type)}. Cast it explicitly, e.g. CAST(x AS ${want === 'numeric' ? 'DOUBLE' : want.toUpperCase()})`);
}

export const describeType = (t: DataType): string => (t.kind === 'array' ? `array<${describeType(t.elementType)}>` : t.kind === 'map' ? 'map' : t.kind === 'struct' ? 'struct' : typeName(t));

/** Whether a type is, or nests, a map (hash functions refuse those as Spark does). */
export function containsMap(t: DataType): boolean {
  if (t.kind === 'map') return true;
  if (t.kind === 'array') return containsMap(t.elementType);
  if (t.kind === 'struct') return t.fields.some((f) => containsMap(f.type));
  return false;
}
