/**
 * Plans a parsed `SELECT` (`@deltakit/merge`'s AST) as a batch DataFrame, in Spark's order of
 * evaluation: FROM (relations and joins), WHERE, GROUP BY with aggregates, HAVING, the select
 * list, DISTINCT, ORDER BY, LIMIT; UNION [ALL] of such queries.
 *
 * Names are resolved here (scope.ts), before the DataFrame is analyzed, so that qualified
 * references (`t.id`), `t.*` and ambiguity follow SQL's rules; each DataFrame column has a unique
 * internal name, and the caller renames the result to the query's output names (which, as in
 * Spark, may repeat). WHERE conjuncts that name the columns of one relation only, when that
 * relation's rows are all kept by the joins above it (not the null side of an outer join), are
 * applied right on the relation, where a Delta scan takes them for file skipping (plan/pushdown.ts).
 */
import { mapChildren as mapExpr, printExpr, struct, type Expr } from '@deltakit/core';
import { Data, RecordBatch, Schema, Struct } from 'apache-arrow';
import type { FromItem, Query, QueryBody, SelectCore, SelectItem, SortItem, SqlJoinType } from '@deltakit/merge';
import { Column, expr } from '../api/column.js';
import { DataFrame, type JoinHow } from '../api/dataframe.js';
import { leaf } from '../plan/logical.js';
import type { ResolvedRelation } from '../sources/source.js';
import type { Session } from '../api/session.js';
import type { AggregateFunction } from '../api/column.js';
import { AGGREGATE_NAMES } from '../operators/aggregates/registry.js';
import { tableChangesFrame, tableFrame } from './relations.js';
import { fingerprint, Scope, sqlError, uniqueNames, type ScopeColumn } from './scope.js';

/** A planned query: the DataFrame, its output names as the query states them, and its (unique) column names. */
export interface PlannedQuery {
  readonly df: DataFrame;
  readonly names: readonly string[];
  readonly internals: readonly string[];
}

export interface PlanContext {
  readonly session: Session;
  /** The statement text, for carets. */
  readonly source: string;
  readonly signal?: AbortSignal;
}

export async function planQuery(q: Query, ctx: PlanContext): Promise<PlannedQuery> {
  if (q.body.kind === 'core') return planCore(q.body, q.orderBy, q.limit, ctx);
  let planned = await planBody(q.body, ctx);
  if (q.orderBy.length > 0) {
    const outputs = new Scope(planned.names.map((name, i) => column(-1, undefined, name, planned.internals[i]!)), ctx.source);
    const orders = q.orderBy.map((o) => sortColumn(o, outputOrder(o, planned, ctx) ?? outputs.rewrite(o.expr)));
    planned = { ...planned, df: planned.df.orderBy(...orders) };
  }
  return q.limit === undefined ? planned : { ...planned, df: planned.df.limit(q.limit) };
}

async function planBody(b: QueryBody, ctx: PlanContext): Promise<PlannedQuery> {
  switch (b.kind) {
    case 'query':
      return planQuery(b, ctx);
    case 'core':
      return planCore(b, [], undefined, ctx);
    case 'union': {
      const left = await planBody(b.left, ctx);
      const right = await planBody(b.right, ctx);
      if (left.names.length !== right.names.length) {
        throw sqlError('SCHEMA_MISMATCH', `UNION needs the same number of columns on both sides, but the left has ${left.names.length} and the right ${right.names.length}`, b.span, ctx.source);
      }
      const df = left.df.union(right.df);
      return { ...left, df: b.all ? df : df.distinct() };
    }
  }
}

function column(leafIndex: number, qualifier: string | undefined, name: string, internal: string, type: ScopeColumn['type'] = { kind: 'primitive', name: 'void' } as ScopeColumn['type']): ScopeColumn {
  return { leaf: leafIndex, qualifier, name, internal, type };
}

// ---- FROM ---------------------------------------------------------------------------------------

interface Leaf {
  readonly item: Exclude<FromItem, { kind: 'join' }>;
  df: DataFrame;
  readonly columns: ScopeColumn[];
  /** The leaf is on the null side of an outer join above it: WHERE conjuncts stay above. */
  readonly nullable: boolean;
}

