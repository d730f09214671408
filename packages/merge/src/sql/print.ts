import { DeltaError, printExpr, type DataType } from '@deltakit/core';
import type { Assignment, ChangeBound, ColumnChange, ColumnDefinition, ColumnName, ColumnPosition, FromItem, MaintenanceStatement, MergeClause, Query, QueryBody, SelectItem, Statement, TableRef } from './ast.js';

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
    case 'select':
      return query(s.query);
    default:
      return maintenance(s);
  }
}

function query(q: Query): string {
  const order = q.orderBy.map((o) => `${printExpr(o.expr)}${o.ascending ? '' : ' DESC'}${o.nullsFirst === undefined ? '' : o.nullsFirst ? ' NULLS FIRST' : ' NULLS LAST'}`);
  return [body(q.body, false), order.length > 0 ? `ORDER BY ${order.join(', ')}` : '', q.limit === undefined ? '' : `LIMIT ${q.limit}`].filter(Boolean).join(' ');
}

/** A query body; a nested query (with its own ORDER BY or LIMIT, or a union on the right) in parentheses. */
function body(b: QueryBody, nested: boolean): string {
  switch (b.kind) {
    case 'query':
      return nested || b.orderBy.length > 0 || b.limit !== undefined ? `(${query(b)})` : body(b.body, nested);
    case 'union':
      return `${body(b.left, false)} UNION ${b.all ? 'ALL' : 'DISTINCT'} ${body(b.right, true)}`;
    case 'core':
      return [
        `SELECT ${b.distinct ? 'DISTINCT ' : ''}${b.items.map(item).join(', ')}`,
        b.from ? `FROM ${from(b.from)}` : '',
        b.where ? `WHERE ${printExpr(b.where)}` : '',
        b.groupBy.length > 0 ? `GROUP BY ${b.groupBy.map(printExpr).join(', ')}` : '',
        b.having ? `HAVING ${printExpr(b.having)}` : '',
      ].filter(Boolean).join(' ');
  }
}

const item = (i: SelectItem): string => (i.kind === 'star' ? (i.qualifier === undefined ? '*' : `${quote(i.qualifier)}.*`) : `${printExpr(i.expr)}${alias(i.alias)}`);
const bound = (b: ChangeBound): string => ('version' in b ? String(b.version) : str(b.timestamp));
const JOINS = { inner: 'JOIN', left: 'LEFT JOIN', right: 'RIGHT JOIN', full: 'FULL JOIN', semi: 'LEFT SEMI JOIN', anti: 'LEFT ANTI JOIN', cross: 'CROSS JOIN' } as const;

function from(f: FromItem): string {
  switch (f.kind) {
    case 'table': {
      const travel = f.timeTravel === undefined ? '' : 'version' in f.timeTravel ? ` VERSION AS OF ${f.timeTravel.version}` : ` TIMESTAMP AS OF ${str(f.timeTravel.timestamp)}`;
      return `${table(f.table)}${travel}${alias(f.alias)}`;
    }
    case 'tableChanges':
      return `table_changes(${str(f.path)}, ${bound(f.start)}${f.end === undefined ? '' : `, ${bound(f.end)}`})${alias(f.alias)}`;
    case 'subquery':
      return `(${query(f.query)})${alias(f.alias)}`;
    case 'join': {
      const right = f.right.kind === 'join' ? `(${from(f.right)})` : from(f.right);
      const condition = f.on ? ` ON ${printExpr(f.on)}` : f.using ? ` USING (${f.using.map(quote).join(', ')})` : '';
      return `${from(f.left)} ${JOINS[f.type]} ${right}${condition}`;
    }
  }
}

function maintenance(s: MaintenanceStatement): string {
  const alter = `ALTER TABLE ${table(s.table)}`;
  switch (s.kind) {
    case 'optimize':
      return [`OPTIMIZE ${table(s.table)}`, s.full ? 'FULL' : '', s.where ? `WHERE ${printExpr(s.where)}` : '', s.zOrderBy.length > 0 ? `ZORDER BY (${s.zOrderBy.map(column).join(', ')})` : ''].filter(Boolean).join(' ');
    case 'vacuum':
      return [`VACUUM ${table(s.table)}`, s.mode?.toUpperCase() ?? '', s.retentionHours === undefined ? '' : `RETAIN ${num(s.retentionHours)} HOURS`, s.dryRun ? 'DRY RUN' : ''].filter(Boolean).join(' ');
    case 'restore':
      return `RESTORE TABLE ${table(s.table)} TO ${'version' in s.target ? `VERSION AS OF ${s.target.version}` : `TIMESTAMP AS OF ${str(s.target.timestamp)}`}`;
    case 'addColumns':
      return `${alter} ADD COLUMNS (${s.columns.map(definition).join(', ')})`;
    case 'renameColumn':
      return `${alter} RENAME COLUMN ${column(s.column)} TO ${ident(s.to)}`;
    case 'dropColumns':
      return `${alter} DROP COLUMNS ${s.ifExists ? 'IF EXISTS ' : ''}(${s.columns.map(column).join(', ')})`;
    case 'alterColumn':
      return `${alter} ${columnChanges(s.changes)}`;
    case 'setProperties':
      return `${alter} SET TBLPROPERTIES (${s.properties.map((x) => `${str(x.key)} = ${str(x.value)}`).join(', ')})`;
    case 'unsetProperties':
      return `${alter} UNSET TBLPROPERTIES ${s.ifExists ? 'IF EXISTS ' : ''}(${s.keys.map(str).join(', ')})`;
    case 'addConstraint':
      return `${alter} ADD CONSTRAINT ${ident(s.name)} CHECK (${printExpr(s.check)})`;
    case 'dropConstraint':
      return `${alter} DROP CONSTRAINT ${s.ifExists ? 'IF EXISTS ' : ''}${ident(s.name)}`;
    case 'clusterBy':
      return `${alter} CLUSTER BY ${s.columns === 'none' ? 'NONE' : `(${s.columns.map(column).join(', ')})`}`;
    case 'describeDetail':
      return `DESCRIBE DETAIL ${table(s.table)}`;
    case 'describeHistory':
      return `DESCRIBE HISTORY ${table(s.table)}${s.limit === undefined ? '' : ` LIMIT ${s.limit}`}`;
  }
}

