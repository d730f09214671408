/**
 * String functions with Spark's semantics (non-ANSI): characters are Unicode code points, case
 * mapping is Java's (full mappings, e.g. `upper('ß') = 'SS'`), positions are 1-based, any null
 * argument gives null unless noted. Binary inputs are accepted where Spark accepts them
 * (substring, left, length, octet_length, concat, lpad/rpad, startswith/endswith/contains,
 * reverse). Encodings, regular expressions, LIKE and format_string live in their own files.
 */
import { DeltaError } from '../../errors.js';
import type { DataType } from '../../schema/types.js';
import { BINARY, BOOLEAN, INT, LONG, STRING, isPrimitive, isString, isVoid, widerCommonType } from '../type-rules.js';
import type { BoundFunction, TypedExpr } from '../typed.js';
import type { Value } from '../value.js';
import { Vec } from '../vector.js';
import { coerceArg, describeType } from './coerce.js';
import type { FunctionBindContext, FunctionDef } from './function.js';
import { rowwise } from './kernels.js';
import { STRING_CODEC_FUNCTIONS } from './string-codec.js';
import { STRING_MORE_FUNCTIONS } from './string-more.js';
import { LIKE_FUNCTIONS } from './like.js';
import { REGEXP_FUNCTIONS } from './regexp.js';
import { FORMAT_FUNCTIONS } from './format-string.js';
import { codePoints, cpLength, cpOffset, hasSurrogates, rawBytes, sqlRange, stringKernel, substringSql, utf8CodePoints, utf8Length } from './text.js';

const MAX_INT = 2147483647;
const intLit = (value: number): TypedExpr => ({ kind: 'literal', type: INT, value });
const strLit = (value: string): TypedExpr => ({ kind: 'literal', type: STRING, value });
const isBinary = (t: DataType): boolean => isPrimitive(t, 'binary');

/** Strings of a bound call whose arguments are all coerced to string. */
function allStrings(args: readonly TypedExpr[], ctx: FunctionBindContext): TypedExpr[] {
  return args.map((a, i) => coerceArg(ctx, a, i + 1, STRING));
}

function unaryString(name: string, aliases: readonly string[], f: (s: string) => Value, type: DataType = STRING): FunctionDef {
  return {
    name,
    aliases,
    arity: [1, 1],
    signature: `${name}(str)`,
    bind(args, ctx) {
      return { type, args: allStrings(args, ctx), fn: stringKernel(type, f) };
    },
  };
}

// ---- case --------------------------------------------------------------------------------------

/** Java's `Character.toTitleCase` of one UTF-16 unit. */
function titleCaseUnit(c: string): string {
  const code = c.charCodeAt(0);
  if (code >= 0x01c4 && code <= 0x01cc) return String.fromCharCode(code - ((code - 0x01c4) % 3) + 1);
  if (code >= 0x01f1 && code <= 0x01f3) return '\u01f2';
  if ((code >= 0x10d0 && code <= 0x10fa) || (code >= 0x10fd && code <= 0x10ff)) return c; // Georgian: titlecase is itself
  if (code >= 0xd800 && code <= 0xdfff) return c;
  const u = c.toUpperCase();
  return u.length === 1 ? u : c;
}

/** Spark's initcap: lower case, then title case of every UTF-16 unit after a space (and the first). */
export function initcap(s: string): string {
  const lower = s.toLowerCase();
  let out = '';
  for (let i = 0; i < lower.length; i++) {
    const c = lower[i]!;
    out += i === 0 || lower.charCodeAt(i - 1) === 0x20 ? titleCaseUnit(c) : c;
  }
  return out;
}

// ---- trim ---------------------------------------------------------------------------------------

type Side = 'both' | 'left' | 'right';

/** Removes leading/trailing spaces (U+0020 only, as Spark's one-argument trims). */
function trimSpaces(s: string, side: Side): string {
  let a = 0;
  let b = s.length;
  if (side !== 'right') while (a < b && s.charCodeAt(a) === 0x20) a++;
  if (side !== 'left') while (b > a && s.charCodeAt(b - 1) === 0x20) b--;
  return s.substring(a, b);
}

