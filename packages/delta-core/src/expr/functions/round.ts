/**
 * round (HALF_UP), bround (HALF_EVEN), and ceil/floor, with Spark's RoundBase rules:
 * - the scale must be a constant int (a null scale gives null rows);
 * - decimal(p, s) rounded to d gives decimal(min(p - s + 1 + min(s, d), 38), min(s, d)), or
 *   decimal(min(max(p - s + 1, -d + 1), 38), 0) for d < 0; values are exact;
 * - integral types keep their type: d >= 0 is the identity, d < 0 rounds to a multiple of 10^-d
 *   and narrows as Java does (wrapping);
 * - float/double round the decimal text Java prints for the value (`Double.toString`, so
 *   round(2.675, 2) = 2.68), NaN and infinities unchanged;
 * - ceil/floor(x): long for double/long input, decimal(p - s + 1, 0) for decimal(p, s);
 *   ceil/floor(x, d): the RoundBase rule over x as a decimal, rounding CEILING/FLOOR.
 */
import { DeltaError } from '../../errors.js';
import type { DataType, DecimalType } from '../../schema/types.js';
import { formatDecimal, parseDecimal, type DecimalValue } from '../scalar.js';
import { DOUBLE, INT, LONG, decimalType, isIntegral } from '../type-rules.js';
import type { BoundFunction } from '../typed.js';
import { Vec } from '../vector.js';
import { fitsPrecision } from './arithmetic.js';
import { coerceArg } from './coerce.js';
import type { FunctionBindContext, FunctionDef } from './function.js';
import { rowwise } from './kernels.js';

export type RoundingMode = 'HALF_UP' | 'HALF_EVEN' | 'CEILING' | 'FLOOR';

const POW10: bigint[] = Array.from({ length: 80 }, (_, i) => 10n ** BigInt(i));
const pow10 = (k: number): bigint => POW10[k] ?? 10n ** BigInt(k);

/** `x / 10^k` rounded with `mode` (k <= 0 multiplies by 10^-k). */
export function roundUnscaled(x: bigint, k: number, mode: RoundingMode): bigint {
  if (k <= 0) return x * pow10(-k);
  if (k > 400) {
    // |x| < 10^400 for every decimal and double: the quotient is 0 and only the direction matters.
    if (mode === 'CEILING') return x > 0n ? 1n : 0n;
    if (mode === 'FLOOR') return x < 0n ? -1n : 0n;
    return 0n;
  }
  const d = pow10(k);
  const q = x / d;
  const r = x % d;
  if (r === 0n) return q;
  const away = x < 0n ? q - 1n : q + 1n;
  switch (mode) {
    case 'CEILING':
      return x > 0n ? q + 1n : q;
    case 'FLOOR':
      return x < 0n ? q - 1n : q;
    case 'HALF_UP':
      return (r < 0n ? -r : r) * 2n >= d ? away : q;
    case 'HALF_EVEN': {
      const twice = (r < 0n ? -r : r) * 2n;
      if (twice > d) return away;
      if (twice < d) return q;
      return q % 2n === 0n ? q : away;
    }
  }
}

/** Spark's result type of rounding decimal(p, s) to `scale` (Int overflow of `-scale + 1` included). */
export function roundDecimalType(t: DecimalType, scale: number): DecimalType {
  const integral = t.precision - t.scale + 1;
  if (scale < 0) return decimalType(Math.min(Math.max(integral, (-scale + 1) | 0), 38), 0);
  const s = Math.min(t.scale, scale);
  return decimalType(Math.min(integral + s, 38), s);
}

function roundDecimal(v: DecimalValue, from: DecimalType, to: DecimalType, scale: number, mode: RoundingMode, fn: string): DecimalValue | null {
  if (scale >= 0) {
    const u = roundUnscaled(v.unscaled, from.scale - to.scale, mode);
    return fitsPrecision(u, to.precision) ? { unscaled: u, scale: to.scale } : null;
  }
  const q = roundUnscaled(v.unscaled, from.scale - scale, mode);
  if (q !== 0n && q.toString().replace('-', '').length - scale > to.precision) {
    throw new DeltaError('INVALID_ARGUMENT', `${fn}: rounding ${formatDecimal(v)} to scale ${scale} needs more than ${to.precision} digits, the most decimal(${to.precision},0) holds; Spark fails on it too. Cast to DOUBLE first.`);
  }
  return { unscaled: q * pow10(-scale), scale: 0 };
}

const POW10_DOUBLE: readonly number[] = Array.from({ length: 16 }, (_, i) => 10 ** i);

/** Rounds the decimal text Java prints for `x` (NaN/infinities unchanged). */
function roundFloating(x: number, scale: number, mode: RoundingMode, isFloat: boolean): number {
  if (!Number.isFinite(x)) return x;
  if (!isFloat && scale <= 15 && scale >= 0 && (mode === 'HALF_UP' || mode === 'HALF_EVEN')) {
    // Fast path: t = |x|·10^scale is within 2 ulps of the exact shifted decimal; below 2^40 that is
    // under 1e-3, so unless t is that close to a tie both round to the same integer r, and
    // r / 10^scale (both exact) is the correctly rounded double Java's BigDecimal gives.
    const t = Math.abs(x) * POW10_DOUBLE[scale]!;
    if (t < 1099511627776) {
      const frac = t - Math.floor(t);
      if (Math.abs(frac - 0.5) > 1e-3) {
        const r = Math.floor(t + 0.5);
        return r === 0 ? 0 : (x < 0 ? -r : r) / POW10_DOUBLE[scale]!;
      }
    }
  }
  const d = parseDecimal(String(x))!;
  const u = roundUnscaled(d.unscaled, d.scale - scale, mode);
  const r = scale >= 0 ? Number(formatDecimal({ unscaled: u, scale })) : u === 0n ? 0 : Number(u * pow10(-scale));
  return isFloat ? Math.fround(r) : r;
}

