/**
 * MERGE's join and clause evaluation over Arrow batches (no I/O). The source is the build side:
 * its equi-join keys are indexed once ({@link buildIndex}); each target batch is then probed,
 * candidate pairs are checked against the residual condition, and every target row gets its
 * outcome: the first MATCHED clause whose condition is true (a row matching no clause is left
 * alone), or for rows that matched no source row the first NOT MATCHED BY SOURCE clause. After the
 * last target batch, source rows that matched no target row go through the NOT MATCHED clauses.
 *
 * Without equi-join keys every eligible target row is paired with every eligible source row
 * (a nested loop: cost grows with target rows × source rows, in chunks of about
 * {@link NESTED_LOOP_PAIRS} pairs).
 *
 * A target row that matches several source rows is an error (MERGE_CARDINALITY_VIOLATION), as in
 * Delta, unless the only MATCHED clause is an unconditional DELETE (the row is then deleted once).
 */
import { RecordBatch, Schema, Struct, makeData, type Data } from 'apache-arrow';
import { DeltaError, deltaToArrowSchema, throwIfAborted, type DataType, type StructType } from '@deltakit/core';
import { Vec, compileExpression, compilePredicate, takeRows, vecToArrow, type CompiledExpr, type CompiledPredicate, type TypedExpr } from '@deltakit/core/internal';
import { assignVec, type AssignContext } from './assign.js';
import type { PlannedClause, ValuePlan } from './assignments.js';
import { concatBatches } from './concat.js';
import { buildIndex, type JoinIndex, type Pairs } from './keys.js';
import type { MergePlan } from './plan.js';
import type { LoadedSource } from './source.js';

/** Pairs evaluated at once by the nested loop (no equi-join keys). */
export const NESTED_LOOP_PAIRS = 1 << 20;

export interface MatchOptions {
  readonly timeZone: string;
  readonly nowMicros: bigint;
  /** Also return the rows as they were before (update preimages, deleted rows), for the change data feed. */
  readonly changeData: boolean;
  readonly signal?: AbortSignal;
}

export interface ClauseCounts {
  matchedUpdated: number;
  matchedDeleted: number;
  notMatchedBySourceUpdated: number;
  notMatchedBySourceDeleted: number;
  inserted: number;
}

/** What a MERGE does to the rows of one target batch. Row numbers index that batch. */
export interface TargetChanges {
  readonly deleted: Int32Array;
  readonly updated: Int32Array;
  /** New values of `updated` rows (same order), in the final schema's shape. */
  readonly updatedValues: RecordBatch | undefined;
  /** With `changeData`: `updated` rows as they were, and `deleted` rows, in the final schema's shape. */
  readonly preimages: RecordBatch | undefined;
  readonly deletedRows: RecordBatch | undefined;
}

/** The range of one equi-join key over the source, for pruning target files. */
export interface KeyRange {
  /** Index into `plan.keys`. */
  readonly key: number;
  readonly type: DataType;
  readonly min: unknown;
  readonly max: unknown;
}

const BOOL_TRUE = 1;

export class MergeMatcher {
  readonly counts: ClauseCounts = { matchedUpdated: 0, matchedDeleted: 0, notMatchedBySourceUpdated: 0, notMatchedBySourceDeleted: 0, inserted: 0 };
  /** 1 for source rows that matched at least one target row. */
  readonly sourceMatched: Uint8Array;
  readonly #plan: MergePlan;
  readonly #source: RecordBatch;
  readonly #options: MatchOptions;
  readonly #assign: AssignContext;
  readonly #finalArrow: Schema;
  readonly #compiled = new Map<TypedExpr, CompiledExpr>();
  readonly #predicates = new Map<TypedExpr, CompiledPredicate>();
  /** Source rows that may match (pass the source-only conjuncts). */
  readonly #eligible: Uint8Array | null;
  readonly #index: JoinIndex | undefined;
  readonly #sourceKeys: readonly Vec[];
  readonly #identity: readonly ValuePlan[];
  readonly #checkCardinality: boolean;

