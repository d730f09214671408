/**
 * The parts of a stream-stream join condition, as Spark's ExtractEquiJoinKeys,
 * JoinConditionSplitPredicates and StreamingJoinHelper see them:
 * - equi-join keys: `l = r` conjuncts (and `using` columns) with one side over the left input
 *   only and the other over the right only, of the same type after coercion;
 * - the other conjuncts split into left-only, right-only (filters applied to each input before
 *   it is stored or probed: a preserved row failing them is emitted with nulls at once) and those
 *   over both sides (checked on each candidate pair);
 * - the state watermarks that bound the state:
 *   - key watermark: a join key that is an event-time column (a watermarked timestamp or a
 *     window over one) on either side; state whose key time (a window's end) is at or before the
 *     watermark is evicted, on both sides;
 *   - value watermark (no event time among the keys): from range conjuncts such as
 *     `l.t BETWEEN r.t - INTERVAL 10 MINUTES AND r.t + INTERVAL 10 MINUTES`, each `<`/`<=`/`>`/`>=`
 *     conjunct is solved for this side's time with the other side's watermarked column replaced
 *     by the watermark: `l.t > r.t - 10 min` with watermark W keeps `l.t > W - 10 min`, so this
 *     side's rows at or before `W - 10 min` are evicted (`>=`/`<=` give one millisecond less);
 *     several conjuncts give the lowest. Numbers in conditions are seconds, intervals with
 *     months cannot bound state.
 */
import { type DataType, type Expr, type StructType } from '@deltakit/core';
import { bindCondition, typeText, typedChildren, type TypedExpr } from '@deltakit/core/internal';
import type { Analyzed } from './analyze.js';
import { eventTimeColumns } from './event-time.js';

export interface StreamJoinCondition {
  /** Key expressions over the left input (relation 0). */
  readonly leftKeys: readonly TypedExpr[];
  /** Key expressions over the right input (relation 0). */
  readonly rightKeys: readonly TypedExpr[];
  readonly keyTypes: readonly DataType[];
  readonly leftOnly: TypedExpr | undefined;
  readonly rightOnly: TypedExpr | undefined;
  /** Over [left, right]. */
  readonly both: TypedExpr | undefined;
  /** The key holding event time (Spark's state key watermark), if any. */
  readonly watermarkKey: number | undefined;
  /** The event-time column (index in the side's schema) of each side, if any. */
  readonly leftEventTime: number | undefined;
  readonly rightEventTime: number | undefined;
  /** The value watermark (ms) of each side for an eviction watermark, when the condition bounds it. */
  readonly leftStateWatermark: (watermarkMs: number) => number | undefined;
  readonly rightStateWatermark: (watermarkMs: number) => number | undefined;
}

type JoinNode = Extract<Analyzed, { kind: 'join' }>;

export interface BindSettings {
  readonly timeZone: string;
  readonly currentTimestampMicros?: bigint;
}

export function streamJoinCondition(node: JoinNode, settings: BindSettings): StreamJoinCondition {
  const l = node.left.schema;
  const r = node.right.schema;
  const leftKeys: TypedExpr[] = [];
  const rightKeys: TypedExpr[] = [];
  const leftOnly: TypedExpr[] = [];
  const rightOnly: TypedExpr[] = [];
  const both: TypedExpr[] = [];
  for (const u of node.usingColumns) {
    leftKeys.push(columnOf(u, l));
    rightKeys.push(columnOf(u, r));
  }
  for (const c of conjuncts(node.condition)) {
    const bound = bindCondition(c, [{ schema: l }, { schema: r }], settings);
    if (bound.kind === 'comparison' && bound.op === '=' && typeText(bound.left.type) === typeText(bound.right.type)) {
      const a = relationsOf(bound.left);
      const b = relationsOf(bound.right);
      const only = (s: Set<number>, i: number) => s.size === 1 && s.has(i);
      if (only(a, 0) && only(b, 1)) {
        leftKeys.push(rebase(bound.left));
        rightKeys.push(rebase(bound.right));
        continue;
      }
      if (only(a, 1) && only(b, 0)) {
        leftKeys.push(rebase(bound.right));
        rightKeys.push(rebase(bound.left));
        continue;
      }
    }
    const rels = relationsOf(bound);
    if (rels.size === 1 && rels.has(0)) leftOnly.push(rebase(bound));
    else if (rels.size === 1 && rels.has(1)) rightOnly.push(rebase(bound));
    else both.push(bound);
  }
  const leftTimes = eventTimeColumns(node.left);
  const rightTimes = eventTimeColumns(node.right);
  const keyTime = (keys: readonly TypedExpr[], times: ReadonlyMap<string, number>) => keys.findIndex((k) => k.kind === 'column' && k.path.length === 1 && times.has(k.path[0]!));
  const lk = keyTime(leftKeys, leftTimes);
  const rk = keyTime(rightKeys, rightTimes);
  const watermarkKey = lk >= 0 ? lk : rk >= 0 ? rk : undefined;
  const leftNames = new Set(l.fields.map((f) => f.name.toLowerCase()));
  const rightNames = new Set(r.fields.map((f) => f.name.toLowerCase()));
  const lower = (m: ReadonlyMap<string, number>) => new Set([...m.keys()].map((k) => k.toLowerCase()));
  return {
    leftKeys,
    rightKeys,
    keyTypes: leftKeys.map((k) => k.type as DataType),
    leftOnly: andOf(leftOnly),
    rightOnly: andOf(rightOnly),
    both: andOf(both),
    watermarkKey,
    leftEventTime: eventTimeIndex(l, leftTimes),
    rightEventTime: eventTimeIndex(r, rightTimes),
    leftStateWatermark: (wm) => stateValueWatermark(node.condition, leftNames, rightNames, lower(rightTimes), wm),
    rightStateWatermark: (wm) => stateValueWatermark(node.condition, rightNames, leftNames, lower(leftTimes), wm),
  };
}

