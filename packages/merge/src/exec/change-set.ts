/**
 * What a DML statement (DELETE, UPDATE, MERGE) changes in a table, accumulated while it scans,
 * and turned into file actions by {@link DmlChangeSet.finish}:
 * - rows removed from target files (deleted, or updated: the new version is written as a new row),
 *   by file and physical position; whole files removed;
 * - new data rows (inserted rows, updated rows' new values), checked by the table's write checks
 *   (`compileWriteChecks`) and NOT NULL constraints, and written to new data files;
 * - change rows for the change data feed (`_change_type`), written to `_change_data/` files.
 *
 * `finish()` decides, per touched file, as Delta Spark does:
 * - every live row removed: a `remove` of the file (with its old deletion vector);
 * - with deletion vectors (table property `delta.enableDeletionVectors=true` and the protocol's
 *   `deletionVectors` writer feature): a `remove` of the old add and an `add` of the same path
 *   with the merged deletion vector (`dataChange: true`, stats kept with `tightBounds: false`);
 * - without: the file is read again, its remaining rows copied into new files ("copied rows"), and
 *   the file removed.
 *
 * Change data (tables with `delta.enableChangeDataFeed=true`): change-feed readers take all
 * changes of a commit from its `cdc` files when it has any, otherwise they derive them from `add`
 * and `remove` actions (inserts from added files, deletes from removed files and from deletion
 * vector differences). So the caller adds change rows for every row it changes when the commit
 * needs cdc files (Spark: UPDATE always, DELETE when it rewrites files, MERGE when it changes any
 * target row), or none at all when `add`/`remove` tell the whole story (an append, a DELETE with
 * deletion vectors or of whole files). When the change set holds change rows, `finish()` also
 * writes `delete` change rows for the files removed whole (reading them), so the commit's cdc
 * files hold every change. Without the change data feed, change rows are ignored.
 *
 * Memory: one bitmap of removed positions per touched file (one bit per row up to the highest
 * removed position) and the writers' buffers (about one target file per open partition).
 * Nothing is committed here; files written before a failure stay unreferenced until VACUUM.
 */
import type { RecordBatch } from 'apache-arrow';
import type { AddCDCFile, AddFile, DeletionVectorDescriptor, Engine, Metadata, RemoveFile, Snapshot, StructType } from '@deltakit/core';
import { DeltaError, parseSchemaString, throwIfAborted } from '@deltakit/core';
import {
  ChangeDataWriter,
  DataFileWriter,
  conformBatch,
  DeletionVectorWriter,
  compileWriteChecks,
  filterBatch,
  mergeWithExisting,
  nullViolationError,
  nullViolations,
  optimizeWriteEnabled,
  removeFor,
  statsOptionsFromMetadata,
  statsWithWideBounds,
  type ChangeType,
  type NullViolation,
  type WriteChecks,
} from '@deltakit/core/internal';
import { RowSet } from './row-set.js';
import { scanTargetFiles } from './target-scan.js';

export type { ChangeType };

export interface DmlChangeSetOptions {
  /**
   * Use deletion vectors for rows removed from files. Default: when the table enables them
   * (`delta.enableDeletionVectors=true` and the `deletionVectors` writer feature), as Spark's
   * DML. `true` on a table that does not support them throws INVALID_ARGUMENT.
   */
  readonly deletionVectors?: boolean;
  /** IANA session time zone (write checks, legacy partition values). Default UTC. */
  readonly timeZone?: string;
  /** `current_timestamp()` of the statement in µs, for write checks. Default: the engine clock. */
  readonly nowMicros?: bigint;
  readonly compression?: 'snappy' | 'zstd';
  /** Approximate bytes per new data file; default 128 MiB. */
  readonly targetFileSize?: number;
  readonly signal?: AbortSignal;
  /**
   * The metadata the commit will carry when the statement changes the schema (MERGE schema
   * evolution). New rows and change rows then have its schema's shape; rows copied from
   * rewritten files and `delete` change rows of removed files are conformed to it.
   */
  readonly metadata?: Metadata;
}

