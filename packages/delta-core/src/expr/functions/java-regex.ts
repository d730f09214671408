/**
 * Java regular expressions (java.util.regex, as Spark uses them) translated to JS RegExps with
 * the `v` flag, so that matching follows Java's rules rather than JavaScript's:
 * - `\Q…\E` quoting, possessive quantifiers (`*+`, `++`, `?+`, `{n,m}+`) and atomic groups
 *   `(?>…)` (emulated by a lookahead and a back reference), named groups (resolved to numbers);
 * - inline flags `(?idmsuxU-idmsuxU)` and `(?flags:…)`, scoped as in Java; case-insensitive
 *   matching is ASCII-only unless `u` is set, as in Java; `x` ignores blanks and `#` comments;
 * - `.`, `^`, `$`, `\Z` with Java's line terminators (`\n \r \u0085 \u2028 \u2029`, `\r\n`),
 *   or only `\n` under `d`; `\b` with Java 8-17's word characters (letters, digits, `_`);
 * - ASCII `\d \w \s`, `\h \v \R`, POSIX `\p{Alpha}`…, Java's `\p{javaLowerCase}`…, categories,
 *   scripts, nested classes, `&&` intersections, octal/hex/Unicode/control escapes.
 * Not supported (a clear error): `\G`, `\X`, `\N{…}`, `\b{g}`, Unicode block properties.
 * Known differences: captures inside repeated groups keep their last value in Java but reset in
 * JS; a back reference to a group that did not participate fails in Java but matches empty in
 * JS; after an empty match the scan advances one code point (Java: one UTF-16 unit).
 */

import { ANY, END, JAVA_SPACE, LINE_TERMINATORS, WORD, caseClose, caseVariants, cp, emitCls, not, property, rawCls, ranges, type Cls, type Flags } from './java-regex-classes.js';
import { JavaRegexError } from './java-regex-error.js';

export { JavaRegexError };

export interface JavaPattern {
  /** The Java pattern text. */
  readonly pattern: string;
  /** Equivalent JS source, compiled with flags `gv`. */
  readonly source: string;
  /** Number of capturing groups as Java counts them. */
  readonly groupCount: number;
  /** JS group index of each Java group (`[0] = 0`). */
  readonly groupIndex: readonly number[];
  /** Java group number of each named group. */
  readonly names: ReadonlyMap<string, number>;
  /** A fresh global RegExp (callers own its `lastIndex`). */
  regExp(): RegExp;
}

type Node =
  | { readonly t: 'raw'; readonly js: string }
  | { readonly t: 'seq'; readonly items: readonly Node[] }
  | { readonly t: 'alt'; readonly alts: readonly Node[] }
  | { readonly t: 'group'; readonly kind: 'cap' | 'non' | 'la' | 'nla' | 'lb' | 'nlb' | 'atomic'; readonly body: Node; readonly java?: number }
  | { readonly t: 'quant'; readonly body: Node; readonly q: string; readonly possessive: boolean }
  | { readonly t: 'backref'; readonly java: number };

/** A character class as a set expression; emitted as a bracketed `v`-mode class. */

const isAsciiLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const JAVA_BLANK = new Set([9, 10, 11, 12, 13, 32]);

class Parser {
  pos = 0;
  groupCount = 0;
  readonly names = new Map<string, number>();

  constructor(readonly p: string) {}

  fail(message: string): never {
    throw new JavaRegexError(`${message} near index ${this.pos}`);
  }

  /** The next code point, skipping blanks and comments in `x` mode; undefined at the end. */
  peek(flags: Flags): number | undefined {
    if (flags.x) this.skipComments();
    return this.p.codePointAt(this.pos);
  }

  skipComments(): void {
    for (;;) {
      const c = this.p.charCodeAt(this.pos);
      if (JAVA_BLANK.has(c)) this.pos++;
      else if (c === 35) while (this.pos < this.p.length && !'\n\r\u0085\u2028\u2029'.includes(this.p[this.pos]!)) this.pos++;
      else return;
    }
  }

