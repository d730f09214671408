/**
 * `+ - * / % div` and unary minus with Spark's non-ANSI semantics: result types from
 * expr/type-rules.ts (decimal precision and scale rules, integral results of the wider integral
 * type), integral overflow wraps around as in Java, decimal overflow gives null, division or
 * remainder by zero gives null, `/` on non-decimals is double division, `div` truncates to BIGINT.
 * Kernels loop over typed arrays; constants are broadcast without materializing.
 */
import type { DataType, DecimalType } from '../../schema/types.js';
import type { ArithmeticOp } from '../ast.js';
import { DOUBLE, LONG, decimalArithmeticType, decimalForIntegral, decimalForLiteral, decimalType, isIntegral, isNumeric, isString, isVoid, tightestCommonType } from '../type-rules.js';
import type { EvalContext, TypedExpr } from '../typed.js';
import type { Value } from '../value.js';
import { Vec, andValid } from '../vector.js';
import type { FunctionBindContext, FunctionDef, BoundCall } from './function.js';

type Op = ArithmeticOp;

/** The types both operands are cast to and the result type, or an error message. */
export function arithmeticTypes(op: Op, a: TypedExpr, b: TypedExpr): { left: DataType; right: DataType; result: DataType } | string {
  let ta = a.type;
  let tb = b.type;
  if (isVoid(ta) && isVoid(tb)) ta = tb = op === '/' ? DOUBLE : op === 'div' ? LONG : { kind: 'primitive', name: 'integer' };
  else if (isVoid(ta)) ta = tb;
  else if (isVoid(tb)) tb = ta;
  if (isString(ta)) ta = op === 'div' ? LONG : DOUBLE;
  if (isString(tb)) tb = op === 'div' ? LONG : DOUBLE;
  if (!isNumeric(ta) || !isNumeric(tb)) return `${op === 'div' ? 'DIV' : op} needs numeric operands`;
  if (op === 'div') {
    if (ta.kind === 'decimal' || tb.kind === 'decimal') {
      const da = asDecimal(a, ta);
      const db = asDecimal(b, tb);
      if (da && db) return { left: da, right: db, result: LONG };
    }
    if (isIntegral(ta) && isIntegral(tb)) return { left: LONG, right: LONG, result: LONG };
    return `DIV needs integral or decimal operands, not ${name(ta)} and ${name(tb)}`;
  }
  if (ta.kind === 'decimal' || tb.kind === 'decimal') {
    const da = asDecimal(a, ta);
    const db = asDecimal(b, tb);
    if (!da || !db) return { left: DOUBLE, right: DOUBLE, result: DOUBLE }; // decimal with float/double
    return { left: da, right: db, result: decimalArithmeticType(op, da, db) };
  }
  if (op === '/') return { left: DOUBLE, right: DOUBLE, result: DOUBLE };
  const t = tightestCommonType(ta, tb)!;
  return { left: t, right: t, result: t };
}

const name = (t: DataType): string => (t.kind === 'primitive' ? t.name : t.kind === 'decimal' ? `decimal(${t.precision},${t.scale})` : t.kind);

/** The decimal type an operand is cast to next to a decimal (integral literals keep their exact digits). */
function asDecimal(e: TypedExpr, t: DataType): DecimalType | undefined {
  if (t.kind === 'decimal') return t;
  if (!isIntegral(t)) return undefined;
  if (e.kind === 'literal' && e.value !== null) return decimalForLiteral(BigInt(e.value as number | bigint));
  return decimalForIntegral(t);
}

function binaryDef(op: Op, fnName: string): FunctionDef {
  return {
    name: fnName,
    arity: [2, 2],
    signature: `a ${op} b`,
    bind(args, ctx) {
      return bindArithmetic(op, args[0]!, args[1]!, ctx);
    },
  };
}

/** Binds `a op b`: casts the operands as Spark does and picks the kernel. */
export function bindArithmetic(op: Op, a: TypedExpr, b: TypedExpr, ctx: FunctionBindContext): BoundCall {
  const types = arithmeticTypes(op, a, b);
  if (typeof types === 'string') ctx.error(`${types}; got ${name(a.type)} and ${name(b.type)}. Cast the operands to numbers, e.g. CAST(x AS DOUBLE).`);
  const left = ctx.cast(a, types.left, 1);
  const right = ctx.cast(b, types.right, 2);
  return { type: types.result, args: [left, right], fn: { eval: (v, c) => arithmeticKernel(op, v[0]!, v[1]!, types.result, c) } };
}

