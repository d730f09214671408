import { DeltaError } from '../errors.js';

/**
 * The tokens of Spark SQL as deltakit reads them (Spark's `SqlBaseLexer.g4`): names, numbers,
 * strings, operators. Keywords are not token kinds: a keyword is an unquoted `ident` whose text
 * matches it case-insensitively, so non-reserved keywords stay usable as names.
 *
 * `pos`/`end` are the `[start, end)` offsets of the token in the source. A `string` token's `text`
 * is the unescaped value; a `number` token's `text` is the literal as written (suffix included).
 */
export type Token =
  | { readonly kind: 'ident'; readonly text: string; readonly quoted: boolean; readonly pos: number; readonly end: number }
  | { readonly kind: 'number'; readonly text: string; readonly pos: number; readonly end: number }
  | { readonly kind: 'string'; readonly text: string; readonly pos: number; readonly end: number }
  | { readonly kind: 'op'; readonly text: string; readonly pos: number; readonly end: number }
  | { readonly kind: 'eof'; readonly text: ''; readonly pos: number; readonly end: number };

/** Operators, longest first so that the first match is the longest one. */
const OPERATORS = [
  '<=>', '>>>',
  '<=', '>=', '<>', '!=', '!<', '!>', '==', '=>', '->', '::', '||', '<<', '>>',
  '=', '<', '>', '!', '(', ')', '[', ']', ',', '.', '+', '-', '*', '/', '%', '~', '&', '|', '^', ':', ';', '?',
];

const WIDTH = 100;

/**
 * A PARSE_ERROR pointing at offset `pos` of `source`: the message, then the line and column
 * (1-based), the source line (an excerpt when it is long) and a caret under the position.
 */
