/**
 * Regular-expression functions with Java's regex semantics (expr/functions/java-regex.ts):
 * rlike/regexp/regexp_like (Java `find()`: a match anywhere), regexp_extract(_all),
 * regexp_replace (Java `appendReplacement`: `$n`, `${name}`, `\` escapes), regexp_count,
 * regexp_substr, regexp_instr and split (Java `String.split` with Spark's limit rules). An
 * invalid pattern, replacement or group index is an error at evaluation, as in Spark.
 */
import { DeltaError } from '../../errors.js';
import type { DataType } from '../../schema/types.js';
import { BOOLEAN, INT, STRING } from '../type-rules.js';
import type { BoundFunction, TypedExpr } from '../typed.js';
import type { Value } from '../value.js';
import { Vec } from '../vector.js';
import { coerceArg } from './coerce.js';
import type { FunctionDef } from './function.js';
import { JavaRegexError, compileJavaPattern, findAll, type JavaPattern } from './java-regex.js';
import { rowwise } from './kernels.js';
import { codePoints } from './text.js';

const intLit = (value: number): TypedExpr => ({ kind: 'literal', type: INT, value });
const STRING_ARRAY: DataType = { kind: 'array', elementType: STRING, containsNull: false };

/** Compiles patterns once each (the last few distinct ones are kept), raising Spark's error for a bad one. */
export class PatternCache {
  readonly #fn: string;
  readonly #cache = new Map<string, JavaPattern>();

  constructor(fn: string) {
    this.#fn = fn;
  }

