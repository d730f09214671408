/**
 * Spark's UnsupportedOperationChecker for the operators this engine runs: a streaming plan with
 * an operator the engine cannot run incrementally is refused at `start()`, naming the operator
 * and the output mode, before any checkpoint is written.
 */
import { DeltaError } from '@deltakit/core';
import type { OutputMode } from '../sinks/sink.js';
import type { Analyzed } from './analyze.js';
import { eventTimeColumns, hasWatermark, keyEventTime } from './event-time.js';
import { hasEquiJoinKey, isWatermarkInJoinKeys, sideStateWatermark } from './join-conditions.js';

export function checkStreamingPlan(plan: Analyzed, outputMode: OutputMode): void {
  const refuse = (operator: string, why: string) => {
    throw new DeltaError('UNSUPPORTED_OPERATION', `${operator} is not supported on streaming DataFrames/Datasets in ${outputMode} output mode${why}.`, { details: { operator, outputMode } });
  };
  let aggregations = 0;
  const walk = (n: Analyzed): void => {
    switch (n.kind) {
      case 'scan':
        return;
      case 'aggregate':
        if (n.streaming) {
          aggregations++;
          if (containsStreamingAggregate(n.child)) refuse('Multiple streaming aggregations', '');
          if (n.keys.some((k) => k.session !== undefined)) checkSessionWindow(n, outputMode);
          const input = eventTimeColumns(n.child);
          const eventKey = n.keys.some((k) => keyEventTime(k.expr, input) !== undefined);
          if (outputMode === 'append' && !eventKey) {
            refuse('Append output mode', ' when there are streaming aggregations without a watermark: an aggregate is emitted in append mode once the watermark passes its window, so group by window(...) (or the event-time column) of a column given to withWatermark, or use update or complete output mode');
          }
        }
        return walk(n.child);
      case 'dedup':
        if (n.streaming) {
          if (n.withinWatermark && !hasWatermark(n.child)) refuse('dropDuplicatesWithinWatermark', ' without a watermark: call withWatermark(eventTimeColumn, delay) before it, since the state of each key is kept until the watermark passes the event time plus the delay');
        }
        return walk(n.child);
      case 'groupState':
        if (n.streaming) {
          if (outputMode === 'complete') refuse('flatMapGroupsWithState', '; use append or update');
          if (n.spec.outputMode === 'append' && outputMode === 'update') refuse('flatMapGroupsWithState with the function in append mode', '; give the function outputMode update, or run the query in append mode');
          if (n.spec.outputMode === 'update' && outputMode === 'append') refuse('flatMapGroupsWithState with the function in update mode', '; give the function outputMode append, or run the query in update mode');
          if (n.spec.timeout === 'EventTimeTimeout' && !n.hasWatermark) refuse('flatMapGroupsWithState with EventTimeTimeout', ' without a watermark: call withWatermark before groupBy');
        }
        return walk(n.child);
      case 'sort':
        // As Spark: sorting a stream is possible only on an aggregated result in complete mode.
        if (n.streaming && !(outputMode === 'complete' && containsStreamingAggregate(n.child))) refuse('Sorting', ' unless it is on an aggregated DataFrame in complete output mode');
        return walk(n.child);
      case 'limit':
        if (n.streaming && outputMode === 'update') refuse('Limit', '; use append or complete');
        return walk(n.child);
      case 'join':
        if (n.left.streaming && n.right.streaming) checkStreamStreamJoin(n, outputMode);
        else if (n.right.streaming && !n.left.streaming) refuse(`A ${n.how} join with a streaming DataFrame on the right`, '; put the stream on the left');
        else if (n.left.streaming && !['inner', 'left_outer', 'left_semi', 'left_anti', 'cross'].includes(n.how)) refuse(`A ${n.how} join between a streaming and a batch DataFrame`, '; use inner or left_outer with the stream on the left');
        walk(n.left);
        return walk(n.right);
      case 'union':
        for (const c of n.children) walk(c);
        return;
      default:
        return walk(n.child);
    }
  };
  walk(plan);
  if (outputMode === 'complete' && aggregations === 0) {
    refuse('Complete output mode', ' when there are no streaming aggregations: complete mode rewrites the whole result every batch, which needs an aggregation; use append');
  }
}

