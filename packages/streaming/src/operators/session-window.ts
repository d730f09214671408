/**
 * Session windows (`groupBy(sessionWindow(time, gap), keys...).agg(...)`), as Spark's
 * SessionWindowing rule and MergingSessionsExec:
 * - each row opens the session `[time, time + gap)`; the gap is a constant or read per row from a
 *   duration text; a row with a null time, or a gap that is null, not a duration or not positive,
 *   is in no session (Spark's filter `end > start`); a date or string time is cast to timestamp;
 * - rows are sorted by the other keys' group and the session start; a row whose start is at or
 *   before the current session's end (`start <= end`: touching sessions merge) extends it to the
 *   larger end, otherwise it opens the next session;
 * - the aggregates fold the rows of each merged session in that order (so `first` is the earliest
 *   row), and the key `session_window` is `struct<start, end>` of the merged session, typed as the
 *   time column (timestamp, or timestamp_ntz).
 * Output (batch): one row per merged session, in the node's key order then aggregates, sessions
 * ordered by group (first-seen) and start. A batch plan without other keys merges all rows.
 * Times are carried as doubles of µs (exact below 2^53 µs, as window-time.ts).
 *
 * The streaming operator (session-window-streaming.ts) shares {@link SessionWindowing}.
 */
import { deltaToArrowSchema, type DataType } from '@deltakit/core';
import { bindExpression, compileExpression, concatBatches, takeRows, Vec, vecToArrow, gatherVec } from '@deltakit/core/internal';
import { Data, RecordBatch, Struct } from 'apache-arrow';
import type { Analyzed } from '../plan/analyze.js';
import type { GroupKey, SessionSpec } from '../plan/aggregate-analysis.js';
import { parseGapMicros } from '../plan/aggregate-analysis.js';
import { OUTPUT_BATCH_ROWS } from './aggregate.js';
import { GroupTable } from './aggregates/grouping.js';
import { createAccumulator } from './aggregates/registry.js';
import type { ExecContext } from './context.js';

type AggregateNode = Extract<Analyzed, { kind: 'aggregate' }>;
type Compiled = ReturnType<typeof compileExpression>;

/** The rows of one execution that are in a session: sorted by (group, start), with each row's group, start and end. */
export interface SessionRows {
  readonly length: number;
  /** The rows, sorted (undefined when none). */
  readonly batch: RecordBatch | undefined;
  /** Group id of the other keys (dense ids of {@link SessionWindowing.table}). */
  readonly groups: Int32Array;
  readonly starts: Float64Array;
  readonly ends: Float64Array;
}

/** A run of sorted rows that merged into one session (within one execution's rows). */
export interface SessionRun {
  readonly group: number;
  readonly start: number;
  end: number;
}

/** Binds a session-window aggregate once per execution: the other keys, the time, the gap and the aggregate arguments. */
export class SessionWindowing {
  /** Position of the session key in the node's keys. */
  readonly sessionIndex: number;
  readonly session: SessionSpec;
  /** The keys other than the session, in node order. */
  readonly otherKeys: readonly GroupKey[];
  /** Groups of the other keys' values (first-seen order). */
  readonly table: GroupTable;
  readonly #time: Compiled;
  readonly #gap: Compiled | undefined;
  readonly #keys: Compiled[];
  readonly #args: Compiled[][];
  readonly #gapCache = new Map<string, number | null>();

  constructor(readonly node: AggregateNode, ctx: Pick<ExecContext, 'timeZone' | 'nowMicros'>) {
    const bindOptions = { timeZone: ctx.timeZone, currentTimestampMicros: ctx.nowMicros };
    const compileOptions = { timeZone: ctx.timeZone, nowMicros: ctx.nowMicros };
    const compile = (e: Parameters<typeof bindExpression>[0]) => compileExpression(bindExpression(e, node.child.schema, bindOptions), compileOptions);
    this.sessionIndex = node.keys.findIndex((k) => k.session !== undefined);
    const key = node.keys[this.sessionIndex]!;
    this.session = key.session!;
    this.otherKeys = node.keys.filter((_, i) => i !== this.sessionIndex);
    this.table = new GroupTable(this.otherKeys.map((k) => k.type));
    this.#time = compile(key.expr);
    this.#gap = this.session.gapExpr === undefined ? undefined : compile(this.session.gapExpr);
    this.#keys = this.otherKeys.map((k) => compile(k.expr));
    this.#args = node.aggregates.map((a) => a.args.map(compile));
  }