/**
 * Spark's `ALTER COLUMN c <action>, …` when every change sets one thing; a change that sets a type
 * with a comment or position is Hive's `CHANGE COLUMN c c <type> [COMMENT …] [FIRST | AFTER …]`.
 */
function columnChanges(changes: readonly ColumnChange[]): string {
  const set = (c: ColumnChange): number => [c.type, c.comment, c.position, c.nullable].filter((x) => x !== undefined).length;
  const [only] = changes;
  if (changes.length === 1 && only && set(only) > 1 && only.type && only.nullable === undefined) {
    const last = only.column.path[only.column.path.length - 1]!;
    return [`CHANGE COLUMN ${column(only.column)} ${ident(last)} ${sqlType(only.type)}`, only.comment === undefined ? '' : `COMMENT ${str(only.comment)}`, position(only.position)].filter(Boolean).join(' ');
  }
  return `ALTER COLUMN ${changes
    .map((c) => {
      if (set(c) !== 1) throw new DeltaError('INVALID_ARGUMENT', `The change of column ${c.column.path.join('.')} cannot be written as SQL: ALTER COLUMN makes one change per column (or, Hive style, a type with a comment and a position); split it into several statements.`);
      const action = c.type ? `TYPE ${sqlType(c.type)}` : c.comment !== undefined ? `COMMENT ${str(c.comment)}` : c.position ? position(c.position) : c.nullable ? 'DROP NOT NULL' : 'SET NOT NULL';
      return `${column(c.column)} ${action}`;
    })
    .join(', ')}`;
}

const definition = (c: ColumnDefinition): string =>
  [`${column(c.column)} ${sqlType(c.type)}`, c.nullable ? '' : 'NOT NULL', c.comment === undefined ? '' : `COMMENT ${str(c.comment)}`, position(c.position)].filter(Boolean).join(' ');
const position = (p: ColumnPosition | undefined): string => (p === undefined ? '' : p.kind === 'first' ? 'FIRST' : `AFTER ${ident(p.column)}`);

const SQL_PRIMITIVES: Readonly<Record<string, string>> = { long: 'BIGINT', integer: 'INT', short: 'SMALLINT', byte: 'TINYINT' };

/** A data type in Spark DDL, as the core type parser reads it back (struct field comments included). */
function sqlType(t: DataType): string {
  switch (t.kind) {
    case 'primitive':
      return SQL_PRIMITIVES[t.name] ?? t.name.toUpperCase();
    case 'decimal':
      return `DECIMAL(${t.precision},${t.scale})`;
    case 'array':
      return `ARRAY<${sqlType(t.elementType)}>`;
    case 'map':
      return `MAP<${sqlType(t.keyType)}, ${sqlType(t.valueType)}>`;
    case 'struct':
      return `STRUCT<${t.fields
        .map((f) => {
          const comment = f.metadata['comment'];
          return `${name(f.name)}: ${sqlType(f.type)}${f.nullable ? '' : ' NOT NULL'}${typeof comment === 'string' ? ` COMMENT ${str(comment)}` : ''}`;
        })
        .join(', ')}>`;
  }
}

/** A string literal: backslash and quote escaped (the expression and DDL lexers read both back). */
const str = (v: string): string => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
/** A number as a literal that reads back to the same double (`-0` included). */
const num = (n: number): string => (Object.is(n, -0) ? '-0' : String(n));
/** Words of the maintenance grammar: back-quoted where a name stands, so that no name reads as a keyword. */
const KEYWORDS = new Set('type comment first after set drop sync not null if exists column columns none check to default'.split(' '));
const ident = (n: string): string => (KEYWORDS.has(n.toLowerCase()) ? quote(n) : name(n));

const quote = (name: string): string => '`' + name.replace(/`/g, '``') + '`';
const name = (n: string): string => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(n) ? n : quote(n));
const table = (t: TableRef): string => `${t.format}.${quote(t.path)}`;
const alias = (a: string | undefined): string => (a === undefined ? '' : ` AS ${name(a)}`);
const column = (c: ColumnName): string => c.path.map(ident).join('.');
const assignments = (set: readonly Assignment[]): string => set.map((a) => `${column(a.column)} = ${printExpr(a.value)}`).join(', ');
const clause = (head: string, c: MergeClause<unknown>, action: string): string => `${head}${c.condition ? ` AND ${printExpr(c.condition)}` : ''} THEN ${action}`;
