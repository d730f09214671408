import type { DataType, Expr, Span } from '@deltakit/core';

/**
 * The statements deltakit runs, as parsed from Spark / Delta SQL: DML (`DELETE FROM`, `UPDATE`,
 * `MERGE INTO`) and table maintenance (`OPTIMIZE`, `VACUUM`, `RESTORE`, `ALTER TABLE …`,
 * `DESCRIBE DETAIL`, `DESCRIBE HISTORY`). Expressions are the shared core AST, unbound: column
 * references keep every name part as written (`t.id`, `s.a.b`), and the binder decides which part
 * is a table alias. `span` is the `[start, end)` offsets of the construct in the statement text.
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


// ---- table maintenance ------------------------------------------------------------------------
// The table of a maintenance statement is always a Delta table (`format: 'delta'`). OPTIMIZE,
// VACUUM and DESCRIBE also take Delta's quoted-path form (`VACUUM '/path'`), read as the same
// TableRef as ``delta.`/path` ``.

/** `OPTIMIZE <table> [FULL] [WHERE <partition predicate>] [ZORDER BY (a, b) | ZORDER BY a, b]`. */
export interface OptimizeStatement {
  readonly kind: 'optimize';
  readonly table: TableRef;
  /** `FULL`: recluster every file of a clustered table (Delta's `OPTIMIZE … FULL`). */
  readonly full: boolean;
  /** The files to compact, by a predicate over partition columns (checked when run). */
  readonly where?: Expr;
  /** Z-order columns in the order written; empty without ZORDER BY. */
  readonly zOrderBy: readonly ColumnName[];
  readonly span: Span;
}

/** `VACUUM <table> [LITE | FULL] [RETAIN <n> HOURS] [DRY RUN]`, the clauses in any order, each once. */
export interface VacuumStatement {
  readonly kind: 'vacuum';
  readonly table: TableRef;
  /** `LITE` or `FULL` as written; absent when neither is given (the table's default applies). */
  readonly mode?: 'full' | 'lite';
  /** `RETAIN <n> HOURS`: the number as written (Delta takes any numeric literal, even fractional or negative; the retention check happens when run). */
  readonly retentionHours?: number;
  /** `DRY RUN`: list the files to delete without deleting them. */
  readonly dryRun: boolean;
  readonly span: Span;
}

/** What RESTORE goes back to: a version, or the timestamp text as written (a zone-less timestamp is in the session time zone). */
export type RestoreTarget = { readonly version: number } | { readonly timestamp: string };

/** `RESTORE [TABLE] <table> [TO] VERSION AS OF <n> | TIMESTAMP AS OF '<ts>'` (also `FOR`, `SYSTEM_VERSION`, `SYSTEM_TIME`). */
export interface RestoreStatement {
  readonly kind: 'restore';
  readonly table: TableRef;
  readonly target: RestoreTarget;
  readonly span: Span;
}

/** Where a column goes: `FIRST` in its struct, or `AFTER` a sibling column (one name, no path). */
export type ColumnPosition = { readonly kind: 'first' } | { readonly kind: 'after'; readonly column: string };

/** One column of `ADD COLUMNS`: `<name> <type> [NOT NULL] [COMMENT '…'] [FIRST | AFTER c]`. */
export interface ColumnDefinition {
  /** The new column; `a.b` adds field `b` to struct column `a`. */
  readonly column: ColumnName;
  readonly type: DataType;
  /** False with `NOT NULL`. */
  readonly nullable: boolean;
  readonly comment?: string;
  readonly position?: ColumnPosition;
  readonly span: Span;
}

/** `ALTER TABLE <table> ADD COLUMN[S] (<column definition>, …)`, parentheses optional. */
export interface AddColumnsStatement {
  readonly kind: 'addColumns';
  readonly table: TableRef;
  /** At least one; no two with the same name (names compare case-insensitively, as in Spark). */
  readonly columns: readonly ColumnDefinition[];
  readonly span: Span;
}

/** `ALTER TABLE <table> RENAME COLUMN <a.b> TO <c>`: the column keeps its parent struct. */
export interface RenameColumnStatement {
  readonly kind: 'renameColumn';
  readonly table: TableRef;
  readonly column: ColumnName;
  /** The new name of the last part (one name). */
  readonly to: string;
  readonly span: Span;
}

