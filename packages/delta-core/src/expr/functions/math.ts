/**
 * Math functions with Spark's semantics: double results computed as Java does (V8's Math
 * functions are fdlibm ports, as Java's StrictMath; hypot is fdlibm's own), invalid domains give
 * NaN (sqrt(-1), asin(2)) except the logarithms, which give null for arguments <= 0 (log1p:
 * <= -1) as Spark (Hive) does; abs/pmod keep Java's wrapping for integers and exact decimals;
 * rounding lives in round.ts. Kernels loop over typed arrays; constants are computed once.
 */
import type { DataType } from '../../schema/types.js';
import { randomBytes } from 'node:crypto';
import { DOUBLE, INT, LONG, STRING, isVoid } from '../type-rules.js';
import type { BoundFunction, TypedExpr } from '../typed.js';
import type { DecimalValue } from '../scalar.js';
import { Vec } from '../vector.js';
import { arithmeticTypes, fitsPrecision, roundHalfUp } from './arithmetic.js';
import { coerceArg, describeType } from './coerce.js';
import type { FunctionDef } from './function.js';
import { nonDeterministic, rowwise } from './kernels.js';
import { XorShiftRandom, conv, hypot } from './math-extra.js';
import { ROUND_FUNCTIONS } from './round.js';
import { utf8Encode } from './text.js';

type F1 = (x: number) => number | null;
type F2 = (x: number, y: number) => number | null;

/** A kernel applying `f` to each double (null results become null rows). */
function doubleKernel(f: F1): BoundFunction {
  return {
    eval([v], ctx) {
      const n = ctx.length;
      if (v!.isConstant) return Vec.constant(DOUBLE, v!.constantValue === null ? null : f(v!.constantValue as number), n);
      const xs = v!.f64();
      const valid = v!.valid();
      const out = new Float64Array(n);
      let nulls: Uint8Array | null = null;
      for (let i = 0; i < n; i++) {
        if (valid !== null && valid[i] === 0) continue;
        const r = f(xs[i]!);
        if (r === null) (nulls ??= valid ? Uint8Array.from(valid) : new Uint8Array(n).fill(1))[i] = 0;
        else out[i] = r;
      }
      return Vec.of(DOUBLE, { kind: 'f64', values: out }, nulls ?? valid, n);
    },
  };
}

function doubleKernel2(f: F2): BoundFunction {
  return rowwise(DOUBLE, ([x, y]) => f(x as number, y as number));
}

function unary(name: string, aliases: readonly string[], f: F1): FunctionDef {
  return {
    name,
    aliases,
    arity: [1, 1],
    signature: `${name}(expr)`,
    bind(args, ctx) {
      return { type: DOUBLE, args: [coerceArg(ctx, args[0]!, 1, DOUBLE)], fn: doubleKernel(f) };
    },
  };
}

function binary(name: string, aliases: readonly string[], f: F2, signature = `${name}(expr1, expr2)`): FunctionDef {
  return {
    name,
    aliases,
    arity: [2, 2],
    signature,
    bind(args, ctx) {
      return { type: DOUBLE, args: args.map((a, i) => coerceArg(ctx, a, i + 1, DOUBLE)), fn: doubleKernel2(f) };
    },
  };
}

function constant(name: string, value: number): FunctionDef {
  return { name, arity: [0, 0], signature: `${name}()`, bind: () => ({ type: DOUBLE, fn: { eval: (_a, ctx) => Vec.constant(DOUBLE, value, ctx.length) } }) };
}

/** Java's Math.rint: nearest integer, ties to even, sign of zero kept. */
export function rint(x: number): number {
  if (!Number.isFinite(x) || Math.abs(x) >= 2 ** 52) return x;
  const f = Math.floor(x);
  const d = x - f;
  const r = d < 0.5 ? f : d > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1;
  return r === 0 ? (x < 0 || Object.is(x, -0) ? -0 : 0) : r;
}

const log = (x: number): number | null => (x <= 0 ? null : Math.log(x));

// ---- abs, pmod -------------------------------------------------------------------------------

const WIDTH: Readonly<Record<string, number>> = { byte: 8, short: 16, integer: 32 };

