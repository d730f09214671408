/**
 * Encodings: base64/unbase64 (Java's Base64; unbase64 is the MIME decoder, which skips
 * characters outside the alphabet and fails on a malformed ending), hex/unhex (upper-case
 * digits; unhex of invalid text is null), encode/decode with Java's charsets (US-ASCII,
 * ISO-8859-1, UTF-8, UTF-16BE, UTF-16LE, UTF-16; unmappable characters become '?', malformed
 * bytes U+FFFD), and decode's CASE-like form `decode(expr, search, result, ..., default)`.
 * base64 output is one line (Spark 3.5.2+/4.0 default; 3.3–3.5.1 wrapped it every 76 chars).
 */
import { DeltaError } from '../../errors.js';
import { BINARY, LONG, STRING, comparisonType, isVoid, widerCommonType } from '../type-rules.js';
import type { TypedExpr } from '../typed.js';
import { valuesEqual, type Value } from '../value.js';
import { coerceArg, describeType } from './coerce.js';
import type { FunctionDef } from './function.js';
import { rowwise } from './kernels.js';
import { stringKernel, utf8Decode, utf8Encode } from './text.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DECODE = new Int8Array(256).fill(-1);
for (let i = 0; i < 64; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

export function base64Encode(b: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < b.length; i += 3) {
    const v = (b[i]! << 16) | (b[i + 1]! << 8) | b[i + 2]!;
    out += ALPHABET[v >> 18]! + ALPHABET[(v >> 12) & 63]! + ALPHABET[(v >> 6) & 63]! + ALPHABET[v & 63]!;
  }
  if (i < b.length) {
    const v = (b[i]! << 16) | ((b[i + 1] ?? 0) << 8);
    out += ALPHABET[v >> 18]! + ALPHABET[(v >> 12) & 63]! + (i + 1 < b.length ? ALPHABET[(v >> 6) & 63]! : '=') + '=';
  }
  return out;
}

/**
 * Java's MIME base64 decoder: characters outside the alphabet are skipped (the text is read as
 * ISO-8859-1, other characters as '?'); `=` ends the data; a dangling single symbol or a wrong
 * padding is an error, as in Spark (even in non-ANSI mode).
 */
export function base64Decode(s: string): Uint8Array {
  const out: number[] = [];
  let bits = 0;
  let shift = 18;
  let i = 0;
  const fail = (why: string): never => {
    throw new DeltaError('INVALID_ARGUMENT', `unbase64: '${s.length > 40 ? s.slice(0, 37) + '...' : s}' is not valid base64 (${why}). Fix the input, or use try_to_binary-style filtering before decoding.`);
  };
  for (; i < s.length; i++) {
    const code = s.charCodeAt(i);
    const c = code > 0xff ? 0x3f : code;
    if (c === 61) {
      if (shift === 18 || (shift === 6 && (i + 1 >= s.length || s.charCodeAt(++i) !== 61))) fail('wrong 4-byte ending unit');
      i++;
      break;
    }
    const v = DECODE[c]!;
    if (v < 0) continue;
    bits |= v << shift;
    shift -= 6;
    if (shift < 0) {
      out.push((bits >> 16) & 0xff, (bits >> 8) & 0xff, bits & 0xff);
      shift = 18;
      bits = 0;
    }
  }
  if (shift === 6) out.push((bits >> 16) & 0xff);
  else if (shift === 0) out.push((bits >> 16) & 0xff, (bits >> 8) & 0xff);
  else if (shift === 12) fail('the last unit does not have enough valid bits');
  for (; i < s.length; i++) {
    const code = s.charCodeAt(i);
    if (DECODE[code > 0xff ? 0x3f : code]! >= 0) fail('data after the padding');
  }
  return Uint8Array.from(out);
}

const HEX = '0123456789ABCDEF';

export function hexOfBytes(b: Uint8Array): string {
  let out = '';
  for (let i = 0; i < b.length; i++) out += HEX[b[i]! >> 4]! + HEX[b[i]! & 15]!;
  return out;
}

/** Spark's unhex: an odd length gets a leading 0; any non-hex character gives null. */
export function unhex(s: string): Uint8Array | null {
  const digit = (c: number): number => (c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : c >= 97 && c <= 102 ? c - 87 : -1);
  const odd = s.length & 1;
  const out = new Uint8Array((s.length + 1) >> 1);
  for (let i = 0; i < s.length; i++) {
    const d = digit(s.charCodeAt(i));
    if (d < 0) return null;
    const at = (i + odd) >> 1;
    out[at] = (i + odd) & 1 ? out[at]! | d : d << 4;
  }
  return out;
}

