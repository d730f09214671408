/**
 * Analysis: resolves a logical plan against its sources' schemas into an {@link Analyzed} tree,
 * checking every column and function (typed errors, before any data is read) and normalising
 * `withColumn`/`drop`/`rename`/`select`/`unionByName` into projections.
 *
 * Hidden columns (a file source's `_metadata`) follow Spark's metadata-column rule: they stay
 * reachable through filters, `withColumn(s)`, `withColumnRenamed` and `drop`, and disappear at a
 * `select` unless it names them. `schema` of every node lists visible columns first, then hidden.
 */
import { DeltaError, printExpr, struct, type DataType, type Expr, type StructField, type StructType } from '@deltakit/core';
import { bindCondition, bindExpression, typeText } from '@deltakit/core/internal';
import type { Column } from '../api/column.js';
import type { ResolveContext, ResolvedRelation } from '../sources/source.js';
import { resolveRelation } from '../sources/registry.js';
import type { JoinType, LeafNode, PlanNode } from './logical.js';
import { parseDelay } from './durations.js';
import { hasWatermark } from './event-time.js';
import type { GroupStateSpec } from '../api/group-state.js';
import { planAggregate, type BoundAggregate, type GroupKey, type WindowSpec } from './aggregate-analysis.js';
import { timeWindowParts, windowColumnName } from './time-window.js';

interface Base {
  /** Output columns: visible, then hidden. */
  readonly schema: StructType;
  /** Names of hidden top-level columns in `schema`. */
  readonly hidden: ReadonlySet<string>;
  readonly streaming: boolean;
}

export interface ProjectOutput {
  readonly name: string;
  readonly expr: Expr;
}

export type Analyzed =
  | (Base & { readonly kind: 'scan'; readonly leaf: LeafNode; readonly relation: ResolvedRelation })
  | (Base & { readonly kind: 'project'; readonly child: Analyzed; readonly outputs: readonly ProjectOutput[] })
  | (Base & { readonly kind: 'filter'; readonly child: Analyzed; readonly condition: Expr })
  | (Base & { readonly kind: 'union'; readonly children: readonly Analyzed[] })
  | (Base & { readonly kind: 'join'; readonly left: Analyzed; readonly right: Analyzed; readonly how: JoinType; readonly condition: Expr | undefined; readonly usingColumns: readonly string[] })
  | (Base & { readonly kind: 'watermark'; readonly child: Analyzed; readonly column: string; readonly delayMs: number })
  /** `groupBy(keys).agg(...)`: hash aggregation (operators/aggregate.ts); schema = keys, then aggregates. */
  | (Base & { readonly kind: 'aggregate'; readonly child: Analyzed; readonly keys: readonly GroupKey[]; readonly aggregates: readonly BoundAggregate[] })
  /** `dropDuplicates(columns)`: the first row of each distinct value of `columns` (all columns for `distinct()`). */
  | (Base & { readonly kind: 'dedup'; readonly child: Analyzed; readonly columns: readonly string[]; readonly withinWatermark: boolean })
  | (Base & { readonly kind: 'sort'; readonly child: Analyzed; readonly orders: readonly SortOrder[] })
  | (Base & { readonly kind: 'limit'; readonly child: Analyzed; readonly n: number })
  /** `flatMapGroupsWithState`: the function per key (operators/group-state.ts); schema = the function's output schema. */
  | (Base & { readonly kind: 'groupState'; readonly child: Analyzed; readonly keys: readonly string[]; readonly spec: GroupStateSpec; readonly hasWatermark: boolean })
  /** `window(...)` as a row expression (plan/time-window.ts): adds the hidden window column `column`, last. */
  | (Base & { readonly kind: 'timeWindow'; readonly child: Analyzed; readonly time: Expr; readonly spec: WindowSpec; readonly column: string });

