/**
 * Resolving MERGE clauses: conditions are bound against the relations the clause may read
 * (MATCHED: target and source; NOT MATCHED: source only; NOT MATCHED BY SOURCE: target only), and
 * UPDATE/INSERT actions become one {@link ValuePlan} per column of the post-evolution target
 * schema, following Delta's `generateUpdateExpressions` and `ResolveDeltaMergeInto.resolveStar`:
 * - UPDATE: unassigned columns keep their value; `a.b = x` rebuilds struct `a` (a non-null struct,
 *   other fields kept); a column and one of its fields cannot both be assigned;
 * - INSERT: unassigned columns are null; nested targets are not allowed;
 * - `*` without evolution: every target column from the source column of the same name (an error
 *   when the source lacks one); with evolution: every source column by name, target-only
 *   columns kept (UPDATE) or null (INSERT), and UPDATE keeps the values of target-only fields of
 *   structs (null only when both source and target structs are null).
 */
import { DeltaError, type DataType, type Expr, type StructField, type StructType } from '@deltakit/core';
import { bindCondition, bindExpression, typedColumns, type BindOptions, type Relation, type TypedColumn, type TypedExpr } from '@deltakit/core/internal';
import { checkAssignable } from './assign.js';
import type { Assignments, ExprInput, MatchedClause, MergeClauses, NotMatchedBySourceClause, NotMatchedClause } from './clauses.js';
import { EMPTY_STRUCT, inContext, parseInput, printCondition, targetPath } from './resolve.js';

/** How one output column of an updated or inserted row is computed. */
export type ValuePlan =
  /** The row's current target value, converted to the column's (possibly evolved) type. */
  | { readonly kind: 'keep'; readonly type: DataType; readonly column: TypedColumn }
  | { readonly kind: 'null'; readonly type: DataType }
  /** An expression, assigned (cast by name) to the column type. */
  | { readonly kind: 'expr'; readonly type: DataType; readonly expr: TypedExpr; readonly allowMissingFields: boolean; readonly name: string }
  /** A struct rebuilt field by field (a nested assignment); never null. */
  | { readonly kind: 'struct'; readonly type: StructType; readonly fields: readonly ValuePlan[] }
  /** UPDATE * with evolution on a struct: source fields by name, target-only fields kept. */
  | { readonly kind: 'preserve'; readonly type: StructType; readonly source: TypedExpr; readonly target: TypedColumn | undefined; readonly name: string };

export interface PlannedClause {
  readonly action: 'update' | 'delete' | 'insert';
  /** Undefined when the clause has no condition (always true). */
  readonly condition: TypedExpr | undefined;
  /** The condition as SQL text, for commitInfo (undefined without one). */
  readonly predicateText: string | undefined;
  /** One plan per column of the final schema (update and insert clauses). */
  readonly values: readonly ValuePlan[] | undefined;
  /** Top-level target columns the values read (kept columns included). */
  readonly targetColumns: readonly string[];
}

export interface ClausePlanInput {
  readonly relations: readonly [Relation, Relation];
  readonly finalSchema: StructType;
  readonly clauses: MergeClauses;
  readonly schemaEvolution: boolean;
  readonly bindOptions: BindOptions;
  readonly timeZone: string;
}

type Group = 'matched' | 'notMatched' | 'notMatchedBySource';

const GROUP_NAME: Record<Group, string> = { matched: 'WHEN MATCHED', notMatched: 'WHEN NOT MATCHED', notMatchedBySource: 'WHEN NOT MATCHED BY SOURCE' };