  /**
   * Reads every input batch and keeps the rows that are in a session, sorted by (group, start);
   * `isLate(end)` drops (and counts) rows whose own session `[time, time + gap)` ends too early.
   */
  async collect(input: AsyncIterable<RecordBatch>, isLate?: (end: number) => boolean): Promise<{ rows: SessionRows; late: number }> {
    const parts: RecordBatch[] = [];
    for await (const b of input) if (b.numRows > 0) parts.push(b);
    const empty = { rows: { length: 0, batch: undefined, groups: new Int32Array(0), starts: new Float64Array(0), ends: new Float64Array(0) }, late: 0 };
    if (parts.length === 0) return empty;
    const all = parts.length === 1 ? parts[0]! : concatBatches(parts[0]!.schema, parts);
    const n = all.numRows;
    const time = this.#time.evaluate(all);
    const tValid = time.valid();
    const t = time.i64();
    const gaps = this.#gaps(all, n);
    const starts = new Float64Array(n);
    const ends = new Float64Array(n);
    const mask = new Uint8Array(n);
    let late = 0;
    for (let r = 0; r < n; r++) {
      const gap = gaps[r]!;
      if ((tValid !== null && tValid[r] === 0) || !(gap > 0)) continue;
      const start = Number(t[r]!);
      const end = start + gap;
      if (isLate !== undefined && isLate(end)) {
        late++;
        continue;
      }
      starts[r] = start;
      ends[r] = end;
      mask[r] = 1;
    }
    const groups = new Int32Array(n);
    this.table.assign(this.#keys.map((c) => c.evaluate(all)), n, mask, groups);
    const order: number[] = [];
    for (let r = 0; r < n; r++) if (mask[r] === 1) order.push(r);
    if (order.length === 0) return { ...empty, late };
    // Stable: rows of one group and start keep their input order.
    order.sort((a, b) => groups[a]! - groups[b]! || starts[a]! - starts[b]! || a - b);
    const idx = Int32Array.from(order);
    const m = idx.length;
    const sorted = { length: m, batch: m === n && isIdentity(idx) ? all : takeRows(all, idx), groups: new Int32Array(m), starts: new Float64Array(m), ends: new Float64Array(m) };
    for (let i = 0; i < m; i++) {
      const r = idx[i]!;
      sorted.groups[i] = groups[r]!;
      sorted.starts[i] = starts[r]!;
      sorted.ends[i] = ends[r]!;
    }
    return { rows: sorted, late };
  }

  /** Each row's gap in µs (NaN when it has none). */
  #gaps(batch: RecordBatch, n: number): Float64Array {
    const out = new Float64Array(n);
    if (this.#gap === undefined) return out.fill(this.session.gapMicros!);
    const v = this.#gap.evaluate(batch);
    for (let r = 0; r < n; r++) {
      const text = v.get(r) as string | null;
      if (text === null) {
        out[r] = NaN;
        continue;
      }
      let gap = this.#gapCache.get(text);
      if (gap === undefined && !this.#gapCache.has(text)) {
        gap = parseGapMicros(text);
        if (this.#gapCache.size < 10_000) this.#gapCache.set(text, gap);
      }
      out[r] = gap ?? NaN;
    }
    return out;
  }

  /** The aggregate argument vectors over the sorted rows. */
  args(batch: RecordBatch): Vec[][] {
    return this.#args.map((list) => list.map((c) => c.evaluate(batch)));
  }
}

function isIdentity(idx: Int32Array): boolean {
  for (let i = 0; i < idx.length; i++) if (idx[i] !== i) return false;
  return true;
}

/** Merges sorted rows into sessions (`start <= end` of the current one merges); `runOf[i]` is row i's session. */
export function sessionRuns(rows: SessionRows): { runOf: Int32Array; runs: SessionRun[] } {
  const runOf = new Int32Array(rows.length);
  const runs: SessionRun[] = [];
  let cur: SessionRun | undefined;
  for (let i = 0; i < rows.length; i++) {
    const g = rows.groups[i]!;
    const s = rows.starts[i]!;
    const e = rows.ends[i]!;
    if (cur === undefined || cur.group !== g || s > cur.end) {
      cur = { group: g, start: s, end: e };
      runs.push(cur);
    } else if (e > cur.end) cur.end = e;
    runOf[i] = runs.length - 1;
  }
  return { runOf, runs };
}

/**
 * Output batches of a session aggregate: `others` are the other keys' columns, `starts`/`ends` the
 * sessions (µs), `values` the final aggregates; columns in the node's schema order.
 */
export function* sessionOutput(node: AggregateNode, sessionIndex: number, others: readonly Vec[], starts: ArrayLike<number>, ends: ArrayLike<number>, values: readonly Vec[]): Generator<RecordBatch> {
  const n = starts.length;
  if (n === 0) return;
  const key = node.keys[sessionIndex]!;
  const timeType: DataType = key.session!.timeType;
  const s = new BigInt64Array(n);
  const e = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    s[i] = BigInt(starts[i]!);
    e[i] = BigInt(ends[i]!);
  }
  const children = [Vec.of(timeType, { kind: 'i64', values: s }, null, n), Vec.of(timeType, { kind: 'i64', values: e }, null, n)];
  const session = Vec.of(key.type, { kind: 'struct', children, length: n }, null, n);
  const keys = [...others];
  keys.splice(sessionIndex, 0, session);
  const schema = deltaToArrowSchema(node.schema);
  const columns = [...keys, ...values].map((v, i) => vecToArrow(v, schema.fields[i]!.type));
  const all = new RecordBatch(schema, new Data(new Struct(schema.fields), 0, n, 0, undefined, columns) as Data<Struct>);
  for (let start = 0; start < n; start += OUTPUT_BATCH_ROWS) yield start === 0 && n <= OUTPUT_BATCH_ROWS ? all : all.slice(start, Math.min(n, start + OUTPUT_BATCH_ROWS));
}

/** Batch session-window aggregation. */
export async function* sessionAggregate(node: AggregateNode, input: AsyncIterable<RecordBatch>, ctx: ExecContext): AsyncGenerator<RecordBatch> {
  const w = new SessionWindowing(node, ctx);
  const { rows } = await w.collect(input);
  if (rows.length === 0) return;
  const { runOf, runs } = sessionRuns(rows);
  const args = w.args(rows.batch!);
  const values = node.aggregates.map((a, i) => {
    const acc = createAccumulator(a.spec);
    acc.grow(runs.length);
    acc.update(runOf, args[i]!, rows.length);
    return acc.finish(runs.length);
  });
  const groupOf = Int32Array.from(runs, (r) => r.group);
  const others = w.table.keyVecs().map((v) => gatherVec(v, groupOf));
  yield* sessionOutput(node, w.sessionIndex, others, runs.map((r) => r.start), runs.map((r) => r.end), values);
}
