/**
 * Arbitrary stateful processing, Spark's `flatMapGroupsWithState` / `mapGroupsWithState` (and
 * PySpark's `applyInPandasWithState`): a function is called once per key that has new rows in a
 * micro-batch (rows in arrival order), and once for each key whose timeout expired, with a
 * {@link GroupState} holding a user value that the engine keeps in the checkpointed state store.
 *
 * Timeouts, as Spark's GroupStateTimeout: `NoTimeout`; `ProcessingTimeTimeout`
 * (`setTimeoutDuration`, measured from the batch's processing time); `EventTimeTimeout`
 * (`setTimeoutTimestamp`, fired when the watermark passes it; needs `withWatermark`). A call for
 * an expired key has no rows and `hasTimedOut` true; the timeout must be set again to keep it.
 */
import { Buffer } from 'node:buffer';
import { DeltaError, parseSchemaArgument, type StructType } from '@deltakit/core';
import { parseDurationMs } from '../plan/durations.js';
import type { Row } from './rows.js';

export type GroupStateTimeout = 'NoTimeout' | 'ProcessingTimeTimeout' | 'EventTimeTimeout';

export type GroupStateFunction<S> = (key: Row, rows: readonly Row[], state: GroupState<S>) => Iterable<Row> | Promise<Iterable<Row>>;

export interface GroupStateOptions {
  /** The rows the function returns: DDL text or a StructType. */
  readonly outputSchema: string | StructType;
  /** Spark's function output mode: append (rows are final) or update (rows are the latest per key). Default update. */
  readonly outputMode?: 'append' | 'update';
  readonly timeout?: GroupStateTimeout;
}

/** @internal What the plan keeps. */
export interface GroupStateSpec {
  readonly fn: GroupStateFunction<unknown>;
  readonly outputSchema: StructType;
  readonly outputMode: 'append' | 'update';
  readonly timeout: GroupStateTimeout;
}

export function groupStateSpec<S>(fn: GroupStateFunction<S>, options: GroupStateOptions): GroupStateSpec {
  if (typeof fn !== 'function') throw new DeltaError('INVALID_ARGUMENT', 'flatMapGroupsWithState takes a function (key, rows, state) => rows.');
  const timeout = options.timeout ?? 'NoTimeout';
  if (!['NoTimeout', 'ProcessingTimeTimeout', 'EventTimeTimeout'].includes(timeout)) {
    throw new DeltaError('INVALID_ARGUMENT', `Unknown timeout '${timeout}'. Use NoTimeout, ProcessingTimeTimeout or EventTimeTimeout.`);
  }
  const outputSchema = typeof options.outputSchema === 'string' ? parseSchemaArgument(options.outputSchema) : options.outputSchema;
  return { fn: fn as GroupStateFunction<unknown>, outputSchema, outputMode: options.outputMode ?? 'update', timeout };
}

/** The state of one key during one call, as Spark's GroupState. */
export class GroupState<S> {
  #value: S | undefined;
  #exists: boolean;
  #updated = false;
  #removed = false;
  #timeoutMs: number | undefined;
  readonly #timedOut: boolean;
  readonly #timeout: GroupStateTimeout;
  readonly #batchTimestampMs: number;
  readonly #watermarkMs: number | undefined;

  /** @internal */
  constructor(init: { value: S | undefined; exists: boolean; timedOut: boolean; timeout: GroupStateTimeout; batchTimestampMs: number; watermarkMs: number | undefined }) {
    this.#value = init.value;
    this.#exists = init.exists;
    this.#timedOut = init.timedOut;
    this.#timeout = init.timeout;
    this.#batchTimestampMs = init.batchTimestampMs;
    this.#watermarkMs = init.watermarkMs;
  }

  get exists(): boolean {
    return this.#exists;
  }