async function leaves(item: FromItem, ctx: PlanContext, nullable = false, out: Leaf[] = []): Promise<Leaf[]> {
  if (item.kind === 'join') {
    await leaves(item.left, ctx, nullable || item.type === 'right' || item.type === 'full', out);
    await leaves(item.right, ctx, nullable || item.type === 'left' || item.type === 'full', out);
    return out;
  }
  const index = out.length;
  let df: DataFrame;
  let names: readonly string[];
  let internals: readonly string[];
  if (item.kind === 'subquery') {
    const planned = await planQuery(item.query, ctx);
    ({ df, names, internals } = planned);
  } else {
    df = item.kind === 'table' ? tableFrame(item, ctx.session, ctx.source) : await tableChangesFrame(item, ctx.session, ctx.source, ctx.signal);
    names = internals = await df.columns();
  }
  const schema = await df.schema();
  const columns = names.map((n, i) => column(index, item.alias, n, internals[i]!, schema.fields[i]!.type));
  out.push({ item, df, columns, nullable });
  return out;
}

interface Joined {
  readonly df: DataFrame;
  readonly scope: ScopeColumn[];
}

const JOIN_HOW: Readonly<Record<SqlJoinType, JoinHow>> = { inner: 'inner', left: 'left_outer', right: 'right_outer', full: 'full_outer', semi: 'left_semi', anti: 'left_anti', cross: 'cross' };

/** Builds the join tree over the (already filtered) leaves, renaming right-side columns whose names the left side has. */
function joinTree(item: FromItem, all: readonly Leaf[], next: { i: number }, ctx: PlanContext): Joined {
  if (item.kind !== 'join') {
    const l = all[next.i++]!;
    return { df: l.df, scope: l.columns };
  }
  const left = joinTree(item.left, all, next, ctx);
  const right = joinTree(item.right, all, next, ctx);
  const leftScope = new Scope(left.scope, ctx.source);
  const rightScope = new Scope(right.scope, ctx.source);
  const taken = new Set(left.scope.map((c) => c.internal.toLowerCase()));
  const renames = new Map<string, string>();
  const using = (item.using ?? []).map((name) => {
    const l = leftScope.resolve([name], item.span).column;
    const r = rightScope.resolve([name], item.span).column;
    renames.set(r.internal, l.internal);
    return { l, r };
  });
  for (const c of right.scope) {
    if (renames.has(c.internal)) continue;
    if (taken.has(c.internal.toLowerCase())) renames.set(c.internal, uniqueNames([`${c.qualifier ?? `t${c.leaf}`}.${c.name}`], taken)[0]!);
    else taken.add(c.internal.toLowerCase());
  }
  let rightDf = right.df;
  if (renames.size > 0) {
    const seen = new Set<string>();
    const cols = right.scope.filter((c) => !seen.has(c.internal) && (seen.add(c.internal), true)).map((c) => expr(ref(c.internal)).alias(renames.get(c.internal) ?? c.internal));
    rightDf = rightDf.select(...cols);
  }
  const renamed = right.scope.map((c) => ({ ...c, internal: renames.get(c.internal) ?? c.internal }));
  const scope = item.type === 'semi' || item.type === 'anti' ? left.scope : [...left.scope, ...renamed];
  const how = JOIN_HOW[item.type];
  if (item.using !== undefined) return { df: left.df.join(rightDf, using.map((u) => u.l.internal), how), scope };
  if (item.on === undefined) return { df: left.df.join(rightDf, undefined, how === 'inner' ? 'cross' : how), scope };
  const condition = new Scope([...left.scope, ...renamed], ctx.source).rewrite(item.on);
  return { df: left.df.join(rightDf, expr(condition), how), scope };
}

const ref = (name: string): Expr => ({ kind: 'column', path: [name] });

function conjuncts(e: Expr | undefined): Expr[] {
  if (e === undefined) return [];
  return e.kind === 'and' ? e.args.flatMap((a) => conjuncts(a)) : [e];
}

/** The leaves a condition names, or undefined when some name does not resolve (it then fails where it stays). */
function leavesOf(e: Expr, scope: Scope): Set<number> | undefined {
  const found = new Set<number>();
  let ok = true;
  const walk = (x: Expr): Expr => {
    if (x.kind === 'column') {
      const r = scope.tryResolve(x.path);
      if (r === undefined || 'ambiguous' in r) ok = false;
      else found.add(r.column.leaf);
      return x;
    }
    if (x.kind === 'call' && AGGREGATE_NAMES.has(x.name)) ok = false;
    return mapExpr(x, walk);
  };
  walk(e);
  return ok ? found : undefined;
}

