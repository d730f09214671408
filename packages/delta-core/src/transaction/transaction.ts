import type { Engine } from '../engine.js';
import { DeltaError } from '../errors.js';
import type { Expr } from '../expr/ast.js';
import { bindPredicate } from '../expr/binder.js';
import { compileFileFilter } from '../expr/skipping.js';
import type { Action, AddCDCFile, AddFile, DomainMetadata, Metadata, Protocol, RemoveFile, SetTransaction } from '../log/actions.js';
import { fileActionKey } from '../log/paths.js';
import { supportedWriterFeatures } from '../log/protocol-check.js';
import { parseSchemaString } from '../schema/json.js';
import type { Snapshot } from '../table/snapshot.js';
import { afterCommit } from './post-commit.js';
import { CommitLoop, type CommitPlan, type CommitResult } from './commit-loop.js';
import { filePathKey, type ReadPredicate, type TransactionSummary } from './conflict-checker.js';
import { describeExpr } from './describe-expr.js';
import { checkWriteSupported } from './writer-features.js';

export { DEFAULT_MAX_RETRIES, type CommitResult } from './commit-loop.js';

/** Isolation levels a transaction (or the `delta.isolationLevel` table property) may ask for. */
export type WriteIsolationLevel = 'Serializable' | 'WriteSerializable';

export interface TransactionOptions {
  /** Operation name recorded in commitInfo, e.g. `WRITE`, `DELETE`, `CREATE TABLE`. */
  readonly operation: string;
  /** Recorded in commitInfo with every value as a string (non-strings as JSON text), as Spark does. */
  readonly operationParameters?: Readonly<Record<string, unknown>>;
  /**
   * Isolation level. The stricter of this and the table's `delta.isolationLevel` applies; with
   * neither, WriteSerializable (Delta's default for writes: blind appends by others never
   * conflict). A transaction whose file actions all have `dataChange=false` and that stages
   * nothing else (compaction) commits under SnapshotIsolation.
   */
  readonly isolationLevel?: WriteIsolationLevel;
  /** Lost commit races retried before MAX_COMMIT_RETRIES. Default 100. */
  readonly maxRetries?: number;
  /** commitInfo.engineInfo; default `deltakit/0.1.0`. */
  readonly engineInfo?: string;
  readonly signal?: AbortSignal;
  /** The table root in the engine's store. Required when creating a table (snapshot `null`). */
  readonly tableRoot?: string;
}

/**
 * One optimistic transaction against a Delta table: record what was read, stage actions, commit
 * them atomically as the next version with put-if-absent, and on a lost race check the winning
 * commits for conflicts and retry at the next version.
 *
 * Invariants: committed at most once; staged actions never change across retries except the
 * commitInfo's timestamps and the in-commit-timestamp enablement properties of a metadata update.
 *
 * @example
 * const tx = Transaction.begin(engine, await table.snapshot(), { operation: 'WRITE' });
 * tx.addFiles(adds);
 * const { version } = await tx.commit();
 */
export class Transaction {
  readonly #engine: Engine;
  readonly #snapshot: Snapshot | null;
  readonly #tableRoot: string;
  readonly #options: TransactionOptions;
  readonly #txnId = globalThis.crypto.randomUUID();
  /** Warnings about table features accepted without enforcement (e.g. clustering). */
  readonly warnings: readonly string[];

  #readWholeTable = false;
  readonly #readPredicates: ReadPredicate[] = [];
  readonly #readFiles = new Set<string>();
  readonly #readAppIds = new Set<string>();

  readonly #adds: AddFile[] = [];
  readonly #removes: RemoveFile[] = [];
  readonly #cdc: AddCDCFile[] = [];
  readonly #txns = new Map<string, SetTransaction>();
  readonly #domains = new Map<string, DomainMetadata>();
  #metrics: Record<string, unknown> = {};
  #newMetadata: Metadata | undefined;
  #newProtocol: Protocol | undefined;
  #state: 'open' | 'committing' | 'done' = 'open';

  private constructor(engine: Engine, snapshot: Snapshot | null, tableRoot: string, options: TransactionOptions, warnings: readonly string[]) {
    this.#engine = engine;
    this.#snapshot = snapshot;
    this.#tableRoot = tableRoot;
    this.#options = options;
    this.warnings = warnings;
  }