/** One `orderBy` key: an expression over the child, its direction and where nulls go. */
export interface SortOrder {
  readonly expr: Expr;
  readonly ascending: boolean;
  readonly nullsFirst: boolean;
}

export interface AnalyzeContext extends ResolveContext {
  /** Relations already resolved, by leaf id (shared between a plan's analyses). */
  readonly relations?: Map<number, ResolvedRelation>;
}

export async function analyze(plan: PlanNode, ctx: AnalyzeContext): Promise<Analyzed> {
  const relations = ctx.relations ?? new Map<number, ResolvedRelation>();
  return new Analyzer({ ...ctx, relations }).node(plan);
}

/** The visible columns of a node's output. */
export function visibleSchema(n: Analyzed): StructType {
  return n.hidden.size === 0 ? n.schema : struct(n.schema.fields.filter((f) => !n.hidden.has(f.name)));
}

const colRef = (name: string): Expr => ({ kind: 'column', path: [name] });
const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

class Analyzer {
  constructor(private readonly ctx: AnalyzeContext & { relations: Map<number, ResolvedRelation> }) {}

  async node(p: PlanNode): Promise<Analyzed> {
    switch (p.kind) {
      case 'source': {
        let relation = this.ctx.relations.get(p.id);
        if (relation === undefined) {
          relation = await resolveRelation(p.spec, p.streaming, this.ctx);
          this.ctx.relations.set(p.id, relation);
        }
        const schema = struct([...relation.schema.fields, ...relation.hidden]);
        return { kind: 'scan', leaf: p, relation, schema, hidden: new Set(relation.hidden.map((f) => f.name)), streaming: p.streaming };
      }
      case 'project':
        return this.project(await this.node(p.child), p.columns);
      case 'withColumns':
        return this.withColumns(await this.node(p.child), p.columns);
      case 'rename': {
        const child = await this.node(p.child);
        const outputs = child.schema.fields.map((f) => ({ name: !child.hidden.has(f.name) && sameName(f.name, p.from) ? p.to : f.name, expr: colRef(f.name) }));
        return this.projection(child, outputs, child.hidden);
      }
      case 'drop': {
        const child = await this.node(p.child);
        const outputs = child.schema.fields.filter((f) => child.hidden.has(f.name) || !p.names.some((n) => sameName(n, f.name))).map((f) => ({ name: f.name, expr: colRef(f.name) }));
        return this.projection(child, outputs, child.hidden);
      }
      case 'filter': {
        const child = await this.node(p.child);
        this.bind(p.condition, child, 'condition');
        return { kind: 'filter', child, condition: p.condition, schema: child.schema, hidden: child.hidden, streaming: child.streaming };
      }
      case 'union':
        return this.union(await this.node(p.left), await this.node(p.right), p.byName, p.allowMissingColumns);
      case 'join':
        return this.join(await this.node(p.left), await this.node(p.right), p);
      case 'watermark': {
        const child = await this.node(p.child);
        const field = child.schema.fields.find((f) => sameName(f.name, p.column));
        if (field === undefined) throw columnNotFound(p.column, child);
        if (!(field.type.kind === 'primitive' && (field.type.name === 'timestamp' || field.type.name === 'timestamp_ntz'))) {
          throw new DeltaError('TYPE_MISMATCH', `withWatermark needs a timestamp column, but ${field.name} is ${typeText(field.type)}. Cast it first, e.g. withColumn('${field.name}', col('${field.name}').cast('timestamp')).`);
        }
        return { kind: 'watermark', child, column: field.name, delayMs: parseDelay(p.delay), schema: child.schema, hidden: child.hidden, streaming: child.streaming };
      }
      case 'aggregate': {
        const child = this.visibleOnly(await this.node(p.child));
        const plan = planAggregate(child.schema, p.keys, p.aggregates, this.ctx.timeZone, outputName);
        const agg: Analyzed = { kind: 'aggregate', child, keys: plan.keys, aggregates: plan.aggregates, schema: plan.schema, hidden: new Set(), streaming: child.streaming };
        return plan.outputs === undefined ? agg : this.projection(agg, plan.outputs, new Set());
      }
      case 'groupState': {
        const child = this.visibleOnly(await this.node(p.child));
        const keys = p.keys.map((k) => {
          const e = k.expr;
          const f = e.kind === 'column' && e.path.length === 1 ? child.schema.fields.find((x) => sameName(x.name, (e as { path: readonly string[] }).path[0]!)) : undefined;
          if (f === undefined) throw new DeltaError('INVALID_ARGUMENT', `flatMapGroupsWithState groups by columns of the input; ${k.toString()} is not one. Add it with withColumn first.`);
          return f.name;
        });
        return { kind: 'groupState', child, keys, spec: p.spec, hasWatermark: hasWatermark(child), schema: p.spec.outputSchema, hidden: new Set(), streaming: child.streaming };
      }
      case 'dedup': {
        const child = this.visibleOnly(await this.node(p.child));
        const columns = (p.columns ?? child.schema.fields.map((f) => f.name)).map((c) => {
          const f = child.schema.fields.find((x) => sameName(x.name, c));
          if (f === undefined) throw columnNotFound(c, child);
          return f.name;
        });
        return { kind: 'dedup', child, columns, withinWatermark: p.withinWatermark, schema: child.schema, hidden: new Set(), streaming: child.streaming };
      }
      case 'sort': {
        const child = await this.node(p.child);
        const orders = p.columns.map((c) => {
          const e = c.expr;
          this.bind(e, child, 'expression');
          return { expr: e, ascending: c.sort?.ascending ?? true, nullsFirst: c.sort?.nullsFirst ?? true };
        });
        return { kind: 'sort', child, orders, schema: child.schema, hidden: child.hidden, streaming: child.streaming };
      }
      case 'limit': {
        const child = await this.node(p.child);
        if (!Number.isInteger(p.n) || p.n < 0) throw new DeltaError('INVALID_ARGUMENT', `limit(n) needs a non-negative integer, got ${p.n}.`);
        return { kind: 'limit', child, n: p.n, schema: child.schema, hidden: child.hidden, streaming: child.streaming };
      }
    }
  }

