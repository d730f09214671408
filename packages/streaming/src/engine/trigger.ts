/**
 * Triggers, as Spark's: the default (the next batch as soon as data is there, polling every
 * `idlePollIntervalMs` when there is none), `processingTime` (batches start on multiples of the
 * interval since the epoch; a late batch is followed at once), `once` (one batch over everything
 * available, rate limits ignored, then stop) and `availableNow` (everything available at start,
 * in as many rate-limited batches as needed, then stop). `continuous` is refused.
 */
import { DeltaError } from '@deltakit/core';
import { parseDurationMs } from '../plan/durations.js';

export type Trigger =
  | { readonly kind: 'default' }
  | { readonly kind: 'processingTime'; readonly intervalMs: number }
  | { readonly kind: 'once' }
  | { readonly kind: 'availableNow' };

/** What `writeStream.trigger(...)` takes (PySpark's keyword arguments as an object). */
export interface TriggerSpec {
  readonly processingTime?: string | number;
  readonly once?: boolean;
  readonly availableNow?: boolean;
  readonly continuous?: string | number;
}

export function parseTrigger(spec: TriggerSpec | undefined): Trigger {
  if (spec === undefined) return { kind: 'default' };
  const given = (['processingTime', 'once', 'availableNow', 'continuous'] as const).filter((k) => spec[k] !== undefined && spec[k] !== false);
  if (given.length > 1) throw new DeltaError('INVALID_ARGUMENT', `Give one trigger, not ${given.join(' and ')}.`);
  if (spec.continuous !== undefined) {
    throw new DeltaError('UNSUPPORTED_OPERATION', "The continuous trigger is not supported. The default trigger (no trigger(...) call) starts the next micro-batch as soon as data arrives, with a latency of a few milliseconds per batch on local files, which is what continuous processing is for.", { details: { trigger: 'continuous' } });
  }
  if (spec.once) return { kind: 'once' };
  if (spec.availableNow) return { kind: 'availableNow' };
  if (spec.processingTime !== undefined) {
    const intervalMs = parseDurationMs(spec.processingTime, 'processingTime trigger interval');
    return intervalMs === 0 ? { kind: 'default' } : { kind: 'processingTime', intervalMs };
  }
  return { kind: 'default' };
}

/** When the next batch of a processingTime trigger may start, given the current time. */
export function nextBatchTime(nowMs: number, intervalMs: number): number {
  return Math.floor(nowMs / intervalMs) * intervalMs + intervalMs;
}
