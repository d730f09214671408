import type { Expr } from '@deltakit/core';
import { parseTimestampParts, type ExpressionParser } from '@deltakit/core/internal';
import type { ChangeBound, FromItem, Query, QueryBody, SelectCore, SelectItem, SelectStatement, SortItem, SqlJoinType, TimeTravel } from './ast.js';
import { integerLiteral, singleName, tableRef } from './parse-common.js';

/**
 * `SELECT` queries in Spark SQL syntax, over path tables and files:
 *
 * ```
 * query    := term ((UNION [ALL | DISTINCT]) term)* [ORDER BY key, …] [LIMIT n | LIMIT ALL]
 * term     := SELECT [DISTINCT | ALL] item, … [FROM from] [WHERE cond] [GROUP BY e, …] [HAVING cond] | ( query )
 * item     := * | t.* | expr [[AS] alias]
 * from     := joined, …                       (a comma is a cross join)
 * joined   := primary ([INNER | CROSS | LEFT [OUTER] | RIGHT [OUTER] | FULL [OUTER] | [LEFT] SEMI | [LEFT] ANTI] JOIN primary [ON cond | USING (c, …)])*
 * primary  := delta.`path` [[FOR] VERSION AS OF n | [FOR] TIMESTAMP AS OF 'ts'] [[AS] t]
 *           | parquet.`path` | json.`path` | csv.`path` [[AS] t]
 *           | table_changes('path', start[, end]) [[AS] t]      (start/end: a version or a timestamp string)
 *           | ( query ) [AS] t
 * key      := expr [ASC | DESC] [NULLS FIRST | NULLS LAST]
 * ```
 *
 * Keywords are case-insensitive; expressions use the core grammar, where aggregate calls may take
 * `DISTINCT` (`count(DISTINCT x)`). Names are resolved when the query is planned, not here.
 */
export function parseSelect(p: ExpressionParser): SelectStatement {
  const start = p.token.pos;
  const query = new SelectParser(p).query();
  return { kind: 'select', query, span: [start, p.lastEnd] };
}

/** Words that end a select item or a relation, so never an alias written without AS (Spark's reserved words there). */
const CLAUSE_WORDS = new Set([
  'FROM', 'WHERE', 'GROUP', 'HAVING', 'ORDER', 'LIMIT', 'OFFSET', 'UNION', 'EXCEPT', 'INTERSECT', 'MINUS', 'WINDOW', 'CLUSTER', 'DISTRIBUTE', 'SORT', 'LATERAL',
  'JOIN', 'INNER', 'LEFT', 'RIGHT', 'FULL', 'CROSS', 'SEMI', 'ANTI', 'NATURAL', 'ON', 'USING', 'AS', 'PIVOT', 'UNPIVOT', 'TABLESAMPLE', 'FOR', 'VERSION', 'TIMESTAMP',
]);
const MAX_LIMIT = 2 ** 31 - 1;
const MAX_VERSION = Number.MAX_SAFE_INTEGER;

class SelectParser {
  constructor(private readonly p: ExpressionParser) {}

  query(): Query {
    const p = this.p;
    const start = p.token.pos;
    let body: QueryBody = this.term();
    while (p.isKeyword('UNION') || p.isKeyword('EXCEPT') || p.isKeyword('INTERSECT') || p.isKeyword('MINUS')) {
      const op = p.advance();
      if (op.text.toUpperCase() !== 'UNION') throw p.error(op.pos, `${op.text.toUpperCase()} is not supported; only UNION [ALL] combines queries`);
      const quantifier = p.acceptKeyword('ALL', 'DISTINCT');
      const right = this.term();
      body = { kind: 'union', all: quantifier === 'ALL', left: body, right, span: [start, p.lastEnd] };
    }
    const orderBy: SortItem[] = [];
    if (p.isKeyword('ORDER')) {
      p.advance();
      p.expectKeyword('BY', 'BY after ORDER');
      do orderBy.push(this.sortItem());
      while (p.acceptOp(','));
    }
    let limit: number | undefined;
    if (p.acceptKeyword('LIMIT')) {
      if (!p.acceptKeyword('ALL')) limit = integerLiteral(p, 'the number of rows (an integer) or ALL after LIMIT', 'LIMIT', MAX_LIMIT);
    }
    if (p.isKeyword('OFFSET')) throw p.error(p.token.pos, 'OFFSET is not supported; use ORDER BY with LIMIT');
    return { kind: 'query', body, orderBy, ...(limit === undefined ? {} : { limit }), span: [start, p.lastEnd] };
  }

