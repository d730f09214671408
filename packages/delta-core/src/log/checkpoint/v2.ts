/**
 * UUID-named V2 checkpoints with sidecars (protocol-notes §3.5, PROTOCOL.md "V2 Spec"), as Spark
 * writes them: the file actions go to parquet sidecar files
 * `_delta_log/_sidecars/<v>.checkpoint.<i>.<n>.<uuid>.parquet` (columns `add` and `remove` only),
 * then the top-level `<v>.checkpoint.<uuid>.json|parquet` holds `checkpointMetadata`, one
 * `sidecar` action per sidecar, and the protocol, metadata, txns and domains. `_last_checkpoint`
 * gets a `v2Checkpoint` object naming the top-level file, with the non-file actions and sidecars
 * inlined while each list has at most 30 entries (Spark's thresholds).
 */
import { randomUUID } from 'node:crypto';
import type { Engine } from '../../engine.js';
import { throwIfAborted } from '../../errors.js';
import { joinPath } from '../../storage/paths.js';
import { parseJsonExact } from '../../util/json.js';
import type { Action, AddFile, RemoveFile, Sidecar } from '../actions.js';
import type { CheckpointActions, CheckpointWriteResult } from '../checkpoint-writer.js';
import { pad10, partOf, putFile } from './files.js';
import { withChecksum } from '../last-checkpoint-checksum.js';
import { baseName, formatVersion, lastCheckpointPath, logDirOf } from '../log-path.js';
import { serializeAction } from '../serialize-actions.js';
import { buildCheckpointTable, type CheckpointTableOptions } from './table.js';

export interface V2WriteOptions extends Omit<CheckpointTableOptions, 'kind'> {
  readonly format: 'json' | 'parquet';
  /** Most file actions per sidecar. */
  readonly partSize: number;
  readonly compression: 'snappy' | 'zstd' | 'uncompressed';
  readonly signal?: AbortSignal | undefined;
}

/** Spark's `lastCheckpoint.nonFileActions.threshold` and `lastCheckpoint.sidecars.threshold`. */
const LAST_CHECKPOINT_LIST_LIMIT = 30;

/** Writes the sidecars, then the top-level file, then `_last_checkpoint`. */
export async function writeV2Checkpoint(engine: Engine, tableRoot: string, actions: CheckpointActions, options: V2WriteOptions): Promise<CheckpointWriteResult> {
  const version = actions.checkpointVersion!;
  const logDir = logDirOf(tableRoot);
  const prefix = formatVersion(version);
  const numFileActions = actions.adds.length + actions.removes.length;
  const numSidecars = numFileActions === 0 ? 0 : Math.ceil(numFileActions / options.partSize);
  const adds: AddFile[][] = Array.from({ length: numSidecars }, () => []);
  const removes: RemoveFile[][] = Array.from({ length: numSidecars }, () => []);
  for (const a of actions.adds) adds[partOf(a.path, numSidecars)]!.push(a);
  for (const r of actions.removes) removes[partOf(r.path, numSidecars)]!.push(r);

  const sidecars: Sidecar[] = [];
  const sidecarPaths: string[] = [];
  let size = 0;
  let sizeInBytes = 0;
  for (let i = 0; i < numSidecars; i++) {
    const table = buildCheckpointTable({ adds: adds[i]!, removes: removes[i]! }, { ...options, kind: 'sidecar' });
    const bytes = await engine.parquet.writeTable(table, { compression: options.compression });
    throwIfAborted(options.signal);
    const name = `${prefix}.checkpoint.${pad10(i + 1)}.${pad10(numSidecars)}.${randomUUID()}.parquet`;
    const path = joinPath(logDir, '_sidecars', name);
    await putFile(engine, path, bytes, 'Writing checkpoint sidecar');
    const meta = await engine.store.head(path);
    sidecars.push({ path: name, sizeInBytes: meta.size, modificationTime: meta.lastModified });
    sidecarPaths.push(path);
    size += table.numRows;
    sizeInBytes += meta.size;
  }

  const nonFileActions: Action[] = [
    { kind: 'protocol', protocol: actions.protocol },
    { kind: 'metaData', metaData: actions.metadata },
    ...actions.txns.map((txn): Action => ({ kind: 'txn', txn })),
    ...actions.domains.map((domainMetadata): Action => ({ kind: 'domainMetadata', domainMetadata })),
  ];
  const checkpointMetadata: Action = { kind: 'checkpointMetadata', checkpointMetadata: { version } };
  const sidecarActions = sidecars.map((sidecar): Action => ({ kind: 'sidecar', sidecar }));
  const topPath = joinPath(logDir, `${prefix}.checkpoint.${randomUUID()}.${options.format}`);
  let topBytes: Uint8Array;
  let topRows: number;
  if (options.format === 'json') {
    const lines = [checkpointMetadata, ...sidecarActions, ...nonFileActions].map((a) => serializeAction(a) + '\n');
    topBytes = new TextEncoder().encode(lines.join(''));
    topRows = lines.length;
  } else {
    const table = buildCheckpointTable(
      { protocol: actions.protocol, metadata: actions.metadata, txns: actions.txns, domains: actions.domains, checkpointVersion: version, sidecars },
      { ...options, kind: 'v2' },
    );
    topBytes = await engine.parquet.writeTable(table, { compression: options.compression });
    topRows = table.numRows;
  }
  throwIfAborted(options.signal);
  await putFile(engine, topPath, topBytes, 'Writing checkpoint');
  const topMeta = await engine.store.head(topPath);
  size += topRows;
  sizeInBytes += topMeta.size;

  const hintActions = [...nonFileActions, checkpointMetadata];
  const v2Checkpoint = {
    path: baseName(topPath),
    sizeInBytes: topMeta.size,
    modificationTime: topMeta.lastModified,
    ...(hintActions.length <= LAST_CHECKPOINT_LIST_LIMIT ? { nonFileActions: hintActions.map(asJsonValue) } : {}),
    ...(sidecarActions.length <= LAST_CHECKPOINT_LIST_LIMIT ? { sidecarFiles: sidecarActions.map((a) => (asJsonValue(a) as Record<string, unknown>)['sidecar']) } : {}),
  };
  const numOfAddFiles = actions.adds.length;
  const lastCheckpoint = withChecksum({ version, size, sizeInBytes, numOfAddFiles, v2Checkpoint });
  await putFile(engine, lastCheckpointPath(tableRoot), new TextEncoder().encode(lastCheckpoint), 'Writing _last_checkpoint');
  return { path: topPath, files: [topPath], sidecars: sidecarPaths, version, size, sizeInBytes, numOfAddFiles, v2: true, lastCheckpoint };
}

/** An action as an exact JSON value (64-bit numbers kept), for embedding in `_last_checkpoint`. */
function asJsonValue(a: Action): unknown {
  return parseJsonExact(serializeAction(a));
}
