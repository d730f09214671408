import { DeltaError } from '../errors.js';
import type { Action, AddFile, CommitInfo, DomainMetadata, Metadata, Protocol, RemoveFile, SetTransaction } from './actions.js';
import { FileKeyMap } from './file-key-map.js';
import { fileActionKey } from './paths.js';

/**
 * The reconciled state of a table at one version.
 *
 * Invariants: `files` holds one entry per logical file (canonical path + deletion-vector id) whose
 * newest action is an `add`; `tombstones` likewise for `remove`; no logical file is in both.
 * `domains` holds only domains whose newest action is not `removed`.
 */
export interface TableState {
  readonly tableRoot: string;
  readonly version: number;
  readonly protocol: Protocol;
  readonly metadata: Metadata;
  /** Live data files, in no particular order. */
  readonly files: readonly AddFile[];
  /** Removed files still in the log (for VACUUM and conflict checks); scans ignore them. */
  readonly tombstones: readonly RemoveFile[];
  /** Latest `txn.version` per application id. */
  readonly txns: ReadonlyMap<string, bigint>;
  /** The latest `txn` action per application id, with its `lastUpdated` (for expiry). */
  readonly setTransactions: ReadonlyMap<string, SetTransaction>;
  /** Live domain metadata per domain name. */
  readonly domains: ReadonlyMap<string, DomainMetadata>;
  /** The commitInfo of the commit at `version`, when that commit file exists and has one. */
  readonly commitInfo?: CommitInfo;
}

/**
 * Forward log replay: apply the checkpoint's actions, then each commit in version order. For each
 * logical file the newest action wins: an `add` makes it live (also after an earlier remove), a
 * `remove` turns it into a tombstone. The newest protocol and metadata win; the newest `txn` per
 * application wins; a `removed` domain action deletes the domain.
 */
export class LogReplay {
  readonly #tableRoot: string;
  readonly #adds = new FileKeyMap<AddFile>();
  readonly #checkpointAdds: Array<readonly AddFile[]> = [];
  readonly #checkpointRemoves: Array<readonly RemoveFile[]> = [];
  readonly #removes = new FileKeyMap<RemoveFile>();
  readonly #txns = new Map<string, bigint>();
  readonly #setTransactions = new Map<string, SetTransaction>();
  readonly #domains = new Map<string, DomainMetadata>();
  #protocol: Protocol | undefined;
  #metadata: Metadata | undefined;

  constructor(tableRoot: string) {
    this.#tableRoot = tableRoot;
  }

  /**
   * Sizes the index of live files for `count` add actions, an upper bound of its size (a hint:
   * replay works without it, but a large log then pays for growing the index step by step).
   */
  reserve(count: number): void {
    this.#adds.reserve(count);
  }

  /** Applies the actions of one commit (or of a checkpoint, which behaves as a single commit). */
  apply(actions: readonly Action[]): void {
    for (const a of actions) this.applyOne(a);
  }

