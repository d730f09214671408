/** An interruptible wait: `sleep` resolves after `ms`, on `wake()`, or when the signal aborts. */
export class Sleeper {
  #wake: (() => void) | undefined;
  #pending = false;

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    if (this.#pending || signal.aborted) {
      this.#pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done);
      this.#wake = done;
    });
  }

  /** Ends the current sleep, or makes the next one return at once. */
  wake(): void {
    if (this.#wake) this.#wake();
    else this.#pending = true;
  }
}
