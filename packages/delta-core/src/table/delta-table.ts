import { addConstraint, dropConstraint, type AddConstraintOptions, type DropConstraintOptions } from '../constraints/alter.js';
import type { Engine } from '../engine.js';
import type { Expr } from '../expr/ast.js';
import { DeltaError } from '../errors.js';
import { readHistory, resolveVersionAtTimestamp, type HistoryEntry } from '../log/commit-timestamps.js';
import { loadTableState, refreshTableState } from '../log/load-table-state.js';
import type { TableState } from '../log/replay.js';
import { loadSnapshotOrNull } from '../write/table-setup.js';
import { alterClusterBy, type ClusterByOptions } from '../maintenance/clustering/ddl.js';
import { optimizeClusteredTable, type ClusteringOptimizeOptions } from '../maintenance/clustering/optimize.js';
import type { ObjectStore } from '../storage/object-store.js';
import { createDefaultEngine } from './default-engine.js';
import { writeCheckpoint, type WriteCheckpointOptions } from '../log/checkpoint-writer.js';
import type { OptimizeMetrics } from '../maintenance/optimize/metrics.js';
import { optimizeTable } from '../maintenance/optimize/optimize.js';
import type { OptimizeOptions } from '../maintenance/optimize/options.js';
import { Transaction, type TransactionOptions } from '../transaction/transaction.js';
import { createTable, type CreateTableOptions, type CreateTableResult } from '../write/create-table.js';
import * as alter from '../maintenance/alter/index.js';
import type { DataType } from '../schema/types.js';
import type { WriteInput } from '../write/input.js';
import { writeTable, type WriteOptions, type WriteResult } from '../write/write-operation.js';
import { vacuumTable, type VacuumOptions, type VacuumResult } from '../maintenance/vacuum/index.js';
import { restoreTable, type RestoreMetrics, type RestoreOptions, type RestoreTarget } from '../maintenance/restore.js';
import { Snapshot } from './snapshot.js';
import { tableRootFromUri } from './table-uri.js';

export interface DeltaTableOptions {
  /** A complete engine (store, parquet, clock). Takes precedence over `store`. */
  readonly engine?: Engine;
  /** The object store holding the table; the local file system by default. */
  readonly store?: ObjectStore;
  /**
   * IANA time zone in which legacy zone-less timestamp partition values are read (Spark wrote
   * them in its session zone). Default `UTC`, as delta-kernel does.
   */
  readonly sessionTimeZone?: string;
}

export interface SnapshotRequest {
  /** Time travel to this version. */
  readonly version?: number;
  /** Time travel to the latest version committed at or before this instant (ISO text, Date, or ms). */
  readonly timestamp?: string | Date | number;
  readonly signal?: AbortSignal;
}

/**
 * A Delta table at a location. Cheap to create and immutable: nothing is read until a snapshot
 * or the history is requested.
 *
 * @example
 * const table = DeltaTable.forPath('./events');
 * const snap = await table.snapshot();
 * for await (const batch of snap.scan({ columns: ['id'], filter: 'id > 10' }).batches()) { ... }
 */
export class DeltaTable {
  readonly uri: string;
  readonly tableRoot: string;
  readonly engine: Engine;
  readonly sessionTimeZone: string;
  /**
   * The latest state this object has seen. Requests for the latest version replay only the
   * commits after it (what a long-lived reader or writer needs); nothing observable changes.
   */
  #latest: TableState | undefined;

  /** @internal Use {@link DeltaTable.forPath}; public only so subclasses (e.g. `@deltakit/merge`'s) can be created by it. */
  constructor(uri: string, tableRoot: string, engine: Engine, sessionTimeZone: string) {
    this.uri = uri;
    this.tableRoot = tableRoot;
    this.engine = engine;
    this.sessionTimeZone = sessionTimeZone;
  }

  /**
   * A table at a local path, a `file:` URI, or `memory://name` with a MemoryStore in options.
   * Called on a subclass, returns an instance of that subclass.
   */
  static forPath<T extends DeltaTable>(this: TableClass<T>, uri: string, options: DeltaTableOptions = {}): T {
    const engine = options.engine ?? createDefaultEngine(options.store ? { store: options.store } : {});
    return new this(uri, tableRootFromUri(uri), engine, options.sessionTimeZone ?? 'UTC');
  }

