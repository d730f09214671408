/**
 * Turns a table's stored rules (CHECK constraints, column invariants, generation expressions,
 * see `definitions.ts`) into typed expressions over the table's logical schema, once per write.
 * Every failure (unparseable text, unknown column or function, wrong type) is the typed error of
 * the parser or binder, its message prefixed with the rule it came from.
 */
import { DeltaError, isDeltaError } from '../errors.js';
import { childrenOf, col, type Expr } from '../expr/ast.js';
import { bindExpression, typeText } from '../expr/binder.js';
import { canCast } from '../expr/cast.js';
import { parseExpression } from '../expr/parse.js';
import { quoteName } from '../expr/print.js';
import { BOOLEAN, isVoid, sameType } from '../expr/type-rules.js';
import { typedChildren, typedColumns, type TypedColumn, type TypedExpr } from '../expr/typed.js';
import type { StructField, StructType } from '../schema/types.js';
import type { CheckConstraintDef, GeneratedColumnDef, InvariantDef } from './definitions.js';

/** A condition every written row must make true (false and null both violate it). */
export interface BoundRule {
  readonly kind: 'check' | 'invariant' | 'generated';
  /** As Delta Spark names it in messages: the constraint name, `EXPRESSION(<sql>)`, or `Generated Column`. */
  readonly name: string;
  /** The condition's SQL text, for messages. */
  readonly text: string;
  readonly condition: TypedExpr;
  /** The columns whose values an error shows for an offending row, sorted by path. */
  readonly columns: readonly TypedColumn[];
  /** The column the rule belongs to (invariants, generated columns). */
  readonly column?: string;
}

export interface BoundGeneratedColumn {
  readonly field: StructField;
  readonly index: number;
  readonly text: string;
  /** The generation expression, of the column's type. */
  readonly value: TypedExpr;
  /** `column <=> expression`, checked when the data gives the column. */
  readonly rule: BoundRule;
}

export interface RuleBindOptions {
  readonly timeZone: string;
  readonly nowMicros: bigint;
  /**
   * Refuse what a new rule may not use (as Delta Spark does when a rule is defined): a generation
   * expression whose type differs from its column's, and non-deterministic functions (plus, in
   * generation expressions, functions of the current time). Off for rules already in a table,
   * which are enforced as they evaluate.
   */
  readonly strict?: boolean;
}

/** Parses a rule's SQL text; errors say which rule could not be parsed. */
export function parseRule(text: string, what: string, timeZone: string): Expr {
  try {
    return parseExpression(text, { timeZone });
  } catch (e) {
    throw inContext(e, `${what} cannot be parsed`);
  }
}

/** The CHECK constraint as a condition over `schema`. */
export function bindCheckConstraint(def: CheckConstraintDef, schema: StructType, options: RuleBindOptions): BoundRule {
  const what = `CHECK constraint ${def.name} (${def.text})`;
  const condition = bindBoolean(parseRule(def.text, what, options.timeZone), def.text, schema, what, options);
  if (options.strict) refuseNonDeterministic(condition, what);
  return { kind: 'check', name: def.name, text: def.text, condition, columns: sortedColumns(condition) };
}

/** The column invariant as a condition over `schema` (its expression names columns by full path). */
export function bindInvariant(def: InvariantDef, schema: StructType, options: RuleBindOptions): BoundRule {
  const column = def.path.join('.');
  const what = `The invariant of column ${column} (${def.text})`;
  const condition = bindBoolean(parseRule(def.text, what, options.timeZone), def.text, schema, what, options);
  if (options.strict) refuseNonDeterministic(condition, what);
  return { kind: 'invariant', name: `EXPRESSION(${def.text})`, text: def.text, condition, columns: sortedColumns(condition), column };
}

/**
 * The generation expression of `def`, bound over the table's non-generated columns (a generated
 * column may not read itself or another generated column), cast to the column's type when it
 * differs (strict: refused, as Delta Spark refuses such a definition), and the rule checking given
 * values: `column <=> expression`, null-safe, so a null given where the expression is null passes.
 */
export function bindGeneratedColumn(def: GeneratedColumnDef, schema: StructType, generated: ReadonlySet<string>, options: RuleBindOptions): BoundGeneratedColumn {
  const name = def.field.name;
  const what = `The generation expression of column ${name} (${def.text})`;
  const inputs: StructType = { kind: 'struct', fields: schema.fields.filter((f) => !generated.has(f.name.toLowerCase())) };
  const expr = parseRule(def.text, what, options.timeZone);
  let value: TypedExpr;
  try {
    value = bindExpression(expr, inputs, bindOptions(def.text, options));
  } catch (e) {
    if (isDeltaError(e, 'COLUMN_NOT_FOUND') && generatedReference(expr, generated)) {
      throw new DeltaError('INVALID_SCHEMA', `${what} reads a generated column; a generated column can only be computed from columns that are not generated. Define it over the base columns.`, {
        cause: e,
        details: { column: name },
      });
    }
    throw inContext(e, `${what} cannot be bound`);
  }
  if (options.strict) refuseNonDeterministic(value, what, { clock: refersToClock(expr, inputs, def.text, options, value) });
  value = toColumnType(value, def.field, what, options.strict ?? false);
  const target = bindExpression(col(name), schema) as TypedColumn;
  const condition: TypedExpr = { kind: 'comparison', type: BOOLEAN, op: '<=>', left: target, right: value };
  const text = `${quoteName(name)} <=> (${def.text})`;
  return { field: def.field, index: def.index, text: def.text, value, rule: { kind: 'generated', name: 'Generated Column', text, condition, columns: sortedColumns(condition), column: name } };
}

