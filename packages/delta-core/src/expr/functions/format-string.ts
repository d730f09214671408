/**
 * format_string / printf: Java's `java.util.Formatter` (Locale.US) over the values Spark passes,
 * which are its internal ones: integers as Integer/Long, floats as Double digits, strings as
 * text, dates as day numbers, timestamps as microseconds, decimals as Spark's Decimal (so `%s`
 * prints them, `%d`/`%f` refuse them). Supported: `%s %S %b %B %c %C %d %o %x %X %e %E %f %g %G
 * %h %H %% %n`, argument indexes (`%2$s`, `%<s`), flags `-#+ 0,(`, width and precision, with
 * Java's checks (a mismatch is an error, as in Spark). `%a` and date/time conversions (`%t…`)
 * are not supported. Floating values are rounded HALF_UP on their shortest decimal digits, as
 * Java does (`%.1f` of 0.15 is 0.2).
 */
import { DeltaError } from '../../errors.js';
import type { DataType } from '../../schema/types.js';
import { javaFloatingString } from '../../schema/partition-values.js';
import type { DecimalValue } from '../scalar.js';
import { STRING, isPrimitive } from '../type-rules.js';
import type { Value } from '../value.js';
import { coerceArg } from './coerce.js';
import type { FunctionDef } from './function.js';
import { rowwise } from './kernels.js';
import { murmur3Bytes } from './murmur3.js';
import { utf8Encode } from './text.js';

interface Arg {
  readonly value: Value;
  readonly type: DataType;
}