  private bind(e: Expr, child: Analyzed, what: 'condition' | 'expression') {
    const options = { timeZone: this.ctx.timeZone };
    return what === 'condition' ? bindCondition(e, child.schema, options) : bindExpression(e, child.schema, options);
  }

  private projection(child: Analyzed, outputs: readonly ProjectOutput[], hidden: ReadonlySet<string>): Analyzed {
    const fields = outputs.map((o) => this.outputField(child, o));
    const seen = new Set<string>();
    for (const f of fields) {
      const key = f.name.toLowerCase();
      if (seen.has(key) && !hidden.has(f.name)) {
        throw new DeltaError('AMBIGUOUS_REFERENCE', `The output would have two columns named ${f.name}. Give one of them another name with .alias(...) or withColumnRenamed.`);
      }
      seen.add(key);
    }
    const keptHidden = new Set([...hidden].filter((h) => outputs.some((o) => o.name === h)));
    const ordered = [...fields.filter((f) => !keptHidden.has(f.name)), ...fields.filter((f) => keptHidden.has(f.name))];
    const byName = new Map(outputs.map((o) => [o.name, o]));
    return {
      kind: 'project',
      child,
      outputs: ordered.map((f) => byName.get(f.name)!),
      schema: struct(ordered),
      hidden: keptHidden,
      streaming: child.streaming,
    };
  }

  private outputField(child: Analyzed, o: ProjectOutput): StructField {
    const typed = this.bind(o.expr, child, 'expression');
    let nullable = true;
    if (o.expr.kind === 'column' && o.expr.path.length === 1) {
      nullable = child.schema.fields.find((f) => sameName(f.name, o.expr.kind === 'column' ? o.expr.path[0]! : ''))?.nullable ?? true;
    }
    return { name: o.name, type: typed.type as DataType, nullable, metadata: {} };
  }

