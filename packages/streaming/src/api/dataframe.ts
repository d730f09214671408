/**
 * `DataFrame`: an immutable builder over a logical plan, one type for batch and streaming
 * (`isStreaming`). Transformations return new DataFrames and read nothing; names and types are
 * checked when the plan is analyzed (`schema()`, `collect()`, `writeStream.start()`), before any
 * data is read. Batch actions (`collect`, `show`, `count`, `toArrow`, `write`) refuse streaming
 * DataFrames, as Spark's "Queries with streaming sources must be executed with writeStream.start()".
 */
import { DeltaError, deltaToArrowSchema, parseExpression, schemaToString, type StructType } from '@deltakit/core';
import { concatBatches } from '@deltakit/core/internal';
import { Table, type RecordBatch } from 'apache-arrow';
import { analyze, visibleSchema, type Analyzed } from '../plan/analyze.js';
import { explainPlan } from '../plan/explain.js';
import { pushDown } from '../plan/pushdown.js';
import { isStreamingPlan, type JoinType, type PlanNode } from '../plan/logical.js';
import { execute } from '../operators/execute.js';
import { Column, col, columnArg, expr } from './column.js';
import { batchRows, type Row } from './rows.js';
import { groupStateSpec, type GroupState, type GroupStateFunction, type GroupStateOptions } from './group-state.js';
import { getDefaultSession, type Session } from './session.js';
import { formatShow } from './show.js';
import { DataFrameWriter } from './writer.js';
import { DataStreamWriter } from './stream-writer.js';

export type JoinHow = JoinType | 'left' | 'leftouter' | 'outer' | 'full' | 'fullouter' | 'right' | 'rightouter' | 'semi' | 'leftsemi' | 'anti' | 'leftanti';

export class DataFrame {
  readonly plan: PlanNode;
  readonly session: Session;

  constructor(plan: PlanNode, session: Session = getDefaultSession()) {
    this.plan = plan;
    this.session = session;
  }

  /** True when the plan reads a streaming source: run it with `writeStream`. */
  get isStreaming(): boolean {
    return isStreamingPlan(this.plan);
  }