/** File actions and metrics of a finished change set. */
export interface DmlChanges {
  readonly adds: AddFile[];
  readonly removes: RemoveFile[];
  readonly cdc: AddCDCFile[];
  readonly metrics: DmlChangeMetrics;
}

/** Counts of what `finish()` produced; DML commands map them to Spark's commitInfo metrics. */
export interface DmlChangeMetrics {
  /** `remove` actions without a replacing add (files removed whole). */
  readonly numRemovedFiles: number;
  /** Files that got a new deletion vector (each a remove + add of the same path). */
  readonly numFilesWithNewDeletionVector: number;
  /** Files rewritten (remaining rows copied) and removed. */
  readonly numRewrittenFiles: number;
  /** New data files (new rows and copied rows). */
  readonly numAddedFiles: number;
  readonly numAddedBytes: number;
  /** Bytes of the files removed whole or rewritten (not of files that only got a deletion vector). */
  readonly numRemovedBytes: number;
  /** Rows removed from target files (through `removeRows` and `removeFile`; unknown row counts of whole files without stats excluded). */
  readonly numRemovedRows: number;
  /** New rows written through `addRows`. */
  readonly numNewRows: number;
  /** Rows copied from rewritten files. */
  readonly numCopiedRows: number;
  readonly numAddedChangeFiles: number;
  readonly changeFileBytes: number;
  readonly numChangeRows: number;
  /** Deletion vectors on files that had none. */
  readonly numDeletionVectorsAdded: number;
  /** Deletion vectors dropped: their file removed whole or rewritten. */
  readonly numDeletionVectorsRemoved: number;
  /** Deletion vectors replaced by a larger one. */
  readonly numDeletionVectorsUpdated: number;
  /** Time spent in `finish()` (copying rows, storing files), ms. */
  readonly finishTimeMs: number;
}

interface Touched {
  readonly file: AddFile;
  readonly rows: RowSet;
}

/** Whether DML on this snapshot writes deletion vectors by default (Spark's `deletionVectorsWritable`). */
export function deletionVectorsWritable(snapshot: Snapshot): boolean {
  const enabled = snapshot.properties['delta.enableDeletionVectors']?.toLowerCase() === 'true';
  return enabled && (snapshot.protocol.writerFeatures?.includes('deletionVectors') ?? false);
}

/** Whether the table writes change data (`delta.enableChangeDataFeed`, or its legacy name). */
export function changeDataFeedEnabled(snapshot: Snapshot): boolean {
  const c = snapshot.properties;
  return c['delta.enableChangeDataFeed']?.toLowerCase() === 'true' || c['delta.enableChangeDataCapture']?.toLowerCase() === 'true';
}

/**
 * The changes of one DML statement on one snapshot. Call `removeRows` / `removeFile` /
 * `addRows` / `addChangeRows` while scanning, then `finish()` once; commit the result with
 * {@link commitDml}.
 */
export class DmlChangeSet {
  /** True when removed rows are recorded in deletion vectors (else files are rewritten). */
  readonly usesDeletionVectors: boolean;
  /** True when the table has the change data feed enabled: change rows are written. */
  readonly writesChangeData: boolean;
  readonly #engine: Engine;
  readonly #snapshot: Snapshot;
  readonly #options: DmlChangeSetOptions;
  readonly #checks: WriteChecks;
  readonly #touched = new Map<string, Touched>();
  readonly #removedWhole = new Map<string, AddFile>();
  readonly #dataWriter: DataFileWriter;
  readonly #changeWriter: ChangeDataWriter | undefined;
  readonly #violations = new Map<string, NullViolation>();
  /** The table schema rows are written in (the snapshot's, or the evolved one of `options.metadata`). */
  readonly #schema: StructType;
  readonly #evolved: boolean;
  #numNewRows = 0;
  #state: 'open' | 'finishing' | 'done' = 'open';

