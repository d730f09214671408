/**
 * More string functions: replace, substring_index, find_in_set, split_part, overlay and elt,
 * with Spark's semantics (see string.ts for the conventions).
 */
import { DeltaError } from '../../errors.js';
import type { DataType } from '../../schema/types.js';
import { BINARY, INT, STRING, isPrimitive } from '../type-rules.js';
import type { TypedExpr } from '../typed.js';
import { coerceArg } from './coerce.js';
import type { FunctionDef } from './function.js';
import { rowwise } from './kernels.js';
import { cpLength, sqlRange, substringSql } from './text.js';

const MAX_INT = 2147483647;
const isBinary = (t: DataType): boolean => isPrimitive(t, 'binary');

/** Non-overlapping left-to-right replacement; an empty search leaves the string unchanged. */
export const replaceAll = (s: string, search: string, rep: string): string => (s === '' || search === '' ? s : s.split(search).join(rep));

const replaceDef: FunctionDef = {
  name: 'replace',
  arity: [2, 3],
  signature: 'replace(str, search[, replace])',
  bind(args, ctx) {
    const cast = args.map((a, i) => coerceArg(ctx, a, i + 1, STRING));
    if (cast.length === 2) cast.push({ kind: 'literal', type: STRING, value: '' });
    return { type: STRING, args: cast, fn: rowwise(STRING, ([s, f, r]) => replaceAll(s as string, f as string, r as string)) };
  },
};

/** Spark's substring_index: occurrences may overlap, as its byte search advances by one. */
export function substringIndex(s: string, delim: string, count: number): string {
  if (delim === '' || count === 0) return '';
  if (count > 0) {
    let idx = -1;
    for (let k = 0; k < count; k++) {
      idx = s.indexOf(delim, idx + 1);
      if (idx < 0) return s;
    }
    return s.substring(0, idx);
  }
  let idx = s.length - delim.length + 1;
  for (let k = 0; k < -count; k++) {
    idx = idx - 1 < 0 ? -1 : s.lastIndexOf(delim, idx - 1);
    if (idx < 0) return s;
  }
  return s.substring(idx + delim.length);
}

const substringIndexDef: FunctionDef = {
  name: 'substring_index',
  arity: [3, 3],
  signature: 'substring_index(str, delim, count)',
  bind(args, ctx) {
    const cast = [coerceArg(ctx, args[0]!, 1, STRING), coerceArg(ctx, args[1]!, 2, STRING), coerceArg(ctx, args[2]!, 3, INT)];
    return { type: STRING, args: cast, fn: rowwise(STRING, ([s, d, c]) => substringIndex(s as string, d as string, c as number)) };
  },
};

const findInSetDef: FunctionDef = {
  name: 'find_in_set',
  arity: [2, 2],
  signature: 'find_in_set(str, str_array)',
  bind(args, ctx) {
    const cast = args.map((a, i) => coerceArg(ctx, a, i + 1, STRING));
    return { type: INT, args: cast, fn: rowwise(INT, ([w, set]) => ((w as string).includes(',') ? 0 : (set as string).split(',').indexOf(w as string) + 1)) };
  },
};

const splitPartDef: FunctionDef = {
  name: 'split_part',
  arity: [3, 3],
  signature: 'split_part(str, delimiter, partNum)',
  bind(args, ctx) {
    const cast = [coerceArg(ctx, args[0]!, 1, STRING), coerceArg(ctx, args[1]!, 2, STRING), coerceArg(ctx, args[2]!, 3, INT)];
    const fn = rowwise(STRING, ([s, d, n]) => {
      const parts = d === '' ? [s as string] : (s as string).split(d as string);
      const k = n as number;
      if (k === 0) throw new DeltaError('INVALID_ARGUMENT', 'split_part: the part number 0 is invalid; parts are numbered from 1 (or from -1 counting from the end).');
      const at = k > 0 ? k - 1 : parts.length + k;
      return at >= 0 && at < parts.length ? parts[at]! : '';
    });
    return { type: STRING, args: cast, fn };
  },
};

function overlayBytes(b: Uint8Array, r: Uint8Array, pos: number, len: number): Uint8Array {
  const length = len >= 0 ? len : r.length;
  const [a0, a1] = sqlRange(b.length, 1, pos - 1);
  const [c0, c1] = sqlRange(b.length, pos + length, MAX_INT);
  const out = new Uint8Array(a1 - a0 + r.length + (c1 - c0));
  out.set(b.subarray(a0, a1), 0);
  out.set(r, a1 - a0);
  out.set(b.subarray(c0, c1), a1 - a0 + r.length);
  return out;
}

const overlayDef: FunctionDef = {
  name: 'overlay',
  arity: [3, 4],
  signature: 'overlay(input, replace, pos[, len])',
  bind(args, ctx) {
    const binary = isBinary(args[0]!.type) && isBinary(args[1]!.type);
    const type = binary ? BINARY : STRING;
    const pos = coerceArg(ctx, args[2]!, 3, INT);
    const len: TypedExpr = args[3] ? coerceArg(ctx, args[3], 4, INT) : { kind: 'literal', type: INT, value: -1 };
    const cast = binary ? [args[0]!, args[1]!, pos, len] : [coerceArg(ctx, args[0]!, 1, STRING), coerceArg(ctx, args[1]!, 2, STRING), pos, len];
    const fn = rowwise(type, ([s, r, p, l]) => {
      if (binary) return overlayBytes(s as Uint8Array, r as Uint8Array, p as number, l as number);
      const length = (l as number) >= 0 ? (l as number) : cpLength(r as string);
      return substringSql(s as string, 1, (p as number) - 1) + (r as string) + substringSql(s as string, (p as number) + length, MAX_INT);
    });
    return { type, args: cast, fn };
  },
};

/** elt(n, input1, input2, ...): the n-th input; null when n is out of range (non-ANSI). */
const eltDef: FunctionDef = {
  name: 'elt',
  arity: [2, Infinity],
  signature: 'elt(n, input1, input2, ...)',
  bind(args, ctx) {
    const inputs = args.slice(1);
    const binary = inputs.every((a) => isBinary(a.type));
    const type = binary ? BINARY : STRING;
    const cast = [coerceArg(ctx, args[0]!, 1, INT), ...inputs.map((a, i) => (binary ? a : coerceArg(ctx, a, i + 2, STRING)))];
    const fn = rowwise(
      type,
      ([n, ...vs]) => {
        if (n === null) return null;
        const k = n as number;
        return k >= 1 && k <= vs.length ? vs[k - 1]! : null;
      },
      { nullSafe: true },
    );
    return { type, args: cast, fn };
  },
};

export const STRING_MORE_FUNCTIONS: readonly FunctionDef[] = [replaceDef, substringIndexDef, findInSetDef, splitPartDef, overlayDef, eltDef];