  private project(child: Analyzed, columns: readonly Column[]): Analyzed {
    const outputs: ProjectOutput[] = [];
    const windowed = this.timeWindow(child, columns);
    for (const c of columns) {
      if (c.node.kind === 'window') {
        outputs.push({ name: c.outputName ?? 'window', expr: colRef(windowed.column!) });
        continue;
      }
      const e = c.expr;
      if (e.kind === 'column' && e.path.length === 1 && e.path[0] === '*') {
        for (const f of visibleSchema(child).fields) outputs.push({ name: f.name, expr: colRef(f.name) });
        continue;
      }
      outputs.push({ name: c.outputName ?? outputName(e), expr: e });
    }
    return this.projection(windowed.node, outputs, new Set());
  }

  /**
   * The child with a timeWindow node when `columns` hold a `window(...)` (Spark allows one time
   * window per projection: several would multiply the rows).
   */
  private timeWindow(child: Analyzed, columns: readonly Column[]): { node: Analyzed; column: string | undefined } {
    const windows = columns.filter((c) => c.node.kind === 'window');
    if (windows.length === 0) return { node: child, column: undefined };
    if (windows.length > 1) {
      throw new DeltaError('UNSUPPORTED_OPERATION', 'Multiple time window expressions in one projection are not supported (they would give a cartesian product of the windows); select one window(...) per select.', { details: { operator: 'TimeWindow' } });
    }
    const column = windowColumnName();
    const parts = timeWindowParts(windows[0]!.node as Extract<Column['node'], { kind: 'window' }>, child.schema, this.ctx.timeZone, column, outputName);
    const node: Analyzed = { kind: 'timeWindow', child, time: parts.time, spec: parts.spec, column, schema: struct([...child.schema.fields, parts.field]), hidden: new Set([...child.hidden, column]), streaming: child.streaming };
    return { node, column };
  }

  private withColumns(child: Analyzed, columns: readonly (readonly [string, Column])[]): Analyzed {
    const visible: ProjectOutput[] = visibleSchema(child).fields.map((f) => ({ name: f.name, expr: colRef(f.name) }));
    const hidden = child.schema.fields.filter((f) => child.hidden.has(f.name)).map((f) => ({ name: f.name, expr: colRef(f.name) }));
    const windowed = this.timeWindow(child, columns.map(([, c]) => c));
    for (const [name, c] of columns) {
      const e = c.node.kind === 'window' ? colRef(windowed.column!) : c.expr;
      const i = visible.findIndex((o) => sameName(o.name, name));
      if (i >= 0) visible[i] = { name: visible[i]!.name, expr: e };
      else visible.push({ name, expr: e });
    }
    return this.projection(windowed.node, [...visible, ...hidden], child.hidden);
  }

  private union(left: Analyzed, right: Analyzed, byName: boolean, allowMissing: boolean): Analyzed {
    const l = visibleSchema(left);
    const r = visibleSchema(right);
    let rightOutputs: ProjectOutput[];
    if (byName) {
      for (const f of r.fields) {
        if (!allowMissing && !l.fields.some((x) => sameName(x.name, f.name))) throw unionMismatch(`the right side has column ${f.name}, which the left lacks`);
      }
      rightOutputs = l.fields.map((f) => {
        const match = r.fields.find((x) => sameName(x.name, f.name));
        if (match === undefined && !allowMissing) throw unionMismatch(`the left side has column ${f.name}, which the right lacks`);
        return { name: f.name, expr: match === undefined ? { kind: 'cast', arg: { kind: 'literal', value: null }, to: f.type } : castTo(match, f.type) };
      });
    } else {
      if (l.fields.length !== r.fields.length) throw unionMismatch(`the left side has ${l.fields.length} columns and the right ${r.fields.length}`);
      rightOutputs = l.fields.map((f, i) => ({ name: f.name, expr: castTo(r.fields[i]!, f.type) }));
    }
    const lp = this.projection(left, l.fields.map((f) => ({ name: f.name, expr: colRef(f.name) })), new Set());
    const rp = this.projection(right, rightOutputs, new Set());
    for (let i = 0; i < rp.schema.fields.length; i++) {
      const a = lp.schema.fields[i]!.type;
      const b = rp.schema.fields[i]!.type;
      if (typeText(a) !== typeText(b)) throw unionMismatch(`column ${i + 1} (${lp.schema.fields[i]!.name}) is ${typeText(a)} on the left and ${typeText(b)} on the right`);
    }
    const schema = struct(lp.schema.fields.map((f, i) => ({ ...f, nullable: f.nullable || rp.schema.fields[i]!.nullable })));
    return { kind: 'union', children: [lp, rp], schema, hidden: new Set(), streaming: left.streaming || right.streaming };
  }