/**
 * Spark's rules for a streaming session window: other grouping keys are needed ("Global
 * aggregation with session window in streaming query is not supported") and update mode is
 * refused; append needs a watermark on the time column (checked with the other aggregations).
 */
function checkSessionWindow(n: Extract<Analyzed, { kind: 'aggregate' }>, outputMode: OutputMode): void {
  if (n.keys.length === 1) {
    throw new DeltaError('UNSUPPORTED_OPERATION', 'Global aggregation with session window in streaming query is not supported: group by sessionWindow(...) and at least one other column (the session key, e.g. a user id).', { details: { operator: 'SessionWindow', outputMode } });
  }
  if (outputMode === 'update') {
    throw new DeltaError('UNSUPPORTED_OPERATION', 'Update output mode not supported for session window on streaming DataFrames/DataSets: a session can still merge with later ones, so its changed rows are not final; use append output mode (with withWatermark on the time column) or complete.', { details: { operator: 'SessionWindow', outputMode } });
  }
}

function containsStreamingAggregate(n: Analyzed): boolean {
  if (n.kind === 'aggregate' && n.streaming) return true;
  if (n.kind === 'scan') return false;
  const kids = n.kind === 'union' ? n.children : n.kind === 'join' ? [n.left, n.right] : [n.child];
  return kids.some(containsStreamingAggregate);
}

const SPARK_JOIN_NAMES: Record<string, string> = { inner: 'Inner', left_outer: 'LeftOuter', right_outer: 'RightOuter', full_outer: 'FullOuter', left_semi: 'LeftSemi', left_anti: 'LeftAnti', cross: 'Cross' };

/** Spark's checks of a join between two streams (UnsupportedOperationChecker and the join planner). */
function checkStreamStreamJoin(n: Extract<Analyzed, { kind: 'join' }>, outputMode: OutputMode): void {
  const name = SPARK_JOIN_NAMES[n.how] ?? n.how;
  const fail = (message: string): never => {
    throw new DeltaError('UNSUPPORTED_OPERATION', message, { details: { operator: 'StreamingSymmetricHashJoin', joinType: n.how, outputMode } });
  };
  if (outputMode !== 'append') {
    fail(`${name} join between two streaming DataFrames/Datasets is not supported in ${outputMode} output mode, only in Append output mode: a joined row is final once output. Use append output mode.`);
  }
  if (n.how === 'left_anti') fail('Left anti joins with a streaming DataFrame/Dataset on the right are not supported. Join the stream with a batch DataFrame instead.');
  const settings = { timeZone: 'UTC' };
  if (n.how === 'cross' || !hasEquiJoinKey(n, settings)) {
    fail('Stream-stream join without equality predicate is not supported: the state of each side is looked up by the equi-join key. Add an equality between a column of each side (e.g. l.id = r.id) to the condition.');
  }
  if (n.how === 'inner') return;
  if (isWatermarkInJoinKeys(n, settings)) return;
  // Any watermark value tells whether the condition bounds the state (Spark uses 1000000).
  const bounded = (side: 'left' | 'right') => sideStateWatermark(n, side, 1_000_000) !== undefined;
  const ok = n.how === 'left_outer' || n.how === 'left_semi' ? bounded('left') : n.how === 'right_outer' ? bounded('right') : bounded('left') || bounded('right');
  if (!ok) {
    fail(`Stream-stream ${name} join between two streaming DataFrame/Datasets is not supported without a watermark in the join keys, or a watermark on the nullable side and an appropriate range condition: unmatched rows are output only when the watermark proves no match can come. Call withWatermark on the ${n.how === 'right_outer' ? 'left' : n.how === 'full_outer' ? 'other' : 'right'} side and join on a window of the event time, or add a range condition such as l.time BETWEEN r.time - INTERVAL 10 MINUTES AND r.time + INTERVAL 10 MINUTES.`);
  }
}
