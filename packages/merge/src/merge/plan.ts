/**
 * MERGE planning: everything decided before data is touched, as Spark's analyzer and
 * `MergeIntoCommand` decide it. The merge condition is bound against both relations and split
 * into its conjuncts: equi-join keys (`t.k = s.k`, `<=>` too) drive the hash join, target-only
 * conjuncts prune and pre-filter target rows, source-only conjuncts keep source rows out of the
 * hash table, and the rest is a residual evaluated on candidate pairs. Clauses are resolved into
 * per-column value plans over the post-evolution target schema (see assignments.ts).
 */
import { transformExpr } from '@deltakit/core';
import { DeltaError, type Expr, type StructType } from '@deltakit/core';
import { bindCondition, bindExpression, typedColumns, type Relation, type TypedExpr } from '@deltakit/core/internal';
import { identityPlans, planClauses, type PlannedClause, type ValuePlan } from './assignments.js';
import { validateClauses, type ExprInput, type MergeClauses } from './clauses.js';
import { filterSourceSchema, mergeSchemas, schemaChanged } from './evolution.js';
import { inContext, parseInput, printCondition, targetPath } from './resolve.js';

export interface PlanInput {
  /** The target's logical schema, partition columns and column mapping mode. */
  readonly targetSchema: StructType;
  readonly partitionColumns: readonly string[];
  readonly columnMappingMode: Relation['columnMappingMode'];
  readonly targetAlias?: string;
  readonly sourceSchema: StructType;
  readonly sourceAlias?: string;
  readonly condition: ExprInput;
  readonly clauses: MergeClauses;
  readonly schemaEvolution: boolean;
  readonly timeZone: string;
  readonly nowMicros: bigint;
}

/** One equi-join key: `target = source` (or `<=>` with `nullSafe`), both sides of the same type. */
export interface JoinKey {
  readonly target: TypedExpr;
  readonly source: TypedExpr;
  readonly nullSafe: boolean;
}

export interface MergePlan {
  /** Scope of expressions: index 0 is the target, 1 the source. */
  readonly relations: readonly [Relation, Relation];
  /** The merge condition as parsed and as SQL text (for commitInfo). */
  readonly condition: Expr;
  readonly conditionText: string;
  readonly keys: readonly JoinKey[];
  /** Conjuncts reading only the target (relation 0): prune files, pre-filter rows. */
  readonly targetOnly: TypedExpr | undefined;
  /** `targetOnly` over unqualified logical target column names, for transaction read predicates. */
  readonly targetOnlyExpr: Expr | undefined;
  /** Conjuncts reading only the source (relation 1): a source row failing them matches nothing. */
  readonly sourceOnly: TypedExpr | undefined;
  /** Conjuncts reading both sides that are not equi-join keys: checked on each candidate pair. */
  readonly residual: TypedExpr | undefined;
  readonly matched: readonly PlannedClause[];
  readonly notMatched: readonly PlannedClause[];
  readonly notMatchedBySource: readonly PlannedClause[];
  /** A target row as it is, in the final schema's shape (change-data preimages, deleted rows). */
  readonly identity: readonly ValuePlan[];
  /** The target schema after this merge (with evolved columns), and whether it differs. */
  readonly finalSchema: StructType;
  readonly schemaEvolved: boolean;
  /** Top-level target columns (logical names) the join and clauses read. */
  readonly targetColumns: readonly string[];
  /** Only NOT MATCHED clauses: the target is never rewritten. */
  readonly insertOnly: boolean;
  /** The MATCHED clauses are one unconditional DELETE: multiple matches are allowed (as in Delta). */
  readonly unconditionalDeleteOnly: boolean;
}

/** Plans a MERGE; throws the typed analysis errors Spark raises before running it. */
export function planMerge(input: PlanInput): MergePlan {
  validateClauses(input.clauses);
  const { targetAlias, sourceAlias } = input;
  if (targetAlias !== undefined && sourceAlias !== undefined && targetAlias.toLowerCase() === sourceAlias.toLowerCase()) {
    throw new DeltaError('INVALID_ARGUMENT', `The target and the source of a MERGE have the same alias "${targetAlias}", so column references cannot tell them apart. Give them different aliases.`);
  }
  const target: Relation = {
    schema: input.targetSchema,
    partitionColumns: input.partitionColumns,
    columnMappingMode: input.columnMappingMode,
    ...(targetAlias === undefined ? {} : { alias: targetAlias }),
  };
  const source: Relation = { schema: input.sourceSchema, ...(sourceAlias === undefined ? {} : { alias: sourceAlias }) };
  const relations = [target, source] as const;
  const bindOptions = { timeZone: input.timeZone, currentTimestampMicros: input.nowMicros };

  const parsed = parseInput(input.condition, input.timeZone);
  const split = splitCondition(parsed.expr, relations, { ...bindOptions, ...(parsed.source === undefined ? {} : { source: parsed.source }) });

  const finalSchema = input.schemaEvolution ? evolvedSchema(input, relations) : input.targetSchema;
  const clauses = planClauses({ relations, finalSchema, clauses: input.clauses, schemaEvolution: input.schemaEvolution, bindOptions, timeZone: input.timeZone });

  const { matched, notMatched, notMatchedBySource } = clauses;
  const targetColumns = new Set<string>();
  const note = (e: TypedExpr | undefined): void => {
    if (e !== undefined) for (const c of typedColumns(e)) if (c.relation === 0) targetColumns.add(c.path[0]!);
  };
  for (const k of split.keys) note(k.target);
  note(split.targetOnly);
  note(split.residual);
  for (const c of [...matched, ...notMatchedBySource]) {
    note(c.condition);
    for (const col of c.targetColumns) targetColumns.add(col);
  }
  return {
    relations,
    condition: parsed.expr,
    conditionText: printCondition(parsed.expr),
    ...split,
    matched,
    notMatched,
    notMatchedBySource,
    identity: identityPlans(relations, finalSchema, bindOptions),
    finalSchema,
    schemaEvolved: schemaChanged(input.targetSchema, finalSchema),
    targetColumns: input.targetSchema.fields.filter((f) => targetColumns.has(f.name)).map((f) => f.name),
    insertOnly: matched.length === 0 && notMatchedBySource.length === 0,
    unconditionalDeleteOnly: matched.length === 1 && matched[0]!.action === 'delete' && matched[0]!.condition === undefined,
  };
}