  /**
   * Starts a transaction on `snapshot`, or, with `null`, one that creates the table at
   * `options.tableRoot` (it must stage a protocol and metadata). Throws UNSUPPORTED_WRITER_FEATURE
   * or UNSUPPORTED_WRITER_VERSION when this library cannot write the table (see writer-features).
   */
  static begin(engine: Engine, snapshot: Snapshot | null, options: TransactionOptions): Transaction {
    const tableRoot = snapshot?.tableRoot ?? options.tableRoot;
    if (tableRoot === undefined) {
      throw new DeltaError('INVALID_ARGUMENT', 'A transaction that creates a table needs options.tableRoot: there is no snapshot to take the location from. Pass the table root path.');
    }
    if (options.maxRetries !== undefined && (!Number.isSafeInteger(options.maxRetries) || options.maxRetries < 0)) {
      throw new DeltaError('INVALID_ARGUMENT', `maxRetries must be a non-negative integer, got ${options.maxRetries}.`);
    }
    const warnings = snapshot === null ? [] : checkWriteSupported(snapshot.protocol, snapshot.metadata, tableRoot).warnings;
    return new Transaction(engine, snapshot, tableRoot, options, warnings);
  }

  /** The table version this transaction read; undefined when it creates the table. */
  get readVersion(): number | undefined {
    return this.#snapshot?.version;
  }

  /** The id written as `commitInfo.txnId`; identifies this transaction's commit in the log. */
  get txnId(): string {
    return this.#txnId;
  }

  // ---- reads -------------------------------------------------------------------------------

  /** Records that the result depends on every file of the table (any concurrent change conflicts). */
  readWholeTable(): this {
    this.#open();
    this.#readWholeTable = true;
    return this;
  }

  /**
   * Records a read of the files that may match `expr` (bound against the read schema). Files added
   * concurrently that may match it conflict, unless they are blind appends under WriteSerializable.
   * Partition values decide exactly; statistics can only rule a file out.
   */
  readPredicate(expr: Expr): this {
    this.#open();
    const snap = this.#snapshot;
    if (snap === null) return this.readWholeTable();
    const bound = bindPredicate(expr, snap.schema, { partitionColumns: snap.partitionColumns, columnMappingMode: snap.columnMapping });
    const filter = compileFileFilter(bound);
    this.#readPredicates.push({ description: describeExpr(expr), mayMatch: (add) => filter.mayMatchAdd(add) });
    return this;
  }

  /** Records that these files were read: a concurrent removal of any of them conflicts. */
  readFiles(adds: readonly Pick<AddFile, 'path'>[]): this {
    this.#open();
    for (const a of adds) this.#readFiles.add(filePathKey(this.#tableRoot, a.path));
    return this;
  }

  /** Records that the result depends on the transaction version of `appId`. */
  readAppTransaction(appId: string): this {
    this.#open();
    this.#readAppIds.add(appId);
    return this;
  }

  /** The latest `txn.version` of `appId` in the read snapshot (recording the read). */
  appTransactionVersion(appId: string): bigint | undefined {
    this.readAppTransaction(appId);
    return this.#snapshot?.appTransactions.get(appId);
  }

  // ---- staging -----------------------------------------------------------------------------

  /** Stages add actions. */
  addFiles(adds: readonly AddFile[]): this {
    this.#open();
    this.#adds.push(...adds);
    return this;
  }

  /**
   * Stages remove actions. Throws APPEND_ONLY_VIOLATION for a remove with `dataChange=true` on a
   * table with `delta.appendOnly=true`.
   */
  removeFiles(removes: readonly RemoveFile[]): this {
    this.#open();
    this.#checkAppendOnly(removes, this.#finalMetadata());
    this.#removes.push(...removes);
    return this;
  }

  /** Stages change-data files (for DML on tables with the change data feed enabled). */
  addCdcFiles(files: readonly AddCDCFile[]): this {
    this.#open();
    this.#cdc.push(...files);
    return this;
  }

  /** Stages a metadata action (replacing an earlier one of this transaction). */
  updateMetadata(metadata: Metadata): this {
    this.#open();
    parseSchemaString(metadata.schemaString); // a schema that does not parse must never reach the log
    this.#newMetadata = metadata;
    return this;
  }

