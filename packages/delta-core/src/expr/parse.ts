import type { DeltaError } from '../errors.js';
import { parseDdlTypeAt } from '../schema/ddl.js';
import type { DataType } from '../schema/types.js';
import { and, arith, call, childrenOf, cmp, col, inList, lit, not, or, type ArithmeticOp, type ComparisonOp, type Expr, type Span } from './ast.js';
import { validateTimeZone } from './datetime.js';
import { Lexer, parseError, type Token } from './lexer.js';
import { parseIdentifierPrimary } from './parse-forms.js';
import { addIntervals, numberLiteral } from './parse-literals.js';

/**
 * The SQL expression parser: Spark SQL's expression grammar (`SqlBaseParser.g4`) producing the
 * shared {@link Expr} AST. Precedence, loosest first: OR; AND; NOT; predicates (`BETWEEN`, `IN`,
 * `LIKE`, `ILIKE`, `RLIKE`, `IS …`); comparisons (`= == != <> < <= > >= <=> !< !>`, left
 * associative, as in Spark); `+ - ||`; `* / % DIV`; unary `- +`; postfix `[i]`, `.field`,
 * `::type`. Bitwise operators (`& | ^ ~ << >>`) are refused with a PARSE_ERROR.
 *
 * Every node carries its `span` in the source. Parsing is linear in the input (bounded lookahead,
 * no backtracking); nesting deeper than {@link MAX_NESTING} and trees deeper than
 * {@link MAX_TREE_DEPTH} are PARSE_ERRORs rather than stack overflows.
 */

export interface ParseOptions {
  /** IANA zone for zone-less `TIMESTAMP '…'` literals (Spark's session zone). Default UTC. */
  readonly timeZone?: string;
}

/** Syntactic nesting (parentheses, calls, subscripts, CASE) deeper than this is a PARSE_ERROR. */
export const MAX_NESTING = 1000;
/** Expression trees deeper than this (e.g. 2000 chained `+`) are a PARSE_ERROR. */
export const MAX_TREE_DEPTH = 1000;

/** Parses one SQL expression (the whole text); throws PARSE_ERROR pointing at the problem. */
export function parseExpression(source: string, options: ParseOptions = {}): Expr {
  return guardParse(source, () => {
    const p = new ExpressionParser(source, options);
    const e = p.parseExpression();
    p.expectEnd('AND, OR or end of input');
    return e;
  });
}

/** The same parser as {@link parseExpression}, under the name filters and `--where` use. */
export const parsePredicate = parseExpression;

/**
 * Runs a parse, turning a stack overflow (input nested beyond what the stack holds, despite the
 * nesting caps) into a PARSE_ERROR.
 */
export function guardParse<T>(source: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof RangeError && /call stack/i.test(e.message)) {
      throw parseError(source, 0, 'the text is nested too deeply to parse; split it into simpler parts', { cause: e });
    }
    throw e;
  }
}

/** What a binary operator token means, with its precedence (higher binds tighter). */
type BinaryOperator =
  | { readonly kind: 'comparison'; readonly op: ComparisonOp; readonly prec: 1 }
  | { readonly kind: 'arith'; readonly op: ArithmeticOp; readonly prec: 6 | 7 }
  | { readonly kind: 'concat'; readonly prec: 6 }
  | { readonly kind: 'unsupported'; readonly prec: number };

const COMPARISON_OPS: Readonly<Record<string, ComparisonOp>> = {
  '=': '=', '==': '=', '!=': '!=', '<>': '!=', '<': '<', '<=': '<=', '!>': '<=', '>': '>', '>=': '>=', '!<': '>=', '<=>': '<=>',
};
const UNSUPPORTED_PREC: Readonly<Record<string, number>> = { '|': 2, '^': 3, '&': 4, '<<': 5, '>>': 5, '>>>': 5 };
const PREDICATE_WORDS = new Set(['BETWEEN', 'IN', 'LIKE', 'ILIKE', 'RLIKE', 'REGEXP']);

/** What {@link ExpressionParser.fail} says is expected where an expression must start. */
export const EXPECTED_OPERAND = 'a column name, literal or (';

/**
 * A parser over one source text: the expression grammar plus the token-level helpers a statement
 * grammar needs (the DML parser of `@deltakit/merge` is built on it). Methods that parse consume
 * tokens from the current one; `parseExpression` stops at the first token that cannot continue
 * the expression and leaves it current.
 */