  constructor(engine: Engine, snapshot: Snapshot, options: DmlChangeSetOptions = {}) {
    this.#engine = engine;
    this.#snapshot = snapshot;
    this.#options = options;
    const writable = deletionVectorsWritable(snapshot);
    if (options.deletionVectors === true && !(snapshot.protocol.writerFeatures?.includes('deletionVectors') ?? false)) {
      throw new DeltaError('INVALID_ARGUMENT', `The table at ${snapshot.tableRoot} does not support deletion vectors (its protocol lacks the deletionVectors writer feature). Enable them first (delta.enableDeletionVectors=true), or leave the deletionVectors option unset.`);
    }
    this.usesDeletionVectors = options.deletionVectors ?? writable;
    this.writesChangeData = changeDataFeedEnabled(snapshot);
    const nowMicros = options.nowMicros ?? BigInt(engine.clock.nowMs()) * 1000n;
    const metadata = options.metadata ?? snapshot.metadata;
    this.#evolved = options.metadata !== undefined && options.metadata.schemaString !== snapshot.metadata.schemaString;
    this.#schema = this.#evolved ? parseSchemaString(metadata.schemaString) : snapshot.schema;
    this.#checks = compileWriteChecks(metadata, this.#schema, { timeZone: options.timeZone ?? 'UTC', nowMicros });
    const common = {
      tableRoot: snapshot.tableRoot,
      schema: this.#schema,
      partitionColumns: snapshot.partitionColumns,
      columnMappingMode: snapshot.columnMapping,
      ...(options.compression === undefined ? {} : { compression: options.compression }),
      ...(options.targetFileSize === undefined ? {} : { targetFileSize: options.targetFileSize }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    };
    // Optimized writes (delta.autoOptimize.optimizeWrite) coalesce copied rows across rewritten files.
    // The new rows' last files are split over the encode workers (parallelFinish): DML waits on them.
    this.#dataWriter = new DataFileWriter(engine, {
      ...common,
      stats: statsOptionsFromMetadata(metadata, this.#schema, snapshot.protocol),
      optimizeWrite: optimizeWriteEnabled(metadata, undefined),
      parallelFinish: true,
    });
    this.#changeWriter = this.writesChangeData ? new ChangeDataWriter(engine, common) : undefined;
  }

  /** The snapshot the statement reads and changes. */
  get snapshot(): Snapshot {
    return this.#snapshot;
  }