  next(): number {
    const c = this.p.codePointAt(this.pos);
    if (c === undefined) this.fail('Unexpected end of pattern');
    this.pos += c > 0xffff ? 2 : 1;
    return c;
  }

  eat(s: string): boolean {
    if (this.p.startsWith(s, this.pos)) {
      this.pos += s.length;
      return true;
    }
    return false;
  }

  // ---- structure -------------------------------------------------------------------------

  alternation(flags: Flags): Node {
    const alts = [this.sequence(flags)];
    while (this.peek(flags) === 124) {
      this.pos++;
      alts.push(this.sequence(flags));
    }
    return alts.length === 1 ? alts[0]! : { t: 'alt', alts };
  }

  sequence(flags: Flags): Node {
    const items: Node[] = [];
    for (;;) {
      const c = this.peek(flags);
      if (c === undefined || c === 124 || c === 41) break;
      const atoms = this.atom(flags);
      if (atoms.length === 0) continue;
      const last = atoms.pop()!;
      items.push(...atoms, this.quantified(last, flags));
    }
    return items.length === 1 ? items[0]! : { t: 'seq', items };
  }

  quantified(atom: Node, flags: Flags): Node {
    const c = this.peek(flags);
    let q: string;
    if (c === 42) q = '*';
    else if (c === 43) q = '+';
    else if (c === 63) q = '?';
    else if (c === 123) q = this.braces();
    else return atom;
    if (c !== 123) this.pos++;
    let possessive = false;
    if (this.eat('?')) q += '?';
    else if (this.eat('+')) possessive = true;
    const after = this.peek(flags);
    if (after === 42 || after === 43 || after === 63 || after === 123) this.fail(`Dangling meta character '${String.fromCodePoint(after)}'`);
    return { t: 'quant', body: atom, q, possessive };
  }

  braces(): string {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(this.p.slice(this.pos));
    if (!m) this.fail('Illegal repetition');
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
    if (!Number.isSafeInteger(min) || min > 0x7fffffff || (max !== Infinity && max > 0x7fffffff)) this.fail('Illegal repetition range');
    if (max < min) this.fail('Illegal repetition range');
    this.pos += m[0].length;
    return m[0];
  }

  /** One atom (several for `\Q…\E`, whose quantifier binds to the last character); none for a flag group. */
  atom(flags: Flags): Node[] {
    const c = this.next();
    switch (c) {
      case 40:
        return this.group(flags);
      case 91:
        return [{ t: 'raw', js: emitCls(this.charClass(flags)) }];
      case 46:
        return [{ t: 'raw', js: flags.s ? ANY : flags.d ? '[^\\n]' : `[^${LINE_TERMINATORS}]` }];
      case 94:
        return [{ t: 'raw', js: caret(flags) }];
      case 36:
        return [{ t: 'raw', js: dollar(flags) }];
      case 92:
        return this.escape(flags);
      case 42:
      case 43:
      case 63:
      case 123:
        return this.fail(`Dangling meta character '${String.fromCodePoint(c)}'`);
      default:
        return [literal(c, flags)];
    }
  }