const SPEC = /%(\d+\$)?([-#+ 0,(<]*)?(\d+)?(\.\d+)?([tT])?([a-zA-Z%])/g;

const fail = (message: string): never => {
  throw new DeltaError('INVALID_ARGUMENT', `format_string: ${message}.`);
};

const kindOf = (t: DataType): 'int' | 'long' | 'float' | 'decimal' | 'string' | 'boolean' | 'other' => {
  if (t.kind === 'decimal') return 'decimal';
  if (t.kind !== 'primitive') return 'other';
  switch (t.name) {
    case 'byte':
    case 'short':
    case 'integer':
    case 'date':
      return 'int';
    case 'long':
    case 'timestamp':
    case 'timestamp_ntz':
      return 'long';
    case 'float':
    case 'double':
      return 'float';
    case 'string':
      return 'string';
    case 'boolean':
      return 'boolean';
    default:
      return 'other';
  }
};

/** Java's `BigDecimal.toString` (scientific below 1E-6), which Spark's Decimal prints. */
function decimalText(d: DecimalValue): string {
  const neg = d.unscaled < 0n;
  const digits = (neg ? -d.unscaled : d.unscaled).toString();
  const adjusted = digits.length - 1 - d.scale;
  let body: string;
  if (d.scale === 0) body = digits;
  else if (adjusted >= -6) {
    const padded = digits.padStart(d.scale + 1, '0');
    body = `${padded.slice(0, -d.scale)}.${padded.slice(-d.scale)}`;
  } else body = `${digits[0]}${digits.length > 1 ? '.' + digits.slice(1) : ''}E${adjusted}`;
  return neg ? '-' + body : body;
}

function toText(a: Arg): string {
  const v = a.value;
  if (v === null) return 'null';
  switch (kindOf(a.type)) {
    case 'float':
      return javaFloatingString(v as number, isPrimitive(a.type, 'float'));
    case 'decimal':
      return decimalText(v as DecimalValue);
    case 'int':
    case 'long':
    case 'string':
    case 'boolean':
      return String(v);
    default:
      return fail(`values of type ${a.type.kind === 'primitive' ? a.type.name : a.type.kind} cannot be formatted (Spark prints Java object identities for them)`);
  }
}

/** Java's `hashCode` of the object Spark passes (UTF8String hashes with Murmur3, seed 42). */
function hashCodeOf(a: Arg): number {
  const v = a.value;
  switch (kindOf(a.type)) {
    case 'int':
      return v as number;
    case 'long': {
      const x = BigInt.asUintN(64, v as bigint);
      return Number(BigInt.asIntN(32, x ^ (x >> 32n)));
    }
    case 'boolean':
      return v ? 1231 : 1237;
    case 'string':
      return murmur3Bytes(utf8Encode(v as string), 42);
    case 'float': {
      const view = new DataView(new ArrayBuffer(8));
      view.setFloat64(0, Number.isNaN(v as number) ? NaN : (v as number));
      return (view.getInt32(0) ^ view.getInt32(4)) | 0;
    }
    default:
      return fail('%h is not supported for this type');
  }
}

function justify(s: string, flags: string, width: number): string {
  if (width <= s.length) return s;
  return flags.includes('-') ? s.padEnd(width, ' ') : s.padStart(width, ' ');
}

const group = (digits: string): string => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** Sign, grouping, zero padding and parentheses of a formatted magnitude (Java's `leadingSign`/`trailingSign`). */
function numeric(neg: boolean, magnitude: string, flags: string, width: number): string {
  const paren = neg && flags.includes('(');
  const sign = neg ? (paren ? '(' : '-') : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '';
  const tail = paren ? ')' : '';
  let body = magnitude;
  if (flags.includes(',')) {
    const dot = body.indexOf('.');
    body = dot < 0 ? group(body) : group(body.slice(0, dot)) + body.slice(dot);
  }
  if (flags.includes('0')) body = body.padStart(width - sign.length - tail.length, '0');
  return justify(sign + body + tail, flags, width);
}

/** Shortest decimal digits of a finite non-zero |x| and the exponent e with |x| = d.ddd × 10^e. */
function shortestDigits(x: number): { digits: bigint; len: number; exp: number } {
  const [m, e] = Math.abs(x).toExponential().split('e') as [string, string];
  const d = m.replace('.', '');
  return { digits: BigInt(d), len: d.length, exp: Number(e) };
}

const pow10 = (k: number): bigint => 10n ** BigInt(k);

/** `n / 10^k` rounded half up (k may be <= 0: multiply). */
function roundDigits(n: bigint, k: number): bigint {
  if (k <= 0) return n * pow10(-k);
  const q = n / pow10(k);
  return (n % pow10(k)) * 2n >= pow10(k) ? q + 1n : q;
}

/** |x| with `prec` fraction digits, HALF_UP on the shortest digits. */
function fixed(x: number, prec: number): string {
  if (x === 0) return prec > 0 ? `0.${'0'.repeat(prec)}` : '0';
  const { digits, len, exp } = shortestDigits(x);
  const scale = len - 1 - exp;
  const v = roundDigits(digits, scale - prec).toString().padStart(prec + 1, '0');
  return prec > 0 ? `${v.slice(0, -prec)}.${v.slice(-prec)}` : v;
}

/** |x| as d.ddd(prec)e±xx. */
function scientific(x: number, prec: number, upper: boolean): string {
  let mant = 0n;
  let exp = 0;
  if (x !== 0) {
    const s = shortestDigits(x);
    mant = roundDigits(s.digits, s.len - (prec + 1));
    exp = s.exp;
    if (mant >= pow10(prec + 1)) {
      mant /= 10n;
      exp++;
    }
  }
  const m = mant.toString().padStart(prec + 1, '0');
  const e = `${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  const out = `${m[0]}${prec > 0 ? '.' + m.slice(1) : ''}e${e}`;
  return upper ? out.toUpperCase() : out;
}

function general(x: number, precision: number, upper: boolean): string {
  const prec = precision < 0 ? 6 : precision === 0 ? 1 : precision;
  if (x === 0) return fixed(0, prec - 1);
  const s = shortestDigits(x);
  let exp = s.exp;
  if (roundDigits(s.digits, s.len - prec) >= pow10(prec)) exp++;
  if (exp >= -4 && exp < prec) return fixed(x, prec - 1 - exp);
  return scientific(x, prec - 1, upper);
}

function formatOne(conv: string, a: Arg, flags: string, width: number, precision: number): string {
  const upper = conv === conv.toUpperCase() && conv !== '%';
  const c = conv.toLowerCase();
  const v = a.value;
  const kind = kindOf(a.type);
  const mismatch = (): never => fail(`%${conv} cannot format a ${a.type.kind === 'primitive' ? a.type.name : a.type.kind} value`);
  const onlyFlags = (allowed: string): void => {
    for (const f of flags) if (!allowed.includes(f)) fail(`the flag '${f}' does not apply to %${conv}`);
  };
  const text = (s: string): string => {
    const t = precision >= 0 ? s.substring(0, precision) : s;
    return justify(upper ? t.toUpperCase() : t, flags, width);
  };
  switch (c) {
    case 's':
      onlyFlags('-');
      return text(toText(a));
    case 'b':
      onlyFlags('-');
      return text(v === null ? 'false' : kind === 'boolean' ? String(v) : 'true');
    case 'h':
      onlyFlags('-');
      return text(v === null ? 'null' : (hashCodeOf(a) >>> 0).toString(16));
    case 'c': {
      onlyFlags('-');
      if (precision >= 0) fail('precision is not allowed with %c');
      if (v === null) return text('null');
      if (kind !== 'int') mismatch();
      const code = v as number;
      if (code < 0 || code > 0x10ffff) fail(`code point ${code} is invalid`);
      return text(String.fromCodePoint(code));
    }
    case 'd':
    case 'o':
    case 'x': {
      if (precision >= 0) fail(`precision is not allowed with %${conv}`);
      if (v === null) return text('null');
      if (kind !== 'int' && kind !== 'long') mismatch();
      if (c === 'd') {
        if (flags.includes('#')) fail(`the flag '#' does not apply to %${conv}`);
        const n = BigInt(v as number | bigint);
        return numeric(n < 0n, (n < 0n ? -n : n).toString(), flags, width);
      }
      onlyFlags('-#0');
      const bits = kind === 'long' ? 64 : isPrimitive(a.type, 'byte') ? 8 : isPrimitive(a.type, 'short') ? 16 : 32;
      let digits = BigInt.asUintN(bits, BigInt(v as number | bigint)).toString(c === 'o' ? 8 : 16);
      if (upper) digits = digits.toUpperCase();
      const prefix = flags.includes('#') ? (c === 'o' ? '0' : upper ? '0X' : '0x') : '';
      if (flags.includes('0')) digits = digits.padStart(width - prefix.length, '0');
      return justify(prefix + digits, flags, width);
    }
    case 'e':
    case 'f':
    case 'g': {
      if (v === null) return text('null');
      if (kind !== 'float') mismatch();
      if (c === 'e' && flags.includes(',')) fail("the flag ',' does not apply to %e");
      if (c === 'g' && flags.includes('#')) fail("the flag '#' does not apply to %g");
      const x = v as number;
      if (!Number.isFinite(x)) {
        const t = Number.isNaN(x) ? 'NaN' : x > 0 ? (flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '') + 'Infinity' : flags.includes('(') ? '(Infinity)' : '-Infinity';
        return justify(upper ? t.toUpperCase() : t, flags, width);
      }
      const prec = precision < 0 ? 6 : precision;
      const body = c === 'f' ? fixed(x, prec) : c === 'e' ? scientific(x, prec, upper) : general(x, precision, upper);
      return numeric(x < 0 || Object.is(x, -0), body, flags, width);
    }
    default:
      return fail(`the conversion '%${conv}' is not supported`);
  }
}

/** Java's `String.format(Locale.US, fmt, args...)` over Spark's argument values. */
export function javaFormat(fmt: string, args: readonly Arg[]): string {
  let out = '';
  let last = 0;
  let ordinary = 0;
  let previous = -1;
  SPEC.lastIndex = 0;
  for (let m = SPEC.exec(fmt); m !== null; m = SPEC.exec(fmt)) {
    const text = fmt.slice(last, m.index);
    if (text.includes('%')) fail(`the format specifier at '${text.slice(text.indexOf('%'))}' is malformed`);
    out += text;
    last = SPEC.lastIndex;
    const [, index, rawFlags = '', widthText, precText, time, conv] = m;
    if (time) fail('date/time conversions (%t) are not supported');
    const flags = rawFlags.replace('<', '');
    const width = widthText ? Number(widthText) : -1;
    const precision = precText ? Number(precText.slice(1)) : -1;
    if ((flags.includes('-') || flags.includes('0')) && width < 0) fail(`the flags in '${m[0]}' need a width`);
    if (flags.includes('-') && flags.includes('0')) fail(`the flags '-' and '0' cannot be combined in '${m[0]}'`);
    if (flags.includes('+') && flags.includes(' ')) fail(`the flags '+' and ' ' cannot be combined in '${m[0]}'`);
    if (conv === '%') {
      onlyPercentFlags(flags);
      out += justify('%', flags, width);
      continue;
    }
    if (conv === 'n') {
      out += '\n';
      continue;
    }
    let k: number;
    if (rawFlags.includes('<')) k = previous;
    else if (index) k = Number(index.slice(0, -1)) - 1;
    else k = ordinary++;
    if (k < 0 || k >= args.length) fail(`the format specifier '${m[0]}' has no argument`);
    previous = k;
    out += formatOne(conv!, args[k]!, flags, width, precision);
  }
  const rest = fmt.slice(last);
  if (rest.includes('%')) fail(`the format specifier at '${rest.slice(rest.indexOf('%'))}' is malformed`);
  return out + rest;
}

function onlyPercentFlags(flags: string): void {
  for (const f of flags) if (f !== '-') fail(`the flag '${f}' does not apply to %%`);
}

function formatDef(name: string): FunctionDef {
  return {
    name,
    arity: [1, Infinity],
    signature: `${name}(strfmt, obj, ...)`,
    bind(args, ctx) {
      const fmt = coerceArg(ctx, args[0]!, 1, STRING);
      if (fmt.kind === 'literal' && typeof fmt.value === 'string' && fmt.value.includes('%0$')) {
        ctx.error(`${name}: the argument index %0$ is invalid; argument indexes start at 1 (%1$)`);
      }
      const types = args.slice(1).map((a) => a.type);
      const fn = rowwise(
        STRING,
        ([f, ...vs]) => (f === null ? null : javaFormat(f as string, vs.map((value, i) => ({ value: value ?? null, type: types[i]! })))),
        { nullSafe: true },
      );
      return { type: STRING, args: [fmt, ...args.slice(1)], fn };
    },
  };
}

export const FORMAT_FUNCTIONS: readonly FunctionDef[] = [formatDef('format_string'), formatDef('printf')];
