/**
 * Character classes of Java regular expressions as JS `v`-flag class expressions: ranges,
 * unions, `&&` intersections and negations; Java's predefined classes (ASCII `\\d \\w \\s`,
 * `\\h \\v`), POSIX classes (`\\p{Alpha}`, ASCII-only unless UNICODE_CHARACTER_CLASS), Java's
 * `\\p{javaLowerCase}` family, general categories, scripts and binary properties; and Java's
 * case-insensitive closure (ASCII only unless UNICODE_CASE). Used by java-regex.ts.
 */
import { JavaRegexError } from './java-regex-error.js';

export interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  x: boolean;
  d: boolean;
  u: boolean;
  U: boolean;
}

export type Cls = { readonly t: 'ranges'; readonly r: readonly (readonly [number, number])[] } | { readonly t: 'raw'; readonly js: string } | { readonly t: 'union'; readonly items: readonly Cls[] } | { readonly t: 'and'; readonly a: Cls; readonly b: Cls } | { readonly t: 'not'; readonly e: Cls };

export const cp = (c: number): string => `\\u{${c.toString(16)}}`;
export const LINE_TERMINATORS = '\\n\\r\\u{85}\\u{2028}\\u{2029}';
/** Any code point. (`[^]` is avoided: V8 11 mis-matches it when quantified under the `v` flag.) */
export const ANY = '[\\u{0}-\\u{10ffff}]';
export const END = `(?!${ANY})`;
export const JAVA_SPACE: readonly (readonly [number, number])[] = [[9, 13], [32, 32]];
export const WORD: readonly (readonly [number, number])[] = [[48, 57], [65, 90], [95, 95], [97, 122]];

export function emitCls(c: Cls): string {
  switch (c.t) {
    case 'ranges':
      return `[${c.r.map(([a, b]) => (a === b ? cp(a) : `${cp(a)}-${cp(b)}`)).join('')}]`;
    case 'raw':
      return c.js;
    case 'union':
      return `[${c.items.map(emitCls).join('')}]`;
    case 'and':
      return `[${emitCls(c.a)}&&${emitCls(c.b)}]`;
    case 'not':
      return `[^${emitCls(c.e)}]`;
  }
}

export const ranges = (r: readonly (readonly [number, number])[]): Cls => ({ t: 'ranges', r });
export const rawCls = (js: string): Cls => ({ t: 'raw', js });
export const not = (e: Cls): Cls => ({ t: 'not', e });

/** Adds the other case of every ASCII letter (Java's default case-insensitive matching), or Unicode simple case variants. */
export function caseClose(c: Cls, unicode: boolean): Cls {
  switch (c.t) {
    case 'ranges': {
      const out = [...c.r];
      for (const [a, b] of c.r) {
        for (const [lo, hi, delta] of [[65, 90, 32], [97, 122, -32]] as const) {
          const x = Math.max(a, lo);
          const y = Math.min(b, hi);
          if (x <= y) out.push([x + delta, y + delta]);
        }
        if (unicode && b - a < 20000) {
          for (let k = Math.max(a, 128); k <= b; k++) for (const v of caseVariants(k)) if (v !== k) out.push([v, v]);
        }
      }
      return ranges(out);
    }
    case 'union':
      return { t: 'union', items: c.items.map((x) => caseClose(x, unicode)) };
    case 'and':
      return { t: 'and', a: caseClose(c.a, unicode), b: caseClose(c.b, unicode) };
    case 'not':
      return not(caseClose(c.e, unicode));
    case 'raw':
      return c;
  }
}

export function caseVariants(k: number): number[] {
  const s = String.fromCodePoint(k);
  const out = [k];
  for (const v of [s.toLowerCase(), s.toUpperCase()]) if ([...v].length === 1) out.push(v.codePointAt(0)!);
  return out;
}

const POSIX: Readonly<Record<string, readonly (readonly [number, number])[]>> = {
  Lower: [[97, 122]],
  Upper: [[65, 90]],
  ASCII: [[0, 127]],
  Alpha: [[65, 90], [97, 122]],
  Digit: [[48, 57]],
  Alnum: [[48, 57], [65, 90], [97, 122]],
  Punct: [[33, 47], [58, 64], [91, 96], [123, 126]],
  Graph: [[33, 126]],
  Print: [[32, 126]],
  Blank: [[9, 9], [32, 32]],
  Cntrl: [[0, 31], [127, 127]],
  XDigit: [[48, 57], [65, 70], [97, 102]],
  Space: JAVA_SPACE,
};

const POSIX_UNICODE: Readonly<Record<string, string>> = {
  Lower: '[\\p{Lowercase}]',
  Upper: '[\\p{Uppercase}]',
  Alpha: '[\\p{Alphabetic}]',
  Digit: '[\\p{Nd}]',
  Alnum: '[\\p{Alphabetic}\\p{Nd}]',
  Punct: '[\\p{P}]',
  Space: '[\\p{White_Space}]',
};

