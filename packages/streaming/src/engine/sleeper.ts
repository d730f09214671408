/** An interruptible wait: `sleep` resolves after `ms`, on `wake()`, or when the signal aborts. */
export class Sleeper {
  #wake: (() => void) | undefined;
  #pending = false;
  /** True when the last sleep ended by `wake()` rather than by its timer. */
  woken = false;

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    this.woken = false;
    if (this.#pending || signal.aborted) {
      this.#pending = false;
      this.woken = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(false), ms);
      const finish = (woken: boolean) => {
        this.woken = woken;
        done();
      };
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.#wake = undefined;
        resolve();
      };
      signal.addEventListener('abort', done);
      this.#wake = () => finish(true);
    });
  }

  /** Ends the current sleep, or makes the next one return at once. */
  wake(): void {
    if (this.#wake) this.#wake();
    else this.#pending = true;
  }
}
