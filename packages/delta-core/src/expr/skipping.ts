import { parsePartitionValue } from '../schema/partition-values.js';
import { parseStats, type ColumnStats, type FileStats, type StatsColumn, type StatsSource } from '../schema/stats.js';
import type { ComparisonOp } from './ast.js';
import { boundColumns, type BoundColumn, type BoundExpr } from './bound.js';
import { compareScalars, type Scalar } from './scalar.js';

/**
 * Data skipping: deciding from a file's partition values (exact) and statistics (bounds) whether
 * it may contain a row matching a bound predicate. Conservative by construction: a file is
 * skipped only when no row of it can make the predicate true under SQL three-valued logic.
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
  partition(c: BoundColumn): Scalar | undefined;
  stats(): FileStats | undefined;
}

type Node = (ctx: Ctx) => Outcomes;

/** Compiles a bound predicate into a reusable file filter. */
export function compileFileFilter(pred: BoundExpr, options: FileFilterOptions = {}): FileFilter {
  const timeZone = options.timeZone ?? 'UTC';
  const dataColumns = boundColumns(pred).filter((c) => !c.partition);
  const statsColumns: StatsColumn[] = dataColumns.map((c) => ({ path: c.physicalPath, type: c.type }));
  const statIndex = new Map(dataColumns.map((c, i) => [key(c), i]));
  const root = compile(pred, statIndex, true);
  const satisfiable = (root({ partition: () => undefined, stats: () => undefined }) & T) !== 0;
  const caches = new Map<string, Map<string, Scalar | undefined>>();

  const partitionFromRaw = (raw: Readonly<Record<string, string | null>>) => (c: BoundColumn): Scalar | undefined => {
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
export function fileMayMatch(pred: BoundExpr, file: SkippingInput): boolean {
  return compileFileFilter(pred).mayMatch(file);
}

const key = (c: BoundColumn): string => JSON.stringify(c.physicalPath);

/** `onlyTrue`: the caller asks only whether T is possible, so AND may stop at the first argument that cannot be true. */
function compile(e: BoundExpr, statIndex: ReadonlyMap<string, number>, onlyTrue: boolean): Node {
  switch (e.kind) {
    case 'constant': {
      const o = e.value === null ? N : e.value ? T : F;
      return () => o;
    }
    case 'and':
    case 'or': {
      // Partition-only arguments first: they are exact and cheap, and may decide before stats are parsed.
      const ordered = [...e.args].sort((a, b) => Number(needsStats(a)) - Number(needsStats(b)));
      const args = ordered.map((a) => compile(a, statIndex, onlyTrue));
      return e.kind === 'and' ? andNode(args, onlyTrue) : orNode(args);
    }
    case 'not': {
      const arg = compile(e.arg, statIndex, false);
      return (ctx) => negate(arg(ctx));
    }
    case 'isNull':
      return leaf(e.arg, statIndex, (v) => ((v === null) !== e.negated ? T : F), (s, n) => isNullOutcomes(s, n, e.negated));
    case 'in':
      return compileIn(e, statIndex);
    case 'comparison':
      return compileComparison(e, statIndex);
  }
}

function needsStats(e: BoundExpr): boolean {
  return boundColumns(e).some((c) => !c.partition);
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
  col: BoundColumn,
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

const isFloating = (c: BoundColumn): boolean => c.type.kind === 'primitive' && (c.type.name === 'float' || c.type.name === 'double');

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

function compileComparison(e: Extract<BoundExpr, { kind: 'comparison' }>, statIndex: ReadonlyMap<string, number>): Node {
  const col = e.left;
  if (e.right.kind === 'column') {
    const right = e.right;
    if (col.partition && right.partition) {
      return (ctx) => {
        const a = ctx.partition(col);
        const b = ctx.partition(right);
        return a === undefined || b === undefined ? ANY : exactComparison(e.op, a, b);
      };
    }
    return () => ANY;
  }
  const lit = e.right.value;
  const op = e.op;
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

function compileIn(e: Extract<BoundExpr, { kind: 'in' }>, statIndex: ReadonlyMap<string, number>): Node {
  const floating = isFloating(e.arg);
  const nullMiss = e.hasNull ? N : F;
  const exact = (v: Scalar): Outcomes => {
    if (v === null) return N;
    for (const x of e.values) if (compareScalars(v, x) === 0) return T;
    return nullMiss;
  };
  const node = leaf(e.arg, statIndex, exact, (s, numRecords) => {
    if (allNull(s, numRecords)) return N;
    const max = floating ? undefined : s.max;
    let o = 0;
    for (const x of e.values) {
      const eq = boundedComparison('=', s.min, max, x);
      if (eq & T) o |= T;
      if (eq & F) o |= nullMiss;
    }
    if (e.values.length === 0) o |= nullMiss;
    if (s.nullCount === undefined || s.nullCount > 0) o |= N;
    return o;
  });
  return e.negated ? (ctx) => negate(node(ctx)) : node;
}
