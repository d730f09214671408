import type { Expr, ParseOptions, Span } from '@deltakit/core';
import { ExpressionParser, guardParse } from '@deltakit/core/internal';
import type {
  Assignment,
  ColumnName,
  MatchedAction,
  MergeClause,
  MergeStatement,
  NotMatchedAction,
  NotMatchedBySourceAction,
  Statement,
  TableFormat,
  TableRef,
} from './ast.js';

/**
 * Parses one DML statement in Spark SQL syntax (`DELETE FROM`, `UPDATE`, `MERGE INTO`), with an
 * optional trailing `;`. Keywords are case-insensitive; expressions use the core expression
 * grammar (`options.timeZone` is the session zone of zone-less TIMESTAMP literals). Besides
 * syntax, checks what Spark checks while parsing: a MERGE has at least one WHEN clause, clause
 * groups come in Spark's order, only the last clause of a group may omit its condition, and
 * INSERT has as many values as columns. Every failure is a PARSE_ERROR with a caret.
 */
export function parseStatement(text: string, options: ParseOptions = {}): Statement {
  return guardParse(text, () => {
    const p = new ExpressionParser(text, options);
    const statement = new StatementParser(p).statement();
    while (p.acceptOp(';'));
    if (p.token.kind !== 'eof') {
      throw p.error(p.token.pos, `expected the end of the statement, found ${describe(p)}; run one statement at a time`);
    }
    return statement;
  });
}

const FORMATS: ReadonlySet<string> = new Set<TableFormat>(['delta', 'parquet', 'json', 'csv']);
/** Spark's strict non-reserved words: never a bare table alias. */
const NOT_ALIASES = new Set(['ANTI', 'CROSS', 'EXCEPT', 'FULL', 'INNER', 'INTERSECT', 'JOIN', 'LATERAL', 'LEFT', 'MINUS', 'NATURAL', 'ON', 'RIGHT', 'SEMI', 'UNION', 'USING', 'WHERE', 'SET', 'WHEN']);
const GROUPS = ['WHEN MATCHED', 'WHEN NOT MATCHED', 'WHEN NOT MATCHED BY SOURCE'] as const;
type Group = 0 | 1 | 2;

const describe = (p: ExpressionParser): string => {
  const t = p.token;
  return t.kind === 'eof' ? 'end of input' : `'${p.source.slice(t.pos, t.end)}'`;
};

class StatementParser {
  constructor(private readonly p: ExpressionParser) {}

  statement(): Statement {
    const p = this.p;
    const t = p.token;
    if (p.isKeyword('DELETE')) return this.delete();
    if (p.isKeyword('UPDATE')) return this.update();
    if (p.isKeyword('MERGE')) return this.merge();
    if (p.isKeyword('WITH')) throw p.error(t.pos, 'WITH (common table expressions) is not supported; write the source rows to a table or files and MERGE from them');
    if (t.kind === 'ident' && !t.quoted && /^(SELECT|INSERT|CREATE|ALTER|DROP|TRUNCATE|REPLACE|OPTIMIZE|VACUUM)$/i.test(t.text)) {
      throw p.error(t.pos, `${t.text.toUpperCase()} statements are not supported here; the statements are DELETE FROM, UPDATE and MERGE INTO`);
    }
    return p.fail('DELETE, UPDATE or MERGE');
  }

  private delete(): Statement {
    const p = this.p;
    const start = p.advance().pos;
    p.expectKeyword('FROM', 'FROM after DELETE');
    const table = this.tableRef('target', 'DELETE');
    const alias = this.alias('DELETE');
    const where = p.acceptKeyword('WHERE') ? p.parseExpression() : undefined;
    return { kind: 'delete', table, ...(alias ? { alias } : {}), ...(where ? { where } : {}), span: [start, p.lastEnd] };
  }

