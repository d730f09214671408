import type { Clock, Engine } from '../../src/engine.js';
import { systemClock } from '../../src/engine.js';
import type { Action, AddFile, Metadata, Protocol, RemoveFile } from '../../src/log/actions.js';
import { commitPath } from '../../src/log/log-path.js';
import { parseActionLines } from '../../src/log/parse-actions.js';
import { serializeCommit } from '../../src/log/serialize-actions.js';
import { createParquetHandler } from '../../src/parquet/parquet-wasm-handler.js';
import { MemoryStore } from '../../src/storage/memory-store.js';
import type { ListOptions, ObjectMeta, ObjectStore, PutIfAbsentResult } from '../../src/storage/object-store.js';
import { DeltaTable } from '../../src/table/delta-table.js';
import type { Snapshot } from '../../src/table/snapshot.js';
import { Transaction, type TransactionOptions } from '../../src/transaction/transaction.js';

export const ROOT = '/t';

/** A clock the test moves by hand. */
export class ManualClock implements Clock {
  constructor(public now = 1_700_000_000_000) {}
  nowMs(): number {
    return this.now;
  }
}

/** An engine over `store` (a fresh MemoryStore by default), decoding parquet on this thread. */
export function testEngine(store: ObjectStore = new MemoryStore(), clock: Clock = systemClock): Engine {
  return { store, parquet: createParquetHandler(store, { workers: 0 }), clock };
}

export const SCHEMA = JSON.stringify({
  type: 'struct',
  fields: [
    { name: 'id', type: 'long', nullable: true, metadata: {} },
    { name: 'part', type: 'string', nullable: true, metadata: {} },
  ],
});

export function metadata(over: Partial<Metadata> = {}): Metadata {
  return {
    id: 'a0f4c5e2-0000-4000-8000-000000000001',
    format: { provider: 'parquet', options: {} },
    schemaString: SCHEMA,
    partitionColumns: ['part'],
    configuration: {},
    createdTime: 1_700_000_000_000,
    ...over,
  };
}

export const PROTOCOL_1_2: Protocol = { minReaderVersion: 1, minWriterVersion: 2 };

/** A synthetic add action (no file behind it; conflict checks and replay never open it). */
export function fakeAdd(path: string, part: string | null = 'a', extra: Partial<AddFile> = {}): AddFile {
  return {
    path,
    partitionValues: { part },
    size: 100,
    modificationTime: 1_700_000_000_000,
    dataChange: true,
    stats: '{"numRecords":1,"minValues":{"id":1},"maxValues":{"id":1},"nullCount":{"id":0}}',
    ...extra,
  };
}

export function fakeRemove(add: AddFile, dataChange = true): RemoveFile {
  return { path: add.path, deletionTimestamp: 1_700_000_000_000, dataChange, extendedFileMetadata: true, partitionValues: add.partitionValues, size: add.size };
}

export async function snapshotOf(engine: Engine, root = ROOT): Promise<Snapshot> {
  return DeltaTable.forPath(`memory://${root.slice(1)}`, { engine }).snapshot();
}

/** Creates a table at version 0 through a Transaction. */
export async function createTable(engine: Engine, options: { protocol?: Protocol; metadata?: Metadata; root?: string } = {}): Promise<void> {
  const tx = Transaction.begin(engine, null, { operation: 'CREATE TABLE', tableRoot: options.root ?? ROOT });
  tx.updateProtocol(options.protocol ?? PROTOCOL_1_2).updateMetadata(options.metadata ?? metadata());
  await tx.commit();
}

/** Begins a transaction on the latest snapshot. */
export async function begin(engine: Engine, options: Partial<TransactionOptions> = {}): Promise<Transaction> {
  return Transaction.begin(engine, await snapshotOf(engine), { operation: 'WRITE', ...options });
}

/** Appends `adds` as a blind append through a Transaction; returns the committed version. */
export async function append(engine: Engine, adds: AddFile[]): Promise<number> {
  const tx = await begin(engine, { operation: 'WRITE', operationParameters: { mode: 'Append' } });
  return (await tx.addFiles(adds).commit()).version;
}

/** The parsed actions of commit `version`. */
export async function commitActions(store: ObjectStore, version: number, root = ROOT): Promise<Action[]> {
  const path = commitPath(root, version);
  return parseActionLines(await store.get(path), path);
}

/** The raw text lines of commit `version`. */
export async function commitLines(store: ObjectStore, version: number, root = ROOT): Promise<string[]> {
  return new TextDecoder().decode(await store.get(commitPath(root, version))).trimEnd().split('\n');
}

/** Writes a commit directly (bypassing Transaction checks), as another client would. */
export async function rawCommit(store: ObjectStore, version: number, actions: Action[], root = ROOT): Promise<void> {
  const r = await store.putIfAbsent(commitPath(root, version), serializeCommit(actions));
  if (!r.created) throw new Error(`commit ${version} already exists`);
}

/** Versions of the commit files present. */
export async function commitVersions(store: ObjectStore, root = ROOT): Promise<number[]> {
  const out: number[] = [];
  for await (const m of store.list(`${root}/_delta_log`)) {
    const name = m.path.slice(m.path.lastIndexOf('/') + 1);
    if (/^\d{20}\.json$/.test(name)) out.push(Number(name.slice(0, 20)));
  }
  return out;
}

/** A store whose `putIfAbsent` can be made to misbehave once per scheduled fault. */
export class FaultyStore implements ObjectStore {
  /** Faults consumed in order by successive putIfAbsent calls on commit files. */
  readonly faults: ((path: string, data: Uint8Array) => Promise<PutIfAbsentResult>)[] = [];
  headFault: ((path: string) => Promise<ObjectMeta>) | undefined;
  getFault: ((path: string) => Promise<Uint8Array>) | undefined;
  putCalls = 0;

  constructor(readonly inner: ObjectStore = new MemoryStore()) {}

  list(dir: string, options?: ListOptions): AsyncIterable<ObjectMeta> {
    return this.inner.list(dir, options);
  }
  get(path: string, options?: { signal?: AbortSignal }): Promise<Uint8Array> {
    return this.getFault ? this.getFault(path) : this.inner.get(path, options);
  }
  getRange(path: string, start: number, end: number): Promise<Uint8Array> {
    return this.inner.getRange(path, start, end);
  }
  head(path: string): Promise<ObjectMeta> {
    return this.headFault ? this.headFault(path) : this.inner.head(path);
  }
  put(path: string, data: Uint8Array): Promise<void> {
    return this.inner.put(path, data);
  }
  putIfAbsent(path: string, data: Uint8Array): Promise<PutIfAbsentResult> {
    this.putCalls++;
    const fault = path.endsWith('.json') ? this.faults.shift() : undefined;
    return fault ? fault(path, data) : this.inner.putIfAbsent(path, data);
  }
  delete(path: string): Promise<void> {
    return this.inner.delete(path);
  }
  isDirectory(path: string): Promise<boolean> {
    return this.inner.isDirectory(path);
  }
}

export const ioError = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
