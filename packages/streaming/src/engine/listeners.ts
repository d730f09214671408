/**
 * Query listeners and the registry of active queries (Spark's `spark.streams`): listeners get
 * `onQueryStarted`, `onQueryProgress` (after each batch), `onQueryIdle` (a trigger found no new
 * data) and `onQueryTerminated` for every query of the process. A listener that throws is
 * logged and ignored; it never affects the query.
 */
import type { StreamingQueryProgress } from './progress.js';

export interface QueryStartedEvent {
  readonly id: string;
  readonly runId: string;
  readonly name: string | null;
  readonly timestamp: string;
}
export interface QueryProgressEvent {
  readonly progress: StreamingQueryProgress;
}
export interface QueryIdleEvent {
  readonly id: string;
  readonly runId: string;
  readonly timestamp: string;
}
export interface QueryTerminatedEvent {
  readonly id: string;
  readonly runId: string;
  /** The failure's message, or null after a clean stop. */
  readonly exception: string | null;
}

export interface StreamingQueryListener {
  onQueryStarted?(event: QueryStartedEvent): void;
  onQueryProgress?(event: QueryProgressEvent): void;
  onQueryIdle?(event: QueryIdleEvent): void;
  onQueryTerminated?(event: QueryTerminatedEvent): void;
}

/** The handle type kept in the registry (the StreamingQuery class, without an import cycle). */
export interface ActiveQuery {
  readonly id: string;
  readonly runId: string;
  readonly name: string | null;
}

class StreamingQueryManager {
  readonly #listeners = new Set<StreamingQueryListener>();
  readonly #active = new Map<string, ActiveQuery>();

  addListener(listener: StreamingQueryListener): void {
    this.#listeners.add(listener);
  }

  removeListener(listener: StreamingQueryListener): void {
    this.#listeners.delete(listener);
  }

  /** Queries running in this process. */
  get active(): ActiveQuery[] {
    return [...this.#active.values()];
  }

  get(id: string): ActiveQuery | undefined {
    return this.#active.get(id);
  }

  /** @internal */
  register(q: ActiveQuery): boolean {
    if (this.#active.has(q.id)) return false;
    this.#active.set(q.id, q);
    return true;
  }

  /** @internal */
  unregister(q: ActiveQuery): void {
    if (this.#active.get(q.id) === q) this.#active.delete(q.id);
  }

  /** @internal */
  post(kind: keyof StreamingQueryListener, event: object, onError: (e: unknown) => void): void {
    for (const l of this.#listeners) {
      try {
        (l[kind] as ((e: unknown) => void) | undefined)?.call(l, event);
      } catch (e) {
        onError(e);
      }
    }
  }
}

export const streams = new StreamingQueryManager();

/** Shorthand for `streams.addListener`. */
export function addListener(listener: StreamingQueryListener): void {
  streams.addListener(listener);
}