// ---- SELECT -------------------------------------------------------------------------------------

async function planCore(core: SelectCore, orderBy: readonly SortItem[], limit: number | undefined, ctx: PlanContext): Promise<PlannedQuery> {
  let df: DataFrame;
  let scope: Scope;
  let remaining = conjuncts(core.where);
  if (core.from === undefined) {
    df = oneRow(ctx.session);
    scope = new Scope([], ctx.source);
  } else {
    const all = await leaves(core.from, ctx);
    const full = new Scope(all.flatMap((l) => l.columns), ctx.source);
    const kept: Expr[] = [];
    for (const c of remaining) {
      const used = leavesOf(c, full);
      const only = used !== undefined && used.size === 1 ? all[[...used][0]!] : undefined;
      if (only === undefined || only.nullable) {
        kept.push(c);
        continue;
      }
      only.df = only.df.filter(expr(new Scope(only.columns, ctx.source).rewrite(c)));
    }
    remaining = kept;
    const joined = joinTree(core.from, all, { i: 0 }, ctx);
    df = joined.df;
    scope = new Scope(joined.scope, ctx.source);
  }
  if (remaining.length > 0) {
    const rewritten = remaining.map((c) => scope.rewrite(c));
    df = df.filter(expr(rewritten.length === 1 ? rewritten[0]! : { kind: 'and', args: rewritten }));
  }
  const aggregated = core.groupBy.length > 0 || core.having !== undefined || core.items.some((i) => i.kind === 'expr' && hasAggregateCall(i.expr)) || orderBy.some((o) => hasAggregateCall(o.expr));
  const items = expandStars(core.items, scope, aggregated, ctx);
  const names = items.map((i) => i.name);
  const internals = uniqueNames(names);
  // ORDER BY keys that are not outputs are computed next to them, sorted on, then dropped.
  const extras: Column[] = [];
  const orders: Column[] = [];
  const orderKey = (o: SortItem, e: Expr | undefined, other: () => Expr): void => {
    if (e !== undefined) {
      orders.push(sortColumn(o, e));
      return;
    }
    if (core.distinct) throw sqlError('INVALID_ARGUMENT', `With SELECT DISTINCT, ORDER BY can only use the selected columns; ${printExpr(o.expr)} is not one of them`, o.span, ctx.source);
    const name = `__order${extras.length}`;
    extras.push(expr(other()).alias(name));
    orders.push(sortColumn(o, ref(name)));
  };
  let outputs: Column[];
  if (aggregated) {
    const agg = new AggregateBuilder(scope, items, ctx);
    const keyExprs = core.groupBy.map((g) => agg.groupKey(g));
    outputs = items.map((i, n) => expr(agg.lift(i.expr)).alias(internals[n]!));
    const having = core.having === undefined ? undefined : agg.lift(agg.withAliases(core.having));
    for (const o of orderBy) orderKey(o, outputOrder(o, { names, internals }, ctx), () => agg.lift(agg.withAliases(o.expr)));
    df = df.groupBy(...keyExprs.map((k, i) => expr(k).alias(`__k${i}`))).agg(...agg.aggregates);
    if (having !== undefined) df = df.filter(expr(having));
  } else {
    outputs = items.map((i, n) => expr(scope.rewrite(i.expr)).alias(internals[n]!));
    for (const o of orderBy) orderKey(o, outputOrder(o, { names, internals }, ctx), () => scope.rewrite(o.expr));
  }
  df = df.select(...outputs, ...extras);
  if (core.distinct) df = df.distinct();
  if (orders.length > 0) df = df.orderBy(...orders);
  if (limit !== undefined) df = df.limit(limit);
  if (extras.length > 0) df = df.select(...internals.map((n) => expr(ref(n))));
  return { df, names, internals };
}