  group(flags: Flags): Node[] {
    if (!this.eat('?')) {
      const java = ++this.groupCount;
      return [{ t: 'group', kind: 'cap', java, body: this.groupBody({ ...flags }) }];
    }
    if (this.eat(':')) return [{ t: 'group', kind: 'non', body: this.groupBody({ ...flags }) }];
    if (this.eat('=')) return [{ t: 'group', kind: 'la', body: this.groupBody({ ...flags }) }];
    if (this.eat('!')) return [{ t: 'group', kind: 'nla', body: this.groupBody({ ...flags }) }];
    if (this.eat('>')) return [{ t: 'group', kind: 'atomic', body: this.groupBody({ ...flags }) }];
    if (this.eat('<=')) return [{ t: 'group', kind: 'lb', body: this.groupBody({ ...flags }) }];
    if (this.eat('<!')) return [{ t: 'group', kind: 'nlb', body: this.groupBody({ ...flags }) }];
    if (this.eat('<')) {
      const m = /^([a-zA-Z][a-zA-Z0-9]*)>/.exec(this.p.slice(this.pos));
      if (!m) this.fail('capturing group name does not start with a Latin letter or is missing its closing >');
      if (this.names.has(m[1]!)) this.fail(`Named capturing group <${m[1]}> is already defined`);
      this.pos += m[0].length;
      const java = ++this.groupCount;
      this.names.set(m[1]!, java);
      return [{ t: 'group', kind: 'cap', java, body: this.groupBody({ ...flags }) }];
    }
    // inline flags: (?idmsuxU-idmsuxU) for the rest of the group, or (?flags:X) for X only
    const scoped = { ...flags };
    let on = true;
    for (;;) {
      const ch = this.p[this.pos++];
      if (ch === undefined) this.fail('Unknown inline modifier');
      if (ch === '-') on = false;
      else if (ch === ')') {
        Object.assign(flags, scoped);
        return [];
      } else if (ch === ':') return [{ t: 'group', kind: 'non', body: this.groupBody(scoped) }];
      else if ('idmsuxU'.includes(ch)) scoped[ch as keyof Flags] = on;
      else this.fail('Unknown inline modifier');
    }
  }

  groupBody(flags: Flags): Node {
    const body = this.alternation(flags);
    if (this.peek(flags) !== 41) this.fail('Unclosed group');
    this.pos++;
    return body;
  }

  // ---- escapes ----------------------------------------------------------------------------

  escape(flags: Flags): Node[] {
    const c = this.next();
    const ch = String.fromCodePoint(c);
    if (c >= 49 && c <= 57) return [{ t: 'backref', java: this.backrefNumber(c - 48) }];
    switch (ch) {
      case 'Q': {
        const end = this.p.indexOf('\\E', this.pos);
        const text = end < 0 ? this.p.slice(this.pos) : this.p.slice(this.pos, end);
        this.pos = end < 0 ? this.p.length : end + 2;
        return [...text].map((x) => literal(x.codePointAt(0)!, flags));
      }
      case 'b':
      case 'B': {
        if (this.p[this.pos] === '{') this.fail('\\b{...} boundaries are not supported');
        const w = flags.U ? '[\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\u{200c}\\u{200d}]' : '[\\p{L}\\p{Nd}_]';
        const js = ch === 'b' ? `(?:(?<=${w})(?!${w})|(?<!${w})(?=${w}))` : `(?:(?<=${w})(?=${w})|(?<!${w})(?!${w}))`;
        return [{ t: 'raw', js }];
      }
      case 'A':
        return [{ t: 'raw', js: '^' }];
      case 'z':
        return [{ t: 'raw', js: END }];
      case 'Z':
        return [{ t: 'raw', js: dollar({ ...flags, m: false }) }];
      case 'R':
        return [{ t: 'group', kind: 'atomic', body: { t: 'raw', js: '\\r\\n|[\\n\\u{b}\\u{c}\\r\\u{85}\\u{2028}\\u{2029}]' } }];
      case 'k': {
        const m = /^<([a-zA-Z][a-zA-Z0-9]*)>/.exec(this.p.slice(this.pos));
        if (!m) this.fail('\\k is not followed by a group name in angle brackets');
        const java = this.names.get(m[1]!);
        if (java === undefined) this.fail(`named capturing group <${m[1]}> does not exist`);
        this.pos += m[0].length;
        return [{ t: 'backref', java }];
      }
      case 'G':
      case 'X':
      case 'N':
        return this.fail(`\\${ch} is not supported`);
      default: {
        const cls = this.classEscape(ch, flags);
        if (cls) return [{ t: 'raw', js: emitCls(cls) }];
        return [literal(this.charEscape(c), flags)];
      }
    }
  }

