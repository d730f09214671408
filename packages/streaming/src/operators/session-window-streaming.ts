/**
 * Streaming session windows, as Spark's SessionWindowStateStoreRestoreExec, MergingSessionsExec
 * and SessionWindowStateStoreSaveExec (operator name `sessionWindowStateStoreSaveExec`).
 *
 * State (Spark's StreamingSessionWindowStateManager v1 layout): one entry per session, keyed by
 * the other grouping keys then `sessionStartTime`; the value is `sessionEndTime` then each
 * aggregate's partial state as JSON text (`a<i>:<kind>`, as streaming-aggregate.ts). The other
 * keys are a prefix of the state key, so a group's sessions are read with `prefixScan`; when a
 * batch touches many groups they are read in one pass over the store instead (the memory
 * provider's prefix scan walks every entry). `numRowsTotal` is thus the number of sessions.
 *
 * Per batch:
 * - rows in no session are dropped (see session-window.ts); with a watermark on the time column,
 *   rows whose own session `[time, time + gap)` ends at or before the late-events watermark are
 *   dropped and counted (`numRowsDroppedByWatermark`, counted in rows, Spark's default of not
 *   merging sessions before the shuffle);
 * - the batch's rows are merged into sessions, then with the stored sessions of their group
 *   (`start <= end` merges); each such group's sessions are all written back (`numRowsUpdated`
 *   counts them, as Spark's putRows) and stored sessions merged away are removed
 *   (`numRowsRemoved`);
 * - append: sessions whose end is at or before the eviction watermark are emitted once and
 *   removed (`numRowsRemoved`); complete: every session, each batch. Update is refused (Spark:
 *   "Update output mode not supported for session window"), at start by plan/unsupported.ts.
 * Aggregates merge in session-start order: a stored session's state and a batch run's state are
 * folded in the order of their starts (first/last follow that order, as Spark's sort does).
 */
import { DeltaError, struct, type DataType, type StructField } from '@deltakit/core';
import { Vec } from '@deltakit/core/internal';
import type { RecordBatch } from 'apache-arrow';
import type { StatefulBatch, StatefulOperator } from '../engine/stateful.js';
import type { Analyzed } from '../plan/analyze.js';
import { eventTimeColumns, keyEventTime } from '../plan/event-time.js';
import type { StateEntry } from '../state/state-store.js';
import type { StateRow, StateValue } from '../state/row-codec.js';
import type { Accumulator, PartialState } from './aggregates/accumulator.js';
import { createAccumulator } from './aggregates/registry.js';
import { keyText } from './aggregates/values.js';
import type { ExecContext } from './context.js';
import { SessionWindowing, sessionOutput, sessionRuns } from './session-window.js';

type AggregateNode = Extract<Analyzed, { kind: 'aggregate' }>;

const STRING: DataType = { kind: 'primitive', name: 'string' };
/** Up to this many groups in a batch, each group's sessions are read by prefix scan; beyond, in one pass. */
const PREFIX_SCAN_GROUPS = 16;

const field = (name: string, type: DataType): StructField => ({ name, type, nullable: true, metadata: {} });

/** Whether a streaming aggregate groups by a session window. */
export function isSessionAggregate(node: AggregateNode): boolean {
  return node.keys.some((k) => k.session !== undefined);
}

/** The state schemas: the other keys plus `sessionStartTime`; `sessionEndTime` plus one JSON text per aggregate. */
export function sessionWindowStateOperator(node: AggregateNode): StatefulOperator {
  const session = node.keys.find((k) => k.session !== undefined)!;
  const timeType = session.session!.timeType;
  const keySchema = struct([...node.keys.filter((k) => k !== session).map((k) => field(k.name, k.type)), field('sessionStartTime', timeType)]);
  const valueSchema = struct([field('sessionEndTime', timeType), ...node.aggregates.map((a, i) => field(`a${i}:${a.spec.kind}`, STRING))]);
  return { node, name: 'sessionWindowStateStoreSaveExec', keySchema, valueSchema };
}

/** A session of one group while merging: stored (with its states) or a run of this batch's rows. */
type Part = { readonly start: number; readonly end: number; readonly stored?: StateEntry; readonly run?: number };