/** An ORDER BY key that is an output (`ORDER BY 2`, `ORDER BY alias`) as a reference to that output. */
function outputOrder(o: SortItem, planned: { names: readonly string[]; internals: readonly string[] }, ctx: PlanContext): Expr | undefined {
  const e = o.expr;
  if (e.kind === 'literal' && typeof e.value === 'bigint') {
    const i = Number(e.value);
    if (i < 1 || i > planned.names.length) throw sqlError('INVALID_ARGUMENT', `ORDER BY position ${i} is not in the select list (1 to ${planned.names.length})`, e.span, ctx.source);
    return ref(planned.internals[i - 1]!);
  }
  if (e.kind !== 'column' || e.path.length !== 1) return undefined;
  const matches = planned.names.map((n, i) => (n.toLowerCase() === e.path[0]!.toLowerCase() ? i : -1)).filter((i) => i >= 0);
  if (matches.length > 1) throw sqlError('AMBIGUOUS_REFERENCE', `ORDER BY ${e.path[0]} is ambiguous: the select list has ${matches.length} columns of that name`, e.span, ctx.source);
  return matches.length === 1 ? ref(planned.internals[matches[0]!]!) : undefined;
}

function sortColumn(o: SortItem, e: Expr): Column {
  return new Column({ kind: 'expr', expr: e }, undefined, { ascending: o.ascending, nullsFirst: o.nullsFirst ?? o.ascending });
}

interface OutputItem {
  readonly expr: Expr;
  readonly name: string;
  readonly alias: string | undefined;
}

/** The select list with `*` and `t.*` expanded, each item with its output name (Spark's naming). */
function expandStars(items: readonly SelectItem[], scope: Scope, aggregated: boolean, ctx: PlanContext): OutputItem[] {
  const out: OutputItem[] = [];
  for (const item of items) {
    if (item.kind === 'star') {
      if (aggregated) throw sqlError('INVALID_ARGUMENT', `${item.qualifier === undefined ? '*' : `${item.qualifier}.*`} cannot be selected in an aggregate query; list the grouping columns and aggregates`, item.span, ctx.source);
      const cols = item.qualifier === undefined ? distinctColumns(scope.columns) : scope.ofQualifier(item.qualifier, item.span);
      for (const c of cols) {
        const path = c.qualifier === undefined ? [c.name] : [c.qualifier, c.name];
        out.push({ expr: { kind: 'column', path, span: item.span }, name: c.name, alias: undefined });
      }
      continue;
    }
    out.push({ expr: item.expr, name: item.alias ?? autoName(item.expr, scope), alias: item.alias });
  }
  return out;
}

function distinctColumns(cols: readonly ScopeColumn[]): ScopeColumn[] {
  const seen = new Set<string>();
  return cols.filter((c) => !seen.has(c.internal) && (seen.add(c.internal), true));
}

/** Spark's name of an unaliased select item: a column's (or field's) name, else the expression's text. */
function autoName(e: Expr, scope: Scope): string {
  if (e.kind === 'column') {
    const r = scope.tryResolve(e.path);
    if (r !== undefined && !('ambiguous' in r)) return r.fields.length > 0 ? r.fields[r.fields.length - 1]! : r.column.name;
    return e.path[e.path.length - 1]!;
  }
  if (e.kind === 'field') return e.name;
  const text = printExpr(e);
  return e.kind === 'call' && e.star === true ? text.replace(/\(\*\)$/, '(1)') : text;
}

function hasAggregateCall(e: Expr): boolean {
  let found = false;
  const walk = (x: Expr): Expr => {
    if (x.kind === 'call' && AGGREGATE_NAMES.has(x.name)) found = true;
    return mapExpr(x, walk);
  };
  walk(e);
  return found;
}

/**
 * The aggregate side of a query: GROUP BY keys (`__k<i>`), the aggregate calls found in the
 * select list, HAVING and ORDER BY (`__a<j>`, each distinct call once), and those clauses
 * rewritten over the aggregate's output. A column outside the keys and aggregates is an error, as
 * Spark's MISSING_AGGREGATION.
 */
class AggregateBuilder {
  readonly aggregates: Column[] = [];
  readonly #aggregateNames = new Map<string, string>();
  readonly #keys = new Map<string, string>();

  constructor(
    private readonly scope: Scope,
    private readonly items: readonly OutputItem[],
    private readonly ctx: PlanContext,
  ) {}