// ---- charsets ----------------------------------------------------------------------------------

const CHARSETS: Readonly<Record<string, string>> = {
  'US-ASCII': 'US-ASCII',
  ASCII: 'US-ASCII',
  'ISO-8859-1': 'ISO-8859-1',
  ISO8859_1: 'ISO-8859-1',
  'ISO_8859_1': 'ISO-8859-1',
  LATIN1: 'ISO-8859-1',
  'UTF-8': 'UTF-8',
  UTF8: 'UTF-8',
  'UTF-16BE': 'UTF-16BE',
  UTF_16BE: 'UTF-16BE',
  'UTF-16LE': 'UTF-16LE',
  UTF_16LE: 'UTF-16LE',
  'UTF-16': 'UTF-16',
  UTF_16: 'UTF-16',
  UTF16: 'UTF-16',
};

function charsetOf(fn: string, name: string): string {
  const c = CHARSETS[name.toUpperCase()];
  if (c === undefined) throw new DeltaError('INVALID_ARGUMENT', `${fn}: unsupported charset '${name}'. Use one of US-ASCII, ISO-8859-1, UTF-8, UTF-16BE, UTF-16LE, UTF-16.`);
  return c;
}

export function encodeString(s: string, charset: string): Uint8Array {
  switch (charset) {
    case 'UTF-8':
      return utf8Encode(s);
    case 'US-ASCII':
    case 'ISO-8859-1': {
      const max = charset === 'US-ASCII' ? 0x7f : 0xff;
      return Uint8Array.from(Array.from(s), (c) => {
        const v = c.codePointAt(0)!;
        return v <= max ? v : 0x3f;
      });
    }
    default: {
      if (s === '') return new Uint8Array(0);
      const bom = charset === 'UTF-16';
      const le = charset === 'UTF-16LE';
      const out = new Uint8Array(s.length * 2 + (bom ? 2 : 0));
      let at = 0;
      if (bom) {
        out[0] = 0xfe;
        out[1] = 0xff;
        at = 2;
      }
      for (let i = 0; i < s.length; i++, at += 2) {
        let u = s.charCodeAt(i);
        const paired = (u & 0xfc00) === 0xd800 ? (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00 : (u & 0xfc00) === 0xdc00 ? (s.charCodeAt(i - 1) & 0xfc00) === 0xd800 : true;
        if (!paired) u = 0xfffd;
        out[at + (le ? 1 : 0)] = u >> 8;
        out[at + (le ? 0 : 1)] = u & 0xff;
      }
      return out;
    }
  }
}

const utf16le = new TextDecoder('utf-16le', { ignoreBOM: true });
const utf16be = new TextDecoder('utf-16be', { ignoreBOM: true });

export function decodeBytes(b: Uint8Array, charset: string): string {
  switch (charset) {
    case 'UTF-8':
      return utf8Decode(b);
    case 'US-ASCII':
      return Array.from(b, (x) => (x < 0x80 ? String.fromCharCode(x) : '\ufffd')).join('');
    case 'ISO-8859-1':
      return Array.from(b, (x) => String.fromCharCode(x)).join('');
    case 'UTF-16BE':
      return utf16be.decode(b);
    case 'UTF-16LE':
      return utf16le.decode(b);
    default: {
      if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) return utf16be.decode(b.subarray(2));
      if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) return utf16le.decode(b.subarray(2));
      return utf16be.decode(b);
    }
  }
}

// ---- definitions ------------------------------------------------------------------------------

const base64Def: FunctionDef = {
  name: 'base64',
  arity: [1, 1],
  signature: 'base64(bin)',
  bind(args, ctx) {
    return { type: STRING, args: [coerceArg(ctx, args[0]!, 1, BINARY)], fn: rowwise(STRING, ([b]) => base64Encode(b as Uint8Array)) };
  },
};

const unbase64Def: FunctionDef = {
  name: 'unbase64',
  arity: [1, 1],
  signature: 'unbase64(str)',
  bind(args, ctx) {
    return { type: BINARY, args: [coerceArg(ctx, args[0]!, 1, STRING)], fn: stringKernel(BINARY, base64Decode) };
  },
};

