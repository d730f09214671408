import { isDeltaError, type DeltaErrorCode } from '../errors.js';
import type { Action, AddFile, CommitInfo, Metadata, Protocol, RemoveFile } from '../log/actions.js';
import { fileActionKey } from '../log/paths.js';
import { supportedReaderFeatures, supportedWriterFeatures } from '../log/protocol-check.js';
import { checkWriteSupported } from './writer-features.js';

/**
 * Optimistic-concurrency conflict detection: may a transaction that read the table at
 * `readVersion` still commit after other writers committed `readVersion + 1 …`? A pure function
 * of what the transaction read and stages and what the winners committed; it does no I/O.
 *
 * The checks run per winning commit, in the order Delta Spark runs them: protocol, metadata,
 * domain metadata, application transactions, concurrent appends, deletes of files read, and
 * deletes of files this transaction also deletes. The first failure is the result.
 */

/** Isolation level a transaction commits under. `SnapshotIsolation` is never configured; a
 * transaction whose file actions all have `dataChange=false` and that stages nothing else (a
 * compaction) is downgraded to it, which skips the concurrent-append check. */
export type IsolationLevel = 'Serializable' | 'WriteSerializable' | 'SnapshotIsolation';

/** A recorded read predicate, compiled for the partition values (and statistics) of added files. */
export interface ReadPredicate {
  /** The predicate as text, for messages. */
  readonly description: string;
  /** Whether `add` may contain rows the predicate selects. Must be conservative (true when unsure). */
  mayMatch(add: AddFile): boolean;
}

/**
 * What conflict detection needs to know about the current transaction. File sets hold keys from
 * {@link filePathKey} (paths compared without deletion vectors, as Spark compares them).
 */
export interface TransactionSummary {
  readonly tableRoot: string;
  readonly isolationLevel: IsolationLevel;
  /** The protocol the transaction read (to detect winners that drop features). */
  readonly readProtocol: Protocol;
  /** The metadata the commit will carry: the transaction's own update, else what it read. */
  readonly metadata: Metadata;
  readonly metadataChanged: boolean;
  readonly protocolChanged: boolean;
  readonly readWholeTable: boolean;
  readonly readPredicates: readonly ReadPredicate[];
  readonly readFiles: ReadonlySet<string>;
  readonly readAppIds: ReadonlySet<string>;
  /** Domains the transaction writes (set or removes). */
  readonly domains: ReadonlySet<string>;
  readonly removedFiles: ReadonlySet<string>;
}

/** A commit that won the race, with its parsed actions. */
export interface WinningCommit {
  readonly version: number;
  readonly actions: readonly Action[];
}

/** Outcome of {@link checkConflicts}: a value, not an exception. */
export type ConflictResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly code: DeltaErrorCode; readonly message: string; readonly details: Readonly<Record<string, unknown>> };

/** The key under which file sets compare paths: canonical, relative to the root, no deletion vector. */
export function filePathKey(tableRoot: string, path: string): string {
  return fileActionKey(tableRoot, path, undefined);
}

/** Checks `current` against each winning commit in version order; the first conflict is returned. */
export function checkConflicts(current: TransactionSummary, winning: readonly WinningCommit[]): ConflictResult {
  for (const w of winning) {
    const r = checkOne(current, summarize(w));
    if (!r.ok) return r;
  }
  return OK;
}

const OK: ConflictResult = { ok: true };

interface Winner {
  readonly version: number;
  readonly commitInfo: CommitInfo | undefined;
  readonly protocol: Protocol | undefined;
  readonly metadata: Metadata | undefined;
  readonly adds: readonly AddFile[];
  readonly removes: readonly RemoveFile[];
  readonly appIds: readonly string[];
  readonly domains: readonly string[];
}

function summarize(w: WinningCommit): Winner {
  let commitInfo: CommitInfo | undefined;
  let protocol: Protocol | undefined;
  let metadata: Metadata | undefined;
  const adds: AddFile[] = [];
  const removes: RemoveFile[] = [];
  const appIds: string[] = [];
  const domains: string[] = [];
  for (const a of w.actions) {
    switch (a.kind) {
      case 'commitInfo':
        commitInfo ??= a.commitInfo;
        break;
      case 'protocol':
        protocol = a.protocol;
        break;
      case 'metaData':
        metadata = a.metaData;
        break;
      case 'add':
        adds.push(a.add);
        break;
      case 'remove':
        removes.push(a.remove);
        break;
      case 'txn':
        appIds.push(a.txn.appId);
        break;
      case 'domainMetadata':
        domains.push(a.domainMetadata.domain);
        break;
      default:
        break;
    }
  }
  return { version: w.version, commitInfo, protocol, metadata, adds, removes, appIds, domains };
}

function checkOne(t: TransactionSummary, w: Winner): ConflictResult {
  return (
    firstFailure([
      () => checkProtocol(t, w),
      () => (w.metadata !== undefined ? metadataChanged(w) : OK),
      () => checkDomains(t, w),
      () => checkAppIds(t, w),
      () => checkAppends(t, w),
      () => checkDeleteRead(t, w),
      () => checkDeleteDelete(t, w),
    ]) ?? OK
  );
}

function firstFailure(checks: readonly (() => ConflictResult)[]): ConflictResult | undefined {
  for (const c of checks) {
    const r = c();
    if (!r.ok) return r;
  }
  return undefined;
}

/** `operation` of the winner for messages, e.g. `WRITE`. */
function opOf(w: Winner): string {
  const op = w.commitInfo?.operation;
  return typeof op === 'string' ? op : 'unknown operation';
}

