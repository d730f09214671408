import { formatDataType } from '../schema/json.js';
import type { DataType } from '../schema/types.js';
import { visitExpr, type Expr, type LiteralValue } from './ast.js';
import { formatDate, formatTimestampNtz, formatTimestampUtc } from './datetime.js';
import { formatDecimal, isDecimalValue } from './scalar.js';

/**
 * SQL text of an expression, for messages, `commitInfo.operationParameters` and constraint
 * properties (e.g. `((part = 1) AND (id > 5))`). Every binary operation is parenthesized, so the
 * text parses back (`parseExpression`) to the same tree up to spans; names that are not plain
 * identifiers are back-quoted.
 */
export function printExpr(e: Expr): string {
  return visitExpr<string>(e, {
    literal: (l) => literalText(l.value),
    column: (c) => c.path.map(quoteName).join('.'),
    comparison: (c) => `(${printExpr(c.left)} ${c.op} ${printExpr(c.right)})`,
    and: (a) => (a.args.length === 0 ? 'true' : a.args.length === 1 ? printExpr(a.args[0]!) : `(${a.args.map(printExpr).join(' AND ')})`),
    or: (o) => (o.args.length === 0 ? 'false' : o.args.length === 1 ? printExpr(o.args[0]!) : `(${o.args.map(printExpr).join(' OR ')})`),
    not: (n) => `(NOT ${printExpr(n.arg)})`,
    isNull: (n) => `(${printExpr(n.arg)} IS ${n.negated ? 'NOT ' : ''}NULL)`,
    in: (i) => `(${printExpr(i.arg)} ${i.negated ? 'NOT ' : ''}IN (${i.list.map(printExpr).join(', ')}))`,
    arith: (a) => `(${printExpr(a.left)} ${a.op === 'div' ? 'DIV' : a.op} ${printExpr(a.right)})`,
    negate: (n) => `(- ${printExpr(n.arg)})`,
    call: (c) => `${quoteName(c.name)}(${c.star ? '*' : (c.distinct ? 'DISTINCT ' : '') + c.args.map(printExpr).join(', ')})`,
    cast: (c) => `${c.mode === 'try' ? 'TRY_CAST' : 'CAST'}(${printExpr(c.arg)} AS ${sqlType(c.to)})`,
    case: (c) =>
      `CASE${c.operand ? ' ' + printExpr(c.operand) : ''}${c.branches.map((b) => ` WHEN ${printExpr(b.when)} THEN ${printExpr(b.then)}`).join('')}${
        c.otherwise ? ' ELSE ' + printExpr(c.otherwise) : ''
      } END`,
    field: (f) => `(${printExpr(f.arg)}).${quoteName(f.name)}`,
    subscript: (s) => `${printExpr(s.arg)}[${printExpr(s.index)}]`,
  });
}

/** Words that cannot stand for a column name unquoted (they parse as syntax or as calls). */
const RESERVED = new Set(
  'and or not is in between like ilike rlike regexp case when then else end null true false distinct from as current_date current_timestamp current_user session_user interval'.split(' '),
);

/** A name as SQL text: plain identifiers as they are, reserved words and anything else back-quoted. */
export function quoteName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !RESERVED.has(name.toLowerCase()) ? name : '`' + name.replace(/`/g, '``') + '`';
}

/** A data type in Spark SQL DDL syntax (parses back with `parseDdlType`). */
export function sqlType(t: DataType): string {
  switch (t.kind) {
    case 'primitive':
    case 'decimal':
      return formatDataType(t).toUpperCase();
    case 'array':
      return `ARRAY<${sqlType(t.elementType)}>`;
    case 'map':
      return `MAP<${sqlType(t.keyType)}, ${sqlType(t.valueType)}>`;
    case 'struct':
      return `STRUCT<${t.fields.map((f) => `${quoteName(f.name)}: ${sqlType(f.type)}${f.nullable ? '' : ' NOT NULL'}`).join(', ')}>`;
  }
}

const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('').toUpperCase();

/** SQL text of a literal that parses back to the same literal. */
export function literalText(v: LiteralValue): string {
  if (v === null) return 'NULL';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return String(v);
    case 'number':
      return Number.isFinite(v) ? (Object.is(v, -0) ? '-0.0D' : `${v}D`) : `CAST('${Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity'}' AS DOUBLE)`;
    case 'string':
      return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
    default:
      break;
  }
  switch (v.type) {
    case 'decimal':
      return /[eE]/.test(v.text) ? `${v.text}BD` : v.text.includes('.') ? v.text : `${v.text}BD`;
    case 'date':
      return `DATE '${formatDate(v.days)}'`;
    case 'timestamp':
      return `TIMESTAMP '${formatTimestampUtc(v.micros)}'`;
    case 'timestamp_ntz':
      return `TIMESTAMP_NTZ '${formatTimestampNtz(v.micros)}'`;
    case 'binary':
      return `X'${hex(v.bytes)}'`;
    case 'interval':
      return `INTERVAL '${v.months}' MONTH '${v.days}' DAY '${v.micros}' MICROSECOND`;
    case 'typed':
      return typedText(v.dataType, v.value);
  }
}

function typedText(type: DataType, value: unknown): string {
  if (value === null || value === undefined) return `CAST(NULL AS ${sqlType(type)})`;
  if (type.kind === 'decimal' && isDecimalValue(value)) return `${formatDecimal(value)}BD`;
  if (type.kind === 'primitive') {
    switch (type.name) {
      case 'long':
        return `${String(value)}L`;
      case 'short':
        return `${String(value)}S`;
      case 'byte':
        return `${String(value)}Y`;
      case 'integer':
        return String(value);
      case 'double':
        return literalText(value as number);
      case 'float':
        return Number.isFinite(value as number) ? `${String(value)}F` : `CAST(${literalText(value as number)} AS FLOAT)`;
      case 'string':
        return literalText(value as string);
      case 'boolean':
        return literalText(value as boolean);
      case 'date':
        return literalText({ type: 'date', days: value as number });
      case 'timestamp':
        return literalText({ type: 'timestamp', micros: value as bigint });
      case 'timestamp_ntz':
        return literalText({ type: 'timestamp_ntz', micros: value as bigint });
      case 'binary':
        return literalText({ type: 'binary', bytes: value as Uint8Array });
      default:
        break;
    }
  }
  return `CAST(${literalText(String(value))} AS ${sqlType(type)})`;
}