  private update(): Statement {
    const p = this.p;
    const start = p.advance().pos;
    const table = this.tableRef('target', 'UPDATE');
    const alias = this.alias('UPDATE');
    p.expectKeyword('SET', 'SET after the table of UPDATE');
    const set = this.assignments();
    const where = p.acceptKeyword('WHERE') ? p.parseExpression() : undefined;
    return { kind: 'update', table, ...(alias ? { alias } : {}), set, ...(where ? { where } : {}), span: [start, p.lastEnd] };
  }

  private merge(): Statement {
    const p = this.p;
    const start = p.advance().pos;
    let schemaEvolution = false;
    if (p.acceptKeyword('WITH')) {
      p.expectKeyword('SCHEMA', 'SCHEMA EVOLUTION after MERGE WITH');
      p.expectKeyword('EVOLUTION', 'EVOLUTION after MERGE WITH SCHEMA');
      schemaEvolution = true;
    }
    p.expectKeyword('INTO', 'INTO after MERGE');
    const target = this.tableRef('target', 'MERGE');
    const targetAlias = this.alias('MERGE');
    p.expectKeyword('USING', 'USING and the source table');
    const source = this.tableRef('source', 'MERGE');
    const sourceAlias = this.alias('MERGE');
    p.expectKeyword('ON', 'ON and the merge condition');
    const on = p.parseExpression();
    const clauses = this.mergeClauses();
    return {
      kind: 'merge',
      schemaEvolution,
      target,
      ...(targetAlias ? { targetAlias } : {}),
      source,
      ...(sourceAlias ? { sourceAlias } : {}),
      on,
      ...clauses,
      span: [start, p.lastEnd],
    };
  }

  /** ``delta.`/path` `` (the target of every statement), or a MERGE source in any of the formats. */
  private tableRef(role: 'target' | 'source', statement: string): TableRef {
    const p = this.p;
    const t = p.token;
    if (p.isOp('(')) {
      throw p.error(t.pos, role === 'source'
        ? 'a subquery as the MERGE source is not supported; write the source rows to a Delta table or to parquet, json or csv files and name them as delta.`/path` (or parquet.`/path`, json.`/path`, csv.`/path`)'
        : `the table of ${statement} must be a Delta table named by its path: delta.\`/path/to/table\``);
    }
    const first = p.expectName(`a table written as delta.\`/path/to/table\``);
    if (!p.isOp('.')) {
      throw p.error(t.pos, `'${first.name}' is a table name, but deltakit has no catalog of table names: name the table by its path, as delta.\`/path/to/table\``);
    }
    const format = first.name.toLowerCase();
    if (!FORMATS.has(format)) {
      throw p.error(t.pos, `'${p.source.slice(t.pos, p.peek().end)}' is not a path table: write delta.\`/path/to/table\`${role === 'source' ? ' (a MERGE source may also be parquet.`/path`, json.`/path` or csv.`/path`)' : ''}; deltakit has no catalog of table names`);
    }
    p.advance();
    const pathToken = p.token;
    if (pathToken.kind !== 'ident' || !pathToken.quoted) {
      const written = pathToken.kind === 'eof' ? '' : p.source.slice(pathToken.pos, pathToken.end);
      throw p.error(pathToken.pos, `expected the table path in back-quotes after ${format}., found ${describe(p)}; write ${format}.\`${pathToken.kind === 'string' ? pathToken.text : written || '/path/to/table'}\``);
    }
    p.advance();
    const path = pathToken.text;
    const span: Span = [t.pos, pathToken.end];
    if (p.isOp('.')) throw p.error(p.token.pos, `expected one path after ${format}., found more name parts; write the whole path in one pair of back-quotes`);
    if (path.trim() === '') throw p.error(pathToken.pos, 'the table path is empty');
    if (role === 'target') {
      // Relative paths are accepted (resolved against the working directory when run), unlike
      // Spark, which reads a relative `delta.x` as a catalog name: a command line wants them.
      if (format !== 'delta') throw p.error(t.pos, `the table of ${statement} must be a Delta table: write delta.\`${path}\`, not ${format}.\`…\``);
    }
    return { format: format as TableFormat, path, span };
  }

