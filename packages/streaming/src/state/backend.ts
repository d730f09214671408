/**
 * Where a provider keeps the working state of its loaded version: the heap (memory provider) or
 * an embedded key-value store on local disk (lmdb provider). Keys are the encoded key rows as
 * latin1 text (one char per byte, so JS Maps can hash them and their order is the byte order);
 * values are encoded value rows. The checkpoint files are written by the provider, never here.
 */
import { Buffer } from 'node:buffer';

/** Changes of one batch: encoded value, or null for a removed key. */
export type ChangeSet = ReadonlyMap<string, Uint8Array | null>;

export interface StateBackend {
  get(key: string): Uint8Array | undefined;
  has(key: string): boolean;
  /**
   * Applies `changes` atomically. With `undo`, returns a function that restores the state as it
   * was before (valid until the next change of the backend other than through undos, newest first).
   */
  apply(changes: ChangeSet, undo: boolean): (() => void) | undefined;
  /** Bulk loading (a snapshot or delta file): `fill` calls put/remove synchronously. */
  bulk(fill: (put: (key: Uint8Array, value: Uint8Array) => void, remove: (key: Uint8Array) => void) => void): void;
  /** Entries whose key starts with `prefix` ('' for all); key order for lmdb, insertion order in memory. */
  entries(prefix: string): IterableIterator<[string, Uint8Array]>;
  clear(): void;
  numKeys(): number;
  /** Bytes of process memory this backend holds (an estimate for the heap map). */
  memoryUsedBytes(): number;
  customMetrics(): Record<string, number>;
  close(): Promise<void>;
}

export const keyText = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
export const keyBytes = (text: string): Buffer => Buffer.from(text, 'latin1');

/** Rough heap cost of one Map entry beyond its key and value text (hash slot, two string headers). */
const ENTRY_OVERHEAD = 64;

/** The heap backend: one Map of latin1 key text to latin1 value text (compact one-byte strings). */
export class MemoryBackend implements StateBackend {
  readonly #map = new Map<string, string>();
  #bytes = 0;

  get(key: string): Uint8Array | undefined {
    const v = this.#map.get(key);
    return v === undefined ? undefined : keyBytes(v);
  }

  has(key: string): boolean {
    return this.#map.has(key);
  }

  apply(changes: ChangeSet, undo: boolean): (() => void) | undefined {
    const keys: string[] = [];
    const olds: (string | undefined)[] = [];
    for (const [k, v] of changes) {
      const old = this.#map.get(k);
      if (undo) {
        keys.push(k);
        olds.push(old);
      }
      this.#set(k, old, v === null ? undefined : keyText(v));
    }
    if (!undo) return undefined;
    return () => {
      for (let i = keys.length - 1; i >= 0; i--) this.#set(keys[i]!, this.#map.get(keys[i]!), olds[i]);
    };
  }

  #set(k: string, old: string | undefined, v: string | undefined): void {
    if (old !== undefined) this.#bytes -= k.length + old.length + ENTRY_OVERHEAD;
    if (v === undefined) this.#map.delete(k);
    else {
      this.#map.set(k, v);
      this.#bytes += k.length + v.length + ENTRY_OVERHEAD;
    }
  }

  bulk(fill: (put: (key: Uint8Array, value: Uint8Array) => void, remove: (key: Uint8Array) => void) => void): void {
    fill(
      (k, v) => {
        const ks = keyText(k);
        this.#set(ks, this.#map.get(ks), keyText(v));
      },
      (k) => {
        const ks = keyText(k);
        this.#set(ks, this.#map.get(ks), undefined);
      },
    );
  }

  *entries(prefix: string): IterableIterator<[string, Uint8Array]> {
    for (const [k, v] of this.#map) if (prefix === '' || k.startsWith(prefix)) yield [k, keyBytes(v)];
  }

  clear(): void {
    this.#map.clear();
    this.#bytes = 0;
  }

  numKeys(): number {
    return this.#map.size;
  }

  memoryUsedBytes(): number {
    return this.#bytes;
  }

  customMetrics(): Record<string, number> {
    return {};
  }

  async close(): Promise<void> {
    this.clear();
  }
}