  private term(): QueryBody {
    const p = this.p;
    if (p.isOp('(')) {
      p.advance();
      const q = this.query();
      p.expectOp(')', "')' after the query");
      return q;
    }
    if (!p.isKeyword('SELECT')) return p.fail(p.isKeyword('VALUES') || p.isKeyword('TABLE') || p.isKeyword('FROM') ? 'SELECT (VALUES, TABLE and FROM-first queries are not supported)' : 'SELECT');
    const start = p.advance().pos;
    const distinct = p.acceptKeyword('DISTINCT', 'ALL') === 'DISTINCT';
    const items: SelectItem[] = [];
    do items.push(this.selectItem());
    while (p.acceptOp(','));
    const from = p.acceptKeyword('FROM') ? this.from() : undefined;
    const where = p.acceptKeyword('WHERE') ? p.parseExpression() : undefined;
    const groupBy: Expr[] = [];
    if (p.isKeyword('GROUP')) {
      p.advance();
      p.expectKeyword('BY', 'BY after GROUP');
      if (p.isKeyword('GROUPING') || ((p.isKeyword('ROLLUP') || p.isKeyword('CUBE')) && p.isOp('(', p.peek()))) {
        throw p.error(p.token.pos, `${p.token.text.toUpperCase()} is not supported; group by plain expressions`);
      }
      if (p.isKeyword('ALL') && !p.isOp('(', p.peek())) throw p.error(p.token.pos, 'GROUP BY ALL is not supported; list the grouping expressions');
      do groupBy.push(p.parseExpression());
      while (p.acceptOp(','));
    }
    const having = p.acceptKeyword('HAVING') ? p.parseExpression() : undefined;
    for (const word of ['WINDOW', 'CLUSTER', 'DISTRIBUTE', 'SORT', 'QUALIFY']) {
      if (p.isKeyword(word)) throw p.error(p.token.pos, `${word} clauses are not supported`);
    }
    const core: SelectCore = {
      kind: 'core',
      distinct,
      items,
      ...(from === undefined ? {} : { from }),
      ...(where === undefined ? {} : { where }),
      groupBy,
      ...(having === undefined ? {} : { having }),
      span: [start, p.lastEnd],
    };
    return core;
  }

  private selectItem(): SelectItem {
    const p = this.p;
    const t = p.token;
    if (p.isOp('*')) {
      p.advance();
      return { kind: 'star', span: [t.pos, p.lastEnd] };
    }
    if (t.kind === 'ident' && p.isOp('.', p.peek()) && p.isOp('*', p.peek(2))) {
      p.advance();
      p.advance();
      p.advance();
      return { kind: 'star', qualifier: t.text, span: [t.pos, p.lastEnd] };
    }
    const expr = p.parseExpression();
    const alias = this.alias();
    if (alias === undefined && p.isOp('(')) throw p.error(p.token.pos, `expected ',' or FROM after the select item, found '('`);
    return { kind: 'expr', expr, ...(alias === undefined ? {} : { alias }), span: [t.pos, p.lastEnd] };
  }

  private sortItem(): SortItem {
    const p = this.p;
    const start = p.token.pos;
    const expr = p.parseExpression();
    const direction = p.acceptKeyword('ASC', 'DESC');
    let nullsFirst: boolean | undefined;
    if (p.acceptKeyword('NULLS')) {
      const where = p.acceptKeyword('FIRST', 'LAST');
      if (where === undefined) p.fail('FIRST or LAST after NULLS');
      nullsFirst = where === 'FIRST';
    }
    return { expr, ascending: direction !== 'DESC', ...(nullsFirst === undefined ? {} : { nullsFirst }), span: [start, p.lastEnd] };
  }