  /** Files touched so far (rows removed, or removed whole). */
  get touchedFiles(): AddFile[] {
    return [...[...this.#touched.values()].map((t) => t.file), ...this.#removedWhole.values()];
  }

  /**
   * Removes rows of a target file by physical position (as {@link scanTargetFiles} reports them;
   * rows already deleted by the file's deletion vector must not be given). Positions may come in
   * any number of calls; repeats count once. Returns how many positions were new.
   */
  removeRows(file: AddFile, positions: ArrayLike<number>): number {
    this.#open();
    if (positions.length === 0 || this.#removedWhole.has(file.path)) return 0;
    let t = this.#touched.get(file.path);
    if (t === undefined) this.#touched.set(file.path, (t = { file, rows: new RowSet() }));
    return t.rows.addAll(positions);
  }

  /** Removes a whole target file without reading it (e.g. every row matches a partition predicate). */
  removeFile(file: AddFile): void {
    this.#open();
    this.#touched.delete(file.path);
    this.#removedWhole.set(file.path, file);
  }

  /**
   * Writes new data rows (inserted rows, updated rows' new values): `batch` has the table's
   * logical shape (every column in schema order). The table's write checks run first
   * (`compileWriteChecks(...).apply`, with `recomputeGenerated` naming generated columns whose
   * inputs the statement changed); NOT NULL violations are collected and reported by `finish()`
   * with their full counts (nothing is committed then). Returns the rows as written (generated
   * columns filled in), e.g. for `update_postimage` change rows.
   */
  async addRows(batch: RecordBatch, options: { readonly recomputeGenerated?: readonly string[] } = {}): Promise<RecordBatch> {
    this.#open();
    throwIfAborted(this.#options.signal);
    if (batch.numRows === 0) return batch;
    const checked = this.#checks.apply(batch, options.recomputeGenerated === undefined ? {} : { recomputeGenerated: options.recomputeGenerated });
    nullViolations(checked, this.#schema, this.#violations);
    if (this.#violations.size > 0) return checked;
    this.#numNewRows += checked.numRows;
    await this.#dataWriter.write(checked);
    return checked;
  }

  /**
   * Writes change rows (`batch` in the table's logical shape) with `changeType` for the change data
   * feed; ignored when the table does not have it enabled. See the module doc for which rows a
   * commit needs.
   */
  async addChangeRows(batch: RecordBatch, changeType: ChangeType): Promise<void> {
    this.#open();
    if (this.#changeWriter === undefined || batch.numRows === 0) return;
    throwIfAborted(this.#options.signal);
    await this.#changeWriter.write(batch, changeType);
  }

  /** True when nothing has been removed or added: committing would change nothing. */
  get isEmpty(): boolean {
    return this.#touched.size === 0 && this.#removedWhole.size === 0 && this.#numNewRows === 0 && this.#violations.size === 0;
  }

  /** Stores every file (DVs, copies, change data) and returns the actions to commit. Call once. */
  async finish(): Promise<DmlChanges> {
    this.#open();
    this.#state = 'finishing';
    const started = Date.now();
    try {
      if (this.#violations.size > 0) throw nullViolationError(this.#violations.values());
      const signal = this.#options.signal;
      const now = this.#engine.clock.nowMs();
      const removes: RemoveFile[] = [];
      const dvAdds: AddFile[] = [];
      const m = { removedWhole: 0, withDv: 0, rewritten: 0, removedBytes: 0, removedRows: 0, copiedRows: 0, dvAdded: 0, dvRemoved: 0, dvUpdated: 0 };

      const partial: Touched[] = [];
      const emptied: AddFile[] = [];
      for (const t of this.#touched.values()) {
        const live = liveRows(t.file);
        m.removedRows += t.rows.size;
        if (live !== undefined && t.rows.size >= live) emptied.push(t.file);
        else partial.push(t);
      }
      for (const f of this.#removedWhole.values()) m.removedRows += liveRows(f) ?? 0;
      for (const f of [...this.#removedWhole.values(), ...emptied]) {
        removes.push(removeFor(f, now));
        m.removedWhole++;
        m.removedBytes += f.size;
        if (f.deletionVector !== undefined) m.dvRemoved++;
      }
      if (this.usesDeletionVectors) {
        const dvWriter = new DeletionVectorWriter(this.#engine, this.#snapshot.tableRoot, signal ? { signal } : {});
        for (const t of partial) {
          const rows = await mergeWithExisting(this.#engine, this.#snapshot.tableRoot, t.file.deletionVector, t.rows.toDeletedRows(), signal ? { signal } : {});
          const dv = await dvWriter.write(rows);
          removes.push(removeFor(t.file, now));
          dvAdds.push(withDeletionVector(t.file, dv));
          m.withDv++;
          if (t.file.deletionVector === undefined) m.dvAdded++;
          else m.dvUpdated++;
        }
        await dvWriter.finish();
      } else {
        for (const t of partial) {
          m.copiedRows += await this.#copyRemaining(t);
          removes.push(removeFor(t.file, now));
          m.rewritten++;
          m.removedBytes += t.file.size;
          if (t.file.deletionVector !== undefined) m.dvRemoved++;
        }
      }
      const cw = this.#changeWriter;
      if (cw !== undefined && cw.numOutputRows > 0) {
        // The commit has cdc files, so readers ignore its removes: files removed by removeFile need their rows as deletes.
        for (const f of this.#removedWhole.values()) {
          for await (const { batch } of scanTargetFiles(this.#engine, this.#snapshot, [f], this.#scanOptions())) await cw.write(this.#conform(batch), 'delete');
        }
      }
      const newAdds = await this.#dataWriter.finish();
      const cdc = cw === undefined ? [] : await cw.finish();
      const metrics: DmlChangeMetrics = {
        numRemovedFiles: m.removedWhole,
        numFilesWithNewDeletionVector: m.withDv,
        numRewrittenFiles: m.rewritten,
        numAddedFiles: newAdds.length,
        numAddedBytes: this.#dataWriter.numOutputBytes,
        numRemovedBytes: m.removedBytes,
        numRemovedRows: m.removedRows,
        numNewRows: this.#numNewRows,
        numCopiedRows: m.copiedRows,
        numAddedChangeFiles: cdc.length,
        changeFileBytes: cw?.numOutputBytes ?? 0,
        numChangeRows: cw?.numOutputRows ?? 0,
        numDeletionVectorsAdded: m.dvAdded,
        numDeletionVectorsRemoved: m.dvRemoved,
        numDeletionVectorsUpdated: m.dvUpdated,
        finishTimeMs: Date.now() - started,
      };
      return { adds: [...dvAdds, ...newAdds], removes, cdc, metrics };
    } finally {
      this.#state = 'done';
    }
  }

  /** Copies the rows of `t.file` that were not removed into new files; returns their count. */
  async #copyRemaining(t: Touched): Promise<number> {
    let copied = 0;
    for await (const { batch, positions } of scanTargetFiles(this.#engine, this.#snapshot, [t.file], this.#scanOptions())) {
      const kept = filterBatch(batch, t.rows.keepMask(positions));
      if (kept.numRows === 0) continue;
      copied += kept.numRows;
      await this.#dataWriter.write(this.#conform(kept));
    }
    // One set of output files per rewritten file (as Spark's per-file tasks): buffers stay small.
    // Optimized writes skip this and coalesce (DataFileWriter.flush does nothing then).
    await this.#dataWriter.flush();
    return copied;
  }

  /** A batch read with the snapshot's schema, in the shape of the schema rows are written in. */
  #conform(batch: RecordBatch): RecordBatch {
    return this.#evolved ? conformBatch(batch, this.#schema, { columnMapping: 'none' }) : batch;
  }

  #scanOptions(): { timeZone: string; signal?: AbortSignal } {
    return { timeZone: this.#options.timeZone ?? 'UTC', ...(this.#options.signal ? { signal: this.#options.signal } : {}) };
  }

  #open(): void {
    if (this.#state !== 'open') {
      throw new DeltaError('INVALID_ARGUMENT', 'This DML change set is finished (or finishing); a change set produces its actions once. Start a new statement on a fresh snapshot.');
    }
  }
}

/** Live rows of a file from its stats (physical rows minus its deletion vector), when known. */
export function liveRows(file: AddFile): number | undefined {
  const n = numRecordsOf(file);
  return n === undefined ? undefined : n - (file.deletionVector?.cardinality ?? 0);
}

/** `numRecords` of a file's stats, when present. */
export function numRecordsOf(file: AddFile): number | undefined {
  if (file.stats !== undefined && file.stats !== '') {
    const m = /"numRecords"\s*:\s*(\d+)/.exec(file.stats);
    if (m) return Number(m[1]);
  }
  const parsed = file.statsParsed as { numRecords?: unknown } | undefined;
  if (parsed !== null && typeof parsed === 'object' && parsed.numRecords !== undefined) {
    const n = Number(parsed.numRecords);
    return Number.isSafeInteger(n) ? n : undefined;
  }
  return undefined;
}

/**
 * The add of the same data file with a new deletion vector, as Spark's `AddFile.removeRows`. A file
 * whose stats come only from a checkpoint's `stats_parsed` keeps its row count (files with
 * deletion vectors must carry `numRecords`); its bounds are dropped rather than re-serialized.
 */
function withDeletionVector(file: AddFile, dv: DeletionVectorDescriptor): AddFile {
  const { statsParsed: _parsed, ...rest } = file;
  const n = numRecordsOf(file);
  const text = file.stats ?? (n === undefined ? undefined : `{"numRecords":${n}}`);
  const stats = statsWithWideBounds(text, file.deletionVector?.cardinality ?? 0);
  return { ...rest, dataChange: true, deletionVector: dv, ...(stats === undefined ? {} : { stats }) };
}
