/**
 * LIKE and ILIKE with Spark's rules: `_` matches one character (code point), `%` any run of
 * characters (newlines included), the whole string must match. The escape character (default
 * `\`) may only precede `_`, `%` or itself; anything else, or a pattern ending with it, is an
 * error (raised when the pattern is first used, as Spark compiles it). ILIKE lower-cases both
 * sides first (Spark's `Like(Lower(str), Lower(pattern))`). Common shapes (`abc`, `abc%`,
 * `%abc`, `%abc%`) are matched without a regular expression.
 */
import { DeltaError } from '../../errors.js';
import { BOOLEAN, STRING } from '../type-rules.js';
import type { BoundFunction } from '../typed.js';
import { Vec } from '../vector.js';
import { coerceArg } from './coerce.js';
import type { FunctionDef } from './function.js';

type Matcher = (s: string) => boolean;

/** Any code point. (`[^]` is avoided: V8 11 mis-matches it when quantified under the `v` flag.) */
const ANY = '[\\u{0}-\\u{10ffff}]';
const SYNTAX = /[\^$\\.*+?()[\]{}|/]/;
const quote = (c: string): string => (SYNTAX.test(c) ? '\\' + c : c.length > 1 || c.charCodeAt(0) < 0x20 ? `\\u{${c.codePointAt(0)!.toString(16)}}` : c);

/** A matcher for a LIKE pattern, or throws INVALID_ARGUMENT for an invalid escape. */
export function compileLike(pattern: string, escape: string, fn = 'like'): Matcher {
  const cps = Array.from(pattern);
  let regex = '';
  let literal = '';
  let onlyLiteral = true;
  const shape: ('lit' | '%')[] = [];
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i]!;
    if (c === escape) {
      const next = cps[i + 1];
      if (next === undefined) throw new DeltaError('INVALID_ARGUMENT', `${fn}: the pattern '${pattern}' is invalid: it ends with the escape character '${escape}'. Escape it ('${escape}${escape}') or remove it.`);
      if (next !== '_' && next !== '%' && next !== escape) {
        throw new DeltaError('INVALID_ARGUMENT', `${fn}: the pattern '${pattern}' is invalid: the escape character '${escape}' may only precede '_', '%' or itself, not '${next}'.`);
      }
      regex += quote(next);
      literal += next;
      if (shape.at(-1) !== 'lit') shape.push('lit');
      i++;
    } else if (c === '_') {
      regex += ANY;
      onlyLiteral = false;
    } else if (c === '%') {
      regex += `${ANY}*`;
      if (shape.at(-1) !== '%') shape.push('%');
    } else {
      regex += quote(c);
      literal += c;
      if (shape.at(-1) !== 'lit') shape.push('lit');
    }
  }
  if (onlyLiteral) {
    const kind = shape.join(',');
    if (kind === '' || kind === 'lit') return (s) => s === literal;
    if (kind === '%') return () => true;
    if (kind === 'lit,%') return (s) => s.startsWith(literal);
    if (kind === '%,lit') return (s) => s.endsWith(literal);
    if (kind === '%,lit,%') return (s) => s.includes(literal);
  }
  const re = new RegExp(`^(?:${regex})$`, 'v');
  return (s) => re.test(s);
}

function likeKernel(fn: string, escape: string, lower: boolean): BoundFunction {
  const cache = new Map<string, Matcher>();
  const matcher = (p: string): Matcher => {
    let m = cache.get(p);
    if (!m) {
      m = compileLike(lower ? p.toLowerCase() : p, escape, fn);
      if (cache.size > 64) cache.clear();
      cache.set(p, m);
    }
    return m;
  };
  return {
    eval([s, p], ctx) {
      const n = ctx.length;
      if (s!.isConstant && p!.isConstant) {
        const sv = s!.constantValue;
        const pv = p!.constantValue;
        return Vec.constant(BOOLEAN, sv === null || pv === null ? null : matcher(pv as string)(lower ? (sv as string).toLowerCase() : (sv as string)), n);
      }
      const out = new Uint8Array(n);
      const sValid = s!.valid();
      const pValid = p!.valid();
      let valid: Uint8Array | null = null;
      const strs = s!.isConstant ? null : s!.str();
      const pats = p!.isConstant ? null : p!.str();
      const constMatcher = p!.isConstant && p!.constantValue !== null ? matcher(p!.constantValue as string) : undefined;
      for (let i = 0; i < n; i++) {
        const sv = strs ? (sValid === null || sValid[i] ? strs[i]! : null) : (s!.constantValue as string | null);
        const pv = pats ? (pValid === null || pValid[i] ? pats[i]! : null) : (p!.constantValue as string | null);
        if (sv === null || pv === null) {
          (valid ??= new Uint8Array(n).fill(1))[i] = 0;
          continue;
        }
        const m = constMatcher ?? matcher(pv);
        out[i] = m(lower ? sv.toLowerCase() : sv) ? 1 : 0;
      }
      return Vec.of(BOOLEAN, { kind: 'bool', values: out }, valid, n);
    },
  };
}

function likeDef(name: string, lower: boolean): FunctionDef {
  return {
    name,
    arity: [2, 3],
    signature: `${name}(str, pattern[, escape])`,
    bind(args, ctx) {
      const cast = [coerceArg(ctx, args[0]!, 1, STRING), coerceArg(ctx, args[1]!, 2, STRING)];
      let escape = '\\';
      if (args[2]) {
        const e = ctx.constant(coerceArg(ctx, args[2], 3, STRING), 3);
        if (typeof e !== 'string' || Array.from(e).length !== 1) return ctx.error(`The ESCAPE of ${name} must be a single character, got ${e === null ? 'NULL' : `'${String(e)}'`}`);
        escape = e;
      }
      return { type: BOOLEAN, args: cast, fn: likeKernel(name, escape, lower) };
    },
  };
}

export const LIKE_FUNCTIONS: readonly FunctionDef[] = [likeDef('like', false), likeDef('ilike', true)];