const JAVA_CLASSES: Readonly<Record<string, string>> = {
  javaLowerCase: '[\\p{Lowercase}]',
  javaUpperCase: '[\\p{Uppercase}]',
  javaTitleCase: '[\\p{Lt}]',
  javaDigit: '[\\p{Nd}]',
  javaLetter: '[\\p{L}]',
  javaLetterOrDigit: '[\\p{L}\\p{Nd}]',
  javaAlphabetic: '[\\p{Alphabetic}]',
  javaIdeographic: '[\\p{Ideographic}]',
  javaSpaceChar: '[\\p{Z}]',
  javaWhitespace: '[[\\u{9}-\\u{d}\\u{1c}-\\u{1f}\\p{Z}]--[\\u{a0}\\u{2007}\\u{202f}]]',
  javaISOControl: '[\\u{0}-\\u{1f}\\u{7f}-\\u{9f}]',
  javaMirrored: '[\\p{Bidi_Mirrored}]',
  javaDefined: '[\\p{Assigned}]',
};

const BINARY_PROPERTIES: Readonly<Record<string, string>> = {
  alphabetic: 'Alphabetic',
  ideographic: 'Ideographic',
  letter: 'L',
  lowercase: 'Lowercase',
  uppercase: 'Uppercase',
  titlecase: 'Lt',
  punctuation: 'P',
  control: 'Cc',
  white_space: 'White_Space',
  whitespace: 'White_Space',
  digit: 'Nd',
  hex_digit: 'Hex_Digit',
  hexdigit: 'Hex_Digit',
  join_control: 'Join_Control',
  joincontrol: 'Join_Control',
  noncharacter_code_point: 'Noncharacter_Code_Point',
  noncharactercodepoint: 'Noncharacter_Code_Point',
  assigned: 'Assigned',
  emoji: 'Emoji',
};

const CATEGORIES = new Set('L Lu Ll Lt Lm Lo LC M Mn Mc Me N Nd Nl No P Pc Pd Ps Pe Pi Pf Po S Sm Sc Sk So Z Zs Zl Zp C Cc Cf Co Cs Cn'.split(' '));

function validProperty(js: string): boolean {
  try {
    new RegExp(js, 'v');
    return true;
  } catch {
    return false;
  }
}

/** `\p{name}` as a bracketed class (negated for `\P`). */
export function property(name: string, flags: Flags): Cls {
  let n = name;
  let negate = false;
  if (n.startsWith('^')) {
    negate = true;
    n = n.slice(1);
  }
  const done = (c: Cls): Cls => (negate ? not(c) : c);
  if (flags.U && POSIX_UNICODE[n]) return done(rawCls(POSIX_UNICODE[n]!));
  if (POSIX[n]) return done(ranges(POSIX[n]!));
  if (JAVA_CLASSES[n]) return done(rawCls(JAVA_CLASSES[n]!));
  const eq = n.indexOf('=');
  if (eq > 0) {
    const key = n.slice(0, eq).toLowerCase();
    const value = n.slice(eq + 1);
    if (key === 'script' || key === 'sc') return done(script(value, name));
    if (key === 'general_category' || key === 'gc') return done(category(value, name));
    if (key === 'block' || key === 'blk') throw unsupportedBlock(name);
    throw new JavaRegexError(`Unknown Unicode property {name=<${key}>, value=<${value}>}`);
  }
  if (n.startsWith('In')) throw unsupportedBlock(name);
  if (n.startsWith('Is')) {
    const rest = n.slice(2);
    if (CATEGORIES.has(rest)) return done(category(rest, name));
    const prop = BINARY_PROPERTIES[rest.toLowerCase()];
    if (prop) return done(rawCls(`[\\p{${prop}}]`));
    return done(script(rest, name));
  }
  if (CATEGORIES.has(n)) return done(category(n, name));
  throw new JavaRegexError(`Unknown character property name {${name}}`);
}

function category(value: string, name: string): Cls {
  if (!CATEGORIES.has(value)) throw new JavaRegexError(`Unknown character category {${name}}`);
  return rawCls(`[\\p{${value}}]`);
}

function script(value: string, name: string): Cls {
  const canonical = value
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('_');
  const js = `[\\p{Script=${canonical}}]`;
  if (!validProperty(js)) throw new JavaRegexError(`Unknown character script name {${name}}`);
  return rawCls(js);
}

const unsupportedBlock = (name: string): JavaRegexError => new JavaRegexError(`Unicode block properties such as \\p{${name}} are not supported here; use a script (\\p{IsGreek}) or an explicit range instead`);
