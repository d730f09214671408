import { call, col, lit, type CaseBranch, type Expr } from './ast.js';
import type { Token } from './lexer.js';
import type { ExpressionParser } from './parse.js';
import { fromToInterval, INTERVAL_UNITS, stringToInterval, typedLiteral, TYPED_LITERAL_KINDS } from './parse-literals.js';

/**
 * Primary expressions that start with a name: columns, function calls and Spark's special call
 * forms (`CASE`, `CAST`, `EXTRACT`, `SUBSTRING … FROM`, `TRIM … FROM`, `POSITION … IN`,
 * `OVERLAY … PLACING`), typed literals and intervals. Each function consumes its form from the
 * parser's current token.
 */

type IdentToken = Extract<Token, { kind: 'ident' }>;

/** Keywords that cannot be column names unquoted (back-quote them: `` `end` ``). */
const RESERVED = new Set(['AND', 'OR', 'NOT', 'IS', 'IN', 'BETWEEN', 'LIKE', 'ILIKE', 'RLIKE', 'REGEXP', 'CASE', 'WHEN', 'THEN', 'ELSE', 'END', 'NULL', 'TRUE', 'FALSE', 'DISTINCT', 'FROM', 'AS']);
/** Reserved words that are also function names (`like(a, b)`). */
const CALLABLE = new Set(['LIKE', 'ILIKE', 'RLIKE', 'REGEXP']);
/** Spark's `currentLike` names, calls when written without parentheses. */
const CURRENT_LIKE = new Set(['CURRENT_DATE', 'CURRENT_TIMESTAMP', 'CURRENT_USER', 'SESSION_USER']);
/** Spark's `datetimeUnit`, the first argument of TIMESTAMPADD / TIMESTAMPDIFF. */
const DATETIME_UNITS = new Set(['YEAR', 'QUARTER', 'MONTH', 'WEEK', 'DAY', 'DAYOFYEAR', 'HOUR', 'MINUTE', 'SECOND', 'MILLISECOND', 'MICROSECOND']);
const UNIT_CALLS: Readonly<Record<string, string>> = {
  timestampadd: 'timestampadd',
  dateadd: 'timestampadd',
  date_add: 'timestampadd',
  timestampdiff: 'timestampdiff',
  datediff: 'timestampdiff',
  date_diff: 'timestampdiff',
  timediff: 'timediff',
};
/** `EXTRACT(field FROM x)` fields (Spark's names and abbreviations) → the function computing it. */
const EXTRACT_FIELDS: Readonly<Record<string, string>> = {
  ...Object.fromEntries(['YEAR', 'Y', 'YEARS', 'YR', 'YRS'].map((f) => [f, 'year'])),
  ...Object.fromEntries(['QUARTER', 'QTR'].map((f) => [f, 'quarter'])),
  ...Object.fromEntries(['MONTH', 'MON', 'MONS', 'MONTHS'].map((f) => [f, 'month'])),
  ...Object.fromEntries(['WEEK', 'W', 'WEEKS'].map((f) => [f, 'weekofyear'])),
  ...Object.fromEntries(['DAY', 'D', 'DAYS'].map((f) => [f, 'dayofmonth'])),
  ...Object.fromEntries(['DAYOFWEEK', 'DOW'].map((f) => [f, 'dayofweek'])),
  DOY: 'dayofyear',
  ...Object.fromEntries(['HOUR', 'H', 'HOURS', 'HR', 'HRS'].map((f) => [f, 'hour'])),
  ...Object.fromEntries(['MINUTE', 'M', 'MIN', 'MINS', 'MINUTES'].map((f) => [f, 'minute'])),
  ...Object.fromEntries(['SECOND', 'S', 'SEC', 'SECONDS', 'SECS'].map((f) => [f, 'second'])),
};
const TRIM_FUNCTIONS: Readonly<Record<string, string>> = { BOTH: 'trim', LEADING: 'ltrim', TRAILING: 'rtrim' };
const TO_UNITS = new Set(['YEAR', 'MONTH', 'DAY', 'HOUR', 'MINUTE', 'SECOND']);

