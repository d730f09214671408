/**
 * Late rows to a side sink (beyond Spark, which drops them silently and only counts them in
 * `numRowsDroppedByWatermark`). Stateful operators hand every input row they drop as late to the
 * batch's `LateRowsCollector` (ctx.stateful.late, present only when the query asked for it); the
 * engine delivers them after the state is committed and before the main sink runs:
 *
 * - `writeStream.option('lateRowsPath', '<delta table>')`: one Delta append per operator and batch
 *   carrying the app transaction `{appId: '<queryId>-late-<operatorId>', version: batchId}`, so a
 *   batch run again after a crash adds its late rows exactly once. The table is created by the
 *   first late rows (mergeSchema: a later operator's columns are added).
 * - `writeStream.onLateRows((rows, info) => ...)`: called once per operator and batch with late
 *   rows, as plain JS rows; at least once, like foreachBatch (a re-run batch calls it again with
 *   the same rows and batch id).
 *
 * Each late row is the operator's input row (its columns, as the operator saw them) preceded by
 * `_late_operator` (Spark's operator name), `_late_operator_id`, `_late_batch_id`,
 * `_late_watermark` (the watermark the row was late against), `_late_event_time` (the event time
 * compared: a window's end for windowed aggregations) and `_late_reason` (text). An aggregation row
 * whose sliding windows are late for several windows is reported once per late window.
 */
import { DeltaTable, deltaToArrowSchema, struct, type DataType, type Engine, type StructField, type StructType } from '@deltakit/core';
import { Vec, takeRows, vecToArrow } from '@deltakit/core/internal';
import { Data, RecordBatch, Struct } from 'apache-arrow';
import { batchRows, type Row } from '../api/rows.js';
import type { Analyzed } from '../plan/analyze.js';
import type { Logger } from '../util/logger.js';

/** What `onLateRows` is told with each call. */
export interface LateRowsInfo {
  readonly batchId: number;
  /** Spark's operator name: `stateStoreSave`, `dedupe`, `dedupeWithinWatermark`. */
  readonly operator: string;
  readonly operatorId: number;
  /** The late-events watermark of the batch (ms since the epoch) and as ISO text. */
  readonly watermarkMs: number;
  readonly watermark: string;
  readonly queryId: string;
}

export type LateRowsFunction = (rows: Row[], info: LateRowsInfo) => unknown | Promise<unknown>;

/** Where late rows go; at least one of the two. */
export interface LateRowsTarget {
  /** Store path (or URI) of the Delta table for late rows. */
  readonly path?: string;
  readonly callback?: LateRowsFunction;
}

const STRING: DataType = { kind: 'primitive', name: 'string' };
const LONG: DataType = { kind: 'primitive', name: 'long' };
const INT: DataType = { kind: 'primitive', name: 'integer' };
const TIMESTAMP: DataType = { kind: 'primitive', name: 'timestamp' };
const meta = (name: string, type: DataType, nullable = false): StructField => ({ name, type, nullable, metadata: {} });

/** The columns put before the row's own. */
export const LATE_ROW_FIELDS: readonly StructField[] = [
  meta('_late_operator', STRING),
  meta('_late_operator_id', INT),
  meta('_late_batch_id', LONG),
  meta('_late_watermark', TIMESTAMP),
  meta('_late_event_time', TIMESTAMP, true),
  meta('_late_reason', STRING),
];

interface OperatorLateRows {
  readonly operatorId: number;
  readonly operator: string;
  readonly schema: StructType;
  readonly batches: RecordBatch[];
  readonly eventTimes: (bigint | null)[];
  readonly reasons: string[];
}

/** Collects one batch's late rows, per operator. */
export class LateRowsCollector {
  readonly #byNode = new Map<Analyzed, OperatorLateRows>();
  constructor(
    readonly batchId: number,
    readonly watermarkMs: number,
    private readonly operatorOf: (node: Analyzed) => { id: number; name: string },
  ) {}