export function parseError(source: string, pos: number, message: string, options: { cause?: unknown } = {}): DeltaError {
  const at = Math.max(0, Math.min(pos, source.length));
  const lineStart = source.lastIndexOf('\n', at - 1) + 1;
  const nextBreak = source.indexOf('\n', at);
  const lineEnd = nextBreak < 0 ? source.length : nextBreak;
  const line = source.slice(0, lineStart).split('\n').length;
  const column = at - lineStart + 1;
  let text = source.slice(lineStart, lineEnd).replace(/[\t\r\v\f]/g, ' ');
  let caret = column - 1;
  if (text.length > WIDTH) {
    const from = Math.max(0, caret - WIDTH / 2);
    const to = Math.min(text.length, from + WIDTH);
    text = (from > 0 ? '…' : '') + text.slice(from, to) + (to < text.length ? '…' : '');
    caret = caret - from + (from > 0 ? 1 : 0);
  }
  const where = source.includes('\n') ? `line ${line}, column ${column}` : `column ${column}`;
  return new DeltaError('PARSE_ERROR', `${message} at ${where}:\n  ${text}\n  ${' '.repeat(caret)}^`, {
    ...(options.cause === undefined ? {} : { cause: options.cause }),
    details: { position: at, line, column, source },
  });
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isAsciiNameChar = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || isDigit(c) || c === 95;
const NAME_CHAR = /[\p{L}0-9_]/uy;
const WHITESPACE = /\s/;

/**
 * Splits SQL text into tokens on demand, skipping whitespace and `--` / `/* *\/` comments (block
 * comments nest, as in Spark). {@link reset} moves the cursor, so a caller that parsed a span
 * with another parser (a data type) can resume after it.
 */
export class Lexer {
  private cursor: number;

  constructor(
    readonly source: string,
    start = 0,
  ) {
    this.cursor = start;
  }

  /** Continues lexing at `pos`. */
  reset(pos: number): void {
    this.cursor = pos;
  }

  /** The next token; `eof` at the end (and on every call after it). */
  next(): Token {
    const s = this.source;
    this.skipBlanks();
    const start = this.cursor;
    if (start >= s.length) return { kind: 'eof', text: '', pos: s.length, end: s.length };
    const c = s.charCodeAt(start);
    if (isDigit(c) || (c === 46 && isDigit(s.charCodeAt(start + 1)))) {
      const t = this.number(start);
      if (t) return t;
    }
    if (c === 96) return this.quotedName(start);
    if (c === 39 || c === 34) return this.string(start, start, false);
    if ((c === 82 || c === 114) && (s[start + 1] === "'" || s[start + 1] === '"')) return this.string(start, start + 1, true);
    NAME_CHAR.lastIndex = start;
    if (NAME_CHAR.test(s)) return this.name(start);
    const op = OPERATORS.find((o) => s.startsWith(o, start));
    if (op === undefined) {
      const ch = String.fromCodePoint(s.codePointAt(start)!);
      throw parseError(s, start, `unexpected character '${ch}' (U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')})`);
    }
    this.cursor = start + op.length;
    return { kind: 'op', text: op, pos: start, end: this.cursor };
  }

  private skipBlanks(): void {
    const s = this.source;
    for (;;) {
      const i = this.cursor;
      if (i >= s.length) return;
      if (WHITESPACE.test(s[i]!)) {
        this.cursor++;
      } else if (s.startsWith('--', i)) {
        const nl = s.indexOf('\n', i);
        this.cursor = nl < 0 ? s.length : nl + 1;
      } else if (s.startsWith('/*', i)) {
        this.skipBlockComment(i);
      } else return;
    }
  }

  private skipBlockComment(start: number): void {
    const s = this.source;
    let depth = 0;
    let i = start;
    while (i < s.length) {
      if (s.startsWith('/*', i)) {
        depth++;
        i += 2;
      } else if (s.startsWith('*/', i)) {
        depth--;
        i += 2;
        if (depth === 0) {
          this.cursor = i;
          return;
        }
      } else i++;
    }
    throw parseError(s, start, 'unclosed comment: /* has no matching */');
  }

  /** A run of letters, digits and `_`; Spark accepts only ASCII ones unquoted. */
  private name(start: number): Token {
    const s = this.source;
    let i = start;
    NAME_CHAR.lastIndex = i;
    while (i < s.length && NAME_CHAR.test(s)) {
      i = NAME_CHAR.lastIndex;
    }
    const text = s.slice(start, i);
    for (let k = 0; k < text.length; k++) {
      if (!isAsciiNameChar(text.charCodeAt(k))) {
        throw parseError(s, start + k, `the name '${text}' has characters other than a-z, A-Z, 0-9 and _; quote it with back-quotes: \`${text.replace(/`/g, '``')}\``);
      }
    }
    this.cursor = i;
    return { kind: 'ident', text, quoted: false, pos: start, end: i };
  }

  /**
   * A number token (Spark's INTEGER_VALUE, DECIMAL_VALUE, EXPONENT_VALUE and the suffixed
   * BIGINT/SMALLINT/TINYINT/DOUBLE/FLOAT/BIGDECIMAL literals), or undefined when the text at
   * `start` is a `.` followed by a name (`a.123A`) and so must be lexed as an operator. As in
   * Spark, a run of name characters longer than the number is a name (`1a`, `123_`, `1SL`).
   */
  private number(start: number): Token | undefined {
    const s = this.source;
    let i = start;
    while (isDigit(s.charCodeAt(i))) i++;
    const intDigits = i - start;
    let dotted = false;
    if (s[i] === '.' && (intDigits > 0 || isDigit(s.charCodeAt(i + 1)))) {
      dotted = true;
      i++;
      while (isDigit(s.charCodeAt(i))) i++;
    }
    let exponent = false;
    if ((s[i] === 'e' || s[i] === 'E') && (isDigit(s.charCodeAt(i + 1)) || ((s[i + 1] === '+' || s[i + 1] === '-') && isDigit(s.charCodeAt(i + 2))))) {
      exponent = true;
      i += s[i + 1] === '+' || s[i + 1] === '-' ? 2 : 1;
      while (isDigit(s.charCodeAt(i))) i++;
    }
    const end = i + numberSuffixLength(s, i, !dotted && !exponent);
    let run = start;
    while (run < s.length && isAsciiNameChar(s.charCodeAt(run))) run++;
    if (!dotted && run > end) {
      // `1a`, `123_`, `1SL`, `1e3x`: the longer name wins, as in Spark's lexer.
      return this.nameFrom(start, run);
    }
    if (end < s.length && isAsciiNameChar(s.charCodeAt(end))) {
      if (start < s.length && s[start] === '.') return undefined;
      throw parseError(s, end, `unexpected '${s[end]}' after the number ${s.slice(start, end)}; separate them with a space, or back-quote a name that starts with a digit`);
    }
    this.cursor = end;
    return { kind: 'number', text: s.slice(start, end), pos: start, end };
  }

  private nameFrom(start: number, end: number): Token {
    this.cursor = end;
    return { kind: 'ident', text: this.source.slice(start, end), quoted: false, pos: start, end };
  }

  /** `` `name` `` with ``` `` ``` standing for one back-quote. */
  private quotedName(start: number): Token {
    const s = this.source;
    let text = '';
    let i = start + 1;
    for (;;) {
      const close = s.indexOf('`', i);
      if (close < 0) throw parseError(s, start, 'unterminated back-quoted name (missing closing `)');
      text += s.slice(i, close);
      if (s[close + 1] === '`') {
        text += '`';
        i = close + 2;
      } else {
        this.cursor = close + 1;
        return { kind: 'ident', text, quoted: true, pos: start, end: this.cursor };
      }
    }
  }

  /**
   * A string literal whose opening quote is at `open` (`start` is the `R` of a raw string). A
   * backslash escapes the next character (see {@link unescapeSql}); a doubled quote stands for
   * one quote (Spark 4.1); raw strings `R'…'` keep every character as written.
   */
  private string(start: number, open: number, raw: boolean): Token {
    const s = this.source;
    const quote = s[open]!;
    let i = open + 1;
    let body = '';
    let segment = i;
    for (;;) {
      if (i >= s.length) throw parseError(s, start, `unterminated string literal (missing closing ${quote})`);
      const c = s[i]!;
      if (c === '\\' && !raw) {
        i += 2;
      } else if (c === quote) {
        if (!raw && s[i + 1] === quote) {
          body += unescapeSql(s.slice(segment, i)) + quote;
          i += 2;
          segment = i;
        } else break;
      } else i++;
    }
    body += raw ? s.slice(segment, i) : unescapeSql(s.slice(segment, i));
    this.cursor = i + 1;
    return { kind: 'string', text: body, pos: start, end: this.cursor };
  }
}

