/**
 * The provider behind both state store kinds (see state-store.ts for the contract): versions,
 * the in-memory version cache (undo logs), delta commits, background snapshots and cleanup. The
 * backend (heap map or LMDB) only holds the loaded version's entries.
 */
import { DeltaError, type ObjectStore, type StructType } from '@deltakit/core';
import { silentLogger, type Logger } from '../util/logger.js';
import { isNotFound } from '../checkpoint/metadata-log.js';
import { keyBytes, keyText, MemoryBackend, type StateBackend } from './backend.js';
import { ByteWriter, checkStateSchema, decodeRow, encodeRowInto, type StateRow } from './row-codec.js';
import { checkOrWriteStateSchema } from './state-schema.js';
import {
  corrupt,
  decodeManifest,
  deltaPath,
  encodeManifest,
  parseStateFileName,
  readRecordFile,
  RecordFileWriter,
  sameBytes,
  snapshotPartPath,
  snapshotPath,
  type StateFileListing,
} from './state-files.js';
import {
  DEFAULT_MAX_VERSIONS_IN_MEMORY,
  DEFAULT_MIN_DELTAS_FOR_SNAPSHOT,
  DEFAULT_SNAPSHOT_PART_BYTES,
  DEFAULT_STATE_MIN_BATCHES_TO_RETAIN,
  STATE_STORE_PROVIDERS,
  type StateEntry,
  type StateStore,
  type StateStoreMetrics,
  type StateStoreProvider,
  type StateStoreProviderKind,
  type StateStoreProviderSpec,
} from './state-store.js';

/**
 * Opens the provider of one operator and partition: checks the state schema against the
 * checkpoint's (writing it on a first run) and prepares an empty backend; nothing is loaded
 * until `getStore`.
 */
export async function openStateStoreProvider(spec: StateStoreProviderSpec): Promise<StateStoreProvider> {
  const o = spec.options ?? {};
  const kind = o.provider ?? 'memory';
  if (!STATE_STORE_PROVIDERS.includes(kind)) {
    throw new DeltaError('INVALID_ARGUMENT', `Unknown state store provider '${String(kind)}'. Use one of: ${STATE_STORE_PROVIDERS.join(', ')}.`);
  }
  for (const [name, v, min] of [
    ['operatorId', spec.operatorId, 0],
    ['partition', spec.partition, 0],
    ['minDeltasForSnapshot', o.minDeltasForSnapshot ?? 1, 1],
    ['minBatchesToRetain', o.minBatchesToRetain ?? 1, 1],
    ['maxVersionsToRetainInMemory', o.maxVersionsToRetainInMemory ?? 1, 1],
    ['snapshotPartBytes', o.snapshotPartBytes ?? 1024, 1024],
  ] as const) {
    if (!Number.isInteger(v) || v < min) throw new DeltaError('INVALID_ARGUMENT', `State store option ${name} must be an integer >= ${min}, got ${String(v)}.`);
  }
  checkStateSchema(spec.keySchema, 'key');
  checkStateSchema(spec.valueSchema, 'value');
  const checkpoint = spec.checkpoint.replace(/\/+$/, '');
  await checkOrWriteStateSchema(spec.store, checkpoint, spec.operatorId, spec.keySchema, spec.valueSchema);
  // lmdb (a native module) loads only when a query asks for it.
  const backend = kind === 'lmdb' ? new (await import('./lmdb-backend.js')).LmdbBackend(o.localDir, `${spec.operatorId}-${spec.partition}`) : new MemoryBackend();
  return new VersionedStateProvider(spec, checkpoint, kind, backend);
}

interface Undo {
  /** The version this undo restores (from version + 1). */
  readonly version: number;
  readonly revert: () => void;
  readonly bytes: number;
}

class VersionedStateProvider implements StateStoreProvider {
  readonly operatorId: number;
  readonly partition: number;
  readonly dir: string;
  readonly keySchema: StructType;
  readonly valueSchema: StructType;
  readonly #store: ObjectStore;
  readonly #log: Logger;
  readonly #minDeltas: number;
  readonly #retain: number;
  readonly #inMemory: number;
  readonly #partBytes: number;
  /** The version the backend holds; -1 before the first load. */
  #loaded = -1;
  #undos: Undo[] = [];
  #open: Store | undefined;
  #maintenance: Promise<void> = Promise.resolve();
  #lastSnapshot = 0;
  #closed = false;
  readonly counters = { loadedMapCacheHitCount: 0, loadedMapCacheMissCount: 0, numSnapshotsWritten: 0, numFilesDeleted: 0 };