export class ExpressionParser {
  readonly source: string;
  readonly timeZone: string;
  private readonly lexer: Lexer;
  /** Lexed tokens not consumed yet (lookahead). */
  private readonly ahead: Token[] = [];
  private consumedEnd = 0;
  private nesting = 0;
  private readonly depths = new WeakMap<Expr, number>();

  constructor(source: string, options: ParseOptions = {}) {
    this.source = source;
    this.timeZone = options.timeZone ?? 'UTC';
    validateTimeZone(this.timeZone);
    this.lexer = new Lexer(source);
  }

  // ---- tokens ------------------------------------------------------------------------------

  /** The current token. */
  get token(): Token {
    return this.peek(0);
  }

  /** The token `k` places after the current one (`eof` past the end). */
  peek(k = 1): Token {
    while (this.ahead.length <= k) {
      const last = this.ahead[this.ahead.length - 1];
      if (last?.kind === 'eof') return last;
      this.ahead.push(this.lexer.next());
    }
    return this.ahead[k]!;
  }

  /** Consumes and returns the current token (the `eof` token is never consumed). */
  advance(): Token {
    const t = this.peek(0);
    if (t.kind !== 'eof') {
      this.ahead.shift();
      this.consumedEnd = t.end;
    }
    return t;
  }

  /** End offset of the last consumed token: the end of what has been parsed. */
  get lastEnd(): number {
    return this.consumedEnd;
  }

  /** Continues after offset `pos` (used after parsing a span with another parser). */
  private resumeAt(pos: number): void {
    this.ahead.length = 0;
    this.lexer.reset(pos);
    this.consumedEnd = pos;
  }

  /** True when `t` is the unquoted keyword `word` (upper case), in any letter case. */
  isKeyword(word: string, t: Token = this.token): boolean {
    return t.kind === 'ident' && !t.quoted && t.text.length === word.length && t.text.toUpperCase() === word;
  }

  /** Consumes the current token when it is one of the keywords; returns the keyword matched. */
  acceptKeyword(...words: string[]): string | undefined {
    const word = words.find((w) => this.isKeyword(w));
    if (word !== undefined) this.advance();
    return word;
  }

  /** Consumes keyword `word` or fails saying it was expected (`what` describes it). */
  expectKeyword(word: string, what: string = word): Token {
    if (!this.isKeyword(word)) this.fail(what);
    return this.advance();
  }

  isOp(op: string, t: Token = this.token): boolean {
    return t.kind === 'op' && t.text === op;
  }

  acceptOp(op: string): boolean {
    if (!this.isOp(op)) return false;
    this.advance();
    return true;
  }

  expectOp(op: string, what = `'${op}'`): Token {
    if (!this.isOp(op)) this.fail(what);
    return this.advance();
  }

  /** Fails unless the input is at its end. */
  expectEnd(what: string): void {
    if (this.token.kind !== 'eof') this.fail(what);
  }

  /** A PARSE_ERROR at offset `pos` of the source. */
  error(pos: number, message: string): DeltaError {
    return parseError(this.source, pos, message);
  }

  /** Throws a PARSE_ERROR at `at`: "expected `expected`, found <token>". */
  fail(expected: string, at: Token = this.token): never {
    throw this.error(at.pos, `expected ${expected}, found ${describeToken(at)}`);
  }

  /** A name: an identifier, plain or back-quoted. */
  expectName(what: string): { name: string; quoted: boolean; span: Span } {
    const t = this.token;
    if (t.kind !== 'ident') this.fail(what);
    this.advance();
    return { name: t.text, quoted: t.quoted, span: [t.pos, t.end] };
  }

  /**
   * A dotted name `a.b.c` (Spark's multipartIdentifier). A name written with `-` (`my-col`) is
   * refused with a hint to back-quote it, as Spark does.
   */
  parseMultipartName(what: string): { parts: string[]; span: Span } {
    const first = this.expectName(what);
    const parts = [first.name];
    let end = first.span[1];
    for (;;) {
      if (this.isOp('-') && this.peek().kind === 'ident' && this.peek().pos === this.token.end && this.token.pos === end) {
        throw this.error(first.span[0], `'${this.source.slice(first.span[0], this.peek().end)}' is not a valid name: back-quote names that contain '-' (\`${parts.join('.')}-${this.peek().text}\`)`);
      }
      if (!this.isOp('.')) return { parts, span: [first.span[0], end] };
      this.advance();
      const next = this.expectName('a name after .');
      parts.push(next.name);
      end = next.span[1];
    }
  }

