import { readdirSync, readFileSync, statSync } from 'node:fs';
import { MemoryStore } from '../../src/storage/memory-store.js';
import type { ListOptions, ObjectMeta, ObjectStore, PutIfAbsentResult } from '../../src/storage/object-store.js';

/** Wraps a store and records every whole-object and ranged read, to assert on I/O. */
export class CountingStore implements ObjectStore {
  readonly reads: string[] = [];
  readonly lists: string[] = [];
  constructor(private readonly inner: ObjectStore) {}
  list(dir: string, options?: ListOptions): AsyncIterable<ObjectMeta> {
    this.lists.push(dir);
    return this.inner.list(dir, options);
  }
  get(path: string, options?: { signal?: AbortSignal }): Promise<Uint8Array> {
    this.reads.push(path);
    return this.inner.get(path, options);
  }
  getRange(path: string, start: number, end: number, options?: { signal?: AbortSignal }): Promise<Uint8Array> {
    this.reads.push(path);
    return this.inner.getRange(path, start, end, options);
  }
  head(path: string): Promise<ObjectMeta> {
    return this.inner.head(path);
  }
  put(path: string, data: Uint8Array): Promise<void> {
    return this.inner.put(path, data);
  }
  putIfAbsent(path: string, data: Uint8Array): Promise<PutIfAbsentResult> {
    return this.inner.putIfAbsent(path, data);
  }
  delete(path: string): Promise<void> {
    return this.inner.delete(path);
  }
  isDirectory(path: string): Promise<boolean> {
    return this.inner.isDirectory(path);
  }
  /** Distinct paths read whose name matches `re`. */
  readsMatching(re: RegExp): string[] {
    return [...new Set(this.reads.filter((p) => re.test(p)))];
  }
}

/** Copies a fixture table directory into a MemoryStore under `root` (fixtures stay untouched). */
export async function copyToMemory(srcDir: string, root = '/mem/t'): Promise<MemoryStore> {
  const store = new MemoryStore();
  const walk = async (rel: string): Promise<void> => {
    for (const name of readdirSync(`${srcDir}/${rel}`)) {
      const r = rel === '' ? name : `${rel}/${name}`;
      if (statSync(`${srcDir}/${r}`).isDirectory()) await walk(r);
      else await store.put(`${root}/${r}`, new Uint8Array(readFileSync(`${srcDir}/${r}`)));
    }
  };
  await walk('');
  return store;
}