  constructor(
    spec: StateStoreProviderSpec,
    checkpoint: string,
    readonly kind: StateStoreProviderKind,
    readonly backend: StateBackend,
  ) {
    this.operatorId = spec.operatorId;
    this.partition = spec.partition;
    this.dir = `${checkpoint}/state/${spec.operatorId}/${spec.partition}`;
    this.keySchema = spec.keySchema;
    this.valueSchema = spec.valueSchema;
    this.#store = spec.store;
    const o = spec.options ?? {};
    this.#log = o.logger ?? silentLogger;
    this.#minDeltas = o.minDeltasForSnapshot ?? DEFAULT_MIN_DELTAS_FOR_SNAPSHOT;
    this.#retain = o.minBatchesToRetain ?? DEFAULT_STATE_MIN_BATCHES_TO_RETAIN;
    this.#inMemory = o.maxVersionsToRetainInMemory ?? DEFAULT_MAX_VERSIONS_IN_MEMORY;
    this.#partBytes = o.snapshotPartBytes ?? DEFAULT_SNAPSHOT_PART_BYTES;
  }

  async getStore(version: number): Promise<StateStore> {
    this.#checkOpen();
    if (!Number.isInteger(version) || version < 0) throw new DeltaError('INVALID_ARGUMENT', `A state store version is an integer >= 0, got ${version}.`);
    if (this.#open !== undefined) this.#open.invalidate();
    this.#open = undefined;
    if (this.#loaded === version) this.counters.loadedMapCacheHitCount++;
    else {
      await this.#maintenance; // a snapshot in flight reads the backend: let it finish before changing it
      await this.#load(version);
    }
    const s = new Store(this, version);
    this.#open = s;
    return s;
  }

  async latestVersion(): Promise<number> {
    const l = await this.#list();
    return Math.max(0, ...l.deltas, ...l.snapshots);
  }

  flush(): Promise<void> {
    return this.#maintenance;
  }

  async doMaintenance(): Promise<void> {
    await this.#maintenance;
    if (this.#loaded > 0 && this.#loaded - this.#lastSnapshot >= this.#minDeltas) {
      const run = this.#snapshotAndCleanup(this.#loaded);
      this.#maintenance = run.catch(() => undefined);
      await run;
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#maintenance;
    this.#open?.invalidate();
    this.#closed = true;
    await this.backend.close();
  }

  #checkOpen(): void {
    if (this.#closed) throw new DeltaError('INVALID_ARGUMENT', `The state store provider of operator ${this.operatorId} partition ${this.partition} is closed.`);
  }

  // ---- loading -------------------------------------------------------------------------------

  async #load(version: number): Promise<void> {
    // Older versions still in the undo logs: roll back without reading the checkpoint.
    if (version < this.#loaded && this.#undos.length > 0 && this.#undos[0]!.version <= version) {
      while (this.#loaded > version) {
        const u = this.#undos.pop()!;
        u.revert();
        this.#loaded = u.version;
      }
      this.counters.loadedMapCacheHitCount++;
      return;
    }
    this.counters.loadedMapCacheMissCount++;
    this.#undos = [];
    const listing = await this.#list();
    const snapshots = [...listing.snapshots].filter((v) => v <= version);
    const snap = snapshots.length === 0 ? 0 : Math.max(...snapshots);
    this.#lastSnapshot = Math.max(0, ...[...listing.snapshots].filter((v) => v <= version));
    // Roll forward from the loaded version when it lies between the snapshot and the target.
    const from = this.#loaded >= snap && this.#loaded <= version ? this.#loaded : snap;
    for (let v = from + 1; v <= version; v++) {
      if (!listing.deltas.has(v)) {
        const have = [...listing.deltas].sort((a, b) => a - b);
        throw new DeltaError(
          'CORRUPT_CHECKPOINT',
          `The state of operator ${this.operatorId} partition ${this.partition} at version ${version} cannot be loaded: ${deltaPath(this.dir, v)} does not exist` +
            ` (snapshots: ${[...listing.snapshots].sort((a, b) => a - b).join(', ') || 'none'}; deltas: ${have.length === 0 ? 'none' : `${have[0]}..${have.at(-1)}`}).` +
            ' State files were deleted or the checkpoint is incomplete; restore it from a backup, or start the query with a new checkpointLocation.',
          { details: { operatorId: this.operatorId, partition: this.partition, version, missing: deltaPath(this.dir, v) } },
        );
      }
    }
    try {
      if (from !== this.#loaded) {
        this.backend.clear();
        this.#loaded = -1;
        if (from > 0) await this.#loadSnapshot(from);
      }
      for (let v = from + 1; v <= version; v++) {
        const path = deltaPath(this.dir, v);
        this.#applyFile(await this.#read(path), 'delta', path);
      }
    } catch (e) {
      this.backend.clear(); // a partly loaded state is no version at all
      this.#loaded = -1;
      throw e;
    }
    this.#loaded = version;
  }

  async #loadSnapshot(version: number): Promise<void> {
    const path = snapshotPath(this.dir, version);
    const manifest = decodeManifest(await this.#read(path), path, version);
    for (let i = 0; i < manifest.parts; i++) {
      const part = snapshotPartPath(this.dir, version, i);
      this.#applyFile(await this.#read(part), 'snapshot', part);
    }
    if (this.backend.numKeys() !== manifest.numKeys) throw corrupt(path, `its parts hold ${this.backend.numKeys()} keys where the manifest says ${manifest.numKeys}`);
  }

  #applyFile(bytes: Uint8Array, kind: 'delta' | 'snapshot', path: string): void {
    this.backend.bulk((put, remove) => {
      readRecordFile(bytes, kind, path, (k, v) => (v === null ? remove(k) : put(k, v)));
    });
  }

  async #read(path: string): Promise<Uint8Array> {
    try {
      return await this.#store.get(path);
    } catch (e) {
      if (isNotFound(e)) throw corrupt(path, 'it does not exist (it was listed a moment ago: was it deleted by another process?)', e);
      throw e;
    }
  }

