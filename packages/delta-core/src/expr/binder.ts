/**
 * Binding: resolves an expression tree against a scope of relations and types every node with
 * Spark's rules (expr/type-rules.ts), before any data is touched. Unknown columns or functions,
 * wrong argument counts and type mismatches fail here as typed errors; with the source text,
 * messages point at the offending part with a caret.
 *
 * Output invariants are documented on {@link TypedExpr}: implicit casts are explicit, constant
 * subtrees are folded into literals, comparisons of a column with a value its type holds exactly
 * are normalized to `column op literal` in the column's type (what data skipping reads).
 */
import { DeltaError, type DeltaErrorCode } from '../errors.js';
import type { ColumnMappingMode } from '../schema/column-mapping.js';
import type { DataType, StructField, StructType } from '../schema/types.js';
import { visitExpr, type ArithmeticOp, type ComparisonOp, type Expr, type LiteralValue, type Span } from './ast.js';
import { canCast, castValue } from './cast.js';
import { evaluateConstant } from './compile.js';
import { validateTimeZone } from './datetime.js';
import { bindArithmetic } from './functions/arithmetic.js';
import { bindElementAccess } from './functions/conditional.js';
import type { FunctionBindContext } from './functions/function.js';
import { FUNCTIONS, functionNames } from './functions/registry.js';
import { bindIntervalArithmetic } from './interval.js';
import { normalizeComparison, normalizeIn } from './normalize.js';
import { parseDecimal, type DecimalValue } from './scalar.js';
import { BOOLEAN, DOUBLE, INT, LONG, STRING, VOID, canImplicitCast, comparisonType, decimalType, isVoid, sameType, widerCommonType } from './type-rules.js';
import { isConstantExpr, type TypedColumn, type TypedExpr, type TypedLiteral } from './typed.js';
import type { Value } from './value.js';

/** One named input of an expression: a table (or a MERGE source) with its schema. */
export interface Relation {
  /** Alias usable as a qualifier (`t.id`); case-insensitive. */
  readonly alias?: string;
  readonly schema: StructType;
  /** Logical names of partition columns (their values come from the log). */
  readonly partitionColumns?: readonly string[];
  /** With `name` or `id`, physical paths come from `delta.columnMapping.physicalName`. */
  readonly columnMappingMode?: ColumnMappingMode;
}

export interface BindOptions {
  /** IANA session time zone for zone-less timestamp text and zone-dependent casts. Default UTC. */
  readonly timeZone?: string;
  /** The text the expression was parsed from: binding errors then show it with a caret. */
  readonly source?: string;
  /** `current_timestamp()` of the statement, µs since the epoch (take it from the engine clock). */
  readonly currentTimestampMicros?: bigint;
}

/** Binds `expr` against one schema or several relations (index = `TypedColumn.relation`). */
export function bindExpression(expr: Expr, scope: StructType | Relation | readonly Relation[], options: BindOptions = {}): TypedExpr {
  const relations: readonly Relation[] = Array.isArray(scope) ? scope : 'kind' in (scope as object) ? [{ schema: scope as StructType }] : [scope as Relation];
  const timeZone = options.timeZone ?? 'UTC';
  validateTimeZone(timeZone);
  return new Binder(relations, timeZone, options.source, options.currentTimestampMicros ?? BigInt(Date.now()) * 1000n).bind(expr);
}

/** Binds a condition: the result must be boolean (NULL literals count as boolean). */
export function bindCondition(expr: Expr, scope: StructType | Relation | readonly Relation[], options: BindOptions = {}): TypedExpr {
  const e = bindExpression(expr, scope, options);
  if (isVoid(e.type)) return { kind: 'literal', type: BOOLEAN, value: null };
  if (!sameType(e.type, BOOLEAN)) {
    throw bindError('TYPE_MISMATCH', `A condition must be boolean, but this expression has type ${typeText(e.type)}. Compare it with a value, e.g. \`x IS NOT NULL\` or \`x > 0\``, expr.span, options.source);
  }
  return e;
}