  /** A data type (Spark DDL: `INT`, `DECIMAL(10,2)`, `ARRAY<STRING>`, …) starting at the current token. */
  parseType(): DataType {
    const start = this.token;
    if (start.kind === 'eof') this.fail('a data type');
    const { type, end } = parseDdlTypeAt(this.source, start.pos, { error: (pos, problem) => this.error(pos, problem) });
    this.resumeAt(end);
    return type;
  }

  // ---- nodes ---------------------------------------------------------------------------------

  /** `node` with span `[start, end)`, checked against {@link MAX_TREE_DEPTH}. */
  make(node: Expr, start: number, end: number = this.consumedEnd): Expr {
    const e = { ...node, span: [start, end] as Span } as Expr;
    let depth = 0;
    for (const c of childrenOf(e)) depth = Math.max(depth, this.depths.get(c) ?? 1);
    if (depth + 1 > MAX_TREE_DEPTH) {
      throw this.error(start, `the expression is nested more than ${MAX_TREE_DEPTH} levels deep; split it into simpler expressions`);
    }
    this.depths.set(e, depth + 1);
    return e;
  }

  /** Counts one level of syntactic nesting; callers pair it with {@link leave}. */
  enter(): void {
    if (++this.nesting > MAX_NESTING) {
      throw this.error(this.token.pos, `the expression nests more than ${MAX_NESTING} levels deep (parentheses, calls, CASE, subscripts); split it into simpler expressions`);
    }
  }

  leave(): void {
    this.nesting--;
  }

  // ---- grammar -------------------------------------------------------------------------------

  /**
   * One expression (Spark's `expression`/`booleanExpression`) starting at the current token:
   * ORs of ANDs of optionally negated (`NOT`, `!`) predicates. Chains of AND / OR become one
   * n-ary node. Prefixes and operators are looped over, not recursed into, so that one level of
   * parentheses costs few stack frames.
   */
  parseExpression(): Expr {
    const start = this.token.pos;
    const ors: Expr[] = [];
    do {
      const andStart = this.token.pos;
      const ands: Expr[] = [];
      do {
        const prefixes: number[] = [];
        while (this.isKeyword('NOT') || this.isOp('!')) prefixes.push(this.advance().pos);
        if (this.isKeyword('EXISTS') && this.isOp('(', this.peek()) && /^(SELECT|WITH|FROM|VALUES|TABLE)$/i.test(this.peek(2).text)) throw this.subqueryError(this.token.pos);
        const valueStart = this.token.pos;
        let e = this.parseValue();
        if (this.predicateAhead()) e = this.parsePredicate(e, valueStart);
        for (let k = prefixes.length - 1; k >= 0; k--) e = this.make(not(e), prefixes[k]!);
        ands.push(e);
      } while (this.acceptKeyword('AND'));
      ors.push(ands.length === 1 ? ands[0]! : this.make(and(...ands), andStart));
    } while (this.acceptKeyword('OR'));
    return ors.length === 1 ? ors[0]! : this.make(or(...ors), start);
  }

  /** True when a predicate (`BETWEEN`, `IN`, `LIKE`, `IS`, …, optionally after NOT) follows. */
  private predicateAhead(): boolean {
    const t = this.token;
    if (t.kind !== 'ident' && !this.isOp('!')) return false;
    const word = (x: Token): string => (x.kind === 'ident' && !x.quoted ? x.text.toUpperCase() : '');
    if (this.isKeyword('NOT') || this.isOp('!')) return PREDICATE_WORDS.has(word(this.peek()));
    return PREDICATE_WORDS.has(word(t)) || word(t) === 'IS';
  }

  /** The predicate after `value` (`x BETWEEN …`, `x IS NULL`, …): at most one, as in Spark. */
  private parsePredicate(value: Expr, start: number): Expr {
    this.enter();
    const e = this.parsePredicateBody(value, start);
    this.leave();
    return e;
  }