/** Removes leading/trailing code points that occur in `chars`. */
export function trimChars(s: string, chars: string, side: Side): string {
  if (chars === '') return s;
  const set = new Set(codePoints(chars));
  const cps = codePoints(s);
  let a = 0;
  let b = cps.length;
  if (side !== 'right') while (a < b && set.has(cps[a]!)) a++;
  if (side !== 'left') while (b > a && set.has(cps[b - 1]!)) b--;
  return a === 0 && b === cps.length ? s : cps.slice(a, b).join('');
}

/**
 * trim/ltrim/rtrim: one argument trims spaces; two arguments are `(trimStr, str)` in Spark's
 * function form (the secondary constructor swaps them), unlike `btrim(str, trimStr)`.
 */
function trimDef(name: string, side: Side): FunctionDef {
  return {
    name,
    arity: [1, 2],
    signature: `${name}(str) or ${name}(trimStr, str)`,
    bind(args, ctx) {
      const cast = allStrings(args, ctx);
      if (cast.length === 1) return { type: STRING, args: cast, fn: stringKernel(STRING, (s) => trimSpaces(s, side)) };
      return { type: STRING, args: [cast[1]!, cast[0]!], fn: rowwise(STRING, ([s, t]) => trimChars(s as string, t as string, side)) };
    },
  };
}

const btrimDef: FunctionDef = {
  name: 'btrim',
  arity: [1, 2],
  signature: 'btrim(str[, trimStr])',
  bind(args, ctx) {
    const cast = allStrings(args, ctx);
    if (cast.length === 1) return { type: STRING, args: cast, fn: stringKernel(STRING, (s) => trimSpaces(s, 'both')) };
    return { type: STRING, args: cast, fn: rowwise(STRING, ([s, t]) => trimChars(s as string, t as string, 'both')) };
  },
};

// ---- substring ---------------------------------------------------------------------------------

function substringOf(v: Value, pos: number, len: number): Value {
  if (typeof v === 'string') return substringSql(v, pos, len);
  const b = v as Uint8Array;
  const [from, to] = sqlRange(b.length, pos, len);
  return b.slice(from, to);
}

/** str as string or binary (other atomic types become strings, as Spark's TypeCollection). */
const stringOrBinary = (ctx: FunctionBindContext, a: TypedExpr, position: number): TypedExpr => (isBinary(a.type) ? a : coerceArg(ctx, a, position, STRING));

const substringDef: FunctionDef = {
  name: 'substring',
  aliases: ['substr'],
  arity: [2, 3],
  signature: 'substring(str, pos[, len])',
  bind(args, ctx) {
    const str = stringOrBinary(ctx, args[0]!, 1);
    const pos = coerceArg(ctx, args[1]!, 2, INT);
    const len = args[2] ? coerceArg(ctx, args[2], 3, INT) : intLit(MAX_INT);
    return { type: str.type, args: [str, pos, len], fn: rowwise(str.type, ([s, p, l]) => substringOf(s!, p as number, l as number)) };
  },
};

const leftDef: FunctionDef = {
  name: 'left',
  arity: [2, 2],
  signature: 'left(str, len)',
  bind(args, ctx) {
    const str = stringOrBinary(ctx, args[0]!, 1);
    const len = coerceArg(ctx, args[1]!, 2, INT);
    return { type: str.type, args: [str, len], fn: rowwise(str.type, ([s, l]) => substringOf(s!, 1, l as number)) };
  },
};

const rightDef: FunctionDef = {
  name: 'right',
  arity: [2, 2],
  signature: 'right(str, len)',
  bind(args, ctx) {
    const cast = [coerceArg(ctx, args[0]!, 1, STRING), coerceArg(ctx, args[1]!, 2, INT)];
    return { type: STRING, args: cast, fn: rowwise(STRING, ([s, l]) => ((l as number) <= 0 ? '' : substringSql(s as string, -(l as number), MAX_INT))) };
  },
};

// ---- concat -----------------------------------------------------------------------------------