/** A binding error, with the source and a caret under `span` when both are known. */
export function bindError(code: DeltaErrorCode, message: string, span: Span | undefined, source: string | undefined, details: Record<string, unknown> = {}): DeltaError {
  if (span === undefined || source === undefined) return new DeltaError(code, `${message}.`, { details });
  const [start, end] = span;
  const width = Math.max(1, Math.min(end, source.length) - start);
  return new DeltaError(code, `${message} (at column ${start + 1}):\n  ${source}\n  ${' '.repeat(start)}${'^'.repeat(width)}`, { details: { ...details, column: start + 1, source } });
}

export const typeText = (t: DataType): string => {
  switch (t.kind) {
    case 'primitive':
      return t.name === 'void' ? 'null' : t.name;
    case 'decimal':
      return `decimal(${t.precision},${t.scale})`;
    case 'array':
      return `array<${typeText(t.elementType)}>`;
    case 'map':
      return `map<${typeText(t.keyType)},${typeText(t.valueType)}>`;
    case 'struct':
      return `struct<${t.fields.map((f) => `${f.name}:${typeText(f.type)}`).join(',')}>`;
  }
};

const INT_MIN = -(2n ** 31n);
const INT_MAX = 2n ** 31n - 1n;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

class Binder {
  constructor(
    private readonly relations: readonly Relation[],
    private readonly timeZone: string,
    private readonly source: string | undefined,
    private readonly nowMicros: bigint,
  ) {}

  private error(code: DeltaErrorCode, message: string, span: Span | undefined, details: Record<string, unknown> = {}): never {
    throw bindError(code, message, span, this.source, details);
  }

  bind(e: Expr): TypedExpr {
    return this.fold(this.bindNode(e));
  }

  private bindNode(e: Expr): TypedExpr {
    return visitExpr<TypedExpr>(e, {
      literal: (l) => this.literal(l.value, l.span),
      column: (c) => this.column(c.path, c.span),
      comparison: (c) => this.comparison(c.op, this.bind(c.left), this.bind(c.right), c.span),
      and: (a) => this.logical('and', a.args, a.span),
      or: (o) => this.logical('or', o.args, o.span),
      not: (n) => ({ kind: 'not', type: BOOLEAN, arg: this.condition(n.arg), ...span(n.span) }),
      isNull: (n) => ({ kind: 'isNull', type: BOOLEAN, arg: this.bind(n.arg), negated: n.negated, ...span(n.span) }),
      in: (i) => this.inList(this.bind(i.arg), i.list.map((x) => this.bind(x)), i.negated, i.span),
      arith: (a) => this.arithmetic(a.op, a.left, a.right, a.span),
      negate: (n) => this.call('negative', [this.bind(n.arg)], n.span),
      call: (c) => {
        if (c.distinct) this.error('UNSUPPORTED_OPERATION', `DISTINCT inside ${c.name}(…) is only allowed in aggregate queries (SELECT … GROUP BY, or groupBy().agg())`, c.span, { function: c.name });
        return this.call(c.name, c.args.map((x) => this.bind(x)), c.span, c.star);
      },
      cast: (c) => this.cast(this.bind(c.arg), c.to, c.span, true),
      case: (c) => this.caseWhen(c, c.span),
      field: (f) => this.field(this.bind(f.arg), f.name, f.span),
      subscript: (s) => this.call('[]', [this.bind(s.arg), this.bind(s.index)], s.span),
    });
  }

  /** Folds a node whose value cannot vary between rows into a literal. */
  private fold(e: TypedExpr): TypedExpr {
    if (e.kind === 'literal' || e.kind === 'column' || !isConstantExpr(e)) return e;
    const value = evaluateConstant(e, { timeZone: this.timeZone, nowMicros: this.nowMicros });
    return { kind: 'literal', type: e.type, value, ...span(e.span) };
  }

  // ---- literals and columns ----------------------------------------------------------------