export const ARITHMETIC_FUNCTIONS: readonly FunctionDef[] = [
  binaryDef('+', '+'),
  binaryDef('-', '-'),
  binaryDef('*', '*'),
  binaryDef('/', '/'),
  binaryDef('%', '%'),
  binaryDef('div', 'div'),
  { ...binaryDef('%', 'mod'), signature: 'mod(a, b)' },
  {
    name: 'negative',
    arity: [1, 1],
    signature: 'negative(x)',
    bind(args, ctx) {
      let arg = args[0]!;
      if (isString(arg.type) || isVoid(arg.type)) arg = ctx.cast(arg, DOUBLE, 1);
      if (!isNumeric(arg.type)) ctx.error(`Unary minus needs a numeric operand, got ${name(arg.type)}. Cast it to a number first.`);
      const type = arg.type;
      return { type, args: [arg], fn: { eval: (v, c) => negateKernel(v[0]!, type, c) } };
    },
  },
  {
    name: 'positive',
    arity: [1, 1],
    signature: 'positive(x)',
    bind(args, ctx) {
      const arg = args[0]!;
      if (!isNumeric(arg.type)) ctx.error(`Unary plus needs a numeric operand, got ${name(arg.type)}.`);
      return { type: arg.type, fn: { eval: (v) => v[0]! } };
    },
  },
];

// ---- kernels --------------------------------------------------------------------------------

/** `a op b` for operands already of the types {@link arithmeticTypes} chose. */
export function arithmeticKernel(op: Op, a: Vec, b: Vec, result: DataType, ctx: EvalContext): Vec {
  const n = ctx.length;
  let valid = andValid(a.valid(), b.valid());
  if (a.type.kind === 'decimal') return decimalKernel(op, a, b, result, n, valid);
  const t = a.type as Extract<DataType, { kind: 'primitive' }>;
  if (b.isConstant && !a.isConstant && op !== 'div' && b.constantValue !== null && (t.name === 'long' || t.name === 'double')) {
    return byConstant(op, a, b.constantValue as number | bigint, result, n, valid);
  }
  if (op === 'div') {
    const x = one(a).i64();
    const y = one(b).i64();
    const out = new BigInt64Array(n);
    const v = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const d = y[b.isConstant ? 0 : i]!;
      if (d === 0n) continue;
      out[i] = x[a.isConstant ? 0 : i]! / d;
      v[i] = 1;
    }
    return Vec.of(result, { kind: 'i64', values: out }, andValid(valid, v), n);
  }
  if (t.name === 'long') {
    const x = one(a).i64();
    const y = one(b).i64();
    const out = new BigInt64Array(n);
    let zero: Uint8Array | null = null;
    const ca = a.isConstant;
    const cb = b.isConstant;
    for (let i = 0; i < n; i++) {
      const p = x[ca ? 0 : i]!;
      const q = y[cb ? 0 : i]!;
      switch (op) {
        case '+':
          out[i] = p + q;
          break;
        case '-':
          out[i] = p - q;
          break;
        case '*':
          out[i] = p * q;
          break;
        case '%':
          if (q === 0n) (zero ??= new Uint8Array(n).fill(1))[i] = 0;
          else out[i] = p % q;
          break;
      }
    }
    if (zero) valid = andValid(valid, zero);
    return Vec.of(result, { kind: 'i64', values: out }, valid, n);
  }
  if (t.name === 'float' || t.name === 'double') {
    const x = one(a).f64();
    const y = one(b).f64();
    const out = new Float64Array(n);
    let zero: Uint8Array | null = null;
    const ca = a.isConstant;
    const cb = b.isConstant;
    const isFloat = t.name === 'float';
    for (let i = 0; i < n; i++) {
      const p = x[ca ? 0 : i]!;
      const q = y[cb ? 0 : i]!;
      let r: number;
      switch (op) {
        case '+':
          r = p + q;
          break;
        case '-':
          r = p - q;
          break;
        case '*':
          r = p * q;
          break;
        default:
          if (q === 0) {
            (zero ??= new Uint8Array(n).fill(1))[i] = 0;
            r = 0;
          } else r = op === '/' ? p / q : p % q;
      }
      out[i] = isFloat ? Math.fround(r) : r;
    }
    if (zero) valid = andValid(valid, zero);
    return Vec.of(result, { kind: 'f64', values: out }, valid, n);
  }
  // byte, short, integer: wrap to the type's width as Java does.
  const x = one(a).i32();
  const y = one(b).i32();
  const out = new Int32Array(n);
  let zero: Uint8Array | null = null;
  const shift = t.name === 'byte' ? 24 : t.name === 'short' ? 16 : 0;
  const ca = a.isConstant;
  const cb = b.isConstant;
  for (let i = 0; i < n; i++) {
    const p = x[ca ? 0 : i]!;
    const q = y[cb ? 0 : i]!;
    let r: number;
    switch (op) {
      case '+':
        r = (p + q) | 0;
        break;
      case '-':
        r = (p - q) | 0;
        break;
      case '*':
        r = Math.imul(p, q);
        break;
      default:
        if (q === 0) {
          (zero ??= new Uint8Array(n).fill(1))[i] = 0;
          r = 0;
        } else r = p % q | 0;
    }
    out[i] = shift === 0 ? r : (r << shift) >> shift;
  }
  if (zero) valid = andValid(valid, zero);
  return Vec.of(result, { kind: 'i32', values: out }, valid, n);
}

