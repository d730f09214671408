import { Data, RecordBatch, Schema, Struct } from 'apache-arrow';
import { deltaFieldToArrow } from '../schema/arrow.js';
import { buildPartitionColumn, parsePartitionValue } from '../schema/partition-values.js';
import { parseStats, type ColumnStats, type FileStats, type StatsColumn, type StatsSource } from '../schema/stats.js';
import type { ComparisonOp } from './ast.js';
import { compileExpression } from './compile.js';
import { compareScalars, type Scalar } from './scalar.js';
import { typedColumns, type TypedColumn, type TypedExpr } from './typed.js';

/**
 * Data skipping: deciding from a file's partition values (exact) and statistics (bounds) whether
 * it may contain a row matching a bound predicate. Conservative by construction: a file is
 * skipped only when no row of it can make the predicate true under SQL three-valued logic.
 *
 * Rewritten forms: comparisons and `<=>` of a column with a literal, IN lists, IS [NOT] NULL,
 * string prefixes (`startswith(c, 'p')`, `c LIKE 'p%'`), AND/OR/NOT, boolean constants; any
 * subexpression that reads only partition columns (e.g. `year(day) = 2024`) is evaluated exactly
 * on the file's partition values. Everything else may be true.
 *
 * Each subexpression is abstracted to the set of outcomes its rows may produce ({@link Outcomes});
 * AND/OR/NOT combine sets as if rows were independent, which over-approximates and stays sound.
 */

/** Bit set of possible per-row outcomes. */
type Outcomes = number;
const T = 1;
const F = 2;
const N = 4;
const ANY = T | F | N;

/** What skipping knows of one file: typed partition values by physical name, and parsed stats. */
export interface SkippingInput {
  readonly partitionValues: Readonly<Record<string, Scalar>>;
  /** Stats parsed for {@link FileFilter.statsColumns} (aligned), or undefined when the file has none. */
  readonly stats: FileStats | undefined;
}

/** The raw add-action fields skipping reads. */
export interface SkippingAdd extends StatsSource {
  readonly partitionValues: Readonly<Record<string, string | null>>;
}

export interface FileFilterOptions {
  /** IANA zone for legacy zone-less timestamp partition values. Default UTC. */
  readonly timeZone?: string;
}

/** A predicate compiled for evaluating many files. */
export interface FileFilter {
  /** Data (non-partition) columns whose stats the filter reads; `FileStats.columns` must align. */
  readonly statsColumns: readonly StatsColumn[];
  /** False when the predicate can never be true (every file is skipped). */
  readonly satisfiable: boolean;
  /** Whether a file with these typed inputs may contain matching rows. */
  mayMatch(file: SkippingInput): boolean;
  /** Same from raw add-action fields; parses stats only when partition values did not already decide. */
  mayMatchAdd(add: SkippingAdd): boolean;
}

interface Ctx {
  partition(c: TypedColumn): Scalar | undefined;
  stats(): FileStats | undefined;
}

type Node = (ctx: Ctx) => Outcomes;

/** Compiles a bound predicate into a reusable file filter. */
export function compileFileFilter(pred: TypedExpr, options: FileFilterOptions = {}): FileFilter {
  const timeZone = options.timeZone ?? 'UTC';
  const dataColumns = typedColumns(pred).filter((c) => !c.partition && c.relation === 0);
  const statsColumns: StatsColumn[] = dataColumns.map((c) => ({ path: c.physicalPath, type: c.type }));
  const statIndex = new Map(dataColumns.map((c, i) => [key(c), i]));
  const root = compile(pred, { statIndex, timeZone }, true);
  const satisfiable = (root({ partition: () => undefined, stats: () => undefined }) & T) !== 0;
  const caches = new Map<string, Map<string, Scalar | undefined>>();

  const partitionFromRaw = (raw: Readonly<Record<string, string | null>>) => (c: TypedColumn): Scalar | undefined => {
    const name = c.physicalPath[0]!;
    const text = raw[name];
    let cache = caches.get(name);
    if (!cache) caches.set(name, (cache = new Map()));
    const k = text ?? '\u0000null';
    if (cache.has(k)) return cache.get(k);
    let v: Scalar | undefined;
    try {
      v = parsePartitionValue(text, c.type, { timeZone, column: name });
    } catch {
      v = undefined; // a malformed value decides nothing here; the scan reports it when materializing
    }
    if (cache.size < 100_000) cache.set(k, v);
    return v;
  };

  return {
    statsColumns,
    satisfiable,
    mayMatch(file) {
      return (root({ partition: (c) => file.partitionValues[c.physicalPath[0]!], stats: () => file.stats }) & T) !== 0;
    },
    mayMatchAdd(add) {
      let parsed: FileStats | undefined | null = null;
      const stats = (): FileStats | undefined => {
        if (parsed === null) parsed = statsColumns.length === 0 ? undefined : parseStats(add, statsColumns, timeZone);
        return parsed;
      };
      return (root({ partition: partitionFromRaw(add.partitionValues), stats }) & T) !== 0;
    },
  };
}