/** `ALTER TABLE <table> DROP COLUMN[S] [IF EXISTS] (a, b.c)`, parentheses optional. */
export interface DropColumnsStatement {
  readonly kind: 'dropColumns';
  readonly table: TableRef;
  readonly columns: readonly ColumnName[];
  /** `IF EXISTS`: columns that do not exist are skipped instead of failing. */
  readonly ifExists: boolean;
  readonly span: Span;
}

/**
 * One column change of `ALTER COLUMN`. Spark's form (`ALTER|CHANGE [COLUMN] c <action>`) sets
 * exactly one of `type`, `comment`, `position`, `nullable`; Hive's form
 * (`CHANGE [COLUMN] c c <type> [COMMENT '…'] [FIRST | AFTER x]`) sets `type` and optionally
 * `comment` and `position`.
 */
export interface ColumnChange {
  readonly column: ColumnName;
  /** `TYPE <type>`: the new type (type widening). */
  readonly type?: DataType;
  /** `COMMENT '…'`: the new comment. */
  readonly comment?: string;
  /** `FIRST` / `AFTER c`: the new place in the parent struct. */
  readonly position?: ColumnPosition;
  /** `DROP NOT NULL` → true, `SET NOT NULL` → false. */
  readonly nullable?: boolean;
  readonly span: Span;
}

/**
 * `ALTER TABLE <table> ALTER|CHANGE [COLUMN] <change>, …`: several columns, each with one change
 * (Spark 4.1 takes a list; earlier versions one column), or one Hive-style CHANGE COLUMN. No
 * column is changed twice, nor a column and one of its nested fields.
 */
export interface AlterColumnStatement {
  readonly kind: 'alterColumn';
  readonly table: TableRef;
  readonly changes: readonly ColumnChange[];
  readonly span: Span;
}

/** A `'key' = 'value'` of TBLPROPERTIES; numbers and booleans are kept as text (booleans lower case), as Spark does. */
export interface TableProperty {
  readonly key: string;
  readonly value: string;
  readonly span: Span;
}

/** `ALTER TABLE <table> SET TBLPROPERTIES ('k' = 'v', …)`: keys distinct, none of Spark's reserved ones. */
export interface SetPropertiesStatement {
  readonly kind: 'setProperties';
  readonly table: TableRef;
  readonly properties: readonly TableProperty[];
  readonly span: Span;
}

/** `ALTER TABLE <table> UNSET TBLPROPERTIES [IF EXISTS] ('k', …)`: keys distinct. */
export interface UnsetPropertiesStatement {
  readonly kind: 'unsetProperties';
  readonly table: TableRef;
  readonly keys: readonly string[];
  /** `IF EXISTS`: keys that are not set are skipped instead of failing. */
  readonly ifExists: boolean;
  readonly span: Span;
}

/** `ALTER TABLE <table> ADD CONSTRAINT <name> CHECK (<expr>)`. */
export interface AddConstraintStatement {
  readonly kind: 'addConstraint';
  readonly table: TableRef;
  readonly name: string;
  /** The condition every row must satisfy; its span is the text inside the parentheses. */
  readonly check: Expr;
  readonly span: Span;
}

/** `ALTER TABLE <table> DROP CONSTRAINT [IF EXISTS] <name>`. */
export interface DropConstraintStatement {
  readonly kind: 'dropConstraint';
  readonly table: TableRef;
  readonly name: string;
  readonly ifExists: boolean;
  readonly span: Span;
}

/** `ALTER TABLE <table> CLUSTER BY (a, b)` or `CLUSTER BY NONE` (stop clustering). */
export interface ClusterByStatement {
  readonly kind: 'clusterBy';
  readonly table: TableRef;
  /** The clustering columns (at least one), or `'none'`. */
  readonly columns: readonly ColumnName[] | 'none';
  readonly span: Span;
}

/** `DESC[RIBE] DETAIL <table>`. */
export interface DescribeDetailStatement {
  readonly kind: 'describeDetail';
  readonly table: TableRef;
  readonly span: Span;
}

/** `DESC[RIBE] HISTORY <table> [LIMIT n]`: the newest `limit` commits, newest first. */
export interface DescribeHistoryStatement {
  readonly kind: 'describeHistory';
  readonly table: TableRef;
  readonly limit?: number;
  readonly span: Span;
}