/** hex of a long (two's complement, upper case), of binary, or of a string's UTF-8 bytes. */
const hexDef: FunctionDef = {
  name: 'hex',
  arity: [1, 1],
  signature: 'hex(expr)',
  bind(args, ctx) {
    const a = coerceArg(ctx, args[0]!, 1, LONG, BINARY, STRING);
    const fn =
      a.type.kind === 'primitive' && a.type.name === 'long'
        ? rowwise(STRING, ([v]) => BigInt.asUintN(64, v as bigint).toString(16).toUpperCase())
        : a.type.kind === 'primitive' && a.type.name === 'binary'
          ? rowwise(STRING, ([v]) => hexOfBytes(v as Uint8Array))
          : stringKernel(STRING, (s) => hexOfBytes(utf8Encode(s)));
    return { type: STRING, args: [a], fn };
  },
};

const unhexDef: FunctionDef = {
  name: 'unhex',
  arity: [1, 1],
  signature: 'unhex(str)',
  bind(args, ctx) {
    return { type: BINARY, args: [coerceArg(ctx, args[0]!, 1, STRING)], fn: stringKernel(BINARY, unhex) };
  },
};

const encodeDef: FunctionDef = {
  name: 'encode',
  arity: [2, 2],
  signature: 'encode(str, charset)',
  bind(args, ctx) {
    const cast = args.map((a, i) => coerceArg(ctx, a, i + 1, STRING));
    return { type: BINARY, args: cast, fn: rowwise(BINARY, ([s, c]) => encodeString(s as string, charsetOf('encode', c as string))) };
  },
};

/** decode(bin, charset), or the CASE-like decode(expr, search1, result1, ..., [default]). */
const decodeDef: FunctionDef = {
  name: 'decode',
  arity: [2, Infinity],
  signature: 'decode(bin, charset) or decode(expr, search, result [, search, result] ... [, default])',
  bind(args, ctx) {
    if (args.length === 2) {
      const cast = [coerceArg(ctx, args[0]!, 1, BINARY), coerceArg(ctx, args[1]!, 2, STRING)];
      return { type: STRING, args: cast, fn: rowwise(STRING, ([b, c]) => decodeBytes(b as Uint8Array, charsetOf('decode', c as string))) };
    }
    return bindDecodeCase(args, ctx);
  },
};

function bindDecodeCase(args: readonly TypedExpr[], ctx: Parameters<FunctionDef['bind']>[1]) {
  const input = args[0]!;
  const pairs = Math.floor((args.length - 1) / 2);
  const hasDefault = (args.length - 1) % 2 === 1;
  const results = [...Array.from({ length: pairs }, (_, k) => args[2 + 2 * k]!), ...(hasDefault ? [args[args.length - 1]!] : [])];
  const wider = widerCommonType(results.map((r) => r.type));
  if (wider === undefined) return ctx.error(`decode results need one common type; got ${results.map((r) => describeType(r.type)).join(', ')}. Cast them to one type`);
  const type = isVoid(wider) ? STRING : wider;
  const cast: TypedExpr[] = [];
  for (let k = 0; k < pairs; k++) {
    const search = args[1 + 2 * k]!;
    const t = comparisonType(input.type, search.type);
    if (t === undefined || t.kind === 'map') return ctx.error(`decode cannot compare ${describeType(input.type)} with ${describeType(search.type)}. Cast one side`);
    cast.push(ctx.cast(input, t, 1), ctx.cast(search, t, 2 + 2 * k), ctx.cast(args[2 + 2 * k]!, type, 3 + 2 * k));
  }
  if (hasDefault) cast.push(ctx.cast(args[args.length - 1]!, type, args.length));
  const fn = rowwise(
    type,
    (vs) => {
      for (let k = 0; k < pairs; k++) {
        const a = vs[3 * k]!;
        const b = vs[3 * k + 1]!;
        if (a === null ? b === null : b !== null && valuesEqual(a as Value, b as Value)) return vs[3 * k + 2]!;
      }
      return hasDefault ? vs[3 * pairs]! : null;
    },
    { nullSafe: true },
  );
  return { type, args: cast, fn };
}

export const STRING_CODEC_FUNCTIONS: readonly FunctionDef[] = [base64Def, unbase64Def, hexDef, unhexDef, encodeDef, decodeDef];