  /** Java takes as many digits as still name an existing group (at least the first). */
  backrefNumber(first: number): number {
    let n = first;
    for (;;) {
      const d = this.p.charCodeAt(this.pos);
      if (!isDigit(d) || n * 10 + (d - 48) > this.groupCount) return n;
      n = n * 10 + (d - 48);
      this.pos++;
    }
  }

  /** A predefined class escape (`\d`, `\p{L}`…), or undefined when `ch` is not one. */
  classEscape(ch: string, flags: Flags): Cls | undefined {
    const neg = (c: Cls, upper: boolean): Cls => (upper ? not(c) : c);
    switch (ch) {
      case 'd':
      case 'D':
        return neg(flags.U ? rawCls('[\\p{Nd}]') : ranges([[48, 57]]), ch === 'D');
      case 'w':
      case 'W':
        return neg(flags.U ? rawCls('[\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\u{200c}\\u{200d}]') : ranges(WORD), ch === 'W');
      case 's':
      case 'S':
        return neg(flags.U ? rawCls('[\\p{White_Space}]') : ranges(JAVA_SPACE), ch === 'S');
      case 'h':
      case 'H':
        return neg(ranges([[9, 9], [32, 32], [0xa0, 0xa0], [0x1680, 0x1680], [0x180e, 0x180e], [0x2000, 0x200a], [0x202f, 0x202f], [0x205f, 0x205f], [0x3000, 0x3000]]), ch === 'H');
      case 'v':
      case 'V':
        return neg(ranges([[10, 13], [0x85, 0x85], [0x2028, 0x2029]]), ch === 'V');
      case 'p':
      case 'P': {
        let name: string;
        if (this.eat('{')) {
          const end = this.p.indexOf('}', this.pos);
          if (end < 0) this.fail('Unclosed character family');
          name = this.p.slice(this.pos, end);
          this.pos = end + 1;
        } else name = String.fromCodePoint(this.next());
        return neg(property(name, flags), ch === 'P');
      }
      default:
        return undefined;
    }
  }

  /** The code point of a character escape (`\t`, `\x41`, `\u0041`, `\0101`, `\cA`, `\.`). */
  charEscape(c: number): number {
    const ch = String.fromCodePoint(c);
    const hex = (digits: string): number => {
      if (!/^[0-9a-fA-F]+$/.test(digits)) this.fail('Illegal hexadecimal escape sequence');
      return parseInt(digits, 16);
    };
    switch (ch) {
      case 't':
        return 9;
      case 'n':
        return 10;
      case 'r':
        return 13;
      case 'f':
        return 12;
      case 'a':
        return 7;
      case 'e':
        return 27;
      case '0': {
        const m = /^([0-3][0-7]{2}|[0-7]{1,2})/.exec(this.p.slice(this.pos));
        if (!m) this.fail('Illegal octal escape sequence');
        this.pos += m[0].length;
        return parseInt(m[0], 8);
      }
      case 'x': {
        if (this.eat('{')) {
          const end = this.p.indexOf('}', this.pos);
          if (end < 0) this.fail('Unclosed hexadecimal escape sequence');
          const v = hex(this.p.slice(this.pos, end));
          if (v > 0x10ffff) this.fail('Hexadecimal codepoint is too big');
          this.pos = end + 1;
          return v;
        }
        const v = hex(this.p.slice(this.pos, this.pos + 2).padEnd(2, 'g'));
        this.pos += 2;
        return v;
      }
      case 'u': {
        const v = hex(this.p.slice(this.pos, this.pos + 4).padEnd(4, 'g'));
        this.pos += 4;
        if (v >= 0xd800 && v <= 0xdbff && /^\\u[dD][c-fC-F][0-9a-fA-F]{2}/.test(this.p.slice(this.pos))) {
          const lo = parseInt(this.p.slice(this.pos + 2, this.pos + 6), 16);
          this.pos += 6;
          return 0x10000 + ((v - 0xd800) << 10) + (lo - 0xdc00);
        }
        return v;
      }
      case 'c':
        return this.next() ^ 64;
      default:
        if (isAsciiLetter(c) || isDigit(c)) this.fail('Illegal/unsupported escape sequence');
        return c;
    }
  }

