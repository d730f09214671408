/**
 * Analysis of `groupBy(keys).agg(columns)`: binds the grouping keys (expressions, and at most one
 * `window(...)` or `sessionWindow(...)`), finds the aggregate calls (API aggregate columns, and aggregate function calls
 * inside expressions: `expr('sum(amount) * 2')`, `expr('count(*)')`), coerces their arguments as
 * Spark does, and types the results. An output that is more than one aggregate becomes a
 * projection over the aggregate's output, where aggregates are named `__agg<i>`.
 */
import { DeltaError, printExpr, struct, type DataType, type Expr, type StructField, type StructType } from '@deltakit/core';
import { bindExpression, typeText } from '@deltakit/core/internal';
import type { Column } from '../api/column.js';
import type { AggregateKind, AggregateSpec } from '../operators/aggregates/accumulator.js';
import { AGGREGATE_NAMES, aggregateResultType, argumentCast } from '../operators/aggregates/registry.js';
import { parseDurationMs } from './durations.js';

/** A time window key: the time column (as timestamp or timestamp_ntz µs) bucketed as Spark's TimeWindow. */
export interface WindowSpec {
  readonly windowMicros: number;
  readonly slideMicros: number;
  readonly startMicros: number;
  /** timestamp or timestamp_ntz: the type of the window's `start` and `end`. */
  readonly timeType: DataType;
}

/**
 * A session window key (Spark's SessionWindow): each row opens `[time, time + gap)`, and a
 * group's overlapping sessions merge (operators/session-window*.ts). The gap is a constant, or an
 * expression evaluated per row (a duration text such as `'10 seconds'`); a row whose gap is null,
 * not a duration, or not positive is in no session, as Spark's SessionWindowing filter.
 */
export interface SessionSpec {
  /** The constant gap in µs (≤ 0, or NaN for an invalid text: then every row is dropped, as Spark). */
  readonly gapMicros?: number;
  /** The per-row gap: a string-typed expression over the child's columns. */
  readonly gapExpr?: Expr;
  /** timestamp or timestamp_ntz: the type of the session's `start` and `end`. */
  readonly timeType: DataType;
}

export interface GroupKey {
  readonly name: string;
  /** The key expression; for a window or session window, the time column. */
  readonly expr: Expr;
  /** The output type (a window's or session window's `struct<start, end>`). */
  readonly type: DataType;
  readonly window?: WindowSpec;
  readonly session?: SessionSpec;
}

export interface BoundAggregate {
  readonly name: string;
  readonly spec: AggregateSpec;
  /** The argument expressions, already cast (none for `count(*)`). */
  readonly args: readonly Expr[];
}

export interface AggregatePlan {
  readonly keys: readonly GroupKey[];
  readonly aggregates: readonly BoundAggregate[];
  /** The aggregate operator's output schema (keys, then aggregates). */
  readonly schema: StructType;
  /** When some output is an expression over aggregates: the projection of the final columns. */
  readonly outputs: readonly { readonly name: string; readonly expr: Expr }[] | undefined;
}

type NameOf = (e: Expr) => string;