/**
 * `column op constant` for long and double columns: the operator is chosen once and the constant
 * read once (no per-row switch or BigInt read of the constant). Same results as the general loops.
 */
function byConstant(op: Exclude<Op, 'div'>, a: Vec, k: number | bigint, result: DataType, n: number, valid: Uint8Array | null): Vec {
  if ((op === '/' || op === '%') && (k === 0 || k === 0n)) return Vec.constant(result, null, n);
  if (typeof k === 'bigint') {
    const x = a.i64();
    const out = new BigInt64Array(n);
    if (op === '+') for (let i = 0; i < n; i++) out[i] = x[i]! + k;
    else if (op === '-') for (let i = 0; i < n; i++) out[i] = x[i]! - k;
    else if (op === '*') for (let i = 0; i < n; i++) out[i] = x[i]! * k;
    else for (let i = 0; i < n; i++) out[i] = x[i]! % k;
    return Vec.of(result, { kind: 'i64', values: out }, valid, n);
  }
  const x = a.f64();
  const out = new Float64Array(n);
  if (op === '+') for (let i = 0; i < n; i++) out[i] = x[i]! + k;
  else if (op === '-') for (let i = 0; i < n; i++) out[i] = x[i]! - k;
  else if (op === '*') for (let i = 0; i < n; i++) out[i] = x[i]! * k;
  else if (op === '/') for (let i = 0; i < n; i++) out[i] = x[i]! / k;
  else for (let i = 0; i < n; i++) out[i] = x[i]! % k;
  return Vec.of(result, { kind: 'f64', values: out }, valid, n);
}

/** A constant Vec as one row (kernels index constants at 0), any other Vec as it is. */
const one = (v: Vec): Vec => (v.isConstant ? Vec.constant(v.type, v.constantValue, 1) : v);

const POW10: bigint[] = Array.from({ length: 80 }, (_, i) => 10n ** BigInt(i));

/** Divides by 10^k rounding half away from zero (Java's HALF_UP). */
export function roundHalfUp(x: bigint, k: number): bigint {
  if (k <= 0) return x * POW10[-k]!;
  const d = POW10[k]!;
  const q = x / d;
  const r = x % d;
  const twice = (r < 0n ? -r : r) * 2n;
  if (twice >= d) return x < 0n ? q - 1n : q + 1n;
  return q;
}

/** Whether `unscaled` fits in `precision` digits. */
export const fitsPrecision = (unscaled: bigint, precision: number): boolean => (unscaled < 0n ? -unscaled : unscaled) < POW10[precision]!;

