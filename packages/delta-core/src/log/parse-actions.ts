import { DeltaError } from '../errors.js';
import { parseJson } from '../util/json.js';
import type {
  Action,
  AddCDCFile,
  AddFile,
  CheckpointMetadata,
  CommitInfo,
  DeletionVectorDescriptor,
  DomainMetadata,
  Metadata,
  Protocol,
  RemoveFile,
  SetTransaction,
  Sidecar,
} from './actions.js';

/**
 * Parsing of JSON actions (commit files, JSON checkpoints, `_last_checkpoint.v2Checkpoint`).
 *
 * Rules: field names are the protocol's; JSON `null` is the same as an absent field; unknown
 * fields and unknown action keys are ignored; a required field that is absent or of the wrong
 * type is corruption. 64-bit integers that do not fit a JS number fail with PRECISION_LOSS,
 * except `txn.version`, which is a bigint.
 */

/** A problem with one JSON value, located later (file and line) by the caller. */
export class ActionFieldError extends Error {
  constructor(
    message: string,
    readonly precisionLoss = false,
  ) {
    super(message);
  }
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return String(v);
}

function missing(ctx: string, k: string): ActionFieldError {
  return new ActionFieldError(`required field ${ctx}.${k} is missing`);
}

function wrongType(ctx: string, k: string, want: string, v: unknown): ActionFieldError {
  return new ActionFieldError(`field ${ctx}.${k} must be ${want}, found ${describe(v)}`);
}

function str(o: Obj, k: string, ctx: string): string {
  const v = o[k];
  if (typeof v === 'string') return v;
  throw v == null ? missing(ctx, k) : wrongType(ctx, k, 'a string', v);
}

function optStr(o: Obj, k: string, ctx: string): string | undefined {
  const v = o[k];
  if (v == null) return undefined;
  if (typeof v === 'string') return v;
  throw wrongType(ctx, k, 'a string', v);
}

/** A JSON integer that must fit a JS number exactly (versions, sizes, ms timestamps, counts). */
export function toSafeInteger(v: unknown, ctx: string, k: string): number {
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v)) return v;
    if (Number.isInteger(v)) throw precision(ctx, k, String(v));
    throw wrongType(ctx, k, 'an integer', v);
  }
  if (typeof v === 'bigint') throw precision(ctx, k, v.toString());
  throw wrongType(ctx, k, 'an integer', v);
}

function precision(ctx: string, k: string, text: string): ActionFieldError {
  return new ActionFieldError(`field ${ctx}.${k} = ${text} is beyond 2^53 - 1 and cannot be represented exactly as a JS number`, true);
}

function long(o: Obj, k: string, ctx: string): number {
  const v = o[k];
  if (v == null) throw missing(ctx, k);
  return toSafeInteger(v, ctx, k);
}

function optLong(o: Obj, k: string, ctx: string): number | undefined {
  const v = o[k];
  return v == null ? undefined : toSafeInteger(v, ctx, k);
}

function bool(o: Obj, k: string, ctx: string): boolean {
  const v = o[k];
  if (typeof v === 'boolean') return v;
  throw v == null ? missing(ctx, k) : wrongType(ctx, k, 'a boolean', v);
}

function optBool(o: Obj, k: string, ctx: string): boolean | undefined {
  const v = o[k];
  if (v == null) return undefined;
  if (typeof v === 'boolean') return v;
  throw wrongType(ctx, k, 'a boolean', v);
}

/** A `Map[String,String]` whose values may be null; the parsed object is reused when valid. */
function strMap(o: Obj, k: string, ctx: string): Record<string, string | null> {
  const v = o[k];
  if (v == null) throw missing(ctx, k);
  return checkStrMap(v, ctx, k);
}

function optStrMap(o: Obj, k: string, ctx: string): Record<string, string | null> | undefined {
  const v = o[k];
  return v == null ? undefined : checkStrMap(v, ctx, k);
}