export async function* streamingSessionAggregate(node: AggregateNode, input: AsyncIterable<RecordBatch>, ctx: ExecContext, state: StatefulBatch): AsyncGenerator<RecordBatch> {
  if (state.outputMode === 'update') {
    throw new DeltaError('UNSUPPORTED_OPERATION', 'Update output mode not supported for session window on streaming DataFrames/DataSets; use append (with a watermark) or complete.', { details: { operator: 'SessionWindow', outputMode: 'update' } });
  }
  const store = state.store(node);
  const counts = state.counts(node);
  const w = new SessionWindowing(node, ctx);
  const k = w.otherKeys.length;
  const eventTime = keyEventTime(node.keys[w.sessionIndex]!.expr, eventTimeColumns(node.child)) !== undefined;
  const late = state.lateEventsWatermarkMs * 1000;
  const evict = state.evictionWatermarkMs * 1000;

  const t0 = performance.now();
  const { rows, late: dropped } = await w.collect(input, eventTime ? (end) => end <= late : undefined);
  counts.numRowsDroppedByWatermark += dropped;
  if (rows.length > 0) {
    const { runOf, runs } = sessionRuns(rows);
    const args = w.args(rows.batch!);
    const batchAccs = node.aggregates.map((a, i) => {
      const acc = createAccumulator(a.spec);
      acc.grow(runs.length);
      acc.update(runOf, args[i]!, rows.length);
      return acc;
    });
    const keyVecs = w.table.keyVecs();
    const groups = w.table.size;
    const keyRows: StateRow[] = [];
    for (let g = 0; g < groups; g++) keyRows.push(keyVecs.map((v) => v.get(g) as StateValue));
    const stored = storedSessions(store, keyRows, k);
    // Runs are sorted by group: merge each group's runs with its stored sessions.
    const merged: { group: number; start: number; end: number; parts: Part[] }[] = [];
    for (let i = 0; i < runs.length; ) {
      const g = runs[i]!.group;
      const parts: Part[] = [];
      for (; i < runs.length && runs[i]!.group === g; i++) parts.push({ start: runs[i]!.start, end: runs[i]!.end, run: i });
      for (const e of stored[g]!) parts.push({ start: Number(e.key[k] as bigint), end: Number(e.value[0] as bigint), stored: e });
      parts.sort((a, b) => a.start - b.start || (a.stored ? 0 : 1) - (b.stored ? 0 : 1));
      let cur: (typeof merged)[number] | undefined;
      for (const p of parts) {
        if (cur === undefined || p.start > cur.end) {
          cur = { group: g, start: p.start, end: p.end, parts: [p] };
          merged.push(cur);
        } else {
          cur.parts.push(p);
          if (p.end > cur.end) cur.end = p.end;
        }
      }
    }
    const finals: Accumulator[] = node.aggregates.map((a) => {
      const acc = createAccumulator(a.spec);
      acc.grow(merged.length);
      return acc;
    });
    for (let m = 0; m < merged.length; m++) {
      for (const p of merged[m]!.parts) {
        for (let a = 0; a < finals.length; a++) {
          const s = p.stored !== undefined ? (JSON.parse(p.stored.value[1 + a] as string) as PartialState) : batchAccs[a]!.save(p.run!);
          finals[a]!.load(m, s);
        }
      }
    }
    // Spark's putRows: every session of a touched group is put; stored starts no longer present are removed.
    const kept = new Set<string>();
    for (let m = 0; m < merged.length; m++) {
      const s = merged[m]!;
      const key = [...keyRows[s.group]!, BigInt(s.start)];
      kept.add(`${s.group}:${s.start}`);
      store.put(key, [BigInt(s.end), ...finals.map((acc) => JSON.stringify(acc.save(m)))]);
      counts.numRowsUpdated++;
    }
    for (let g = 0; g < groups; g++) {
      for (const e of stored[g]!) {
        if (kept.has(`${g}:${Number(e.key[k] as bigint)}`)) continue;
        store.remove(e.key);
        counts.numRowsRemoved++;
      }
    }
  }
  counts.allUpdatesTimeMs += performance.now() - t0;

  const out: StateEntry[] = [];
  const r0 = performance.now();
  if (state.outputMode === 'complete') {
    for (const e of store.iterator()) out.push(e);
  } else if (eventTime) {
    for (const e of store.iterator()) {
      if (Number(e.value[0] as bigint) <= evict) {
        out.push(e);
        store.remove(e.key);
        counts.numRowsRemoved++;
      }
    }
  }
  counts.allRemovalsTimeMs += performance.now() - r0;
  yield* entriesOutput(node, w, out);
}

/** Each group's stored sessions (entries), by prefix scan or one pass over the store. */
function storedSessions(store: ReturnType<StatefulBatch['store']>, keyRows: readonly StateRow[], k: number): StateEntry[][] {
  const out: StateEntry[][] = keyRows.map(() => []);
  if (keyRows.length <= PREFIX_SCAN_GROUPS) {
    for (let g = 0; g < keyRows.length; g++) for (const e of store.prefixScan(keyRows[g]!)) out[g]!.push(e);
    return out;
  }
  const text = (row: StateRow) => row.slice(0, k).map((v) => keyText(v as never)).join('\u0001');
  const byText = new Map<string, number>();
  for (let g = 0; g < keyRows.length; g++) byText.set(text(keyRows[g]!), g);
  for (const e of store.iterator()) {
    const g = byText.get(text(e.key));
    if (g !== undefined) out[g]!.push(e);
  }
  return out;
}

/** Stored sessions as output batches of the aggregate's schema. */
function* entriesOutput(node: AggregateNode, w: SessionWindowing, entries: readonly StateEntry[]): Generator<RecordBatch> {
  const n = entries.length;
  if (n === 0) return;
  const k = w.otherKeys.length;
  const others = w.otherKeys.map((key, i) => Vec.fromValues(key.type, entries.map((e) => e.key[i] as never)));
  const starts = entries.map((e) => Number(e.key[k] as bigint));
  const ends = entries.map((e) => Number(e.value[0] as bigint));
  const values = node.aggregates.map((a, i) => {
    const acc = createAccumulator(a.spec);
    acc.grow(n);
    for (let r = 0; r < n; r++) acc.load(r, JSON.parse(entries[r]!.value[1 + i] as string) as PartialState);
    return acc.finish(n);
  });
  yield* sessionOutput(node, w.sessionIndex, others, starts, ends, values);
}
