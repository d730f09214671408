/**
 * `cloudFiles.useNotifications` on the local file system: file-system events (inotify, FSEvents,
 * ReadDirectoryChangesW through @parcel/watcher, which does the fs work natively) name the new
 * files, so a trigger does not list the whole folder; because events can be missed (a full
 * event queue, a folder created with files already in it), a full listing still runs every
 * `cloudFiles.backfillInterval`, as Auto Loader's backfill does. Only local folders can be
 * watched; other stores fall back to listing.
 */
import { subscribe, type AsyncSubscription } from '@parcel/watcher';

export class FileNotifications {
  readonly #pending = new Set<string>();
  #subscription: AsyncSubscription | undefined;
  #callback: (() => void) | undefined;
  #lastBackfill = Number.NEGATIVE_INFINITY;
  #overflow = false;

  private constructor(private readonly backfillIntervalMs: number) {}

  /** Watches `dir` (created by the caller if needed) recursively. */
  static async watch(dir: string, backfillIntervalMs: number): Promise<FileNotifications> {
    const n = new FileNotifications(backfillIntervalMs);
    n.#subscription = await subscribe(dir, (err, events) => {
      if (err) {
        n.#overflow = true; // lost events: the next trigger lists
      } else {
        for (const e of events) if (e.type !== 'delete') n.#pending.add(e.path);
      }
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
    await this.#subscription?.unsubscribe();
    this.#subscription = undefined;
  }
}