function checkStrMap(v: unknown, ctx: string, k: string): Record<string, string | null> {
  if (!isObj(v)) throw wrongType(ctx, k, 'an object of strings', v);
  for (const key in v) {
    const x = v[key];
    if (x !== null && typeof x !== 'string') throw wrongType(ctx, `${k}.${key}`, 'a string or null', x);
  }
  return v as Record<string, string | null>;
}

/** A map whose null values are dropped (configuration, format options: null means unset). */
function nonNullStrMap(o: Obj, k: string, ctx: string, required: boolean): Record<string, string> {
  const v = o[k];
  if (v == null) {
    if (required) throw missing(ctx, k);
    return {};
  }
  const m = checkStrMap(v, ctx, k);
  for (const key in m) {
    if (m[key] === null) {
      const out: Record<string, string> = {};
      for (const kk in m) if (m[kk] !== null) out[kk] = m[kk]!;
      return out;
    }
  }
  return m as Record<string, string>;
}

function strList(o: Obj, k: string, ctx: string, required: boolean): string[] | undefined {
  const v = o[k];
  if (v == null) {
    if (required) throw missing(ctx, k);
    return undefined;
  }
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw wrongType(ctx, k, 'an array of strings', v);
  return v as string[];
}

function sub(o: Obj, k: string, ctx: string): Obj | undefined {
  const v = o[k];
  if (v == null) return undefined;
  if (!isObj(v)) throw wrongType(ctx, k, 'an object', v);
  return v;
}

export function parseDeletionVector(o: Obj, ctx: string): DeletionVectorDescriptor {
  const storageType = str(o, 'storageType', ctx);
  if (storageType !== 'u' && storageType !== 'i' && storageType !== 'p') {
    throw new ActionFieldError(`field ${ctx}.storageType must be one of "u", "i", "p", found ${describe(storageType)}`);
  }
  return {
    storageType,
    pathOrInlineDv: str(o, 'pathOrInlineDv', ctx),
    offset: optLong(o, 'offset', ctx),
    sizeInBytes: long(o, 'sizeInBytes', ctx),
    cardinality: long(o, 'cardinality', ctx),
  };
}

function optDv(o: Obj, ctx: string): DeletionVectorDescriptor | undefined {
  const dv = sub(o, 'deletionVector', ctx);
  return dv === undefined ? undefined : parseDeletionVector(dv, `${ctx}.deletionVector`);
}

/**
 * True when the parsed JSON object already has the exact AddFile shape: only known fields, no
 * nulls, no deletion vector (whose object is rebuilt), every value of the right type and every
 * integer safe. Then it is used as is, sparing a copy per file on large logs; anything else takes
 * the general path, which normalizes and raises the precise error.
 */
function isPlainAdd(o: Obj): boolean {
  for (const k in o) {
    switch (k) {
      case 'path':
      case 'partitionValues':
      case 'size':
      case 'modificationTime':
      case 'dataChange':
      case 'stats':
      case 'tags':
      case 'baseRowId':
      case 'defaultRowCommitVersion':
      case 'clusteringProvider':
        if (o[k] === null) return false;
        break;
      default:
        return false;
    }
  }
  return (
    typeof o.path === 'string' &&
    isStringMap(o.partitionValues) &&
    Number.isSafeInteger(o.size) &&
    Number.isSafeInteger(o.modificationTime) &&
    typeof o.dataChange === 'boolean' &&
    (o.stats === undefined || typeof o.stats === 'string') &&
    (o.tags === undefined || isStringMap(o.tags)) &&
    (o.baseRowId === undefined || Number.isSafeInteger(o.baseRowId)) &&
    (o.defaultRowCommitVersion === undefined || Number.isSafeInteger(o.defaultRowCommitVersion)) &&
    (o.clusteringProvider === undefined || typeof o.clusteringProvider === 'string')
  );
}

/** An object whose values are all strings or null. */
function isStringMap(v: unknown): boolean {
  if (!isObj(v)) return false;
  for (const key in v) {
    const x = v[key];
    if (x !== null && typeof x !== 'string') return false;
  }
  return true;
}