  get(pattern: string): JavaPattern {
    let p = this.#cache.get(pattern);
    if (p) return p;
    try {
      p = compileJavaPattern(pattern);
    } catch (e) {
      if (!(e instanceof JavaRegexError)) throw e;
      throw new DeltaError('INVALID_ARGUMENT', `${this.#fn}: the regular expression '${pattern}' is invalid: ${e.message}. Fix the pattern (Java regular expression syntax).`, { cause: e });
    }
    if (this.#cache.size > 64) this.#cache.clear();
    this.#cache.set(pattern, p);
    return p;
  }
}

/** rlike with a constant pattern tests the strings directly; otherwise per row through the cache. */
function rlikeKernel(name: string): BoundFunction {
  const cache = new PatternCache(name);
  const row = rowwise(BOOLEAN, ([s, p]) => {
    const re = cache.get(p as string).regExp();
    return re.test(s as string);
  });
  return {
    eval(args, ctx) {
      const [s, p] = args as [Vec, Vec];
      if (!p.isConstant || s.isConstant || p.constantValue === null) return row.eval(args, ctx);
      const re = cache.get(p.constantValue as string).regExp();
      const values = s.str();
      const valid = s.valid();
      const out = new Uint8Array(ctx.length);
      for (let i = 0; i < out.length; i++) {
        if (valid !== null && valid[i] === 0) continue;
        re.lastIndex = 0;
        out[i] = re.test(values[i]!) ? 1 : 0;
      }
      return Vec.of(BOOLEAN, { kind: 'bool', values: out }, valid, ctx.length);
    },
  };
}

const rlikeDef: FunctionDef = {
  name: 'rlike',
  aliases: ['regexp', 'regexp_like'],
  arity: [2, 2],
  signature: 'rlike(str, regexp)',
  bind(args, ctx) {
    return { type: BOOLEAN, args: args.map((a, i) => coerceArg(ctx, a, i + 1, STRING)), fn: rlikeKernel(ctx.name) };
  },
};

function checkGroup(fn: string, p: JavaPattern, idx: number): void {
  if (idx < 0 || idx > p.groupCount) {
    throw new DeltaError('INVALID_ARGUMENT', `${fn}: group index ${idx} is invalid for the regular expression '${p.pattern}', which has ${p.groupCount} group(s); expects an index between 0 and ${p.groupCount}.`);
  }
}

function extractDef(name: string, all: boolean): FunctionDef {
  return {
    name,
    arity: [2, 3],
    signature: `${name}(str, regexp[, idx])`,
    bind(args, ctx) {
      const cast = [coerceArg(ctx, args[0]!, 1, STRING), coerceArg(ctx, args[1]!, 2, STRING), args[2] ? coerceArg(ctx, args[2], 3, INT) : intLit(1)];
      const cache = new PatternCache(name);
      const type = all ? STRING_ARRAY : STRING;
      const fn = rowwise(type, ([s, r, i]) => {
        const p = cache.get(r as string);
        const out: string[] = [];
        for (const m of findAll(p, s as string)) {
          checkGroup(name, p, i as number);
          out.push(m.group(i as number) ?? '');
          if (!all) break;
        }
        return all ? out : (out[0] ?? '');
      });
      return { type, args: cast, fn };
    },
  };
}

const countDef: FunctionDef = {
  name: 'regexp_count',
  arity: [2, 2],
  signature: 'regexp_count(str, regexp)',
  bind(args, ctx) {
    const cache = new PatternCache('regexp_count');
    const fn = rowwise(INT, ([s, r]) => {
      let n = 0;
      for (const _m of findAll(cache.get(r as string), s as string)) n++;
      return n;
    });
    return { type: INT, args: args.map((a, i) => coerceArg(ctx, a, i + 1, STRING)), fn };
  },
};

const substrDef: FunctionDef = {
  name: 'regexp_substr',
  arity: [2, 2],
  signature: 'regexp_substr(str, regexp)',
  bind(args, ctx) {
    const cache = new PatternCache('regexp_substr');
    const fn = rowwise(STRING, ([s, r]) => {
      for (const m of findAll(cache.get(r as string), s as string)) return m.end > m.start ? (s as string).substring(m.start, m.end) : null;
      return null;
    });
    return { type: STRING, args: args.map((a, i) => coerceArg(ctx, a, i + 1, STRING)), fn };
  },
};

/** regexp_instr: 1-based UTF-16 position of the first match (Java's `start() + 1`), 0 when none. */
const instrDef: FunctionDef = {
  name: 'regexp_instr',
  arity: [2, 3],
  signature: 'regexp_instr(str, regexp[, idx])',
  bind(args, ctx) {
    const cache = new PatternCache('regexp_instr');
    const cast = [coerceArg(ctx, args[0]!, 1, STRING), coerceArg(ctx, args[1]!, 2, STRING), args[2] ? coerceArg(ctx, args[2], 3, INT) : intLit(0)];
    const fn = rowwise(INT, ([s, r]) => {
      for (const m of findAll(cache.get(r as string), s as string)) return m.start + 1;
      return 0;
    });
    return { type: INT, args: cast, fn };
  },
};

// ---- regexp_replace ----------------------------------------------------------------------------

type Part = string | number;

/** Java's replacement syntax as literal parts and group numbers, or the error Java raises on the first match. */
function parseReplacement(rep: string, p: JavaPattern): Part[] | string {
  const parts: Part[] = [];
  let lit = '';
  for (let i = 0; i < rep.length; ) {
    const c = rep[i]!;
    if (c === '\\') {
      if (i + 1 >= rep.length) return 'character to be escaped is missing';
      lit += rep[i + 1];
      i += 2;
    } else if (c === '$') {
      i++;
      if (i >= rep.length) return 'Illegal group reference: group index is missing';
      let ref: number;
      if (rep[i] === '{') {
        const m = /^\{([A-Za-z0-9]*)/.exec(rep.slice(i))!;
        if (m[1] === '') return 'named capturing group has 0 length name';
        if (rep[i + m[0].length] !== '}') return "named capturing group is missing trailing '}'";
        if (/^\d/.test(m[1]!)) return `capturing group name {${m[1]}} starts with digit character`;
        const k = p.names.get(m[1]!);
        if (k === undefined) return `No group with name {${m[1]}}`;
        ref = k;
        i += m[0].length + 1;
      } else {
        const d = rep.charCodeAt(i) - 48;
        if (d < 0 || d > 9) return 'Illegal group reference';
        ref = d;
        i++;
        while (i < rep.length) {
          const e = rep.charCodeAt(i) - 48;
          if (e < 0 || e > 9 || ref * 10 + e > p.groupCount) break;
          ref = ref * 10 + e;
          i++;
        }
        if (ref > p.groupCount) return `No group ${ref}`;
      }
      if (lit) parts.push(lit);
      lit = '';
      parts.push(ref);
    } else {
      lit += c;
      i++;
    }
  }
  if (lit) parts.push(lit);
  return parts;
}

export function regexpReplace(s: string, p: JavaPattern, rep: Part[] | string, position: number): string {
  if (position !== 0 && position >= s.length) return s;
  let out = s.substring(0, position);
  const region = s.substring(position);
  let last = 0;
  for (const m of findAll(p, region)) {
    if (typeof rep === 'string') throw new DeltaError('INVALID_ARGUMENT', `regexp_replace: the replacement is invalid: ${rep}. Escape '$' and '\\' with a backslash, and refer to existing groups only.`);
    out += region.substring(last, m.start);
    for (const part of rep) out += typeof part === 'string' ? part : (m.group(part) ?? '');
    last = m.end;
  }
  return out + region.substring(last);
}

const replaceDef: FunctionDef = {
  name: 'regexp_replace',
  arity: [3, 4],
  signature: 'regexp_replace(str, regexp, rep[, position])',
  bind(args, ctx) {
    const cast = [coerceArg(ctx, args[0]!, 1, STRING), coerceArg(ctx, args[1]!, 2, STRING), coerceArg(ctx, args[2]!, 3, STRING), args[3] ? coerceArg(ctx, args[3], 4, INT) : intLit(1)];
    const pos = ctx.constant(cast[3]!, 4);
    if (pos !== null && (pos as number) <= 0) ctx.error(`regexp_replace: position must be > 0, got ${String(pos)}. Positions are 1-based`);
    const cache = new PatternCache('regexp_replace');
    let last: { p: JavaPattern; rep: string; parts: Part[] | string } | undefined;
    const fn = rowwise(STRING, ([s, r, rep, position]) => {
      const p = cache.get(r as string);
      if (!last || last.p !== p || last.rep !== rep) last = { p, rep: rep as string, parts: parseReplacement(rep as string, p) };
      return regexpReplace(s as string, p, last.parts, (position as number) - 1);
    });
    return { type: STRING, args: cast, fn };
  },
};

// ---- split -------------------------------------------------------------------------------------

/** Java's `Pattern.split(s, limit)` for limit != 0. */
export function javaSplit(p: JavaPattern, s: string, limit: number): string[] {
  const out: string[] = [];
  let index = 0;
  const limited = limit > 0;
  for (const m of findAll(p, s)) {
    if (!limited || out.length < limit - 1) {
      if (index === 0 && m.start === 0 && m.end === 0) continue;
      out.push(s.substring(index, m.start));
      index = m.end;
    } else {
      out.push(s.substring(index));
      index = m.end;
      break;
    }
  }
  if (index === 0) return [s];
  if (!limited || out.length < limit) out.push(s.substring(index));
  return out;
}

const splitDef: FunctionDef = {
  name: 'split',
  arity: [2, 3],
  signature: 'split(str, regex[, limit])',
  bind(args, ctx) {
    const cast = [coerceArg(ctx, args[0]!, 1, STRING), coerceArg(ctx, args[1]!, 2, STRING), args[2] ? coerceArg(ctx, args[2], 3, INT) : intLit(-1)];
    const cache = new PatternCache('split');
    const fn = rowwise(STRING_ARRAY, ([s, r, l]) => {
      const str = s as string;
      const limit = (l as number) === 0 ? -1 : (l as number);
      if (str !== '' && r === '') {
        const cps = codePoints(str);
        return limit > cps.length || limit <= 0 ? cps : cps.slice(0, limit);
      }
      return javaSplit(cache.get(r as string), str, limit) as Value;
    });
    return { type: STRING_ARRAY, args: cast, fn };
  },
};

export const REGEXP_FUNCTIONS: readonly FunctionDef[] = [rlikeDef, extractDef('regexp_extract', false), extractDef('regexp_extract_all', true), countDef, substrDef, instrDef, replaceDef, splitDef];