function fail(code: DeltaErrorCode, w: Winner, problem: string, fix: string, details: Record<string, unknown> = {}): ConflictResult {
  return {
    ok: false,
    code,
    message: `Transaction conflict: a concurrent commit at version ${w.version} (${opOf(w)}) ${problem} This transaction was not committed; fix: ${fix}`,
    details: { winningVersion: w.version, winningOperation: opOf(w), ...details },
  };
}

const RETRY = 'retry the operation on the latest table version.';

function checkProtocol(t: TransactionSummary, w: Winner): ConflictResult {
  const p = w.protocol;
  if (p === undefined) return OK;
  if (t.protocolChanged) {
    return fail('PROTOCOL_CHANGED', w, 'changed the table protocol, and this transaction changes it too.', RETRY);
  }
  try {
    checkWriteSupported(p, w.metadata ?? t.metadata, t.tableRoot);
  } catch (e) {
    if (!isDeltaError(e)) throw e;
    return fail('PROTOCOL_CHANGED', w, `upgraded the table protocol to one this library cannot write (${e.message})`, 'write to the table with a client that supports its new protocol.', {
      protocol: p,
    });
  }
  const dropped = [...supportedReaderFeatures(t.readProtocol), ...supportedWriterFeatures(t.readProtocol)].filter(
    (f) => !supportedReaderFeatures(p).has(f) && !supportedWriterFeatures(p).has(f),
  );
  if (dropped.length > 0) {
    return fail('PROTOCOL_CHANGED', w, `removed table feature(s) ${dropped.map((f) => `"${f}"`).join(', ')} from the protocol.`, RETRY, { droppedFeatures: dropped });
  }
  return OK;
}

function metadataChanged(w: Winner): ConflictResult {
  return fail('METADATA_CHANGED', w, 'changed the table metadata (schema, partitioning or properties) after this transaction read it.', RETRY);
}

function checkDomains(t: TransactionSummary, w: Winner): ConflictResult {
  const clash = w.domains.find((d) => t.domains.has(d));
  if (clash === undefined) return OK;
  return fail('CONCURRENT_TRANSACTION', w, `also wrote domain metadata for domain "${clash}", which this transaction writes.`, RETRY, { domain: clash });
}

function checkAppIds(t: TransactionSummary, w: Winner): ConflictResult {
  const clash = w.appIds.find((a) => t.readAppIds.has(a));
  if (clash === undefined) return OK;
  return fail(
    'CONCURRENT_TRANSACTION',
    w,
    `recorded a new transaction version for application id "${clash}", which this transaction read; two writers are using the same application id.`,
    'make sure only one instance of the application (for example a streaming query) writes with this id, then retry.',
    { appId: clash },
  );
}

function checkAppends(t: TransactionSummary, w: Winner): ConflictResult {
  if (t.isolationLevel === 'SnapshotIsolation' || w.adds.length === 0) return OK;
  if (!t.readWholeTable && t.readPredicates.length === 0) return OK;
  const blind = w.commitInfo?.isBlindAppend === true;
  // Under WriteSerializable a blind append commutes with this transaction unless it changes metadata.
  if (blind && t.isolationLevel === 'WriteSerializable' && !t.metadataChanged) return OK;
  for (const add of w.adds) {
    if (t.readWholeTable) {
      return fail('CONCURRENT_APPEND', w, `added file ${add.path}, and this transaction read the whole table.`, `${RETRY} To let concurrent writers proceed, restrict what the operation reads with a predicate on partition columns.`, {
        path: add.path,
      });
    }
    const p = t.readPredicates.find((rp) => rp.mayMatch(add));
    if (p !== undefined) {
      return fail(
        'CONCURRENT_APPEND',
        w,
        `added file ${add.path}${partitionText(add.partitionValues)}, which matches this transaction's read predicate ${p.description}.`,
        `${RETRY} To avoid this, narrow the predicate with partition filters so concurrent operations touch disjoint partitions.`,
        { path: add.path, predicate: p.description },
      );
    }
  }
  return OK;
}

function checkDeleteRead(t: TransactionSummary, w: Winner): ConflictResult {
  for (const r of w.removes) {
    if (t.readFiles.has(filePathKey(t.tableRoot, r.path))) {
      return fail('CONCURRENT_DELETE_READ', w, `removed file ${r.path}${partitionText(r.partitionValues)}, which this transaction read.`, `${RETRY} If this recurs, use partition filters so concurrent operations touch disjoint files.`, {
        path: r.path,
      });
    }
  }
  if (t.readWholeTable) {
    const r = w.removes.find((x) => x.dataChange);
    if (r !== undefined) {
      return fail('CONCURRENT_DELETE_READ', w, `removed data (file ${r.path}) while this transaction read the whole table.`, `${RETRY} To let concurrent writers proceed, restrict what the operation reads with a predicate on partition columns.`, {
        path: r.path,
      });
    }
  }
  return OK;
}

function checkDeleteDelete(t: TransactionSummary, w: Winner): ConflictResult {
  for (const r of w.removes) {
    if (t.removedFiles.has(filePathKey(t.tableRoot, r.path))) {
      return fail('CONCURRENT_DELETE_DELETE', w, `removed file ${r.path}${partitionText(r.partitionValues)}, which this transaction removes too.`, RETRY, { path: r.path });
    }
  }
  return OK;
}

function partitionText(values: Readonly<Record<string, string | null>> | undefined): string {
  if (values === undefined) return '';
  const entries = Object.entries(values);
  if (entries.length === 0) return '';
  return ` in partition ${entries.map(([k, v]) => `${k}=${v ?? 'null'}`).join(', ')}`;
}
