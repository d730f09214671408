import { and, cmp, col, inList, isNotNull, isNull, lit, not, or, type ComparisonOp, type Expr, type LiteralValue } from './ast.js';
import { parseDate, parseTimestamp, parseTimestampNtz, validateTimeZone } from './datetime.js';
import { parseError, tokenize, type Token } from './lexer.js';

/**
 * A small SQL predicate parser for filters (`--where`), producing the shared {@link Expr} AST:
 * comparisons (= == != <> < <= > >= <=>), AND, OR, NOT, parentheses, IS [NOT] NULL,
 * [NOT] IN (...), [NOT] BETWEEN a AND b, literals (integers → bigint, `1.5` → exact decimal,
 * `1e3` → float, 'strings' with '' escapes, TRUE/FALSE/NULL, DATE '…', TIMESTAMP '…',
 * TIMESTAMP_NTZ '…', X'hex'), and column names (plain, backtick-quoted, dotted for nested fields).
 * Precedence, loosest first: OR, AND, NOT, predicates.
 */

export interface ParseOptions {
  /** IANA zone for zone-less `TIMESTAMP '…'` literals (Spark's session zone). Default UTC. */
  readonly timeZone?: string;
}

const RESERVED = new Set(['AND', 'OR', 'NOT', 'IS', 'NULL', 'IN', 'TRUE', 'FALSE', 'BETWEEN']);
const COMPARISONS = new Set(['=', '!=', '<>', '<', '<=', '>', '>=', '<=>']);

/** Parses a predicate; throws PARSE_ERROR naming what was expected and the 1-based column. */
export function parsePredicate(source: string, options: ParseOptions = {}): Expr {
  const timeZone = options.timeZone ?? 'UTC';
  validateTimeZone(timeZone);
  const p = new Parser(source, tokenize(source), timeZone);
  const e = p.parseExpr();
  p.expectEof();
  return e;
}

class Parser {
  private i = 0;

  constructor(
    private readonly source: string,
    private readonly tokens: readonly Token[],
    private readonly timeZone: string,
  ) {}

  private get tok(): Token {
    return this.tokens[this.i]!;
  }

  private peek(k = 1): Token {
    return this.tokens[Math.min(this.i + k, this.tokens.length - 1)]!;
  }

  private isKeyword(t: Token, word: string): boolean {
    return t.kind === 'ident' && !t.quoted && t.text.toUpperCase() === word;
  }

  private acceptKeyword(word: string): boolean {
    if (!this.isKeyword(this.tok, word)) return false;
    this.i++;
    return true;
  }

  private acceptOp(op: string): boolean {
    if (this.tok.kind !== 'op' || this.tok.text !== op) return false;
    this.i++;
    return true;
  }

  private fail(expected: string, at: Token = this.tok): never {
    const found = at.kind === 'eof' ? 'end of input' : at.kind === 'string' ? `'${at.text}'` : `'${at.text}'`;
    throw parseError(this.source, at.pos, `expected ${expected}, found ${found}`);
  }

  private expectOp(op: string, what = `'${op}'`): void {
    if (!this.acceptOp(op)) this.fail(what);
  }

  expectEof(): void {
    if (this.tok.kind !== 'eof') this.fail('AND, OR or end of input');
  }

  parseExpr(): Expr {
    const args = [this.parseAnd()];
    while (this.acceptKeyword('OR')) args.push(this.parseAnd());
    return args.length === 1 ? args[0]! : or(...args);
  }

  private parseAnd(): Expr {
    const args = [this.parseNot()];
    while (this.acceptKeyword('AND')) args.push(this.parseNot());
    return args.length === 1 ? args[0]! : and(...args);
  }

  private parseNot(): Expr {
    if (this.acceptKeyword('NOT')) return not(this.parseNot());
    return this.parsePredicate();
  }

