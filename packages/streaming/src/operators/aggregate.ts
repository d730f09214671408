/**
 * Hash aggregation (`groupBy(keys).agg(...)`) over record batches: keys and aggregate arguments
 * are bound and compiled once per execution and evaluated per batch as vectors; rows get dense
 * group ids from a {@link GroupTable}; each aggregate's {@link Accumulator} folds the batch's
 * vectors by group id. A `window(...)` key runs one pass per overlapping window (Spark's Expand).
 * Output: one row per group (first-seen order), keys then aggregates, in batches of at most
 * 65,536 rows; a global aggregate (no keys) gives one row even for empty input (count 0, others
 * null), a grouped one gives none.
 */
import { deltaToArrowSchema, type DataType } from '@deltakit/core';
import { bindExpression, compileExpression, vecToArrow, type Vec } from '@deltakit/core/internal';
import { Data, RecordBatch, Struct } from 'apache-arrow';
import type { Analyzed } from '../plan/analyze.js';
import type { Accumulator } from './aggregates/accumulator.js';
import { GroupTable } from './aggregates/grouping.js';
import { createAccumulator } from './aggregates/registry.js';
import type { ExecContext } from './context.js';
import { windowPasses, windowStructs } from './window-time.js';

type AggregateNode = Extract<Analyzed, { kind: 'aggregate' }>;

const DOUBLE: DataType = { kind: 'primitive', name: 'double' };
export const OUTPUT_BATCH_ROWS = 65_536;

/** The compiled state of one aggregation: feed it batches, then read its groups. */
export class HashAggregation {
  readonly table: GroupTable;
  readonly accumulators: Accumulator[];
  readonly #keys: ReturnType<typeof compileExpression>[];
  readonly #args: ReturnType<typeof compileExpression>[][];
  #groups = new Int32Array(0);
  /**
   * Called after each grouping pass with every row's group id (-1 for rows a sliding window pass
   * leaves out); the streaming aggregation uses it to find the input rows of late groups.
   */
  observe: ((batch: RecordBatch, groups: Int32Array, rows: number) => void) | undefined;

  constructor(readonly node: AggregateNode, ctx: Pick<ExecContext, 'timeZone' | 'nowMicros'>) {
    const bindOptions = { timeZone: ctx.timeZone, currentTimestampMicros: ctx.nowMicros };
    const compileOptions = { timeZone: ctx.timeZone, nowMicros: ctx.nowMicros };
    const compile = (e: Parameters<typeof bindExpression>[0]) => compileExpression(bindExpression(e, node.child.schema, bindOptions), compileOptions);
    this.#keys = node.keys.map((k) => compile(k.expr));
    this.#args = node.aggregates.map((a) => a.args.map(compile));
    this.table = new GroupTable(node.keys.map((k) => (k.window ? DOUBLE : k.type)));
    this.accumulators = node.aggregates.map((a) => createAccumulator(a.spec));
  }

  update(batch: RecordBatch): void {
    const n = batch.numRows;
    if (n === 0) return;
    if (this.#groups.length < n) this.#groups = new Int32Array(n);
    const groups = this.#groups;
    const keys = this.#keys.map((c) => c.evaluate(batch));
    const args = this.#args.map((list) => list.map((c) => c.evaluate(batch)));
    const w = this.node.keys.findIndex((k) => k.window !== undefined);
    const passes: { keys: Vec[]; mask: Uint8Array | null }[] =
      w < 0 ? [{ keys, mask: null }] : windowPasses(this.node.keys[w]!.window!, keys[w]!, n).map((p) => ({ keys: keys.map((k, i) => (i === w ? p.starts : k)), mask: p.mask }));
    for (const pass of passes) {
      this.table.assign(pass.keys, n, pass.mask, groups);
      this.observe?.(batch, groups, n);
      for (let i = 0; i < this.accumulators.length; i++) {
        const acc = this.accumulators[i]!;
        acc.grow(this.table.size);
        acc.update(groups, args[i]!, n);
      }
    }
  }

  /** Every group's keys and final aggregates, as batches of the node's schema. */
  *output(): Generator<RecordBatch> {
    if (this.node.keys.length === 0) this.table.assign([], 0, null, this.#groups);
    const n = this.table.size;
    const schema = deltaToArrowSchema(this.node.schema);
    const keyVecs = this.table.keyVecs().map((v, i) => {
      const k = this.node.keys[i]!;
      return k.window ? windowStructs(k.window, k.type, v) : v;
    });
    const values = this.accumulators.map((a) => {
      a.grow(n);
      return a.finish(n);
    });
    const children = [...keyVecs, ...values].map((v, i) => vecToArrow(v, schema.fields[i]!.type));
    const all = new RecordBatch(schema, new Data(new Struct(schema.fields), 0, n, 0, undefined, children) as Data<Struct>);
    for (let start = 0; start < n; start += OUTPUT_BATCH_ROWS) yield start === 0 && n <= OUTPUT_BATCH_ROWS ? all : all.slice(start, Math.min(n, start + OUTPUT_BATCH_ROWS));
  }
}

export async function* aggregate(node: AggregateNode, input: AsyncIterable<RecordBatch>, ctx: ExecContext): AsyncGenerator<RecordBatch> {
  const agg = new HashAggregation(node, ctx);
  for await (const batch of input) agg.update(batch);
  yield* agg.output();
}