/** Length of a literal suffix at `i`: BD, D or F after any number; L, S or Y after an integer. */
function numberSuffixLength(s: string, i: number, integral: boolean): number {
  if (s.slice(i, i + 2).toUpperCase() === 'BD') return 2;
  const c = (s[i] ?? '').toUpperCase();
  if (c === 'D' || c === 'F') return 1;
  return integral && (c === 'L' || c === 'S' || c === 'Y') ? 1 : 0;
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { '0': '\0', b: '\b', n: '\n', r: '\r', t: '\t', Z: '\x1a', '%': '\\%', _: '\\_' };

/**
 * Spark's backslash escapes (`unescapeSQLString`): `\n \t \r \b \0 \Z`, `\uXXXX`, `\UXXXXXXXX`,
 * three-digit octal `\[01][0-7][0-7]`; `\%` and `\_` keep their backslash (for LIKE patterns);
 * any other escaped character stands for itself.
 */
export function unescapeSql(text: string): string {
  if (!text.includes('\\')) return text;
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c !== '\\' || i + 1 >= text.length) {
      out += c;
      i++;
      continue;
    }
    const n = text[i + 1]!;
    if (n === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
      out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
      i += 6;
    } else if (n === 'U' && /^[0-9a-fA-F]{8}$/.test(text.slice(i + 2, i + 10))) {
      const cp = parseInt(text.slice(i + 2, i + 10), 16);
      out += cp <= 0x10ffff ? String.fromCodePoint(cp) : String.fromCharCode(cp & 0xffff);
      i += 10;
    } else if (/^[01][0-7][0-7]$/.test(text.slice(i + 1, i + 4))) {
      out += String.fromCharCode(parseInt(text.slice(i + 1, i + 4), 8));
      i += 4;
    } else {
      out += SIMPLE_ESCAPES[n] ?? n;
      i += 2;
    }
  }
  return out;
}

/** Splits a whole text into tokens; the last token is always `eof`. */
export function tokenize(source: string): Token[] {
  const lexer = new Lexer(source);
  const tokens: Token[] = [];
  for (;;) {
    const t = lexer.next();
    tokens.push(t);
    if (t.kind === 'eof') return tokens;
  }
}