  constructor(plan: MergePlan, source: LoadedSource, options: MatchOptions) {
    this.#plan = plan;
    this.#source = source.batch;
    this.#options = options;
    this.#assign = { timeZone: options.timeZone, nowMicros: options.nowMicros };
    this.#finalArrow = deltaToArrowSchema(plan.finalSchema);
    this.#identity = plan.identity;
    this.#checkCardinality = (plan.matched.length > 0 || plan.notMatchedBySource.length > 0) && !plan.unconditionalDeleteOnly;
    this.sourceMatched = new Uint8Array(source.numRows);
    const sourceInput = [emptyBatch(source.numRows), source.batch];
    this.#eligible = plan.sourceOnly === undefined ? null : this.#predicate(plan.sourceOnly).mask(sourceInput);
    this.#sourceKeys = plan.keys.map((k) => this.#expr(k.source).evaluate(sourceInput));
    this.#index = plan.keys.length === 0 ? undefined : buildIndex(this.#sourceKeys, plan.keys.map((k) => k.nullSafe), this.#eligible);
  }

  /** Builds join structures ahead of the first target batch (call while it is being read). */
  prepare(): void {
    this.#index?.prepare?.();
  }

  /** Bytes held by the hash index (diagnostics; the source batch is counted by the caller). */
  get indexBytes(): number {
    return this.#index?.bytes ?? 0;
  }

  /**
   * Per equi-join key whose target side is a plain column: the smallest and largest source key
   * (over rows that may match), or `empty` when no source row can match at all.
   */
  keyRanges(): { empty: boolean; ranges: KeyRange[] } {
    const ranges: KeyRange[] = [];
    let empty = false;
    this.#plan.keys.forEach((k, i) => {
      if (k.target.kind !== 'column' || k.nullSafe) return;
      const r = rangeOf(this.#sourceKeys[i]!, this.#eligible);
      if (r === 'unsupported') return;
      if (r === 'empty') empty = true;
      else ranges.push({ key: i, type: k.target.type, min: r.min, max: r.max });
    });
    if (this.#plan.keys.length > 0 && this.#source.numRows === 0) empty = true;
    return { empty, ranges };
  }

