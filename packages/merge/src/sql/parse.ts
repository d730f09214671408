import type { Expr, ParseOptions } from '@deltakit/core';
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
} from './ast.js';
import { parseAlterTable } from './parse-alter.js';
import { columnName, describe, tableRef } from './parse-common.js';
import { parseDescribe, parseOptimize, parseRestore, parseVacuum } from './parse-maintenance.js';
import { parseSelect } from './parse-select.js';

/**
 * Parses one statement in Spark / Delta SQL syntax, with an optional trailing `;`: queries
 * (`SELECT`, see parse-select.ts), DML (`DELETE FROM`, `UPDATE`, `MERGE INTO`) and table maintenance (`OPTIMIZE`, `VACUUM`, `RESTORE`,
 * `ALTER TABLE`, `DESCRIBE DETAIL`, `DESCRIBE HISTORY`; see parse-maintenance.ts and
 * parse-alter.ts). Keywords are case-insensitive; expressions use the core expression grammar
 * (`options.timeZone` is the session zone of zone-less TIMESTAMP literals), types the core DDL
 * type grammar. Besides syntax, checks what Spark checks while parsing: a MERGE has at least one
 * WHEN clause, clause groups come in Spark's order, only the last clause of a group may omit its
 * condition, INSERT has as many values as columns, and the maintenance statements' own rules.
 * Every failure is a PARSE_ERROR with a caret.
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

/** Spark's strict non-reserved words: never a bare table alias. */
const NOT_ALIASES = new Set(['ANTI', 'CROSS', 'EXCEPT', 'FULL', 'INNER', 'INTERSECT', 'JOIN', 'LATERAL', 'LEFT', 'MINUS', 'NATURAL', 'ON', 'RIGHT', 'SEMI', 'UNION', 'USING', 'WHERE', 'SET', 'WHEN']);
/** Statements of Spark / Delta SQL that deltakit does not run (refused by name rather than as a syntax error). */
const UNSUPPORTED = /^(INSERT|CREATE|DROP|TRUNCATE|REPLACE|REORG|CONVERT|GENERATE|SHOW|ANALYZE|CACHE|UNCACHE|REFRESH|MSCK|REPAIR|USE|SET|RESET|EXPLAIN|COMMENT|LOAD|VALUES|TABLE|FROM)$/i;
const GROUPS = ['WHEN MATCHED', 'WHEN NOT MATCHED', 'WHEN NOT MATCHED BY SOURCE'] as const;
type Group = 0 | 1 | 2;

class StatementParser {
  constructor(private readonly p: ExpressionParser) {}

  statement(): Statement {
    const p = this.p;
    const t = p.token;
    if (p.isKeyword('DELETE')) return this.delete();
    if (p.isKeyword('UPDATE')) return this.update();
    if (p.isKeyword('MERGE')) return this.merge();
    if (p.isKeyword('OPTIMIZE')) return parseOptimize(p);
    if (p.isKeyword('VACUUM')) return parseVacuum(p);
    if (p.isKeyword('RESTORE')) return parseRestore(p);
    if (p.isKeyword('ALTER')) return parseAlterTable(p);
    if (p.isKeyword('DESCRIBE') || p.isKeyword('DESC')) return parseDescribe(p);
    if (p.isKeyword('SELECT') || (p.isOp('(') && (p.isKeyword('SELECT', p.peek()) || p.isOp('(', p.peek())))) return parseSelect(p);
    if (p.isKeyword('WITH')) throw p.error(t.pos, 'WITH (common table expressions) is not supported; write the source rows to a table or files and MERGE from them');
    if (t.kind === 'ident' && !t.quoted && UNSUPPORTED.test(t.text)) {
      throw p.error(t.pos, `${t.text.toUpperCase()} statements are not supported here; the statements are SELECT, DELETE FROM, UPDATE, MERGE INTO, OPTIMIZE, VACUUM, RESTORE, ALTER TABLE, DESCRIBE DETAIL and DESCRIBE HISTORY`);
    }
    return p.fail('SELECT, DELETE, UPDATE, MERGE, OPTIMIZE, VACUUM, RESTORE, ALTER TABLE or DESCRIBE');
  }

  private delete(): Statement {
    const p = this.p;
    const start = p.advance().pos;
    p.expectKeyword('FROM', 'FROM after DELETE');
    const table = tableRef(p, 'target', 'DELETE');
    const alias = this.alias('DELETE');
    const where = p.acceptKeyword('WHERE') ? p.parseExpression() : undefined;
    return { kind: 'delete', table, ...(alias ? { alias } : {}), ...(where ? { where } : {}), span: [start, p.lastEnd] };
  }

  private update(): Statement {
    const p = this.p;
    const start = p.advance().pos;
    const table = tableRef(p, 'target', 'UPDATE');
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
    const target = tableRef(p, 'target', 'MERGE');
    const targetAlias = this.alias('MERGE');
    p.expectKeyword('USING', 'USING and the source table');
    const source = tableRef(p, 'source', 'MERGE');
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

  /** `col = expr, …` (columns may be qualified `t.a` or nested `a.b.c`). */
  private assignments(): Assignment[] {
    const p = this.p;
    const set: Assignment[] = [];
    do {
      const column = columnName(this.p, 'a column to set');
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
    do columns.push(columnName(this.p, 'a column to insert'));
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