function parseAdd(o: Obj): AddFile {
  if (isPlainAdd(o)) return o as unknown as AddFile;
  return {
    path: str(o, 'path', 'add'),
    partitionValues: strMap(o, 'partitionValues', 'add'),
    size: long(o, 'size', 'add'),
    modificationTime: long(o, 'modificationTime', 'add'),
    dataChange: bool(o, 'dataChange', 'add'),
    stats: optStr(o, 'stats', 'add'),
    statsParsed: undefined,
    tags: optStrMap(o, 'tags', 'add'),
    deletionVector: optDv(o, 'add'),
    baseRowId: optLong(o, 'baseRowId', 'add'),
    defaultRowCommitVersion: optLong(o, 'defaultRowCommitVersion', 'add'),
    clusteringProvider: optStr(o, 'clusteringProvider', 'add'),
  };
}

function parseRemove(o: Obj): RemoveFile {
  return {
    path: str(o, 'path', 'remove'),
    deletionTimestamp: optLong(o, 'deletionTimestamp', 'remove'),
    dataChange: bool(o, 'dataChange', 'remove'),
    extendedFileMetadata: optBool(o, 'extendedFileMetadata', 'remove'),
    partitionValues: optStrMap(o, 'partitionValues', 'remove'),
    size: optLong(o, 'size', 'remove'),
    stats: optStr(o, 'stats', 'remove'),
    tags: optStrMap(o, 'tags', 'remove'),
    deletionVector: optDv(o, 'remove'),
    baseRowId: optLong(o, 'baseRowId', 'remove'),
    defaultRowCommitVersion: optLong(o, 'defaultRowCommitVersion', 'remove'),
  };
}

function parseCdc(o: Obj): AddCDCFile {
  return {
    path: str(o, 'path', 'cdc'),
    partitionValues: strMap(o, 'partitionValues', 'cdc'),
    size: long(o, 'size', 'cdc'),
    dataChange: bool(o, 'dataChange', 'cdc'),
    tags: optStrMap(o, 'tags', 'cdc'),
  };
}

/**
 * A missing `schemaString` is kept as the empty string: some real tables lack it, and readers that
 * only need the file list can still open them. Parsing the schema rejects it.
 */
export function parseMetadata(o: Obj): Metadata {
  const format = sub(o, 'format', 'metaData');
  if (format === undefined) throw missing('metaData', 'format');
  return {
    id: str(o, 'id', 'metaData'),
    name: optStr(o, 'name', 'metaData'),
    description: optStr(o, 'description', 'metaData'),
    format: { provider: str(format, 'provider', 'metaData.format'), options: nonNullStrMap(format, 'options', 'metaData.format', false) },
    schemaString: optStr(o, 'schemaString', 'metaData') ?? '',
    partitionColumns: strList(o, 'partitionColumns', 'metaData', false) ?? [],
    createdTime: optLong(o, 'createdTime', 'metaData'),
    configuration: nonNullStrMap(o, 'configuration', 'metaData', false),
  };
}

export function parseProtocol(o: Obj): Protocol {
  const p: Protocol = {
    minReaderVersion: long(o, 'minReaderVersion', 'protocol'),
    minWriterVersion: long(o, 'minWriterVersion', 'protocol'),
  };
  const readerFeatures = strList(o, 'readerFeatures', 'protocol', false);
  const writerFeatures = strList(o, 'writerFeatures', 'protocol', false);
  return { ...p, ...(readerFeatures && { readerFeatures }), ...(writerFeatures && { writerFeatures }) };
}

function parseTxn(o: Obj): SetTransaction {
  const v = o.version;
  let version: bigint;
  if (typeof v === 'bigint') version = v;
  else if (typeof v === 'number' && Number.isSafeInteger(v)) version = BigInt(v);
  else throw v == null ? missing('txn', 'version') : wrongType('txn', 'version', 'an integer', v);
  return { appId: str(o, 'appId', 'txn'), version, lastUpdated: optLong(o, 'lastUpdated', 'txn') };
}