export function parseIdentifierPrimary(p: ExpressionParser, t: IdentToken): Expr {
  const next = p.peek();
  const isCall = p.isOp('(', next);
  if (t.quoted) return isCall ? parseFunctionCall(p, t.text.toLowerCase()) : column(p, t);
  const upper = t.text.toUpperCase();
  switch (upper) {
    case 'NULL':
    case 'TRUE':
    case 'FALSE':
      p.advance();
      return p.make(lit(upper === 'NULL' ? null : upper === 'TRUE'), t.pos);
    case 'CASE':
      return parseCase(p);
    default:
      break;
  }
  if (isCall) {
    switch (upper) {
      case 'CAST':
      case 'TRY_CAST':
        return parseCast(p, upper === 'TRY_CAST');
      case 'EXTRACT':
        return parseExtract(p);
      case 'SUBSTRING':
      case 'SUBSTR':
        return parseSubstring(p);
      case 'TRIM':
        return parseTrim(p);
      case 'POSITION':
        return parsePosition(p);
      case 'OVERLAY':
        return parseOverlay(p);
      default:
        break;
    }
  }
  if (next.kind === 'string') {
    if (TYPED_LITERAL_KINDS.has(upper)) return parseTypedLiteral(p, upper);
    if (upper === 'INTERVAL') return parseInterval(p);
    throw p.error(t.pos, `literals of type ${upper} are not supported; typed literals are DATE, TIMESTAMP, TIMESTAMP_NTZ, TIMESTAMP_LTZ, INTERVAL and X (binary)`);
  }
  if (upper === 'INTERVAL' && intervalValueAhead(p, 1)) return parseInterval(p);
  if (!isCall && CURRENT_LIKE.has(upper)) {
    p.advance();
    return p.make(call(upper.toLowerCase()), t.pos);
  }
  if (RESERVED.has(upper) && !(isCall && CALLABLE.has(upper))) {
    throw p.error(t.pos, `expected a column name, literal or (, found the keyword ${upper} (back-quote a column named so: \`${t.text}\`)`);
  }
  if (isCall) return parseFunctionCall(p, t.text.toLowerCase());
  return column(p, t);
}

function column(p: ExpressionParser, t: IdentToken): Expr {
  p.advance();
  if (p.isOp('->')) throw lambdaError(p, t.pos);
  return p.make(col(t.text), t.pos);
}

const lambdaError = (p: ExpressionParser, pos: number) => p.error(pos, 'lambda functions (x -> …) are not supported');

/** `name(args)`, `name(*)`; Spark's unit forms `TIMESTAMPADD(DAY, n, ts)` get the unit as a string. */
function parseFunctionCall(p: ExpressionParser, name: string): Expr {
  const start = p.advance().pos;
  p.expectOp('(');
  let args: Expr[];
  let star = false;
  let distinct = false;
  if (p.isOp('*') && p.isOp(')', p.peek())) {
    p.advance();
    p.advance();
    args = [];
    star = true;
  } else {
    if (p.isKeyword('DISTINCT') && !p.isOp(',', p.peek()) && !p.isOp(')', p.peek())) {
      p.advance();
      distinct = true;
    } else if (p.isKeyword('ALL') && !p.isOp(',', p.peek()) && !p.isOp(')', p.peek())) p.advance();
    args = [];
    if (!p.isOp(')')) do args.push(argument(p, name));
    while (p.acceptOp(','));
    p.expectOp(')', "',' or ')' after a function argument");
  }
  if (p.isKeyword('OVER') || p.isKeyword('WITHIN') || (p.isKeyword('FILTER') && p.isOp('(', p.peek()))) {
    throw p.error(p.token.pos, `${p.token.text.toUpperCase()} clauses (window and aggregate functions) are not supported`);
  }
  const unitCall = UNIT_CALLS[name];
  const unit = args[0];
  if (unitCall !== undefined && args.length === 3 && unit?.kind === 'column' && isUnitName(p, unit)) {
    args = [p.make(lit(unit.path[0]!.toUpperCase()), unit.span![0], unit.span![1]), args[1]!, args[2]!];
    name = unitCall;
  }
  return p.make(star ? { kind: 'call', name, args, star } : distinct ? { kind: 'call', name, args, distinct } : { kind: 'call', name, args }, start);
}