export function planAggregate(child: StructType, keys: readonly Column[], columns: readonly Column[], timeZone: string, nameOf: NameOf): AggregatePlan {
  const bind = (e: Expr) => bindExpression(e, child, { timeZone }).type as DataType;
  const boundKeys = keys.map((k) => groupKey(k, bind, nameOf));
  if (boundKeys.filter((k) => k.window !== undefined || k.session !== undefined).length > 1) {
    throw new DeltaError('INVALID_ARGUMENT', 'groupBy takes at most one window(...) or sessionWindow(...) column, as Spark: group by one time window and other columns.');
  }
  const aggregates: BoundAggregate[] = [];
  const outputs: { name: string; expr: Expr }[] = [];
  let needsProject = false;
  const add = (fn: string, kind: AggregateKind, arg: Expr | undefined, extra: { ignoreNulls?: boolean } = {}): Expr => {
    const internal = `__agg${aggregates.length}`;
    const bound = bindAggregate(fn, kind, arg, bind);
    aggregates.push({ name: internal, spec: { ...bound.spec, ...extra }, args: bound.args });
    return { kind: 'column', path: [internal] };
  };
  for (const c of columns) {
    const node = c.node;
    if (node.kind === 'aggregate') {
      const kind: AggregateKind = node.distinct ? (node.fn === 'count' ? 'count_distinct' : refuseDistinct(node.fn)) : aggregateKind(node.fn);
      const arg = node.arg === '*' ? undefined : node.arg;
      const name = c.outputName ?? `${node.fn === 'mean' ? 'avg' : node.fn}(${node.distinct ? 'DISTINCT ' : ''}${arg === undefined ? '1' : nameOf(arg)})`;
      outputs.push({ name, expr: add(node.fn, kind, arg) });
      continue;
    }
    if (node.kind !== 'expr') throw new DeltaError('INVALID_ARGUMENT', `agg() takes aggregate columns (count, sum, avg, min, max, ...) or expressions over them, not ${c.toString()}.`);
    needsProject = true;
    const rewritten = rewriteAggregates(node.expr, (call) => {
      const kind = AGGREGATE_NAMES.get(call.name)!;
      const star = call.star === true || (kind === 'count' && call.args.length === 1 && call.args[0]!.kind === 'literal' && call.args[0]!.value !== null);
      if (!star && call.args.length !== 1 && !(call.args.length === 2 && (kind === 'first' || kind === 'last'))) {
        throw new DeltaError('INVALID_ARGUMENT', `${call.name}() takes one argument${kind === 'count' ? ' (or *)' : ''}, got ${call.args.length}: ${printExpr(call)}.`);
      }
      const ignoreNulls = call.args.length === 2 && call.args[1]!.kind === 'literal' && call.args[1]!.value === true;
      return add(call.name, kind, star ? undefined : call.args[0]!, ignoreNulls ? { ignoreNulls } : {});
    });
    outputs.push({ name: c.outputName ?? nameOf(node.expr), expr: rewritten });
  }
  // Direct aggregates keep their final names on the operator's output when no projection is needed.
  const direct = !needsProject;
  const aggs = direct ? aggregates.map((a, i) => ({ ...a, name: outputs[i]!.name })) : aggregates;
  const fields: StructField[] = [
    ...boundKeys.map((k) => field(k.name, k.type)),
    ...aggs.map((a) => field(a.name, a.spec.resultType)),
  ];
  return { keys: boundKeys, aggregates: aggs, schema: struct(fields), outputs: direct ? undefined : [...boundKeys.map((k) => ({ name: k.name, expr: { kind: 'column' as const, path: [k.name] } })), ...outputs] };
}

const field = (name: string, type: DataType): StructField => ({ name, type, nullable: true, metadata: {} });

function aggregateKind(fn: string): AggregateKind {
  const kind = AGGREGATE_NAMES.get(fn.toLowerCase());
  if (kind === undefined) throw new DeltaError('UNKNOWN_FUNCTION', `${fn} is not an aggregate function.`);
  return kind;
}

function refuseDistinct(fn: string): never {
  throw new DeltaError('UNSUPPORTED_OPERATION', `${fn}(DISTINCT ...) is not supported; only count(DISTINCT ...) (countDistinct) is. Use dropDuplicates first.`);
}

function bindAggregate(fn: string, kind: AggregateKind, arg: Expr | undefined, bind: (e: Expr) => DataType): { spec: AggregateSpec; args: Expr[] } {
  if (arg === undefined) return { spec: { kind, argType: undefined, resultType: aggregateResultType(kind, undefined) }, args: [] };
  const argType = bind(arg);
  const cast = argumentCast(kind, argType, fn);
  const input: Expr = cast === undefined ? arg : { kind: 'cast', arg, to: cast };
  const type = cast ?? argType;
  const spec: AggregateSpec = { kind, argType: type, resultType: aggregateResultType(kind, type) };
  // approx_count_distinct also takes the value's Spark XXH64 hash (seed 42), computed vectorized.
  const args = kind === 'approx_count_distinct' ? [input, { kind: 'call', name: 'xxhash64', args: [input] } as Expr] : [input];
  return { spec, args };
}