  private parsePredicateBody(value: Expr, start: number): Expr {
    let negated = false;
    if (this.isKeyword('NOT') || this.isOp('!')) {
      this.advance();
      negated = true;
    }
    const wrap = (e: Expr): Expr => (negated ? this.make(not(e), start) : e);
    const word = this.acceptKeyword('BETWEEN', 'IN', 'LIKE', 'ILIKE', 'RLIKE', 'REGEXP', 'IS');
    switch (word) {
      case 'BETWEEN': {
        const lo = this.parseValue();
        this.expectKeyword('AND', 'AND in BETWEEN … AND …');
        const hi = this.parseValue();
        return wrap(this.make(and(this.make(cmp('>=', value, lo), start), this.make(cmp('<=', value, hi), start)), start));
      }
      case 'IN':
        return this.make(inList(value, this.parseInList(), negated), start);
      case 'LIKE':
      case 'ILIKE':
        return this.parseLike(value, word.toLowerCase(), negated, start);
      case 'RLIKE':
      case 'REGEXP':
        return wrap(this.make(call('rlike', value, this.parseValue()), start));
      default:
        return this.parseIs(value, start);
    }
  }

  private parseInList(): Expr[] {
    this.expectOp('(', "'(' after IN");
    if (this.startsQuery()) throw this.subqueryError(this.token.pos);
    const list = [this.parseExpression()];
    while (this.acceptOp(',')) list.push(this.parseExpression());
    this.expectOp(')', "',' or ')' in IN list");
    return list;
  }

  /** `LIKE pattern [ESCAPE 'c']`, or `LIKE ANY|SOME|ALL (p, …)` as an OR / AND of LIKEs. */
  private parseLike(value: Expr, fn: string, negated: boolean, start: number): Expr {
    const quantifier = this.acceptKeyword('ANY', 'SOME', 'ALL');
    if (quantifier !== undefined) {
      const open = this.expectOp('(', `'(' after ${fn.toUpperCase()} ${quantifier}`);
      if (this.isOp(')')) throw this.error(open.pos, `expected at least one pattern between '(' and ')' after ${fn.toUpperCase()} ${quantifier}`);
      const patterns = [this.parseExpression()];
      while (this.acceptOp(',')) patterns.push(this.parseExpression());
      this.expectOp(')', "',' or ')' in the pattern list");
      const likes = patterns.map((p) => {
        const like = this.make(call(fn, value, p), start);
        return negated ? this.make(not(like), start) : like;
      });
      if (likes.length === 1) return likes[0]!;
      return this.make(quantifier === 'ALL' ? and(...likes) : or(...likes), start);
    }
    const pattern = this.parseValue();
    const args = [value, pattern];
    if (this.isKeyword('ESCAPE')) {
      this.advance();
      const t = this.token;
      if (t.kind !== 'string') this.fail('a one-character string after ESCAPE');
      this.advance();
      if ([...t.text].length !== 1) throw this.error(t.pos, `the ESCAPE string must be one character, found '${t.text}'`);
      args.push(this.make(lit(t.text), t.pos));
    }
    const like = this.make(call(fn, ...args), start);
    return negated ? this.make(not(like), start) : like;
  }

  /** `IS [NOT] NULL | TRUE | FALSE | UNKNOWN | DISTINCT FROM v` with Spark's meanings. */
  private parseIs(value: Expr, start: number): Expr {
    const negated = this.isKeyword('NOT') || this.isOp('!');
    if (negated) this.advance();
    const t = this.token;
    const word = this.acceptKeyword('NULL', 'UNKNOWN', 'TRUE', 'FALSE', 'DISTINCT');
    const wrapIf = (cond: boolean, e: Expr): Expr => (cond ? this.make(not(e), start) : e);
    switch (word) {
      case 'NULL':
      case 'UNKNOWN':
        return this.make({ kind: 'isNull', arg: value, negated }, start);
      case 'TRUE':
      case 'FALSE':
        return wrapIf(negated, this.make(cmp('<=>', value, this.make(lit(word === 'TRUE'), t.pos)), start));
      case 'DISTINCT': {
        this.expectKeyword('FROM', 'FROM after IS DISTINCT');
        const other = this.parseValue();
        return wrapIf(!negated, this.make(cmp('<=>', value, other), start));
      }
      default:
        return this.fail(negated ? 'NULL, TRUE, FALSE, UNKNOWN or DISTINCT FROM after IS NOT' : 'NULL or NOT NULL (or TRUE, FALSE, UNKNOWN, DISTINCT FROM) after IS');
    }
  }