  private literal(v: LiteralValue, at: Span | undefined): TypedLiteral {
    const lit = (type: DataType, value: Value): TypedLiteral => ({ kind: 'literal', type, value, ...span(at) });
    if (v === null) return lit(VOID, null);
    switch (typeof v) {
      case 'boolean':
        return lit(BOOLEAN, v);
      case 'string':
        return lit(STRING, v);
      case 'number':
        return lit(DOUBLE, v);
      case 'bigint':
        if (v >= INT_MIN && v <= INT_MAX) return lit(INT, Number(v));
        if (v >= LONG_MIN && v <= LONG_MAX) return lit(LONG, v);
        return this.decimalLiteral({ unscaled: v, scale: 0 }, String(v), at);
      default:
        break;
    }
    switch (v.type) {
      case 'decimal': {
        const d = parseDecimal(v.text);
        if (!d) return this.error('PARSE_ERROR', `"${v.text}" is not a decimal number`, at);
        return this.decimalLiteral(d, v.text, at);
      }
      case 'date':
        return lit({ kind: 'primitive', name: 'date' }, v.days);
      case 'timestamp':
        return lit({ kind: 'primitive', name: 'timestamp' }, v.micros);
      case 'timestamp_ntz':
        return lit({ kind: 'primitive', name: 'timestamp_ntz' }, v.micros);
      case 'binary':
        return lit({ kind: 'primitive', name: 'binary' }, v.bytes);
      case 'typed':
        return lit(v.dataType, v.value as Value);
      case 'interval':
        return this.error('TYPE_MISMATCH', 'An INTERVAL can only be added to or subtracted from a date or timestamp, e.g. `ts + INTERVAL 10 MINUTES`', at);
    }
  }

  /** Exact decimal literal: DECIMAL(max(digits, scale), scale); beyond 38 digits Spark reads a double. */
  private decimalLiteral(d: DecimalValue, text: string, at: Span | undefined): TypedLiteral {
    const digits = (d.unscaled < 0n ? -d.unscaled : d.unscaled).toString().length;
    const precision = Math.max(digits, d.scale, 1);
    if (precision > 38) return { kind: 'literal', type: DOUBLE, value: Number(text), ...span(at) };
    return { kind: 'literal', type: decimalType(precision, d.scale), value: d, ...span(at) };
  }

  private column(path: readonly string[], at: Span | undefined): TypedExpr {
    const [first, ...rest] = path;
    // A leading relation alias wins over a column of that name (Spark resolves qualifiers first).
    if (rest.length > 0) {
      const r = this.relations.findIndex((x) => x.alias !== undefined && x.alias.toLowerCase() === first!.toLowerCase());
      if (r >= 0 && findField(this.relations[r]!.schema.fields, rest[0]!)) return this.resolveIn(r, rest, at, path);
    }
    const matches = this.relations.map((rel, i) => (findField(rel.schema.fields, first!) ? i : -1)).filter((i) => i >= 0);
    if (matches.length > 1) {
      const aliases = matches.map((i) => this.relations[i]!.alias ?? `#${i}`);
      this.error('AMBIGUOUS_REFERENCE', `Column "${path.join('.')}" is ambiguous: it exists in ${aliases.join(' and ')}. Qualify it, e.g. ${aliases[0]}.${path.join('.')}`, at);
    }
    if (matches.length === 0) return this.columnNotFound(path, at);
    return this.resolveIn(matches[0]!, path, at, path);
  }

  private resolveIn(r: number, path: readonly string[], at: Span | undefined, written: readonly string[]): TypedExpr {
    const rel = this.relations[r]!;
    const mode = rel.columnMappingMode ?? 'none';
    const top = findField(rel.schema.fields, path[0]!)!;
    const partition = path.length >= 1 && (rel.partitionColumns ?? []).some((p) => p.toLowerCase() === top.name.toLowerCase());
    let expr: TypedExpr = {
      kind: 'column',
      type: top.type,
      relation: r,
      path: [top.name],
      physicalPath: [physicalName(top, mode)],
      partition,
      nullable: top.nullable,
      ...span(at),
    } satisfies TypedColumn;
    for (let k = 1; k < path.length; k++) {
      const name = path[k]!;
      const col = expr as TypedColumn;
      if (col.type.kind !== 'struct') {
        return this.error('COLUMN_NOT_FOUND', `Column ${col.path.join('.')} has type ${typeText(col.type)}, so it has no field "${name}"; only struct columns have nested fields`, at, { column: written.join('.') });
      }
      const f = findField(col.type.fields, name);
      if (!f) {
        return this.error('COLUMN_NOT_FOUND', `Struct ${col.path.join('.')} has no field "${name}". Fields: ${col.type.fields.map((x) => x.name).join(', ')}`, at, { column: written.join('.') });
      }
      expr = { ...col, type: f.type, path: [...col.path, f.name], physicalPath: [...col.physicalPath, physicalName(f, mode)], partition: false, nullable: col.nullable || f.nullable };
    }
    return expr;
  }