/** An unquoted one-part column named like a datetime unit (`DAY`), as Spark's `datetimeUnit`. */
function isUnitName(p: ExpressionParser, e: Expr): boolean {
  if (e.kind !== 'column' || e.path.length !== 1 || !e.span) return false;
  const text = p.source.slice(e.span[0], e.span[1]);
  return text === e.path[0] && DATETIME_UNITS.has(text.toUpperCase());
}

/** Comma-separated arguments up to (not including) `)`; `first` when already parsed. */
function callArguments(p: ExpressionParser, name: string, first?: Expr): Expr[] {
  const args = [first ?? argument(p, name)];
  while (p.acceptOp(',')) args.push(argument(p, name));
  return args;
}

function argument(p: ExpressionParser, name: string): Expr {
  const t = p.token;
  if (t.kind === 'ident' && p.isOp('=>', p.peek())) throw p.error(t.pos, `named arguments (${t.text} => …) are not supported; pass arguments by position`);
  const e = p.parseExpression();
  if (p.isKeyword('AS')) {
    throw p.error(p.token.pos, name === 'struct' ? "field names in struct(… AS name) are not supported; use named_struct('name', value, …)" : 'aliases (AS name) are not supported inside function arguments');
  }
  return e;
}

function parseCase(p: ExpressionParser): Expr {
  const start = p.advance().pos;
  const operand = p.isKeyword('WHEN') ? undefined : p.parseExpression();
  const branches: CaseBranch[] = [];
  while (p.acceptKeyword('WHEN')) {
    const when = p.parseExpression();
    p.expectKeyword('THEN', 'THEN after the WHEN condition');
    branches.push({ when, then: p.parseExpression() });
  }
  if (branches.length === 0) p.fail('WHEN in CASE');
  const otherwise = p.acceptKeyword('ELSE') ? p.parseExpression() : undefined;
  p.expectKeyword('END', branches.length > 0 && otherwise === undefined ? 'WHEN, ELSE or END in CASE' : 'END to close CASE');
  return p.make({ kind: 'case', ...(operand ? { operand } : {}), branches, ...(otherwise ? { otherwise } : {}) }, start);
}

function parseCast(p: ExpressionParser, isTry: boolean): Expr {
  const start = p.advance().pos;
  p.expectOp('(');
  const arg = p.parseExpression();
  p.expectKeyword('AS', 'AS and a type in CAST');
  const to = p.parseType();
  p.expectOp(')', `')' to close ${isTry ? 'TRY_CAST' : 'CAST'}`);
  return p.make(isTry ? { kind: 'cast', arg, to, mode: 'try' } : { kind: 'cast', arg, to }, start);
}

function parseExtract(p: ExpressionParser): Expr {
  const start = p.advance().pos;
  p.expectOp('(');
  const field = p.token;
  if (field.kind !== 'ident') p.fail('a field to EXTRACT (YEAR, QUARTER, MONTH, WEEK, DAY, DAYOFWEEK, DOY, HOUR, MINUTE, SECOND)');
  const fn = EXTRACT_FIELDS[field.text.toUpperCase()];
  if (fn === undefined) throw p.error(field.pos, `'${field.text}' is not a field EXTRACT supports; use YEAR, QUARTER, MONTH, WEEK, DAY, DAYOFWEEK, DOY, HOUR, MINUTE or SECOND`);
  p.advance();
  p.expectKeyword('FROM', 'FROM in EXTRACT(field FROM value)');
  const source = p.parseValue();
  p.expectOp(')', "')' to close EXTRACT");
  // Spark's EXTRACT is date_part: SECOND keeps its fraction (DECIMAL(8,6)), unlike second().
  return p.make(call('date_part', { kind: 'literal', value: field.text.toUpperCase(), span: [field.pos, field.pos + field.text.length] }, source), start);
}

/** `SUBSTRING(s FROM p [FOR l])`, also with commas (`substring(s, p, l)`). */
function parseSubstring(p: ExpressionParser): Expr {
  const nameTok = p.token;
  const start = p.advance().pos;
  const name = nameTok.text.toLowerCase();
  p.expectOp('(');
  const args = [argument(p, name)];
  if (p.acceptKeyword('FROM') || p.acceptOp(',')) {
    args.push(argument(p, name));
    if (p.acceptKeyword('FOR') || p.acceptOp(',')) args.push(...callArguments(p, name));
  }
  p.expectOp(')', `')' to close ${name.toUpperCase()}`);
  return p.make(call(name, ...args), start);
}