  // ---- classes ----------------------------------------------------------------------------

  /** A class after its `[`, through its `]`. */
  charClass(flags: Flags): Cls {
    const negated = this.eat('^');
    let current = this.classUnion(flags, true);
    while (this.eat('&&')) current = { t: 'and', a: current, b: this.classUnion(flags, false) };
    if (this.peek(flags) !== 93) this.fail('Unclosed character class');
    this.pos++;
    const set = flags.i ? caseClose(current, flags.u) : current;
    return negated ? not(set) : set;
  }

  /** Class items up to `]` or `&&` (not consumed). A `]` first in a class is a literal. */
  classUnion(flags: Flags, first: boolean): Cls {
    const items: Cls[] = [];
    const single: [number, number][] = [];
    for (let firstItem = first; ; firstItem = false) {
      const c = this.peek(flags);
      if (c === undefined) this.fail('Unclosed character class');
      if (c === 93 && !firstItem) break;
      if (c === 38 && this.p[this.pos + 1] === '&') break;
      if (c === 91) {
        this.pos++;
        items.push(this.charClass(flags));
        continue;
      }
      const start = this.classChar(flags);
      if (typeof start !== 'number') {
        items.push(start);
        continue;
      }
      if (this.p[this.pos] === '-' && this.p[this.pos + 1] !== ']' && this.p[this.pos + 1] !== '[' && this.pos + 1 < this.p.length) {
        this.pos++;
        const end = this.classChar(flags);
        if (typeof end !== 'number' || end < start) this.fail('Illegal character range');
        single.push([start, end]);
      } else single.push([start, start]);
    }
    if (single.length > 0) items.push(ranges(single));
    return items.length === 1 ? items[0]! : { t: 'union', items };
  }

  /** One class member: a code point, or a predefined class. */
  classChar(flags: Flags): number | Cls {
    const c = this.next();
    if (c !== 92) return c;
    const e = this.next();
    const ch = String.fromCodePoint(e);
    if (ch === 'Q') {
      const end = this.p.indexOf('\\E', this.pos);
      const text = end < 0 ? this.p.slice(this.pos) : this.p.slice(this.pos, end);
      this.pos = end < 0 ? this.p.length : end + 2;
      return ranges([...text].map((x) => [x.codePointAt(0)!, x.codePointAt(0)!] as [number, number]));
    }
    const cls = this.classEscape(ch, flags);
    if (cls) return cls;
    return this.charEscape(e);
  }
}

function literal(c: number, flags: Flags): Node {
  if (flags.i && (isAsciiLetter(c) || (flags.u && c >= 128))) {
    const variants = flags.u || c < 128 ? [...new Set([...caseVariants(c), ...(isAsciiLetter(c) ? [c ^ 32] : [])])] : [c];
    if (variants.length > 1) return { t: 'raw', js: `[${variants.map(cp).join('')}]` };
  }
  const isPlain = (c >= 48 && c <= 57) || isAsciiLetter(c);
  return { t: 'raw', js: isPlain ? String.fromCharCode(c) : cp(c) };
}

/** Java's `^`: start of input; in multiline mode also after a line terminator, never at the end. */
function caret(flags: Flags): string {
  if (!flags.m) return '^';
  if (flags.d) return `(?:^|(?<=\\n))(?=${ANY})`;
  return `(?:^|(?<=[\\n\\u{85}\\u{2028}\\u{2029}])|(?<=\\r)(?!\\n))(?=${ANY})`;
}