  /** `[AS] alias`; column aliases (`t(a, b)`) are refused as Spark refuses them here. */
  private alias(statement: string): string | undefined {
    const p = this.p;
    let name: string;
    if (p.acceptKeyword('AS')) {
      name = p.expectName('an alias after AS').name;
    } else {
      const t = p.token;
      if (t.kind !== 'ident' || (!t.quoted && NOT_ALIASES.has(t.text.toUpperCase()))) return undefined;
      name = p.advance().text;
    }
    if (p.isOp('(')) throw p.error(p.token.pos, `column aliases are not allowed in ${statement}; give the table an alias only`);
    return name;
  }

  private columnName(what: string): ColumnName {
    const { parts, span } = this.p.parseMultipartName(what);
    return { path: parts, span };
  }

  /** `col = expr, …` (columns may be qualified `t.a` or nested `a.b.c`). */
  private assignments(): Assignment[] {
    const p = this.p;
    const set: Assignment[] = [];
    do {
      const column = this.columnName('a column to set');
      if (!p.acceptOp('=') && !p.acceptOp('==')) p.fail("'=' after the column to set");
      const value = p.parseExpression();
      set.push({ column, value, span: [column.span[0], p.lastEnd] });
    } while (p.acceptOp(','));
    return set;
  }

  private mergeClauses(): Pick<MergeStatement, 'matched' | 'notMatched' | 'notMatchedBySource'> {
    const p = this.p;
    const matched: MergeClause<MatchedAction>[] = [];
    const notMatched: MergeClause<NotMatchedAction>[] = [];
    const notMatchedBySource: MergeClause<NotMatchedBySourceAction>[] = [];
    let last: Group = 0;
    while (p.isKeyword('WHEN')) {
      const start = p.advance().pos;
      const group = this.clauseGroup();
      if (group < last) {
        throw p.error(start, `${GROUPS[group]} clauses must come before ${GROUPS[last]} clauses: Spark takes WHEN MATCHED first, then WHEN NOT MATCHED, then WHEN NOT MATCHED BY SOURCE`);
      }
      last = group;
      const condition = p.acceptKeyword('AND') ? p.parseExpression() : undefined;
      p.expectKeyword('THEN', condition ? 'THEN after the clause condition' : 'AND <condition> or THEN');
      const clause = <A>(action: A): MergeClause<A> => ({ ...(condition ? { condition } : {}), action, span: [start, p.lastEnd] });
      if (group === 0) matched.push(clause(this.matchedAction()));
      else if (group === 1) notMatched.push(clause(this.notMatchedAction()));
      else notMatchedBySource.push(clause(this.bySourceAction()));
    }
    if (matched.length + notMatched.length + notMatchedBySource.length === 0) {
      throw p.error(p.token.pos, `expected WHEN MATCHED or WHEN NOT MATCHED, found ${describe(p)}: there must be at least one WHEN clause in a MERGE statement`);
    }
    checkConditions(p, 'MATCHED', matched);
    checkConditions(p, 'NOT MATCHED', notMatched);
    checkConditions(p, 'NOT MATCHED BY SOURCE', notMatchedBySource);
    return { matched, notMatched, notMatchedBySource };
  }

  /** After WHEN: `MATCHED`, `NOT MATCHED [BY TARGET]` or `NOT MATCHED BY SOURCE`. */
  private clauseGroup(): Group {
    const p = this.p;
    const negated = p.isKeyword('NOT') || p.isOp('!');
    if (negated) p.advance();
    p.expectKeyword('MATCHED', negated ? 'MATCHED after WHEN NOT' : 'MATCHED or NOT MATCHED after WHEN');
    if (!negated) return 0;
    if (!p.acceptKeyword('BY')) return 1;
    const side = p.acceptKeyword('TARGET', 'SOURCE');
    if (side === undefined) p.fail('TARGET or SOURCE after WHEN NOT MATCHED BY');
    return side === 'SOURCE' ? 2 : 1;
  }