  /** A GROUP BY entry: an ordinal, a select alias, or an expression over the FROM columns. */
  groupKey(g: Expr): Expr {
    let e: Expr;
    if (g.kind === 'literal' && typeof g.value === 'bigint') {
      const i = Number(g.value);
      const item = this.items[i - 1];
      if (item === undefined) throw sqlError('INVALID_ARGUMENT', `GROUP BY position ${i} is not in the select list (1 to ${this.items.length})`, g.span, this.ctx.source);
      e = item.expr;
    } else e = this.withAliases(g);
    if (hasAggregateCall(e)) throw sqlError('INVALID_ARGUMENT', `GROUP BY cannot use an aggregate function: ${printExpr(e)}`, g.span, this.ctx.source);
    const rewritten = this.scope.rewrite(e);
    const key = fingerprint(rewritten);
    if (!this.#keys.has(key)) this.#keys.set(key, `__k${this.#keys.size}`);
    return rewritten;
  }

  /** Bare names that are not FROM columns but select aliases stand for the aliased expression (Spark's lateral alias in GROUP BY / HAVING / ORDER BY). */
  withAliases(e: Expr): Expr {
    const walk = (x: Expr): Expr => {
      if (x.kind === 'column' && x.path.length === 1 && this.scope.tryResolve(x.path) === undefined) {
        const item = this.items.find((i) => i.alias !== undefined && i.alias.toLowerCase() === x.path[0]!.toLowerCase());
        if (item !== undefined) return item.expr;
      }
      return mapExpr(x, walk);
    };
    return walk(e);
  }

  /** `e` over the aggregate's output: keys and aggregate calls replaced by their columns. */
  lift(e: Expr): Expr {
    const walk = (x: Expr, rewritten: Expr): Expr => {
      const key = this.#keys.get(fingerprint(rewritten));
      if (key !== undefined) return ref(key);
      if (x.kind === 'call' && AGGREGATE_NAMES.has(x.name)) return ref(this.#aggregate(x, rewritten as Extract<Expr, { kind: 'call' }>));
      if (x.kind === 'column') {
        throw sqlError('INVALID_ARGUMENT', `Column ${x.path.join('.')} is neither in GROUP BY nor inside an aggregate function; add it to GROUP BY or wrap it in an aggregate such as first(${x.path.join('.')})`, x.span, this.ctx.source);
      }
      const kids: Expr[] = [];
      mapExpr(rewritten, (c) => (kids.push(c), c));
      let i = 0;
      return mapExpr(x, (c) => walk(c, kids[i++]!));
    };
    return walk(e, this.scope.rewrite(e));
  }


  #aggregate(original: Extract<Expr, { kind: 'call' }>, call: Extract<Expr, { kind: 'call' }>): string {
    const key = fingerprint(call);
    const existing = this.#aggregateNames.get(key);
    if (existing !== undefined) return existing;
    const name = `__a${this.#aggregateNames.size}`;
    for (const a of call.args) {
      if (hasAggregateCall(a)) throw sqlError('INVALID_ARGUMENT', `An aggregate function cannot be nested inside another one: ${printExpr(original)}`, original.span, this.ctx.source);
    }
    let column: Column;
    if (call.distinct === true) {
      if (call.args.length !== 1) throw sqlError('UNSUPPORTED_OPERATION', `${call.name}(DISTINCT …) takes one argument here, got ${call.args.length}`, original.span, this.ctx.source);
      column = new Column({ kind: 'aggregate', fn: call.name as AggregateFunction, arg: call.args[0]!, distinct: true }, name);
    } else {
      const { distinct: _distinct, ...plain } = call;
      column = expr(plain).alias(name);
    }
    this.aggregates.push(column);
    this.#aggregateNames.set(key, name);
    return name;
  }
}

/** The input of `SELECT` without FROM: one row with no columns. */
function oneRow(session: Session): DataFrame {
  const relation: ResolvedRelation = {
    kind: 'values',
    schema: struct([]),
    hidden: [],
    async *read() {
      yield new RecordBatch(new Schema([]), new Data(new Struct([]), 0, 1, 0, undefined, []) as Data<Struct>);
    },
  };
  return new DataFrame(leaf({ format: 'relation', options: {}, instance: relation }, false), session);
}