  private from(): FromItem {
    const p = this.p;
    const start = p.token.pos;
    let item = this.joined();
    while (p.acceptOp(',')) {
      const right = this.joined();
      item = { kind: 'join', type: 'cross', left: item, right, span: [start, p.lastEnd] };
    }
    return item;
  }

  private joined(): FromItem {
    const p = this.p;
    const start = p.token.pos;
    let item = this.primary();
    for (;;) {
      const t = p.token;
      if (p.isKeyword('NATURAL')) throw p.error(t.pos, 'NATURAL joins are not supported; write the join condition with ON or USING');
      const type = this.joinType();
      if (type === undefined) return item;
      const right = this.primary();
      let on: Expr | undefined;
      let using: string[] | undefined;
      if (p.acceptKeyword('ON')) on = p.parseExpression();
      else if (p.acceptKeyword('USING')) {
        p.expectOp('(', "'(' and the columns after USING");
        using = [];
        do using.push(singleName(p, 'a column name', 'USING takes top-level column names').name);
        while (p.acceptOp(','));
        p.expectOp(')', "',' or ')' after the column");
      } else if (type !== 'cross' && type !== 'inner') {
        p.fail(`ON <condition> or USING (columns) after the ${type.toUpperCase()} JOIN`);
      }
      if (type === 'cross' && (on !== undefined || using !== undefined)) throw p.error(t.pos, 'a CROSS JOIN takes no condition; use JOIN … ON for a condition');
      item = { kind: 'join', type: on === undefined && using === undefined && type === 'inner' ? 'cross' : type, left: item, right, ...(on ? { on } : {}), ...(using ? { using } : {}), span: [start, p.lastEnd] };
    }
  }

  /** The join keywords up to and including JOIN, or undefined when no join follows. */
  private joinType(): SqlJoinType | undefined {
    const p = this.p;
    const join = (type: SqlJoinType): SqlJoinType => {
      p.expectKeyword('JOIN', `JOIN after ${type.toUpperCase()}`);
      return type;
    };
    if (p.acceptKeyword('JOIN')) return 'inner';
    if (p.acceptKeyword('INNER')) return join('inner');
    if (p.acceptKeyword('CROSS')) return join('cross');
    if (p.acceptKeyword('SEMI')) return join('semi');
    if (p.acceptKeyword('ANTI')) return join('anti');
    const side = p.isKeyword('LEFT') || p.isKeyword('RIGHT') || p.isKeyword('FULL') ? p.advance().text.toUpperCase() : undefined;
    if (side === undefined) return undefined;
    if (side === 'LEFT') {
      const kind = p.acceptKeyword('SEMI', 'ANTI');
      if (kind !== undefined) return join(kind === 'SEMI' ? 'semi' : 'anti');
    }
    p.acceptKeyword('OUTER');
    return join(side === 'LEFT' ? 'left' : side === 'RIGHT' ? 'right' : 'full');
  }

  private primary(): FromItem {
    const p = this.p;
    const t = p.token;
    if (p.isOp('(')) {
      if (!(p.isKeyword('SELECT', p.peek()) || p.isOp('(', p.peek()))) throw p.error(p.peek().pos, `expected SELECT after '(' in FROM, found ${describeToken(p, p.peek())}`);
      p.advance();
      const query = this.query();
      p.expectOp(')', "')' after the subquery");
      const alias = this.alias();
      return { kind: 'subquery', query, ...(alias === undefined ? {} : { alias }), span: [t.pos, p.lastEnd] };
    }
    if (t.kind === 'ident' && !t.quoted && t.text.toLowerCase() === 'table_changes' && p.isOp('(', p.peek())) return this.tableChanges();
    const table = tableRef(p, 'source', 'SELECT');
    let timeTravel: TimeTravel | undefined;
    if (this.temporalAhead()) {
      if (table.format !== 'delta') throw p.error(p.token.pos, `time travel (VERSION AS OF, TIMESTAMP AS OF) applies to Delta tables only, not ${table.format}.\`…\``);
      timeTravel = this.temporal();
    }
    const alias = this.alias();
    return { kind: 'table', table, ...(timeTravel ? { timeTravel } : {}), ...(alias === undefined ? {} : { alias }), span: [t.pos, p.lastEnd] };
  }

