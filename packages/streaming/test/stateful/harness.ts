/**
 * A small StreamTest for stateful queries: start a query writing to foreachBatch, add data,
 * process all available, and look at the NEW output rows and the stateOperators metrics since
 * the last step (Spark's StateStoreMetricsTest: total from the last progress; updated, removed
 * and dropped summed over the progresses since the last check). `restart()` stops the query and
 * starts the same one on the same checkpoint.
 */
import type { DataFrame, DataStreamWriter, Row, StreamingQuery } from '../../src/index.js';

export interface StepResult {
  /** Rows of the batches run since the previous step, normalized (bigint → number) and sorted. */
  readonly rows: unknown[];
  /** The last batch's rows (complete mode's whole result). */
  readonly last: unknown[];
  readonly total: number[];
  readonly updated: number[];
  readonly removed: number[];
  readonly dropped: number[];
  /** Batches run since the previous step, and which of them had no input rows. */
  readonly batchIds: number[];
  readonly noDataBatches: number[];
  /** A custom metric of each operator, summed over the batches since the previous step. */
  custom(name: string): number[];
}

export interface RunSpec {
  readonly mode: 'append' | 'update' | 'complete';
  readonly checkpoint: string;
  readonly options?: Readonly<Record<string, string | number>>;
  /** Maps an output row to what tests compare (default: the row with bigints as numbers). */
  readonly map?: (r: Row) => unknown;
  readonly writer?: (w: DataStreamWriter) => DataStreamWriter;
}

export class StatefulRun {
  readonly batches = new Map<number, Row[]>();
  /** Every call of the sink: batch ids in call order (a re-run batch appears twice). */
  readonly calls: number[] = [];
  #q: StreamingQuery | undefined;
  #lastBatch = -1;
  #checked = 0;

  constructor(
    readonly df: DataFrame,
    readonly spec: RunSpec,
  ) {}

  get query(): StreamingQuery {
    return this.#q!;
  }

  async start(): Promise<this> {
    let w = this.df.writeStream.outputMode(this.spec.mode).option('checkpointLocation', this.spec.checkpoint);
    for (const [k, v] of Object.entries(this.spec.options ?? {})) w = w.option(k, v);
    if (this.spec.writer) w = this.spec.writer(w);
    w = w.foreachBatch(async (b, id) => {
      this.calls.push(id);
      this.batches.set(id, await b.collect());
    });
    this.#q = await w.start();
    this.#checked = 0;
    return this;
  }

  async step(add?: () => void): Promise<StepResult> {
    add?.();
    const q = this.#q!;
    await q.processAllAvailable();
    const ids = [...this.batches.keys()].filter((id) => id > this.#lastBatch).sort((a, b) => a - b);
    const map = this.spec.map ?? plain;
    const rows = sortRows(ids.flatMap((id) => this.batches.get(id)!.map(map)));
    const last = sortRows((ids.length > 0 ? this.batches.get(ids.at(-1)!)! : []).map(map));
    if (ids.length > 0) this.#lastBatch = ids.at(-1)!;
    const progress = q.recentProgress.slice(this.#checked);
    this.#checked = q.recentProgress.length;
    const ops = q.recentProgress.at(-1)?.stateOperators ?? [];
    const sum = (f: (o: (typeof ops)[number]) => number) => ops.map((_, i) => progress.reduce((n, p) => n + f(p.stateOperators[i]!), 0));
    return {
      rows,
      last,
      total: ops.map((o) => o.numRowsTotal),
      updated: sum((o) => o.numRowsUpdated),
      removed: sum((o) => o.numRowsRemoved),
      dropped: sum((o) => o.numRowsDroppedByWatermark),
      batchIds: progress.map((p) => p.batchId),
      noDataBatches: progress.filter((p) => p.numInputRows === 0).map((p) => p.batchId),
      custom: (name) => sum((o) => o.customMetrics[name] ?? 0),
    };
  }

  async restart(): Promise<void> {
    await this.#q!.stop();
    await this.start();
  }

  async stop(): Promise<void> {
    await this.#q?.stop();
  }
}

/** A row with bigints as numbers and nested objects kept. */
export function plain(r: unknown): unknown {
  if (typeof r === 'bigint') return Number(r);
  if (Array.isArray(r)) return r.map(plain);
  if (r !== null && typeof r === 'object' && !(r instanceof Uint8Array) && !(r instanceof Map)) return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, plain(v)]));
  return r;
}

export function sortRows<T>(rows: T[]): T[] {
  return rows.map((r) => [JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)), r] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, r]) => r);
}

/** `[...values]` as rows of a single `value` column. */
export const values = (...vs: number[]) => vs.map((value) => ({ value }));
export const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
/** Seconds since the epoch as the ISO text timestamps come back as. */
export const ts = (s: number) => new Date(s * 1000).toISOString().replace('Z', '000Z');