const COMMIT_INFO_LONGS = ['timestamp', 'inCommitTimestamp', 'readVersion'] as const;

function parseCommitInfo(o: Obj): CommitInfo {
  const out: Record<string, unknown> = {};
  for (const k in o) if (o[k] !== null) out[k] = o[k];
  for (const k of COMMIT_INFO_LONGS) if (out[k] !== undefined) out[k] = toSafeInteger(out[k], 'commitInfo', k);
  optStr(out, 'operation', 'commitInfo');
  optBool(out, 'isBlindAppend', 'commitInfo');
  return out as CommitInfo;
}

function parseDomainMetadata(o: Obj): DomainMetadata {
  return {
    domain: str(o, 'domain', 'domainMetadata'),
    configuration: str(o, 'configuration', 'domainMetadata'),
    removed: bool(o, 'removed', 'domainMetadata'),
  };
}

function parseCheckpointMetadata(o: Obj): CheckpointMetadata {
  return { version: long(o, 'version', 'checkpointMetadata'), tags: optStrMap(o, 'tags', 'checkpointMetadata') };
}

export function parseSidecar(o: Obj): Sidecar {
  return {
    path: str(o, 'path', 'sidecar'),
    sizeInBytes: long(o, 'sizeInBytes', 'sidecar'),
    modificationTime: long(o, 'modificationTime', 'sidecar'),
    tags: optStrMap(o, 'tags', 'sidecar'),
  };
}

/**
 * One parsed JSON value (a log line) as an action, or `undefined` when it holds no known action.
 * Throws {@link ActionFieldError} when a known action is malformed.
 */
export function actionFromJson(value: unknown): Action | undefined {
  if (!isObj(value)) throw new ActionFieldError(`expected a JSON object with one action key, found ${describe(value)}`);
  let found: Action | undefined;
  for (const key in value) {
    const body = value[key];
    if (body == null) continue;
    const action = actionFromKey(key, body);
    if (action === undefined) continue;
    if (found !== undefined) throw new ActionFieldError(`one line holds two actions (${found.kind} and ${action.kind}); each line must hold exactly one`);
    found = action;
  }
  return found;
}

function actionFromKey(key: string, body: unknown): Action | undefined {
  if (!KNOWN.has(key)) return undefined;
  if (!isObj(body)) throw new ActionFieldError(`action ${key} must be a JSON object, found ${describe(body)}`);
  switch (key) {
    case 'add':
      return { kind: 'add', add: parseAdd(body) };
    case 'remove':
      return { kind: 'remove', remove: parseRemove(body) };
    case 'metaData':
      return { kind: 'metaData', metaData: parseMetadata(body) };
    case 'protocol':
      return { kind: 'protocol', protocol: parseProtocol(body) };
    case 'txn':
      return { kind: 'txn', txn: parseTxn(body) };
    case 'commitInfo':
      return { kind: 'commitInfo', commitInfo: parseCommitInfo(body) };
    case 'cdc':
      return { kind: 'cdc', cdc: parseCdc(body) };
    case 'domainMetadata':
      return { kind: 'domainMetadata', domainMetadata: parseDomainMetadata(body) };
    case 'checkpointMetadata':
      return { kind: 'checkpointMetadata', checkpointMetadata: parseCheckpointMetadata(body) };
    case 'sidecar':
      return { kind: 'sidecar', sidecar: parseSidecar(body) };
    default:
      return undefined;
  }
}

const KNOWN = new Set(['add', 'remove', 'metaData', 'protocol', 'txn', 'commitInfo', 'cdc', 'domainMetadata', 'checkpointMetadata', 'sidecar']);

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Same test as util/json.ts: a run of 16+ digits may be an integer that JSON.parse would round. */
const LONG_DIGITS = /\d{16}/;