/**
 * One-shot check for a single file; `file.stats` must be parsed for
 * `compileFileFilter(pred).statsColumns`. Prefer {@link compileFileFilter} for many files.
 */
export function fileMayMatch(pred: TypedExpr, file: SkippingInput): boolean {
  return compileFileFilter(pred).mayMatch(file);
}

const key = (c: TypedColumn): string => JSON.stringify(c.physicalPath);

interface Env {
  readonly statIndex: ReadonlyMap<string, number>;
  readonly timeZone: string;
}

/** `onlyTrue`: the caller asks only whether T is possible, so AND may stop at the first argument that cannot be true. */
function compile(e: TypedExpr, env: Env, onlyTrue: boolean): Node {
  const { statIndex } = env;
  switch (e.kind) {
    case 'literal': {
      if (e.type.kind !== 'primitive' || e.type.name !== 'boolean') break;
      const o = e.value === null ? N : e.value ? T : F;
      return () => o;
    }
    case 'and':
    case 'or': {
      // Partition-only arguments first: they are exact and cheap, and may decide before stats are parsed.
      const ordered = [...e.args].sort((a, b) => Number(needsStats(a)) - Number(needsStats(b)));
      const args = ordered.map((a) => compile(a, env, onlyTrue));
      return e.kind === 'and' ? andNode(args, onlyTrue) : orNode(args);
    }
    case 'not': {
      const arg = compile(e.arg, env, false);
      return (ctx) => negate(arg(ctx));
    }
    case 'isNull':
      if (e.arg.kind !== 'column') break;
      return leaf(e.arg, statIndex, (v) => ((v === null) !== e.negated ? T : F), (s, n) => isNullOutcomes(s, n, e.negated));
    case 'in':
      if (e.arg.kind !== 'column' || !e.list.every((x) => x.kind === 'literal')) break;
      return compileIn(e.arg, e.list as readonly Extract<TypedExpr, { kind: 'literal' }>[], e.negated, statIndex);
    case 'comparison':
      if (e.left.kind !== 'column' || (e.right.kind !== 'literal' && e.right.kind !== 'column')) break;
      return compileComparison(e.op, e.left, e.right, statIndex);
    case 'call': {
      const prefix = prefixOf(e);
      if (prefix) return compilePrefix(prefix.column, prefix.prefix, statIndex);
      break;
    }
    default:
      break;
  }
  return partitionOnlyOr(e, env);
}

function needsStats(e: TypedExpr): boolean {
  return typedColumns(e).some((c) => !c.partition);
}

/**
 * A subexpression over partition columns only is evaluated exactly on the file's partition
 * values (one row); anything else may have any outcome.
 */
function partitionOnlyOr(e: TypedExpr, env: Env): Node {
  const cols = typedColumns(e);
  if (cols.length === 0 || !cols.every((c) => c.partition && c.relation === 0 && c.path.length === 1)) return () => ANY;
  const compiled = compileExpression(e, { timeZone: env.timeZone });
  const schema = new Schema(cols.map((c) => deltaFieldToArrow({ name: c.path[0]!, type: c.type, nullable: true, metadata: {} })));
  const cache = new Map<string, Outcomes>();
  return (ctx) => {
    const values = cols.map((c) => ctx.partition(c));
    if (values.some((v) => v === undefined)) return ANY;
    const k = JSON.stringify(values, (_, v) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? Array.from(v) : v));
    const hit = cache.get(k);
    if (hit !== undefined) return hit;
    const children = cols.map((c, i) => buildPartitionColumn(values[i]!, c.type, 1));
    const batch = new RecordBatch(schema, new Data(new Struct(schema.fields), 0, 1, 0, undefined, children) as Data<Struct>);
    let o: Outcomes;
    try {
      const v = compiled.evaluate(batch).get(0);
      o = v === null ? N : v ? T : F;
    } catch {
      o = ANY;
    }
    if (cache.size < 10_000) cache.set(k, o);
    return o;
  };
}

