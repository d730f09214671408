/**
 * `readStream.format('delta').option('readChangeFeed', 'true')`: the change data feed as a stream,
 * as Delta's `DeltaSourceCDCSupport`. Rows carry the table's columns then `_change_type`
 * (`insert`, `delete`, `update_preimage`, `update_postimage`), `_commit_version` and
 * `_commit_timestamp`, exactly as `@deltakit/cdf`'s `tableChanges` gives them for the same versions.
 *
 * Without `startingVersion` / `startingTimestamp` the stream starts with the initial snapshot, every
 * row an `insert` of the snapshot's version (taken file by file, so rate limits split it); then
 * each commit's changes. Commits are admitted whole (a batch never ends inside one; the first commit
 * of a batch is always taken), so log offsets always sit at a version's BASE index. Deletes and
 * updates are what a change feed is for: no ignore option is needed. Schema changes follow the same
 * rule as the plain source (`checkSchemaChange`).
 */
import { deltaToArrowSchema, field, primitive, throwIfAborted, type AddFile, type DeltaTable, type Snapshot, type StructType } from '@deltakit/core';
import { buildPartitionColumn, conformBatch, listLogFiles, logDirOf, readHistory } from '@deltakit/core/internal';
import { CHANGE_TYPE, COMMIT_TIMESTAMP, COMMIT_VERSION, tableChanges } from '@deltakit/cdf';
import { Data, RecordBatch, Struct, type Schema } from 'apache-arrow';
import { BASE_INDEX, compareOffsets, deserializeOffset, serializeOffset, type DeltaSourceOffset } from './delta-offset.js';
import { Admission, checkSchemaChange, commitsFrom, resolveStartingVersion, snapshotFileOrder, validateCommit, type DeltaStreamOptions } from './delta-source-options.js';
import type { ReadLimit, StreamContext, StreamSource } from './source.js';

/** The table's columns followed by the three change columns. */
export function cdfRelationSchema(table: StructType): StructType {
  return {
    kind: 'struct',
    fields: [...table.fields, field(CHANGE_TYPE, primitive('string'), false), field(COMMIT_VERSION, primitive('long'), false), field(COMMIT_TIMESTAMP, primitive('timestamp'), false)],
  };
}

export function openDeltaCdfStream(table: DeltaTable, init: Snapshot, options: DeltaStreamOptions, ctx: StreamContext): StreamSource<DeltaSourceOffset> {
  return new DeltaCdfSource(table, init, options, ctx);
}

interface Start {
  readonly version: number;
  readonly index: number;
  readonly isInitialSnapshot: boolean;
}

class DeltaCdfSource implements StreamSource<DeltaSourceOffset> {
  readonly description: string;
  readonly #table: DeltaTable;
  readonly #init: Snapshot;
  readonly #options: DeltaStreamOptions;
  readonly #ctx: StreamContext;
  readonly #tableId: string;
  readonly #schema: StructType;
  readonly #arrow: Schema;
  #startingVersion: Promise<number | undefined> | undefined;
  #snapshot: { version: number; adds: AddFile[]; snapshot: Snapshot } | undefined;
  #availableNow = false;
  #availableNowEnd: DeltaSourceOffset | undefined;
  #availableNowReady = false;

  constructor(table: DeltaTable, init: Snapshot, options: DeltaStreamOptions, ctx: StreamContext) {
    this.#table = table;
    this.#init = init;
    this.#options = options;
    this.#ctx = ctx;
    this.#tableId = init.metadata.id;
    this.#schema = cdfRelationSchema(init.schema);
    this.#arrow = deltaToArrowSchema(this.#schema);
    this.description = `DeltaSource[${table.tableRoot}]`;
  }

  async prepareForTriggerAvailableNow(): Promise<void> {
    this.#availableNow = true;
  }

  async latestOffset(start: DeltaSourceOffset | undefined, limit: ReadLimit, signal?: AbortSignal): Promise<DeltaSourceOffset | undefined> {
    if (this.#availableNow && !this.#availableNowReady) {
      this.#availableNowEnd = await this.#latest(start, undefined, signal);
      this.#availableNowReady = true;
    }
    return this.#latest(start, limit.allAvailable ? undefined : new Admission(this.#options), signal);
  }