function groupKey(k: Column, bind: (e: Expr) => DataType, nameOf: NameOf): GroupKey {
  const node = k.node;
  if (node.kind === 'aggregate') throw new DeltaError('INVALID_ARGUMENT', `groupBy takes columns or expressions, not the aggregate ${k.toString()}.`);
  if (node.kind === 'expr') return { name: k.outputName ?? nameOf(node.expr), expr: node.expr, type: bind(node.expr) };
  const what = node.kind === 'window' ? 'window()' : 'sessionWindow()';
  const t = bind(node.timeColumn);
  let time = node.timeColumn;
  let timeType: DataType = t;
  if (t.kind === 'primitive' && (t.name === 'date' || t.name === 'string')) {
    timeType = { kind: 'primitive', name: 'timestamp' };
    time = { kind: 'cast', arg: time, to: timeType };
  } else if (!(t.kind === 'primitive' && (t.name === 'timestamp' || t.name === 'timestamp_ntz'))) {
    throw new DeltaError('TYPE_MISMATCH', `${what} needs a timestamp column, but ${nameOf(node.timeColumn)} is ${typeText(t)}.`);
  }
  const type = struct([field('start', timeType), field('end', timeType)]);
  if (node.kind === 'sessionWindow') return { name: k.outputName ?? 'session_window', expr: time, type, session: sessionSpec(node.gap, timeType, bind, nameOf) };
  const window = windowSpec(node.windowDuration, node.slideDuration, node.startTime, timeType);
  return { name: k.outputName ?? 'window', expr: time, type, window };
}

/**
 * The gap of `sessionWindow(time, gap)`: a duration text or a literal (`'10 seconds'`,
 * `INTERVAL 10 SECONDS`) is a constant; another expression must give duration texts, read per row.
 */
function sessionSpec(gap: Expr | string, timeType: DataType, bind: (e: Expr) => DataType, nameOf: NameOf): SessionSpec {
  // Spark casts an invalid text to a null interval: no row is in a session (DataFrameSessionWindowingSuite).
  const constant = (text: string): SessionSpec => ({ gapMicros: parseGapMicros(text) ?? Number.NaN, timeType });
  if (typeof gap === 'string') return constant(gap);
  if (gap.kind === 'literal' && typeof gap.value === 'string') return constant(gap.value);
  if (gap.kind === 'literal' && typeof gap.value === 'object' && gap.value !== null && 'type' in gap.value && gap.value.type === 'interval') {
    if (gap.value.months !== 0) throw new DeltaError('INVALID_ARGUMENT', `A session window gap of months or years (${printExpr(gap)}) has no fixed length; give it in days or smaller units.`);
    return { gapMicros: gap.value.days * 86_400_000_000 + Number(gap.value.micros), timeType };
  }
  const t = bind(gap);
  if (!(t.kind === 'primitive' && t.name === 'string')) {
    throw new DeltaError('TYPE_MISMATCH', `sessionWindow() takes a gap duration, as text ('10 seconds') or an expression yielding such text per row, but ${nameOf(gap)} is ${typeText(t)}.`);
  }
  return { gapExpr: gap, timeType };
}

const GAP_PART = /^\s*([+-]?)\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*/;

/**
 * A session gap in µs from Spark's interval text (`'10 seconds'`, `'-10 seconds'`,
 * `'1 minute 30 seconds'`, `'interval 2 hours'`), or null when the text is not one (Spark's cast
 * to an interval gives null, and the row is in no session). Negative and zero gaps are returned.
 */