/**
 * `TRIM([BOTH|LEADING|TRAILING] [chars] FROM s)` → `trim`/`ltrim`/`rtrim([chars, ]s)` (the
 * function form's argument order: trim characters first), or the plain call as written.
 */
function parseTrim(p: ExpressionParser): Expr {
  const start = p.advance().pos;
  p.expectOp('(');
  const t = p.token;
  const mode = t.kind === 'ident' && !t.quoted ? TRIM_FUNCTIONS[t.text.toUpperCase()] : undefined;
  if (mode !== undefined && !p.isOp(',', p.peek()) && !p.isOp(')', p.peek())) {
    p.advance();
    const chars = p.acceptKeyword('FROM') ? undefined : p.parseExpression();
    if (chars !== undefined) p.expectKeyword('FROM', `FROM in TRIM(${t.text.toUpperCase()} … FROM string)`);
    const source = p.parseExpression();
    p.expectOp(')', "')' to close TRIM");
    return p.make(chars ? call(mode, chars, source) : call(mode, source), start);
  }
  const first = argument(p, 'trim');
  if (p.acceptKeyword('FROM')) {
    const source = p.parseExpression();
    p.expectOp(')', "')' to close TRIM");
    return p.make(call('trim', first, source), start);
  }
  const args = callArguments(p, 'trim', first);
  p.expectOp(')', "',' or ')' after a function argument");
  return p.make(call('trim', ...args), start);
}

/** `POSITION(sub IN s)` → `locate(sub, s)`; `position(sub, s[, from])` stays a call. */
function parsePosition(p: ExpressionParser): Expr {
  const start = p.advance().pos;
  p.expectOp('(');
  const first = p.parseValue();
  if (p.acceptKeyword('IN')) {
    const str = p.parseValue();
    p.expectOp(')', "')' to close POSITION");
    return p.make(call('locate', first, str), start);
  }
  if (!p.isOp(',') && !p.isOp(')')) p.fail("IN, ',' or ')' in POSITION");
  const args = callArguments(p, 'position', first);
  p.expectOp(')', "',' or ')' after a function argument");
  return p.make(call('position', ...args), start);
}

/** `OVERLAY(s PLACING r FROM p [FOR l])` → `overlay(s, r, p[, l])`. */
function parseOverlay(p: ExpressionParser): Expr {
  const start = p.advance().pos;
  p.expectOp('(');
  const input = argument(p, 'overlay');
  let args: Expr[];
  if (p.acceptKeyword('PLACING')) {
    const replace = p.parseExpression();
    p.expectKeyword('FROM', 'FROM in OVERLAY(… PLACING … FROM position)');
    const position = p.parseExpression();
    args = p.acceptKeyword('FOR') ? [input, replace, position, p.parseExpression()] : [input, replace, position];
  } else {
    args = callArguments(p, 'overlay', input);
  }
  p.expectOp(')', "')' to close OVERLAY");
  return p.make(call('overlay', ...args), start);
}

function parseTypedLiteral(p: ExpressionParser, kind: string): Expr {
  const start = p.advance().pos;
  const s = p.advance();
  return p.make(lit(typedLiteral(kind, s.text, p.timeZone, (m) => p.error(s.pos, m))), start);
}

// ---- intervals --------------------------------------------------------------------------------

const unitOf = (t: Token): string | undefined => {
  if (t.kind !== 'ident' || t.quoted) return undefined;
  const word = t.text.toLowerCase();
  if (INTERVAL_UNITS.has(word)) return word;
  if (word.endsWith('s') && INTERVAL_UNITS.has(word.slice(0, -1))) return word.slice(0, -1);
  return word === 'nanosecond' || word === 'nanoseconds' ? 'nanosecond' : undefined;
};

/** True when the tokens from `k` on are an interval value (`[+|-] number|'string'`) and a unit. */
function intervalValueAhead(p: ExpressionParser, k: number): boolean {
  let t = p.peek(k);
  if (p.isOp('-', t) || p.isOp('+', t)) t = p.peek(++k);
  if (t.kind !== 'number' && t.kind !== 'string') return false;
  return unitOf(p.peek(k + 1)) !== undefined;
}