  #with(plan: PlanNode): DataFrame {
    return new DataFrame(plan, this.session);
  }

  select(...columns: (string | Column)[]): DataFrame {
    return this.#with({ kind: 'project', child: this.plan, columns: columns.flat().map(columnArg) });
  }

  /** `selectExpr('amount * 2 AS doubled', 'id')`: SQL expressions, each optionally `AS name`. */
  selectExpr(...sql: string[]): DataFrame {
    return this.select(...sql.flat().map(sqlColumn));
  }

  filter(condition: Column | string): DataFrame {
    const e = typeof condition === 'string' ? parseExpression(condition) : condition.expr;
    return this.#with({ kind: 'filter', child: this.plan, condition: e });
  }

  where(condition: Column | string): DataFrame {
    return this.filter(condition);
  }

  withColumn(name: string, column: Column): DataFrame {
    return this.withColumns({ [name]: column });
  }

  withColumns(columns: Readonly<Record<string, Column>> | ReadonlyMap<string, Column>): DataFrame {
    const entries = columns instanceof Map ? [...columns.entries()] : Object.entries(columns as Record<string, Column>);
    return this.#with({ kind: 'withColumns', child: this.plan, columns: entries.map(([n, c]) => [n, c] as const) });
  }

  withColumnRenamed(existing: string, newName: string): DataFrame {
    return this.#with({ kind: 'rename', child: this.plan, from: existing, to: newName });
  }

  drop(...names: string[]): DataFrame {
    return this.#with({ kind: 'drop', child: this.plan, names: names.flat() });
  }

  /** Rows of both, by column position (Spark's `union`, which keeps duplicates). */
  union(other: DataFrame): DataFrame {
    return this.#with({ kind: 'union', left: this.plan, right: other.plan, byName: false, allowMissingColumns: false });
  }

  unionAll(other: DataFrame): DataFrame {
    return this.union(other);
  }

  unionByName(other: DataFrame, options: { allowMissingColumns?: boolean } = {}): DataFrame {
    return this.#with({ kind: 'union', left: this.plan, right: other.plan, byName: true, allowMissingColumns: options.allowMissingColumns ?? false });
  }

  /**
   * Joins with another DataFrame on a condition (`expr('a.id = b.id')` or a Column), on shared
   * column names (`'id'` or `['id', 'day']`, kept once), or with no condition (cross join).
   */
  join(other: DataFrame, on?: Column | string | readonly string[], how: JoinHow = 'inner'): DataFrame {
    const cond = on === undefined ? undefined : typeof on === 'string' ? [on] : Array.isArray(on) ? (on as readonly string[]) : (on as Column).expr;
    return this.#with({ kind: 'join', left: this.plan, right: other.plan, on: cond, how: normalizeJoin(how, cond === undefined) });
  }

  crossJoin(other: DataFrame): DataFrame {
    return this.join(other, undefined, 'cross');
  }

  withWatermark(eventTime: string, delay: string): DataFrame {
    return this.#with({ kind: 'watermark', child: this.plan, column: eventTime, delay });
  }

  groupBy(...columns: (string | Column)[]): GroupedData {
    return new GroupedData(this, columns.flat().map(columnArg));
  }

  dropDuplicates(columns?: readonly string[]): DataFrame {
    return this.#with({ kind: 'dedup', child: this.plan, columns, withinWatermark: false });
  }

  /** The distinct rows (`dropDuplicates()` over every column). */
  distinct(): DataFrame {
    return this.dropDuplicates();
  }

  dropDuplicatesWithinWatermark(columns?: readonly string[]): DataFrame {
    return this.#with({ kind: 'dedup', child: this.plan, columns, withinWatermark: true });
  }

  orderBy(...columns: (string | Column)[]): DataFrame {
    return this.#with({ kind: 'sort', child: this.plan, columns: columns.flat().map(columnArg) });
  }

  sort(...columns: (string | Column)[]): DataFrame {
    return this.orderBy(...columns);
  }

  limit(n: number): DataFrame {
    return this.#with({ kind: 'limit', child: this.plan, n });
  }

  /** Analyzes the plan (reading source schemas) and returns the output schema. */
  async schema(): Promise<StructType> {
    return visibleSchema(await this.analyze());
  }

  async columns(): Promise<string[]> {
    return (await this.schema()).fields.map((f) => f.name);
  }

  /** Prints (and returns) the schema as Spark's `printSchema` tree. */
  async printSchema(options: { print?: boolean } = {}): Promise<string> {
    const text = schemaToString(await this.schema());
    if (options.print !== false) console.log(text);
    return text;
  }

  /** Prints (and returns) the analyzed plan, one operator per line. */
  async explain(options: { print?: boolean } = {}): Promise<string> {
    const text = explainPlan(await this.analyze());
    if (options.print !== false) console.log(text);
    return text;
  }

  /** The analyzed plan (sources resolved, columns and functions checked). */
  async analyze(signal?: AbortSignal): Promise<Analyzed> {
    return analyze(this.plan, { engine: this.session.engine, timeZone: this.session.timeZone, ...(signal ? { signal } : {}) });
  }

  /** Runs a batch DataFrame and streams its record batches (visible columns only). */
  async *batches(options: { signal?: AbortSignal } = {}): AsyncGenerator<RecordBatch> {
    this.#assertBatch('batches');
    const node = pushDown(await this.analyze(options.signal));
    const ctx = {
      input: (scan: Extract<Analyzed, { kind: 'scan' }>) => scan.relation.read!({ engine: this.session.engine, timeZone: this.session.timeZone, ...(options.signal ? { signal: options.signal } : {}) }),
      timeZone: this.session.timeZone,
      nowMicros: BigInt(this.session.engine.clock.nowMs()) * 1000n,
      ...(options.signal ? { signal: options.signal } : {}),
    };
    yield* visibleOnly(node, execute(node, ctx));
  }

  async toArrow(options: { signal?: AbortSignal } = {}): Promise<Table> {
    const schema = deltaToArrowSchema(await this.schema());
    const batches: RecordBatch[] = [];
    for await (const b of this.batches(options)) batches.push(b);
    return new Table(schema, [concatBatches(schema, batches)]);
  }

  /** Every row as a plain object (see `rows.ts` for how each type is represented). */
  async collect(options: { signal?: AbortSignal } = {}): Promise<Row[]> {
    const schema = await this.schema();
    const out: Row[] = [];
    for await (const b of this.batches(options)) batchRows(b, schema, out);
    return out;
  }

  async count(options: { signal?: AbortSignal } = {}): Promise<number> {
    let n = 0;
    for await (const b of this.batches(options)) n += b.numRows;
    return n;
  }

  /** Prints the first `n` rows as Spark's `show()` does (strings cut at 20 characters unless `truncate: false`). */
  async show(n = 20, options: { truncate?: boolean | number; print?: boolean } = {}): Promise<string> {
    const schema = await this.schema();
    const rows: Row[] = [];
    for await (const b of this.batches()) {
      batchRows(b, schema, rows);
      if (rows.length > n) break;
    }
    const text = formatShow(schema, rows, n, options.truncate ?? true);
    if (options.print !== false) console.log(text);
    return text;
  }

  /** Batch writes (`df.write.format('delta').mode('append').save(path)`). */
  get write(): DataFrameWriter {
    this.#assertBatch('write');
    return new DataFrameWriter(this);
  }

  /** Starts a streaming query (`df.writeStream.format('delta').start(path)`). */
  get writeStream(): DataStreamWriter {
    if (!this.isStreaming) {
      throw new DeltaError('INVALID_ARGUMENT', "'writeStream' can be called only on a streaming DataFrame (one read with readStream or memoryStream). Use df.write for a batch DataFrame.");
    }
    return new DataStreamWriter(this);
  }

  #assertBatch(action: string): void {
    if (this.isStreaming) {
      throw new DeltaError('UNSUPPORTED_OPERATION', `'${action}' is not available on a streaming DataFrame: queries with streaming sources must be executed with writeStream.start(). Use the memory sink or foreachBatch to look at the rows.`, { details: { operator: action } });
    }
  }
}