/** Java's `$`: end of input or before a final line terminator; in multiline mode before any. */
function dollar(flags: Flags): string {
  if (flags.d) return flags.m ? `(?=\\n|${END})` : `(?=\\n?${END})`;
  if (flags.m) return `(?:${END}|(?<!\\r)(?=\\n)|(?=[\\r\\u{85}\\u{2028}\\u{2029}]))`;
  return `(?:${END}|(?=\\r\\n${END})|(?<!\\r)(?=\\n${END})|(?=[\\r\\u{85}\\u{2028}\\u{2029}]${END}))`;
}

function emit(root: Node, groupCount: number): { source: string; groupIndex: number[] } {
  const groupIndex = new Array<number>(groupCount + 1).fill(-1);
  groupIndex[0] = 0;
  let js = 0;
  const rec = (n: Node): string => {
    switch (n.t) {
      case 'raw':
        return n.js;
      case 'seq':
        return n.items.map(rec).join('');
      case 'alt':
        return n.alts.map(rec).join('|');
      case 'backref':
        return `\ue000${n.java}\ue001`;
      case 'quant': {
        const inner = { t: 'quant', body: n.body, q: n.q, possessive: false } as const;
        if (n.possessive) return rec({ t: 'group', kind: 'atomic', body: inner });
        return `(?:${rec(n.body)})${n.q}`;
      }
      case 'group': {
        switch (n.kind) {
          case 'cap':
            groupIndex[n.java!] = ++js;
            return `(${rec(n.body)})`;
          case 'atomic': {
            const k = ++js;
            return `(?=(${rec(n.body)}))\\${k}`;
          }
          default: {
            const open = { non: '(?:', la: '(?=', nla: '(?!', lb: '(?<=', nlb: '(?<!' }[n.kind];
            return `${open}${rec(n.body)})`;
          }
        }
      }
    }
  };
  const raw = rec(root);
  // Back references resolved once every group has its JS number; one to a missing group never matches.
  const source = raw.replace(/\ue000(\d+)\ue001/g, (_m, d: string) => {
    const k = groupIndex[Number(d)];
    return k === undefined || k < 0 ? '(?!)' : `(?:\\${k})`;
  });
  return { source, groupIndex };
}

/** Compiles a Java pattern; throws {@link JavaRegexError} for patterns Java refuses or we cannot express. */
export function compileJavaPattern(pattern: string): JavaPattern {
  const parser = new Parser(pattern);
  const flags: Flags = { i: false, m: false, s: false, x: false, d: false, u: false, U: false };
  const root = parser.alternation(flags);
  if (parser.pos < pattern.length) parser.fail("Unmatched closing ')'");
  const { source, groupIndex } = emit(root, parser.groupCount);
  let probe: RegExp;
  try {
    probe = new RegExp(source, 'gv');
  } catch (e) {
    throw new JavaRegexError(`the pattern cannot be translated to a JavaScript regular expression (${(e as Error).message})`);
  }
  void probe;
  return {
    pattern,
    source,
    groupCount: parser.groupCount,
    groupIndex,
    names: parser.names,
    regExp: () => new RegExp(source, 'gv'),
  };
}

/** A Java-style `find()` loop: every match from `from` on, as `[start, end, groups]` (Java group numbering, undefined for groups that did not participate). */
export function* findAll(p: JavaPattern, s: string, from = 0): Generator<{ start: number; end: number; group: (k: number) => string | undefined }> {
  const re = p.regExp();
  re.lastIndex = from;
  for (;;) {
    const m = re.exec(s);
    if (m === null) return;
    const start = m.index;
    const end = start + m[0].length;
    yield { start, end, group: (k) => m[p.groupIndex[k]!] };
    if (end === start) {
      if (end >= s.length) return;
      const c = s.codePointAt(end)!;
      re.lastIndex = end + (c > 0xffff ? 2 : 1);
    } else re.lastIndex = end;
  }
}
