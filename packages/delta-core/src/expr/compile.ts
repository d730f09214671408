/**
 * The evaluator: a typed expression is compiled once into a tree of closures, then run per
 * record batch. Columns are read lazily from the batch's Arrow data (returned zero-copy when an
 * expression is just a column); comparisons of a column with a literal or another column run
 * straight over Arrow buffers; logic uses three-valued codes (0 false, 1 null, 2 true).
 */
import { Type, type Data, type RecordBatch } from 'apache-arrow';
import { DeltaError } from '../errors.js';
import type { ComparisonOp } from './ast.js';
import { castVec } from './cast.js';
import { columnView, validityOf } from './column-view.js';
import { FALSE, NULL, TRUE, applyNulls, compareColumns, compareLiteral, compareTypedLiteral } from './compare.js';
import { compareNumbers } from './scalar.js';
import type { EvalContext, TypedColumn, TypedExpr } from './typed.js';
import { compareValues, type Value } from './value.js';
import { Vec, andValid, chooseRows } from './vector.js';
import { compareUtf8 } from '../storage/paths.js';

/** One batch, or one batch per relation of the bind scope (all with the same number of rows). */
export type EvalInput = RecordBatch | readonly RecordBatch[];

export interface CompileOptions {
  /** IANA session time zone. Default UTC. */
  readonly timeZone?: string;
  /** `current_timestamp()` in µs (must equal the one given to the binder when both are used). */
  readonly nowMicros?: bigint;
  /** Whether batches name columns by logical (default) or physical names. */
  readonly names?: 'logical' | 'physical';
}

/** A compiled expression: evaluate it on any batch whose columns match the bound scope. */
export interface CompiledExpr {
  readonly type: TypedExpr['type'];
  evaluate(input: EvalInput): Vec;
}

interface Run {
  readonly batches: readonly RecordBatch[];
  readonly ctx: EvalContext;
  readonly columns: Map<string, Vec>;
}

type Node = (run: Run) => Vec;

/** Compiles `e` for repeated evaluation. */
export function compileExpression(e: TypedExpr, options: CompileOptions = {}): CompiledExpr {
  const names = options.names ?? 'logical';
  const node = compileNode(e, names);
  const timeZone = options.timeZone ?? 'UTC';
  const nowMicros = options.nowMicros ?? BigInt(Date.now()) * 1000n;
  return {
    type: e.type,
    evaluate(input) {
      const batches = isBatchList(input) ? input : [input];
      const length = batches[0]?.numRows ?? 0;
      return node({ batches, ctx: { length, timeZone, nowMicros }, columns: new Map() });
    },
  };
}

/** A compiled condition: `mask` is 1 for rows where it is true (not false, not null). */
export interface CompiledPredicate {
  mask(input: EvalInput): Uint8Array;
}

export function compilePredicate(e: TypedExpr, options: CompileOptions = {}): CompiledPredicate {
  const c = compileExpression(e, options);
  return {
    mask(input) {
      const v = c.evaluate(input);
      const codes = v.codes();
      const n = v.length;
      const out = new Uint8Array(n);
      if (v.isConstant) return out.fill(v.constantValue === true ? 1 : 0);
      for (let i = 0; i < n; i++) out[i] = codes[i] === TRUE ? 1 : 0;
      return out;
    },
  };
}

/** The selection mask of a bound condition over one batch (compile once for many batches). */
export function evaluatePredicate(pred: TypedExpr, batch: EvalInput, options: CompileOptions = {}): Uint8Array {
  return compilePredicate(pred, options).mask(batch);
}

/** The value of an expression that reads no column (constant folding). */
export function evaluateConstant(e: TypedExpr, context: { timeZone: string; nowMicros: bigint }): Value {
  const node = compileNode(e, 'logical');
  return node({ batches: [], ctx: { length: 1, ...context }, columns: new Map() }).get(0);
}

const isBatchList = (x: EvalInput): x is readonly RecordBatch[] => Array.isArray(x);