export function planClauses(input: ClausePlanInput): { matched: PlannedClause[]; notMatched: PlannedClause[]; notMatchedBySource: PlannedClause[] } {
  const [target, source] = input.relations;
  const scope: Record<Group, readonly [Relation, Relation]> = {
    matched: [target, source],
    notMatched: [{ ...target, schema: EMPTY_STRUCT, partitionColumns: [] }, source],
    notMatchedBySource: [target, { ...source, schema: EMPTY_STRUCT }],
  };
  const plan = (group: Group) => (c: MatchedClause | NotMatchedClause | NotMatchedBySourceClause, i: number, all: readonly unknown[]): PlannedClause => {
    const where = `In the ${GROUP_NAME[group]} clause ${i + 1} of ${all.length} (${c.kind.replace('All', ' *').toUpperCase()})`;
    try {
      return new ClausePlanner(input, scope[group], group).plan(c);
    } catch (e) {
      throw inContext(e, where);
    }
  };
  return {
    matched: input.clauses.matched.map(plan('matched')),
    notMatched: input.clauses.notMatched.map(plan('notMatched')),
    notMatchedBySource: input.clauses.notMatchedBySource.map(plan('notMatchedBySource')),
  };
}

/** Plans that copy a target row into the final schema (new columns null): change-data preimages and deleted rows. */
export function identityPlans(relations: readonly [Relation, Relation], finalSchema: StructType, bindOptions: BindOptions): ValuePlan[] {
  return finalSchema.fields.map((f) => {
    const t = relations[0].schema.fields.find((x) => x.name === f.name);
    if (t === undefined) return { kind: 'null', type: f.type };
    return { kind: 'keep', type: f.type, column: bindExpression(col(t.name), [relations[0]], bindOptions) as TypedColumn };
  });
}

class ClausePlanner {
  readonly #reads = new Set<string>();

  constructor(
    private readonly input: ClausePlanInput,
    private readonly scope: readonly [Relation, Relation],
    private readonly group: Group,
  ) {}

