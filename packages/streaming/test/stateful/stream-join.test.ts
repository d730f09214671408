/**
 * Stream-stream joins, restated from Spark's StreamingJoinSuite (StreamingInnerJoinSuite,
 * StreamingOuterJoinSuite, StreamingFullOuterJoinSuite, StreamingLeftSemiJoinSuite): add data,
 * process all available (no-data batches included), compare the new sink rows and the state
 * metrics summed over the batches since the previous check (Spark's assertNumStateRows).
 */
import { describe, expect, it } from 'vitest';
import { col, expr, memoryStream, window, type DataFrame, type MemoryStream, type StreamingQuery } from '../../src/index.js';
import { tempDir } from '../helpers.js';

type Cell = number | string | null;

/** One query under test: the sink's rows per batch (a batch seen again is skipped, as Spark's MemorySink). */
class JoinRun {
  readonly #chk = `${tempDir()}/chk`;
  #query: StreamingQuery | undefined;
  #rows: Cell[][] = [];
  #seen = new Set<number>();
  #fetched = 0;
  #progressMark = 0;

  constructor(private readonly df: DataFrame) {}

  async start(): Promise<this> {
    this.#query = await this.df.writeStream
      .outputMode('append')
      .option('checkpointLocation', this.#chk)
      .foreachBatch(async (batch, id) => {
        const rows = await batch.collect();
        if (this.#seen.has(Number(id))) return;
        this.#seen.add(Number(id));
        for (const r of rows) this.#rows.push(Object.values(r).map(cell));
      })
      .start();
    this.#progressMark = 0;
    return this;
  }

  /** Feeds sources back to back, then processes everything (Spark's MultiAddData + CheckNewAnswer). */
  async add(...feeds: (() => unknown)[]): Promise<void> {
    for (const f of feeds) await f();
    await this.#query!.processAllAvailable();
  }

  /** The rows since the previous call, sorted. */
  newRows(): Cell[][] {
    const out = this.#rows.slice(this.#fetched);
    this.#fetched = this.#rows.length;
    return sortRows(out);
  }

  /** numRowsTotal of the last progress; updated and dropped rows summed since the previous call. */
  metrics(): { total: number; updated: number; dropped: number; removed: number } {
    const all = this.#query!.recentProgress;
    const since = all.slice(this.#progressMark);
    this.#progressMark = all.length;
    const op = (p: (typeof all)[number]) => p.stateOperators[0]!;
    const sum = (f: (p: (typeof all)[number]) => number) => since.reduce((n, p) => n + f(p), 0);
    return {
      total: op(all[all.length - 1]!).numRowsTotal,
      updated: sum((p) => op(p).numRowsUpdated),
      dropped: sum((p) => op(p).numRowsDroppedByWatermark),
      removed: sum((p) => op(p).numRowsRemoved),
    };
  }

  operatorName(): string {
    return this.#query!.lastProgress!.stateOperators[0]!.operatorName;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
    await this.#query!.processAllAvailable();
  }

  async stop(): Promise<void> {
    await this.#query?.stop();
  }
}

function cell(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number' || typeof v === 'string') return v;
  return JSON.stringify(v);
}

function sortRows(rows: Cell[][]): Cell[][] {
  const key = (r: Cell[]) => JSON.stringify(r);
  return [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

const rows = (...r: Cell[][]) => sortRows(r);

/** Spark's setupStream: (key, <prefix>Time = timestamp_seconds(value), <prefix>Value = value * multiplier), watermarked 10 s. */
function setupStream(prefix: string, multiplier: number, watermark = true): { input: MemoryStream; df: DataFrame } {
  const input = memoryStream('value INT');
  let df = input.toDF().selectExpr('value AS key', `timestamp_seconds(value) AS ${prefix}Time`, `value * ${multiplier} AS ${prefix}Value`);
  if (watermark) df = df.withWatermark(`${prefix}Time`, '10 seconds');
  return { input, df };
}

/** Spark's setupWindowedJoin: both sides windowed by 10 s, joined USING (key, window). */
function setupWindowedJoin(how: string) {
  const l = setupStream('left', 2);
  const r = setupStream('right', 3);
  const left = l.df.select('key', window(col('leftTime'), '10 seconds'), 'leftValue');
  const right = r.df.select('key', window(col('rightTime'), '10 seconds'), 'rightValue');
  const joined = left.join(right, ['key', 'window'], how as never);
  const out = how === 'left_semi' ? joined.selectExpr('key', 'CAST(window.end AS LONG) AS end', 'leftValue') : joined.selectExpr('key', 'CAST(window.end AS LONG) AS end', 'leftValue', 'rightValue');
  return { left: l.input, right: r.input, df: out };
}

/** Spark's setupWindowedJoinWithLeftCondition / ...RightCondition (right value as string; keys and windows of both sides kept). */
function setupWindowedJoinWithCondition(how: string, condition: string) {
  const l = setupStream('left', 2);
  const r = setupStream('right', 3);
  const left = l.df.select('key', window(col('leftTime'), '10 seconds'), 'leftValue');
  const right = r.df.select(col('key').alias('rkey'), window(col('rightTime'), '10 seconds').alias('rwindow'), col('rightValue').cast('string').alias('rightValue'));
  const joined = left.join(right, expr(`key = rkey AND window = rwindow AND ${condition}`), how as never);
  const out =
    how === 'left_semi'
      ? joined.selectExpr('key', 'CAST(window.end AS LONG) AS end', 'leftValue')
      : joined.selectExpr('key', 'CAST(window.end AS LONG) AS end', 'leftValue', 'rkey', 'CAST(rwindow.end AS LONG) AS rend', 'rightValue');
  return { left: l.input, right: r.input, df: out };
}

/** Spark's setupJoinWithRangeCondition: leftTime BETWEEN rightTime - 5 s AND rightTime + 5 s, watermarks of 10 s. */
function setupJoinWithRangeCondition(how: string, watermark = '10 seconds', lower = 'INTERVAL 5 SECONDS', upper = 'INTERVAL 5 SECONDS') {
  const leftInput = memoryStream('leftKey INT, time INT');
  const rightInput = memoryStream('rightKey INT, time INT');
  const left = leftInput.toDF().selectExpr('leftKey', 'timestamp_seconds(time) AS leftTime', 'leftKey * 2 AS leftValue').withWatermark('leftTime', watermark);
  const right = rightInput.toDF().selectExpr('rightKey', 'timestamp_seconds(time) AS rightTime', 'rightKey * 3 AS rightValue').withWatermark('rightTime', watermark);
  const joined = left.join(right, expr(`leftKey = rightKey AND leftTime BETWEEN rightTime - ${lower} AND rightTime + ${upper}`), how as never);
  const df = how === 'left_semi' ? joined.selectExpr('leftKey', 'CAST(leftTime AS INT) AS lt') : joined.selectExpr('leftKey', 'rightKey', 'CAST(leftTime AS INT) AS lt', 'CAST(rightTime AS INT) AS rt');
  return { left: leftInput, right: rightInput, df };
}

const add = (s: MemoryStream, ...values: number[]) => () => s.addData(...values.map((value) => ({ value })));
const addPairs = (s: MemoryStream, names: [string, string], ...pairs: [number, number][]) => () => s.addData(...pairs.map(([a, b]) => ({ [names[0]]: a, [names[1]]: b })));

describe('stream-stream inner join', () => {
  it('joins on a non-time column, keeping every row in state across restarts', async () => {
    const input1 = memoryStream('value INT');
    const input2 = memoryStream('value INT');
    const df1 = input1.toDF().selectExpr('value AS key', 'value * 2 AS leftValue');
    const df2 = input2.toDF().selectExpr('value AS key', 'value * 3 AS rightValue');
    const run = await new JoinRun(df1.join(df2, 'key')).start();
    await run.add(add(input1, 1));
    expect(run.newRows()).toEqual([]);
    await run.add(add(input2, 1, 10));
    expect(run.newRows()).toEqual([[1, 2, 3]]);
    expect(run.operatorName()).toBe('symmetricHashJoin');
    await run.add(add(input1, 10));
    expect(run.newRows()).toEqual([[10, 20, 30]]);
    await run.add(add(input2, 1));
    expect(run.newRows()).toEqual([[1, 2, 3]]);
    await run.restart();
    await run.add(add(input1, 1));
    expect(run.newRows()).toEqual(rows([1, 2, 3], [1, 2, 3]));
    await run.restart();
    await run.add(add(input1, 100), add(input2, 100));
    expect(run.newRows()).toEqual([[100, 200, 300]]);
    expect(run.metrics()).toMatchObject({ total: 8, removed: 0 });
    await run.stop();
  });

  it('joins on windows without a watermark: state is never evicted', async () => {
    const l = setupStream('left', 2, false);
    const r = setupStream('right', 3, false);
    const left = l.df.select('key', window(col('leftTime'), '10 seconds'), 'leftValue');
    const right = r.df.select('key', window(col('rightTime'), '10 seconds'), 'rightValue');
    const run = await new JoinRun(left.join(right, ['key', 'window']).selectExpr('key', 'CAST(window.end AS LONG) AS end', 'leftValue', 'rightValue')).start();
    await run.add(add(l.input, 1));
    expect(run.newRows()).toEqual([]);
    await run.add(add(r.input, 1));
    expect(run.newRows()).toEqual([[1, 10, 2, 3]]);
    await run.restart();
    await run.add(add(l.input, 25));
    expect(run.newRows()).toEqual([]);
    await run.restart();
    await run.add(add(r.input, 25));
    expect(run.newRows()).toEqual([[25, 30, 50, 75]]);
    await run.add(add(l.input, 1));
    expect(run.newRows()).toEqual([[1, 10, 2, 3]]);
    await run.restart();
    await run.add(add(l.input, 5));
    expect(run.newRows()).toEqual([]);
    await run.add(add(r.input, 5));
    expect(run.newRows()).toEqual([[5, 10, 10, 15]]);
    await run.stop();
  });

  it('joins on windows with a watermark on one side: the key watermark bounds both sides', async () => {
    const l = setupStream('left', 2);
    const r = setupStream('right', 3, false);
    const left = l.df.select('key', window(col('leftTime'), '10 seconds'), 'leftValue');
    const right = r.df.select('key', window(col('rightTime'), '10 seconds'), 'rightValue');
    const run = await new JoinRun(left.join(right, ['key', 'window']).selectExpr('key', 'CAST(window.end AS LONG) AS end', 'leftValue', 'rightValue')).start();
    await run.add(add(l.input, 1));
    expect(run.newRows()).toEqual([]);
    expect(run.metrics()).toMatchObject({ total: 1, updated: 1 });
    await run.add(add(r.input, 1));
    expect(run.newRows()).toEqual([[1, 10, 2, 3]]);
    expect(run.metrics()).toMatchObject({ total: 2, updated: 1 });
    await run.restart();
    // Watermark 15: the no-data batch removes both rows of window [0, 10).
    await run.add(add(l.input, 25));
    expect(run.newRows()).toEqual([]);
    expect(run.metrics()).toMatchObject({ total: 1, updated: 1, removed: 2 });
    await run.add(add(r.input, 25));
    expect(run.newRows()).toEqual([[25, 30, 50, 75]]);
    expect(run.metrics()).toMatchObject({ total: 2, updated: 1 });
    await run.restart();
    // Right 1 is not stored: its window ends before the state key watermark (15).
    await run.add(add(r.input, 1));
    expect(run.newRows()).toEqual([]);
    expect(run.metrics()).toMatchObject({ total: 2, updated: 0 });
    await run.add(add(l.input, 5));
    expect(run.newRows()).toEqual([]);
    expect(run.metrics()).toMatchObject({ total: 2, updated: 0, dropped: 1 });
    await run.stop();
  });

  it('bounds one side by a one-sided time range condition', async () => {
    const leftInput = memoryStream('leftKey INT, time INT');
    const rightInput = memoryStream('rightKey INT, time INT');
    const left = leftInput.toDF().selectExpr('leftKey', 'timestamp_seconds(time) AS leftTime', 'leftKey * 2 AS leftValue').withWatermark('leftTime', '10 seconds');
    const right = rightInput.toDF().selectExpr('rightKey', 'timestamp_seconds(time) AS rightTime', 'rightKey * 3 AS rightValue').withWatermark('rightTime', '10 seconds');
    const joined = left.join(right, expr('leftKey = rightKey AND leftTime < rightTime - INTERVAL 5 SECONDS')).selectExpr('leftKey', 'CAST(leftTime AS INT) AS lt', 'CAST(rightTime AS INT) AS rt');
    const L = (...p: [number, number][]) => addPairs(leftInput, ['leftKey', 'time'], ...p);
    const R = (...p: [number, number][]) => addPairs(rightInput, ['rightKey', 'time'], ...p);
    const run = await new JoinRun(joined).start();
    await run.add(L([1, 5]));
    expect(run.newRows()).toEqual([]);
    await run.add(R([1, 11]));
    expect(run.newRows()).toEqual([[1, 5, 11]]);
    await run.add(R([1, 10]));
    expect(run.newRows()).toEqual([]);
    expect(run.metrics()).toMatchObject({ total: 3, updated: 3 });
    await run.add(L([1, 3], [1, 30]));
    expect(run.newRows()).toEqual(rows([1, 3, 10], [1, 3, 11]));
    expect(run.metrics()).toMatchObject({ total: 5, updated: 2 });
    // Watermark 20: right state keeps rightTime > 20 + 5, so (1, 11) and (1, 10) go.
    await run.add(R([0, 30]));
    expect(run.newRows()).toEqual([]);
    expect(run.metrics()).toMatchObject({ total: 4, updated: 1 });
    // (1, 20) is late; (1, 21) matches but is not stored (21 <= 25); (1, 28) is stored.
    await run.add(R([1, 20], [1, 21], [1, 28]));
    expect(run.newRows()).toEqual(rows([1, 3, 21], [1, 5, 21], [1, 3, 28], [1, 5, 28]));
    expect(run.metrics()).toMatchObject({ total: 5, updated: 1, dropped: 1 });
    await run.add(L([1, 20], [1, 21]));
    expect(run.newRows()).toEqual([[1, 21, 28]]);
    expect(run.metrics()).toMatchObject({ total: 6, updated: 1, dropped: 1 });
    await run.stop();
  });

  it('bounds both sides by a BETWEEN range condition (watermarks of 20 s and 30 s)', async () => {
    const leftInput = memoryStream('leftKey INT, time INT');
    const rightInput = memoryStream('rightKey INT, time INT');
    const left = leftInput.toDF().selectExpr('leftKey', 'timestamp_seconds(time) AS leftTime', 'leftKey * 2 AS leftValue').withWatermark('leftTime', '20 seconds');
    const right = rightInput.toDF().selectExpr('rightKey', 'timestamp_seconds(time) AS rightTime', 'rightKey * 3 AS rightValue').withWatermark('rightTime', '30 seconds');
    const condition = expr('leftKey = rightKey AND leftTime BETWEEN rightTime - INTERVAL 10 SECONDS AND rightTime + INTERVAL 5 SECONDS');
    const joined = left.join(right, condition).selectExpr('leftKey', 'CAST(leftTime AS INT) AS lt', 'CAST(rightTime AS INT) AS rt');
    const L = (...p: [number, number][]) => addPairs(leftInput, ['leftKey', 'time'], ...p);
    const R = (...p: [number, number][]) => addPairs(rightInput, ['rightKey', 'time'], ...p);
    const run = await new JoinRun(joined).start();
    await run.add(L([1, 20]));
    expect(run.newRows()).toEqual([]);
    await run.add(R([1, 14], [1, 15], [1, 25], [1, 26], [1, 30], [1, 31]));
    expect(run.newRows()).toEqual(rows([1, 20, 15], [1, 20, 25], [1, 20, 26], [1, 20, 30]));
    expect(run.metrics()).toMatchObject({ total: 7, updated: 7 });
    await run.add(R([1, 60]));
    expect(run.newRows()).toEqual([]);
    await run.add(L([1, 49], [1, 50], [1, 65], [1, 66]));
    expect(run.newRows()).toEqual(rows([1, 50, 60], [1, 65, 60]));
    // Watermark min(66 - 20, 60 - 30) = 30: right state keeps rightTime >= 25 (14 and 15 go).
    expect(run.metrics()).toMatchObject({ total: 10, updated: 5 });
    await run.add(L([1, 30], [1, 31]));
    expect(run.newRows()).toEqual(rows([1, 31, 26], [1, 31, 30], [1, 31, 31]));
    expect(run.metrics()).toMatchObject({ total: 11, updated: 1, dropped: 1 });
    // Watermark 46: left keeps >= 36, right keeps >= 41.
    await run.add(R([1, 80]));
    expect(run.newRows()).toEqual([]);
    expect(run.metrics()).toMatchObject({ total: 6, updated: 1 });
    await run.add(R([1, 46], [1, 50]));
    expect(run.newRows()).toEqual(rows([1, 49, 50], [1, 50, 50]));
    expect(run.metrics()).toMatchObject({ total: 7, updated: 1, dropped: 1 });
    await run.stop();
  });

  it('self join reads the source once per side', async () => {
    const input = memoryStream('value INT');
    const df = input.toDF();
    const joined = df.selectExpr('value % 5 AS key', 'value').join(df.selectExpr('value % 5 AS key', 'value AS v2'), 'key');
    const run = await new JoinRun(joined).start();
    await run.add(add(input, 1, 2));
    expect(run.newRows()).toEqual(rows([1, 1, 1], [2, 2, 2]));
    await run.restart();
    await run.add(add(input, 3, 6));
    expect(run.newRows()).toEqual(rows([3, 3, 3], [1, 1, 6], [1, 6, 1], [1, 6, 6]));
    await run.stop();
  });

  it('joins three streams', async () => {
    const [i1, i2, i3] = [memoryStream('value INT'), memoryStream('value INT'), memoryStream('value INT')];
    const df1 = i1.toDF().selectExpr('value AS leftKey', 'value * 2 AS leftValue');
    const df2 = i2.toDF().selectExpr('value AS middleKey', 'value * 3 AS middleValue');
    const df3 = i3.toDF().selectExpr('value AS rightKey', 'value * 5 AS rightValue');
    const run = await new JoinRun(df1.join(df2, expr('leftKey = middleKey')).join(df3, expr('rightKey = middleKey'))).start();
    await run.add(add(i1, 1, 5), add(i2, 1, 5, 10), add(i3, 5, 10));
    expect(run.newRows()).toEqual([[5, 10, 5, 15, 5, 25]]);
    await run.stop();
  });
});

describe('stream-stream outer joins', () => {
  it('windowed left outer join emits unmatched left rows once the watermark passes their window', async () => {
    const { left, right, df } = setupWindowedJoin('left_outer');
    const run = await new JoinRun(df).start();
    await run.add(add(left, 1, 2, 3, 4, 5), add(right, 3, 4, 5, 6, 7));
    expect(run.newRows()).toEqual(rows([3, 10, 6, 9], [4, 10, 8, 12], [5, 10, 10, 15]));
    await run.add(add(left, 21), add(right, 22));
    expect(run.newRows()).toEqual(rows([1, 10, 2, null], [2, 10, 4, null]));
    // Only the right side's removals count (the left side's are output), as in Spark.
    expect(run.metrics()).toEqual({ total: 2, updated: 12, dropped: 0, removed: 5 });
    await run.add(add(left, 22));
    expect(run.newRows()).toEqual([[22, 30, 44, 66]]);
    expect(run.metrics()).toMatchObject({ total: 3, updated: 1 });
    await run.stop();
  });

  it('windowed right outer join emits unmatched right rows', async () => {
    const { left, right, df } = setupWindowedJoin('right_outer');
    const run = await new JoinRun(df).start();
    await run.add(add(left, 1, 2, 3, 4, 5), add(right, 3, 4, 5, 6, 7));
    expect(run.newRows()).toEqual(rows([3, 10, 6, 9], [4, 10, 8, 12], [5, 10, 10, 15]));
    await run.add(add(left, 21), add(right, 22));
    expect(run.newRows()).toEqual(rows([6, 10, null, 18], [7, 10, null, 21]));
    expect(run.metrics()).toMatchObject({ total: 2, updated: 12 });
    await run.add(add(left, 22));
    expect(run.newRows()).toEqual([[22, 30, 44, 66]]);
    expect(run.metrics()).toMatchObject({ total: 3, updated: 1 });
    await run.stop();
  });

  it('windowed full outer join emits both sides, and drops late rows after a restart', async () => {
    const { left, right, df } = setupWindowedJoin('full_outer');
    const run = await new JoinRun(df).start();
    await run.add(add(left, 1, 2, 3, 4, 5), add(right, 3, 4, 5, 6, 7));
    expect(run.newRows()).toEqual(rows([3, 10, 6, 9], [4, 10, 8, 12], [5, 10, 10, 15]));
    expect(run.metrics()).toMatchObject({ total: 10, updated: 10 });
    await run.add(add(left, 21), add(right, 22));
    expect(run.newRows()).toEqual(rows([1, 10, 2, null], [2, 10, 4, null], [6, 10, null, 18], [7, 10, null, 21]));
    expect(run.metrics()).toEqual({ total: 2, updated: 2, dropped: 0, removed: 0 });
    await run.add(add(left, 22));
    expect(run.newRows()).toEqual([[22, 30, 44, 66]]);
    expect(run.metrics()).toMatchObject({ total: 3, updated: 1 });
    await run.restart();
    await run.add(add(left, 1));
    expect(run.newRows()).toEqual([]);
    expect(run.metrics()).toMatchObject({ total: 3, updated: 0, dropped: 1 });
    await run.add(add(right, 5));
    expect(run.newRows()).toEqual([]);
    expect(run.metrics()).toMatchObject({ total: 3, updated: 0, dropped: 1 });
    await run.stop();
  });

  it.each([
    ['left_outer', [3, null, 5, null]],
    ['right_outer', [null, 2, null, 5]],
  ] as const)('%s with a watermark range condition', async (how, outer) => {
    const { left, right, df } = setupJoinWithRangeCondition(how);
    const L = (...p: [number, number][]) => addPairs(left, ['leftKey', 'time'], ...p);
    const R = (...p: [number, number][]) => addPairs(right, ['rightKey', 'time'], ...p);
    const run = await new JoinRun(df).start();
    await run.add(L([1, 5], [3, 5]));
    expect(run.newRows()).toEqual([]);
    await run.add(R([1, 10], [2, 5]));
    expect(run.newRows()).toEqual([[1, 1, 5, 10]]);
    await run.add(R([1, 11]));
    expect(run.newRows()).toEqual([]);
    expect(run.metrics()).toMatchObject({ total: 5, updated: 5 });
    await run.add(L([1, 7], [1, 30]));
    expect(run.newRows()).toEqual(rows([1, 1, 7, 10], [1, 1, 7, 11]));
    expect(run.metrics()).toMatchObject({ total: 7, updated: 2 });
    await run.add(R([0, 30]));
    expect(run.newRows()).toEqual([[...outer]]);
    expect(run.metrics()).toMatchObject({ total: 2, updated: 1 });
    await run.stop();
  });

  it('left outer join with minute watermarks and a 3 min 30 s range', async () => {
    const { left, right, df } = setupJoinWithRangeCondition('left_outer', '10 minutes', 'INTERVAL 3 MINUTES 30 SECONDS', 'INTERVAL 3 MINUTES 30 SECONDS');
    const L = (...p: [number, number][]) => addPairs(left, ['leftKey', 'time'], ...p);
    const R = (...p: [number, number][]) => addPairs(right, ['rightKey', 'time'], ...p);
    const run = await new JoinRun(df).start();
    await run.add(L([1, 210], [3, 5]));
    await run.add(R([1, 300], [2, 5]));
    expect(run.newRows()).toEqual([[1, 1, 210, 300]]);
    await run.add(R([1, 450]));
    expect(run.metrics()).toMatchObject({ total: 5, updated: 5 });
    await run.add(L([1, 260], [1, 1800]));
    expect(run.newRows()).toEqual(rows([1, 1, 260, 300], [1, 1, 260, 450]));
    expect(run.metrics()).toMatchObject({ total: 7, updated: 2 });
    await run.add(R([0, 1800]));
    expect(run.newRows()).toEqual([[3, null, 5, null]]);
    expect(run.metrics()).toMatchObject({ total: 2, updated: 1 });
    await run.stop();
  });

  it('full outer join with a watermark range condition', async () => {
    const { left, right, df } = setupJoinWithRangeCondition('full_outer');
    const L = (...p: [number, number][]) => addPairs(left, ['leftKey', 'time'], ...p);
    const R = (...p: [number, number][]) => addPairs(right, ['rightKey', 'time'], ...p);
    const run = await new JoinRun(df).start();
    await run.add(L([1, 5], [3, 5]));
    expect(run.metrics()).toMatchObject({ total: 2, updated: 2 });
    await run.add(R([1, 10], [2, 5]));
    expect(run.newRows()).toEqual([[1, 1, 5, 10]]);
    await run.add(R([1, 9]));
    expect(run.newRows()).toEqual([[1, 1, 5, 9]]);
    expect(run.metrics()).toMatchObject({ total: 5, updated: 3 });
    await run.add(L([1, 7], [1, 30]));
    expect(run.newRows()).toEqual(rows([1, 1, 7, 9], [1, 1, 7, 10]));
    expect(run.metrics()).toMatchObject({ total: 7, updated: 2 });
    await run.add(R([0, 30]));
    expect(run.newRows()).toEqual(rows([3, null, 5, null], [null, 2, null, 5]));
    expect(run.metrics()).toMatchObject({ total: 2, updated: 1 });
    await run.stop();
  });

  it('full outer join: rows failing a one-side condition are output at once and never stored', async () => {
    const left = setupWindowedJoinWithCondition('full_outer', 'leftValue > 4');
    const L = await new JoinRun(left.df).start();
    await L.add(add(left.left, 1, 2, 3), add(left.right, 3, 4, 5));
    expect(L.newRows()).toEqual(rows([1, 10, 2, null, null, null], [2, 10, 4, null, null, null], [3, 10, 6, 3, 10, '9']));
    expect(L.metrics()).toMatchObject({ total: 4, updated: 4 });
    await L.add(add(left.left, 20), add(left.right, 21));
    expect(L.newRows()).toEqual(rows([null, null, null, 4, 10, '12'], [null, null, null, 5, 10, '15']));
    expect(L.metrics()).toMatchObject({ total: 2, updated: 2 });
    await L.add(add(left.right, 20));
    expect(L.newRows()).toEqual([[20, 30, 40, 20, 30, '60']]);
    expect(L.metrics()).toMatchObject({ total: 3, updated: 1 });
    await L.stop();

    const right = setupWindowedJoinWithCondition('full_outer', 'CAST(rightValue AS INT) > 7');
    const R = await new JoinRun(right.df).start();
    await R.add(add(right.left, 3, 4, 5), add(right.right, 1, 2, 3));
    expect(R.newRows()).toEqual(rows([null, null, null, 1, 10, '3'], [null, null, null, 2, 10, '6'], [3, 10, 6, 3, 10, '9']));
    expect(R.metrics()).toMatchObject({ total: 4, updated: 4 });
    await R.add(add(right.left, 20), add(right.right, 21));
    expect(R.newRows()).toEqual(rows([4, 10, 8, null, null, null], [5, 10, 10, null, null, null]));
    expect(R.metrics()).toMatchObject({ total: 2, updated: 2 });
    await R.stop();
  });

  it('left outer join outputs nulls when the non-key condition fails, even with matching keys', async () => {
    const l = setupStream('left', 2);
    const r = setupStream('right', 3);
    const left = l.df.select('key', window(col('leftTime'), '10 seconds'), 'leftValue');
    const right = r.df.select(col('key').alias('rkey'), window(col('rightTime'), '10 seconds').alias('rwindow'), 'rightValue');
    const joined = left
      .join(right, expr('key = rkey AND window = rwindow AND leftValue > 10 AND (rightValue < 300 OR rightValue > 1000)'), 'left_outer')
      .selectExpr('key', 'CAST(window.end AS LONG) AS end', 'leftValue', 'rightValue');
    const run = await new JoinRun(joined).start();
    await run.add(add(l.input, 1, 2, 3), add(r.input, 1, 2, 3));
    expect(run.newRows()).toEqual(rows([1, 10, 2, null], [2, 10, 4, null], [3, 10, 6, null]));
    expect(run.metrics()).toMatchObject({ total: 3, updated: 3 });
    await run.add(add(l.input, 20), add(r.input, 21));
    expect(run.newRows()).toEqual([]);
    expect(run.metrics()).toMatchObject({ total: 2, updated: 2 });
    await run.add(add(r.input, 20));
    expect(run.newRows()).toEqual([[20, 30, 40, 60]]);
    expect(run.metrics()).toMatchObject({ total: 3, updated: 1 });
    await run.add(add(l.input, 40, 41), add(r.input, 40, 41));
    expect(run.newRows()).toEqual(rows([40, 50, 80, 120], [41, 50, 82, 123]));
    expect(run.metrics()).toMatchObject({ total: 4, updated: 4 });
    await run.add(add(l.input, 70), add(r.input, 71));
    expect(run.newRows()).toEqual([]);
    expect(run.metrics()).toMatchObject({ total: 2, updated: 2 });
    await run.add(add(r.input, 70));
    expect(run.newRows()).toEqual([[70, 80, 140, 210]]);
    await run.add(add(l.input, 101, 102, 103), add(r.input, 101, 102, 103));
    expect(run.newRows()).toEqual([]);
    await run.add(add(l.input, 1000), add(r.input, 1001));
    expect(run.newRows()).toEqual(rows([101, 110, 202, null], [102, 110, 204, null], [103, 110, 206, null]));
    expect(run.metrics()).toMatchObject({ total: 2 });
    await run.stop();
  });

  it('self left outer join does not output nulls for rows that matched (SPARK-26187), across a restart', async () => {
    const input = memoryStream('id INT, t INT');
    const df = input.toDF().selectExpr('id AS value', 'timestamp_seconds(t) AS timestamp');
    const leftStream = df.selectExpr('value AS leftId', 'timestamp AS leftTime').withWatermark('leftTime', '5 seconds');
    const rightStream = df.where(expr('value % 2 = 0')).selectExpr('value AS rightId', 'timestamp AS rightTime').withWatermark('rightTime', '5 seconds');
    const joined = leftStream
      .join(rightStream, expr('leftId = rightId AND rightTime >= leftTime AND rightTime <= leftTime + INTERVAL 5 SECONDS'), 'left_outer')
      .selectExpr('leftId', 'CAST(leftTime AS INT) AS lt', 'rightId', 'CAST(rightTime AS INT) AS rt');
    const feed = (...ids: number[]) => () => input.addData(...ids.map((i) => ({ id: i, t: i })));
    const run = await new JoinRun(joined).start();
    await run.add(feed(1, 2, 3, 4, 5));
    expect(run.newRows()).toEqual(rows([2, 2, 2, 2], [4, 4, 4, 4]));
    expect(run.metrics()).toMatchObject({ total: 7, updated: 7 });
    await run.add(feed(6, 7, 8, 9, 10));
    expect(run.newRows()).toEqual(rows([6, 6, 6, 6], [8, 8, 8, 8], [10, 10, 10, 10]));
    expect(run.metrics()).toMatchObject({ total: 13, updated: 8 });
    await run.restart();
    await run.add(feed(11, 12, 13, 14, 15));
    expect(run.newRows()).toEqual(rows([12, 12, 12, 12], [14, 14, 14, 14], [1, 1, null, null], [3, 3, null, null]));
    expect(run.metrics()).toMatchObject({ total: 15, updated: 7 });
    await run.stop();
  });
});

describe('stream-stream left semi join', () => {
  it('windowed: a left row is output once on its first match and a matched new left row is not stored', async () => {
    const { left, right, df } = setupWindowedJoin('left_semi');
    const run = await new JoinRun(df).start();
    await run.add(add(left, 1, 2, 3, 4, 5), add(right, 3, 4, 5, 6, 7));
    expect(run.newRows()).toEqual(rows([3, 10, 6], [4, 10, 8], [5, 10, 10]));
    expect(run.metrics()).toMatchObject({ total: 10, updated: 10 });
    await run.add(add(left, 21), add(right, 22));
    expect(run.newRows()).toEqual([]);
    expect(run.metrics()).toMatchObject({ total: 2, updated: 2, removed: 10 });
    await run.add(add(left, 22));
    expect(run.newRows()).toEqual([[22, 30, 44]]);
    expect(run.metrics()).toMatchObject({ total: 2, updated: 0 });
    await run.restart();
    await run.add(add(left, 1));
    expect(run.metrics()).toMatchObject({ total: 2, updated: 0, dropped: 1 });
    await run.add(add(right, 5));
    expect(run.newRows()).toEqual([]);
    expect(run.metrics()).toMatchObject({ total: 2, updated: 0, dropped: 1 });
    await run.stop();
  });

  it('with a watermark range condition', async () => {
    const { left, right, df } = setupJoinWithRangeCondition('left_semi');
    const L = (...p: [number, number][]) => addPairs(left, ['leftKey', 'time'], ...p);
    const R = (...p: [number, number][]) => addPairs(right, ['rightKey', 'time'], ...p);
    const run = await new JoinRun(df).start();
    await run.add(L([1, 5], [3, 5]));
    expect(run.metrics()).toMatchObject({ total: 2, updated: 2 });
    await run.add(R([1, 10], [2, 5]));
    expect(run.newRows()).toEqual([[1, 5]]);
    expect(run.metrics()).toMatchObject({ total: 4, updated: 2 });
    await run.add(R([1, 9]));
    expect(run.newRows()).toEqual([]);
    expect(run.metrics()).toMatchObject({ total: 5, updated: 1 });
    await run.add(L([1, 7], [1, 30]));
    expect(run.newRows()).toEqual([[1, 7]]);
    expect(run.metrics()).toMatchObject({ total: 6, updated: 1 });
    await run.add(R([0, 30]));
    expect(run.newRows()).toEqual([]);
    expect(run.metrics()).toMatchObject({ total: 2, updated: 1 });
    await run.stop();
  });

  it('rows failing a one-side condition are never stored', async () => {
    const { left, right, df } = setupWindowedJoinWithCondition('left_semi', 'leftValue > 4');
    const run = await new JoinRun(df).start();
    await run.add(add(left, 1, 2, 3), add(right, 3, 4, 5));
    expect(run.newRows()).toEqual([[3, 10, 6]]);
    expect(run.metrics()).toMatchObject({ total: 4, updated: 4 });
    await run.add(add(left, 20), add(right, 21));
    expect(run.newRows()).toEqual([]);
    expect(run.metrics()).toMatchObject({ total: 2, updated: 2 });
    await run.add(add(right, 20));
    expect(run.newRows()).toEqual([[20, 30, 40]]);
    expect(run.metrics()).toMatchObject({ total: 3, updated: 1 });
    await run.stop();
  });
});

describe("stream-stream joins refused at start (Spark's analyzer)", () => {
  const two = () => {
    const a = memoryStream('value INT');
    const b = memoryStream('value INT');
    return {
      left: a.toDF().selectExpr('value AS leftKey', 'timestamp_seconds(value) AS leftTime').withWatermark('leftTime', '10 seconds'),
      right: b.toDF().selectExpr('value AS rightKey', 'timestamp_seconds(value) AS rightTime').withWatermark('rightTime', '10 seconds'),
    };
  };
  const start = (df: DataFrame, mode = 'append') => df.writeStream.outputMode(mode).option('checkpointLocation', `${tempDir()}/chk`).foreachBatch(() => undefined).start();

  it('without an equality predicate', async () => {
    const { left, right } = two();
    await expect(start(left.join(right, expr('leftKey < rightKey')))).rejects.toMatchObject({ code: 'UNSUPPORTED_OPERATION', message: expect.stringContaining('Stream-stream join without equality predicate is not supported') });
  });

  it('in update or complete output mode', async () => {
    const { left, right } = two();
    await expect(start(left.join(right, expr('leftKey = rightKey')), 'update')).rejects.toMatchObject({ code: 'UNSUPPORTED_OPERATION', message: expect.stringContaining('not supported in update output mode, only in Append output mode') });
  });

  it('outer and semi joins without a time constraint that bounds the nullable side', async () => {
    for (const how of ['left_outer', 'right_outer', 'full_outer', 'left_semi'] as const) {
      const { left, right } = two();
      await expect(start(left.join(right, expr('leftKey = rightKey'), how))).rejects.toMatchObject({ code: 'UNSUPPORTED_OPERATION', message: expect.stringContaining('without a watermark in the join keys') });
    }
    // A range bounding the left (nullable: right) is enough for a left outer join, not for a right outer one.
    const { left, right } = two();
    const cond = expr('leftKey = rightKey AND leftTime > rightTime - INTERVAL 5 SECONDS');
    const q = await start(left.join(right, cond, 'left_outer'));
    await q.stop();
    await expect(start(left.join(right, cond, 'right_outer'))).rejects.toMatchObject({ code: 'UNSUPPORTED_OPERATION' });
  });

  it('left anti joins between streams', async () => {
    const { left, right } = two();
    await expect(start(left.join(right, expr('leftKey = rightKey'), 'left_anti'))).rejects.toMatchObject({ message: expect.stringContaining('Left anti joins with a streaming DataFrame/Dataset on the right are not supported') });
  });
});

describe('window(...) as a row expression', () => {
  it('sliding windows repeat each row once per window, rows with a null time are dropped', async () => {
    const input = memoryStream('id INT, ts TIMESTAMP');
    const df = input.toDF().select('id', window(col('ts'), '10 seconds', '5 seconds')).selectExpr('id', 'CAST(window.start AS LONG) AS s', 'CAST(window.end AS LONG) AS e');
    const run = await new JoinRun(df).start();
    await run.add(() => input.addData({ id: 1, ts: new Date(12_000) }, { id: 2, ts: null }, { id: 3, ts: new Date(20_000) }));
    expect(run.newRows()).toEqual(rows([1, 5, 15], [1, 10, 20], [3, 15, 25], [3, 20, 30]));
    await run.stop();
  });

  it('withColumn(window(...)) and an alias keep the window struct', async () => {
    const input = memoryStream('id INT, ts TIMESTAMP');
    const df = input.toDF().withColumn('w', window(col('ts'), '1 minute')).selectExpr('id', 'CAST(w.end AS LONG) AS e');
    const run = await new JoinRun(df).start();
    await run.add(() => input.addData({ id: 1, ts: new Date(61_000) }));
    expect(run.newRows()).toEqual([[1, 120]]);
    await run.stop();
  });
});

describe('stream-stream join followed by an aggregation', () => {
  it('groups by the window column the join carries', async () => {
    const l = setupStream('left', 2);
    const r = setupStream('right', 3);
    const left = l.df.select('key', window(col('leftTime'), '10 seconds'), 'leftValue');
    const right = r.df.select('key', window(col('rightTime'), '10 seconds'), 'rightValue');
    const counted = left.join(right, ['key', 'window']).groupBy('window').count().selectExpr('CAST(window.end AS LONG) AS end', 'count');
    const run = await new JoinRun(counted).start();
    await run.add(add(l.input, 1, 2, 3), add(r.input, 2, 3, 4));
    expect(run.newRows()).toEqual([]);
    // Watermark 15: window [0, 10) is final.
    await run.add(add(l.input, 25), add(r.input, 25));
    expect(run.newRows()).toEqual([[10, 2]]);
    await run.stop();
  });
});

describe('state bounded by the watermark', () => {
  it('keeps only the rows a later row can still match, batch after batch', async () => {
    const { left, right, df } = setupJoinWithRangeCondition('inner');
    const L = (...p: [number, number][]) => addPairs(left, ['leftKey', 'time'], ...p);
    const R = (...p: [number, number][]) => addPairs(right, ['rightKey', 'time'], ...p);
    const run = await new JoinRun(df).start();
    const totals: number[] = [];
    for (let t = 20; t <= 200; t += 20) {
      await run.add(L([1, t], [2, t + 1]), R([1, t + 2], [3, t + 3]));
      totals.push(run.metrics().total);
    }
    // Watermark t - 7 (min of t + 1 - 10 and t + 3 - 10): left keeps leftTime > wm - 5, right rightTime > wm - 5.
    expect(run.newRows()).toEqual(rows(...Array.from({ length: 10 }, (_, i) => [1, 1, (i + 1) * 20, (i + 1) * 20 + 2] as Cell[])));
    expect(Math.max(...totals.slice(2))).toBe(4);
    await run.stop();
  });
});