  /** Stages a protocol action (replacing an earlier one of this transaction). */
  updateProtocol(protocol: Protocol): this {
    this.#open();
    this.#newProtocol = protocol;
    return this;
  }

  /** Stages `txn{appId, version}` (idempotent-write marker; replaces an earlier one for `appId`). */
  setAppTransaction(appId: string, version: bigint): this {
    this.#open();
    this.#txns.set(appId, { appId, version, lastUpdated: this.#engine.clock.nowMs() });
    return this;
  }

  /**
   * Stages domain metadata (at most one action per domain; a later call replaces an earlier one).
   * Domains starting with `delta.` belong to table features and are refused.
   */
  setDomainMetadata(domain: string, configuration: string, removed = false): this {
    this.#open();
    if (domain.startsWith('delta.')) {
      throw new DeltaError('INVALID_ARGUMENT', `Domain "${domain}" is reserved: domains starting with "delta." belong to table features and only their implementations may change them. Use a domain name of your own.`, {
        details: { domain },
      });
    }
    this.#domains.set(domain, { domain, configuration, removed });
    return this;
  }

  /**
   * @internal Stages domain metadata of a table feature (a `delta.` domain), for the operations
   * that manage it (RESTORE puts back `delta.clustering`). Applications use {@link setDomainMetadata}.
   */
  setFeatureDomainMetadata(domain: string, configuration: string): this {
    this.#open();
    this.#domains.set(domain, { domain, configuration, removed: false });
    return this;
  }

  /** Merges metrics into commitInfo.operationMetrics (values written as strings). */
  operationMetrics(record: Readonly<Record<string, unknown>>): this {
    this.#open();
    this.#metrics = { ...this.#metrics, ...record };
    return this;
  }

  // ---- commit ------------------------------------------------------------------------------

