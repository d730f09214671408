import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Table } from 'apache-arrow';
import type { Engine } from '../../../src/engine.js';
import { isDeltaError, type DeltaErrorCode } from '../../../src/errors.js';
import { createParquetHandler } from '../../../src/parquet/parquet-wasm-handler.js';
import { LocalFileSystemStore } from '../../../src/storage/local-store.js';
import type { ListOptions, ObjectMeta, ObjectStore, PutIfAbsentResult } from '../../../src/storage/object-store.js';
import { DeltaTable } from '../../../src/table/delta-table.js';
import { valueAt } from '../../table/canonical.js';

/** Temporary directories for one test file; `cleanup()` in afterAll. */
export class TempDirs {
  readonly #dirs: string[] = [];
  make(prefix = 'deltakit-alter-'): string {
    const d = mkdtempSync(join(tmpdir(), prefix));
    this.#dirs.push(d);
    return d;
  }
  /** A private copy of a fixture table (the shared fixtures are never modified). */
  copy(src: string): string {
    const d = join(this.make(), 't');
    cpSync(src, d, { recursive: true });
    return d;
  }
  cleanup(): void {
    for (const d of this.#dirs) rmSync(d, { recursive: true, force: true });
  }
}

/** An engine on the local file system decoding parquet on this thread. */
export function localEngine(store: ObjectStore = new LocalFileSystemStore()): Engine {
  return { store, parquet: createParquetHandler(store, { workers: 0 }), clock: { nowMs: () => Date.now() } };
}

/**
 * Rows of an Arrow table as objects of exact value text keyed by column name (see
 * `canonical.ts`), sorted, for order-independent comparisons.
 */
export function rowObjects(table: Table): Record<string, string>[] {
  const names = table.schema.fields.map((f) => f.name);
  const out: Record<string, string>[] = [];
  for (const batch of table.batches) {
    const cols = names.map((_, i) => batch.getChildAt(i)!.data[0]!);
    for (let r = 0; r < batch.numRows; r++) out.push(Object.fromEntries(names.map((n, k) => [n, valueAt(cols[k]!, r)])));
  }
  return out.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
}

/** The latest rows of the table at `dir`, read with our reader. */
export async function readRows(engine: Engine, dir: string): Promise<Record<string, string>[]> {
  return rowObjects(await (await DeltaTable.forPath(dir, { engine }).snapshot()).scan().toTable());
}

/** The rows of the parquet files in a directory (a golden table's `expected/`). */
export async function readParquetDir(engine: Engine, dir: string): Promise<Record<string, string>[]> {
  const batches = [];
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.parquet')).sort()) {
    for await (const b of engine.parquet.readBatches({ path: `${dir}/${f}` })) batches.push(b);
  }
  return rowObjects(new Table(batches));
}

/** `rows` with columns renamed (`from` → `to`), dropped (`to` null) or added as null (`from` absent). */
export function reshape(rows: readonly Record<string, string>[], mapping: Readonly<Record<string, string | null>>, added: readonly string[] = []): Record<string, string>[] {
  return rows
    .map((r) => {
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(r)) {
        const to = k in mapping ? mapping[k] : k;
        if (to !== null && to !== undefined) out[to] = v;
      }
      for (const a of added) out[a] = 'null';
      return out;
    })
    .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
}

/** The parsed actions of commit `version` of the table at `dir`. */
export function commitActions(dir: string, version: number): Record<string, Record<string, unknown>>[] {
  const text = readFileSync(join(dir, '_delta_log', `${String(version).padStart(20, '0')}.json`), 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, Record<string, unknown>>);
}

/** The commitInfo.operationParameters of commit `version`. */
export function parametersOf(dir: string, version: number): Record<string, string> {
  return commitInfoOf(dir, version).operationParameters as Record<string, string>;
}

/** The commitInfo of commit `version`. */
export function commitInfoOf(dir: string, version: number): Record<string, unknown> {
  return commitActions(dir, version).find((a) => a.commitInfo)!.commitInfo!;
}

/** The error a promise rejects with, checked to be a DeltaError with `code`. */
export async function rejects(p: Promise<unknown>, code: DeltaErrorCode): Promise<Error & { details: Record<string, unknown> }> {
  let error: unknown;
  try {
    await p;
  } catch (e) {
    error = e;
  }
  if (error === undefined) throw new Error(`expected ${code}, but the operation succeeded`);
  if (!isDeltaError(error, code)) throw new Error(`expected ${code}, got ${String(error)}`, { cause: error });
  return error as Error & { details: Record<string, unknown> };
}

/**
 * A store whose commit-file writes, once armed, wait until `parties` writers have reached one:
 * concurrent transactions that both read the same version really race for the next one. The
 * write whose content matches `first` is let through first (and completes) before the others,
 * so the winner is chosen by the test.
 */
export class RacingStore implements ObjectStore {
  #waiting: { text: string; go: () => void; landed: Promise<void> }[] = [];
  #parties = 0;
  #first: ((commit: string) => boolean) | undefined;
  constructor(private readonly inner: ObjectStore) {}
  /** Hold the next `parties` commit writes until all have arrived; release the one matching `first` first. */
  arm(parties: number, first?: (commit: string) => boolean): void {
    this.#parties = parties;
    this.#first = first;
  }
  async putIfAbsent(path: string, data: Uint8Array): Promise<PutIfAbsentResult> {
    if (this.#parties === 0 || !/_delta_log\/\d{20}\.json$/.test(path)) return this.inner.putIfAbsent(path, data);
    const text = new TextDecoder().decode(data);
    let land!: () => void;
    const landed = new Promise<void>((r) => (land = r));
    await new Promise<void>((go) => {
      this.#waiting.push({ text, go, landed });
      if (this.#waiting.length === this.#parties) void this.#release();
    });
    try {
      return await this.inner.putIfAbsent(path, data);
    } finally {
      land();
    }
  }
  async #release(): Promise<void> {
    const all = this.#waiting;
    this.#waiting = [];
    this.#parties = 0;
    const firstIndex = Math.max(0, all.findIndex((w) => this.#first?.(w.text) ?? false));
    const [winner] = all.splice(firstIndex, 1);
    winner!.go();
    await winner!.landed; // the winner's commit exists before the others try the same version
    for (const w of all) w.go();
  }
  list(dir: string, options?: ListOptions): AsyncIterable<ObjectMeta> {
    return this.inner.list(dir, options);
  }
  get(path: string, options?: { signal?: AbortSignal }): Promise<Uint8Array> {
    return this.inner.get(path, options);
  }
  getRange(path: string, start: number, end: number, options?: { signal?: AbortSignal }): Promise<Uint8Array> {
    return this.inner.getRange(path, start, end, options);
  }
  head(path: string): Promise<ObjectMeta> {
    return this.inner.head(path);
  }
  put(path: string, data: Uint8Array): Promise<void> {
    return this.inner.put(path, data);
  }
  delete(path: string): Promise<void> {
    return this.inner.delete(path);
  }
  isDirectory(path: string): Promise<boolean> {
    return this.inner.isDirectory(path);
  }
}
