import { DeltaError } from '../errors.js';
import type { DataType, StructField, StructType } from '../schema/types.js';
import { visitExpr, type ComparisonOp, type Expr, type LiteralValue } from './ast.js';
import type { BoundColumn, BoundExpr, BoundLiteral } from './bound.js';
import { coerceLiteral, type Coerced } from './coerce.js';
import { compareScalars, typeName, type Scalar } from './scalar.js';
import { validateTimeZone } from './datetime.js';

export interface BindOptions {
  /** Logical names of the table's partition columns. */
  readonly partitionColumns?: readonly string[];
  /** With `name` or `id`, physical paths come from `delta.columnMapping.physicalName`. */
  readonly columnMappingMode?: 'none' | 'name' | 'id';
  /** IANA zone for strings compared with timestamp columns and for date↔timestamp casts. Default UTC. */
  readonly timeZone?: string;
}

type Operand = BoundColumn | BoundLiteral | { readonly kind: 'predicate'; readonly expr: BoundExpr };

/**
 * Resolves column names against `schema` (case-insensitively, like Spark) and coerces literals to
 * the types of the columns they are compared with. Throws COLUMN_NOT_FOUND for unknown names and
 * INVALID_ARGUMENT / UNSUPPORTED_OPERATION for comparisons that make no sense, with a fix.
 */
export function bindPredicate(expr: Expr, schema: StructType, options: BindOptions = {}): BoundExpr {
  const timeZone = options.timeZone ?? 'UTC';
  validateTimeZone(timeZone);
  const binder = new Binder(schema, options, timeZone);
  return binder.predicate(expr);
}