/**
 * `INTERVAL 1 DAY 2 HOURS`, `INTERVAL '10' MINUTE`, `INTERVAL -1.5 SECONDS`,
 * `INTERVAL '1-2' YEAR TO MONTH`, `INTERVAL '1 02:03:04' DAY TO SECOND`, `INTERVAL '1 day 2 hours'`.
 */
function parseInterval(p: ExpressionParser): Expr {
  const start = p.advance().pos;
  if (p.token.kind === 'string' && unitOf(p.peek()) === undefined) {
    const s = p.advance();
    return p.make(lit(intervalOrFail(p, s.pos, stringToInterval(s.text))), start);
  }
  let text = '';
  for (let first = true; first || intervalValueAhead(p, 0); first = false) {
    const valueStart = p.token.pos;
    const value = intervalValue(p);
    const unitTok = p.token;
    const unit = unitOf(unitTok);
    if (unit === undefined) p.fail('an interval unit (YEAR, MONTH, WEEK, DAY, HOUR, MINUTE, SECOND, MILLISECOND, MICROSECOND)');
    if (unit === 'nanosecond') throw p.error(unitTok.pos, 'NANOSECOND intervals are not supported; use MICROSECOND');
    p.advance();
    if (p.isKeyword('TO')) {
      if (!first) throw p.error(valueStart, 'an interval literal takes either units (1 DAY 2 HOURS) or one FROM TO range, not both');
      return finishFromTo(p, start, value, unitTok);
    }
    if (value.quoted && /\p{L}/u.test(value.text)) throw p.error(valueStart, `the interval value '${value.text}' must be a number, with the unit after the quote: INTERVAL '10' MINUTE`);
    text += ` ${value.text} ${unit}`;
  }
  return p.make(lit(intervalOrFail(p, start, stringToInterval(text))), start);
}

function finishFromTo(p: ExpressionParser, start: number, value: { text: string; quoted: boolean; pos: number }, fromTok: Token): Expr {
  p.advance();
  const toTok = p.token;
  const from = fromTok.text.toUpperCase();
  const to = toTok.kind === 'ident' && !toTok.quoted ? toTok.text.toUpperCase() : '';
  if (!TO_UNITS.has(from)) throw p.error(fromTok.pos, `expected YEAR, MONTH, DAY, HOUR, MINUTE or SECOND before TO, found '${fromTok.text}'`);
  if (!TO_UNITS.has(to)) p.fail('YEAR, MONTH, DAY, HOUR, MINUTE or SECOND after TO');
  p.advance();
  if (!value.quoted) throw p.error(value.pos, `the value of INTERVAL … ${from} TO ${to} must be a string, as in INTERVAL '1-2' YEAR TO MONTH or INTERVAL '1 02:03:04' DAY TO SECOND`);
  if (intervalValueAhead(p, 0)) throw p.error(p.token.pos, 'an interval literal takes one FROM TO range and nothing after it');
  return p.make(lit(intervalOrFail(p, value.pos, fromToInterval(value.text, from.toLowerCase(), to.toLowerCase()))), start);
}

/** `[+|-] (integer | decimal | 'string')`, the sign applied to the text. */
function intervalValue(p: ExpressionParser): { text: string; quoted: boolean; pos: number } {
  const pos = p.token.pos;
  const negative = p.isOp('-');
  if (negative || p.isOp('+')) p.advance();
  const t = p.token;
  if (t.kind === 'string') {
    p.advance();
    const text = t.text.trim();
    return { text: negative ? (text.startsWith('-') ? text.slice(1) : '-' + text.replace(/^\+/, '')) : text, quoted: true, pos };
  }
  if (t.kind !== 'number' || !/^(\d+\.?\d*|\.\d+)$/.test(t.text)) p.fail('an interval value (a number or a quoted number)');
  p.advance();
  return { text: (negative ? '-' : '') + t.text, quoted: false, pos };
}

function intervalOrFail<T>(p: ExpressionParser, pos: number, result: T | string): T {
  if (typeof result === 'string') throw p.error(pos, `invalid interval: ${result}`);
  return result;
}
