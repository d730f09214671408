import { printExpr } from '@deltakit/core';
import type { Assignment, ColumnName, MergeClause, Statement, TableRef } from './ast.js';

/**
 * SQL text of a statement (for `commitInfo` and messages), in the syntax {@link parseStatement}
 * reads back to the same statement up to spans: keywords upper case, names back-quoted unless
 * plain identifiers, expressions as printExpr writes them.
 */
export function printStatement(s: Statement): string {
  switch (s.kind) {
    case 'delete':
      return `DELETE FROM ${table(s.table)}${alias(s.alias)}${s.where ? ` WHERE ${printExpr(s.where)}` : ''}`;
    case 'update':
      return `UPDATE ${table(s.table)}${alias(s.alias)} SET ${assignments(s.set)}${s.where ? ` WHERE ${printExpr(s.where)}` : ''}`;
    case 'merge': {
      const clauses = [
        ...s.matched.map((c) => clause('WHEN MATCHED', c, c.action.kind === 'delete' ? 'DELETE' : c.action.kind === 'updateAll' ? 'UPDATE SET *' : `UPDATE SET ${assignments(c.action.set)}`)),
        ...s.notMatched.map((c) =>
          clause('WHEN NOT MATCHED', c, c.action.kind === 'insertAll' ? 'INSERT *' : `INSERT (${c.action.columns.map(column).join(', ')}) VALUES (${c.action.values.map(printExpr).join(', ')})`),
        ),
        ...s.notMatchedBySource.map((c) => clause('WHEN NOT MATCHED BY SOURCE', c, c.action.kind === 'delete' ? 'DELETE' : `UPDATE SET ${assignments(c.action.set)}`)),
      ];
      return [
        `MERGE ${s.schemaEvolution ? 'WITH SCHEMA EVOLUTION ' : ''}INTO ${table(s.target)}${alias(s.targetAlias)}`,
        `USING ${table(s.source)}${alias(s.sourceAlias)}`,
        `ON ${printExpr(s.on)}`,
        ...clauses,
      ].join(' ');
    }
  }
}

const quote = (name: string): string => '`' + name.replace(/`/g, '``') + '`';
const name = (n: string): string => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(n) ? n : quote(n));
const table = (t: TableRef): string => `${t.format}.${quote(t.path)}`;
const alias = (a: string | undefined): string => (a === undefined ? '' : ` AS ${name(a)}`);
const column = (c: ColumnName): string => c.path.map(name).join('.');
const assignments = (set: readonly Assignment[]): string => set.map((a) => `${column(a.column)} = ${printExpr(a.value)}`).join(', ');
const clause = (head: string, c: MergeClause<unknown>, action: string): string => `${head}${c.condition ? ` AND ${printExpr(c.condition)}` : ''} THEN ${action}`;