  private parsePredicate(): Expr {
    const left = this.parseOperand();
    const t = this.tok;
    if (t.kind === 'op' && COMPARISONS.has(t.text)) {
      this.i++;
      const op = (t.text === '<>' ? '!=' : t.text) as ComparisonOp;
      return cmp(op, left, this.parseOperand());
    }
    if (this.acceptKeyword('IS')) {
      const negated = this.acceptKeyword('NOT');
      if (!this.acceptKeyword('NULL')) this.fail(negated ? 'NULL' : 'NULL or NOT NULL');
      return negated ? isNotNull(left) : isNull(left);
    }
    const negated = this.isKeyword(t, 'NOT') && (this.isKeyword(this.peek(), 'IN') || this.isKeyword(this.peek(), 'BETWEEN'));
    if (negated) this.i++;
    if (this.acceptKeyword('IN')) return inList(left, this.parseInList(), negated);
    if (this.acceptKeyword('BETWEEN')) {
      const lo = this.parseOperand();
      if (!this.acceptKeyword('AND')) this.fail('AND in BETWEEN … AND …');
      const hi = this.parseOperand();
      const range = and(cmp('>=', left, lo), cmp('<=', left, hi));
      return negated ? not(range) : range;
    }
    return left;
  }

  private parseInList(): Expr[] {
    this.expectOp('(', "'(' after IN");
    const list = [this.parseOperand()];
    while (this.acceptOp(',')) list.push(this.parseOperand());
    this.expectOp(')', "',' or ')' in IN list");
    return list;
  }

  private parseOperand(): Expr {
    const t = this.tok;
    if (t.kind === 'op' && t.text === '(') {
      this.i++;
      const e = this.parseExpr();
      this.expectOp(')', "')'");
      return e;
    }
    if (t.kind === 'op' && (t.text === '-' || t.text === '+') && this.peek().kind === 'number') {
      this.i += 2;
      return lit(numberLiteral((t.text === '-' ? '-' : '') + this.peek(-1).text));
    }
    if (t.kind === 'number') {
      this.i++;
      return lit(numberLiteral(t.text));
    }
    if (t.kind === 'string') {
      this.i++;
      return lit(t.text);
    }
    if (t.kind === 'ident') return this.parseIdentOrKeywordLiteral(t);
    return this.fail('a column name, literal or (');
  }

  private parseIdentOrKeywordLiteral(t: Extract<Token, { kind: 'ident' }>): Expr {
    const upper = t.quoted ? '' : t.text.toUpperCase();
    if (upper === 'TRUE' || upper === 'FALSE') {
      this.i++;
      return lit(upper === 'TRUE');
    }
    if (upper === 'NULL') {
      this.i++;
      return lit(null);
    }
    const next = this.peek();
    if (next.kind === 'string' && ['DATE', 'TIMESTAMP', 'TIMESTAMP_NTZ', 'TIMESTAMP_LTZ', 'X'].includes(upper)) {
      this.i += 2;
      return lit(this.typedLiteral(upper, next));
    }
    if (RESERVED.has(upper)) this.fail('a column name, literal or (');
    const path = [t.text];
    this.i++;
    while (this.acceptOp('.')) {
      const part = this.tok;
      if (part.kind !== 'ident') this.fail('a field name after .');
      path.push(part.text);
      this.i++;
    }
    return col(...path);
  }

  private typedLiteral(kind: string, s: Extract<Token, { kind: 'string' }>): LiteralValue {
    const bad = (what: string): never => {
      throw parseError(this.source, s.pos, `expected ${what} in ${kind} literal, found '${s.text}'`);
    };
    if (kind === 'DATE') return { type: 'date', days: parseDate(s.text) ?? bad('a date YYYY-MM-DD') };
    if (kind === 'TIMESTAMP_NTZ') return { type: 'timestamp_ntz', micros: parseTimestampNtz(s.text) ?? bad('a timestamp YYYY-MM-DD HH:mm:ss[.ffffff]') };
    if (kind === 'X') {
      if (!/^([0-9a-fA-F]{2})*$/.test(s.text)) bad('an even number of hex digits');
      const bytes = new Uint8Array(s.text.length / 2);
      for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(s.text.slice(2 * i, 2 * i + 2), 16);
      return { type: 'binary', bytes };
    }
    return { type: 'timestamp', micros: parseTimestamp(s.text, this.timeZone) ?? bad('a timestamp YYYY-MM-DD[ HH:mm:ss[.ffffff]][zone]') };
  }
}

/** Integers become bigint, plain decimals exact decimal text, exponent forms JS numbers. */
function numberLiteral(text: string): LiteralValue {
  if (/^-?\d+$/.test(text)) return BigInt(text);
  if (/[eE]/.test(text)) return Number(text);
  return { type: 'decimal', text };
}
