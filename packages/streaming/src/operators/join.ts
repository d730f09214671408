/**
 * Joins where the right side is read whole for each execution (a static DataFrame, re-read per
 * micro-batch as Spark re-reads a Delta table on the static side of a stream-static join).
 * Equality conjuncts between a left and a right column (and `using` columns) drive a hash join;
 * the whole condition is then checked on the candidate pairs, so any condition is exact.
 * Supported: inner, left_outer, right_outer, full_outer, left_semi, left_anti, cross. Right and
 * full outer joins remember which right rows matched and, after the last left batch, emit the
 * unmatched ones with null left columns (a `using` column takes the right row's value, so it is
 * Spark's coalesce of both sides); in a stream-static join the left is the stream, so the
 * planner refuses them there (plan/unsupported.ts).
 */
import { DeltaError, deltaToArrowSchema, struct, type StructType } from '@deltakit/core';
import { bindCondition, compileExpression, compilePredicate, concatBatches, rowsToBatch, takeRows, type TypedExpr } from '@deltakit/core/internal';
import { Data, RecordBatch, Struct } from 'apache-arrow';
import { visibleSchema, type Analyzed } from '../plan/analyze.js';
import type { ExecContext } from './context.js';

type JoinNode = Extract<Analyzed, { kind: 'join' }>;
type Exec = (node: Analyzed, ctx: ExecContext) => AsyncIterable<RecordBatch>;

const SUPPORTED = new Set(['inner', 'left_outer', 'right_outer', 'full_outer', 'left_semi', 'left_anti', 'cross']);

export async function* join(node: JoinNode, ctx: ExecContext, exec: Exec): AsyncGenerator<RecordBatch> {
  if (!SUPPORTED.has(node.how)) {
    throw new DeltaError('UNSUPPORTED_OPERATION', `A ${node.how} join is not supported yet; use inner, left_outer, right_outer, full_outer, left_semi, left_anti or cross.`, { details: { operator: 'Join', how: node.how } });
  }
  const leftSchema = visibleSchema(node.left);
  const rightSchema = visibleSchema(node.right);
  const nullable = struct(rightSchema.fields.map((f) => ({ ...f, nullable: true })));
  const rightArrow = deltaToArrowSchema(nullable);
  const rightBatches: RecordBatch[] = [];
  for await (const b of exec(node.right, ctx)) rightBatches.push(new RecordBatch(rightArrow, b.data.clone(new Struct(rightArrow.fields))));
  const rightRows = rightBatches.reduce((n, b) => n + b.numRows, 0);
  // One all-null row after the data: the partner of unmatched left rows in an outer join.
  const right = concatBatches(rightArrow, [...rightBatches, rowsToBatch([{}], nullable, rightArrow)]);
  const bindOptions = { timeZone: ctx.timeZone, currentTimestampMicros: ctx.nowMicros };
  const condition = node.condition === undefined ? undefined : bindCondition(node.condition, [{ schema: leftSchema }, { schema: rightSchema }], bindOptions);
  const keys = equiKeys(node, condition, leftSchema, rightSchema);
  const compileOptions = { timeZone: ctx.timeZone, nowMicros: ctx.nowMicros };
  const leftKeys = keys.map((k) => compileExpression(k.left, compileOptions));
  const rightKeys = keys.map((k) => compileExpression(k.right, compileOptions));
  const predicate = condition === undefined ? undefined : compilePredicate(condition, compileOptions);
  const table = buildTable(right, rightRows, rightKeys);
  const outSchema = deltaToArrowSchema(node.schema);
  const keepRight = rightSchema.fields.map((f, i) => (node.usingColumns.some((u) => u.toLowerCase() === f.name.toLowerCase()) ? -1 : i)).filter((i) => i >= 0);
  const matchedRight = node.how === 'right_outer' || node.how === 'full_outer' ? new Uint8Array(rightRows) : undefined;

  for await (const batch of exec(node.left, ctx)) {
    if (batch.numRows === 0) continue;
    const lk = leftKeys.map((c) => c.evaluate(batch));
    const li: number[] = [];
    const ri: number[] = [];
    for (let r = 0; r < batch.numRows; r++) {
      const key = keys.length === 0 ? undefined : keyOf(lk, r);
      const candidates = keys.length === 0 ? table.all : key === undefined ? undefined : table.map.get(key);
      if (candidates !== undefined) {
        for (const c of candidates) {
          li.push(r);
          ri.push(c);
        }
      }
    }
    let lTaken = takeRows(batch, Int32Array.from(li));
    let rTaken = takeRows(right, Int32Array.from(ri));
    if (predicate !== undefined && li.length > 0) {
      const mask = predicate.mask([lTaken, rTaken]);
      const kl: number[] = [];
      const kr: number[] = [];
      for (let i = 0; i < mask.length; i++) {
        if (!mask[i]) continue;
        kl.push(li[i]!);
        kr.push(ri[i]!);
      }
      li.length = 0;
      ri.length = 0;
      li.push(...kl);
      ri.push(...kr);
      lTaken = takeRows(batch, Int32Array.from(li));
      rTaken = takeRows(right, Int32Array.from(ri));
    }
    if (node.how === 'left_semi' || node.how === 'left_anti') {
      const matched = new Uint8Array(batch.numRows);
      for (const r of li) matched[r] = 1;
      const keep: number[] = [];
      for (let r = 0; r < batch.numRows; r++) if ((matched[r] === 1) === (node.how === 'left_semi')) keep.push(r);
      if (keep.length > 0) yield relabel(takeRows(batch, Int32Array.from(keep)), outSchema, []);
      continue;
    }
    if (matchedRight !== undefined) for (const r of ri) matchedRight[r] = 1;
    if (node.how === 'left_outer' || node.how === 'full_outer') {
      const matched = new Uint8Array(batch.numRows);
      for (const r of li) matched[r] = 1;
      const ol: number[] = [];
      const or: number[] = [];
      for (let i = 0, r = 0; r < batch.numRows; r++) {
        while (i < li.length && li[i] === r) {
          ol.push(r);
          or.push(ri[i]!);
          i++;
        }
        if (!matched[r]) {
          ol.push(r);
          or.push(rightRows);
        }
      }
      lTaken = takeRows(batch, Int32Array.from(ol));
      rTaken = takeRows(right, Int32Array.from(or));
    }
    if (lTaken.numRows > 0) yield relabel(lTaken, outSchema, keepRight.map((i) => rTaken.data.children[i]!));
  }
  if (matchedRight !== undefined) {
    const unmatched: number[] = [];
    for (let r = 0; r < rightRows; r++) if (matchedRight[r] === 0) unmatched.push(r);
    if (unmatched.length > 0) yield unmatchedRight(node, leftSchema, rightSchema, takeRows(right, Int32Array.from(unmatched)), outSchema, keepRight);
  }
}

