/**
 * `StreamingQuery`: the handle of a running query, as Spark's. `id` comes from the checkpoint
 * (stable across restarts), `runId` is new on every start. The loop runs in the background;
 * `stop()` (or the `signal` given to `start`) ends it between or inside a batch: an interrupted
 * batch leaves no commit record, so a restart runs it again with the same offsets.
 */
import { DeltaError, isDeltaError } from '@deltakit/core';
import { streams } from '../engine/listeners.js';
import { isCancellation, MicroBatchExecution, type ExecutionSettings } from '../engine/micro-batch.js';
import { isoTimestamp, type StreamingQueryProgress, type StreamingQueryStatus } from '../engine/progress.js';
import type { StreamSource } from '../sources/source.js';

/** Progress objects kept in `recentProgress` (Spark's `spark.sql.streaming.numRecentProgressUpdates`). */
const RECENT_PROGRESS = 100;

export class StreamingQuery {
  readonly id: string;
  readonly runId: string;
  readonly name: string | null;
  readonly #settings: ExecutionSettings;
  readonly #controller = new AbortController();
  readonly #execution: MicroBatchExecution;
  readonly #done: Promise<void>;
  readonly #progress: StreamingQueryProgress[] = [];
  #status: StreamingQueryStatus = { message: 'Initializing sources', isDataAvailable: false, isTriggerActive: false };
  #active = true;
  #error: DeltaError | null = null;
  #triggerSeq = 0;
  #waiters: { after: number; resolve: () => void; reject: (e: unknown) => void }[] = [];

  /** @internal Created by `DataStreamWriter.start()`. */
  constructor(settings: ExecutionSettings, signal?: AbortSignal) {
    this.id = settings.queryId;
    this.runId = settings.runId;
    this.name = settings.name;
    this.#settings = settings;
    if (!streams.register(this)) {
      throw new DeltaError('CONCURRENT_QUERY', `A query with id ${this.id} (checkpoint ${settings.checkpoint}) is already running in this process. Stop it first, or give this query its own checkpointLocation.`, { details: { id: this.id } });
    }
    signal?.addEventListener('abort', () => void this.stop(), { once: true });
    this.#execution = new MicroBatchExecution(settings, {
      progress: (p) => this.#onProgress(p),
      idle: () => this.#onIdle(),
      status: (message, isDataAvailable, isTriggerActive) => {
        if (message === 'Getting offsets from sources') this.#triggerSeq++;
        this.#status = { message, isDataAvailable, isTriggerActive };
      },
    });
    for (const s of settings.sources) s.stream.onDataAvailable?.(() => this.#execution.wake());
    this.#post('onQueryStarted', { id: this.id, runId: this.runId, name: this.name, timestamp: isoTimestamp(this.#now()) });
    this.#done = this.#run();
  }

  get isActive(): boolean {
    return this.#active;
  }

  get status(): StreamingQueryStatus {
    return this.#status;
  }

  get lastProgress(): StreamingQueryProgress | null {
    return this.#progress.at(-1) ?? null;
  }

  get recentProgress(): StreamingQueryProgress[] {
    return [...this.#progress];
  }

  /** The failure that stopped the query, or null. */
  exception(): DeltaError | null {
    return this.#error;
  }

  /**
   * Waits for the query to end: resolves when it stopped (true with a timeout: whether it ended
   * in time), rejects with the failure when a batch failed.
   */
  async awaitTermination(timeoutMs?: number): Promise<boolean> {
    if (timeoutMs === undefined) {
      await this.#done;
      if (this.#error) throw this.#error;
      return true;
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const ended = await Promise.race([this.#done.then(() => true as const), timeout]);
    clearTimeout(timer);
    if (ended && this.#error) throw this.#error;
    return ended;
  }

  /** Waits until every row available now in the sources is processed and committed (tests). */
  processAllAvailable(): Promise<void> {
    if (!this.#active) return this.#error ? Promise.reject(this.#error) : Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#waiters.push({ after: this.#triggerSeq, resolve, reject });
      this.#execution.wake();
    });
  }

  /**
   * Stops the query and waits for it. By default a batch in flight is abandoned before its
   * commit record (a restart runs it again); with `afterCurrentBatch` it is finished first (what
   * `deltakit ingest` does on SIGINT/SIGTERM).
   */
  async stop(options: { afterCurrentBatch?: boolean } = {}): Promise<void> {
    if (options.afterCurrentBatch) this.#execution.requestStop();
    else this.#controller.abort();
    this.#execution.wake();
    await this.#done;
  }

  async #run(): Promise<void> {
    const signal = this.#controller.signal;
    try {
      await this.#execution.run(signal);
    } catch (e) {
      if (!isCancellation(e, signal)) this.#error = wrapFailure(e, this.#execution.currentBatchId, this.id);
    } finally {
      this.#active = false;
      this.#status = { message: 'Stopped', isDataAvailable: false, isTriggerActive: false };
      await this.#stopSources(this.#settings.sources.map((s) => s.stream));
      await this.#execution.close().catch((e: unknown) => this.#settings.session.logger.warn({ err: e }, 'Closing the state stores failed'));
      await this.#settings.sink.stop?.();
      streams.unregister(this);
      for (const w of this.#waiters) {
        if (this.#error) w.reject(this.#error);
        else w.resolve();
      }
      this.#waiters = [];
      if (this.#error) this.#settings.session.logger.error({ err: this.#error, id: this.id, runId: this.runId }, 'Streaming query failed');
      this.#post('onQueryTerminated', { id: this.id, runId: this.runId, exception: this.#error ? this.#error.message : null });
    }
  }

  async #stopSources(sources: readonly StreamSource[]): Promise<void> {
    for (const s of sources) {
      try {
        await s.stop();
      } catch (e) {
        this.#settings.session.logger.warn({ err: e }, 'A source failed to stop');
      }
    }
  }

  #onProgress(p: StreamingQueryProgress): void {
    this.#progress.push(p);
    if (this.#progress.length > RECENT_PROGRESS) this.#progress.shift();
    this.#settings.session.logger.info({ progress: p }, `Streaming query made progress: batch ${p.batchId}`);
    this.#post('onQueryProgress', { progress: p });
  }

  #onIdle(): void {
    const seq = this.#triggerSeq;
    const ready = this.#waiters.filter((w) => seq > w.after);
    this.#waiters = this.#waiters.filter((w) => seq <= w.after);
    for (const w of ready) w.resolve();
    this.#post('onQueryIdle', { id: this.id, runId: this.runId, timestamp: isoTimestamp(this.#now()) });
  }

  #post(kind: 'onQueryStarted' | 'onQueryProgress' | 'onQueryIdle' | 'onQueryTerminated', event: object): void {
    streams.post(kind, event, (e) => this.#settings.session.logger.warn({ err: e }, `A streaming query listener failed in ${kind}`));
  }

  #now(): number {
    return this.#settings.session.engine.clock.nowMs();
  }
}

function wrapFailure(e: unknown, batchId: number, id: string): DeltaError {
  const cause = e instanceof Error ? e : new Error(String(e));
  const code = isDeltaError(e) ? `${(e as DeltaError).code}: ` : '';
  return new DeltaError('STREAMING_QUERY_FAILED', `Query ${id} failed in batch ${batchId}: ${code}${cause.message} The checkpoint stays at the last committed batch; fix the cause and start the query again to resume from there.`, {
    cause: e,
    details: { batchId, id, ...(isDeltaError(e) ? { causeCode: e.code } : {}) },
  });
}
