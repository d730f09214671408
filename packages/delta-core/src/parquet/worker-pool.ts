/**
 * A pool of decode workers for `readFiles`: the main thread reads bytes through the store and
 * transfers them to a worker; batches come back as transferable Data trees.
 *
 * Worker script: workers run built JavaScript, `dist/parquet/decode-worker.js`. When this module
 * itself runs from TypeScript source (vitest), `import.meta.url` ends in `.ts` and the script is
 * resolved in the package's `dist/` instead, so build (`tsc -p tsconfig.build.json`) before tests
 * that use workers. If the script cannot start, the pool decodes in this thread instead.
 *
 * Ordering and memory: `workers + 1` files are in flight (bytes read or decoding), and up to
 * `2 × workers + 1` while the files ahead (of known size) total at most {@link READ_AHEAD_BYTES},
 * so reads run ahead of decoding when workers are slow to start or files are slow to read; jobs
 * are dispatched in file order, so the file being consumed always has a worker, and each worker
 * keeps at most a few unconsumed batches outstanding (see decode-worker.ts).
 * Idle workers are unref'ed so they never keep the process alive.
 */
import type { RecordBatch, Schema } from 'apache-arrow';
import { Worker } from 'node:worker_threads';
import { DeltaError, throwIfAborted } from '../errors.js';
import { corruptFile, decodeInThread } from './decode.js';
import type { ParquetFileRef, ParquetReadOptions, ParquetWriteOptions } from './handler.js';
import { encodeIpc } from './encode.js';
import { decodeSchemaBytes, messageToBatch } from './transfer.js';
import type { ToPool, ToWorker } from './worker-protocol.js';

/** Bytes of files read ahead beyond `workers + 1` files (see the module doc). */
const READ_AHEAD_BYTES = 256 * 1024 * 1024;

/** Longest time close() waits for workers to exit. */
const CLOSE_WAIT_MS = 500;

function workerScript(): URL {
  const here = import.meta.url;
  return here.endsWith('.ts') ? new URL('../../dist/parquet/decode-worker.js', here) : new URL('./decode-worker.js', here);
}

/** One file's decode: batches arrive from a worker and wait here for the consumer. */
class Job {
  readonly batches: RecordBatch[] = [];
  schema: Schema | undefined;
  done = false;
  error: unknown;
  cancelled = false;
  bytes: Uint8Array | undefined;
  slot: Slot | undefined;
  #wake: (() => void) | undefined;

  constructor(
    readonly id: number,
    readonly file: ParquetFileRef,
    readonly options: ParquetReadOptions,
  ) {}

  notify(): void {
    const w = this.#wake;
    this.#wake = undefined;
    w?.();
  }

  wait(): Promise<void> {
    return new Promise((r) => (this.#wake = r));
  }

  fail(e: unknown): void {
    if (this.done) return;
    this.error = e;
    this.done = true;
    this.notify();
  }
}

/** One parquet encode: an Arrow IPC stream in, file bytes out. */
interface EncodeJob {
  readonly kind: 'encode';
  readonly id: number;
  ipc: Uint8Array | undefined;
  readonly options: ParquetWriteOptions;
  readonly resolve: (bytes: Uint8Array) => void;
  readonly reject: (e: unknown) => void;
}

interface Slot {
  readonly worker: Worker;
  ready: Promise<boolean>;
  job: Job | EncodeJob | undefined;
}

const isEncode = (j: Job | EncodeJob | undefined): j is EncodeJob => j !== undefined && 'kind' in j;

export class WorkerPool {
  readonly #slots: Slot[] = [];
  readonly #queue: Job[] = [];
  readonly #encodeQueue: EncodeJob[] = [];
  #nextJobId = 1;
  #broken = false;
  #closed = false;

  constructor(private readonly size: number) {}

  /** Decodes `files` on the workers, yielding batches in file order. */
  async *readFiles(
    files: readonly ParquetFileRef[],
    options: ParquetReadOptions,
    readBytes: (file: ParquetFileRef, signal: AbortSignal | undefined) => Promise<Uint8Array>,
  ): AsyncGenerator<{ fileIndex: number; batch: RecordBatch }> {
    const jobs: Job[] = [];
    const minAhead = this.size + 1;
    const maxAhead = this.size * 2 + 1;
    /** Whether to start reading the next file while `files[i]` is consumed. */
    const readMore = (i: number): boolean => {
      const next = jobs.length;
      if (next >= files.length || next >= i + maxAhead) return false;
      if (next < i + minAhead) return true;
      let bytes = files[next]!.size ?? Infinity;
      for (let k = i; k < next; k++) bytes += files[k]!.size ?? Infinity;
      return bytes <= READ_AHEAD_BYTES;
    };
    const start = (i: number) => {
      const job = new Job(this.#nextJobId++, files[i]!, options);
      jobs.push(job);
      readBytes(job.file, options.signal).then(
        (bytes) => {
          if (job.cancelled) return;
          job.bytes = bytes;
          this.#queue.push(job);
          this.#queue.sort((a, b) => a.id - b.id);
          this.#pump();
        },
        (e) => job.fail(e),
      );
    };
    try {
      for (let i = 0; i < files.length; i++) {
        while (readMore(i)) start(jobs.length);
        const job = jobs[i]!;
        while (true) {
          throwIfAborted(options.signal);
          const batch = job.batches.shift();
          if (batch) {
            if (job.slot) this.#post(job.slot, { type: 'ack', job: job.id });
            yield { fileIndex: i, batch };
            continue;
          }
          if (job.error !== undefined) throw job.error;
          if (job.done) break;
          await job.wait();
        }
      }
    } finally {
      for (const job of jobs) this.#cancel(job);
    }
  }

  /**
   * Encodes an Arrow IPC stream as parquet on a worker (in this thread when workers cannot run).
   * The IPC buffer is transferred: callers must not use it afterwards.
   */
  encode(ipc: Uint8Array, options: ParquetWriteOptions): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      this.#encodeQueue.push({ kind: 'encode', id: this.#nextJobId++, ipc, options, resolve, reject });
      this.#pump();
    });
  }