  applyOne(a: Action): void {
    switch (a.kind) {
      case 'add': {
        const key = fileActionKey(this.#tableRoot, a.add.path, a.add.deletionVector);
        this.#adds.set(key, a.add);
        if (this.#removes.size > 0) this.#removes.delete(key);
        break;
      }
      case 'remove': {
        const key = fileActionKey(this.#tableRoot, a.remove.path, a.remove.deletionVector);
        this.#adds.delete(key);
        this.#removes.set(key, a.remove);
        break;
      }
      case 'protocol':
        this.#protocol = a.protocol;
        break;
      case 'metaData':
        this.#metadata = a.metaData;
        break;
      case 'txn':
        this.#txns.set(a.txn.appId, a.txn.version);
        this.#setTransactions.set(a.txn.appId, a.txn);
        break;
      case 'domainMetadata':
        if (a.domainMetadata.removed) this.#domains.delete(a.domainMetadata.domain);
        else this.#domains.set(a.domainMetadata.domain, a.domainMetadata);
        break;
      case 'commitInfo':
      case 'cdc':
      case 'checkpointMetadata':
      case 'sidecar':
        break; // not part of the reconciled state
    }
  }

  /**
   * Adds the live files of a checkpoint, before any other action is applied. A checkpoint holds
   * each logical file once, so its adds stay in an array; only the (few) keys that later actions
   * touch are compared against them in {@link finish}, instead of hashing every checkpoint file.
   * The array may become the state's file list as it is: it must not change afterwards.
   */
  addCheckpointFiles(adds: readonly AddFile[]): void {
    if (this.#adds.size > 0 || this.#removes.size > 0) {
      throw new DeltaError('INTERNAL', 'Checkpoint files must be added before any other file action is replayed. This is a deltakit bug; please report it.');
    }
    this.#checkpointAdds.push(adds);
  }

  /** Adds a checkpoint's tombstones, under the same rule and with the same saving as its adds. */
  addCheckpointTombstones(removes: readonly RemoveFile[]): void {
    if (this.#adds.size > 0 || this.#removes.size > 0) {
      throw new DeltaError('INTERNAL', 'Checkpoint tombstones must be added before any other file action is replayed. This is a deltakit bug; please report it.');
    }
    this.#checkpointRemoves.push(removes);
  }

  /** Checkpoint adds no later action replaced or removed, then the adds from commits. */
  #liveFiles(): readonly AddFile[] {
    const touched = (key: string) => this.#adds.has(key) || this.#removes.has(key);
    const anyTouched = this.#adds.size > 0 || this.#removes.size > 0;
    // Nothing replaced or removed a checkpoint file: its adds are the answer as they are.
    if (!anyTouched && this.#checkpointAdds.length === 1) return this.#checkpointAdds[0]!;
    const out: AddFile[] = [];
    if (!anyTouched) {
      for (const chunk of this.#checkpointAdds) for (const a of chunk) out.push(a);
      return out;
    }
    for (const chunk of this.#checkpointAdds) {
      for (const a of chunk) if (!touched(fileActionKey(this.#tableRoot, a.path, a.deletionVector))) out.push(a);
    }
    if (out.length === 0) return this.#adds.valuesArray();
    for (const a of this.#adds.values()) out.push(a);
    return out;
  }

  /** Checkpoint tombstones no later action touched, then the removes from commits. */
  #tombstones(): RemoveFile[] {
    const out: RemoveFile[] = [];
    const anyTouched = this.#adds.size > 0 || this.#removes.size > 0;
    for (const chunk of this.#checkpointRemoves) {
      for (const r of chunk) {
        if (!anyTouched) out.push(r);
        else {
          const key = fileActionKey(this.#tableRoot, r.path, r.deletionVector);
          if (!this.#adds.has(key) && !this.#removes.has(key)) out.push(r);
        }
      }
    }
    if (out.length === 0) return this.#removes.valuesArray();
    for (const r of this.#removes.values()) out.push(r);
    return out;
  }

  get protocol(): Protocol | undefined {
    return this.#protocol;
  }

  /**
   * The state after everything applied. Throws MISSING_PROTOCOL or MISSING_METADATA when the log
   * never declared them.
   */
  finish(version: number, commitInfo: CommitInfo | undefined): TableState {
    const tableRoot = this.#tableRoot;
    if (this.#protocol === undefined) {
      throw new DeltaError(
        'MISSING_PROTOCOL',
        `The Delta log at ${tableRoot} has no protocol action up to version ${version}; every table must declare one. The log or its checkpoint is incomplete or corrupt; restore it from a backup.`,
        { details: { tableRoot, version } },
      );
    }
    if (this.#metadata === undefined) {
      throw new DeltaError(
        'MISSING_METADATA',
        `The Delta log at ${tableRoot} has no metaData action up to version ${version}; every table must declare one. The log or its checkpoint is incomplete or corrupt; restore it from a backup.`,
        { details: { tableRoot, version } },
      );
    }
    return {
      tableRoot,
      version,
      protocol: this.#protocol,
      metadata: this.#metadata,
      files: this.#liveFiles(),
      tombstones: this.#tombstones(),
      txns: this.#txns,
      setTransactions: this.#setTransactions,
      domains: this.#domains,
      commitInfo,
    };
  }
}