/** Right rows without a partner: null left columns, except `using` columns, which take the right's value. */
function unmatchedRight(node: JoinNode, leftSchema: StructType, rightSchema: StructType, rows: RecordBatch, schema: ReturnType<typeof deltaToArrowSchema>, keepRight: readonly number[]): RecordBatch {
  const nullableLeft = struct(leftSchema.fields.map((f) => ({ ...f, nullable: true })));
  const leftArrow = deltaToArrowSchema(nullableLeft);
  const nulls = takeRows(rowsToBatch([{}], nullableLeft, leftArrow), new Int32Array(rows.numRows));
  const leftChildren = leftSchema.fields.map((f, i) => {
    const u = node.usingColumns.findIndex((c) => c.toLowerCase() === f.name.toLowerCase());
    if (u < 0) return nulls.data.children[i]!;
    const ri = rightSchema.fields.findIndex((x) => x.name.toLowerCase() === f.name.toLowerCase());
    return rows.data.children[ri]!.clone(leftArrow.fields[i]!.type);
  });
  const children = [...leftChildren, ...keepRight.map((i) => rows.data.children[i]!)];
  return new RecordBatch(schema, new Data(new Struct(schema.fields), 0, rows.numRows, 0, undefined, children) as Data<Struct>);
}

function relabel(left: RecordBatch, schema: ReturnType<typeof deltaToArrowSchema>, rightChildren: readonly Data[]): RecordBatch {
  const children = [...left.data.children, ...rightChildren];
  return new RecordBatch(schema, new Data(new Struct(schema.fields), 0, left.numRows, 0, undefined, children) as Data<Struct>);
}

interface KeyPair {
  readonly left: TypedExpr;
  readonly right: TypedExpr;
}

/** `using` columns and `l = r` conjuncts of the condition, each side bound to its own relation. */
function equiKeys(node: JoinNode, condition: TypedExpr | undefined, l: StructType, r: StructType): KeyPair[] {
  const out: KeyPair[] = [];
  for (const u of node.usingColumns) {
    out.push({ left: bindCondition0(u, l), right: bindCondition0(u, r) });
  }
  const conjuncts = condition === undefined ? [] : condition.kind === 'and' ? condition.args : [condition];
  for (const c of conjuncts) {
    if (c.kind !== 'comparison' || c.op !== '=' || c.left.kind !== 'column' || c.right.kind !== 'column') continue;
    if (c.left.relation === c.right.relation) continue;
    const [a, b] = c.left.relation === 0 ? [c.left, c.right] : [c.right, c.left];
    if (a.type.kind !== b.type.kind || JSON.stringify(a.type) !== JSON.stringify(b.type)) continue;
    out.push({ left: { ...a, relation: 0 }, right: { ...b, relation: 0 } });
  }
  return out;
}

function bindCondition0(name: string, schema: StructType): TypedExpr {
  const field = schema.fields.find((f) => f.name.toLowerCase() === name.toLowerCase())!;
  return { kind: 'column', type: field.type, relation: 0, path: [field.name], physicalPath: [field.name], partition: false, nullable: field.nullable };
}

interface HashTable {
  readonly map: Map<string, number[]>;
  readonly all: number[];
}

function buildTable(right: RecordBatch, rows: number, keys: readonly ReturnType<typeof compileExpression>[]): HashTable {
  const map = new Map<string, number[]>();
  const all = Array.from({ length: rows }, (_, i) => i);
  if (keys.length === 0) return { map, all };
  const vecs = keys.map((k) => k.evaluate(right));
  for (let r = 0; r < rows; r++) {
    const key = keyOf(vecs, r);
    if (key === undefined) continue;
    const list = map.get(key);
    if (list === undefined) map.set(key, [r]);
    else list.push(r);
  }
  return { map, all };
}

/** A hash key for row `r`, or undefined when a key is null (SQL equality never matches null). */
function keyOf(vecs: readonly { get(i: number): unknown }[], r: number): string | undefined {
  let key = '';
  for (const v of vecs) {
    const x = v.get(r);
    if (x === null || x === undefined) return undefined;
    key += (typeof x === 'bigint' ? `${x}n` : typeof x === 'object' ? JSON.stringify(x, (_k, y) => (typeof y === 'bigint' ? `${y}n` : y)) : JSON.stringify(x)) + '\u0000';
  }
  return key;
}
