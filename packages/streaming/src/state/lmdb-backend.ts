/**
 * The disk backend: the working state in an LMDB environment (lmdb-js, prebuilt binaries from npm)
 * in a private local folder, as Spark's RocksDB provider keeps its working copy on the executor's
 * disk. Memory stays flat as keys grow: the data lives in the memory-mapped file (the OS page
 * cache, reclaimable), not on the JS heap. The folder is scratch: it is cleared on each full load
 * and deleted on close; the checkpoint's delta and snapshot files remain the state of record.
 *
 * Why LMDB (lmdb-js 3.5): measured here (linux-x64, Node 20, 1M puts of 9-byte keys and 20-byte
 * values in 10 transactions, then 1M random gets): lmdb 0.8 s puts, 1.5 s synchronous gets, 103 MB
 * peak RSS; classic-level 3 (LevelDB) 2.3 s, 5.9 s, 305 MB; better-sqlite3 12 (13 needs Node 22)
 * 1.2 s, 4.4 s, 74 MB. lmdb is the fastest, reads synchronously (so `StateStore.get` stays
 * synchronous, as Spark's), installs from npm with a prebuilt linux-x64 binary in an optional
 * package (no build script, no download), and is the most used of the three (~17M downloads a month).
 *
 * Writes go through the memory map (`useWritemap`): without it a transaction that touches pages
 * all over the tree copies each one into malloc'd memory, and the process's anonymous memory grew
 * with the keys (150 → 340 MB from 100k to 1M keys); with it, it stays flat (~240 MB).
 * Writes are not synced (`noSync`): a crash loses the folder, never the checkpoint. Keys are
 * limited to LMDB's 1978 bytes (LIMIT_EXCEEDED beyond; the memory provider has no such limit).
 */
import { Buffer } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { DeltaError, LocalFileSystemStore } from '@deltakit/core';
import { open, type RootDatabase } from 'lmdb';
import { keyBytes, keyText, type ChangeSet, type StateBackend } from './backend.js';

const MAX_KEY_BYTES = 1978;

export class LmdbBackend implements StateBackend {
  readonly dir: string;
  readonly #db: RootDatabase<Buffer, Buffer>;
  #count = 0;

  constructor(localDir: string | undefined, label: string) {
    this.dir = `${(localDir ?? tmpdir()).replace(/\/+$/, '')}/deltakit-state-${label}-${randomUUID()}`;
    this.#db = open<Buffer, Buffer>({ path: this.dir, keyEncoding: 'binary', encoding: 'binary', compression: false, noSync: true, cache: false, useWritemap: true });
  }

  get(key: string): Uint8Array | undefined {
    return this.#db.get(keyBytes(key));
  }

  has(key: string): boolean {
    return this.#db.doesExist(keyBytes(key));
  }

  apply(changes: ChangeSet, undo: boolean): (() => void) | undefined {
    const db = this.#db;
    const previous: [Buffer, Buffer | undefined][] = [];
    this.#db.transactionSync(() => {
      for (const [k, v] of changes) {
        const kb = checkKey(keyBytes(k));
        const old = undo ? db.get(kb) : undefined;
        const existed = undo ? old !== undefined : db.doesExist(kb);
        if (undo) previous.push([kb, old]);
        if (v === null) {
          if (existed) {
            db.removeSync(kb);
            this.#count--;
          }
        } else {
          db.putSync(kb, asBuffer(v));
          if (!existed) this.#count++;
        }
      }
    });
    if (!undo) return undefined;
    return () => {
      db.transactionSync(() => {
        for (const [kb, old] of previous) {
          const existed = db.doesExist(kb);
          if (old === undefined) {
            if (existed) {
              db.removeSync(kb);
              this.#count--;
            }
          } else {
            db.putSync(kb, old);
            if (!existed) this.#count++;
          }
        }
      });
    };
  }

  bulk(fill: (put: (key: Uint8Array, value: Uint8Array) => void, remove: (key: Uint8Array) => void) => void): void {
    const db = this.#db;
    db.transactionSync(() => {
      fill(
        (k, v) => db.putSync(asBuffer(checkKey(k)), asBuffer(v)),
        (k) => void db.removeSync(asBuffer(checkKey(k))),
      );
    });
    this.#count = (db.getStats() as { entryCount: number }).entryCount;
  }

  *entries(prefix: string): IterableIterator<[string, Uint8Array]> {
    const start = prefix === '' ? undefined : keyBytes(prefix);
    for (const { key, value } of this.#db.getRange(start === undefined ? {} : { start })) {
      const k = keyText(key);
      if (prefix !== '' && !k.startsWith(prefix)) return;
      yield [k, value];
    }
  }

  clear(): void {
    this.#db.clearSync();
    this.#count = 0;
  }

  numKeys(): number {
    return this.#count;
  }

  memoryUsedBytes(): number {
    // LMDB's pages are file-backed (the OS page cache), not process heap: nothing to report.
    return 0;
  }

  customMetrics(): Record<string, number> {
    const s = this.#db.getStats() as { pageSize: number; treeBranchPageCount: number; treeLeafPageCount: number; overflowPages: number };
    return { lmdbDataBytes: s.pageSize * (s.treeBranchPageCount + s.treeLeafPageCount + s.overflowPages) };
  }

  async close(): Promise<void> {
    await this.#db.close();
    const fs = new LocalFileSystemStore();
    await fs.delete(`${this.dir}/data.mdb`);
    await fs.delete(`${this.dir}/lock.mdb`);
    await fs.deleteDirectory(this.dir);
  }
}

const asBuffer = (b: Uint8Array): Buffer => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength));

function checkKey<T extends Uint8Array>(k: T): T {
  if (k.length > MAX_KEY_BYTES) {
    throw new DeltaError('LIMIT_EXCEEDED', `A state key of ${k.length} bytes is longer than the lmdb state store accepts (${MAX_KEY_BYTES} bytes, LMDB's key limit). Use shorter grouping or deduplication keys (e.g. a hash of a long string), or the memory state store provider.`, { details: { keyBytes: k.length } });
  }
  return k;
}