  async #list(): Promise<StateFileListing> {
    const deltas = new Set<number>();
    const manifests = new Set<number>();
    const byVersion = new Map<number, string[]>();
    for await (const m of this.#store.list(this.dir)) {
      const name = m.path.slice(m.path.lastIndexOf('/') + 1);
      const f = parseStateFileName(name);
      if (f === undefined) continue;
      if (f.kind === 'delta') deltas.add(f.version);
      else if (f.part === undefined) manifests.add(f.version);
      const list = byVersion.get(f.version) ?? [];
      list.push(m.path);
      byVersion.set(f.version, list);
    }
    return { deltas, snapshots: manifests, byVersion };
  }

  // ---- committing ----------------------------------------------------------------------------

  async commit(s: Store, changes: Map<string, Uint8Array | null>): Promise<number> {
    const next = s.version + 1;
    const keys = [...changes.keys()].sort();
    const file = new RecordFileWriter('delta');
    for (const k of keys) {
      const v = changes.get(k)!;
      if (v === null) file.remove(keyBytes(k));
      else file.put(keyBytes(k), v);
    }
    const bytes = file.finish();
    const path = deltaPath(this.dir, next);
    const r = await this.#store.putIfAbsent(path, bytes);
    if (!r.created) {
      const existing = await this.#store.get(path);
      if (!sameBytes(existing, bytes)) {
        // A re-run of batch `s.version` with other changes than its first attempt: the last
        // attempt is the one the query commits, so its delta replaces the first one, and what was
        // derived from the first (this version's snapshot, later versions) goes.
        await this.#store.put(path, bytes);
        const removed = await this.#deleteDerived(next);
        this.#log.warn({ operatorId: this.operatorId, partition: this.partition, version: next, removed }, 'state delta re-committed with different changes: replaced it');
      }
    }
    if (this.#open !== s) throw stale(this.operatorId, this.partition);
    await this.#maintenance;
    const revert = this.backend.apply(changes, this.#inMemory > 1);
    if (revert !== undefined) {
      this.#undos.push({ version: s.version, revert, bytes: changesBytes(changes) });
      while (this.#undos.length > this.#inMemory - 1) this.#undos.shift();
    }
    this.#loaded = next;
    this.#open = undefined;
    if (next - this.#lastSnapshot >= this.#minDeltas) {
      this.#maintenance = this.#snapshotAndCleanup(next).catch((e: unknown) => {
        this.#log.warn({ operatorId: this.operatorId, partition: this.partition, version: next, err: e instanceof Error ? e.message : String(e) }, 'state store maintenance failed (the next commit retries)');
      });
    }
    return next;
  }

  async #deleteDerived(version: number): Promise<number> {
    const listing = await this.#list();
    let n = 0;
    for (const [v, paths] of listing.byVersion) {
      for (const p of paths) {
        if (v > version || (v === version && !p.endsWith('.delta'))) {
          await this.#store.delete(p);
          n++;
        }
      }
    }
    if (this.#lastSnapshot >= version) this.#lastSnapshot = Math.max(0, ...[...listing.snapshots].filter((x) => x < version));
    return n;
  }

  async #snapshotAndCleanup(version: number): Promise<void> {
    await this.#writeSnapshot(version);
    await this.#cleanup(version);
  }

  /** Writes the backend (at `version`) as parts of at most `snapshotPartBytes`, then the manifest. */
  async #writeSnapshot(version: number): Promise<void> {
    let part = 0;
    let numKeys = 0;
    let file = new RecordFileWriter('snapshot');
    for (const [k, v] of this.backend.entries('')) {
      if (this.#loaded !== version) return; // the provider moved on (cannot happen while commits await us)
      file.put(keyBytes(k), v);
      numKeys++;
      if (file.size >= this.#partBytes) {
        await this.#store.put(snapshotPartPath(this.dir, version, part++), file.finish());
        file = new RecordFileWriter('snapshot');
      }
    }
    if (file.records > 0 || part === 0) await this.#store.put(snapshotPartPath(this.dir, version, part++), file.finish());
    await this.#store.put(snapshotPath(this.dir, version), encodeManifest({ version, parts: part, numKeys }));
    this.#lastSnapshot = version;
    this.counters.numSnapshotsWritten++;
  }

  /**
   * Spark's cleanup: keep every file needed to load `latest - minBatchesToRetain` and later
   * versions (the newest snapshot at or below it and what follows); delete older files.
   */
  async #cleanup(latest: number): Promise<void> {
    const earliest = latest - this.#retain;
    if (earliest <= 0) return;
    const listing = await this.#list();
    const base = Math.max(0, ...[...listing.snapshots].filter((v) => v <= earliest));
    if (base === 0) return;
    for (const [v, paths] of listing.byVersion) {
      if (v >= base) continue;
      for (const p of paths) {
        await this.#store.delete(p);
        this.counters.numFilesDeleted++;
      }
    }
  }

  undoBytes(): number {
    return this.#undos.reduce((n, u) => n + u.bytes, 0);
  }

  get lastSnapshotVersion(): number {
    return this.#lastSnapshot;
  }

  isCurrent(s: Store): boolean {
    return this.#open === s;
  }
}