/** The forms of `ALTER TABLE`. */
export type AlterTableStatement =
  | AddColumnsStatement
  | RenameColumnStatement
  | DropColumnsStatement
  | AlterColumnStatement
  | SetPropertiesStatement
  | UnsetPropertiesStatement
  | AddConstraintStatement
  | DropConstraintStatement
  | ClusterByStatement;

export type MaintenanceStatement = OptimizeStatement | VacuumStatement | RestoreStatement | AlterTableStatement | DescribeDetailStatement | DescribeHistoryStatement;

export type DmlStatement = DeleteStatement | UpdateStatement | MergeStatement;

// ---- queries ----------------------------------------------------------------------------------

/** Which snapshot of a Delta table a query reads: `VERSION AS OF n` or `TIMESTAMP AS OF '…'` (text as written). */
export type TimeTravel = { readonly version: number } | { readonly timestamp: string };

/** A `table_changes` bound: a version, or timestamp text as written. */
export type ChangeBound = { readonly version: number } | { readonly timestamp: string };

/** One relation of FROM. `alias` names it for qualified references (`t.id`). */
export type FromItem =
  /** ``delta.`path` [VERSION AS OF n | TIMESTAMP AS OF 't'] [[AS] t]``, ``parquet.`path` ``, ``json.`path` ``, ``csv.`path` ``. */
  | { readonly kind: 'table'; readonly table: TableRef; readonly timeTravel?: TimeTravel; readonly alias?: string; readonly span: Span }
  /** `table_changes('path', start[, end]) [[AS] t]`: the change data feed of a Delta table. */
  | { readonly kind: 'tableChanges'; readonly path: string; readonly start: ChangeBound; readonly end?: ChangeBound; readonly alias?: string; readonly span: Span }
  /** `(SELECT …) [AS] s`. */
  | { readonly kind: 'subquery'; readonly query: Query; readonly alias?: string; readonly span: Span }
  /** `left [INNER | LEFT [OUTER] | RIGHT [OUTER] | FULL [OUTER] | LEFT SEMI | LEFT ANTI | CROSS] JOIN right [ON cond | USING (c, …)]`; `a, b` is a cross join. */
  | { readonly kind: 'join'; readonly type: SqlJoinType; readonly left: FromItem; readonly right: FromItem; readonly on?: Expr; readonly using?: readonly string[]; readonly span: Span };

export type SqlJoinType = 'inner' | 'left' | 'right' | 'full' | 'semi' | 'anti' | 'cross';

/** One output of the select list: `*`, `t.*`, or an expression with an optional alias. */
export type SelectItem =
  | { readonly kind: 'star'; readonly qualifier?: string; readonly span: Span }
  | { readonly kind: 'expr'; readonly expr: Expr; readonly alias?: string; readonly span: Span };

/** An ORDER BY key; `nullsFirst` is absent when not written (Spark: nulls first ascending, last descending). */
export interface SortItem {
  readonly expr: Expr;
  readonly ascending: boolean;
  readonly nullsFirst?: boolean;
  readonly span: Span;
}

/** `SELECT [DISTINCT] items [FROM …] [WHERE …] [GROUP BY …] [HAVING …]`. */
export interface SelectCore {
  readonly kind: 'core';
  readonly distinct: boolean;
  readonly items: readonly SelectItem[];
  readonly from?: FromItem;
  readonly where?: Expr;
  readonly groupBy: readonly Expr[];
  readonly having?: Expr;
  readonly span: Span;
}

/** `a UNION [ALL | DISTINCT] b` (left-associative). */
export interface SetOperation {
  readonly kind: 'union';
  /** False for `UNION` / `UNION DISTINCT` (duplicates removed), true for `UNION ALL`. */
  readonly all: boolean;
  readonly left: QueryBody;
  readonly right: QueryBody;
  readonly span: Span;
}

export type QueryBody = SelectCore | SetOperation | Query;

/** A query: a body, then ORDER BY and LIMIT over its result. */
export interface Query {
  readonly kind: 'query';
  readonly body: QueryBody;
  readonly orderBy: readonly SortItem[];
  readonly limit?: number;
  readonly span: Span;
}

/** A `SELECT` query (run by `@deltakit/streaming`'s `sql()` and `deltakit sql`; `executeSql` refuses it). */
export interface SelectStatement {
  readonly kind: 'select';
  readonly query: Query;
  readonly span: Span;
}

export type Statement = DmlStatement | MaintenanceStatement | SelectStatement;