function decimalKernel(op: Op, a: Vec, b: Vec, result: DataType, n: number, valid: Uint8Array | null): Vec {
  const sa = (a.type as DecimalType).scale;
  const sb = (b.type as DecimalType).scale;
  const x = one(a).dec();
  const y = one(b).dec();
  const ca = a.isConstant;
  const cb = b.isConstant;
  const isLong = result.kind === 'primitive';
  const rt = isLong ? decimalType(38, 0) : (result as DecimalType);
  const rs = rt.scale;
  // Every entry is a bigint (0n on null rows): stores of null rows are read by later kernels.
  const out = isLong ? new BigInt64Array(n) : new Array<bigint>(n).fill(0n);
  const ok = new Uint8Array(n);
  const common = Math.max(sa, sb);
  for (let i = 0; i < n; i++) {
    if (valid !== null && valid[i] === 0) continue;
    const p = x[ca ? 0 : i]!;
    const q = y[cb ? 0 : i]!;
    let r: bigint;
    switch (op) {
      case '+':
      case '-': {
        const s = p * POW10[common - sa]! + (op === '+' ? 1n : -1n) * q * POW10[common - sb]!;
        r = roundHalfUp(s, common - rs);
        break;
      }
      case '*':
        r = roundHalfUp(p * q, sa + sb - rs);
        break;
      case '/': {
        if (q === 0n) continue;
        // p/10^sa ÷ q/10^sb at scale rs: p·10^(rs - sa + sb) / q, rounded half up.
        const shift = rs - sa + sb;
        const num = shift >= 0 ? p * POW10[shift]! : p;
        const den = shift >= 0 ? q : q * POW10[-shift]!;
        r = divHalfUp(num, den);
        break;
      }
      case '%': {
        if (q === 0n) continue;
        r = roundHalfUp((p * POW10[common - sa]!) % (q * POW10[common - sb]!), common - rs);
        break;
      }
      case 'div': {
        if (q === 0n) continue;
        r = (p * POW10[common - sa]!) / (q * POW10[common - sb]!);
        if (r < -(1n << 63n) || r >= 1n << 63n) continue;
        break;
      }
    }
    if (!isLong && !fitsPrecision(r, rt.precision)) continue;
    out[i] = r;
    ok[i] = 1;
  }
  const v = andValid(valid, ok);
  if (isLong) return Vec.of(result, { kind: 'i64', values: out as BigInt64Array }, v, n);
  return Vec.of(result, { kind: 'dec', values: out as bigint[] }, v, n);
}

/** num / den rounded half away from zero. */
export function divHalfUp(num: bigint, den: bigint): bigint {
  const q = num / den;
  const r = num % den;
  if (r === 0n) return q;
  const twice = (r < 0n ? -r : r) * 2n;
  const ad = den < 0n ? -den : den;
  if (twice >= ad) return (num < 0n) !== (den < 0n) ? q - 1n : q + 1n;
  return q;
}

function negateKernel(a: Vec, type: DataType, ctx: EvalContext): Vec {
  const n = ctx.length;
  if (a.isConstant) {
    const v = a.constantValue;
    if (v === null) return a;
    return Vec.constant(type, negateValue(v, type) as Value, n);
  }
  const s = a.store();
  switch (s.kind) {
    case 'i32': {
      const shift = type.kind === 'primitive' && type.name === 'byte' ? 24 : type.kind === 'primitive' && type.name === 'short' ? 16 : 0;
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = shift === 0 ? -s.values[i]! | 0 : ((-s.values[i]! | 0) << shift) >> shift;
      return Vec.of(type, { kind: 'i32', values: out }, a.valid(), n);
    }
    case 'f64':
      return Vec.of(type, { kind: 'f64', values: s.values.map((x) => -x) }, a.valid(), n);
    case 'i64':
      return Vec.of(type, { kind: 'i64', values: s.values.map((x) => -x) }, a.valid(), n);
    case 'dec':
      return Vec.of(type, { kind: 'dec', values: s.values.map((x) => -x) }, a.valid(), n);
    default:
      return a;
  }
}

function negateValue(v: unknown, type: DataType): unknown {
  if (type.kind === 'decimal') {
    const d = v as { unscaled: bigint; scale: number };
    return { unscaled: -d.unscaled, scale: d.scale };
  }
  if (typeof v === 'bigint') return BigInt.asIntN(64, -v);
  const shift = type.kind === 'primitive' && type.name === 'byte' ? 24 : type.kind === 'primitive' && type.name === 'short' ? 16 : -1;
  if (shift >= 0) return ((-(v as number) | 0) << shift) >> shift;
  if (type.kind === 'primitive' && type.name === 'integer') return -(v as number) | 0;
  return -(v as number);
}