function compileNode(e: TypedExpr, names: 'logical' | 'physical'): Node {
  const rec = (x: TypedExpr): Node => compileNode(x, names);
  switch (e.kind) {
    case 'literal': {
      const { type, value } = e;
      return (run) => Vec.constant(type, value, run.ctx.length);
    }
    case 'column':
      return (run) => readColumn(e, run, names);
    case 'comparison':
      return compileComparison(e.op, e.left, e.right, rec, names);
    case 'and':
    case 'or': {
      const args = e.args.map(rec);
      const isAnd = e.kind === 'and';
      return (run) => {
        if (args.length === 0) return constBool(isAnd, run.ctx.length);
        let acc: Uint8Array | undefined;
        let nulls = false;
        for (const a of args) {
          const v = a(run);
          if (v.isConstant) {
            const c = v.constantValue === null ? NULL : v.constantValue ? TRUE : FALSE;
            if (isAnd ? c === FALSE : c === TRUE) return constBool(!isAnd, run.ctx.length);
            if (c === NULL) nulls = true;
            if (acc === undefined) acc = new Uint8Array(run.ctx.length).fill(c);
            else for (let i = 0; i < acc.length; i++) acc[i] = isAnd ? Math.min(acc[i]!, c) : Math.max(acc[i]!, c);
            continue;
          }
          const codes = v.codes();
          if (v.valid() !== null) nulls = true;
          if (acc === undefined) acc = codes.slice();
          else if (isAnd) for (let i = 0; i < acc.length; i++) acc[i] = acc[i]! < codes[i]! ? acc[i]! : codes[i]!;
          else for (let i = 0; i < acc.length; i++) acc[i] = acc[i]! > codes[i]! ? acc[i]! : codes[i]!;
        }
        return tri(acc!, nulls);
      };
    }
    case 'not': {
      const arg = rec(e.arg);
      return (run) => {
        const v = arg(run);
        if (v.isConstant) return Vec.constant(e.type, v.constantValue === null ? null : !v.constantValue, run.ctx.length);
        const codes = v.codes();
        const out = new Uint8Array(codes.length);
        for (let i = 0; i < out.length; i++) out[i] = TRUE - codes[i]!;
        return tri(out);
      };
    }
    case 'isNull': {
      const arg = rec(e.arg);
      const negated = e.negated;
      return (run) => {
        const v = arg(run);
        const valid = v.valid();
        const out = new Uint8Array(run.ctx.length).fill(negated ? TRUE : FALSE);
        if (valid) for (let i = 0; i < out.length; i++) if (!valid[i]) out[i] = negated ? FALSE : TRUE;
        return tri(out);
      };
    }
    case 'in':
      return compileIn(e, rec, names);
    case 'case': {
      const whens = e.branches.map((b) => rec(b.when));
      const thens = e.branches.map((b) => rec(b.then));
      const otherwise = rec(e.otherwise);
      const type = e.type;
      return (run) => {
        const n = run.ctx.length;
        const choice = new Int32Array(n).fill(whens.length);
        const open = new Uint8Array(n).fill(1);
        let remaining = n;
        for (let k = 0; k < whens.length && remaining > 0; k++) {
          const codes = whens[k]!(run).codes();
          const single = codes.length === 1 && n !== 1;
          for (let i = 0; i < n; i++) {
            if (open[i] && codes[single ? 0 : i] === TRUE) {
              choice[i] = k;
              open[i] = 0;
              remaining--;
            }
          }
        }
        return chooseRows(type, choice, [...thens.map((t) => t(run)), otherwise(run)]);
      };
    }
    case 'cast': {
      const arg = rec(e.arg);
      const to = e.type;
      return (run) => castVec(arg(run), to, run.ctx);
    }
    case 'call': {
      const args = e.args.map(rec);
      const fn = e.fn;
      return (run) => fn.eval(args.map((a) => a(run)), run.ctx);
    }
    case 'field': {
      const arg = rec(e.arg);
      const index = e.index;
      return (run) => {
        const v = arg(run);
        if (v.isConstant) {
          const s = v.constantValue as { values: readonly Value[] } | null;
          return Vec.constant(e.type, s === null ? null : (s.values[index] ?? null), run.ctx.length);
        }
        return v.children()[index]!.withNulls(v.valid());
      };
    }
  }
}

function constBool(value: boolean, n: number): Vec {
  return Vec.constant({ kind: 'primitive', name: 'boolean' }, value, n);
}

const BOOL = { kind: 'primitive', name: 'boolean' } as const;
/** Three-valued codes as a boolean Vec; `mayHaveNulls: false` skips looking for null codes. */
const tri = (codes: Uint8Array, mayHaveNulls = true): Vec => Vec.of(BOOL, { kind: 'tri', codes }, mayHaveNulls ? codesValidity(codes) : null, codes.length);

function codesValidity(codes: Uint8Array): Uint8Array | null {
  let valid: Uint8Array | null = null;
  for (let i = 0; i < codes.length; i++) {
    if (codes[i] === NULL) (valid ??= new Uint8Array(codes.length).fill(1))[i] = 0;
  }
  return valid;
}

// ---- columns ------------------------------------------------------------------------------