  /**
   * Commits the staged actions as the next table version. On a lost race, reads the winning
   * commits, throws the conflict (CONCURRENT_APPEND, CONCURRENT_DELETE_READ, …) when there is one,
   * else retries at the next version. An I/O failure of the write itself is resolved by reading
   * the commit file back and comparing its txnId; if that cannot decide, COMMIT_STATE_UNKNOWN.
   * Creating a table that another writer created meanwhile throws TABLE_ALREADY_EXISTS.
   */
  async commit(): Promise<CommitResult> {
    this.#open();
    this.#state = 'committing';
    try {
      const plan = this.#plan();
      const result = await new CommitLoop(this.#engine, plan).run();
      const post = await afterCommit(this.#engine, this.#tableRoot, result.version, plan.summary.metadata);
      return { ...result, postCommit: post };
    } finally {
      this.#state = 'done';
    }
  }

  /** Validates what is staged and freezes it into a commit plan. */
  #plan(): CommitPlan {
    const snap = this.#snapshot;
    const protocol = this.#newProtocol ?? snap?.protocol;
    const metadata = this.#finalMetadata();
    if (protocol === undefined || metadata === undefined) {
      throw new DeltaError('INVALID_WRITE', `Creating the table at ${this.#tableRoot} needs both a protocol and a metadata action. Call updateProtocol and updateMetadata before commit.`, {
        details: { tableRoot: this.#tableRoot },
      });
    }
    checkWriteSupported(protocol, metadata, this.#tableRoot);
    this.#checkAppendOnly(this.#removes, metadata);
    this.#checkFileActions();
    if (this.#domains.size > 0 && !supportedWriterFeatures(protocol).has('domainMetadata')) {
      throw new DeltaError('INVALID_WRITE', `The table at ${this.#tableRoot} does not support the domainMetadata feature, so domain metadata cannot be written. Upgrade the protocol to writer version 7 with the "domainMetadata" writer feature first.`);
    }
    const fileActions = [...this.#adds, ...this.#removes, ...this.#cdc];
    const onlyFileActions = !this.#newMetadata && !this.#newProtocol && this.#txns.size === 0 && this.#domains.size === 0;
    const downgrade = onlyFileActions && fileActions.every((f) => !f.dataChange);
    const readsFiles = this.#readWholeTable || this.#readPredicates.length > 0 || this.#readFiles.size > 0;
    const summary: TransactionSummary = {
      tableRoot: this.#tableRoot,
      isolationLevel: downgrade ? 'SnapshotIsolation' : this.#isolationLevel(),
      readProtocol: snap?.protocol ?? protocol,
      metadata,
      metadataChanged: this.#newMetadata !== undefined,
      protocolChanged: this.#newProtocol !== undefined,
      readWholeTable: this.#readWholeTable,
      readPredicates: [...this.#readPredicates],
      readFiles: new Set(this.#readFiles),
      readAppIds: new Set(this.#readAppIds),
      domains: new Set(this.#domains.keys()),
      removedFiles: new Set(this.#removes.map((r) => filePathKey(this.#tableRoot, r.path))),
    };
    return {
      tableRoot: this.#tableRoot,
      txnId: this.#txnId,
      options: this.#options,
      readVersion: snap?.version,
      readProtocol: snap?.protocol,
      readMetadata: snap?.metadata,
      previousIct: snap?.commitInfo?.inCommitTimestamp,
      newProtocol: this.#newProtocol,
      newMetadata: this.#newMetadata,
      isBlindAppend: !readsFiles && this.#removes.length === 0 && this.#cdc.length === 0,
      operationMetrics: this.#metrics,
      summary,
      body: [
        ...[...this.#txns.values()].map((txn): Action => ({ kind: 'txn', txn })),
        ...[...this.#domains.values()].map((domainMetadata): Action => ({ kind: 'domainMetadata', domainMetadata })),
        ...this.#removes.map((remove): Action => ({ kind: 'remove', remove })),
        ...this.#adds.map((add): Action => ({ kind: 'add', add })),
        ...this.#cdc.map((cdc): Action => ({ kind: 'cdc', cdc })),
      ],
    };
  }

  /** The stricter of the requested level and the table's `delta.isolationLevel`. */
  #isolationLevel(): WriteIsolationLevel {
    const prop = this.#finalMetadata()?.configuration['delta.isolationLevel'];
    const table: WriteIsolationLevel | undefined = prop === undefined ? undefined : prop === 'WriteSerializable' ? 'WriteSerializable' : 'Serializable';
    if (table === 'Serializable' || this.#options.isolationLevel === 'Serializable') return 'Serializable';
    return 'WriteSerializable';
  }

  #finalMetadata(): Metadata | undefined {
    return this.#newMetadata ?? this.#snapshot?.metadata;
  }

  #checkAppendOnly(removes: readonly RemoveFile[], metadata: Metadata | undefined): void {
    if (metadata?.configuration['delta.appendOnly']?.toLowerCase() !== 'true') return;
    const r = removes.find((x) => x.dataChange);
    if (r === undefined) return;
    throw new DeltaError(
      'APPEND_ONLY_VIOLATION',
      `Cannot remove ${r.path} from the table at ${this.#tableRoot}: the table is append-only (delta.appendOnly=true), so data may only be added. Removing files without changing data (dataChange=false, e.g. compaction) is allowed; to delete data, first set delta.appendOnly=false.`,
      { details: { tableRoot: this.#tableRoot, path: r.path } },
    );
  }

  /** A logical file may be added at most once per commit and not both added and removed. */
  #checkFileActions(): void {
    const added = new Set<string>();
    for (const a of this.#adds) {
      const key = fileActionKey(this.#tableRoot, a.path, a.deletionVector);
      if (added.has(key)) throw invalidFiles(this.#tableRoot, a.path, 'is added twice');
      added.add(key);
    }
    for (const r of this.#removes) {
      if (added.has(fileActionKey(this.#tableRoot, r.path, r.deletionVector))) throw invalidFiles(this.#tableRoot, r.path, 'is both added and removed with the same deletion vector');
    }
  }

  #open(): void {
    if (this.#state !== 'open') {
      throw new DeltaError('INVALID_ARGUMENT', 'This transaction has already been committed (or is committing); a transaction commits once. Begin a new transaction on a fresh snapshot.');
    }
  }
}

function invalidFiles(tableRoot: string, path: string, problem: string): DeltaError {
  return new DeltaError('INVALID_WRITE', `The commit to ${tableRoot} is invalid: file ${path} ${problem} in the same commit, which the Delta protocol forbids. Stage each file once.`, {
    details: { tableRoot, path },
  });
}