  /**
   * Rows `indices` of `batch` (the operator's input, `schema` its columns) were dropped as late;
   * `eventTimes[i]` (µs) is the time compared with the watermark and `reasons[i]` says why.
   */
  add(node: Analyzed, schema: StructType, batch: RecordBatch, indices: readonly number[], eventTimes: readonly (bigint | null)[], reasons: readonly string[]): void {
    if (indices.length === 0) return;
    let entry = this.#byNode.get(node);
    if (entry === undefined) {
      const op = this.operatorOf(node);
      entry = { operatorId: op.id, operator: op.name, schema, batches: [], eventTimes: [], reasons: [] };
      this.#byNode.set(node, entry);
    }
    entry.batches.push(takeRows(batch, Int32Array.from(indices)));
    entry.eventTimes.push(...eventTimes);
    entry.reasons.push(...reasons);
  }

  get isEmpty(): boolean {
    return this.#byNode.size === 0;
  }

  /** Per operator (in operator id order): the late rows with the metadata columns first. */
  *operators(): Generator<{ info: Omit<LateRowsInfo, 'queryId'>; schema: StructType; batch: RecordBatch }> {
    const entries = [...this.#byNode.values()].sort((a, b) => a.operatorId - b.operatorId);
    for (const e of entries) {
      const schema = struct([...LATE_ROW_FIELDS, ...e.schema.fields]);
      const arrow = deltaToArrowSchema(schema);
      const n = e.reasons.length;
      const wmMicros = BigInt(this.watermarkMs) * 1000n;
      const metaVecs = [
        Vec.fromValues(STRING, new Array<string>(n).fill(e.operator)),
        Vec.fromValues(INT, new Array<number>(n).fill(e.operatorId)),
        Vec.fromValues(LONG, new Array<bigint>(n).fill(BigInt(this.batchId))),
        Vec.fromValues(TIMESTAMP, new Array<bigint>(n).fill(wmMicros)),
        Vec.fromValues(TIMESTAMP, e.eventTimes),
        Vec.fromValues(STRING, e.reasons),
      ];
      const metaData = metaVecs.map((v, i) => vecToArrow(v, arrow.fields[i]!.type));
      const width = e.schema.fields.length;
      // The row columns, concatenated over the collected slices.
      const rowData: Data[] = [];
      for (let c = 0; c < width; c++) {
        const f = e.schema.fields[c]!;
        const values = e.batches.flatMap((b) => {
          const v = Vec.fromArrow(b.data.children[c]!, f.type);
          return Array.from({ length: b.numRows }, (_, r) => v.get(r));
        });
        rowData.push(vecToArrow(Vec.fromValues(f.type, values as never), arrow.fields[LATE_ROW_FIELDS.length + c]!.type));
      }
      const batch = new RecordBatch(arrow, new Data(new Struct(arrow.fields), 0, n, 0, undefined, [...metaData, ...rowData]) as Data<Struct>);
      yield { info: { batchId: this.batchId, operator: e.operator, operatorId: e.operatorId, watermarkMs: this.watermarkMs, watermark: new Date(this.watermarkMs).toISOString() }, schema, batch };
    }
  }
}

/** Hands a batch's late rows to the query's target (see the file comment for the guarantees). */
export class LateRowsSink {
  #table: DeltaTable | undefined;
  constructor(
    private readonly target: LateRowsTarget,
    private readonly engine: Engine,
    private readonly queryId: string,
    private readonly logger: Logger,
  ) {}

  async deliver(collected: LateRowsCollector, signal?: AbortSignal): Promise<number> {
    let total = 0;
    for (const { info, schema, batch } of collected.operators()) {
      total += batch.numRows;
      if (this.target.path !== undefined) {
        this.#table ??= DeltaTable.forPath(this.target.path, { engine: this.engine });
        const result = await this.#table.write(one(batch), {
          mode: 'append',
          mergeSchema: true,
          appTransaction: { appId: `${this.queryId}-late-${info.operatorId}`, version: BigInt(info.batchId) },
          commitOperation: { name: 'STREAMING UPDATE', parameters: { outputMode: 'Append', queryId: this.queryId, epochId: String(info.batchId), lateRowsOf: info.operator } },
          inputSchema: schema,
          ...(signal ? { signal } : {}),
        });
        if (result.skipped) this.logger.info({ batchId: info.batchId, operatorId: info.operatorId, table: this.target.path }, 'Late rows of this batch were already written');
      }
      if (this.target.callback !== undefined) await this.target.callback(batchRows(batch, schema), { ...info, queryId: this.queryId });
    }
    return total;
  }
}

async function* one(b: RecordBatch): AsyncGenerator<RecordBatch> {
  yield b;
}