export function parseGapMicros(text: string): number | null {
  let rest = text.trim().toLowerCase();
  if (rest.startsWith('interval ')) rest = rest.slice('interval '.length);
  if (rest.length === 0) return null;
  let total = 0;
  while (rest.length > 0) {
    const m = GAP_PART.exec(rest);
    if (!m) return null;
    let ms: number;
    try {
      ms = parseDurationMs(`${m[2]} ${m[3]}`);
    } catch {
      return null;
    }
    total += (m[1] === '-' ? -1 : 1) * Math.round(ms * 1000);
    rest = rest.slice(m[0].length);
  }
  return total;
}

/** Spark's TimeWindow checks: positive durations, slide ≤ window, |startTime| < slide. */
export function windowSpec(windowDuration: string, slideDuration: string | undefined, startTime: string | undefined, timeType: DataType): WindowSpec {
  const micros = (text: string, what: string) => Math.round(parseDurationMs(text.trim().startsWith('-') ? text.trim().slice(1) : text, what) * 1000) * (text.trim().startsWith('-') ? -1 : 1);
  const windowMicros = micros(windowDuration, 'window duration');
  const slideMicros = slideDuration === undefined ? windowMicros : micros(slideDuration, 'slide duration');
  const startMicros = startTime === undefined ? 0 : micros(startTime, 'window start time');
  const bad = (why: string) => new DeltaError('INVALID_ARGUMENT', `Invalid window(...): ${why}.`);
  if (windowMicros <= 0) throw bad(`the window duration (${windowDuration}) must be greater than 0`);
  if (slideMicros <= 0) throw bad(`the slide duration (${slideDuration}) must be greater than 0`);
  if (slideMicros > windowMicros) throw bad(`the slide duration (${slideDuration}) must be less than or equal to the window duration (${windowDuration})`);
  if (Math.abs(startMicros) >= slideMicros) throw bad(`the absolute value of the start time (${startTime}) must be less than the slide duration (${slideDuration ?? windowDuration})`);
  return { windowMicros, slideMicros, startMicros, timeType };
}

/** `e` with each aggregate call replaced by `replace(call)`; nested aggregates are refused. */
export function rewriteAggregates(e: Expr, replace: (call: Extract<Expr, { kind: 'call' }>) => Expr): Expr {
  const walk = (x: Expr, inside: boolean): Expr => {
    if (x.kind === 'call' && AGGREGATE_NAMES.has(x.name)) {
      if (inside) throw new DeltaError('INVALID_ARGUMENT', `An aggregate function cannot be nested inside another one: ${printExpr(x)}.`);
      for (const a of x.args) walk(a, true);
      return replace(x);
    }
    return mapChildren(x, (c) => walk(c, inside));
  };
  return walk(e, false);
}

/** Whether an expression calls an aggregate function. */
export function hasAggregate(e: Expr): boolean {
  let found = false;
  mapChildren(e, function visit(c): Expr {
    if (c.kind === 'call' && AGGREGATE_NAMES.has(c.name)) found = true;
    else mapChildren(c, visit);
    return c;
  });
  return found || (e.kind === 'call' && AGGREGATE_NAMES.has(e.name));
}

function mapChildren(e: Expr, f: (c: Expr) => Expr): Expr {
  switch (e.kind) {
    case 'literal':
    case 'column':
      return e;
    case 'comparison':
    case 'arith':
      return { ...e, left: f(e.left), right: f(e.right) };
    case 'and':
    case 'or':
    case 'call':
      return { ...e, args: e.args.map(f) } as Expr;
    case 'not':
    case 'negate':
    case 'isNull':
    case 'cast':
    case 'field':
      return { ...e, arg: f(e.arg) } as Expr;
    case 'in':
      return { ...e, arg: f(e.arg), list: e.list.map(f) };
    case 'subscript':
      return { ...e, arg: f(e.arg), index: f(e.index) };
    case 'case':
      return {
        ...e,
        ...(e.operand ? { operand: f(e.operand) } : {}),
        branches: e.branches.map((b) => ({ when: f(b.when), then: f(b.then) })),
        ...(e.otherwise ? { otherwise: f(e.otherwise) } : {}),
      };
  }
}
