import { visitExpr, type Expr, type LiteralValue } from '../expr/ast.js';
import { formatDate, formatTimestampNtz, formatTimestampUtc } from '../expr/datetime.js';

/**
 * SQL-like text of an expression, for messages and `commitInfo.operationParameters` (e.g.
 * `(part = 1) AND (id > 5)`). Not meant to be parsed back; column names with unusual characters
 * are back-quoted.
 */
export function describeExpr(e: Expr): string {
  return visitExpr<string>(e, {
    literal: (l) => literalText(l.value),
    column: (c) => c.path.map(quoteName).join('.'),
    comparison: (c) => `(${describeExpr(c.left)} ${c.op} ${describeExpr(c.right)})`,
    and: (a) => (a.args.length === 0 ? 'true' : a.args.map(describeExpr).join(' AND ')),
    or: (o) => (o.args.length === 0 ? 'false' : `(${o.args.map(describeExpr).join(' OR ')})`),
    not: (n) => `NOT ${describeExpr(n.arg)}`,
    isNull: (n) => `(${describeExpr(n.arg)} IS ${n.negated ? 'NOT ' : ''}NULL)`,
    in: (i) => `(${describeExpr(i.arg)} ${i.negated ? 'NOT ' : ''}IN (${i.list.map(describeExpr).join(', ')}))`,
  });
}

function quoteName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : '`' + name.replace(/`/g, '``') + '`';
}

function literalText(v: LiteralValue): string {
  if (v === null) return 'NULL';
  switch (typeof v) {
    case 'boolean':
    case 'bigint':
    case 'number':
      return String(v);
    case 'string':
      return `'${v.replace(/'/g, "''")}'`;
    default:
      break;
  }
  switch (v.type) {
    case 'decimal':
      return v.text;
    case 'date':
      return `DATE '${formatDate(v.days)}'`;
    case 'timestamp':
      return `TIMESTAMP '${formatTimestampUtc(v.micros)}'`;
    case 'timestamp_ntz':
      return `TIMESTAMP_NTZ '${formatTimestampNtz(v.micros)}'`;
    case 'binary':
      return `X'${Array.from(v.bytes, (b) => b.toString(16).padStart(2, '0')).join('')}'`;
  }
}