  /** Outcome of every row of one target batch (which holds at least the plan's target columns). */
  processTarget(target: RecordBatch): TargetChanges {
    throwIfAborted(this.#options.signal);
    const plan = this.#plan;
    const n = target.numRows;
    const targetOk = plan.targetOnly === undefined ? null : this.#predicate(plan.targetOnly).mask([target]);
    let pairs = this.#index !== undefined ? this.#index.probe(plan.keys.map((k) => this.#expr(k.target).evaluate([target])), targetOk) : this.#nestedLoop(target, targetOk);
    if (this.#index !== undefined && plan.residual !== undefined && pairs.length > 0) {
      const mask = this.#predicate(plan.residual).mask(this.#pairInput(target, pairs));
      pairs = selectPairs(pairs, mask);
    }
    // Pairs are grouped by ascending target row: a target row with several matches repeats in a run.
    let repeated = false;
    const { target: pt, source: ps } = pairs;
    for (let i = 0; i < pairs.length; i++) {
      if (i > 0 && pt[i] === pt[i - 1]) repeated = true;
      this.sourceMatched[ps[i]!] = 1;
    }
    if (repeated && this.#checkCardinality) this.#checkMultipleMatches(target, pairs, matchCounts(pairs, n));
    const acc = new ChangeAccumulator();
    if (plan.matched.length > 0 && pairs.length > 0) {
      const first = repeated ? firstPairPerTarget(pairs) : pairs;
      this.#applyClauses(plan.matched, target, this.#pairInput(target, first), first.target, acc, 'matched');
    }
    if (plan.notMatchedBySource.length > 0) {
      const rows = unmatchedRows(matchCounts(pairs, n));
      if (rows.length > 0) {
        const t = takeRows(target, rows);
        this.#applyClauses(plan.notMatchedBySource, target, [t, emptyBatch(rows.length)], rows, acc, 'notMatchedBySource');
      }
    }
    return this.#changes(target, acc);
  }

  /** The rows the NOT MATCHED clauses insert, in the final schema's shape (call after every target batch). */
  inserts(): RecordBatch | undefined {
    const plan = this.#plan;
    if (plan.notMatched.length === 0) return undefined;
    const rows = unmatchedRows(this.sourceMatched);
    if (rows.length === 0) return undefined;
    const s = takeRows(this.#source, rows);
    const input = [emptyBatch(rows.length), s];
    const open = new Uint8Array(rows.length).fill(1);
    const out: RecordBatch[] = [];
    for (const clause of plan.notMatched) {
      const take = this.#takeClause(clause, input, open);
      if (take.length === 0) continue;
      const sub = takeInput(input, take);
      out.push(this.#evaluateRow(clause.values!, sub, take.length));
      this.counts.inserted += take.length;
    }
    return out.length === 0 ? undefined : out.length === 1 ? out[0] : concatBatches(this.#finalArrow, out);
  }

  // ---- join ---------------------------------------------------------------------------------

  /** Every eligible target row with every eligible source row, residual applied in bounded chunks. */
  #nestedLoop(target: RecordBatch, targetOk: Uint8Array | null): Pairs {
    const t: number[] = [];
    for (let i = 0; i < target.numRows; i++) if (targetOk === null || targetOk[i]) t.push(i);
    const s: number[] = [];
    for (let j = 0; j < this.#source.numRows; j++) if (this.#eligible === null || this.#eligible[j]) s.push(j);
    const outT: number[] = [];
    const outS: number[] = [];
    if (t.length === 0 || s.length === 0) return { target: new Int32Array(0), source: new Int32Array(0), length: 0 };
    const chunk = Math.max(1, Math.floor(NESTED_LOOP_PAIRS / s.length));
    for (let a = 0; a < t.length; a += chunk) {
      throwIfAborted(this.#options.signal);
      const rows = t.slice(a, a + chunk);
      const pt = new Int32Array(rows.length * s.length);
      const ps = new Int32Array(rows.length * s.length);
      let k = 0;
      for (const i of rows) {
        for (const j of s) {
          pt[k] = i;
          ps[k++] = j;
        }
      }
      let pairs: Pairs = { target: pt, source: ps, length: k };
      if (this.#plan.residual !== undefined) pairs = selectPairs(pairs, this.#predicate(this.#plan.residual).mask(this.#pairInput(target, pairs)));
      for (let x = 0; x < pairs.length; x++) {
        outT.push(pairs.target[x]!);
        outS.push(pairs.source[x]!);
      }
    }
    return { target: Int32Array.from(outT), source: Int32Array.from(outS), length: outT.length };
  }

  #pairInput(target: RecordBatch, pairs: Pairs): RecordBatch[] {
    return [takeRows(target, pairs.target), takeRows(this.#source, pairs.source)];
  }

  #checkMultipleMatches(target: RecordBatch, pairs: Pairs, count: Int32Array): void {
    let row = -1;
    let many = 0;
    for (let i = 0; i < count.length; i++) {
      if (count[i]! > 1) {
        if (row < 0) row = i;
        many++;
      }
    }
    if (row < 0) return;
    const keys = this.#plan.keys.map((k) => this.#expr(k.target).evaluate([target]).get(row));
    const shown = keys.length > 0 ? ` (for instance the target row with join key ${keys.map(showValue).join(', ')} matched ${count[row]} source rows)` : ` (for instance one target row matched ${count[row]} source rows)`;
    throw new DeltaError(
      'MERGE_CARDINALITY_VIOLATION',
      `Cannot perform MERGE: ${many} target row${many === 1 ? '' : 's'} matched more than one source row${shown}, and the MATCHED / NOT MATCHED BY SOURCE clauses could modify them in conflicting ways, so the result would depend on which source row is used. Nothing was committed. ` +
        'Remove duplicate keys from the source (e.g. keep one row per key), or make the merge condition match at most one source row per target row.',
      { details: { errorClass: 'DELTA_MULTIPLE_SOURCE_ROW_MATCHING_TARGET_ROW_IN_MERGE', targetRows: many, matches: count[row], key: keys.map(showValue) } },
    );
  }

  // ---- clauses ------------------------------------------------------------------------------

  /**
   * Applies `clauses` in order to the rows of `input` (one row per target row `rows[i]`): the first
   * clause whose condition is true takes the row.
   */
  #applyClauses(clauses: readonly PlannedClause[], target: RecordBatch, input: RecordBatch[], rows: Int32Array, acc: ChangeAccumulator, group: 'matched' | 'notMatchedBySource'): void {
    const open = new Uint8Array(rows.length).fill(1);
    for (const clause of clauses) {
      const take = this.#takeClause(clause, input, open);
      if (take.length === 0) continue;
      const targetRows = take.map((i) => rows[i]!);
      if (clause.action === 'delete') {
        acc.deleted.push(targetRows);
        if (group === 'matched') this.counts.matchedDeleted += take.length;
        else this.counts.notMatchedBySourceDeleted += take.length;
      } else {
        const sub = takeInput(input, take);
        acc.updated.push(targetRows);
        acc.updatedValues.push(this.#evaluateRow(clause.values!, sub, take.length));
        if (group === 'matched') this.counts.matchedUpdated += take.length;
        else this.counts.notMatchedBySourceUpdated += take.length;
      }
    }
    void target;
  }

  /** Rows (indices into `input`) still open whose clause condition is true; they are closed. */
  #takeClause(clause: PlannedClause, input: RecordBatch[], open: Uint8Array): Int32Array {
    const mask = clause.condition === undefined ? null : this.#predicate(clause.condition).mask(input);
    const out: number[] = [];
    for (let i = 0; i < open.length; i++) {
      if (open[i] && (mask === null || mask[i] === BOOL_TRUE)) {
        out.push(i);
        open[i] = 0;
      }
    }
    return Int32Array.from(out);
  }

  /** One output row per input row, in the final schema's shape. */
  #evaluateRow(values: readonly ValuePlan[], input: RecordBatch[], n: number): RecordBatch {
    const children: Data[] = values.map((p, k) => vecToArrow(this.#evaluate(p, input, n), this.#finalArrow.fields[k]!.type));
    return new RecordBatch(this.#finalArrow, makeData({ type: new Struct(this.#finalArrow.fields), length: n, nullCount: 0, children }));
  }

  #evaluate(p: ValuePlan, input: RecordBatch[], n: number): Vec {
    switch (p.kind) {
      case 'null':
        return Vec.constant(p.type, null, n);
      case 'keep':
        return assignVec(this.#expr(p.column).evaluate(input), p.type, p.column.path.join('.'), this.#assign, { allowMissingFields: true });
      case 'expr':
        return assignVec(this.#expr(p.expr).evaluate(input), p.type, p.name, this.#assign, { allowMissingFields: p.allowMissingFields });
      case 'struct':
        return Vec.of(p.type, { kind: 'struct', children: p.fields.map((f) => this.#evaluate(f, input, n)), length: n }, null, n);
      case 'preserve': {
        const source = this.#expr(p.source).evaluate(input);
        const target = p.target === undefined ? undefined : this.#expr(p.target).evaluate(input);
        return preserveStruct(source, target, p.type, p.name, this.#assign);
      }
    }
  }

  #changes(target: RecordBatch, acc: ChangeAccumulator): TargetChanges {
    const deleted = concatInts(acc.deleted);
    const updated = concatInts(acc.updated);
    const updatedValues = acc.updatedValues.length === 0 ? undefined : acc.updatedValues.length === 1 ? acc.updatedValues[0] : concatBatches(this.#finalArrow, acc.updatedValues);
    let preimages: RecordBatch | undefined;
    let deletedRows: RecordBatch | undefined;
    if (this.#options.changeData) {
      if (updated.length > 0) preimages = this.#evaluateRow(this.#identity, [takeRows(target, updated), emptyBatch(updated.length)], updated.length);
      if (deleted.length > 0) deletedRows = this.#evaluateRow(this.#identity, [takeRows(target, deleted), emptyBatch(deleted.length)], deleted.length);
    }
    return { deleted, updated, updatedValues, preimages, deletedRows };
  }

  #expr(e: TypedExpr): CompiledExpr {
    let c = this.#compiled.get(e);
    if (c === undefined) this.#compiled.set(e, (c = compileExpression(e, { timeZone: this.#options.timeZone, nowMicros: this.#options.nowMicros })));
    return c;
  }

  #predicate(e: TypedExpr): CompiledPredicate {
    let c = this.#predicates.get(e);
    if (c === undefined) this.#predicates.set(e, (c = compilePredicate(e, { timeZone: this.#options.timeZone, nowMicros: this.#options.nowMicros })));
    return c;
  }
}

class ChangeAccumulator {
  readonly deleted: Int32Array[] = [];
  readonly updated: Int32Array[] = [];
  readonly updatedValues: RecordBatch[] = [];
}

/**
 * UPDATE * with schema evolution on a struct column (Delta's null-preserving struct cast with the
 * original target): fields present in the source struct come from it (recursively for structs),
 * target-only fields keep the target's values; the result is null where the source struct is null
 * and either the target struct is null too or the target has no field of its own.
 */
function preserveStruct(source: Vec, target: Vec | undefined, to: StructType, column: string, ctx: AssignContext): Vec {
  const n = source.length;
  const sType = source.type as StructType;
  const sValid = source.valid();
  const sKids = source.children();
  const tType = target?.type as StructType | undefined;
  const tValid = target?.valid() ?? null;
  const tKids = target?.children();
  const find = (t: StructType | undefined, name: string): number => (t === undefined ? -1 : t.fields.findIndex((f) => f.name.toLowerCase() === name.toLowerCase()));
  let targetOnly = false;
  const children = to.fields.map((f) => {
    const si = find(sType, f.name);
    const ti = find(tType, f.name);
    const tChild = ti >= 0 && tKids ? tKids[ti]!.withNulls(tValid) : undefined;
    if (si < 0) {
      targetOnly = true;
      return tChild === undefined ? Vec.constant(f.type, null, n) : assignVec(tChild, f.type, `${column}.${f.name}`, ctx, { allowMissingFields: true });
    }
    const sChild = sKids[si]!.withNulls(sValid);
    if (f.type.kind === 'struct' && sChild.type.kind === 'struct') return preserveStruct(sChild, tChild?.type.kind === 'struct' ? tChild : undefined, f.type, `${column}.${f.name}`, ctx);
    return assignVec(sChild, f.type, `${column}.${f.name}`, ctx, { allowMissingFields: true });
  });
  let valid: Uint8Array | null = null;
  if (sValid !== null) {
    valid = new Uint8Array(n);
    const keepsTarget = targetOnly && target !== undefined;
    for (let i = 0; i < n; i++) valid[i] = sValid[i] === 1 || (keepsTarget && (tValid === null || tValid[i] === 1)) ? 1 : 0;
  }
  return Vec.of(to, { kind: 'struct', children, length: n }, valid, n);
}

const EMPTY_SCHEMA = new Schema([]);

/** A batch of `n` rows and no columns: the relation a clause may not read. */
export function emptyBatch(n: number): RecordBatch {
  return new RecordBatch(EMPTY_SCHEMA, makeData({ type: new Struct([]), length: n, nullCount: 0, children: [] }));
}

function takeInput(input: RecordBatch[], rows: Int32Array): RecordBatch[] {
  if (rows.length === (input[0]?.numRows ?? 0)) return input; // rows are ascending and distinct: all of them
  return input.map((b) => (b.numCols === 0 ? emptyBatch(rows.length) : takeRows(b, rows)));
}

function selectPairs(p: Pairs, mask: Uint8Array): Pairs {
  let k = 0;
  const t = new Int32Array(p.length);
  const s = new Int32Array(p.length);
  for (let i = 0; i < p.length; i++) {
    if (mask[i]) {
      t[k] = p.target[i]!;
      s[k++] = p.source[i]!;
    }
  }
  return { target: t.subarray(0, k), source: s.subarray(0, k), length: k };
}

/** Matches per target row (`n` rows) in `pairs`. */
function matchCounts(pairs: Pairs, n: number): Int32Array {
  const count = new Int32Array(n);
  for (let i = 0; i < pairs.length; i++) count[pairs.target[i]!]!++;
  return count;
}

/** The first pair of each target row (pairs may come in any order). */
function firstPairPerTarget(p: Pairs): Pairs {
  const seen = new Set<number>();
  const t: number[] = [];
  const s: number[] = [];
  for (let i = 0; i < p.length; i++) {
    const x = p.target[i]!;
    if (seen.has(x)) continue;
    seen.add(x);
    t.push(x);
    s.push(p.source[i]!);
  }
  return t.length === p.length ? p : { target: Int32Array.from(t), source: Int32Array.from(s), length: t.length };
}

function unmatchedRows(count: Int32Array | Uint8Array): Int32Array {
  let k = 0;
  for (let i = 0; i < count.length; i++) if (count[i] === 0) k++;
  const out = new Int32Array(k);
  k = 0;
  for (let i = 0; i < count.length; i++) if (count[i] === 0) out[k++] = i;
  return out;
}

function concatInts(parts: readonly Int32Array[]): Int32Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Int32Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

function showValue(v: unknown): string {
  if (v === null) return 'NULL';
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'object' && v !== null && 'unscaled' in v) {
    const d = v as { unscaled: bigint; scale: number };
    return d.scale === 0 ? String(d.unscaled) : `${d.unscaled}e-${d.scale}`;
  }
  return String(v);
}

/** Smallest and largest non-null key among eligible rows; ranges only for ordered scalar types. */
function rangeOf(v: Vec, eligible: Uint8Array | null): 'unsupported' | 'empty' | { min: unknown; max: unknown } {
  const t = v.type;
  const ok = t.kind === 'decimal' || (t.kind === 'primitive' && ['byte', 'short', 'integer', 'long', 'date', 'timestamp', 'timestamp_ntz', 'string'].includes(t.name));
  if (!ok || v.isConstant) return 'unsupported';
  const valid = v.valid();
  const s = v.store();
  let min: number | bigint | string | undefined;
  let max: number | bigint | string | undefined;
  const values = s.kind === 'i32' || s.kind === 'i64' || s.kind === 'dec' || s.kind === 'str' ? s.values : undefined;
  if (values === undefined) return 'unsupported';
  const less = s.kind === 'str' ? (a: unknown, b: unknown) => compareCodePoints(a as string, b as string) < 0 : (a: unknown, b: unknown) => (a as number) < (b as number);
  for (let i = 0; i < v.length; i++) {
    if ((eligible !== null && !eligible[i]) || (valid !== null && !valid[i])) continue;
    const x = values[i]!;
    if (min === undefined || less(x, min)) min = x;
    if (max === undefined || less(max, x)) max = x;
  }
  if (min === undefined) return 'empty';
  const wrap = (x: unknown): unknown => (t.kind === 'decimal' ? { unscaled: x as bigint, scale: t.scale } : x);
  return { min: wrap(min), max: wrap(max) };
}

/** Order of strings by code point (= UTF-8 byte order, Spark's string order). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (U+D800–DFFF) encode code points above U+FFFF, which sort after U+E000–FFFF.
    const hx = x >= 0xd800 && x <= 0xdfff;
    const hy = y >= 0xd800 && y <= 0xdfff;
    if (hx !== hy) return hx ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}