const FLIP: Record<ComparisonOp, ComparisonOp> = { '=': '=', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=', '<=>': '<=>' };

const constant = (value: boolean | null): BoundExpr => ({ kind: 'constant', value });

const unsupported = (e: Expr): never => {
  throw new DeltaError('UNSUPPORTED_OPERATION', `Expressions of kind ${e.kind} are not supported in this predicate form.`);
};

class Binder {
  private readonly partitions: Set<string>;

  constructor(
    private readonly schema: StructType,
    private readonly options: BindOptions,
    private readonly timeZone: string,
  ) {
    this.partitions = new Set((options.partitionColumns ?? []).map((c) => c.toLowerCase()));
  }

  predicate(e: Expr): BoundExpr {
    return visitExpr<BoundExpr>(e, {
      literal: (l) => this.asPredicate({ kind: 'literal', value: literalAsScalar(l.value) }, e),
      column: (c) => this.asPredicate(this.column(c.path), e),
      comparison: (c) => this.comparison(c.op, this.operand(c.left), this.operand(c.right)),
      and: (a) => ({ kind: 'and', args: a.args.map((x) => this.predicate(x)) }),
      or: (o) => ({ kind: 'or', args: o.args.map((x) => this.predicate(x)) }),
      not: (n) => ({ kind: 'not', arg: this.predicate(n.arg) }),
      isNull: (n) => this.isNull(this.operand(n.arg), n.negated),
      in: (i) => this.inList(this.operand(i.arg), i.list, i.negated),
      arith: unsupported,
      negate: unsupported,
      call: unsupported,
      cast: unsupported,
      case: unsupported,
      field: unsupported,
      subscript: unsupported,
    });
  }

  /** A boolean column or literal used as a whole predicate. */
  private asPredicate(o: BoundColumn | BoundLiteral, e: Expr): BoundExpr {
    if (o.kind === 'literal') {
      if (o.value === null || typeof o.value === 'boolean') return constant(o.value);
      throw invalid(`A ${describeLiteral(e)} literal is not a condition. Write a comparison such as \`column = ${describeLiteral(e)}\`.`);
    }
    if (o.type.kind === 'primitive' && o.type.name === 'boolean') return { kind: 'comparison', op: '=', left: o, right: { kind: 'literal', value: true } };
    throw invalid(`Column ${o.path.join('.')} of type ${typeName(o.type)} is not a condition. Compare it with a value, e.g. \`${o.path.join('.')} IS NOT NULL\`.`);
  }

  private operand(e: Expr): Operand {
    if (e.kind === 'column') return this.column(e.path);
    if (e.kind === 'literal') return { kind: 'literal', value: literalAsScalar(e.value) };
    return { kind: 'predicate', expr: this.predicate(e) };
  }

  column(path: readonly string[]): BoundColumn {
    const logical: string[] = [];
    const physical: string[] = [];
    let fields: readonly StructField[] = this.schema.fields;
    let type: DataType | undefined;
    for (let k = 0; k < path.length; k++) {
      const name = path[k]!;
      const f = fields.find((x) => x.name === name) ?? fields.find((x) => x.name.toLowerCase() === name.toLowerCase());
      if (!f) throw columnNotFound(path, k, fields);
      logical.push(f.name);
      physical.push(this.physicalName(f));
      type = f.type;
      if (k < path.length - 1) {
        if (f.type.kind !== 'struct') {
          throw new DeltaError('COLUMN_NOT_FOUND', `Column ${logical.join('.')} has type ${typeName(f.type)}, so it has no field "${path[k + 1]}". Only struct columns have nested fields.`, {
            details: { column: path.join('.') },
          });
        }
        fields = f.type.fields;
      }
    }
    const partition = logical.length === 1 && this.partitions.has(logical[0]!.toLowerCase());
    return { kind: 'column', path: logical, physicalPath: physical, type: type!, partition };
  }

  private physicalName(f: StructField): string {
    const mode = this.options.columnMappingMode ?? 'none';
    const p = f.metadata['delta.columnMapping.physicalName'];
    return mode !== 'none' && typeof p === 'string' ? p : f.name;
  }

  private comparison(op: ComparisonOp, left: Operand, right: Operand): BoundExpr {
    if (left.kind === 'predicate' || right.kind === 'predicate') {
      throw new DeltaError('UNSUPPORTED_OPERATION', 'Comparing the result of a condition with a value is not supported. Rewrite it, e.g. `NOT (a > 1)` instead of `(a > 1) = FALSE`.');
    }
    if (left.kind === 'literal' && right.kind === 'literal') return foldLiterals(op, left.value, right.value);
    if (left.kind === 'literal') return this.comparison(FLIP[op], right, left);
    const col = left as BoundColumn;
    if (right.kind === 'column') return this.columnComparison(op, col, right);
    return this.literalComparison(op, col, right.value);
  }

  private literalComparison(op: ComparisonOp, col: BoundColumn, value: Scalar): BoundExpr {
    if (value === null) {
      if (op === '<=>') return { kind: 'isNull', arg: col, negated: false };
      return constant(null);
    }
    const c = this.coerce(value, col);
    if ('exact' in c) return { kind: 'comparison', op, left: col, right: { kind: 'literal', value: c.exact } };
    // The literal lies strictly between two representable values floor < v < ceil.
    const ge = (x: Scalar): BoundExpr => ({ kind: 'comparison', op: '>=', left: col, right: { kind: 'literal', value: x } });
    const le = (x: Scalar): BoundExpr => ({ kind: 'comparison', op: '<=', left: col, right: { kind: 'literal', value: x } });
    switch (op) {
      case '>':
      case '>=':
        return ge(c.ceil);
      case '<':
      case '<=':
        return le(c.floor);
      case '=':
        return { kind: 'and', args: [ge(c.ceil), le(c.floor)] };
      case '!=':
        return { kind: 'or', args: [le(c.floor), ge(c.ceil)] };
      case '<=>':
        return constant(false);
    }
  }

  private columnComparison(op: ComparisonOp, left: BoundColumn, right: BoundColumn): BoundExpr {
    if (representation(left.type) !== representation(right.type) || representation(left.type) === 'other') {
      throw new DeltaError(
        'UNSUPPORTED_OPERATION',
        `Cannot compare column ${left.path.join('.')} (${typeName(left.type)}) with column ${right.path.join('.')} (${typeName(right.type)}): only columns of the same type family can be compared. Compare each column with a literal instead.`,
      );
    }
    return { kind: 'comparison', op, left, right };
  }

  private coerce(value: Exclude<Scalar, null> | LiteralValue, col: BoundColumn): Coerced {
    return coerceLiteral(value as LiteralValue, col.type, col.path.join('.'), this.timeZone);
  }

  private isNull(o: Operand, negated: boolean): BoundExpr {
    if (o.kind === 'column') return { kind: 'isNull', arg: o, negated };
    if (o.kind === 'literal') return constant((o.value === null) !== negated);
    throw new DeltaError('UNSUPPORTED_OPERATION', 'IS NULL applies to columns and values, not to conditions. Test the columns of the condition instead.');
  }

  private inList(o: Operand, list: readonly Expr[], negated: boolean): BoundExpr {
    if (o.kind !== 'column') {
      throw new DeltaError('UNSUPPORTED_OPERATION', 'IN needs a column on its left side, e.g. `part IN (1, 2)`.');
    }
    const values: Array<Exclude<Scalar, null>> = [];
    let hasNull = false;
    for (const item of list) {
      if (item.kind !== 'literal') throw new DeltaError('UNSUPPORTED_OPERATION', 'IN lists may contain only literal values. Use OR of comparisons for column references.');
      const v = literalAsScalar(item.value);
      if (v === null) {
        hasNull = true;
        continue;
      }
      const c = this.coerce(v, o);
      if ('exact' in c && c.exact !== null) values.push(c.exact);
    }
    return { kind: 'in', arg: o, values, hasNull, negated };
  }
}

/** AST literals keep their tagged form until coerced; plain values pass through. */
function literalAsScalar(v: LiteralValue): Scalar {
  return v as unknown as Scalar;
}

function foldLiterals(op: ComparisonOp, a: Scalar, b: Scalar): BoundExpr {
  if (a === null || b === null) return constant(op === '<=>' ? a === b : null);
  let c: number;
  try {
    c = compareScalars(untag(a), untag(b));
  } catch {
    throw invalid(`Cannot compare literals of different types (${String(a)} ${op} ${String(b)}). Compare a column with a literal instead.`);
  }
  const r = op === '=' || op === '<=>' ? c === 0 : op === '!=' ? c !== 0 : op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
  return constant(r);
}

/** Comparable form of an untyped literal for folding literal-vs-literal comparisons. */
function untag(v: Scalar): Scalar {
  const t = v as unknown as LiteralValue;
  if (typeof t === 'object' && t !== null && 'type' in t) {
    switch (t.type) {
      case 'date':
        return t.days;
      case 'timestamp':
      case 'timestamp_ntz':
        return t.micros;
      case 'binary':
        return t.bytes;
      case 'decimal':
        return Number(t.text);
    }
  }
  return typeof v === 'bigint' ? Number(v) : v;
}

/** Columns of the same representation can be compared row by row. */
function representation(t: DataType): string {
  if (t.kind === 'decimal') return 'decimal';
  if (t.kind !== 'primitive') return 'other';
  switch (t.name) {
    case 'byte':
    case 'short':
    case 'integer':
    case 'long':
    case 'float':
    case 'double':
      return 'numeric';
    case 'timestamp':
      return 'timestamp';
    default:
      return t.name;
  }
}

function describeLiteral(e: Expr): string {
  return e.kind === 'literal' ? String(untag(literalAsScalar(e.value))) : 'non-boolean';
}

const invalid = (message: string): DeltaError => new DeltaError('INVALID_ARGUMENT', message);

function columnNotFound(path: readonly string[], depth: number, fields: readonly StructField[]): DeltaError {
  const where = depth === 0 ? 'the table schema' : `struct ${path.slice(0, depth).join('.')}`;
  const available = fields.map((f) => f.name).join(', ') || '(none)';
  return new DeltaError(
    'COLUMN_NOT_FOUND',
    `Column ${path.join('.')} not found: ${where} has no field "${path[depth]}". Available: ${available}. Check the spelling; quote names with special characters in backticks.`,
    { details: { column: path.join('.'), available: fields.map((f) => f.name) } },
  );
}
