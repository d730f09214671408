import type { PostCommitOutcome } from './post-commit.js';
import type { Engine } from '../engine.js';
import { DeltaError, isDeltaError, throwIfAborted } from '../errors.js';
import type { Action, CommitInfo, Metadata, Protocol } from '../log/actions.js';
import { commitPath } from '../log/log-path.js';
import { activeWriterFeatures } from '../log/protocol-check.js';
import { serializeCommit } from '../log/serialize-actions.js';
import { buildCommitInfo, DEFAULT_ENGINE_INFO, nextInCommitTimestamp } from './commit-info.js';
import { checkConflicts, type TransactionSummary } from './conflict-checker.js';
import type { TransactionOptions } from './transaction.js';
import { readWinningCommits, txnIdOf, type ReadWinner } from './winning-commits.js';

export interface CommitResult {
  /** The version the commit was written as. */
  readonly version: number;
  /** Number of put-if-absent attempts (1 when nobody raced). */
  readonly attempts: number;
  /** The commitInfo written. */
  readonly commitInfo: CommitInfo;
  /** Checkpoint and log cleanup run after the commit (set by Transaction.commit). */
  readonly postCommit?: PostCommitOutcome;
}

/** Lost races a commit retries unless `TransactionOptions.maxRetries` says otherwise. */
export const DEFAULT_MAX_RETRIES = 100;

/** Everything a commit needs, frozen at commit time. */
export interface CommitPlan {
  readonly tableRoot: string;
  readonly txnId: string;
  readonly options: TransactionOptions;
  readonly readVersion: number | undefined;
  readonly readProtocol: Protocol | undefined;
  readonly readMetadata: Metadata | undefined;
  readonly previousIct: number | undefined;
  readonly newProtocol: Protocol | undefined;
  readonly newMetadata: Metadata | undefined;
  readonly isBlindAppend: boolean;
  readonly operationMetrics: Readonly<Record<string, unknown>>;
  readonly summary: TransactionSummary;
  /** Actions after commitInfo, protocol and metaData, in commit order. */
  readonly body: readonly Action[];
}

/**
 * The retry loop of one commit. Each attempt builds the commit for `version` and puts it if
 * absent. Outcomes:
 * 1. created: done.
 * 2. exists: read the winners from `version` on; if one is our own earlier write (an attempt whose
 *    outcome was unknown), done; else check conflicts, rebase onto the latest and retry.
 * 3. the put threw: read `version` back. Missing: retry the same version. Our txnId: done.
 *    Another txnId: as 2. Unreadable: COMMIT_STATE_UNKNOWN.
 */
export class CommitLoop {
  readonly #engine: Engine;
  readonly #plan: CommitPlan;
  readonly #maxRetries: number;
  /** commitInfo written by attempts whose outcome is unknown, by version. */
  readonly #unknown = new Map<number, CommitInfo>();
  #tableProtocol: Protocol | undefined;
  #baseVersion: number | undefined;
  #previousIct: number | undefined;
  #previousMtime: number | undefined;

  constructor(engine: Engine, plan: CommitPlan) {
    this.#engine = engine;
    this.#plan = plan;
    this.#maxRetries = plan.options.maxRetries ?? DEFAULT_MAX_RETRIES;
    this.#tableProtocol = plan.readProtocol;
    this.#baseVersion = plan.readVersion;
    this.#previousIct = plan.previousIct;
  }