/** `startswith(column, 'p')` or `column LIKE 'p%'` (no other wildcard): the column and its prefix. */
function prefixOf(e: Extract<TypedExpr, { kind: 'call' }>): { column: TypedColumn; prefix: string } | undefined {
  const [c, p, esc] = e.args;
  if (!c || c.kind !== 'column' || !p || p.kind !== 'literal' || typeof p.value !== 'string') return undefined;
  if (c.type.kind !== 'primitive' || c.type.name !== 'string') return undefined;
  if (e.name === 'startswith') return { column: c, prefix: p.value };
  if (e.name === 'like' && esc === undefined && /^[^%_\\]*%$/.test(p.value)) return { column: c, prefix: p.value.slice(0, -1) };
  return undefined;
}

const utf8 = new TextEncoder();

function compilePrefix(col: TypedColumn, prefix: string, statIndex: ReadonlyMap<string, number>): Node {
  const p = utf8.encode(prefix);
  const head = (v: Scalar): Uint8Array => {
    const b = typeof v === 'string' ? utf8.encode(v) : (v as Uint8Array);
    return b.subarray(0, p.length);
  };
  return leaf(
    col,
    statIndex,
    (v) => (v === null ? N : compareScalars(head(v), p) === 0 ? T : F),
    (s, numRecords) => {
      if (allNull(s, numRecords)) return N;
      const mayNull = s.nullCount === undefined || s.nullCount > 0 ? N : 0;
      // Rows starting with p lie between the truncated bounds: min[0..|p|] <= p <= max[0..|p|].
      const lowOk = s.min === undefined || compareScalars(head(s.min), p) <= 0;
      const highOk = s.max === undefined || compareScalars(head(s.max), p) >= 0;
      return (lowOk && highOk ? T | F : F) | mayNull;
    },
  );
}

function andNode(args: Node[], onlyTrue: boolean): Node {
  return (ctx) => {
    let allTrue = true;
    let anyFalse = false;
    let anyNull = false;
    for (const a of args) {
      const o = a(ctx);
      if (!(o & (T | N))) return o; // certainly false (or no rows): so is the conjunction
      if (!(o & T) && onlyTrue) return F;
      if (!(o & T)) allTrue = false;
      if (o & F) anyFalse = true;
      if (o & N) anyNull = true;
    }
    return (allTrue ? T : 0) | (anyFalse ? F : 0) | (anyNull ? N : 0);
  };
}

function orNode(args: Node[]): Node {
  return (ctx) => {
    let anyTrue = false;
    let allFalse = true;
    let allFalseOrNull = true;
    let anyNull = false;
    for (const a of args) {
      const o = a(ctx);
      if (o & T) anyTrue = true;
      if (!(o & F)) allFalse = false;
      if (!(o & (F | N))) allFalseOrNull = false;
      if (o & N) anyNull = true;
    }
    return (anyTrue ? T : 0) | (allFalse ? F : 0) | (allFalseOrNull && anyNull ? N : 0);
  };
}

const allNull = (s: ColumnStats, numRecords: number | undefined): boolean => s.nullCount !== undefined && s.nullCount === numRecords;

const negate = (o: Outcomes): Outcomes => (o & N) | (o & T ? F : 0) | (o & F ? T : 0);

/**
 * A node over one column: `exact` decides a known partition value; `fromStats` bounds a data
 * column (its stats, and numRecords) — undefined stats mean nothing is known.
 */
function leaf(
  col: TypedColumn,
  statIndex: ReadonlyMap<string, number>,
  exact: (v: Scalar) => Outcomes,
  fromStats: (s: ColumnStats, numRecords: number | undefined) => Outcomes,
): Node {
  if (col.partition) {
    return (ctx) => {
      const v = ctx.partition(col);
      return v === undefined ? ANY : exact(v);
    };
  }
  const idx = statIndex.get(key(col))!;
  return (ctx) => {
    const stats = ctx.stats();
    const s = stats?.columns[idx];
    if (!stats) return ANY;
    if (stats.numRecords === 0) return 0; // an empty file has no rows to match
    if (!s) return ANY;
    try {
      return fromStats(s, stats.numRecords);
    } catch {
      return ANY; // bounds of an unexpected representation decide nothing
    }
  };
}

function isNullOutcomes(s: ColumnStats, numRecords: number | undefined, negated: boolean): Outcomes {
  const mayNull = s.nullCount === undefined || s.nullCount > 0;
  const mayNonNull = s.nullCount === undefined || numRecords === undefined || s.nullCount < numRecords;
  const isNull = (mayNull ? T : 0) | (mayNonNull ? F : 0);
  return negated ? negate(isNull) : isNull;
}