  plan(c: MatchedClause | NotMatchedClause | NotMatchedBySourceClause): PlannedClause {
    const cond = c.condition === undefined ? undefined : this.bindCond(c.condition);
    const base = { condition: cond?.typed, predicateText: cond?.text };
    let action: PlannedClause['action'];
    let values: ValuePlan[] | undefined;
    switch (c.kind) {
      case 'delete':
        action = 'delete';
        break;
      case 'update':
        action = 'update';
        values = this.update(c.set);
        break;
      case 'updateAll':
        action = 'update';
        values = this.input.schemaEvolution ? this.updateAllEvolving() : this.star();
        break;
      case 'insert':
        action = 'insert';
        values = this.insert(c.values);
        break;
      case 'insertAll':
        action = 'insert';
        values = this.input.schemaEvolution ? this.insertAllEvolving() : this.star();
        break;
    }
    if (cond) for (const col of typedColumns(cond.typed)) if (col.relation === 0) this.#reads.add(col.path[0]!);
    return { ...base, action, values, targetColumns: [...this.#reads] };
  }

  private bindCond(input: ExprInput): { typed: TypedExpr; text: string } {
    const p = parseInput(input, this.input.timeZone);
    const typed = bindCondition(p.expr, this.scope, { ...this.input.bindOptions, ...(p.source === undefined ? {} : { source: p.source }) });
    return { typed, text: printCondition(p.expr) };
  }

  private bindValue(input: ExprInput): TypedExpr {
    const p = parseInput(input, this.input.timeZone);
    const typed = bindExpression(p.expr, this.scope, { ...this.input.bindOptions, ...(p.source === undefined ? {} : { source: p.source }) });
    for (const col of typedColumns(typed)) if (col.relation === 0) this.#reads.add(col.path[0]!);
    return typed;
  }

  private get evolve(): boolean {
    return this.input.schemaEvolution;
  }

  /** The current target value of a top-level column (undefined when the column is new). */
  private keep(f: StructField): ValuePlan {
    const t = this.scope[0].schema.fields.find((x) => x.name === f.name);
    if (t === undefined) return { kind: 'null', type: f.type };
    this.#reads.add(t.name);
    const column = bindExpression(col(t.name), [this.input.relations[0]], this.input.bindOptions) as TypedColumn;
    return { kind: 'keep', type: f.type, column };
  }

  private expr(e: TypedExpr, f: { name: string; type: DataType }, path: string): ValuePlan {
    checkAssignable(e.type, f.type, path, { allowMissingFields: this.evolve });
    return { kind: 'expr', type: f.type, expr: e, allowMissingFields: this.evolve, name: path };
  }

  /** Explicit UPDATE SET (MATCHED and NOT MATCHED BY SOURCE). */
  private update(set: Assignments): ValuePlan[] {
    const ops = this.assignments(set);
    const build = (fields: readonly StructField[], ops: readonly Op[], prefix: string[], keepOf: (f: StructField) => ValuePlan): ValuePlan[] =>
      fields.map((f) => {
        const mine = ops.filter((o) => same(o.path[0]!, f.name));
        if (mine.length === 0) return keepOf(f);
        const path = [...prefix, f.name];
        const full = mine.find((o) => o.path.length === 1);
        if (full !== undefined) {
          if (mine.length > 1) throw conflict(mine.map((o) => [...prefix, ...o.path].join('.')));
          return this.expr(this.bindValue(full.value), f, path.join('.'));
        }
        if (f.type.kind !== 'struct') {
          throw new DeltaError('COLUMN_NOT_FOUND', `Cannot assign to ${[...prefix, ...mine[0]!.path].join('.')}: ${path.join('.')} has type ${f.type.kind === 'primitive' || f.type.kind === 'decimal' ? 'atomic' : f.type.kind} and no fields. Only fields of structs can be assigned.`);
        }
        const type = f.type;
        const parent = keepOf(f);
        const child = (g: StructField): ValuePlan => {
          if (parent.kind === 'keep') {
            const orig = parent.column.type.kind === 'struct' ? parent.column.type.fields.find((x) => same(x.name, g.name)) : undefined;
            if (orig === undefined) return { kind: 'null', type: g.type };
            return { kind: 'keep', type: g.type, column: { ...parent.column, type: orig.type, path: [...parent.column.path, orig.name], physicalPath: [...parent.column.physicalPath, orig.name], partition: false } };
          }
          return { kind: 'null', type: g.type };
        };
        return { kind: 'struct', type, fields: build(type.fields, mine.map((o) => ({ ...o, path: o.path.slice(1) })), path, child) };
      });
    return build(this.input.finalSchema.fields, ops, [], (f) => this.keep(f));
  }

  /** Explicit INSERT VALUES. */
  private insert(values: Assignments): ValuePlan[] {
    const ops = this.assignments(values);
    for (const o of ops) {
      if (o.path.length > 1) throw new DeltaError('INVALID_ARGUMENT', `INSERT cannot assign the nested field ${o.path.join('.')}: an inserted row has no struct to modify. Assign the whole column, e.g. named_struct(...).`, { details: { column: o.path.join('.') } });
    }
    return this.input.finalSchema.fields.map((f) => {
      const mine = ops.filter((o) => same(o.path[0]!, f.name));
      if (mine.length > 1) throw conflict(mine.map((o) => o.path.join('.')));
      if (mine.length === 0) return { kind: 'null', type: f.type };
      return this.expr(this.bindValue(mine[0]!.value), f, f.name);
    });
  }

  /** `*` without schema evolution: every target column from the source column of the same name. */
  private star(): ValuePlan[] {
    const source = this.scope[1].schema;
    return this.input.finalSchema.fields.map((f) => {
      const s = source.fields.find((x) => same(x.name, f.name));
      if (s === undefined) {
        throw new DeltaError('COLUMN_NOT_FOUND', `* assigns every target column from the source column of the same name, but the source has no column "${f.name}" (source columns: ${source.fields.map((x) => x.name).join(', ')}). Add the column to the source, list the assignments explicitly, or enable schema evolution (withSchemaEvolution()).`, {
          details: { column: f.name, errorClass: 'DELTA_MERGE_UNRESOLVED_EXPRESSION' },
        });
      }
      return this.expr(this.sourceColumn(s), f, f.name);
    });
  }

  private sourceColumn(s: StructField): TypedExpr {
    return bindExpression(col(s.name), [{ schema: EMPTY_STRUCT }, this.input.relations[1]], this.input.bindOptions);
  }

  /** UPDATE * with evolution: source columns by name, target-only columns and struct fields kept. */
  private updateAllEvolving(): ValuePlan[] {
    const source = this.scope[1].schema;
    return this.input.finalSchema.fields.map((f) => {
      const s = source.fields.find((x) => same(x.name, f.name));
      if (s === undefined) return this.keep(f);
      const value = this.sourceColumn(s);
      const kept = this.keep(f);
      if (f.type.kind === 'struct' && s.type.kind === 'struct') {
        checkAssignable(s.type, f.type, f.name, { allowMissingFields: true });
        return { kind: 'preserve', type: f.type, source: value, target: kept.kind === 'keep' ? kept.column : undefined, name: f.name };
      }
      return this.expr(value, f, f.name);
    });
  }

  /** INSERT * with evolution: source columns by name, target-only columns and fields null. */
  private insertAllEvolving(): ValuePlan[] {
    const source = this.scope[1].schema;
    return this.input.finalSchema.fields.map((f) => {
      const s = source.fields.find((x) => same(x.name, f.name));
      return s === undefined ? { kind: 'null', type: f.type } : this.expr(this.sourceColumn(s), f, f.name);
    });
  }

  /** Assignment keys resolved to target paths (case-insensitively) that exist in the final schema. */
  private assignments(set: Assignments): Op[] {
    const keys = Object.keys(set);
    if (keys.length === 0) throw new DeltaError('INVALID_ARGUMENT', `An ${this.group === 'notMatched' ? 'INSERT' : 'UPDATE'} clause needs at least one assignment. Pass set/values with target columns, or use the * form.`);
    const ops: Op[] = [];
    for (const key of keys) {
      const path = targetPath(key, this.input.relations[0].alias, this.input.finalSchema, this.input.timeZone);
      resolvePath(this.input.finalSchema, path, key, this.evolve);
      if (ops.some((o) => o.path.length === path.length && o.path.every((p, i) => same(p, path[i]!)))) throw conflict([key, key]);
      ops.push({ path, value: set[key]! });
    }
    return ops;
  }
}

interface Op {
  readonly path: readonly string[];
  readonly value: ExprInput;
}

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();
const col = (...path: string[]): Expr => ({ kind: 'column', path });

function resolvePath(schema: StructType, path: readonly string[], key: string, evolve: boolean): void {
  let fields = schema.fields;
  for (let i = 0; i < path.length; i++) {
    const f = fields.find((x) => same(x.name, path[i]!));
    if (f === undefined) {
      const where = i === 0 ? 'the target table' : `struct ${path.slice(0, i).join('.')}`;
      throw new DeltaError(
        'COLUMN_NOT_FOUND',
        `Cannot assign to "${key}": ${where} has no column "${path[i]}" (columns: ${fields.map((x) => x.name).join(', ')}). ${
          evolve ? 'Schema evolution adds a column only when the source has a column of that name.' : 'To add it from the source, enable schema evolution (withSchemaEvolution()).'
        }`,
        { details: { column: key } },
      );
    }
    if (i < path.length - 1) {
      if (f.type.kind !== 'struct') throw new DeltaError('COLUMN_NOT_FOUND', `Cannot assign to "${key}": ${path.slice(0, i + 1).join('.')} is not a struct, so it has no field "${path[i + 1]}".`, { details: { column: key } });
      fields = f.type.fields;
    }
  }
}

function conflict(paths: readonly string[]): DeltaError {
  return new DeltaError('INVALID_ARGUMENT', `Conflicting assignments: ${[...new Set(paths)].join(', ')} are all assigned in the same clause (a column, or a column and one of its fields). Assign each column or field once.`, {
    details: { errorClass: 'DELTA_CONFLICT_SET_COLUMN', columns: paths },
  });
}

