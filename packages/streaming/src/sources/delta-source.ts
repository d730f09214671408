/**
 * `readStream.format('delta').load(path)`: a Delta table as a stream, as Delta's `DeltaSource`.
 *
 * What the stream yields: without `startingVersion` / `startingTimestamp`, the table as it is when
 * the query first starts (the "initial snapshot", its files ordered by modification time then
 * path), then every later commit in version order; with them, the commits from that version on
 * (`latest`: only commits made after the start). Only add actions with `dataChange: true` are
 * read, so OPTIMIZE and other rearranging commits are skipped; commits that remove data fail the
 * query with SOURCE_CHANGED unless `ignoreDeletes` (removes only), `ignoreChanges` (rewritten
 * files are read again, with their unchanged rows) or `skipChangeCommits` (such commits are
 * skipped whole) allow them.
 *
 * Offsets are Delta's (see `delta-offset.ts`), so a batch is a range of `(version, index)`
 * positions and `getBatch(start, end)` lists the same files for the same pair on every call: the
 * initial snapshot is taken at the offset's version, never at "the latest".
 *
 * Rate limits: `maxFilesPerTrigger` (default 1000) and `maxBytesPerTrigger` (soft: at least one
 * file) bound each batch; both are ignored under Trigger.Once, and Trigger.AvailableNow pins the
 * end at what exists when the query starts, then runs rate-limited batches up to it.
 *
 * The schema: the relation's schema is the table's schema at its latest version when the query
 * starts (as Delta, also with `startingVersion`; older files lacking newer columns read them as
 * null). A metadata action met in the stream must be readable with that schema; otherwise the query
 * fails with SCHEMA_CHANGED, and for an additive change a restart, which resolves the schema again
 * from the table, continues with the new columns. `readChangeFeed: true` streams the change data
 * feed instead (`delta-cdf-source.ts`).
 */
import { DeltaError, DeltaTable, type AddFile, type Snapshot } from '@deltakit/core';
import type { RecordBatch } from 'apache-arrow';
import { resolveDeltaBatch } from './delta-batch.js';
import { openDeltaCdfStream, cdfRelationSchema } from './delta-cdf-source.js';
import { BASE_INDEX, END_INDEX, compareOffsets, deserializeOffset, offsetAfter, serializeOffset, type DeltaSourceOffset } from './delta-offset.js';
import { Admission, checkSchemaChange, commitsFrom, parseDeltaStreamOptions, resolveStartingVersion, snapshotFileOrder, validateCommit, type DeltaStreamOptions } from './delta-source-options.js';
import { requirePath, type ReadLimit, type ResolvedRelation, type SourceProvider, type StreamContext, type StreamSource } from './source.js';

/** A position in the stream: an add action, or a version's BASE / END placeholder (no `add`). */
export interface IndexedFile {
  readonly version: number;
  readonly index: number;
  readonly add?: AddFile;
}

export const deltaSourceProvider: SourceProvider = {
  formats: ['delta'],
  async resolve(spec, streaming, ctx): Promise<ResolvedRelation> {
    if (!streaming) return resolveDeltaBatch(spec, ctx);
    const options = parseDeltaStreamOptions(spec);
    const table = DeltaTable.forPath(requirePath(spec, true), { engine: ctx.engine, sessionTimeZone: ctx.timeZone });
    // Delta's snapshotAtSourceInit: the read schema and the initial snapshot's version.
    const init = await table.snapshot(ctx.signal ? { signal: ctx.signal } : {});
    if (options.readChangeFeed) {
      return { kind: 'delta', schema: cdfRelationSchema(init.schema), hidden: [], openStream: async (sctx) => openDeltaCdfStream(table, init, options, sctx) };
    }
    return { kind: 'delta', schema: init.schema, hidden: [], openStream: async (sctx) => new DeltaSource(table, init, options, sctx) };
  },
};

class DeltaSource implements StreamSource<DeltaSourceOffset> {
  readonly description: string;
  readonly #table: DeltaTable;
  readonly #init: Snapshot;
  readonly #options: DeltaStreamOptions;
  readonly #ctx: StreamContext;
  readonly #tableId: string;
  #startingVersion: Promise<number | undefined> | undefined;
  #snapshotFiles: { version: number; files: IndexedFile[] } | undefined;
  #availableNow = false;
  #availableNowEnd: DeltaSourceOffset | undefined;
  #availableNowReady = false;

