import type { Expr, Span } from '@deltakit/core';

/**
 * The DML statements deltakit runs, as parsed from Spark SQL (`DELETE FROM`, `UPDATE`,
 * `MERGE INTO`). Expressions are the shared core AST, unbound: column references keep every name
 * part as written (`t.id`, `s.a.b`), and the binder decides which part is a table alias.
 * `span` is the `[start, end)` offsets of the construct in the statement text.
 */

export type TableFormat = 'delta' | 'parquet' | 'json' | 'csv';

/**
 * A table named by its location, as Spark writes path tables: ``delta.`/path/to/table` ``.
 * MERGE sources may also be ``parquet.`/path` ``, ``json.`/path` `` or ``csv.`/path` `` (a file
 * or a folder of files), and relative paths.
 */
export interface TableRef {
  readonly format: TableFormat;
  readonly path: string;
  readonly span: Span;
}

/** A column name as written: one entry per part (`a`, `t.a`, `a.b.c`). */
export interface ColumnName {
  readonly path: readonly string[];
  readonly span: Span;
}

/** `column = value` in `SET`. */
export interface Assignment {
  readonly column: ColumnName;
  readonly value: Expr;
  readonly span: Span;
}

export interface DeleteStatement {
  readonly kind: 'delete';
  readonly table: TableRef;
  readonly alias?: string;
  readonly where?: Expr;
  readonly span: Span;
}

export interface UpdateStatement {
  readonly kind: 'update';
  readonly table: TableRef;
  readonly alias?: string;
  readonly set: readonly Assignment[];
  readonly where?: Expr;
  readonly span: Span;
}

/** `UPDATE SET a = e, …`, `UPDATE SET *` (every target column from the source column of that name), `DELETE`. */
export type MatchedAction = { readonly kind: 'update'; readonly set: readonly Assignment[] } | { readonly kind: 'updateAll' } | { readonly kind: 'delete' };

/** `INSERT (c1, …) VALUES (e1, …)` (as many values as columns), `INSERT *`. */
export type NotMatchedAction = { readonly kind: 'insert'; readonly columns: readonly ColumnName[]; readonly values: readonly Expr[] } | { readonly kind: 'insertAll' };

export type NotMatchedBySourceAction = { readonly kind: 'update'; readonly set: readonly Assignment[] } | { readonly kind: 'delete' };

/** One `WHEN … [AND condition] THEN action` clause. */
export interface MergeClause<A> {
  readonly condition?: Expr;
  readonly action: A;
  readonly span: Span;
}

/**
 * `MERGE [WITH SCHEMA EVOLUTION] INTO target [[AS] t] USING source [[AS] s] ON cond WHEN …`.
 * Clauses are grouped as Spark requires them to be written: all WHEN MATCHED first, then WHEN
 * NOT MATCHED [BY TARGET], then WHEN NOT MATCHED BY SOURCE; within a group, clauses apply in
 * order and only the last may omit its condition.
 */
export interface MergeStatement {
  readonly kind: 'merge';
  readonly schemaEvolution: boolean;
  readonly target: TableRef;
  readonly targetAlias?: string;
  readonly source: TableRef;
  readonly sourceAlias?: string;
  readonly on: Expr;
  readonly matched: readonly MergeClause<MatchedAction>[];
  readonly notMatched: readonly MergeClause<NotMatchedAction>[];
  readonly notMatchedBySource: readonly MergeClause<NotMatchedBySourceAction>[];
  readonly span: Span;
}

export type Statement = DeleteStatement | UpdateStatement | MergeStatement;