interface SplitCondition {
  readonly keys: readonly JoinKey[];
  readonly targetOnly: TypedExpr | undefined;
  readonly targetOnlyExpr: Expr | undefined;
  readonly sourceOnly: TypedExpr | undefined;
  readonly residual: TypedExpr | undefined;
}

const BOOLEAN = { kind: 'primitive', name: 'boolean' } as const;

function conjunction(parts: readonly TypedExpr[]): TypedExpr | undefined {
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? parts[0]! : { kind: 'and', type: BOOLEAN, args: parts };
}

function flattenAnd(e: Expr): Expr[] {
  return e.kind === 'and' ? e.args.flatMap(flattenAnd) : [e];
}

/** Which relations a bound expression reads (bit 1: target, bit 2: source). */
function sides(e: TypedExpr): number {
  let s = 0;
  for (const c of typedColumns(e)) s |= c.relation === 0 ? 1 : 2;
  return s;
}

function splitCondition(expr: Expr, relations: readonly [Relation, Relation], options: Parameters<typeof bindCondition>[2]): SplitCondition {
  let bound: TypedExpr;
  try {
    bound = bindCondition(expr, relations, options);
  } catch (e) {
    throw inContext(e, 'In the MERGE condition');
  }
  void bound; // binding the whole condition first reports errors against the text the user wrote
  const keys: JoinKey[] = [];
  const targetOnly: TypedExpr[] = [];
  const targetOnlyExprs: Expr[] = [];
  const sourceOnly: TypedExpr[] = [];
  const residual: TypedExpr[] = [];
  for (const part of flattenAnd(expr)) {
    const t = bindCondition(part, relations, options);
    const s = sides(t);
    if (s === 0 || s === 1) {
      targetOnly.push(t);
      targetOnlyExprs.push(unqualify(part, relations, options));
    } else if (s === 2) sourceOnly.push(t);
    else {
      const key = asJoinKey(t);
      if (key) keys.push(key);
      else residual.push(t);
    }
  }
  return {
    keys,
    targetOnly: conjunction(targetOnly),
    targetOnlyExpr: targetOnlyExprs.length === 0 ? undefined : targetOnlyExprs.length === 1 ? targetOnlyExprs[0] : { kind: 'and', args: targetOnlyExprs },
    sourceOnly: conjunction(sourceOnly),
    residual: conjunction(residual),
  };
}

function asJoinKey(t: TypedExpr): JoinKey | undefined {
  if (t.kind !== 'comparison' || (t.op !== '=' && t.op !== '<=>')) return undefined;
  const l = sides(t.left);
  const r = sides(t.right);
  const nullSafe = t.op === '<=>';
  if (l === 1 && r === 2) return { target: t.left, source: t.right, nullSafe };
  if (l === 2 && r === 1) return { target: t.right, source: t.left, nullSafe };
  return undefined;
}

/** A target-only conjunct with its column references replaced by their resolved logical target paths. */
function unqualify(e: Expr, relations: readonly [Relation, Relation], options: Parameters<typeof bindCondition>[2]): Expr {
  return transformExpr(e, (node) => {
    if (node.kind !== 'column') return node;
    const t = bindExpression(node, relations, options);
    return t.kind === 'column' ? { kind: 'column', path: [...t.path] } : node;
  });
}

/** The target schema after evolution: source columns and fields the clauses assign, merged in. */
function evolvedSchema(input: PlanInput, relations: readonly [Relation, Relation]): StructType {
  const { matched, notMatched } = input.clauses;
  const clauses = [...matched, ...notMatched];
  const star = clauses.some((c) => c.kind === 'updateAll' || c.kind === 'insertAll');
  const assigned: string[][] = [];
  for (const c of clauses) {
    const set = c.kind === 'update' ? c.set : c.kind === 'insert' ? c.values : undefined;
    if (set !== undefined) for (const key of Object.keys(set)) assigned.push(targetPath(key, relations[0].alias, input.targetSchema, input.timeZone));
  }
  return mergeSchemas(input.targetSchema, filterSourceSchema(input.sourceSchema, assigned, star));
}