const absDef: FunctionDef = {
  name: 'abs',
  arity: [1, 1],
  signature: 'abs(expr)',
  bind(args, ctx) {
    const x = coerceArg(ctx, args[0]!, 1, 'numeric');
    const t = x.type;
    if (t.kind === 'decimal') return { type: t, args: [x], fn: rowwise(t, ([v]) => ({ unscaled: (v as DecimalValue).unscaled < 0n ? -(v as DecimalValue).unscaled : (v as DecimalValue).unscaled, scale: t.scale })) };
    const name = (t as { name: string }).name;
    if (name === 'long') return { type: t, args: [x], fn: rowwise(t, ([v]) => BigInt.asIntN(64, (v as bigint) < 0n ? -(v as bigint) : (v as bigint))) };
    if (name === 'float' || name === 'double') return { type: t, args: [x], fn: typedMap(t, Math.abs) };
    const bits = WIDTH[name]!;
    return { type: t, args: [x], fn: typedMap(t, (v) => ((v < 0 ? -v : v) << (32 - bits)) >> (32 - bits)) };
  },
};

/** An i32/f64 map kernel keeping the input's type and validity. */
function typedMap(type: DataType, f: (x: number) => number): BoundFunction {
  return {
    eval([v], ctx) {
      if (v!.isConstant) return Vec.constant(type, v!.constantValue === null ? null : f(v!.constantValue as number), ctx.length);
      const s = v!.store();
      if (s.kind === 'f64') return Vec.of(type, { kind: 'f64', values: s.values.map(f) }, v!.valid(), ctx.length);
      return Vec.of(type, { kind: 'i32', values: v!.i32().map(f) }, v!.valid(), ctx.length);
    },
  };
}

/** Positive remainder as Spark's Pmod: `r = a % n; r < 0 ? (r + n) % n : r` in the operands' type. */
const pmodDef: FunctionDef = {
  name: 'pmod',
  arity: [2, 2],
  signature: 'pmod(expr1, expr2)',
  bind(args, ctx) {
    const types = arithmeticTypes('%', args[0]!, args[1]!);
    if (typeof types === 'string') return ctx.error(`pmod needs numeric operands; got ${describeType(args[0]!.type)} and ${describeType(args[1]!.type)}. Cast them to numbers`);
    const cast = [ctx.cast(args[0]!, types.left, 1), ctx.cast(args[1]!, types.right, 2)];
    const t = types.result;
    if (t.kind === 'decimal') {
      const [sa, sb] = [(types.left as { scale: number }).scale, (types.right as { scale: number }).scale];
      const common = Math.max(sa, sb);
      const fn = rowwise(t, ([a, b]) => {
        const x = (a as DecimalValue).unscaled * 10n ** BigInt(common - sa);
        const n = (b as DecimalValue).unscaled * 10n ** BigInt(common - sb);
        if (n === 0n) return null;
        let r = x % n;
        if (r < 0n) r = (r + n) % n;
        const u = roundHalfUp(r, common - t.scale);
        return fitsPrecision(u, t.precision) ? { unscaled: u, scale: t.scale } : null;
      });
      return { type: t, args: cast, fn };
    }
    const name = (t as { name: string }).name;
    const fn = rowwise(t, ([a, b]) => {
      if (name === 'long') {
        const [x, n] = [a as bigint, b as bigint];
        if (n === 0n) return null;
        const r = x % n;
        return r < 0n ? BigInt.asIntN(64, r + n) % n : r;
      }
      const [x, n] = [a as number, b as number];
      if (n === 0) return null;
      if (name === 'float' || name === 'double') {
        const fr = name === 'float' ? Math.fround : (v: number) => v;
        const r = fr(x % n);
        return r < 0 ? fr(fr(r + n) % n) : r;
      }
      const r = x % n;
      if (r >= 0) return r;
      const sum = name === 'integer' ? (r + n) | 0 : r + n;
      const m = sum % n;
      return name === 'integer' ? m | 0 : m;
    });
    return { type: t, args: cast, fn };
  },
};

// ---- integer functions -------------------------------------------------------------------------

const FACTORIALS = Array.from({ length: 21 }, (_, i) => Array.from({ length: i }, (_, k) => BigInt(k + 1)).reduce((a, b) => a * b, 1n));

const factorialDef: FunctionDef = {
  name: 'factorial',
  arity: [1, 1],
  signature: 'factorial(expr)',
  bind(args, ctx) {
    return { type: LONG, args: [coerceArg(ctx, args[0]!, 1, INT)], fn: rowwise(LONG, ([v]) => ((v as number) < 0 || (v as number) > 20 ? null : FACTORIALS[v as number]!)) };
  },
};