  private columnNotFound(path: readonly string[], at: Span | undefined): never {
    const available = this.relations.flatMap((r) => r.schema.fields.map((f) => (this.relations.length > 1 && r.alias ? `${r.alias}.${f.name}` : f.name)));
    const suggestion = closest(path[path.length - 1]!, available.map((a) => a.split('.').pop()!));
    return this.error(
      'COLUMN_NOT_FOUND',
      `Column "${path.join('.')}" does not exist${suggestion ? `; did you mean "${suggestion}"?` : ''} Available: ${available.join(', ') || '(none)'}. Quote names with special characters in backticks`,
      at,
      { column: path.join('.'), available },
    );
  }

  // ---- predicates --------------------------------------------------------------------------

  private condition(e: Expr): TypedExpr {
    const t = this.bind(e);
    if (isVoid(t.type)) return { kind: 'literal', type: BOOLEAN, value: null, ...span(t.span) };
    if (!sameType(t.type, BOOLEAN)) {
      this.error('TYPE_MISMATCH', `Expected a condition (boolean), but this has type ${typeText(t.type)}. Compare it with a value, e.g. \`x > 0\` or \`x IS NOT NULL\``, e.span);
    }
    return t;
  }

  private logical(kind: 'and' | 'or', args: readonly Expr[], at: Span | undefined): TypedExpr {
    return { kind, type: BOOLEAN, args: args.map((a) => this.condition(a)), ...span(at) };
  }

  private comparison(op: ComparisonOp, left: TypedExpr, right: TypedExpr, at: Span | undefined): TypedExpr {
    const t = comparisonType(left.type, right.type);
    if (t === undefined || t.kind === 'map') {
      this.error('TYPE_MISMATCH', `Cannot compare ${typeText(left.type)} with ${typeText(right.type)}${t?.kind === 'map' ? ' (maps are not comparable)' : ''}. Cast one side, e.g. CAST(x AS STRING)`, at);
    }
    const l = this.implicit(left, t, at);
    const r = this.implicit(right, t, at);
    return normalizeComparison(op, l, r, at);
  }

  private inList(arg: TypedExpr, list: readonly TypedExpr[], negated: boolean, at: Span | undefined): TypedExpr {
    const t = widerCommonType([arg.type, ...list.map((x) => x.type)]);
    if (t === undefined) this.error('TYPE_MISMATCH', `IN needs values of one type as ${typeText(arg.type)}; got ${list.map((x) => typeText(x.type)).join(', ')}. Cast the values`, at);
    const a = this.implicit(arg, t, at);
    const items = list.map((x) => this.implicit(x, t, at));
    return normalizeIn(a, items, negated, at);
  }

  // ---- arithmetic, functions, casts ----------------------------------------------------------

