/**
 * `readStream.format('rate')`: Spark's rate source, for demos, load tests and tests. Rows
 * `timestamp TIMESTAMP, value LONG`; `value` counts up from 0.
 *
 * Options (case-insensitive): `rowsPerSecond` (default 1, positive), `rampUpTime` (default 0s;
 * `5s`, `2 minutes`, or a number of seconds; whole seconds count, as Spark truncates), and
 * `numPartitions` (default 1: each batch's rows come as that many record batches, value ranges in
 * order). A user-specified schema is refused.
 *
 * Offsets are whole seconds since the source's start time (Spark's `LongOffset`). The start time
 * is taken from `engine.clock` on the first run and stored in `<checkpoint>/sources/<n>/0` as
 * `v1\n<startTimeMs>`, so every later run (and a replayed batch) derives the same rows for the
 * same offsets: the values of second `s` end at `valueAtSecond(s)` (speed rises linearly during
 * the ramp-up, then stays at `rowsPerSecond`), and the rows of `(start, end]` are the values
 * `[valueAtSecond(start), valueAtSecond(end))` with timestamps spread evenly over those seconds
 * (`startTime + start·1000 + round((v − first) · ms per value)`), exactly as Spark computes them.
 * No batch is planned before the first row exists (Spark runs an empty batch 0).
 */
import { DeltaError, parseDdlSchema, type StructType } from '@deltakit/core';
import { deltaToArrowSchema } from '@deltakit/core/internal';
import { Int64, RecordBatch, Struct, TimestampMicrosecond, makeData, type Schema } from 'apache-arrow';
import { parseDurationMs } from '../plan/durations.js';
import { option, type ResolvedRelation, type SourceProvider, type StreamContext, type StreamSource } from './source.js';

export const RATE_SCHEMA: StructType = parseDdlSchema('timestamp TIMESTAMP, value LONG');
const VERSION = 1;
/** Rows per record batch at most, within one partition. */
const MAX_BATCH_ROWS = 1 << 16;

export interface RateOptions {
  readonly rowsPerSecond: bigint;
  readonly rampUpTimeSeconds: bigint;
  readonly numPartitions: number;
}

/** Spark's `valueAtSecond`: the end value (exclusive) emitted by second `seconds`. */
export function valueAtSecond(seconds: bigint, rowsPerSecond: bigint, rampUpTimeSeconds: bigint): bigint {
  const speedDeltaPerSecond = rowsPerSecond / (rampUpTimeSeconds + 1n);
  if (seconds <= rampUpTimeSeconds) return (speedDeltaPerSecond * seconds * (seconds + 1n)) / 2n;
  return valueAtSecond(rampUpTimeSeconds, rowsPerSecond, rampUpTimeSeconds) + (seconds - rampUpTimeSeconds) * rowsPerSecond;
}

export function parseRateOptions(options: Readonly<Record<string, string>>): RateOptions {
  const bad = (key: string, value: string, must: string) => new DeltaError('INVALID_ARGUMENT', `Invalid value '${value}' for the rate source option '${key}': it ${must}.`, { details: { option: key, value } });
  const rps = option(options, 'rowsPerSecond') ?? '1';
  if (!/^\d+$/.test(rps.trim()) || BigInt(rps.trim()) <= 0n) throw bad('rowsPerSecond', rps, 'must be a positive integer');
  const ramp = option(options, 'rampUpTime') ?? '0s';
  let rampSeconds: number;
  if (/^\s*\d+\s*$/.test(ramp)) rampSeconds = Number(ramp);
  else {
    try {
      rampSeconds = Math.floor(parseDurationMs(ramp, 'rampUpTime') / 1000);
    } catch {
      throw bad('rampUpTime', ramp, "must be a duration such as '5s' or '2 minutes', not negative");
    }
  }
  const parts = option(options, 'numPartitions') ?? '1';
  if (!/^\d+$/.test(parts.trim()) || Number(parts) <= 0) throw bad('numPartitions', parts, 'must be a positive integer');
  return { rowsPerSecond: BigInt(rps.trim()), rampUpTimeSeconds: BigInt(rampSeconds), numPartitions: Number(parts) };
}

export class RateStreamSource implements StreamSource<number> {
  readonly description: string;
  readonly #arrow: Schema = deltaToArrowSchema(RATE_SCHEMA);
  #lastTimeMs: number;

  private constructor(
    private readonly ctx: StreamContext,
    private readonly options: RateOptions,
    readonly startTimeMs: number,
  ) {
    this.description = `RateStreamV2[rowsPerSecond=${options.rowsPerSecond}, rampUpTimeSeconds=${options.rampUpTimeSeconds}, numPartitions=${options.numPartitions}]`;
    this.#lastTimeMs = startTimeMs;
  }