const binDef: FunctionDef = {
  name: 'bin',
  arity: [1, 1],
  signature: 'bin(expr)',
  bind(args, ctx) {
    return { type: STRING, args: [coerceArg(ctx, args[0]!, 1, LONG)], fn: rowwise(STRING, ([v]) => BigInt.asUintN(64, v as bigint).toString(2)) };
  },
};

const convDef: FunctionDef = {
  name: 'conv',
  arity: [3, 3],
  signature: 'conv(num, from_base, to_base)',
  bind(args, ctx) {
    const cast = [coerceArg(ctx, args[0]!, 1, STRING), coerceArg(ctx, args[1]!, 2, INT), coerceArg(ctx, args[2]!, 3, INT)];
    return { type: STRING, args: cast, fn: rowwise(STRING, ([s, from, to]) => conv(utf8Encode(trimSpaces(s as string)), from as number, to as number)) };
  },
};

const trimSpaces = (s: string): string => s.replace(/^ +| +$/g, '');

function shiftDef(name: string, op: 'left' | 'right' | 'unsigned'): FunctionDef {
  return {
    name,
    arity: [2, 2],
    signature: `${name}(base, expr)`,
    bind(args, ctx) {
      const base = coerceArg(ctx, args[0]!, 1, INT, LONG);
      const by = coerceArg(ctx, args[1]!, 2, INT);
      const isLong = base.type.kind === 'primitive' && base.type.name === 'long';
      const fn = rowwise(base.type, ([v, s]) => {
        const k = s as number;
        if (isLong) {
          const x = v as bigint;
          const n = BigInt(k & 63);
          return op === 'left' ? BigInt.asIntN(64, x << n) : op === 'right' ? x >> n : BigInt.asIntN(64, BigInt.asUintN(64, x) >> n);
        }
        const x = v as number;
        return op === 'left' ? x << k : op === 'right' ? x >> k : (x >>> k) | 0;
      });
      return { type: base.type, args: [base, by], fn };
    },
  };
}

/** Java's `double.toLong` (NaN 0, saturating) plus one, wrapping as Scala's `+ 1L` does. */
function bucketOf(q: number): bigint {
  const t = Number.isNaN(q) ? 0n : q >= 2 ** 63 ? 9223372036854775807n : q <= -(2 ** 63) ? -9223372036854775808n : BigInt(Math.trunc(q));
  return BigInt.asIntN(64, t + 1n);
}

/** Spark's width_bucket over doubles (null for invalid bounds or bucket counts). */
export function widthBucket(value: number, min: number, max: number, buckets: bigint): bigint | null {
  if (buckets <= 0n || buckets === 9223372036854775807n || Number.isNaN(value) || min === max || !Number.isFinite(min) || !Number.isFinite(max)) return null;
  const lower = Math.min(min, max);
  const upper = Math.max(min, max);
  const n = Number(buckets);
  if (min < max) {
    if (value < lower) return 0n;
    if (value >= upper) return buckets + 1n;
    return bucketOf((n * (value - lower)) / (upper - lower));
  }
  if (value > upper) return 0n;
  if (value <= lower) return buckets + 1n;
  return bucketOf((n * (upper - value)) / (upper - lower));
}

const widthBucketDef: FunctionDef = {
  name: 'width_bucket',
  arity: [4, 4],
  signature: 'width_bucket(value, min_value, max_value, num_bucket)',
  bind(args, ctx) {
    const cast = [0, 1, 2].map((i) => coerceArg(ctx, args[i]!, i + 1, DOUBLE)).concat(coerceArg(ctx, args[3]!, 4, LONG));
    return { type: LONG, args: cast, fn: rowwise(LONG, ([v, lo, hi, n]) => widthBucket(v as number, lo as number, hi as number, n as bigint)) };
  },
};

// ---- random -------------------------------------------------------------------------------------

/** The seed of rand/randn: a constant int/long (null is 0), or a fresh random one. */
function randomSeed(args: readonly TypedExpr[], ctx: Parameters<FunctionDef['bind']>[1]): bigint {
  if (args.length === 0) return randomBytes(8).readBigInt64LE(0);
  const a = args[0]!;
  const isInt = a.type.kind === 'primitive' && ['integer', 'long', 'short', 'byte'].includes(a.type.name);
  if (!isInt && !isVoid(a.type)) return ctx.error(`The seed of ${ctx.name} must be an integer or long constant, not ${describeType(a.type)}`);
  const v = ctx.constant(a, 1);
  return v === null ? 0n : BigInt(v as number | bigint);
}