const OP_TABLE: Record<ComparisonOp, readonly [boolean, boolean, boolean]> = {
  '=': [false, true, false],
  '<=>': [false, true, false],
  '!=': [true, false, true],
  '<': [true, false, false],
  '<=': [true, true, false],
  '>': [false, false, true],
  '>=': [false, true, true],
};

function exactComparison(op: ComparisonOp, v: Scalar, lit: Scalar): Outcomes {
  if (op === '<=>') {
    if (v === null || lit === null) return v === lit ? T : F;
  } else if (v === null || lit === null) return N;
  return OP_TABLE[op][Math.sign(compareScalars(v, lit)) + 1] ? T : F;
}

const isFloating = (c: TypedColumn): boolean => c.type.kind === 'primitive' && (c.type.name === 'float' || c.type.name === 'double');

/** Possible outcomes of `x op lit` for non-null x in [min, max] (either bound may be unknown). */
function boundedComparison(op: ComparisonOp, min: Scalar | undefined, max: Scalar | undefined, lit: Scalar): Outcomes {
  const cmin = min === undefined ? undefined : compareScalars(min, lit);
  const cmax = max === undefined ? undefined : compareScalars(max, lit);
  const mayLess = cmin === undefined || cmin < 0;
  const mayGreater = cmax === undefined || cmax > 0;
  const mayEqual = (cmin === undefined || cmin <= 0) && (cmax === undefined || cmax >= 0);
  const allEqual = cmin === 0 && cmax === 0;
  const t = OP_TABLE[op];
  const may = (wantTrue: boolean): boolean => (mayLess && t[0] === wantTrue) || (mayEqual && t[1] === wantTrue) || (mayGreater && t[2] === wantTrue);
  let o = (may(true) ? T : 0) | (may(false) ? F : 0);
  if (allEqual) o = t[1] ? T : F;
  return o;
}

function compileComparison(op: ComparisonOp, col: TypedColumn, right: TypedExpr, statIndex: ReadonlyMap<string, number>): Node {
  if (right.kind === 'column') {
    if (col.partition && right.partition && col.relation === 0 && right.relation === 0) {
      return (ctx) => {
        const a = ctx.partition(col);
        const b = ctx.partition(right);
        return a === undefined || b === undefined ? ANY : exactComparison(op, a, b);
      };
    }
    return () => ANY;
  }
  if (right.kind !== 'literal' || !isAtomicType(col)) return () => ANY;
  const lit = right.value as Scalar;
  const floating = isFloating(col);
  return leaf(
    col,
    statIndex,
    (v) => exactComparison(op, v, lit),
    (s, numRecords) => {
      if (allNull(s, numRecords)) return op === '<=>' ? F : N;
      // NaN is above every value in Spark's order, and some writers leave NaN out of max: no upper bound for floats.
      const max = floating ? undefined : s.max;
      const values = boundedComparison(op, s.min, max, lit);
      const mayNull = s.nullCount === undefined || s.nullCount > 0;
      if (!mayNull) return values;
      return values | (op === '<=>' ? F : N);
    },
  );
}

function compileIn(arg: TypedColumn, list: readonly Extract<TypedExpr, { kind: 'literal' }>[], negated: boolean, statIndex: ReadonlyMap<string, number>): Node {
  if (!isAtomicType(arg)) return () => ANY;
  const floating = isFloating(arg);
  const values = list.map((x) => x.value as Scalar).filter((v): v is Exclude<Scalar, null> => v !== null);
  const nullMiss = values.length < list.length ? N : F;
  const exact = (v: Scalar): Outcomes => {
    if (v === null) return N;
    for (const x of values) if (compareScalars(v, x) === 0) return T;
    return nullMiss;
  };
  const node = leaf(arg, statIndex, exact, (s, numRecords) => {
    if (allNull(s, numRecords)) return N;
    const max = floating ? undefined : s.max;
    let o = 0;
    for (const x of values) {
      const eq = boundedComparison('=', s.min, max, x);
      if (eq & T) o |= T;
      if (eq & F) o |= nullMiss;
    }
    if (values.length === 0) o |= nullMiss;
    if (s.nullCount === undefined || s.nullCount > 0) o |= N;
    return o;
  });
  return negated ? (ctx) => negate(node(ctx)) : node;
}

const isAtomicType = (c: TypedColumn): boolean => c.type.kind === 'decimal' || (c.type.kind === 'primitive' && c.type.name !== 'variant' && c.type.name !== 'void');