  private temporalAhead(): boolean {
    const p = this.p;
    const k = p.isKeyword('FOR') ? 1 : 0;
    const word = p.peek(k);
    const isTime = ['VERSION', 'SYSTEM_VERSION', 'TIMESTAMP', 'SYSTEM_TIME'].some((w) => p.isKeyword(w, word));
    return isTime && p.isKeyword('AS', p.peek(k + 1)) && p.isKeyword('OF', p.peek(k + 2));
  }

  /** `[FOR] (VERSION | SYSTEM_VERSION) AS OF <n>` or `[FOR] (TIMESTAMP | SYSTEM_TIME) AS OF '<timestamp>'`. */
  private temporal(): TimeTravel {
    const p = this.p;
    p.acceptKeyword('FOR');
    const kind = p.advance().text.toUpperCase();
    p.advance();
    p.advance();
    if (kind === 'VERSION' || kind === 'SYSTEM_VERSION') return { version: this.version('the version to read (an integer)') };
    return { timestamp: this.timestamp('the timestamp to read as a quoted string, e.g. \'2024-01-31 12:00:00\'') };
  }

  private version(what: string): number {
    const p = this.p;
    const t = p.token;
    if (t.kind !== 'string') return integerLiteral(p, what, 'a table version', MAX_VERSION);
    if (!/^[0-9]+$/.test(t.text)) throw p.error(t.pos, `expected ${what}, found the string '${t.text}'`);
    p.advance();
    return Number(t.text);
  }

  private timestamp(what: string): string {
    const p = this.p;
    const t = p.token;
    if (t.kind !== 'string') p.fail(what);
    if (parseTimestampParts(t.text) === undefined) {
      throw p.error(t.pos, `'${t.text}' is not a timestamp; write it as 'yyyy-MM-dd', 'yyyy-MM-dd HH:mm:ss[.ffffff]' or with a zone offset, e.g. '2024-01-31 12:00:00Z'`);
    }
    p.advance();
    return t.text;
  }

  /** `table_changes('path', start[, end])`: a start or end is a version (integer) or a timestamp string. */
  private tableChanges(): FromItem {
    const p = this.p;
    const start = p.advance().pos;
    p.expectOp('(');
    const pathToken = p.token;
    if (pathToken.kind !== 'string') p.fail("the table path as a string, e.g. table_changes('/path/to/table', 0)");
    if (pathToken.text.trim() === '') throw p.error(pathToken.pos, 'the table path is empty');
    p.advance();
    p.expectOp(',', "',' and the first version (or timestamp) of the changes");
    const from = this.changeBound('start');
    let to: ChangeBound | undefined;
    if (p.acceptOp(',')) to = this.changeBound('end');
    p.expectOp(')', "')' after the arguments of table_changes");
    const alias = this.alias();
    return { kind: 'tableChanges', path: pathToken.text, start: from, ...(to ? { end: to } : {}), ...(alias === undefined ? {} : { alias }), span: [start, p.lastEnd] };
  }

  private changeBound(which: 'start' | 'end'): ChangeBound {
    const p = this.p;
    if (p.token.kind === 'string') return { timestamp: this.timestamp(`the ${which} timestamp`) };
    return { version: this.version(`the ${which} version (an integer) or timestamp (a string)`) };
  }

  /** `[AS] name`; column aliases (`t(a, b)`) are refused. */
  private alias(): string | undefined {
    const p = this.p;
    let name: string;
    if (p.acceptKeyword('AS')) {
      name = p.expectName('an alias after AS').name;
    } else {
      const t = p.token;
      if (t.kind !== 'ident' || (!t.quoted && CLAUSE_WORDS.has(t.text.toUpperCase()))) return undefined;
      name = p.advance().text;
    }
    if (p.isOp('(')) throw p.error(p.token.pos, 'column aliases (alias(a, b, …)) are not supported; rename the columns in the select list with AS');
    return name;
  }
}

function describeToken(p: ExpressionParser, t: ReturnType<ExpressionParser['peek']>): string {
  return t.kind === 'eof' ? 'end of input' : `'${p.source.slice(t.pos, t.end)}'`;
}
