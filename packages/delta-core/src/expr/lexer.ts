import { DeltaError } from '../errors.js';

/**
 * Tokens of the SQL expression subset deltakit parses. Kept separate from the parser so a fuller
 * SQL expression grammar can reuse it. `pos` is the 0-based offset of the token in the source.
 */
export type Token =
  | { readonly kind: 'ident'; readonly text: string; readonly quoted: boolean; readonly pos: number }
  | { readonly kind: 'number'; readonly text: string; readonly pos: number }
  | { readonly kind: 'string'; readonly text: string; readonly pos: number }
  | { readonly kind: 'op'; readonly text: string; readonly pos: number }
  | { readonly kind: 'eof'; readonly text: ''; readonly pos: number };

const OPERATORS = ['<=>', '<=', '>=', '<>', '!=', '==', '=', '<', '>', '(', ')', ',', '.', '-', '+'];

/** A PARSE_ERROR pointing at `pos` (0-based) in `source`, with the column shown 1-based and a caret line. */
export function parseError(source: string, pos: number, message: string): DeltaError {
  const column = pos + 1;
  return new DeltaError('PARSE_ERROR', `${message} at column ${column}:\n  ${source}\n  ${' '.repeat(pos)}^`, {
    details: { column, source },
  });
}

/** Splits an expression into tokens; the last token is always `eof`. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (/[A-Za-z_]/.test(c)) {
      while (i < source.length && /[A-Za-z0-9_]/.test(source[i]!)) i++;
      tokens.push({ kind: 'ident', text: source.slice(start, i), quoted: false, pos: start });
    } else if (c === '`') {
      const { text, end } = readQuoted(source, i, '`', 'backtick-quoted name');
      tokens.push({ kind: 'ident', text, quoted: true, pos: start });
      i = end;
    } else if (c === "'" || c === '"') {
      const { text, end } = readQuoted(source, i, c, 'string literal');
      tokens.push({ kind: 'string', text, pos: start });
      i = end;
    } else if (/\d/.test(c) || (c === '.' && /\d/.test(source[i + 1] ?? ''))) {
      i = readNumber(source, i);
      tokens.push({ kind: 'number', text: source.slice(start, i), pos: start });
    } else {
      const op = OPERATORS.find((o) => source.startsWith(o, i));
      if (!op) throw parseError(source, i, `unexpected character '${c}'`);
      tokens.push({ kind: 'op', text: op === '==' ? '=' : op, pos: start });
      i += op.length;
    }
  }
  tokens.push({ kind: 'eof', text: '', pos: source.length });
  return tokens;
}

/** Reads a quoted run starting at `start` (the opening quote); a doubled quote is an escaped quote. */
function readQuoted(source: string, start: number, quote: string, what: string): { text: string; end: number } {
  let text = '';
  let i = start + 1;
  while (i < source.length) {
    const c = source[i]!;
    if (c === quote) {
      if (source[i + 1] === quote) {
        text += quote;
        i += 2;
        continue;
      }
      return { text, end: i + 1 };
    }
    if (c === '\\' && quote !== '`' && i + 1 < source.length) {
      text += unescape(source[i + 1]!);
      i += 2;
      continue;
    }
    text += c;
    i++;
  }
  throw parseError(source, start, `unterminated ${what} (missing closing ${quote})`);
}

const unescape = (c: string): string => ({ n: '\n', t: '\t', r: '\r', '0': '\0' })[c] ?? c;

function readNumber(source: string, start: number): number {
  let i = start;
  while (/\d/.test(source[i] ?? '')) i++;
  if (source[i] === '.') {
    i++;
    while (/\d/.test(source[i] ?? '')) i++;
  }
  if (/[eE]/.test(source[i] ?? '') && /[-+\d]/.test(source[i + 1] ?? '')) {
    i += /[-+]/.test(source[i + 1]!) ? 2 : 1;
    if (!/\d/.test(source[i] ?? '')) throw parseError(source, i, 'expected exponent digits');
    while (/\d/.test(source[i] ?? '')) i++;
  }
  if (/[A-Za-z_]/.test(source[i] ?? '')) throw parseError(source, i, `unexpected '${source[i]}' after number`);
  return i;
}