  private join(leftIn: Analyzed, rightIn: Analyzed, p: Extract<PlanNode, { kind: 'join' }>): Analyzed {
    const left = this.visibleOnly(leftIn);
    const right = this.visibleOnly(rightIn);
    const l = visibleSchema(left);
    const r = visibleSchema(right);
    const usingColumns = Array.isArray(p.on) ? (p.on as readonly string[]) : [];
    for (const u of usingColumns) {
      if (!l.fields.some((f) => sameName(f.name, u))) throw columnNotFound(u, left);
      if (!r.fields.some((f) => sameName(f.name, u))) throw columnNotFound(u, right);
    }
    const condition = Array.isArray(p.on) ? undefined : (p.on as Expr | undefined);
    if (condition !== undefined) bindCondition(condition, [{ schema: l }, { schema: r }], { timeZone: this.ctx.timeZone });
    const semi = p.how === 'left_semi' || p.how === 'left_anti';
    const nullableLeft = p.how === 'right_outer' || p.how === 'full_outer';
    const nullableRight = p.how === 'left_outer' || p.how === 'full_outer';
    const rightFields = semi ? [] : r.fields.filter((f) => !usingColumns.some((u) => sameName(u, f.name)));
    const fields = [...l.fields.map((f) => (nullableLeft ? { ...f, nullable: true } : f)), ...rightFields.map((f) => (nullableRight ? { ...f, nullable: true } : f))];
    return { kind: 'join', left, right, how: p.how, condition, usingColumns, schema: struct(fields), hidden: new Set(), streaming: left.streaming || right.streaming };
  }

  /** The node itself, or a projection dropping its hidden columns. */
  private visibleOnly(n: Analyzed): Analyzed {
    if (n.hidden.size === 0) return n;
    return this.projection(n, visibleSchema(n).fields.map((f) => ({ name: f.name, expr: colRef(f.name) })), new Set());
  }
}

/** Spark's automatic name of an unaliased expression: a column's last field, else its SQL text. */
export function outputName(e: Expr): string {
  if (e.kind === 'column') return e.path[e.path.length - 1]!;
  if (e.kind === 'field') return e.name;
  return printExpr(e);
}

function castTo(f: StructField, to: DataType): Expr {
  const ref = colRef(f.name);
  return typeText(f.type) === typeText(to) ? ref : { kind: 'cast', arg: ref, to };
}

function unionMismatch(why: string): DeltaError {
  return new DeltaError('SCHEMA_MISMATCH', `Cannot union these DataFrames: ${why}. Select matching columns on both sides, or use unionByName (with allowMissingColumns to fill absent columns with nulls).`);
}

function columnNotFound(name: string, n: Analyzed): DeltaError {
  const cols = visibleSchema(n).fields.map((f) => f.name).join(', ');
  return new DeltaError('COLUMN_NOT_FOUND', `Column ${name} does not exist. Available columns: ${cols}.`, { details: { column: name } });
}