function randomDef(name: string, aliases: readonly string[], gaussian: boolean): FunctionDef {
  return {
    name,
    aliases,
    arity: [0, 1],
    signature: `${name}([seed])`,
    bind(args, ctx) {
      const rng = new XorShiftRandom(randomSeed(args, ctx));
      const fn: BoundFunction = {
        eval(_vs, c) {
          const out = new Float64Array(c.length);
          for (let i = 0; i < out.length; i++) out[i] = gaussian ? rng.nextGaussian() : rng.nextDouble();
          return Vec.of(DOUBLE, { kind: 'f64', values: out }, null, c.length);
        },
      };
      return { type: DOUBLE, args: [], fn: nonDeterministic(fn) };
    },
  };
}

// ---- log with a base ---------------------------------------------------------------------------

/** log(x) is the natural log; log(base, x) = ln(x) / ln(base); null when either is <= 0. */
const logDef: FunctionDef = {
  name: 'log',
  arity: [1, 2],
  signature: 'log([base, ]expr)',
  bind(args, ctx) {
    const cast = args.map((a, i) => coerceArg(ctx, a, i + 1, DOUBLE));
    if (cast.length === 1) return { type: DOUBLE, args: cast, fn: doubleKernel(log) };
    return { type: DOUBLE, args: cast, fn: doubleKernel2((b, x) => (b <= 0 || x <= 0 ? null : Math.log(x) / Math.log(b))) };
  },
};

const RADIANS_TO_DEGREES = 57.29577951308232;
const DEGREES_TO_RADIANS = 0.017453292519943295;

export const MATH_FUNCTIONS: readonly FunctionDef[] = [
  absDef,
  pmodDef,
  ...ROUND_FUNCTIONS,
  unary('sqrt', [], Math.sqrt),
  unary('cbrt', [], Math.cbrt),
  unary('exp', [], Math.exp),
  unary('expm1', [], Math.expm1),
  unary('ln', [], log),
  logDef,
  unary('log10', [], (x) => (x <= 0 ? null : Math.log10(x))),
  unary('log2', [], (x) => (x <= 0 ? null : Math.log(x) / Math.LN2)),
  unary('log1p', [], (x) => (x <= -1 ? null : Math.log1p(x))),
  unary('signum', ['sign'], Math.sign),
  unary('rint', [], rint),
  unary('sin', [], Math.sin),
  unary('cos', [], Math.cos),
  unary('tan', [], Math.tan),
  unary('cot', [], (x) => 1 / Math.tan(x)),
  unary('sec', [], (x) => 1 / Math.cos(x)),
  unary('csc', [], (x) => 1 / Math.sin(x)),
  unary('asin', [], Math.asin),
  unary('acos', [], Math.acos),
  unary('atan', [], Math.atan),
  unary('sinh', [], Math.sinh),
  unary('cosh', [], Math.cosh),
  unary('tanh', [], Math.tanh),
  unary('asinh', [], (x) => (x === -Infinity ? -Infinity : Math.log(x + Math.sqrt(x * x + 1)))),
  unary('acosh', [], (x) => Math.log(x + Math.sqrt(x * x - 1))),
  unary('atanh', [], (x) => 0.5 * (Math.log1p(x) - Math.log1p(-x))),
  unary('degrees', [], (x) => x * RADIANS_TO_DEGREES),
  unary('radians', [], (x) => x * DEGREES_TO_RADIANS),
  binary('atan2', [], (y, x) => Math.atan2(y + 0, x + 0), 'atan2(exprY, exprX)'),
  binary('pow', ['power'], Math.pow),
  binary('hypot', [], hypot),
  constant('pi', Math.PI),
  constant('e', Math.E),
  factorialDef,
  binDef,
  convDef,
  shiftDef('shiftleft', 'left'),
  shiftDef('shiftright', 'right'),
  shiftDef('shiftrightunsigned', 'unsigned'),
  widthBucketDef,
  randomDef('rand', ['random'], false),
  randomDef('randn', [], true),
];

