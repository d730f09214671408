import { DeltaError } from '@deltakit/core';

/** The part of a writable stream the CLI uses (process.stdout, or a PassThrough in tests). */
export interface OutputStream {
  write(chunk: string): boolean;
  once(event: 'drain' | 'close' | 'error', listener: (...args: unknown[]) => void): unknown;
  on(event: 'error', listener: (e: Error & { code?: string }) => void): unknown;
  removeListener(event: string, listener: (...args: unknown[]) => void): unknown;
}

/**
 * Standard output with backpressure and a quiet close: when the reader goes away (EPIPE, as with
 * `| head`), the output is marked closed, `onClosed` fires (to cancel the work producing it) and
 * further writes are dropped. Any other write failure is reported by the next `write`.
 */
export class Output {
  private closedByReader = false;
  private failure: Error | undefined;

  constructor(
    private readonly stream: OutputStream,
    private readonly onClosed: () => void = () => {},
  ) {
    stream.on('error', (e) => {
      if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') this.closedByReader = true;
      else this.failure = e;
      this.onClosed();
    });
  }

  /** True once the reader has gone away or writing failed; producers should stop. */
  get closed(): boolean {
    return this.closedByReader || this.failure !== undefined;
  }

  /** True when writing failed for a reason other than the reader going away. */
  get failed(): boolean {
    return this.failure !== undefined;
  }

  /** Writes `text`, waiting for the stream to drain when its buffer is full. */
  async write(text: string): Promise<void> {
    this.throwIfFailed();
    if (this.closed || text === '') return;
    if (!this.stream.write(text)) await this.drained();
    this.throwIfFailed();
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.stream.removeListener('drain', done);
        this.stream.removeListener('close', done);
        this.stream.removeListener('error', done);
        resolve();
      };
      this.stream.once('drain', done);
      this.stream.once('close', done);
      this.stream.once('error', done);
    });
  }

  private throwIfFailed(): void {
    if (this.failure) {
      throw new DeltaError('STORAGE_ERROR', `Writing to standard output failed: ${this.failure.message}. Check where the output is redirected (disk full, closed file) and retry.`, {
        cause: this.failure,
      });
    }
  }
}