  /** Opens the source, reading (or on the first run, recording) its start time. */
  static async open(ctx: StreamContext, options: RateOptions): Promise<RateStreamSource> {
    const path = `${ctx.metadataPath}/0`;
    const store = ctx.engine.store;
    const now = ctx.engine.clock.nowMs();
    const created = await store.putIfAbsent(path, new TextEncoder().encode(`v${VERSION}\n${now}`));
    let start = now;
    if (!created.created) {
      const text = new TextDecoder().decode(await store.get(path));
      const m = /^v(\d+)\n(-?\d+)$/.exec(text.trim());
      if (!m || Number(m[1]) > VERSION) throw new DeltaError('CORRUPT_CHECKPOINT', `${path} is not a rate source start time ('v1' then milliseconds). Restore it or use a new checkpoint location.`, { details: { path } });
      start = Number(m[2]);
    }
    return new RateStreamSource(ctx, options, start);
  }

  async latestOffset(): Promise<number | undefined> {
    const now = this.ctx.engine.clock.nowMs();
    if (this.#lastTimeMs < now) this.#lastTimeMs = now; // monotonic when the clock runs backward
    const seconds = Math.floor((this.#lastTimeMs - this.startTimeMs) / 1000);
    const { rowsPerSecond, rampUpTimeSeconds } = this.options;
    return valueAtSecond(BigInt(seconds), rowsPerSecond, rampUpTimeSeconds) === 0n ? undefined : seconds;
  }

  async *getBatch(start: number | undefined, end: number, signal?: AbortSignal): AsyncIterable<RecordBatch> {
    const startSeconds = start ?? 0;
    if (startSeconds > end) throw new DeltaError('INTERNAL', `The rate source was asked for seconds ${startSeconds} to ${end}; the start is after the end.`);
    // A replayed batch after a restart: later offsets must not go back before it.
    this.#lastTimeMs = Math.max(this.#lastTimeMs, this.startTimeMs + end * 1000);
    const { rowsPerSecond, rampUpTimeSeconds, numPartitions } = this.options;
    const first = valueAtSecond(BigInt(startSeconds), rowsPerSecond, rampUpTimeSeconds);
    const last = valueAtSecond(BigInt(end), rowsPerSecond, rampUpTimeSeconds);
    const total = Number(last - first);
    if (total === 0) return;
    const localStartMs = this.startTimeMs + startSeconds * 1000;
    const msPerValue = ((end - startSeconds) * 1000) / total;
    for (let p = 0; p < numPartitions; p++) {
      const from = Math.floor((total * p) / numPartitions);
      const to = Math.floor((total * (p + 1)) / numPartitions);
      for (let lo = from; lo < to; lo += MAX_BATCH_ROWS) {
        signal?.throwIfAborted();
        const n = Math.min(MAX_BATCH_ROWS, to - lo);
        const ts = new BigInt64Array(n);
        const values = new BigInt64Array(n);
        for (let i = 0; i < n; i++) {
          const rel = lo + i;
          values[i] = first + BigInt(rel);
          ts[i] = BigInt(localStartMs + Math.round(rel * msPerValue)) * 1000n;
        }
        const children = [makeData({ type: new TimestampMicrosecond('UTC'), length: n, nullCount: 0, data: ts }), makeData({ type: new Int64(), length: n, nullCount: 0, data: values })];
        yield new RecordBatch(this.#arrow, makeData({ type: new Struct(this.#arrow.fields), length: n, nullCount: 0, children }));
      }
    }
  }

  async commit(): Promise<void> {}
  serialize(o: number): string {
    return String(o);
  }
  deserialize(json: string): number {
    const n = Number(json);
    if (!Number.isSafeInteger(n) || n < 0) throw new DeltaError('CORRUPT_CHECKPOINT', `A rate source offset must be a whole number of seconds, found ${json}.`);
    return n;
  }
  sameOffset(a: number, b: number): boolean {
    return a === b;
  }
  async stop(): Promise<void> {}
}

export const rateProvider: SourceProvider = {
  formats: ['rate'],
  async resolve(spec, streaming): Promise<ResolvedRelation> {
    if (spec.schema !== undefined) throw new DeltaError('INVALID_ARGUMENT', 'The rate source does not support a user-specified schema: its columns are always timestamp TIMESTAMP, value LONG. Remove .schema(...).');
    const options = parseRateOptions(spec.options);
    if (!streaming) throw new DeltaError('UNSUPPORTED_OPERATION', "The rate source can only be read as a stream: use readStream.format('rate').");
    return { kind: 'rate', schema: RATE_SCHEMA, hidden: [], openStream: (ctx) => RateStreamSource.open(ctx, options) };
  },
};