function readColumn(c: TypedColumn, run: Run, names: 'logical' | 'physical'): Vec {
  const path = names === 'logical' ? c.path : c.physicalPath;
  const key = `${c.relation}:${path.join('\u0000')}`;
  const cached = run.columns.get(key);
  if (cached) return cached;
  const batch = run.batches[c.relation];
  if (batch === undefined) {
    throw new DeltaError('INTERNAL', `The expression reads relation ${c.relation} but ${run.batches.length} batch(es) were given. Pass one batch per relation of the bind scope.`);
  }
  const found = findData(batch, path);
  const v = found === undefined ? Vec.constant(c.type, null, batch.numRows) : Vec.fromArrow(found.data, c.type).withNulls(found.parentValid);
  run.columns.set(key, v);
  return v;
}

/** The Arrow data at `path` (names matched exactly, else case-insensitively) and the validity of its enclosing structs. */
function findData(batch: RecordBatch, path: readonly string[]): { data: Data; parentValid: Uint8Array | null } | undefined {
  let data: Data = batch.data;
  let parentValid: Uint8Array | null = null;
  for (let k = 0; k < path.length; k++) {
    const fields = (k === 0 ? batch.schema.fields : (data.type.children as { name: string }[])).map((f) => f.name);
    if (data.typeId !== Type.Struct) return undefined;
    let idx = fields.indexOf(path[k]!);
    if (idx < 0) idx = fields.findIndex((n) => n.toLowerCase() === path[k]!.toLowerCase());
    if (idx < 0) return undefined;
    if (k > 0) parentValid = andValid(parentValid, validityOf(data));
    data = data.children[idx]!;
  }
  return { data, parentValid };
}

// ---- comparisons ----------------------------------------------------------------------------

const FAST_KINDS = new Set(['number', 'bigint', 'decimal', 'bytes', 'dictionary']);

function compileComparison(op: ComparisonOp, left: TypedExpr, right: TypedExpr, rec: (x: TypedExpr) => Node, names: 'logical' | 'physical'): Node {
  const atomic = left.type.kind === 'primitive' || left.type.kind === 'decimal';
  if (atomic && left.kind === 'column' && right.kind === 'literal') {
    const slow = generalComparison(op, rec(left), rec(right));
    return (run) => {
      const batch = run.batches[left.relation]!;
      const view = columnView(batch, names === 'logical' ? left.path : left.physicalPath);
      if (!FAST_KINDS.has(view.kind) && view.kind !== 'null') return slow(run);
      return tri(compareLiteral(view, op, right.value as never), view.valid !== null || right.value === null);
    };
  }
  if (atomic && left.kind === 'column' && right.kind === 'column' && left.relation === right.relation) {
    const slow = generalComparison(op, rec(left), rec(right));
    return (run) => {
      const batch = run.batches[left.relation]!;
      const path = (c: TypedColumn) => (names === 'logical' ? c.path : c.physicalPath);
      const a = columnView(batch, path(left));
      const b = columnView(batch, path(right));
      if (!FAST_KINDS.has(a.kind) || a.kind !== b.kind) return slow(run);
      return tri(compareColumns(a, op, b));
    };
  }
  return generalComparison(op, rec(left), rec(right));
}

const OUTCOMES: Record<ComparisonOp, readonly [number, number, number]> = {
  '=': [FALSE, TRUE, FALSE],
  '<=>': [FALSE, TRUE, FALSE],
  '!=': [TRUE, FALSE, TRUE],
  '<': [TRUE, FALSE, FALSE],
  '<=': [TRUE, TRUE, FALSE],
  '>': [FALSE, FALSE, TRUE],
  '>=': [FALSE, TRUE, TRUE],
};

function generalComparison(op: ComparisonOp, left: Node, right: Node): Node {
  const table = OUTCOMES[op];
  return (run) => {
    const a = left(run);
    const b = right(run);
    const fast = op === '<=>' ? undefined : typedVsConstant(op, a, b);
    if (fast) return fast;
    const n = run.ctx.length;
    const out = new Uint8Array(n);
    const cmp = comparator(a, b);
    const av = a.valid();
    const bv = b.valid();
    for (let i = 0; i < n; i++) {
      const an = av !== null && av[i] === 0;
      const bn = bv !== null && bv[i] === 0;
      if (an || bn) {
        out[i] = op === '<=>' ? (an && bn ? TRUE : FALSE) : NULL;
        continue;
      }
      out[i] = table[cmp(i) + 1]!;
    }
    return tri(out);
  };
}