  private arithmetic(op: ArithmeticOp, leftExpr: Expr, rightExpr: Expr, at: Span | undefined): TypedExpr {
    const interval = (x: Expr): boolean => x.kind === 'literal' && typeof x.value === 'object' && x.value !== null && 'type' in x.value && x.value.type === 'interval';
    if ((op === '+' || op === '-') && (interval(leftExpr) || interval(rightExpr))) {
      return bindIntervalArithmetic(op, leftExpr, rightExpr, (x) => this.bind(x), this.functionContext('+', at));
    }
    const left = this.bind(leftExpr);
    const right = this.bind(rightExpr);
    const dateLike = (t: DataType): boolean => t.kind === 'primitive' && ['date', 'timestamp', 'timestamp_ntz'].includes(t.name);
    if ((op === '+' || op === '-') && (dateLike(left.type) || dateLike(right.type))) {
      const isDate = (t: DataType): boolean => t.kind === 'primitive' && t.name === 'date';
      if (isDate(left.type) && !dateLike(right.type)) return this.call(op === '+' ? 'date_add' : 'date_sub', [left, right], at);
      if (op === '+' && isDate(right.type) && !dateLike(left.type)) return this.call('date_add', [right, left], at);
      this.error('TYPE_MISMATCH', `${typeText(left.type)} ${op} ${typeText(right.type)} is not supported: use datediff(end, start) for days between dates, unix_timestamp differences for seconds, or add an INTERVAL`, at);
    }
    const ctx = this.functionContext(op === 'div' ? 'div' : op, at);
    const bound = bindArithmetic(op, left, right, ctx);
    const fn = FUNCTIONS.get(op)!;
    return { kind: 'call', type: bound.type, name: fn.name, fn: bound.fn, args: bound.args ?? [left, right], ...span(at) };
  }

  private call(name: string, args: readonly TypedExpr[], at: Span | undefined, star = false): TypedExpr {
    if (name === '[]') {
      const b = bindElementAccess(args[0]!, args[1]!, this.functionContext('[]', at), 0);
      return { kind: 'call', type: b.type, name: 'subscript', fn: b.fn, args: b.args, ...span(at) };
    }
    const def = FUNCTIONS.get(name);
    if (!def) {
      const suggestion = closest(name, functionNames());
      return this.error('UNKNOWN_FUNCTION', `Unknown function ${name}()${suggestion ? `; did you mean ${suggestion}()?` : ''}`, at, { function: name });
    }
    if (star) this.error('TYPE_MISMATCH', `${name}(*) is not supported; pass the arguments explicitly`, at);
    const [min, max] = def.arity;
    if (args.length < min || args.length > max) {
      const expected = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
      this.error('WRONG_ARGUMENT_COUNT', `${name} takes ${expected} argument${min === 1 && max === 1 ? '' : 's'} (${def.signature}) but was given ${args.length}`, at, { function: name });
    }
    const bound = def.bind(args, this.functionContext(name, at));
    return { kind: 'call', type: bound.type, name, fn: bound.fn, args: bound.args ?? args, ...span(at) };
  }

  private functionContext(name: string, at: Span | undefined): FunctionBindContext {
    return {
      name,
      timeZone: this.timeZone,
      cast: (arg, type, position) => {
        if (sameType(arg.type, type)) return arg;
        if (!canImplicitCast(arg.type, type) && !isVoid(arg.type)) {
          this.error('TYPE_MISMATCH', `Argument ${position} of ${name} must be ${typeText(type)}, but it has type ${typeText(arg.type)}. Cast it explicitly`, arg.span ?? at);
        }
        return this.cast(arg, type, arg.span ?? at, false);
      },
      constant: (arg, position) => {
        const folded = this.fold(arg);
        if (folded.kind !== 'literal') this.error('TYPE_MISMATCH', `Argument ${position} of ${name} must be a constant, not an expression over columns`, arg.span ?? at);
        return folded.value;
      },
      error: (message) => this.error('TYPE_MISMATCH', message, at, { function: name }),
    };
  }

  /** An implicit cast inserted by coercion (comparison types, IN lists, CASE branches). */
  private implicit(e: TypedExpr, type: DataType, at: Span | undefined): TypedExpr {
    return this.cast(e, type, e.span ?? at, false);
  }

  private cast(arg: TypedExpr, to: DataType, at: Span | undefined, explicit: boolean): TypedExpr {
    if (sameType(arg.type, to)) return explicit ? { ...arg, type: to } : arg;
    if (!canCast(arg.type, to)) this.error('TYPE_MISMATCH', `Cannot cast ${typeText(arg.type)} to ${typeText(to)}`, at);
    if (arg.kind === 'literal') return { kind: 'literal', type: to, value: castValue(arg.value, arg.type, to, this.timeZone, this.nowMicros), ...span(arg.span ?? at) };
    return { kind: 'cast', type: to, arg, ...span(at) };
  }