  async run(): Promise<CommitResult> {
    const { signal } = this.#plan.options;
    const store = this.#engine.store;
    let attempts = 0;
    let lastError: unknown;
    for (;;) {
      throwIfAborted(signal);
      const version = this.#baseVersion === undefined ? 0 : this.#baseVersion + 1;
      attempts++;
      const { bytes, commitInfo } = await this.#build(version);
      const path = commitPath(this.#plan.tableRoot, version);
      let outcome: 'created' | 'exists' | 'unknown';
      try {
        outcome = (await store.putIfAbsent(path, bytes)).created ? 'created' : 'exists';
      } catch (e) {
        outcome = 'unknown';
        lastError = e;
        this.#unknown.set(version, commitInfo);
      }
      if (outcome === 'created') return { version, attempts, commitInfo };
      if (outcome === 'unknown' && !(await this.#landedSomewhere(version))) {
        if (attempts > this.#maxRetries) throw this.#stateUnknown(version, lastError);
        continue; // nothing at `version`: retry the same version
      }
      const winners = await this.#readWinners(version);
      const ours = winners.find((w) => this.#unknown.has(w.version) && txnIdOf(w) === this.#plan.txnId);
      if (ours !== undefined) return { version: ours.version, attempts, commitInfo: this.#unknown.get(ours.version)! };
      if (this.#plan.readVersion === undefined) throw this.#alreadyExists();
      const conflict = checkConflicts(this.#plan.summary, winners);
      if (!conflict.ok) {
        throw new DeltaError(conflict.code, conflict.message, { details: { tableRoot: this.#plan.tableRoot, readVersion: this.#plan.readVersion, ...conflict.details } });
      }
      if (attempts > this.#maxRetries) throw this.#maxRetriesError(attempts, winners.at(-1)?.version ?? version);
      this.#rebase(winners);
    }
  }

  /** After a put threw: whether a file exists at `version` (read errors: COMMIT_STATE_UNKNOWN). */
  async #landedSomewhere(version: number): Promise<boolean> {
    try {
      await this.#engine.store.head(commitPath(this.#plan.tableRoot, version));
      return true;
    } catch (e) {
      if (isDeltaError(e, 'FILE_NOT_FOUND')) return false;
      throw this.#stateUnknown(version, e);
    }
  }

  async #readWinners(from: number): Promise<ReadWinner[]> {
    try {
      return await readWinningCommits(this.#engine, this.#plan.tableRoot, from, this.#plan.options.signal);
    } catch (e) {
      // Without the content of a version we may have written, whether we committed is unknown.
      if (this.#unknown.size > 0 && !isDeltaError(e, 'CANCELLED')) throw this.#stateUnknown(from, e);
      throw e;
    }
  }

  /** Treat the transaction as if it had read the latest winner. */
  #rebase(winners: readonly ReadWinner[]): void {
    for (const w of winners) for (const a of w.actions) if (a.kind === 'protocol') this.#tableProtocol = a.protocol;
    const last = winners.at(-1)!;
    this.#baseVersion = last.version;
    const ci = last.actions.find((a) => a.kind === 'commitInfo');
    this.#previousIct = ci?.kind === 'commitInfo' ? ci.commitInfo.inCommitTimestamp : undefined;
    this.#previousMtime = last.lastModified;
  }

  /** The commit file for `version`: commitInfo, protocol, metaData, then the staged actions. */
  async #build(version: number): Promise<{ bytes: Uint8Array; commitInfo: CommitInfo }> {
    const plan = this.#plan;
    const now = this.#engine.clock.nowMs();
    const protocol = plan.newProtocol ?? this.#tableProtocol!;
    let metadata = plan.newMetadata;
    const finalMetadata = metadata ?? plan.readMetadata!;
    let ict: number | undefined;
    if (activeWriterFeatures(protocol, finalMetadata).has('inCommitTimestamp')) {
      const readHadIct = plan.readProtocol !== undefined && plan.readMetadata !== undefined && activeWriterFeatures(plan.readProtocol, plan.readMetadata).has('inCommitTimestamp');
      ict = nextInCommitTimestamp(now, version === 0 ? undefined : await this.#previousCommitTime(readHadIct));
      if (!readHadIct && version > 0 && metadata !== undefined) {
        // This commit enables ICT on a table with older commits: record where ICT starts.
        metadata = {
          ...metadata,
          configuration: { ...metadata.configuration, 'delta.inCommitTimestampEnablementVersion': String(version), 'delta.inCommitTimestampEnablementTimestamp': String(ict) },
        };
      }
    }
    const commitInfo = buildCommitInfo({
      timestamp: now,
      inCommitTimestamp: ict,
      operation: plan.options.operation,
      operationParameters: plan.options.operationParameters ?? {},
      readVersion: plan.readVersion,
      isolationLevel: plan.summary.isolationLevel,
      isBlindAppend: plan.isBlindAppend,
      operationMetrics: plan.operationMetrics,
      engineInfo: plan.options.engineInfo ?? DEFAULT_ENGINE_INFO,
      txnId: plan.txnId,
    });
    const actions: Action[] = [{ kind: 'commitInfo', commitInfo }];
    if (plan.newProtocol) actions.push({ kind: 'protocol', protocol: plan.newProtocol });
    if (metadata) actions.push({ kind: 'metaData', metaData: metadata });
    actions.push(...plan.body);
    return { bytes: serializeCommit(actions), commitInfo };
  }

  /** The previous commit's timestamp: its ICT when the table had ICT, else its file time. */
  async #previousCommitTime(readHadIct: boolean): Promise<number | undefined> {
    if (readHadIct && this.#previousIct !== undefined) return this.#previousIct;
    if (this.#previousMtime === undefined && this.#baseVersion !== undefined) {
      try {
        this.#previousMtime = (await this.#engine.store.head(commitPath(this.#plan.tableRoot, this.#baseVersion))).lastModified;
      } catch (e) {
        if (!isDeltaError(e, 'FILE_NOT_FOUND')) throw e;
      }
    }
    return this.#previousIct ?? this.#previousMtime;
  }

  #stateUnknown(version: number, cause: unknown): DeltaError {
    return new DeltaError(
      'COMMIT_STATE_UNKNOWN',
      `Writing commit ${version} of the table at ${this.#plan.tableRoot} failed and whether it was committed cannot be determined (the commit file could not be read back). Check the table history for commitInfo.txnId ${this.#plan.txnId} before retrying, so the data is not committed twice.`,
      { cause, details: { tableRoot: this.#plan.tableRoot, version, txnId: this.#plan.txnId } },
    );
  }

  #alreadyExists(): DeltaError {
    return new DeltaError(
      'TABLE_ALREADY_EXISTS',
      `Cannot create the table at ${this.#plan.tableRoot}: another writer created it concurrently (version 0 exists and is not this transaction's). Nothing was committed; fix: load the existing table and write to it instead.`,
      { details: { tableRoot: this.#plan.tableRoot } },
    );
  }

  #maxRetriesError(attempts: number, latest: number): DeltaError {
    return new DeltaError(
      'MAX_COMMIT_RETRIES',
      `Gave up committing to the table at ${this.#plan.tableRoot} after ${attempts} attempts: other writers kept committing first (latest version ${latest}). Nothing was committed; fix: retry later, reduce the number of concurrent writers, or raise maxRetries.`,
      { details: { tableRoot: this.#plan.tableRoot, attempts, latestVersion: latest } },
    );
  }
}