const FLIPPED: Record<ComparisonOp, ComparisonOp> = { '=': '=', '<=>': '<=>', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

/** A computed int/double/long column against a non-null constant: one typed loop, no per-row closure. */
function typedVsConstant(op: ComparisonOp, a: Vec, b: Vec): Vec | undefined {
  const [col, k, o] = b.isConstant && !a.isConstant ? [a, b, op] : a.isConstant && !b.isConstant ? [b, a, FLIPPED[op]] : [undefined, undefined, op];
  if (col === undefined || k === undefined || k.constantValue === null) return undefined;
  const lit = k.constantValue;
  if (typeof lit !== 'number' && typeof lit !== 'bigint') return undefined;
  const s = col.store();
  if (s.kind !== 'i32' && s.kind !== 'f64' && s.kind !== 'i64') return undefined;
  const out = compareTypedLiteral(s.values, o, lit);
  const valid = col.valid();
  applyNulls(out, valid, NULL);
  return tri(out, valid !== null);
}

/** A row comparator (-1, 0, 1) for two Vecs of the same type. */
function comparator(a: Vec, b: Vec): (i: number) => number {
  const ia = a.isConstant ? () => 0 : (i: number) => i;
  const ib = b.isConstant ? () => 0 : (i: number) => i;
  const one = (v: Vec): Vec => (v.isConstant ? Vec.constant(v.type, v.constantValue, 1) : v);
  const x = one(a).store();
  const y = one(b).store();
  if (x.kind === 'i32' && y.kind === 'i32') return (i) => Math.sign(x.values[ia(i)]! - y.values[ib(i)]!);
  if (x.kind === 'f64' && y.kind === 'f64') return (i) => compareNumbers(x.values[ia(i)]!, y.values[ib(i)]!);
  if (x.kind === 'i64' && y.kind === 'i64') {
    return (i) => {
      const p = x.values[ia(i)]!;
      const q = y.values[ib(i)]!;
      return p < q ? -1 : p > q ? 1 : 0;
    };
  }
  if (x.kind === 'dec' && y.kind === 'dec') {
    return (i) => {
      const p = x.values[ia(i)]!;
      const q = y.values[ib(i)]!;
      return p < q ? -1 : p > q ? 1 : 0;
    };
  }
  if (x.kind === 'str' && y.kind === 'str') return (i) => Math.sign(compareUtf8(x.values[ia(i)]!, y.values[ib(i)]!));
  if (x.kind === 'bool' && y.kind === 'bool') return (i) => x.values[ia(i)]! - y.values[ib(i)]!;
  return (i) => Math.sign(compareValues(a.get(i), b.get(i)));
}

// ---- IN ---------------------------------------------------------------------------------------

function compileIn(e: Extract<TypedExpr, { kind: 'in' }>, rec: (x: TypedExpr) => Node, names: 'logical' | 'physical'): Node {
  const literals = e.list.every((x) => x.kind === 'literal');
  const atomic = e.arg.type.kind === 'primitive' || e.arg.type.kind === 'decimal';
  const negated = e.negated;
  if (literals && atomic && e.arg.kind === 'column') {
    const col = e.arg;
    const values = (e.list as readonly Extract<TypedExpr, { kind: 'literal' }>[]).map((x) => x.value);
    const hasNull = values.some((v) => v === null);
    const nonNull = values.filter((v) => v !== null);
    const slow = generalIn(rec(e.arg), e.list.map(rec), negated);
    return (run) => {
      const view = columnView(run.batches[col.relation]!, names === 'logical' ? col.path : col.physicalPath);
      if (!FAST_KINDS.has(view.kind) && view.kind !== 'null') return slow(run);
      const out = new Uint8Array(run.ctx.length).fill(FALSE);
      for (const x of nonNull) {
        const eq = compareLiteral(view, '=', x as never);
        for (let i = 0; i < out.length; i++) if (eq[i]! > out[i]!) out[i] = eq[i]!;
      }
      if (hasNull) for (let i = 0; i < out.length; i++) if (out[i] === FALSE) out[i] = NULL;
      applyNulls(out, view.valid, NULL);
      if (negated) for (let i = 0; i < out.length; i++) out[i] = TRUE - out[i]!;
      return tri(out);
    };
  }
  return generalIn(rec(e.arg), e.list.map(rec), negated);
}

function generalIn(arg: Node, list: readonly Node[], negated: boolean): Node {
  const eq = list.map((item) => generalComparison('=', arg, item));
  return (run) => {
    const out = new Uint8Array(run.ctx.length).fill(FALSE);
    for (const f of eq) {
      const codes = f(run).codes();
      for (let i = 0; i < out.length; i++) if (codes[i]! > out[i]!) out[i] = codes[i]!;
    }
    if (negated) for (let i = 0; i < out.length; i++) out[i] = TRUE - out[i]!;
    return tri(out);
  };
}