  /** A copy of this table object (same class) with other settings. */
  protected copyWith(changes: { engine?: Engine; sessionTimeZone?: string }): this {
    const Ctor = this.constructor as TableClass<this>;
    const copy = new Ctor(this.uri, this.tableRoot, changes.engine ?? this.engine, changes.sessionTimeZone ?? this.sessionTimeZone);
    copy.copyStateFrom(this);
    return copy;
  }

  /** Hook for subclasses to carry their own settings (e.g. an alias) into copies. */
  protected copyStateFrom(_other: this): void {}

  /** The same table read with another engine. */
  withEngine(engine: Engine): this {
    return this.copyWith({ engine });
  }

  /** The same table with another session time zone for legacy timestamp partition values. */
  withSessionTimeZone(zone: string): this {
    return this.copyWith({ sessionTimeZone: zone });
  }

  /** The table at its latest version, or at a version or timestamp (not both). */
  async snapshot(request: SnapshotRequest = {}): Promise<Snapshot> {
    const { signal } = request;
    if (request.version !== undefined && request.timestamp !== undefined) {
      throw new DeltaError('INVALID_ARGUMENT', 'Pass either a version or a timestamp to time travel, not both.');
    }
    let version = request.version;
    if (version !== undefined && (!Number.isSafeInteger(version) || version < 0)) {
      throw new DeltaError('INVALID_ARGUMENT', `Version must be a non-negative integer, got ${version}.`);
    }
    if (request.timestamp !== undefined) {
      version = await resolveVersionAtTimestamp(this.engine, this.tableRoot, toMillis(request.timestamp), signal ? { signal } : {});
    }
    if (version === undefined) return new Snapshot(this.engine, await this.#latestState(signal), { sessionTimeZone: this.sessionTimeZone });
    const state = await loadTableState(this.engine, this.tableRoot, { version, ...(signal ? { signal } : {}) });
    return new Snapshot(this.engine, state, { sessionTimeZone: this.sessionTimeZone });
  }

  async #latestState(signal: AbortSignal | undefined): Promise<TableState> {
    const options = signal ? { signal } : {};
    const state = this.#latest ? await refreshTableState(this.engine, this.#latest, options) : await loadTableState(this.engine, this.tableRoot, options);
    this.#latest = state;
    return state;
  }

  /** The latest snapshot, or null when no table exists here yet (a file here is an error). */
  async #currentOrNull(signal: AbortSignal | undefined): Promise<Snapshot | null> {
    if (this.#latest) return this.snapshot(signal ? { signal } : {});
    const snap = await loadSnapshotOrNull(this.engine, this.tableRoot, signal);
    if (snap) this.#latest = snap.state;
    return snap === null ? null : new Snapshot(this.engine, snap.state, { sessionTimeZone: this.sessionTimeZone });
  }

  /** Commit history, newest first: one entry per version with its commitInfo. */
  async history(options: { limit?: number; signal?: AbortSignal } = {}): Promise<HistoryEntry[]> {
    return readHistory(this.engine, this.tableRoot, options);
  }

  /**
   * Creates the table (with `mode: 'ifNotExists'` or `'replace'` for the other behaviors).
   * The protocol is the lowest one the schema and properties need.
   */
  async create(options: CreateTableOptions): Promise<CreateTableResult> {
    return createTable(this.engine, this.tableRoot, options);
  }