  constructor(table: DeltaTable, init: Snapshot, options: DeltaStreamOptions, ctx: StreamContext) {
    this.#table = table;
    this.#init = init;
    this.#options = options;
    this.#ctx = ctx;
    this.#tableId = init.metadata.id;
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
    let from: { version: number; index: number; isInitialSnapshot: boolean };
    if (start === undefined) {
      const sv = await this.#startVersion();
      from = sv === undefined ? { version: this.#init.version, index: BASE_INDEX, isInitialSnapshot: true } : { version: sv, index: BASE_INDEX, isInitialSnapshot: false };
    } else from = { version: start.reservoirVersion, index: start.index, isInitialSnapshot: start.isInitialSnapshot };
    let last: IndexedFile | undefined;
    for await (const f of this.#changes(from.version, from.index, from.isInitialSnapshot, this.#availableNowEnd, signal)) {
      if (admission !== undefined && !admission.admit(f.add?.size)) break;
      last = f;
    }
    if (last === undefined) return start;
    return offsetAfter(this.#tableId, last.version, last.index, from.version, from.isInitialSnapshot);
  }

  async *getBatch(start: DeltaSourceOffset | undefined, end: DeltaSourceOffset, signal?: AbortSignal): AsyncGenerator<RecordBatch> {
    if (start !== undefined && this.sameOffset(start, end)) return;
    let from: { version: number; index: number; isInitialSnapshot: boolean };
    if (start !== undefined) from = { version: start.reservoirVersion, index: start.index, isInitialSnapshot: start.isInitialSnapshot };
    else {
      const sv = await this.#startVersion();
      if (sv !== undefined) from = { version: sv, index: BASE_INDEX, isInitialSnapshot: false };
      // The first batch ended inside (or right after) the initial snapshot of that version.
      else if (end.isInitialSnapshot) from = { version: end.reservoirVersion, index: BASE_INDEX, isInitialSnapshot: true };
      else from = { version: end.reservoirVersion - 1, index: BASE_INDEX, isInitialSnapshot: true };
    }
    const adds: AddFile[] = [];
    const exclude = this.#options.excludeRegex;
    let maxVersionSeen = from.version - 1;
    for await (const f of this.#changes(from.version, from.index, from.isInitialSnapshot, end, signal)) {
      maxVersionSeen = f.version;
      if (f.add !== undefined && (exclude === undefined || !exclude.test(f.add.path))) adds.push(f.add);
    }
    const lastExpected = end.index >= 0 && (from.version < end.reservoirVersion || from.index < end.index) ? end.reservoirVersion : end.reservoirVersion - 1;
    if (maxVersionSeen < lastExpected) {
      throw new DeltaError(
        'VERSION_NOT_FOUND',
        `The batch ending at version ${end.reservoirVersion} of the Delta table at ${this.#table.tableRoot} needs commits up to version ${lastExpected}, but the log ends at version ${maxVersionSeen}: trailing commits are missing. Restore them, or start the query again with a new checkpointLocation.`,
        { details: { expectedVersion: lastExpected, maxVersionSeen } },
      );
    }
    if (adds.length === 0) return;
    yield* this.#init.scan({ files: adds, ...(signal ? { signal } : {}) }).batches();
  }

  /**
   * Positions after `(fromVersion, fromIndex)` up to `bound` (inclusive), in order: the initial
   * snapshot of `fromVersion` when asked, then each commit (BASE, its data-changing adds from 0,
   * END). Commits are read and validated only as far as the consumer goes.
   */
  async *#changes(fromVersion: number, fromIndex: number, isInitialSnapshot: boolean, bound: DeltaSourceOffset | undefined, signal?: AbortSignal): AsyncGenerator<IndexedFile> {
    const within = (f: IndexedFile) => bound === undefined || f.version < bound.reservoirVersion || (f.version === bound.reservoirVersion && f.index <= bound.index);
    const after = (f: IndexedFile) => f.version > fromVersion || f.index > fromIndex;
    if (isInitialSnapshot) {
      for (const f of await this.#snapshotAt(fromVersion, signal)) {
        if (!within(f)) return;
        if (after(f)) yield f;
      }
    }
    const firstCommit = isInitialSnapshot ? fromVersion + 1 : fromVersion;
    if (bound !== undefined && firstCommit > bound.reservoirVersion) return;
    for await (const commit of commitsFrom(this.#table.engine, this.#table.tableRoot, firstCommit, signal)) {
      const v = commit.version;
      if (bound !== undefined && (v > bound.reservoirVersion || (v === bound.reservoirVersion && bound.index === BASE_INDEX))) {
        // A batch ending at this version's BASE reads nothing of it (and does not validate it).
        if (v === bound.reservoirVersion && after({ version: v, index: BASE_INDEX })) yield { version: v, index: BASE_INDEX };
        return;
      }
      const verdict = validateCommit(commit, this.#options, this.#table.tableRoot, (metadata, version) =>
        checkSchemaChange({ metadata, version, init: this.#init.metadata, initVersion: this.#init.version, readSchema: this.#init.schema, tableRoot: this.#table.tableRoot, startingOption: this.#options.startingVersion !== undefined || this.#options.startingTimestamp !== undefined }),
      );
      const files: IndexedFile[] = [{ version: v, index: BASE_INDEX }];
      if (!verdict.skip) {
        let i = 0;
        for (const a of commit.actions) if (a.kind === 'add' && a.add.dataChange) files.push({ version: v, index: i++, add: a.add });
      }
      files.push({ version: v, index: END_INDEX });
      for (const f of files) {
        if (!within(f)) return;
        if (after(f)) yield f;
      }
    }
  }

  /** The initial snapshot of `version`: BASE, its files by (modificationTime, path) numbered from 0, END. */
  async #snapshotAt(version: number, signal?: AbortSignal): Promise<IndexedFile[]> {
    if (this.#snapshotFiles?.version === version) return this.#snapshotFiles.files;
    const snap = version === this.#init.version ? this.#init : await this.#table.snapshot({ version, ...(signal ? { signal } : {}) });
    const adds = snapshotFileOrder(snap.addFiles);
    const files: IndexedFile[] = [{ version, index: BASE_INDEX }, ...adds.map((add, index) => ({ version, index, add })), { version, index: END_INDEX }];
    this.#snapshotFiles = { version, files };
    return files;
  }

  #startVersion(): Promise<number | undefined> {
    this.#startingVersion ??= resolveStartingVersion(this.#table, this.#init, this.#options, this.#ctx);
    return this.#startingVersion;
  }

  async commit(end: DeltaSourceOffset): Promise<void> {
    // The initial snapshot's file list is not needed once the stream has moved past it.
    if (!end.isInitialSnapshot) this.#snapshotFiles = undefined;
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
    this.#snapshotFiles = undefined;
  }
}