const concatDef: FunctionDef = {
  name: 'concat',
  arity: [0, Infinity],
  signature: 'concat(col1, col2, ...)',
  bind(args, ctx) {
    if (args.length === 0) return { type: STRING, args: [], fn: rowwise(STRING, () => '') };
    if (args.every((a) => isBinary(a.type))) return { type: BINARY, args, fn: rowwise(BINARY, (vs) => concatBinary(vs as Uint8Array[])) };
    if (args.some((a) => a.type.kind === 'array')) {
      const type = widerCommonType(args.map((a) => a.type));
      if (type === undefined || type.kind !== 'array') return ctx.error(`concat of arrays needs arrays of one element type; got ${args.map((a) => describeType(a.type)).join(', ')}. Cast them to one array type`);
      return { type, args: args.map((a, i) => ctx.cast(a, type, i + 1)), fn: rowwise(type, (vs) => (vs as Value[][]).flat()) };
    }
    return { type: STRING, args: allStrings(args, ctx), fn: rowwise(STRING, (vs) => (vs as string[]).join('')) };
  },
};

function concatBinary(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const STRING_ARRAY: DataType = { kind: 'array', elementType: STRING, containsNull: true };

const concatWsDef: FunctionDef = {
  name: 'concat_ws',
  arity: [1, Infinity],
  signature: 'concat_ws(sep[, str | array(str)]+)',
  bind(args, ctx) {
    const cast = args.map((a, i) => (i === 0 ? coerceArg(ctx, a, 1, STRING) : coerceArg(ctx, a, i + 1, STRING_ARRAY, STRING)));
    const fn = rowwise(
      STRING,
      ([sep, ...rest]) => {
        if (sep === null) return null;
        const parts: string[] = [];
        for (const r of rest) {
          if (r === null) continue;
          if (Array.isArray(r)) for (const x of r) if (x !== null) parts.push(x as string);
          if (typeof r === 'string') parts.push(r);
        }
        return parts.join(sep as string);
      },
      { nullSafe: true },
    );
    return { type: STRING, args: cast, fn };
  },
};

// ---- lengths ----------------------------------------------------------------------------------

function lengthDef(name: string, aliases: readonly string[], ofString: (s: string) => number, unit: 'chars' | 'bytes' | 'bits'): FunctionDef {
  const perByte = unit === 'bits' ? 8 : 1;
  return {
    name,
    aliases,
    arity: [1, 1],
    signature: `${name}(expr)`,
    bind(args, ctx) {
      const a = stringOrBinary(ctx, args[0]!, 1);
      const binary = isBinary(a.type);
      const slow = binary ? rowwise(INT, ([b]) => (b as Uint8Array).length * perByte) : stringKernel(INT, ofString);
      const fn: BoundFunction = {
        eval(vs, c) {
          // Arrow-backed columns are measured on their UTF-8 bytes, without decoding them.
          const raw = rawBytes(vs[0]!);
          if (!raw) return slow.eval(vs, c);
          const out = new Int32Array(c.length);
          const { offsets, data } = raw;
          for (let i = 0; i < out.length; i++) {
            const start = Number(offsets[i]!);
            const end = Number(offsets[i + 1]!);
            out[i] = unit === 'chars' && !binary ? utf8CodePoints(data, start, end) : (end - start) * perByte;
          }
          return Vec.of(INT, { kind: 'i32', values: out }, vs[0]!.valid(), c.length);
        },
      };
      return { type: INT, args: [a], fn };
    },
  };
}

// ---- padding ----------------------------------------------------------------------------------

export function padString(s: string, len: number, pad: string, left: boolean): string {
  const n = cpLength(s);
  const spaces = len - n;
  if (spaces <= 0 || pad === '') return substringSql(s, 1, len);
  const padCps = codePoints(pad);
  const count = Math.floor(spaces / padCps.length);
  const filler = pad.repeat(count) + padCps.slice(0, spaces - padCps.length * count).join('');
  return left ? filler + s : s + filler;
}

function padBinary(b: Uint8Array, len: number, pad: Uint8Array, left: boolean, name: string): Uint8Array {
  if (len === 0) return new Uint8Array(0);
  if (len < 0) throw new DeltaError('INVALID_ARGUMENT', `${name} of a binary value was given the negative length ${len}; Spark fails on it too. Pass a length >= 0.`);
  if (pad.length === 0) return b.slice(0, Math.min(len, b.length));
  const out = new Uint8Array(len);
  const keep = Math.min(len, b.length);
  out.set(b.subarray(0, keep), left ? len - keep : 0);
  const [from, to] = left ? [0, len - b.length] : [b.length, len];
  for (let p = from; p < to; p++) out[p] = pad[(p - from) % pad.length]!;
  return out;
}

function padDef(name: string, left: boolean): FunctionDef {
  return {
    name,
    arity: [2, 3],
    signature: `${name}(str, len[, pad])`,
    bind(args, ctx) {
      const len = coerceArg(ctx, args[1]!, 2, INT);
      const binary = isBinary(args[0]!.type) && (args.length === 2 || isBinary(args[2]!.type));
      if (binary) {
        const pad = args[2] ?? ({ kind: 'literal', type: BINARY, value: new Uint8Array([0]) } as TypedExpr);
        return { type: BINARY, args: [args[0]!, len, pad], fn: rowwise(BINARY, ([b, l, p]) => padBinary(b as Uint8Array, l as number, p as Uint8Array, left, name)) };
      }
      const str = coerceArg(ctx, args[0]!, 1, STRING);
      const pad = args[2] ? coerceArg(ctx, args[2], 3, STRING) : strLit(' ');
      return { type: STRING, args: [str, len, pad], fn: rowwise(STRING, ([s, l, p]) => padString(s as string, l as number, p as string, left)) };
    },
  };
}

// ---- predicates --------------------------------------------------------------------------------

function bytesStartWith(b: Uint8Array, p: Uint8Array, at: number): boolean {
  if (at < 0 || at + p.length > b.length) return false;
  for (let k = 0; k < p.length; k++) if (b[at + k] !== p[k]) return false;
  return true;
}

function bytesContain(b: Uint8Array, p: Uint8Array): boolean {
  for (let i = 0; i + p.length <= b.length; i++) if (bytesStartWith(b, p, i)) return true;
  return false;
}

function predicateDef(name: string, aliases: readonly string[], onStrings: (s: string, p: string) => boolean, onBytes: (b: Uint8Array, p: Uint8Array) => boolean): FunctionDef {
  return {
    name,
    aliases,
    arity: [2, 2],
    signature: `${name}(left, right)`,
    bind(args, ctx) {
      if (isBinary(args[0]!.type) && isBinary(args[1]!.type)) return { type: BOOLEAN, fn: rowwise(BOOLEAN, ([b, p]) => onBytes(b as Uint8Array, p as Uint8Array)) };
      const cast = allStrings(args, ctx);
      return { type: BOOLEAN, args: cast, fn: rowwise(BOOLEAN, ([s, p]) => onStrings(s as string, p as string)) };
    },
  };
}

// ---- search -----------------------------------------------------------------------------------

/** Spark's `indexOf(sub, start)` in code points: -1 when absent, 0 for an empty `sub`. */
export function indexOfCp(s: string, sub: string, start: number): number {
  if (sub === '') return 0;
  const from = cpOffset(s, start);
  const at = s.indexOf(sub, from);
  if (at < 0) return -1;
  return hasSurrogates(s) ? cpLength(s.substring(0, at)) : at;
}

const instrDef: FunctionDef = {
  name: 'instr',
  arity: [2, 2],
  signature: 'instr(str, substr)',
  bind(args, ctx) {
    return { type: INT, args: allStrings(args, ctx), fn: rowwise(INT, ([s, sub]) => indexOfCp(s as string, sub as string, 0) + 1) };
  },
};

/** locate(substr, str[, pos]): a null pos gives 0 (not null) and pos < 1 gives 0, as Spark (Hive). */
const locateDef: FunctionDef = {
  name: 'locate',
  aliases: ['position'],
  arity: [2, 3],
  signature: 'locate(substr, str[, pos])',
  bind(args, ctx) {
    const cast = [coerceArg(ctx, args[0]!, 1, STRING), coerceArg(ctx, args[1]!, 2, STRING), args[2] ? coerceArg(ctx, args[2], 3, INT) : intLit(1)];
    const fn = rowwise(
      INT,
      ([sub, s, pos]) => {
        if (pos === null) return 0;
        if (sub === null || s === null) return null;
        if ((pos as number) < 1) return 0;
        return indexOfCp(s as string, sub as string, (pos as number) - 1) + 1;
      },
      { nullSafe: true },
    );
    return { type: INT, args: cast, fn };
  },
};

// ---- others -----------------------------------------------------------------------------------

const MAX_RESULT_CHARS = 1 << 28;

function repeatString(s: string, n: number): string {
  if (n <= 0 || s === '') return '';
  if (s.length * n > MAX_RESULT_CHARS) throw new DeltaError('INVALID_ARGUMENT', `repeat would build a string of ${s.length * n} characters, beyond what one value can hold. Use a smaller count.`);
  return s.repeat(n);
}

const repeatDef: FunctionDef = {
  name: 'repeat',
  arity: [2, 2],
  signature: 'repeat(str, n)',
  bind(args, ctx) {
    const cast = [coerceArg(ctx, args[0]!, 1, STRING), coerceArg(ctx, args[1]!, 2, INT)];
    return { type: STRING, args: cast, fn: rowwise(STRING, ([s, n]) => repeatString(s as string, n as number)) };
  },
};

const reverseDef: FunctionDef = {
  name: 'reverse',
  arity: [1, 1],
  signature: 'reverse(str | array)',
  bind(args, ctx) {
    const a = args[0]!;
    if (a.type.kind === 'array') return { type: a.type, fn: rowwise(a.type, ([v]) => [...(v as Value[])].reverse()) };
    const s = coerceArg(ctx, a, 1, STRING);
    return { type: STRING, args: [s], fn: stringKernel(STRING, (x) => (hasSurrogates(x) ? Array.from(x).reverse().join('') : x.split('').reverse().join(''))) };
  },
};

/** Spark's translation dictionary: first occurrence of a character wins; a missing replacement deletes. */
function translateDict(from: string, to: string): Map<string, string> {
  const dict = new Map<string, string>();
  const f = codePoints(from);
  const t = codePoints(to);
  f.forEach((c, i) => {
    if (!dict.has(c)) dict.set(c, i < t.length ? t[i]! : '\u0000');
  });
  return dict;
}

const translateDef: FunctionDef = {
  name: 'translate',
  arity: [3, 3],
  signature: 'translate(input, from, to)',
  bind(args, ctx) {
    let last: [string, string, Map<string, string>] | undefined;
    const fn = rowwise(STRING, ([s, from, to]) => {
      if (!last || last[0] !== from || last[1] !== to) last = [from as string, to as string, translateDict(from as string, to as string)];
      const dict = last[2];
      let out = '';
      for (const c of codePoints(s as string)) {
        const r = dict.get(c);
        if (r === undefined) out += c;
        else if (r !== '\u0000') out += r;
      }
      return out;
    });
    return { type: STRING, args: allStrings(args, ctx), fn };
  },
};

const chrDef: FunctionDef = {
  name: 'chr',
  aliases: ['char'],
  arity: [1, 1],
  signature: 'chr(n)',
  bind(args, ctx) {
    const n = coerceArg(ctx, args[0]!, 1, LONG);
    return { type: STRING, args: [n], fn: rowwise(STRING, ([v]) => ((v as bigint) < 0n ? '' : String.fromCharCode(Number((v as bigint) & 0xffn)))) };
  },
};

const spaceDef: FunctionDef = {
  name: 'space',
  arity: [1, 1],
  signature: 'space(n)',
  bind(args, ctx) {
    const n = coerceArg(ctx, args[0]!, 1, INT);
    return { type: STRING, args: [n], fn: rowwise(STRING, ([v]) => repeatString(' ', v as number)) };
  },
};

/** Levenshtein distance over code points. */
export function levenshtein(a: string, b: string): number {
  const s = codePoints(a);
  const t = codePoints(b);
  if (s.length === 0) return t.length;
  if (t.length === 0) return s.length;
  let prev = Array.from({ length: s.length + 1 }, (_, i) => i);
  let cur = new Array<number>(s.length + 1);
  for (let j = 1; j <= t.length; j++) {
    cur[0] = j;
    for (let i = 1; i <= s.length; i++) cur[i] = Math.min(cur[i - 1]! + 1, prev[i]! + 1, prev[i - 1]! + (s[i - 1] === t[j - 1] ? 0 : 1));
    [prev, cur] = [cur, prev];
  }
  return prev[s.length]!;
}

const levenshteinDef: FunctionDef = {
  name: 'levenshtein',
  arity: [2, 3],
  signature: 'levenshtein(str1, str2[, threshold])',
  bind(args, ctx) {
    const cast = [coerceArg(ctx, args[0]!, 1, STRING), coerceArg(ctx, args[1]!, 2, STRING), ...(args[2] ? [coerceArg(ctx, args[2], 3, INT)] : [])];
    const fn = rowwise(INT, ([a, b, threshold]) => {
      const d = levenshtein(a as string, b as string);
      return threshold === undefined || d <= (threshold as number) ? d : -1;
    });
    return { type: INT, args: cast, fn };
  },
};

const SOUNDEX = '01230120022455012623010202';

/** Spark's soundex over the string's ASCII letters; a string not starting with a letter is returned as is. */
export function soundex(s: string): string {
  if (s === '') return '';
  const upper = (c: number): number => (c >= 97 && c <= 122 ? c - 32 : c);
  const first = upper(s.charCodeAt(0));
  if (first < 65 || first > 90) return s;
  let out = String.fromCharCode(first);
  let last = SOUNDEX[first - 65]!;
  for (let i = 1; i < s.length && out.length < 4; i++) {
    const c = upper(s.charCodeAt(i));
    if (c < 65 || c > 90) {
      last = '0';
      continue;
    }
    const code = c === 72 || c === 87 ? '7' : SOUNDEX[c - 65]!; // H and W are ignored
    if (code === '7') continue;
    if (code !== '0' && code !== last) out += code;
    last = code;
  }
  return out.padEnd(4, '0');
}

const soundexDef: FunctionDef = {
  name: 'soundex',
  arity: [1, 1],
  signature: 'soundex(str)',
  bind(args, ctx) {
    const a = args[0]!;
    if (!isString(a.type) && !isVoid(a.type)) ctx.error(`soundex needs a string argument, got ${describeType(a.type)}; Spark does not cast it implicitly. Use CAST(x AS STRING)`);
    return { type: STRING, args: [coerceArg(ctx, a, 1, STRING)], fn: stringKernel(STRING, soundex) };
  },
};

export const STRING_FUNCTIONS: readonly FunctionDef[] = [
  unaryString('upper', ['ucase'], (s) => s.toUpperCase()),
  unaryString('lower', ['lcase'], (s) => s.toLowerCase()),
  unaryString('initcap', [], initcap),
  unaryString('ascii', [], (s) => (s === '' ? 0 : s.codePointAt(0)!), INT),
  trimDef('trim', 'both'),
  trimDef('ltrim', 'left'),
  trimDef('rtrim', 'right'),
  btrimDef,
  substringDef,
  leftDef,
  rightDef,
  concatDef,
  concatWsDef,
  lengthDef('length', ['char_length', 'character_length', 'len'], cpLength, 'chars'),
  lengthDef('octet_length', [], utf8Length, 'bytes'),
  lengthDef('bit_length', [], (s) => utf8Length(s) * 8, 'bits'),
  padDef('lpad', true),
  padDef('rpad', false),
  predicateDef('startswith', [], (s, p) => s.startsWith(p), (b, p) => bytesStartWith(b, p, 0)),
  predicateDef('endswith', [], (s, p) => s.endsWith(p), (b, p) => bytesStartWith(b, p, b.length - p.length)),
  predicateDef('contains', [], (s, p) => s.includes(p), bytesContain),
  instrDef,
  locateDef,
  repeatDef,
  reverseDef,
  translateDef,
  chrDef,
  spaceDef,
  levenshteinDef,
  soundexDef,
  ...STRING_MORE_FUNCTIONS,
  ...STRING_CODEC_FUNCTIONS,
  ...LIKE_FUNCTIONS,
  ...REGEXP_FUNCTIONS,
  ...FORMAT_FUNCTIONS,
];