function bindOptions(source: string, options: RuleBindOptions) {
  return { timeZone: options.timeZone, source, currentTimestampMicros: options.nowMicros };
}

function bindBoolean(expr: Expr, source: string, schema: StructType, what: string, options: RuleBindOptions): TypedExpr {
  let bound: TypedExpr;
  try {
    bound = bindExpression(expr, schema, bindOptions(source, options));
  } catch (e) {
    throw inContext(e, `${what} cannot be bound to the table schema`);
  }
  if (isVoid(bound.type)) return { kind: 'literal', type: BOOLEAN, value: null };
  if (!sameType(bound.type, BOOLEAN)) {
    throw new DeltaError('TYPE_MISMATCH', `${what} should be a boolean expression, but it has type ${typeText(bound.type)}. Write a condition, e.g. \`x > 0\` or \`x IS NOT NULL\`.`, {
      details: { expression: source, type: typeText(bound.type) },
    });
  }
  return bound;
}

/** `value` as the column's type: unchanged when equal, else a cast (refused when strict). */
function toColumnType(value: TypedExpr, field: StructField, what: string, strict: boolean): TypedExpr {
  if (sameType(value.type, field.type)) return value;
  const mismatch = `${what} has type ${typeText(value.type)}, but the column has type ${typeText(field.type)}`;
  if ((strict && !isVoid(value.type)) || !canCast(value.type, field.type)) {
    throw new DeltaError('TYPE_MISMATCH', `${mismatch}. The expression must produce the column's type: add a CAST(... AS ${typeText(field.type).toUpperCase()}) or change the column type.`, {
      details: { column: field.name, expressionType: typeText(value.type), columnType: typeText(field.type) },
    });
  }
  return { kind: 'cast', type: field.type, arg: value };
}

function refuseNonDeterministic(e: TypedExpr, what: string, options: { clock?: boolean } = {}): void {
  const random = (x: TypedExpr): boolean => (x.kind === 'call' && x.fn.deterministic === false) || typedChildren(x).some(random);
  if (random(e)) {
    throw new DeltaError('INVALID_ARGUMENT', `${what} uses a non-deterministic function; a rule must give the same answer every time it is evaluated. Remove the function (rand, uuid, ...).`);
  }
  if (options.clock) {
    throw new DeltaError('INVALID_ARGUMENT', `${what} depends on the current time (current_timestamp, current_date, ...), which a generated column cannot use: its stored values would not match the expression later. Compute it from columns only.`);
  }
}

/**
 * Whether the expression's value depends on the statement's clock: bound again with another
 * `current_timestamp()`, its folded literals differ. (Clock functions are folded at bind time, so
 * the typed tree alone cannot tell.)
 */
function refersToClock(expr: Expr, inputs: StructType, source: string, options: RuleBindOptions, bound: TypedExpr): boolean {
  const other = bindExpression(expr, inputs, bindOptions(source, { ...options, nowMicros: options.nowMicros + 86_400_000_000n * 400n + 3_600_000_123n }));
  return fingerprint(other) !== fingerprint(bound);
}

function fingerprint(e: TypedExpr): string {
  const literal = e.kind === 'literal' ? JSON.stringify(e.value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? Array.from(v) : v)) : '';
  return `${e.kind}${literal}(${typedChildren(e).map(fingerprint).join(',')})`;
}

/** Whether `expr` names one of the generated columns (so a COLUMN_NOT_FOUND means it reads one). */
function generatedReference(expr: Expr, generated: ReadonlySet<string>): boolean {
  const walk = (x: Expr): boolean => (x.kind === 'column' ? generated.has(x.path[0]!.toLowerCase()) : childrenOf(x).some(walk));
  return walk(expr);
}

function sortedColumns(e: TypedExpr): TypedColumn[] {
  return typedColumns(e).sort((a, b) => (a.path.join('.') < b.path.join('.') ? -1 : a.path.join('.') > b.path.join('.') ? 1 : 0));
}

/** A DeltaError with `context` before its message (same code and details), the original as cause. */
export function inContext(e: unknown, context: string): unknown {
  if (!isDeltaError(e)) return e;
  return new DeltaError(e.code, `${context}: ${e.message}`, { cause: e, details: e.details });
}