/** Whether the condition has an equality between the two sides (or `using` columns). */
export function hasEquiJoinKey(node: JoinNode, settings: BindSettings): boolean {
  return streamJoinCondition(node, settings).leftKeys.length > 0;
}

/** Spark's isWatermarkInJoinKeys: an equi-join key is an event-time column of its side. */
export function isWatermarkInJoinKeys(node: JoinNode, settings: BindSettings): boolean {
  return streamJoinCondition(node, settings).watermarkKey !== undefined;
}

/** Spark's getStateValueWatermark for `side` ('left' or 'right') given some watermark; undefined when the condition does not bound it. */
export function sideStateWatermark(node: JoinNode, side: 'left' | 'right', watermarkMs: number): number | undefined {
  const names = (s: StructType) => new Set(s.fields.map((f) => f.name.toLowerCase()));
  const [self, other] = side === 'left' ? [node.left, node.right] : [node.right, node.left];
  const times = new Set([...eventTimeColumns(other).keys()].map((k) => k.toLowerCase()));
  return stateValueWatermark(node.condition, names(self.schema), names(other.schema), times, watermarkMs);
}

function eventTimeIndex(schema: StructType, times: ReadonlyMap<string, number>): number | undefined {
  const i = schema.fields.findIndex((f) => times.has(f.name));
  return i < 0 ? undefined : i;
}

function columnOf(name: string, schema: StructType): TypedExpr {
  const field = schema.fields.find((f) => f.name.toLowerCase() === name.toLowerCase())!;
  return { kind: 'column', type: field.type, relation: 0, path: [field.name], physicalPath: [field.name], partition: false, nullable: field.nullable };
}

function conjuncts(e: Expr | undefined): Expr[] {
  if (e === undefined) return [];
  if (e.kind === 'and') return e.args.flatMap(conjuncts);
  return [e];
}

function andOf(parts: readonly TypedExpr[]): TypedExpr | undefined {
  if (parts.length === 0) return undefined;
  if (parts.length === 1) return parts[0];
  return { kind: 'and', type: { kind: 'primitive', name: 'boolean' }, args: parts };
}

function relationsOf(e: TypedExpr, out = new Set<number>()): Set<number> {
  if (e.kind === 'column') out.add(e.relation);
  for (const c of typedChildren(e)) relationsOf(c, out);
  return out;
}

/** The expression with every column bound to relation 0 (to evaluate it over one side's rows). */
function rebase(e: TypedExpr): TypedExpr {
  switch (e.kind) {
    case 'literal':
      return e;
    case 'column':
      return { ...e, relation: 0 };
    case 'comparison':
      return { ...e, left: rebase(e.left), right: rebase(e.right) };
    case 'and':
    case 'or':
    case 'call':
      return { ...e, args: e.args.map(rebase) } as TypedExpr;
    case 'not':
    case 'isNull':
    case 'cast':
    case 'field':
      return { ...e, arg: rebase(e.arg) } as TypedExpr;
    case 'in':
      return { ...e, arg: rebase(e.arg), list: e.list.map(rebase) };
    case 'case':
      return { ...e, branches: e.branches.map((b) => ({ when: rebase(b.when), then: rebase(b.then) })), otherwise: rebase(e.otherwise) };
  }
}