/** `groupBy(...)` before `agg(...)`. */
export class GroupedData {
  constructor(
    private readonly df: DataFrame,
    private readonly keys: readonly Column[],
  ) {}

  agg(...aggregates: Column[]): DataFrame {
    return new DataFrame({ kind: 'aggregate', child: this.df.plan, keys: this.keys, aggregates: aggregates.flat() }, this.df.session);
  }

  count(): DataFrame {
    return this.agg(new Column({ kind: 'aggregate', fn: 'count', arg: '*', distinct: false }, 'count'));
  }

  /**
   * Arbitrary stateful processing per key, as Spark's `flatMapGroupsWithState`: `fn(key, rows,
   * state)` returns output rows (see api/group-state.ts for the state and timeouts).
   */
  flatMapGroupsWithState<S>(fn: GroupStateFunction<S>, options: GroupStateOptions): DataFrame {
    return new DataFrame({ kind: 'groupState', child: this.df.plan, keys: this.keys, spec: groupStateSpec(fn, options) }, this.df.session);
  }

  /** `mapGroupsWithState`: one output row per call (update mode). */
  mapGroupsWithState<S>(fn: (key: Row, rows: readonly Row[], state: GroupState<S>) => Row | Promise<Row>, options: Omit<GroupStateOptions, 'outputMode'>): DataFrame {
    return this.flatMapGroupsWithState<S>(async (k, r, s) => [await fn(k, r, s)], { ...options, outputMode: 'update' });
  }
}

/** Drops hidden columns (they are last) from executed batches. */
export async function* visibleOnly(node: Analyzed, input: AsyncIterable<RecordBatch>): AsyncGenerator<RecordBatch> {
  if (node.hidden.size === 0) {
    yield* input;
    return;
  }
  const keep = node.schema.fields.length - node.hidden.size;
  const indices = Array.from({ length: keep }, (_, i) => i);
  for await (const b of input) yield b.selectAt(indices);
}

function sqlColumn(text: string): Column {
  const m = /^([\s\S]*?)\s+(?:as\s+)?(`[^`]+`|[A-Za-z_][A-Za-z0-9_]*)\s*$/i.exec(text);
  if (m !== null && /\sas\s/i.test(text)) {
    const name = m[2]!.startsWith('`') ? m[2]!.slice(1, -1) : m[2]!;
    return expr(m[1]!).alias(name);
  }
  return text.trim() === '*' ? col('*') : expr(text);
}

function normalizeJoin(how: JoinHow, noCondition: boolean): JoinType {
  const h = how.toLowerCase().replace(/_/g, '');
  const map: Record<string, JoinType> = {
    inner: 'inner', left: 'left_outer', leftouter: 'left_outer', right: 'right_outer', rightouter: 'right_outer',
    outer: 'full_outer', full: 'full_outer', fullouter: 'full_outer', semi: 'left_semi', leftsemi: 'left_semi',
    anti: 'left_anti', leftanti: 'left_anti', cross: 'cross',
  };
  const t = map[h];
  if (t === undefined) throw new DeltaError('INVALID_ARGUMENT', `Unknown join type '${how}'. Use inner, left_outer, right_outer, full_outer, left_semi, left_anti or cross.`);
  return noCondition && t === 'inner' ? 'cross' : t;
}
