import { DeltaError } from '../errors.js';
import type { Clock } from '../engine.js';
import { systemClock } from '../engine.js';
import type { ListOptions, ObjectMeta, ObjectStore, PutIfAbsentResult } from './object-store.js';
import { compareUtf8, normalizeDir } from './paths.js';

interface Entry {
  readonly data: Uint8Array;
  readonly lastModified: number;
}

/** An ObjectStore held in process memory. Atomic by construction (single-threaded JS). */
export class MemoryStore implements ObjectStore {
  readonly #objects = new Map<string, Entry>();
  readonly #clock: Clock;

  constructor(options: { clock?: Clock } = {}) {
    this.#clock = options.clock ?? systemClock;
  }

  async *list(dir: string, options: ListOptions = {}): AsyncIterable<ObjectMeta> {
    const prefix = normalizeDir(dir);
    const out: ObjectMeta[] = [];
    const descended = new Map<string, boolean>();
    const underDescended = (rel: string): boolean => {
      const { descend } = options;
      if (descend === undefined) return true;
      for (let i = rel.indexOf('/'); i >= 0; i = rel.indexOf('/', i + 1)) {
        const sub = rel.slice(0, i);
        let ok = descended.get(sub);
        if (ok === undefined) descended.set(sub, (ok = descend(sub)));
        if (!ok) return false;
      }
      return true;
    };
    for (const [path, e] of this.#objects) {
      if (!path.startsWith(prefix)) continue;
      const rel = path.slice(prefix.length);
      if (!options.recursive && rel.includes('/')) continue;
      if (options.startAt !== undefined && rel < options.startAt) continue;
      if (rel.includes('/') && !underDescended(rel)) continue;
      out.push({ path, size: e.data.byteLength, lastModified: e.lastModified });
    }
    out.sort((a, b) => compareUtf8(a.path, b.path));
    yield* out;
  }

  async get(path: string): Promise<Uint8Array> {
    return this.#entry(path).data.slice();
  }

  async getRange(path: string, start: number, end: number): Promise<Uint8Array> {
    return this.#entry(path).data.slice(start, end);
  }

  async head(path: string): Promise<ObjectMeta> {
    const e = this.#entry(path);
    return { path, size: e.data.byteLength, lastModified: e.lastModified };
  }

  async put(path: string, data: Uint8Array): Promise<void> {
    this.#objects.set(path, { data: data.slice(), lastModified: this.#clock.nowMs() });
  }

  async putIfAbsent(path: string, data: Uint8Array): Promise<PutIfAbsentResult> {
    if (this.#objects.has(path)) return { created: false };
    this.#objects.set(path, { data: data.slice(), lastModified: this.#clock.nowMs() });
    return { created: true };
  }

  async rename(from: string, to: string): Promise<PutIfAbsentResult> {
    const e = this.#entry(from);
    if (this.#objects.has(to)) return { created: false };
    this.#objects.set(to, e);
    this.#objects.delete(from);
    return { created: true };
  }

  async delete(path: string): Promise<void> {
    this.#objects.delete(path);
  }

  async isDirectory(path: string): Promise<boolean> {
    const prefix = normalizeDir(path);
    for (const key of this.#objects.keys()) if (key.startsWith(prefix)) return true;
    return false;
  }

  /** Sets an object's modification time; for tests of timestamp-based behavior. */
  setLastModified(path: string, ms: number): void {
    const e = this.#entry(path);
    this.#objects.set(path, { data: e.data, lastModified: ms });
  }

  #entry(path: string): Entry {
    const e = this.#objects.get(path);
    if (!e) throw notFound(path);
    return e;
  }
}

export function notFound(path: string, cause?: unknown): DeltaError {
  return new DeltaError('FILE_NOT_FOUND', `File not found: ${path}. It may have been deleted (for example by VACUUM) or the path is wrong.`, {
    cause,
    details: { path },
  });
}