// ---- state value watermark (StreamingJoinHelper.getStateValueWatermark) ------------------------

type Term = { readonly kind: 'self'; readonly negated: boolean } | { readonly kind: 'other'; readonly watermarked: boolean; readonly negated: boolean } | { readonly kind: 'micros'; readonly value: number };

function stateValueWatermark(condition: Expr | undefined, self: ReadonlySet<string>, other: ReadonlySet<string>, otherWatermarked: ReadonlySet<string>, watermarkMs: number): number | undefined {
  if (condition === undefined || otherWatermarked.size === 0) return undefined;
  let out: number | undefined;
  for (const c of conjuncts(condition)) {
    if (c.kind !== 'comparison') continue;
    let w: number | undefined;
    if (c.op === '<') w = solveLessThan(c.left, c.right, self, other, otherWatermarked, watermarkMs);
    else if (c.op === '<=') w = minusOne(solveLessThan(c.left, c.right, self, other, otherWatermarked, watermarkMs));
    else if (c.op === '>') w = solveLessThan(c.right, c.left, self, other, otherWatermarked, watermarkMs);
    else if (c.op === '>=') w = minusOne(solveLessThan(c.right, c.left, self, other, otherWatermarked, watermarkMs));
    if (w !== undefined) out = out === undefined ? w : Math.min(out, w);
  }
  return out;
}

const minusOne = (w: number | undefined) => (w === undefined ? undefined : w - 1);

/** `left < right` solved for this side's time: the value it must exceed (ms), or undefined. */
function solveLessThan(left: Expr, right: Expr, self: ReadonlySet<string>, other: ReadonlySet<string>, otherWatermarked: ReadonlySet<string>, watermarkMs: number): number | undefined {
  const selfAttrs = new Set<string>();
  const otherAttrs = new Set<string>();
  const terms: Term[] = [];
  let invalid = false;
  const collect = (e: Expr, negate: boolean): void => {
    switch (e.kind) {
      case 'arith':
        if (e.op === '+' || e.op === '-') {
          collect(e.left, negate);
          collect(e.right, e.op === '-' ? !negate : negate);
          return;
        }
        invalid = true;
        return;
      case 'negate':
        collect(e.arg, !negate);
        return;
      case 'cast':
        if (e.to.kind === 'decimal' || (e.to.kind === 'primitive' && ['byte', 'short', 'integer', 'long', 'float', 'double', 'timestamp'].includes(e.to.name))) collect(e.arg, negate);
        else invalid = true;
        return;
      case 'column': {
        const name = e.path.length === 1 ? e.path[0]!.toLowerCase() : undefined;
        if (name !== undefined && self.has(name) && !other.has(name)) {
          selfAttrs.add(name);
          terms.push({ kind: 'self', negated: negate });
        } else if (name !== undefined && other.has(name) && !self.has(name)) {
          otherAttrs.add(name);
          terms.push({ kind: 'other', watermarked: otherWatermarked.has(name), negated: negate });
        } else invalid = true;
        return;
      }
      case 'literal': {
        const v = e.value;
        let micros: number | undefined;
        if (typeof v === 'bigint' || typeof v === 'number') micros = Number(v) * 1e6;
        else if (v !== null && typeof v === 'object' && 'type' in v && v.type === 'interval') micros = v.months !== 0 ? undefined : v.days * 86_400e6 + Number(v.micros);
        else if (v !== null && typeof v === 'object' && 'type' in v && v.type === 'decimal') micros = Number(v.text) * 1e6;
        if (micros === undefined) invalid = true;
        else terms.push({ kind: 'micros', value: negate ? -micros : micros });
        return;
      }
      default:
        invalid = true;
    }
  };
  collect(left, false);
  collect(right, true);
  if (invalid || selfAttrs.size > 1 || otherAttrs.size > 1) return undefined;
  const selfTerms = terms.filter((t) => t.kind === 'self');
  // The solved form is `rest < -(-selfTime)`: exactly one self term, negated.
  if (selfTerms.length !== 1 || !(selfTerms[0] as { negated: boolean }).negated) return undefined;
  let sum = 0;
  for (const t of terms) {
    if (t.kind === 'self') continue;
    if (t.kind === 'other') {
      if (!t.watermarked) return undefined;
      sum += (t.negated ? -1 : 1) * watermarkMs * 1000;
    } else sum += t.value;
  }
  if (!Number.isFinite(sum)) return undefined;
  return Math.trunc(sum / 1000);
}
