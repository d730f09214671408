/**
 * `cloudFiles.useNotifications` on the local file system: file-system events (the store's
 * `watch`: inotify, FSEvents, ReadDirectoryChangesW, delivered at once) name the new files, so a
 * trigger does not list the whole folder; because events can be missed (a full event queue, a
 * folder created with files already in it), a full listing still runs every
 * `cloudFiles.backfillInterval`, as Auto Loader's backfill does. Stores without `watch` fall
 * back to listing.
 */
import { DeltaError, type ObjectStore } from '@deltakit/core';

export class FileNotifications {
  readonly #pending = new Set<string>();
  #unwatch: (() => void) | undefined;
  #callback: (() => void) | undefined;
  #lastBackfill = Number.NEGATIVE_INFINITY;
  #overflow = false;

  private constructor(private readonly backfillIntervalMs: number) {}

  /** Watches `dir` (created by the caller if needed) recursively. */
  static async watch(store: ObjectStore, dir: string, backfillIntervalMs: number): Promise<FileNotifications> {
    if (store.watch === undefined) throw new DeltaError('UNSUPPORTED_OPERATION', 'This store cannot watch folders for new files.');
    const n = new FileNotifications(backfillIntervalMs);
    n.#unwatch = store.watch(dir, (path) => {
      if (path === undefined) n.#overflow = true; // lost events: the next trigger lists
      else n.#pending.add(path);
      n.#callback?.();
    });
    return n;
  }

  onEvent(callback: () => void): void {
    this.#callback = callback;
  }

  /** True when the next discovery must list the folder (first time, backfill due, lost events). */
  backfillDue(nowMs: number): boolean {
    return this.#overflow || nowMs - this.#lastBackfill >= this.backfillIntervalMs;
  }

  /** Marks a full listing as started now (events from now on are still collected). */
  backfillStarted(nowMs: number): void {
    this.#lastBackfill = nowMs;
    this.#overflow = false;
    this.#pending.clear();
  }

  /** The paths events named since the last call. */
  drain(): string[] {
    const out = [...this.#pending];
    this.#pending.clear();
    return out;
  }

  /** Forgets the pending events (tests simulate lost events with it). */
  dropPending(): void {
    this.#pending.clear();
  }

  async close(): Promise<void> {
    this.#unwatch?.();
    this.#unwatch = undefined;
  }
}