  /** The value; throws when there is none (check `exists`, or use `getOption`). */
  get(): S {
    if (!this.#exists) throw new DeltaError('INVALID_ARGUMENT', 'This key has no state yet: check state.exists or use state.getOption() before state.get().');
    return this.#value as S;
  }

  getOption(): S | undefined {
    return this.#exists ? this.#value : undefined;
  }

  update(value: S): void {
    if (value === undefined || value === null) throw new DeltaError('INVALID_ARGUMENT', 'state.update() needs a value; use state.remove() to drop the state.');
    this.#value = value;
    this.#exists = true;
    this.#updated = true;
    this.#removed = false;
  }

  remove(): void {
    this.#value = undefined;
    this.#exists = false;
    this.#removed = true;
    this.#updated = false;
  }

  get hasTimedOut(): boolean {
    return this.#timedOut;
  }

  /** ProcessingTimeTimeout: time out `duration` after this batch's processing time ('10 minutes' or ms). */
  setTimeoutDuration(duration: string | number): void {
    if (this.#timeout !== 'ProcessingTimeTimeout') throw new DeltaError('UNSUPPORTED_OPERATION', `setTimeoutDuration needs timeout ProcessingTimeTimeout; this query uses ${this.#timeout}.`);
    this.#timeoutMs = this.#batchTimestampMs + parseDurationMs(duration, 'timeout duration');
  }

  /** EventTimeTimeout: time out when the watermark passes `timestampMs` (plus an optional duration). */
  setTimeoutTimestamp(timestampMs: number | Date, additional?: string): void {
    if (this.#timeout !== 'EventTimeTimeout') throw new DeltaError('UNSUPPORTED_OPERATION', `setTimeoutTimestamp needs timeout EventTimeTimeout; this query uses ${this.#timeout}.`);
    const ms = (timestampMs instanceof Date ? timestampMs.getTime() : timestampMs) + (additional === undefined ? 0 : parseDurationMs(additional, 'timeout duration'));
    if (this.#watermarkMs !== undefined && ms <= this.#watermarkMs) {
      throw new DeltaError('INVALID_ARGUMENT', `The timeout timestamp ${new Date(ms).toISOString()} is not after the current watermark ${new Date(this.#watermarkMs).toISOString()}; it would never fire.`);
    }
    this.#timeoutMs = ms;
  }

  getCurrentWatermarkMs(): number {
    if (this.#watermarkMs === undefined) throw new DeltaError('UNSUPPORTED_OPERATION', 'getCurrentWatermarkMs needs a watermark: call withWatermark before groupBy.');
    return this.#watermarkMs;
  }

  getCurrentProcessingTimeMs(): number {
    return this.#batchTimestampMs;
  }

  /** @internal What the call left: the value to keep (undefined to drop) and its timeout. */
  outcome(): { keep: boolean; value: S | undefined; timeoutMs: number | undefined; changed: boolean } {
    return { keep: this.#exists && !this.#removed, value: this.#value, timeoutMs: this.#timeoutMs, changed: this.#updated || this.#removed };
  }
}

/** State values in the store: JSON with bigints, Dates and byte arrays tagged so they come back as they were. */
export function encodeStateValue(v: unknown): string {
  return JSON.stringify(v, function (this: Record<string, unknown>, k: string, x: unknown) {
    const raw = this[k];
    if (typeof raw === 'bigint') return { $bigint: raw.toString() };
    if (raw instanceof Date) return { $date: raw.getTime() };
    if (raw instanceof Uint8Array) return { $bytes: Buffer.from(raw).toString('base64') };
    if (raw instanceof Map) return { $map: [...raw.entries()] };
    return x;
  });
}

export function decodeStateValue(text: string): unknown {
  return JSON.parse(text, (_k, x: unknown) => {
    if (x !== null && typeof x === 'object' && !Array.isArray(x)) {
      const o = x as Record<string, unknown>;
      const keys = Object.keys(o);
      if (keys.length === 1) {
        if (typeof o.$bigint === 'string') return BigInt(o.$bigint);
        if (typeof o.$date === 'number') return new Date(o.$date);
        if (typeof o.$bytes === 'string') return new Uint8Array(Buffer.from(o.$bytes, 'base64'));
        if (Array.isArray(o.$map)) return new Map(o.$map as [unknown, unknown][]);
      }
    }
    return x;
  });
}