  /**
   * A value expression (Spark's `valueExpression`): operands joined by binary operators, left
   * associative, by precedence (comparisons loosest), reduced with explicit stacks so that long
   * or nested operator chains cost no stack frames. An operand is unary `-` / `+` prefixes over
   * a postfix expression; a `-` written right against a number is part of the literal (`-5`, as
   * Spark's `number` rule), with a space (`- 5`) it is a negation.
   */
  parseValue(): Expr {
    const operands: Expr[] = [];
    const starts: number[] = [];
    const ends: number[] = [];
    const ops: BinaryOperator[] = [];
    const reduce = (): void => {
      const right = operands.pop()!;
      const end = ends.pop()!;
      starts.pop();
      const left = operands.pop()!;
      ends.pop();
      operands.push(this.combine(ops.pop()!, left, right, starts[starts.length - 1]!, end));
      ends.push(end);
    };
    for (;;) {
      starts.push(this.token.pos);
      const negations: number[] = [];
      for (;;) {
        if (this.isOp('-') && !this.negativeNumberAhead()) negations.push(this.advance().pos);
        else if (this.isOp('+')) this.advance();
        else if (this.isOp('~')) throw this.error(this.token.pos, "the bitwise operator '~' is not supported");
        else break;
      }
      let operand = this.parsePostfix();
      for (let k = negations.length - 1; k >= 0; k--) operand = this.make({ kind: 'negate', arg: operand }, negations[k]!);
      operands.push(operand);
      ends.push(this.consumedEnd);
      const op = this.binaryOperator();
      if (op === undefined) break;
      const opToken = this.advance();
      if (op.kind === 'unsupported') {
        throw this.error(opToken.pos, `the bitwise operator '${opToken.text}' is not supported; use arithmetic or comparisons instead`);
      }
      while (ops.length > 0 && ops[ops.length - 1]!.prec >= op.prec) reduce();
      ops.push(op);
    }
    while (ops.length > 0) reduce();
    return operands[0]!;
  }

  private binaryOperator(): BinaryOperator | undefined {
    const t = this.token;
    if (t.kind === 'ident') return this.isKeyword('DIV') ? { kind: 'arith', op: 'div', prec: 7 } : undefined;
    if (t.kind !== 'op') return undefined;
    const comparison = COMPARISON_OPS[t.text];
    if (comparison !== undefined) return { kind: 'comparison', op: comparison, prec: 1 };
    switch (t.text) {
      case '+':
      case '-':
        return { kind: 'arith', op: t.text, prec: 6 };
      case '||':
        return { kind: 'concat', prec: 6 };
      case '*':
      case '/':
      case '%':
        return { kind: 'arith', op: t.text, prec: 7 };
      default: {
        const prec = UNSUPPORTED_PREC[t.text];
        return prec === undefined ? undefined : { kind: 'unsupported', prec };
      }
    }
  }

  private combine(op: BinaryOperator, left: Expr, right: Expr, start: number, end: number): Expr {
    switch (op.kind) {
      case 'comparison':
        return this.make(cmp(op.op, left, right), start, end);
      case 'concat':
        return this.make(call('concat', left, right), start, end);
      default: {
        // Two interval literals added are one interval literal (how printExpr writes an interval).
        const sum = op.kind === 'arith' && op.op === '+' ? addIntervals(left, right) : undefined;
        return this.make(sum ? lit(sum) : arith((op as { op: ArithmeticOp }).op, left, right), start, end);
      }
    }
  }

  /** True when the current token is a `-` written right against a number token. */
  negativeNumberAhead(): boolean {
    const next = this.peek();
    return this.isOp('-') && next.kind === 'number' && next.pos === this.token.end;
  }