  /** Live worker threads, and whether workers could start at all (false: decoding in this thread). */
  get stats(): { liveWorkers: number; workersAvailable: boolean } {
    return { liveWorkers: this.#slots.length, workersAvailable: !this.#broken };
  }

  async close(): Promise<void> {
    this.#closed = true;
    const slots = this.#slots.splice(0);
    // terminate() of a worker that is still starting (instantiating the wasm module) can fail to
    // settle, and an unref'ed worker would let the process exit with that await pending. So wait
    // for the exits, but never longer than CLOSE_WAIT_MS: workers left then die with the process.
    const exited = Promise.all(slots.map((s) => s.worker.terminate().catch(() => undefined)));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS)));
    await Promise.race([exited, timeout]);
    clearTimeout(timer);
  }

  #cancel(job: Job): void {
    if (job.done) return;
    job.cancelled = true;
    const q = this.#queue.indexOf(job);
    if (q >= 0) this.#queue.splice(q, 1);
    if (job.slot) this.#post(job.slot, { type: 'cancel', job: job.id });
    job.done = true;
  }

  #post(slot: Slot, msg: ToWorker, transfer: ArrayBuffer[] = []): void {
    slot.worker.postMessage(msg, transfer);
  }

  /**
   * Dispatches queued jobs in id order. The head job waits for a free slot; later jobs never
   * overtake it, which keeps the consumed file always decoding.
   */
  #pump(): void {
    while (this.#queue.length > 0) {
      const job = this.#queue[0]!;
      if (this.#broken || this.#closed) {
        this.#queue.shift();
        void this.#runInThread(job);
        continue;
      }
      const slot = this.#freeSlot();
      if (!slot) return;
      this.#queue.shift();
      void this.#dispatch(slot, job);
    }
    while (this.#encodeQueue.length > 0) {
      const job = this.#encodeQueue[0]!;
      if (this.#broken || this.#closed) {
        this.#encodeQueue.shift();
        encodeInThread(job);
        continue;
      }
      const slot = this.#freeSlot();
      if (!slot) return;
      this.#encodeQueue.shift();
      void this.#dispatchEncode(slot, job);
    }
  }

  async #dispatchEncode(slot: Slot, job: EncodeJob): Promise<void> {
    slot.job = job;
    slot.worker.ref();
    const ready = await slot.ready;
    if (!ready) {
      this.#release(slot);
      encodeInThread(job);
      this.#pump();
      return;
    }
    const ipc = job.ipc!;
    job.ipc = undefined;
    const payload = transferable(ipc);
    const { compression, rowGroupSize } = job.options;
    this.#post(slot, { type: 'encode', job: job.id, ipc: payload, compression, rowGroupSize }, [payload.buffer as ArrayBuffer]);
  }

  /** Spawns every worker not yet started (they stay idle and unref'ed until a job comes). */
  prewarm(): void {
    if (this.#broken || this.#closed) return;
    while (this.#slots.length < this.size) this.#spawn();
  }

  #freeSlot(): Slot | undefined {
    const idle = this.#slots.find((s) => !s.job);
    if (idle) return idle;
    if (this.#slots.length < this.size) return this.#spawn();
    return undefined;
  }

  async #dispatch(slot: Slot, job: Job): Promise<void> {
    const options = job.options;
    slot.job = job;
    job.slot = slot;
    slot.worker.ref();
    const ready = await slot.ready;
    if (!ready || job.cancelled) {
      this.#release(slot);
      if (!job.cancelled) await this.#runInThread(job);
      this.#pump();
      return;
    }
    const bytes = job.bytes!;
    job.bytes = undefined;
    const payload = transferable(bytes);
    this.#post(
      slot,
      { type: 'decode', job: job.id, path: job.file.path, bytes: payload, columns: options.columns, fieldPaths: options.fieldPaths, batchSize: options.batchSize },
      [payload.buffer as ArrayBuffer],
    );
  }

  /** Fallback when workers cannot start: decode in this thread. */
  async #runInThread(job: Job): Promise<void> {
    const options = job.options;
    const bytes = job.bytes!;
    job.bytes = undefined;
    try {
      for await (const batch of decodeInThread(bytes, job.file.path, options)) {
        if (job.cancelled) return;
        job.batches.push(batch);
        job.notify();
      }
      job.done = true;
      job.notify();
    } catch (e) {
      job.fail(e);
    }
  }

  #release(slot: Slot): void {
    if (slot.job && !isEncode(slot.job)) slot.job.slot = undefined;
    slot.job = undefined;
    slot.worker.unref();
  }

  #spawn(): Slot {
    const worker = new Worker(workerScript());
    worker.unref();
    let readyResolve!: (ok: boolean) => void;
    const slot: Slot = { worker, ready: new Promise((r) => (readyResolve = r)), job: undefined };
    let started = false;
    worker.on('message', (msg: ToPool) => {
      if (msg.type === 'ready') {
        started = true;
        readyResolve(true);
        return;
      }
      this.#onMessage(slot, msg);
    });
    const onDeath = (e: unknown) => {
      this.#remove(slot);
      if (!started) {
        // The script failed to load (e.g. dist not built): decode in this thread from now on.
        this.#broken = true;
        readyResolve(false);
        return;
      }
      const job = slot.job;
      this.#release(slot);
      if (isEncode(job)) job.reject(new DeltaError('INTERNAL', `A parquet encode worker died: ${e instanceof Error ? e.message : String(e)}. Retry the write; if it keeps failing, report it.`, { cause: e }));
      else if (job && !job.cancelled) job.fail(corruptFile(job.file.path, e));
      this.#pump();
    };
    worker.on('error', onDeath);
    worker.on('exit', (code) => {
      if (!this.#closed && this.#slots.includes(slot)) onDeath(new Error(`decode worker exited with code ${code}`));
    });
    this.#slots.push(slot);
    return slot;
  }

  #remove(slot: Slot): void {
    const i = this.#slots.indexOf(slot);
    if (i >= 0) this.#slots.splice(i, 1);
  }

  #onMessage(slot: Slot, msg: ToPool): void {
    const job = slot.job;
    if (msg.type === 'ready' || !job || job.id !== msg.job) return;
    if (isEncode(job)) {
      this.#release(slot);
      if (msg.type === 'encoded') job.resolve(msg.bytes);
      else if (msg.type === 'error') job.reject(new DeltaError(msg.error.code, msg.error.message, { details: msg.error.details }));
      this.#pump();
      return;
    }
    if (msg.type === 'batch') {
      if (job.cancelled) return;
      if (msg.schema) job.schema = decodeSchemaBytes(msg.schema);
      job.batches.push(messageToBatch(job.schema!, msg.batch));
      job.notify();
      return;
    }
    this.#release(slot);
    if (msg.type === 'error') job.fail(new DeltaError(msg.error.code, msg.error.message, { details: msg.error.details }));
    else {
      job.done = true;
      job.notify();
    }
    this.#pump();
  }
}

/** `bytes` if it owns its whole ArrayBuffer (so transferring it moves nothing else), else a copy. */
function transferable(bytes: Uint8Array): Uint8Array {
  const owned = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
  return owned ? bytes : bytes.slice();
}

function encodeInThread(job: EncodeJob): void {
  try {
    job.resolve(encodeIpc(job.ipc!, job.options));
  } catch (e) {
    job.reject(e);
  } finally {
    job.ipc = undefined;
  }
}