function changesBytes(changes: ReadonlyMap<string, Uint8Array | null>): number {
  let n = 0;
  for (const [k, v] of changes) n += k.length + (v?.length ?? 0) + 64;
  return n;
}

function stale(operatorId: number, partition: number): DeltaError {
  return new DeltaError('INVALID_ARGUMENT', `This state store of operator ${operatorId} partition ${partition} is no longer usable: it was committed or aborted, or the provider handed out another store since. Get a new store with getStore(version).`);
}

const writer = new ByteWriter(1024);

class Store implements StateStore {
  readonly #p: VersionedStateProvider;
  readonly #changes = new Map<string, Uint8Array | null>();
  #state: 'open' | 'committed' | 'aborted' | 'stale' = 'open';
  #commitTimeMs = 0;

  constructor(
    p: VersionedStateProvider,
    readonly version: number,
  ) {
    this.#p = p;
  }

  get hasCommitted(): boolean {
    return this.#state === 'committed';
  }

  invalidate(): void {
    if (this.#state === 'open') this.#state = 'stale';
  }

  #key(row: StateRow): string {
    if (row.length !== this.#p.keySchema.fields.length) throw rowShape('key', row.length, this.#p.keySchema);
    writer.reset();
    encodeRowInto(writer, this.#p.keySchema, row);
    return keyText(writer.buf.subarray(0, writer.pos));
  }

  #writable(): void {
    if (this.#state !== 'open') throw stale(this.#p.operatorId, this.#p.partition);
  }

  get(key: StateRow): StateRow | undefined {
    if (this.#state === 'stale') throw stale(this.#p.operatorId, this.#p.partition);
    const k = this.#key(key);
    const c = this.#changes.get(k);
    const bytes = c === undefined ? this.#p.backend.get(k) : c;
    return bytes === null || bytes === undefined ? undefined : this.#decode(this.#p.valueSchema, bytes, 'value');
  }

  put(key: StateRow, value: StateRow): void {
    this.#writable();
    const k = this.#key(key);
    if (value.length !== this.#p.valueSchema.fields.length) throw rowShape('value', value.length, this.#p.valueSchema);
    writer.reset();
    encodeRowInto(writer, this.#p.valueSchema, value);
    this.#changes.set(k, writer.buf.slice(0, writer.pos));
  }

  remove(key: StateRow): void {
    this.#writable();
    const k = this.#key(key);
    if (this.#p.backend.has(k)) this.#changes.set(k, null);
    else this.#changes.delete(k);
  }

  iterator(): IterableIterator<StateEntry> {
    return this.#scan('');
  }

  prefixScan(prefix: StateRow): IterableIterator<StateEntry> {
    if (prefix.length > this.#p.keySchema.fields.length) throw rowShape('key prefix', prefix.length, this.#p.keySchema);
    writer.reset();
    encodeRowInto(writer, this.#p.keySchema, prefix);
    return this.#scan(keyText(writer.buf.subarray(0, writer.pos)));
  }

  *#scan(prefix: string): IterableIterator<StateEntry> {
    if (this.#state === 'stale') throw stale(this.#p.operatorId, this.#p.partition);
    for (const [k, v] of this.#p.backend.entries(prefix)) {
      if (this.#changes.has(k)) continue;
      yield { key: this.#decode(this.#p.keySchema, keyBytes(k), 'key'), value: this.#decode(this.#p.valueSchema, v, 'value') };
    }
    for (const [k, v] of [...this.#changes]) {
      if (v === null || (prefix !== '' && !k.startsWith(prefix))) continue;
      if (this.#changes.get(k) !== v) continue; // changed again during the iteration
      yield { key: this.#decode(this.#p.keySchema, keyBytes(k), 'key'), value: this.#decode(this.#p.valueSchema, v, 'value') };
    }
  }

  #decode(schema: StructType, bytes: Uint8Array, what: string): StateRow {
    try {
      return decodeRow(schema, bytes);
    } catch (e) {
      throw new DeltaError('CORRUPT_CHECKPOINT', `A state ${what} of operator ${this.#p.operatorId} partition ${this.#p.partition} does not decode with the state schema (${e instanceof Error ? e.message : String(e)}). The state files in ${this.#p.dir} are damaged; start the query with a new checkpointLocation.`, { cause: e });
    }
  }

  async commit(): Promise<number> {
    if (this.#state === 'committed') return this.version + 1;
    this.#writable();
    const t0 = performance.now();
    const next = await this.#p.commit(this, this.#changes);
    this.#state = 'committed';
    this.#commitTimeMs = Math.round(performance.now() - t0);
    return next;
  }

  abort(): void {
    if (this.#state === 'open') {
      this.#state = 'aborted';
      this.#changes.clear();
    }
  }

  metrics(): StateStoreMetrics {
    const p = this.#p;
    const pending = this.#state === 'committed' ? 0 : changesBytes(this.#changes);
    const backendBytes = p.backend.memoryUsedBytes();
    let numKeys = p.backend.numKeys();
    if (this.#state === 'open' && p.isCurrent(this)) {
      // Pending changes: new keys add one, removed keys take one away (counted here, not per put).
      for (const [k, v] of this.#changes) if (p.backend.has(k) !== (v !== null)) numKeys += v === null ? -1 : 1;
    }
    return {
      numKeys,
      memoryUsedBytes: backendBytes + pending + p.undoBytes(),
      commitTimeMs: this.#commitTimeMs,
      customMetrics: {
        ...p.counters,
        stateOnCurrentVersionSizeBytes: backendBytes,
        snapshotLastUploadedVersion: p.lastSnapshotVersion,
        ...p.backend.customMetrics(),
      },
    };
  }
}

function rowShape(what: string, n: number, schema: StructType): DeltaError {
  return new DeltaError('INVALID_ARGUMENT', `A state ${what} has ${n} values but the state schema has ${schema.fields.length} columns (${schema.fields.map((f) => f.name).join(', ')}).`);
}