  async #latest(start: DeltaSourceOffset | undefined, admission: Admission | undefined, signal?: AbortSignal): Promise<DeltaSourceOffset | undefined> {
    const from = start === undefined ? await this.#firstStart() : { version: start.reservoirVersion, index: start.index, isInitialSnapshot: start.isInitialSnapshot };
    const bound = this.#availableNowEnd;
    let end: DeltaSourceOffset | undefined;
    let logFrom = from.version;
    if (from.isInitialSnapshot) {
      const { adds } = await this.#snapshotAt(from.version, signal);
      const boundIndex = bound === undefined || !bound.isInitialSnapshot || bound.reservoirVersion !== from.version ? Infinity : bound.index;
      for (let i = from.index === BASE_INDEX ? 0 : from.index + 1; i < adds.length; i++) {
        if (i > boundIndex || (admission !== undefined && !admission.admit(adds[i]!.size))) return end ?? start;
        end = { reservoirId: this.#tableId, reservoirVersion: from.version, index: i, isInitialSnapshot: true };
      }
      if (boundIndex !== Infinity) return end ?? start;
      // The whole snapshot is in: the offset moves past its version.
      end = { reservoirId: this.#tableId, reservoirVersion: from.version + 1, index: BASE_INDEX, isInitialSnapshot: false };
      logFrom = from.version + 1;
    }
    for await (const commit of commitsFrom(this.#table.engine, this.#table.tableRoot, logFrom, signal)) {
      if (bound !== undefined && commit.version >= bound.reservoirVersion) break;
      this.#validate(commit);
      let count = 0;
      let bytes = 0;
      const hasCdc = commit.actions.some((a) => a.kind === 'cdc');
      for (const a of commit.actions) {
        if (hasCdc ? a.kind === 'cdc' : (a.kind === 'add' && a.add.dataChange) || (a.kind === 'remove' && a.remove.dataChange)) {
          count++;
          bytes += a.kind === 'cdc' ? a.cdc.size : a.kind === 'add' ? a.add.size : (a.kind === 'remove' ? a.remove.size ?? 0 : 0);
        }
      }
      if (admission !== undefined && !admission.admitAll(count, bytes)) break;
      end = { reservoirId: this.#tableId, reservoirVersion: commit.version + 1, index: BASE_INDEX, isInitialSnapshot: false };
    }
    return end ?? start;
  }

  async *getBatch(start: DeltaSourceOffset | undefined, end: DeltaSourceOffset, signal?: AbortSignal): AsyncGenerator<RecordBatch> {
    if (start !== undefined && this.sameOffset(start, end)) return;
    let from: Start;
    if (start !== undefined) from = { version: start.reservoirVersion, index: start.index, isInitialSnapshot: start.isInitialSnapshot };
    else {
      const sv = await this.#startVersion();
      if (sv !== undefined) from = { version: sv, index: BASE_INDEX, isInitialSnapshot: false };
      else if (end.isInitialSnapshot) from = { version: end.reservoirVersion, index: BASE_INDEX, isInitialSnapshot: true };
      else from = { version: end.reservoirVersion - 1, index: BASE_INDEX, isInitialSnapshot: true };
    }
    let logFrom = from.version;
    if (from.isInitialSnapshot) {
      const { adds } = await this.#snapshotAt(from.version, signal);
      const last = end.isInitialSnapshot && end.reservoirVersion === from.version ? end.index : adds.length - 1;
      const files = adds.slice(from.index === BASE_INDEX ? 0 : from.index + 1, last + 1);
      if (files.length > 0) {
        const micros = BigInt(await this.#commitTimestamp(from.version, signal)) * 1000n;
        for await (const b of this.#init.scan({ files, ...(signal ? { signal } : {}) }).batches()) yield this.#withChangeColumns(b, from.version, micros);
      }
      logFrom = from.version + 1;
    }
    // Log offsets sit at BASE: the commits in [logFrom, end.reservoirVersion) are this batch's.
    const lastVersion = end.isInitialSnapshot ? logFrom - 1 : end.reservoirVersion - 1;
    if (lastVersion < logFrom) return;
    for await (const commit of commitsFrom(this.#table.engine, this.#table.tableRoot, logFrom, signal)) {
      if (commit.version > lastVersion) break;
      this.#validate(commit);
    }
    const changes = tableChanges(this.#table, { startingVersion: logFrom, endingVersion: lastVersion, ...(signal ? { signal } : {}) });
    for await (const b of changes) {
      throwIfAborted(signal);
      yield conformBatch(b, this.#schema, { columnMapping: 'none' });
    }
  }

  #validate(commit: Parameters<typeof validateCommit>[0]): void {
    // A change feed reads deletes and updates as rows: nothing is refused for removing data.
    validateCommit(commit, { ...this.#options, ignoreChanges: true, skipChangeCommits: false }, this.#table.tableRoot, (metadata, version) =>
      checkSchemaChange({ metadata, version, init: this.#init.metadata, initVersion: this.#init.version, readSchema: this.#init.schema, tableRoot: this.#table.tableRoot, startingOption: this.#options.startingVersion !== undefined || this.#options.startingTimestamp !== undefined }),
    );
  }

  /** Snapshot rows as inserts of `version` at its commit time. */
  #withChangeColumns(batch: RecordBatch, version: number, micros: bigint): RecordBatch {
    const n = batch.numRows;
    const children: Data[] = [...batch.data.children];
    children.push(buildPartitionColumn('insert', primitive('string'), n));
    children.push(buildPartitionColumn(BigInt(version), primitive('long'), n));
    children.push(buildPartitionColumn(micros, primitive('timestamp'), n));
    return new RecordBatch(this.#arrow, new Data(new Struct(this.#arrow.fields), 0, n, 0, undefined, children) as Data<Struct>);
  }

  async #commitTimestamp(version: number, signal?: AbortSignal): Promise<number> {
    const listing = await listLogFiles(this.#table.engine, logDirOf(this.#table.tableRoot), version, signal);
    const latest = Math.max(version, ...listing.commits.keys());
    const history = await readHistory(this.#table.engine, this.#table.tableRoot, { limit: latest - version + 1, ...(signal ? { signal } : {}) });
    return history.find((h) => h.version === version)?.timestamp ?? 0;
  }

  async #firstStart(): Promise<Start> {
    const sv = await this.#startVersion();
    return sv === undefined ? { version: this.#init.version, index: BASE_INDEX, isInitialSnapshot: true } : { version: sv, index: BASE_INDEX, isInitialSnapshot: false };
  }

  async #snapshotAt(version: number, signal?: AbortSignal): Promise<{ adds: AddFile[]; snapshot: Snapshot }> {
    if (this.#snapshot?.version === version) return this.#snapshot;
    const snapshot = version === this.#init.version ? this.#init : await this.#table.snapshot({ version, ...(signal ? { signal } : {}) });
    const adds = snapshotFileOrder(snapshot.addFiles);
    this.#snapshot = { version, adds, snapshot };
    return this.#snapshot;
  }

  #startVersion(): Promise<number | undefined> {
    this.#startingVersion ??= resolveStartingVersion(this.#table, this.#init, this.#options, this.#ctx);
    return this.#startingVersion;
  }

  async commit(end: DeltaSourceOffset): Promise<void> {
    if (!end.isInitialSnapshot) this.#snapshot = undefined;
  }

  serialize(offset: DeltaSourceOffset): string {
    return serializeOffset(offset);
  }

  deserialize(json: string): DeltaSourceOffset {
    return deserializeOffset(json, this.#tableId);
  }

  sameOffset(a: DeltaSourceOffset, b: DeltaSourceOffset): boolean {
    return compareOffsets(a, b) === 0 && a.isInitialSnapshot === b.isInitialSnapshot;
  }

  async stop(): Promise<void> {
    this.#snapshot = undefined;
  }
}