  /** A primary expression followed by any number of `[index]`, `.name` and `::type`. */
  private parsePostfix(): Expr {
    const start = this.token.pos;
    this.enter();
    const t = this.token;
    let e = t.kind === 'ident' ? parseIdentifierPrimary(this, t) : this.isOp('(') ? this.parseParenthesized() : this.parseOtherPrimary();
    for (;;) {
      if (this.isOp('[')) {
        this.advance();
        const index = this.parseValue();
        this.expectOp(']', "']' to close the subscript");
        e = this.make({ kind: 'subscript', arg: e, index }, start);
      } else if (this.isOp('.')) {
        e = this.parseDereference(e, start);
      } else if (this.isOp('::')) {
        this.advance();
        e = this.make({ kind: 'cast', arg: e, to: this.parseType() }, start);
      } else if (this.isKeyword('COLLATE')) {
        throw this.error(this.token.pos, 'COLLATE is not supported');
      } else {
        this.leave();
        return e;
      }
    }
  }

  /** `(expr)`, or `(a, b, …)`: Spark's row constructor, a struct of the values. */
  private parseParenthesized(): Expr {
    const open = this.advance();
    if (this.startsQuery()) throw this.subqueryError(this.token.pos);
    const first = this.parseExpression();
    if (this.isKeyword('AS')) throw this.error(this.token.pos, 'aliases (AS name) are not supported inside expressions');
    let e = first;
    if (this.isOp(',')) {
      const items = [first];
      while (this.acceptOp(',')) items.push(this.parseExpression());
      this.expectOp(')', "',' or ')'");
      e = this.make(call('struct', ...items), open.pos);
    } else {
      this.expectOp(')', "')'");
    }
    if (this.isOp('->')) throw this.error(open.pos, 'lambda functions (x -> …) are not supported');
    return e;
  }

  /** `.name` after an expression: extends a column path (`t.a.b`), else a struct field. */
  private parseDereference(e: Expr, start: number): Expr {
    this.advance();
    const t = this.token;
    if (this.isOp('*')) throw this.error(t.pos, `'${this.source.slice(start, t.end)}' (all fields) is not supported; name the columns`);
    if (t.kind !== 'ident') this.fail('a field name after .');
    this.advance();
    if (e.kind === 'column') {
      if (this.isOp('(')) throw this.error(start, `qualified function names ('${this.source.slice(start, t.end)}') are not supported; call the function by its name alone`);
      return this.make(col(...e.path, t.text), start);
    }
    return this.make({ kind: 'field', arg: e, name: t.text }, start);
  }

  /** Numbers, strings and the operators that may start a primary. */
  private parseOtherPrimary(): Expr {
    const t = this.token;
    if (t.kind === 'number') {
      this.advance();
      return this.make(lit(numberLiteral(t.text, false, (m) => this.error(t.pos, m))), t.pos);
    }
    if (t.kind === 'string') return this.parseStrings();
    if (this.negativeNumberAhead()) {
      this.advance();
      const n = this.advance();
      return this.make(lit(numberLiteral(n.text, true, (m) => this.error(t.pos, m))), t.pos);
    }
    if (this.isOp('*')) throw this.error(t.pos, "'*' is only allowed as the sole argument of a function, as in count(*)");
    if (this.isOp('?') || this.isOp(':')) throw this.error(t.pos, 'query parameters (? and :name) are not supported; write the value as a literal');
    return this.fail(EXPECTED_OPERAND);
  }

  /** Adjacent string literals are one string (`'a' "b"` is `'ab'`). */
  private parseStrings(): Expr {
    const start = this.token.pos;
    let text = '';
    while (this.token.kind === 'string') text += this.advance().text;
    return this.make(lit(text), start);
  }

  /** True when the current token starts a query (`SELECT …`, `WITH x AS …`). */
  startsQuery(): boolean {
    return this.isKeyword('SELECT') || ((this.isKeyword('WITH') || this.isKeyword('VALUES') || this.isKeyword('FROM')) && this.peek().kind === 'ident');
  }

  subqueryError(pos: number): DeltaError {
    return this.error(pos, 'subqueries are not supported in expressions; compute the values first and write them as literals (or, in MERGE, join through the ON condition)');
  }
}

/** A token as error messages show it. */
export function describeToken(t: Token): string {
  switch (t.kind) {
    case 'eof':
      return 'end of input';
    case 'string':
      return `the string '${t.text.length > 40 ? t.text.slice(0, 40) + '…' : t.text}'`;
    case 'ident':
      return t.quoted ? `\`${t.text}\`` : `'${t.text}'`;
    default:
      return `'${t.text}'`;
  }
}
