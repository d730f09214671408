/** How a generated SQL function treats string arguments (see `functions-sql.ts`). */
import { Column, col, toExpr, type ColumnLike } from './column.js';

export type StringArgs = 'first' | 'columns' | 'separator';

/** A function of the SQL expression language as a Column builder. */
export function fn(name: string, strings: StringArgs): (...args: ColumnLike[]) => Column {
  return (...args) => callFunction(name, strings, args);
}

/** `name(args...)` as a column; strings are column names or literals per `strings`. */
export function callFunction(name: string, strings: StringArgs, args: readonly ColumnLike[]): Column {
  const exprs = args.map((a, i) => {
    if (typeof a !== 'string') return toExpr(a);
    const isColumn = strings === 'columns' || (strings === 'first' && i === 0) || (strings === 'separator' && i > 0);
    return isColumn ? col(a).expr : toExpr(a);
  });
  return new Column({ kind: 'expr', expr: { kind: 'call', name, args: exprs } });
}