  /**
   * Writes data: an Arrow table, record batches (sync or async iterable), or `{ rows, schema }`.
   * Creates the table from the data's schema when it does not exist. Default mode errorIfExists,
   * as in Spark; pass `mode: 'append'` or `'overwrite'`.
   */
  async write(data: WriteInput, options: WriteOptions = {}): Promise<WriteResult> {
    return writeTable(this.engine, this.tableRoot, data, { timeZone: this.sessionTimeZone, ...options }, (signal) => this.#currentOrNull(signal));
  }

  /**
   * Sets table properties (ALTER TABLE SET TBLPROPERTIES), validated as Spark validates them and
   * upgrading the protocol when a property turns a feature on; `comment` sets the description.
   */
  async setProperties(properties: Readonly<Record<string, string>>, options: alter.AlterOptions = {}): Promise<{ version: number }> {
    return alter.setTableProperties(this.engine, await this.#current(options), properties, options);
  }

  /**
   * Adds a CHECK constraint (Spark's `ALTER TABLE ADD CONSTRAINT name CHECK (expression)`): the
   * expression must be a deterministic boolean over the table's columns, and every existing row
   * must satisfy it (rows where it is false or NULL make this fail with CONSTRAINT_VIOLATION giving
   * their count and an example; nothing is committed). Stored as `delta.constraints.<name>`
   * (lower-cased; names are case-insensitive), upgrading the protocol to `checkConstraints`.
   * Every later write then checks its rows. Returns the new version.
   */
  async addConstraint(name: string, expression: string | Expr, options: AddConstraintOptions = {}): Promise<{ version: number }> {
    const snap = await this.snapshot(options.signal ? { signal: options.signal } : {});
    return addConstraint(this.engine, snap, name, expression, { ...options, timeZone: this.sessionTimeZone });
  }

  /**
   * Drops a CHECK constraint (`ALTER TABLE DROP CONSTRAINT [IF EXISTS] name`, case-insensitive).
   * A missing constraint throws INVALID_ARGUMENT unless `ifExists`, which then commits nothing
   * (`dropped: false`, the current version).
   */
  async dropConstraint(name: string, options: DropConstraintOptions = {}): Promise<{ version: number; dropped: boolean }> {
    const snap = await this.snapshot(options.signal ? { signal: options.signal } : {});
    return dropConstraint(this.engine, snap, name, options);
  }

  /**
   * Writes a checkpoint of the latest version (and `_last_checkpoint`); returns its version. See
   * {@link WriteCheckpointOptions}: `partSize` splits big checkpoints into parts (or sidecars),
   * `v2Format` picks the top-level file of tables with the `v2Checkpoint` feature.
   */
  async checkpoint(options: WriteCheckpointOptions = {}): Promise<{ version: number }> {
    const snap = await this.snapshot(options.signal ? { signal: options.signal } : {});
    const result = await writeCheckpoint(this.engine, this.tableRoot, snap.state, options);
    return { version: result.version };
  }

  /** A transaction on the latest snapshot, for staging actions by hand (advanced). */
  async transaction(options: TransactionOptions): Promise<Transaction> {
    const snap = await this.snapshot(options.signal ? { signal: options.signal } : {});
    return Transaction.begin(this.engine, snap, options);
  }

  /**
   * OPTIMIZE: compacts small files (and files with deleted rows) of each partition into files of
   * about `targetFileSize`, or with `zOrderBy` rewrites each partition along a Z-order curve of
   * those columns; one OPTIMIZE commit (nothing when nothing needs rewriting). See
   * `maintenance/optimize/`. Returns Spark's OPTIMIZE metrics. On a clustered table it clusters
   * incrementally instead (liquid clustering; `full` reclusters everything clustered by other columns).
   */
  async optimize(options: OptimizeOptions & ClusteringOptimizeOptions = {}): Promise<OptimizeMetrics> {
    const snap = await this.snapshot(options.signal ? { signal: options.signal } : {});
    // Clustered tables cluster (maintenance/clustering/optimize.ts); others, and clustered tables without columns, compact.
    const clustered = await optimizeClusteredTable(this.engine, snap, options, { timeZone: this.sessionTimeZone });
    return clustered ?? optimizeTable(this.engine, snap, options, { timeZone: this.sessionTimeZone });
  }

  /**
   * ALTER TABLE ... CLUSTER BY (columns) / CLUSTER BY NONE (`'none'`): changes the clustering
   * columns of an unpartitioned table (adding the clustering feature when needed); existing files
   * stay as they are until OPTIMIZE. See `maintenance/clustering/ddl.ts`.
   */
  async clusterBy(columns: readonly string[] | 'none', options: ClusterByOptions = {}): Promise<{ version: number }> {
    return alterClusterBy(this.engine, await this.snapshot(options.signal ? { signal: options.signal } : {}), columns, options);
  }

  /**
   * Deletes files no version inside the retention window needs (Spark's VACUUM; see
   * `maintenance/vacuum/vacuum.ts`): `mode: 'full'` lists the directory, `'lite'` reads only the log.
   */
  async vacuum(options: VacuumOptions = {}): Promise<VacuumResult> {
    return vacuumTable(this, options);
  }

  /** Brings the table back to an earlier version in one commit (Spark's RESTORE; see `maintenance/restore.ts`). */
  async restore(target: RestoreTarget, options: RestoreOptions = {}): Promise<RestoreMetrics> {
    return restoreTable(this, target, options);
  }

  // ---- ALTER TABLE and DESCRIBE DETAIL (maintenance/alter/) ----

  #current(options: { signal?: AbortSignal }): Promise<Snapshot> {
    return this.snapshot(options.signal ? { signal: options.signal } : {});
  }

  /** ALTER TABLE ADD COLUMNS: fields (with `first` / `after` / `parent`) or DDL text (`'c INT AFTER b, s.d STRING'`). */
  async addColumns(columns: readonly alter.AddColumnSpec[] | string, options: alter.AlterOptions = {}): Promise<{ version: number }> {
    return alter.addColumns(this.engine, await this.#current(options), columns, options);
  }

  /** ALTER TABLE RENAME COLUMN (column-mapped tables only); `from` may be nested (`s.a`). */
  async renameColumn(from: alter.ColumnRef, to: string, options: alter.AlterOptions = {}): Promise<{ version: number }> {
    return alter.renameColumn(this.engine, await this.#current(options), from, to, options);
  }

  /** ALTER TABLE DROP COLUMNS (column-mapped tables only); nested paths too. */
  async dropColumns(names: readonly alter.ColumnRef[], options: alter.DropColumnsOptions = {}): Promise<{ version: number }> {
    return alter.dropColumns(this.engine, await this.#current(options), names, options);
  }

  /** ALTER TABLE ALTER COLUMN c COMMENT '...'. */
  async setColumnComment(column: alter.ColumnRef, comment: string, options: alter.AlterOptions = {}): Promise<{ version: number }> {
    return alter.setColumnComment(this.engine, await this.#current(options), column, comment, options);
  }

  /** ALTER TABLE ALTER COLUMN c TYPE t: a widening the table's type widening allows (DataType or DDL text). */
  async changeColumnType(column: alter.ColumnRef, type: DataType | string, options: alter.AlterOptions = {}): Promise<{ version: number }> {
    return this.alterColumns([{ column, type }], options);
  }

  /** ALTER TABLE ALTER COLUMN with several changes (type, comment, DROP NOT NULL, FIRST / AFTER) in one commit. */
  async alterColumns(changes: readonly alter.ColumnChangeSpec[], options: alter.AlterOptions = {}): Promise<{ version: number }> {
    return alter.alterColumns(this.engine, await this.#current(options), changes, { ...options, reload: () => this.#current(options) });
  }

  /** ALTER TABLE ALTER COLUMN c DROP NOT NULL. */
  async dropNotNull(column: alter.ColumnRef, options: alter.AlterOptions = {}): Promise<{ version: number }> {
    return alter.dropNotNull(this.engine, await this.#current(options), column, options);
  }

  /** ALTER TABLE UNSET TBLPROPERTIES [IF EXISTS]: unknown keys fail unless `ifExists`. */
  async unsetProperties(keys: readonly string[], options: alter.UnsetPropertiesOptions = {}): Promise<{ version: number }> {
    return alter.unsetTableProperties(this.engine, await this.#current(options), keys, options);
  }

  /** Enables column mapping on an existing table (mode `name`; `id` only at creation, as in Spark). */
  async enableColumnMapping(mode: 'name' | 'id', options: alter.AlterOptions = {}): Promise<{ version: number }> {
    return alter.enableColumnMapping(this.engine, await this.#current(options), mode, options);
  }

  /** DESCRIBE DETAIL of the latest version (or `version`): Spark's fields (format, id, location, numFiles, tableFeatures, ...). */
  async detail(options: { version?: number; signal?: AbortSignal } = {}): Promise<alter.TableDetail> {
    const snap = options.version === undefined ? await this.#current(options) : await this.snapshot(options);
    return alter.describeDetail(this.engine, snap, alter.locationOf(this.uri, this.tableRoot), options.signal);
  }

  /** Releases engine resources (worker threads). */
  async close(): Promise<void> {
    await this.engine.parquet.close();
  }
}

/** A DeltaTable class (or subclass) as a constructor, for the polymorphic factory. */
type TableClass<T> = new (uri: string, tableRoot: string, engine: Engine, sessionTimeZone: string) => T;

function toMillis(t: string | Date | number): number {
  const ms = typeof t === 'number' ? t : typeof t === 'string' ? Date.parse(t) : t.getTime();
  if (!Number.isFinite(ms)) {
    throw new DeltaError('INVALID_ARGUMENT', `"${String(t)}" is not a valid timestamp. Use ISO 8601, e.g. 2024-01-31T12:00:00Z.`);
  }
  return ms;
}