/**
 * Parses newline-delimited JSON actions (a commit file or a JSON checkpoint). Empty lines are
 * skipped and the final newline is optional. `kind` only shapes the error: a malformed line fails
 * with CORRUPT_LOG (or CORRUPT_CHECKPOINT) naming `path` and the 1-based line number, or with
 * PRECISION_LOSS for an integer beyond 2^53.
 */
export function parseActionLines(bytes: Uint8Array, path: string, kind: 'commit' | 'checkpoint' = 'commit'): Action[] {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch (e) {
    throw corrupt(kind, path, undefined, 'the file is not valid UTF-8', e);
  }
  const out: Action[] = [];
  let start = 0;
  let lineNo = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    lineNo++;
    const line = text.slice(start, end);
    start = end + 1;
    if (isBlank(line)) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
      // The bulk of a large log: a line holding one plain add, used as it is.
      const add = plainAddLine(value);
      if (add !== undefined) {
        out.push({ kind: 'add', add });
        continue;
      }
      // Integer fields of file actions are validated as safe integers, so JSON.parse rounding
      // there is caught as PRECISION_LOSS. Only app transaction versions (bigint) and free-form
      // commitInfo keep values beyond 2^53, so only those lines are re-read losslessly.
      if (mayHoldLongs(value) && LONG_DIGITS.test(line)) value = parseJson(line);
    } catch (e) {
      throw corrupt(kind, path, lineNo, `invalid JSON (${e instanceof Error ? e.message : String(e)})`, e);
    }
    try {
      const action = actionFromJson(value);
      if (action !== undefined) out.push(action);
    } catch (e) {
      if (!(e instanceof ActionFieldError)) throw e;
      throw located(e.precisionLoss ? exactFieldError(line, e) : e, kind, path, lineNo);
    }
  }
  return out;
}

/** The AddFile of a parsed line whose only key is an `add` of the plain shape (see isPlainAdd). */
function plainAddLine(value: unknown): AddFile | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const add = (value as Obj).add;
  if (!isObj(add)) return undefined;
  for (const k in value) if (k !== 'add') return undefined;
  return isPlainAdd(add) ? (add as unknown as AddFile) : undefined;
}

/** Re-validates a line read losslessly, so a precision error quotes the exact value. */
function exactFieldError(line: string, fallback: ActionFieldError): ActionFieldError {
  try {
    actionFromJson(parseJson(line));
  } catch (e) {
    if (e instanceof ActionFieldError) return e;
  }
  return fallback;
}

function mayHoldLongs(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  return 'txn' in value || 'commitInfo' in value || 'domainMetadata' in value;
}

function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}

/** Turns an {@link ActionFieldError} into a DeltaError naming where it happened. */
export function located(e: ActionFieldError, kind: 'commit' | 'checkpoint', path: string, lineNo?: number): DeltaError {
  if (e.precisionLoss) {
    const where = lineNo === undefined ? path : `${path} line ${lineNo}`;
    return new DeltaError('PRECISION_LOSS', `Cannot read ${where}: ${e.message}. The value is not representable without rounding; this library refuses to round it.`, {
      cause: e,
      details: { path, line: lineNo },
    });
  }
  return corrupt(kind, path, lineNo, e.message, e);
}

function corrupt(kind: 'commit' | 'checkpoint', path: string, lineNo: number | undefined, problem: string, cause: unknown): DeltaError {
  const where = lineNo === undefined ? path : `${path} line ${lineNo}`;
  if (kind === 'checkpoint') {
    return new DeltaError(
      'CORRUPT_CHECKPOINT',
      `Corrupt checkpoint ${where}: ${problem}. Delete this checkpoint file (and fix or delete _last_checkpoint) so readers replay the JSON commits instead.`,
      { cause, details: { path, line: lineNo } },
    );
  }
  return new DeltaError(
    'CORRUPT_LOG',
    `Corrupt Delta log file ${where}: ${problem}. Each line must be one JSON action as defined by the Delta protocol; restore the file from a backup or repair that line.`,
    { cause, details: { path, line: lineNo } },
  );
}