const NARROW: Readonly<Record<string, number>> = { byte: 8, short: 16, integer: 32, long: 64 };

function roundKernel(type: DataType, scale: number | null, mode: RoundingMode, fn: string): BoundFunction {
  if (scale === null) return { eval: (_args, ctx) => Vec.constant(type, null, ctx.length) };
  if (type.kind === 'decimal') {
    return rowwise(roundDecimalType(type, scale), ([v]) => roundDecimal(v as DecimalValue, type, roundDecimalType(type, scale), scale, mode, fn));
  }
  if (isIntegral(type)) {
    if (scale >= 0) return { eval: ([v]) => v! };
    const bits = NARROW[(type as { name: string }).name]!;
    return rowwise(type, ([v]) => {
      // 10^k is a multiple of 2^64 for k >= 64, so the narrowed result is 0.
      const r = -scale >= 64 ? 0n : BigInt.asIntN(bits, roundUnscaled(BigInt(v as number | bigint), -scale, mode) * pow10(-scale));
      return bits === 64 ? r : Number(r);
    });
  }
  const isFloat = type.kind === 'primitive' && type.name === 'float';
  return {
    eval([v], ctx) {
      if (v!.isConstant) return Vec.constant(type, v!.constantValue === null ? null : roundFloating(v!.constantValue as number, scale, mode, isFloat), ctx.length);
      const xs = v!.f64();
      const out = new Float64Array(ctx.length);
      for (let i = 0; i < out.length; i++) out[i] = roundFloating(xs[i]!, scale, mode, isFloat);
      return Vec.of(type, { kind: 'f64', values: out }, v!.valid(), ctx.length);
    },
  };
}

/** The constant int scale of argument 2, null when it is NULL. */
function constantScale(ctx: FunctionBindContext, arg: Parameters<FunctionDef['bind']>[0][number] | undefined, fn: string): number | null {
  if (arg === undefined) return 0;
  const cast = coerceArg(ctx, arg, 2, INT);
  if (cast.kind !== 'literal') return ctx.error(`The scale of ${fn} must be a constant integer, not an expression over columns`);
  return cast.value as number | null;
}

function roundDef(name: string, mode: RoundingMode): FunctionDef {
  return {
    name,
    arity: [1, 2],
    signature: `${name}(expr[, d])`,
    bind(args, ctx) {
      const x = coerceArg(ctx, args[0]!, 1, 'numeric');
      const scale = constantScale(ctx, args[1], name);
      const type = x.type.kind === 'decimal' ? roundDecimalType(x.type, scale ?? 0) : x.type;
      return { type, args: [x], fn: roundKernel(x.type, scale, mode, name) };
    },
  };
}

/** Java's `(long) Math.ceil/floor(d)`: NaN gives 0, out-of-range values saturate. */
function toLongSaturated(d: number): bigint {
  if (Number.isNaN(d)) return 0n;
  if (d >= 2 ** 63) return 9223372036854775807n;
  if (d <= -(2 ** 63)) return -9223372036854775808n;
  return BigInt(d);
}

function ceilFloorDef(name: string, aliases: readonly string[], mode: 'CEILING' | 'FLOOR'): FunctionDef {
  const f = mode === 'CEILING' ? Math.ceil : Math.floor;
  return {
    name,
    aliases,
    arity: [1, 2],
    signature: `${name}(expr[, scale])`,
    bind(args, ctx) {
      if (args.length === 2) {
        const scaleArg = coerceArg(ctx, args[1]!, 2, INT);
        if (scaleArg.kind !== 'literal' || scaleArg.value === null) return ctx.error(`The scale of ${name} must be a non-null constant integer`);
        const x = coerceArg(ctx, args[0]!, 1, 'decimal');
        const t = x.type as DecimalType;
        return { type: roundDecimalType(t, scaleArg.value as number), args: [x], fn: roundKernel(t, scaleArg.value as number, mode, name) };
      }
      const x = coerceArg(ctx, args[0]!, 1, DOUBLE, 'decimal', LONG);
      const t = x.type;
      if (t.kind === 'decimal') {
        if (t.scale === 0) return { type: t, args: [x], fn: { eval: ([v]) => v! } };
        const to = decimalType(Math.min(t.precision - t.scale + 1, 38), 0);
        return { type: to, args: [x], fn: rowwise(to, ([v]) => ({ unscaled: roundUnscaled((v as DecimalValue).unscaled, t.scale, mode), scale: 0 })) };
      }
      if (t.kind === 'primitive' && t.name === 'long') return { type: LONG, args: [x], fn: { eval: ([v]) => v! } };
      const fn: BoundFunction = {
        eval([v], c) {
          if (v!.isConstant) return Vec.constant(LONG, v!.constantValue === null ? null : toLongSaturated(f(v!.constantValue as number)), c.length);
          const xs = v!.f64();
          const out = new BigInt64Array(c.length);
          for (let i = 0; i < out.length; i++) out[i] = toLongSaturated(f(xs[i]!));
          return Vec.of(LONG, { kind: 'i64', values: out }, v!.valid(), c.length);
        },
      };
      return { type: LONG, args: [x], fn };
    },
  };
}

export const ROUND_FUNCTIONS: readonly FunctionDef[] = [
  roundDef('round', 'HALF_UP'),
  roundDef('bround', 'HALF_EVEN'),
  ceilFloorDef('ceil', ['ceiling'], 'CEILING'),
  ceilFloorDef('floor', [], 'FLOOR'),
];