  private matchedAction(): MatchedAction {
    const p = this.p;
    if (p.acceptKeyword('DELETE')) return { kind: 'delete' };
    if (p.isKeyword('UPDATE')) {
      p.advance();
      p.expectKeyword('SET', 'SET after UPDATE');
      if (p.acceptOp('*')) return { kind: 'updateAll' };
      return { kind: 'update', set: this.assignments() };
    }
    if (p.isKeyword('INSERT')) throw p.error(p.token.pos, 'INSERT is the action of WHEN NOT MATCHED clauses; WHEN MATCHED takes UPDATE SET … or DELETE');
    return p.fail('UPDATE or DELETE after WHEN MATCHED … THEN');
  }

  private notMatchedAction(): NotMatchedAction {
    const p = this.p;
    if (!p.isKeyword('INSERT')) {
      if (p.isKeyword('UPDATE') || p.isKeyword('DELETE')) {
        throw p.error(p.token.pos, `${p.token.text.toUpperCase()} cannot apply to source rows without a match; WHEN NOT MATCHED takes INSERT (use WHEN NOT MATCHED BY SOURCE for target rows without a match)`);
      }
      p.fail('INSERT after WHEN NOT MATCHED … THEN');
    }
    p.advance();
    if (p.acceptOp('*')) return { kind: 'insertAll' };
    p.expectOp('(', "'*' or '(' and the columns after INSERT");
    const columns: ColumnName[] = [];
    do columns.push(this.columnName('a column to insert'));
    while (p.acceptOp(','));
    p.expectOp(')', "',' or ')' after the column");
    const valuesToken = p.expectKeyword('VALUES', 'VALUES after the INSERT columns');
    p.expectOp('(', "'(' after VALUES");
    const values: Expr[] = [];
    do values.push(p.parseExpression());
    while (p.acceptOp(','));
    p.expectOp(')', "',' or ')' after the value");
    if (values.length !== columns.length) {
      throw p.error(valuesToken.pos, `INSERT names ${columns.length} column${columns.length === 1 ? '' : 's'} but gives ${values.length} value${values.length === 1 ? '' : 's'}; give one value per column`);
    }
    return { kind: 'insert', columns, values };
  }

  private bySourceAction(): NotMatchedBySourceAction {
    const p = this.p;
    if (p.acceptKeyword('DELETE')) return { kind: 'delete' };
    if (p.isKeyword('UPDATE')) {
      p.advance();
      p.expectKeyword('SET', 'SET after UPDATE');
      if (p.isOp('*')) throw p.error(p.token.pos, 'UPDATE SET * is only allowed in WHEN MATCHED clauses (a target row without a match has no source row to copy); list the assignments');
      return { kind: 'update', set: this.assignments() };
    }
    if (p.isKeyword('INSERT')) throw p.error(p.token.pos, 'INSERT is the action of WHEN NOT MATCHED [BY TARGET] clauses; WHEN NOT MATCHED BY SOURCE takes UPDATE SET … or DELETE');
    return p.fail('UPDATE or DELETE after WHEN NOT MATCHED BY SOURCE … THEN');
  }
}

/** Spark's rule: in a group of clauses, only the last may omit its condition. */
function checkConditions(p: ExpressionParser, group: string, clauses: readonly MergeClause<unknown>[]): void {
  clauses.slice(0, -1).forEach((c) => {
    if (c.condition === undefined) {
      throw p.error(c.span[0], `when there is more than one ${group} clause in a MERGE statement, only the last ${group} clause can omit the condition; add AND <condition> to this clause or move it last`);
    }
  });
}