  private caseWhen(c: Extract<Expr, { kind: 'case' }>, at: Span | undefined): TypedExpr {
    const operand = c.operand ? this.bind(c.operand) : undefined;
    const whens = c.branches.map((b) => (operand ? this.comparison('=', operand, this.bind(b.when), b.when.span) : this.condition(b.when)));
    const thens = c.branches.map((b) => this.bind(b.then));
    const otherwise = c.otherwise ? this.bind(c.otherwise) : ({ kind: 'literal', type: VOID, value: null } as TypedExpr);
    const type = widerCommonType([...thens, otherwise].map((x) => x.type));
    if (type === undefined) this.error('TYPE_MISMATCH', `CASE branches need one common type; got ${[...thens, otherwise].map((x) => typeText(x.type)).join(', ')}. Cast the branches`, at);
    // All-NULL branches keep Spark's NullType (void), so COALESCE and arithmetic around them widen as in Spark.
    const t = type;
    return {
      kind: 'case',
      type: t,
      branches: whens.map((w, i) => ({ when: w, then: this.implicit(thens[i]!, t, at) })),
      otherwise: this.implicit(otherwise, t, at),
      ...span(at),
    };
  }

  private field(arg: TypedExpr, name: string, at: Span | undefined): TypedExpr {
    if (arg.type.kind !== 'struct') this.error('TYPE_MISMATCH', `Cannot take field "${name}" of a value of type ${typeText(arg.type)}; only structs have fields`, at);
    const fields = arg.type.fields;
    const index = fields.findIndex((f) => f.name === name) >= 0 ? fields.findIndex((f) => f.name === name) : fields.findIndex((f) => f.name.toLowerCase() === name.toLowerCase());
    if (index < 0) this.error('COLUMN_NOT_FOUND', `The struct has no field "${name}". Fields: ${fields.map((f) => f.name).join(', ')}`, at);
    if (arg.kind === 'column') return { ...arg, type: fields[index]!.type, path: [...arg.path, fields[index]!.name], physicalPath: [...arg.physicalPath, fields[index]!.name], partition: false, ...span(at) };
    return { kind: 'field', type: fields[index]!.type, arg, index, name: fields[index]!.name, ...span(at) };
  }
}

const span = (s: Span | undefined): { span?: Span } => (s === undefined ? {} : { span: s });

/** The physical name of a field under column mapping, or its logical name (no mapping, or none recorded). */
function physicalName(f: StructField, mode: ColumnMappingMode): string {
  const p = f.metadata['delta.columnMapping.physicalName'];
  return mode !== 'none' && typeof p === 'string' && p !== '' ? p : f.name;
}

function findField(fields: readonly StructField[], name: string): StructField | undefined {
  return fields.find((f) => f.name === name) ?? fields.find((f) => f.name.toLowerCase() === name.toLowerCase());
}

/** The candidate closest to `name` by edit distance, when close enough to be a likely typo. */
function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const n = name.toLowerCase();
  for (const c of candidates) {
    const d = editDistance(n, c.toLowerCase());
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best !== undefined && bestD <= Math.max(1, Math.floor(n.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return Infinity;
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

export interface PredicateBindOptions extends BindOptions {
  /** Logical names of the table's partition columns. */
  readonly partitionColumns?: readonly string[];
  /** With `name` or `id`, physical paths come from `delta.columnMapping.physicalName`. */
  readonly columnMappingMode?: ColumnMappingMode;
}

/** Binds a condition over one table's schema (scan filters, replaceWhere, conflict predicates). */
export function bindPredicate(expr: Expr, schema: StructType, options: PredicateBindOptions = {}): TypedExpr {
  const { partitionColumns, columnMappingMode, ...rest } = options;
  const relation: Relation = {
    schema,
    ...(partitionColumns === undefined ? {} : { partitionColumns }),
    ...(columnMappingMode === undefined ? {} : { columnMappingMode }),
  };
  return bindCondition(expr, relation, rest);
}
